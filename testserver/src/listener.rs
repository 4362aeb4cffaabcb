//! The accept loop: listening, serving each connection with hyper,
//! simulated restarts and shutdown.
//!
//! The server keeps its own accept loop on a tokio [`TcpListener`] instead
//! of `axum::serve`, for one fault: a restart must *close the listening
//! socket*, so that reconnect attempts are refused with `ECONNREFUSED` for
//! as long as the server is "down", and bind the same address again later.
//! That is the only place the server works below HTTP on purpose; no fault
//! needs to accept a connection and then break HTTP itself, so there is no
//! raw-TCP listener besides this one. Every accepted connection goes
//! straight to hyper's HTTP/1.1 server (with upgrades, for the WebSocket
//! endpoint) and the axum router ([`routes`](crate::routes)).
//!
//! A `/control/restart` request reaches this loop over a channel once its
//! HTTP response is out ([`restart`](crate::restart)). The loop then drops
//! the listener, ends every open WebSocket (close frame 1012 or a TCP drop),
//! waits `down_ms` and binds the same address again. Handshakes being held
//! by a stall are left alone, as are statistics.
//!
//! On SIGTERM or SIGINT every open WebSocket receives close 1001 "Going
//! Away"; the loop waits briefly for the close handshakes and returns.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::{sleep, Instant};
use tower::ServiceExt;

use crate::registry::Command;
use crate::restart::{AfterResponse, Restart, RestartMode};
use crate::signals::Signals;
use crate::state::State;

/// How long shutdown waits for close handshakes to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(1000);

/// Pause between attempts to bind again after a restart.
const REBIND_RETRY: Duration = Duration::from_millis(50);

/// How long a client may take to send its request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(15);

enum Event {
    Accepted(io::Result<(TcpStream, SocketAddr)>),
    Restart(Restart),
    Shutdown,
}

/// Serves until a termination signal arrives.
pub async fn run(
    state: Arc<State>,
    app: Router,
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
            accepted = listener.accept() => Event::Accepted(accepted),
            Some(restart) = restarts.recv() => Event::Restart(restart),
            _ = signals.recv() => Event::Shutdown,
        };
        match event {
            Event::Accepted(Ok((stream, peer))) => {
                tokio::spawn(serve_connection(
                    Arc::clone(&state),
                    app.clone(),
                    stream,
                    peer,
                ));
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

/// Serves one accepted connection with hyper until it closes (or, for a
/// WebSocket, until hyper hands it over to the session).
async fn serve_connection(state: Arc<State>, app: Router, stream: TcpStream, peer: SocketAddr) {
    let _ = stream.set_nodelay(true);
    let after = AfterResponse::default();
    let service = {
        let after = after.clone();
        service_fn(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            req.extensions_mut().insert(after.clone());
            app.clone().oneshot(req)
        })
    };
    let served = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades()
        .await;
    if let Err(e) = served {
        state.log(format_args!("{peer} connection ended: {e}"));
    }
    if let Some(restart) = after.take() {
        let _ = state.restart_tx.send(restart);
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
