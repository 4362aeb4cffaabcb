//! The machine: every input, and the transitions, actions and events it leads
//! to. See the module docs of [`super`] for the state table.

use std::collections::VecDeque;

use super::backoff::{self, Rng};
use super::config::{Config, ConfigError, Millis, ResetRule};
use super::event::{
    Action, Cause, CloseInfo, ConnectionState, Decision, DecisionKind, Event, Initiator, Note,
    OpenMeta,
};
use super::policy::RuleAction;
use super::state::{Paused, SocketId, State};

/// The reason given to `onOpen` for the very first connection.
pub const INITIAL_CONNECT: &str = "InitialConnect";
/// Close reason when no inbound frame arrived within the inactivity timeout.
pub const INACTIVE_SERVER: &str = "InactiveServer";
/// Close reason when sending on the socket threw.
pub const FAILED_TO_SEND: &str = "FailedToSendMessage";
/// Close reason sent by `stop()`.
pub const STOPPED: &str = "Stopped";
/// Close reason sent by `terminate()`.
pub const TERMINATED: &str = "Terminated";
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
    config: Config,
    state: State,
    next_id: u64,
    connection_count: u32,
    has_ever_connected: bool,
    last_close_reason: Option<String>,
    retries: u32,
    /// Consecutive closes matched by each close-policy rule (for limited ones).
    limited: Vec<u32>,
    /// The machine stopped itself (permanent close, retries exhausted).
    gave_up: bool,
    reconnect_at: Option<Millis>,
    last_inbound: Millis,
    opened_at: Millis,
    stable_pending: bool,
    awaiting_first_message: bool,
    owed_open: Option<OpenMeta>,
    rng: Rng,
    actions: VecDeque<Action>,
    events: VecDeque<Event>,
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
            opened_at: now,
            stable_pending: false,
            awaiting_first_message: false,
            owed_open: None,
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

    /// When the machine next needs [`Machine::on_timeout`]; `None` when it
    /// waits for nothing. Calling it early is harmless.
    pub fn next_timeout(&self) -> Option<Millis> {
        match self.state {
            State::Disconnected => self.reconnect_at,
            State::Connecting { .. } | State::Ready { .. } => {
                let inactivity = self
                    .config
                    .inactivity_ms
                    .map(|ms| self.last_inbound.saturating_add(ms));
                let stable = match (self.stable_pending, self.config.reset) {
                    (true, ResetRule::StableFor(ms)) => Some(self.opened_at.saturating_add(ms)),
                    _ => None,
                };
                match (inactivity, stable) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            }
            State::Stopped | State::Terminated => None,
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

    /// The socket a message may be sent on now: `ready` and not paused.
    pub fn send_target(&mut self) -> Option<SocketId> {
        match self.state {
            State::Ready {
                socket,
                paused: Paused::No,
            } => Some(socket),
            other => {
                self.note(Note::NotSent(other.kind(), other.paused()));
                None
            }
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
        self.opened_at = now;
        self.stable_pending = matches!(self.config.reset, ResetRule::StableFor(_));
        self.awaiting_first_message = true;
        let meta = OpenMeta {
            connection_count: self.connection_count,
            last_close_reason: self.last_close_reason.take(),
            client_ts: now,
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
        self.leave_socket(decision, cause);
    }

    /// Sending on the socket threw: close it and reconnect.
    pub fn on_send_failed(&mut self, now: Millis, socket: SocketId) {
        if self.state.socket() != Some(socket) {
            return self.note(Note::StaleSocketEvent(socket));
        }
        self.close_and_reconnect(now, FAILED_TO_SEND, Cause::SendFailed);
    }

    /// The timer fired (or any time at all: it checks what is due).
    pub fn on_timeout(&mut self, now: Millis) {
        match self.state {
            State::Disconnected => {
                if self.reconnect_at.is_some_and(|at| at <= now) {
                    self.connect(now, Cause::Backoff);
                }
            }
            State::Connecting { .. } | State::Ready { .. } => {
                self.settle_stable(now);
                if let Some(ms) = self.config.inactivity_ms {
                    if self.last_inbound.saturating_add(ms) <= now {
                        self.close_and_reconnect(now, INACTIVE_SERVER, Cause::Inactivity);
                    }
                }
            }
            State::Stopped | State::Terminated => {}
        }
    }

    // ----- application inputs --------------------------------------------

    /// `stop()`: close the socket and wait in `stopped`. Returns the socket
    /// being closed, whose close the caller may await.
    pub fn stop(&mut self, _now: Millis) -> Option<SocketId> {
        match self.state {
            State::Terminated | State::Stopped => None,
            State::Disconnected => {
                self.reconnect_at = None;
                self.set_state(State::Stopped, Cause::Stop);
                None
            }
            State::Connecting { socket, .. } | State::Ready { socket, .. } => {
                self.close_manually(socket, STOPPED);
                self.set_state(State::Stopped, Cause::Stop);
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
        self.limited.iter_mut().for_each(|n| *n = 0);
        if self.gave_up {
            self.retries = 0;
            self.gave_up = false;
        }
        self.connect(now, Cause::Restart);
    }

    /// `terminate()`: close for good. Returns the socket being closed.
    pub fn terminate(&mut self, _now: Millis) -> Option<SocketId> {
        if self.state == State::Terminated {
            return None;
        }
        let socket = self.state.socket();
        if let Some(s) = socket {
            self.close_manually(s, TERMINATED);
        }
        self.clear_timers();
        self.set_state(State::Terminated, Cause::Terminate);
        socket
    }

    /// `pause()`: `connecting` and `ready` only; sends are refused and an
    /// open that happens meanwhile is owed until `resume()`.
    pub fn pause(&mut self, _now: Millis) {
        match self.state {
            State::Connecting {
                socket,
                paused: Paused::No,
            } => self.set_state(
                State::Connecting {
                    socket,
                    paused: Paused::Yes,
                },
                Cause::Pause,
            ),
            State::Ready {
                socket,
                paused: Paused::No,
            } => self.set_state(
                State::Ready {
                    socket,
                    paused: Paused::Yes,
                },
                Cause::Pause,
            ),
            // Already paused; `uninitialized` stays so the owed open is kept.
            _ => {}
        }
    }

    /// `resume()`: undo `pause()`; delivers the owed `onOpen`, or `onResume`.
    pub fn resume(&mut self, now: Millis) {
        match self.state {
            State::Connecting {
                socket,
                paused: Paused::Yes,
            } => self.set_state(
                State::Connecting {
                    socket,
                    paused: Paused::No,
                },
                Cause::Resume,
            ),
            State::Ready { socket, paused } if paused != Paused::No => {
                self.set_state(
                    State::Ready {
                        socket,
                        paused: Paused::No,
                    },
                    Cause::Resume,
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

    fn connect(&mut self, now: Millis, cause: Cause) {
        let socket = SocketId(self.next_id);
        self.next_id += 1;
        self.reconnect_at = None;
        // Armed before the handshake, so a hung handshake is caught too.
        self.last_inbound = now;
        self.actions.push_back(Action::Connect { socket });
        self.set_state(
            State::Connecting {
                socket,
                paused: Paused::No,
            },
            cause,
        );
    }

    fn set_state(&mut self, to: State, cause: Cause) {
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
    fn leave_socket(&mut self, decision: Decision, cause: Cause) {
        self.stable_pending = false;
        self.awaiting_first_message = false;
        self.owed_open = None;
        if decision.reconnect {
            self.set_state(State::Disconnected, cause);
        } else {
            self.gave_up = true;
            self.reconnect_at = None;
            self.set_state(State::Stopped, cause);
        }
    }

    fn close_and_reconnect(&mut self, now: Millis, reason: &'static str, cause: Cause) {
        let Some(socket) = self.state.socket() else {
            return;
        };
        self.settle_stable(now);
        self.last_close_reason = Some(reason.to_owned());
        self.actions.push_back(Action::Close {
            socket,
            code: CLOSE_NORMAL,
            reason,
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
        self.leave_socket(decision, cause);
    }

    fn close_manually(&mut self, socket: SocketId, reason: &'static str) {
        self.actions.push_back(Action::Close {
            socket,
            code: CLOSE_NORMAL,
            reason,
        });
        self.events.push_back(Event::Closed(CloseInfo {
            code: CLOSE_NORMAL,
            reason: reason.to_owned(),
            was_clean: false,
            initiator: Initiator::Client,
            quiet: true,
            decision: Decision {
                kind: DecisionKind::Manual,
                reconnect: false,
                base_ms: None,
                delay_ms: None,
                retries: self.retries,
                max_retries: None,
                rule: None,
            },
        }));
        self.clear_timers();
    }

    /// Apply a `StableFor` reset that is due, even if its timer has not fired
    /// yet (timers in background tabs run late): a connection that stayed up
    /// long enough counts as stable whenever we notice.
    fn settle_stable(&mut self, now: Millis) {
        if let (true, ResetRule::StableFor(ms)) = (self.stable_pending, self.config.reset) {
            if self.opened_at.saturating_add(ms) <= now {
                self.stable_pending = false;
                self.reset_backoff();
            }
        }
    }

    fn clear_timers(&mut self) {
        self.reconnect_at = None;
        self.stable_pending = false;
        self.awaiting_first_message = false;
        self.owed_open = None;
    }

    fn note(&mut self, note: Note) {
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
