#![cfg(not(target_arch = "wasm32"))]
//! The core lifecycle, on a fake clock with the [`Harness`]: a new machine
//! connecting, the live socket opening and closing, `stop()` and
//! `stop_with()`, `tryRestart()`, `terminate()` (and `terminated` staying
//! terminal), `reconnect()`, the queries (`state`, `connection_state`,
//! `sendable`, `is_running`, `on_message`'s answer, what is refused without
//! an outbox), verbose notes, the names the JavaScript API uses, and the
//! config: its defaults (checked against README.md's options table) and its
//! validation.
//!
//! No jitter unless a test says otherwise, so every delay equals its base.

mod machine_support;

use std::collections::BTreeSet;

use std::borrow::Cow;

use machine_support::{
    after_two_failures, changed, client_close, close, close_fields, closed_info, connect,
    disconnected_after_open, hb, kind, manual, no_jitter, non_verbose, notes, nothing, one_open,
    reach, ready, retry, s, snap, verbose, with_stop_when_hidden, Harness, Start, ALL_CAUSES,
    ALL_TRIGGERS, CONNECTING_NO, CONNECTING_YES, DISCONNECTED, READY_NO, STOPPED,
};

use steadysocket::machine::{
    Action, Backoff, Cause, CloseRule, Config, ConfigError, DecisionKind, DialFailure, Event,
    Heartbeat, Initiator, Jitter, Machine, Millis, Note, OpenMeta, OutboxLimits, Paused, Refusal,
    ResetRule, RuleAction, SocketId, State, StateKind, Trigger, CLOSE_NORMAL, HEARTBEAT_TIMEOUT,
    MAX_MS, PROBE_TIMEOUT, RECONNECT, STOPPED as STOPPED_REASON, TERMINATED, WAKE,
};

use Paused::{No, Yes};
use StateKind::{Connecting, Disconnected, Ready, Stopped, Terminated};

// ----- construction and defaults ---------------------------------------------

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
            strategy: Jitter::Convex,
        }
    );
    assert_eq!(c.inactivity_ms, Some(60_000));
    assert_eq!(c.max_retries, None);
    assert_eq!(c.reset, ResetRule::App);
    assert!(!c.verbose);
    // The README's default rules: 4003 permanent, 4001 three times from 2 s,
    // then the 14 server-error prefixes (checked one by one in
    // machine_policy), then 1013 from 5 s.
    assert_eq!(c.policy.rules.len(), 17);
    assert_eq!(c.max_server_delay_ms, 300_000);
    assert!(c.pause_when_hidden);
    assert_eq!(
        c.policy.rules[0],
        CloseRule {
            codes: vec![(4003, 4003)],
            reason_prefix: None,
            action: RuleAction::Permanent,
        }
    );
    assert_eq!(
        c.policy.rules[1],
        CloseRule {
            codes: vec![(4001, 4001)],
            reason_prefix: None,
            action: RuleAction::Limited {
                max_retries: 3,
                initial_ms: 2000,
            },
        }
    );
    assert_eq!(c.validate(), Ok(()));
}

const README: &str = include_str!("../README.md");

/// A row of README.md's options table.
struct OptionRow {
    /// The option's name, without its backticks.
    option: String,
    /// The default cell, as written.
    default: String,
    /// The whole row.
    line: String,
}

/// The rows of the table under README.md's `### Options` heading.
fn readme_options() -> Vec<OptionRow> {
    let (_, section) = README
        .split_once("\n### Options\n")
        .expect("README.md has an `### Options` heading");
    let section = section.split("\n#").next().unwrap_or(section);
    section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            OptionRow {
                option: cells[1].trim_matches('`').to_owned(),
                default: cells[2].to_owned(),
                line: line.to_owned(),
            }
        })
        .collect()
}

/// A documented number of milliseconds, `false` meaning none.
fn documented_ms(cell: &str) -> Option<Millis> {
    match cell {
        "`false`" => None,
        n => Some(n.parse().unwrap_or_else(|_| panic!("not a number: {n}"))),
    }
}

/// The number written after `key: ` in `text`, if any.
fn number_after(text: &str, key: &str) -> Option<u64> {
    let (_, rest) = text.split_once(&format!("{key}: "))?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// What differs between a documented default and the actual one, if
/// anything.
fn differs<T: PartialEq + std::fmt::Debug>(
    option: &str,
    documented: T,
    actual: T,
) -> Option<String> {
    (documented != actual)
        .then(|| format!("{option}: documented {documented:?}, default {actual:?}"))
}

#[test]
fn config_defaults_match_the_readme_options_table() {
    let rows = readme_options();
    let row = |option: &str| {
        rows.iter()
            .find(|r| r.option == option)
            .unwrap_or_else(|| panic!("README.md's options table has no `{option}` row"))
    };
    let cell = |option: &str| row(option).default.as_str();
    let ms = |option: &str| documented_ms(cell(option));
    let number = |option: &str| -> f64 {
        let c = cell(option);
        c.parse()
            .unwrap_or_else(|_| panic!("`{option}`: not a number: {c}"))
    };
    // `off`, `false`: none.
    let off = |option: &str| matches!(cell(option), "off" | "`false`");
    let on_off = |off: bool| if off { "off" } else { "on" };
    let max_retries: Option<u32> = match cell("maxRetries") {
        "`Infinity`" => None,
        n => Some(n.parse().expect("maxRetries: a number or `Infinity`")),
    };
    let reset = match cell("resetBackoff") {
        r#"`"app"`"# => Some(ResetRule::App),
        r#"`"firstMessage"`"# => Some(ResetRule::FirstMessage),
        _ => None,
    };
    // What `heartbeat: true` and `outbox: true` stand for.
    let hb = &row("heartbeat").line;
    let ob = &row("outbox").line;

    let c = Config::default();
    let b = &c.backoff;
    let heartbeat = Heartbeat::default();
    let outbox = OutboxLimits::default();
    let differ: Vec<String> = [
        differs(
            "backoffInitialMs",
            ms("backoffInitialMs"),
            Some(b.initial_ms),
        ),
        differs(
            "backoffClientInitialMs",
            ms("backoffClientInitialMs"),
            Some(b.client_initial_ms),
        ),
        differs("backoffMaxMs", ms("backoffMaxMs"), Some(b.max_ms)),
        differs(
            "backoffMultiplier",
            number("backoffMultiplier"),
            b.multiplier,
        ),
        differs("backoffJitter", number("backoffJitter"), b.jitter),
        differs(
            "inactivityTimeoutMs",
            ms("inactivityTimeoutMs"),
            c.inactivity_ms,
        ),
        differs(
            "connectTimeoutMs",
            ms("connectTimeoutMs"),
            c.connect_timeout_ms,
        ),
        differs("maxRetries", max_retries, c.max_retries),
        differs("resetBackoff", reset, Some(c.reset)),
        differs(
            "probeTimeoutMs",
            ms("probeTimeoutMs"),
            Some(c.probe_timeout_ms),
        ),
        differs(
            "wakeThresholdMs",
            ms("wakeThresholdMs"),
            Some(c.wake_threshold_ms),
        ),
        differs(
            "offlineCeilingMs",
            ms("offlineCeilingMs"),
            Some(c.offline_ceiling_ms),
        ),
        differs(
            "stopWhenHiddenMs",
            ms("stopWhenHiddenMs"),
            c.stop_when_hidden_ms,
        ),
        differs("verbose", !off("verbose"), c.verbose),
        differs(
            "heartbeat",
            on_off(off("heartbeat")),
            on_off(c.heartbeat.is_none()),
        ),
        differs("outbox", on_off(off("outbox")), on_off(c.outbox.is_none())),
        differs(
            "heartbeat.intervalMs",
            number_after(hb, "intervalMs"),
            Some(heartbeat.interval_ms),
        ),
        differs(
            "heartbeat.timeoutMs",
            number_after(hb, "timeoutMs"),
            Some(heartbeat.timeout_ms),
        ),
        // A named pong: `pong: null` would let any frame answer.
        differs(
            "heartbeat.pong",
            !hb.contains(r#"pong: "pong""#),
            heartbeat.any_frame,
        ),
        differs(
            "outbox.maxMessages",
            number_after(ob, "maxMessages"),
            Some(u64::from(outbox.max_messages)),
        ),
        differs(
            "outbox.maxBytes",
            number_after(ob, "maxBytes"),
            Some(outbox.max_bytes),
        ),
        differs("outbox.ttlMs", number_after(ob, "ttlMs"), outbox.ttl_ms),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert_eq!(differ, Vec::<String>::new(), "README.md's options table");
}

// ----- config validation and names -------------------------------------------

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
fn heartbeat_and_browser_life_options_are_validated_by_their_javascript_names() {
    let ms1 = "must be between 1 and 86400000 ms";
    let ms0 = "must be between 0 and 86400000 ms";
    for ms in [0, MAX_MS + 1] {
        assert_eq!(
            invalid(|c| c.heartbeat = Some(Heartbeat {
                interval_ms: ms,
                ..Heartbeat::default()
            })),
            err("heartbeat.intervalMs", ms1)
        );
        assert_eq!(
            invalid(|c| c.heartbeat = Some(Heartbeat {
                timeout_ms: ms,
                ..Heartbeat::default()
            })),
            err("heartbeat.timeoutMs", ms1)
        );
        assert_eq!(
            invalid(|c| c.probe_timeout_ms = ms),
            err("probeTimeoutMs", ms1)
        );
        assert_eq!(
            invalid(|c| c.wake_threshold_ms = ms),
            err("wakeThresholdMs", ms1)
        );
        assert_eq!(
            invalid(|c| c.offline_ceiling_ms = ms),
            err("offlineCeilingMs", ms1)
        );
    }
    assert_eq!(
        invalid(|c| c.stop_when_hidden_ms = Some(MAX_MS + 1)),
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
fn config_bounds_are_inclusive() {
    let mut c = Config {
        backoff: Backoff {
            initial_ms: 0,
            client_initial_ms: MAX_MS,
            max_ms: MAX_MS,
            multiplier: 100.0,
            jitter: 1.0,
            strategy: Jitter::Convex,
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

#[test]
fn connect_timeout_is_validated() {
    let config = Config {
        connect_timeout_ms: Some(0),
        ..Config::default()
    };
    let err = Machine::new(config, 0).unwrap_err();
    assert_eq!(err.option, "connectTimeoutMs");
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

/// The string unions of index.d.ts (`type Name = "a" | "b" | …;`).
fn d_ts_union(name: &str) -> BTreeSet<String> {
    const D_TS: &str = include_str!("../pkg-template/index.d.ts");
    let start = D_TS
        .find(&format!("export type {name} ="))
        .unwrap_or_else(|| panic!("index.d.ts declares {name}"));
    let body = &D_TS[start..];
    let end = body.find(';').expect("the union ends");
    body[..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// Every cause, trigger, decision kind and paused sub-state the machine can
/// report is one index.d.ts declares, and the other way round; the README's
/// list of causes names them all too.
#[test]
fn causes_triggers_and_kinds_are_those_index_d_ts_and_the_readme_name() {
    let causes: BTreeSet<String> = ALL_CAUSES.iter().map(|c| c.as_str().to_owned()).collect();
    assert_eq!(causes, d_ts_union("StateChangeCause"));
    let readme = include_str!("../README.md");
    let line = readme
        .lines()
        .find(|l| l.contains("`cause` is one of"))
        .expect("the README lists the causes");
    for c in &causes {
        assert!(
            line.contains(&format!("`{c}`")),
            "the README's list lacks {c}"
        );
    }

    let names: BTreeSet<String> = ALL_TRIGGERS.iter().map(|t| t.as_str().to_owned()).collect();
    assert_eq!(names, d_ts_union("ConnectTrigger"));

    let kinds = [
        DecisionKind::Retry,
        DecisionKind::Limited,
        DecisionKind::Permanent,
        DecisionKind::Manual,
    ];
    let names: BTreeSet<String> = kinds.iter().map(|k| k.as_str().to_owned()).collect();
    assert_eq!(names, d_ts_union("DecisionKind"));

    let paused = [No, Yes, Paused::Uninitialized];
    let names: BTreeSet<String> = paused.iter().map(|p| p.as_str().to_owned()).collect();
    assert_eq!(names, d_ts_union("PausedState"));

    // The close reasons the README names.
    assert_eq!(RECONNECT, "Reconnect");
    assert_eq!(HEARTBEAT_TIMEOUT, "HeartbeatTimeout");
    assert_eq!(PROBE_TIMEOUT, "ProbeTimeout");
    assert_eq!(WAKE, "Wake");
}

// ----- stop / stop_with / tryRestart -----------------------------------------

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
                reason: STOPPED_REASON.into()
            }]
        );
        let from = start.snapshot();
        assert_eq!(
            events,
            [
                client_close(STOPPED_REASON, manual(false, 0)),
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
fn stop_with_closes_with_its_code_and_reason() {
    let mut h = ready(no_jitter());
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

// ----- reconnect() -----------------------------------------------------------

#[test]
fn reconnect_from_ready_closes_and_connects_at_once() {
    let mut h = Harness::started(no_jitter());
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
    let mut h = Harness::started(no_jitter());
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
    let mut h = disconnected_after_open(no_jitter());
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
    let mut h = Harness::started(no_jitter());
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
    let mut h = disconnected_after_open(no_jitter());
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
        ..no_jitter()
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

// ----- terminate -------------------------------------------------------------

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
                    [
                        client_close(TERMINATED, manual(false, retries)),
                        to_terminated
                    ]
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

/// An input at a time, to a socket.
type Input = fn(&mut Machine, Millis, SocketId);

#[test]
fn terminated_ignores_every_browser_life_input() {
    let configs = [
        no_jitter(),
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

// ----- queries ---------------------------------------------------------------

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

#[test]
fn sendable_is_ready_not_paused_and_puts_out_nothing() {
    for start in Start::ALL {
        let mut h = reach(
            start,
            Config {
                verbose: true,
                ..no_jitter()
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

/// `is_running` decides whether the shell keeps a socket alive with no
/// reference to it: every state that acts on its own does, `stopped` (on
/// request, by a permanent close, or out of retries) and `terminated` don't,
/// except a stop that the page's return undoes.
#[test]
fn running_is_every_state_that_acts_by_itself() {
    let mut h = Harness::started(no_jitter());
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
    let mut h = ready(no_jitter());
    h.at(1020);
    h.close(4003, "Unauthorized");
    assert_eq!(kind(&h), (Stopped, None));
    assert!(!h.m.is_running(), "stopped by a permanent close");
    let mut h = ready(Config {
        max_retries: Some(0),
        ..no_jitter()
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

// ----- verbose ---------------------------------------------------------------

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
    h.m.reset_backoff(h.now);
    h.m.reset_backoff(h.now);
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
