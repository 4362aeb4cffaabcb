//! The `SteadySocket` class: the machine, its sockets, its timer and the
//! application's callbacks, wired together.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;

use super::callbacks::{Callbacks, Logger};
use super::clock::now;
use super::convert;
use super::js_api::EventLike;
use super::options::{self, range_error};
use super::timer::Timer;
use super::transport::{Dialer, SocketEvent, Transport};
use crate::machine::{
    Action, ClosePolicy, DecisionKind, Event, Initiator, Machine, Note, SocketId, INITIAL_CONNECT,
};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = Blob)]
    type BlobLike;
}

/// A WebSocket connection that reconnects by itself.
///
/// `new SteadySocket(url, options)` connects at once; see the README for the
/// options and callbacks.
#[wasm_bindgen]
pub struct SteadySocket {
    inner: Rc<Inner>,
}

/// The microtask callback that delivers the constructor's events.
type Kick = Closure<dyn FnMut(JsValue)>;

struct Inner {
    me: Weak<Inner>,
    machine: RefCell<Machine>,
    callbacks: Callbacks,
    logger: Logger,
    dialer: Dialer,
    live: RefCell<Option<Transport>>,
    retiring: RefCell<Vec<Transport>>,
    /// `stop()`/`terminate()` promises, resolved by their socket's close.
    waiters: RefCell<Vec<(SocketId, Function)>>,
    timer: RefCell<Timer>,
    pumping: Cell<bool>,
    /// Delivers the events of the constructor once it has returned.
    kick: RefCell<Option<Kick>>,
}

#[wasm_bindgen]
impl SteadySocket {
    /// Connect to `url` (`ws:` or `wss:`). Throws a `TypeError`/`RangeError`
    /// for bad options and the browser's `SyntaxError` for a bad URL.
    #[wasm_bindgen(constructor)]
    pub fn new(url: JsValue, options: JsValue) -> Result<SteadySocket, JsValue> {
        if !url.is_string() {
            return Err(js_sys::TypeError::new("steadysocket: url must be a string").into());
        }
        let o = options::parse(&options)?;
        let machine = Machine::new(o.config, now()).map_err(|e| range_error(&e))?;
        let inner = Rc::new_cyclic(|me| Inner {
            me: me.clone(),
            machine: RefCell::new(machine),
            callbacks: o.callbacks,
            logger: o.logger,
            dialer: Dialer {
                constructor: o.constructor,
                url,
                protocols: o.protocols,
                binary_type: o.binary_type,
            },
            live: RefCell::new(None),
            retiring: RefCell::new(Vec::new()),
            waiters: RefCell::new(Vec::new()),
            timer: RefCell::new(Timer::default()),
            pumping: Cell::new(false),
            kick: RefCell::new(None),
        });
        // The first socket is created here so a bad URL throws from `new`.
        let first = inner.machine.borrow_mut().poll_action();
        if let Some(Action::Connect { socket }) = first {
            inner.connect(socket)?;
        }
        // Events wait for a microtask: callbacks that use the variable being
        // assigned by `new` must not run before it is assigned.
        let me = inner.me.clone();
        let kick = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            if let Some(inner) = me.upgrade() {
                inner.pump();
            }
        });
        let _ = Promise::resolve(&JsValue::UNDEFINED).then(&kick);
        *inner.kick.borrow_mut() = Some(kick);
        inner.rearm();
        Ok(SteadySocket { inner })
    }

    /// Send a string, `ArrayBuffer`, typed array, `DataView` or `Blob`.
    /// Returns whether it was handed to the socket: only in `ready`, not
    /// paused. A send that throws closes the socket and reconnects.
    #[wasm_bindgen(js_name = sendMessage)]
    pub fn send_message(&self, data: JsValue) -> Result<bool, JsValue> {
        self.inner.send(data)
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
        self.inner.machine.borrow_mut().pause(now());
        self.inner.pump();
    }

    /// Undo `pause()`: delivers the deferred `onOpen`, or `onResume`.
    pub fn resume(&self) {
        self.inner.machine.borrow_mut().resume(now());
        self.inner.pump();
    }

    /// Close and stay closed until `tryRestart()`. Resolves once the old
    /// socket's close has happened.
    pub fn stop(&self) -> Promise {
        let socket = self.inner.machine.borrow_mut().stop(now());
        self.inner.pump();
        self.inner.close_promise(socket)
    }

    /// Connect again after `stop()` (does nothing in any other state).
    #[wasm_bindgen(js_name = tryRestart)]
    pub fn try_restart(&self) {
        self.inner.machine.borrow_mut().try_restart(now());
        self.inner.pump();
    }

    /// Close for good: nothing reconnects after this and no timer is left.
    /// Resolves once the old socket's close has happened.
    pub fn terminate(&self) -> Promise {
        let socket = self.inner.machine.borrow_mut().terminate(now());
        self.inner.pump();
        self.inner.close_promise(socket)
    }

    /// The application has synced past the last reconnect: start the backoff
    /// from its initial delay again (same as `onMessage` returning
    /// `{ hasSyncedPastLastReconnect: true }`).
    #[wasm_bindgen(js_name = resetBackoff)]
    pub fn reset_backoff(&self) {
        self.inner.machine.borrow_mut().reset_backoff();
        self.inner.pump();
    }

    /// The default `closePolicy` rules, to extend or replace.
    #[wasm_bindgen(js_name = defaultClosePolicy)]
    pub fn default_close_policy() -> JsValue {
        convert::close_policy(&ClosePolicy::default())
    }
}

impl Inner {
    /// Create socket `id` and make it the live one.
    fn connect(&self, id: SocketId) -> Result<(), JsValue> {
        let me = self.me.clone();
        let t = Transport::open(&self.dialer, id, move |id, which, event| {
            if let Some(inner) = me.upgrade() {
                inner.on_socket_event(id, which, event);
            }
        })?;
        let old = self.live.borrow_mut().replace(t);
        if let Some(old) = old {
            // The machine closes before it connects; this is only a guard.
            self.retire(old, 1000, "Replaced");
        }
        Ok(())
    }

    fn retire(&self, mut t: Transport, code: u16, reason: &str) {
        t.retire();
        let socket = t.socket.clone();
        self.retiring.borrow_mut().push(t);
        Transport::close(&socket, code, reason);
    }

    fn perform(&self, action: Action) {
        match action {
            Action::Connect { socket } => {
                if let Err(e) = self.connect(socket) {
                    self.logger
                        .log(&[&"WebSocket could not be created:".into(), &e]);
                    self.machine
                        .borrow_mut()
                        .on_close(now(), socket, 1006, "", false);
                }
            }
            Action::Close {
                socket,
                code,
                reason,
            } => {
                let t = {
                    let mut live = self.live.borrow_mut();
                    match live.as_ref() {
                        Some(t) if t.id == socket => live.take(),
                        _ => None,
                    }
                };
                if let Some(t) = t {
                    self.retire(t, code, reason);
                }
            }
        }
    }

    /// Drain the machine: carry out actions and deliver events, in order,
    /// each with no borrow held; then re-arm the timer. A nested call (from a
    /// callback) returns at once and the outer drain delivers what it queued.
    fn pump(&self) {
        if self.pumping.replace(true) {
            return;
        }
        loop {
            let action = self.machine.borrow_mut().poll_action();
            if let Some(a) = action {
                self.perform(a);
                continue;
            }
            let event = self.machine.borrow_mut().poll_event();
            match event {
                Some(e) => self.dispatch(e),
                None => break,
            }
        }
        self.pumping.set(false);
        self.rearm();
    }

    fn dispatch(&self, event: Event) {
        let cb = &self.callbacks;
        let log = &self.logger;
        match event {
            Event::StateChanged { from, to, cause } => {
                if log.verbose_enabled() {
                    let paused = to.paused.map_or("-", |p| p.as_str());
                    log.verbose(&[
                        &"socket state changed:".into(),
                        &to.state.as_str().into(),
                        &"paused:".into(),
                        &paused.into(),
                        &"cause:".into(),
                        &cause.as_str().into(),
                    ]);
                }
                if cb.on_state_change.is_some() {
                    let arg = convert::state_change(&from, &to, cause.as_str());
                    cb.call(log, "onStateChange", &cb.on_state_change, &arg);
                }
            }
            Event::Opened(meta) => {
                match meta.last_close_reason.as_deref() {
                    Some(INITIAL_CONNECT) => {}
                    Some(r) => log.log(&[
                        &"WebSocket reconnected after disconnect due to".into(),
                        &r.into(),
                    ]),
                    None => log.log(&[&"WebSocket reconnected".into()]),
                }
                cb.call(log, "onOpen", &cb.on_open, &convert::open_meta(&meta));
            }
            Event::Resumed => {
                cb.call(log, "onResume", &cb.on_resume, &JsValue::UNDEFINED);
            }
            Event::Closed(info) => {
                let d = &info.decision;
                if info.initiator == Initiator::Server && !info.quiet {
                    log.log(&[
                        &"WebSocket closed with code".into(),
                        &info.code.into(),
                        &info.reason.as_str().into(),
                    ]);
                }
                if let Some(ms) = d.delay_ms {
                    log.log(&[
                        &"Attempting reconnect in".into(),
                        &(ms as f64).into(),
                        &"ms".into(),
                    ]);
                } else if d.kind != DecisionKind::Manual {
                    log.log(&[
                        &"Not reconnecting after close with code".into(),
                        &info.code.into(),
                        &"decision:".into(),
                        &d.kind.as_str().into(),
                    ]);
                }
                if cb.on_close.is_some() {
                    cb.call(log, "onClose", &cb.on_close, &convert::close_info(&info));
                }
            }
            Event::ServerDisconnectError { code, reason } => {
                if cb.on_server_disconnect_error.is_some() {
                    let msg = js_sys::JsString::from("WebSocket closed with code ")
                        .concat(&code.into())
                        .concat(&": ".into())
                        .concat(&reason.as_str().into());
                    cb.call(
                        log,
                        "onServerDisconnectError",
                        &cb.on_server_disconnect_error,
                        &msg,
                    );
                }
            }
            Event::Verbose(note) => self.note(note),
        }
    }

    fn note(&self, note: Note) {
        let log = &self.logger;
        match note {
            Note::RestartIgnored(s) => {
                log.verbose(&[&"tryRestart() ignored in state".into(), &s.as_str().into()])
            }
            Note::StaleSocketEvent(id) => log.verbose(&[
                &"ignored an event from replaced socket".into(),
                &(id.0 as f64).into(),
            ]),
            Note::BackoffReset => log.verbose(&[&"backoff reset".into()]),
            Note::NotSent(s, p) => log.verbose(&[
                &"message not sent; socket state:".into(),
                &s.as_str().into(),
                &"paused:".into(),
                &p.map_or("-", |p| p.as_str()).into(),
            ]),
        }
    }

    /// Arm the one timer for the machine's next deadline, if it moved earlier.
    fn rearm(&self) {
        let want = self.machine.borrow().next_timeout();
        if !self.timer.borrow().needs(want) {
            return;
        }
        let armed = want.map(|deadline| {
            let delay = deadline.saturating_sub(now()).min(i32::MAX as u64) as u32;
            let me = self.me.clone();
            let t = Timeout::new(delay, move || {
                if let Some(inner) = me.upgrade() {
                    inner.on_timer();
                }
            });
            (deadline, t)
        });
        let old = self.timer.borrow_mut().set(armed);
        drop(old);
    }

    fn on_timer(&self) {
        let fired = self.timer.borrow_mut().take();
        drop(fired);
        self.machine.borrow_mut().on_timeout(now());
        self.pump();
    }

    fn on_socket_event(&self, id: SocketId, which: SocketEvent, event: EventLike) {
        match which {
            SocketEvent::Message => self.on_message(id, event),
            SocketEvent::Open => {
                self.machine.borrow_mut().on_open(now(), id);
                self.pump();
            }
            SocketEvent::Close => self.on_close(id, event),
            SocketEvent::Error => {
                // Every failure also fires `close`, which is what counts.
                let msg = event.message();
                if msg.is_string() {
                    self.logger.log(&[&"WebSocket error:".into(), &msg]);
                }
            }
        }
    }

    /// The hot path: record the time, hand `event.data` over as it is.
    fn on_message(&self, id: SocketId, event: EventLike) {
        if !self.machine.borrow_mut().on_message(now(), id) {
            return;
        }
        let cb = &self.callbacks;
        if cb.on_message.is_some() {
            let ret = cb.call(&self.logger, "onMessage", &cb.on_message, &event.data());
            if let Some(ret) = ret.filter(|r| r.is_object()) {
                let synced = Reflect::get(&ret, &"hasSyncedPastLastReconnect".into())
                    .unwrap_or(JsValue::UNDEFINED);
                if synced.is_truthy() {
                    self.machine.borrow_mut().reset_backoff();
                }
            }
        }
        self.pump();
    }

    fn on_close(&self, id: SocketId, event: EventLike) {
        let is_live = self.live.borrow().as_ref().is_some_and(|t| t.id == id);
        if is_live {
            let code = event.code().as_f64().unwrap_or(1006.0) as u16;
            let reason = event.reason().as_string().unwrap_or_default();
            let was_clean = event.was_clean().as_bool().unwrap_or(false);
            // Dropping a transport from inside its own handler is fine: the
            // closure is freed once it returns.
            let dead = self.live.borrow_mut().take();
            self.machine
                .borrow_mut()
                .on_close(now(), id, code, &reason, was_clean);
            drop(dead);
            self.pump();
        } else {
            let dead = {
                let mut r = self.retiring.borrow_mut();
                r.iter().position(|t| t.id == id).map(|i| r.swap_remove(i))
            };
            drop(dead);
            self.resolve_waiters(id);
        }
    }

    fn send(&self, data: JsValue) -> Result<bool, JsValue> {
        if !(data.is_string()
            || data.is_instance_of::<js_sys::ArrayBuffer>()
            || js_sys::ArrayBuffer::is_view(&data)
            || data.is_instance_of::<BlobLike>())
        {
            return Err(js_sys::TypeError::new(
                "steadysocket: sendMessage takes a string, ArrayBuffer, typed array, DataView or Blob",
            )
            .into());
        }
        let target = self.machine.borrow_mut().send_target();
        let socket = target.and_then(|id| {
            let live = self.live.borrow();
            live.as_ref()
                .filter(|t| t.id == id)
                .map(|t| (id, t.socket.clone()))
        });
        let sent = match socket {
            Some((id, socket)) => match socket.send(&data) {
                Ok(()) => true,
                Err(e) => {
                    self.logger.log(&[
                        &"Failed to send message on WebSocket, reconnecting:".into(),
                        &e,
                    ]);
                    self.machine.borrow_mut().on_send_failed(now(), id);
                    false
                }
            },
            None => false,
        };
        self.pump();
        Ok(sent)
    }

    /// A promise resolved when `socket` (being closed) has closed.
    fn close_promise(&self, socket: Option<SocketId>) -> Promise {
        let pending = socket.filter(|&id| {
            self.live.borrow().as_ref().is_some_and(|t| t.id == id)
                || self.retiring.borrow().iter().any(|t| t.id == id)
        });
        match pending {
            Some(id) => Promise::new(&mut |resolve, _reject| {
                self.waiters.borrow_mut().push((id, resolve));
            }),
            None => Promise::resolve(&JsValue::UNDEFINED),
        }
    }

    fn resolve_waiters(&self, id: SocketId) {
        let ready: Vec<Function> = {
            let mut w = self.waiters.borrow_mut();
            let (done, rest): (Vec<_>, Vec<_>) = w.drain(..).partition(|(s, _)| *s == id);
            *w = rest;
            done.into_iter().map(|(_, f)| f).collect()
        };
        for f in ready {
            let _ = f.call0(&JsValue::UNDEFINED);
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Freed without terminate(): don't leave a socket open behind us.
        if let Some(t) = self.live.get_mut().take() {
            Transport::close(&t.socket, 1001, "Going Away");
        }
        for (_, f) in self.waiters.get_mut().drain(..) {
            let _ = f.call0(&JsValue::UNDEFINED);
        }
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
        SteadySocket {
            inner: self.inner.clone(),
        }
    }
}
