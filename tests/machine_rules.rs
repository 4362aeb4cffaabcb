#![cfg(not(target_arch = "wasm32"))]
//! Focused tests of the machine's rules, on a fake clock: backoff numbers,
//! reset rules, inactivity, close codes and policies, `onOpen` metadata,
//! pause/resume, stop/terminate/restart, config validation and verbose notes.

mod machine_support;

use machine_support::{
    changed, client_close, closed_info, no_jitter, non_verbose, notes, reach, retry, snap, verbose,
    Harness, Start,
};
use steadysocket::machine::{
    is_quiet, Action, Backoff, Cause, CloseInfo, ClosePolicy, CloseRule, Config, ConfigError,
    Decision, DecisionKind, Event, Initiator, Machine, Millis, Note, OpenMeta, Paused, Refusal,
    ResetRule, Rng, RuleAction, SocketId, State, StateKind, CLOSE_NORMAL, CODE_SESSION_NOT_FOUND,
    CODE_UNAUTHORIZED, FAILED_TO_SEND, INACTIVE_SERVER, INITIAL_CONNECT, MAX_MS,
    SERVER_ERROR_DELAYS, STOPPED, TERMINATED,
};

use Paused::{No, Uninitialized, Yes};
use StateKind::{Connecting, Disconnected, Ready, Stopped, Terminated};

fn manual(retries: u32) -> Decision {
    Decision {
        kind: DecisionKind::Manual,
        reconnect: false,
        base_ms: None,
        delay_ms: None,
        retries,
        max_retries: None,
        rule: None,
    }
}

fn opened(events: &[Event]) -> Vec<OpenMeta> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Opened(m) => Some(m.clone()),
            _ => None,
        })
        .collect()
}

/// The Convex fields of `onOpen`'s metadata (trigger and downtime are
/// checked by the browser-life tests).
type Meta = (u32, Option<String>, Millis);

fn one_open(events: &[Event]) -> Meta {
    let o = opened(events);
    assert_eq!(o.len(), 1, "expected one onOpen in {events:?}");
    let m: &OpenMeta = &o[0];
    (m.connection_count, m.last_close_reason.clone(), m.client_ts)
}

fn meta(count: u32, reason: Option<&str>, ts: Millis) -> Meta {
    (count, reason.map(str::to_owned), ts)
}

fn inactivity_off(mut c: Config) -> Config {
    c.inactivity_ms = None;
    c
}

// ----- construction ---------------------------------------------------------

#[test]
fn a_new_machine_connects_at_once() {
    let mut h = Harness::new_at(Config::default(), 1234);
    assert_eq!(
        h.m.state(),
        State::Connecting {
            socket: SocketId(0),
            paused: No
        }
    );
    let (actions, events) = h.drain();
    assert_eq!(
        actions,
        [Action::Connect {
            socket: SocketId(0)
        }]
    );
    assert_eq!(
        events,
        [changed(
            (Disconnected, None),
            (Connecting, Some(No)),
            Cause::Initial
        )]
    );
    let cs = h.m.connection_state();
    assert!(!cs.is_connected);
    assert!(!cs.has_ever_connected);
    assert_eq!(cs.connection_count, 0);
    assert_eq!(cs.connection_retries, 0);
    assert_eq!(h.m.poll_timeout(), Some(61_234));
}

#[test]
fn default_config_has_convex_numbers() {
    let c = Config::default();
    assert_eq!(
        c.backoff,
        Backoff {
            initial_ms: 1000,
            client_initial_ms: 100,
            max_ms: 16_000,
            multiplier: 2.0,
            jitter: 0.5,
        }
    );
    assert_eq!(c.inactivity_ms, Some(60_000));
    assert_eq!(c.max_retries, None);
    assert_eq!(c.reset, ResetRule::App);
    assert!(!c.verbose);
    assert_eq!(c.policy, ClosePolicy::default());
    assert_eq!(c.validate(), Ok(()));
}

// ----- backoff ----------------------------------------------------------------

#[test]
fn inactivity_close_first_delay_base_is_100() {
    let mut h = Harness::started(Config::default());
    let (actions, events) = h.fire_timer();
    assert_eq!(h.now, 61_000);
    assert_eq!(
        actions,
        [Action::Close {
            socket: SocketId(0),
            code: CLOSE_NORMAL,
            reason: INACTIVE_SERVER.into()
        }]
    );
    let info = closed_info(&events);
    let d = info.decision;
    assert_eq!(d.base_ms, Some(100));
    let delay = d.delay_ms.unwrap();
    assert!((50..=150).contains(&delay), "delay {delay}");
    assert_eq!(h.m.poll_timeout(), Some(61_000 + delay));
    assert_eq!(
        events,
        [
            client_close(
                INACTIVE_SERVER,
                Decision {
                    delay_ms: Some(delay),
                    ..retry(100, 1)
                }
            ),
            changed(
                (Connecting, Some(No)),
                (Disconnected, None),
                Cause::Inactivity
            ),
        ]
    );
}

#[test]
fn send_failure_closes_and_reconnects_with_base_100() {
    let mut h = reach(Start::ReadyNo, no_jitter(), false);
    let s = h.live();
    h.m.on_send_failed(h.now, s);
    let (actions, events) = h.drain();
    assert_eq!(
        actions,
        [Action::Close {
            socket: s,
            code: 1000,
            reason: FAILED_TO_SEND.into()
        }]
    );
    assert_eq!(
        events,
        [
            client_close(FAILED_TO_SEND, retry(100, 1)),
            changed((Ready, Some(No)), (Disconnected, None), Cause::SendFailed),
        ]
    );
    assert_eq!(h.m.poll_timeout(), Some(h.now + 100));
}

#[test]
fn unknown_close_first_delay_base_is_1000() {
    let mut h = reach(Start::ReadyNo, no_jitter(), false);
    h.m.on_close(h.now, h.live(), 1006, "", true);
    let (actions, events) = h.drain();
    assert_eq!(actions, []);
    assert_eq!(
        events,
        [
            Event::Closed(CloseInfo {
                code: 1006,
                reason: String::new(),
                was_clean: true,
                initiator: Initiator::Server,
                quiet: false,
                decision: retry(1000, 1),
            }),
            changed((Ready, Some(No)), (Disconnected, None), Cause::Close),
        ]
    );
    assert_eq!(h.m.poll_timeout(), Some(h.now + 1000));
}

#[test]
fn server_error_table_is_convexs() {
    let expected: [(&str, Millis); 14] = [
        ("InternalServerError", 1000),
        ("SubscriptionsWorkerFullError", 3000),
        ("TooManyConcurrentRequests", 3000),
        ("CommitterFullError", 3000),
        ("AwsTooManyRequestsException", 3000),
        ("ExecuteFullError", 3000),
        ("SystemTimeoutError", 3000),
        ("ExpiredInQueue", 3000),
        ("VectorIndexesUnavailable", 1000),
        ("SearchIndexesUnavailable", 1000),
        ("TableSummariesUnavailable", 1000),
        ("VectorIndexTooLarge", 3000),
        ("SearchIndexTooLarge", 3000),
        ("TooManyWritesInTimePeriod", 3000),
    ];
    assert_eq!(SERVER_ERROR_DELAYS, expected);
}

#[test]
fn server_error_reasons_use_their_first_delays() {
    for (i, &(prefix, ms)) in SERVER_ERROR_DELAYS.iter().enumerate() {
        let mut h = reach(Start::ReadyNo, no_jitter(), false);
        let reason = format!("{prefix}: something went wrong");
        let (_, events) = h.close(1011, &reason);
        assert_eq!(
            events[0],
            Event::ServerDisconnectError {
                code: 1011,
                reason: reason.clone()
            }
        );
        let d = closed_info(&events).decision;
        assert_eq!(
            d,
            Decision {
                rule: Some(2 + i),
                ..retry(ms, 1)
            },
            "{prefix}"
        );
        assert_eq!(h.m.poll_timeout(), Some(h.now + ms), "{prefix}");
    }
    // A reason only containing a prefix somewhere else is not a match.
    let mut h = reach(Start::ReadyNo, no_jitter(), false);
    let (_, events) = h.close(1011, "Error: TooManyConcurrentRequests");
    assert_eq!(closed_info(&events).decision, retry(1000, 1));
}

#[test]
fn backoff_doubles_per_consecutive_failure_and_caps_at_16000() {
    let mut h = Harness::started(no_jitter());
    let mut bases = Vec::new();
    for retries in 1..=7 {
        h.advance(3);
        let info = h.fail_and_reconnect(1006, "");
        assert_eq!(info.decision.retries, retries);
        assert_eq!(h.m.connection_state().connection_retries, retries);
        bases.push(info.decision.base_ms.unwrap());
    }
    assert_eq!(bases, [1000, 2000, 4000, 8000, 16_000, 16_000, 16_000]);
}

#[test]
fn client_closes_double_from_100_up_to_the_cap() {
    let mut h = Harness::started(no_jitter());
    let mut bases = Vec::new();
    for _ in 0..10 {
        let (_, events) = h.fire_timer();
        bases.push(closed_info(&events).decision.base_ms.unwrap());
        let (actions, _) = h.fire_timer();
        assert!(matches!(actions[..], [Action::Connect { .. }]));
    }
    assert_eq!(
        bases,
        [100, 200, 400, 800, 1600, 3200, 6400, 12_800, 16_000, 16_000]
    );
}

#[test]
fn every_kind_of_failure_counts_towards_the_same_backoff() {
    let mut h = Harness::started(no_jitter());
    let mut bases = Vec::new();
    bases.push(h.fail_and_reconnect(1006, "").decision.base_ms);
    let (_, events) = h.fire_timer(); // inactivity
    bases.push(closed_info(&events).decision.base_ms);
    h.fire_timer();
    bases.push(
        h.fail_and_reconnect(1011, "TooManyConcurrentRequests")
            .decision
            .base_ms,
    );
    bases.push(h.fail_and_reconnect(1006, "").decision.base_ms);
    bases.push(h.fail_and_reconnect(1006, "").decision.base_ms);
    assert_eq!(
        bases,
        [
            Some(1000),
            Some(200),
            Some(12_000),
            Some(8000),
            Some(16_000)
        ]
    );
}

#[test]
fn jitter_spreads_delays_by_half_the_base() {
    let mut delays = Vec::new();
    for seed in 0..300 {
        let mut h = Harness::started(Config {
            seed,
            ..Config::default()
        });
        let (_, events) = h.close(1006, "");
        let d = closed_info(&events).decision;
        assert_eq!(d.base_ms, Some(1000));
        let delay = d.delay_ms.unwrap();
        assert!((500..=1500).contains(&delay), "seed {seed}: {delay}");
        assert_eq!(h.m.poll_timeout(), Some(h.now + delay));
        delays.push(delay);
    }
    let low = delays.iter().filter(|&&d| d < 700).count();
    let high = delays.iter().filter(|&&d| d > 1300).count();
    assert!(low > 30 && high > 30, "low {low}, high {high}");
    delays.sort_unstable();
    delays.dedup();
    assert!(delays.len() > 150, "only {} distinct delays", delays.len());
}

#[test]
fn jittered_delays_at_the_cap_stay_within_one_and_a_half_times_it() {
    let mut h = Harness::started(Config::default());
    for _ in 0..12 {
        let info = h.fail_and_reconnect(1006, "");
        let d = info.decision;
        let base = d.base_ms.unwrap();
        let delay = d.delay_ms.unwrap();
        assert!(base / 2 <= delay && delay <= base + base / 2, "{d:?}");
        assert!(delay <= 24_000);
    }
    assert_eq!(
        h.m.connection_state().connection_retries,
        12,
        "twelve consecutive failures"
    );
}

#[test]
fn jitter_comes_from_splitmix64() {
    // Reference outputs of SplitMix64 from seed 0.
    let mut rng = Rng::new(0);
    for expected in [
        0xe220_a839_7b1d_cdaf_u64,
        0x6e78_9e6a_a1b9_65f4,
        0x06c4_5d18_8009_454f,
    ] {
        let unit = (expected >> 11) as f64 / (1u64 << 53) as f64;
        assert_eq!(rng.next_unit().to_bits(), unit.to_bits());
    }
    // So with seed 0 the first unknown close waits
    // 1000 × (1 + 0.5 × (2 × 0.8833… − 1)) ≈ 1383 ms.
    let mut h = Harness::started(Config {
        seed: 0,
        ..Config::default()
    });
    let (_, events) = h.close(1006, "");
    assert_eq!(closed_info(&events).decision.delay_ms, Some(1383));
}

#[test]
fn the_same_seed_gives_the_same_delays() {
    let run = |seed| {
        let mut h = Harness::started(Config {
            seed,
            ..Config::default()
        });
        (0..6)
            .map(|_| h.fail_and_reconnect(1006, "").decision.delay_ms.unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(run(42), run(42));
    assert_ne!(run(42), run(43));
}

#[test]
fn the_reconnect_waits_for_its_delay() {
    let mut h = reach(Start::ReadyNo, Config::default(), false);
    let (_, events) = h.close(1006, "");
    let delay = closed_info(&events).decision.delay_ms.unwrap();
    let due = h.now + delay;
    assert_eq!(h.m.poll_timeout(), Some(due));
    h.m.handle_timeout(due - 1);
    assert_eq!(h.drain(), (vec![], vec![]));
    assert_eq!(h.m.state(), State::Disconnected);
    // Waking a little late is fine too (5 s late would read as a sleep).
    h.at(due + 4_000);
    h.m.handle_timeout(h.now);
    let (actions, events) = h.drain();
    assert_eq!(
        actions,
        [Action::Connect {
            socket: SocketId(1)
        }]
    );
    assert_eq!(
        events,
        [changed(
            (Disconnected, None),
            (Connecting, Some(No)),
            Cause::Backoff
        )]
    );
    // The new socket's inactivity timer starts at its creation.
    assert_eq!(h.m.poll_timeout(), Some(h.now + 60_000));
}

// ----- reset rules ------------------------------------------------------------

/// Two failures, then a fresh socket (connecting): retries = 2.
fn after_two_failures(config: Config) -> Harness {
    let mut h = Harness::started(config);
    h.fail_and_reconnect(1006, "");
    h.fail_and_reconnect(1006, "");
    assert_eq!(h.m.connection_state().connection_retries, 2);
    h
}

#[test]
fn app_rule_resets_only_on_reset_backoff() {
    let mut h = after_two_failures(inactivity_off(no_jitter()));
    h.open();
    h.advance(10);
    assert!(h.message());
    h.advance(100_000);
    assert!(h.message());
    h.m.handle_timeout(h.now);
    assert_eq!(h.m.connection_state().connection_retries, 2);
    let info = h.fail_and_reconnect(1006, "");
    assert_eq!(info.decision, retry(4000, 3));
    h.open();
    h.m.reset_backoff();
    assert_eq!(h.m.connection_state().connection_retries, 0);
    let (_, events) = h.close(1006, "");
    assert_eq!(closed_info(&events).decision, retry(1000, 1));
}

#[test]
fn reset_backoff_while_disconnected_keeps_the_planned_reconnect() {
    let mut h = after_two_failures(no_jitter());
    h.open();
    h.close(1006, "");
    let due = h.m.poll_timeout();
    assert_eq!(due, Some(h.now + 4000));
    h.m.reset_backoff();
    assert_eq!(h.m.poll_timeout(), due);
    assert_eq!(h.m.connection_state().connection_retries, 0);
}

#[test]
fn first_message_rule_resets_on_the_first_inbound_message_after_open() {
    let config = Config {
        reset: ResetRule::FirstMessage,
        ..inactivity_off(no_jitter())
    };
    let mut h = after_two_failures(config);
    // Open without a message: still a failure.
    h.open();
    let info = h.fail_and_reconnect(1006, "");
    assert_eq!(info.decision, retry(4000, 3));
    // A frame before the open does not count.
    assert!(h.message());
    assert_eq!(h.m.connection_state().connection_retries, 3);
    h.advance(5);
    h.open();
    assert_eq!(h.m.connection_state().connection_retries, 3);
    h.advance(5);
    assert!(h.message());
    assert_eq!(h.m.connection_state().connection_retries, 0);
    let (_, events) = h.close(1006, "");
    assert_eq!(closed_info(&events).decision, retry(1000, 1));
}

#[test]
fn first_message_rule_resets_once_per_connection() {
    let config = Config {
        reset: ResetRule::FirstMessage,
        ..inactivity_off(no_jitter())
    };
    let mut h = Harness::started(config);
    h.open();
    assert!(h.message());
    // Failures after the first message of this connection keep counting.
    h.close(1006, "");
    assert_eq!(h.m.connection_state().connection_retries, 1);
    h.fire_timer();
    h.close(1006, "");
    assert_eq!(h.m.connection_state().connection_retries, 2);
}

fn stable_for(ms: Millis, inactivity: Option<Millis>) -> Config {
    Config {
        reset: ResetRule::StableFor(ms),
        inactivity_ms: inactivity,
        ..no_jitter()
    }
}

#[test]
fn stable_for_rule_resets_once_the_connection_stayed_open_that_long() {
    let mut h = after_two_failures(stable_for(10_000, None));
    assert_eq!(
        h.m.poll_timeout(),
        None,
        "nothing to wait for while connecting"
    );
    h.advance(50);
    h.open();
    let opened_at = h.now;
    assert_eq!(h.m.poll_timeout(), Some(opened_at + 10_000));
    // Messages do not count under this rule.
    h.advance(1);
    assert!(h.message());
    h.m.handle_timeout(opened_at + 9_999);
    assert_eq!(h.m.connection_state().connection_retries, 2);
    h.at(opened_at + 10_000);
    h.m.handle_timeout(h.now);
    assert_eq!(h.drain(), (vec![], vec![]));
    assert_eq!(h.m.connection_state().connection_retries, 0);
    assert_eq!(h.m.poll_timeout(), None);
    let (_, events) = h.close(1006, "");
    assert_eq!(closed_info(&events).decision, retry(1000, 1));
}

#[test]
fn stable_for_rule_does_not_reset_if_the_connection_closes_before() {
    let mut h = after_two_failures(stable_for(10_000, None));
    h.open();
    let opened_at = h.now;
    h.at(opened_at + 9_999);
    h.m.handle_timeout(h.now);
    let info = h.fail_and_reconnect(1006, "");
    assert_eq!(info.decision, retry(4000, 3));
    // The old connection's deadline passing changes nothing any more.
    h.at(opened_at + 30_000);
    h.m.handle_timeout(h.now);
    assert_eq!(h.m.connection_state().connection_retries, 3);
}

#[test]
fn stable_for_deadline_and_inactivity_share_the_timer() {
    let mut h = after_two_failures(stable_for(10_000, Some(60_000)));
    h.open();
    let opened_at = h.now;
    assert_eq!(h.m.poll_timeout(), Some(opened_at + 10_000));
    h.fire_timer();
    assert_eq!(h.m.connection_state().connection_retries, 0);
    assert_eq!(h.m.poll_timeout(), Some(opened_at + 60_000));
    assert_eq!(h.m.state().kind(), Ready);
}

#[test]
fn stable_for_counts_a_long_connection_even_if_the_timer_was_late() {
    // The docs say waking the machine late is harmless, and StableFor resets
    // "when a connection has stayed open this long". This connection stayed
    // open 20 s (twice the period) but the timer had not fired yet when the
    // server closed it; the close is still counted as the third consecutive
    // failure (base 4000) instead of the first after a reset (base 1000).
    let mut h = after_two_failures(stable_for(10_000, None));
    h.open();
    h.advance(20_000);
    let (_, events) = h.close(1006, "");
    assert_eq!(closed_info(&events).decision, retry(1000, 1));
}

// ----- inactivity -------------------------------------------------------------

#[test]
fn inactivity_is_armed_at_socket_creation_so_a_hung_handshake_is_caught() {
    let mut h = Harness::started(Config::default());
    assert_eq!(h.now, 1000);
    assert_eq!(h.m.poll_timeout(), Some(61_000));
    h.m.handle_timeout(60_999);
    assert_eq!(h.drain(), (vec![], vec![]));
    h.at(61_000);
    h.m.handle_timeout(61_000);
    let (actions, events) = h.drain();
    assert_eq!(
        actions,
        [Action::Close {
            socket: SocketId(0),
            code: 1000,
            reason: "InactiveServer".into()
        }]
    );
    assert_eq!(closed_info(&events).decision.base_ms, Some(100));
    assert_eq!(h.m.state(), State::Disconnected);
}

#[test]
fn inactivity_closes_a_ready_socket_after_60s_without_inbound_frames() {
    let mut h = Harness::started(no_jitter());
    h.at(1500);
    h.open();
    assert_eq!(h.m.poll_timeout(), Some(61_500));
    h.at(61_499);
    h.m.handle_timeout(h.now);
    assert_eq!(h.drain(), (vec![], vec![]));
    h.at(61_500);
    h.m.handle_timeout(h.now);
    let (actions, events) = h.drain();
    assert_eq!(
        actions,
        [Action::Close {
            socket: SocketId(0),
            code: 1000,
            reason: INACTIVE_SERVER.into()
        }]
    );
    assert_eq!(
        events,
        [
            client_close(INACTIVE_SERVER, retry(100, 1)),
            changed((Ready, Some(No)), (Disconnected, None), Cause::Inactivity),
        ]
    );
    assert_eq!(h.m.poll_timeout(), Some(61_600));
}

#[test]
fn a_message_postpones_the_inactivity_deadline() {
    let mut h = Harness::started(no_jitter());
    h.at(1500);
    h.open();
    h.at(30_000);
    assert!(h.message());
    assert_eq!(h.m.poll_timeout(), Some(90_000));
    // A wake at the old deadline (early for the new one) does nothing.
    h.at(61_500);
    h.m.handle_timeout(h.now);
    assert_eq!(h.drain(), (vec![], vec![]));
    assert_eq!(h.m.poll_timeout(), Some(90_000));
    h.at(89_999);
    h.m.handle_timeout(h.now);
    assert_eq!(h.drain(), (vec![], vec![]));
    h.at(90_000);
    h.m.handle_timeout(h.now);
    let (actions, _) = h.drain();
    assert_eq!(actions.len(), 1);
    assert_eq!(h.m.state(), State::Disconnected);
}

#[test]
fn inactivity_timeout_is_configurable_and_can_be_disabled() {
    let mut h = Harness::started(Config {
        inactivity_ms: Some(5_000),
        ..no_jitter()
    });
    assert_eq!(h.m.poll_timeout(), Some(6_000));
    h.open();
    h.advance(4_000);
    h.message();
    assert_eq!(h.m.poll_timeout(), Some(h.now + 5_000));

    let mut h = Harness::started(inactivity_off(Config::default()));
    assert_eq!(h.m.poll_timeout(), None);
    h.open();
    assert_eq!(h.m.poll_timeout(), None);
    h.at(10_000_000);
    h.m.handle_timeout(h.now);
    assert_eq!(h.drain(), (vec![], vec![]));
    assert_eq!(h.m.state().kind(), Ready);
}

#[test]
fn inactivity_also_applies_while_paused() {
    let mut h = reach(Start::ReadyYes, no_jitter(), false);
    let (actions, events) = h.fire_timer();
    assert_eq!(actions.len(), 1);
    assert_eq!(
        events.last(),
        Some(&changed(
            (Ready, Some(Yes)),
            (Disconnected, None),
            Cause::Inactivity
        ))
    );
}

// ----- close codes ------------------------------------------------------------

#[test]
fn quiet_codes_never_report_a_server_disconnect_error() {
    for code in [1000, 1001, 1005, 4040] {
        assert!(is_quiet(code));
        let mut h = reach(Start::ReadyNo, no_jitter(), false);
        let (_, events) = h.close(code, "InternalServerError: x");
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, Event::ServerDisconnectError { .. })),
            "{code}: {events:?}"
        );
        let info = closed_info(&events);
        assert!(info.quiet);
        assert_eq!(info.code, code);
        assert_eq!(info.reason, "InternalServerError: x");
        assert_eq!(info.initiator, Initiator::Server);
    }
}

#[test]
fn other_codes_with_a_reason_report_a_server_disconnect_error() {
    for code in [1002, 1006, 1011, 3000, 4001, 4003, 4041, 4999] {
        assert!(!is_quiet(code));
        let mut h = reach(Start::ConnectingNo, no_jitter(), false);
        let (_, events) = h.close(code, "whatever");
        assert_eq!(
            events[0],
            Event::ServerDisconnectError {
                code,
                reason: "whatever".into()
            },
            "{code}"
        );
        assert!(matches!(events[1], Event::Closed(ref i) if !i.quiet && i.code == code));
        assert_eq!(
            events
                .iter()
                .filter(|e| matches!(e, Event::ServerDisconnectError { .. }))
                .count(),
            1
        );
    }
}

#[test]
fn other_codes_without_a_reason_report_nothing() {
    for code in [1006, 1011, 3000, 4999] {
        let mut h = reach(Start::ReadyNo, no_jitter(), false);
        let (_, events) = h.close(code, "");
        assert_eq!(events.len(), 2, "{code}: {events:?}");
        assert!(!closed_info(&events).quiet);
    }
}

// ----- onOpen metadata --------------------------------------------------------

#[test]
fn on_open_meta_counts_opens_and_names_the_previous_close() {
    let mut h = Harness::started(no_jitter());
    h.advance(10);
    let (_, events) = h.open();
    assert_eq!(one_open(&events), meta(0, Some(INITIAL_CONNECT), 1010));
    let cs = h.m.connection_state();
    assert!(cs.is_connected && cs.has_ever_connected);
    assert_eq!(cs.connection_count, 1);

    let expect_next = |h: &mut Harness, count, reason: &str| {
        h.advance(77);
        let (_, events) = h.open();
        assert_eq!(one_open(&events), meta(count, Some(reason), h.now));
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
    assert_eq!(one_open(&events), meta(0, Some(INITIAL_CONNECT), h.now));
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
        one_open(&events),
        meta(1, Some("InternalServerError: first"), h.now)
    );
}

#[test]
fn an_open_after_stop_and_restart_has_no_close_reason() {
    let mut h = reach(Start::ReadyNo, no_jitter(), false);
    h.m.stop(h.now);
    h.m.try_restart(h.now);
    h.drain();
    let (_, events) = h.open();
    assert_eq!(one_open(&events), meta(1, None, h.now));
}

// ----- pause / resume ---------------------------------------------------------

#[test]
fn an_open_while_paused_is_owed_until_resume() {
    let mut h = Harness::started(no_jitter());
    h.at(1010);
    h.m.pause(h.now);
    assert_eq!(
        h.events_only(),
        [changed(
            (Connecting, Some(No)),
            (Connecting, Some(Yes)),
            Cause::Pause
        )]
    );
    h.at(1020);
    let (actions, events) = h.open();
    assert_eq!(actions, []);
    assert_eq!(
        events,
        [changed(
            (Connecting, Some(Yes)),
            (Ready, Some(Uninitialized)),
            Cause::Open
        )]
    );
    let cs = h.m.connection_state();
    assert!(cs.is_connected);
    assert!(!cs.has_ever_connected);
    assert_eq!(cs.connection_count, 1);
    assert_eq!(h.m.sendable(), None);

    h.at(5000);
    h.m.resume(h.now);
    let events = h.events_only();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(
        events[0],
        changed(
            (Ready, Some(Uninitialized)),
            (Ready, Some(No)),
            Cause::Resume
        )
    );
    let m = one_open(&events);
    assert_eq!(m.0, 0);
    assert_eq!(m.1.as_deref(), Some(INITIAL_CONNECT));
    assert!(h.m.connection_state().has_ever_connected);
    assert_eq!(h.m.sendable(), Some(SocketId(0)));
}

#[test]
fn a_deferred_on_open_keeps_its_open_and_is_stamped_when_delivered() {
    // As in Convex, clientTs is the time onOpen is called; the count and the
    // last close reason are those of the open it stands for.
    let mut h = Harness::started(no_jitter());
    h.m.pause(h.now);
    h.at(1020);
    h.open();
    h.at(5000);
    h.m.resume(h.now);
    let events = h.events_only();
    assert_eq!(one_open(&events), meta(0, Some(INITIAL_CONNECT), 5000));
}

#[test]
fn pause_in_ready_uninitialized_keeps_the_owed_open() {
    let mut h = reach(Start::ReadyUninitialized, no_jitter(), false);
    h.m.pause(h.now);
    assert_eq!(h.drain(), (vec![], vec![]));
    assert_eq!(h.m.state().paused(), Some(Uninitialized));
    h.m.resume(h.now);
    let events = h.events_only();
    assert_eq!(opened(&events).len(), 1);
    assert!(!events.contains(&Event::Resumed));
    // The owed open is paid once.
    h.m.pause(h.now);
    h.m.resume(h.now);
    let events = h.events_only();
    assert_eq!(
        events,
        [
            changed((Ready, Some(No)), (Ready, Some(Yes)), Cause::Pause),
            changed((Ready, Some(Yes)), (Ready, Some(No)), Cause::Resume),
            Event::Resumed,
        ]
    );
}

#[test]
fn pause_and_resume_in_ready_give_on_resume() {
    let mut h = reach(Start::ReadyNo, no_jitter(), false);
    h.m.pause(h.now);
    assert_eq!(h.m.sendable(), None);
    h.m.resume(h.now);
    assert_eq!(
        h.events_only(),
        [
            changed((Ready, Some(No)), (Ready, Some(Yes)), Cause::Pause),
            changed((Ready, Some(Yes)), (Ready, Some(No)), Cause::Resume),
            Event::Resumed,
        ]
    );
    assert_eq!(h.m.sendable(), Some(SocketId(0)));
}

#[test]
fn resume_before_the_open_makes_the_open_immediate() {
    let mut h = reach(Start::ConnectingYes, no_jitter(), false);
    h.m.resume(h.now);
    h.drain();
    let (_, events) = h.open();
    assert_eq!(one_open(&events), meta(0, Some(INITIAL_CONNECT), h.now));
    assert_eq!(h.m.state().paused(), Some(No));
}

#[test]
fn a_close_while_an_open_is_owed_drops_it() {
    let mut h = reach(Start::ReadyUninitialized, no_jitter(), false);
    let (_, events) = h.close(1006, "");
    assert!(opened(&events).is_empty());
    assert_eq!(
        events.last(),
        Some(&changed(
            (Ready, Some(Uninitialized)),
            (Disconnected, None),
            Cause::Close
        ))
    );
    h.m.resume(h.now);
    assert_eq!(h.drain(), (vec![], vec![]));
    h.fire_timer();
    // The new socket is not paused: pausing belongs to a socket.
    assert_eq!(h.m.state().paused(), Some(No));
    let (_, events) = h.open();
    assert_eq!(
        one_open(&events),
        meta(1, Some("closed with code 1006"), h.now)
    );
    assert!(h.m.connection_state().has_ever_connected);
}

// ----- close policy -----------------------------------------------------------

#[test]
fn code_4003_stops_for_good() {
    assert_eq!(CODE_UNAUTHORIZED, 4003);
    let mut h = reach(Start::ReadyNo, no_jitter(), false);
    let (actions, events) = h.close(4003, "Unauthorized");
    assert_eq!(actions, []);
    assert_eq!(
        events,
        [
            Event::ServerDisconnectError {
                code: 4003,
                reason: "Unauthorized".into()
            },
            Event::Closed(CloseInfo {
                code: 4003,
                reason: "Unauthorized".into(),
                was_clean: false,
                initiator: Initiator::Server,
                quiet: false,
                decision: Decision {
                    kind: DecisionKind::Permanent,
                    reconnect: false,
                    base_ms: None,
                    delay_ms: None,
                    retries: 0,
                    max_retries: None,
                    rule: Some(0),
                },
            }),
            changed((Ready, Some(No)), (Stopped, None), Cause::PermanentClose),
        ]
    );
    assert_eq!(h.m.poll_timeout(), None);
    h.at(h.now + 10_000_000);
    h.m.handle_timeout(h.now);
    assert_eq!(h.drain(), (vec![], vec![]));
    assert_eq!(h.m.state(), State::Stopped);
}

#[test]
fn code_4001_is_retried_three_times_then_stops() {
    assert_eq!(CODE_SESSION_NOT_FOUND, 4001);
    let mut h = Harness::started(no_jitter());
    for (retries, base) in [(1, 2000), (2, 4000), (3, 8000)] {
        h.open();
        let info = h.fail_and_reconnect(4001, "");
        assert_eq!(
            info.decision,
            Decision {
                kind: DecisionKind::Limited,
                reconnect: true,
                base_ms: Some(base),
                delay_ms: Some(base),
                retries,
                max_retries: Some(3),
                rule: Some(1),
            }
        );
    }
    h.open();
    let (actions, events) = h.close(4001, "");
    assert_eq!(actions, []);
    assert_eq!(
        closed_info(&events).decision,
        Decision {
            kind: DecisionKind::Limited,
            reconnect: false,
            base_ms: None,
            delay_ms: None,
            retries: 3,
            max_retries: Some(3),
            rule: Some(1),
        }
    );
    assert_eq!(
        events.last(),
        Some(&changed(
            (Ready, Some(No)),
            (Stopped, None),
            Cause::RetriesExhausted
        ))
    );
    assert_eq!(h.m.poll_timeout(), None);

    // tryRestart gives the budgets back.
    h.advance(100);
    h.m.try_restart(h.now);
    let (actions, events) = h.drain();
    assert_eq!(
        actions,
        [Action::Connect {
            socket: SocketId(4)
        }]
    );
    assert_eq!(
        events,
        [changed(
            (Stopped, None),
            (Connecting, Some(No)),
            Cause::Restart
        )]
    );
    assert_eq!(h.m.connection_state().connection_retries, 0);
    let (_, events) = h.close(4001, "");
    let d = closed_info(&events).decision;
    assert!(d.reconnect);
    assert_eq!((d.base_ms, d.retries), (Some(2000), 1));
}

#[test]
fn reset_backoff_gives_limited_rules_their_budget_back() {
    let mut h = Harness::started(no_jitter());
    for _ in 0..3 {
        h.fail_and_reconnect(4001, "");
    }
    h.open();
    h.m.reset_backoff();
    let (_, events) = h.close(4001, "");
    let d = closed_info(&events).decision;
    assert!(d.reconnect, "{d:?}");
    assert_eq!(d.base_ms, Some(2000));
}

#[test]
fn max_retries_stops_after_that_many_retries() {
    let mut h = Harness::started(Config {
        max_retries: Some(2),
        ..no_jitter()
    });
    for (retries, base) in [(1, 1000), (2, 2000)] {
        let info = h.fail_and_reconnect(1006, "");
        assert_eq!(
            info.decision,
            Decision {
                max_retries: Some(2),
                ..retry(base, retries)
            }
        );
    }
    let (_, events) = h.close(1006, "");
    assert_eq!(
        closed_info(&events).decision,
        Decision {
            kind: DecisionKind::Retry,
            reconnect: false,
            base_ms: None,
            delay_ms: None,
            retries: 2,
            max_retries: Some(2),
            rule: None,
        }
    );
    assert_eq!(
        events.last(),
        Some(&changed(
            (Connecting, Some(No)),
            (Stopped, None),
            Cause::RetriesExhausted
        ))
    );
    assert_eq!(h.m.poll_timeout(), None);
    // The machine stopped itself: a restart starts counting afresh.
    h.m.try_restart(h.now);
    h.drain();
    assert_eq!(h.m.connection_state().connection_retries, 0);
    let info = h.fail_and_reconnect(1006, "");
    assert_eq!(info.decision.retries, 1);
}

#[test]
fn max_retries_zero_stops_at_the_first_failure() {
    let mut h = Harness::started(Config {
        max_retries: Some(0),
        ..no_jitter()
    });
    let (_, events) = h.close(1011, "InternalServerError: x");
    let d = closed_info(&events).decision;
    assert!(!d.reconnect);
    assert_eq!(d.max_retries, Some(0));
    assert_eq!(d.rule, Some(2));
    assert_eq!(h.m.state(), State::Stopped);
}

#[test]
fn max_retries_applies_to_client_closes_too() {
    let mut h = Harness::started(Config {
        max_retries: Some(1),
        ..no_jitter()
    });
    h.fire_timer(); // inactivity: retried
    h.fire_timer();
    let (actions, events) = h.fire_timer(); // inactivity again: gives up
    assert_eq!(
        actions,
        [Action::Close {
            socket: SocketId(1),
            code: 1000,
            reason: INACTIVE_SERVER.into()
        }]
    );
    assert_eq!(
        events,
        [
            client_close(
                INACTIVE_SERVER,
                Decision {
                    kind: DecisionKind::Retry,
                    reconnect: false,
                    base_ms: None,
                    delay_ms: None,
                    retries: 1,
                    max_retries: Some(1),
                    rule: None,
                }
            ),
            changed(
                (Connecting, Some(No)),
                (Stopped, None),
                Cause::RetriesExhausted
            ),
        ]
    );
}

#[test]
fn reset_backoff_gives_max_retries_its_budget_back() {
    let mut h = Harness::started(Config {
        max_retries: Some(1),
        ..no_jitter()
    });
    h.fail_and_reconnect(1006, "");
    h.open();
    h.m.reset_backoff();
    let info = h.fail_and_reconnect(1006, "");
    assert_eq!(info.decision.retries, 1);
}

fn custom_policy() -> ClosePolicy {
    ClosePolicy {
        rules: vec![
            CloseRule {
                codes: vec![(4000, 4099)],
                reason_prefix: Some("Fatal".into()),
                action: RuleAction::Permanent,
            },
            CloseRule {
                codes: vec![(4000, 4099)],
                reason_prefix: None,
                action: RuleAction::Retry {
                    initial_ms: Some(500),
                },
            },
            CloseRule {
                codes: vec![],
                reason_prefix: Some("Slow".into()),
                action: RuleAction::Limited {
                    max_retries: 1,
                    initial_ms: 7000,
                },
            },
            CloseRule {
                codes: vec![(1000, 1000), (3000, 3005)],
                reason_prefix: None,
                action: RuleAction::Retry { initial_ms: None },
            },
        ],
    }
}

#[test]
fn a_custom_policy_replaces_the_default_and_the_first_match_wins() {
    let config = Config {
        policy: custom_policy(),
        ..no_jitter()
    };
    let decide = |code, reason: &str| {
        let mut h = Harness::started(config.clone());
        let (_, events) = h.close(code, reason);
        (closed_info(&events).decision, h.m.state())
    };
    // 4003 is no longer permanent: rule 1 retries it from 500.
    assert_eq!(
        decide(4003, ""),
        (
            Decision {
                rule: Some(1),
                ..retry(500, 1)
            },
            State::Disconnected
        )
    );
    // Rules 0 and 1 both match; 0 comes first.
    let (d, state) = decide(4050, "Fatal: gone");
    assert_eq!(
        (d.kind, d.reconnect, d.rule),
        (DecisionKind::Permanent, false, Some(0))
    );
    assert_eq!(state, State::Stopped);
    // Outside the range, "Fatal" means nothing.
    assert_eq!(decide(4100, "Fatal: gone").0, retry(1000, 1));
    // Any code with a "Slow" reason.
    let (d, _) = decide(1011, "Slow down");
    assert_eq!(
        d,
        Decision {
            kind: DecisionKind::Limited,
            max_retries: Some(1),
            rule: Some(2),
            ..retry(7000, 1)
        }
    );
    // The default server error table is gone.
    assert_eq!(decide(1011, "InternalServerError: x").0, retry(1000, 1));
    assert_eq!(decide(1011, "TooManyConcurrentRequests").0, retry(1000, 1));
    // A second range of a rule; `None` takes the backoff's initial delay.
    assert_eq!(
        decide(3003, "").0,
        Decision {
            rule: Some(3),
            ..retry(1000, 1)
        }
    );
    assert_eq!(decide(3006, "").0, retry(1000, 1));

    // A limited custom rule stops after its budget.
    let mut h = Harness::started(config.clone());
    h.fail_and_reconnect(1011, "Slow");
    let (_, events) = h.close(1011, "Slow");
    let d = closed_info(&events).decision;
    assert_eq!(
        (d.reconnect, d.max_retries, d.rule),
        (false, Some(1), Some(2))
    );
    assert_eq!(h.m.state(), State::Stopped);
}

#[test]
fn close_rules_match_codes_and_reason_prefixes() {
    let p = custom_policy();
    assert_eq!(p.classify(4000, "Fatal"), Some(0));
    assert_eq!(p.classify(4099, "Fatality"), Some(0));
    assert_eq!(p.classify(4099, "fatal"), Some(1));
    assert_eq!(p.classify(3999, "Fatal"), None);
    assert_eq!(p.classify(1000, "x"), Some(3));
    assert_eq!(p.classify(1001, "x"), None);
    assert_eq!(p.classify(1001, "Slow"), Some(2));
    assert_eq!(p.classify(4000, "Slow"), Some(1));
    let d = ClosePolicy::default();
    assert_eq!(d.rules.len(), 2 + SERVER_ERROR_DELAYS.len());
    assert_eq!(d.classify(4003, "InternalServerError"), Some(0));
    assert_eq!(d.classify(4001, "TooManyConcurrentRequests"), Some(1));
    assert_eq!(d.classify(1011, "ExpiredInQueue!"), Some(2 + 7));
    assert_eq!(d.classify(1006, ""), None);
}

// ----- config validation ------------------------------------------------------

fn invalid(f: impl FnOnce(&mut Config)) -> ConfigError {
    let mut c = Config::default();
    f(&mut c);
    let e = c.validate().unwrap_err();
    let from_new = Machine::new(c, 0).unwrap_err();
    assert_eq!(e, from_new);
    e
}

fn err(option: &'static str, expected: &'static str) -> ConfigError {
    ConfigError { option, expected }
}

#[test]
fn config_errors_name_the_option() {
    let ms0 = "must be between 0 and 86400000 ms";
    let ms1 = "must be between 1 and 86400000 ms";
    let mult = "must be a number between 1 and 100";
    let jit = "must be a number between 0 and 1";
    let codes = "codes must be close codes between 1000 and 4999 (ranges low to high)";
    assert_eq!(
        invalid(|c| c.backoff.initial_ms = MAX_MS + 1),
        err("backoffInitialMs", ms0)
    );
    assert_eq!(
        invalid(|c| c.backoff.client_initial_ms = MAX_MS + 1),
        err("backoffClientInitialMs", ms0)
    );
    assert_eq!(
        invalid(|c| c.backoff.max_ms = u64::MAX),
        err("backoffMaxMs", ms0)
    );
    for m in [0.0, 0.99, 100.01, f64::NAN, f64::INFINITY, -2.0] {
        assert_eq!(
            invalid(|c| c.backoff.multiplier = m),
            err("backoffMultiplier", mult),
            "{m}"
        );
    }
    for j in [-0.01, 1.01, f64::NAN, f64::NEG_INFINITY] {
        assert_eq!(
            invalid(|c| c.backoff.jitter = j),
            err("backoffJitter", jit),
            "{j}"
        );
    }
    for ms in [0, MAX_MS + 1] {
        assert_eq!(
            invalid(|c| c.inactivity_ms = Some(ms)),
            err("inactivityTimeoutMs", ms1)
        );
        assert_eq!(
            invalid(|c| c.reset = ResetRule::StableFor(ms)),
            err("resetBackoff.afterMs", ms1)
        );
    }
    let rule = |codes: Vec<(u16, u16)>, prefix: Option<&str>, action| CloseRule {
        codes,
        reason_prefix: prefix.map(str::to_owned),
        action,
    };
    let retry_none = RuleAction::Retry { initial_ms: None };
    assert_eq!(
        invalid(|c| c.policy.rules.push(rule(vec![], None, retry_none.clone()))),
        err("closePolicy", "rules need `codes` or `reasonPrefix`")
    );
    for range in [(999, 1000), (4000, 5000), (4010, 4000)] {
        assert_eq!(
            invalid(|c| c
                .policy
                .rules
                .push(rule(vec![range], None, retry_none.clone()))),
            err("closePolicy", codes),
            "{range:?}"
        );
    }
    for action in [
        RuleAction::Retry {
            initial_ms: Some(MAX_MS + 1),
        },
        RuleAction::Limited {
            max_retries: 1,
            initial_ms: MAX_MS + 1,
        },
    ] {
        assert_eq!(
            invalid(|c| c
                .policy
                .rules
                .insert(0, rule(vec![(4000, 4000)], None, action))),
            err("closePolicy", "initialMs must be between 0 and 86400000 ms")
        );
    }
    // The first bad option is the one reported.
    assert_eq!(
        invalid(|c| {
            c.backoff.jitter = 2.0;
            c.backoff.multiplier = 0.0;
        }),
        err("backoffMultiplier", mult)
    );
}

#[test]
fn config_bounds_are_inclusive() {
    let mut c = Config {
        backoff: Backoff {
            initial_ms: 0,
            client_initial_ms: MAX_MS,
            max_ms: MAX_MS,
            multiplier: 100.0,
            jitter: 1.0,
        },
        inactivity_ms: Some(1),
        reset: ResetRule::StableFor(MAX_MS),
        ..Config::default()
    };
    c.policy.rules.push(CloseRule {
        codes: vec![(1000, 4999)],
        reason_prefix: None,
        action: RuleAction::Limited {
            max_retries: 0,
            initial_ms: MAX_MS,
        },
    });
    assert_eq!(c.validate(), Ok(()));
    c.backoff.multiplier = 1.0;
    c.backoff.jitter = 0.0;
    c.inactivity_ms = Some(MAX_MS);
    c.reset = ResetRule::StableFor(1);
    assert_eq!(c.validate(), Ok(()));
    assert!(Machine::new(c, 0).is_ok());
}

// ----- stop / terminate / restart ---------------------------------------------

#[test]
fn stop_closes_the_live_socket_and_returns_it() {
    for start in [
        Start::ConnectingNo,
        Start::ConnectingYes,
        Start::ReadyNo,
        Start::ReadyYes,
        Start::ReadyUninitialized,
    ] {
        let mut h = reach(start, no_jitter(), false);
        let s = h.live();
        assert_eq!(h.m.stop(h.now), Some(s), "{}", start.name());
        let (actions, events) = h.drain();
        assert_eq!(
            actions,
            [Action::Close {
                socket: s,
                code: 1000,
                reason: STOPPED.into()
            }]
        );
        let from = start.snapshot();
        assert_eq!(
            events,
            [
                client_close(STOPPED, manual(0)),
                Event::StateChanged {
                    from,
                    to: snap(Stopped, None),
                    cause: Cause::Stop
                },
            ],
            "{}",
            start.name()
        );
        assert_eq!(h.m.poll_timeout(), None);
        assert!(!h.m.connection_state().is_connected);
        // The socket's close event, arriving later, is ignored.
        h.m.on_close(h.now, s, 1000, "Stopped", true);
        assert_eq!(h.drain(), (vec![], vec![]));
        assert_eq!(h.m.state(), State::Stopped);
    }
}

#[test]
fn stop_while_disconnected_cancels_the_reconnect() {
    let mut h = reach(Start::Disconnected, no_jitter(), false);
    let due = h.m.poll_timeout().unwrap();
    assert_eq!(h.m.stop(h.now), None);
    assert_eq!(
        h.events_only(),
        [changed((Disconnected, None), (Stopped, None), Cause::Stop)]
    );
    assert_eq!(h.m.poll_timeout(), None);
    h.at(due + 1);
    h.m.handle_timeout(h.now);
    assert_eq!(h.drain(), (vec![], vec![]));
    // Stopping again does nothing.
    assert_eq!(h.m.stop(h.now), None);
    assert_eq!(h.drain(), (vec![], vec![]));
}

#[test]
fn stop_keeps_the_retry_count_for_the_restart() {
    let mut h = after_two_failures(no_jitter());
    h.m.stop(h.now);
    h.m.try_restart(h.now);
    h.drain();
    assert_eq!(h.m.connection_state().connection_retries, 2);
    let (_, events) = h.close(1006, "");
    assert_eq!(closed_info(&events).decision, retry(4000, 3));
}

#[test]
fn terminate_works_from_every_state_and_leaves_nothing_behind() {
    for start in Start::ALL {
        let mut h = reach(start, no_jitter(), false);
        let live = h.m.state().socket();
        let retries = h.m.connection_state().connection_retries;
        assert_eq!(h.m.terminate(h.now), live, "{}", start.name());
        let (actions, events) = h.drain();
        let to_terminated = Event::StateChanged {
            from: start.snapshot(),
            to: snap(Terminated, None),
            cause: Cause::Terminate,
        };
        match (start, live) {
            (Start::Terminated, _) => {
                assert_eq!(actions, []);
                assert_eq!(events, []);
            }
            (_, Some(s)) => {
                assert_eq!(
                    actions,
                    [Action::Close {
                        socket: s,
                        code: 1000,
                        reason: TERMINATED.into()
                    }]
                );
                assert_eq!(
                    events,
                    [client_close(TERMINATED, manual(retries)), to_terminated]
                );
            }
            (_, None) => {
                assert_eq!(actions, []);
                assert_eq!(events, [to_terminated]);
            }
        }
        assert_eq!(h.m.state(), State::Terminated);
        assert_eq!(h.m.poll_timeout(), None);
        // Nothing brings it back.
        h.m.try_restart(h.now);
        h.fire_timer();
        h.m.resume(h.now);
        assert_eq!(h.m.terminate(h.now), None);
        assert_eq!(h.m.stop(h.now), None);
        assert_eq!(h.drain(), (vec![], vec![]));
        assert_eq!(h.m.state(), State::Terminated);
        assert!(!h.m.connection_state().is_connected);
    }
}

#[test]
fn try_restart_works_only_from_stopped() {
    for start in Start::ALL {
        let mut h = reach(start, verbose(), false);
        let state = h.m.state();
        let sockets = h.created.len();
        h.m.try_restart(h.now);
        let (actions, events) = h.drain();
        if start == Start::Stopped {
            assert_eq!(
                actions,
                [Action::Connect {
                    socket: SocketId(sockets as u64)
                }]
            );
            assert_eq!(
                events,
                [changed(
                    (Stopped, None),
                    (Connecting, Some(No)),
                    Cause::Restart
                )]
            );
            assert_eq!(h.m.poll_timeout(), Some(h.now + 60_000));
        } else {
            assert_eq!(actions, [], "{}", start.name());
            assert_eq!(
                events,
                [Event::Verbose(Note::RestartIgnored(state.kind()))],
                "{}",
                start.name()
            );
            assert_eq!(h.m.state(), state);
        }
    }
}

// ----- queries ----------------------------------------------------------------

#[test]
fn without_an_outbox_what_is_not_sent_is_refused_and_noted() {
    for start in Start::ALL {
        let mut h = reach(start, verbose(), false);
        let state = h.m.state();
        let refused = h.m.queue(h.now, 5);
        let events = h.events_only();
        if start == Start::Terminated {
            assert_eq!(refused, Err(Refusal::Terminated));
            assert_eq!(events, []);
        } else {
            assert_eq!(refused, Err(Refusal::NotReady), "{}", start.name());
            assert_eq!(
                events,
                [Event::Verbose(Note::NotSent(state.kind(), state.paused()))],
                "{}",
                start.name()
            );
        }
    }
}

#[test]
fn on_message_says_whether_to_deliver() {
    let mut h = Harness::started(Config::default());
    assert!(h.m.on_message(h.now, SocketId(0)));
    assert!(!h.m.on_message(h.now, SocketId(1)));
    h.open();
    assert!(h.m.on_message(h.now, SocketId(0)));
    h.m.pause(h.now);
    assert!(h.m.on_message(h.now, SocketId(0)), "paused still receives");
    h.close(1006, "");
    assert!(!h.m.on_message(h.now, SocketId(0)));
    h.fire_timer();
    assert!(!h.m.on_message(h.now, SocketId(0)));
    assert!(h.m.on_message(h.now, SocketId(1)));
    h.m.stop(h.now);
    assert!(!h.m.on_message(h.now, SocketId(1)));
}

// ----- verbose ----------------------------------------------------------------

/// Inputs that are ignored or silently handled; every output.
fn noisy_script(config: Config) -> Vec<Event> {
    let mut h = Harness::started(config);
    let mut all = Vec::new();
    h.m.try_restart(h.now);
    let _ = h.m.queue(h.now, 1);
    all.extend(h.drain().1);
    all.extend(h.close(1006, "").1);
    all.extend(h.fire_timer().1);
    h.m.on_open(h.now, SocketId(0));
    h.m.on_close(h.now, SocketId(7), 1006, "", false);
    h.m.reset_backoff();
    h.m.reset_backoff();
    all.extend(h.drain().1);
    all.extend(h.open().1);
    h.m.pause(h.now);
    let _ = h.m.queue(h.now, 1);
    all.extend(h.drain().1);
    all
}

#[test]
fn verbose_notes_appear_only_when_enabled() {
    let quiet = noisy_script(Config::default());
    let loud = noisy_script(verbose());
    assert_eq!(notes(&quiet), []);
    assert_eq!(
        notes(&loud),
        [
            Note::RestartIgnored(Connecting),
            Note::NotSent(Connecting, Some(No)),
            Note::StaleSocketEvent(SocketId(0)),
            Note::StaleSocketEvent(SocketId(7)),
            Note::BackoffReset,
            Note::NotSent(Ready, Some(Yes)),
        ]
    );
    assert_eq!(non_verbose(&loud), quiet);
    assert!(quiet.len() >= 6);
}

#[test]
fn names_match_the_javascript_api() {
    assert_eq!(Cause::RetriesExhausted.as_str(), "retriesExhausted");
    assert_eq!(Cause::PermanentClose.as_str(), "permanentClose");
    assert_eq!(Cause::SendFailed.as_str(), "sendFailed");
    assert_eq!(DecisionKind::Limited.as_str(), "limited");
    assert_eq!(DecisionKind::Manual.as_str(), "manual");
    assert_eq!(Initiator::Client.as_str(), "client");
    assert_eq!(Paused::Uninitialized.as_str(), "uninitialized");
    assert_eq!(StateKind::Terminated.as_str(), "terminated");
}
