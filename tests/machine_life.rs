#![cfg(not(target_arch = "wasm32"))]
//! The browser's life, on a fake clock: page visibility, the network going
//! and coming, the heartbeat and its probes, waking from sleep, `reconnect()`,
//! failed dials, `onOpen`'s trigger and downtime, and `terminated` staying
//! terminal through all of it.
//!
//! Unless a test says otherwise the machine starts at 1000 (socket 0
//! connecting) without jitter, so every delay equals its base.

mod machine_support;

use std::borrow::Cow;

use machine_support::{
    changed, client_close, closed_info, no_jitter, non_verbose, notes, reach, retry, Harness, Snap,
    Start,
};
use steadysocket::machine::{
    is_quiet, Action, Beat, Cause, CloseInfo, Config, ConfigError, Decision, DecisionKind,
    DialFailure, Event, Heartbeat, Initiator, Machine, Millis, Note, OpenMeta, Paused, ResetRule,
    SocketId, State, StateKind, Trigger, CLOSE_NORMAL, HEARTBEAT_TIMEOUT, INACTIVE_SERVER,
    INITIAL_CONNECT, MAX_MS, PROBE_TIMEOUT, RECONNECT, WAKE,
};

use Paused::{No, Uninitialized, Yes};
use StateKind::{Connecting, Disconnected, Ready, Stopped};

// ----- helpers ----------------------------------------------------------------

const CONNECTING_NO: Snap = (Connecting, Some(No));
const CONNECTING_YES: Snap = (Connecting, Some(Yes));
const READY_NO: Snap = (Ready, Some(No));
const READY_YES: Snap = (Ready, Some(Yes));
const READY_UNINITIALIZED: Snap = (Ready, Some(Uninitialized));
const DISCONNECTED: Snap = (Disconnected, None);
const STOPPED: Snap = (Stopped, None);

fn s(n: u64) -> SocketId {
    SocketId(n)
}

fn connect(n: u64) -> Action {
    Action::Connect { socket: s(n) }
}

fn ping(n: u64) -> Action {
    Action::SendPing { socket: s(n) }
}

fn close(n: u64, code: u16, reason: &'static str) -> Action {
    Action::Close {
        socket: s(n),
        code,
        reason: Cow::Borrowed(reason),
    }
}

fn manual(reconnect: bool, retries: u32) -> Decision {
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
fn close_fields(info: &CloseInfo) -> (u16, &str, bool, Initiator, bool, Decision) {
    (
        info.code,
        info.reason.as_str(),
        info.was_clean,
        info.initiator,
        info.quiet,
        info.decision,
    )
}

fn beat(b: Beat) -> Event {
    Event::Heartbeat(b)
}

fn pong(rtt_ms: Millis) -> Event {
    Event::Heartbeat(Beat::Pong { rtt_ms })
}

fn beats(events: &[Event]) -> Vec<Beat> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Heartbeat(b) => Some(*b),
            _ => None,
        })
        .collect()
}

fn one_open(events: &[Event]) -> OpenMeta {
    let o: Vec<&OpenMeta> = events
        .iter()
        .filter_map(|e| match e {
            Event::Opened(m) => Some(m),
            _ => None,
        })
        .collect();
    assert_eq!(o.len(), 1, "expected one onOpen in {events:?}");
    o[0].clone()
}

/// No jitter (delays equal their base).
fn cfg() -> Config {
    no_jitter()
}

/// No jitter, with a heartbeat.
fn hb(interval_ms: Millis, timeout_ms: Millis, any_frame: bool) -> Config {
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
fn hb_default() -> Config {
    hb(30_000, 10_000, false)
}

fn with_stop_when_hidden(ms: Millis) -> Config {
    Config {
        stop_when_hidden_ms: Some(ms),
        ..no_jitter()
    }
}

/// Started at 1000 (socket 0 created then), open at 1010: inactivity deadline
/// 61 010 and, with the default heartbeat, the first ping at 31 010 (the
/// interval counts from the open).
fn ready(config: Config) -> Harness {
    let mut h = Harness::started(config);
    h.at(1010);
    h.open();
    assert_eq!(h.m.sendable(), Some(s(0)));
    h
}

/// `ready`, then socket 0 closes with 1006 at 1020: the reconnect is planned
/// for 2020 (base 1000, one retry).
fn disconnected(config: Config) -> Harness {
    let mut h = ready(config);
    h.at(1020);
    let (_, events) = h.close(1006, "");
    assert_eq!(closed_info(&events).decision, retry(1000, 1));
    assert_eq!(h.m.poll_timeout(), Some(2020));
    h
}

fn kind(h: &Harness) -> Snap {
    let s = h.m.state().snapshot();
    (s.state, s.paused)
}

fn nothing() -> (Vec<Action>, Vec<Event>) {
    (Vec::new(), Vec::new())
}

// ----- 1. hidden ----------------------------------------------------------------

#[test]
fn hidden_pauses_connecting_and_ready_with_cause_hidden() {
    for (start, to) in [
        (Start::ConnectingNo, CONNECTING_YES),
        (Start::ReadyNo, READY_YES),
    ] {
        let mut h = reach(start, cfg(), false);
        let from = start.snapshot();
        let (actions, events) = h.hide(h.now + 5);
        assert_eq!(actions, [], "{}", start.name());
        assert_eq!(
            events,
            [changed((from.state, from.paused), to, Cause::Hidden)],
            "{}",
            start.name()
        );
        assert_eq!(h.m.sendable(), None);
    }
}

#[test]
fn hidden_leaves_every_other_state_as_it_is() {
    for start in [
        Start::Disconnected,
        Start::ConnectingYes,
        Start::ReadyYes,
        Start::ReadyUninitialized,
        Start::Stopped,
        Start::Terminated,
    ] {
        let mut h = reach(start, cfg(), false);
        let state = h.m.state();
        assert_eq!(h.hide(h.now + 5), nothing(), "{}", start.name());
        assert_eq!(h.m.state(), state);
    }
}

#[test]
fn sockets_created_while_hidden_start_paused_and_owe_their_open() {
    let mut h = disconnected(cfg());
    assert_eq!(h.hide(1030), nothing());
    let (actions, events) = h.timeout_at(2020);
    assert_eq!(actions, [connect(1)]);
    assert_eq!(
        events,
        [changed(DISCONNECTED, CONNECTING_YES, Cause::Backoff)]
    );
    h.at(2100);
    let (actions, events) = h.open();
    assert_eq!(actions, []);
    assert_eq!(
        events,
        [changed(CONNECTING_YES, READY_UNINITIALIZED, Cause::Open)]
    );
    assert_eq!(h.m.sendable(), None);
    assert!(h.m.connection_state().is_connected);

    let (actions, events) = h.show(5000);
    assert_eq!(actions, []);
    assert_eq!(
        events,
        [
            changed(READY_UNINITIALIZED, READY_NO, Cause::Visible),
            Event::Opened(OpenMeta {
                connection_count: 1,
                last_close_reason: Some("closed with code 1006".into()),
                // Stamped when delivered; the downtime ends at the open.
                client_ts: 5000,
                trigger: Trigger::Backoff,
                downtime_ms: Some(2100 - 1020),
            }),
        ]
    );
    assert_eq!(h.m.sendable(), Some(s(1)));
}

#[test]
fn resume_while_hidden_keeps_the_socket_paused() {
    // Paused by the application, then hidden: resume() waits for visible.
    let mut h = ready(cfg());
    h.at(1020);
    h.m.pause(h.now);
    h.drain();
    assert_eq!(h.hide(1030), nothing());
    assert_eq!(h.input_at(1040, |m, t| m.resume(t)), nothing());
    assert_eq!(kind(&h), READY_YES);
    assert_eq!(h.m.sendable(), None);
    assert_eq!(
        h.show(1050),
        (
            vec![],
            vec![changed(READY_YES, READY_NO, Cause::Visible), Event::Resumed]
        )
    );

    // Paused by the page only.
    let mut h = Harness::started(cfg());
    h.hide(1010);
    assert_eq!(h.input_at(1020, |m, t| m.resume(t)), nothing());
    assert_eq!(kind(&h), CONNECTING_YES);
    h.at(1030);
    h.open();
    assert_eq!(h.input_at(1040, |m, t| m.resume(t)), nothing());
    assert_eq!(kind(&h), READY_UNINITIALIZED);
}

#[test]
fn inactivity_is_not_judged_while_hidden() {
    // Ready: the 61 010 deadline is left out while hidden.
    let mut h = ready(cfg());
    assert_eq!(h.m.poll_timeout(), Some(61_010));
    h.hide(2000);
    assert_eq!(h.m.poll_timeout(), None);
    for t in [61_010, 70_000, 1_000_000] {
        assert_eq!(h.timeout_at(t), nothing(), "at {t}");
    }
    assert_eq!(kind(&h), READY_YES);

    // Connecting: a hung handshake is not judged either.
    let mut h = Harness::started(cfg());
    h.hide(1010);
    assert_eq!(h.m.poll_timeout(), None);
    assert_eq!(h.timeout_at(500_000), nothing());
    assert_eq!(kind(&h), CONNECTING_YES);

    // Other deadlines still count while hidden: the stable-for reset (after a
    // failure, so that it has something to reset).
    let mut h = Harness::started(Config {
        reset: ResetRule::StableFor(100_000),
        verbose: true,
        ..cfg()
    });
    h.at(1010);
    h.fail_and_reconnect(1006, "");
    h.at(2020);
    h.open();
    h.hide(3000);
    assert_eq!(h.m.poll_timeout(), Some(102_020));
    let (actions, events) = h.timeout_at(102_020);
    assert_eq!(actions, []);
    assert_eq!(notes(&events), [Note::BackoffReset]);
    assert_eq!(non_verbose(&events), []);
    assert_eq!(h.m.poll_timeout(), None);
    assert_eq!(kind(&h), READY_YES);
}

#[test]
fn hidden_twice_keeps_the_first_time() {
    let mut h = ready(with_stop_when_hidden(5000));
    h.hide(2000);
    assert_eq!(h.hide(4000), nothing());
    assert_eq!(h.m.poll_timeout(), Some(7000));
    // Visible again restarts the count.
    h.show(4500);
    h.hide(5000);
    assert_eq!(h.m.poll_timeout(), Some(10_000));
}

// ----- 2. visible ---------------------------------------------------------------

#[test]
fn visible_resumes_with_cause_visible() {
    let mut h = ready(cfg());
    h.hide(2000);
    assert_eq!(
        h.show(3000),
        (
            vec![],
            vec![changed(READY_YES, READY_NO, Cause::Visible), Event::Resumed]
        )
    );
    assert_eq!(h.m.sendable(), Some(s(0)));

    let mut h = Harness::started(cfg());
    h.hide(1010);
    assert_eq!(
        h.show(1020),
        (
            vec![],
            vec![changed(CONNECTING_YES, CONNECTING_NO, Cause::Visible)]
        )
    );
    // Visible twice: nothing more.
    assert_eq!(h.show(1030), nothing());
}

#[test]
fn visible_keeps_a_socket_the_application_paused() {
    // Paused before hidden.
    let mut h = ready(cfg());
    h.at(1500);
    h.m.pause(h.now);
    h.drain();
    h.hide(2000);
    assert_eq!(h.show(3000), nothing());
    assert_eq!(kind(&h), READY_YES);
    // Paused while hidden.
    let mut h = ready(cfg());
    h.hide(2000);
    assert_eq!(h.input_at(2500, |m, t| m.pause(t)), nothing());
    assert_eq!(h.show(3000), nothing());
    assert_eq!(kind(&h), READY_YES);
    // Paused while connecting: the open stays owed until resume().
    let mut h = Harness::started(cfg());
    h.at(1005);
    h.m.pause(h.now);
    h.hide(1010);
    h.at(1020);
    h.open();
    assert_eq!(h.show(1030), nothing());
    assert_eq!(kind(&h), READY_UNINITIALIZED);
    let (_, events) = h.input_at(1040, |m, t| m.resume(t));
    assert_eq!(one_open(&events).client_ts, 1040);
}

#[test]
fn the_application_s_pause_is_forgotten_with_its_socket() {
    // Paused, hidden, the socket is replaced while hidden: the new socket
    // is paused only by the page, and visible resumes it.
    let mut h = ready(cfg());
    h.at(1500);
    h.m.pause(h.now);
    h.hide(2000);
    h.at(2010);
    h.close(1006, "");
    h.timeout_at(3010);
    assert_eq!(kind(&h), CONNECTING_YES);
    assert_eq!(
        h.show(3020),
        (
            vec![],
            vec![changed(CONNECTING_YES, CONNECTING_NO, Cause::Visible)]
        )
    );
}

#[test]
fn visible_in_ready_with_a_heartbeat_probes() {
    let mut h = ready(hb_default());
    h.hide(2000);
    let (actions, events) = h.show(5000);
    assert_eq!(actions, [ping(0)]);
    assert_eq!(
        events,
        [
            changed(READY_YES, READY_NO, Cause::Visible),
            Event::Resumed,
            beat(Beat::Probe),
        ]
    );
    assert_eq!(h.m.poll_timeout(), Some(7000));
    // The pong cancels the probe's deadline.
    let (actions, events) = h.input_at(5300, |m, t| m.on_pong(t, s(0)));
    assert_eq!(actions, []);
    assert_eq!(events, [pong(300)]);
    // Next: a ping 30 s after the probe (the last thing sent).
    assert_eq!(h.m.poll_timeout(), Some(35_000));
    assert_eq!(h.timeout_at(7000), nothing());
}

#[test]
fn visible_probes_even_a_socket_the_application_paused() {
    let mut h = ready(hb_default());
    h.at(1500);
    h.m.pause(h.now);
    h.hide(2000);
    let (actions, events) = h.show(5000);
    assert_eq!(actions, [ping(0)]);
    assert_eq!(events, [beat(Beat::Probe)]);
    assert_eq!(kind(&h), READY_YES);
}

#[test]
fn an_unanswered_probe_closes_with_probe_timeout_and_reconnects_on_heartbeat() {
    let mut h = ready(hb_default());
    h.hide(2000);
    h.show(5000);
    // A message is no answer without `any_frame`.
    h.at(6000);
    assert!(h.message());
    assert_eq!(h.drain(), nothing());
    let (actions, events) = h.timeout_at(6999);
    assert_eq!((actions, events), nothing());
    let (actions, events) = h.fire_timer();
    assert_eq!(h.now, 7000);
    assert_eq!(actions, [close(0, CLOSE_NORMAL, PROBE_TIMEOUT)]);
    assert_eq!(
        events,
        [
            beat(Beat::Timeout { probe: true }),
            client_close(PROBE_TIMEOUT, retry(100, 1)),
            changed(READY_NO, DISCONNECTED, Cause::ProbeTimeout),
        ]
    );
    assert_eq!(h.m.poll_timeout(), Some(7100));
    let (actions, events) = h.fire_timer();
    assert_eq!(actions, [connect(1)]);
    assert_eq!(
        events,
        [changed(DISCONNECTED, CONNECTING_NO, Cause::Backoff)]
    );
    h.at(7110);
    let (_, events) = h.open();
    assert_eq!(
        one_open(&events),
        OpenMeta {
            connection_count: 1,
            last_close_reason: Some(PROBE_TIMEOUT.into()),
            client_ts: 7110,
            trigger: Trigger::Heartbeat,
            downtime_ms: Some(110),
        }
    );
}

#[test]
fn any_frame_lets_a_message_answer_a_probe() {
    let mut h = ready(hb(30_000, 10_000, true));
    h.hide(2000);
    h.show(5000);
    h.at(5040);
    assert!(h.message());
    assert_eq!(h.drain(), (vec![], vec![pong(40)]));
    assert_eq!(h.m.poll_timeout(), Some(35_000));
}

#[test]
fn a_probe_with_a_ping_already_out_sends_a_fresh_one() {
    // The ping of 31 010 is due by 41 010; visible at 33 000 sends a fresh
    // ping, reported as a probe, whose answer is due by 35 000.
    let mut h = ready(hb_default());
    assert_eq!(
        h.timeout_at(31_010),
        (vec![ping(0)], vec![beat(Beat::Ping)])
    );
    assert_eq!(h.m.poll_timeout(), Some(41_010));
    h.hide(32_000);
    assert_eq!(
        h.show(33_000),
        (
            vec![ping(0)],
            vec![
                changed(READY_YES, READY_NO, Cause::Visible),
                Event::Resumed,
                beat(Beat::Probe),
            ]
        )
    );
    assert_eq!(h.m.poll_timeout(), Some(35_000));
    assert_eq!(h.timeout_at(34_999), nothing());
    let (actions, events) = h.fire_timer();
    assert_eq!(h.now, 35_000);
    assert_eq!(actions, [close(0, CLOSE_NORMAL, PROBE_TIMEOUT)]);
    assert_eq!(beats(&events), [Beat::Timeout { probe: true }]);

    // Answered in time (the answer may be the older ping's: any pong counts):
    // the round trip counts from the probe, and so does the next ping.
    let mut h = ready(hb_default());
    h.timeout_at(31_010);
    h.hide(32_000);
    h.show(33_000);
    assert_eq!(
        h.input_at(34_000, |m, t| m.on_pong(t, s(0))),
        (vec![], vec![pong(1000)])
    );
    assert_eq!(h.m.poll_timeout(), Some(63_000));
    assert_eq!(h.timeout_at(41_010), nothing());

    // With `any_frame`, a message answers it too.
    let mut h = ready(hb(30_000, 10_000, true));
    h.timeout_at(31_010);
    h.hide(32_000);
    h.show(33_000);
    h.at(33_040);
    assert!(h.message());
    assert_eq!(h.drain(), (vec![], vec![pong(40)]));
    assert_eq!(h.m.poll_timeout(), Some(63_000));
}

#[test]
fn visible_without_a_heartbeat_judges_inactivity_on_the_elapsed_time() {
    // Silent for exactly the inactivity timeout: closed at once.
    let mut h = ready(cfg());
    h.hide(2000);
    let (actions, events) = h.show(61_010);
    assert_eq!(actions, [close(0, CLOSE_NORMAL, INACTIVE_SERVER)]);
    assert_eq!(
        events,
        [
            changed(READY_YES, READY_NO, Cause::Visible),
            Event::Resumed,
            client_close(INACTIVE_SERVER, retry(100, 1)),
            changed(READY_NO, DISCONNECTED, Cause::Inactivity),
        ]
    );
    assert_eq!(h.m.poll_timeout(), Some(61_110));
    h.fire_timer();
    h.at(61_120);
    let (_, events) = h.open();
    let meta = one_open(&events);
    assert_eq!(meta.trigger, Trigger::Inactivity);
    assert_eq!(meta.downtime_ms, Some(110));

    // A millisecond less: kept, and judged again at the usual deadline.
    let mut h = ready(cfg());
    h.hide(2000);
    assert_eq!(
        h.show(61_009),
        (
            vec![],
            vec![changed(READY_YES, READY_NO, Cause::Visible), Event::Resumed]
        )
    );
    assert_eq!(h.m.poll_timeout(), Some(61_010));

    // A message while hidden counts.
    let mut h = ready(cfg());
    h.hide(2000);
    h.at(50_000);
    assert!(h.message());
    let (actions, _) = h.show(100_000);
    assert_eq!(actions, []);
    assert_eq!(h.m.poll_timeout(), Some(110_000));
}

#[test]
fn visible_while_disconnected_connects_at_once() {
    let mut h = disconnected(cfg());
    assert_eq!(h.hide(1030), nothing());
    let (actions, events) = h.show(1500);
    assert_eq!(actions, [connect(1)]);
    assert_eq!(
        events,
        [changed(DISCONNECTED, CONNECTING_NO, Cause::Visible)]
    );
    // The failure was counted once; the rest of the wait is skipped.
    assert_eq!(h.m.connection_state().connection_retries, 1);
    assert_eq!(h.m.poll_timeout(), Some(61_500));
    assert_eq!(h.timeout_at(2020), nothing());
    h.at(2030);
    let (_, events) = h.open();
    let meta = one_open(&events);
    assert_eq!(meta.trigger, Trigger::Visible);
    assert_eq!(meta.downtime_ms, Some(2030 - 1020));
}

#[test]
fn visible_while_disconnected_and_offline_waits() {
    let mut h = disconnected(cfg());
    h.offline(1030);
    h.hide(1040);
    assert_eq!(h.show(1050), nothing());
    assert_eq!(h.m.state(), State::Disconnected);
    assert_eq!(h.m.poll_timeout(), Some(61_030));
}

#[test]
fn visible_in_stopped_or_terminated_does_nothing() {
    for start in [Start::Stopped, Start::Terminated] {
        let mut h = reach(start, cfg(), false);
        h.hide(h.now + 10);
        assert_eq!(h.show(h.now + 10), nothing(), "{}", start.name());
        assert_eq!(h.m.state().snapshot(), start.snapshot());
    }
}

#[test]
fn stop_when_hidden_stops_and_visible_connects_again() {
    let mut h = ready(with_stop_when_hidden(5000));
    h.hide(2000);
    assert_eq!(h.m.poll_timeout(), Some(7000));
    assert_eq!(h.timeout_at(6999), nothing());
    let (actions, events) = h.fire_timer();
    assert_eq!(h.now, 7000);
    assert_eq!(actions, [close(0, CLOSE_NORMAL, "Hidden")]);
    assert_eq!(events.len(), 2, "{events:?}");
    let info = closed_info(&events);
    assert_eq!(
        close_fields(&info),
        (
            CLOSE_NORMAL,
            "Hidden",
            false,
            Initiator::Client,
            true,
            manual(false, 0)
        )
    );
    assert_eq!(events[1], changed(READY_YES, STOPPED, Cause::Hidden));
    assert_eq!(h.m.poll_timeout(), None);
    assert_eq!(h.timeout_at(100_000), nothing());

    let (actions, events) = h.show(200_000);
    assert_eq!(actions, [connect(1)]);
    assert_eq!(events, [changed(STOPPED, CONNECTING_NO, Cause::Visible)]);
    h.at(200_010);
    let (_, events) = h.open();
    let meta = one_open(&events);
    assert_eq!(meta.trigger, Trigger::Visible);
    assert_eq!(meta.downtime_ms, Some(200_010 - 7000));
}

#[test]
fn stop_when_hidden_also_stops_a_disconnected_machine() {
    let mut h = disconnected(with_stop_when_hidden(500));
    h.hide(1030);
    assert_eq!(h.m.poll_timeout(), Some(1530));
    assert_eq!(
        h.fire_timer(),
        (vec![], vec![changed(DISCONNECTED, STOPPED, Cause::Hidden)])
    );
    assert_eq!(h.m.poll_timeout(), None);
    assert_eq!(
        h.show(9000),
        (
            vec![connect(1)],
            vec![changed(STOPPED, CONNECTING_NO, Cause::Visible)]
        )
    );
}

#[test]
fn stop_when_hidden_zero_stops_at_the_first_timer() {
    let mut h = ready(with_stop_when_hidden(0));
    h.hide(2000);
    assert_eq!(h.m.poll_timeout(), Some(2000));
    let (actions, _) = h.timeout_at(2000);
    assert_eq!(actions, [close(0, CLOSE_NORMAL, "Hidden")]);
    assert_eq!(h.m.state(), State::Stopped);
}

#[test]
fn an_application_stop_is_not_undone_by_visible() {
    let mut h = ready(with_stop_when_hidden(5000));
    h.at(1500);
    h.m.stop(h.now);
    h.drain();
    h.hide(2000);
    assert_eq!(h.m.poll_timeout(), None);
    assert_eq!(h.timeout_at(9000), nothing());
    assert_eq!(h.show(9500), nothing());
    assert_eq!(h.m.state(), State::Stopped);
}

/// A stop by the close policy after a `tryRestart()` made while the machine
/// was stopped for being hidden: the page's next visible must not connect.
/// (An application restarting from its own `visibilitychange` listener,
/// which runs before the machine hears of it, gets there; the connect
/// forgets the stop for being hidden.)
#[test]
fn a_policy_stop_is_not_undone_by_visible_after_a_restart_while_hidden() {
    let mut h = ready(with_stop_when_hidden(5000));
    h.hide(2000);
    h.timeout_at(7000);
    assert_eq!(h.m.state(), State::Stopped);
    // The application restarts, then the machine learns the page is visible.
    h.input_at(9000, |m, t| m.try_restart(t));
    h.show(9000);
    assert_eq!(kind(&h), CONNECTING_NO);
    h.at(9010);
    h.open();
    h.at(9020);
    let (_, events) = h.close(4003, "unauthorized");
    assert_eq!(closed_info(&events).decision.kind, DecisionKind::Permanent);
    assert_eq!(h.m.state(), State::Stopped);
    // A tab switch later.
    h.hide(20_000);
    assert_eq!(h.show(21_000), nothing(), "a permanent close was undone");
    assert_eq!(h.m.state(), State::Stopped);
}

// ----- 3. offline ---------------------------------------------------------------

#[test]
fn offline_a_due_reconnect_waits_for_online() {
    let mut h = disconnected(cfg());
    assert_eq!(h.offline(1030), nothing());
    // The wait is the later of the reconnect (2020) and the ceiling.
    assert_eq!(h.m.poll_timeout(), Some(61_030));
    assert_eq!(h.timeout_at(2020), nothing());
    assert_eq!(h.timeout_at(30_000), nothing());
    assert_eq!(h.m.connection_state().connection_retries, 1);
    let (actions, events) = h.online(40_000);
    assert_eq!(actions, [connect(1)]);
    assert_eq!(
        events,
        [changed(DISCONNECTED, CONNECTING_NO, Cause::Online)]
    );
    assert_eq!(h.m.connection_state().connection_retries, 1);
    h.at(40_010);
    let (_, events) = h.open();
    let meta = one_open(&events);
    assert_eq!(meta.trigger, Trigger::Online);
    assert_eq!(meta.downtime_ms, Some(40_010 - 1020));
}

#[test]
fn offline_the_ceiling_ends_the_wait_without_burning_retries() {
    let mut h = disconnected(cfg());
    h.offline(1030);
    let (actions, events) = h.fire_timer();
    assert_eq!(h.now, 61_030);
    assert_eq!(actions, [connect(1)]);
    assert_eq!(
        events,
        [changed(DISCONNECTED, CONNECTING_NO, Cause::Backoff)]
    );
    // One failure so far: the next close is the second.
    h.at(61_040);
    let (_, events) = h.close(1006, "");
    assert_eq!(closed_info(&events).decision, retry(2000, 2));
    // Still offline, and past the ceiling: this one goes ahead when due.
    assert_eq!(h.m.poll_timeout(), Some(63_040));
    h.fire_timer();
    h.at(63_050);
    let (_, events) = h.open();
    assert_eq!(one_open(&events).trigger, Trigger::Backoff);
}

#[test]
fn offline_ceiling_is_configurable() {
    let mut h = disconnected(Config {
        offline_ceiling_ms: 5000,
        ..cfg()
    });
    h.offline(1030);
    assert_eq!(h.m.poll_timeout(), Some(6030));
    // A reconnect planned beyond the ceiling keeps its time.
    let mut h = ready(Config {
        inactivity_ms: None,
        ..cfg()
    });
    h.offline(1015);
    h.at(100_000);
    h.close(1006, "");
    assert_eq!(h.m.poll_timeout(), Some(101_000));
}

#[test]
fn a_close_while_offline_waits_too() {
    let mut h = Harness::started(cfg());
    h.offline(1005);
    h.at(1010);
    h.close(1006, "");
    assert_eq!(h.m.poll_timeout(), Some(61_005));
    assert_eq!(h.timeout_at(20_000), nothing());
}

#[test]
fn offline_twice_keeps_the_first_time() {
    let mut h = disconnected(cfg());
    h.offline(1030);
    assert_eq!(h.offline(5000), nothing());
    assert_eq!(h.m.poll_timeout(), Some(61_030));
    // Online when already online changes nothing either.
    let mut h = disconnected(cfg());
    assert_eq!(h.online(1030), nothing());
    assert_eq!(h.m.poll_timeout(), Some(2020));
}

#[test]
fn online_in_ready_probes() {
    // With a heartbeat: a probe.
    let mut h = ready(hb_default());
    h.offline(2000);
    assert_eq!(h.online(3000), (vec![ping(0)], vec![beat(Beat::Probe)]));
    assert_eq!(h.m.poll_timeout(), Some(5000));
    assert_eq!(
        h.input_at(3100, |m, t| m.on_pong(t, s(0))),
        (vec![], vec![pong(100)])
    );

    // Without: the inactivity timeout on the elapsed time.
    let mut h = ready(cfg());
    h.offline(2000);
    assert_eq!(h.online(3000), nothing());
    h.offline(4000);
    let (actions, events) = h.online(61_010);
    assert_eq!(actions, [close(0, CLOSE_NORMAL, INACTIVE_SERVER)]);
    assert_eq!(
        events,
        [
            client_close(INACTIVE_SERVER, retry(100, 1)),
            changed(READY_NO, DISCONNECTED, Cause::Inactivity),
        ]
    );
}

#[test]
fn online_elsewhere_does_nothing() {
    for start in [
        Start::ConnectingNo,
        Start::ConnectingYes,
        Start::Stopped,
        Start::Terminated,
    ] {
        let mut h = reach(start, hb_default(), false);
        let timeout = h.m.poll_timeout();
        assert_eq!(h.offline(h.now + 10), nothing(), "{}", start.name());
        assert_eq!(h.online(h.now + 10), nothing(), "{}", start.name());
        assert_eq!(h.m.state().snapshot(), start.snapshot());
        assert_eq!(h.m.poll_timeout(), timeout);
    }
}

/// "Inactivity is not judged while hidden": the network coming back while
/// the page is hidden must not close a quiet socket (the judgment waits for
/// visible, which makes it on the elapsed time anyway).
#[test]
fn online_while_hidden_does_not_judge_inactivity() {
    let mut h = ready(cfg());
    h.hide(2000);
    h.offline(3000);
    assert_eq!(h.online(70_000), nothing());
    assert_eq!(kind(&h), READY_YES);
    let (actions, _) = h.show(70_010);
    assert_eq!(actions, [close(0, CLOSE_NORMAL, INACTIVE_SERVER)]);
}

/// With a heartbeat, no probe goes out while the page is hidden either: the
/// page's return probes.
#[test]
fn online_while_hidden_sends_no_probe() {
    let mut h = ready(hb_default());
    h.hide(2000);
    h.offline(3000);
    assert_eq!(h.online(4000), nothing());
    assert_eq!(h.m.poll_timeout(), Some(31_010));
    let (actions, events) = h.show(5000);
    assert_eq!(actions, [ping(0)]);
    assert_eq!(
        events,
        [
            changed(READY_YES, READY_NO, Cause::Visible),
            Event::Resumed,
            beat(Beat::Probe),
        ]
    );
    assert_eq!(h.m.poll_timeout(), Some(7000));

    // Nor with a ping out: it keeps its own deadline.
    let mut h = ready(hb_default());
    h.hide(2000);
    h.offline(3000);
    assert_eq!(
        h.timeout_at(31_010),
        (vec![ping(0)], vec![beat(Beat::Ping)])
    );
    assert_eq!(h.online(32_000), nothing());
    assert_eq!(h.m.poll_timeout(), Some(41_010));
}

// ----- 4. heartbeat -------------------------------------------------------------

#[test]
fn a_ping_goes_out_when_nothing_was_sent_for_the_interval() {
    let mut h = ready(hb_default());
    // The interval counts from the socket's open (1010).
    assert_eq!(h.m.poll_timeout(), Some(31_010));
    assert_eq!(h.timeout_at(31_009), nothing());
    let (actions, events) = h.fire_timer();
    assert_eq!(h.now, 31_010);
    assert_eq!(actions, [ping(0)]);
    assert_eq!(events, [beat(Beat::Ping)]);
    assert_eq!(h.m.poll_timeout(), Some(41_010));
    // The answer, 250 ms later.
    let (actions, events) = h.input_at(31_260, |m, t| m.on_pong(t, s(0)));
    assert_eq!(actions, []);
    assert_eq!(events, [pong(250)]);
    // The next ping is 30 s after this one.
    assert_eq!(h.m.poll_timeout(), Some(61_010));
    assert_eq!(
        h.timeout_at(61_010),
        (vec![ping(0)], vec![beat(Beat::Ping)])
    );
}

#[test]
fn sends_postpone_pings_and_messages_do_not() {
    let mut h = ready(hb_default());
    h.input_at(20_000, |m, t| m.on_sent(t));
    assert_eq!(h.m.poll_timeout(), Some(50_000));
    h.at(25_000);
    assert!(h.message());
    assert_eq!(h.m.poll_timeout(), Some(50_000));
    assert_eq!(h.timeout_at(49_999), nothing());
    let (actions, _) = h.fire_timer();
    assert_eq!(h.now, 50_000);
    assert_eq!(actions, [ping(0)]);
}

#[test]
fn a_ping_out_takes_over_from_the_inactivity_timeout() {
    let mut h = ready(Config {
        inactivity_ms: Some(35_000),
        ..hb_default()
    });
    assert_eq!(h.m.poll_timeout(), Some(31_010));
    h.timeout_at(31_010);
    // Inactivity would be due at 36 010; the ping's answer is due at 41 010.
    assert_eq!(h.m.poll_timeout(), Some(41_010));
    assert_eq!(h.timeout_at(36_010), nothing());
    assert_eq!(
        h.input_at(40_010, |m, t| m.on_pong(t, s(0))),
        (vec![], vec![pong(9000)])
    );
    assert_eq!(h.m.poll_timeout(), Some(61_010));
}

#[test]
fn an_unanswered_ping_closes_with_heartbeat_timeout() {
    let mut h = ready(hb_default());
    h.timeout_at(31_010);
    h.at(35_000);
    assert!(h.message());
    assert_eq!(h.drain(), nothing(), "a message is no answer");
    let (actions, events) = h.fire_timer();
    assert_eq!(h.now, 41_010);
    assert_eq!(actions, [close(0, CLOSE_NORMAL, HEARTBEAT_TIMEOUT)]);
    assert_eq!(
        events,
        [
            beat(Beat::Timeout { probe: false }),
            client_close(HEARTBEAT_TIMEOUT, retry(100, 1)),
            changed(READY_NO, DISCONNECTED, Cause::HeartbeatTimeout),
        ]
    );
    assert_eq!(h.m.poll_timeout(), Some(41_110));
    h.fire_timer();
    h.at(41_120);
    let (_, events) = h.open();
    assert_eq!(
        one_open(&events),
        OpenMeta {
            connection_count: 1,
            last_close_reason: Some(HEARTBEAT_TIMEOUT.into()),
            client_ts: 41_120,
            trigger: Trigger::Heartbeat,
            downtime_ms: Some(110),
        }
    );
}

#[test]
fn heartbeat_timeouts_back_off_like_other_client_closes() {
    let mut h = ready(hb(1000, 500, false));
    let mut bases = Vec::new();
    for _ in 0..4 {
        // Ping, no answer, close, reconnect, open.
        let (actions, _) = h.fire_timer();
        assert!(matches!(actions[..], [Action::SendPing { .. }]));
        let (_, events) = h.fire_timer();
        bases.push(closed_info(&events).decision.base_ms.unwrap());
        h.fire_timer();
        h.advance(1);
        h.open();
    }
    assert_eq!(bases, [100, 200, 400, 800]);
}

#[test]
fn any_frame_lets_any_message_answer_a_ping() {
    let mut h = ready(hb(30_000, 10_000, true));
    h.timeout_at(31_010);
    h.at(31_110);
    assert!(h.message(), "the message is still delivered");
    assert_eq!(h.drain(), (vec![], vec![pong(100)]));
    h.at(31_210);
    assert!(h.message());
    assert_eq!(h.drain(), nothing(), "one answer per ping");
    assert_eq!(h.m.poll_timeout(), Some(61_010));
    // The configured pong still answers too.
    let mut h = ready(hb(30_000, 10_000, true));
    h.timeout_at(31_010);
    assert_eq!(
        h.input_at(31_310, |m, t| m.on_pong(t, s(0))),
        (vec![], vec![pong(300)])
    );
}

#[test]
fn a_pong_without_a_ping_out_reports_nothing() {
    let mut h = ready(Config {
        verbose: true,
        ..hb_default()
    });
    assert_eq!(h.input_at(2000, |m, t| m.on_pong(t, s(0))), nothing());
    // It is inbound traffic, though (and does not postpone the ping).
    assert_eq!(h.m.poll_timeout(), Some(31_010));
    let mut h = ready(Config {
        heartbeat: None,
        ..cfg()
    });
    h.input_at(2000, |m, t| m.on_pong(t, s(0)));
    assert_eq!(h.m.poll_timeout(), Some(62_000));
}

#[test]
fn a_stale_pong_is_ignored() {
    let mut h = Harness::started(Config {
        verbose: true,
        ..hb_default()
    });
    h.at(1010);
    h.fail_and_reconnect(1006, "");
    let open_at = h.now + 10;
    h.at(open_at);
    h.open();
    // Socket 1 opened at 2020: its first ping at 32 020.
    assert_eq!(open_at, 2020);
    assert_eq!(
        h.timeout_at(32_020),
        (vec![ping(1)], vec![beat(Beat::Ping)])
    );
    let (actions, events) = h.input_at(32_100, |m, t| m.on_pong(t, s(0)));
    assert_eq!(actions, []);
    assert_eq!(non_verbose(&events), []);
    assert_eq!(notes(&events), [Note::StaleSocketEvent(s(0))]);
    assert_eq!(h.m.poll_timeout(), Some(42_020));
}

#[test]
fn no_pings_before_the_socket_opens() {
    let mut h = Harness::started(hb(1000, 1000, false));
    // Connecting: only the inactivity deadline.
    assert_eq!(h.m.poll_timeout(), Some(61_000));
    assert_eq!(h.timeout_at(1500), nothing());
    assert_eq!(h.timeout_at(3000), nothing());
    // Open at 3000, after a slow handshake: the interval counts from the
    // open, so the first ping is due a full interval later, not at once.
    h.open();
    assert_eq!(h.m.poll_timeout(), Some(4000));
    assert_eq!(h.timeout_at(3999), nothing());
    assert_eq!(h.timeout_at(4000), (vec![ping(0)], vec![beat(Beat::Ping)]));

    // A handshake slower than the wake threshold: the first ping is a plain
    // ping on time, not read as a wake (a probe).
    let mut h = Harness::started(hb(1000, 1000, false));
    h.at(10_000);
    h.open();
    assert_eq!(h.m.poll_timeout(), Some(11_000));
    assert_eq!(
        h.timeout_at(11_000),
        (vec![ping(0)], vec![beat(Beat::Ping)])
    );
}

#[test]
fn pings_go_out_while_paused_and_hidden() {
    let mut h = ready(hb_default());
    h.at(1500);
    h.m.pause(h.now);
    h.hide(2000);
    assert_eq!(h.m.poll_timeout(), Some(31_010));
    assert_eq!(
        h.timeout_at(31_010),
        (vec![ping(0)], vec![beat(Beat::Ping)])
    );
    assert_eq!(kind(&h), READY_YES);
}

/// `next_timeout` as an instant, `None` being "never".
fn later_or_equal(after: Option<Millis>, before: Option<Millis>) -> bool {
    match (after, before) {
        (_, None) => after.is_none(),
        (None, Some(_)) => true,
        (Some(a), Some(b)) => a >= b,
    }
}

#[test]
fn messages_and_sends_never_bring_the_deadline_forward() {
    let configs = [
        cfg(),
        hb_default(),
        hb(30_000, 10_000, true),
        Config {
            reset: ResetRule::StableFor(45_000),
            inactivity_ms: Some(20_000),
            ..hb(15_000, 10_000, true)
        },
        Config {
            reset: ResetRule::FirstMessage,
            ..hb(5000, 5000, true)
        },
    ];
    for config in configs {
        for start in Start::ALL {
            for with_ping in [false, true] {
                let mut h = reach(start, config.clone(), true);
                if with_ping && config.heartbeat.is_some() && h.m.sendable().is_some() {
                    let t = h.m.poll_timeout().unwrap();
                    let (actions, _) = h.timeout_at(t);
                    assert!(matches!(actions[..], [Action::SendPing { .. }]));
                }
                for step in 0..20u64 {
                    let before = h.m.poll_timeout();
                    h.advance(step * 97 % 1000);
                    let socket = h.live_or_latest();
                    if step % 3 == 0 {
                        h.m.on_sent(h.now);
                    } else {
                        h.m.on_message(h.now, socket);
                    }
                    let (actions, _) = h.drain();
                    assert_eq!(actions, []);
                    assert!(
                        later_or_equal(h.m.poll_timeout(), before),
                        "{} step {step}: {:?} -> {:?} with {config:?}",
                        start.name(),
                        before,
                        h.m.poll_timeout()
                    );
                }
            }
        }
    }
}

/// With `any_frame`, the message that answers a ping re-arms the next ping
/// an interval after the last send, which may be earlier than the answer's
/// deadline was: once per ping and answer. After it, further messages and
/// sends never bring the deadline forward.
#[test]
fn after_a_ping_is_answered_messages_and_sends_never_bring_the_deadline_forward() {
    let mut h = ready(hb(1000, 5000, true));
    assert_eq!(h.m.poll_timeout(), Some(2010));
    for cycle in 0..3u64 {
        // The ping, an interval after the last send.
        let sent = h.m.poll_timeout().unwrap();
        assert_eq!(
            h.timeout_at(sent),
            (vec![ping(0)], vec![beat(Beat::Ping)]),
            "cycle {cycle}"
        );
        assert_eq!(h.m.poll_timeout(), Some(sent + 5000), "cycle {cycle}");
        // The answer: the next ping is due an interval after this one.
        h.at(sent + 100);
        assert!(h.message());
        assert_eq!(h.drain(), (vec![], vec![pong(100)]), "cycle {cycle}");
        assert_eq!(h.m.poll_timeout(), Some(sent + 1000), "cycle {cycle}");
        // Then nothing brings it forward, whatever comes in or goes out.
        let mut before = h.m.poll_timeout();
        for step in 0..12u64 {
            h.advance(step * 7 % 60);
            if step % 3 == 0 {
                h.m.on_sent(h.now);
            } else {
                assert!(h.message());
            }
            assert_eq!(h.drain(), nothing(), "cycle {cycle} step {step}");
            let after = h.m.poll_timeout();
            assert!(
                later_or_equal(after, before),
                "cycle {cycle} step {step}: {before:?} -> {after:?}"
            );
            before = after;
        }
        assert!(
            h.now < before.unwrap(),
            "cycle {cycle}: the ping is still ahead"
        );
    }
}

// ----- 5. wake ------------------------------------------------------------------

#[test]
fn a_late_timer_while_disconnected_connects_with_cause_wake() {
    // 5000 ms after the due time: a wake.
    let mut h = disconnected(cfg());
    let (actions, events) = h.timeout_at(7020);
    assert_eq!(actions, [connect(1)]);
    assert_eq!(events, [changed(DISCONNECTED, CONNECTING_NO, Cause::Wake)]);
    h.at(7030);
    let (_, events) = h.open();
    let meta = one_open(&events);
    assert_eq!(meta.trigger, Trigger::Wake);
    assert_eq!(meta.downtime_ms, Some(7030 - 1020));
    // A millisecond less: the usual backoff reconnect.
    let mut h = disconnected(cfg());
    let (actions, events) = h.timeout_at(7019);
    assert_eq!(actions, [connect(1)]);
    assert_eq!(
        events,
        [changed(DISCONNECTED, CONNECTING_NO, Cause::Backoff)]
    );
}

#[test]
fn the_wake_threshold_is_configurable() {
    let mut h = disconnected(Config {
        wake_threshold_ms: 1000,
        ..cfg()
    });
    let (_, events) = h.timeout_at(3020);
    assert_eq!(events, [changed(DISCONNECTED, CONNECTING_NO, Cause::Wake)]);
}

#[test]
fn a_late_timer_while_offline_is_no_wake() {
    let mut h = disconnected(cfg());
    h.offline(1030);
    // Far past the reconnect's time, but the wait is for the network.
    assert_eq!(h.timeout_at(30_000), nothing());
    // Past the ceiling: a plain reconnect.
    let (actions, events) = h.timeout_at(70_000);
    assert_eq!(actions, [connect(1)]);
    assert_eq!(
        events,
        [changed(DISCONNECTED, CONNECTING_NO, Cause::Backoff)]
    );
}

#[test]
fn a_late_timer_while_connecting_abandons_the_handshake() {
    let mut h = Harness::started(cfg());
    assert_eq!(h.m.poll_timeout(), Some(61_000));
    let (actions, events) = h.timeout_at(66_000);
    assert_eq!(actions, [close(0, CLOSE_NORMAL, WAKE)]);
    assert_eq!(
        events,
        [
            client_close(WAKE, retry(100, 1)),
            changed(CONNECTING_NO, DISCONNECTED, Cause::Wake),
        ]
    );
    assert_eq!(h.m.poll_timeout(), Some(66_100));
    let (actions, events) = h.fire_timer();
    assert_eq!(actions, [connect(1)]);
    assert_eq!(
        events,
        [changed(DISCONNECTED, CONNECTING_NO, Cause::Backoff)]
    );
    h.at(66_110);
    let (_, events) = h.open();
    let meta = one_open(&events);
    assert_eq!(meta.trigger, Trigger::Wake);
    assert_eq!(meta.downtime_ms, None, "never open before");

    // A millisecond less: the inactivity timeout, as usual.
    let mut h = Harness::started(cfg());
    let (actions, events) = h.timeout_at(65_999);
    assert_eq!(actions, [close(0, CLOSE_NORMAL, INACTIVE_SERVER)]);
    assert_eq!(
        events[1],
        changed(CONNECTING_NO, DISCONNECTED, Cause::Inactivity)
    );
}

#[test]
fn a_late_timer_while_ready_with_a_heartbeat_probes() {
    let mut h = ready(hb_default());
    // Due at 31 010 (the ping); the inactivity deadline 61 010 passed too.
    let (actions, events) = h.timeout_at(100_000);
    assert_eq!(actions, [ping(0)]);
    assert_eq!(events, [beat(Beat::Probe)]);
    assert_eq!(h.m.poll_timeout(), Some(102_000));
    assert_eq!(h.timeout_at(100_000), nothing());
    assert_eq!(
        h.input_at(100_500, |m, t| m.on_pong(t, s(0))),
        (vec![], vec![pong(500)])
    );
    assert_eq!(h.m.poll_timeout(), Some(130_000));
    assert_eq!(h.m.state().kind(), Ready);
}

#[test]
fn a_late_timer_while_ready_without_a_heartbeat_is_judged_as_usual() {
    let mut h = ready(cfg());
    let (actions, events) = h.timeout_at(100_000);
    assert_eq!(actions, [close(0, CLOSE_NORMAL, INACTIVE_SERVER)]);
    assert_eq!(
        events,
        [
            client_close(INACTIVE_SERVER, retry(100, 1)),
            changed(READY_NO, DISCONNECTED, Cause::Inactivity),
        ]
    );
    // Late, but nothing overdue: nothing happens.
    let mut h = ready(Config {
        reset: ResetRule::StableFor(10_000),
        ..cfg()
    });
    assert_eq!(h.m.poll_timeout(), Some(11_010));
    assert_eq!(h.timeout_at(30_000), nothing());
    assert_eq!(h.m.poll_timeout(), Some(61_010));
}

#[test]
fn no_wake_while_hidden() {
    // Disconnected: the plain backoff reconnect, paused.
    let mut h = disconnected(cfg());
    h.hide(1030);
    let (actions, events) = h.timeout_at(50_000);
    assert_eq!(actions, [connect(1)]);
    assert_eq!(
        events,
        [changed(DISCONNECTED, CONNECTING_YES, Cause::Backoff)]
    );
    // Ready with a heartbeat: a ping, not a probe.
    let mut h = ready(hb_default());
    h.hide(2000);
    assert_eq!(
        h.timeout_at(100_000),
        (vec![ping(0)], vec![beat(Beat::Ping)])
    );
    assert_eq!(h.m.poll_timeout(), Some(110_000));
}

/// A wake is answered by a probe with `probe_timeout_ms` to answer it, even
/// when a heartbeat ping was out before the sleep and its deadline passed
/// meanwhile: a fresh probe goes out with a deadline of its own, rather than
/// the socket being closed at once.
#[test]
fn a_wake_with_a_ping_out_still_probes() {
    let mut h = ready(hb_default());
    h.timeout_at(31_010);
    assert_eq!(h.m.poll_timeout(), Some(41_010));
    // Asleep from before 41 010 until 60 000.
    let (actions, events) = h.timeout_at(60_000);
    assert_eq!(actions, [ping(0)]);
    assert_eq!(events, [beat(Beat::Probe)]);
    assert_eq!(h.m.poll_timeout(), Some(62_000));
    assert_eq!(h.timeout_at(60_000), nothing());
    assert_eq!(
        h.input_at(60_500, |m, t| m.on_pong(t, s(0))),
        (vec![], vec![pong(500)])
    );
    assert_eq!(h.m.state().kind(), Ready);
}

// ----- 6. reconnect() -------------------------------------------------------------

#[test]
fn reconnect_from_ready_closes_and_connects_at_once() {
    let mut h = Harness::started(cfg());
    h.at(1010);
    h.fail_and_reconnect(1006, "");
    assert_eq!(h.now, 2010);
    h.at(2020);
    h.open();
    let (actions, events) = h.input_at(2030, |m, t| m.reconnect(t, 4000, "bye".into()));
    assert_eq!(
        actions,
        [
            Action::Close {
                socket: s(1),
                code: 4000,
                reason: "bye".into()
            },
            connect(2)
        ]
    );
    assert_eq!(events.len(), 3, "{events:?}");
    let info = closed_info(&events);
    assert_eq!(
        close_fields(&info),
        (
            4000,
            "bye",
            false,
            Initiator::Client,
            false,
            manual(true, 1)
        )
    );
    assert_eq!(
        events[1..],
        [
            changed(READY_NO, DISCONNECTED, Cause::Reconnect),
            changed(DISCONNECTED, CONNECTING_NO, Cause::Reconnect),
        ]
    );
    // Not counted as a failure.
    assert_eq!(h.m.connection_state().connection_retries, 1);
    assert_eq!(h.m.poll_timeout(), Some(62_030));
    h.at(2040);
    let (_, events) = h.open();
    assert_eq!(
        one_open(&events),
        OpenMeta {
            connection_count: 1,
            last_close_reason: Some("bye".into()),
            client_ts: 2040,
            trigger: Trigger::Manual,
            downtime_ms: Some(10),
        }
    );
}

#[test]
fn reconnect_from_connecting() {
    let mut h = Harness::started(cfg());
    h.at(1005);
    h.m.pause(h.now);
    h.drain();
    let (actions, events) = h.input_at(1010, |m, t| m.reconnect(t, CLOSE_NORMAL, RECONNECT.into()));
    assert_eq!(actions, [close(0, CLOSE_NORMAL, RECONNECT), connect(1)]);
    let info = closed_info(&events);
    assert_eq!(
        close_fields(&info),
        (
            CLOSE_NORMAL,
            RECONNECT,
            false,
            Initiator::Client,
            true,
            manual(true, 0)
        )
    );
    // The application's pause went with its socket.
    assert_eq!(
        events[1..],
        [
            changed(CONNECTING_YES, DISCONNECTED, Cause::Reconnect),
            changed(DISCONNECTED, CONNECTING_NO, Cause::Reconnect),
        ]
    );
    h.at(1020);
    let (_, events) = h.open();
    let meta = one_open(&events);
    assert_eq!(meta.trigger, Trigger::Manual);
    assert_eq!(meta.downtime_ms, None);
    assert_eq!(meta.connection_count, 0);
}

#[test]
fn reconnect_from_disconnected_skips_the_wait() {
    let mut h = disconnected(cfg());
    let (actions, events) = h.input_at(1100, |m, t| m.reconnect(t, 1000, "x".into()));
    assert_eq!(actions, [connect(1)]);
    assert_eq!(
        events,
        [changed(DISCONNECTED, CONNECTING_NO, Cause::Reconnect)]
    );
    assert_eq!(h.m.connection_state().connection_retries, 1);
    assert_eq!(h.m.poll_timeout(), Some(61_100));
    assert_eq!(h.timeout_at(2020), nothing());
    h.at(2030);
    let meta = one_open(&h.open().1);
    assert_eq!(meta.trigger, Trigger::Manual);
    assert_eq!(meta.downtime_ms, Some(2030 - 1020));
}

#[test]
fn reconnect_from_stopped_gives_limited_rules_their_budget_back() {
    let mut h = Harness::started(cfg());
    for _ in 0..3 {
        h.advance(10);
        h.fail_and_reconnect(4001, "");
    }
    h.advance(10);
    let (_, events) = h.close(4001, "");
    assert!(!closed_info(&events).decision.reconnect);
    assert_eq!(h.m.state(), State::Stopped);
    let (actions, events) = h.input_at(h.now + 10, |m, t| m.reconnect(t, 1000, "x".into()));
    assert_eq!(actions, [connect(4)]);
    assert_eq!(events, [changed(STOPPED, CONNECTING_NO, Cause::Reconnect)]);
    h.advance(10);
    let (_, events) = h.close(4001, "");
    let d = closed_info(&events).decision;
    assert!(d.reconnect);
    assert_eq!(d.kind, DecisionKind::Limited);
    assert_eq!(d.base_ms, Some(2000));
    assert_eq!(d.retries, 1);
}

#[test]
fn reconnect_after_stop_keeps_the_retry_count() {
    let mut h = disconnected(cfg());
    h.fire_timer();
    h.input_at(2100, |m, t| {
        m.stop(t);
    });
    let (actions, events) = h.input_at(2200, |m, t| m.reconnect(t, 1000, "x".into()));
    assert_eq!(actions, [connect(2)]);
    assert_eq!(events, [changed(STOPPED, CONNECTING_NO, Cause::Reconnect)]);
    assert_eq!(h.m.connection_state().connection_retries, 1);
}

#[test]
fn reconnect_after_terminate_does_nothing() {
    let mut h = ready(Config {
        verbose: true,
        ..cfg()
    });
    h.input_at(2000, |m, t| {
        m.terminate(t);
    });
    assert_eq!(
        h.input_at(2010, |m, t| m.reconnect(t, 1000, "x".into())),
        nothing()
    );
    assert_eq!(h.m.state(), State::Terminated);
}

#[test]
fn reconnect_while_hidden_starts_paused() {
    let mut h = ready(cfg());
    h.hide(2000);
    let (actions, events) = h.input_at(2010, |m, t| m.reconnect(t, 1000, "x".into()));
    assert_eq!(actions, [close(0, 1000, "x"), connect(1)]);
    assert_eq!(
        events[1..],
        [
            changed(READY_YES, DISCONNECTED, Cause::Reconnect),
            changed(DISCONNECTED, CONNECTING_YES, Cause::Reconnect),
        ]
    );
}

// ----- 7. failed dials ------------------------------------------------------------

#[test]
fn a_failed_dial_is_a_failed_attempt_from_the_initial_delay() {
    let mut h = Harness::started(cfg());
    let (actions, events) = h.input_at(1010, |m, t| {
        m.on_dial_failed(t, s(0), DialFailure::TokenProvider)
    });
    assert_eq!(actions, []);
    assert_eq!(
        events,
        [
            Event::Closed(CloseInfo {
                code: 1006,
                reason: "TokenProviderFailed".into(),
                was_clean: false,
                initiator: Initiator::Client,
                quiet: false,
                decision: retry(1000, 1),
            }),
            changed(CONNECTING_NO, DISCONNECTED, Cause::DialFailed),
        ]
    );
    assert_eq!(h.m.poll_timeout(), Some(2010));
    let (actions, events) = h.fire_timer();
    assert_eq!(actions, [connect(1)]);
    assert_eq!(
        events,
        [changed(DISCONNECTED, CONNECTING_NO, Cause::Backoff)]
    );
    // The next failure backs off further, and reports no server error: no
    // server said anything.
    let (_, events) = h.input_at(2020, |m, t| {
        m.on_dial_failed(t, s(1), DialFailure::UrlProvider)
    });
    let info = closed_info(&events);
    assert_eq!(info.reason, "UrlProviderFailed");
    assert_eq!(info.decision, retry(2000, 2));
    assert!(!events
        .iter()
        .any(|e| matches!(e, Event::ServerDisconnectError { .. })));
}

#[test]
fn a_failed_dial_from_a_stale_socket_is_ignored() {
    for start in Start::ALL {
        let mut h = reach(
            start,
            Config {
                verbose: true,
                ..cfg()
            },
            true,
        );
        let state = h.m.state();
        let timeout = h.m.poll_timeout();
        let (actions, events) = h.input_at(h.now + 5, |m, t| {
            m.on_dial_failed(t, s(0), DialFailure::Constructor)
        });
        assert_eq!(actions, [], "{}", start.name());
        assert_eq!(non_verbose(&events), [], "{}", start.name());
        assert_eq!(notes(&events), [Note::StaleSocketEvent(s(0))]);
        assert_eq!(h.m.state(), state);
        assert_eq!(h.m.poll_timeout(), timeout);
    }
}

#[test]
fn max_retries_applies_to_failed_dials() {
    let mut h = Harness::started(Config {
        max_retries: Some(1),
        ..cfg()
    });
    let (_, events) = h.input_at(1010, |m, t| {
        m.on_dial_failed(t, s(0), DialFailure::Constructor)
    });
    assert_eq!(
        closed_info(&events).decision,
        Decision {
            max_retries: Some(1),
            ..retry(1000, 1)
        }
    );
    h.fire_timer();
    let (_, events) = h.input_at(h.now + 10, |m, t| {
        m.on_dial_failed(t, s(1), DialFailure::Constructor)
    });
    let d = closed_info(&events).decision;
    assert!(!d.reconnect);
    assert_eq!(d.kind, DecisionKind::Retry);
    assert_eq!(
        events[1],
        changed(CONNECTING_NO, STOPPED, Cause::RetriesExhausted)
    );
}

// ----- 8. onOpen: trigger and downtime ----------------------------------------------

#[test]
fn the_first_open_is_initial_with_no_downtime() {
    let mut h = Harness::started(cfg());
    h.at(1010);
    assert_eq!(
        one_open(&h.open().1),
        OpenMeta {
            connection_count: 0,
            last_close_reason: Some(INITIAL_CONNECT.into()),
            client_ts: 1010,
            trigger: Trigger::Initial,
            downtime_ms: None,
        }
    );
}

#[test]
fn failed_attempts_before_the_first_open_have_no_downtime() {
    let mut h = Harness::started(cfg());
    h.at(1010);
    h.fail_and_reconnect(1006, "");
    h.input_at(2020, |m, t| {
        m.on_dial_failed(t, s(1), DialFailure::Constructor)
    });
    h.fire_timer();
    h.advance(10);
    let meta = one_open(&h.open().1);
    assert_eq!(meta.trigger, Trigger::Backoff);
    assert_eq!(meta.downtime_ms, None);
}

#[test]
fn downtime_runs_from_losing_the_open_connection_across_failed_attempts() {
    let mut h = ready(cfg());
    h.at(5000);
    h.close(1006, "");
    h.fire_timer();
    assert_eq!(h.now, 6000);
    h.input_at(6010, |m, t| {
        m.on_dial_failed(t, s(1), DialFailure::Constructor)
    });
    h.fire_timer();
    assert_eq!(h.now, 8010);
    h.at(8020);
    h.close(1006, "");
    h.fire_timer();
    assert_eq!(h.now, 12_020);
    h.at(12_030);
    let meta = one_open(&h.open().1);
    assert_eq!(meta.connection_count, 1);
    assert_eq!(meta.trigger, Trigger::Backoff);
    assert_eq!(meta.downtime_ms, Some(12_030 - 5000));
}

#[test]
fn triggers_after_inactivity_restart_and_failed_send() {
    // Inactivity.
    let mut h = ready(cfg());
    h.fire_timer();
    assert_eq!(h.now, 61_010);
    h.fire_timer();
    h.advance(10);
    let meta = one_open(&h.open().1);
    assert_eq!(meta.trigger, Trigger::Inactivity);
    assert_eq!(meta.downtime_ms, Some(110));
    // stop() then tryRestart(): manual; downtime from the stop.
    let mut h = ready(cfg());
    h.input_at(2000, |m, t| {
        m.stop(t);
    });
    h.input_at(3000, |m, t| m.try_restart(t));
    h.at(3010);
    let meta = one_open(&h.open().1);
    assert_eq!(meta.trigger, Trigger::Manual);
    assert_eq!(meta.downtime_ms, Some(1010));
    // A failed send: an ordinary backoff.
    let mut h = ready(cfg());
    h.input_at(2000, |m, t| m.on_send_failed(t, s(0)));
    h.fire_timer();
    h.advance(10);
    assert_eq!(one_open(&h.open().1).trigger, Trigger::Backoff);
    // A wake's reconnect, then a failure: the failure's trigger wins.
    let mut h = Harness::started(cfg());
    h.timeout_at(66_000);
    h.fire_timer();
    h.advance(10);
    h.close(1006, "");
    h.fire_timer();
    h.advance(10);
    assert_eq!(one_open(&h.open().1).trigger, Trigger::Backoff);
}

// ----- 9. terminated ------------------------------------------------------------

/// An input at a time, to a socket.
type Input = fn(&mut Machine, Millis, SocketId);

#[test]
fn terminated_ignores_every_browser_life_input() {
    let configs = [
        cfg(),
        Config {
            verbose: true,
            ..hb(1000, 1000, true)
        },
    ];
    for config in configs {
        for start in Start::ALL {
            let mut h = reach(start, config.clone(), true);
            h.input_at(h.now + 1, |m, t| {
                m.terminate(t);
            });
            assert_eq!(h.m.poll_timeout(), None);
            let inputs: Vec<(&str, Input)> = vec![
                ("hidden", |m, t, _| m.set_hidden(t, true)),
                ("offline", |m, t, _| m.set_online(t, false)),
                ("timeout", |m, t, _| m.handle_timeout(t + 1_000_000)),
                ("online", |m, t, _| m.set_online(t, true)),
                ("visible", |m, t, _| m.set_hidden(t, false)),
                ("sent", |m, t, _| m.on_sent(t)),
                ("pong", |m, t, s| m.on_pong(t, s)),
                ("message", |m, t, s| {
                    assert!(!m.on_message(t, s));
                }),
                ("dialFailed", |m, t, s| {
                    m.on_dial_failed(t, s, DialFailure::Constructor)
                }),
                ("reconnect", |m, t, _| m.reconnect(t, 1000, "x".into())),
                ("stopWith", |m, t, _| {
                    assert_eq!(m.stop_with(t, 4000, "x".into()), None);
                }),
                ("tryRestart", |m, t, _| m.try_restart(t)),
                ("hidden again", |m, t, _| m.set_hidden(t, true)),
                ("late timeout", |m, t, _| m.handle_timeout(t + 10_000_000)),
            ];
            for (name, f) in inputs {
                h.advance(100);
                let socket = h.latest();
                let now = h.now;
                f(&mut h.m, now, socket);
                let (actions, events) = h.drain();
                let ctx = format!("{} then terminate, then {name}", start.name());
                assert_eq!(actions, [], "{ctx}");
                assert_eq!(non_verbose(&events), [], "{ctx}");
                assert_eq!(h.m.state(), State::Terminated, "{ctx}");
                assert_eq!(h.m.poll_timeout(), None, "{ctx}");
                assert_eq!(h.m.sendable(), None, "{ctx}");
            }
        }
    }
}

#[test]
fn terminated_leaves_no_timer_while_hidden_with_stop_when_hidden() {
    // Hidden after terminate.
    let mut h = ready(with_stop_when_hidden(5000));
    h.input_at(2000, |m, t| {
        m.terminate(t);
    });
    h.hide(3000);
    assert_eq!(h.m.poll_timeout(), None);
    // Hidden before.
    let mut h = ready(with_stop_when_hidden(5000));
    h.hide(2000);
    h.input_at(3000, |m, t| {
        m.terminate(t);
    });
    assert_eq!(h.m.poll_timeout(), None);
}

// ----- the rest of the new surface ---------------------------------------------------

#[test]
fn stop_with_closes_with_its_code_and_reason() {
    let mut h = ready(cfg());
    h.at(2000);
    let r = h.m.stop_with(h.now, 4000, "going away".into());
    assert_eq!(r, Some(s(0)));
    let (actions, events) = h.drain();
    assert_eq!(
        actions,
        [Action::Close {
            socket: s(0),
            code: 4000,
            reason: "going away".into()
        }]
    );
    let info = closed_info(&events);
    assert_eq!(
        close_fields(&info),
        (
            4000,
            "going away",
            false,
            Initiator::Client,
            false,
            manual(false, 0)
        )
    );
    assert_eq!(events[1], changed(READY_NO, STOPPED, Cause::Stop));
    assert_eq!(h.m.stop_with(h.now, 1000, "x".into()), None);
    assert_eq!(h.drain(), nothing());
}

#[test]
fn sendable_is_ready_not_paused_and_puts_out_nothing() {
    for start in Start::ALL {
        let mut h = reach(
            start,
            Config {
                verbose: true,
                ..cfg()
            },
            false,
        );
        let want = match start {
            Start::ReadyNo => Some(s(0)),
            _ => None,
        };
        assert_eq!(h.m.sendable(), want, "{}", start.name());
        assert_eq!(h.drain(), nothing(), "{}", start.name());
    }
}

#[test]
fn new_defaults_are_as_documented() {
    let c = Config::default();
    assert_eq!(c.heartbeat, None);
    assert_eq!(c.probe_timeout_ms, 2000);
    assert_eq!(c.wake_threshold_ms, 5000);
    assert_eq!(c.offline_ceiling_ms, 60_000);
    assert_eq!(c.stop_when_hidden_ms, None);
    assert_eq!(
        Heartbeat::default(),
        Heartbeat {
            interval_ms: 30_000,
            timeout_ms: 10_000,
            any_frame: false,
        }
    );
}

#[test]
fn new_options_are_validated_by_their_javascript_names() {
    let ms1 = "must be between 1 and 86400000 ms";
    let ms0 = "must be between 0 and 86400000 ms";
    let invalid = |f: &dyn Fn(&mut Config)| {
        let mut c = Config::default();
        f(&mut c);
        let e = c.validate().unwrap_err();
        assert_eq!(Machine::new(c, 0).unwrap_err(), e);
        e
    };
    let err = |option, expected| ConfigError { option, expected };
    for ms in [0, MAX_MS + 1] {
        assert_eq!(
            invalid(&|c| c.heartbeat = Some(Heartbeat {
                interval_ms: ms,
                ..Heartbeat::default()
            })),
            err("heartbeat.intervalMs", ms1)
        );
        assert_eq!(
            invalid(&|c| c.heartbeat = Some(Heartbeat {
                timeout_ms: ms,
                ..Heartbeat::default()
            })),
            err("heartbeat.timeoutMs", ms1)
        );
        assert_eq!(
            invalid(&|c| c.probe_timeout_ms = ms),
            err("probeTimeoutMs", ms1)
        );
        assert_eq!(
            invalid(&|c| c.wake_threshold_ms = ms),
            err("wakeThresholdMs", ms1)
        );
        assert_eq!(
            invalid(&|c| c.offline_ceiling_ms = ms),
            err("offlineCeilingMs", ms1)
        );
    }
    assert_eq!(
        invalid(&|c| c.stop_when_hidden_ms = Some(MAX_MS + 1)),
        err("stopWhenHiddenMs", ms0)
    );
    let edge = Config {
        heartbeat: Some(Heartbeat {
            interval_ms: 1,
            timeout_ms: MAX_MS,
            any_frame: true,
        }),
        probe_timeout_ms: MAX_MS,
        wake_threshold_ms: 1,
        offline_ceiling_ms: MAX_MS,
        stop_when_hidden_ms: Some(0),
        ..Config::default()
    };
    assert_eq!(edge.validate(), Ok(()));
}

#[test]
fn new_names_match_the_javascript_api() {
    let causes = [
        (Cause::DialFailed, "dialFailed"),
        (Cause::HeartbeatTimeout, "heartbeatTimeout"),
        (Cause::ProbeTimeout, "probeTimeout"),
        (Cause::Reconnect, "reconnect"),
        (Cause::Hidden, "hidden"),
        (Cause::Visible, "visible"),
        (Cause::Online, "online"),
        (Cause::Wake, "wake"),
    ];
    for (c, name) in causes {
        assert_eq!(c.as_str(), name);
    }
    let triggers = [
        (Trigger::Initial, "initial"),
        (Trigger::Backoff, "backoff"),
        (Trigger::Inactivity, "inactivity"),
        (Trigger::Heartbeat, "heartbeat"),
        (Trigger::Online, "online"),
        (Trigger::Visible, "visible"),
        (Trigger::Wake, "wake"),
        (Trigger::Manual, "manual"),
    ];
    for (t, name) in triggers {
        assert_eq!(t.as_str(), name);
    }
    assert_eq!(RECONNECT, "Reconnect");
    assert_eq!(HEARTBEAT_TIMEOUT, "HeartbeatTimeout");
    assert_eq!(PROBE_TIMEOUT, "ProbeTimeout");
    assert_eq!(WAKE, "Wake");
}

/// A connection that stayed up past `StableFor` counts as stable whenever the
/// machine notices, even if its timer ran late (as closes do); `reconnect()`,
/// `stop()` and `terminate()` are such moments, and their `onClose` already
/// reports the reset.
#[test]
fn reconnect_after_a_stable_connection_starts_the_backoff_over() {
    type Close = fn(&mut Machine, Millis);
    let closes: [(&str, Close, bool); 3] = [
        ("reconnect", |m, t| m.reconnect(t, 1000, "x".into()), true),
        (
            "stop",
            |m, t| {
                m.stop(t);
            },
            false,
        ),
        (
            "terminate",
            |m, t| {
                m.terminate(t);
            },
            false,
        ),
    ];
    for (name, f, reconnect) in closes {
        for (up_until, retries) in [(122_020, 0), (62_019, 1), (62_020, 0)] {
            let mut h = Harness::started(Config {
                reset: ResetRule::StableFor(60_000),
                inactivity_ms: None,
                ..cfg()
            });
            h.at(1010);
            h.fail_and_reconnect(1006, "");
            h.at(2020);
            h.open();
            assert_eq!(h.m.connection_state().connection_retries, 1);
            // The stable-for timer (62 020) has not run.
            let (_, events) = h.input_at(up_until, f);
            let ctx = format!("{name} at {up_until}");
            assert_eq!(
                closed_info(&events).decision,
                manual(reconnect, retries),
                "{ctx}"
            );
            assert_eq!(h.m.connection_state().connection_retries, retries, "{ctx}");
        }
    }
}

/// The application's closes are quiet as the server's are: by their code.
#[test]
fn manual_closes_are_quiet_by_their_code() {
    for code in [1000, 1001, 3000, 4000, 4040, 4999] {
        let mut h = ready(cfg());
        let (_, events) = h.input_at(2000, |m, t| m.reconnect(t, code, "x".into()));
        let info = closed_info(&events);
        assert_eq!(info.code, code);
        assert_eq!(info.quiet, is_quiet(code), "reconnect with {code}");

        let mut h = ready(cfg());
        let (_, events) = h.input_at(2000, |m, t| {
            m.stop_with(t, code, "x".into());
        });
        let info = closed_info(&events);
        assert_eq!(info.code, code);
        assert_eq!(info.quiet, is_quiet(code), "stop with {code}");
    }
    // stop() and terminate() close with 1000: quiet.
    let mut h = ready(cfg());
    let (_, events) = h.input_at(2000, |m, t| {
        m.stop(t);
    });
    assert!(closed_info(&events).quiet);
    let mut h = ready(cfg());
    let (_, events) = h.input_at(2000, |m, t| {
        m.terminate(t);
    });
    assert!(closed_info(&events).quiet);
    assert!(!is_quiet(4000));
}

/// `tryRestart()` and `reconnect()` are the application's choice to connect:
/// with `stop_when_hidden_ms`, a page hidden for long already is not stopped
/// again at once, but that long after the restart.
#[test]
fn a_restart_while_hidden_restarts_the_stop_when_hidden_clock() {
    type Restart = fn(&mut Machine, Millis);
    let restarts: [(&str, Restart, Cause); 2] = [
        ("tryRestart", |m, t| m.try_restart(t), Cause::Restart),
        (
            "reconnect",
            |m, t| m.reconnect(t, 1000, "x".into()),
            Cause::Reconnect,
        ),
    ];
    for (name, f, cause) in restarts {
        // Stopped for being hidden, then restarted while still hidden.
        let mut h = ready(with_stop_when_hidden(5000));
        h.hide(2000);
        h.timeout_at(7000);
        assert_eq!(h.m.state(), State::Stopped, "{name}");
        let (actions, events) = h.input_at(9000, f);
        assert_eq!(actions, [connect(1)], "{name}");
        assert_eq!(events, [changed(STOPPED, CONNECTING_YES, cause)], "{name}");
        assert_eq!(h.m.poll_timeout(), Some(14_000), "{name}");
        assert_eq!(h.timeout_at(9000), nothing(), "{name}");
        assert_eq!(h.timeout_at(13_999), nothing(), "{name}");
        let (actions, events) = h.fire_timer();
        assert_eq!(h.now, 14_000, "{name}");
        assert_eq!(actions, [close(1, CLOSE_NORMAL, "Hidden")], "{name}");
        assert_eq!(
            events[1..],
            [changed(CONNECTING_YES, STOPPED, Cause::Hidden)],
            "{name}"
        );
        // Visible connects again, as after any stop for being hidden.
        let (actions, _) = h.show(20_000);
        assert_eq!(actions, [connect(2)], "{name}");
    }

    // reconnect() from ready while hidden counts from the reconnect too.
    let mut h = ready(with_stop_when_hidden(5000));
    h.hide(2000);
    h.input_at(6000, |m, t| m.reconnect(t, 1000, "x".into()));
    assert_eq!(h.m.poll_timeout(), Some(11_000));
    assert_eq!(h.timeout_at(7000), nothing());
    assert_eq!(kind(&h), CONNECTING_YES);

    // Visible in between: hidden again counts from then, as always.
    let mut h = ready(with_stop_when_hidden(5000));
    h.hide(2000);
    h.input_at(3000, |m, t| m.reconnect(t, 1000, "x".into()));
    h.show(4000);
    assert_eq!(h.m.poll_timeout(), Some(63_000));
    h.hide(4500);
    assert_eq!(h.m.poll_timeout(), Some(9500));
}

// ----- connect timeout ----------------------------------------------------------

#[test]
fn a_handshake_longer_than_the_connect_timeout_is_abandoned() {
    let config = Config {
        connect_timeout_ms: Some(4000),
        inactivity_ms: None,
        ..no_jitter()
    };
    let mut h = Harness::started(config);
    // Created at 1000: the deadline is 5000.
    assert_eq!(h.m.poll_timeout(), Some(5000));
    assert_eq!(h.timeout_at(4999), nothing());
    let (actions, events) = h.fire_timer();
    assert_eq!(h.now, 5000);
    assert_eq!(
        actions,
        [Action::Close {
            socket: s(0),
            code: CLOSE_NORMAL,
            reason: steadysocket::machine::CONNECT_TIMEOUT.into(),
        }]
    );
    let info = closed_info(&events);
    assert_eq!(info.initiator, Initiator::Client);
    assert_eq!(info.decision.base_ms, Some(100));
    assert_eq!(h.m.state(), State::Disconnected);
    assert!(events.iter().any(|e| matches!(
        e,
        Event::StateChanged {
            cause: Cause::ConnectTimeout,
            ..
        }
    )));
}

#[test]
fn the_connect_timeout_ends_at_the_open() {
    let config = Config {
        connect_timeout_ms: Some(4000),
        inactivity_ms: None,
        ..no_jitter()
    };
    let mut h = Harness::started(config);
    h.at(3000);
    h.open();
    assert_eq!(h.m.poll_timeout(), None);
    assert_eq!(h.timeout_at(9000), nothing());
    assert_eq!(h.m.sendable(), Some(s(0)));
}

#[test]
fn connect_timeout_is_validated() {
    let config = Config {
        connect_timeout_ms: Some(0),
        ..Config::default()
    };
    let err = Machine::new(config, 0).unwrap_err();
    assert_eq!(err.option, "connectTimeoutMs");
}

// ----- who keeps a socket alive ----------------------------------------------

/// `is_running` decides whether the shell keeps a socket alive with no
/// reference to it: every state that acts on its own does, `stopped` (on
/// request, by a permanent close, or out of retries) and `terminated` don't,
/// except a stop that the page's return undoes.
#[test]
fn running_is_every_state_that_acts_by_itself() {
    let mut h = Harness::started(cfg());
    assert!(h.m.is_running(), "connecting");
    h.at(1010);
    h.open();
    assert!(h.m.is_running(), "ready");
    h.m.pause(1011);
    assert!(h.m.is_running(), "ready, paused");
    h.at(1020);
    h.close(1006, "");
    assert!(h.m.is_running(), "disconnected, a reconnect planned");
    h.m.set_online(1021, false);
    assert!(h.m.is_running(), "disconnected, waiting to be online");
    h.m.stop(1022);
    h.drain();
    assert!(!h.m.is_running(), "stopped on request");
    h.m.try_restart(1030);
    h.drain();
    assert!(h.m.is_running(), "restarted");
    h.m.terminate(1040);
    h.drain();
    assert!(!h.m.is_running(), "terminated");
    h.m.reconnect(1050, CLOSE_NORMAL, Cow::Borrowed("again"));
    assert!(!h.m.is_running(), "terminated stays so");

    // Stopped by the server: a permanent close, and retries run out.
    let mut h = ready(cfg());
    h.at(1020);
    h.close(4003, "Unauthorized");
    assert_eq!(kind(&h), (Stopped, None));
    assert!(!h.m.is_running(), "stopped by a permanent close");
    let mut h = ready(Config {
        max_retries: Some(0),
        ..cfg()
    });
    h.at(1020);
    h.close(1006, "");
    assert_eq!(kind(&h), (Stopped, None));
    assert!(!h.m.is_running(), "stopped with no retry left");

    // Stopped because the page stayed hidden: the page's return reconnects.
    let mut h = ready(with_stop_when_hidden(500));
    h.hide(2000);
    h.fire_timer();
    assert_eq!(kind(&h), (Stopped, None));
    assert!(h.m.is_running(), "stopped until the page is visible");
    h.m.stop(2600);
    h.drain();
    assert!(!h.m.is_running(), "then stopped on request");
}
