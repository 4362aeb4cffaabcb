//! The machine: its data, what it answers, and its inputs.
//!
//! ```
//! use steadysocket::machine::{Action, Config, Event, Machine, Output};
//!
//! let mut m = Machine::new(Config::default(), 0).unwrap();
//! // After every input (and at the start): drain the outputs, in order.
//! while let Some(output) = m.poll() {
//!     match output {
//!         Output::Action(Action::Connect { socket }) => { /* create it */ }
//!         Output::Action(_) => { /* close, ping, send */ }
//!         Output::Event(Event::StateChanged { to, .. }) => { /* onStateChange */ }
//!         Output::Event(_) => { /* the other callbacks */ }
//!     }
//! }
//! // Then arm one timer for the earliest deadline; when it fires:
//! if let Some(at) = m.poll_timeout() {
//!     m.handle_timeout(at);
//! }
//! ```

use std::borrow::Cow;
use std::collections::VecDeque;

use super::close::{ClientClose, DialFailure, CLOSE_NORMAL, INITIAL_CONNECT, STOPPED};
use super::config::{Config, ResetRule};
use super::error::ConfigError;
use super::event::{Cause, ConnectionState, DialContext, Event, Note, Output};
use super::millis::Millis;
use super::outbox::{Flushed, MessageId, Outbox, Refusal};
use super::phase::{Pause, Phase, Stop, Wait};
use super::retry::Budget;
use super::state::{SocketId, State};
use super::timers::Timer;

/// The connection state machine. Feed it inputs with the current time; drain
/// [`Machine::poll`]; wake it at [`Machine::poll_timeout`] with
/// [`Machine::handle_timeout`].
#[derive(Debug)]
pub struct Machine {
    pub(super) config: Config,
    pub(super) phase: Phase,
    pub(super) next_id: u64,
    pub(super) connection_count: u32,
    pub(super) has_ever_connected: bool,
    /// Why the last connection ended, for the next `onOpen`.
    pub(super) last_close_reason: Option<String>,
    /// The last close's code and reason, for the next dial's context.
    pub(super) last_close: Option<(u16, String)>,
    pub(super) budget: Budget,
    /// The page is hidden (only reported when pausing on hidden is wanted).
    pub(super) hidden: bool,
    pub(super) hidden_since: Millis,
    pub(super) online: bool,
    pub(super) offline_since: Millis,
    /// When the last open connection was lost.
    pub(super) lost_at: Option<Millis>,
    pub(super) outbox: Option<Outbox>,
    pub(super) out: VecDeque<Output>,
}

impl Machine {
    /// A machine that starts connecting right away (state `connecting`, and a
    /// [`super::Action::Connect`] waiting), as Convex's manager does.
    pub fn new(config: Config, now: Millis) -> Result<Machine, ConfigError> {
        config.validate()?;
        let mut m = Machine {
            budget: Budget::new(&config),
            outbox: config.outbox.map(Outbox::new),
            config,
            phase: Phase::Disconnected(Wait {
                at: now,
                trigger: super::event::Trigger::Initial,
            }),
            next_id: 0,
            connection_count: 0,
            has_ever_connected: false,
            last_close_reason: Some(INITIAL_CONNECT.to_owned()),
            last_close: None,
            hidden: false,
            hidden_since: now,
            online: true,
            offline_since: now,
            lost_at: None,
            out: VecDeque::new(),
        };
        m.connect(now, Cause::Initial);
        Ok(m)
    }

    // ----- what it answers -----------------------------------------------

    /// The current state.
    pub fn state(&self) -> State {
        self.phase.public()
    }

    /// The config the machine runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// What `connectionState()` reports.
    pub fn connection_state(&self) -> ConnectionState {
        ConnectionState {
            is_connected: matches!(self.phase, Phase::Ready(..)),
            has_ever_connected: self.has_ever_connected,
            connection_count: self.connection_count,
            connection_retries: self.budget.retries,
            snapshot: self.phase.public().snapshot(),
        }
    }

    /// The socket a message may be sent on now: `ready` and not paused.
    pub fn sendable(&self) -> Option<SocketId> {
        match &self.phase {
            Phase::Ready(l, _) if matches!(l.pause, Pause::No) => Some(l.socket),
            _ => None,
        }
    }

    /// Whether the shell must report each inbound frame through
    /// [`Machine::on_message`] as it arrives. When `false` a frame would
    /// only move the time of the last inbound frame, so the shell may keep
    /// the message path to itself and report the frames later, in one
    /// [`Machine::on_frames`] before its next input to the machine.
    ///
    /// `true` while a frame would do more: the first frame of a connection
    /// under [`ResetRule::FirstMessage`], a ping out that any frame answers,
    /// and outside `connecting`/`ready` (where frames are stale).
    pub fn wants_every_frame(&self) -> bool {
        let any_frame = self.config.heartbeat.is_some_and(|h| h.any_frame);
        match &self.phase {
            Phase::Ready(_, o) => {
                (o.awaiting_first_message && self.config.reset == ResetRule::FirstMessage)
                    || (o.ping.is_some() && any_frame)
            }
            Phase::Connecting(_) => false,
            _ => true,
        }
    }

    /// Whether the machine will act without being asked: it owns a socket,
    /// waits to reconnect, or is stopped only until the page is visible
    /// again. `stopped` (on request or given up) and `terminated` are not
    /// running: nothing happens until the application calls.
    ///
    /// The shell keeps a running socket alive with no reference to it, as
    /// the browser keeps a live `WebSocket`, and leaves one that is not to
    /// the application's references.
    pub fn is_running(&self) -> bool {
        match self.phase {
            Phase::Terminated => false,
            Phase::Stopped(stop) => stop == Stop::Hidden,
            Phase::Disconnected(_) | Phase::Connecting(_) | Phase::Ready(..) => true,
        }
    }

    /// What the token provider is told before an attempt: the consecutive
    /// failures, and the last close (the one `reconnect()` made included).
    pub fn dial_context(&self) -> DialContext<'_> {
        DialContext {
            attempt: self.budget.retries,
            last_close_code: self.last_close.as_ref().map(|(c, _)| *c),
            last_close_reason: self.last_close.as_ref().map(|(_, r)| r.as_str()),
        }
    }

    /// How many messages the outbox holds.
    pub fn queued(&self) -> usize {
        self.outbox.as_ref().map_or(0, Outbox::len)
    }

    /// Their size, as the caller counted it.
    pub fn queued_bytes(&self) -> u64 {
        self.outbox.as_ref().map_or(0, Outbox::bytes)
    }

    // ----- outputs and the timer -----------------------------------------

    /// The next output, in the order things happened; `None` once drained.
    /// A queued message is handed out to be sent only when everything
    /// before it was drained (so `onOpen`'s own sends go first) and the
    /// socket can take it, one at a time: say what became of it with
    /// [`Machine::on_flushed`].
    pub fn poll(&mut self) -> Option<Output> {
        match self.out.pop_front() {
            Some(o) => Some(o),
            None => self.next_send().map(Output::Action),
        }
    }

    /// Every armed timer and its deadline.
    pub fn timers(&self) -> impl Iterator<Item = (Timer, Millis)> + '_ {
        Timer::ORDER
            .into_iter()
            .filter_map(|t| self.deadline(t).map(|at| (t, at)))
    }

    /// When the machine next needs [`Machine::handle_timeout`]: the earliest
    /// deadline, `None` when nothing is armed. Waking it early is harmless.
    pub fn poll_timeout(&self) -> Option<Millis> {
        self.timers().map(|(_, at)| at).min()
    }

    /// Woken (by its timer, or at any time at all): handle what is due by
    /// `now`, in [`Timer::ORDER`]. A timer that fires far later than its
    /// deadline while the page is visible means the machine (or the laptop)
    /// slept: check the connection instead.
    pub fn handle_timeout(&mut self, now: Millis) {
        let due = self.poll_timeout();
        if !self.hidden
            && due.is_some_and(|at| now >= at.saturating_add(self.config.wake_threshold_ms))
            && self.wake(now)
        {
            return;
        }
        // What was due on entry: a deadline that a handler sets (a reconnect
        // with no delay) waits for the next wake-up.
        let due = Timer::ORDER.map(|t| self.deadline(t).is_some_and(|at| at <= now));
        for (timer, was_due) in Timer::ORDER.into_iter().zip(due) {
            if was_due {
                self.fire_if_due(timer, now);
            }
        }
    }

    /// Back from sleep. Returns whether it handled the wake-up.
    fn wake(&mut self, now: Millis) -> bool {
        match self.phase {
            Phase::Disconnected(_) if self.online => {
                self.connect(now, Cause::Wake);
                true
            }
            // A handshake begun before the sleep is not worth waiting for:
            // abandon it and retry after the short client backoff.
            Phase::Connecting(_) => {
                self.close_by_client(now, ClientClose::Wake);
                true
            }
            Phase::Ready(..) if self.config.heartbeat.is_some() => {
                self.probe(now);
                true
            }
            _ => false,
        }
    }

    // ----- the socket's events -------------------------------------------

    /// The socket's `open` event.
    pub fn on_open(&mut self, now: Millis, socket: SocketId) {
        let from = self.phase.public().snapshot();
        match std::mem::replace(&mut self.phase, Phase::Terminated) {
            Phase::Connecting(link) if link.socket == socket => self.open(now, from, link),
            other => {
                self.phase = other;
                self.note(Note::StaleSocketEvent(socket));
            }
        }
    }

    /// An inbound frame. Returns whether to deliver it to the application.
    /// Cheap: it only records the time (no timer is touched).
    pub fn on_message(&mut self, now: Millis, socket: SocketId) -> bool {
        let Some(link) = self.phase.live(socket) else {
            self.note(Note::StaleSocketEvent(socket));
            return false;
        };
        link.last_inbound = now;
        let any_frame = self.config.heartbeat.is_some_and(|h| h.any_frame);
        let first = match self.phase.open_mut() {
            Some(o) => std::mem::replace(&mut o.awaiting_first_message, false),
            None => false,
        };
        if any_frame {
            self.answer_ping(now);
        }
        if first && self.config.reset == ResetRule::FirstMessage {
            self.reset_budget();
        }
        true
    }

    /// Inbound frames the shell delivered without reporting them one by one
    /// (allowed while [`Machine::wants_every_frame`] is `false`), the last
    /// at `at`. The same as [`Machine::on_message`] at `at`, except that the
    /// time of the last inbound frame never moves backwards (a pong reported
    /// in between may be later).
    pub fn on_frames(&mut self, at: Millis, socket: SocketId) -> bool {
        let last = self.phase.link().map_or(at, |l| l.last_inbound);
        self.on_message(at.max(last), socket)
    }

    /// The configured pong arrived (it is not delivered to the application).
    pub fn on_pong(&mut self, now: Millis, socket: SocketId) {
        let Some(link) = self.phase.live(socket) else {
            return self.note(Note::StaleSocketEvent(socket));
        };
        link.last_inbound = now;
        self.answer_ping(now);
    }

    /// The socket's `close` event (also: creating the socket failed, as code
    /// 1006 with no reason).
    pub fn on_close(
        &mut self,
        now: Millis,
        socket: SocketId,
        code: u16,
        reason: &str,
        clean: bool,
    ) {
        if self.phase.live(socket).is_none() {
            return self.note(Note::StaleSocketEvent(socket));
        }
        self.close_by_server(now, code, reason, clean);
    }

    /// The socket could not be created (a provider threw, rejected, answered
    /// a non-string or timed out, or the constructor threw). A failed
    /// attempt: back off from the backoff's `initial_ms` and try again.
    pub fn on_dial_failed(&mut self, now: Millis, socket: SocketId, why: DialFailure) {
        // Only a socket still being created can fail to be created.
        if !matches!(&self.phase, Phase::Connecting(l) if l.socket == socket) {
            return self.note(Note::StaleSocketEvent(socket));
        }
        self.close_by_client(now, ClientClose::DialFailed(why));
    }

    /// Sending on the socket threw: close it and reconnect.
    pub fn on_send_failed(&mut self, now: Millis, socket: SocketId) {
        if self.phase.live(socket).is_none() {
            return self.note(Note::StaleSocketEvent(socket));
        }
        self.close_by_client(now, ClientClose::SendFailed);
    }

    // ----- the application's calls ---------------------------------------

    /// The application sent something on the socket: the heartbeat's
    /// interval counts from here. Only records the time.
    pub fn on_sent(&mut self, now: Millis) {
        if let Some(l) = self.phase.link_mut() {
            l.last_sent = now;
        }
    }

    /// Keep a message of `size` (as the caller counts it) that no socket
    /// could take now, to send it in order once one can. Refused without
    /// an outbox, when it is full, and once terminated.
    pub fn queue(&mut self, now: Millis, size: u64) -> Result<MessageId, Refusal> {
        if matches!(self.phase, Phase::Terminated) {
            return Err(Refusal::Terminated);
        }
        self.expire_outbox(now);
        let queued = match self.outbox.as_mut() {
            None => Err(Refusal::NotReady),
            Some(o) => o.push(size, now).ok_or(Refusal::Full),
        };
        if queued.is_err() {
            let s = self.phase.public();
            self.note(Note::NotSent(s.kind(), s.paused()));
        }
        queued
    }

    /// What became of the message handed out by [`super::Action::Send`].
    pub fn on_flushed(&mut self, now: Millis, message: MessageId, what: Flushed) {
        let Some(open) = self.phase.open_mut() else {
            return;
        };
        if open.in_flight != Some(message) {
            return;
        }
        open.in_flight = None;
        match what {
            // It stays first in line for the next socket.
            Flushed::NotOpen => open.flushing = false,
            Flushed::Sent => {
                if let Some(o) = self.outbox.as_mut() {
                    o.pop(message);
                }
                self.on_sent(now);
            }
            Flushed::Refused => {
                if self.outbox.as_mut().is_some_and(|o| o.pop(message)) {
                    self.emit(Event::Dropped {
                        message,
                        reason: super::outbox::DropReason::Invalid,
                    });
                }
            }
        }
    }

    /// `stop()`: close the socket and wait in `stopped`. Returns the socket
    /// being closed, whose close the caller may await.
    pub fn stop(&mut self, now: Millis) -> Option<SocketId> {
        self.stop_with(now, CLOSE_NORMAL, Cow::Borrowed(STOPPED))
    }

    /// `stop(code, reason)`: as [`Machine::stop`], closing with that code and
    /// reason (the caller checks them as the WebSocket API does).
    pub fn stop_with(
        &mut self,
        now: Millis,
        code: u16,
        reason: Cow<'static, str>,
    ) -> Option<SocketId> {
        self.stop_as(now, code, reason, ClientClose::Stop)
    }

    /// `tryRestart()`: connect again, from `stopped` only. A restart is the
    /// application's fresh start: limited rules get their budget back, and
    /// if the machine stopped itself (a permanent close, a spent limit) the
    /// backoff starts over too.
    pub fn try_restart(&mut self, now: Millis) {
        let Phase::Stopped(stop) = self.phase else {
            let kind = self.phase.public().kind();
            return self.note(Note::RestartIgnored(kind));
        };
        self.budget.restart(stop == Stop::GaveUp);
        self.connect(now, Cause::Restart);
    }

    /// `reconnect(code, reason)`: close the socket, if any, and connect again
    /// right away — from any state but `terminated` (from `stopped` too). The
    /// backoff is not counted: this is the application's decision.
    pub fn reconnect(&mut self, now: Millis, code: u16, reason: Cow<'static, str>) {
        match self.phase {
            Phase::Terminated => {}
            Phase::Stopped(stop) => {
                self.budget.restart(stop == Stop::GaveUp);
                self.connect(now, Cause::Reconnect);
            }
            Phase::Disconnected(_) => self.connect(now, Cause::Reconnect),
            Phase::Connecting(_) | Phase::Ready(..) => {
                self.close_manually(now, ClientClose::Reconnect, code, reason);
                let wait = Wait {
                    at: now,
                    trigger: super::event::Trigger::Backoff,
                };
                self.set_phase(Phase::Disconnected(wait), Cause::Reconnect);
                self.connect(now, Cause::Reconnect);
            }
        }
    }

    /// `terminate()`: close for good, and drop what the outbox holds.
    /// Returns the socket being closed.
    pub fn terminate(&mut self, now: Millis) -> Option<SocketId> {
        if matches!(self.phase, Phase::Terminated) {
            return None;
        }
        let socket = self.phase.link().map(|l| l.socket);
        let reason = Cow::Borrowed(ClientClose::Terminate.reason());
        self.close_manually(now, ClientClose::Terminate, CLOSE_NORMAL, reason);
        self.set_phase(Phase::Terminated, Cause::Terminate);
        self.drop_queued();
        socket
    }

    /// `pause()`: `connecting` and `ready` only; sends are refused and an
    /// open that happens meanwhile is owed until `resume()`.
    pub fn pause(&mut self, _now: Millis) {
        if let Some(l) = self.phase.link_mut() {
            l.app_paused = true;
        }
        self.pause_as(Cause::Pause);
    }

    /// `resume()`: undo `pause()`; delivers the owed `onOpen`, or `onResume`.
    /// While the page is hidden (and pausing on hidden is on) the socket
    /// stays paused until it is visible.
    pub fn resume(&mut self, now: Millis) {
        if let Some(l) = self.phase.link_mut() {
            l.app_paused = false;
        }
        if !self.hidden {
            self.resume_as(now, Cause::Resume);
        }
    }

    /// The application has synced past the last reconnect: consecutive
    /// failures stop counting.
    pub fn reset_backoff(&mut self) {
        self.reset_budget();
    }

    // ----- the page ------------------------------------------------------

    /// The page became hidden (`true`) or visible (`false`). Report it only
    /// when pausing on hidden is wanted.
    ///
    /// Hidden: the socket is paused (sends refused, `onOpen` deferred) and
    /// new sockets start paused; inactivity is not judged on timers that the
    /// browser throttles or freezes. Visible: resume (unless the application
    /// paused), connect now if a reconnect is pending or the page's absence
    /// stopped the machine, probe if connected.
    pub fn set_hidden(&mut self, now: Millis, hidden: bool) {
        if hidden == self.hidden {
            return;
        }
        self.hidden = hidden;
        if hidden {
            self.hidden_since = now;
            return self.pause_as(Cause::Hidden);
        }
        match &self.phase {
            Phase::Stopped(Stop::Hidden) => self.connect(now, Cause::Visible),
            Phase::Disconnected(_) if self.online => self.connect(now, Cause::Visible),
            Phase::Connecting(l) | Phase::Ready(l, _) => {
                if !l.app_paused {
                    self.resume_as(now, Cause::Visible);
                }
                self.probe(now);
            }
            _ => {}
        }
    }

    /// The network went away (`false`) or came back (`true`). Offline, a due
    /// reconnect waits for `online` (or a ceiling) instead of burning
    /// retries on attempts that cannot succeed; online, connect now if
    /// disconnected, probe if ready.
    pub fn set_online(&mut self, now: Millis, online: bool) {
        if online == self.online {
            return;
        }
        self.online = online;
        if !online {
            self.offline_since = now;
            return;
        }
        match self.phase {
            Phase::Disconnected(_) => self.connect(now, Cause::Online),
            Phase::Ready(..) => self.probe(now),
            _ => {}
        }
    }
}
