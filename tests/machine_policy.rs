#![cfg(not(target_arch = "wasm32"))]
//! The close policy, on a fake clock with the [`Harness`]: what each close
//! code and reason means by default (4003 permanent, 4001 limited to three
//! retries, Convex's server-error table), custom rules (codes, reason
//! prefixes, the first match winning), `onServerDisconnectError` and the
//! quiet codes (1000, 1001, 1005, 4040).
//!
//! No jitter, so every delay equals its base.

mod machine_support;

use machine_support::{changed, closed_info, no_jitter, reach, ready, retry, Harness, Start};

use steadysocket::machine::{
    is_quiet, Action, Cause, CloseFacts, CloseInfo, ClosePolicy, CloseRule, Config, DecidedBy,
    Decision, DecisionKind, Event, Initiator, Jitter, Millis, Paused, RuleAction, SocketId, State,
    StateKind, Verdict, VerdictAction, CODE_SESSION_NOT_FOUND, CODE_UNAUTHORIZED,
};

use Paused::No;
use StateKind::{Connecting, Ready, Stopped};

// ----- the default rules -----------------------------------------------------

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
                    rule: Some(DecidedBy::Rule(0)),
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
                rule: Some(DecidedBy::Rule(1)),
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
            rule: Some(DecidedBy::Rule(1)),
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

/// Convex's server errors and the first delay each calls for, in the order
/// of the default rules (after 4003 and 4001), as README.md's table of the
/// default rules gives them: `retry` from 1 s or from 3 s.
const SERVER_ERRORS: [(&str, Millis); 14] = [
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

#[test]
fn server_error_reasons_use_their_first_delays() {
    for (i, &(prefix, ms)) in SERVER_ERRORS.iter().enumerate() {
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
                rule: Some(DecidedBy::Rule(2 + i)),
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

// ----- custom rules ----------------------------------------------------------

/// Four rules: a "Fatal" reason in 4000–4099 is permanent, the rest of that
/// range retried from 500 ms, a "Slow" reason (any code) retried once from
/// 7 s, and 1000 or 3000–3005 retried from `backoffInitialMs`.
fn fatal_slow_policy() -> ClosePolicy {
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
        policy: fatal_slow_policy(),
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
                rule: Some(DecidedBy::Rule(1)),
                ..retry(500, 1)
            },
            State::Disconnected
        )
    );
    // Rules 0 and 1 both match; 0 comes first.
    let (d, state) = decide(4050, "Fatal: gone");
    assert_eq!(
        (d.kind, d.reconnect, d.rule),
        (DecisionKind::Permanent, false, Some(DecidedBy::Rule(0)))
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
            rule: Some(DecidedBy::Rule(2)),
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
            rule: Some(DecidedBy::Rule(3)),
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
        (false, Some(1), Some(DecidedBy::Rule(2)))
    );
    assert_eq!(h.m.state(), State::Stopped);
}

#[test]
fn close_rules_match_codes_and_reason_prefixes() {
    let p = fatal_slow_policy();
    assert_eq!(p.classify(4000, "Fatal"), Some(0));
    assert_eq!(p.classify(4099, "Fatality"), Some(0));
    assert_eq!(p.classify(4099, "fatal"), Some(1));
    assert_eq!(p.classify(3999, "Fatal"), None);
    assert_eq!(p.classify(1000, "x"), Some(3));
    assert_eq!(p.classify(1001, "x"), None);
    assert_eq!(p.classify(1001, "Slow"), Some(2));
    assert_eq!(p.classify(4000, "Slow"), Some(1));
    let d = ClosePolicy::default();
    // 4003, 4001, the fourteen server errors, then 1013.
    assert_eq!(d.rules.len(), 17);
    assert_eq!(d.classify(1013, ""), Some(16));
    // A reason the server-error table knows decides before the code.
    assert_eq!(d.classify(1013, "ExpiredInQueue"), Some(2 + 7));
    assert_eq!(d.classify(4003, "InternalServerError"), Some(0));
    assert_eq!(d.classify(4001, "TooManyConcurrentRequests"), Some(1));
    assert_eq!(d.classify(1011, "ExpiredInQueue!"), Some(2 + 7));
    assert_eq!(d.classify(1006, ""), None);
}

// ----- the server's say: 1013 and retry-after --------------------------------

#[test]
fn try_again_later_retries_from_five_seconds() {
    let mut h = reach(Start::ReadyNo, no_jitter(), false);
    let info = h.fail_and_reconnect(1013, "");
    assert_eq!(
        info.decision,
        Decision {
            rule: Some(DecidedBy::Rule(16)),
            ..retry(5000, 1)
        }
    );
    // It grows as any retry does.
    let (_, events) = h.close(1013, "");
    assert_eq!(closed_info(&events).decision.delay_ms, Some(10_000));
}

#[test]
fn a_retry_after_hint_sets_the_least_wait() {
    // No jitter: the wait is the hint exactly, and the server decided.
    let mut h = reach(Start::ReadyNo, no_jitter(), false);
    let (_, events) = h.close(1013, "busy; retry-after=30");
    let d = closed_info(&events).decision;
    assert_eq!(
        d,
        Decision {
            rule: Some(DecidedBy::Server),
            ..retry(30_000, 1)
        }
    );
    assert_eq!(h.m.poll_timeout(), Some(h.now + 30_000));
    // Any code, any rule: a 1006 with a hint.
    let mut h = reach(Start::ReadyNo, no_jitter(), false);
    let (_, events) = h.close(1011, "InternalServerError retry-after: 2.5");
    assert_eq!(
        closed_info(&events).decision,
        Decision {
            rule: Some(DecidedBy::Server),
            ..retry(2500, 1)
        }
    );
    // A hint shorter than the rule's wait changes nothing: "at least".
    let mut h = reach(Start::ReadyNo, no_jitter(), false);
    let (_, events) = h.close(1013, "retry-after=1");
    assert_eq!(
        closed_info(&events).decision,
        Decision {
            rule: Some(DecidedBy::Rule(16)),
            ..retry(5000, 1)
        }
    );
    // A permanent close stays permanent.
    let mut h = reach(Start::ReadyNo, no_jitter(), false);
    let (_, events) = h.close(4003, "retry-after=1");
    assert!(!closed_info(&events).decision.reconnect);
    assert_eq!(h.m.state(), State::Stopped);
}

#[test]
fn a_retry_after_hint_is_capped_and_jittered_upward_only() {
    let capped = Config {
        max_server_delay_ms: 60_000,
        ..no_jitter()
    };
    let mut h = reach(Start::ReadyNo, capped, false);
    let (_, events) = h.close(1013, "retry-after=3600");
    assert_eq!(
        closed_info(&events).decision,
        Decision {
            rule: Some(DecidedBy::Server),
            ..retry(60_000, 1)
        }
    );
    // ±50 % jitter: between the hint and 1.5 × the hint, never below.
    for seed in 0..200 {
        let config = Config {
            seed,
            ..Config::default()
        };
        let mut h = reach(Start::ReadyNo, config, false);
        let (_, events) = h.close(1011, "retry-after=20");
        let d = closed_info(&events).decision;
        let delay = d.delay_ms.expect("a wait");
        assert!((20_000..=30_000).contains(&delay), "seed {seed}: {delay}");
        assert_eq!(d.base_ms, Some(20_000));
    }
}

#[test]
fn a_retry_after_window_spreads_the_waits_over_it_whatever_the_jitter() {
    // "retry-after=10-60": uniform over [10 s, 60 s], with no jitter and
    // with each strategy; the lowest and highest tenth are both reached.
    for strategy in [Jitter::Convex, Jitter::Full, Jitter::Decorrelated] {
        let (mut low, mut high) = (false, false);
        for seed in 0..300 {
            let mut config = Config {
                seed,
                ..no_jitter()
            };
            config.backoff.strategy = strategy;
            let mut h = reach(Start::ReadyNo, config, false);
            let (_, events) = h.close(1012, "ServiceRestart; retry-after=10-60");
            let d = closed_info(&events).decision;
            let delay = d.delay_ms.expect("a wait");
            assert!(
                (10_000..=60_000).contains(&delay),
                "{strategy:?} seed {seed}: {delay}"
            );
            assert_eq!((d.base_ms, d.rule), (Some(10_000), Some(DecidedBy::Server)));
            assert_eq!(h.m.poll_timeout(), Some(h.now + delay));
            low |= delay < 15_000;
            high |= delay > 55_000;
        }
        assert!(low && high, "{strategy:?}: low {low}, high {high}");
    }
    // Capped by maxServerDelayMs at both ends.
    let capped = Config {
        max_server_delay_ms: 20_000,
        ..no_jitter()
    };
    let mut h = reach(Start::ReadyNo, capped, false);
    let (_, events) = h.close(1012, "retry-after=30-90");
    assert_eq!(closed_info(&events).decision.delay_ms, Some(20_000));
}

// ----- server disconnect errors and quiet codes ------------------------------

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

/// The application's closes are quiet as the server's are: by their code.
#[test]
fn manual_closes_are_quiet_by_their_code() {
    // Quiet: 1000, 1001, 1005 and 4040; every other code is not.
    for (code, quiet) in [
        (1000, true),
        (1001, true),
        (3000, false),
        (4000, false),
        (4040, true),
        (4999, false),
    ] {
        let mut h = ready(no_jitter());
        let (_, events) = h.input_at(2000, |m, t| m.reconnect(t, code, "x".into()));
        let info = closed_info(&events);
        assert_eq!(info.code, code);
        assert_eq!(info.quiet, quiet, "reconnect with {code}");

        let mut h = ready(no_jitter());
        let (_, events) = h.input_at(2000, |m, t| {
            m.stop_with(t, code, "x".into());
        });
        let info = closed_info(&events);
        assert_eq!(info.code, code);
        assert_eq!(info.quiet, quiet, "stop with {code}");
    }
    // stop() and terminate() close with 1000: quiet.
    let mut h = ready(no_jitter());
    let (_, events) = h.input_at(2000, |m, t| {
        m.stop(t);
    });
    assert!(closed_info(&events).quiet);
    let mut h = ready(no_jitter());
    let (_, events) = h.input_at(2000, |m, t| {
        m.terminate(t);
    });
    assert!(closed_info(&events).quiet);
    assert!(!is_quiet(4000));
}

// ----- the close-policy function ---------------------------------------------

fn judged() -> Config {
    Config {
        judge: true,
        ..no_jitter()
    }
}

/// The facts of the one `Judge` action in a batch.
fn facts(actions: &[Action]) -> CloseFacts {
    let asked: Vec<&CloseFacts> = actions
        .iter()
        .filter_map(|a| match a {
            Action::Judge(f) => Some(f),
            _ => None,
        })
        .collect();
    assert_eq!(asked.len(), 1, "{actions:?}");
    asked[0].clone()
}

#[test]
fn the_function_is_asked_before_the_close_is_reported() {
    let mut h = reach(Start::ReadyNo, judged(), false);
    let (actions, events) = h.close(4999, "bye");
    assert_eq!(
        facts(&actions),
        CloseFacts {
            code: 4999,
            reason: "bye".into(),
            was_clean: false,
            initiator: Initiator::Server,
            retries: 0,
            connection_count: 1,
            downtime_ms: Some(0),
        }
    );
    // Nothing reported yet, and nothing can be sent.
    assert!(
        !events.iter().any(|e| matches!(e, Event::Closed(_))),
        "{events:?}"
    );
    assert_eq!(h.m.sendable(), None);
    let verdict = Verdict {
        action: VerdictAction::Retry,
        delay_ms: Some(1234),
    };
    let (_, events) = h.input_at(h.now, |m, t| m.judge(t, Some(verdict)));
    assert_eq!(
        closed_info(&events).decision,
        Decision {
            rule: Some(DecidedBy::Function),
            ..retry(1234, 1)
        }
    );
    assert_eq!(h.m.state(), State::Disconnected);
    assert_eq!(h.m.poll_timeout(), Some(h.now + 1234));
    // A second answer to nothing changes nothing.
    let (actions, events) = h.input_at(h.now, |m, t| m.judge(t, Some(verdict)));
    assert_eq!((actions.len(), events.len()), (0, 0));
}

#[test]
fn the_function_can_make_any_close_permanent_or_limited() {
    let mut h = reach(Start::ReadyNo, judged(), false);
    h.close(1006, "");
    let permanent = Verdict {
        action: VerdictAction::Permanent,
        delay_ms: None,
    };
    let (_, events) = h.input_at(h.now, |m, t| m.judge(t, Some(permanent)));
    let d = closed_info(&events).decision;
    assert_eq!(
        (d.kind, d.reconnect, d.rule),
        (DecisionKind::Permanent, false, Some(DecidedBy::Function))
    );
    assert_eq!(
        events.last(),
        Some(&changed(
            (Ready, Some(No)),
            (Stopped, None),
            Cause::PermanentClose
        ))
    );

    // Limited to one: the first is retried with the backoff, the second
    // stops.
    let limited = Verdict {
        action: VerdictAction::Limited(1),
        delay_ms: None,
    };
    let mut h = reach(Start::ReadyNo, judged(), false);
    h.close(1011, "");
    let (_, events) = h.input_at(h.now, |m, t| m.judge(t, Some(limited)));
    assert_eq!(
        closed_info(&events).decision,
        Decision {
            kind: DecisionKind::Limited,
            max_retries: Some(1),
            rule: Some(DecidedBy::Function),
            ..retry(1000, 1)
        }
    );
    h.fire_timer();
    let (actions, _) = h.close(1011, "");
    assert_eq!(facts(&actions).retries, 1);
    let (_, events) = h.input_at(h.now, |m, t| m.judge(t, Some(limited)));
    let d = closed_info(&events).decision;
    assert_eq!((d.reconnect, d.max_retries), (false, Some(1)));
    assert_eq!(
        events.last().map(|e| match e {
            Event::StateChanged { cause, .. } => *cause,
            _ => Cause::Open,
        }),
        Some(Cause::RetriesExhausted)
    );
}

#[test]
fn no_verdict_leaves_it_to_the_rules_and_the_server_s_hint() {
    let mut h = reach(Start::ReadyNo, judged(), false);
    h.close(4003, "Unauthorized");
    let (_, events) = h.input_at(h.now, |m, t| m.judge(t, None));
    let d = closed_info(&events).decision;
    assert_eq!(
        (d.kind, d.rule),
        (DecisionKind::Permanent, Some(DecidedBy::Rule(0)))
    );

    let mut h = reach(Start::ReadyNo, judged(), false);
    h.close(1013, "retry-after=9");
    let (_, events) = h.input_at(h.now, |m, t| m.judge(t, None));
    assert_eq!(
        closed_info(&events).decision,
        Decision {
            rule: Some(DecidedBy::Server),
            ..retry(9000, 1)
        }
    );
}

#[test]
fn any_other_input_while_asking_lets_the_rules_decide_first() {
    // The function itself calls reconnect(): the close is decided by the
    // rules, then the reconnect happens, and the late verdict is ignored.
    let mut h = reach(Start::ReadyNo, judged(), false);
    h.close(1011, "");
    let (actions, events) = h.input_at(h.now, |m, t| m.reconnect(t, 1000, "Reconnect".into()));
    assert_eq!(closed_info(&events).decision, retry(1000, 1));
    assert!(
        matches!(actions.as_slice(), [Action::Connect { .. }]),
        "{actions:?}"
    );
    let (actions, events) = h.input_at(h.now, |m, t| {
        m.judge(
            t,
            Some(Verdict {
                action: VerdictAction::Permanent,
                delay_ms: None,
            }),
        )
    });
    assert_eq!((actions.len(), events.len()), (0, 0));
    assert!(matches!(h.m.state(), State::Connecting { .. }));
}

#[test]
fn the_client_s_own_closes_are_asked_about_too() {
    let mut h = reach(Start::ReadyNo, judged(), false);
    // Inactivity: the socket is closed, then the function asked.
    let (actions, _) = h.fire_timer();
    assert!(
        matches!(actions.first(), Some(Action::Close { .. })),
        "{actions:?}"
    );
    let f = facts(&actions);
    assert_eq!(
        (f.code, f.initiator, f.reason.as_str()),
        (1000, Initiator::Client, "InactiveServer")
    );
    let (_, events) = h.input_at(h.now, |m, t| m.judge(t, None));
    // The rules: the client's quick backoff.
    assert_eq!(closed_info(&events).decision.delay_ms, Some(100));
    // A failing attempt tells how long the connection has been down.
    h.fire_timer();
    let (actions, _) = h.close(1006, "");
    assert_eq!(facts(&actions).downtime_ms, Some(100));
}
