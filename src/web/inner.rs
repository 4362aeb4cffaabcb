//! The socket's insides: the machine, the live and retiring transports, the
//! timer, the outbox and the page watch — and the drain that carries out the
//! machine's actions and delivers its events.

use std::cell::{Cell, RefCell, RefMut};
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::anchor::{Anchor, Slot};
use super::callbacks::{Callbacks, Logger};
use super::clock::{self, now};
use super::connect_options::Wire;
use super::convert;
use super::dial::{mask, Dialer, Target};
use super::dialing::DialCallbacks;
use super::gate::Gate;
use super::js_api::{EventLike, OPEN};
use super::outbox::Outbox;
use super::page::{PageEvent, PageWatch};
use super::tap::{Slow, Tap};
use super::timer::Timer;
use super::transport::{SocketEvent, Transport};
use crate::machine::{Action, Machine, SocketId, State};

/// The microtask callback that delivers the constructor's events.
pub type Kick = Closure<dyn FnMut()>;

pub struct Inner {
    pub me: Weak<Inner>,
    pub machine: RefCell<Machine>,
    /// The application's values; held strongly only while the machine runs.
    pub anchor: Rc<Anchor>,
    /// How many `SteadySocket` handles point here; the last one to go
    /// terminates.
    pub handles: Cell<u32>,
    pub callbacks: Callbacks,
    pub logger: Logger,
    pub dialer: Dialer,
    pub wire: Wire,
    pub live: RefCell<Option<Transport>>,
    pub retiring: RefCell<Vec<Transport>>,
    /// `stop()`/`terminate()` promises, resolved by their socket's close.
    pub waiters: RefCell<Vec<(SocketId, Function)>>,
    pub timer: RefCell<Timer>,
    pub pumping: Cell<bool>,
    pub kick: RefCell<Option<Kick>>,
    /// Closed when this is dropped: JavaScript's later calls (the kick, the
    /// providers' answers) then reach nothing.
    pub gate: Gate,
    pub outbox: RefCell<Option<Outbox>>,
    pub page: RefCell<Option<PageWatch>>,
    /// The last close's code and reason, for the token provider.
    pub last_close: RefCell<(JsValue, JsValue)>,
    /// Where the providers' promises settle (only with providers).
    pub dial_callbacks: RefCell<Option<DialCallbacks>>,
}

impl Inner {
    /// Create socket `id` for `target` and make it the live one.
    pub fn open_socket(&self, id: SocketId, target: Target) -> Result<(), JsValue> {
        if self.logger.verbose_enabled() {
            let mut url: js_sys::JsString = target.url.clone().unchecked_into();
            if let Some(t) = target.token.as_deref().filter(|t| !t.is_empty()) {
                // Replaced in JavaScript: Rust's str::replace would bring its
                // slicing panics (and their formatting) into the wasm.
                url = url.replace(t, &mask(t));
            }
            self.logger.verbose(&[&"connecting to".into(), &url]);
        }
        let me = self.me.clone();
        let cb = &self.callbacks;
        let tap = Tap::new(
            &cb.get(Slot::OnMessage),
            &cb.this(),
            self.wire.auto_pong.as_ref().map(|(ping, _)| ping),
            self.wire.pong.as_ref(),
            move |slow| me.upgrade().is_some_and(|inner| inner.on_tap(id, slow)),
        );
        let me = self.me.clone();
        let t = Transport::open(&self.dialer, target, id, tap, move |id, which, event| {
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
            Action::Connect { socket } => self.connect(socket),
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
                    self.retire(t, code, &reason);
                }
            }
            Action::SendPing { socket } => {
                if let Some(ping) = &self.wire.ping {
                    self.send_frame(socket, ping);
                }
            }
        }
    }

    /// Send on socket `id` if it is the live one and still open.
    pub fn send_on(&self, id: SocketId, data: &JsValue) -> Sent {
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
        if socket.ready_state().as_f64() != Some(OPEN) {
            return Sent::No;
        }
        match socket.send(data) {
            Ok(()) => Sent::Yes,
            Err(e) => Sent::Threw(e),
        }
    }

    /// Send a frame of the shell's own (a ping, a pong); a throw closes the
    /// socket and reconnects.
    pub fn send_frame(&self, id: SocketId, data: &JsValue) -> bool {
        match self.send_on(id, data) {
            Sent::Yes => true,
            Sent::No => false,
            Sent::Threw(e) => {
                self.send_failed(id, &e);
                false
            }
        }
    }

    /// A send threw on an open socket: log it and reconnect.
    pub fn send_failed(&self, id: SocketId, error: &JsValue) {
        self.logger.log(&[
            &"Failed to send message on WebSocket, reconnecting:".into(),
            error,
        ]);
        self.input().on_send_failed(now(), id);
    }

    /// Drain the machine: carry out actions and deliver events, in order,
    /// each with no borrow held; then re-arm the timer. A nested call (from a
    /// callback) returns at once and the outer drain delivers what it queued.
    pub fn pump(&self) {
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
        if let Some(t) = self.live.borrow().as_ref() {
            if let Some(tap) = &t.tap {
                tap.set_slow(self.machine.borrow().wants_every_frame());
            }
        }
        self.rearm();
        // A running socket keeps itself alive; a stopped or terminated one
        // is the application's to keep or drop.
        let running = self.machine.borrow().is_running();
        self.anchor.hold(running);
    }

    /// Send what the outbox holds, oldest first, while the socket is ready.
    /// A message the socket refuses (its `send` throws) is dropped and
    /// reported as `"invalid"`: retrying it would fail the same way, and it
    /// must not take the connection down.
    pub fn flush(&self) {
        loop {
            let t = now();
            let expired = match self.outbox.borrow_mut().as_mut() {
                Some(o) => o.expire(t),
                None => return,
            };
            self.report_dropped(expired, "expired");
            let Some(id) = self.machine.borrow().sendable() else {
                return;
            };
            let item = self.outbox.borrow_mut().as_mut().and_then(Outbox::pop);
            let Some(item) = item else { return };
            match self.send_on(id, &item) {
                Sent::Yes => self.note_sent(),
                Sent::No => {
                    // Not handed over: it stays first in line for the next socket.
                    if let Some(o) = self.outbox.borrow_mut().as_mut() {
                        o.unshift(item, t);
                    }
                    return;
                }
                Sent::Threw(e) => {
                    self.logger
                        .log(&[&"the socket refused a queued message:".into(), &e]);
                    self.report_dropped(vec![item], "invalid");
                }
            }
        }
    }

    /// The heartbeat's interval counts from the last send.
    pub fn note_sent(&self) {
        if self.wire.ping.is_some() {
            // Only records the time: no need to report frames first (which
            // would cost a call into JavaScript per send).
            self.machine.borrow_mut().on_sent(now());
        }
    }

    pub fn report_dropped(&self, items: Vec<JsValue>, reason: &str) {
        let cb = &self.callbacks;
        for data in items {
            if cb.has(Slot::OnOutboxDrop) {
                let arg = convert::dropped(&data, reason);
                cb.call(&self.logger, Slot::OnOutboxDrop, &arg);
            } else {
                self.logger
                    .log(&[&"outbox dropped a message:".into(), &reason.into()]);
            }
        }
    }

    /// Arm the one timer for the machine's next deadline, if it moved earlier.
    pub fn rearm(&self) {
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
        self.input().on_timeout(now());
        self.pump();
    }

    pub fn on_page(&self, event: PageEvent) {
        match event {
            PageEvent::Hidden(h) => self.input().set_hidden(now(), h),
            PageEvent::Online(o) => self.input().set_online(now(), o),
        }
        self.pump();
    }

    fn on_socket_event(&self, id: SocketId, which: SocketEvent, event: EventLike) {
        match which {
            SocketEvent::Open => {
                // The token, when it travels as the first message, goes
                // before `onOpen` and before anything queued.
                let first = self
                    .live
                    .borrow()
                    .as_ref()
                    .and_then(|t| (t.id == id).then(|| t.first_message.clone()).flatten());
                if let Some(first) = first {
                    if let Some(t) = self.live.borrow().as_ref() {
                        let _ = t.socket.send(&first);
                    }
                }
                self.input().on_open(now(), id);
                self.pump();
            }
            SocketEvent::Close => self.on_close(id, event),
            SocketEvent::Error => {
                // Every failure also fires `close`, which is what counts; a
                // retired socket's errors are expected (closing a handshake).
                let live = self.live.borrow().as_ref().is_some_and(|t| t.id == id);
                let msg = event.message();
                if live && msg.is_string() {
                    self.logger.log(&[&"WebSocket error:".into(), &msg]);
                }
            }
        }
    }

    /// What the message hot path (`fast.js`) hands back: a frame the
    /// machine must see (answers whether to deliver it), or what `onMessage`
    /// threw or answered.
    fn on_tap(&self, id: SocketId, slow: Slow) -> bool {
        match slow {
            Slow::Frame(event) => return self.on_frame(id, event.unchecked_into()),
            Slow::Threw(e) => {
                Callbacks::caught(&self.logger, "onMessage", Err(e));
            }
            Slow::Synced => {
                self.input().reset_backoff();
                self.pump();
            }
        }
        false
    }

    /// The slow path of a frame: answer pings, take pongs, tell the machine
    /// and deliver what it produced. Returns whether the frame goes to
    /// `onMessage` (the hot path's handler delivers it).
    fn on_frame(&self, id: SocketId, event: EventLike) -> bool {
        let data = event.data();
        let deliver = match (&self.wire.auto_pong, &self.wire.pong) {
            (Some((ping, pong)), _) if data == *ping => {
                if self.input().on_message(now(), id) {
                    self.send_frame(id, pong);
                }
                false
            }
            (_, Some(pong)) if data == *pong => {
                self.input().on_pong(now(), id);
                false
            }
            _ => self.input().on_message(now(), id),
        };
        self.pump();
        deliver
    }

    /// The machine, for an input, after telling it about the frames the hot
    /// path delivered since the last input. Every input goes through here.
    pub fn input(&self) -> RefMut<'_, Machine> {
        let pending = {
            let live = self.live.borrow();
            live.as_ref()
                .and_then(|t| t.tap.as_ref()?.take_at().map(|at| (t.id, at)))
        };
        let mut m = self.machine.borrow_mut();
        if let Some((id, at)) = pending {
            // Never later than now, whatever the event's clock said.
            m.on_frames(clock::at(at).min(now()), id);
        }
        m
    }

    fn on_close(&self, id: SocketId, event: EventLike) {
        let is_live = self.live.borrow().as_ref().is_some_and(|t| t.id == id);
        if is_live {
            let code = event.code().as_f64().unwrap_or(1006.0) as u16;
            let reason = event.reason().as_string().unwrap_or_default();
            let was_clean = event.was_clean().as_bool().unwrap_or(false);
            // Dropping a transport from inside its own handler is fine: the
            // closure is freed once it returns.
            let mut m = self.input();
            let dead = self.live.borrow_mut().take();
            m.on_close(now(), id, code, &reason, was_clean);
            drop(m);
            drop(dead);
            self.pump();
        } else {
            let dead = {
                let mut r = self.retiring.borrow_mut();
                r.iter().position(|t| t.id == id).map(|i| r.swap_remove(i))
            };
            drop(dead);
            let info = Object::new();
            let _ = Reflect::set(&info, &"code".into(), &event.code());
            let _ = Reflect::set(&info, &"reason".into(), &event.reason());
            let _ = Reflect::set(&info, &"wasClean".into(), &event.was_clean());
            self.resolve_waiters(id, &info);
        }
    }

    /// A promise resolved when `socket` (being closed) has closed.
    pub fn close_promise(&self, socket: Option<SocketId>) -> js_sys::Promise {
        let pending = socket.filter(|&id| {
            self.live.borrow().as_ref().is_some_and(|t| t.id == id)
                || self.retiring.borrow().iter().any(|t| t.id == id)
        });
        match pending {
            Some(id) => js_sys::Promise::new(&mut |resolve, _reject| {
                self.waiters.borrow_mut().push((id, resolve));
            }),
            None => js_sys::Promise::resolve(&JsValue::UNDEFINED),
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

impl Inner {
    /// Close for good: no reconnect, no timer, no page listener; queued
    /// messages reported dropped. Returns the socket being closed.
    pub fn terminate(&self) -> Option<SocketId> {
        let socket = self.input().terminate(now());
        let page = self.page.borrow_mut().take();
        drop(page);
        let queued = self
            .outbox
            .borrow_mut()
            .as_mut()
            .map(Outbox::clear)
            .unwrap_or_default();
        self.report_dropped(queued, "terminated");
        self.pump();
        socket
    }

    /// Whether `terminate()` has happened.
    pub fn is_terminated(&self) -> bool {
        self.machine.borrow().state() == State::Terminated
    }
}

/// What became of a message handed to [`Inner::send_on`].
pub enum Sent {
    /// The socket took it.
    Yes,
    /// No open live socket to take it.
    No,
    /// The socket's `send` threw this.
    Threw(JsValue),
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The last handle terminates first (see `SteadySocket`'s `Drop`);
        // this is only a guard against a socket left open behind us.
        if let Some(t) = self.live.get_mut().take() {
            Transport::close(&t.socket, 1000, "Terminated");
        }
        for (_, f) in self.waiters.get_mut().drain(..) {
            let _ = f.call0(&JsValue::UNDEFINED);
        }
    }
}
