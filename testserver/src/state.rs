//! State shared by all connection tasks and handlers.

use std::fmt::Display;
use std::sync::Arc;

use tokio::sync::mpsc;

use crate::cli::Config;
use crate::faults::GlobalFaults;
use crate::registry::Registry;
use crate::restart::Restart;
use crate::stats::Stats;

/// Everything the tasks share. Locks inside are never held across `.await`.
pub struct State {
    pub config: Config,
    pub stats: Stats,
    pub registry: Arc<Registry>,
    pub faults: GlobalFaults,
    /// Restart requests for the accept loop, which owns the listener.
    pub restart_tx: mpsc::UnboundedSender<Restart>,
}

impl State {
    pub fn new(config: Config) -> (Arc<Self>, mpsc::UnboundedReceiver<Restart>) {
        let (restart_tx, restart_rx) = mpsc::unbounded_channel();
        let state = State {
            config,
            stats: Stats::default(),
            registry: Arc::new(Registry::default()),
            faults: GlobalFaults::default(),
            restart_tx,
        };
        (Arc::new(state), restart_rx)
    }

    /// One line on stderr, only with `--verbose`.
    pub fn log(&self, message: impl Display) {
        if self.config.verbose {
            eprintln!("[testserver] {message}");
        }
    }
}
