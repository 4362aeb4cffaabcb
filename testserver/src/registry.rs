//! The registry of open WebSocket connections.
//!
//! Each connection task registers itself after its handshake and receives
//! orders through an unbounded channel; the control endpoints, the restart
//! logic and the shutdown path only ever talk to connections through here.
//! Registration returns a guard that removes the entry when the task ends,
//! however it ends.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::ws::Message;
use tokio::sync::mpsc;

/// An order for one open connection.
#[derive(Debug, Clone)]
pub enum Command {
    /// Send a close frame and finish the close handshake.
    Close { code: u16, reason: String },
    /// Drop the TCP connection without a close frame.
    Drop,
    /// Stop (`true`) or resume (`false`) sending anything.
    Silent(bool),
    /// Send one data frame (unless silent).
    Send(Message),
}

struct Entry {
    client: String,
    tx: mpsc::UnboundedSender<Command>,
}

/// Open connections by id.
#[derive(Default)]
pub struct Registry {
    next_id: AtomicU64,
    conns: Mutex<HashMap<u64, Entry>>,
}

/// Keeps a connection registered; unregisters it when dropped.
pub struct Registration {
    registry: Arc<Registry>,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.registry.lock().remove(&self.id);
    }
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Entry>> {
        self.conns.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a connection of `client`; returns its guard and command inbox.
    pub fn register(
        self: &Arc<Self>,
        client: &str,
    ) -> (Registration, mpsc::UnboundedReceiver<Command>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(
            id,
            Entry {
                client: client.to_string(),
                tx,
            },
        );
        let reg = Registration {
            registry: Arc::clone(self),
            id,
        };
        (reg, rx)
    }

    /// Sends `cmd` to the connections of `client` (all when `None`) and
    /// returns how many received it.
    pub fn broadcast(&self, client: Option<&str>, cmd: &Command) -> usize {
        self.lock()
            .values()
            .filter(|e| client.is_none_or(|c| c == e.client))
            .filter(|e| e.tx.send(cmd.clone()).is_ok())
            .count()
    }

    /// Number of open connections of `client`.
    pub fn open_count(&self, client: &str) -> usize {
        self.lock().values().filter(|e| e.client == client).count()
    }

    /// True when no connection is open.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_broadcast_unregister() {
        let reg = Arc::new(Registry::default());
        let (a, mut rx_a) = reg.register("a");
        let (b, _rx_b) = reg.register("b");
        assert!(!reg.is_empty());
        assert_eq!(reg.open_count("a"), 1);
        assert_eq!(reg.broadcast(Some("a"), &Command::Drop), 1);
        assert!(matches!(rx_a.try_recv(), Ok(Command::Drop)));
        assert_eq!(reg.broadcast(None, &Command::Silent(true)), 2);
        assert_eq!(reg.broadcast(Some("zzz"), &Command::Drop), 0);
        drop(a);
        assert_eq!(reg.open_count("a"), 0);
        drop(b);
        assert!(reg.is_empty());
    }
}
