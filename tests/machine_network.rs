#![cfg(not(target_arch = "wasm32"))]
//! The network, on a fake clock with the [`Harness`]: offline, a due
//! reconnect waits for `online` or the offline ceiling (without burning
//! retries), `online` connects at once, and a hidden page is not judged for
//! inactivity when the network returns.
//!
//! The machine starts at 1000 (socket 0 connecting) without jitter, so every
//! delay equals its base; `ready` opens it at 1010.

mod machine_support;

use machine_support::{
    changed, close, closed_info, connect, disconnected_after_open, hb_default, kind, no_jitter,
    nothing, one_open, reach, ready, retry, Harness, Start, CONNECTING_NO, DISCONNECTED, READY_YES,
};

use steadysocket::machine::{Cause, Config, Trigger, CLOSE_NORMAL, INACTIVE_SERVER};

#[test]
fn offline_a_due_reconnect_waits_for_online() {
    let mut h = disconnected_after_open(no_jitter());
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
    let mut h = disconnected_after_open(no_jitter());
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
    let mut h = disconnected_after_open(Config {
        offline_ceiling_ms: 5000,
        ..no_jitter()
    });
    h.offline(1030);
    assert_eq!(h.m.poll_timeout(), Some(6030));
    // A reconnect planned beyond the ceiling keeps its time.
    let mut h = ready(Config {
        inactivity_ms: None,
        ..no_jitter()
    });
    h.offline(1015);
    h.at(100_000);
    h.close(1006, "");
    assert_eq!(h.m.poll_timeout(), Some(101_000));
}

#[test]
fn a_close_while_offline_waits_too() {
    let mut h = Harness::started(no_jitter());
    h.offline(1005);
    h.at(1010);
    h.close(1006, "");
    assert_eq!(h.m.poll_timeout(), Some(61_005));
    assert_eq!(h.timeout_at(20_000), nothing());
}

#[test]
fn offline_twice_keeps_the_first_time() {
    let mut h = disconnected_after_open(no_jitter());
    h.offline(1030);
    assert_eq!(h.offline(5000), nothing());
    assert_eq!(h.m.poll_timeout(), Some(61_030));
    // Online when already online changes nothing either.
    let mut h = disconnected_after_open(no_jitter());
    assert_eq!(h.online(1030), nothing());
    assert_eq!(h.m.poll_timeout(), Some(2020));
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
    let mut h = ready(no_jitter());
    h.hide(2000);
    h.offline(3000);
    assert_eq!(h.online(70_000), nothing());
    assert_eq!(kind(&h), READY_YES);
    let (actions, _) = h.show(70_010);
    assert_eq!(actions, [close(0, CLOSE_NORMAL, INACTIVE_SERVER)]);
}
