//! Where and how to connect: the URL (a string, or a function returning one
//! or a promise of one), the token provider and how the token travels, the
//! subprotocols and the constructor.
//!
//! With a plain URL and no token the socket is created synchronously (so a
//! bad URL throws from the constructor). Otherwise the providers run first;
//! each gets a deadline, and a provider that throws, rejects, answers with a
//! non-string or misses its deadline fails the attempt — the machine backs
//! off and tries again, it is never left waiting.

use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::task::Poll;

use gloo_timers::future::TimeoutFuture;
use js_sys::{Array, Function, JsString, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Where the URL comes from.
pub enum UrlSource {
    Fixed(JsValue),
    Provider(Function),
}

/// How the token reaches the server.
pub enum Via {
    /// As a query parameter of this name.
    Query(JsValue),
    /// As the first subprotocol.
    Protocol,
    /// As the first message, built by the function (or the token itself).
    Message(Option<Function>),
}

/// The token provider and how the token travels.
pub struct Auth {
    pub provider: Function,
    pub via: Via,
}

/// Everything needed to create a socket.
pub struct Dialer {
    pub constructor: Function,
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

/// Why resolving failed (the close reason the machine reports).
pub const URL_PROVIDER_FAILED: &str = "UrlProviderFailed";
pub const TOKEN_PROVIDER_FAILED: &str = "TokenProviderFailed";

impl Dialer {
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

    /// Run the providers (`ctx` is what the token provider receives).
    pub fn resolve(&self, ctx: JsValue) -> impl Future<Output = Result<Target, &'static str>> {
        let url = match &self.url {
            UrlSource::Fixed(u) => Ok(u.clone()),
            UrlSource::Provider(f) => Err(f.clone()),
        };
        let auth = self.auth.as_ref().map(|a| {
            let via = match &a.via {
                Via::Query(p) => Via::Query(p.clone()),
                Via::Protocol => Via::Protocol,
                Via::Message(f) => Via::Message(f.clone()),
            };
            (a.provider.clone(), via)
        });
        let protocols = self.protocols.clone();
        let timeout = self.timeout_ms;
        async move {
            let url = match url {
                Ok(u) => u,
                Err(f) => call_string(&f, &JsValue::UNDEFINED, timeout)
                    .await
                    .ok_or(URL_PROVIDER_FAILED)?,
            };
            let Some((provider, via)) = auth else {
                return Ok(Target {
                    url,
                    protocols,
                    first_message: None,
                    token: None,
                });
            };
            let token = call_string(&provider, &ctx, timeout)
                .await
                .ok_or(TOKEN_PROVIDER_FAILED)?;
            let token_str = token.as_string().unwrap_or_default();
            let mut target = Target {
                url,
                protocols,
                first_message: None,
                token: Some(token_str),
            };
            match via {
                Via::Query(param) => target.url = with_query(&target.url, &param, &token),
                Via::Protocol => {
                    let list = Array::of1(&token);
                    if target.protocols.is_string() {
                        list.push(&target.protocols);
                    } else if Array::is_array(&target.protocols) {
                        list.push_array(&target.protocols.clone().unchecked_into());
                    }
                    target.protocols = list.into();
                }
                Via::Message(build) => {
                    let msg = match build {
                        Some(f) => f
                            .call1(&JsValue::UNDEFINED, &token)
                            .map_err(|_| TOKEN_PROVIDER_FAILED)?,
                        None => token,
                    };
                    target.first_message = Some(msg);
                }
            }
            Ok(target)
        }
    }
}

trait PushArray {
    fn push_array(&self, other: &Array);
}

impl PushArray for Array {
    fn push_array(&self, other: &Array) {
        for v in other.iter() {
            self.push(&v);
        }
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

/// Call `f(arg)` and wait (at most `timeout_ms`) for a string, directly or
/// through a promise. `None` on a throw, a rejection, a timeout or a
/// non-string.
async fn call_string(f: &Function, arg: &JsValue, timeout_ms: u32) -> Option<JsValue> {
    let v = f.call1(&JsValue::UNDEFINED, arg).ok()?;
    let v = if v.is_instance_of::<Promise>() {
        settle_within(v.unchecked_into(), timeout_ms).await?
    } else {
        v
    };
    v.is_string().then_some(v)
}

/// Await `p` for at most `ms`. On timeout the promise is still awaited in
/// the background (and its result dropped), so its late settling finds its
/// callbacks alive.
async fn settle_within(p: Promise, ms: u32) -> Option<JsValue> {
    let mut fut = Box::pin(JsFuture::from(p));
    let mut timer = pin!(TimeoutFuture::new(ms));
    let outcome = std::future::poll_fn(|cx| {
        if let Poll::Ready(r) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(r.ok()));
        }
        if timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Poll::Pending
    })
    .await;
    match outcome {
        Some(result) => result,
        None => {
            wasm_bindgen_futures::spawn_local(async move {
                let _ = fut.await;
            });
            None
        }
    }
}

/// A token as logs may show it: its last 7 characters.
pub fn mask(token: &str) -> String {
    let tail: Vec<char> = token.chars().rev().take(7).collect();
    let mut s = String::from("...");
    s.extend(tail.into_iter().rev());
    s
}
