//! Dialing through the providers, as a component: the URL function, then the
//! token provider, each called and awaited with a deadline (`gate.js`'s
//! `settle`). It decides nothing: each step's outcome — a URL, a token, a
//! failure — goes, with the socket id it was for, to whoever made it (the
//! socket, which checks that the machine still wants that socket and takes
//! the next step): returned when it is known at once, else reported later
//! through the callback it was given. Dropped, it closes its gate: a
//! provider that settles after the socket was freed reaches nothing.

use js_sys::{Array, Function};
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

/// The steps `settle` reports, as `report(step, [id, value, extra])`.
const URL: u32 = 0;
const URL_FAILED: u32 = 1;
const TOKEN: u32 = 2;

/// The callback the providers' answers settle into: `(step, [id, value,
/// extra])` (the message tap's signature); [`outcome`] reads them.
pub type Settled = Closure<dyn FnMut(u32, JsValue) -> bool>;

/// The gate and the callback of the providers' answers.
pub struct Dialing {
    settled: Settled,
    gate: Gate,
}

fn id_of(v: &JsValue) -> SocketId {
    SocketId(v.as_f64().unwrap_or(-1.0) as u64)
}

/// What `settle` reported, as an outcome.
pub fn outcome(step: u32, payload: &Array) -> Outcome {
    let socket = id_of(&payload.get(0));
    let (value, extra) = (payload.get(1), payload.get(2));
    match step {
        URL => Outcome::Url {
            socket,
            url: value,
            context: extra,
        },
        TOKEN => Outcome::Token {
            socket,
            url: extra,
            token: value,
        },
        _ => Outcome::Failed {
            socket,
            why: if step == URL_FAILED {
                DialFailure::UrlProvider
            } else {
                DialFailure::TokenProvider
            },
            error: value,
        },
    }
}

impl Dialing {
    /// A dialing component whose providers' answers settle into `settled`.
    pub fn new(settled: Settled) -> Dialing {
        Dialing {
            settled,
            gate: Gate::new(),
        }
    }

    /// Find the URL for `socket`: the fixed one (returned), or the URL
    /// function's answer (returned if it threw, else reported later).
    pub fn resolve_url(
        &self,
        dialer: &Dialer,
        socket: SocketId,
        context: JsValue,
    ) -> Option<Outcome> {
        let provider = match &dialer.url {
            UrlSource::Fixed(url) => {
                return Some(Outcome::Url {
                    socket,
                    url: url.clone(),
                    context,
                })
            }
            UrlSource::Provider => dialer.anchor.get(Slot::UrlProvider),
        };
        self.ask(
            dialer,
            socket,
            &provider,
            &JsValue::UNDEFINED,
            &context,
            URL,
        )
    }

    /// Ask the token provider, with `context`, for `socket`'s token
    /// (returned if it threw, else reported later).
    pub fn resolve_token(
        &self,
        dialer: &Dialer,
        socket: SocketId,
        url: JsValue,
        context: &JsValue,
    ) -> Option<Outcome> {
        let provider = dialer.anchor.get(Slot::TokenProvider);
        self.ask(dialer, socket, &provider, context, &url, TOKEN)
    }

    /// Call `provider(arg)` and await its answer for `step`.
    fn ask(
        &self,
        dialer: &Dialer,
        socket: SocketId,
        provider: &JsValue,
        arg: &JsValue,
        extra: &JsValue,
        step: u32,
    ) -> Option<Outcome> {
        match provider
            .unchecked_ref::<Function>()
            .call1(&JsValue::UNDEFINED, arg)
        {
            Ok(answer) => {
                self.await_answer(dialer, socket, &answer, extra, step);
                None
            }
            Err(error) => Some(Outcome::Failed {
                socket,
                why: if step == URL {
                    DialFailure::UrlProvider
                } else {
                    DialFailure::TokenProvider
                },
                error,
            }),
        }
    }

    /// `answer` (a promise or not), within the dial deadline, into the
    /// callback for `step`, with `extra` passed along.
    fn await_answer(
        &self,
        dialer: &Dialer,
        socket: SocketId,
        answer: &JsValue,
        extra: &JsValue,
        step: u32,
    ) {
        let what = if step == URL {
            "the URL function"
        } else {
            "auth.token"
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
            step,
            socket.0 as f64,
            extra,
            self.settled.as_ref(),
        );
    }
}
