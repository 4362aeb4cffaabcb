//! Dialing through providers: the URL function, then the token provider,
//! each awaited with a deadline (`gate.js`'s `settle`) and settled into
//! callbacks owned by the socket. Each result carries the socket id it was
//! for, and one for a socket the machine no longer wants is dropped:
//! identity, not luck. Once the socket is freed, its gate is closed: a
//! provider that settles later reaches nothing.

use std::rc::Weak;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::anchor::Slot;
use super::clock::now;
use super::dial::{UrlSource, TOKEN_PROVIDER_FAILED, URL_PROVIDER_FAILED};
use super::gate::settle;
use super::inner::Inner;
use super::read::join;
use crate::machine::{SocketId, State};

/// The reason reported when the WebSocket constructor itself threw.
pub const CONSTRUCTOR_FAILED: &str = "ConstructorFailed";

type Settled = Closure<dyn FnMut(JsValue, JsValue, JsValue)>;
type Failed = Closure<dyn FnMut(JsValue, JsValue)>;

/// The callbacks the providers' answers settle into.
pub struct DialCallbacks {
    /// `(id, url, _)`: the URL provider answered.
    url: Settled,
    /// `(id, token, url)`: the token provider answered.
    token: Settled,
    /// `(id, error)`: the URL provider failed.
    url_failed: Failed,
    /// `(id, error)`: the token provider failed.
    token_failed: Failed,
}

fn with_inner(me: &Weak<Inner>, f: impl FnOnce(&Inner)) {
    if let Some(inner) = me.upgrade() {
        f(&inner);
    }
}

fn id_of(v: &JsValue) -> SocketId {
    SocketId(v.as_f64().unwrap_or(-1.0) as u64)
}

impl DialCallbacks {
    pub fn new(me: &Weak<Inner>) -> DialCallbacks {
        let (m1, m2, m3, m4) = (me.clone(), me.clone(), me.clone(), me.clone());
        DialCallbacks {
            url: Closure::new(move |id: JsValue, url: JsValue, _: JsValue| {
                with_inner(&m1, |i| i.url_resolved(id_of(&id), url))
            }),
            token: Closure::new(move |id: JsValue, token: JsValue, url: JsValue| {
                with_inner(&m2, |i| i.token_resolved(id_of(&id), url, token))
            }),
            url_failed: Closure::new(move |id: JsValue, e: JsValue| {
                with_inner(&m3, |i| {
                    i.provider_failed(id_of(&id), URL_PROVIDER_FAILED, e)
                })
            }),
            token_failed: Closure::new(move |id: JsValue, e: JsValue| {
                with_inner(&m4, |i| {
                    i.provider_failed(id_of(&id), TOKEN_PROVIDER_FAILED, e)
                })
            }),
        }
    }
}

/// Which provider an answer comes from.
#[derive(Clone, Copy)]
enum Provider {
    Url,
    Token,
}

impl Inner {
    /// Create socket `id`: at once, or after the URL and token providers.
    pub fn connect(&self, id: SocketId) {
        if let Some(target) = self.dialer.fixed_target() {
            if let Err(e) = self.open_socket(id, target) {
                self.dial_failed(id, CONSTRUCTOR_FAILED, &e);
            }
            return;
        }
        match &self.dialer.url {
            UrlSource::Fixed(url) => self.url_resolved(id, url.clone()),
            UrlSource::Provider => {
                let provider = self.anchor.get(Slot::UrlProvider);
                match provider
                    .unchecked_ref::<js_sys::Function>()
                    .call0(&JsValue::UNDEFINED)
                {
                    Err(e) => self.dial_failed(id, URL_PROVIDER_FAILED, &e),
                    Ok(v) => self.await_answer(Provider::Url, id, &v, &JsValue::UNDEFINED),
                }
            }
        }
    }

    /// `value` (a promise or not), within the dial deadline, into the
    /// callbacks for `provider`, with `extra` passed along.
    fn await_answer(&self, provider: Provider, id: SocketId, value: &JsValue, extra: &JsValue) {
        // Cloned out: no borrow is held while JavaScript runs (a thenable's
        // `then` is the application's code).
        let fns = self
            .dial_callbacks
            .borrow()
            .as_ref()
            .map(|c| match provider {
                Provider::Url => (c.url.as_ref().clone(), c.url_failed.as_ref().clone()),
                Provider::Token => (c.token.as_ref().clone(), c.token_failed.as_ref().clone()),
            });
        let Some((ok, failed)) = fns else { return };
        let what = match provider {
            Provider::Url => "the URL function",
            Provider::Token => "auth.token",
        };
        let ms = self.dialer.timeout_ms;
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
            value,
            ms,
            &timeout,
            id.0 as f64,
            extra,
            &ok,
            &failed,
        );
    }

    /// Whether the machine still waits for socket `id` to be created.
    fn still_wanted(&self, id: SocketId) -> bool {
        let creating = matches!(
            self.machine.borrow().state(),
            State::Connecting { socket, .. } if socket == id
        );
        creating && !self.live.borrow().as_ref().is_some_and(|t| t.id == id)
    }

    fn url_resolved(&self, id: SocketId, url: JsValue) {
        if !self.still_wanted(id) {
            return;
        }
        if !url.is_string() {
            return self.provider_failed(id, URL_PROVIDER_FAILED, url);
        }
        if self.dialer.auth.is_none() {
            return self.open_target(id, url, None);
        }
        let provider = self.anchor.get(Slot::TokenProvider);
        let answer = provider
            .unchecked_ref::<js_sys::Function>()
            .call1(&JsValue::UNDEFINED, &self.dial_context());
        match answer {
            Err(e) => self.provider_failed(id, TOKEN_PROVIDER_FAILED, e),
            Ok(v) => self.await_answer(Provider::Token, id, &v, &url),
        }
    }

    fn token_resolved(&self, id: SocketId, url: JsValue, token: JsValue) {
        if !self.still_wanted(id) {
            return;
        }
        if !token.is_string() {
            return self.provider_failed(id, TOKEN_PROVIDER_FAILED, token);
        }
        self.open_target(id, url, Some(token));
    }

    fn open_target(&self, id: SocketId, url: JsValue, token: Option<JsValue>) {
        match self.dialer.target(url, token) {
            Ok(target) => {
                if let Err(e) = self.open_socket(id, target) {
                    self.dial_failed(id, CONSTRUCTOR_FAILED, &e);
                }
            }
            Err(reason) => self.dial_failed(id, reason, &JsValue::UNDEFINED),
        }
        self.pump();
    }

    fn provider_failed(&self, id: SocketId, reason: &'static str, error: JsValue) {
        if self.still_wanted(id) {
            self.dial_failed(id, reason, &error);
            self.pump();
        }
    }

    pub fn dial_failed(&self, id: SocketId, reason: &'static str, error: &JsValue) {
        self.logger.log(&[
            &"WebSocket could not be created:".into(),
            &reason.into(),
            error,
        ]);
        self.input().on_dial_failed(now(), id, reason);
    }

    /// The token provider's argument.
    fn dial_context(&self) -> JsValue {
        let o = Object::new();
        let retries = self.machine.borrow().connection_state().connection_retries;
        let (code, reason) = self.last_close.borrow().clone();
        let _ = Reflect::set(&o, &"attempt".into(), &(retries as f64).into());
        let _ = Reflect::set(&o, &"lastCloseCode".into(), &code);
        let _ = Reflect::set(&o, &"lastCloseReason".into(), &reason);
        o.into()
    }
}
