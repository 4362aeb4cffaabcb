//! The accept loop: listening, simulated restarts and shutdown.
//!
//! The loop owns the listening socket. A `/control/restart` request arrives
//! here over a channel once its HTTP response is out; the loop then closes
//! the listener first (so that reconnect attempts are refused with
//! `ECONNREFUSED` from that moment on), ends every open WebSocket (close
//! frame 1012 or a TCP drop), waits `down_ms` and binds the same address
//! again. Statistics are untouched.
//!
//! On SIGTERM or SIGINT every open WebSocket receives close 1001 "Going
//! Away"; the loop waits briefly for the close handshakes and returns.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc;
use tokio::time::{sleep, Instant};

use crate::registry::Command;
use crate::routes::handle_connection;
use crate::state::{Restart, RestartMode, State};

/// How long shutdown waits for close handshakes to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(1000);

/// Pause between attempts to bind again after a restart.
const REBIND_RETRY: Duration = Duration::from_millis(50);

/// Resolves on the first SIGTERM or SIGINT.
pub struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    /// Installs the handlers; do this before announcing the port.
    pub fn install() -> io::Result<Self> {
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    async fn recv(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}

enum Event {
    Accepted(io::Result<tokio::net::TcpStream>),
    Restart(Restart),
    Shutdown,
}

/// Serves until a termination signal arrives.
pub async fn run(
    state: Arc<State>,
    listener: TcpListener,
    mut restarts: mpsc::UnboundedReceiver<Restart>,
    mut signals: Signals,
) {
    let addr = match listener.local_addr() {
        Ok(addr) => addr,
        Err(e) => {
            eprintln!("steadysocket-testserver: cannot read the bound address: {e}");
            return;
        }
    };
    let mut listener = listener;
    loop {
        let event = tokio::select! {
            accepted = listener.accept() => Event::Accepted(accepted.map(|(s, _)| s)),
            Some(restart) = restarts.recv() => Event::Restart(restart),
            _ = signals.recv() => Event::Shutdown,
        };
        match event {
            Event::Accepted(Ok(stream)) => {
                tokio::spawn(handle_connection(Arc::clone(&state), stream));
            }
            Event::Accepted(Err(e)) => {
                // Usually out of file descriptors; give it a moment.
                state.log(format_args!("accept failed: {e}"));
                sleep(Duration::from_millis(20)).await;
            }
            Event::Restart(restart) => {
                drop(listener);
                let cmd = match restart.mode {
                    RestartMode::Close => Command::Close {
                        code: 1012,
                        reason: "Service Restart".into(),
                    },
                    RestartMode::Drop => Command::Drop,
                };
                let affected = state.registry.broadcast(None, &cmd);
                state.log(format_args!(
                    "restart: listener closed, {affected} connection(s) ended ({:?}), down for {:?}",
                    restart.mode, restart.down
                ));
                tokio::select! {
                    _ = sleep(restart.down) => {}
                    _ = signals.recv() => return shutdown(&state).await,
                }
                listener = tokio::select! {
                    bound = rebind(&state, addr) => bound,
                    _ = signals.recv() => return shutdown(&state).await,
                };
                state.log(format_args!("restart: listening again on {addr}"));
            }
            Event::Shutdown => return shutdown(&state).await,
        }
    }
}

/// Binds `addr` again, retrying until it works.
async fn rebind(state: &State, addr: SocketAddr) -> TcpListener {
    let mut complained = false;
    loop {
        match TcpListener::bind(addr).await {
            Ok(listener) => return listener,
            Err(e) => {
                if !complained {
                    eprintln!("steadysocket-testserver: cannot listen on {addr} again yet: {e}");
                    complained = true;
                }
                state.log(format_args!("rebind failed: {e}"));
                sleep(REBIND_RETRY).await;
            }
        }
    }
}

/// Closes every WebSocket with 1001 and waits (briefly) for them to finish.
async fn shutdown(state: &State) {
    let cmd = Command::Close {
        code: 1001,
        reason: "Going Away".into(),
    };
    let affected = state.registry.broadcast(None, &cmd);
    state.log(format_args!(
        "shutting down: closing {affected} connection(s)"
    ));
    let deadline = Instant::now() + SHUTDOWN_GRACE;
    while !state.registry.is_empty() && Instant::now() < deadline {
        sleep(Duration::from_millis(10)).await;
    }
}
