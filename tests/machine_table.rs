#![cfg(not(target_arch = "wasm32"))]
//! The "State table" and the "Browser-life table" in the machine's module docs
//! are the spec: they are parsed here and every row is checked against the
//! machine.
//!
//! How a row is checked: the machine is driven into the row's `state` through
//! public inputs only, everything it queued is drained, the row's `input` is
//! applied (in the browser-life table, a `+`-separated sequence of inputs,
//! applied in order), and then
//!
//! - the state and paused sub-state must equal `next`;
//! - the outputs, in the order [`Machine::poll`] gives them, must equal
//!   `emits`: action tokens (`connect`, `close`, `ping`) and event tokens
//!   (`state`, `onOpen`, `onResume`, `onClose`, `onServerDisconnectError`,
//!   `onHeartbeat`) interleaved as they happen. Verbose notes are not listed
//!   in the tables and are ignored.
//!
//! The first table must be exhaustive: every state × every input, once.

mod machine_support;

use machine_support::{
    non_verbose, notes, output_token, reach, snap_name, verbose, Harness, Start,
};
use steadysocket::machine::{
    Config, DialFailure, Event, Heartbeat, Note, SocketId, CLOSE_NORMAL, RECONNECT,
};

const DOCS: &str = include_str!("../src/machine/mod.rs");

/// The inputs of the state table, each in every state.
const INPUTS: [&str; 14] = [
    "open",
    "message",
    "frames",
    "close",
    "sendFailed",
    "timeout",
    "stop",
    "tryRestart",
    "terminate",
    "pause",
    "resume",
    "reconnect",
    "hidden",
    "offline",
];

/// Further inputs the browser-life table's sequences may use.
const LIFE_INPUTS: [&str; 3] = ["visible", "online", "wait"];

const ACTION_TOKENS: [&str; 3] = ["connect", "close", "ping"];
const EVENT_TOKENS: [&str; 6] = [
    "state",
    "onOpen",
    "onResume",
    "onClose",
    "onServerDisconnectError",
    "onHeartbeat",
];

const STATE_TABLE: &str = "State table";
const LIFE_TABLE: &str = "Browser-life table";

#[derive(Debug, Clone)]
struct Row {
    line: usize,
    state: String,
    input: String,
    next: String,
    emits: Vec<String>,
}

fn cells(line: &str) -> Vec<String> {
    let body = line.trim();
    assert!(
        body.starts_with('|') && body.ends_with('|'),
        "not a table line: {line:?}"
    );
    body[1..body.len() - 1]
        .split('|')
        .map(|c| c.trim().to_owned())
        .collect()
}

/// The rows of the markdown table under `# {name}`.
fn rows_under(name: &str) -> Vec<Row> {
    let lines: Vec<&str> = DOCS.lines().collect();
    let heading = lines
        .iter()
        .position(|l| l.trim() == format!("//! # {name}"))
        .unwrap_or_else(|| panic!("the module docs have a `# {name}` section"));
    let mut rows = Vec::new();
    let mut table_lines = lines
        .iter()
        .enumerate()
        .skip(heading + 1)
        .skip_while(|(_, l)| !l.starts_with("//! |"))
        .take_while(|(_, l)| l.starts_with("//! |"))
        .map(|(i, l)| (i + 1, &l["//! ".len()..]));
    let (_, header) = table_lines.next().expect("a table header");
    assert_eq!(cells(header), ["state", "input", "next", "emits"]);
    let (_, separator) = table_lines.next().expect("a separator line");
    assert!(
        cells(separator)
            .iter()
            .all(|c| !c.is_empty() && c.chars().all(|ch| ch == '-' || ch == ':')),
        "bad separator {separator:?}"
    );
    for (line, text) in table_lines {
        let c = cells(text);
        assert_eq!(c.len(), 4, "line {line}: expected 4 cells in {text:?}");
        let emits = if c[3] == "-" {
            Vec::new()
        } else {
            c[3].split_whitespace().map(str::to_owned).collect()
        };
        rows.push(Row {
            line,
            state: c[0].clone(),
            input: c[1].clone(),
            next: c[2].clone(),
            emits,
        });
    }
    rows
}

/// The state table.
fn table() -> Vec<Row> {
    rows_under(STATE_TABLE)
}

/// The browser-life table.
fn life_table() -> Vec<Row> {
    rows_under(LIFE_TABLE)
}

fn start_named(name: &str) -> Start {
    *Start::ALL
        .iter()
        .find(|s| s.name() == name)
        .unwrap_or_else(|| panic!("unknown state {name:?} in the table"))
}

/// Apply one of the tables' inputs, or a `+`-separated sequence of them.
fn apply(h: &mut Harness, input: &str) {
    for one in input.split('+') {
        apply_one(h, one);
    }
}

fn apply_one(h: &mut Harness, input: &str) {
    h.advance(7);
    let now = h.now;
    let socket = h.live_or_latest();
    match input {
        "open" => h.m.on_open(now, socket),
        "message" => {
            h.m.on_message(now, socket);
        }
        "frames" => {
            h.m.on_frames(now, socket);
        }
        "close" => h.m.on_close(now, socket, 1006, "", false),
        "sendFailed" => h.m.on_send_failed(now, socket),
        "timeout" => {
            let t = h.m.poll_timeout().unwrap_or(now + 1_000_000).max(now);
            h.at(t);
            h.m.handle_timeout(t);
        }
        "stop" => {
            h.m.stop(now);
        }
        "tryRestart" => h.m.try_restart(now),
        "terminate" => {
            h.m.terminate(now);
        }
        "pause" => h.m.pause(now),
        "resume" => h.m.resume(now),
        "reconnect" => h.m.reconnect(now, CLOSE_NORMAL, RECONNECT.into()),
        "hidden" => h.m.set_hidden(now, true),
        "visible" => h.m.set_hidden(now, false),
        "offline" => h.m.set_online(now, false),
        "online" => h.m.set_online(now, true),
        "wait" => {
            h.advance(10_000);
            h.m.handle_timeout(h.now);
        }
        other => panic!("unknown input {other:?} in the table"),
    }
}

/// Check one row; the mismatch, if any.
fn check(row: &Row, config: &Config) -> Option<String> {
    let mut h = reach(start_named(&row.state), config.clone(), false);
    apply(&mut h, &row.input);
    let outputs = h.outputs();
    let next = snap_name(h.m.state().snapshot());
    let got: Vec<&str> = outputs.iter().filter_map(output_token).collect();
    let want: Vec<&str> = row.emits.iter().map(String::as_str).collect();
    if next != row.next || got != want {
        Some(format!(
            "mod.rs line {}: {} × {}: want next={} emits={:?}; got next={} emits={:?}",
            row.line, row.state, row.input, row.next, want, next, got
        ))
    } else {
        None
    }
}

fn check_tokens(row: &Row) {
    for token in &row.emits {
        assert!(
            ACTION_TOKENS.contains(&token.as_str()) || EVENT_TOKENS.contains(&token.as_str()),
            "unknown token {token:?} in {row:?}"
        );
    }
}

#[test]
fn table_covers_every_state_and_input_exactly_once() {
    let rows = table();
    assert_eq!(rows.len(), Start::ALL.len() * INPUTS.len());
    assert_eq!(rows.len(), 8 * INPUTS.len());
    for start in Start::ALL {
        for input in INPUTS {
            let n = rows
                .iter()
                .filter(|r| r.state == start.name() && r.input == input)
                .count();
            assert_eq!(n, 1, "rows for {} × {}", start.name(), input);
        }
    }
    for row in &rows {
        start_named(&row.state);
        start_named(&row.next);
        assert!(INPUTS.contains(&row.input.as_str()), "row {row:?}");
        check_tokens(row);
    }
}

#[test]
fn life_table_rows_are_well_formed_and_distinct() {
    let rows = life_table();
    assert!(rows.len() >= 30, "only {} rows", rows.len());
    for (i, row) in rows.iter().enumerate() {
        start_named(&row.state);
        start_named(&row.next);
        for one in row.input.split('+') {
            assert!(
                INPUTS.contains(&one) || LIFE_INPUTS.contains(&one),
                "unknown input {one:?} in {row:?}"
            );
        }
        check_tokens(row);
        assert!(
            !rows[..i]
                .iter()
                .any(|r| r.state == row.state && r.input == row.input),
            "duplicate row {row:?}"
        );
    }
    // Every new input is exercised, from every state that has a row.
    for input in [
        "hidden", "visible", "offline", "online", "resume", "timeout",
    ] {
        assert!(
            rows.iter().any(|r| r.input.split('+').any(|i| i == input)),
            "no row uses {input}"
        );
    }
    for start in Start::ALL {
        assert!(
            rows.iter().any(|r| r.state == start.name()),
            "no row starts in {}",
            start.name()
        );
    }
}

#[test]
fn table_parser_reads_the_rows_as_written() {
    let rows = table();
    let find = |state: &str, input: &str| {
        rows.iter()
            .find(|r| r.state == state && r.input == input)
            .cloned()
            .unwrap()
    };
    let r = find("ready/uninitialized", "resume");
    assert_eq!(r.next, "ready/no");
    assert_eq!(r.emits, ["state", "onOpen"]);
    let r = find("connecting/no", "sendFailed");
    assert_eq!(r.next, "disconnected");
    assert_eq!(r.emits, ["close", "onClose", "state"]);
    let r = find("terminated", "tryRestart");
    assert_eq!(r.next, "terminated");
    assert!(r.emits.is_empty());
    let r = find("ready/yes", "reconnect");
    assert_eq!(r.next, "connecting/no");
    assert_eq!(r.emits, ["close", "onClose", "state", "connect", "state"]);
    assert_eq!(rows[0].state, "disconnected");
    assert_eq!(rows[0].input, "open");

    let life = life_table();
    let r = life
        .iter()
        .find(|r| r.state == "ready/no" && r.input == "hidden+timeout+visible")
        .unwrap();
    assert_eq!(r.next, "disconnected");
    assert_eq!(
        r.emits,
        ["state", "state", "onResume", "close", "onClose", "state"]
    );
    // The second table is not read as part of the first.
    assert!(rows.iter().all(|r| !r.input.contains('+')));
}

fn check_all(rows: &[Row], config: &Config) -> Vec<String> {
    rows.iter().filter_map(|row| check(row, config)).collect()
}

#[test]
fn every_table_row_matches_the_machine() {
    let failures = check_all(&table(), &Config::default());
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_table_row_matches_the_machine_with_verbose_notes() {
    let failures = check_all(&table(), &verbose());
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_life_table_row_matches_the_machine() {
    let failures = check_all(&life_table(), &Config::default());
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_life_table_row_matches_the_machine_with_verbose_notes() {
    let failures = check_all(&life_table(), &verbose());
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn a_changed_row_would_be_caught() {
    // The checker itself must be able to fail.
    let mut row = table()
        .into_iter()
        .find(|r| r.state == "connecting/no" && r.input == "open")
        .unwrap();
    assert_eq!(check(&row, &Config::default()), None);
    row.emits = vec!["onOpen".into(), "state".into()];
    assert!(check(&row, &Config::default()).is_some());
    row.emits = vec!["state".into(), "onOpen".into(), "connect".into()];
    assert!(check(&row, &Config::default()).is_some());
    // The order of an action and an event counts.
    let mut row = table()
        .into_iter()
        .find(|r| r.state == "ready/no" && r.input == "stop")
        .unwrap();
    assert_eq!(check(&row, &Config::default()), None);
    row.emits = vec!["onClose".into(), "close".into(), "state".into()];
    assert!(check(&row, &Config::default()).is_some());
    let mut row = table()
        .into_iter()
        .find(|r| r.state == "connecting/no" && r.input == "open")
        .unwrap();
    row.emits = vec!["state".into(), "onOpen".into()];
    row.next = "ready/yes".into();
    assert!(check(&row, &Config::default()).is_some());

    // A sequence row, too: one token more or less is caught.
    let mut row = life_table()
        .into_iter()
        .find(|r| r.state == "ready/no" && r.input == "hidden+visible")
        .unwrap();
    assert_eq!(check(&row, &Config::default()), None);
    row.emits.pop();
    assert!(check(&row, &Config::default()).is_some());
    row.emits.push("onResume".into());
    row.emits.push("ping".into());
    assert!(check(&row, &Config::default()).is_some());
    row.emits.pop();
    row.input = "hidden".into();
    assert!(check(&row, &Config::default()).is_some());
}

/// Feed one socket input from `socket`.
fn socket_input(h: &mut Harness, input: &str, socket: SocketId) -> Option<bool> {
    let now = h.now;
    match input {
        "open" => h.m.on_open(now, socket),
        "message" => return Some(h.m.on_message(now, socket)),
        "close" => {
            h.m.on_close(now, socket, 1011, "InternalServerError: stale", true)
        }
        "sendFailed" => h.m.on_send_failed(now, socket),
        "pong" => h.m.on_pong(now, socket),
        "dialFailed" => h.m.on_dial_failed(now, socket, DialFailure::UrlProvider),
        other => panic!("{other}"),
    }
    None
}

#[test]
fn events_from_a_stale_socket_change_nothing_in_any_state() {
    let heartbeat = Config {
        heartbeat: Some(Heartbeat {
            any_frame: true,
            ..Heartbeat::default()
        }),
        ..verbose()
    };
    for config in [Config::default(), verbose(), heartbeat] {
        for start in Start::ALL {
            for input in [
                "open",
                "message",
                "close",
                "sendFailed",
                "pong",
                "dialFailed",
            ] {
                // Warm: socket 0 failed and socket 1 replaced it.
                let mut h = reach(start, config.clone(), true);
                assert_eq!(h.created, [SocketId(0), SocketId(1)]);
                let stale = SocketId(0);
                h.advance(5);
                let before = format!("{:?}", h.m);
                let state = h.m.state();
                let conn = h.m.connection_state();
                let timeout = h.m.poll_timeout();
                let delivered = socket_input(&mut h, input, stale);
                let (actions, events) = h.drain();
                let ctx = format!(
                    "{} × stale {input} (verbose: {})",
                    start.name(),
                    config.verbose
                );
                assert_eq!(actions, [], "{ctx}");
                assert_eq!(non_verbose(&events), [], "{ctx}");
                if config.verbose {
                    assert_eq!(notes(&events), [Note::StaleSocketEvent(stale)], "{ctx}");
                } else {
                    assert_eq!(events, [], "{ctx}");
                    // Not a single field of the machine moved.
                    assert_eq!(format!("{:?}", h.m), before, "{ctx}");
                }
                assert_eq!(h.m.state(), state, "{ctx}");
                assert_eq!(h.m.connection_state(), conn, "{ctx}");
                assert_eq!(h.m.poll_timeout(), timeout, "{ctx}");
                if let Some(d) = delivered {
                    assert!(!d, "{ctx}: a stale message must not be delivered");
                }
            }
        }
    }
}

#[test]
fn stale_events_before_a_live_one_do_not_disturb_it() {
    // A stale close followed by the live socket's open: the open still counts
    // as the first of the new socket.
    let mut h = reach(Start::ConnectingNo, Config::default(), true);
    h.m.on_close(h.now, SocketId(0), 1006, "", false);
    h.m.on_open(h.now, SocketId(0));
    assert_eq!(h.drain(), (vec![], vec![]));
    let (_, events) = h.open();
    let opened: Vec<&Event> = events
        .iter()
        .filter(|e| matches!(e, Event::Opened(_)))
        .collect();
    assert_eq!(opened.len(), 1);
    assert_eq!(h.m.connection_state().connection_count, 1);
}
