#![cfg(not(target_arch = "wasm32"))]
//! What the property tests found: each a plain example, shrunk, that failed
//! before its fix, naming the doc line the machine went against.

use steadysocket::machine::{
    Action, Config, DecidedBy, Event, Heartbeat, Machine, Output, SocketId, State, Verdict,
    VerdictAction, CONNECT_TIMEOUT, INACTIVE_SERVER,
};

fn drain(m: &mut Machine) -> Vec<Output> {
    std::iter::from_fn(|| m.poll()).collect()
}

fn actions(outputs: &[Output]) -> Vec<&Action> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Action(a) => Some(a),
            _ => None,
        })
        .collect()
}

fn closes(outputs: &[Output]) -> Vec<(u16, String)> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Event(Event::Closed(info)) => Some((info.code, info.reason.clone())),
            _ => None,
        })
        .collect()
}

/// `Action::Judge`: "answer with `judge` before anything else (until then
/// the close is not reported)" — one close, one question, one `onClose`.
/// Woken when both the connect timeout and the inactivity timeout are due
/// (a late timer, or both 5 s), the machine asked about the connect timeout,
/// then went on to the next due timer: it closed the same socket a second
/// time and asked again, replacing the first question. The answer then
/// decided the inactivity close, and the connect timeout the function was
/// asked about never got its `onClose`. (Without the function the first
/// close leaves the socket and its timers, as the docs say: "nothing of a
/// connection outlives it".)
#[test]
fn a_judged_connect_timeout_is_asked_about_once_when_inactivity_is_due_too() {
    let config = Config {
        judge: true,
        connect_timeout_ms: Some(5000),
        inactivity_ms: Some(5000),
        ..Config::default()
    };
    let mut m = Machine::new(config, 0).expect("valid");
    drain(&mut m);
    m.handle_timeout(5000);
    let out = drain(&mut m);
    // Before the fix: Close(ConnectTimeout), Judge(ConnectTimeout),
    // Close(InactiveServer), Judge(InactiveServer).
    assert!(
        matches!(
            actions(&out).as_slice(),
            [Action::Close { socket: SocketId(0), reason, .. }, Action::Judge(f)]
                if reason == CONNECT_TIMEOUT && f.reason == CONNECT_TIMEOUT
        ),
        "{out:?}"
    );
    m.judge(5000, None);
    let out = drain(&mut m);
    // Before the fix: the onClose was the inactivity close's.
    assert_eq!(
        closes(&out),
        [(1000, CONNECT_TIMEOUT.to_owned())],
        "{out:?}"
    );
}

/// The same, with a heartbeat: `Action::SendPing` is "the heartbeat's ping
/// on the live socket", and `Action::Close` means "close this socket and
/// stop reporting its events". Woken when the inactivity timeout and the
/// heartbeat's interval are both due, the machine closes the socket for
/// inactivity, asks the function, then sends a ping on the socket it just
/// closed (and reports `onHeartbeat(ping)`).
#[test]
fn a_judged_inactivity_close_sends_no_ping_on_the_closed_socket() {
    let config = |judge| Config {
        judge,
        inactivity_ms: Some(5000),
        heartbeat: Some(Heartbeat {
            interval_ms: 5000,
            timeout_ms: 1000,
            any_frame: false,
        }),
        ..Config::default()
    };
    for judge in [false, true] {
        let mut m = Machine::new(config(judge), 0).expect("valid");
        drain(&mut m);
        m.on_open(10, SocketId(0));
        drain(&mut m);
        m.handle_timeout(5010);
        let out = drain(&mut m);
        // Without the function: the close only. With it, before the fix: the close,
        // the question, then a ping on socket 0.
        assert!(
            matches!(
                actions(&out).first(),
                Some(Action::Close { socket: SocketId(0), reason, .. }) if reason == INACTIVE_SERVER
            ),
            "{out:?}"
        );
        assert!(
            !actions(&out)
                .iter()
                .any(|a| matches!(a, Action::SendPing { .. })),
            "judge: {judge}: a ping on the closed socket: {out:?}"
        );
    }
}

/// The README ("A function"): "If it calls the socket's methods
/// (`reconnect()`, `stop()`, …), the rules decide that close first and its
/// answer is ignored"; `Machine`'s own doc: "Anything the machine is told
/// while a close awaits its verdict lets the rules decide it first".
/// `resetBackoff()` is one of the socket's methods, but
/// `Machine::reset_backoff()` took no time and left the close pending: the
/// function's later answer was applied, not ignored, and the budget it was
/// decided with had been reset in between.
#[test]
fn reset_backoff_while_asking_lets_the_rules_decide_first() {
    let config = Config {
        judge: true,
        ..Config::default()
    };
    let mut m = Machine::new(config, 0).expect("valid");
    drain(&mut m);
    m.on_close(10, SocketId(0), 1006, "", false);
    let out = drain(&mut m);
    assert!(
        matches!(actions(&out).as_slice(), [Action::Judge(_)]),
        "{out:?}"
    );
    // The function calls resetBackoff(), then answers "permanent".
    m.reset_backoff(10);
    let mut out = drain(&mut m);
    m.judge(
        10,
        Some(Verdict {
            action: VerdictAction::Permanent,
            delay_ms: None,
        }),
    );
    out.extend(drain(&mut m));
    let decided: Vec<_> = out
        .iter()
        .filter_map(|o| match o {
            Output::Event(Event::Closed(info)) => Some(info.decision),
            _ => None,
        })
        .collect();
    assert_eq!(decided.len(), 1, "{out:?}");
    // Before the fix: decided by the function (permanent), and stopped.
    assert_ne!(decided[0].rule, Some(DecidedBy::Function), "{out:?}");
    assert_eq!(m.state(), State::Disconnected);
}
