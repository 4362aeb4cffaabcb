#![cfg(not(target_arch = "wasm32"))]
//! Backoff arithmetic on a fake clock with the [`Harness`]: the first delay
//! after each kind of close, the growth per consecutive failure and its cap,
//! the jitter and the seeded [`Rng`] behind it, `maxRetries`, and the rules
//! that reset the count (`app`, `firstMessage`, `StableFor`).
//!
//! No jitter unless a test says otherwise (the jitter tests use the
//! default ±50 %), so every delay equals its base.

mod machine_support;

use machine_support::{
    after_two_failures, changed, client_close, closed_info, hb, inactivity_off, manual, no_jitter,
    reach, ready, retry, Harness, Start,
};

use steadysocket::machine::{
    Action, Cause, CloseInfo, Config, DecidedBy, Decision, DecisionKind, Event, Initiator, Jitter,
    Machine, Millis, Paused, ResetRule, Rng, SocketId, State, StateKind, CLOSE_NORMAL,
    FAILED_TO_SEND, INACTIVE_SERVER,
};

use Paused::No;
use StateKind::{Connecting, Disconnected, Ready, Stopped};

// ----- first delays and growth -----------------------------------------------

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

// ----- jitter and the Rng ----------------------------------------------------

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
    // The reference outputs of SplitMix64 from seed 0 are
    // 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4 and 0x06c45d188009454f; as
    // units in [0, 1) (their top 53 bits over 2^53) they are these.
    let mut rng = Rng::new(0);
    for expected in [
        0.8833108082136426,
        0.43152799704850997,
        0.026433771592597743,
    ] {
        assert_eq!(
            rng.next_unit().to_bits(),
            f64::to_bits(expected),
            "{expected}"
        );
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
fn each_strategy_draws_its_first_wait_from_the_same_random_unit() {
    // Seed 0's first unit is 0.8833108082136426 (above). After an unknown
    // close, from 1000 ms:
    // - full:         1000 × 0.8833…             ≈ 883
    // - equal:        500 + 500 × 0.8833…         ≈ 942
    // - decorrelated: 1000 + (3000 − 1000) × 0.8833… ≈ 2767, base 3000
    for (strategy, base, delay) in [
        (Jitter::Full, 1000, 883),
        (Jitter::Equal, 1000, 942),
        (Jitter::Decorrelated, 3000, 2767),
    ] {
        let mut config = Config {
            seed: 0,
            ..Config::default()
        };
        config.backoff.strategy = strategy;
        let mut h = Harness::started(config);
        let (_, events) = h.close(1006, "");
        let d = closed_info(&events).decision;
        assert_eq!(
            (d.base_ms, d.delay_ms),
            (Some(base), Some(delay)),
            "{strategy:?}"
        );
        assert_eq!(h.m.poll_timeout(), Some(h.now + delay), "{strategy:?}");
    }
}

#[test]
fn decorrelated_waits_grow_from_the_last_wait_and_start_over_after_a_reset() {
    let mut config = Config::default();
    config.backoff.strategy = Jitter::Decorrelated;
    let mut h = Harness::started(config);
    let mut last = 1000;
    for _ in 0..8 {
        let d = h.fail_and_reconnect(1006, "").decision;
        let (base, delay) = (d.base_ms.unwrap(), d.delay_ms.unwrap());
        assert_eq!(base, (3 * last).clamp(1000, 16_000), "{d:?}");
        assert!((1000..=base).contains(&delay), "{d:?}");
        last = delay;
    }
    h.m.reset_backoff(h.now);
    let d = h.fail_and_reconnect(1006, "").decision;
    assert_eq!(d.base_ms, Some(3000), "after the reset: {d:?}");
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

// ----- maxRetries ------------------------------------------------------------

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
    assert_eq!(d.rule, Some(DecidedBy::Rule(2)));
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

// ----- resets: app -----------------------------------------------------------

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
    h.m.reset_backoff(h.now);
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
    h.m.reset_backoff(h.now);
    assert_eq!(h.m.poll_timeout(), due);
    assert_eq!(h.m.connection_state().connection_retries, 0);
}

#[test]
fn reset_backoff_gives_limited_rules_their_budget_back() {
    let mut h = Harness::started(no_jitter());
    for _ in 0..3 {
        h.fail_and_reconnect(4001, "");
    }
    h.open();
    h.m.reset_backoff(h.now);
    let (_, events) = h.close(4001, "");
    let d = closed_info(&events).decision;
    assert!(d.reconnect, "{d:?}");
    assert_eq!(d.base_ms, Some(2000));
}

#[test]
fn reset_backoff_gives_max_retries_its_budget_back() {
    let mut h = Harness::started(Config {
        max_retries: Some(1),
        ..no_jitter()
    });
    h.fail_and_reconnect(1006, "");
    h.open();
    h.m.reset_backoff(h.now);
    let info = h.fail_and_reconnect(1006, "");
    assert_eq!(info.decision.retries, 1);
}

// ----- resets: firstMessage --------------------------------------------------

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

// ----- resets: StableFor -----------------------------------------------------

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
                ..no_jitter()
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
