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
