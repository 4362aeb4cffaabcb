//! Query parameters, as every endpoint reads them.
//!
//! The query string is decoded as an HTML form would encode it
//! (`form_urlencoded`: `+` is a space, `%XX` escapes are decoded, malformed
//! ones kept as written, invalid UTF-8 replaced). A name may repeat; the
//! first value counts. A name without `=` has an empty value, which
//! [`flag`](crate::faults::flag) reads as true. The raw string is kept too:
//! the statistics record each handshake's query exactly as sent.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// The decoded parameters of one request, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    raw: String,
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Decodes `raw`, the query string without its `?`.
    pub fn parse(raw: &str) -> Params {
        Params {
            raw: raw.to_string(),
            pairs: form_urlencoded::parse(raw.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        }
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The query string exactly as sent (empty if none).
    pub fn raw(&self) -> &str {
        &self.raw
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Params::parse(parts.uri.query().unwrap_or("")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_a_form() {
        let p = Params::parse("client=c%201&reason=going+away&x&&y=%zz&client=second&e=%E2%9C%93");
        assert_eq!(p.get("client"), Some("c 1"), "the first value counts");
        assert_eq!(p.get("reason"), Some("going away"));
        assert_eq!(p.get("x"), Some(""));
        assert_eq!(p.get("y"), Some("%zz"), "a malformed escape is kept");
        assert_eq!(p.get("e"), Some("\u{2713}"));
        assert_eq!(p.get("nope"), None);
        assert_eq!(
            p.raw(),
            "client=c%201&reason=going+away&x&&y=%zz&client=second&e=%E2%9C%93"
        );
        assert_eq!(Params::parse("").get("a"), None);
    }
}
