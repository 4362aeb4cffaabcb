#![cfg(not(target_arch = "wasm32"))]
//! Knowing the connection is alive, on a fake clock with the [`Harness`]:
//! the inactivity timeout and the connect timeout, heartbeat pings and their
//! pongs (or, with `any_frame`, any frame) and timeouts, the probes sent when
//! the page becomes visible, the network returns or the machine wakes, their
//! timeouts, and waking from sleep (a timer fired late).
//!
//! Unless a test says otherwise the machine starts at 1000 (socket 0
//! connecting) without jitter, so every delay equals its base; `ready` opens
//! it at 1010.

mod machine_support;

use machine_support::{
    beat, beats, changed, client_close, close, closed_info, connect, disconnected_after_open, hb,
    hb_default, inactivity_off, kind, no_jitter, non_verbose, notes, nothing, one_open, ping, pong,
    reach, ready, retry, s, Harness, Start, CONNECTING_NO, CONNECTING_YES, DISCONNECTED, READY_NO,
    READY_YES,
};

use steadysocket::machine::{
    Action, Beat, Cause, Config, Event, Initiator, Millis, Note, OpenMeta, Paused, ResetRule,
    SocketId, State, StateKind, Trigger, CLOSE_NORMAL, CONNECT_TIMEOUT, HEARTBEAT_TIMEOUT,
    INACTIVE_SERVER, PROBE_TIMEOUT, WAKE,
};

use Paused::No;
use StateKind::{Disconnected, Ready};

// ----- inactivity and connect timeouts ---------------------------------------

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
fn a_handshake_longer_than_the_connect_timeout_is_abandoned() {
    let config = Config {
        connect_timeout_ms: Some(4000),
        inactivity_ms: None,
        ..no_jitter()
    };
    let mut h = Harness::started(config);
    // Created at 1000: the deadline is 5000.
    assert_eq!(h.m.poll_timeout(), Some(5000));
    assert_eq!(h.timeout_at(4999), nothing());
    let (actions, events) = h.fire_timer();
    assert_eq!(h.now, 5000);
    assert_eq!(
        actions,
        [Action::Close {
            socket: s(0),
            code: CLOSE_NORMAL,
            reason: CONNECT_TIMEOUT.into(),
        }]
    );
    let info = closed_info(&events);
    assert_eq!(info.initiator, Initiator::Client);
    assert_eq!(info.decision.base_ms, Some(100));
    assert_eq!(h.m.state(), State::Disconnected);
    assert!(events.iter().any(|e| matches!(
        e,
        Event::StateChanged {
            cause: Cause::ConnectTimeout,
            ..
        }
    )));
}

#[test]
fn the_connect_timeout_ends_at_the_open() {
    let config = Config {
        connect_timeout_ms: Some(4000),
        inactivity_ms: None,
        ..no_jitter()
    };
    let mut h = Harness::started(config);
    h.at(3000);
    h.open();
    assert_eq!(h.m.poll_timeout(), None);
    assert_eq!(h.timeout_at(9000), nothing());
    assert_eq!(h.m.sendable(), Some(s(0)));
}

// ----- heartbeat -------------------------------------------------------------

#[test]
fn a_ping_goes_out_when_nothing_was_sent_for_the_interval() {
    let mut h = ready(hb_default());
    // The interval counts from the socket's open (1010).
    assert_eq!(h.m.poll_timeout(), Some(31_010));
    assert_eq!(h.timeout_at(31_009), nothing());
    let (actions, events) = h.fire_timer();
    assert_eq!(h.now, 31_010);
    assert_eq!(actions, [ping(0)]);
    assert_eq!(events, [beat(Beat::Ping)]);
    assert_eq!(h.m.poll_timeout(), Some(41_010));
    // The answer, 250 ms later.
    let (actions, events) = h.input_at(31_260, |m, t| m.on_pong(t, s(0)));
    assert_eq!(actions, []);
    assert_eq!(events, [pong(250)]);
    // The next ping is 30 s after this one.
    assert_eq!(h.m.poll_timeout(), Some(61_010));
    assert_eq!(
        h.timeout_at(61_010),
        (vec![ping(0)], vec![beat(Beat::Ping)])
    );
}

#[test]
fn sends_postpone_pings_and_messages_do_not() {
    let mut h = ready(hb_default());
    h.input_at(20_000, |m, t| m.on_sent(t));
    assert_eq!(h.m.poll_timeout(), Some(50_000));
    h.at(25_000);
    assert!(h.message());
    assert_eq!(h.m.poll_timeout(), Some(50_000));
    assert_eq!(h.timeout_at(49_999), nothing());
    let (actions, _) = h.fire_timer();
    assert_eq!(h.now, 50_000);
    assert_eq!(actions, [ping(0)]);
}

#[test]
fn a_ping_out_takes_over_from_the_inactivity_timeout() {
    let mut h = ready(Config {
        inactivity_ms: Some(35_000),
        ..hb_default()
    });
    assert_eq!(h.m.poll_timeout(), Some(31_010));
    h.timeout_at(31_010);
    // Inactivity would be due at 36 010; the ping's answer is due at 41 010.
    assert_eq!(h.m.poll_timeout(), Some(41_010));
    assert_eq!(h.timeout_at(36_010), nothing());
    assert_eq!(
        h.input_at(40_010, |m, t| m.on_pong(t, s(0))),
        (vec![], vec![pong(9000)])
    );
    assert_eq!(h.m.poll_timeout(), Some(61_010));
}

#[test]
fn an_unanswered_ping_closes_with_heartbeat_timeout() {
    let mut h = ready(hb_default());
    h.timeout_at(31_010);
    h.at(35_000);
    assert!(h.message());
    assert_eq!(h.drain(), nothing(), "a message is no answer");
    let (actions, events) = h.fire_timer();
    assert_eq!(h.now, 41_010);
    assert_eq!(actions, [close(0, CLOSE_NORMAL, HEARTBEAT_TIMEOUT)]);
    assert_eq!(
        events,
        [
            beat(Beat::Timeout { probe: false }),
            client_close(HEARTBEAT_TIMEOUT, retry(100, 1)),
            changed(READY_NO, DISCONNECTED, Cause::HeartbeatTimeout),
        ]
    );
    assert_eq!(h.m.poll_timeout(), Some(41_110));
    h.fire_timer();
    h.at(41_120);
    let (_, events) = h.open();
    assert_eq!(
        one_open(&events),
        OpenMeta {
            connection_count: 1,
            last_close_reason: Some(HEARTBEAT_TIMEOUT.into()),
            client_ts: 41_120,
            trigger: Trigger::Heartbeat,
            downtime_ms: Some(110),
        }
    );
}

#[test]
fn any_frame_lets_any_message_answer_a_ping() {
    let mut h = ready(hb(30_000, 10_000, true));
    h.timeout_at(31_010);
    h.at(31_110);
    assert!(h.message(), "the message is still delivered");
    assert_eq!(h.drain(), (vec![], vec![pong(100)]));
    h.at(31_210);
    assert!(h.message());
    assert_eq!(h.drain(), nothing(), "one answer per ping");
    assert_eq!(h.m.poll_timeout(), Some(61_010));
    // The configured pong still answers too.
    let mut h = ready(hb(30_000, 10_000, true));
    h.timeout_at(31_010);
    assert_eq!(
        h.input_at(31_310, |m, t| m.on_pong(t, s(0))),
        (vec![], vec![pong(300)])
    );
}

#[test]
fn a_pong_without_a_ping_out_reports_nothing() {
    let mut h = ready(Config {
        verbose: true,
        ..hb_default()
    });
    assert_eq!(h.input_at(2000, |m, t| m.on_pong(t, s(0))), nothing());
    // It is inbound traffic, though (and does not postpone the ping).
    assert_eq!(h.m.poll_timeout(), Some(31_010));
    let mut h = ready(Config {
        heartbeat: None,
        ..no_jitter()
    });
    h.input_at(2000, |m, t| m.on_pong(t, s(0)));
    assert_eq!(h.m.poll_timeout(), Some(62_000));
}

#[test]
fn a_stale_pong_is_ignored() {
    let mut h = Harness::started(Config {
        verbose: true,
        ..hb_default()
    });
    h.at(1010);
    h.fail_and_reconnect(1006, "");
    let open_at = h.now + 10;
    h.at(open_at);
    h.open();
    // Socket 1 opened at 2020: its first ping at 32 020.
    assert_eq!(open_at, 2020);
    assert_eq!(
        h.timeout_at(32_020),
        (vec![ping(1)], vec![beat(Beat::Ping)])
    );
    let (actions, events) = h.input_at(32_100, |m, t| m.on_pong(t, s(0)));
    assert_eq!(actions, []);
    assert_eq!(non_verbose(&events), []);
    assert_eq!(notes(&events), [Note::StaleSocketEvent(s(0))]);
    assert_eq!(h.m.poll_timeout(), Some(42_020));
}

#[test]
fn no_pings_before_the_socket_opens() {
    let mut h = Harness::started(hb(1000, 1000, false));
    // Connecting: only the inactivity deadline.
    assert_eq!(h.m.poll_timeout(), Some(61_000));
    assert_eq!(h.timeout_at(1500), nothing());
    assert_eq!(h.timeout_at(3000), nothing());
    // Open at 3000, after a slow handshake: the interval counts from the
    // open, so the first ping is due a full interval later, not at once.
    h.open();
    assert_eq!(h.m.poll_timeout(), Some(4000));
    assert_eq!(h.timeout_at(3999), nothing());
    assert_eq!(h.timeout_at(4000), (vec![ping(0)], vec![beat(Beat::Ping)]));

    // A handshake slower than the wake threshold: the first ping is a plain
    // ping on time, not read as a wake (a probe).
    let mut h = Harness::started(hb(1000, 1000, false));
    h.at(10_000);
    h.open();
    assert_eq!(h.m.poll_timeout(), Some(11_000));
    assert_eq!(
        h.timeout_at(11_000),
        (vec![ping(0)], vec![beat(Beat::Ping)])
    );
}

#[test]
fn pings_go_out_while_paused_and_hidden() {
    let mut h = ready(hb_default());
    h.at(1500);
    h.m.pause(h.now);
    h.hide(2000);
    assert_eq!(h.m.poll_timeout(), Some(31_010));
    assert_eq!(
        h.timeout_at(31_010),
        (vec![ping(0)], vec![beat(Beat::Ping)])
    );
    assert_eq!(kind(&h), READY_YES);
}

/// `next_timeout` as an instant, `None` being "never".
fn later_or_equal(after: Option<Millis>, before: Option<Millis>) -> bool {
    match (after, before) {
        (_, None) => after.is_none(),
        (None, Some(_)) => true,
        (Some(a), Some(b)) => a >= b,
    }
}

#[test]
fn messages_and_sends_never_bring_the_deadline_forward() {
    let configs = [
        no_jitter(),
        hb_default(),
        hb(30_000, 10_000, true),
        Config {
            reset: ResetRule::StableFor(45_000),
            inactivity_ms: Some(20_000),
            ..hb(15_000, 10_000, true)
        },
        Config {
            reset: ResetRule::FirstMessage,
            ..hb(5000, 5000, true)
        },
    ];
    for config in configs {
        for start in Start::ALL {
            for with_ping in [false, true] {
                let mut h = reach(start, config.clone(), true);
                if with_ping && config.heartbeat.is_some() && h.m.sendable().is_some() {
                    let t = h.m.poll_timeout().unwrap();
                    let (actions, _) = h.timeout_at(t);
                    assert!(matches!(actions[..], [Action::SendPing { .. }]));
                }
                for step in 0..20u64 {
                    let before = h.m.poll_timeout();
                    h.advance(step * 97 % 1000);
                    let socket = h.live_or_latest();
                    if step % 3 == 0 {
                        h.m.on_sent(h.now);
                    } else {
                        h.m.on_message(h.now, socket);
                    }
                    let (actions, _) = h.drain();
                    assert_eq!(actions, []);
                    assert!(
                        later_or_equal(h.m.poll_timeout(), before),
                        "{} step {step}: {:?} -> {:?} with {config:?}",
                        start.name(),
                        before,
                        h.m.poll_timeout()
                    );
                }
            }
        }
    }
}

/// With `any_frame`, the message that answers a ping re-arms the next ping
/// an interval after the last send, which may be earlier than the answer's
/// deadline was: once per ping and answer. After it, further messages and
/// sends never bring the deadline forward.
#[test]
fn after_a_ping_is_answered_messages_and_sends_never_bring_the_deadline_forward() {
    let mut h = ready(hb(1000, 5000, true));
    assert_eq!(h.m.poll_timeout(), Some(2010));
    for cycle in 0..3u64 {
        // The ping, an interval after the last send.
        let sent = h.m.poll_timeout().unwrap();
        assert_eq!(
            h.timeout_at(sent),
            (vec![ping(0)], vec![beat(Beat::Ping)]),
            "cycle {cycle}"
        );
        assert_eq!(h.m.poll_timeout(), Some(sent + 5000), "cycle {cycle}");
        // The answer: the next ping is due an interval after this one.
        h.at(sent + 100);
        assert!(h.message());
        assert_eq!(h.drain(), (vec![], vec![pong(100)]), "cycle {cycle}");
        assert_eq!(h.m.poll_timeout(), Some(sent + 1000), "cycle {cycle}");
        // Then nothing brings it forward, whatever comes in or goes out.
        let mut before = h.m.poll_timeout();
        for step in 0..12u64 {
            h.advance(step * 7 % 60);
            if step % 3 == 0 {
                h.m.on_sent(h.now);
            } else {
                assert!(h.message());
            }
            assert_eq!(h.drain(), nothing(), "cycle {cycle} step {step}");
            let after = h.m.poll_timeout();
            assert!(
                later_or_equal(after, before),
                "cycle {cycle} step {step}: {before:?} -> {after:?}"
            );
            before = after;
        }
        assert!(
            h.now < before.unwrap(),
            "cycle {cycle}: the ping is still ahead"
        );
    }
}

// ----- probes ----------------------------------------------------------------

#[test]
fn visible_in_ready_with_a_heartbeat_probes() {
    let mut h = ready(hb_default());
    h.hide(2000);
    let (actions, events) = h.show(5000);
    assert_eq!(actions, [ping(0)]);
    assert_eq!(
        events,
        [
            changed(READY_YES, READY_NO, Cause::Visible),
            Event::Resumed,
            beat(Beat::Probe),
        ]
    );
    assert_eq!(h.m.poll_timeout(), Some(7000));
    // The pong cancels the probe's deadline.
    let (actions, events) = h.input_at(5300, |m, t| m.on_pong(t, s(0)));
    assert_eq!(actions, []);
    assert_eq!(events, [pong(300)]);
    // Next: a ping 30 s after the probe (the last thing sent).
    assert_eq!(h.m.poll_timeout(), Some(35_000));
    assert_eq!(h.timeout_at(7000), nothing());
}

#[test]
fn visible_probes_even_a_socket_the_application_paused() {
    let mut h = ready(hb_default());
    h.at(1500);
    h.m.pause(h.now);
    h.hide(2000);
    let (actions, events) = h.show(5000);
    assert_eq!(actions, [ping(0)]);
    assert_eq!(events, [beat(Beat::Probe)]);
    assert_eq!(kind(&h), READY_YES);
}

#[test]
fn an_unanswered_probe_closes_with_probe_timeout_and_reconnects_on_heartbeat() {
    let mut h = ready(hb_default());
    h.hide(2000);
    h.show(5000);
    // A message is no answer without `any_frame`.
    h.at(6000);
    assert!(h.message());
    assert_eq!(h.drain(), nothing());
    let (actions, events) = h.timeout_at(6999);
    assert_eq!((actions, events), nothing());
    let (actions, events) = h.fire_timer();
    assert_eq!(h.now, 7000);
    assert_eq!(actions, [close(0, CLOSE_NORMAL, PROBE_TIMEOUT)]);
    assert_eq!(
        events,
        [
            beat(Beat::Timeout { probe: true }),
            client_close(PROBE_TIMEOUT, retry(100, 1)),
            changed(READY_NO, DISCONNECTED, Cause::ProbeTimeout),
        ]
    );
    assert_eq!(h.m.poll_timeout(), Some(7100));
    let (actions, events) = h.fire_timer();
    assert_eq!(actions, [connect(1)]);
    assert_eq!(
        events,
        [changed(DISCONNECTED, CONNECTING_NO, Cause::Backoff)]
    );
    h.at(7110);
    let (_, events) = h.open();
    assert_eq!(
        one_open(&events),
        OpenMeta {
            connection_count: 1,
            last_close_reason: Some(PROBE_TIMEOUT.into()),
            client_ts: 7110,
            trigger: Trigger::Heartbeat,
            downtime_ms: Some(110),
        }
    );
}

#[test]
fn any_frame_lets_a_message_answer_a_probe() {
    let mut h = ready(hb(30_000, 10_000, true));
    h.hide(2000);
    h.show(5000);
    h.at(5040);
    assert!(h.message());
    assert_eq!(h.drain(), (vec![], vec![pong(40)]));
    assert_eq!(h.m.poll_timeout(), Some(35_000));
}

#[test]
fn a_probe_with_a_ping_already_out_sends_a_fresh_one() {
    // The ping of 31 010 is due by 41 010; visible at 33 000 sends a fresh
    // ping, reported as a probe, whose answer is due by 35 000.
    let mut h = ready(hb_default());
    assert_eq!(
        h.timeout_at(31_010),
        (vec![ping(0)], vec![beat(Beat::Ping)])
    );
    assert_eq!(h.m.poll_timeout(), Some(41_010));
    h.hide(32_000);
    assert_eq!(
        h.show(33_000),
        (
            vec![ping(0)],
            vec![
                changed(READY_YES, READY_NO, Cause::Visible),
                Event::Resumed,
                beat(Beat::Probe),
            ]
        )
    );
    assert_eq!(h.m.poll_timeout(), Some(35_000));
    assert_eq!(h.timeout_at(34_999), nothing());
    let (actions, events) = h.fire_timer();
    assert_eq!(h.now, 35_000);
    assert_eq!(actions, [close(0, CLOSE_NORMAL, PROBE_TIMEOUT)]);
    assert_eq!(beats(&events), [Beat::Timeout { probe: true }]);

    // Answered in time (the answer may be the older ping's: any pong counts):
    // the round trip counts from the probe, and so does the next ping.
    let mut h = ready(hb_default());
    h.timeout_at(31_010);
    h.hide(32_000);
    h.show(33_000);
    assert_eq!(
        h.input_at(34_000, |m, t| m.on_pong(t, s(0))),
        (vec![], vec![pong(1000)])
    );
    assert_eq!(h.m.poll_timeout(), Some(63_000));
    assert_eq!(h.timeout_at(41_010), nothing());

    // With `any_frame`, a message answers it too.
    let mut h = ready(hb(30_000, 10_000, true));
    h.timeout_at(31_010);
    h.hide(32_000);
    h.show(33_000);
    h.at(33_040);
    assert!(h.message());
    assert_eq!(h.drain(), (vec![], vec![pong(40)]));
    assert_eq!(h.m.poll_timeout(), Some(63_000));
}

#[test]
fn online_in_ready_probes() {
    // With a heartbeat: a probe.
    let mut h = ready(hb_default());
    h.offline(2000);
    assert_eq!(h.online(3000), (vec![ping(0)], vec![beat(Beat::Probe)]));
    assert_eq!(h.m.poll_timeout(), Some(5000));
    assert_eq!(
        h.input_at(3100, |m, t| m.on_pong(t, s(0))),
        (vec![], vec![pong(100)])
    );

    // Without: the inactivity timeout on the elapsed time.
    let mut h = ready(no_jitter());
    h.offline(2000);
    assert_eq!(h.online(3000), nothing());
    h.offline(4000);
    let (actions, events) = h.online(61_010);
    assert_eq!(actions, [close(0, CLOSE_NORMAL, INACTIVE_SERVER)]);
    assert_eq!(
        events,
        [
            client_close(INACTIVE_SERVER, retry(100, 1)),
            changed(READY_NO, DISCONNECTED, Cause::Inactivity),
        ]
    );
}

/// With a heartbeat, no probe goes out while the page is hidden either: the
/// page's return probes.
#[test]
fn online_while_hidden_sends_no_probe() {
    let mut h = ready(hb_default());
    h.hide(2000);
    h.offline(3000);
    assert_eq!(h.online(4000), nothing());
    assert_eq!(h.m.poll_timeout(), Some(31_010));
    let (actions, events) = h.show(5000);
    assert_eq!(actions, [ping(0)]);
    assert_eq!(
        events,
        [
            changed(READY_YES, READY_NO, Cause::Visible),
            Event::Resumed,
            beat(Beat::Probe),
        ]
    );
    assert_eq!(h.m.poll_timeout(), Some(7000));

    // Nor with a ping out: it keeps its own deadline.
    let mut h = ready(hb_default());
    h.hide(2000);
    h.offline(3000);
    assert_eq!(
        h.timeout_at(31_010),
        (vec![ping(0)], vec![beat(Beat::Ping)])
    );
    assert_eq!(h.online(32_000), nothing());
    assert_eq!(h.m.poll_timeout(), Some(41_010));
}

// ----- waking from sleep -----------------------------------------------------

#[test]
fn a_late_timer_while_disconnected_connects_with_cause_wake() {
    // 5000 ms after the due time: a wake.
    let mut h = disconnected_after_open(no_jitter());
    let (actions, events) = h.timeout_at(7020);
    assert_eq!(actions, [connect(1)]);
    assert_eq!(events, [changed(DISCONNECTED, CONNECTING_NO, Cause::Wake)]);
    h.at(7030);
    let (_, events) = h.open();
    let meta = one_open(&events);
    assert_eq!(meta.trigger, Trigger::Wake);
    assert_eq!(meta.downtime_ms, Some(7030 - 1020));
    // A millisecond less: the usual backoff reconnect.
    let mut h = disconnected_after_open(no_jitter());
    let (actions, events) = h.timeout_at(7019);
    assert_eq!(actions, [connect(1)]);
    assert_eq!(
        events,
        [changed(DISCONNECTED, CONNECTING_NO, Cause::Backoff)]
    );
}

#[test]
fn the_wake_threshold_is_configurable() {
    let mut h = disconnected_after_open(Config {
        wake_threshold_ms: 1000,
        ..no_jitter()
    });
    let (_, events) = h.timeout_at(3020);
    assert_eq!(events, [changed(DISCONNECTED, CONNECTING_NO, Cause::Wake)]);
}

#[test]
fn a_late_timer_while_offline_is_no_wake() {
    let mut h = disconnected_after_open(no_jitter());
    h.offline(1030);
    // Far past the reconnect's time, but the wait is for the network.
    assert_eq!(h.timeout_at(30_000), nothing());
    // Past the ceiling: a plain reconnect.
    let (actions, events) = h.timeout_at(70_000);
    assert_eq!(actions, [connect(1)]);
    assert_eq!(
        events,
        [changed(DISCONNECTED, CONNECTING_NO, Cause::Backoff)]
    );
}

#[test]
fn a_late_timer_while_connecting_abandons_the_handshake() {
    let mut h = Harness::started(no_jitter());
    assert_eq!(h.m.poll_timeout(), Some(61_000));
    let (actions, events) = h.timeout_at(66_000);
    assert_eq!(actions, [close(0, CLOSE_NORMAL, WAKE)]);
    assert_eq!(
        events,
        [
            client_close(WAKE, retry(100, 1)),
            changed(CONNECTING_NO, DISCONNECTED, Cause::Wake),
        ]
    );
    assert_eq!(h.m.poll_timeout(), Some(66_100));
    let (actions, events) = h.fire_timer();
    assert_eq!(actions, [connect(1)]);
    assert_eq!(
        events,
        [changed(DISCONNECTED, CONNECTING_NO, Cause::Backoff)]
    );
    h.at(66_110);
    let (_, events) = h.open();
    let meta = one_open(&events);
    assert_eq!(meta.trigger, Trigger::Wake);
    assert_eq!(meta.downtime_ms, None, "never open before");

    // A millisecond less: the inactivity timeout, as usual.
    let mut h = Harness::started(no_jitter());
    let (actions, events) = h.timeout_at(65_999);
    assert_eq!(actions, [close(0, CLOSE_NORMAL, INACTIVE_SERVER)]);
    assert_eq!(
        events[1],
        changed(CONNECTING_NO, DISCONNECTED, Cause::Inactivity)
    );
}

#[test]
fn a_late_timer_while_ready_with_a_heartbeat_probes() {
    let mut h = ready(hb_default());
    // Due at 31 010 (the ping); the inactivity deadline 61 010 passed too.
    let (actions, events) = h.timeout_at(100_000);
    assert_eq!(actions, [ping(0)]);
    assert_eq!(events, [beat(Beat::Probe)]);
    assert_eq!(h.m.poll_timeout(), Some(102_000));
    assert_eq!(h.timeout_at(100_000), nothing());
    assert_eq!(
        h.input_at(100_500, |m, t| m.on_pong(t, s(0))),
        (vec![], vec![pong(500)])
    );
    assert_eq!(h.m.poll_timeout(), Some(130_000));
    assert_eq!(h.m.state().kind(), Ready);
}

#[test]
fn a_late_timer_while_ready_without_a_heartbeat_is_judged_as_usual() {
    let mut h = ready(no_jitter());
    let (actions, events) = h.timeout_at(100_000);
    assert_eq!(actions, [close(0, CLOSE_NORMAL, INACTIVE_SERVER)]);
    assert_eq!(
        events,
        [
            client_close(INACTIVE_SERVER, retry(100, 1)),
            changed(READY_NO, DISCONNECTED, Cause::Inactivity),
        ]
    );
    // Late, but nothing overdue: nothing happens.
    let mut h = ready(Config {
        reset: ResetRule::StableFor(10_000),
        ..no_jitter()
    });
    assert_eq!(h.m.poll_timeout(), Some(11_010));
    assert_eq!(h.timeout_at(30_000), nothing());
    assert_eq!(h.m.poll_timeout(), Some(61_010));
}

#[test]
fn no_wake_while_hidden() {
    // Disconnected: the plain backoff reconnect, paused.
    let mut h = disconnected_after_open(no_jitter());
    h.hide(1030);
    let (actions, events) = h.timeout_at(50_000);
    assert_eq!(actions, [connect(1)]);
    assert_eq!(
        events,
        [changed(DISCONNECTED, CONNECTING_YES, Cause::Backoff)]
    );
    // Ready with a heartbeat: a ping, not a probe.
    let mut h = ready(hb_default());
    h.hide(2000);
    assert_eq!(
        h.timeout_at(100_000),
        (vec![ping(0)], vec![beat(Beat::Ping)])
    );
    assert_eq!(h.m.poll_timeout(), Some(110_000));
}

/// A wake is answered by a probe with `probe_timeout_ms` to answer it, even
/// when a heartbeat ping was out before the sleep and its deadline passed
/// meanwhile: a fresh probe goes out with a deadline of its own, rather than
/// the socket being closed at once.
#[test]
fn a_wake_with_a_ping_out_still_probes() {
    let mut h = ready(hb_default());
    h.timeout_at(31_010);
    assert_eq!(h.m.poll_timeout(), Some(41_010));
    // Asleep from before 41 010 until 60 000.
    let (actions, events) = h.timeout_at(60_000);
    assert_eq!(actions, [ping(0)]);
    assert_eq!(events, [beat(Beat::Probe)]);
    assert_eq!(h.m.poll_timeout(), Some(62_000));
    assert_eq!(h.timeout_at(60_000), nothing());
    assert_eq!(
        h.input_at(60_500, |m, t| m.on_pong(t, s(0))),
        (vec![], vec![pong(500)])
    );
    assert_eq!(h.m.state().kind(), Ready);
}
