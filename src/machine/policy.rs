//! The close policy: what a close code and reason mean for reconnecting.
//!
//! A policy is an ordered list of rules; the first rule whose codes and reason
//! prefix both match a close decides. A close no rule matches is retried with
//! the backoff's `initial_ms`. The default list makes 4003 (unauthorized)
//! permanent, retries 4001 (session not found) at most three times, carries
//! Convex's table of server error reasons and their first delays, and last
//! retries 1013 (Try Again Later) from five seconds. Whatever the rules
//! decide, a reason with a `retry-after` hint can lengthen the wait
//! ([`super::hint`]).

use super::error::ConfigError;
use super::millis::{Millis, MAX_MS};
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// What a matching rule does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleAction {
    /// Never retry: the machine goes to `stopped` and reports why.
    Permanent,
    /// Retry at most `max_retries` consecutive times, then stop.
    Limited {
        /// How many consecutive closes of this rule are retried.
        max_retries: u32,
        /// The first delay; it grows with the backoff's multiplier.
        initial_ms: Millis,
    },
    /// Retry with the usual backoff, starting from this delay.
    Retry {
        /// The first delay (`None`: the backoff's `initial_ms`).
        initial_ms: Option<Millis>,
    },
}

/// What the close-policy function decided about one close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Retry, never, or a limited number of times.
    pub action: VerdictAction,
    /// The wait before the reconnect, exactly (`None`: the backoff's).
    pub delay_ms: Option<Millis>,
}

/// The function's action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerdictAction {
    /// Retry (within `maxRetries`, if set).
    Retry,
    /// Never retry: stop.
    Permanent,
    /// Retry while fewer than this many consecutive failures were counted.
    Limited(u32),
}

/// One rule. Empty `codes` matches every code; `None` prefix every reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseRule {
    /// Inclusive ranges of close codes.
    pub codes: Vec<(u16, u16)>,
    /// The reason must start with this.
    pub reason_prefix: Option<String>,
    /// What a match means.
    pub action: RuleAction,
}

impl CloseRule {
    /// Whether this rule matches a close.
    pub fn matches(&self, code: u16, reason: &str) -> bool {
        let code_ok =
            self.codes.is_empty() || self.codes.iter().any(|&(lo, hi)| lo <= code && code <= hi);
        let reason_ok = match &self.reason_prefix {
            Some(p) => reason.starts_with(p.as_str()),
            None => true,
        };
        code_ok && reason_ok
    }
}

/// An ordered list of rules; the first match wins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosePolicy {
    /// The rules, in order.
    pub rules: Vec<CloseRule>,
}

/// Convex's server error reasons and the first delay each calls for.
pub const SERVER_ERROR_DELAYS: &[(&str, Millis)] = &[
    // A known error, e.g. during a restart or push.
    ("InternalServerError", 1000),
    // Overloaded: really back off.
    ("SubscriptionsWorkerFullError", 3000),
    ("TooManyConcurrentRequests", 3000),
    ("CommitterFullError", 3000),
    ("AwsTooManyRequestsException", 3000),
    ("ExecuteFullError", 3000),
    ("SystemTimeoutError", 3000),
    ("ExpiredInQueue", 3000),
    // Temporarily unavailable, typically right after a deploy.
    ("VectorIndexesUnavailable", 1000),
    ("SearchIndexesUnavailable", 1000),
    ("TableSummariesUnavailable", 1000),
    // Overloaded again.
    ("VectorIndexTooLarge", 3000),
    ("SearchIndexTooLarge", 3000),
    ("TooManyWritesInTimePeriod", 3000),
];

/// Close code for "unauthorized": permanent by default.
pub const CODE_UNAUTHORIZED: u16 = 4003;
/// Close code for "session not found": retried at most three times by default.
pub const CODE_SESSION_NOT_FOUND: u16 = 4001;
/// Close code 1013, "Try Again Later": retried from [`TRY_AGAIN_LATER_MS`]
/// by default.
pub const CODE_TRY_AGAIN_LATER: u16 = 1013;
/// The first delay after a 1013 close, by default.
pub const TRY_AGAIN_LATER_MS: Millis = 5000;

impl Default for ClosePolicy {
    fn default() -> Self {
        let mut rules = vec![
            CloseRule {
                codes: vec![(CODE_UNAUTHORIZED, CODE_UNAUTHORIZED)],
                reason_prefix: None,
                action: RuleAction::Permanent,
            },
            CloseRule {
                codes: vec![(CODE_SESSION_NOT_FOUND, CODE_SESSION_NOT_FOUND)],
                reason_prefix: None,
                action: RuleAction::Limited {
                    max_retries: 3,
                    initial_ms: 2000,
                },
            },
        ];
        rules.extend(SERVER_ERROR_DELAYS.iter().map(|&(prefix, ms)| CloseRule {
            codes: Vec::new(),
            reason_prefix: Some(prefix.to_owned()),
            action: RuleAction::Retry {
                initial_ms: Some(ms),
            },
        }));
        // Last, so that a reason the rules above know decides first.
        rules.push(CloseRule {
            codes: vec![(CODE_TRY_AGAIN_LATER, CODE_TRY_AGAIN_LATER)],
            reason_prefix: None,
            action: RuleAction::Retry {
                initial_ms: Some(TRY_AGAIN_LATER_MS),
            },
        });
        ClosePolicy { rules }
    }
}

impl ClosePolicy {
    /// The index of the first rule matching a close.
    pub fn classify(&self, code: u16, reason: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.matches(code, reason))
    }

    /// Check every rule.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for rule in &self.rules {
            if rule.codes.is_empty() && rule.reason_prefix.is_none() {
                return Err(ConfigError {
                    option: "closePolicy",
                    expected: "rules need `codes` or `reasonPrefix`",
                });
            }
            if rule
                .codes
                .iter()
                .any(|&(lo, hi)| lo > hi || lo < 1000 || hi > 4999)
            {
                return Err(ConfigError {
                    option: "closePolicy",
                    expected:
                        "codes must be close codes between 1000 and 4999 (ranges low to high)",
                });
            }
            let initial = match rule.action {
                RuleAction::Limited { initial_ms, .. } => Some(initial_ms),
                RuleAction::Retry { initial_ms } => initial_ms,
                RuleAction::Permanent => None,
            };
            if initial.is_some_and(|ms| ms > MAX_MS) {
                return Err(ConfigError {
                    option: "closePolicy",
                    expected: "initialMs must be between 0 and 86400000 ms",
                });
            }
        }
        Ok(())
    }
}
