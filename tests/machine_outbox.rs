#![cfg(not(target_arch = "wasm32"))]
//! The outbox, which the machine owns: bounds, order, the time-to-live as a
//! timer, the flush after `onOpen` as `send` actions handed out one at a
//! time, and the drops — on a fake clock, examples first, then random
//! sequences that account for every message.

mod machine_support;

use std::collections::{BTreeMap, BTreeSet};

use machine_support::props::cases;
use machine_support::{split, Harness};
use proptest::prelude::*;
use steadysocket::machine::{
    Action, Config, DropReason, Event, Flushed, Machine, MessageId, Millis, OutboxLimits, Output,
    Paused, Refusal, SocketId, State, Timer,
};

fn with_outbox(limits: OutboxLimits) -> Config {
    Config {
        outbox: Some(limits),
        ..machine_support::no_jitter()
    }
}

fn outbox() -> Config {
    with_outbox(OutboxLimits::default())
}

fn send(socket: u64, message: u64) -> Output {
    Output::Action(Action::Send {
        socket: SocketId(socket),
        message: MessageId(message),
    })
}

fn dropped(message: u64, reason: DropReason) -> Event {
    Event::Dropped {
        message: MessageId(message),
        reason,
    }
}

/// The outputs, without state changes (for the flush's own order).
fn flush_only(outputs: Vec<Output>) -> Vec<Output> {
    outputs
        .into_iter()
        .filter(|o| {
            matches!(
                o,
                Output::Action(Action::Send { .. }) | Output::Event(Event::Dropped { .. })
            ) || matches!(o, Output::Event(Event::Opened(_) | Event::Resumed))
        })
        .collect()
}

#[test]
fn what_is_sent_while_connecting_goes_after_on_open_one_at_a_time() {
    let mut h = Harness::started(outbox());
    assert_eq!(h.m.queue(1001, 5), Ok(MessageId(0)));
    assert_eq!(h.m.queue(1002, 7), Ok(MessageId(1)));
    assert_eq!((h.m.queued(), h.m.queued_bytes()), (2, 12));
    h.at(1010);
    h.m.on_open(1010, SocketId(0));
    // onOpen first; the first message only once everything before it was
    // taken, and the next only once the first is accounted for.
    let out = h.outputs();
    assert!(matches!(
        out.first(),
        Some(Output::Event(Event::StateChanged { .. }))
    ));
    assert!(matches!(out.get(1), Some(Output::Event(Event::Opened(_)))));
    assert_eq!(out.get(2), Some(&send(0, 0)));
    assert_eq!(out.len(), 3, "{out:?}");
    assert_eq!(h.m.poll(), None, "one message at a time");
    h.m.on_flushed(1010, MessageId(0), Flushed::Sent);
    assert_eq!(h.outputs(), [send(0, 1)]);
    h.m.on_flushed(1010, MessageId(1), Flushed::Sent);
    assert_eq!(h.outputs(), []);
    assert_eq!((h.m.queued(), h.m.queued_bytes()), (0, 0));
}

#[test]
fn on_open_s_own_sends_go_before_the_queue() {
    let mut h = Harness::started(outbox());
    h.m.queue(1001, 1).unwrap();
    h.at(1010);
    h.m.on_open(1010, SocketId(0));
    // The application's onOpen runs when its event is delivered: it may
    // send on the socket at once, before the queue is handed out.
    let mut seen = Vec::new();
    while let Some(o) = h.m.poll() {
        if matches!(o, Output::Event(Event::Opened(_))) {
            assert_eq!(h.m.sendable(), Some(SocketId(0)));
        }
        seen.push(o);
    }
    assert_eq!(seen.last(), Some(&send(0, 0)));
}

#[test]
fn what_on_resume_and_on_state_change_send_goes_after_the_queue() {
    // Found by the chaos soak (seed 1, 2 and 3 of tests/soak): an
    // application that sends as it resumes overtook what it had sent while
    // paused. Only onOpen's own sends go first.
    let mut h = Harness::started(outbox());
    h.at(1010);
    h.open();
    h.m.pause(1011);
    h.drain();
    h.m.queue(1012, 1).unwrap();
    h.m.resume(1013);
    let mut seen = Vec::new();
    while let Some(o) = h.m.poll() {
        if matches!(
            o,
            Output::Event(Event::Resumed | Event::StateChanged { .. })
        ) {
            assert_eq!(
                h.m.sendable(),
                None,
                "{o:?}: a send would overtake the queue"
            );
        }
        seen.push(o);
    }
    assert_eq!(seen.last(), Some(&send(0, 0)));
    h.m.on_flushed(1013, MessageId(0), Flushed::Sent);
    assert_eq!(h.outputs(), []);
    assert_eq!(
        h.m.sendable(),
        Some(SocketId(0)),
        "the queue is empty again"
    );
    // Queued behind: the flush takes it in turn.
    h.m.pause(1014);
    h.drain();
    h.m.queue(1015, 1).unwrap();
    h.m.resume(1016);
    while let Some(o) = h.m.poll() {
        if matches!(o, Output::Event(Event::Resumed)) {
            assert_eq!(h.m.queue(1016, 1), Ok(MessageId(2)), "queued from onResume");
        }
    }
    h.m.on_flushed(1016, MessageId(1), Flushed::Sent);
    assert_eq!(h.outputs(), [send(0, 2)]);
}

#[test]
fn only_on_open_s_sends_go_first_also_when_it_was_owed() {
    // Opened while paused: onOpen is owed until resume(), whose state
    // change comes first; what that callback sends queues behind, what
    // onOpen then sends goes first (the soak, seed 61).
    let mut h = Harness::started(outbox());
    h.m.pause(1005);
    h.m.queue(1006, 1).unwrap();
    h.at(1010);
    h.m.on_open(1010, SocketId(0));
    h.drain();
    h.m.resume(1011);
    let mut seen = Vec::new();
    while let Some(o) = h.m.poll() {
        match o {
            Output::Event(Event::StateChanged { .. }) => assert_eq!(h.m.sendable(), None),
            Output::Event(Event::Opened(_)) => assert_eq!(h.m.sendable(), Some(SocketId(0))),
            _ => {}
        }
        seen.push(o);
    }
    assert_eq!(seen.last(), Some(&send(0, 0)));
}

#[test]
fn the_bounds_refuse_what_does_not_fit() {
    let mut h = Harness::started(with_outbox(OutboxLimits {
        max_messages: 2,
        max_bytes: 10,
        ttl_ms: None,
    }));
    assert_eq!(h.m.queue(1001, 6), Ok(MessageId(0)));
    assert_eq!(h.m.queue(1001, 5), Err(Refusal::Full), "11 bytes");
    assert_eq!(h.m.queue(1001, 4), Ok(MessageId(1)));
    assert_eq!(h.m.queue(1001, 0), Err(Refusal::Full), "3 messages");
    assert_eq!((h.m.queued(), h.m.queued_bytes()), (2, 10));
    // Without an outbox nothing is kept.
    let mut h = Harness::started(machine_support::no_jitter());
    assert_eq!(h.m.queue(1001, 1), Err(Refusal::NotReady));
}

#[test]
fn a_message_expires_at_its_deadline_on_the_timer() {
    let mut h = Harness::started(with_outbox(OutboxLimits {
        ttl_ms: Some(500),
        ..OutboxLimits::default()
    }));
    h.m.queue(1100, 1).unwrap();
    h.m.queue(1300, 1).unwrap();
    let armed: Vec<(Timer, Millis)> = h.m.timers().collect();
    assert!(armed.contains(&(Timer::OutboxExpiry, 1600)), "{armed:?}");
    assert_eq!(h.timeout_at(1599).1, []);
    assert_eq!(h.timeout_at(1600).1, [dropped(0, DropReason::Expired)]);
    assert!(h.m.timers().any(|t| t == (Timer::OutboxExpiry, 1800)));
    // Late: whatever is due goes at once, oldest first.
    h.m.queue(1700, 1).unwrap();
    assert_eq!(
        h.timeout_at(5000).1,
        [
            dropped(1, DropReason::Expired),
            dropped(2, DropReason::Expired)
        ]
    );
    assert!(!h.m.timers().any(|(t, _)| t == Timer::OutboxExpiry));
}

#[test]
fn a_socket_not_open_after_all_keeps_the_message_first_until_the_next_open() {
    let mut h = Harness::started(outbox());
    h.m.queue(1001, 1).unwrap();
    h.m.queue(1001, 1).unwrap();
    h.at(1010);
    h.open();
    // (open() drained the first send.)
    h.m.on_flushed(1010, MessageId(0), Flushed::NotOpen);
    assert_eq!(h.outputs(), [], "no retry on the same socket");
    assert_eq!(h.m.queued(), 2);
    h.close(1006, "");
    h.fire_timer();
    h.at(h.now + 10);
    h.m.on_open(h.now, SocketId(1));
    let out = flush_only(h.outputs());
    assert_eq!(out.last(), Some(&send(1, 0)), "first in line again");
}

#[test]
fn a_message_the_socket_refuses_is_dropped_and_the_rest_goes_on() {
    let mut h = Harness::started(outbox());
    for _ in 0..3 {
        h.m.queue(1001, 1).unwrap();
    }
    h.at(1010);
    h.open();
    h.m.on_flushed(1010, MessageId(0), Flushed::Sent);
    assert_eq!(h.outputs(), [send(0, 1)]);
    h.m.on_flushed(1010, MessageId(1), Flushed::Refused);
    assert_eq!(
        h.outputs(),
        [Output::Event(dropped(1, DropReason::Invalid)), send(0, 2)]
    );
    assert_eq!(
        h.m.state().socket(),
        Some(SocketId(0)),
        "the connection stays"
    );
    // A report for a message not handed out changes nothing.
    h.m.on_flushed(1010, MessageId(0), Flushed::Refused);
    assert_eq!(h.outputs(), []);
}

#[test]
fn paused_nothing_is_handed_out_and_resume_goes_on() {
    let mut h = Harness::started(outbox());
    h.at(1010);
    h.open();
    h.m.pause(1011);
    h.drain();
    h.m.queue(1012, 1).unwrap();
    assert_eq!(h.outputs(), []);
    h.m.resume(1013);
    let out = flush_only(h.outputs());
    assert_eq!(out, [Output::Event(Event::Resumed), send(0, 0)]);
}

#[test]
fn terminate_drops_everything_in_order_and_refuses_more() {
    let mut h = Harness::started(outbox());
    for _ in 0..3 {
        h.m.queue(1001, 1).unwrap();
    }
    h.m.terminate(1002);
    let (_, events) = h.drain();
    let drops: Vec<&Event> = events
        .iter()
        .filter(|e| matches!(e, Event::Dropped { .. }))
        .collect();
    assert_eq!(
        drops,
        [
            &dropped(0, DropReason::Terminated),
            &dropped(1, DropReason::Terminated),
            &dropped(2, DropReason::Terminated)
        ]
    );
    assert_eq!(h.m.queue(1003, 1), Err(Refusal::Terminated));
    assert_eq!(h.m.poll_timeout(), None);
}

// ----- random sequences ------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Step {
    Send(u64),
    Open,
    Close,
    Pause,
    Resume,
    Hidden(bool),
    Timer,
    Advance(Millis),
    Reconnect,
    Stop,
    Restart,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0u64..40).prop_map(Step::Send),
        3 => Just(Step::Open),
        2 => Just(Step::Close),
        1 => Just(Step::Pause),
        1 => Just(Step::Resume),
        1 => any::<bool>().prop_map(Step::Hidden),
        3 => Just(Step::Timer),
        2 => (0u64..3_000).prop_map(Step::Advance),
        1 => Just(Step::Reconnect),
        1 => Just(Step::Stop),
        1 => Just(Step::Restart),
    ]
}

fn flushed() -> impl Strategy<Value = Flushed> {
    prop_oneof![
        8 => Just(Flushed::Sent),
        1 => Just(Flushed::NotOpen),
        1 => Just(Flushed::Refused),
    ]
}

fn limits() -> impl Strategy<Value = OutboxLimits> {
    (1u32..12, 20u64..200, prop::option::of(100u64..5_000)).prop_map(
        |(max_messages, max_bytes, ttl_ms)| OutboxLimits {
            max_messages,
            max_bytes,
            ttl_ms,
        },
    )
}

/// The fake I/O layer and the application, with an account of every
/// message the outbox took.
struct World {
    m: Machine,
    now: Millis,
    limits: OutboxLimits,
    outcomes: Vec<Flushed>,
    next_outcome: usize,
    /// Queued and not yet accounted for: size and when.
    pending: BTreeMap<MessageId, (u64, Millis)>,
    accepted: BTreeSet<MessageId>,
    sent: Vec<MessageId>,
    dropped: Vec<(MessageId, DropReason)>,
    refused: BTreeSet<MessageId>,
}

impl World {
    fn drain(&mut self) -> Result<(), TestCaseError> {
        while let Some(o) = self.m.poll() {
            match o {
                Output::Action(Action::Send { socket, message }) => {
                    prop_assert!(
                        matches!(self.m.state(), State::Ready { socket: s, .. } if s == socket),
                        "a send to {:?} in {:?}",
                        socket,
                        self.m.state()
                    );
                    prop_assert_eq!(
                        self.m.state(),
                        State::Ready {
                            socket,
                            paused: Paused::No
                        },
                        "not paused"
                    );
                    prop_assert_eq!(
                        self.pending.keys().next(),
                        Some(&message),
                        "the oldest first"
                    );
                    let what = self.outcomes[self.next_outcome % self.outcomes.len()];
                    self.next_outcome += 1;
                    match what {
                        Flushed::Sent => {
                            self.sent.push(message);
                            self.pending.remove(&message);
                        }
                        Flushed::Refused => {
                            self.refused.insert(message);
                        }
                        Flushed::NotOpen => {}
                    }
                    self.m.on_flushed(self.now, message, what);
                }
                Output::Event(Event::Dropped { message, reason }) => {
                    let Some((_, at)) = self.pending.remove(&message) else {
                        return Err(TestCaseError::fail(format!(
                            "{message:?} dropped but not pending"
                        )));
                    };
                    match reason {
                        DropReason::Expired => {
                            let ttl = self.limits.ttl_ms.unwrap_or(Millis::MAX);
                            prop_assert!(at + ttl <= self.now, "expired early");
                        }
                        DropReason::Invalid => {
                            prop_assert!(self.refused.contains(&message), "invalid unrefused")
                        }
                        DropReason::Terminated => {
                            prop_assert_eq!(self.m.state(), State::Terminated)
                        }
                    }
                    self.dropped.push((message, reason));
                }
                _ => {}
            }
        }
        let bytes: u64 = self.pending.values().map(|(size, _)| size).sum();
        prop_assert_eq!(self.m.queued(), self.pending.len(), "queued()");
        prop_assert_eq!(self.m.queued_bytes(), bytes, "queued_bytes()");
        Ok(())
    }

    fn step(&mut self, step: Step) -> Result<(), TestCaseError> {
        self.now += 7;
        let now = self.now;
        let live = self.m.state().socket();
        match step {
            Step::Send(size) => {
                if self.m.sendable().is_some() {
                    // Sent on the socket at once: not the outbox's, and
                    // never ahead of what it holds.
                    prop_assert!(self.pending.is_empty(), "a send overtakes the queue");
                    return Ok(());
                }
                // What the model expects, after what is due expired.
                let ttl = self.limits.ttl_ms;
                let unexpired = |at: &Millis| ttl.map_or(true, |t| at + t > now);
                let kept: Vec<u64> = self
                    .pending
                    .values()
                    .filter(|(_, at)| unexpired(at))
                    .map(|(s, _)| *s)
                    .collect();
                let full = kept.len() as u64 >= u64::from(self.limits.max_messages)
                    || kept.iter().sum::<u64>() + size > self.limits.max_bytes;
                let r = self.m.queue(now, size);
                match r {
                    Ok(id) => {
                        prop_assert!(!full, "accepted over the bounds");
                        self.pending.insert(id, (size, now));
                        self.accepted.insert(id);
                    }
                    Err(Refusal::Full) => prop_assert!(full, "refused as full"),
                    Err(Refusal::Terminated) => {
                        prop_assert_eq!(self.m.state(), State::Terminated)
                    }
                    Err(Refusal::NotReady) => prop_assert!(false, "there is an outbox"),
                }
            }
            Step::Open => {
                if let Some(s) = live {
                    self.m.on_open(now, s);
                }
            }
            Step::Close => {
                if let Some(s) = live {
                    self.m.on_close(now, s, 1006, "", false);
                }
            }
            Step::Pause => self.m.pause(now),
            Step::Resume => self.m.resume(now),
            Step::Hidden(h) => self.m.set_hidden(now, h),
            Step::Timer => {
                if let Some(t) = self.m.poll_timeout() {
                    self.now = self.now.max(t);
                }
                self.m.handle_timeout(self.now);
            }
            Step::Advance(dt) => self.now += dt,
            Step::Reconnect => self.m.reconnect(now, 1000, "again".into()),
            Step::Stop => {
                self.m.stop(now);
            }
            Step::Restart => self.m.try_restart(now),
        }
        self.drain()
    }
}

fn account(
    limits: OutboxLimits,
    outcomes: Vec<Flushed>,
    steps: &[Step],
) -> Result<(), TestCaseError> {
    let mut w = World {
        m: Machine::new(with_outbox(limits), 1000).expect("valid"),
        now: 1000,
        limits,
        outcomes,
        next_outcome: 0,
        pending: BTreeMap::new(),
        accepted: BTreeSet::new(),
        sent: Vec::new(),
        dropped: Vec::new(),
        refused: BTreeSet::new(),
    };
    w.drain()?;
    for &s in steps {
        w.step(s)?;
    }
    w.now += 1;
    w.m.terminate(w.now);
    w.drain()?;
    // Every message the outbox took was sent once, in order, or dropped
    // once; never both, never neither.
    prop_assert!(w.pending.is_empty(), "left over: {:?}", w.pending);
    let sent: BTreeSet<MessageId> = w.sent.iter().copied().collect();
    let dropped: BTreeSet<MessageId> = w.dropped.iter().map(|(m, _)| *m).collect();
    prop_assert_eq!(sent.len(), w.sent.len(), "sent twice");
    prop_assert_eq!(dropped.len(), w.dropped.len(), "dropped twice");
    prop_assert!(sent.is_disjoint(&dropped), "sent and dropped");
    let all: BTreeSet<MessageId> = sent.union(&dropped).copied().collect();
    prop_assert_eq!(&all, &w.accepted, "every message accounted for");
    prop_assert!(w.sent.windows(2).all(|p| p[0] < p[1]), "sent in order");
    Ok(())
}

proptest! {
    #![proptest_config(cases(1500))]

    /// Random sends, opens, closes, pauses, hidden pages, expiries,
    /// reconnects and stops, with the socket sometimes refusing a message or
    /// turning out not open: every message is accounted for exactly once.
    #[test]
    fn every_message_is_sent_once_in_order_or_dropped_once(
        limits in limits(),
        outcomes in prop::collection::vec(flushed(), 1..8),
        steps in prop::collection::vec(step(), 0..80),
    ) {
        account(limits, outcomes, &steps)?;
    }
}

#[test]
fn the_generator_reaches_every_outcome() {
    // The property above must see sends, drops of every reason and refusals.
    let steps = [
        Step::Send(5),
        Step::Send(5),
        Step::Open,
        Step::Send(1),
        Step::Close,
        Step::Send(3),
        Step::Advance(10_000),
        Step::Timer,
        Step::Send(2),
        Step::Timer,
        Step::Open,
    ];
    let limits = OutboxLimits {
        ttl_ms: Some(1000),
        ..OutboxLimits::default()
    };
    let outcomes = vec![Flushed::Sent, Flushed::Refused, Flushed::NotOpen];
    account(limits, outcomes, &steps).unwrap();
    // The split helper is the one the other tests use.
    assert_eq!(split(Vec::new()), (Vec::new(), Vec::new()));
}
