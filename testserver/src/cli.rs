//! Command-line parsing.
//!
//! The argument set is tiny, so it is parsed by hand: every option is a
//! `--name value` pair except the `--verbose` flag. Any problem produces a
//! [`CliError`] whose message is printed together with [`USAGE`] and exit
//! code 2 by `main`.

use std::fmt;
use std::path::PathBuf;

/// Usage text printed on bad arguments and for `--help`.
pub const USAGE: &str = "\
usage: steadysocket-testserver --port PORT --instance-name NAME [options]

options:
  --port PORT            TCP port to listen on (0 picks a free one)
  --host HOST            address to bind (default 127.0.0.1)
  --instance-name NAME   text answered by GET /instance_name
  --www DIR              serve static files from DIR (GET / -> DIR/index.html)
  --pkg DIR              serve GET /pkg/... from DIR
  --verbose              log one line per connection and fault on stderr
  --help                 print this message";

/// Validated server configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub host: String,
    pub port: u16,
    pub instance_name: String,
    pub www: Option<PathBuf>,
    pub pkg: Option<PathBuf>,
    pub verbose: bool,
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Run(Config),
    Help,
}

/// A command-line problem, described for the user.
#[derive(Debug, PartialEq, Eq)]
pub struct CliError(pub String);

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses the arguments that follow the program name.
pub fn parse<I>(args: I) -> Result<Command, CliError>
where
    I: IntoIterator<Item = String>,
{
    let mut host = None;
    let mut port = None;
    let mut instance_name = None;
    let mut www = None;
    let mut pkg = None;
    let mut verbose = false;

    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // Accept both `--name value` and `--name=value`.
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |what: &str| -> Result<String, CliError> {
            match inline.clone().or_else(|| args.next()) {
                Some(v) => Ok(v),
                None => Err(CliError(format!("{name} needs a {what}"))),
            }
        };
        match name.as_str() {
            "--help" | "-h" => return Ok(Command::Help),
            "--verbose" | "-v" => {
                if inline.is_some() {
                    return Err(CliError("--verbose takes no value".into()));
                }
                verbose = true;
            }
            "--port" => {
                let v = value("port number")?;
                let p = v
                    .parse::<u16>()
                    .map_err(|_| CliError(format!("invalid port: {v:?}")))?;
                set_once(&mut port, p, "--port")?;
            }
            "--host" => {
                let v = value("host")?;
                if v.is_empty() {
                    return Err(CliError("--host must not be empty".into()));
                }
                set_once(&mut host, v, "--host")?;
            }
            "--instance-name" => {
                let v = value("name")?;
                set_once(&mut instance_name, v, "--instance-name")?;
            }
            "--www" => {
                let v = value("directory")?;
                set_once(&mut www, PathBuf::from(v), "--www")?;
            }
            "--pkg" => {
                let v = value("directory")?;
                set_once(&mut pkg, PathBuf::from(v), "--pkg")?;
            }
            other => return Err(CliError(format!("unknown argument: {other:?}"))),
        }
    }

    Ok(Command::Run(Config {
        host: host.unwrap_or_else(|| "127.0.0.1".to_string()),
        port: port.ok_or_else(|| CliError("--port is required".into()))?,
        instance_name: instance_name
            .ok_or_else(|| CliError("--instance-name is required".into()))?,
        www,
        pkg,
        verbose,
    }))
}

fn set_once<T>(slot: &mut Option<T>, value: T, name: &str) -> Result<(), CliError> {
    if slot.is_some() {
        return Err(CliError(format!("{name} given twice")));
    }
    *slot = Some(value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Command, CliError> {
        parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn minimal_and_full() {
        let Command::Run(c) = run(&["--port", "0", "--instance-name", "a"]).unwrap() else {
            panic!("expected run");
        };
        assert_eq!(c.host, "127.0.0.1");
        assert_eq!(c.port, 0);
        assert!(!c.verbose && c.www.is_none() && c.pkg.is_none());

        let Command::Run(c) = run(&[
            "--host=0.0.0.0",
            "--port=8080",
            "--instance-name",
            "x y",
            "--www",
            "w",
            "--pkg",
            "p",
            "--verbose",
        ])
        .unwrap() else {
            panic!("expected run");
        };
        assert_eq!(c.host, "0.0.0.0");
        assert_eq!(c.port, 8080);
        assert_eq!(c.instance_name, "x y");
        assert_eq!(c.www, Some(PathBuf::from("w")));
        assert_eq!(c.pkg, Some(PathBuf::from("p")));
        assert!(c.verbose);
    }

    #[test]
    fn errors() {
        assert!(run(&["--instance-name", "a"]).is_err());
        assert!(run(&["--port", "0"]).is_err());
        assert!(run(&["--port", "70000", "--instance-name", "a"]).is_err());
        assert!(run(&["--port"]).is_err());
        assert!(run(&["--port", "1", "--port", "2", "--instance-name", "a"]).is_err());
        assert!(run(&["--port", "1", "--instance-name", "a", "--bogus"]).is_err());
        assert_eq!(run(&["--help"]).unwrap(), Command::Help);
    }
}
