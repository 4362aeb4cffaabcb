//! Counting failures and deciding what a close means: the backoff's
//! consecutive retries, each limited rule's budget, the jitter's random
//! source — and the one place a [`Decision`] is built.

use super::backoff::{self, Delay, Rng};
use super::config::Config;
use super::event::{Cause, DecidedBy, Decision, DecisionKind};
use super::hint::retry_window_ms;
use super::millis::{floor, Millis};
use super::policy::{RuleAction, Verdict, VerdictAction};
use alloc::vec;
use alloc::vec::Vec;

/// The failure counts.
#[derive(Debug)]
pub(super) struct Budget {
    /// Consecutive failures since the last reset: the backoff's exponent.
    pub retries: u32,
    /// Consecutive closes matched by each close-policy rule (for limited
    /// ones).
    limited: Vec<u32>,
    /// The last planned wait: decorrelated jitter grows from it.
    last_ms: Millis,
    rng: Rng,
}

/// What a failure leads to: the decision reported, and the cause of the
/// state change (the close's own, or why the machine gave up).
#[derive(Clone, Copy, Debug)]
pub(super) struct Plan {
    pub decision: Decision,
    pub cause: Cause,
}

/// Every decision is built here.
fn decision(
    kind: DecisionKind,
    delay: Option<Delay>,
    retries: u32,
    max_retries: Option<u32>,
    rule: Option<DecidedBy>,
) -> Decision {
    Decision {
        kind,
        reconnect: delay.is_some(),
        base_ms: delay.map(|d| d.base_ms),
        delay_ms: delay.map(|d| d.delay_ms),
        retries,
        max_retries,
        rule,
    }
}

impl Budget {
    pub fn new(config: &Config) -> Budget {
        Budget {
            retries: 0,
            limited: vec![0; config.policy.rules.len()],
            last_ms: 0,
            rng: Rng::new(config.seed),
        }
    }

    /// After a failure, back off from `initial_ms` — or give up when
    /// `maxRetries` is spent. `cause` is the failure's own.
    pub fn after_failure(
        &mut self,
        config: &Config,
        initial_ms: Millis,
        kind: DecisionKind,
        cause: Cause,
    ) -> Plan {
        if let Some(max) = config.max_retries {
            if self.retries >= max {
                return Plan {
                    decision: decision(kind, None, self.retries, Some(max), None),
                    cause: Cause::RetriesExhausted,
                };
            }
        }
        let b = &config.backoff;
        let delay = backoff::delay(b, initial_ms, self.retries, self.last_ms, &mut self.rng);
        self.last_ms = delay.delay_ms;
        self.retries += 1;
        Plan {
            decision: decision(kind, Some(delay), self.retries, config.max_retries, None),
            cause,
        }
    }

    /// After the server's close: the close policy's first matching rule
    /// decides; none matching, the backoff from its `initial_ms`.
    pub fn after_server_close(&mut self, config: &Config, code: u16, reason: &str) -> Plan {
        let rules = &config.policy.rules;
        let rule = config.policy.classify(code, reason);
        let Some((i, action)) = rule.and_then(|i| rules.get(i).map(|r| (i, &r.action))) else {
            return self.after_failure(
                config,
                config.backoff.initial_ms,
                DecisionKind::Retry,
                Cause::Close,
            );
        };
        let mut plan = match *action {
            RuleAction::Permanent => Plan {
                decision: decision(DecisionKind::Permanent, None, self.retries, None, None),
                cause: Cause::PermanentClose,
            },
            RuleAction::Limited {
                max_retries,
                initial_ms,
            } => {
                let used = self.limited.get(i).copied().unwrap_or(0);
                if used >= max_retries {
                    Plan {
                        decision: decision(
                            DecisionKind::Limited,
                            None,
                            self.retries,
                            Some(max_retries),
                            None,
                        ),
                        cause: Cause::RetriesExhausted,
                    }
                } else {
                    if let Some(n) = self.limited.get_mut(i) {
                        *n += 1;
                    }
                    let mut plan =
                        self.after_failure(config, initial_ms, DecisionKind::Limited, Cause::Close);
                    if plan.decision.reconnect {
                        plan.decision.max_retries = Some(max_retries);
                    }
                    plan
                }
            }
            RuleAction::Retry { initial_ms } => {
                let initial = initial_ms.unwrap_or(config.backoff.initial_ms);
                self.after_failure(config, initial, DecisionKind::Retry, Cause::Close)
            }
        };
        plan.decision.rule = Some(DecidedBy::Rule(i));
        plan
    }

    /// The server's `retry-after` hint, capped by `max_server_delay_ms`,
    /// makes a planned wait at least that long: a single number jittered
    /// upward only (by up to `jitter` × it), a window drawn uniformly from.
    pub fn heed_server(&mut self, config: &Config, reason: &str, plan: &mut Plan) {
        let (Some((low, high)), Some(delay)) = (retry_window_ms(reason), plan.decision.delay_ms)
        else {
            return;
        };
        let cap = config.max_server_delay_ms;
        let (base, high) = (low.min(cap), high.min(cap));
        let spread = if high > base {
            (high - base) as f64
        } else {
            base as f64 * config.backoff.jitter
        };
        let wait = base.saturating_add(floor(spread * self.rng.next_unit()) as Millis);
        if wait > delay {
            plan.decision.base_ms = Some(base);
            plan.decision.delay_ms = Some(wait);
            plan.decision.rule = Some(DecidedBy::Server);
            self.last_ms = wait;
        }
    }

    /// The close-policy function decided. `initial_ms` and `kind`: what a
    /// retry without a delay of the function's backs off from.
    pub fn by_function(
        &mut self,
        config: &Config,
        verdict: Verdict,
        initial_ms: Millis,
        cause: Cause,
    ) -> Plan {
        let mut plan = match verdict.action {
            VerdictAction::Permanent => Plan {
                decision: decision(DecisionKind::Permanent, None, self.retries, None, None),
                cause: Cause::PermanentClose,
            },
            VerdictAction::Limited(max) if self.retries >= max => Plan {
                decision: decision(DecisionKind::Limited, None, self.retries, Some(max), None),
                cause: Cause::RetriesExhausted,
            },
            VerdictAction::Limited(max) => {
                let mut plan = self.after_failure(config, initial_ms, DecisionKind::Limited, cause);
                if plan.decision.reconnect {
                    plan.decision.max_retries = Some(max);
                }
                plan
            }
            VerdictAction::Retry => {
                self.after_failure(config, initial_ms, DecisionKind::Retry, cause)
            }
        };
        if let (Some(ms), true) = (verdict.delay_ms, plan.decision.reconnect) {
            plan.decision.base_ms = Some(ms);
            plan.decision.delay_ms = Some(ms);
            self.last_ms = ms;
        }
        plan.decision.rule = Some(DecidedBy::Function);
        plan
    }

    /// The application closed the socket itself: nothing is counted.
    pub fn manual(&self, reconnect: bool) -> Decision {
        self.uncounted(DecisionKind::Manual, reconnect)
    }

    /// A close that is nobody's failure (the back/forward cache's): retry
    /// at once, and count nothing.
    pub fn free_retry(&self) -> Decision {
        self.uncounted(DecisionKind::Retry, true)
    }

    /// Nothing counted; a reconnect, if any, at once.
    fn uncounted(&self, kind: DecisionKind, reconnect: bool) -> Decision {
        let now = Delay {
            base_ms: 0,
            delay_ms: 0,
        };
        decision(kind, reconnect.then_some(now), self.retries, None, None)
    }

    /// Failures stop counting. Returns whether anything was counted.
    pub fn reset(&mut self) -> bool {
        let counted = self.retries != 0 || self.limited.iter().any(|&n| n != 0);
        self.retries = 0;
        self.limited.iter_mut().for_each(|n| *n = 0);
        counted
    }

    /// The application's fresh start (`tryRestart()`, `reconnect()` from
    /// `stopped`): limited rules get their budget back, and if the machine
    /// had given up, the backoff starts over too.
    pub fn restart(&mut self, gave_up: bool) {
        self.limited.iter_mut().for_each(|n| *n = 0);
        if gave_up {
            self.retries = 0;
        }
    }
}
