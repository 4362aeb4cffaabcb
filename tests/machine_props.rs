#![cfg(not(target_arch = "wasm32"))]
//! Property tests: random input sequences, on a fake clock, against a fake
//! I/O layer that carries out the machine's actions. Every invariant is
//! checked after every step.

mod machine_support;

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use steadysocket::machine::{
    delay, Action, Backoff, ClosePolicy, CloseRule, Config, DecisionKind, Event, Machine, Millis,
    Paused, ResetRule, Rng, RuleAction, Snapshot, SocketId, State, StateKind,
};

const CODES: [u16; 10] = [1000, 1001, 1005, 1006, 1011, 4001, 4003, 4040, 4999, 3000];
const REASONS: [&str; 4] = [
    "",
    "InternalServerError: x",
    "TooManyConcurrentRequests",
    "whatever",
];

fn cases(n: u32) -> ProptestConfig {
    ProptestConfig {
        cases: n,
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
    /// Woken at the machine's own deadline (the clock jumps there).
    Timer,
    /// Woken now, whatever is due.
    WakeNow,
    Stop,
    TryRestart,
    Terminate,
    Pause,
    Resume,
    ResetBackoff,
    SendTarget,
}

#[derive(Clone, Debug)]
struct Step {
    dt: Millis,
    input: Input,
}

/// The inputs and their weights in a random sequence. Steps are generated as
/// plain numbers and decoded (much cheaper than nested unions in debug
/// builds, and shrinking still works towards the first entries).
const KINDS: [(u32, &str); 13] = [
    (6, "open"),
    (4, "message"),
    (5, "close"),
    (2, "sendFailed"),
    (6, "timer"),
    (1, "wakeNow"),
    (1, "stop"),
    (2, "tryRestart"),
    (2, "pause"),
    (2, "resume"),
    (1, "resetBackoff"),
    (1, "sendTarget"),
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
        "timer" => Input::Timer,
        "wakeNow" => Input::WakeNow,
        "stop" => Input::Stop,
        "tryRestart" => Input::TryRestart,
        "pause" => Input::Pause,
        "resume" => Input::Resume,
        "resetBackoff" => Input::ResetBackoff,
        "sendTarget" => Input::SendTarget,
        _ => Input::Terminate,
    };
    let dt = match b % 7 {
        0 | 1 => 0,
        2..=4 => u64::from(b >> 3) % 1_000,
        _ => u64::from(b >> 3) % 70_000,
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

fn config() -> impl Strategy<Value = Config> {
    let backoff = (
        0u64..=20_000,
        0u64..=5_000,
        prop_oneof![Just(16_000u64), 0u64..=60_000],
        prop_oneof![Just(2.0f64), 1.0f64..=4.0],
        prop_oneof![Just(0.5f64), Just(0.0), Just(1.0), 0.0f64..=1.0],
    )
        .prop_map(
            |(initial_ms, client_initial_ms, max_ms, multiplier, jitter)| Backoff {
                initial_ms,
                client_initial_ms,
                max_ms,
                multiplier,
                jitter,
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
    )
        .prop_map(
            |(backoff, inactivity_ms, max_retries, policy, reset, seed, verbose)| Config {
                backoff,
                inactivity_ms,
                max_retries,
                policy,
                reset,
                seed,
                verbose,
                ..Config::default()
            },
        )
}

/// What the fake I/O layer and the application saw.
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
    policy_stops: u32,
}

fn disconnected() -> Snapshot {
    Snapshot {
        state: StateKind::Disconnected,
        paused: None,
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
            policy_stops: 0,
        };
        let before = State::Disconnected;
        w.after_step(before, None, &Input::WakeNow)?;
        Ok(w)
    }

    fn pick(&self, s: Sock) -> Option<SocketId> {
        let live = self.m.state().socket();
        match s {
            Sock::Live => live.or_else(|| self.created.last().copied()),
            Sock::Older(k) => {
                let older: Vec<SocketId> = self
                    .created
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

    fn step(&mut self, step: &Step) -> Result<(), TestCaseError> {
        self.now += step.dt;
        let now = self.now;
        let before = self.m.state();
        let live = before.socket();
        let mut closed_by_event = None;
        match step.input {
            Input::Open(s) => {
                if let Some(id) = self.pick(s) {
                    if matches!(before, State::Connecting { socket, .. } if socket == id) {
                        self.accepted_opens += 1;
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
            Input::Timer => {
                if let Some(t) = self.m.next_timeout() {
                    self.now = self.now.max(t);
                }
                self.m.on_timeout(self.now);
            }
            Input::WakeNow => self.m.on_timeout(now),
            Input::Stop => {
                let r = self.m.stop(now);
                prop_assert_eq!(r, live, "stop() returns the socket it closes");
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
                let t = self.m.send_target();
                let want = match before {
                    State::Ready {
                        socket,
                        paused: Paused::No,
                    } => Some(socket),
                    _ => None,
                };
                prop_assert_eq!(t, want, "send_target");
            }
        }
        if let Some(id) = closed_by_event {
            prop_assert!(self.open.remove(&id), "a closed socket {:?} was open", id);
        }
        self.after_step(before, live, &step.input)
    }

    fn after_step(
        &mut self,
        before: State,
        live_before: Option<SocketId>,
        input: &Input,
    ) -> Result<(), TestCaseError> {
        let state = self.m.state();
        let backoff = self.m.config().backoff.clone();
        let max_retries = self.m.config().max_retries;
        let verbose = self.m.config().verbose;
        let mut actions = Vec::new();
        while let Some(a) = self.m.poll_action() {
            actions.push(a);
        }
        let mut events = Vec::new();
        while let Some(e) = self.m.poll_event() {
            events.push(e);
        }
        self.visited
            .insert(machine_support::snap_name(state.snapshot()));

        // The fake I/O layer carries out the actions.
        for a in &actions {
            match *a {
                Action::Connect { socket } => {
                    if let Some(&last) = self.created.last() {
                        prop_assert!(socket > last, "connect ids increase: {:?}", actions);
                    }
                    self.created.push(socket);
                    self.open.insert(socket);
                }
                Action::Close { socket, code, .. } => {
                    prop_assert_eq!(Some(socket), live_before, "only the live socket is closed");
                    prop_assert_eq!(code, 1000);
                    prop_assert!(self.open.remove(&socket), "closing an open socket");
                }
                Action::SendPing { socket } => {
                    prop_assert_eq!(Some(socket), state.socket(), "pings go to the live socket");
                }
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
        match before {
            State::Terminated => {
                prop_assert_eq!(state, State::Terminated, "terminated is terminal");
                prop_assert_eq!(connects, 0);
                prop_assert!(
                    events.iter().all(|e| matches!(e, Event::Verbose(_))),
                    "after terminate only verbose notes: {:?}",
                    events
                );
            }
            State::Stopped if !matches!(input, Input::TryRestart) => {
                prop_assert_eq!(connects, 0, "stopped never connects by itself");
            }
            _ => {}
        }
        if !verbose {
            prop_assert!(!events.iter().any(|e| matches!(e, Event::Verbose(_))));
        }

        for e in &events {
            match e {
                Event::StateChanged { from, to, .. } => {
                    prop_assert_eq!(*from, self.last_to, "state changes chain");
                    prop_assert_ne!(from, to);
                    self.last_to = *to;
                }
                Event::Opened(meta) => {
                    let s = state.socket();
                    prop_assert!(
                        matches!(
                            state,
                            State::Ready {
                                paused: Paused::No,
                                ..
                            }
                        ),
                        "onOpen in {:?}",
                        state
                    );
                    let s = s.unwrap();
                    prop_assert!(self.opened.insert(s), "onOpen twice for {:?}", s);
                    prop_assert_eq!(meta.connection_count + 1, self.accepted_opens);
                    if matches!(input, Input::Open(_)) {
                        prop_assert_eq!(meta.client_ts, self.now);
                    } else {
                        // A deferred open, delivered by resume.
                        prop_assert!(matches!(input, Input::Resume));
                        prop_assert!(meta.client_ts <= self.now);
                    }
                }
                Event::Closed(info) => {
                    let d = info.decision;
                    if d.reconnect {
                        let base = d.base_ms.expect("a base when reconnecting");
                        let delay_ms = d.delay_ms.expect("a delay when reconnecting");
                        let b = &backoff;
                        prop_assert!(base <= b.max_ms, "base {} > max {}", base, b.max_ms);
                        let low = (base as f64 * (1.0 - b.jitter)).ceil() as Millis;
                        let high = (base as f64 * (1.0 + b.jitter)).floor() as Millis;
                        prop_assert!(
                            low <= delay_ms && delay_ms <= high,
                            "delay {} outside [{}, {}] for {:?}",
                            delay_ms,
                            low,
                            high,
                            info
                        );
                        if b.jitter == 0.5 {
                            prop_assert!(delay_ms as f64 <= b.max_ms as f64 * 1.5);
                        }
                        prop_assert_eq!(state, State::Disconnected);
                        prop_assert_eq!(self.m.next_timeout(), Some(self.now + delay_ms));
                        prop_assert_eq!(self.m.connection_state().connection_retries, d.retries);
                        prop_assert!(d.retries >= 1);
                        if let Some(max) = max_retries {
                            prop_assert!(d.retries <= max, "{:?}", d);
                        }
                    } else {
                        prop_assert_eq!(d.base_ms, None);
                        prop_assert_eq!(d.delay_ms, None);
                        if d.kind == DecisionKind::Manual {
                            prop_assert!(matches!(state, State::Stopped | State::Terminated));
                        } else {
                            prop_assert_eq!(state, State::Stopped);
                            self.policy_stops += 1;
                        }
                    }
                    if info.initiator == steadysocket::machine::Initiator::Client {
                        prop_assert_eq!(info.code, 1000);
                        prop_assert!(info.quiet);
                    }
                }
                Event::ServerDisconnectError { code, reason } => {
                    prop_assert!(!steadysocket::machine::is_quiet(*code));
                    prop_assert!(!reason.is_empty());
                }
                Event::Resumed | Event::Verbose(_) | Event::Heartbeat(_) => {}
            }
        }
        prop_assert_eq!(self.last_to, state.snapshot(), "last state change");

        // Timers.
        match state {
            State::Stopped | State::Terminated => prop_assert_eq!(self.m.next_timeout(), None),
            State::Disconnected => prop_assert!(self.m.next_timeout().is_some()),
            _ => {}
        }

        let cs = self.m.connection_state();
        prop_assert_eq!(cs.connection_count, self.accepted_opens);
        prop_assert_eq!(cs.has_ever_connected, !self.opened.is_empty());
        prop_assert_eq!(cs.snapshot, state.snapshot());
        prop_assert_eq!(cs.is_connected, state.kind() == StateKind::Ready);
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
    #![proptest_config(cases(1500))]

    #[test]
    fn default_config_keeps_every_invariant(
        start in 0u64..1_000_000,
        steps in steps(60),
    ) {
        run(Config::default(), start, &steps)?;
    }

}

proptest! {
    #![proptest_config(cases(2000))]

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
    #![proptest_config(cases(1000))]

    #[test]
    fn terminated_is_terminal_and_leaves_no_timer(
        config in config(),
        before in steps(30),
        after in proptest::collection::vec(step_with(3), 1..=40),
    ) {
        let mut w = run(config, 0, &before)?;
        let before = w.m.state();
        let live = before.socket();
        prop_assert_eq!(w.m.terminate(w.now), live);
        w.after_step(before, live, &Input::Terminate)?;
        prop_assert_eq!(w.m.state(), State::Terminated);
        prop_assert_eq!(w.m.next_timeout(), None);
        let created = w.created.len();
        for s in &after {
            w.step(s)?;
            prop_assert_eq!(w.m.state(), State::Terminated);
            prop_assert_eq!(w.m.next_timeout(), None);
        }
        prop_assert_eq!(w.created.len(), created, "no socket after terminate");
        prop_assert!(w.open.is_empty());
    }

    #[test]
    fn stopped_by_policy_never_connects_without_try_restart(
        warmup in steps(20),
        after in proptest::collection::vec(step_without_terminate(), 1..=40),
    ) {
        let mut w = run(Config::default(), 0, &warmup)?;
        if w.m.state() == State::Terminated {
            return Ok(());
        }
        // Make sure there is a live socket, then close it with 4003.
        match w.m.state() {
            State::Stopped => w.step(&Step { dt: 0, input: Input::TryRestart })?,
            State::Disconnected => w.step(&Step { dt: 0, input: Input::Timer })?,
            _ => {}
        }
        prop_assert!(w.m.state().socket().is_some());
        w.step(&Step { dt: 1, input: Input::Close(Sock::Live, 4003, "", true) })?;
        prop_assert_eq!(w.m.state(), State::Stopped);
        let created = w.created.len();
        let mut restarted = false;
        for s in &after {
            restarted |= matches!(s.input, Input::TryRestart) && w.m.state() == State::Stopped;
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
        retries in prop_oneof![0u32..10, any::<u32>()],
        seed in any::<u64>(),
    ) {
        let b = Backoff { initial_ms, client_initial_ms: 100, max_ms, multiplier, jitter };
        let d = delay(&b, initial_ms, retries, &mut Rng::new(seed));
        let grown = initial_ms as f64 * multiplier.powi(retries.min(64) as i32);
        let base = grown.min(max_ms as f64).round();
        prop_assert_eq!(d.base_ms, base as Millis);
        prop_assert!(d.base_ms <= max_ms);
        let low = (base * (1.0 - jitter)).ceil() as Millis;
        let high = (base * (1.0 + jitter)).floor() as Millis;
        prop_assert!(low <= d.delay_ms && d.delay_ms <= high, "{:?} not in [{}, {}]", d, low, high);
        if jitter == 0.0 {
            prop_assert_eq!(d.delay_ms, d.base_ms);
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

/// The generator must actually reach every state and every kind of stop, or
/// the properties above would hold vacuously.
#[test]
fn generator_reaches_every_state() {
    let mut runner = TestRunner::deterministic();
    let strategy = (config(), steps(60));
    let mut visited = BTreeSet::new();
    let mut policy_stops = 0;
    let mut opens = 0;
    for _ in 0..300 {
        let (config, steps) = strategy.new_tree(&mut runner).unwrap().current();
        let w = run(config, 0, &steps).unwrap();
        visited.extend(w.visited);
        policy_stops += w.policy_stops;
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
    assert!(policy_stops >= 10, "only {policy_stops} stops by policy");
    assert!(opens >= 100, "only {opens} onOpen");
}
