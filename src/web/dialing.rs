//! Dialing through the providers, as a component: the URL function, then the
//! token provider, each called and awaited with a deadline (`gate.js`'s
//! `settle`). It decides nothing: each step's outcome — a URL, a token, a
//! failure — is reported, with the socket id it was for, to whoever made it
//! (the socket, which checks that the machine still wants that socket and
//! takes the next step). Dropped, it closes its gate: a provider that
//! settles after the socket was freed reaches nothing.

use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::anchor::Slot;
use super::dial::{Dialer, UrlSource};
use super::gate::{settle, Gate};
use super::read::join;
use crate::machine::{DialFailure, SocketId};

/// What one step of dialing came to.
pub enum Outcome {
    /// The URL is known; `context` is the token provider's argument.
    Url {
        socket: SocketId,
        url: JsValue,
        context: JsValue,
    },
    /// The token is known.
    Token {
        socket: SocketId,
        url: JsValue,
        token: JsValue,
    },
    /// A provider threw, rejected or missed its deadline.
    Failed {
        socket: SocketId,
        why: DialFailure,
        error: JsValue,
    },
}

type Settled = Closure<dyn FnMut(JsValue, JsValue, JsValue)>;
type Failed = Closure<dyn FnMut(JsValue, JsValue)>;

/// The providers' callbacks, and where their outcomes go.
pub struct Dialing {
    report: Rc<dyn Fn(Outcome)>,
    /// `(id, url, context)`: the URL provider answered.
    url: Settled,
    /// `(id, token, url)`: the token provider answered.
    token: Settled,
    /// `(id, error)`: the URL provider failed.
    url_failed: Failed,
    /// `(id, error)`: the token provider failed.
    token_failed: Failed,
    gate: Gate,
}

fn id_of(v: &JsValue) -> SocketId {
    SocketId(v.as_f64().unwrap_or(-1.0) as u64)
}

fn failed(report: &Rc<dyn Fn(Outcome)>, why: DialFailure) -> Failed {
    let r = report.clone();
    Closure::new(move |id: JsValue, error: JsValue| {
        r(Outcome::Failed {
            socket: id_of(&id),
            why,
            error,
        })
    })
}

impl Dialing {
    /// A dialing component reporting to `report`.
    pub fn new(report: impl Fn(Outcome) + 'static) -> Dialing {
        let report: Rc<dyn Fn(Outcome)> = Rc::new(report);
        let (r1, r2) = (report.clone(), report.clone());
        Dialing {
            url: Closure::new(move |id: JsValue, url: JsValue, context: JsValue| {
                r1(Outcome::Url {
                    socket: id_of(&id),
                    url,
                    context,
                })
            }),
            token: Closure::new(move |id: JsValue, token: JsValue, url: JsValue| {
                r2(Outcome::Token {
                    socket: id_of(&id),
                    url,
                    token,
                })
            }),
            url_failed: failed(&report, DialFailure::UrlProvider),
            token_failed: failed(&report, DialFailure::TokenProvider),
            gate: Gate::new(),
            report,
        }
    }

    /// Find the URL for `socket`: the fixed one (reported before this
    /// returns), or the URL function's answer (maybe later).
    pub fn resolve_url(&self, dialer: &Dialer, socket: SocketId, context: JsValue) {
        let provider = match &dialer.url {
            UrlSource::Fixed(url) => {
                let url = url.clone();
                return (self.report)(Outcome::Url {
                    socket,
                    url,
                    context,
                });
            }
            UrlSource::Provider => dialer.anchor.get(Slot::UrlProvider),
        };
        match provider
            .unchecked_ref::<Function>()
            .call0(&JsValue::UNDEFINED)
        {
            Ok(answer) => {
                self.await_answer(dialer, socket, &answer, &context, DialFailure::UrlProvider)
            }
            Err(error) => (self.report)(Outcome::Failed {
                socket,
                why: DialFailure::UrlProvider,
                error,
            }),
        }
    }

    /// Ask the token provider, with `context`, for `socket`'s token.
    pub fn resolve_token(
        &self,
        dialer: &Dialer,
        socket: SocketId,
        url: JsValue,
        context: &JsValue,
    ) {
        let provider = dialer.anchor.get(Slot::TokenProvider);
        match provider
            .unchecked_ref::<Function>()
            .call1(&JsValue::UNDEFINED, context)
        {
            Ok(answer) => {
                self.await_answer(dialer, socket, &answer, &url, DialFailure::TokenProvider)
            }
            Err(error) => (self.report)(Outcome::Failed {
                socket,
                why: DialFailure::TokenProvider,
                error,
            }),
        }
    }

    /// `answer` (a promise or not), within the dial deadline, into the
    /// callbacks of `which` provider, with `extra` passed along.
    fn await_answer(
        &self,
        dialer: &Dialer,
        socket: SocketId,
        answer: &JsValue,
        extra: &JsValue,
        which: DialFailure,
    ) {
        let (ok, failed, what) = match which {
            DialFailure::TokenProvider => (&self.token, &self.token_failed, "auth.token"),
            _ => (&self.url, &self.url_failed, "the URL function"),
        };
        let ms = dialer.timeout_ms;
        let message = join(&[
            &"steadysocket: ".into(),
            &what.into(),
            &" timed out: no answer within ".into(),
            &JsValue::from(ms),
            &" ms (dialTimeoutMs)".into(),
        ]);
        let timeout = js_sys::Error::new(&message.as_string().unwrap_or_default());
        settle(
            self.gate.js(),
            answer,
            ms,
            &timeout,
            socket.0 as f64,
            extra,
            ok.as_ref(),
            failed.as_ref(),
        );
    }
}
