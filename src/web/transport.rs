//! One underlying WebSocket and the listeners that report its events.

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::dial::{Dialer, Target};
use super::js_api::{EventLike, SocketLike, CLOSED, CLOSING};
use super::listener::Listener;
use super::tap::Tap;
use crate::machine::SocketId;

/// Which event of the socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketEvent {
    Open,
    Close,
    Error,
}

/// A socket with its listeners. While live, all four events are reported
/// (`message` through the [`Tap`]'s handler, which delivers most frames
/// itself); once retired (closed by us) only `close`, for whoever awaits it
/// (its `error` is still listened to, and ignored).
pub struct Transport {
    pub id: SocketId,
    pub socket: SocketLike,
    /// The URL it was created with.
    pub url: JsValue,
    /// Sent on open, before anything else (the token, when it travels so).
    pub first_message: Option<JsValue>,
    active: Vec<Listener>,
    /// After `active`: the message listener goes before what it calls. Let
    /// go at retirement: it holds `onMessage`, which a closing socket must
    /// not keep alive.
    pub tap: Option<Tap>,
    /// Kept until the end: an `error` with no listener is an uncaught
    /// exception for some implementations (Node's `ws`).
    _error: Listener,
    _close: Listener,
}

impl Transport {
    /// Create the socket (this is where an invalid URL throws) and listen.
    pub fn open(
        dialer: &Dialer,
        target: Target,
        id: SocketId,
        tap: Tap,
        on_event: impl Fn(SocketId, SocketEvent, EventLike) + Clone + 'static,
    ) -> Result<Transport, JsValue> {
        let args = if target.protocols.is_undefined() {
            Array::of1(&target.url)
        } else {
            Array::of2(&target.url, &target.protocols)
        };
        let socket: SocketLike = Reflect::construct(&dialer.constructor(), &args)?.unchecked_into();
        socket.set_binary_type(dialer.binary_type.get());
        let listen = |kind: &'static str, which: SocketEvent| {
            let f = on_event.clone();
            Listener::new(&socket, kind, move |e| f(id, which, e))
        };
        Ok(Transport {
            id,
            active: vec![
                listen("open", SocketEvent::Open),
                Listener::function(&socket, "message", tap.handler()),
            ],
            tap: Some(tap),
            _error: listen("error", SocketEvent::Error),
            _close: listen("close", SocketEvent::Close),
            socket,
            url: target.url,
            first_message: target.first_message,
        })
    }

    /// Stop reporting anything but `close` (and `error`, ignored).
    pub fn retire(&mut self) {
        self.active.clear();
        self.tap = None;
    }

    /// Close the socket unless it is already closing.
    pub fn close(socket: &SocketLike, code: u16, reason: &str) {
        let state = socket.ready_state().as_f64();
        if state != Some(CLOSING) && state != Some(CLOSED) {
            // Closing can only throw for a bad code or reason, which the
            // callers have checked.
            let _ = socket.close(code, reason);
        }
    }
}
