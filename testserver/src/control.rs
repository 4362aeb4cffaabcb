//! The live control endpoints under `/control/`.
//!
//! Orders for open connections (`close`, `drop`, `silent`, `send`) go to
//! every connection whose `client` matches the `client` parameter, or to all
//! connections when it is absent, and report how many received them as
//! `{"affected": N}`; `close?code=1005` sends a close frame without a
//! status (which the peer reports as 1005). The global windows (`refuse`,
//! `stall`) and `restart` answer `{"ok": true}`; a restart is carried out by
//! the accept loop once this response is out ([`restart`](crate::restart)).
//! A bad parameter is a 400 naming it, an unknown action a 404. GET and POST
//! are the same.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Message;
use axum::extract::{Path, State as Shared};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use serde_json::json;

use crate::faults::{flag, parse_num, parse_status};
use crate::params::Params;
use crate::registry::Command;
use crate::reply;
use crate::restart::{AfterResponse, Restart, RestartMode};
use crate::state::State;

/// Default `down_ms` of `/control/restart`.
const DEFAULT_DOWN: Duration = Duration::from_millis(500);

/// Handles `/control/{action}`.
pub async fn handle(
    Shared(state): Shared<Arc<State>>,
    Path(action): Path<String>,
    after: Option<Extension<AfterResponse>>,
    params: Params,
) -> Response {
    match run(&state, &params, &action) {
        Ok(Outcome::Reply(response)) => response,
        Ok(Outcome::Restart(restart)) => {
            match after {
                Some(Extension(after)) => after.defer(restart),
                // Not served by our accept loop (a unit test): at once.
                None => {
                    let _ = state.restart_tx.send(restart);
                }
            }
            reply::json(&json!({ "ok": true }))
        }
        Err(message) => reply::text(StatusCode::BAD_REQUEST, message),
    }
}

enum Outcome {
    Reply(Response),
    Restart(Restart),
}

fn run(state: &State, params: &Params, action: &str) -> Result<Outcome, String> {
    let client = params.get("client");
    let order = |cmd: Command| -> Outcome {
        let affected = state.registry.broadcast(client, &cmd);
        state.log(format_args!(
            "control {action} client={} -> {affected} connection(s)",
            client.unwrap_or("*")
        ));
        Outcome::Reply(reply::json(&json!({ "affected": affected })))
    };
    let ok = || Outcome::Reply(reply::json(&json!({ "ok": true })));
    let for_ms = || -> Result<Option<u64>, String> {
        params
            .get("for_ms")
            .map(|v| parse_num(v, "for_ms"))
            .transpose()
    };

    Ok(match action {
        "close" => order(Command::Close {
            code: parse_num(params.get("code").unwrap_or("1000"), "code")?,
            reason: params.get("reason").unwrap_or("").to_string(),
        }),
        "drop" => order(Command::Drop),
        "silent" => order(Command::Silent(flag(params.get("on").unwrap_or("1")))),
        "send" => {
            let message = match (params.get("text"), params.get("binary")) {
                (Some(text), None) => Message::text(text),
                (None, Some(n)) => {
                    let n: usize = parse_num(n, "binary")?;
                    Message::binary((0..n).map(|i| i as u8).collect::<Vec<u8>>())
                }
                _ => return Err("send needs exactly one of text= or binary=".into()),
            };
            order(Command::Send(message))
        }
        "refuse" => {
            let status = parse_status(params.get("status").unwrap_or("503"))?;
            let for_ms = for_ms()?;
            state.faults.set_refuse(status, for_ms);
            state.log(format_args!("control refuse {status} for {for_ms:?} ms"));
            ok()
        }
        "stall" => {
            let for_ms = for_ms()?;
            state.faults.set_stall(for_ms);
            state.log(format_args!("control stall for {for_ms:?} ms"));
            ok()
        }
        "restart" => {
            let down = match params.get("down_ms") {
                Some(v) => Duration::from_millis(parse_num(v, "down_ms")?),
                None => DEFAULT_DOWN,
            };
            let mode = match params.get("mode").unwrap_or("close") {
                "close" => RestartMode::Close,
                "drop" => RestartMode::Drop,
                other => return Err(format!("mode must be close or drop, got {other:?}")),
            };
            Outcome::Restart(Restart { down, mode })
        }
        _ => Outcome::Reply(reply::text(
            StatusCode::NOT_FOUND,
            "unknown control endpoint\n",
        )),
    })
}
