//! Shared helpers for the native machine tests: a fake clock, a harness that
//! drains the machine's output, drivers that bring a machine into each state
//! of the docs' state table through public inputs only, and the configs,
//! states, actions, decisions and event views the example tests share.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::borrow::Cow;

use steadysocket::machine::{
    Action, Beat, Cause, CloseInfo, Config, Decision, DecisionKind, Event, Heartbeat, Initiator,
    Machine, Millis, Note, OpenMeta, Output, Paused, Snapshot, SocketId, StateKind, Trigger,
};

/// Every cause, in the enum's order. The match below stops compiling when a
/// variant is added and not listed here.
pub const ALL_CAUSES: [Cause; 24] = [
    Cause::Initial,
    Cause::Backoff,
    Cause::Open,
    Cause::Close,
    Cause::Inactivity,
    Cause::ConnectTimeout,
    Cause::SendFailed,
    Cause::DialFailed,
    Cause::HeartbeatTimeout,
    Cause::ProbeTimeout,
    Cause::Reconnect,
    Cause::Hidden,
    Cause::Visible,
    Cause::Online,
    Cause::Wake,
    Cause::PermanentClose,
    Cause::RetriesExhausted,
    Cause::Stop,
    Cause::Restart,
    Cause::Terminate,
    Cause::Pause,
    Cause::Resume,
    Cause::PageHide,
    Cause::PageShow,
];

/// Every connect trigger, in the enum's order (checked as [`ALL_CAUSES`]).
pub const ALL_TRIGGERS: [Trigger; 9] = [
    Trigger::Initial,
    Trigger::Backoff,
    Trigger::Inactivity,
    Trigger::Heartbeat,
    Trigger::Online,
    Trigger::Visible,
    Trigger::Wake,
    Trigger::Manual,
    Trigger::PageShow,
];

/// Fails to compile when a cause or trigger is missing from the lists.
fn _every_variant_listed(c: Cause, t: Trigger) {
    match c {
        Cause::Initial
        | Cause::Backoff
        | Cause::Open
        | Cause::Close
        | Cause::Inactivity
        | Cause::ConnectTimeout
        | Cause::SendFailed
        | Cause::DialFailed
        | Cause::HeartbeatTimeout
        | Cause::ProbeTimeout
        | Cause::Reconnect
        | Cause::Hidden
        | Cause::Visible
        | Cause::Online
        | Cause::Wake
        | Cause::PermanentClose
        | Cause::RetriesExhausted
        | Cause::Stop
        | Cause::Restart
        | Cause::Terminate
        | Cause::Pause
        | Cause::Resume
        | Cause::PageHide
        | Cause::PageShow => {}
    }
    match t {
        Trigger::Initial
        | Trigger::Backoff
        | Trigger::Inactivity
        | Trigger::Heartbeat
        | Trigger::Online
        | Trigger::Visible
        | Trigger::Wake
        | Trigger::Manual
        | Trigger::PageShow => {}
    }
}

/// Steps between inputs while driving a machine somewhere, so that times in
/// the metadata are distinct and non-zero.
pub const STEP_MS: Millis = 10;

/// A machine, the fake clock it is fed with, and every socket it created.
pub struct Harness {
    pub m: Machine,
    pub now: Millis,
    /// Ids of every `Action::Connect` drained so far, in order.
    pub created: Vec<SocketId>,
}

impl Harness {
    /// A fresh machine at `now`, with its initial `Connect` still queued.
    pub fn new_at(config: Config, now: Millis) -> Harness {
        let m = Machine::new(config, now).expect("valid config");
        Harness {
            m,
            now,
            created: Vec::new(),
        }
    }

    /// A fresh machine at time 1000 whose initial output was drained.
    pub fn started(config: Config) -> Harness {
        let mut h = Harness::new_at(config, 1000);
        h.drain();
        h
    }

    /// Move the clock forward.
    pub fn advance(&mut self, ms: Millis) {
        self.now += ms;
    }

    /// Move the clock to `t` (never backwards).
    pub fn at(&mut self, t: Millis) {
        assert!(t >= self.now, "the fake clock must not go backwards");
        self.now = t;
    }

    /// Take everything the machine put out, in order; records the sockets
    /// created.
    pub fn outputs(&mut self) -> Vec<Output> {
        let mut all = Vec::new();
        while let Some(o) = self.m.poll() {
            if let Output::Action(Action::Connect { socket }) = o {
                self.created.push(socket);
            }
            all.push(o);
        }
        all
    }

    /// Take everything, split into the actions and the events (each in
    /// order).
    pub fn drain(&mut self) -> (Vec<Action>, Vec<Event>) {
        split(self.outputs())
    }

    /// Events only (actions are drained too and must be empty).
    pub fn events_only(&mut self) -> Vec<Event> {
        let (actions, events) = self.drain();
        assert_eq!(actions, Vec::new(), "no action expected");
        events
    }

    /// The live socket, which must exist.
    pub fn live(&self) -> SocketId {
        self.m
            .state()
            .socket()
            .unwrap_or_else(|| panic!("no live socket in {:?}", self.m.state()))
    }

    /// The most recently created socket (live or not).
    pub fn latest(&self) -> SocketId {
        *self.created.last().expect("a socket was created")
    }

    /// The live socket if there is one, else the most recent (stale) one.
    pub fn live_or_latest(&self) -> SocketId {
        self.m.state().socket().unwrap_or_else(|| self.latest())
    }

    /// Wake the machine at its next deadline (or far in the future if it
    /// has none), then drain.
    pub fn fire_timer(&mut self) -> (Vec<Action>, Vec<Event>) {
        let t = self
            .m
            .poll_timeout()
            .unwrap_or(self.now + 1_000_000)
            .max(self.now);
        self.now = t;
        self.m.handle_timeout(t);
        self.drain()
    }

    /// The live socket opens now.
    pub fn open(&mut self) -> (Vec<Action>, Vec<Event>) {
        let s = self.live();
        self.m.on_open(self.now, s);
        self.drain()
    }

    /// An inbound frame on the live socket now.
    pub fn message(&mut self) -> bool {
        let s = self.live();
        self.m.on_message(self.now, s)
    }

    /// The live socket closes now.
    pub fn close(&mut self, code: u16, reason: &str) -> (Vec<Action>, Vec<Event>) {
        let s = self.live();
        self.m.on_close(self.now, s, code, reason, false);
        self.drain()
    }

    /// Move the clock to `t`, apply `f` there, then drain.
    pub fn input_at(
        &mut self,
        t: Millis,
        f: impl FnOnce(&mut Machine, Millis),
    ) -> (Vec<Action>, Vec<Event>) {
        self.at(t);
        f(&mut self.m, t);
        self.drain()
    }

    /// The page becomes hidden at `t`.
    pub fn hide(&mut self, t: Millis) -> (Vec<Action>, Vec<Event>) {
        self.input_at(t, |m, t| m.set_hidden(t, true))
    }

    /// The page becomes visible at `t`.
    pub fn show(&mut self, t: Millis) -> (Vec<Action>, Vec<Event>) {
        self.input_at(t, |m, t| m.set_hidden(t, false))
    }

    /// The network goes away at `t`.
    pub fn offline(&mut self, t: Millis) -> (Vec<Action>, Vec<Event>) {
        self.input_at(t, |m, t| m.set_online(t, false))
    }

    /// The network comes back at `t`.
    pub fn online(&mut self, t: Millis) -> (Vec<Action>, Vec<Event>) {
        self.input_at(t, |m, t| m.set_online(t, true))
    }

    /// The machine is woken at `t`, whatever is due.
    pub fn timeout_at(&mut self, t: Millis) -> (Vec<Action>, Vec<Event>) {
        self.input_at(t, |m, t| m.handle_timeout(t))
    }

    /// The live socket closes with 1006 and the planned reconnect happens:
    /// one more consecutive failure. Returns the decision's close info.
    pub fn fail_and_reconnect(&mut self, code: u16, reason: &str) -> CloseInfo {
        let (_, events) = self.close(code, reason);
        let info = closed_info(&events);
        assert!(info.decision.reconnect, "expected a reconnect: {info:?}");
        let (actions, _) = self.fire_timer();
        assert!(
            matches!(actions.as_slice(), [Action::Connect { .. }]),
            "expected a reconnect, got {actions:?}"
        );
        info
    }
}

/// The one `Closed` event in a batch.
pub fn closed_info(events: &[Event]) -> CloseInfo {
    let closed: Vec<&CloseInfo> = events
        .iter()
        .filter_map(|e| match e {
            Event::Closed(info) => Some(info),
            _ => None,
        })
        .collect();
    assert_eq!(closed.len(), 1, "expected exactly one Closed in {events:?}");
    closed[0].clone()
}

/// The events of a batch without the verbose notes.
pub fn non_verbose(events: &[Event]) -> Vec<Event> {
    events
        .iter()
        .filter(|e| !matches!(e, Event::Verbose(_)))
        .cloned()
        .collect()
}

/// The verbose notes of a batch.
pub fn notes(events: &[Event]) -> Vec<Note> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Verbose(n) => Some(*n),
            _ => None,
        })
        .collect()
}

/// A snapshot as the docs write it: `ready/uninitialized`, `stopped`.
pub fn snap_name(s: Snapshot) -> String {
    match s.paused {
        Some(p) => format!("{}/{}", s.state.as_str(), p.as_str()),
        None => s.state.as_str().to_owned(),
    }
}

/// Build a snapshot.
pub fn snap(state: StateKind, paused: Option<Paused>) -> Snapshot {
    Snapshot { state, paused }
}

/// The docs' token for an action.
pub fn action_token(a: &Action) -> &'static str {
    match a {
        Action::Connect { .. } => "connect",
        Action::Close { .. } => "close",
        Action::SendPing { .. } => "ping",
        Action::Send { .. } => "send",
        Action::Judge(_) => "judge",
    }
}

/// The docs' token for an event; `None` for verbose notes, which the table
/// does not list.
pub fn event_token(e: &Event) -> Option<&'static str> {
    match e {
        Event::StateChanged { .. } => Some("state"),
        Event::Opened(_) => Some("onOpen"),
        Event::Resumed => Some("onResume"),
        Event::Closed(_) => Some("onClose"),
        Event::ServerDisconnectError { .. } => Some("onServerDisconnectError"),
        Event::Heartbeat(_) => Some("onHeartbeat"),
        Event::Dropped { .. } => Some("onOutboxDrop"),
        Event::Verbose(_) => None,
    }
}

/// The docs' token for an output; `None` for verbose notes.
pub fn output_token(o: &Output) -> Option<&'static str> {
    match o {
        Output::Action(a) => Some(action_token(a)),
        Output::Event(e) => event_token(e),
    }
}

/// The eight rows' starting states of the docs' table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    Disconnected,
    ConnectingNo,
    ConnectingYes,
    ReadyNo,
    ReadyYes,
    ReadyUninitialized,
    Stopped,
    Terminated,
}

impl Start {
    pub const ALL: [Start; 8] = [
        Start::Disconnected,
        Start::ConnectingNo,
        Start::ConnectingYes,
        Start::ReadyNo,
        Start::ReadyYes,
        Start::ReadyUninitialized,
        Start::Stopped,
        Start::Terminated,
    ];

    /// The name the docs use.
    pub fn name(self) -> &'static str {
        match self {
            Start::Disconnected => "disconnected",
            Start::ConnectingNo => "connecting/no",
            Start::ConnectingYes => "connecting/yes",
            Start::ReadyNo => "ready/no",
            Start::ReadyYes => "ready/yes",
            Start::ReadyUninitialized => "ready/uninitialized",
            Start::Stopped => "stopped",
            Start::Terminated => "terminated",
        }
    }

    /// The snapshot the machine reports in this state.
    pub fn snapshot(self) -> Snapshot {
        use Paused::*;
        use StateKind::*;
        match self {
            Start::Disconnected => snap(Disconnected, None),
            Start::ConnectingNo => snap(Connecting, Some(No)),
            Start::ConnectingYes => snap(Connecting, Some(Yes)),
            Start::ReadyNo => snap(Ready, Some(No)),
            Start::ReadyYes => snap(Ready, Some(Yes)),
            Start::ReadyUninitialized => snap(Ready, Some(Uninitialized)),
            Start::Stopped => snap(Stopped, None),
            Start::Terminated => snap(Terminated, None),
        }
    }
}

/// A machine brought into `start` through public inputs only, with all its
/// output drained. With `warm`, it first goes through one failed connection
/// (socket 0 closes with 1006, the reconnect creates socket 1), so that every
/// state has an older socket id around.
pub fn reach(start: Start, config: Config, warm: bool) -> Harness {
    let mut h = Harness::started(config);
    if warm {
        h.advance(STEP_MS);
        h.fail_and_reconnect(1006, "");
    }
    h.advance(STEP_MS);
    match start {
        Start::ConnectingNo => {}
        Start::ConnectingYes => h.m.pause(h.now),
        Start::ReadyNo => {
            h.open();
        }
        Start::ReadyYes => {
            h.open();
            h.advance(STEP_MS);
            h.m.pause(h.now);
        }
        Start::ReadyUninitialized => {
            h.m.pause(h.now);
            h.advance(STEP_MS);
            h.open();
        }
        Start::Disconnected => {
            h.open();
            h.advance(STEP_MS);
            h.close(1006, "");
        }
        Start::Stopped => {
            h.m.stop(h.now);
        }
        Start::Terminated => {
            h.m.terminate(h.now);
        }
    }
    h.drain();
    assert_eq!(
        h.m.state().snapshot(),
        start.snapshot(),
        "driving the machine to {}",
        start.name()
    );
    h
}

/// A config that produces verbose notes.
pub fn verbose() -> Config {
    Config {
        verbose: true,
        ..Config::default()
    }
}

/// A config without jitter, so delays equal their base.
pub fn no_jitter() -> Config {
    let mut c = Config::default();
    c.backoff.jitter = 0.0;
    c
}

/// A state and its paused sub-state, as the tests spell them.
pub type Snap = (StateKind, Option<Paused>);

/// The `StateChanged` event from `from` to `to`.
pub fn changed(from: Snap, to: Snap, cause: Cause) -> Event {
    Event::StateChanged {
        from: snap(from.0, from.1),
        to: snap(to.0, to.1),
        cause,
    }
}

/// A retry decision without jitter: the delay is the base.
pub fn retry(base: Millis, retries: u32) -> Decision {
    Decision {
        kind: DecisionKind::Retry,
        reconnect: true,
        base_ms: Some(base),
        delay_ms: Some(base),
        retries,
        max_retries: None,
        rule: None,
    }
}

/// The `onClose` of a close this client decided on (inactivity, heartbeat,
/// probe, wake, failed send): code 1000, quiet.
pub fn client_close(reason: &str, decision: Decision) -> Event {
    Event::Closed(CloseInfo {
        code: 1000,
        reason: reason.to_owned(),
        was_clean: false,
        initiator: Initiator::Client,
        quiet: true,
        decision,
    })
}

/// Outputs split into the actions and the events, each in order.
pub fn split(outputs: Vec<Output>) -> (Vec<Action>, Vec<Event>) {
    let mut actions = Vec::new();
    let mut events = Vec::new();
    for o in outputs {
        match o {
            Output::Action(a) => actions.push(a),
            Output::Event(e) => events.push(e),
        }
    }
    (actions, events)
}

// ----- configs ----------------------------------------------------------------

/// `c` without the inactivity timeout.
pub fn inactivity_off(mut c: Config) -> Config {
    c.inactivity_ms = None;
    c
}

/// No jitter, with a heartbeat.
pub fn hb(interval_ms: Millis, timeout_ms: Millis, any_frame: bool) -> Config {
    Config {
        heartbeat: Some(Heartbeat {
            interval_ms,
            timeout_ms,
            any_frame,
        }),
        ..no_jitter()
    }
}

/// The default heartbeat (a ping after 30 s without a send, 10 s for the
/// answer), no jitter.
pub fn hb_default() -> Config {
    hb(30_000, 10_000, false)
}

/// No jitter; stop after the page has been hidden for `ms`.
pub fn with_stop_when_hidden(ms: Millis) -> Config {
    Config {
        stop_when_hidden_ms: Some(ms),
        ..no_jitter()
    }
}

// ----- machines on the way ------------------------------------------------------

/// Started at 1000 (socket 0 created then), open at 1010: inactivity deadline
/// 61 010 and, with the default heartbeat, the first ping at 31 010 (the
/// interval counts from the open).
pub fn ready(config: Config) -> Harness {
    let mut h = Harness::started(config);
    h.at(1010);
    h.open();
    assert_eq!(h.m.sendable(), Some(s(0)));
    h
}

/// `ready`, then socket 0 closes with 1006 at 1020: the reconnect is planned
/// for 2020 (base 1000, one retry).
pub fn disconnected_after_open(config: Config) -> Harness {
    let mut h = ready(config);
    h.at(1020);
    let (_, events) = h.close(1006, "");
    assert_eq!(closed_info(&events).decision, retry(1000, 1));
    assert_eq!(h.m.poll_timeout(), Some(2020));
    h
}

/// Two failures, then a fresh socket (connecting): retries = 2.
pub fn after_two_failures(config: Config) -> Harness {
    let mut h = Harness::started(config);
    h.fail_and_reconnect(1006, "");
    h.fail_and_reconnect(1006, "");
    assert_eq!(h.m.connection_state().connection_retries, 2);
    h
}

// ----- states, sockets and actions ------------------------------------------------

pub const CONNECTING_NO: Snap = (StateKind::Connecting, Some(Paused::No));
pub const CONNECTING_YES: Snap = (StateKind::Connecting, Some(Paused::Yes));
pub const READY_NO: Snap = (StateKind::Ready, Some(Paused::No));
pub const READY_YES: Snap = (StateKind::Ready, Some(Paused::Yes));
pub const READY_UNINITIALIZED: Snap = (StateKind::Ready, Some(Paused::Uninitialized));
pub const DISCONNECTED: Snap = (StateKind::Disconnected, None);
/// The state (not the close reason `steadysocket::machine::STOPPED`).
pub const STOPPED: Snap = (StateKind::Stopped, None);

/// The machine's state and paused sub-state.
pub fn kind(h: &Harness) -> Snap {
    let s = h.m.state().snapshot();
    (s.state, s.paused)
}

/// Socket `n`.
pub fn s(n: u64) -> SocketId {
    SocketId(n)
}

/// Create socket `n`.
pub fn connect(n: u64) -> Action {
    Action::Connect { socket: s(n) }
}

/// Ping on socket `n`.
pub fn ping(n: u64) -> Action {
    Action::SendPing { socket: s(n) }
}

/// Close socket `n`.
pub fn close(n: u64, code: u16, reason: &'static str) -> Action {
    Action::Close {
        socket: s(n),
        code,
        reason: Cow::Borrowed(reason),
    }
}

/// No action and no event.
pub fn nothing() -> (Vec<Action>, Vec<Event>) {
    (Vec::new(), Vec::new())
}

// ----- decisions and closes --------------------------------------------------------

/// The decision of the application's own close (`stop()`, `stop_with()`,
/// `terminate()`, `reconnect()`): with `reconnect`, at once (0 ms).
pub fn manual(reconnect: bool, retries: u32) -> Decision {
    Decision {
        kind: DecisionKind::Manual,
        reconnect,
        base_ms: reconnect.then_some(0),
        delay_ms: reconnect.then_some(0),
        retries,
        max_retries: None,
        rule: None,
    }
}

/// A close's fields.
pub fn close_fields(info: &CloseInfo) -> (u16, &str, bool, Initiator, bool, Decision) {
    (
        info.code,
        info.reason.as_str(),
        info.was_clean,
        info.initiator,
        info.quiet,
        info.decision,
    )
}

// ----- onOpen ----------------------------------------------------------------------

/// Every `onOpen` of a batch.
pub fn opened(events: &[Event]) -> Vec<OpenMeta> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Opened(m) => Some(m.clone()),
            _ => None,
        })
        .collect()
}

/// The one `onOpen` of a batch.
pub fn one_open(events: &[Event]) -> OpenMeta {
    let o = opened(events);
    assert_eq!(o.len(), 1, "expected one onOpen in {events:?}");
    o[0].clone()
}

/// The Convex fields of `onOpen`'s metadata: the connection count, the last
/// close reason and `clientTs` (not the trigger and the downtime).
pub fn convex_fields(m: &OpenMeta) -> (u32, Option<&str>, Millis) {
    (
        m.connection_count,
        m.last_close_reason.as_deref(),
        m.client_ts,
    )
}

// ----- heartbeat -------------------------------------------------------------------

/// The `onHeartbeat` of a beat.
pub fn beat(b: Beat) -> Event {
    Event::Heartbeat(b)
}

/// The `onHeartbeat` of a pong, `rtt_ms` after its ping.
pub fn pong(rtt_ms: Millis) -> Event {
    Event::Heartbeat(Beat::Pong { rtt_ms })
}

/// The beats of a batch.
pub fn beats(events: &[Event]) -> Vec<Beat> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Heartbeat(b) => Some(*b),
            _ => None,
        })
        .collect()
}

// ----- random inputs, for the property tests ----------------------------------------

/// The random input sequences and configs of the property tests
/// (`machine_props`, `machine_props_page`): inputs drawn as plain numbers
/// and decoded, on a weighted line of every input the machine takes.
pub mod props {
    use proptest::prelude::*;
    use proptest::test_runner::Config as ProptestConfig;
    use steadysocket::machine::{
        Backoff, ClosePolicy, CloseRule, Config, DialFailure, Heartbeat, Jitter, Machine, Millis,
        ResetRule, RuleAction, SocketId, Verdict, VerdictAction, MAX_MS,
    };

    pub const CODES: [u16; 10] = [1000, 1001, 1005, 1006, 1011, 4001, 4003, 4040, 4999, 3000];
    pub const REASONS: [&str; 4] = [
        "",
        "InternalServerError: x",
        "TooManyConcurrentRequests",
        "whatever",
    ];
    /// Codes the application closes with (`reconnect`, `stop(code, reason)`).
    pub const APP_CODES: [u16; 4] = [1000, 3000, 4000, 4999];
    /// The dial failure the sequences report, and the reason it shows.
    pub const DIAL_FAILED: DialFailure = DialFailure::UrlProvider;
    pub const DIAL_FAILED_REASON: &str = "UrlProviderFailed";

    /// `n` cases, times `STEADYSOCKET_PROPTEST_FACTOR` (default 1): the long
    /// run sets it (`STEADYSOCKET_PROPTEST_FACTOR=30 cargo test --test
    /// machine_props --release` runs well over 100 000 random sequences).
    pub fn cases(n: u32) -> ProptestConfig {
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
    pub enum Sock {
        /// The live socket, or the most recent one if there is none.
        Live,
        /// Some other socket created before (picked by index), if any.
        Older(usize),
    }

    #[derive(Clone, Debug)]
    pub enum Input {
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
        /// The page goes into the back/forward cache (`pagehide`, persisted).
        PageHide,
        /// The page comes back from it (`pageshow`, persisted).
        PageShow,
        /// The page runs again after a freeze (the Page Lifecycle's `resume`).
        PageResumed,
        /// The close-policy function's answer (`None`: the rules decide), to
        /// the judgement out or, late, to nothing.
        Judge(Option<Verdict>),
    }

    impl Input {
        pub fn is_timer(&self) -> bool {
            matches!(self, Input::Timer | Input::LateTimer(_) | Input::WakeNow)
        }

        /// Whether the input lets the rules decide a judgement out before it
        /// acts (`judge()` decides it itself). `on_sent` only records a time.
        pub fn settles(&self) -> bool {
            !matches!(self, Input::Sent)
        }

        /// The socket a socket input names.
        pub fn sock(&self) -> Option<Sock> {
            match *self {
                Input::Open(s)
                | Input::Message(s)
                | Input::Close(s, ..)
                | Input::SendFailed(s)
                | Input::Pong(s)
                | Input::DialFailed(s) => Some(s),
                _ => None,
            }
        }
    }

    /// When a step happens: `now`, or for a timer step its machine's next
    /// deadline (plus the lateness asked for) if that is later.
    pub fn timer_at(m: &Machine, now: Millis, input: &Input) -> Millis {
        let extra = match *input {
            Input::Timer => 0,
            Input::LateTimer(x) => x,
            _ => return now,
        };
        m.poll_timeout()
            .map_or(now, |t| now.max(t.saturating_add(extra)))
    }

    #[derive(Clone, Debug)]
    pub struct Step {
        pub dt: Millis,
        pub input: Input,
        /// With a judgement out after the input, the verdict the function
        /// answers at once (`None`: it answers later, or never).
        pub answer: Option<Option<Verdict>>,
    }

    impl Step {
        pub fn new(dt: Millis, input: Input) -> Step {
            Step {
                dt,
                input,
                answer: None,
            }
        }
    }

    /// The inputs and their weights in a random sequence. Steps are generated as
    /// plain numbers and decoded (much cheaper than nested unions in debug
    /// builds, and shrinking still works towards the first entries).
    pub const KINDS: [(u32, &str); 24] = [
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
        (2, "pageHide"),
        (2, "pageShow"),
        (1, "pageResumed"),
        (2, "judge"),
        // Last, so that it can be left out.
        (1, "terminate"),
    ];

    pub fn decode_sock(a: u32) -> Sock {
        if a % 5 == 4 {
            Sock::Older((a / 5) as usize)
        } else {
            Sock::Live
        }
    }

    /// A verdict of the close-policy function: none (the rules decide), retry,
    /// permanent or limited, with no delay, no wait at all or an exact one.
    pub fn decode_verdict(v: u32) -> Option<Verdict> {
        let action = match v % 6 {
            0 => return None,
            1 | 2 => VerdictAction::Retry,
            3 => VerdictAction::Permanent,
            _ => VerdictAction::Limited((v >> 3) % 5),
        };
        let delay_ms = match (v >> 6) % 3 {
            0 => None,
            1 => Some(0),
            _ => Some(u64::from(v >> 8) % 120_000),
        };
        Some(Verdict { action, delay_ms })
    }

    /// One step from four numbers: which input (a point on the weighted line of
    /// `KINDS`, scaled by `terminate_weight` for the last entry), its parameters,
    /// how long before it, and the function's answer to a judgement it causes
    /// (at once three times in five).
    pub fn decode(kind: u32, a: u32, b: u32, c: u32) -> Step {
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
            "pageHide" => Input::PageHide,
            "pageShow" => Input::PageShow,
            "pageResumed" => Input::PageResumed,
            "judge" => Input::Judge(decode_verdict(a)),
            _ => Input::Terminate,
        };
        let dt = match b % 9 {
            0 | 1 => 0,
            2..=4 => u64::from(b >> 4) % 1_000,
            5..=7 => u64::from(b >> 4) % 70_000,
            // Long enough for every wake threshold and ceiling.
            _ => u64::from(b >> 4) % 1_200_000,
        };
        let answer = (c % 5 < 3).then(|| decode_verdict(c >> 3));
        Step { dt, input, answer }
    }

    pub fn step_with(terminate_weight: u32) -> impl Strategy<Value = Step> {
        let total: u32 =
            KINDS[..KINDS.len() - 1].iter().map(|(w, _)| w).sum::<u32>() + terminate_weight;
        (0..total, any::<u32>(), any::<u32>(), any::<u32>())
            .prop_map(|(k, a, b, c)| decode(k, a, b, c))
    }

    pub fn step_without_terminate() -> impl Strategy<Value = Step> {
        step_with(0)
    }

    pub fn steps(max: usize) -> impl Strategy<Value = Vec<Step>> {
        proptest::collection::vec(step_with(1), 0..=max)
    }

    /// Steps with more of the page's life: trips through the back/forward
    /// cache, freezes, visibility, opens while hidden, and 1006 closes soon
    /// after the page's return.
    pub fn page_steps(max: usize) -> impl Strategy<Value = Vec<Step>> {
        let page = prop_oneof![
            1 => Just(Input::PageHide),
            2 => Just(Input::PageShow),
            1 => Just(Input::PageResumed),
            2 => Just(Input::Close(Sock::Live, 1006, "", false)),
            1 => Just(Input::Hidden(true)),
            1 => Just(Input::Hidden(false)),
            1 => Just(Input::Open(Sock::Live)),
        ];
        let step = prop_oneof![
            3 => step_with(1),
            // Mostly within the 3 s after a return that make a 1006 the
            // cache's.
            2 => (page, 0u64..3_500, any::<u32>()).prop_map(|(input, dt, c)| Step {
                dt,
                input,
                answer: (c % 5 < 3).then(|| decode_verdict(c >> 3)),
            }),
        ];
        proptest::collection::vec(step, 0..=max)
    }

    /// Random configs (with a heartbeat half the time) and the function.
    pub fn judged_config() -> BoxedStrategy<Config> {
        // Boxed: the nested strategies' trees overflow a test thread's stack
        // in debug builds otherwise.
        prop_oneof![config(), heartbeat_config()]
            .prop_map(|c| Config { judge: true, ..c })
            .boxed()
    }

    pub fn custom_policy() -> ClosePolicy {
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

    pub fn config() -> impl Strategy<Value = Config> {
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
            // The close-policy function a third of the time; a page that keeps
            // working while hidden a third; a connect timeout a third.
            (
                proptest::bool::weighted(0.35),
                proptest::bool::weighted(0.65),
                proptest::option::weighted(0.35, 1u64..=60_000),
            ),
        )
            .prop_map(
                |(
                    backoff,
                    inactivity_ms,
                    max_retries,
                    policy,
                    reset,
                    seed,
                    verbose,
                    life,
                    (judge, pause_when_hidden, connect_timeout_ms),
                )| Config {
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
                    pause_when_hidden,
                    max_server_delay_ms: 300_000,
                    judge,
                    connect_timeout_ms,
                    outbox: None,
                },
            )
    }

    /// Convex's jitter half the time, the others a sixth each.
    pub fn jitter_strategy() -> impl Strategy<Value = Jitter> {
        prop_oneof![
            3 => Just(Jitter::Convex),
            1 => Just(Jitter::Full),
            1 => Just(Jitter::Equal),
            1 => Just(Jitter::Decorrelated),
        ]
    }

    /// Random configs with a short heartbeat always on, and the inactivity
    /// timeout off or long, so that pings, answers and timeouts are frequent.
    pub fn heartbeat_config() -> impl Strategy<Value = Config> {
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

    /// The socket a step names, as seen by `m`: the live one, or another
    /// created before (the twins agree on the live socket, which `compare`
    /// checks).
    pub fn pick_in(m: &Machine, created: &[SocketId], s: Sock) -> Option<SocketId> {
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

    /// Tell `m` the input at `at` (a socket input from socket `id`).
    pub fn apply(m: &mut Machine, id: Option<SocketId>, input: &Input, at: Millis) {
        match *input {
            Input::Open(_)
            | Input::Message(_)
            | Input::Close(..)
            | Input::SendFailed(_)
            | Input::Pong(_)
            | Input::DialFailed(_) => {
                let Some(id) = id else {
                    return;
                };
                match *input {
                    Input::Open(_) => m.on_open(at, id),
                    Input::Message(_) => {
                        m.on_message(at, id);
                    }
                    Input::Close(_, code, reason, clean) => m.on_close(at, id, code, reason, clean),
                    Input::SendFailed(_) => m.on_send_failed(at, id),
                    Input::Pong(_) => m.on_pong(at, id),
                    _ => m.on_dial_failed(at, id, DIAL_FAILED),
                }
            }
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
            Input::ResetBackoff => m.reset_backoff(at),
            Input::SendTarget => {
                let _ = m.queue(at, 1);
            }
            Input::Reconnect(code) => m.reconnect(at, code, "again".into()),
            Input::Hidden(h) => m.set_hidden(at, h),
            Input::Online(o) => m.set_online(at, o),
            Input::Sent => m.on_sent(at),
            Input::PageHide => m.page_hide(at),
            Input::PageShow => m.page_show(at),
            Input::PageResumed => m.page_resumed(at),
            Input::Judge(verdict) => m.judge(at, verdict),
        }
    }
}
