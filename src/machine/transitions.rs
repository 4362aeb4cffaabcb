//! The machine: every input, and the transitions, actions and events it leads
//! to. See the module docs of [`super`] for the state table.

use std::borrow::Cow;
use std::collections::VecDeque;

use super::backoff::{self, Rng};
use super::config::{Config, ConfigError, Millis, ResetRule};
use super::event::{
    Action, Cause, CloseInfo, ConnectionState, Decision, DecisionKind, Event, Initiator, Note,
    OpenMeta, Trigger,
};
use super::policy::RuleAction;
use super::state::{Paused, SocketId, State};

/// The reason given to `onOpen` for the very first connection.
pub const INITIAL_CONNECT: &str = "InitialConnect";
/// Close reason when no inbound frame arrived within the inactivity timeout.
pub const INACTIVE_SERVER: &str = "InactiveServer";
/// Close reason when a handshake took longer than the connect timeout.
pub const CONNECT_TIMEOUT: &str = "ConnectTimeout";
/// Close reason when sending on the socket threw.
pub const FAILED_TO_SEND: &str = "FailedToSendMessage";
/// Close reason sent by `stop()`.
pub const STOPPED: &str = "Stopped";
/// Close reason sent by `terminate()`.
pub const TERMINATED: &str = "Terminated";
/// Close reason sent by `reconnect()` without one.
pub const RECONNECT: &str = "Reconnect";
/// Close reason when a heartbeat ping went unanswered.
pub const HEARTBEAT_TIMEOUT: &str = "HeartbeatTimeout";
/// Close reason when a probe went unanswered.
pub const PROBE_TIMEOUT: &str = "ProbeTimeout";
/// Close reason when a handshake under way while the machine slept is
/// abandoned on waking.
pub const WAKE: &str = "Wake";
/// The code this client closes with.
pub const CLOSE_NORMAL: u16 = 1000;

/// Close codes that are normal enough not to be logged or reported.
pub fn is_quiet(code: u16) -> bool {
    // 1005 is common on mobile when the app goes to the background; 4040 is
    // Convex's transient "not found" during a push.
    matches!(code, 1000 | 1001 | 1005 | 4040)
}

/// The connection state machine. Feed it inputs with the current time; drain
/// [`Machine::poll_action`] and [`Machine::poll_event`]; wake it at
/// [`Machine::next_timeout`] with [`Machine::on_timeout`].
#[derive(Debug)]
pub struct Machine {
    pub(super) config: Config,
    pub(super) state: State,
    next_id: u64,
    connection_count: u32,
    has_ever_connected: bool,
    last_close_reason: Option<String>,
    retries: u32,
    /// Consecutive closes matched by each close-policy rule (for limited ones).
    limited: Vec<u32>,
    /// The machine stopped itself (permanent close, retries exhausted).
    gave_up: bool,
    pub(super) reconnect_at: Option<Millis>,
    pub(super) last_inbound: Millis,
    pub(super) last_sent: Millis,
    /// When the current socket was created.
    pub(super) connect_started: Millis,
    pub(super) opened_at: Millis,
    pub(super) stable_pending: bool,
    awaiting_first_message: bool,
    owed_open: Option<OpenMeta>,
    /// `pause()` was called for the current socket (a new socket forgets it,
    /// as in Convex).
    pub(super) app_paused: bool,
    /// The page is hidden (only reported when pausing on hidden is wanted).
    pub(super) hidden: bool,
    pub(super) hidden_since: Millis,
    /// The machine stopped because the page stayed hidden.
    pub(super) stopped_by_hidden: bool,
    pub(super) online: bool,
    pub(super) offline_since: Millis,
    /// The ping (or probe) awaiting its answer.
    pub(super) ping: Option<Ping>,
    /// What the next connect after the backoff wait reports as its trigger.
    backoff_trigger: Trigger,
    connect_trigger: Trigger,
    /// When the last open connection was lost.
    lost_at: Option<Millis>,
    rng: Rng,
    pub(super) actions: VecDeque<Action>,
    pub(super) events: VecDeque<Event>,
}

/// A ping awaiting its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Ping {
    pub(super) sent_at: Millis,
    pub(super) deadline: Millis,
    pub(super) probe: bool,
}

impl Machine {
    /// A machine that starts connecting right away (state `connecting`, and a
    /// [`Action::Connect`] waiting), as Convex's manager does.
    pub fn new(config: Config, now: Millis) -> Result<Machine, ConfigError> {
        config.validate()?;
        let mut m = Machine {
            limited: vec![0; config.policy.rules.len()],
            rng: Rng::new(config.seed),
            config,
            state: State::Disconnected,
            next_id: 0,
            connection_count: 0,
            has_ever_connected: false,
            last_close_reason: Some(INITIAL_CONNECT.to_owned()),
            retries: 0,
            gave_up: false,
            reconnect_at: None,
            last_inbound: now,
            last_sent: now,
            connect_started: now,
            opened_at: now,
            stable_pending: false,
            awaiting_first_message: false,
            owed_open: None,
            app_paused: false,
            hidden: false,
            hidden_since: now,
            stopped_by_hidden: false,
            online: true,
            offline_since: now,
            ping: None,
            backoff_trigger: Trigger::Backoff,
            connect_trigger: Trigger::Initial,
            lost_at: None,
            actions: VecDeque::new(),
            events: VecDeque::new(),
        };
        m.connect(now, Cause::Initial);
        Ok(m)
    }

    // ----- queries -------------------------------------------------------

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The config the machine runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// What `connectionState()` reports.
    pub fn connection_state(&self) -> ConnectionState {
        ConnectionState {
            is_connected: matches!(self.state, State::Ready { .. }),
            has_ever_connected: self.has_ever_connected,
            connection_count: self.connection_count,
            connection_retries: self.retries,
            snapshot: self.state.snapshot(),
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
        match self.state {
            State::Terminated => false,
            State::Stopped => self.stopped_by_hidden,
            State::Disconnected | State::Connecting { .. } | State::Ready { .. } => true,
        }
    }

    /// The next action for the I/O layer.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The socket a message may be sent on now: `ready` and not paused. A
    /// refusal is noted in the verbose log.
    pub fn send_target(&mut self) -> Option<SocketId> {
        let target = self.sendable();
        if target.is_none() {
            self.note(Note::NotSent(self.state.kind(), self.state.paused()));
        }
        target
    }

    /// As [`Machine::send_target`], without the note.
    pub fn sendable(&self) -> Option<SocketId> {
        match self.state {
            State::Ready {
                socket,
                paused: Paused::No,
            } => Some(socket),
            _ => None,
        }
    }

    // ----- socket inputs -------------------------------------------------

    /// The socket's `open` event.
    pub fn on_open(&mut self, now: Millis, socket: SocketId) {
        let State::Connecting {
            socket: live,
            paused,
        } = self.state
        else {
            return self.note(Note::StaleSocketEvent(socket));
        };
        if live != socket {
            return self.note(Note::StaleSocketEvent(socket));
        }
        let paused = if paused == Paused::Yes {
            Paused::Uninitialized
        } else {
            Paused::No
        };
        self.set_state(State::Ready { socket, paused }, Cause::Open);
        self.last_inbound = now;
        self.last_sent = now;
        self.opened_at = now;
        self.stable_pending = matches!(self.config.reset, ResetRule::StableFor(_));
        self.awaiting_first_message = true;
        let meta = OpenMeta {
            connection_count: self.connection_count,
            last_close_reason: self.last_close_reason.take(),
            client_ts: now,
            trigger: self.connect_trigger,
            downtime_ms: self.lost_at.take().map(|at| now.saturating_sub(at)),
        };
        self.connection_count += 1;
        if paused == Paused::No {
            self.has_ever_connected = true;
            self.events.push_back(Event::Opened(meta));
        } else {
            self.owed_open = Some(meta);
        }
    }

    /// An inbound frame. Returns whether to deliver it to the application.
    /// Cheap: it only records the time (no timer is touched).
    pub fn on_message(&mut self, now: Millis, socket: SocketId) -> bool {
        match self.state {
            State::Ready { socket: live, .. } | State::Connecting { socket: live, .. }
                if live == socket =>
            {
                self.last_inbound = now;
                if self.ping.is_some() && self.config.heartbeat.is_some_and(|h| h.any_frame) {
                    self.answer_ping(now);
                }
                if self.awaiting_first_message {
                    self.awaiting_first_message = false;
                    if self.config.reset == ResetRule::FirstMessage {
                        self.reset_backoff();
                    }
                }
                true
            }
            _ => {
                self.note(Note::StaleSocketEvent(socket));
                false
            }
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
        match self.state {
            State::Ready { .. } | State::Connecting { .. } => {
                (self.awaiting_first_message && self.config.reset == ResetRule::FirstMessage)
                    || (self.ping.is_some() && self.config.heartbeat.is_some_and(|h| h.any_frame))
            }
            _ => true,
        }
    }

    /// Inbound frames the shell delivered without reporting them one by one
    /// (allowed while [`Machine::wants_every_frame`] is `false`), the last
    /// at `at`. The same as [`Machine::on_message`] at `at`, except that the
    /// time of the last inbound frame never moves backwards (a pong reported
    /// in between may be later).
    pub fn on_frames(&mut self, at: Millis, socket: SocketId) -> bool {
        let at = at.max(self.last_inbound);
        self.on_message(at, socket)
    }

    /// The socket's `close` event (also: creating the socket failed, as code
    /// 1006 with no reason).
    pub fn on_close(
        &mut self,
        now: Millis,
        socket: SocketId,
        code: u16,
        reason: &str,
        was_clean: bool,
    ) {
        if self.state.socket() != Some(socket) {
            return self.note(Note::StaleSocketEvent(socket));
        }
        self.settle_stable(now);
        self.backoff_trigger = Trigger::Backoff;
        if self.last_close_reason.is_none() {
            self.last_close_reason = Some(if reason.is_empty() {
                closed_with_code(code)
            } else {
                reason.to_owned()
            });
        }
        let quiet = is_quiet(code);
        if !quiet && !reason.is_empty() {
            self.events.push_back(Event::ServerDisconnectError {
                code,
                reason: reason.to_owned(),
            });
        }
        let rule = self.config.policy.classify(code, reason);
        let (decision, cause) = match rule.map(|i| (i, &self.config.policy.rules[i].action)) {
            Some((i, RuleAction::Permanent)) => (
                Decision {
                    kind: DecisionKind::Permanent,
                    reconnect: false,
                    base_ms: None,
                    delay_ms: None,
                    retries: self.retries,
                    max_retries: None,
                    rule: Some(i),
                },
                Cause::PermanentClose,
            ),
            Some((
                i,
                &RuleAction::Limited {
                    max_retries,
                    initial_ms,
                },
            )) => {
                if self.limited[i] >= max_retries {
                    (
                        Decision {
                            kind: DecisionKind::Limited,
                            reconnect: false,
                            base_ms: None,
                            delay_ms: None,
                            retries: self.retries,
                            max_retries: Some(max_retries),
                            rule: Some(i),
                        },
                        Cause::RetriesExhausted,
                    )
                } else {
                    self.limited[i] += 1;
                    let mut d = self.schedule(now, initial_ms, DecisionKind::Limited, Cause::Close);
                    d.0.rule = Some(i);
                    if d.0.reconnect {
                        d.0.max_retries = Some(max_retries);
                    }
                    d
                }
            }
            Some((i, &RuleAction::Retry { initial_ms })) => {
                let initial = initial_ms.unwrap_or(self.config.backoff.initial_ms);
                let mut d = self.schedule(now, initial, DecisionKind::Retry, Cause::Close);
                d.0.rule = Some(i);
                d
            }
            None => {
                let initial = self.config.backoff.initial_ms;
                self.schedule(now, initial, DecisionKind::Retry, Cause::Close)
            }
        };
        self.events.push_back(Event::Closed(CloseInfo {
            code,
            reason: reason.to_owned(),
            was_clean,
            initiator: Initiator::Server,
            quiet,
            decision,
        }));
        self.leave_socket(now, decision, cause);
    }

    /// The socket could not be created (`reason` says why: a provider threw,
    /// rejected or timed out, or the constructor threw). A failed attempt:
    /// back off from the backoff's `initial_ms` and try again.
    pub fn on_dial_failed(&mut self, now: Millis, socket: SocketId, reason: &'static str) {
        // Only a socket still being created can fail to be created.
        if !matches!(self.state, State::Connecting { socket: live, .. } if live == socket) {
            return self.note(Note::StaleSocketEvent(socket));
        }
        self.backoff_trigger = Trigger::Backoff;
        self.last_close_reason = Some(reason.to_owned());
        let initial = self.config.backoff.initial_ms;
        let (decision, cause) = self.schedule(now, initial, DecisionKind::Retry, Cause::DialFailed);
        self.events.push_back(Event::Closed(CloseInfo {
            code: 1006,
            reason: reason.to_owned(),
            was_clean: false,
            initiator: Initiator::Client,
            quiet: false,
            decision,
        }));
        self.leave_socket(now, decision, cause);
    }

    /// Sending on the socket threw: close it and reconnect.
    pub fn on_send_failed(&mut self, now: Millis, socket: SocketId) {
        if self.state.socket() != Some(socket) {
            return self.note(Note::StaleSocketEvent(socket));
        }
        self.close_and_reconnect(now, FAILED_TO_SEND, Cause::SendFailed);
    }

    // ----- application inputs --------------------------------------------

    /// `stop()`: close the socket and wait in `stopped`. Returns the socket
    /// being closed, whose close the caller may await.
    pub fn stop(&mut self, now: Millis) -> Option<SocketId> {
        self.stop_with(now, CLOSE_NORMAL, Cow::Borrowed(STOPPED), Cause::Stop)
    }

    /// `stop(code, reason)`: as [`Machine::stop`], closing with that code and
    /// reason (the caller checks them as the WebSocket API does).
    pub fn stop_with(
        &mut self,
        now: Millis,
        code: u16,
        reason: Cow<'static, str>,
        cause: Cause,
    ) -> Option<SocketId> {
        self.stopped_by_hidden = false;
        match self.state {
            State::Terminated | State::Stopped => None,
            State::Disconnected => {
                self.reconnect_at = None;
                self.set_state(State::Stopped, cause);
                None
            }
            State::Connecting { socket, .. } | State::Ready { socket, .. } => {
                self.close_manually(now, socket, code, reason, false);
                self.set_state(State::Stopped, cause);
                Some(socket)
            }
        }
    }

    /// `tryRestart()`: connect again, from `stopped` only.
    pub fn try_restart(&mut self, now: Millis) {
        if self.state != State::Stopped {
            return self.note(Note::RestartIgnored(self.state.kind()));
        }
        // A restart is the application's fresh start: limited rules get their
        // budget back, and if the machine stopped itself (a permanent close,
        // a spent limit) the backoff starts over too.
        self.restart_budgets();
        self.connect(now, Cause::Restart);
    }

    fn restart_budgets(&mut self) {
        self.limited.iter_mut().for_each(|n| *n = 0);
        if self.gave_up {
            self.retries = 0;
            self.gave_up = false;
        }
    }

    /// `reconnect(code, reason)`: close the socket, if any, and connect again
    /// right away — from any state but `terminated` (from `stopped` too). The
    /// backoff is not counted: this is the application's decision.
    pub fn reconnect(&mut self, now: Millis, code: u16, reason: Cow<'static, str>) {
        match self.state {
            State::Terminated => {}
            State::Stopped => {
                self.stopped_by_hidden = false;
                self.restart_budgets();
                self.connect(now, Cause::Reconnect);
            }
            State::Disconnected => self.connect(now, Cause::Reconnect),
            State::Connecting { socket, .. } | State::Ready { socket, .. } => {
                self.close_manually(now, socket, code, reason, true);
                self.set_state(State::Disconnected, Cause::Reconnect);
                self.connect(now, Cause::Reconnect);
            }
        }
    }

    /// `terminate()`: close for good. Returns the socket being closed.
    pub fn terminate(&mut self, now: Millis) -> Option<SocketId> {
        if self.state == State::Terminated {
            return None;
        }
        let socket = self.state.socket();
        if let Some(s) = socket {
            self.close_manually(now, s, CLOSE_NORMAL, Cow::Borrowed(TERMINATED), false);
        }
        self.clear_timers();
        self.set_state(State::Terminated, Cause::Terminate);
        socket
    }

    /// `pause()`: `connecting` and `ready` only; sends are refused and an
    /// open that happens meanwhile is owed until `resume()`.
    pub fn pause(&mut self, _now: Millis) {
        if self.state.socket().is_some() {
            self.app_paused = true;
        }
        self.pause_as(Cause::Pause);
    }

    pub(super) fn pause_as(&mut self, cause: Cause) {
        match self.state {
            State::Connecting {
                socket,
                paused: Paused::No,
            } => self.set_state(
                State::Connecting {
                    socket,
                    paused: Paused::Yes,
                },
                cause,
            ),
            State::Ready {
                socket,
                paused: Paused::No,
            } => self.set_state(
                State::Ready {
                    socket,
                    paused: Paused::Yes,
                },
                cause,
            ),
            // Already paused; `uninitialized` stays so the owed open is kept.
            _ => {}
        }
    }

    /// `resume()`: undo `pause()`; delivers the owed `onOpen`, or `onResume`.
    /// While the page is hidden (and pausing on hidden is on) the socket
    /// stays paused until it is visible.
    pub fn resume(&mut self, now: Millis) {
        self.app_paused = false;
        if !self.hidden {
            self.resume_as(now, Cause::Resume);
        }
    }

    pub(super) fn resume_as(&mut self, now: Millis, cause: Cause) {
        match self.state {
            State::Connecting {
                socket,
                paused: Paused::Yes,
            } => self.set_state(
                State::Connecting {
                    socket,
                    paused: Paused::No,
                },
                cause,
            ),
            State::Ready { socket, paused } if paused != Paused::No => {
                self.set_state(
                    State::Ready {
                        socket,
                        paused: Paused::No,
                    },
                    cause,
                );
                match self.owed_open.take() {
                    Some(meta) if paused == Paused::Uninitialized => {
                        self.has_ever_connected = true;
                        self.events.push_back(Event::Opened(OpenMeta {
                            client_ts: now,
                            ..meta
                        }));
                    }
                    _ => self.events.push_back(Event::Resumed),
                }
            }
            _ => {}
        }
    }

    /// The application has synced past the last reconnect: consecutive
    /// failures stop counting.
    pub fn reset_backoff(&mut self) {
        if self.retries != 0 || self.limited.iter().any(|&n| n != 0) {
            self.retries = 0;
            self.limited.iter_mut().for_each(|n| *n = 0);
            self.note(Note::BackoffReset);
        }
    }

    // ----- internals -----------------------------------------------------

    pub(super) fn connect(&mut self, now: Millis, cause: Cause) {
        let socket = SocketId(self.next_id);
        self.next_id += 1;
        self.reconnect_at = None;
        // Armed before the handshake, so a hung handshake is caught too.
        self.last_inbound = now;
        self.last_sent = now;
        self.connect_started = now;
        self.ping = None;
        self.app_paused = false;
        self.stopped_by_hidden = false;
        if matches!(cause, Cause::Restart | Cause::Reconnect) {
            // The application chose to connect: a hidden page's stop timer
            // counts from here.
            self.hidden_since = now;
        }
        self.connect_trigger = match cause {
            Cause::Initial => Trigger::Initial,
            Cause::Online => Trigger::Online,
            Cause::Visible => Trigger::Visible,
            Cause::Wake => Trigger::Wake,
            Cause::Restart | Cause::Reconnect => Trigger::Manual,
            _ => self.backoff_trigger,
        };
        self.actions.push_back(Action::Connect { socket });
        // A socket created while the page is hidden starts paused: its
        // `onOpen` waits until the page is visible.
        let paused = if self.hidden { Paused::Yes } else { Paused::No };
        self.set_state(State::Connecting { socket, paused }, cause);
    }

    pub(super) fn set_state(&mut self, to: State, cause: Cause) {
        let from = self.state.snapshot();
        self.state = to;
        let to = to.snapshot();
        if from != to {
            self.events
                .push_back(Event::StateChanged { from, to, cause });
        }
    }

    /// Plan the next attempt after a failure starting from `initial_ms`, or
    /// give up if `maxRetries` is spent. Returns the decision and the cause
    /// of the transition that follows.
    fn schedule(
        &mut self,
        now: Millis,
        initial_ms: Millis,
        kind: DecisionKind,
        cause: Cause,
    ) -> (Decision, Cause) {
        if let Some(max) = self.config.max_retries {
            if self.retries >= max {
                let d = Decision {
                    kind,
                    reconnect: false,
                    base_ms: None,
                    delay_ms: None,
                    retries: self.retries,
                    max_retries: Some(max),
                    rule: None,
                };
                return (d, Cause::RetriesExhausted);
            }
        }
        let d = backoff::delay(
            &self.config.backoff,
            initial_ms,
            self.retries,
            &mut self.rng,
        );
        self.retries += 1;
        self.reconnect_at = Some(now.saturating_add(d.delay_ms));
        let decision = Decision {
            kind,
            reconnect: true,
            base_ms: Some(d.base_ms),
            delay_ms: Some(d.delay_ms),
            retries: self.retries,
            max_retries: self.config.max_retries,
            rule: None,
        };
        (decision, cause)
    }

    /// Leave `connecting`/`ready` after a close: to `disconnected` if a
    /// reconnect is planned, else to `stopped`.
    fn leave_socket(&mut self, now: Millis, decision: Decision, cause: Cause) {
        if matches!(self.state, State::Ready { .. }) {
            self.lost_at = Some(now);
        }
        self.stable_pending = false;
        self.awaiting_first_message = false;
        self.owed_open = None;
        self.ping = None;
        if decision.reconnect {
            self.set_state(State::Disconnected, cause);
        } else {
            self.gave_up = true;
            self.reconnect_at = None;
            self.set_state(State::Stopped, cause);
        }
    }

    pub(super) fn close_and_reconnect(&mut self, now: Millis, reason: &'static str, cause: Cause) {
        let Some(socket) = self.state.socket() else {
            return;
        };
        self.settle_stable(now);
        self.backoff_trigger = match reason {
            INACTIVE_SERVER => Trigger::Inactivity,
            HEARTBEAT_TIMEOUT | PROBE_TIMEOUT => Trigger::Heartbeat,
            WAKE => Trigger::Wake,
            _ => Trigger::Backoff,
        };
        self.last_close_reason = Some(reason.to_owned());
        self.actions.push_back(Action::Close {
            socket,
            code: CLOSE_NORMAL,
            reason: Cow::Borrowed(reason),
        });
        let initial = self.config.backoff.client_initial_ms;
        let (decision, cause) = self.schedule(now, initial, DecisionKind::Retry, cause);
        self.events.push_back(Event::Closed(CloseInfo {
            code: CLOSE_NORMAL,
            reason: reason.to_owned(),
            was_clean: false,
            initiator: Initiator::Client,
            quiet: true,
            decision,
        }));
        self.leave_socket(now, decision, cause);
    }

    /// Close the live socket on the application's request (`stop()`,
    /// `terminate()`, `reconnect()`); the caller sets the next state.
    fn close_manually(
        &mut self,
        now: Millis,
        socket: SocketId,
        code: u16,
        reason: Cow<'static, str>,
        reconnect: bool,
    ) {
        self.settle_stable(now);
        if matches!(self.state, State::Ready { .. }) {
            self.lost_at = Some(now);
        }
        if reconnect {
            self.last_close_reason = Some(reason.clone().into_owned());
        }
        self.events.push_back(Event::Closed(CloseInfo {
            code,
            reason: reason.clone().into_owned(),
            was_clean: false,
            initiator: Initiator::Client,
            quiet: is_quiet(code),
            decision: Decision {
                kind: DecisionKind::Manual,
                reconnect,
                base_ms: reconnect.then_some(0),
                delay_ms: reconnect.then_some(0),
                retries: self.retries,
                max_retries: None,
                rule: None,
            },
        }));
        self.actions.push_back(Action::Close {
            socket,
            code,
            reason,
        });
        self.clear_timers();
    }

    fn clear_timers(&mut self) {
        self.reconnect_at = None;
        self.stable_pending = false;
        self.awaiting_first_message = false;
        self.owed_open = None;
        self.ping = None;
    }

    pub(super) fn note(&mut self, note: Note) {
        if self.config.verbose {
            self.events.push_back(Event::Verbose(note));
        }
    }
}

/// `"closed with code N"`, without pulling in the formatting machinery.
fn closed_with_code(code: u16) -> String {
    let mut s = String::from("closed with code ");
    let digits = [
        code / 10000,
        code / 1000 % 10,
        code / 100 % 10,
        code / 10 % 10,
        code % 10,
    ];
    let first = digits.iter().position(|&d| d != 0).unwrap_or(4);
    s.extend(digits[first..].iter().map(|&d| char::from(b'0' + d as u8)));
    s
}

#[cfg(test)]
mod tests {
    use super::closed_with_code;

    #[test]
    fn closed_with_code_renders_digits() {
        assert_eq!(closed_with_code(0), "closed with code 0");
        assert_eq!(closed_with_code(1006), "closed with code 1006");
        assert_eq!(closed_with_code(65535), "closed with code 65535");
    }
}
