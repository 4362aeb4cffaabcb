//! The command line, declared with clap's derive.
//!
//! `--port` defaults to 0: the system picks a free port, which the server
//! reports on its first stdout line (`listening on http://HOST:PORT`) and,
//! with `--port-file FILE`, in FILE (see [`announce`](crate::announce)).
//! The test harness always lets the system choose, so no two runs can fight
//! over a port; the demo asks for its documented port 8787. Bad arguments
//! print clap's message and usage and exit with code 2.

use std::path::PathBuf;

use clap::builder::NonEmptyStringValueParser;
use clap::Parser;

/// Validated server configuration.
#[derive(Debug, Clone, PartialEq, Eq, Parser)]
#[command(
    name = "steadysocket-testserver",
    about = "WebSocket echo server with fault injection, for steadysocket's tests and demo.",
    after_help = "The first line on stdout is `listening on http://HOST:PORT`."
)]
pub struct Config {
    /// TCP port to listen on; 0 lets the system pick a free one
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub port: u16,
    /// Address to bind
    #[arg(long, value_name = "HOST", default_value = "127.0.0.1",
          value_parser = NonEmptyStringValueParser::new())]
    pub host: String,
    /// Text answered by GET /instance_name
    #[arg(long, value_name = "NAME")]
    pub instance_name: String,
    /// Serve static files from DIR (GET / -> DIR/index.html)
    #[arg(long, value_name = "DIR")]
    pub www: Option<PathBuf>,
    /// Serve GET /pkg/... from DIR
    #[arg(long, value_name = "DIR")]
    pub pkg: Option<PathBuf>,
    /// Once listening, write the bound port (digits and a newline) to FILE
    #[arg(long, value_name = "FILE")]
    pub port_file: Option<PathBuf>,
    /// Log one line per connection and fault on stderr
    #[arg(long, short)]
    pub verbose: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Config, clap::Error> {
        Config::try_parse_from(
            std::iter::once("steadysocket-testserver").chain(args.iter().copied()),
        )
    }

    #[test]
    fn minimal_and_full() {
        let c = run(&["--instance-name", "a"]).unwrap();
        assert_eq!(c.host, "127.0.0.1");
        assert_eq!(c.port, 0, "the system picks the port by default");
        assert!(!c.verbose && c.www.is_none() && c.pkg.is_none() && c.port_file.is_none());

        let c = run(&[
            "--host=0.0.0.0",
            "--port=8080",
            "--instance-name",
            "x y",
            "--www",
            "w",
            "--pkg",
            "p",
            "--port-file",
            "f",
            "--verbose",
        ])
        .unwrap();
        assert_eq!(c.host, "0.0.0.0");
        assert_eq!(c.port, 8080);
        assert_eq!(c.instance_name, "x y");
        assert_eq!(c.www, Some(PathBuf::from("w")));
        assert_eq!(c.pkg, Some(PathBuf::from("p")));
        assert_eq!(c.port_file, Some(PathBuf::from("f")));
        assert!(c.verbose);
    }

    #[test]
    fn errors() {
        assert!(
            run(&["--port", "0"]).is_err(),
            "--instance-name is required"
        );
        assert!(run(&["--port", "70000", "--instance-name", "a"]).is_err());
        assert!(run(&["--port"]).is_err());
        assert!(run(&["--port", "1", "--port", "2", "--instance-name", "a"]).is_err());
        assert!(run(&["--instance-name", "a", "--bogus"]).is_err());
        assert!(run(&["--instance-name", "a", "--host", ""]).is_err());
        assert!(run(&["--instance-name", "a", "--verbose=yes"]).is_err());
        let help = run(&["--help"]).unwrap_err();
        assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
    }
}
