#![cfg(not(target_arch = "wasm32"))]
//! The page's visibility, on a fake clock with the [`Harness`]: hidden
//! pauses the socket and visible resumes it (unless the application paused
//! it), sockets created while hidden start paused and owe their `onOpen`,
//! inactivity is not judged while hidden, visible connects a disconnected
//! machine at once, and `stopWhenHiddenMs` stops a machine hidden that long
//! until the page is visible again.
//!
//! Unless a test says otherwise the machine starts at 1000 (socket 0
//! connecting) without jitter, so every delay equals its base; `ready` opens
//! it at 1010.

mod machine_support;

use machine_support::{
    changed, client_close, close, close_fields, closed_info, connect, disconnected_after_open,
    kind, manual, no_jitter, non_verbose, notes, nothing, one_open, reach, ready, retry, s,
    with_stop_when_hidden, Harness, Start, CONNECTING_NO, CONNECTING_YES, DISCONNECTED, READY_NO,
    READY_UNINITIALIZED, READY_YES, STOPPED,
};

use steadysocket::machine::{
    Cause, Config, DecisionKind, Event, Initiator, Machine, Millis, Note, OpenMeta, ResetRule,
    State, Trigger, CLOSE_NORMAL, INACTIVE_SERVER,
};

// ----- hidden ----------------------------------------------------------------

#[test]
fn hidden_pauses_connecting_and_ready_with_cause_hidden() {
    for (start, to) in [
        (Start::ConnectingNo, CONNECTING_YES),
        (Start::ReadyNo, READY_YES),
    ] {
        let mut h = reach(start, no_jitter(), false);
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
        let mut h = reach(start, no_jitter(), false);
        let state = h.m.state();
        assert_eq!(h.hide(h.now + 5), nothing(), "{}", start.name());
        assert_eq!(h.m.state(), state);
    }
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

#[test]
fn sockets_created_while_hidden_start_paused_and_owe_their_open() {
    let mut h = disconnected_after_open(no_jitter());
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
fn reconnect_while_hidden_starts_paused() {
    let mut h = ready(no_jitter());
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

#[test]
fn resume_while_hidden_keeps_the_socket_paused() {
    // Paused by the application, then hidden: resume() waits for visible.
    let mut h = ready(no_jitter());
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
    let mut h = Harness::started(no_jitter());
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
    let mut h = ready(no_jitter());
    assert_eq!(h.m.poll_timeout(), Some(61_010));
    h.hide(2000);
    assert_eq!(h.m.poll_timeout(), None);
    for t in [61_010, 70_000, 1_000_000] {
        assert_eq!(h.timeout_at(t), nothing(), "at {t}");
    }
    assert_eq!(kind(&h), READY_YES);

    // Connecting: a hung handshake is not judged either.
    let mut h = Harness::started(no_jitter());
    h.hide(1010);
    assert_eq!(h.m.poll_timeout(), None);
    assert_eq!(h.timeout_at(500_000), nothing());
    assert_eq!(kind(&h), CONNECTING_YES);

    // Other deadlines still count while hidden: the stable-for reset (after a
    // failure, so that it has something to reset).
    let mut h = Harness::started(Config {
        reset: ResetRule::StableFor(100_000),
        verbose: true,
        ..no_jitter()
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

// ----- visible ---------------------------------------------------------------

#[test]
fn visible_resumes_with_cause_visible() {
    let mut h = ready(no_jitter());
    h.hide(2000);
    assert_eq!(
        h.show(3000),
        (
            vec![],
            vec![changed(READY_YES, READY_NO, Cause::Visible), Event::Resumed]
        )
    );
    assert_eq!(h.m.sendable(), Some(s(0)));

    let mut h = Harness::started(no_jitter());
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
    let mut h = ready(no_jitter());
    h.at(1500);
    h.m.pause(h.now);
    h.drain();
    h.hide(2000);
    assert_eq!(h.show(3000), nothing());
    assert_eq!(kind(&h), READY_YES);
    // Paused while hidden.
    let mut h = ready(no_jitter());
    h.hide(2000);
    assert_eq!(h.input_at(2500, |m, t| m.pause(t)), nothing());
    assert_eq!(h.show(3000), nothing());
    assert_eq!(kind(&h), READY_YES);
    // Paused while connecting: the open stays owed until resume().
    let mut h = Harness::started(no_jitter());
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
    let mut h = ready(no_jitter());
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
fn visible_without_a_heartbeat_judges_inactivity_on_the_elapsed_time() {
    // Silent for exactly the inactivity timeout: closed at once.
    let mut h = ready(no_jitter());
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
    let mut h = ready(no_jitter());
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
    let mut h = ready(no_jitter());
    h.hide(2000);
    h.at(50_000);
    assert!(h.message());
    let (actions, _) = h.show(100_000);
    assert_eq!(actions, []);
    assert_eq!(h.m.poll_timeout(), Some(110_000));
}

#[test]
fn visible_while_disconnected_connects_at_once() {
    let mut h = disconnected_after_open(no_jitter());
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
    let mut h = disconnected_after_open(no_jitter());
    h.offline(1030);
    h.hide(1040);
    assert_eq!(h.show(1050), nothing());
    assert_eq!(h.m.state(), State::Disconnected);
    assert_eq!(h.m.poll_timeout(), Some(61_030));
}

#[test]
fn visible_in_stopped_or_terminated_does_nothing() {
    for start in [Start::Stopped, Start::Terminated] {
        let mut h = reach(start, no_jitter(), false);
        h.hide(h.now + 10);
        assert_eq!(h.show(h.now + 10), nothing(), "{}", start.name());
        assert_eq!(h.m.state().snapshot(), start.snapshot());
    }
}

// ----- stopWhenHiddenMs ------------------------------------------------------

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
    let mut h = disconnected_after_open(with_stop_when_hidden(500));
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
