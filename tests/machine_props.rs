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

mod machine_support;

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use steadysocket::machine::{
    delay, is_quiet, Action, Backoff, Beat, Cause, ClosePolicy, CloseRule, Config, DecidedBy,
    DecisionKind, DialFailure, Event, Heartbeat, Initiator, Jitter, Machine, Millis, Output,
    Paused, Refusal, ResetRule, Rng, RuleAction, Snapshot, SocketId, State, StateKind, Timer,
    Trigger, FAILED_TO_SEND, HEARTBEAT_TIMEOUT, INACTIVE_SERVER, MAX_MS, PROBE_TIMEOUT, WAKE,
};

const CODES: [u16; 10] = [1000, 1001, 1005, 1006, 1011, 4001, 4003, 4040, 4999, 3000];
const REASONS: [&str; 4] = [
    "",
    "InternalServerError: x",
    "TooManyConcurrentRequests",
    "whatever",
];
/// Codes the application closes with (`reconnect`, `stop(code, reason)`).
const APP_CODES: [u16; 4] = [1000, 3000, 4000, 4999];
/// The dial failure the sequences report, and the reason it shows.
const DIAL_FAILED: DialFailure = DialFailure::UrlProvider;
const DIAL_FAILED_REASON: &str = "UrlProviderFailed";

/// `n` cases, times `STEADYSOCKET_PROPTEST_FACTOR` (default 1): the long
/// run sets it (`STEADYSOCKET_PROPTEST_FACTOR=30 cargo test --test
/// machine_props --release` runs well over 100 000 random sequences).
fn cases(n: u32) -> ProptestConfig {
    let factor = std::env::var("STEADYSOCKET_PROPTEST_FACTOR")
        .ok()
        .and_then(|f| f.parse::<u32>().ok())
        .unwrap_or(1)
        .max(1);
    ProptestConfig {
        cases: n.saturating_mul(factor),
        // Keep failures in the test output only: no files next to the tests.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Which socket a socket input claims to come from.
#[derive(Clone, Copy, Debug)]
enum Sock {
    /// The live socket, or the most recent one if there is none.
    Live,
    /// Some other socket created before (picked by index), if any.
    Older(usize),
}

#[derive(Clone, Debug)]
enum Input {
    Open(Sock),
    Message(Sock),
    Close(Sock, u16, &'static str, bool),
    SendFailed(Sock),
    Pong(Sock),
    DialFailed(Sock),
    /// Woken at the machine's own deadline (the clock jumps there).
    Timer,
    /// Woken this much after the machine's deadline (a wake, when long).
    LateTimer(Millis),
    /// Woken now, whatever is due.
    WakeNow,
    Stop,
    StopWith(u16),
    TryRestart,
    Terminate,
    Pause,
    Resume,
    ResetBackoff,
    SendTarget,
    Reconnect(u16),
    /// The page becomes hidden (`true`) or visible.
    Hidden(bool),
    /// The network comes back (`true`) or goes away.
    Online(bool),
    /// The application sent something.
    Sent,
}

impl Input {
    fn is_timer(&self) -> bool {
        matches!(self, Input::Timer | Input::LateTimer(_) | Input::WakeNow)
    }
}

#[derive(Clone, Debug)]
struct Step {
    dt: Millis,
    input: Input,
}

/// The inputs and their weights in a random sequence. Steps are generated as
/// plain numbers and decoded (much cheaper than nested unions in debug
/// builds, and shrinking still works towards the first entries).
const KINDS: [(u32, &str); 20] = [
    (6, "open"),
    (4, "message"),
    (5, "close"),
    (1, "sendFailed"),
    (4, "pong"),
    (1, "dialFailed"),
    (6, "timer"),
    (2, "lateTimer"),
    (1, "wakeNow"),
    (2, "stop"),
    (2, "tryRestart"),
    (2, "pause"),
    (2, "resume"),
    (1, "resetBackoff"),
    (1, "sendTarget"),
    (1, "reconnect"),
    (5, "hidden"),
    (3, "online"),
    (2, "sent"),
    // Last, so that it can be left out.
    (1, "terminate"),
];

fn decode_sock(a: u32) -> Sock {
    if a % 5 == 4 {
        Sock::Older((a / 5) as usize)
    } else {
        Sock::Live
    }
}

/// One step from three numbers: which input (a point on the weighted line of
/// `KINDS`, scaled by `terminate_weight` for the last entry), its parameters,
/// and how long before it.
fn decode(kind: u32, a: u32, b: u32) -> Step {
    let mut k = kind;
    let mut name = "terminate";
    for (w, n) in KINDS {
        if k < w {
            name = n;
            break;
        }
        k -= w;
    }
    let app_code = APP_CODES[((a >> 8) % APP_CODES.len() as u32) as usize];
    let input = match name {
        "open" => Input::Open(decode_sock(a)),
        "message" => Input::Message(decode_sock(a)),
        "close" => Input::Close(
            decode_sock(a),
            CODES[((a >> 8) % CODES.len() as u32) as usize],
            REASONS[((a >> 16) % REASONS.len() as u32) as usize],
            (a >> 20) & 1 == 1,
        ),
        "sendFailed" => Input::SendFailed(decode_sock(a)),
        "pong" => Input::Pong(decode_sock(a)),
        "dialFailed" => Input::DialFailed(decode_sock(a)),
        "timer" => Input::Timer,
        "lateTimer" => Input::LateTimer(u64::from(a >> 4) % 30_000),
        "wakeNow" => Input::WakeNow,
        "stop" if a % 2 == 0 => Input::Stop,
        "stop" => Input::StopWith(app_code),
        "tryRestart" => Input::TryRestart,
        "pause" => Input::Pause,
        "resume" => Input::Resume,
        "resetBackoff" => Input::ResetBackoff,
        "sendTarget" => Input::SendTarget,
        "reconnect" => Input::Reconnect(app_code),
        "hidden" => Input::Hidden(a % 2 == 0),
        "online" => Input::Online(a % 2 == 0),
        "sent" => Input::Sent,
        _ => Input::Terminate,
    };
    let dt = match b % 9 {
        0 | 1 => 0,
        2..=4 => u64::from(b >> 4) % 1_000,
        5..=7 => u64::from(b >> 4) % 70_000,
        // Long enough for every wake threshold and ceiling.
        _ => u64::from(b >> 4) % 1_200_000,
    };
    Step { dt, input }
}

fn step_with(terminate_weight: u32) -> impl Strategy<Value = Step> {
    let total: u32 =
        KINDS[..KINDS.len() - 1].iter().map(|(w, _)| w).sum::<u32>() + terminate_weight;
    (0..total, any::<u32>(), any::<u32>()).prop_map(|(k, a, b)| decode(k, a, b))
}

fn step_without_terminate() -> impl Strategy<Value = Step> {
    step_with(0)
}

fn steps(max: usize) -> impl Strategy<Value = Vec<Step>> {
    proptest::collection::vec(step_with(1), 0..=max)
}

fn custom_policy() -> ClosePolicy {
    ClosePolicy {
        rules: vec![
            CloseRule {
                codes: vec![(4000, 4099)],
                reason_prefix: Some("whatever".into()),
                action: RuleAction::Permanent,
            },
            CloseRule {
                codes: vec![(3000, 3999), (4000, 4999)],
                reason_prefix: None,
                action: RuleAction::Limited {
                    max_retries: 2,
                    initial_ms: 500,
                },
            },
            CloseRule {
                codes: vec![],
                reason_prefix: Some("Too".into()),
                action: RuleAction::Retry {
                    initial_ms: Some(7_000),
                },
            },
        ],
    }
}

/// The browser-life part of a config.
#[derive(Clone, Debug)]
struct Life {
    heartbeat: Option<Heartbeat>,
    probe_timeout_ms: Millis,
    wake_threshold_ms: Millis,
    offline_ceiling_ms: Millis,
    stop_when_hidden_ms: Option<Millis>,
}

fn life() -> impl Strategy<Value = Life> {
    let heartbeat = (
        prop_oneof![Just(30_000u64), 1u64..=20_000],
        prop_oneof![Just(10_000u64), 1u64..=20_000],
        any::<bool>(),
    )
        .prop_map(|(interval_ms, timeout_ms, any_frame)| Heartbeat {
            interval_ms,
            timeout_ms,
            any_frame,
        });
    (
        proptest::option::weighted(0.7, heartbeat),
        prop_oneof![Just(2000u64), 1u64..=10_000],
        prop_oneof![Just(5000u64), 1u64..=30_000],
        prop_oneof![Just(60_000u64), 1u64..=120_000],
        proptest::option::weighted(0.3, 0u64..=100_000),
    )
        .prop_map(
            |(
                heartbeat,
                probe_timeout_ms,
                wake_threshold_ms,
                offline_ceiling_ms,
                stop_when_hidden_ms,
            )| Life {
                heartbeat,
                probe_timeout_ms,
                wake_threshold_ms,
                offline_ceiling_ms,
                stop_when_hidden_ms,
            },
        )
}

fn config() -> impl Strategy<Value = Config> {
    let backoff = (
        0u64..=20_000,
        0u64..=5_000,
        prop_oneof![Just(16_000u64), 0u64..=60_000],
        prop_oneof![Just(2.0f64), 1.0f64..=4.0],
        prop_oneof![Just(0.5f64), Just(0.0), Just(1.0), 0.0f64..=1.0],
        jitter_strategy(),
    )
        .prop_map(
            |(initial_ms, client_initial_ms, max_ms, multiplier, jitter, strategy)| Backoff {
                initial_ms,
                client_initial_ms,
                max_ms,
                multiplier,
                jitter,
                strategy,
            },
        );
    let reset = prop_oneof![
        Just(ResetRule::App),
        Just(ResetRule::FirstMessage),
        (1u64..=100_000).prop_map(ResetRule::StableFor),
    ];
    (
        backoff,
        proptest::option::of(1u64..=120_000),
        proptest::option::of(0u32..5),
        prop_oneof![Just(ClosePolicy::default()), Just(custom_policy())],
        reset,
        any::<u64>(),
        any::<bool>(),
        life(),
    )
        .prop_map(
            |(backoff, inactivity_ms, max_retries, policy, reset, seed, verbose, life)| Config {
                backoff,
                inactivity_ms,
                max_retries,
                policy,
                reset,
                seed,
                verbose,
                heartbeat: life.heartbeat,
                probe_timeout_ms: life.probe_timeout_ms,
                wake_threshold_ms: life.wake_threshold_ms,
                offline_ceiling_ms: life.offline_ceiling_ms,
                stop_when_hidden_ms: life.stop_when_hidden_ms,
                // Covered by the focused tests (machine_visibility,
                // machine_policy).
                pause_when_hidden: true,
                max_server_delay_ms: 300_000,
                judge: false,
                // Covered by machine_heartbeat's focused tests.
                connect_timeout_ms: None,
                outbox: None,
            },
        )
}

/// Convex's jitter half the time, the others a sixth each.
fn jitter_strategy() -> impl Strategy<Value = Jitter> {
    prop_oneof![
        3 => Just(Jitter::Convex),
        1 => Just(Jitter::Full),
        1 => Just(Jitter::Equal),
        1 => Just(Jitter::Decorrelated),
    ]
}

/// Random configs with a short heartbeat always on, and the inactivity
/// timeout off or long, so that pings, answers and timeouts are frequent.
fn heartbeat_config() -> impl Strategy<Value = Config> {
    (
        config(),
        1u64..=5_000,
        1u64..=5_000,
        any::<bool>(),
        proptest::option::of(30_000u64..=120_000),
        // Half the time long, so that large steps are not all wakes.
        proptest::option::of(1_000_000u64..=MAX_MS),
    )
        .prop_map(
            |(config, interval_ms, timeout_ms, any_frame, inactivity_ms, wake)| Config {
                heartbeat: Some(Heartbeat {
                    interval_ms,
                    timeout_ms,
                    any_frame,
                }),
                inactivity_ms,
                wake_threshold_ms: wake.unwrap_or(config.wake_threshold_ms),
                ..config
            },
        )
}

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
}

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
        };
        let before = w.before(State::Disconnected);
        w.after_step(before, &Input::WakeNow)?;
        Ok(w)
    }

    fn before(&self, state: State) -> Before {
        Before {
            state,
            live: state.socket(),
            due: self.m.poll_timeout(),
            hidden: self.hidden,
            online: self.online,
            stopped_by_hidden: self.stopped_by_hidden,
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
        let before = self.before(self.m.state());
        let live = before.live;
        let mut closed_by_event = None;
        match step.input {
            Input::Open(s) => {
                if let Some(id) = self.pick(s) {
                    if matches!(before.state, State::Connecting { socket, .. } if socket == id) {
                        self.accepted_opens += 1;
                        let downtime = self.lost_at.take().map(|at| now - at);
                        self.downtimes.push((id, downtime));
                        // The heartbeat's interval counts from the open.
                        self.last_sent = now;
                        self.opened_at = Some((id, now));
                    }
                    self.m.on_open(now, id);
                }
            }
            Input::Message(s) => {
                if let Some(id) = self.pick(s) {
                    let deliver = self.m.on_message(now, id);
                    prop_assert_eq!(deliver, live == Some(id), "on_message's answer");
                }
            }
            Input::Close(s, code, reason, clean) => {
                if let Some(id) = self.pick(s) {
                    if live == Some(id) {
                        closed_by_event = Some(id);
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
                    self.m.on_pong(now, id);
                }
            }
            Input::DialFailed(s) => {
                if let Some(id) = self.pick(s) {
                    // Only a socket still being created can fail to be
                    // created; it never existed, so there is nothing to close.
                    let creating =
                        matches!(self.m.state(), State::Connecting { socket, .. } if socket == id);
                    if creating {
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
            Input::Pause => self.m.pause(now),
            Input::Resume => self.m.resume(now),
            Input::ResetBackoff => self.m.reset_backoff(),
            Input::SendTarget => {
                let t = self.m.sendable();
                prop_assert_eq!(t, sendable_in(before.state), "sendable");
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
        }
        if let Some(id) = closed_by_event {
            prop_assert!(self.open.remove(&id), "a closed socket {:?} was open", id);
        }
        self.after_step(before, &step.input)
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

    fn after_step(&mut self, before: Before, input: &Input) -> Result<(), TestCaseError> {
        let state = self.m.state();
        let config = self.m.config().clone();
        let backoff = &config.backoff;
        let outputs: Vec<Output> = std::iter::from_fn(|| self.m.poll()).collect();
        check_order(&outputs)?;
        check_timers(&self.m)?;
        let (actions, events) = machine_support::split(outputs);
        self.visited
            .insert(machine_support::snap_name(state.snapshot()));
        if matches!(input, Input::Stop | Input::StopWith(_)) {
            // The application's stop() overrides a stop for being hidden:
            // visible no longer connects.
            self.stopped_by_hidden = false;
        }
        let manual_code = match *input {
            Input::Reconnect(c) | Input::StopWith(c) => c,
            _ => 1000,
        };

        // The fake I/O layer carries out the actions.
        let mut pings = 0;
        for a in &actions {
            match a {
                Action::Connect { socket } => {
                    if let Some(&last) = self.created.last() {
                        prop_assert!(*socket > last, "connect ids increase: {:?}", actions);
                    }
                    self.created.push(*socket);
                    self.open.insert(*socket);
                    self.last_sent = self.now;
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
                }
                Action::Send { .. } => prop_assert!(false, "a send without an outbox"),
                Action::Judge(_) => prop_assert!(false, "a judgement without a function"),
            }
        }
        // At most one live socket, and it is the state's.
        let expected: BTreeSet<SocketId> = state.socket().into_iter().collect();
        prop_assert_eq!(&self.open, &expected, "live sockets vs state {:?}", state);

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
                _ => prop_assert_eq!(connects, 0, "stopped never connects by itself"),
            },
            _ => {}
        }
        if !config.verbose {
            prop_assert!(!events.iter().any(|e| matches!(e, Event::Verbose(_))));
        }
        // Sockets created while hidden start paused.
        if self.hidden && connects == 1 {
            prop_assert_eq!(state.paused(), Some(Paused::Yes), "created while hidden");
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

        let mut answered = false;
        let mut probe_beats = 0;
        for e in &events {
            match e {
                Event::StateChanged { from, to, cause } => {
                    prop_assert_eq!(*from, self.last_to, "state changes chain");
                    prop_assert_ne!(from, to);
                    self.last_to = *to;
                    if to.state == StateKind::Stopped {
                        self.stopped_by_hidden = *cause == Cause::Hidden;
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
                            Cause::Wake => self.seen.wakes += 1,
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
                    if d.kind == DecisionKind::Manual && d.reconnect {
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
                        // close-policy function's delay is exact).
                        let (low, high) = match (d.rule, backoff.strategy) {
                            (Some(DecidedBy::Server), _) => (
                                base,
                                (base as f64 * (1.0 + backoff.jitter)).floor() as Millis,
                            ),
                            (Some(DecidedBy::Function), _) => (base, base),
                            (_, Jitter::Convex) => (
                                (base as f64 * (1.0 - backoff.jitter)).ceil() as Millis,
                                (base as f64 * (1.0 + backoff.jitter)).floor() as Millis,
                            ),
                            (_, Jitter::Full | Jitter::Decorrelated) => (0, base),
                            (_, Jitter::Equal) => (base.div_ceil(2), base),
                        };
                        if d.rule != Some(DecidedBy::Server) {
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
                        if backoff.jitter == 0.5 && d.rule != Some(DecidedBy::Server) {
                            prop_assert!(delay_ms as f64 <= backoff.max_ms as f64 * 1.5);
                        }
                        prop_assert_eq!(state, State::Disconnected);
                        if !self.online {
                            self.seen.offline_waits += 1;
                        }
                        prop_assert_eq!(
                            self.m.poll_timeout(),
                            Some(self.expected_wait(delay_ms)),
                            "the reconnect's wait (online: {}, hidden: {})",
                            self.online,
                            self.hidden
                        );
                        prop_assert_eq!(self.m.connection_state().connection_retries, d.retries);
                        prop_assert!(d.retries >= 1);
                        if let Some(max) = config.max_retries {
                            prop_assert!(d.retries <= max, "{:?}", d);
                        }
                    } else {
                        prop_assert_eq!(d.base_ms, None);
                        prop_assert_eq!(d.delay_ms, None);
                        if d.kind == DecisionKind::Manual {
                            prop_assert!(matches!(state, State::Stopped | State::Terminated));
                        } else {
                            prop_assert_eq!(state, State::Stopped);
                            self.seen.policy_stops += 1;
                        }
                    }
                    match info.initiator {
                        Initiator::Client if d.kind == DecisionKind::Manual => {
                            prop_assert_eq!(info.code, manual_code);
                        }
                        Initiator::Client if matches!(input, Input::DialFailed(_)) => {
                            prop_assert_eq!(info.code, 1006);
                            prop_assert!(!info.quiet);
                            prop_assert_eq!(info.reason.as_str(), DIAL_FAILED_REASON);
                            self.seen.dial_failures += 1;
                        }
                        Initiator::Client => {
                            prop_assert_eq!(info.code, 1000);
                            prop_assert!(
                                [
                                    INACTIVE_SERVER,
                                    FAILED_TO_SEND,
                                    HEARTBEAT_TIMEOUT,
                                    PROBE_TIMEOUT,
                                    WAKE
                                ]
                                .contains(&info.reason.as_str()),
                                "client close {:?}",
                                info.reason
                            );
                        }
                        Initiator::Server => {
                            prop_assert!(matches!(input, Input::Close(..)), "{:?}", input);
                        }
                    }
                    // Inactivity is not judged while the page is hidden.
                    if before.hidden && self.hidden {
                        prop_assert_ne!(
                            info.reason.as_str(),
                            INACTIVE_SERVER,
                            "judged inactive while hidden"
                        );
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
                                    || matches!(input, Input::Hidden(false) | Input::Online(true)),
                                "a probe on {:?}",
                                input
                            );
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
        // next ping.
        if let (State::Ready { .. }, Some(heartbeat)) = (state, config.heartbeat) {
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

        let cs = self.m.connection_state();
        prop_assert_eq!(cs.connection_count, self.accepted_opens);
        prop_assert_eq!(cs.has_ever_connected, !self.opened.is_empty());
        prop_assert_eq!(cs.snapshot, state.snapshot());
        prop_assert_eq!(cs.is_connected, state.kind() == StateKind::Ready);
        prop_assert_eq!(self.m.sendable(), sendable_in(state));
        self.log.push((self.now, actions, events));
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
    #![proptest_config(cases(400))]

    #[test]
    fn terminated_is_terminal_and_leaves_no_timer(
        config in config(),
        before in steps(30),
        after in proptest::collection::vec(step_with(3), 1..=40),
    ) {
        let mut w = run(config, 0, &before)?;
        let before = w.before(w.m.state());
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
            State::Stopped => w.step(&Step { dt: 0, input: Input::Reconnect(1000) })?,
            State::Disconnected => w.step(&Step { dt: 0, input: Input::Reconnect(1000) })?,
            _ => {}
        }
        prop_assert!(w.m.state().socket().is_some());
        w.step(&Step { dt: 1, input: Input::Close(Sock::Live, 4003, "", true) })?;
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
    let mut visited = BTreeSet::new();
    let mut seen = Seen::default();
    let mut opens = 0;
    for i in 0..900 {
        let (config, steps) = if i % 2 == 0 {
            heartbeat.new_tree(&mut runner).unwrap().current()
        } else {
            strategy.new_tree(&mut runner).unwrap().current()
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
        let now = self.now;
        if let Input::Message(s) = step.input {
            if let Some(id) = self.pick(s) {
                let live = self.b.state().socket() == Some(id);
                let deliver = self.a.on_message(now, id);
                if live && !self.b.wants_every_frame() {
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
        let mut at = now;
        if matches!(step.input, Input::Timer | Input::LateTimer(_)) {
            if let Some(t) = self.a.poll_timeout() {
                let extra = match step.input {
                    Input::LateTimer(x) => x,
                    _ => 0,
                };
                at = at.max(t.saturating_add(extra));
            }
            self.now = at;
        }
        for m in [&mut self.a, &mut self.b] {
            match step.input {
                Input::Open(s)
                | Input::Close(s, ..)
                | Input::SendFailed(s)
                | Input::Pong(s)
                | Input::DialFailed(s) => {
                    let Some(id) = pick_in(m, &self.created, s) else {
                        continue;
                    };
                    match step.input {
                        Input::Open(_) => m.on_open(at, id),
                        Input::Close(_, code, reason, clean) => {
                            m.on_close(at, id, code, reason, clean)
                        }
                        Input::SendFailed(_) => m.on_send_failed(at, id),
                        Input::Pong(_) => m.on_pong(at, id),
                        _ => m.on_dial_failed(at, id, DIAL_FAILED),
                    }
                }
                Input::Message(_) => unreachable!(),
                Input::Timer | Input::LateTimer(_) | Input::WakeNow => m.handle_timeout(at),
                Input::Stop => {
                    m.stop(at);
                }
                Input::StopWith(code) => {
                    m.stop_with(at, code, "bye".into());
                }
                Input::TryRestart => m.try_restart(at),
                Input::Terminate => {
                    m.terminate(at);
                }
                Input::Pause => m.pause(at),
                Input::Resume => m.resume(at),
                Input::ResetBackoff => m.reset_backoff(),
                Input::SendTarget => {
                    let _ = m.queue(at, 1);
                }
                Input::Reconnect(code) => m.reconnect(at, code, "again".into()),
                Input::Hidden(h) => m.set_hidden(at, h),
                Input::Online(o) => m.set_online(at, o),
                Input::Sent => m.on_sent(at),
            }
        }
        self.compare("input")
    }

    fn compare(&mut self, what: &str) -> Result<(), TestCaseError> {
        let a = drain(&mut self.a);
        let b = drain(&mut self.b);
        for action in &a.0 {
            if let Action::Connect { socket } = action {
                self.created.push(*socket);
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

/// The socket a step names, as seen by `m`: the live one, or another
/// created before (the twins agree on the live socket, which `compare`
/// checks).
fn pick_in(m: &Machine, created: &[SocketId], s: Sock) -> Option<SocketId> {
    let live = m.state().socket();
    match s {
        Sock::Live => live.or_else(|| created.last().copied()),
        Sock::Older(k) => {
            let older: Vec<SocketId> = created
                .iter()
                .copied()
                .filter(|&id| Some(id) != live)
                .collect();
            if older.is_empty() {
                live
            } else {
                Some(older[k % older.len()])
            }
        }
    }
}

/// The order the docs' tables write, for any input: a client's `close`
/// comes right before its `onClose`; `onClose` is followed at once by the
/// state change that leaves the socket; `connect` by the change to
/// `connecting`; `onOpen` and `onResume` follow the change to `ready/no`; a
/// `ping` is followed by its `onHeartbeat`.
fn check_order(outputs: &[Output]) -> Result<(), TestCaseError> {
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
                    && !(info.code == 1006 && info.reason.ends_with("Failed"));
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
        2 => (any::<u32>(), 0u64..3_000).prop_map(|(a, dt)| Step {
            dt,
            input: Input::Message(decode_sock(a)),
        }),
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
