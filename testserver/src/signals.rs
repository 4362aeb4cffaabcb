//! SIGTERM and SIGINT, which end the server cleanly.

use std::io;

use tokio::signal::unix::{signal, Signal, SignalKind};

/// Resolves on each SIGTERM or SIGINT.
pub struct Signals {
    term: Signal,
    int: Signal,
}

impl Signals {
    /// Installs the handlers; do this before announcing the port, so that a
    /// harness that stops the server at once still gets a clean exit.
    pub fn install() -> io::Result<Self> {
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    /// Waits for the next signal.
    pub async fn recv(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}
