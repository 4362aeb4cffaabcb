//! The socket's insides: the machine and what carries out its outputs — the
//! sockets, the dialing, the payloads of queued messages, the one timer, the
//! page watch — and the drain that takes the machine's one output stream,
//! in order, with no borrow held while JavaScript runs.

use std::cell::{Cell, RefCell, RefMut};
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::anchor::{Anchor, Slot};
use super::callbacks::{Callbacks, Logger};
use super::clock::{self, now};
use super::connect_options::Wire;
use super::dial::{mask, Dialer, Target};
use super::dialing::{self, Dialing, Outcome};
use super::dispatch::{dispatch, dropped};
use super::gate::{self, Gate};
use super::js_api::EventLike;
use super::options::Options;
use super::page::{self, PageEvent, PageWatch};
use super::payloads::{size_of, Payloads};
use super::sockets::{Sent, Sockets};
use super::tap::{Slow, Tap};
use super::timer::Timer;
use super::transport::{SocketEvent, Transport};
use crate::machine::{
    Action, ClientClose, ConnectionState, DialFailure, Event, Flushed, Machine, Output, Refusal,
    SocketId, State,
};

pub struct Inner {
    me: Weak<Inner>,
    machine: RefCell<Machine>,
    /// The application's values; held strongly only while the machine runs.
    anchor: Rc<Anchor>,
    /// How many `SteadySocket` handles point here; the last one to go
    /// terminates.
    handles: Cell<u32>,
    callbacks: Callbacks,
    logger: Logger,
    dialer: Dialer,
    wire: Wire,
    sockets: Sockets,
    /// Where the providers' answers settle (only with providers).
    dialing: Option<Dialing>,
    payloads: Payloads,
    timer: RefCell<Timer>,
    pumping: Cell<bool>,
    page: RefCell<Option<PageWatch>>,
    /// The constructor's first drain, in a microtask.
    kick: RefCell<Option<Closure<dyn FnMut()>>>,
    /// Closed when this is dropped: a late kick reaches nothing.
    gate: Gate,
}

impl Inner {
    /// A socket for these options, connecting: the first socket is created
    /// here so a bad URL throws from `new`; the events wait for a microtask,
    /// so callbacks that use the variable being assigned by `new` find it.
    pub fn new(o: Options, anchor: Rc<Anchor>) -> Result<Rc<Inner>, JsValue> {
        let machine = Machine::new(o.config, now()).map_err(|e| super::read::range_error(&e))?;
        let with_providers = o.dialer.fixed_target().is_none();
        let inner = Rc::new_cyclic(|me: &Weak<Inner>| {
            let to = me.clone();
            let dialing = with_providers.then(|| {
                Dialing::new(Closure::new(move |step: u32, payload: JsValue| {
                    if let Some(inner) = to.upgrade() {
                        inner.on_dialed(dialing::outcome(step, payload.unchecked_ref()));
                    }
                    false
                }))
            });
            Inner {
                me: me.clone(),
                machine: RefCell::new(machine),
                anchor,
                handles: Cell::new(1),
                callbacks: o.callbacks,
                logger: o.logger,
                dialer: o.dialer,
                wire: o.wire,
                sockets: Sockets::default(),
                dialing,
                payloads: Payloads::default(),
                timer: RefCell::new(Timer::default()),
                pumping: Cell::new(false),
                page: RefCell::new(None),
                kick: RefCell::new(None),
                gate: Gate::new(),
            }
        });
        let first = inner.machine.borrow_mut().poll();
        if let Some(Output::Action(Action::Connect { socket })) = first {
            match inner.dialer.fixed_target() {
                Some(target) => inner.open_socket(socket, target)?,
                None => inner.connect(socket),
            }
        }
        inner.watch_page();
        let me = inner.me.clone();
        let kick = Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = me.upgrade() {
                inner.pump();
            }
        });
        gate::soon(inner.gate.js(), kick.as_ref());
        *inner.kick.borrow_mut() = Some(kick);
        inner.rearm();
        Ok(inner)
    }

    /// Watch the page, and start from what it says now.
    fn watch_page(&self) {
        let (visibility, network) = (self.wire.pause_when_hidden, self.wire.watch_network);
        {
            let mut m = self.machine.borrow_mut();
            if visibility && page::is_hidden() {
                m.set_hidden(now(), true);
            }
            if network && page::is_offline() {
                m.set_online(now(), false);
            }
        }
        let me = self.me.clone();
        let watch = page::watch(visibility, network, move |e| {
            if let Some(inner) = me.upgrade() {
                inner.on_page(e);
            }
        });
        *self.page.borrow_mut() = Some(watch);
    }

    // ----- handles -------------------------------------------------------

    /// One more `SteadySocket` handle.
    pub fn add_handle(&self) {
        self.handles.set(self.handles.get() + 1);
    }

    /// One handle fewer; the last one terminates.
    pub fn drop_handle(&self) {
        let left = self.handles.get().saturating_sub(1);
        self.handles.set(left);
        if left == 0 && self.state() != State::Terminated {
            // Nobody is left to await its close.
            let _ = self.terminate();
        }
    }

    // ----- what the application calls ------------------------------------

    /// Send `data` (already checked): now, or into the outbox. Returns
    /// whether it was accepted.
    pub fn send(&self, data: JsValue) -> bool {
        let target = self.machine.borrow().sendable();
        if let Some(id) = target {
            match self.sockets.send(id, &data) {
                Sent::Yes => {
                    self.note_sent();
                    self.pump();
                    return true;
                }
                Sent::Threw(e) => {
                    // Not queued: it would fail the same way again.
                    self.send_failed(id, &e);
                    self.pump();
                    return false;
                }
                // Closing already: the outbox, if there is one, keeps it.
                Sent::No => {}
            }
        }
        let queued = self.input().queue(now(), size_of(&data));
        let accepted = match queued {
            Ok(id) => {
                self.payloads.keep(id, data);
                true
            }
            Err(Refusal::Full) => {
                dropped(&self.callbacks, &self.logger, &data, "full");
                false
            }
            Err(_) => false,
        };
        self.pump();
        accepted
    }

    pub fn state(&self) -> State {
        self.machine.borrow().state()
    }

    pub fn connection_state(&self) -> ConnectionState {
        self.machine.borrow().connection_state()
    }

    pub fn pause(&self) {
        self.input().pause(now());
        self.pump();
    }

    pub fn resume(&self) {
        self.input().resume(now());
        self.pump();
    }

    /// `stop(code, reason)`; resolves once the old socket has closed.
    pub fn stop(&self, code: u16, reason: std::borrow::Cow<'static, str>) -> Promise {
        let socket = self.input().stop_with(now(), code, reason);
        self.pump();
        self.sockets.close_promise(socket)
    }

    pub fn try_restart(&self) {
        self.input().try_restart(now());
        self.pump();
    }

    pub fn reconnect(&self, code: u16, reason: std::borrow::Cow<'static, str>) {
        self.input().reconnect(now(), code, reason);
        self.pump();
    }

    pub fn reset_backoff(&self) {
        self.input().reset_backoff();
        self.pump();
    }

    /// Close for good: no reconnect, no timer, no page listener; queued
    /// messages reported dropped. Resolves once the old socket has closed.
    pub fn terminate(&self) -> Promise {
        let socket = self.input().terminate(now());
        let page = self.page.borrow_mut().take();
        drop(page);
        self.pump();
        self.sockets.close_promise(socket)
    }

    /// The URL of the current socket (the last one resolved, when the URL
    /// comes from a function), or `""` before any.
    pub fn url(&self) -> JsValue {
        match (self.sockets.with_live(|t| t.url.clone()), &self.dialer.url) {
            (Some(url), _) => url,
            (None, super::dial::UrlSource::Fixed(u)) => u.clone(),
            (None, _) => JsValue::from_str(""),
        }
    }

    /// A property of the live socket (`""` when there is none).
    pub fn live_property(&self, f: impl Fn(&super::js_api::SocketLike) -> JsValue) -> JsValue {
        self.sockets
            .live_socket()
            .map(|s| f(&s))
            .filter(|v| !v.is_undefined())
            .unwrap_or_else(|| JsValue::from_str(""))
    }

    pub fn binary_type(&self) -> &'static str {
        self.dialer.binary_type.get()
    }

    /// How binary messages arrive, now and on every later socket.
    pub fn set_binary_type(&self, v: &'static str) {
        self.dialer.binary_type.set(v);
        if let Some(s) = self.sockets.live_socket() {
            s.set_binary_type(v);
        }
    }

    /// Messages in the outbox, and their size.
    pub fn queued(&self) -> (u32, f64) {
        let m = self.machine.borrow();
        (m.queued() as u32, m.queued_bytes() as f64)
    }

    // ----- the drain -----------------------------------------------------

    /// The machine, for an input, after telling it about the frames the hot
    /// path delivered since the last input. Every input goes through here.
    fn input(&self) -> RefMut<'_, Machine> {
        let pending = self
            .sockets
            .with_live(|t| t.tap.as_ref()?.take_at().map(|at| (t.id, at)))
            .flatten();
        let mut m = self.machine.borrow_mut();
        if let Some((id, at)) = pending {
            // Never later than now, whatever the event's clock said.
            let _ = m.on_frames(clock::at(at).min(now()), id);
        }
        m
    }

    /// Drain the machine's outputs, in order, each with no borrow held; then
    /// re-arm the timer. A nested call (from a callback) returns at once and
    /// the outer drain delivers what it queued.
    fn pump(&self) {
        if self.pumping.replace(true) {
            return;
        }
        loop {
            let output = self.machine.borrow_mut().poll();
            match output {
                Some(Output::Action(a)) => self.perform(a),
                Some(Output::Event(Event::Dropped { message, reason })) => {
                    let data = self.payloads.take(message);
                    dropped(&self.callbacks, &self.logger, &data, reason.as_str());
                }
                Some(Output::Event(e)) => dispatch(&self.callbacks, &self.logger, e),
                None => break,
            }
        }
        self.pumping.set(false);
        let slow = self.machine.borrow().wants_every_frame();
        self.sockets.with_live(|t| {
            if let Some(tap) = &t.tap {
                tap.set_slow(slow);
            }
        });
        self.rearm();
        // A running socket keeps itself alive; a stopped or terminated one
        // is the application's to keep or drop.
        let running = self.machine.borrow().is_running();
        self.anchor.hold(running);
    }

    fn perform(&self, action: Action) {
        match action {
            Action::Connect { socket } => self.connect(socket),
            Action::Close {
                socket,
                code,
                reason,
            } => self.sockets.close(socket, code, &reason),
            Action::SendPing { socket } => {
                if let Some(ping) = &self.wire.ping {
                    self.send_frame(socket, ping);
                }
            }
            Action::Send { socket, message } => {
                let data = self.payloads.get(message);
                let what = match self.sockets.send(socket, &data) {
                    Sent::Yes => {
                        self.payloads.take(message);
                        Flushed::Sent
                    }
                    Sent::No => Flushed::NotOpen,
                    Sent::Threw(e) => {
                        self.logger
                            .log(&[&"the socket refused a queued message:".into(), &e]);
                        Flushed::Refused
                    }
                };
                self.input().on_flushed(now(), message, what);
            }
        }
    }

    /// Send a frame of the shell's own (a ping, a pong); a throw closes the
    /// socket and reconnects.
    fn send_frame(&self, id: SocketId, data: &JsValue) {
        if let Sent::Threw(e) = self.sockets.send(id, data) {
            self.send_failed(id, &e);
        }
    }

    /// A send threw on an open socket: log it and reconnect.
    fn send_failed(&self, id: SocketId, error: &JsValue) {
        self.logger.log(&[
            &"Failed to send message on WebSocket, reconnecting:".into(),
            error,
        ]);
        self.input().on_send_failed(now(), id);
    }

    /// The heartbeat's interval counts from the last send.
    fn note_sent(&self) {
        if self.wire.ping.is_some() {
            // Only records the time: no need to report frames first (which
            // would cost a call into JavaScript per send).
            self.machine.borrow_mut().on_sent(now());
        }
    }

    // ----- the timer and the page ----------------------------------------

    /// Arm the one timer for the machine's next deadline, if it moved earlier.
    fn rearm(&self) {
        let want = self.machine.borrow().poll_timeout();
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
        self.input().handle_timeout(now());
        self.pump();
    }

    fn on_page(&self, event: PageEvent) {
        match event {
            PageEvent::Hidden(h) => self.input().set_hidden(now(), h),
            PageEvent::Online(o) => self.input().set_online(now(), o),
        }
        self.pump();
    }

    // ----- creating sockets ----------------------------------------------

    /// Create socket `id`: at once, or after the URL and token providers.
    fn connect(&self, id: SocketId) {
        if let Some(target) = self.dialer.fixed_target() {
            if let Err(e) = self.open_socket(id, target) {
                self.dial_failed(id, DialFailure::Constructor, &e);
            }
            return;
        }
        let now_known = self
            .dialing
            .as_ref()
            .and_then(|d| d.resolve_url(&self.dialer, id, self.dial_context()));
        if let Some(outcome) = now_known {
            self.on_dialed(outcome);
        }
    }

    /// The token provider's argument: `{ attempt, lastCloseCode,
    /// lastCloseReason }`, as the machine knows them now.
    fn dial_context(&self) -> JsValue {
        let o = Object::new();
        let m = self.machine.borrow();
        let c = m.dial_context();
        let code = c.last_close_code.map_or(JsValue::NULL, JsValue::from);
        let reason = c.last_close_reason.map_or(JsValue::NULL, JsValue::from_str);
        let _ = Reflect::set(&o, &"attempt".into(), &(c.attempt as f64).into());
        let _ = Reflect::set(&o, &"lastCloseCode".into(), &code);
        let _ = Reflect::set(&o, &"lastCloseReason".into(), &reason);
        o.into()
    }

    /// Whether the machine still waits for socket `id` to be created.
    fn still_wanted(&self, id: SocketId) -> bool {
        let creating = matches!(
            self.machine.borrow().state(),
            State::Connecting { socket, .. } if socket == id
        );
        creating && !self.sockets.is_live(id)
    }

    /// A step of dialing is done: take the next one.
    fn on_dialed(&self, outcome: Outcome) {
        match outcome {
            Outcome::Url {
                socket,
                url,
                context,
            } => {
                if !self.still_wanted(socket) {
                    return;
                }
                if !url.is_string() {
                    return self.provider_failed(socket, DialFailure::UrlProvider, url);
                }
                match &self.dialing {
                    Some(d) if self.dialer.auth.is_some() => {
                        if let Some(failed) = d.resolve_token(&self.dialer, socket, url, &context) {
                            self.on_dialed(failed);
                        }
                    }
                    _ => self.open_target(socket, url, None),
                }
            }
            Outcome::Token { socket, url, token } => {
                if !self.still_wanted(socket) {
                    return;
                }
                if !token.is_string() {
                    return self.provider_failed(socket, DialFailure::TokenProvider, token);
                }
                self.open_target(socket, url, Some(token));
            }
            Outcome::Failed { socket, why, error } => self.provider_failed(socket, why, error),
        }
    }

    fn open_target(&self, id: SocketId, url: JsValue, token: Option<JsValue>) {
        match self.dialer.target(url, token) {
            Ok(target) => {
                if let Err(e) = self.open_socket(id, target) {
                    self.dial_failed(id, DialFailure::Constructor, &e);
                }
            }
            Err(why) => self.dial_failed(id, why, &JsValue::UNDEFINED),
        }
        self.pump();
    }

    fn provider_failed(&self, id: SocketId, why: DialFailure, error: JsValue) {
        if self.still_wanted(id) {
            self.dial_failed(id, why, &error);
            self.pump();
        }
    }

    fn dial_failed(&self, id: SocketId, why: DialFailure, error: &JsValue) {
        let reason = ClientClose::DialFailed(why).reason();
        self.logger.log(&[
            &"WebSocket could not be created:".into(),
            &reason.into(),
            error,
        ]);
        self.input().on_dial_failed(now(), id, why);
    }

    /// Create socket `id` for `target` and make it the live one.
    fn open_socket(&self, id: SocketId, target: Target) -> Result<(), JsValue> {
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
        self.sockets.set_live(t);
        Ok(())
    }

    // ----- the socket's events -------------------------------------------

    fn on_socket_event(&self, id: SocketId, which: SocketEvent, event: EventLike) {
        match which {
            SocketEvent::Open => {
                // The token, when it travels as the first message, goes
                // before `onOpen` and before anything queued.
                let first = self
                    .sockets
                    .with_live(|t| (t.id == id).then(|| t.first_message.clone()).flatten())
                    .flatten();
                if let Some(first) = first {
                    let _ = self.sockets.send(id, &first);
                }
                self.input().on_open(now(), id);
                self.pump();
            }
            SocketEvent::Close if self.sockets.is_live(id) => {
                // Frames delivered before the close are reported first.
                drop(self.input());
                let dead = self.sockets.take_live(id);
                let code = event.code().as_f64().unwrap_or(1006.0) as u16;
                let reason = event.reason().as_string().unwrap_or_default();
                let clean = event.was_clean().as_bool().unwrap_or(false);
                self.machine
                    .borrow_mut()
                    .on_close(now(), id, code, &reason, clean);
                // Its listeners go with no borrow held.
                drop(dead);
                self.pump();
            }
            SocketEvent::Close => self.sockets.retired_closed(id, &event),
            SocketEvent::Error => {
                // Every failure also fires `close`, which is what counts; a
                // retired socket's errors are expected (closing a handshake).
                let msg = event.message();
                if self.sockets.is_live(id) && msg.is_string() {
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
}
