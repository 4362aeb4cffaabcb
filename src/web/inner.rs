//! The socket's insides: the machine and what carries out its outputs — the
//! sockets, the dial, the payloads of queued messages, the one timer, the
//! page watch — and the drain that takes the machine's one output stream,
//! in order, with no borrow held while JavaScript runs. Everything for the
//! application goes through the door.

use alloc::borrow::Cow;
use alloc::rc::{Rc, Weak};
use core::cell::{Cell, RefCell, RefMut};

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Event as DomEvent;

use super::anchor::{Anchor, Slot};
use super::clock::{self, now};
use super::config::{self, Wire};
use super::door::{Door, Kind, Line};
use super::fast;
use super::gate::Gate;
use super::page::{self, PageEvent, PageWatch};
use super::payloads::Payloads;
use super::sockets::{Sent, Sockets};
use super::tap::{Frame, Slow, Tap};
use super::timer::{Timeout, Timer};
use super::transport::{SocketEvent, Target, Transport};
use crate::machine::{
    Action, ConnectionState, DialFailure, Event, Flushed, Machine, Output, Refusal, SocketId, State,
};

/// What the door's dial tells the shell later (door.js's `DIALED`).
const TARGET: u32 = 0;
const FAILED: u32 = 1;
const WANTED: u32 = 2;

/// The callback the door's later dial outcomes go to:
/// `(step, [id, ...])`, the message tap's signature.
type Dialed = Closure<dyn FnMut(u32, JsValue) -> bool>;

pub struct Inner {
    me: Weak<Inner>,
    machine: RefCell<Machine>,
    /// The application's values; held strongly only while the machine runs.
    anchor: Rc<Anchor>,
    door: Door,
    /// How many `Core` handles point here; the last one to go terminates.
    handles: Cell<u32>,
    wire: Wire,
    /// `binaryType` is `"blob"`.
    blob: Cell<bool>,
    sockets: Sockets,
    payloads: Payloads,
    timer: RefCell<Timer>,
    pumping: Cell<bool>,
    page: RefCell<Option<PageWatch>>,
    /// The constructor's first drain, in a microtask.
    kick: RefCell<Option<Closure<dyn FnMut()>>>,
    /// The door's later dial outcomes.
    dialed: RefCell<Option<Dialed>>,
    /// Closed when this is dropped: a late kick or dial outcome reaches
    /// nothing.
    gate: Gate,
}

fn num(v: &JsValue) -> f64 {
    v.as_f64().unwrap_or(-1.0)
}

impl Inner {
    /// A socket for the compiled options in `anchor` (options.js's
    /// `anchorOf`), connecting. The first socket is created here, so a bad
    /// URL throws from `new`; the events wait for a microtask, so callbacks
    /// that use the variable being assigned by `new` find it.
    pub fn new(anchor: Array, prefixes: &str, pinned: bool) -> Result<Rc<Inner>, JsValue> {
        let anchor = Rc::new(Anchor::new(anchor, pinned));
        let (config, wire) =
            config::read(&anchor.get(Slot::Nums), &anchor.get(Slot::Values), prefixes);
        // Read once: nothing keeps them.
        anchor.set(Slot::Nums, &JsValue::UNDEFINED);
        anchor.set(Slot::Values, &JsValue::UNDEFINED);
        let machine =
            Machine::new(config, now()).map_err(|e| js_sys::RangeError::new(e.expected))?;
        let inner = Rc::new_cyclic(|me: &Weak<Inner>| Inner {
            me: me.clone(),
            machine: RefCell::new(machine),
            door: Door::new(&anchor),
            anchor,
            handles: Cell::new(1),
            blob: Cell::new(wire.blob),
            wire,
            sockets: Sockets::default(),
            payloads: Payloads::default(),
            timer: RefCell::new(Timer::default()),
            pumping: Cell::new(false),
            page: RefCell::new(None),
            kick: RefCell::new(None),
            dialed: RefCell::new(None),
            gate: Gate::new(),
        });
        let me = inner.me.clone();
        let dialed: Dialed = Closure::new(move |step: u32, payload: JsValue| {
            me.upgrade()
                .is_some_and(|inner| inner.on_dialed(step, payload.unchecked_ref()))
        });
        let pair = Array::of2(dialed.as_ref(), inner.gate.js());
        inner.door.emit(Kind::Init, &[], &pair);
        *inner.dialed.borrow_mut() = Some(dialed);
        let first = inner.machine.borrow_mut().poll();
        if let Some(Output::Action(Action::Connect { socket })) = first {
            inner.connect(socket, true)?;
        }
        inner.watch_page();
        let me = inner.me.clone();
        let kick = Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = me.upgrade() {
                inner.pump();
            }
        });
        fast::soon(inner.gate.js(), kick.as_ref());
        *inner.kick.borrow_mut() = Some(kick);
        inner.rearm();
        Ok(inner)
    }

    /// Watch the page, and start from what it says now.
    fn watch_page(&self) {
        let (network, page_hide) = (self.wire.watch_network, self.wire.close_on_page_hide);
        {
            let mut m = self.machine.borrow_mut();
            if page::is_hidden() {
                m.set_hidden(now(), true);
            }
            if network && page::is_offline() {
                m.set_online(now(), false);
            }
        }
        let me = self.me.clone();
        let watch = page::watch(network, page_hide, move |e| {
            if let Some(inner) = me.upgrade() {
                inner.on_page(e);
            }
        });
        *self.page.borrow_mut() = Some(watch);
    }

    // ----- handles -------------------------------------------------------

    /// One more `Core` handle.
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

    /// Send `data` (checked by the entry; `size` as the outbox counts it):
    /// now, or into the outbox. Returns whether it was accepted.
    pub fn send(&self, data: JsValue, size: f64) -> bool {
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
        let queued = self.input().queue(now(), size.max(0.0) as u64);
        let accepted = match queued {
            Ok(id) => {
                self.payloads.keep(id, data);
                true
            }
            Err(Refusal::Full) => {
                self.door.emit(Kind::Drop, &[3.0], &data);
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
    pub fn stop(&self, code: u16, reason: Cow<'static, str>) -> Promise {
        let socket = self.input().stop_with(now(), code, reason);
        self.pump();
        self.sockets.close_promise(socket)
    }

    pub fn try_restart(&self) {
        self.input().try_restart(now());
        self.pump();
    }

    pub fn reconnect(&self, code: u16, reason: Cow<'static, str>) {
        self.input().reconnect(now(), code, reason);
        self.pump();
    }

    pub fn reset_backoff(&self) {
        self.input().reset_backoff(now());
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

    /// The live socket and the URL it was created with, if any.
    pub fn live(&self) -> Option<(JsValue, JsValue)> {
        self.sockets
            .with_live(|t| (t.socket.clone().into(), t.url.clone()))
    }

    /// How binary messages arrive, now and on every later socket.
    pub fn set_blob(&self, blob: bool) {
        self.blob.set(blob);
        if let Some(s) = self.sockets.live_socket() {
            super::fast::set_binary_type(&s, blob);
        }
    }

    /// Messages in the outbox, and their size.
    pub fn queued(&self) -> (f64, f64) {
        let m = self.machine.borrow();
        (m.queued() as f64, m.queued_bytes() as f64)
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
                    self.door.emit(Kind::Drop, &[reason as u8 as f64], &data);
                }
                Some(Output::Event(e)) => self.door.event(e),
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
            Action::Connect { socket } => {
                let _ = self.connect(socket, false);
            }
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
            Action::Judge(facts) => {
                // The function runs with no borrow held: it may call the
                // socket (which lets the rules decide first).
                let verdict = self.door.judge(&facts);
                self.input().judge(now(), verdict);
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
                        self.door.log(Line::Refused, 0.0, &e);
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
        self.door.log(Line::SendFailed, 0.0, error);
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
            PageEvent::PageHide => self.input().page_hide(now()),
            PageEvent::PageShow => self.input().page_show(now()),
            PageEvent::Resume => self.input().page_resumed(now()),
        }
        self.pump();
    }

    // ----- creating sockets ----------------------------------------------

    /// Ask the door for socket `id`'s target: it is known now (a fixed URL,
    /// a token given at once), failed now, or comes later ([`Inner::on_dialed`]).
    /// From the constructor (`first`), what the WebSocket constructor throws
    /// (a bad URL) is returned.
    fn connect(&self, id: SocketId, first: bool) -> Result<(), JsValue> {
        let (attempt, code, reason) = {
            let m = self.machine.borrow();
            let c = m.dial_context();
            (
                f64::from(c.attempt),
                c.last_close_code.map_or(-1.0, f64::from),
                c.last_close_reason.map_or(JsValue::NULL, JsValue::from_str),
            )
        };
        let answer = self
            .door
            .emit(Kind::Dial, &[id.0 as f64, attempt, code], &reason);
        let Some(answer) = answer.dyn_ref::<Array>() else {
            return Ok(());
        };
        if answer.get(0).is_string() {
            let target = Target {
                url: answer.get(0),
                protocols: answer.get(1),
                first_message: answer.get(2),
            };
            match self.open_socket(id, target) {
                Err(e) if first => return Err(e),
                Err(e) => self.dial_failed(id, DialFailure::Constructor, &e),
                Ok(()) => {}
            }
        } else {
            let why = failure(num(&answer.get(1)));
            self.dial_failed(id, why, &answer.get(2));
        }
        Ok(())
    }

    /// Whether the machine still waits for socket `id` to be created.
    fn still_wanted(&self, id: SocketId) -> bool {
        let creating = matches!(
            self.machine.borrow().state(),
            State::Connecting { socket, .. } if socket == id
        );
        creating && !self.sockets.is_live(id)
    }

    /// What the door's dial tells later: the target, a failure, or the
    /// question whether the socket is still wanted.
    fn on_dialed(&self, step: u32, payload: &Array) -> bool {
        let id = SocketId(num(&payload.get(0)).max(0.0) as u64);
        if !self.still_wanted(id) {
            return false;
        }
        match step {
            TARGET => {
                let target = Target {
                    url: payload.get(1),
                    protocols: payload.get(2),
                    first_message: payload.get(3),
                };
                if let Err(e) = self.open_socket(id, target) {
                    self.dial_failed(id, DialFailure::Constructor, &e);
                }
            }
            FAILED => {
                let why = failure(num(&payload.get(1)));
                self.dial_failed(id, why, &payload.get(2));
            }
            WANTED => return true,
            _ => return false,
        }
        self.pump();
        true
    }

    fn dial_failed(&self, id: SocketId, why: DialFailure, error: &JsValue) {
        self.door.log(Line::DialFailed, why as u8 as f64, error);
        self.input().on_dial_failed(now(), id, why);
    }

    /// Create socket `id` for `target` and make it the live one.
    fn open_socket(&self, id: SocketId, target: Target) -> Result<(), JsValue> {
        let me = self.me.clone();
        let tap = Tap::new(
            &self.anchor.get(Slot::OnMessage),
            &self.anchor.get(Slot::This),
            self.wire.auto_pong.as_ref().map(|a| &a.ping),
            self.wire.pong.as_ref(),
            move |slow| me.upgrade().is_some_and(|inner| inner.on_tap(id, slow)),
        );
        let (me, me2) = (self.me.clone(), self.me.clone());
        let t = Transport::open(
            &self.anchor.get(Slot::Constructor),
            target,
            self.blob.get(),
            id,
            tap,
            move |id, which, event| {
                if let Some(inner) = me.upgrade() {
                    inner.on_socket_event(id, which, event);
                }
            },
            move |id, code, reason, clean| {
                if let Some(inner) = me2.upgrade() {
                    inner.on_close(id, code, &reason, clean);
                }
            },
        )?;
        self.sockets.set_live(t);
        Ok(())
    }

    // ----- the socket's events -------------------------------------------

    fn on_socket_event(&self, id: SocketId, which: SocketEvent, event: DomEvent) {
        match which {
            SocketEvent::Open => {
                // The token, when it travels as the first message, goes
                // before `onOpen` and before anything queued.
                let first = self
                    .sockets
                    .with_live(|t| (t.id == id).then(|| t.first_message.clone()))
                    .flatten()
                    .filter(|f| !f.is_undefined());
                if let Some(first) = first {
                    let _ = self.sockets.send(id, &first);
                }
                self.input().on_open(now(), id);
                self.pump();
            }
            SocketEvent::Error => {
                // Every failure also fires `close`, which is what counts; a
                // retired socket's errors are expected (closing a handshake).
                // The browser's is a plain `Event`; `ws`'s carries a message.
                let msg =
                    js_sys::Reflect::get(event.as_ref(), &"message".into()).unwrap_or_default();
                if self.sockets.is_live(id) && msg.is_string() {
                    self.door.log(Line::SocketError, 0.0, &msg);
                }
            }
        }
    }

    fn on_close(&self, id: SocketId, code: u16, reason: &str, clean: bool) {
        if !self.sockets.is_live(id) {
            return self.sockets.retired_closed(id, code, reason, clean);
        }
        // Frames delivered before the close are reported first.
        drop(self.input());
        let dead = self.sockets.take_live(id);
        self.machine
            .borrow_mut()
            .on_close(now(), id, code, reason, clean);
        // Its listeners go with no borrow held.
        drop(dead);
        self.pump();
    }

    /// What the message hot path (`fast.js`) hands back: a frame the
    /// machine must see (answers whether to deliver it), or what `onMessage`
    /// threw or answered.
    fn on_tap(&self, id: SocketId, slow: Slow) -> bool {
        match slow {
            Slow::Frame(frame) => return self.on_frame(id, frame),
            Slow::Threw(e) => self.door.log(Line::MessageThrew, 0.0, &e),
            Slow::Synced => {
                self.input().reset_backoff(now());
                self.pump();
            }
        }
        false
    }

    /// The slow path of a frame: answer pings (text with text, bytes with
    /// bytes), take pongs, tell the machine and deliver what it produced.
    /// Returns whether the frame goes to `onMessage` (the hot path's handler
    /// delivers it).
    fn on_frame(&self, id: SocketId, frame: Frame) -> bool {
        let deliver = match (frame, &self.wire.auto_pong, &self.wire.pong) {
            (Frame::Ping { binary }, Some(answer), _) => {
                if self.input().on_message(now(), id) {
                    self.send_frame(id, if binary { &answer.bytes } else { &answer.text });
                }
                false
            }
            (Frame::Pong, _, Some(_)) => {
                self.input().on_pong(now(), id);
                false
            }
            _ => self.input().on_message(now(), id),
        };
        self.pump();
        deliver
    }
}

/// door.js's dial failure codes.
fn failure(code: f64) -> DialFailure {
    match code as u8 {
        0 => DialFailure::UrlProvider,
        1 => DialFailure::TokenProvider,
        _ => DialFailure::Constructor,
    }
}
