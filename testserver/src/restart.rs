//! Simulated restarts (`/control/restart`): what is asked for, and how the
//! request waits for its own response to be out.
//!
//! The control handler cannot close the listener itself: the accept loop
//! owns it ([`listener`](crate::listener)). And the restart must not begin
//! before the client has its answer. So the handler leaves the restart in
//! the [`AfterResponse`] slot of its connection; every plain HTTP response
//! carries `Connection: close`, and once hyper has written the response and
//! closed that connection, the connection task sends whatever the slot holds
//! to the accept loop.

use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How a simulated restart ends the open connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartMode {
    /// Close frame 1012 "Service Restart".
    Close,
    /// TCP drop without a close frame.
    Drop,
}

/// A request to take the listener down for a while.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Restart {
    pub down: Duration,
    pub mode: RestartMode,
}

/// A restart to start once this connection's response is out. One per
/// connection, found in each request's extensions.
#[derive(Debug, Clone, Default)]
pub struct AfterResponse(Arc<Mutex<Option<Restart>>>);

impl AfterResponse {
    /// Leaves `restart` for the connection task.
    pub fn defer(&self, restart: Restart) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(restart);
    }

    /// Takes what was left, once the connection is done.
    pub fn take(&self) -> Option<Restart> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}
