//! One underlying WebSocket and the listeners that report its events.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, WebSocket};

use super::fast::{close_listener, construct, ready_state, set_binary_type};
use super::listener::Listener;
use super::tap::Tap;
use crate::machine::SocketId;

/// Where and how to connect, as the door's dial answered.
pub struct Target {
    pub url: JsValue,
    /// `undefined`, a string or a list.
    pub protocols: JsValue,
    /// Sent on open, before `onOpen` and anything queued (the token, when
    /// it travels so).
    pub first_message: JsValue,
}

/// The `close` event's code, reason and whether it was clean.
type Closed = Closure<dyn FnMut(u16, String, bool)>;

/// Which event of the socket (its `close` is reported on its own).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketEvent {
    Open,
    Error,
}

/// A socket with its listeners. While live, all four events are reported
/// (`message` through the [`Tap`]'s handler, which delivers most frames
/// itself); once retired (closed by us) only `close`, for whoever awaits it
/// (its `error` is still listened to, and ignored).
pub struct Transport {
    pub id: SocketId,
    pub socket: WebSocket,
    /// The URL it was created with.
    pub url: JsValue,
    /// Sent on open, before anything else (the token, when it travels so).
    pub first_message: JsValue,
    active: Vec<Listener>,
    /// After `active`: the message listener goes before what it calls. Let
    /// go at retirement: it holds `onMessage`, which a closing socket must
    /// not keep alive.
    pub tap: Option<Tap>,
    /// Kept until the end: an `error` with no listener is an uncaught
    /// exception for some implementations (Node's `ws`).
    _error: Listener,
    _close: Listener,
    _closed: Closed,
}

impl Transport {
    /// Create the socket with `constructor` (this is where an invalid URL
    /// throws) and listen.
    pub fn open(
        constructor: &JsValue,
        target: Target,
        blob: bool,
        id: SocketId,
        tap: Tap,
        on_event: impl Fn(SocketId, SocketEvent, Event) + Clone + 'static,
        on_close: impl Fn(SocketId, u16, String, bool) + 'static,
    ) -> Result<Transport, JsValue> {
        let args = if target.protocols.is_undefined() {
            Array::of1(&target.url)
        } else {
            Array::of2(&target.url, &target.protocols)
        };
        // Whatever the constructor made is used through web-sys's structural
        // bindings: Node's `ws` and test doubles work as the browser's does.
        construct(constructor, &args)?;
        let socket: WebSocket = args.get(0).unchecked_into();
        set_binary_type(&socket, blob);
        let listen = |kind: &'static str, which: SocketEvent| {
            let f = on_event.clone();
            Listener::new(&socket, kind, move |e| f(id, which, e))
        };
        let closed: Closed =
            Closure::new(move |code, reason, clean| on_close(id, code, reason, clean));
        Ok(Transport {
            id,
            active: vec![
                listen("open", SocketEvent::Open),
                Listener::function(&socket, "message", tap.handler()),
            ],
            tap: Some(tap),
            _error: listen("error", SocketEvent::Error),
            _close: Listener::function(&socket, "close", &close_listener(closed.as_ref())),
            _closed: closed,
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
    pub fn close(socket: &WebSocket, code: u16, reason: &str) {
        let state = ready_state(socket);
        if state != u32::from(WebSocket::CLOSING) && state != u32::from(WebSocket::CLOSED) {
            // Closing can only throw for a bad code or reason, which the
            // callers have checked.
            let _ = socket.close_with_code_and_reason(code, reason);
        }
    }
}
