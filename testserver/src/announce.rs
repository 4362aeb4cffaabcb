//! Telling the harness which port the server got.
//!
//! The harness starts the server on port 0 and learns the port the system
//! chose in one of two ways, both written once the listener is bound (so a
//! connection made after reading either is queued, never refused):
//!
//! * with `--port-file FILE`, FILE holding the port and a newline, written
//!   to a temporary file beside it and renamed into place, so that a reader
//!   polling for FILE never sees it half-written (`scripts/lib.sh`);
//! * then the first line on stdout, `listening on http://HOST:PORT` (the
//!   native tests read it from a pipe).

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// `host` as it goes into a URL: IPv6 addresses in brackets.
pub fn url_host(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

/// Writes the port file, if one was asked for, then prints the listening
/// line (so whoever reads the line finds the file in place too).
pub fn announce(host: &str, port: u16, port_file: Option<&Path>) -> io::Result<()> {
    if let Some(file) = port_file {
        write_port_file(file, port)?;
    }
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "listening on http://{}:{port}", url_host(host))?;
    stdout.flush()
}

/// Writes `port` to `file` atomically (a temporary file, then a rename).
pub fn write_port_file(file: &Path, port: u16) -> io::Result<()> {
    let mut tmp = file.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    fs::write(&tmp, format!("{port}\n"))?;
    fs::rename(&tmp, file).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_ipv6_hosts() {
        assert_eq!(url_host("127.0.0.1"), "127.0.0.1");
        assert_eq!(url_host("::1"), "[::1]");
        assert_eq!(url_host("[::1]"), "[::1]");
    }

    #[test]
    fn port_file_is_replaced_whole() {
        let dir = std::env::temp_dir().join(format!("ss-port-file-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("port");
        fs::write(&file, "stale").unwrap();
        write_port_file(&file, 4242).unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), "4242\n");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "no temporary left");
        fs::remove_dir_all(&dir).unwrap();
    }
}
