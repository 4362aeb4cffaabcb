//! The small responses the endpoints build: text and JSON.
//!
//! Headers every response carries (CORS, `Cache-Control: no-store`,
//! `Connection: close`) are added by the layers in [`routes`](crate::routes),
//! not here.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// A `text/plain; charset=utf-8` response.
pub fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (status, body.into()).into_response()
}

/// A 200 `application/json` response.
pub fn json(value: &Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

/// A status that `refuse=` and `/control/refuse` accept (200..=599) as a
/// [`StatusCode`].
pub fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE)
}
