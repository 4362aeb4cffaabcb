//! Dialing through providers: the URL function, then the token provider,
//! each awaited (with a deadline) through `Promise.then` on three long-lived
//! callbacks owned by the socket. Each result carries the socket id it was
//! for (bound into the callback), and one for a socket the machine no
//! longer wants is dropped: identity, not luck.

use std::rc::Weak;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::clock::now;
use super::dial::{within, UrlSource, TOKEN_PROVIDER_FAILED, URL_PROVIDER_FAILED};
use super::inner::Inner;
use crate::machine::{SocketId, State};

/// The reason reported when the WebSocket constructor itself threw.
pub const CONSTRUCTOR_FAILED: &str = "ConstructorFailed";

type Callback2 = Closure<dyn FnMut(JsValue, JsValue)>;
type Callback3 = Closure<dyn FnMut(JsValue, JsValue, JsValue)>;

/// The callbacks the providers' promises settle into.
pub struct DialCallbacks {
    /// `(id, url)`: the URL provider answered.
    url: Callback2,
    /// `(id, url, token)`: the token provider answered.
    token: Callback3,
    /// `(id, error)`: the URL provider failed.
    url_failed: Callback2,
    /// `(id, error)`: the token provider failed.
    token_failed: Callback2,
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
            url: Closure::new(move |id: JsValue, url: JsValue| {
                with_inner(&m1, |i| i.url_resolved(id_of(&id), url))
            }),
            token: Closure::new(move |id: JsValue, url: JsValue, token: JsValue| {
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

/// `obj[method](...args)`, through Reflect (the untyped call).
fn invoke(obj: &JsValue, method: &str, args: &[&JsValue]) -> JsValue {
    let Ok(f) = Reflect::get(obj, &method.into()) else {
        return JsValue::UNDEFINED;
    };
    let list: Array = args.iter().copied().collect();
    f.unchecked_ref::<Function>()
        .apply(obj, &list)
        .unwrap_or(JsValue::UNDEFINED)
}

/// `callback.bind(null, ...args)`.
fn bound(callback: &JsValue, args: &[&JsValue]) -> JsValue {
    let null = JsValue::NULL;
    let mut all = vec![&null];
    all.extend_from_slice(args);
    invoke(callback, "bind", &all)
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
            UrlSource::Provider(f) => match f.call0(&JsValue::UNDEFINED) {
                Err(e) => self.dial_failed(id, URL_PROVIDER_FAILED, &e),
                Ok(v) => self.await_value(&v, |c| {
                    let idv = JsValue::from(id.0 as f64);
                    (
                        bound(c.url.as_ref(), &[&idv]),
                        bound(c.url_failed.as_ref(), &[&idv]),
                    )
                }),
            },
        }
    }

    /// `value` (a promise or not), within the dial deadline, into the
    /// callbacks `pick` chooses.
    fn await_value(&self, value: &JsValue, pick: impl Fn(&DialCallbacks) -> (JsValue, JsValue)) {
        let (ok, failed) = match self.dial_callbacks.borrow().as_ref() {
            Some(c) => pick(c),
            None => return,
        };
        let promise = within(value, self.dialer.timeout_ms);
        invoke(&promise, "then", &[&ok, &failed]);
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
        let Some(auth) = &self.dialer.auth else {
            return self.open_target(id, url, None);
        };
        let provider = auth.provider.clone();
        match provider.call1(&JsValue::UNDEFINED, &self.dial_context()) {
            Err(e) => self.provider_failed(id, TOKEN_PROVIDER_FAILED, e),
            Ok(v) => self.await_value(&v, |c| {
                let idv = JsValue::from(id.0 as f64);
                (
                    bound(c.token.as_ref(), &[&idv, &url]),
                    bound(c.token_failed.as_ref(), &[&idv]),
                )
            }),
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
