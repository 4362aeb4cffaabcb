//! The sockets the shell holds: the live one, those retiring (closed by us,
//! their `close` still to come), and the promises waiting for a close.

use alloc::vec::Vec;
use core::cell::RefCell;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::WebSocket;

use super::transport::Transport;
use crate::machine::SocketId;

/// What became of data handed to [`Sockets::send`].
pub enum Sent {
    /// The socket took it.
    Yes,
    /// No open live socket to take it.
    No,
    /// The socket's `send` threw this.
    Threw(JsValue),
}

#[derive(Default)]
pub struct Sockets {
    live: RefCell<Option<Transport>>,
    retiring: RefCell<Vec<Transport>>,
    /// `stop()`/`terminate()` promises, resolved by their socket's close.
    waiters: RefCell<Vec<(SocketId, Function)>>,
}

impl Sockets {
    /// Make `t` the live socket.
    pub fn set_live(&self, t: Transport) {
        let old = self.live.borrow_mut().replace(t);
        if let Some(old) = old {
            // The machine closes before it connects; this is only a guard.
            let reason = crate::machine::ClientClose::Replaced.reason();
            self.retire(old, 1000, reason);
        }
    }

    /// Close the live socket if it is `id`, keeping it until its `close`.
    pub fn close(&self, id: SocketId, code: u16, reason: &str) {
        if let Some(t) = self.take_live(id) {
            self.retire(t, code, reason);
        }
    }

    fn retire(&self, mut t: Transport, code: u16, reason: &str) {
        t.retire();
        let socket = t.socket.clone();
        self.retiring.borrow_mut().push(t);
        Transport::close(&socket, code, reason);
    }

    /// Whether `id` is the live socket.
    pub fn is_live(&self, id: SocketId) -> bool {
        self.live.borrow().as_ref().is_some_and(|t| t.id == id)
    }

    /// `f` of the live socket, if any.
    pub fn with_live<R>(&self, f: impl FnOnce(&Transport) -> R) -> Option<R> {
        self.live.borrow().as_ref().map(f)
    }

    /// The live socket's JavaScript object.
    pub fn live_socket(&self) -> Option<WebSocket> {
        self.with_live(|t| t.socket.clone())
    }

    /// Send on socket `id` if it is the live one and still open.
    pub fn send(&self, id: SocketId, data: &JsValue) -> Sent {
        let socket = {
            let live = self.live.borrow();
            live.as_ref()
                .filter(|t| t.id == id)
                .map(|t| t.socket.clone())
        };
        let Some(socket) = socket else {
            return Sent::No;
        };
        // Once the server's close frame has arrived the socket is CLOSING
        // (the machine learns at the `close` event) and the browser would
        // silently discard the data: refuse it instead, so the outbox keeps it.
        if super::fast::ready_state(&socket) != u32::from(WebSocket::OPEN) {
            return Sent::No;
        }
        // web-sys has one `send` per type the platform takes; each is the
        // same call, `socket.send(data)`, with the value passed as it is. The
        // entry checked the type (sizeOf), so any of them does, and nothing
        // is copied.
        match socket.send_with_array_buffer(data.unchecked_ref()) {
            Ok(()) => Sent::Yes,
            Err(e) => Sent::Threw(e),
        }
    }

    /// The live socket, taken out, if it is `id` (its `close` arrived).
    pub fn take_live(&self, id: SocketId) -> Option<Transport> {
        let mut live = self.live.borrow_mut();
        match live.as_ref() {
            Some(t) if t.id == id => live.take(),
            _ => None,
        }
    }

    /// A retired socket closed: let go of it (from inside its own handler
    /// is fine: a closure is freed once it returns) and resolve who waited,
    /// with `{ code, reason, wasClean }`.
    pub fn retired_closed(&self, id: SocketId, code: u16, reason: &str, clean: bool) {
        let dead = {
            let mut r = self.retiring.borrow_mut();
            r.iter().position(|t| t.id == id).map(|i| r.swap_remove(i))
        };
        drop(dead);
        let info = Object::new();
        let _ = Reflect::set(&info, &"code".into(), &JsValue::from(code));
        let _ = Reflect::set(&info, &"reason".into(), &JsValue::from_str(reason));
        let _ = Reflect::set(&info, &"wasClean".into(), &JsValue::from_bool(clean));
        self.resolve_waiters(id, &info);
    }

    /// A promise resolved when `socket` (being closed) has closed.
    pub fn close_promise(&self, socket: Option<SocketId>) -> Promise {
        let pending = socket
            .filter(|&id| self.is_live(id) || self.retiring.borrow().iter().any(|t| t.id == id));
        match pending {
            Some(id) => Promise::new(&mut |resolve, _reject| {
                self.waiters.borrow_mut().push((id, resolve));
            }),
            None => Promise::resolve(&JsValue::UNDEFINED),
        }
    }

    /// Resolve the promises waiting for socket `id` with its close's
    /// `{ code, reason, wasClean }`.
    fn resolve_waiters(&self, id: SocketId, info: &JsValue) {
        let ready: Vec<Function> = {
            let mut w = self.waiters.borrow_mut();
            let (done, rest): (Vec<_>, Vec<_>) = w.drain(..).partition(|(s, _)| *s == id);
            *w = rest;
            done.into_iter().map(|(_, f)| f).collect()
        };
        for f in ready {
            let _ = f.call1(&JsValue::UNDEFINED, info);
        }
    }
}

impl Drop for Sockets {
    fn drop(&mut self) {
        // The last handle terminates first; this is only a guard against a
        // socket left open behind us.
        if let Some(t) = self.live.get_mut().take() {
            Transport::close(&t.socket, 1000, "Terminated");
        }
        for (_, f) in self.waiters.get_mut().drain(..) {
            let _ = f.call0(&JsValue::UNDEFINED);
        }
    }
}
