#![cfg(not(target_arch = "wasm32"))]
//! The rest of the page's life, on a fake clock with the [`Harness`]: the
//! back/forward cache (`page_hide` closes cleanly and counts nothing,
//! `page_show` connects at once; a 1006 close of a socket that lived
//! through the cache is the cache's doing), the Page Lifecycle's `resume`
//! after a freeze, and a page whose hiding does not pause the socket
//! (`pause_when_hidden: false`, SteadyWebSocket's default) but whose return
//! still probes it.
//!
//! The expected values are written out by hand from the rules in the
//! machine's docs; no expectation is computed by the machine.

mod machine_support;

use machine_support::{
    changed, closed_info, hb, no_jitter, reach, Harness, Start, CONNECTING_NO, DISCONNECTED,
    READY_NO, STOPPED,
};

use steadysocket::machine::{
    Action, Beat, Cause, Config, DecisionKind, Event, Initiator, SocketId, State, Trigger,
    CLOSE_NORMAL, PAGE_HIDDEN,
};

/// `pagehide` (persisted), `after` ms from the harness's now.
fn page_hide(h: &mut Harness, after: u64) -> (Vec<Action>, Vec<Event>) {
    h.input_at(h.now + after, |m, t| m.page_hide(t))
}

/// `pageshow` (persisted), `after` ms from the harness's now.
fn page_show(h: &mut Harness, after: u64) -> (Vec<Action>, Vec<Event>) {
    h.input_at(h.now + after, |m, t| m.page_show(t))
}

fn opened_trigger(events: &[Event]) -> Option<Trigger> {
    events.iter().find_map(|e| match e {
        Event::Opened(m) => Some(m.trigger),
        _ => None,
    })
}

// ----- the back/forward cache ------------------------------------------------

#[test]
fn page_hide_closes_cleanly_without_counting_and_page_show_connects_at_once() {
    let mut h = reach(Start::ReadyNo, no_jitter(), false);
    let live = h.live();
    let retries = h.m.connection_state().connection_retries;
    let (actions, events) = page_hide(&mut h, 10);
    assert_eq!(
        actions,
        [Action::Close {
            socket: live,
            code: 1000,
            reason: "PageHidden".into()
        }]
    );
    assert_eq!(PAGE_HIDDEN, "PageHidden");
    let info = closed_info(&events);
    assert_eq!(info.decision.kind, DecisionKind::Manual);
    assert!(!info.decision.reconnect);
    assert_eq!(info.initiator, Initiator::Client);
    assert_eq!(
        events.last(),
        Some(&changed(READY_NO, STOPPED, Cause::PageHide))
    );
    assert_eq!(h.m.state(), State::Stopped);
    // Nothing is armed: a page in the cache runs no timers.
    assert_eq!(h.m.poll_timeout(), None);
    // Still running: the socket must outlive the application's references.
    assert!(h.m.is_running());
    assert_eq!(h.m.connection_state().connection_retries, retries);

    // Back, an hour later: connect at once.
    let (actions, events) = page_show(&mut h, 3_600_000);
    assert_eq!(actions.len(), 1);
    assert!(matches!(actions[0], Action::Connect { .. }));
    assert_eq!(events, [changed(STOPPED, CONNECTING_NO, Cause::PageShow)]);
    let (_, events) = h.open();
    assert_eq!(opened_trigger(&events), Some(Trigger::PageShow));
}

#[test]
fn page_hide_while_waiting_to_reconnect_cancels_the_wait() {
    let mut h = reach(Start::Disconnected, no_jitter(), false);
    let (actions, events) = page_hide(&mut h, 1);
    assert_eq!(actions, []);
    assert_eq!(events, [changed(DISCONNECTED, STOPPED, Cause::PageHide)]);
    assert_eq!(h.m.poll_timeout(), None);
    let (actions, _) = page_show(&mut h, 50_000);
    assert!(matches!(actions.as_slice(), [Action::Connect { .. }]));
}

#[test]
fn page_hide_leaves_stopped_and_terminated_alone_and_show_does_not_restart_them() {
    for start in [Start::Stopped, Start::Terminated] {
        let mut h = reach(start, no_jitter(), false);
        let state = h.m.state();
        assert_eq!(page_hide(&mut h, 1), (vec![], vec![]));
        assert_eq!(page_show(&mut h, 1), (vec![], vec![]));
        assert_eq!(h.m.state(), state, "{}", start.name());
    }
}

#[test]
fn page_show_while_offline_waits_for_online() {
    let mut h = reach(Start::ReadyNo, no_jitter(), false);
    page_hide(&mut h, 1);
    h.offline(h.now + 1);
    let (actions, events) = page_show(&mut h, 10);
    assert_eq!(actions, []);
    assert_eq!(events, [changed(STOPPED, DISCONNECTED, Cause::PageShow)]);
    let (actions, events) = h.online(h.now + 10);
    assert!(matches!(actions.as_slice(), [Action::Connect { .. }]));
    assert_eq!(
        events,
        [changed(DISCONNECTED, CONNECTING_NO, Cause::Online)]
    );
}

#[test]
fn a_1006_soon_after_the_page_returns_is_the_cache_s_not_counted() {
    // The socket lived through the cache (no page_hide: closeOnPageHide off,
    // or a browser that closed it first); it closes as the page is restored.
    let mut h = reach(Start::ReadyNo, no_jitter(), false);
    let retries = h.m.connection_state().connection_retries;
    page_show(&mut h, 30_000);
    let (actions, events) = h.input_at(h.now + 50, |m, t| {
        let s = m.state().socket().expect("live");
        m.on_close(t, s, 1006, "", false)
    });
    let info = closed_info(&events);
    assert_eq!(info.code, 1006);
    assert_eq!(info.decision.kind, DecisionKind::Retry);
    assert_eq!(info.decision.delay_ms, Some(0));
    assert_eq!(info.decision.retries, retries);
    // Connected again at once: no wait.
    assert!(matches!(actions.as_slice(), [Action::Connect { .. }]));
    assert_eq!(
        events.last(),
        Some(&changed(DISCONNECTED, CONNECTING_NO, Cause::PageShow))
    );
    assert_eq!(h.m.connection_state().connection_retries, retries);
    let (_, events) = h.open();
    assert_eq!(opened_trigger(&events), Some(Trigger::PageShow));
}

#[test]
fn a_1006_long_after_the_return_or_another_code_is_an_ordinary_close() {
    let mut h = reach(Start::ReadyNo, no_jitter(), false);
    page_show(&mut h, 30_000);
    let (actions, events) = h.input_at(h.now + 3001, |m, t| {
        let s = m.state().socket().expect("live");
        m.on_close(t, s, 1006, "", false)
    });
    assert_eq!(actions, []);
    assert_eq!(closed_info(&events).decision.delay_ms, Some(1000));
    assert_eq!(h.m.connection_state().connection_retries, 1);

    let mut h = reach(Start::ReadyNo, no_jitter(), false);
    page_show(&mut h, 30_000);
    let (_, events) = h.close(1011, "");
    assert_eq!(closed_info(&events).decision.delay_ms, Some(1000));
}

#[test]
fn page_show_probes_a_socket_that_lived_through_the_cache() {
    let mut h = reach(Start::ReadyNo, hb(30_000, 10_000, false), false);
    let live = h.live();
    let (actions, events) = page_show(&mut h, 30_000);
    assert_eq!(actions, [Action::SendPing { socket: live }]);
    assert_eq!(events, [Event::Heartbeat(Beat::Probe)]);
}

#[test]
fn page_show_connects_a_waiting_machine_at_once() {
    let mut h = reach(Start::Disconnected, no_jitter(), false);
    let (actions, events) = page_show(&mut h, 1);
    assert!(matches!(actions.as_slice(), [Action::Connect { .. }]));
    assert_eq!(
        events,
        [changed(DISCONNECTED, CONNECTING_NO, Cause::PageShow)]
    );
}

// ----- freeze and resume -----------------------------------------------------

#[test]
fn resume_after_a_freeze_probes_or_connects_now() {
    let mut h = reach(Start::ReadyNo, hb(30_000, 10_000, false), false);
    let live = h.live();
    let (actions, events) = h.input_at(h.now + 600_000, |m, t| m.page_resumed(t));
    assert_eq!(actions, [Action::SendPing { socket: live }]);
    assert_eq!(events, [Event::Heartbeat(Beat::Probe)]);

    let mut h = reach(Start::Disconnected, no_jitter(), false);
    let (actions, events) = h.input_at(h.now + 1, |m, t| m.page_resumed(t));
    assert!(matches!(actions.as_slice(), [Action::Connect { .. }]));
    assert_eq!(events, [changed(DISCONNECTED, CONNECTING_NO, Cause::Wake)]);

    // Without a heartbeat, a silent connection is judged on the real time.
    let mut h = reach(Start::ReadyNo, no_jitter(), false);
    let (actions, _) = h.input_at(h.now + 600_000, |m, t| m.page_resumed(t));
    assert!(
        matches!(actions.as_slice(), [Action::Close { reason, .. }] if reason == "InactiveServer"),
        "{actions:?}"
    );
}

// ----- a page whose hiding does not pause ------------------------------------

fn no_pause() -> Config {
    Config {
        pause_when_hidden: false,
        ..hb(30_000, 10_000, false)
    }
}

#[test]
fn without_pausing_hidden_changes_nothing_and_visible_probes() {
    let mut h = reach(Start::ReadyNo, no_pause(), false);
    let live = h.live();
    let (actions, events) = h.hide(h.now + 10);
    assert_eq!((actions, events), (vec![], vec![]));
    assert_eq!(h.m.sendable(), Some(live));
    let (actions, events) = h.show(h.now + 60_000);
    assert_eq!(actions, [Action::SendPing { socket: live }]);
    assert_eq!(events, [Event::Heartbeat(Beat::Probe)]);
}

#[test]
fn without_pausing_a_socket_created_while_hidden_opens_unpaused() {
    let mut h = reach(Start::Disconnected, no_pause(), false);
    h.hide(h.now + 1);
    let (actions, _) = h.fire_timer();
    assert!(matches!(actions.as_slice(), [Action::Connect { .. }]));
    let (_, events) = h.open();
    assert!(events.iter().any(|e| matches!(e, Event::Opened(_))));
    assert_eq!(
        h.m.state(),
        State::Ready {
            socket: SocketId(1),
            paused: steadysocket::machine::Paused::No
        }
    );
    // resume() while hidden resumes an application pause.
    h.input_at(h.now + 1, |m, t| m.pause(t));
    let (_, events) = h.input_at(h.now + 1, |m, t| m.resume(t));
    assert!(events.contains(&Event::Resumed), "{events:?}");
    assert_eq!(CLOSE_NORMAL, 1000);
}
