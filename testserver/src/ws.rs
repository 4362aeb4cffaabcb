//! The WebSocket handshake, done by hand.
//!
//! After the request head has been read, the handshake goes through the
//! faults in this order: a stall (the `stall=` parameter, then any global
//! stall window), a refusal (the `refuse=` parameter or a global refusal
//! window), and finally the `101 Switching Protocols` answer. Only then is
//! the socket wrapped in a [`WebSocketStream`] and handed to
//! [`crate::session`]. While a handshake is held, the socket is watched so
//! that a client giving up is noticed (and never counted as connected).

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{sleep_until, Instant};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::WebSocketStream;

use crate::faults::{Stall, Until, WsOptions};
use crate::http::{respond_and_close, Request, Response};
use crate::session;
use crate::state::State;

/// Bytes a client may send before its handshake is answered that are kept
/// (and later fed to the WebSocket); anything beyond is discarded.
const MAX_EARLY_BYTES: usize = 64 * 1024;

/// How often a global stall window is re-checked while a handshake is held.
const STALL_POLL: Duration = Duration::from_millis(25);

/// Serves one WebSocket upgrade request on `stream`.
pub async fn handle(state: Arc<State>, mut stream: TcpStream, req: Request, early: Vec<u8>) {
    let peer = stream
        .peer_addr()
        .map_or_else(|_| "?".to_string(), |a| a.to_string());
    let opts = match WsOptions::from_request(&req) {
        Ok(opts) => opts,
        Err(message) => {
            state.log(format_args!("{peer} bad upgrade request: {message}"));
            return respond_and_close(stream, &Response::text(400, message), false).await;
        }
    };
    let client = opts.client.clone();
    state.log(format_args!(
        "{peer} handshake client={client} path={} query={:?}",
        req.path, req.raw_query
    ));

    let mut early = early;
    if !stall(&state, &mut stream, &mut early, &opts, &peer).await {
        state.log(format_args!("{peer} client={client} left while stalled"));
        return;
    }

    if let Some(status) = opts.refuse.or_else(|| state.faults.refusal()) {
        state.stats.update(&client, |s| s.refused += 1);
        state.log(format_args!("{peer} client={client} refused with {status}"));
        let body = format!("handshake refused with status {status}\n");
        return respond_and_close(stream, &Response::text(status, body), false).await;
    }

    let key = match req.header("sec-websocket-key") {
        Some(key) if req.method == "GET" => key.to_string(),
        _ => {
            let body = "a WebSocket upgrade needs GET and Sec-WebSocket-Key\n";
            return respond_and_close(stream, &Response::text(400, body), false).await;
        }
    };
    if req
        .header("sec-websocket-version")
        .is_some_and(|v| v != "13")
    {
        let response = Response::text(426, "only WebSocket version 13 is supported\n")
            .with_header("Sec-WebSocket-Version", "13");
        return respond_and_close(stream, &response, false).await;
    }

    let offered = req.header_list("sec-websocket-protocol");
    let mut head = format!(
        "HTTP/1.1 101 Switching Protocols\r\n\
         Upgrade: websocket\r\n\
         Connection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n\
         Access-Control-Allow-Origin: *\r\n\
         Cache-Control: no-store\r\n",
        derive_accept_key(key.as_bytes())
    );
    if let Some(protocol) = offered.first() {
        head.push_str(&format!("Sec-WebSocket-Protocol: {protocol}\r\n"));
    }
    head.push_str("\r\n");
    // Counted before the 101 goes out, so a client that has seen its open
    // always finds itself in the stats.
    state.stats.update(&client, |s| {
        s.connections += 1;
        s.protocols
            .push((!offered.is_empty()).then(|| offered.join(", ")));
        s.queries.push(req.raw_query.clone());
    });
    if stream.write_all(head.as_bytes()).await.is_err() || stream.flush().await.is_err() {
        state.log(format_args!("{peer} client={client} left before the 101"));
        return;
    }

    let ws = WebSocketStream::from_partially_read(stream, early, Role::Server, None).await;
    session::run(state, ws, opts, peer).await;
}

/// Applies the `stall=` parameter and then any global stall window.
/// Returns false if the client went away meanwhile.
async fn stall(
    state: &State,
    stream: &mut TcpStream,
    early: &mut Vec<u8>,
    opts: &WsOptions,
    peer: &str,
) -> bool {
    let mut counted = false;
    if let Some(stall) = opts.stall {
        counted = true;
        state.stats.update(&opts.client, |s| s.stalled += 1);
        state.log(format_args!(
            "{peer} client={} stalled: {stall:?}",
            opts.client
        ));
        let until = match stall {
            Stall::For(d) => Until::At(Instant::now() + d),
            Stall::Forever => Until::Cleared,
        };
        if !hold(stream, early, || Some(until)).await {
            return false;
        }
    }
    if state.faults.stall().is_some() {
        if !counted {
            state.stats.update(&opts.client, |s| s.stalled += 1);
        }
        state.log(format_args!(
            "{peer} client={} held by the global stall window",
            opts.client
        ));
        return hold(stream, early, || state.faults.stall()).await;
    }
    true
}

/// Waits as long as `held` says, reading (and keeping) whatever the client
/// sends. Returns false when the client closes or the socket fails.
async fn hold(
    stream: &mut TcpStream,
    early: &mut Vec<u8>,
    held: impl Fn() -> Option<Until>,
) -> bool {
    let mut buf = [0u8; 4096];
    while let Some(until) = held() {
        let now = Instant::now();
        let next_check = match until {
            Until::At(t) if t <= now => break,
            Until::At(t) => t.min(now + STALL_POLL),
            Until::Cleared => now + STALL_POLL,
        };
        tokio::select! {
            read = stream.read(&mut buf) => match read {
                Ok(0) | Err(_) => return false,
                Ok(n) => {
                    let room = MAX_EARLY_BYTES.saturating_sub(early.len());
                    early.extend_from_slice(&buf[..n.min(room)]);
                }
            },
            _ = sleep_until(next_check) => {}
        }
    }
    true
}
