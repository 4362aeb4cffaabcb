//! The WebSocket endpoint (`/ws`, `/ws/...`): the handshake and its faults.
//!
//! A request without `Upgrade: websocket` gets 426. Otherwise the handshake
//! goes through the faults in this order:
//!
//! 1. the options in the query string are read ([`WsOptions`]); a bad one
//!    is a 400 naming it;
//! 2. a stall: the `stall=` parameter, then any global stall window. The
//!    handler simply does not answer yet (`stall=forever`: never). hyper
//!    keeps reading the socket meanwhile, so a client that gives up is
//!    noticed: hyper ends the connection and drops this handler's future,
//!    and the client is never counted as connected;
//! 3. a refusal: the `refuse=` parameter or a global refusal window, answered
//!    with that status and `Connection: close`;
//! 4. axum's [`WebSocketUpgrade`] checks the request (GET, the key, version
//!    13: 426 with `Sec-WebSocket-Version: 13` for another version, 400 for
//!    the rest), the first subprotocol the client offers is selected, the
//!    connection is counted, and the `101 Switching Protocols` goes out.
//!
//! Once hyper has handed over the socket, [`session::run`] serves it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, State as Shared};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::time::{sleep, sleep_until, Instant};

use crate::faults::{Stall, Until, WsOptions};
use crate::params::Params;
use crate::reply;
use crate::session;
use crate::state::State;

/// How often a global stall window is re-checked while a handshake is held.
const STALL_POLL: Duration = Duration::from_millis(25);

/// Serves one request to the WebSocket endpoint.
pub async fn handle(
    Shared(state): Shared<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    params: Params,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    if !header_has(&headers, header::UPGRADE, "websocket") {
        let body = "this endpoint needs a WebSocket upgrade\n";
        return (
            StatusCode::UPGRADE_REQUIRED,
            [(header::UPGRADE, "websocket")],
            body,
        )
            .into_response();
    }
    let peer = peer.to_string();
    let opts = match WsOptions::from_params(&params) {
        Ok(opts) => opts,
        Err(message) => {
            state.log(format_args!("{peer} bad upgrade request: {message}"));
            return reply::text(StatusCode::BAD_REQUEST, message);
        }
    };
    let client = opts.client.clone();
    state.log(format_args!(
        "{peer} handshake client={client} query={:?}",
        params.raw()
    ));

    let held = Held {
        state: &state,
        peer: &peer,
        client: &client,
        done: false,
    };
    stall(&state, &opts, &peer).await;
    held.release();

    if let Some(status) = opts.refuse.or_else(|| state.faults.refusal()) {
        state.stats.update(&client, |s| s.refused += 1);
        state.log(format_args!("{peer} client={client} refused with {status}"));
        let body = format!("handshake refused with status {status}\n");
        return reply::text(reply::status(status), body);
    }

    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejected(&headers, rejection),
    };
    // In the client's order (axum's `requested_protocols` is sorted).
    let offered = header_list(&headers, header::SEC_WEBSOCKET_PROTOCOL);
    let upgrade = match offered.first() {
        Some(first) => upgrade.protocols([first.clone()]),
        None => upgrade,
    };

    // Counted before the 101 goes out, so a client that has seen its open
    // always finds itself in the stats.
    state.stats.update(&client, |s| {
        s.connections += 1;
        s.protocols
            .push((!offered.is_empty()).then(|| offered.join(", ")));
        s.queries.push(params.raw().to_string());
    });

    let failed = {
        let (state, peer, client) = (Arc::clone(&state), peer.clone(), client.clone());
        move |e: axum::Error| {
            state.log(format_args!(
                "{peer} client={client} left before the 101: {e}"
            ))
        }
    };
    upgrade
        .on_failed_upgrade(failed)
        .on_upgrade(move |ws| session::run(state, ws, opts, peer))
}

/// Applies the `stall=` parameter and then any global stall window.
async fn stall(state: &State, opts: &WsOptions, peer: &str) {
    let mut counted = false;
    if let Some(stall) = opts.stall {
        counted = true;
        state.stats.update(&opts.client, |s| s.stalled += 1);
        state.log(format_args!(
            "{peer} client={} stalled: {stall:?}",
            opts.client
        ));
        match stall {
            Stall::For(d) => sleep(d).await,
            Stall::Forever => std::future::pending().await,
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
        while let Some(until) = state.faults.stall() {
            let next_check = Instant::now() + STALL_POLL;
            sleep_until(match until {
                Until::At(t) => t.min(next_check),
                Until::Cleared => next_check,
            })
            .await;
        }
    }
}

/// Logs a client that leaves while its handshake is held: hyper drops the
/// handler's future, and this with it.
struct Held<'a> {
    state: &'a State,
    peer: &'a str,
    client: &'a str,
    done: bool,
}

impl Held<'_> {
    fn release(mut self) {
        self.done = true;
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.state.log(format_args!(
                "{} client={} left while stalled",
                self.peer, self.client
            ));
        }
    }
}

/// The answer to an upgrade request axum's extractor refused.
fn rejected(headers: &HeaderMap, rejection: WebSocketUpgradeRejection) -> Response {
    let version = headers.get(header::SEC_WEBSOCKET_VERSION);
    if version.is_some_and(|v| v != "13") {
        return (
            StatusCode::UPGRADE_REQUIRED,
            [(header::SEC_WEBSOCKET_VERSION, "13")],
            "only WebSocket version 13 is supported\n",
        )
            .into_response();
    }
    let body = format!(
        "a WebSocket upgrade needs GET, Connection: upgrade and Sec-WebSocket-Key: {}\n",
        rejection.body_text()
    );
    reply::text(StatusCode::BAD_REQUEST, body)
}

/// True when a comma-separated header lists `token` (case-insensitive).
fn header_has(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    header_list(headers, name)
        .iter()
        .any(|v| v.eq_ignore_ascii_case(token))
}

/// The values of a comma-separated header, across repeated header lines,
/// in order.
fn header_list(headers: &HeaderMap, name: header::HeaderName) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lists_keep_the_clients_order() {
        let mut h = HeaderMap::new();
        h.append(header::SEC_WEBSOCKET_PROTOCOL, "p2, p1".parse().unwrap());
        h.append(header::SEC_WEBSOCKET_PROTOCOL, "p0,,".parse().unwrap());
        h.append(header::UPGRADE, "WebSocket".parse().unwrap());
        assert_eq!(
            header_list(&h, header::SEC_WEBSOCKET_PROTOCOL),
            ["p2", "p1", "p0"]
        );
        assert!(header_has(&h, header::UPGRADE, "websocket"));
        assert!(!header_has(&h, header::CONNECTION, "upgrade"));
    }
}
