//! Static files for the demo page, the package tests and the benchmarks,
//! served by tower-http's [`ServeDir`].
//!
//! `--www DIR` serves `GET /` as `DIR/index.html` and `GET /x/y` as
//! `DIR/x/y`; `--pkg DIR` serves `GET /pkg/...` from DIR (the package). A
//! directory is served as its `index.html` (asked for without the trailing
//! slash, it is a redirect to it). `ServeDir` decodes the path and refuses
//! anything that would leave DIR (`..`, absolute or Windows paths): 404.
//! Only GET and HEAD are served.
//!
//! Content types come from the file's extension (`mime_guess`), with two
//! corrections for the files served here: `.ts` is a TypeScript
//! declaration, not an MPEG transport stream, so `text/plain`; `.mjs` is
//! `text/javascript`, like `.js`.
//!
//! A page asked for with `isolated=1` in its query is served
//! cross-origin isolated (`Cross-Origin-Opener-Policy: same-origin`,
//! `Cross-Origin-Embedder-Policy: require-corp`): the browser then has
//! `SharedArrayBuffer`, which the fuzzer sends (everything such a page
//! loads is served from here, the same origin).

use std::path::Path;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_http::services::ServeDir;

/// The files under `root`.
pub fn dir(root: &Path) -> Router {
    Router::new()
        .fallback_service(ServeDir::new(root))
        .layer(middleware::from_fn(correct_type))
}

async fn correct_type(req: Request, next: Next) -> Response {
    let corrected = corrected_type(req.uri().path());
    let isolated = asks_isolation(req.uri().query());
    let mut response = next.run(req).await;
    if isolated {
        let headers = response.headers_mut();
        headers.insert(
            "cross-origin-opener-policy",
            HeaderValue::from_static("same-origin"),
        );
        headers.insert(
            "cross-origin-embedder-policy",
            HeaderValue::from_static("require-corp"),
        );
    }
    if let Some(content_type) = corrected {
        if response.headers().contains_key(header::CONTENT_TYPE) {
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
    }
    response
}

/// Whether the query has `isolated=1`.
fn asks_isolation(query: Option<&str>) -> bool {
    query.is_some_and(|q| q.split('&').any(|pair| pair == "isolated=1"))
}

/// The content type of `path` where `mime_guess` gets it wrong for us.
fn corrected_type(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.')?.1;
    if ext.eq_ignore_ascii_case("ts") {
        Some("text/plain; charset=utf-8")
    } else if ext.eq_ignore_ascii_case("mjs") {
        Some("text/javascript; charset=utf-8")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrections() {
        assert_eq!(
            corrected_type("/pkg/index.d.ts"),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(
            corrected_type("/a.MJS"),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(corrected_type("/a.js"), None);
        assert_eq!(corrected_type("/x_bg.wasm"), None);
        assert_eq!(corrected_type("/README"), None);
    }

    #[test]
    fn isolation_is_asked_for_by_the_query() {
        assert!(asks_isolation(Some("isolated=1")));
        assert!(asks_isolation(Some("cases=&seed=&isolated=1")));
        assert!(!asks_isolation(None));
        assert!(!asks_isolation(Some("isolated=0")));
        assert!(!asks_isolation(Some("notisolated=1")));
        assert!(!asks_isolation(Some("isolated=10")));
    }
}
