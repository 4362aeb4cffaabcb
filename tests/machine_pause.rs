#![cfg(not(target_arch = "wasm32"))]
//! `pause()` and `resume()`, on a fake clock with the [`Harness`]: an open
//! while paused owes its `onOpen` (`ready/uninitialized`) until `resume()`,
//! which pays it once, stamped when delivered; `onResume` otherwise; a close
//! drops what is owed; the pause belongs to its socket; inactivity is
//! judged while paused.
//!
//! No jitter, so every delay equals its base.

mod machine_support;

use machine_support::{changed, convex_fields, no_jitter, one_open, opened, reach, Harness, Start};

use steadysocket::machine::{Cause, Event, Paused, SocketId, StateKind, INITIAL_CONNECT};

use Paused::{No, Uninitialized, Yes};
use StateKind::{Connecting, Disconnected, Ready};

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
    assert_eq!(m.connection_count, 0);
    assert_eq!(m.last_close_reason.as_deref(), Some(INITIAL_CONNECT));
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
    assert_eq!(
        convex_fields(&one_open(&events)),
        (0, Some(INITIAL_CONNECT), 5000)
    );
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
    assert_eq!(
        convex_fields(&one_open(&events)),
        (0, Some(INITIAL_CONNECT), h.now)
    );
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
        convex_fields(&one_open(&events)),
        (1, Some("closed with code 1006"), h.now)
    );
    assert!(h.m.connection_state().has_ever_connected);
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
