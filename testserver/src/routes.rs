//! Dispatch of one accepted TCP connection.
//!
//! The request head is read and parsed here; a WebSocket upgrade on a path
//! starting with `/ws` goes to [`crate::ws`], everything else is answered as
//! plain HTTP with `Connection: close`:
//!
//! | path                      | answer                                   |
//! |---------------------------|------------------------------------------|
//! | `OPTIONS *`               | 204 CORS preflight                       |
//! | `/instance_name`          | the `--instance-name`, `text/plain`      |
//! | `/health`                 | `ok`                                     |
//! | `/stats?client=ID`        | statistics JSON                          |
//! | `/stats/reset?client=ID`  | clears statistics                        |
//! | `/control/...`            | see [`crate::control`]                   |
//! | `/ws...` without upgrade  | 426                                      |
//! | anything else (GET/HEAD)  | static files, else 404                   |
//!
//! Methods other than GET, POST, HEAD and OPTIONS get 405.

use std::sync::Arc;

use serde_json::json;
use tokio::net::TcpStream;

use crate::control::{self, Outcome};
use crate::http::{self, linger, read_head, respond_and_close, send_response, HeadError};
use crate::http::{Request, Response};
use crate::state::State;
use crate::{static_files, ws};

/// Serves one accepted connection to completion.
pub async fn handle_connection(state: Arc<State>, mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let (req, early) = match read_head(&mut stream).await {
        Ok(parsed) => parsed,
        Err(HeadError::Closed) => return,
        Err(HeadError::TooLarge) => {
            let response = Response::text(431, "request head too large\n");
            return respond_and_close(stream, &response, false).await;
        }
        Err(HeadError::Malformed) => {
            let response = Response::text(400, "malformed request\n");
            return respond_and_close(stream, &response, false).await;
        }
    };

    if req.is_websocket_upgrade() {
        if req.path.starts_with("/ws") {
            return ws::handle(state, stream, req, early).await;
        }
        let response = Response::text(404, "WebSocket endpoints live under /ws\n");
        return respond_and_close(stream, &response, false).await;
    }

    let head_only = req.method == "HEAD";
    let outcome = route(&state, &req).await;
    if send_response(&mut stream, &outcome.response, head_only)
        .await
        .is_ok()
    {
        if let Some(restart) = outcome.restart {
            let _ = state.restart_tx.send(restart);
        }
        linger(stream).await;
    }
}

async fn route(state: &State, req: &Request) -> Outcome {
    match req.method.as_str() {
        "GET" | "POST" | "HEAD" => {}
        "OPTIONS" => {
            return Response::empty(204)
                .with_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
                .with_header("Access-Control-Allow-Headers", "*")
                .with_header("Access-Control-Max-Age", "600")
                .into();
        }
        _ => {
            return Response::text(405, "method not allowed\n")
                .with_header("Allow", "GET, POST, HEAD, OPTIONS")
                .into();
        }
    }

    let path = req.path.as_str();
    let client = req.param("client");
    match path {
        "/instance_name" => Response::text(200, state.config.instance_name.as_str()).into(),
        "/health" => Response::text(200, "ok").into(),
        "/stats" => {
            let client = client.unwrap_or("anon");
            let open = state.registry.open_count(client);
            Response::json(&state.stats.get(client).to_json(client, open)).into()
        }
        "/stats/reset" => {
            state.stats.reset(client);
            Response::json(&json!({ "ok": true })).into()
        }
        _ => {
            if let Some(action) = path.strip_prefix("/control/") {
                return control::handle(state, req, action);
            }
            if path == "/ws" || path.starts_with("/ws/") {
                return Response::text(426, "this endpoint needs a WebSocket upgrade\n")
                    .with_header("Upgrade", "websocket")
                    .into();
            }
            if req.method != "POST" {
                if let Some(response) = static_files::serve(&state.config, path).await {
                    return response.into();
                }
            }
            not_found()
        }
    }
}

fn not_found() -> Outcome {
    Response::text(404, format!("{}\n", http::reason_phrase(404))).into()
}
