#![cfg(not(target_arch = "wasm32"))]
//! Property tests: random input sequences, on a fake clock, against a fake
//! I/O layer that carries out the machine's actions. Every invariant is
//! checked after every step.
//!
//! The sequences include the browser's life (hidden/visible, offline/online,
//! large jumps of the clock that read as waking from sleep), `reconnect()`,
//! sends, pongs and failed dials, and the configs include heartbeats. A model
//! kept alongside predicts what the machine should know: whether the page
//! is hidden and since when (a restart while hidden counts from the restart),
//! the network, the last send (the socket's open counts as one), the ping out
//! and its deadline, why it stopped, when the socket opened and the last open
//! connection was lost, and what each connect's trigger is.
//!
//! They also include the page's life beyond visibility (the back/forward
//! cache's `page_hide`/`page_show`, `page_resumed` after a freeze), configs
//! that do not pause a hidden page or that have a connect timeout, and the
//! close-policy function (`Config::judge`): each `Action::Judge` is answered
//! at once, later, or never (another input settles it by the rules), with a
//! random verdict. The model adds the application's pause, the socket's
//! creation and last inbound frame, the page's return with a socket, and
//! the judgement out. (The random inputs and configs are
//! `machine_support::props`, shared with `machine_props_page`.)

mod machine_support;

use std::collections::BTreeSet;

use machine_support::props::{
    apply, cases, config, decode_sock, heartbeat_config, judged_config, page_steps, pick_in,
    step_with, step_without_terminate, steps, timer_at, Input, Sock, Step, DIAL_FAILED,
    DIAL_FAILED_REASON,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use steadysocket::machine::{
    delay, is_quiet, Action, Backoff, Beat, Cause, CloseFacts, Config, DecidedBy, DecisionKind,
    Event, Heartbeat, Initiator, Jitter, Machine, Millis, Output, Paused, Refusal, ResetRule, Rng,
    Snapshot, SocketId, State, StateKind, Timer, Trigger, VerdictAction, CONNECT_TIMEOUT,
    FAILED_TO_SEND, HEARTBEAT_TIMEOUT, INACTIVE_SERVER, PAGE_HIDDEN, PROBE_TIMEOUT, WAKE,
};

/// How often the interesting things happened (for coverage of the
/// generator).
#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    policy_stops: u32,
    pings: u32,
    probes: u32,
    /// Probes sent with a ping already out (they replace it).
    probes_over_a_ping: u32,
    pongs: u32,
    heartbeat_timeouts: u32,
    probe_timeouts: u32,
    wakes: u32,
    hidden_stops: u32,
    visible_connects: u32,
    online_connects: u32,
    /// Reconnects planned while offline (they wait for the network).
    offline_waits: u32,
    manual_reconnects: u32,
    /// `tryRestart()` or `reconnect()` connecting while hidden.
    restarts_while_hidden: u32,
    /// Closes of a connection already stable by `StableFor`, whose timer had
    /// not run.
    stable_closes: u32,
    dial_failures: u32,
    deferred_opens_on_visible: u32,
    /// `page_hide` closing a socket, or cancelling a planned reconnect.
    page_hide_closes: u32,
    page_hide_waits: u32,
    /// `page_show` connecting: the cache had stopped the machine, or a
    /// reconnect was planned.
    page_show_connects: u32,
    /// `page_show` offline, waiting for the network.
    page_show_offline: u32,
    /// Probes by `page_show` and `page_resumed`.
    page_probes: u32,
    /// 1006 closes soon after the page came back: the cache's.
    cache_closes: u32,
    page_resumed_connects: u32,
    /// `Action::Judge`s, and how they were decided: by the function's
    /// verdict, by its `None`, by another input first.
    judges: u32,
    verdicts: u32,
    verdicts_none: u32,
    settled_by_input: u32,
    /// Answers to nothing.
    stray_answers: u32,
    connect_timeouts: u32,
    /// Steps ending hidden and sendable (`pause_when_hidden` off).
    hidden_sendable: u32,
}

impl Seen {
    fn add(&mut self, o: &Seen) {
        self.policy_stops += o.policy_stops;
        self.pings += o.pings;
        self.probes += o.probes;
        self.probes_over_a_ping += o.probes_over_a_ping;
        self.pongs += o.pongs;
        self.heartbeat_timeouts += o.heartbeat_timeouts;
        self.probe_timeouts += o.probe_timeouts;
        self.wakes += o.wakes;
        self.hidden_stops += o.hidden_stops;
        self.visible_connects += o.visible_connects;
        self.online_connects += o.online_connects;
        self.offline_waits += o.offline_waits;
        self.manual_reconnects += o.manual_reconnects;
        self.restarts_while_hidden += o.restarts_while_hidden;
        self.stable_closes += o.stable_closes;
        self.dial_failures += o.dial_failures;
        self.deferred_opens_on_visible += o.deferred_opens_on_visible;
        self.page_hide_closes += o.page_hide_closes;
        self.page_hide_waits += o.page_hide_waits;
        self.page_show_connects += o.page_show_connects;
        self.page_show_offline += o.page_show_offline;
        self.page_probes += o.page_probes;
        self.cache_closes += o.cache_closes;
        self.page_resumed_connects += o.page_resumed_connects;
        self.judges += o.judges;
        self.verdicts += o.verdicts;
        self.verdicts_none += o.verdicts_none;
        self.settled_by_input += o.settled_by_input;
        self.stray_answers += o.stray_answers;
        self.connect_timeouts += o.connect_timeouts;
        self.hidden_sendable += o.hidden_sendable;
    }
}

/// What was true just before a step's input.
#[derive(Clone, Copy, Debug)]
struct Before {
    state: State,
    live: Option<SocketId>,
    /// `next_timeout()` before the input.
    due: Option<Millis>,
    hidden: bool,
    online: bool,
    /// The model's "stopped because hidden".
    stopped_by_hidden: bool,
    /// The model's "stopped for the back/forward cache".
    stopped_by_page: bool,
    /// A judgement was out and the input decides it first: the fields
    /// above are then those once it is decided (no live socket).
    settles: bool,
    /// Consecutive failures counted.
    retries: u32,
    /// When the live socket was created.
    created_at: Millis,
    /// Its last inbound frame.
    last_inbound: Millis,
}

/// The close the function was asked about, awaiting its verdict.
#[derive(Clone, Debug)]
struct Judging {
    facts: CloseFacts,
    socket: SocketId,
    /// The failures the decision counts from.
    retries: u32,
    /// The connection was stable by `StableFor` when it closed.
    stable: bool,
}

/// How long after `page_show` a 1006 close of the socket that lived through
/// the cache is the cache's doing (the README: "within 3 s of the return").
const RESTORE_WINDOW_MS: Millis = 3000;

/// What the fake I/O layer and the application saw, and a model of what the
/// machine should know.
struct World {
    m: Machine,
    now: Millis,
    /// Every socket created, in order.
    created: Vec<SocketId>,
    /// Sockets created and neither closed by an action nor reported closed
    /// to the machine.
    open: BTreeSet<SocketId>,
    /// Sockets whose `onOpen` was delivered.
    opened: BTreeSet<SocketId>,
    /// Accepted `on_open` calls.
    accepted_opens: u32,
    /// The `to` of the last state change.
    last_to: Snapshot,
    /// Everything the machine emitted, for determinism checks.
    log: Vec<(Millis, Vec<Action>, Vec<Event>)>,
    /// States visited (for coverage of the generator).
    visited: BTreeSet<String>,
    seen: Seen,
    // The model.
    hidden: bool,
    hidden_since: Millis,
    online: bool,
    offline_since: Millis,
    /// The last send: the application's, a ping's, a connect's or an open's.
    last_sent: Millis,
    /// The ping (or probe) awaiting its answer.
    ping: Option<Ping>,
    /// The last entry into `stopped` was for being hidden (and nothing
    /// connected since).
    stopped_by_hidden: bool,
    /// The last socket accepted as open, and when.
    opened_at: Option<(SocketId, Millis)>,
    /// When the last open connection was lost.
    lost_at: Option<Millis>,
    /// What the next connect after a backoff wait reports.
    backoff_trigger: Trigger,
    /// The trigger each socket's connect reported.
    triggers: Vec<(SocketId, Trigger)>,
    /// The downtime each accepted open measured.
    downtimes: Vec<(SocketId, Option<Millis>)>,
    /// The application paused the live socket and did not resume it.
    app_paused: bool,
    /// When the live socket was created.
    created_at: Millis,
    /// The last entry into `stopped` was for the back/forward cache.
    stopped_by_page: bool,
    /// The socket the page came back from the cache with, and when.
    restored: Option<(SocketId, Millis)>,
    /// This step's close should be the cache's.
    cache_close: bool,
    /// The close out to the function.
    judging: Option<Judging>,
    /// The live socket's last inbound frame (its creation and its open
    /// count as one).
    last_inbound: Millis,
}

/// A ping awaiting its answer, in the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Ping {
    socket: SocketId,
    sent_at: Millis,
    deadline: Millis,
}

fn disconnected() -> Snapshot {
    Snapshot {
        state: StateKind::Disconnected,
        paused: None,
    }
}

/// `a` no earlier than `b`, `None` being "never".
fn not_earlier(a: Option<Millis>, b: Option<Millis>) -> bool {
    match (a, b) {
        (_, None) => a.is_none(),
        (None, Some(_)) => true,
        (Some(a), Some(b)) => a >= b,
    }
}

fn sendable_in(state: State) -> Option<SocketId> {
    match state {
        State::Ready {
            socket,
            paused: Paused::No,
        } => Some(socket),
        _ => None,
    }
}

impl World {
    fn new(config: Config, now: Millis) -> Result<World, TestCaseError> {
        let m = Machine::new(config, now).expect("generated configs are valid");
        let mut w = World {
            m,
            now,
            created: Vec::new(),
            open: BTreeSet::new(),
            opened: BTreeSet::new(),
            accepted_opens: 0,
            last_to: disconnected(),
            log: Vec::new(),
            visited: BTreeSet::new(),
            seen: Seen::default(),
            hidden: false,
            hidden_since: now,
            online: true,
            offline_since: now,
            last_sent: now,
            ping: None,
            stopped_by_hidden: false,
            opened_at: None,
            lost_at: None,
            backoff_trigger: Trigger::Backoff,
            triggers: Vec::new(),
            downtimes: Vec::new(),
            app_paused: false,
            created_at: now,
            stopped_by_page: false,
            restored: None,
            cache_close: false,
            judging: None,
            last_inbound: now,
        };
        let before = w.before(State::Disconnected, &Input::WakeNow);
        w.after_step(before, &Input::WakeNow)?;
        Ok(w)
    }

    /// What is true before `input`. With a judgement out that the input
    /// decides first there is no live socket any more: the state and the
    /// deadline are filled in once the decision is seen.
    fn before(&self, state: State, input: &Input) -> Before {
        let settles = self.judging.is_some() && input.settles();
        Before {
            state,
            live: if settles { None } else { state.socket() },
            due: self.m.poll_timeout(),
            hidden: self.hidden,
            online: self.online,
            stopped_by_hidden: self.stopped_by_hidden,
            stopped_by_page: self.stopped_by_page,
            settles,
            retries: self.m.connection_state().connection_retries,
            created_at: self.created_at,
            last_inbound: self.last_inbound,
        }
    }

    /// Whether visible connects from `stopped`: only after a stop for being
    /// hidden.
    fn visible_connects_from_stopped(&self, before: &Before) -> bool {
        before.hidden && before.stopped_by_hidden
    }

    fn pick(&self, s: Sock) -> Option<SocketId> {
        pick_in(&self.m, &self.created, s)
    }

    fn step(&mut self, step: &Step) -> Result<(), TestCaseError> {
        self.now += step.dt;
        let now = self.now;
        let before = self.before(self.m.state(), &step.input);
        let live = before.live;
        let connecting = matches!(before.state, State::Connecting { .. });
        let mut closed_by_event = None;
        self.cache_close = false;
        match step.input {
            Input::Open(s) => {
                if let Some(id) = self.pick(s) {
                    if connecting && live == Some(id) {
                        self.accepted_opens += 1;
                        let downtime = self.lost_at.take().map(|at| now - at);
                        self.downtimes.push((id, downtime));
                        // The heartbeat's interval counts from the open.
                        self.last_sent = now;
                        self.last_inbound = now;
                        self.opened_at = Some((id, now));
                    }
                    self.m.on_open(now, id);
                }
            }
            Input::Message(s) => {
                if let Some(id) = self.pick(s) {
                    if live == Some(id) {
                        self.last_inbound = now;
                    }
                    let deliver = self.m.on_message(now, id);
                    prop_assert_eq!(deliver, live == Some(id), "on_message's answer");
                }
            }
            Input::Close(s, code, reason, clean) => {
                if let Some(id) = self.pick(s) {
                    if live == Some(id) {
                        closed_by_event = Some(id);
                        // Within 3 s of the page's return with this socket.
                        self.cache_close = code == 1006
                            && self.restored.is_some_and(|(r, at)| {
                                r == id && now.saturating_sub(at) <= RESTORE_WINDOW_MS
                            });
                    }
                    self.m.on_close(now, id, code, reason, clean);
                }
            }
            Input::SendFailed(s) => {
                if let Some(id) = self.pick(s) {
                    self.m.on_send_failed(now, id);
                }
            }
            Input::Pong(s) => {
                if let Some(id) = self.pick(s) {
                    if live == Some(id) {
                        self.last_inbound = now;
                    }
                    self.m.on_pong(now, id);
                }
            }
            Input::DialFailed(s) => {
                if let Some(id) = self.pick(s) {
                    // Only a socket still being created can fail to be
                    // created; it never existed, so there is nothing to close.
                    if connecting && live == Some(id) {
                        closed_by_event = Some(id);
                    }
                    self.m.on_dial_failed(now, id, DIAL_FAILED);
                }
            }
            Input::Timer => {
                if let Some(t) = self.m.poll_timeout() {
                    self.now = self.now.max(t);
                }
                self.m.handle_timeout(self.now);
            }
            Input::LateTimer(extra) => {
                if let Some(t) = self.m.poll_timeout() {
                    self.now = self.now.max(t.saturating_add(extra));
                }
                self.m.handle_timeout(self.now);
            }
            Input::WakeNow => self.m.handle_timeout(now),
            Input::Stop => {
                let r = self.m.stop(now);
                prop_assert_eq!(r, live, "stop() returns the socket it closes");
            }
            Input::StopWith(code) => {
                let r = self.m.stop_with(now, code, "bye".into());
                prop_assert_eq!(r, live, "stop_with() returns the socket it closes");
            }
            Input::TryRestart => self.m.try_restart(now),
            Input::Terminate => {
                let r = self.m.terminate(now);
                prop_assert_eq!(r, live, "terminate() returns the socket it closes");
            }
            Input::Pause => {
                // `connecting` and `ready` only.
                self.app_paused |= live.is_some();
                self.m.pause(now);
            }
            Input::Resume => {
                self.app_paused &= live.is_none();
                self.m.resume(now);
            }
            Input::ResetBackoff => self.m.reset_backoff(now),
            Input::SendTarget => {
                // Nothing can be sent while a close awaits its verdict.
                let t = self.m.sendable();
                let expected = sendable_in(before.state).filter(|_| self.judging.is_none());
                prop_assert_eq!(t, expected, "sendable");
                let queued = self.m.queue(now, 1);
                let refusal = if matches!(before.state, State::Terminated) {
                    Refusal::Terminated
                } else {
                    Refusal::NotReady
                };
                prop_assert_eq!(queued, Err(refusal), "queue() without an outbox");
            }
            Input::Reconnect(code) => self.m.reconnect(now, code, "again".into()),
            Input::Hidden(hidden) => {
                if hidden != self.hidden {
                    self.hidden = hidden;
                    if hidden {
                        self.hidden_since = now;
                    }
                }
                self.m.set_hidden(now, hidden);
            }
            Input::Online(online) => {
                if online != self.online {
                    self.online = online;
                    if !online {
                        self.offline_since = now;
                    }
                }
                self.m.set_online(now, online);
            }
            Input::Sent => {
                self.last_sent = now;
                self.m.on_sent(now);
            }
            Input::PageHide => self.m.page_hide(now),
            Input::PageShow => {
                if let Some(id) = live {
                    self.restored = Some((id, now));
                }
                self.m.page_show(now);
            }
            Input::PageResumed => self.m.page_resumed(now),
            Input::Judge(verdict) => self.m.judge(now, verdict),
        }
        if let Some(id) = closed_by_event {
            prop_assert!(self.open.remove(&id), "a closed socket {:?} was open", id);
        }
        self.after_step(before, &step.input)?;
        // The function answers at once (the shell's way), if asked.
        if let (Some(verdict), Some(_)) = (step.answer, &self.judging) {
            let input = Input::Judge(verdict);
            let before = self.before(self.m.state(), &input);
            self.m.judge(self.now, verdict);
            self.after_step(before, &input)?;
        }
        Ok(())
    }

    /// When the machine should next be woken right after a close that plans
    /// a reconnect `delay_ms` from now.
    fn expected_wait(&self, delay_ms: Millis) -> Millis {
        let c = self.m.config();
        let at = self.now + delay_ms;
        let own = if self.online {
            at
        } else {
            at.max(self.offline_since + c.offline_ceiling_ms)
        };
        match (self.hidden, c.stop_when_hidden_ms) {
            (true, Some(ms)) => own.min(self.hidden_since + ms),
            _ => own,
        }
    }

    /// An input given with a judgement out: the rules (or, for `judge()`,
    /// the verdict) decide that close first — its `onClose`, with the facts
    /// the function was told, then the change that leaves the socket. The
    /// answer (README, "A function"): `retry` and `limited` count a failure
    /// and wait exactly `delayMs` if given; `limited` stops once `maxRetries`
    /// failures were counted, `retry` once the config's `maxRetries` were;
    /// `permanent` stops; `undefined` leaves it to the rules. Returns what
    /// is true once it is decided.
    fn settled(
        &mut self,
        before: Before,
        input: &Input,
        outputs: &[Output],
    ) -> Result<Before, TestCaseError> {
        let j = self.judging.take().expect("a judgement out");
        let f = &j.facts;
        let (
            Some(Output::Event(Event::Closed(info))),
            Some(Output::Event(Event::StateChanged { to, cause, .. })),
        ) = (outputs.first(), outputs.get(1))
        else {
            return Err(TestCaseError::fail(format!(
                "{input:?} with {f:?} out must decide it first: {outputs:?}"
            )));
        };
        prop_assert_eq!(
            (
                info.code,
                info.reason.as_str(),
                info.was_clean,
                info.initiator
            ),
            (f.code, f.reason.as_str(), f.was_clean, f.initiator),
            "onClose tells the close the function was asked about"
        );
        let d = info.decision;
        prop_assert_ne!(d.kind, DecisionKind::Manual);
        // A retry counts this failure; a stop does not.
        let counted = if d.reconnect {
            j.retries + 1
        } else {
            j.retries
        };
        prop_assert_eq!(d.retries, counted, "{:?} after {:?}", info, f);
        if j.stable {
            prop_assert!(d.retries <= 1, "a stable connection's close: {:?}", info);
        }
        let max_retries = self.m.config().max_retries;
        match *input {
            Input::Judge(Some(v)) => {
                prop_assert_eq!(d.rule, Some(DecidedBy::Function), "{:?}", v);
                let (kind, stop) = match v.action {
                    VerdictAction::Permanent => {
                        (DecisionKind::Permanent, Some(Cause::PermanentClose))
                    }
                    VerdictAction::Limited(n) if j.retries >= n => {
                        (DecisionKind::Limited, Some(Cause::RetriesExhausted))
                    }
                    action => {
                        let spent = max_retries.is_some_and(|m| j.retries >= m);
                        let kind = if action == VerdictAction::Retry {
                            DecisionKind::Retry
                        } else {
                            DecisionKind::Limited
                        };
                        (kind, spent.then_some(Cause::RetriesExhausted))
                    }
                };
                prop_assert_eq!(d.kind, kind, "{:?}", v);
                prop_assert_eq!(d.reconnect, stop.is_none(), "{:?} {:?}", v, info);
                match stop {
                    Some(c) => prop_assert_eq!(*cause, c),
                    None => {
                        if let Some(ms) = v.delay_ms {
                            prop_assert_eq!((d.base_ms, d.delay_ms), (Some(ms), Some(ms)));
                        }
                        if let VerdictAction::Limited(n) = v.action {
                            prop_assert_eq!(d.max_retries, Some(n));
                        }
                    }
                }
                self.seen.verdicts += 1;
            }
            _ => {
                prop_assert_ne!(d.rule, Some(DecidedBy::Function), "the rules decide");
                if matches!(input, Input::Judge(None)) {
                    self.seen.verdicts_none += 1;
                } else {
                    self.seen.settled_by_input += 1;
                }
            }
        }
        if matches!(input, Input::Judge(_)) {
            prop_assert_eq!(outputs.len(), 2, "an answer decides its close only");
        }
        let state = if d.reconnect {
            prop_assert_eq!(to.state, StateKind::Disconnected);
            State::Disconnected
        } else {
            prop_assert_eq!(to.state, StateKind::Stopped);
            State::Stopped
        };
        Ok(Before {
            state,
            live: None,
            due: d.delay_ms.map(|ms| self.expected_wait(ms)),
            stopped_by_hidden: false,
            stopped_by_page: false,
            retries: d.retries,
            ..before
        })
    }

    /// The function was asked (the `Judge` at `outputs[at]`) about the
    /// close of the live socket: the facts it is told are those of the close
    /// (README, "A function": `retries`, the failures counted before it;
    /// `downtimeMs` 0 for an open connection, `null` before the first open),
    /// and the close is not reported yet.
    fn asked(
        &mut self,
        before: &Before,
        input: &Input,
        outputs: &[Output],
        at: usize,
        f: &CloseFacts,
        stable: bool,
    ) -> Result<(), TestCaseError> {
        let state = self.m.state();
        let Some(socket) = before.live else {
            return Err(TestCaseError::fail(format!("{f:?} with no socket")));
        };
        prop_assert_eq!(
            state.socket(),
            Some(socket),
            "not reported yet: {:?}",
            state
        );
        prop_assert_eq!(f.connection_count, self.accepted_opens);
        prop_assert_eq!(f.retries, self.m.connection_state().connection_retries);
        if stable {
            prop_assert_eq!(f.retries, 0, "a stable connection's close: {:?}", f);
        }
        let downtime = match state {
            State::Ready { .. } => Some(0),
            _ => self.lost_at.map(|at| self.now - at),
        };
        prop_assert_eq!(f.downtime_ms, downtime, "{:?}", f);
        let close = at.checked_sub(1).and_then(|i| outputs.get(i));
        match (f.initiator, input) {
            (Initiator::Server, Input::Close(_, code, reason, clean)) => {
                prop_assert_eq!(
                    (f.code, f.reason.as_str(), f.was_clean),
                    (*code, *reason, *clean)
                );
            }
            (Initiator::Client, Input::DialFailed(_)) => {
                prop_assert_eq!((f.code, f.reason.as_str()), (1006, DIAL_FAILED_REASON));
            }
            (Initiator::Client, _) => {
                prop_assert!(
                    matches!(close, Some(Output::Action(Action::Close { code, reason, .. }))
                        if *code == f.code && *reason == f.reason),
                    "the client's close right before it is asked about: {:?}",
                    outputs
                );
                prop_assert!(!f.was_clean);
                self.client_reason(before, input, f.code, &f.reason)?;
            }
            _ => prop_assert!(false, "{:?} asked on {:?}", f, input),
        }
        self.seen.judges += 1;
        self.judging = Some(Judging {
            facts: f.clone(),
            socket,
            retries: f.retries,
            stable,
        });
        Ok(())
    }

    /// A close the client decided on: why, and when it may.
    fn client_reason(
        &mut self,
        before: &Before,
        input: &Input,
        code: u16,
        reason: &str,
    ) -> Result<(), TestCaseError> {
        prop_assert_eq!(code, 1000);
        prop_assert!(
            [
                INACTIVE_SERVER,
                FAILED_TO_SEND,
                HEARTBEAT_TIMEOUT,
                PROBE_TIMEOUT,
                WAKE,
                CONNECT_TIMEOUT
            ]
            .contains(&reason),
            "client close {:?}",
            reason
        );
        // Inactivity is not judged while the page is hidden.
        if before.hidden && self.hidden {
            prop_assert_ne!(reason, INACTIVE_SERVER, "judged inactive while hidden");
        }
        if reason == INACTIVE_SERVER {
            // No inbound frame for `inactivity_ms`.
            let ms = self.m.config().inactivity_ms;
            prop_assert!(ms.is_some_and(|ms| before.last_inbound + ms <= self.now));
        }
        if reason == CONNECT_TIMEOUT {
            // A handshake not open `connect_timeout_ms` after the creation.
            let ms = self.m.config().connect_timeout_ms;
            prop_assert!(input.is_timer(), "{} on {:?}", reason, input);
            let connecting = matches!(before.state, State::Connecting { .. });
            prop_assert!(connecting, "{} in {:?}", reason, before.state);
            prop_assert!(ms.is_some_and(|ms| before.created_at + ms <= self.now));
            self.seen.connect_timeouts += 1;
        }
        Ok(())
    }

    fn after_step(&mut self, before: Before, input: &Input) -> Result<(), TestCaseError> {
        let state = self.m.state();
        let config = self.m.config().clone();
        let backoff = &config.backoff;
        let outputs: Vec<Output> = std::iter::from_fn(|| self.m.poll()).collect();
        let cache_close = std::mem::take(&mut self.cache_close);
        check_order(&outputs, before.settles)?;
        check_timers(&self.m)?;
        let settled = before.settles;
        let before = if settled {
            self.settled(before, input, &outputs)?
        } else {
            before
        };
        if matches!(input, Input::Judge(_)) && !settled {
            // An answer to nothing is ignored.
            prop_assert_eq!(&outputs, &[], "an answer to nothing");
            prop_assert_eq!(state, before.state);
            prop_assert_eq!(self.m.poll_timeout(), before.due);
            self.seen.stray_answers += 1;
        }
        // What the input itself did, once a judgement out was decided.
        let own = &outputs[if settled { 2 } else { 0 }..];
        let own_events: Vec<&Event> = own
            .iter()
            .filter_map(|o| match o {
                Output::Event(e) if !matches!(e, Event::Verbose(_)) => Some(e),
                _ => None,
            })
            .collect();
        self.visited
            .insert(machine_support::snap_name(state.snapshot()));
        if matches!(input, Input::Stop | Input::StopWith(_)) {
            // The application's stop() overrides a stop for being hidden
            // or for the cache: the page's return no longer connects.
            self.stopped_by_hidden = false;
            self.stopped_by_page = false;
        }
        let manual_code = match *input {
            Input::Reconnect(c) | Input::StopWith(c) => c,
            _ => 1000,
        };
        // A socket open for `StableFor` is stable whenever the machine
        // notices: no close reports the failures before it. (A failed dial
        // is no close of an open socket: the I/O layer reports it only for a
        // socket it could not create.)
        let stable = match (config.reset, before.state, self.opened_at) {
            (ResetRule::StableFor(ms), State::Ready { socket, .. }, Some((id, at))) => {
                id == socket
                    && at.saturating_add(ms) <= self.now
                    && !matches!(input, Input::DialFailed(_))
            }
            _ => false,
        };

        // The fake I/O layer carries out the actions, in order. Nothing
        // follows a judgement in its step: the machine waits for the
        // verdict (the close is not reported until then, and a second
        // question would leave the first unanswered).
        let mut pings = 0;
        let mut after_judge = false;
        let mut asked = None;
        for (i, o) in outputs.iter().enumerate() {
            prop_assert!(!after_judge, "{:?} after a judgement, in {:?}", o, outputs);
            let Output::Action(a) = o else { continue };
            match a {
                Action::Connect { socket } => {
                    if let Some(&last) = self.created.last() {
                        prop_assert!(*socket > last, "connect ids increase: {:?}", outputs);
                    }
                    self.created.push(*socket);
                    self.open.insert(*socket);
                    self.last_sent = self.now;
                    self.created_at = self.now;
                    self.last_inbound = self.now;
                    // A new socket forgets the application's pause.
                    self.app_paused = false;
                }
                Action::Close { socket, code, .. } => {
                    prop_assert_eq!(Some(*socket), before.live, "only the live socket is closed");
                    prop_assert!(*code == 1000 || *code == manual_code, "close code {}", code);
                    prop_assert!(self.open.remove(socket), "closing an open socket");
                }
                Action::SendPing { socket } => {
                    pings += 1;
                    prop_assert!(
                        matches!(state, State::Ready { socket: live, .. } if live == *socket),
                        "a ping to {:?} in {:?}",
                        socket,
                        state
                    );
                    prop_assert!(
                        self.open.contains(socket),
                        "a ping on the closed {:?}",
                        socket
                    );
                }
                Action::Send { .. } => prop_assert!(false, "a send without an outbox"),
                Action::Judge(f) => {
                    prop_assert!(config.judge, "a judgement without a function");
                    after_judge = true;
                    asked = Some((i, f.clone()));
                }
            }
        }
        if let Some((i, f)) = asked {
            self.asked(&before, input, &outputs, i, &f, stable)?;
        }
        // At most one live socket, and it is the state's (unless its close
        // awaits a verdict).
        let judged = self.judging.as_ref().map(|j| j.socket);
        let expected: BTreeSet<SocketId> = state
            .socket()
            .filter(|s| Some(*s) != judged)
            .into_iter()
            .collect();
        prop_assert_eq!(&self.open, &expected, "live sockets vs state {:?}", state);
        let (actions, events) = machine_support::split(outputs.clone());

        let connects = actions
            .iter()
            .filter(|a| matches!(a, Action::Connect { .. }))
            .count();
        prop_assert!(connects <= 1);
        match before.state {
            State::Terminated => {
                prop_assert_eq!(state, State::Terminated, "terminated is terminal");
                prop_assert_eq!(connects, 0);
                prop_assert!(
                    events.iter().all(|e| matches!(e, Event::Verbose(_))),
                    "after terminate only verbose notes: {:?}",
                    events
                );
            }
            State::Stopped => match input {
                Input::TryRestart | Input::Reconnect(_) => {}
                Input::Hidden(false) => prop_assert_eq!(
                    connects,
                    usize::from(self.visible_connects_from_stopped(&before)),
                    "visible connects from stopped only after a stop for being hidden"
                ),
                // The README: "A socket stopped by the application stays
                // stopped"; only the cache's stop is undone, online.
                Input::PageShow => prop_assert_eq!(
                    connects,
                    usize::from(before.stopped_by_page && before.online),
                    "pageshow connects from stopped only after the cache's stop"
                ),
                _ => prop_assert_eq!(connects, 0, "stopped never connects by itself"),
            },
            _ => {}
        }
        if !config.verbose {
            prop_assert!(!events.iter().any(|e| matches!(e, Event::Verbose(_))));
        }
        // Sockets created while hidden start paused, if a hidden page
        // pauses; others start unpaused.
        if connects == 1 {
            let paused = if self.hidden && config.pause_when_hidden {
                Paused::Yes
            } else {
                Paused::No
            };
            prop_assert_eq!(
                state.paused(),
                Some(paused),
                "created (hidden: {})",
                self.hidden
            );
        }
        // While offline, no timer connects before the ceiling.
        if input.is_timer()
            && !self.online
            && self.now < self.offline_since + config.offline_ceiling_ms
        {
            prop_assert_eq!(connects, 0, "a connect while offline, before the ceiling");
        }
        // The network coming back while the page is hidden does nothing to a
        // socket that is ready: the page's return probes.
        if matches!(input, Input::Online(true))
            && !before.online
            && before.hidden
            && matches!(before.state, State::Ready { .. })
        {
            prop_assert_eq!(&actions, &[], "online while hidden, in ready");
            prop_assert!(
                events.iter().all(|e| matches!(e, Event::Verbose(_))),
                "online while hidden, in ready: {:?}",
                events
            );
        }
        let mut answered = false;
        let mut probe_beats = 0;
        for (i, e) in events.iter().enumerate() {
            match e {
                Event::StateChanged { from, to, cause } => {
                    prop_assert_eq!(*from, self.last_to, "state changes chain");
                    prop_assert_ne!(from, to);
                    self.last_to = *to;
                    if to.state == StateKind::Disconnected && *cause == Cause::PageShow {
                        // Back from the cache, offline (or the cache closed
                        // the socket): the reconnect is the page's return.
                        self.backoff_trigger = Trigger::PageShow;
                    }
                    if to.state == StateKind::Stopped {
                        self.stopped_by_hidden = *cause == Cause::Hidden;
                        self.stopped_by_page = *cause == Cause::PageHide;
                        if *cause == Cause::PageHide {
                            prop_assert!(matches!(input, Input::PageHide), "{:?}", input);
                        }
                        if *cause == Cause::Hidden {
                            // Hidden for long enough, counted from the page
                            // going hidden or the last restart since.
                            let ms = config.stop_when_hidden_ms;
                            prop_assert!(self.hidden && ms.is_some(), "a stop for being hidden");
                            prop_assert!(
                                self.hidden_since + ms.unwrap() <= self.now,
                                "stopped for being hidden since {} at {}",
                                self.hidden_since,
                                self.now
                            );
                            self.seen.hidden_stops += 1;
                        }
                    }
                    if from.state == StateKind::Ready && to.state != StateKind::Ready {
                        self.lost_at = Some(self.now);
                    }
                    if to.state == StateKind::Connecting && from.state != StateKind::Connecting {
                        let trigger = match cause {
                            Cause::Initial => Trigger::Initial,
                            Cause::Online => Trigger::Online,
                            Cause::Visible => Trigger::Visible,
                            Cause::Wake => Trigger::Wake,
                            Cause::Restart | Cause::Reconnect => Trigger::Manual,
                            Cause::PageShow => Trigger::PageShow,
                            Cause::Backoff => self.backoff_trigger,
                            other => {
                                return Err(TestCaseError::fail(format!(
                                    "a connect caused by {other:?}"
                                )))
                            }
                        };
                        match cause {
                            Cause::Visible => self.seen.visible_connects += 1,
                            Cause::Online => self.seen.online_connects += 1,
                            Cause::Wake if matches!(input, Input::PageResumed) => {
                                self.seen.page_resumed_connects += 1
                            }
                            Cause::Wake => self.seen.wakes += 1,
                            Cause::PageShow => {
                                prop_assert!(matches!(input, Input::PageShow | Input::Close(..)));
                                self.seen.page_show_connects += 1;
                            }
                            // The application chose to connect: a hidden
                            // page's stop counts from here.
                            Cause::Restart | Cause::Reconnect => {
                                self.hidden_since = self.now;
                                if self.hidden {
                                    self.seen.restarts_while_hidden += 1;
                                }
                            }
                            _ => {}
                        }
                        // A connect forgets a stop for being hidden.
                        self.stopped_by_hidden = false;
                        self.stopped_by_page = false;
                        let socket = *self.created.last().expect("a socket was created");
                        self.triggers.push((socket, trigger));
                    }
                    if *cause == Cause::Wake && to.state == StateKind::Disconnected {
                        self.seen.wakes += 1;
                    }
                }
                Event::Opened(meta) => {
                    // Ready and not paused at this point of the step (a probe
                    // on visible may close the socket right after).
                    prop_assert_eq!(
                        machine_support::snap_name(self.last_to),
                        "ready/no",
                        "onOpen in {:?}",
                        self.last_to
                    );
                    let s = before.live.expect("onOpen for the live socket");
                    prop_assert!(self.opened.insert(s), "onOpen twice for {:?}", s);
                    prop_assert_eq!(meta.connection_count + 1, self.accepted_opens);
                    match input {
                        Input::Open(_) => prop_assert_eq!(meta.client_ts, self.now),
                        // A deferred open, delivered by resume or visible.
                        Input::Resume | Input::Hidden(false) => {
                            prop_assert!(meta.client_ts <= self.now);
                            if matches!(input, Input::Hidden(false)) {
                                self.seen.deferred_opens_on_visible += 1;
                            }
                        }
                        other => return Err(TestCaseError::fail(format!("onOpen on {other:?}"))),
                    }
                    let trigger = self.triggers.iter().rev().find(|(id, _)| *id == s);
                    prop_assert_eq!(trigger.map(|t| t.1), Some(meta.trigger), "trigger");
                    let downtime = self.downtimes.iter().rev().find(|(id, _)| *id == s);
                    prop_assert_eq!(downtime.map(|d| d.1), Some(meta.downtime_ms), "downtime");
                }
                Event::Closed(info) => {
                    let d = info.decision;
                    // The close a judgement out was about (`settled` checked
                    // it against the facts), or one of this input's own.
                    let decided = settled && i == 0;
                    // The README: a close the function does not decide is
                    // the application's own, or the cache's (ambiguous: it
                    // says the function decides every other close).
                    let cache = cache_close && !decided;
                    prop_assert!(
                        !config.judge || decided || cache || d.kind == DecisionKind::Manual,
                        "a close decided without asking the function: {:?}",
                        info
                    );
                    // Where the close leaves the machine (`check_order`: a
                    // state change follows at once), and whether that is
                    // where the step ends.
                    let Some(Event::StateChanged { to, cause, .. }) = events.get(i + 1) else {
                        return Err(TestCaseError::fail("onClose then a state change"));
                    };
                    let last = !events[i + 2..]
                        .iter()
                        .any(|e| matches!(e, Event::StateChanged { .. }));
                    // Quiet by the code, whoever closed.
                    prop_assert_eq!(info.quiet, is_quiet(info.code), "quiet: {:?}", info);
                    if stable {
                        let most = if d.kind == DecisionKind::Manual { 0 } else { 1 };
                        prop_assert!(
                            d.retries <= most,
                            "a stable connection's close counts earlier failures: {:?}",
                            info
                        );
                        if !input.is_timer() {
                            self.seen.stable_closes += 1;
                        }
                    }
                    if d.kind != DecisionKind::Manual {
                        self.backoff_trigger = match (info.initiator, info.code) {
                            (Initiator::Client, 1000) => match info.reason.as_str() {
                                INACTIVE_SERVER => Trigger::Inactivity,
                                HEARTBEAT_TIMEOUT | PROBE_TIMEOUT => Trigger::Heartbeat,
                                WAKE => Trigger::Wake,
                                _ => Trigger::Backoff,
                            },
                            _ => Trigger::Backoff,
                        };
                    }
                    // The function's exact wait.
                    let exact = match *input {
                        Input::Judge(Some(v)) if decided => v.delay_ms,
                        _ => None,
                    };
                    if cache {
                        // The README: a 1006 within 3 s of the page's
                        // return is the cache's: not counted, a new
                        // connection at once (cause `pageShow`).
                        prop_assert_eq!(
                            (info.code, info.initiator, d.kind, d.reconnect),
                            (1006, Initiator::Server, DecisionKind::Retry, true)
                        );
                        prop_assert_eq!((d.base_ms, d.delay_ms), (Some(0), Some(0)));
                        let retries = if stable { 0 } else { before.retries };
                        prop_assert_eq!(d.retries, retries, "not counted");
                        prop_assert_eq!(*cause, Cause::PageShow);
                        prop_assert!(
                            matches!(state, State::Connecting { .. }),
                            "after the cache's close: {:?}",
                            state
                        );
                        prop_assert_eq!(self.m.connection_state().connection_retries, d.retries);
                        self.seen.cache_closes += 1;
                    } else if d.kind == DecisionKind::Manual && d.reconnect {
                        // reconnect(): closed and connecting again at once.
                        prop_assert!(matches!(input, Input::Reconnect(_)), "{:?}", input);
                        prop_assert_eq!(d.base_ms, Some(0));
                        prop_assert_eq!(d.delay_ms, Some(0));
                        prop_assert!(
                            matches!(state, State::Connecting { .. }),
                            "after reconnect(): {:?}",
                            state
                        );
                        prop_assert_eq!(self.m.connection_state().connection_retries, d.retries);
                        self.seen.manual_reconnects += 1;
                    } else if d.reconnect {
                        let base = d.base_ms.expect("a base when reconnecting");
                        let delay_ms = d.delay_ms.expect("a delay when reconnecting");
                        // The bounds the docs give each strategy (a
                        // server's hint spreads upward from its base; a
                        // close-policy function's delay is exact, and
                        // without one it is the backoff's).
                        let (low, high) = match (d.rule, backoff.strategy) {
                            (Some(DecidedBy::Server), _) => (
                                base,
                                (base as f64 * (1.0 + backoff.jitter)).floor() as Millis,
                            ),
                            (_, _) if exact.is_some() => (base, base),
                            (_, Jitter::Convex) => (
                                (base as f64 * (1.0 - backoff.jitter)).ceil() as Millis,
                                (base as f64 * (1.0 + backoff.jitter)).floor() as Millis,
                            ),
                            (_, Jitter::Full | Jitter::Decorrelated) => (0, base),
                            (_, Jitter::Equal) => (base.div_ceil(2), base),
                        };
                        let backoffs = d.rule != Some(DecidedBy::Server) && exact.is_none();
                        if backoffs {
                            prop_assert!(base <= backoff.max_ms, "base {} > max", base);
                        }
                        prop_assert!(
                            low <= delay_ms && delay_ms <= high,
                            "delay {} outside [{}, {}] for {:?} ({:?})",
                            delay_ms,
                            low,
                            high,
                            info,
                            backoff.strategy
                        );
                        if backoff.jitter == 0.5 && backoffs {
                            prop_assert!(delay_ms as f64 <= backoff.max_ms as f64 * 1.5);
                        }
                        prop_assert_eq!(to.state, StateKind::Disconnected);
                        if !self.online {
                            self.seen.offline_waits += 1;
                        }
                        if last {
                            prop_assert_eq!(state, State::Disconnected);
                            prop_assert_eq!(
                                self.m.poll_timeout(),
                                Some(self.expected_wait(delay_ms)),
                                "the reconnect's wait (online: {}, hidden: {})",
                                self.online,
                                self.hidden
                            );
                            // (`reset_backoff()` settles a judgement, then
                            // clears the failures it counted.)
                            let retries = if matches!(input, Input::ResetBackoff) {
                                0
                            } else {
                                d.retries
                            };
                            prop_assert_eq!(self.m.connection_state().connection_retries, retries);
                        }
                        prop_assert!(d.retries >= 1);
                        if let Some(max) = config.max_retries {
                            prop_assert!(d.retries <= max, "{:?}", d);
                        }
                    } else {
                        prop_assert_eq!(d.base_ms, None);
                        prop_assert_eq!(d.delay_ms, None);
                        if d.kind == DecisionKind::Manual {
                            prop_assert!(matches!(
                                to.state,
                                StateKind::Stopped | StateKind::Terminated
                            ));
                        } else {
                            prop_assert_eq!(to.state, StateKind::Stopped);
                            self.seen.policy_stops += 1;
                        }
                    }
                    match info.initiator {
                        // Checked against the facts the function was told.
                        _ if decided => {}
                        Initiator::Client if d.kind == DecisionKind::Manual => {
                            prop_assert_eq!(info.code, manual_code);
                            if matches!(input, Input::PageHide) {
                                // The README: 1000 "PageHidden", manual,
                                // `stopped` (cause `pageHide`).
                                prop_assert_eq!(info.reason.as_str(), PAGE_HIDDEN);
                                prop_assert!(!d.reconnect);
                                prop_assert_eq!(*cause, Cause::PageHide);
                            }
                        }
                        Initiator::Client if matches!(input, Input::DialFailed(_)) => {
                            prop_assert_eq!(info.code, 1006);
                            prop_assert!(!info.quiet);
                            prop_assert_eq!(info.reason.as_str(), DIAL_FAILED_REASON);
                            self.seen.dial_failures += 1;
                        }
                        Initiator::Client => {
                            self.client_reason(&before, input, info.code, &info.reason)?;
                        }
                        Initiator::Server => {
                            prop_assert!(matches!(input, Input::Close(..)), "{:?}", input);
                        }
                    }
                    if decided && info.initiator == Initiator::Client && info.code == 1006 {
                        self.seen.dial_failures += 1;
                    }
                }
                Event::ServerDisconnectError { code, reason } => {
                    prop_assert!(!is_quiet(*code));
                    prop_assert!(!reason.is_empty());
                }
                Event::Heartbeat(b) => match *b {
                    Beat::Ping | Beat::Probe => {
                        let Some(heartbeat) = config.heartbeat else {
                            return Err(TestCaseError::fail("a ping without a heartbeat"));
                        };
                        let Some(socket) = state.socket() else {
                            return Err(TestCaseError::fail(format!("{b:?} in {state:?}")));
                        };
                        prop_assert!(
                            matches!(state, State::Ready { .. }),
                            "{:?} in {:?}",
                            b,
                            state
                        );
                        let timeout = if *b == Beat::Ping {
                            // On time: an interval after the last send (the
                            // open, at the earliest), and one at a time.
                            prop_assert_eq!(self.ping, None, "a second ping while one is out");
                            prop_assert!(input.is_timer(), "a ping on {:?}", input);
                            prop_assert!(
                                self.last_sent + heartbeat.interval_ms <= self.now,
                                "a ping at {} with the last send at {}",
                                self.now,
                                self.last_sent
                            );
                            self.seen.pings += 1;
                            heartbeat.timeout_ms
                        } else {
                            // A fresh probe replaces a ping out; never while
                            // the page is hidden.
                            prop_assert!(!self.hidden, "a probe while hidden");
                            prop_assert!(
                                input.is_timer()
                                    || matches!(
                                        input,
                                        Input::Hidden(false)
                                            | Input::Online(true)
                                            | Input::PageShow
                                            | Input::PageResumed
                                    ),
                                "a probe on {:?}",
                                input
                            );
                            if matches!(input, Input::PageShow | Input::PageResumed) {
                                self.seen.page_probes += 1;
                            }
                            self.seen.probes += 1;
                            if self.ping.is_some() {
                                self.seen.probes_over_a_ping += 1;
                            }
                            config.probe_timeout_ms
                        };
                        self.ping = Some(Ping {
                            socket,
                            sent_at: self.now,
                            deadline: self.now + timeout,
                        });
                        self.last_sent = self.now;
                        probe_beats += 1;
                    }
                    Beat::Pong { rtt_ms } => {
                        let Some(ping) = self.ping.take() else {
                            return Err(TestCaseError::fail("a pong without a ping"));
                        };
                        prop_assert_eq!(Some(ping.socket), before.live);
                        // From the last ping sent, which any answer answers.
                        prop_assert_eq!(rtt_ms, self.now - ping.sent_at);
                        let any_frame = config.heartbeat.is_some_and(|h| h.any_frame);
                        prop_assert!(
                            matches!(input, Input::Pong(_))
                                || (any_frame && matches!(input, Input::Message(_))),
                            "answered by {:?}",
                            input
                        );
                        answered = true;
                        self.seen.pongs += 1;
                    }
                    Beat::Timeout { probe } => {
                        let Some(ping) = self.ping.take() else {
                            return Err(TestCaseError::fail("a timeout without a ping"));
                        };
                        prop_assert!(input.is_timer());
                        prop_assert!(
                            ping.deadline <= self.now,
                            "a timeout at {} for a ping due by {}",
                            self.now,
                            ping.deadline
                        );
                        let reason = if probe {
                            PROBE_TIMEOUT
                        } else {
                            HEARTBEAT_TIMEOUT
                        };
                        prop_assert!(
                            actions.iter().any(|a| matches!(
                                a,
                                Action::Close { reason: r, .. } if r == reason
                            )),
                            "timeout without its close: {:?}",
                            actions
                        );
                        if probe {
                            self.seen.probe_timeouts += 1;
                        } else {
                            self.seen.heartbeat_timeouts += 1;
                        }
                    }
                },
                Event::Resumed | Event::Verbose(_) => {}
                Event::Dropped { .. } => prop_assert!(false, "a drop without an outbox"),
            }
        }
        prop_assert_eq!(pings, probe_beats, "one beat per ping sent");
        prop_assert_eq!(self.last_to, state.snapshot(), "last state change");
        // A ping belongs to its socket, while ready.
        if let Some(ping) = self.ping {
            if !matches!(state, State::Ready { socket: live, .. } if live == ping.socket) {
                self.ping = None;
            }
        }
        // While ready, the timer is armed for the ping's answer, or for the
        // next ping (unless the socket's close awaits its verdict).
        if let (State::Ready { .. }, Some(heartbeat), None) =
            (state, config.heartbeat, &self.judging)
        {
            let due = match self.ping {
                Some(ping) => ping.deadline,
                None => self.last_sent + heartbeat.interval_ms,
            };
            prop_assert!(
                self.m.poll_timeout().is_some_and(|t| t <= due),
                "next_timeout {:?} after {} (ping {:?}, last send {})",
                self.m.poll_timeout(),
                due,
                self.ping,
                self.last_sent
            );
        }

        // Waking from sleep: visible, and at least the threshold after the
        // deadline.
        let threshold = config.wake_threshold_ms;
        if input.is_timer()
            && !before.hidden
            && before
                .due
                .is_some_and(|d| self.now >= d.saturating_add(threshold))
        {
            match before.state {
                State::Disconnected if before.online => {
                    prop_assert!(
                        events.iter().any(|e| matches!(
                            e,
                            Event::StateChanged {
                                cause: Cause::Wake,
                                ..
                            }
                        )),
                        "a wake while disconnected connects: {:?}",
                        events
                    );
                }
                State::Connecting { .. } => {
                    prop_assert!(
                        actions
                            .iter()
                            .any(|a| matches!(a, Action::Close { reason, .. } if reason == WAKE)),
                        "a wake while connecting abandons it: {:?}",
                        actions
                    );
                }
                State::Ready { .. } if config.heartbeat.is_some() => {
                    prop_assert!(
                        !events.iter().any(|e| matches!(e, Event::Closed(_))),
                        "a wake while ready probes instead: {:?}",
                        events
                    );
                    prop_assert!(self.ping.is_some(), "a probe is out after a wake");
                }
                _ => {}
            }
        }

        // Messages and sends only write timestamps. Only the answer to a
        // ping (with `any_frame`) re-arms the next ping, which may be due
        // before the answer's deadline was: once per ping.
        if matches!(input, Input::Message(_) | Input::Sent) {
            prop_assert!(
                answered || not_earlier(self.m.poll_timeout(), before.due),
                "{:?} moved next_timeout from {:?} to {:?}",
                input,
                before.due,
                self.m.poll_timeout()
            );
        }

        // Timers.
        match state {
            State::Stopped => prop_assert_eq!(self.m.poll_timeout(), None),
            State::Terminated => prop_assert_eq!(self.m.poll_timeout(), None),
            State::Disconnected => prop_assert!(self.m.poll_timeout().is_some()),
            _ => {}
        }

        self.page_life(&before, input, state, own, &own_events, connects, stable)?;

        // A handshake is abandoned once `connect_timeout_ms` has passed
        // since the socket's creation, and its timer is armed meanwhile.
        let judged = self.judging.as_ref().map(|j| j.socket);
        if let Some(ms) = config.connect_timeout_ms {
            if let State::Connecting { socket, .. } = before.state {
                if input.is_timer() && before.created_at + ms <= self.now {
                    prop_assert!(
                        state.socket() != Some(socket) || judged == Some(socket),
                        "a handshake outlived its connect timeout: {:?}",
                        state
                    );
                }
            }
            if let State::Connecting { .. } = state {
                prop_assert!(self
                    .m
                    .poll_timeout()
                    .is_some_and(|t| t <= self.created_at + ms));
            }
        }
        // The paused sub-state: the application's pause, or a hidden page
        // where that pauses (either way, `onOpen` is owed for a socket that
        // opened paused until it is delivered).
        if let (Some(socket), Some(p)) = (state.socket(), state.paused()) {
            let paused = self.app_paused || (self.hidden && config.pause_when_hidden);
            prop_assert_eq!(
                p != Paused::No,
                paused,
                "{:?} (paused by the application: {}, hidden: {})",
                state,
                self.app_paused,
                self.hidden
            );
            let owed = matches!(state, State::Ready { .. }) && !self.opened.contains(&socket);
            prop_assert_eq!(
                p == Paused::Uninitialized,
                owed,
                "onOpen owed in {:?}",
                state
            );
        }
        // Inactivity is not judged while hidden, nor while a ping is out.
        if self.hidden || self.ping.is_some() {
            prop_assert!(
                !self.m.timers().any(|(t, _)| t == Timer::Inactivity),
                "inactivity armed (hidden: {}, ping: {:?})",
                self.hidden,
                self.ping
            );
        }
        // Running: a socket, a planned reconnect, or a stop the page's
        // return undoes.
        let running = match state {
            State::Terminated => false,
            State::Stopped => self.stopped_by_hidden || self.stopped_by_page,
            _ => true,
        };
        prop_assert_eq!(self.m.is_running(), running, "running in {:?}", state);

        let cs = self.m.connection_state();
        prop_assert_eq!(cs.connection_count, self.accepted_opens);
        prop_assert_eq!(cs.has_ever_connected, !self.opened.is_empty());
        prop_assert_eq!(cs.snapshot, state.snapshot());
        prop_assert_eq!(cs.is_connected, state.kind() == StateKind::Ready);
        // Nothing can be sent while a close awaits its verdict.
        let sendable = sendable_in(state).filter(|_| self.judging.is_none());
        prop_assert_eq!(self.m.sendable(), sendable);
        if sendable.is_some() && self.hidden && !config.pause_when_hidden {
            self.seen.hidden_sendable += 1;
        }
        self.log.push((self.now, actions, events));
        Ok(())
    }

    /// The back/forward cache and the frozen page (README, "The browser's
    /// life"; `Machine::page_hide`, `page_show`, `page_resumed`), judged on
    /// `own`: what the input did once a judgement out was decided.
    #[allow(clippy::too_many_arguments)]
    fn page_life(
        &mut self,
        before: &Before,
        input: &Input,
        state: State,
        own: &[Output],
        own_events: &[&Event],
        connects: usize,
        stable: bool,
    ) -> Result<(), TestCaseError> {
        let own_actions: Vec<Action> = own
            .iter()
            .filter_map(|o| match o {
                Output::Action(a) => Some(a.clone()),
                _ => None,
            })
            .collect();
        let changes: Vec<(StateKind, Cause)> = own_events
            .iter()
            .filter_map(|e| match e {
                Event::StateChanged { to, cause, .. } => Some((to.state, *cause)),
                _ => None,
            })
            .collect();
        let untouched = own_actions.is_empty() && own_events.is_empty();
        let config = self.m.config().clone();
        match (input, before.state) {
            (Input::PageHide | Input::PageShow, State::Stopped | State::Terminated)
                if !(matches!(input, Input::PageShow) && before.stopped_by_page) =>
            {
                prop_assert!(untouched, "{:?} in {:?}: {:?}", input, before.state, own);
            }
            (Input::PageHide, _) => {
                // Closed cleanly (1000, "PageHidden"), a planned reconnect
                // cancelled; nothing counted; `stopped` (cause `pageHide`),
                // no timer, and running (the page's return connects).
                let close: Vec<Action> = before
                    .live
                    .map(|socket| Action::Close {
                        socket,
                        code: 1000,
                        reason: PAGE_HIDDEN.into(),
                    })
                    .into_iter()
                    .collect();
                prop_assert_eq!(&own_actions, &close);
                prop_assert_eq!(changes.last(), Some(&(StateKind::Stopped, Cause::PageHide)));
                prop_assert_eq!(state, State::Stopped);
                prop_assert_eq!(
                    self.m.poll_timeout(),
                    None,
                    "a page in the cache runs no timer"
                );
                prop_assert!(self.open.is_empty(), "a socket outlives pagehide");
                // (A connection stable by `StableFor` resets them first.)
                let retries = if stable { 0 } else { before.retries };
                prop_assert_eq!(self.m.connection_state().connection_retries, retries);
                if before.live.is_some() {
                    self.seen.page_hide_closes += 1;
                } else {
                    self.seen.page_hide_waits += 1;
                }
            }
            (Input::PageShow, State::Stopped) if !before.online => {
                // Back from the cache offline: connects when the network
                // returns (or, as any reconnect, at the offline ceiling).
                prop_assert_eq!(&changes, &[(StateKind::Disconnected, Cause::PageShow)]);
                prop_assert_eq!(self.m.poll_timeout(), Some(self.expected_wait(0)));
                self.seen.page_show_offline += 1;
            }
            // Back from the cache (`stopped` by it), or a planned reconnect
            // pending: connect at once (cause `pageShow`; `wake` for a
            // frozen page).
            (Input::PageShow, State::Stopped)
            | (Input::PageShow | Input::PageResumed, State::Disconnected)
                if before.online =>
            {
                let cause = if matches!(input, Input::PageShow) {
                    Cause::PageShow
                } else {
                    Cause::Wake
                };
                prop_assert_eq!(connects, 1);
                prop_assert_eq!(&changes, &[(StateKind::Connecting, cause)]);
            }
            (Input::PageShow | Input::PageResumed, State::Ready { socket, .. })
                if !before.hidden =>
            {
                // Probed: a ping with the probe's deadline, or without a
                // heartbeat the inactivity timeout on the real time.
                prop_assert_eq!(connects, 0);
                if config.heartbeat.is_some() {
                    prop_assert_eq!(&own_actions, &[Action::SendPing { socket }]);
                    prop_assert_eq!(own_events, &[&Event::Heartbeat(Beat::Probe)]);
                } else if config
                    .inactivity_ms
                    .is_some_and(|ms| before.last_inbound + ms <= self.now)
                {
                    prop_assert!(
                        matches!(own_actions.first(), Some(Action::Close { socket: s, reason, .. })
                            if *s == socket && reason == INACTIVE_SERVER),
                        "a silent connection is closed: {:?}",
                        own
                    );
                } else {
                    prop_assert!(untouched, "{:?}: {:?}", input, own);
                }
            }
            // Nothing to connect and nothing to probe (a hidden page's
            // return probes; a handshake is not probed).
            (Input::PageShow | Input::PageResumed, _) => {
                prop_assert!(untouched, "{:?} in {:?}: {:?}", input, before.state, own);
            }
            _ => {}
        }
        Ok(())
    }
}

fn run(config: Config, start: Millis, steps: &[Step]) -> Result<World, TestCaseError> {
    let mut w = World::new(config, start)?;
    for s in steps {
        w.step(s)?;
    }
    Ok(w)
}

proptest! {
    #![proptest_config(cases(500))]

    #[test]
    fn default_config_keeps_every_invariant(
        start in 0u64..1_000_000,
        steps in steps(60),
    ) {
        run(Config::default(), start, &steps)?;
    }

    #[test]
    fn default_config_with_a_heartbeat_keeps_every_invariant(
        start in 0u64..1_000_000,
        any_frame in any::<bool>(),
        steps in steps(60),
    ) {
        let config = Config {
            heartbeat: Some(Heartbeat { any_frame, ..Heartbeat::default() }),
            ..Config::default()
        };
        run(config, start, &steps)?;
    }
}

proptest! {
    #![proptest_config(cases(600))]

    #[test]
    fn heartbeat_configs_keep_every_invariant(
        config in heartbeat_config(),
        start in 0u64..1_000_000,
        steps in steps(60),
    ) {
        run(config, start, &steps)?;
    }
}

proptest! {
    #![proptest_config(cases(1000))]

    #[test]
    fn random_configs_keep_every_invariant(
        config in config(),
        start in 0u64..1_000_000,
        steps in steps(60),
    ) {
        run(config, start, &steps)?;
    }
}

proptest! {
    #![proptest_config(cases(600))]

    #[test]
    fn judged_configs_keep_every_invariant(
        config in judged_config(),
        start in 0u64..1_000_000,
        steps in steps(60),
    ) {
        run(config, start, &steps)?;
    }

    #[test]
    fn the_page_s_life_keeps_every_invariant(
        config in prop_oneof![config(), judged_config()],
        start in 0u64..1_000_000,
        steps in page_steps(60),
    ) {
        run(config, start, &steps)?;
    }
}

proptest! {
    #![proptest_config(cases(400))]

    #[test]
    fn terminated_is_terminal_and_leaves_no_timer(
        config in config(),
        before in steps(30),
        after in proptest::collection::vec(step_with(3), 1..=40),
    ) {
        let mut w = run(config, 0, &before)?;
        let before = w.before(w.m.state(), &Input::Terminate);
        prop_assert_eq!(w.m.terminate(w.now), before.live);
        w.after_step(before, &Input::Terminate)?;
        prop_assert_eq!(w.m.state(), State::Terminated);
        prop_assert_eq!(w.m.poll_timeout(), None);
        let created = w.created.len();
        for s in &after {
            w.step(s)?;
            prop_assert_eq!(w.m.state(), State::Terminated);
            prop_assert_eq!(w.m.poll_timeout(), None);
        }
        prop_assert_eq!(w.created.len(), created, "no socket after terminate");
        prop_assert!(w.open.is_empty());
    }

    #[test]
    fn stopped_by_policy_never_connects_without_a_restart(
        warmup in steps(20),
        after in proptest::collection::vec(step_without_terminate(), 1..=40),
    ) {
        let config = Config {
            stop_when_hidden_ms: Some(30_000),
            ..Config::default()
        };
        let mut w = run(config, 0, &warmup)?;
        if w.m.state() == State::Terminated {
            return Ok(());
        }
        // Make sure there is a live socket, then close it with 4003.
        match w.m.state() {
            State::Stopped => w.step(&Step::new(0, Input::Reconnect(1000)))?,
            State::Disconnected => w.step(&Step::new(0, Input::Reconnect(1000)))?,
            _ => {}
        }
        prop_assert!(w.m.state().socket().is_some());
        w.step(&Step::new(1, Input::Close(Sock::Live, 4003, "", true)))?;
        prop_assert_eq!(w.m.state(), State::Stopped);
        let created = w.created.len();
        let mut restarted = false;
        for s in &after {
            // A stop by the policy is never one for being hidden: visible
            // does not undo it, whatever came before.
            restarted |= w.m.state() == State::Stopped
                && matches!(s.input, Input::TryRestart | Input::Reconnect(_));
            w.step(s)?;
            if !restarted {
                prop_assert_eq!(w.m.state(), State::Stopped);
                prop_assert_eq!(w.created.len(), created);
            }
        }
    }

    #[test]
    fn same_inputs_give_the_same_outputs(
        config in config(),
        steps in steps(60),
    ) {
        let a = run(config.clone(), 5, &steps)?;
        let b = run(config, 5, &steps)?;
        prop_assert_eq!(a.log, b.log);
    }
}

proptest! {
    #![proptest_config(cases(2000))]

    #[test]
    fn backoff_delay_is_the_capped_base_within_its_jitter(
        initial_ms in 0u64..=100_000,
        max_ms in 0u64..=100_000,
        multiplier in 1.0f64..=100.0,
        jitter in prop_oneof![Just(0.0f64), Just(1.0), 0.0f64..=1.0],
        strategy in prop_oneof![Just(Jitter::Convex), Just(Jitter::Full), Just(Jitter::Equal)],
        retries in prop_oneof![0u32..10, any::<u32>()],
        last_ms in 0u64..=100_000,
        seed in any::<u64>(),
    ) {
        let b = Backoff { initial_ms, client_initial_ms: 100, max_ms, multiplier, jitter, strategy };
        let d = delay(&b, initial_ms, retries, last_ms, &mut Rng::new(seed));
        let grown = initial_ms as f64 * multiplier.powi(retries.min(64) as i32);
        let base = grown.min(max_ms as f64).round();
        prop_assert_eq!(d.base_ms, base as Millis);
        prop_assert!(d.base_ms <= max_ms);
        let (low, high) = match strategy {
            Jitter::Convex => (
                (base * (1.0 - jitter)).ceil() as Millis,
                (base * (1.0 + jitter)).floor() as Millis,
            ),
            Jitter::Equal => ((base / 2.0).ceil() as Millis, base as Millis),
            _ => (0, base as Millis),
        };
        prop_assert!(low <= d.delay_ms && d.delay_ms <= high, "{:?} not in [{}, {}]", d, low, high);
        if jitter == 0.0 && strategy == Jitter::Convex {
            prop_assert_eq!(d.delay_ms, d.base_ms);
        }
    }

    #[test]
    fn decorrelated_delay_grows_from_the_last_wait_to_the_cap(
        initial_ms in 0u64..=100_000,
        max_ms in 0u64..=100_000,
        retries in prop_oneof![0u32..10, any::<u32>()],
        last_ms in 0u64..=100_000,
        seed in any::<u64>(),
    ) {
        let b = Backoff {
            initial_ms,
            max_ms,
            strategy: Jitter::Decorrelated,
            ..Backoff::default()
        };
        let d = delay(&b, initial_ms, retries, last_ms, &mut Rng::new(seed));
        let previous = if retries == 0 { initial_ms } else { last_ms };
        let high = (previous * 3).max(initial_ms).min(max_ms);
        let low = initial_ms.min(max_ms);
        prop_assert_eq!(d.base_ms, high);
        prop_assert!(low <= d.delay_ms && d.delay_ms <= high, "{:?} not in [{}, {}]", d, low, high);
    }

    #[test]
    fn the_strategies_spread_their_delays_over_their_whole_range(seed in any::<u64>()) {
        // 400 draws at base 16 000: each strategy's lowest and highest
        // fifth of its range are both reached.
        for (strategy, low, high) in [
            (Jitter::Convex, 8_000, 24_000),
            (Jitter::Full, 0, 16_000),
            (Jitter::Equal, 8_000, 16_000),
            (Jitter::Decorrelated, 1_000, 16_000),
        ] {
            let b = Backoff { strategy, ..Backoff::default() };
            let mut rng = Rng::new(seed);
            let fifth = (high - low) / 5;
            let (mut bottom, mut top) = (false, false);
            for _ in 0..400 {
                let d = delay(&b, 1000, 10, 16_000, &mut rng).delay_ms;
                prop_assert!(low <= d && d <= high, "{:?}: {} not in [{}, {}]", strategy, d, low, high);
                bottom |= d < low + fifth;
                top |= d > high - fifth;
            }
            prop_assert!(bottom && top, "{:?}: bottom {} top {}", strategy, bottom, top);
        }
    }

    #[test]
    fn rng_is_uniform_in_the_unit_interval(seed in any::<u64>()) {
        let mut r = Rng::new(seed);
        let mut again = Rng::new(seed);
        for _ in 0..50 {
            let x = r.next_unit();
            prop_assert!((0.0..1.0).contains(&x));
            prop_assert_eq!(x.to_bits(), again.next_unit().to_bits());
        }
    }
}

/// The generator must actually reach every state, every kind of stop and
/// every happening of the browser's life, or the properties above would hold
/// vacuously.
#[test]
fn generator_reaches_every_state() {
    let mut runner = TestRunner::deterministic();
    let strategy = (config(), steps(60));
    let heartbeat = (heartbeat_config(), steps(60));
    let page = (judged_config(), page_steps(60));
    let mut visited = BTreeSet::new();
    let mut seen = Seen::default();
    let mut opens = 0;
    for i in 0..1600 {
        let (config, steps) = match i % 4 {
            0 | 2 => heartbeat.new_tree(&mut runner).unwrap().current(),
            1 => strategy.new_tree(&mut runner).unwrap().current(),
            _ => page.new_tree(&mut runner).unwrap().current(),
        };
        let w = run(config, 0, &steps).unwrap();
        visited.extend(w.visited);
        seen.add(&w.seen);
        opens += w.opened.len();
    }
    let all: BTreeSet<String> = [
        "disconnected",
        "connecting/no",
        "connecting/yes",
        "ready/no",
        "ready/yes",
        "ready/uninitialized",
        "stopped",
        "terminated",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(visited, all);
    assert!(opens >= 100, "only {opens} onOpen");
    let counts = [
        ("policy stops", seen.policy_stops),
        ("pings", seen.pings),
        ("probes", seen.probes),
        ("pongs", seen.pongs),
        ("heartbeat timeouts", seen.heartbeat_timeouts),
        ("probe timeouts", seen.probe_timeouts),
        ("wakes", seen.wakes),
        ("stops for being hidden", seen.hidden_stops),
        ("connects on visible", seen.visible_connects),
        ("connects on online", seen.online_connects),
        ("reconnects planned while offline", seen.offline_waits),
        ("manual reconnects", seen.manual_reconnects),
        ("restarts while hidden", seen.restarts_while_hidden),
        ("probes replacing a ping", seen.probes_over_a_ping),
        ("closes of a stable connection", seen.stable_closes),
        ("failed dials", seen.dial_failures),
        (
            "deferred opens delivered on visible",
            seen.deferred_opens_on_visible,
        ),
        ("pagehide closes", seen.page_hide_closes),
        ("pagehide cancelling a reconnect", seen.page_hide_waits),
        ("pageshow connects", seen.page_show_connects),
        ("pageshow offline", seen.page_show_offline),
        ("probes on pageshow or resume", seen.page_probes),
        ("closes by the cache", seen.cache_closes),
        ("connects on resume", seen.page_resumed_connects),
        ("judgements", seen.judges),
        ("verdicts of the function", seen.verdicts),
        ("verdicts left to the rules", seen.verdicts_none),
        ("judgements settled by another input", seen.settled_by_input),
        ("answers to nothing", seen.stray_answers),
        ("connect timeouts", seen.connect_timeouts),
        ("sendable while hidden", seen.hidden_sendable),
    ];
    for (what, n) in counts {
        assert!(n >= 10, "only {n} {what}: {seen:?}");
    }
}

/// Two machines fed the same inputs. `a` hears every frame as it arrives.
/// `b` is fed the way the web shell feeds it: a frame from the live socket
/// is reported only while `wants_every_frame()` says so; otherwise the shell
/// delivers it itself and reports the last one's time with `on_frames`
/// before its next input — and `b`'s timer, armed from that older time,
/// fires early, at its own deadline. Both must emit the same actions and
/// events and pass through the same states.
struct Twin {
    a: Machine,
    b: Machine,
    now: Millis,
    created: Vec<SocketId>,
    /// Frames `b` has not been told about: the last one's time and socket.
    pending: Option<(Millis, SocketId)>,
    batched: usize,
    early_wakes: usize,
    /// A close awaits the function's verdict.
    judging: bool,
}

impl Twin {
    fn new(config: Config, now: Millis) -> Result<Twin, TestCaseError> {
        let mut t = Twin {
            a: Machine::new(config.clone(), now).expect("generated configs are valid"),
            b: Machine::new(config, now).expect("generated configs are valid"),
            now,
            created: Vec::new(),
            pending: None,
            batched: 0,
            early_wakes: 0,
            judging: false,
        };
        t.compare("new")?;
        Ok(t)
    }

    fn pick(&self, s: Sock) -> Option<SocketId> {
        pick_in(&self.a, &self.created, s)
    }

    /// Tell `b` about the frames it has not heard of (the shell does this
    /// before any input).
    fn flush(&mut self) -> Result<(), TestCaseError> {
        if let Some((at, id)) = self.pending.take() {
            prop_assert!(self.b.on_frames(at, id), "batched frames are delivered");
        }
        Ok(())
    }

    /// `b`'s own timer, earlier than `a`'s because it was armed from an
    /// older frame: it fires, and must find nothing to do.
    fn early_timers(&mut self) -> Result<(), TestCaseError> {
        while let Some(d) = self.b.poll_timeout() {
            let due_in_a = self.a.poll_timeout();
            if d > self.now || due_in_a.is_some_and(|x| x <= d) {
                break;
            }
            prop_assert!(
                self.pending.is_some(),
                "b's deadline differs only by frames not told"
            );
            self.flush()?;
            self.early_wakes += 1;
            self.b.handle_timeout(d);
            let (actions, events) = drain(&mut self.b);
            prop_assert!(
                actions.is_empty() && events.is_empty(),
                "an early wake did something: {:?} {:?}",
                actions,
                events
            );
        }
        Ok(())
    }

    fn step(&mut self, step: &Step) -> Result<(), TestCaseError> {
        self.now += step.dt;
        self.early_timers()?;
        self.step_input(step)?;
        // The function answers at once, in both (the shell reports what
        // frames it delivered before).
        if let (Some(verdict), true) = (step.answer, self.judging) {
            self.flush()?;
            self.a.judge(self.now, verdict);
            self.b.judge(self.now, verdict);
            self.compare("judge")?;
        }
        Ok(())
    }

    fn step_input(&mut self, step: &Step) -> Result<(), TestCaseError> {
        let now = self.now;
        if let Input::Message(s) = step.input {
            if let Some(id) = self.pick(s) {
                let live = self.b.state().socket() == Some(id);
                let deliver = self.a.on_message(now, id);
                // A socket whose close awaits its verdict has no frames for
                // the shell to deliver: it was closed.
                if live && !self.b.wants_every_frame() && !self.judging {
                    // The shell delivers it without asking.
                    prop_assert!(
                        deliver,
                        "a frame the shell delivers itself is one to deliver"
                    );
                    self.pending = Some((now, id));
                    self.batched += 1;
                } else {
                    self.flush()?;
                    prop_assert_eq!(self.b.on_message(now, id), deliver);
                }
            }
            return self.compare("message");
        }
        self.flush()?;
        let at = timer_at(&self.a, now, &step.input);
        self.now = at;
        for m in [&mut self.a, &mut self.b] {
            let id = step.input.sock().and_then(|s| pick_in(m, &self.created, s));
            apply(m, id, &step.input, at);
        }
        self.compare("input")
    }

    fn compare(&mut self, what: &str) -> Result<(), TestCaseError> {
        let a = drain(&mut self.a);
        let b = drain(&mut self.b);
        if a.1.iter().any(|e| matches!(e, Event::Closed(_))) {
            self.judging = false;
        }
        for action in &a.0 {
            match action {
                Action::Connect { socket } => self.created.push(*socket),
                Action::Judge(_) => self.judging = true,
                _ => {}
            }
        }
        prop_assert_eq!(
            format!("{:?}", a),
            format!("{:?}", b),
            "outputs after {}",
            what
        );
        prop_assert_eq!(self.a.state(), self.b.state(), "state after {}", what);
        prop_assert_eq!(self.a.connection_state(), self.b.connection_state());
        if self.pending.is_none() {
            prop_assert_eq!(
                self.a.poll_timeout(),
                self.b.poll_timeout(),
                "deadline after {}",
                what
            );
        } else {
            prop_assert!(not_earlier(self.a.poll_timeout(), self.b.poll_timeout()));
        }
        Ok(())
    }
}

/// The order the docs' tables write, for any input: a client's `close`
/// comes right before its `onClose` (or, with the close-policy function,
/// right before the `Judge` that asks about it: its `onClose` then opens the
/// step that decides it, when `settling`); `onClose` is followed at once by
/// the state change that leaves the socket; `connect` by the change to
/// `connecting`; `onOpen` and `onResume` follow the change to `ready/no`; a
/// `ping` is followed by its `onHeartbeat`.
fn check_order(outputs: &[Output], settling: bool) -> Result<(), TestCaseError> {
    let ctx = || format!("{outputs:?}");
    let at = |i: usize| outputs.get(i);
    let ready_no = |o: Option<&Output>| {
        matches!(o, Some(Output::Event(Event::StateChanged { to, .. }))
            if to.state == StateKind::Ready && to.paused == Some(Paused::No))
    };
    for (i, o) in outputs.iter().enumerate() {
        match o {
            Output::Event(Event::Closed(info)) => {
                prop_assert!(
                    matches!(at(i + 1), Some(Output::Event(Event::StateChanged { .. }))),
                    "onClose then the state change: {}",
                    ctx()
                );
                let client_closed_a_socket = info.initiator == Initiator::Client
                    && !(info.code == 1006 && info.reason.ends_with("Failed"))
                    && !(settling && i == 0);
                if client_closed_a_socket {
                    let i = i.checked_sub(1);
                    let close = i.and_then(at);
                    prop_assert!(
                        matches!(close, Some(Output::Action(Action::Close { code, reason, .. }))
                            if *code == info.code && *reason == info.reason),
                        "close right before its onClose: {}",
                        ctx()
                    );
                }
            }
            Output::Action(Action::Connect { .. }) => prop_assert!(
                matches!(at(i + 1), Some(Output::Event(Event::StateChanged { to, .. }))
                    if to.state == StateKind::Connecting),
                "connect then the change to connecting: {}",
                ctx()
            ),
            Output::Event(Event::Opened(_) | Event::Resumed) => prop_assert!(
                ready_no(i.checked_sub(1).and_then(at)),
                "onOpen/onResume right after the change to ready/no: {}",
                ctx()
            ),
            Output::Action(Action::SendPing { .. }) => prop_assert!(
                matches!(
                    at(i + 1),
                    Some(Output::Event(Event::Heartbeat(Beat::Ping | Beat::Probe)))
                ),
                "ping then its onHeartbeat: {}",
                ctx()
            ),
            _ => {}
        }
    }
    Ok(())
}

/// Every armed timer has one deadline, the earliest is `poll_timeout()`, and
/// a socket's timers are armed only while there is a socket: nothing of a
/// connection outlives it.
fn check_timers(m: &Machine) -> Result<(), TestCaseError> {
    let armed: Vec<(Timer, Millis)> = m.timers().collect();
    for (i, (t, _)) in armed.iter().enumerate() {
        prop_assert!(
            !armed[..i].iter().any(|(u, _)| u == t),
            "{t:?} armed twice: {armed:?}"
        );
    }
    prop_assert_eq!(m.poll_timeout(), armed.iter().map(|(_, at)| *at).min());
    let state = m.state();
    for (t, _) in &armed {
        let ok = match t {
            Timer::Reconnect => state == State::Disconnected,
            Timer::ConnectTimeout => matches!(state, State::Connecting { .. }),
            Timer::Inactivity => matches!(state, State::Connecting { .. } | State::Ready { .. }),
            Timer::StableReset | Timer::PingDeadline | Timer::Heartbeat => {
                matches!(state, State::Ready { .. })
            }
            Timer::HiddenStop => !matches!(state, State::Stopped | State::Terminated),
            Timer::OutboxExpiry => false,
        };
        prop_assert!(ok, "{t:?} armed in {state:?}");
    }
    if state.socket().is_none() {
        prop_assert!(m.wants_every_frame(), "frames matter again in {state:?}");
        prop_assert_eq!(m.sendable(), None);
    }
    Ok(())
}

fn drain(m: &mut Machine) -> (Vec<Action>, Vec<Event>) {
    machine_support::split(std::iter::from_fn(|| m.poll()).collect())
}

/// Steps with many more messages, so frames batch up between inputs.
fn chatty_steps(max: usize) -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        3 => step_with(1),
        2 => (any::<u32>(), 0u64..3_000).prop_map(|(a, dt)| Step::new(
            dt,
            Input::Message(decode_sock(a)),
        )),
    ];
    proptest::collection::vec(step, 0..=max)
}

proptest! {
    #![proptest_config(cases(1500))]

    #[test]
    fn frames_reported_in_a_batch_change_nothing(
        config in prop_oneof![config(), heartbeat_config()],
        start in 0u64..1_000_000,
        steps in chatty_steps(80),
    ) {
        let mut t = Twin::new(config, start)?;
        for s in &steps {
            t.step(s)?;
        }
    }
}

/// The twin test above must actually batch frames, and wake `b` early.
#[test]
fn frames_twin_batches_and_wakes_early() {
    let mut runner = TestRunner::deterministic();
    let strategy = (prop_oneof![config(), heartbeat_config()], chatty_steps(80));
    let (mut batched, mut runs_with_batches, mut early) = (0, 0, 0);
    for _ in 0..300 {
        let (config, steps) = strategy.new_tree(&mut runner).unwrap().current();
        let mut t = Twin::new(config, 0).unwrap();
        for s in &steps {
            t.step(s).unwrap();
        }
        batched += t.batched;
        early += t.early_wakes;
        runs_with_batches += usize::from(t.batched > 0);
    }
    assert!(
        runs_with_batches > 100,
        "{runs_with_batches} of 300 runs batched frames"
    );
    assert!(batched > 1000, "{batched} frames batched");
    assert!(early > 20, "{early} early wakes");
}
