//! The live control endpoints under `/control/`.
//!
//! Orders for open connections (`close`, `drop`, `silent`, `send`) go to
//! every connection whose `client` matches the `client` parameter, or to all
//! connections when it is absent, and report how many received them as
//! `{"affected": N}`. The global windows (`refuse`, `stall`) and `restart`
//! answer `{"ok": true}`; a restart is carried out by the accept loop after
//! this response has been sent.

use std::time::Duration;

use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::faults::{flag, parse_num, parse_status};
use crate::http::{Request, Response};
use crate::registry::Command;
use crate::state::{Restart, RestartMode, State};

/// Default `down_ms` of `/control/restart`.
const DEFAULT_DOWN: Duration = Duration::from_millis(500);

/// The result of a control request.
pub struct Outcome {
    pub response: Response,
    /// A restart to start once the response is out.
    pub restart: Option<Restart>,
}

impl From<Response> for Outcome {
    fn from(response: Response) -> Self {
        Outcome {
            response,
            restart: None,
        }
    }
}

/// Handles `/control/<action>`.
pub fn handle(state: &State, req: &Request, action: &str) -> Outcome {
    match run(state, req, action) {
        Ok(outcome) => outcome,
        Err(message) => Response::text(400, message).into(),
    }
}

fn run(state: &State, req: &Request, action: &str) -> Result<Outcome, String> {
    let client = req.param("client");
    let order = |cmd: Command| -> Outcome {
        let affected = state.registry.broadcast(client, &cmd);
        state.log(format_args!(
            "control {action} client={} -> {affected} connection(s)",
            client.unwrap_or("*")
        ));
        Response::json(&json!({ "affected": affected })).into()
    };
    let ok = || -> Outcome { Response::json(&json!({ "ok": true })).into() };
    let for_ms = || -> Result<Option<u64>, String> {
        req.param("for_ms")
            .map(|v| parse_num(v, "for_ms"))
            .transpose()
    };

    Ok(match action {
        "close" => order(Command::Close {
            code: parse_num(req.param("code").unwrap_or("1000"), "code")?,
            reason: req.param("reason").unwrap_or("").to_string(),
        }),
        "drop" => order(Command::Drop),
        "silent" => order(Command::Silent(flag(req.param("on").unwrap_or("1")))),
        "send" => {
            let message = match (req.param("text"), req.param("binary")) {
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
            let status = parse_status(req.param("status").unwrap_or("503"))?;
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
            let down = match req.param("down_ms") {
                Some(v) => Duration::from_millis(parse_num(v, "down_ms")?),
                None => DEFAULT_DOWN,
            };
            let mode = match req.param("mode").unwrap_or("close") {
                "close" => RestartMode::Close,
                "drop" => RestartMode::Drop,
                other => return Err(format!("mode must be close or drop, got {other:?}")),
            };
            let mut outcome = ok();
            outcome.restart = Some(Restart { down, mode });
            outcome
        }
        _ => Response::text(404, "unknown control endpoint\n").into(),
    })
}
