#![cfg(not(target_arch = "wasm32"))]
//! Property tests of the close-policy function's judgements through the
//! page's life, by comparing two machines rather than modelling one (the
//! model is `machine_props`'s, whose sequences include these inputs too).
//!
//! The docs say that anything the machine is told while a close awaits its
//! verdict lets the rules decide that close first (`Action::Judge`: "any
//! other input lets the rules decide"; the README: "If it calls the socket's
//! methods (`reconnect()`, `stop()`, …), the rules decide that close first
//! and its answer is ignored"), and that an answer to nothing is ignored. So
//! a machine told `judge(now, None)` before each such input must do exactly
//! what one told only the input does: the same outputs, in the same order,
//! through the same states — over random sequences of the socket's events,
//! the application's calls, the page's visibility, the back/forward cache,
//! freezes, and the function's answers (at once, later, or never).

mod machine_support;

use std::collections::HashSet;
use std::mem::{discriminant, Discriminant};

use machine_support::props::{
    apply, cases, judged_config, page_steps, pick_in, steps, timer_at, Input, Step,
};
use machine_support::split;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use steadysocket::machine::{Action, Event, Machine, Millis, Output, SocketId};

/// `a` is told each input as it comes; `b` is first told that the rules
/// decide the judgement out, if any.
struct Pair {
    a: Machine,
    b: Machine,
    now: Millis,
    created: Vec<SocketId>,
    /// A close awaits the function's verdict.
    judging: bool,
    /// Judgements asked, settled first in `b`, and answered late (to
    /// nothing) — for the coverage test.
    asked: u32,
    settled_first: u32,
    late_answers: u32,
    /// The kinds of input that settled one.
    settled_by: HashSet<Discriminant<Input>>,
}

impl Pair {
    fn new(config: steadysocket::machine::Config, now: Millis) -> Result<Pair, TestCaseError> {
        let mut p = Pair {
            a: Machine::new(config.clone(), now).expect("generated configs are valid"),
            b: Machine::new(config, now).expect("generated configs are valid"),
            now,
            created: Vec::new(),
            judging: false,
            asked: 0,
            settled_first: 0,
            late_answers: 0,
            settled_by: HashSet::new(),
        };
        p.compare(Vec::new(), "new")?;
        Ok(p)
    }

    fn step(&mut self, step: &Step) -> Result<(), TestCaseError> {
        self.now += step.dt;
        let at = timer_at(&self.a, self.now, &step.input);
        self.now = at;
        // `b` hears first that the rules decide: what that emits comes
        // first in `a`'s outputs too. (`judge()` is the answer itself, and
        // `on_sent` leaves a judgement out.)
        // The socket a socket input names, as `a` sees it (in `b` the
        // judgement out has already left its socket): the same one to both.
        let id = step
            .input
            .sock()
            .and_then(|s| pick_in(&self.a, &self.created, s));
        let mut first = Vec::new();
        if self.judging && step.input.settles() && !matches!(step.input, Input::Judge(_)) {
            self.b.judge(at, None);
            first = outputs(&mut self.b);
            prop_assert!(
                matches!(first.first(), Some(Output::Event(Event::Closed(_)))),
                "the rules decide at once: {:?}",
                first
            );
            self.settled_first += 1;
            self.settled_by.insert(discriminant(&step.input));
        }
        if matches!(step.input, Input::Judge(_)) && !self.judging {
            self.late_answers += 1;
        }
        for m in [&mut self.a, &mut self.b] {
            apply(m, id, &step.input, at);
        }
        self.compare(first, "input")?;
        // The function answers at once, in both.
        if let (Some(verdict), true) = (step.answer, self.judging) {
            self.a.judge(self.now, verdict);
            self.b.judge(self.now, verdict);
            self.compare(Vec::new(), "judge")?;
        }
        Ok(())
    }

    /// `a`'s outputs are `first` and then `b`'s; the states, the deadlines
    /// and what `connectionState()` reports agree.
    fn compare(&mut self, first: Vec<Output>, what: &str) -> Result<(), TestCaseError> {
        let a = outputs(&mut self.a);
        let mut b = first;
        b.extend(outputs(&mut self.b));
        prop_assert_eq!(&a, &b, "outputs after {}", what);
        prop_assert_eq!(self.a.state(), self.b.state(), "state after {}", what);
        prop_assert_eq!(self.a.connection_state(), self.b.connection_state());
        prop_assert_eq!(self.a.poll_timeout(), self.b.poll_timeout());
        prop_assert_eq!(self.a.sendable(), self.b.sendable());
        let (actions, events) = split(a);
        if events.iter().any(|e| matches!(e, Event::Closed(_))) {
            self.judging = false;
        }
        for action in &actions {
            match action {
                Action::Connect { socket } => self.created.push(*socket),
                Action::Judge(_) => {
                    self.judging = true;
                    self.asked += 1;
                }
                _ => {}
            }
        }
        Ok(())
    }
}

fn outputs(m: &mut Machine) -> Vec<Output> {
    std::iter::from_fn(|| m.poll()).collect()
}

fn run(config: steadysocket::machine::Config, steps: &[Step]) -> Result<Pair, TestCaseError> {
    let mut p = Pair::new(config, 0)?;
    for s in steps {
        p.step(s)?;
    }
    Ok(p)
}

proptest! {
    #![proptest_config(cases(800))]

    #[test]
    fn any_input_lets_the_rules_decide_a_judgement_out_first(
        config in judged_config(),
        steps in prop_oneof![steps(60), page_steps(60)],
    ) {
        run(config, &steps)?;
    }
}

/// The pair must actually settle judgements by other inputs (every kind of
/// input among them) and see late answers, or the property would hold
/// vacuously.
#[test]
fn pair_settles_judgements_by_every_kind_of_input() {
    let mut runner = TestRunner::deterministic();
    let strategy = (judged_config(), prop_oneof![steps(60), page_steps(60)]);
    let (mut asked, mut settled, mut late) = (0, 0, 0);
    let mut by = HashSet::new();
    for _ in 0..600 {
        let (config, steps) = strategy.new_tree(&mut runner).unwrap().current();
        let p = run(config, &steps).unwrap();
        asked += p.asked;
        settled += p.settled_first;
        late += p.late_answers;
        by.extend(p.settled_by);
    }
    assert!(asked > 500, "{asked} judgements");
    assert!(settled > 150, "{settled} settled by another input");
    assert!(late > 200, "{late} answers to nothing");
    // Every input but `on_sent` and `judge()` itself.
    assert_eq!(by.len(), 23, "{} kinds of input settled one", by.len());
}
