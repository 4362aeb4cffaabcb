//! The HTTP surface: an axum [`Router`] and the layers around it.
//!
//! | path                      | answer                                   |
//! |---------------------------|------------------------------------------|
//! | `/ws`, `/ws/...`          | the WebSocket endpoint, [`upgrade`]      |
//! | `/instance_name`          | the `--instance-name`, `text/plain`      |
//! | `/health`                 | `ok`                                     |
//! | `/stats?client=ID`        | statistics JSON ([`stats`])              |
//! | `/stats/reset?client=ID`  | clears statistics (everyone's without ID)|
//! | `/control/ACTION`         | see [`control`]                          |
//! | `/pkg/...`, anything else | static files ([`static_files`]), else 404|
//!
//! The endpoints answer GET and POST (HEAD too, without the body); other
//! methods get 405. Every response, the `101` and static files included,
//! carries `Access-Control-Allow-Origin: *` and `Cache-Control: no-store`;
//! every `OPTIONS` request is a CORS preflight answered by tower-http's
//! [`CorsLayer`] (any origin and header, GET/POST/OPTIONS, cached 600 s).
//! Plain HTTP responses also carry `Connection: close`: each request has a
//! connection of its own (as before the move to hyper), so that a restart
//! leaves no idle keep-alive connection behind that would still answer
//! while the server is "down", and so that a control request's response is
//! out once its connection has closed ([`restart`]).
//!
//! [`upgrade`]: crate::upgrade
//! [`stats`]: crate::stats
//! [`control`]: crate::control
//! [`static_files`]: crate::static_files
//! [`restart`]: crate::restart

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State as Shared;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::routing::{any, get};
use axum::Router;
use serde_json::json;
use tower_http::cors::{self, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::params::Params;
use crate::state::State;
use crate::{control, reply, static_files, upgrade};

/// How long a browser may cache a preflight's answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// The whole application, ready to serve connections.
pub fn app(state: Arc<State>) -> Router {
    let mut router = Router::new()
        .route("/ws", any(upgrade::handle))
        .route("/ws/", any(upgrade::handle))
        .route("/ws/{*rest}", any(upgrade::handle))
        .route("/instance_name", get(instance_name).post(instance_name))
        .route("/health", get(health).post(health))
        .route("/stats", get(stats).post(stats))
        .route("/stats/reset", get(stats_reset).post(stats_reset))
        .route(
            "/control/{action}",
            get(control::handle).post(control::handle),
        );
    if let Some(pkg) = &state.config.pkg {
        router = router.nest_service("/pkg", static_files::dir(pkg));
    }
    router = match &state.config.www {
        Some(www) => router.fallback_service(static_files::dir(www)),
        None => router.fallback(not_found),
    };
    let cors = CorsLayer::new()
        .allow_origin(cors::Any)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers(cors::Any)
        .max_age(PREFLIGHT_MAX_AGE);
    // The last layer is the outermost: the preflights CorsLayer answers
    // itself get the two headers too.
    router
        .with_state(state)
        .layer(cors)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        // The 101 keeps its `Connection: upgrade`.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONNECTION,
            HeaderValue::from_static("close"),
        ))
}

async fn instance_name(Shared(state): Shared<Arc<State>>) -> String {
    state.config.instance_name.clone()
}

async fn health() -> &'static str {
    "ok"
}

async fn stats(Shared(state): Shared<Arc<State>>, params: Params) -> Response {
    let client = params.get("client").unwrap_or("anon");
    let open = state.registry.open_count(client);
    reply::json(&state.stats.get(client).to_json(client, open))
}

async fn stats_reset(Shared(state): Shared<Arc<State>>, params: Params) -> Response {
    state.stats.reset(params.get("client"));
    reply::json(&json!({ "ok": true }))
}

async fn not_found() -> Response {
    reply::text(StatusCode::NOT_FOUND, "Not Found\n")
}
