//! The `SteadySocket` class: the JavaScript API over [`Inner`].

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Promise};
use wasm_bindgen::prelude::*;

use super::anchor::Anchor;
use super::clock::now;
use super::convert;
use super::dialing::DialCallbacks;
use super::gate::{self, Gate};
use super::inner::{Inner, Sent};
use super::options::{self, range_error};
use super::outbox::Outbox;
use super::page;
use super::read::{get, join};
use super::timer::Timer;
use crate::machine::{Action, Cause, ClosePolicy, Machine, RECONNECT, STOPPED};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = Blob)]
    type BlobLike;
}

/// A WebSocket connection that reconnects by itself.
///
/// `new SteadySocket(url, options)` connects at once; see the README for the
/// options and callbacks. Freeing it (`free()`, `using`, or the garbage
/// collector taking the last handle) terminates it first.
#[wasm_bindgen]
pub struct SteadySocket {
    inner: Rc<Inner>,
}

fn message(parts: &[&str]) -> String {
    let parts: Vec<JsValue> = parts.iter().map(|p| JsValue::from_str(p)).collect();
    let refs: Vec<&JsValue> = parts.iter().collect();
    join(&refs).as_string().unwrap_or_default()
}

/// A close code and reason as `WebSocket.close` accepts them; `method`
/// names the call in the errors.
fn close_args(
    method: &str,
    code: JsValue,
    reason: JsValue,
    default: &'static str,
) -> Result<(u16, Cow<'static, str>), JsValue> {
    // "steadysocket: stop(code, reason): reason must be a string"
    let wrong = |arg: &str, expected: &str| -> JsValue {
        let m = message(&[
            "steadysocket: ",
            method,
            "(code, reason): ",
            arg,
            " must be ",
            expected,
        ]);
        js_sys::TypeError::new(&m).into()
    };
    let code = match code.as_f64() {
        None if code.is_undefined() => 1000.0,
        None => return Err(wrong("code", "a number")),
        Some(c) => c,
    };
    if code != 1000.0 && !(code.fract() == 0.0 && (3000.0..=4999.0).contains(&code)) {
        return Err(js_sys::RangeError::new(
            "steadysocket: a close code must be 1000 or between 3000 and 4999",
        )
        .into());
    }
    let reason = match reason.as_string() {
        None if reason.is_undefined() => Cow::Borrowed(default),
        None => return Err(wrong("reason", "a string")),
        Some(r) if r.len() > 123 => {
            return Err(js_sys::SyntaxError::new(
                "steadysocket: a close reason must be at most 123 bytes of UTF-8",
            )
            .into())
        }
        Some(r) => Cow::Owned(r),
    };
    Ok((code as u16, reason))
}

/// What `WebSocket.send` takes, checked before anything is queued: a string,
/// a `Blob`, an `ArrayBuffer` or a view of one — neither resizable nor
/// shared, which the browser's `send` refuses with a `TypeError`.
fn check_data(data: &JsValue) -> Result<(), JsValue> {
    if data.is_string() || data.is_instance_of::<BlobLike>() {
        return Ok(());
    }
    let buffer = if data.is_instance_of::<ArrayBuffer>() {
        data.clone()
    } else if ArrayBuffer::is_view(data) {
        get(data, "buffer")
    } else {
        return Err(js_sys::TypeError::new(
            "steadysocket: sendMessage takes a string, ArrayBuffer, typed array, DataView or Blob",
        )
        .into());
    };
    if !buffer.is_instance_of::<ArrayBuffer>() {
        return Err(js_sys::TypeError::new(
            "steadysocket: sendMessage cannot send a view of a SharedArrayBuffer (WebSocket.send refuses it)",
        )
        .into());
    }
    if get(&buffer, "resizable").as_bool() == Some(true) {
        return Err(js_sys::TypeError::new(
            "steadysocket: sendMessage cannot send a resizable ArrayBuffer or a view of one (WebSocket.send refuses it)",
        )
        .into());
    }
    Ok(())
}

#[wasm_bindgen]
impl SteadySocket {
    /// Connect to `url` — a `ws:`/`wss:` URL, or a function returning one
    /// (or a promise of one). Throws a `TypeError`/`RangeError` for bad
    /// options and the browser's `SyntaxError` for a bad URL.
    ///
    /// `anchor`: an empty array the caller keeps for as long as it keeps
    /// the socket, with the caller's own object put at index 0 (see
    /// `anchor.rs`): the socket then lives as a browser `WebSocket` does.
    /// Without one, the socket lives until it is freed.
    #[wasm_bindgen(constructor)]
    pub fn create(
        url: JsValue,
        options: JsValue,
        anchor: Option<Array>,
    ) -> Result<SteadySocket, JsValue> {
        let anchor = Rc::new(Anchor::new(anchor));
        let o = options::parse(url, &options, &anchor)?;
        let machine = Machine::new(o.config, now()).map_err(|e| range_error(&e))?;
        let outbox = o.wire.outbox.map(Outbox::new);
        let inner = Rc::new_cyclic(|me| Inner {
            me: me.clone(),
            machine: RefCell::new(machine),
            anchor,
            handles: Cell::new(1),
            callbacks: o.callbacks,
            logger: o.logger,
            dialer: o.dialer,
            wire: o.wire,
            live: RefCell::new(None),
            retiring: RefCell::new(Vec::new()),
            waiters: RefCell::new(Vec::new()),
            timer: RefCell::new(Timer::default()),
            pumping: Cell::new(false),
            kick: RefCell::new(None),
            gate: Gate::new(),
            outbox: RefCell::new(outbox),
            page: RefCell::new(None),
            last_close: RefCell::new((JsValue::NULL, JsValue::NULL)),
            dial_callbacks: RefCell::new(None),
        });
        if inner.dialer.fixed_target().is_none() {
            *inner.dial_callbacks.borrow_mut() = Some(DialCallbacks::new(&inner.me));
        }
        // The first socket is created here so a bad URL throws from `new`.
        let first = inner.machine.borrow_mut().poll_action();
        if let Some(Action::Connect { socket }) = first {
            match inner.dialer.fixed_target() {
                Some(target) => inner.open_socket(socket, target)?,
                None => inner.connect(socket),
            }
        }
        // Watch the page, and start from what it says now.
        let (visibility, network) = (inner.wire.pause_when_hidden, inner.wire.watch_network);
        {
            let mut m = inner.machine.borrow_mut();
            if visibility && page::is_hidden() {
                m.set_hidden(now(), true);
            }
            if network && page::is_offline() {
                m.set_online(now(), false);
            }
        }
        let me = inner.me.clone();
        *inner.page.borrow_mut() = Some(page::watch(visibility, network, move |e| {
            if let Some(inner) = me.upgrade() {
                inner.on_page(e);
            }
        }));
        // Events wait for a microtask: callbacks that use the variable being
        // assigned by `new` must not run before it is assigned.
        let me = inner.me.clone();
        let kick = Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = me.upgrade() {
                inner.pump();
            }
        });
        gate::soon(inner.gate.js(), kick.as_ref());
        *inner.kick.borrow_mut() = Some(kick);
        inner.rearm();
        Ok(SteadySocket { inner })
    }

    /// Send a string, `ArrayBuffer`, typed array, `DataView` or `Blob`.
    /// Returns whether it was handed to the socket (only in `ready`, not
    /// paused) or, with an outbox, queued; `false` once terminated. What
    /// the browser's `send` refuses throws a `TypeError` and is not queued.
    /// A send that throws anyway closes the socket and reconnects.
    #[wasm_bindgen(js_name = sendMessage)]
    pub fn send_message(&self, data: JsValue) -> Result<bool, JsValue> {
        check_data(&data)?;
        let inner = &self.inner;
        if inner.is_terminated() {
            return Ok(false);
        }
        let target = inner.machine.borrow().sendable();
        let sent = match target {
            Some(id) => inner.send_on(id, &data),
            None => Sent::No,
        };
        let accepted = match sent {
            Sent::Yes => {
                inner.note_sent();
                true
            }
            Sent::Threw(e) => {
                // Not queued: it would fail the same way again.
                if let Some(id) = target {
                    inner.send_failed(id, &e);
                }
                false
            }
            Sent::No => {
                // Not ready (or closing): the outbox, if there is one, keeps it.
                let queued = inner
                    .outbox
                    .borrow_mut()
                    .as_mut()
                    .map(|o| (o.expire(now()), o.push(data.clone(), now())));
                let accepted = match queued {
                    None => false,
                    Some((expired, ok)) => {
                        inner.report_dropped(expired, "expired");
                        if !ok {
                            inner.report_dropped(vec![data], "full");
                        }
                        ok
                    }
                };
                if !accepted {
                    // Says why in the verbose log.
                    inner.input().send_target();
                }
                accepted
            }
        };
        inner.pump();
        Ok(accepted)
    }

    /// `"disconnected" | "connecting" | "ready" | "stopped" | "terminated"`.
    #[wasm_bindgen(js_name = socketState)]
    pub fn socket_state(&self) -> String {
        self.inner
            .machine
            .borrow()
            .state()
            .kind()
            .as_str()
            .to_owned()
    }

    /// `{ isConnected, hasEverConnected, connectionCount, connectionRetries,
    /// state, paused }`.
    #[wasm_bindgen(js_name = connectionState)]
    pub fn connection_state(&self) -> JsValue {
        convert::connection_state(&self.inner.machine.borrow().connection_state())
    }

    /// Refuse sends and defer `onOpen` until `resume()`.
    pub fn pause(&self) {
        self.inner.input().pause(now());
        self.inner.pump();
    }

    /// Undo `pause()`: delivers the deferred `onOpen`, or `onResume`.
    pub fn resume(&self) {
        self.inner.input().resume(now());
        self.inner.pump();
    }

    /// Close (with `code` and `reason`, default 1000) and stay closed until
    /// `tryRestart()` or `reconnect()`. Resolves once the old socket's close
    /// has happened, with its `{ code, reason, wasClean }` (or `undefined`
    /// when there was no socket).
    pub fn stop(&self, code: JsValue, reason: JsValue) -> Result<Promise, JsValue> {
        let (code, reason) = close_args("stop", code, reason, STOPPED)?;
        let socket = self
            .inner
            .input()
            .stop_with(now(), code, reason, Cause::Stop);
        self.inner.pump();
        Ok(self.inner.close_promise(socket))
    }

    /// Connect again after `stop()` (does nothing in any other state).
    #[wasm_bindgen(js_name = tryRestart)]
    pub fn try_restart(&self) {
        self.inner.input().try_restart(now());
        self.inner.pump();
    }

    /// Close the socket (with `code` and `reason`, default 1000) and connect
    /// again right away, from any state but `terminated`.
    pub fn reconnect(&self, code: JsValue, reason: JsValue) -> Result<(), JsValue> {
        let (code, reason) = close_args("reconnect", code, reason, RECONNECT)?;
        self.inner.input().reconnect(now(), code, reason);
        self.inner.pump();
        Ok(())
    }

    /// Close for good: nothing reconnects after this, no timer or listener
    /// is left, and queued messages are dropped (reported to
    /// `onOutboxDrop`). Resolves once the old socket's close has happened.
    pub fn terminate(&self) -> Promise {
        let socket = self.inner.terminate();
        self.inner.close_promise(socket)
    }

    /// The application has synced past the last reconnect: start the backoff
    /// from its initial delay again (same as `onMessage` returning
    /// `{ hasSyncedPastLastReconnect: true }`).
    #[wasm_bindgen(js_name = resetBackoff)]
    pub fn reset_backoff(&self) {
        self.inner.input().reset_backoff();
        self.inner.pump();
    }

    /// The URL of the current socket (the last one resolved, when the URL
    /// comes from a function), or `""` before any.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> JsValue {
        let live = self.inner.live.borrow();
        match (live.as_ref(), &self.inner.dialer.url) {
            (Some(t), _) => t.url.clone(),
            (None, super::dial::UrlSource::Fixed(u)) => u.clone(),
            (None, _) => JsValue::from_str(""),
        }
    }

    /// The subprotocol the server chose (`""` when not connected).
    #[wasm_bindgen(getter)]
    pub fn protocol(&self) -> JsValue {
        self.live_property(|s| s.protocol())
    }

    /// The extensions the server chose (`""` when not connected).
    #[wasm_bindgen(getter)]
    pub fn extensions(&self) -> JsValue {
        self.live_property(|s| s.extensions())
    }

    /// `"arraybuffer"` or `"blob"`; kept across reconnects.
    #[wasm_bindgen(getter, js_name = binaryType)]
    pub fn binary_type(&self) -> String {
        self.inner.dialer.binary_type.get().to_owned()
    }

    /// Set how binary messages arrive, now and on every later socket. Any
    /// other value throws a `TypeError` (the instance is unchanged).
    #[wasm_bindgen(setter, js_name = binaryType)]
    pub fn set_binary_type(&self, value: JsValue) -> Result<(), JsValue> {
        let v = match value.as_string().as_deref() {
            Some("arraybuffer") => "arraybuffer",
            Some("blob") => "blob",
            _ => {
                return Err(js_sys::TypeError::new(
                    "steadysocket: binaryType must be \"arraybuffer\" or \"blob\"",
                )
                .into())
            }
        };
        self.inner.dialer.binary_type.set(v);
        if let Some(t) = self.inner.live.borrow().as_ref() {
            t.socket.set_binary_type(v);
        }
        Ok(())
    }

    /// Bytes handed to the socket but not yet sent, plus what the outbox
    /// holds.
    #[wasm_bindgen(getter, js_name = bufferedAmount)]
    pub fn buffered_amount(&self) -> f64 {
        let socket = self
            .live_property(|s| s.buffered_amount())
            .as_f64()
            .unwrap_or(0.0);
        let queued = self
            .inner
            .outbox
            .borrow()
            .as_ref()
            .map_or(0.0, Outbox::bytes);
        socket + queued
    }

    /// How many messages the outbox holds.
    #[wasm_bindgen(getter, js_name = queuedMessages)]
    pub fn queued_messages(&self) -> u32 {
        self.inner
            .outbox
            .borrow()
            .as_ref()
            .map_or(0, |o| o.len() as u32)
    }

    /// The default `closePolicy` rules, to extend or replace.
    #[wasm_bindgen(js_name = defaultClosePolicy)]
    pub fn default_close_policy() -> JsValue {
        convert::close_policy(&ClosePolicy::default())
    }
}

impl SteadySocket {
    /// `new SteadySocket(url, options)` for Rust callers: the socket lives
    /// until its last handle is dropped (which terminates it).
    pub fn new(url: JsValue, options: JsValue) -> Result<SteadySocket, JsValue> {
        SteadySocket::create(url, options, None)
    }

    fn live_property(&self, f: impl Fn(&super::js_api::SocketLike) -> JsValue) -> JsValue {
        let live = self.inner.live.borrow();
        live.as_ref()
            .map(|t| f(&t.socket))
            .filter(|v| !v.is_undefined())
            .unwrap_or_else(|| JsValue::from_str(""))
    }
}

impl std::fmt::Debug for SteadySocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SteadySocket")
    }
}

/// A handle the Rust tests can keep while JavaScript holds another.
impl Clone for SteadySocket {
    fn clone(&self) -> Self {
        self.inner.handles.set(self.inner.handles.get() + 1);
        SteadySocket {
            inner: self.inner.clone(),
        }
    }
}

/// The last handle going (`free()`, `using`, the garbage collector, or a
/// Rust drop) terminates the socket first: no connection is left open, no
/// timer or listener runs, and what the outbox held is reported dropped.
impl Drop for SteadySocket {
    fn drop(&mut self) {
        let handles = self.inner.handles.get() - 1;
        self.inner.handles.set(handles);
        if handles == 0 && !self.inner.is_terminated() {
            self.inner.terminate();
        }
    }
}
