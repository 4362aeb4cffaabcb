#![cfg(not(target_arch = "wasm32"))]
//! Dialling and what `onOpen` reports, on a fake clock with the [`Harness`]:
//! a failed dial (`on_dial_failed`, a [`DialFailure`] of the URL or token
//! provider or the constructor) is a failed attempt with the usual backoff,
//! and `onOpen`'s metadata: the connection count and last close reason
//! (Convex's fields), its trigger and the downtime it ends.
//!
//! Unless a test says otherwise the machine starts at 1000 (socket 0
//! connecting) without jitter, so every delay equals its base; `ready` opens
//! it at 1010.

mod machine_support;

use machine_support::{
    changed, closed_info, connect, convex_fields, no_jitter, non_verbose, notes, one_open, reach,
    ready, retry, s, Harness, Start, CONNECTING_NO, DISCONNECTED, STOPPED,
};

use steadysocket::machine::{
    Action, Cause, CloseInfo, Config, Decision, DecisionKind, DialFailure, Event, Initiator, Note,
    OpenMeta, Output, Trigger, FAILED_TO_SEND, INACTIVE_SERVER, INITIAL_CONNECT,
};

// ----- failed dials ----------------------------------------------------------

#[test]
fn a_failed_dial_is_a_failed_attempt_from_the_initial_delay() {
    let mut h = Harness::started(no_jitter());
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
                ..no_jitter()
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
        ..no_jitter()
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

// ----- onOpen: trigger and downtime ------------------------------------------

#[test]
fn the_first_open_is_initial_with_no_downtime() {
    let mut h = Harness::started(no_jitter());
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
    let mut h = Harness::started(no_jitter());
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
    let mut h = ready(no_jitter());
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
    let mut h = ready(no_jitter());
    h.fire_timer();
    assert_eq!(h.now, 61_010);
    h.fire_timer();
    h.advance(10);
    let meta = one_open(&h.open().1);
    assert_eq!(meta.trigger, Trigger::Inactivity);
    assert_eq!(meta.downtime_ms, Some(110));
    // stop() then tryRestart(): manual; downtime from the stop.
    let mut h = ready(no_jitter());
    h.input_at(2000, |m, t| {
        m.stop(t);
    });
    h.input_at(3000, |m, t| m.try_restart(t));
    h.at(3010);
    let meta = one_open(&h.open().1);
    assert_eq!(meta.trigger, Trigger::Manual);
    assert_eq!(meta.downtime_ms, Some(1010));
    // A failed send: an ordinary backoff.
    let mut h = ready(no_jitter());
    h.input_at(2000, |m, t| m.on_send_failed(t, s(0)));
    h.fire_timer();
    h.advance(10);
    assert_eq!(one_open(&h.open().1).trigger, Trigger::Backoff);
    // A wake's reconnect, then a failure: the failure's trigger wins.
    let mut h = Harness::started(no_jitter());
    h.timeout_at(66_000);
    h.fire_timer();
    h.advance(10);
    h.close(1006, "");
    h.fire_timer();
    h.advance(10);
    assert_eq!(one_open(&h.open().1).trigger, Trigger::Backoff);
}

// ----- onOpen: count and last close reason -----------------------------------

#[test]
fn on_open_meta_counts_opens_and_names_the_previous_close() {
    let mut h = Harness::started(no_jitter());
    h.advance(10);
    let (_, events) = h.open();
    assert_eq!(
        convex_fields(&one_open(&events)),
        (0, Some(INITIAL_CONNECT), 1010)
    );
    let cs = h.m.connection_state();
    assert!(cs.is_connected && cs.has_ever_connected);
    assert_eq!(cs.connection_count, 1);

    let expect_next = |h: &mut Harness, count, reason: &str| {
        h.advance(77);
        let (_, events) = h.open();
        assert_eq!(
            convex_fields(&one_open(&events)),
            (count, Some(reason), h.now)
        );
        assert_eq!(h.m.connection_state().connection_count, count + 1);
    };

    h.fail_and_reconnect(1011, "InternalServerError: boom");
    expect_next(&mut h, 1, "InternalServerError: boom");
    h.fail_and_reconnect(1006, "");
    expect_next(&mut h, 2, "closed with code 1006");
    h.fire_timer();
    h.fire_timer();
    expect_next(&mut h, 3, INACTIVE_SERVER);
    let s = h.live();
    h.m.on_send_failed(h.now, s);
    h.drain();
    h.fire_timer();
    expect_next(&mut h, 4, FAILED_TO_SEND);
    h.fail_and_reconnect(4040, "");
    expect_next(&mut h, 5, "closed with code 4040");
}

#[test]
fn failed_attempts_before_the_first_open_keep_initial_connect() {
    let mut h = Harness::started(no_jitter());
    h.fail_and_reconnect(1006, "");
    h.fail_and_reconnect(1011, "InternalServerError: x");
    let (_, events) = h.open();
    assert_eq!(
        convex_fields(&one_open(&events)),
        (0, Some(INITIAL_CONNECT), h.now)
    );
}

#[test]
fn the_first_close_after_an_open_is_the_reason_reported() {
    let mut h = Harness::started(no_jitter());
    h.open();
    h.fail_and_reconnect(1011, "InternalServerError: first");
    h.fail_and_reconnect(1006, "");
    h.fail_and_reconnect(1011, "TooManyConcurrentRequests");
    let (_, events) = h.open();
    assert_eq!(
        convex_fields(&one_open(&events)),
        (1, Some("InternalServerError: first"), h.now)
    );
}

#[test]
fn an_open_after_stop_and_restart_has_no_close_reason() {
    let mut h = reach(Start::ReadyNo, no_jitter(), false);
    h.m.stop(h.now);
    h.m.try_restart(h.now);
    h.drain();
    let (_, events) = h.open();
    assert_eq!(convex_fields(&one_open(&events)), (1, None, h.now));
}

// ----- the token provider's context --------------------------------------------

/// `(attempt, last close code, last close reason)`, as the machine tells the
/// token provider.
fn context(h: &Harness) -> (u32, Option<u16>, Option<String>) {
    let c = h.m.dial_context();
    (
        c.attempt,
        c.last_close_code,
        c.last_close_reason.map(str::to_owned),
    )
}

#[test]
fn the_dial_context_names_the_last_close_whoever_made_it() {
    let mut h = Harness::started(no_jitter());
    assert_eq!(context(&h), (0, None, None), "before any close");
    // The server's close, then the attempt after it.
    h.at(1010);
    h.open();
    h.at(1020);
    h.close(4001, "session gone");
    assert_eq!(context(&h), (1, Some(4001), Some("session gone".into())));
    // A failed dial is a close too: 1006 and why.
    h.fire_timer();
    h.input_at(h.now + 5, |m, t| {
        m.on_dial_failed(t, s(1), DialFailure::TokenProvider)
    });
    assert_eq!(
        context(&h),
        (2, Some(1006), Some("TokenProviderFailed".into()))
    );
    // reconnect(): the close it makes is known before the dial it starts.
    h.fire_timer();
    h.at(h.now + 5);
    h.open();
    h.m.reconnect(h.now, 4000, "again".into());
    let outputs = h.outputs();
    assert!(
        outputs
            .iter()
            .any(|o| matches!(o, Output::Action(Action::Connect { .. }))),
        "{outputs:?}"
    );
    assert_eq!(context(&h), (2, Some(4000), Some("again".into())));
    // The client's own close (inactivity) is one as well.
    h.at(h.now + 5);
    h.open();
    h.timeout_at(h.now + 60_000);
    assert_eq!(
        context(&h).1.zip(context(&h).2),
        Some((1000, "InactiveServer".into()))
    );
}
