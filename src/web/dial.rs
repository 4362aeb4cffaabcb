//! Where and how to connect: the URL (a string, or a function returning one
//! or a promise of one), the token provider and how the token travels, the
//! subprotocols and the constructor.
//!
//! With a plain URL and no token the socket is created synchronously (so a
//! bad URL throws from the constructor). Otherwise the providers run first
//! (see `dialing`); each gets a deadline, and a provider that throws,
//! rejects, answers with a non-string or misses its deadline fails the
//! attempt — the machine backs off and tries again, it is never left
//! waiting.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Function, JsString};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::anchor::{Anchor, Slot};
use crate::machine::DialFailure;

/// Where the URL comes from.
pub enum UrlSource {
    Fixed(JsValue),
    /// The function in [`Slot::UrlProvider`].
    Provider,
}

/// How the token reaches the server.
pub enum Via {
    /// As a query parameter of this name.
    Query(JsValue),
    /// As the first subprotocol.
    Protocol,
    /// As the first message, built by [`Slot::MessageBuilder`] if `true`
    /// (else the token itself).
    Message(bool),
}

/// How the token travels (the provider is in [`Slot::TokenProvider`]).
pub struct Auth {
    pub via: Via,
}

/// Everything needed to create a socket. The application's functions (the
/// constructor, the providers) are in the anchor.
pub struct Dialer {
    pub anchor: Rc<Anchor>,
    pub url: UrlSource,
    pub protocols: JsValue,
    pub binary_type: Cell<&'static str>,
    pub auth: Option<Auth>,
    pub timeout_ms: u32,
}

/// A resolved connection target.
pub struct Target {
    pub url: JsValue,
    pub protocols: JsValue,
    /// Sent on open, before `onOpen` and anything queued.
    pub first_message: Option<JsValue>,
    /// The token, for masking it in logs.
    pub token: Option<String>,
}

impl Dialer {
    /// The WebSocket constructor.
    pub fn constructor(&self) -> Function {
        self.anchor.get(Slot::Constructor).unchecked_into()
    }

    /// The target right now, if no provider has to run.
    pub fn fixed_target(&self) -> Option<Target> {
        match (&self.url, &self.auth) {
            (UrlSource::Fixed(url), None) => Some(Target {
                url: url.clone(),
                protocols: self.protocols.clone(),
                first_message: None,
                token: None,
            }),
            _ => None,
        }
    }

    /// The target for a resolved URL and token, the token placed as
    /// configured.
    pub fn target(&self, url: JsValue, token: Option<JsValue>) -> Result<Target, DialFailure> {
        let mut target = Target {
            url,
            protocols: self.protocols.clone(),
            first_message: None,
            token: token.as_ref().and_then(JsValue::as_string),
        };
        let (Some(auth), Some(token)) = (&self.auth, token) else {
            return Ok(target);
        };
        match &auth.via {
            Via::Query(param) => target.url = with_query(&target.url, param, &token),
            Via::Protocol => {
                let list = Array::of1(&token);
                if target.protocols.is_string() {
                    list.push(&target.protocols);
                } else if Array::is_array(&target.protocols) {
                    for p in Array::from(&target.protocols).iter() {
                        list.push(&p);
                    }
                }
                target.protocols = list.into();
            }
            Via::Message(build) => {
                let msg = if *build {
                    self.anchor
                        .get(Slot::MessageBuilder)
                        .unchecked_into::<Function>()
                        .call1(&JsValue::UNDEFINED, &token)
                        .map_err(|_| DialFailure::TokenProvider)?
                } else {
                    token
                };
                target.first_message = Some(msg);
            }
        }
        Ok(target)
    }
}

/// `url` with `param=value` appended to its query.
fn with_query(url: &JsValue, param: &JsValue, value: &JsValue) -> JsValue {
    let url: JsString = url.clone().unchecked_into();
    let sep = if url.includes("?", 0) { "&" } else { "?" };
    let enc = |v: &JsValue| js_sys::encode_uri_component(&v.as_string().unwrap_or_default());
    url.concat(&sep.into())
        .concat(&enc(param).into())
        .concat(&"=".into())
        .concat(&enc(value).into())
        .into()
}

/// A token as logs may show it: its last 7 characters.
pub fn mask(token: &str) -> String {
    let tail: Vec<char> = token.chars().rev().take(7).collect();
    let mut s = String::from("...");
    s.extend(tail.into_iter().rev());
    s
}
