//! The machine's tunables, with the defaults of Convex's WebSocketManager, and
//! their validation.

use super::error::ConfigError;
use super::millis::{Millis, MAX_MS};
use super::outbox::OutboxLimits;
use super::policy::ClosePolicy;

/// How a wait is drawn from the backoff's base.
///
/// `base` is `min(initial × multiplier^retries, max)`; every delay lies
/// within the bounds given here (the property tests check them). The
/// strategies other than Convex's are the ones of the "Exponential Backoff
/// And Jitter" study on AWS's architecture blog; `bench/STORM.md` compares
/// them on a fleet's reconnect storm.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Jitter {
    /// Convex's: uniform in `[base × (1 − jitter), base × (1 + jitter)]`,
    /// rounded inward (default).
    #[default]
    Convex,
    /// Full jitter: uniform in `[0, base]`.
    Full,
    /// Equal jitter: uniform in `[⌈base / 2⌉, base]`.
    Equal,
    /// Decorrelated jitter: uniform in `[low, high]`, where `low` is
    /// `min(initial, max)` and `high` is `min(max, max(initial, 3 × the
    /// previous wait))` (`initial` in place of the previous wait on the first
    /// retry). The multiplier plays no part; the reported base is `high`.
    Decorrelated,
}

/// Exponential backoff: `min(initial × multiplier^retries, max)`, then jitter.
#[derive(Clone, Debug, PartialEq)]
pub struct Backoff {
    /// First delay after a close the policy does not classify (default 1000).
    pub initial_ms: Millis,
    /// First delay after a close the client itself decided on, such as an
    /// inactive server or a failed send (default 100): no evidence of a
    /// server problem, so retry quickly.
    pub client_initial_ms: Millis,
    /// Cap on the un-jittered delay (default 16 000).
    pub max_ms: Millis,
    /// Growth per consecutive failure (default 2).
    pub multiplier: f64,
    /// Relative jitter: the delay is drawn from `base × [1 − j, 1 + j)`
    /// (default 0.5, i.e. ±50 %) with [`Jitter::Convex`]. With any strategy,
    /// a server's `retry-after` hint is spread upward by this fraction.
    pub jitter: f64,
    /// How the wait is drawn (default [`Jitter::Convex`]).
    pub strategy: Jitter,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial_ms: 1000,
            client_initial_ms: 100,
            max_ms: 16_000,
            multiplier: 2.0,
            jitter: 0.5,
            strategy: Jitter::Convex,
        }
    }
}

/// When consecutive failures stop counting and the backoff starts again from
/// its initial delay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResetRule {
    /// Convex's rule: only when the application says it has synced past the
    /// last reconnect (`onMessage` returns `{ hasSyncedPastLastReconnect:
    /// true }`, or it calls `resetBackoff()`).
    App,
    /// On the first inbound message of a connection.
    FirstMessage,
    /// When a connection has stayed open this long.
    StableFor(Millis),
}

/// The client heartbeat: a ping when nothing was sent for a while, and a
/// deadline for its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Heartbeat {
    /// Send a ping when nothing has been sent for this long (default 30 000).
    pub interval_ms: Millis,
    /// Close and reconnect (`HeartbeatTimeout`) when the answer has not
    /// come this long after the ping (default 10 000).
    pub timeout_ms: Millis,
    /// Any inbound frame answers a ping, not only the configured pong.
    pub any_frame: bool,
}

impl Default for Heartbeat {
    fn default() -> Self {
        Heartbeat {
            interval_ms: 30_000,
            timeout_ms: 10_000,
            any_frame: false,
        }
    }
}

/// Everything the machine needs to know up front.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The backoff numbers.
    pub backoff: Backoff,
    /// Close the socket and reconnect after this long without an inbound frame
    /// (default 60 000; `None` disables it).
    pub inactivity_ms: Option<Millis>,
    /// Abandon a handshake that has not opened after this long and retry
    /// (`ConnectTimeout`; default `None`: the inactivity timeout, armed at
    /// the socket's creation, covers handshakes).
    pub connect_timeout_ms: Option<Millis>,
    /// Give up (go to `stopped`) after this many consecutive retries: the
    /// failure after the last allowed retry stops the machine (default
    /// `None`: retry forever, as Convex does).
    pub max_retries: Option<u32>,
    /// What each close code and reason means.
    pub policy: ClosePolicy,
    /// A close-policy function decides each close that is not the
    /// application's own ([`super::Action::Judge`]); the rules decide what it
    /// leaves undecided (default `false`).
    pub judge: bool,
    /// The longest wait a server's `retry-after` hint can ask for (default
    /// 300 000: five minutes).
    pub max_server_delay_ms: Millis,
    /// When the backoff resets.
    pub reset: ResetRule,
    /// The client heartbeat (`None`: no pings, and no probes either).
    pub heartbeat: Option<Heartbeat>,
    /// Deadline of the probe (a ping) sent when the page becomes visible, the
    /// network comes back or the machine wakes from sleep (default 2000).
    pub probe_timeout_ms: Millis,
    /// A timer that fires this much later than its deadline while the page is
    /// visible means the machine slept: probe or reconnect now (default 5000).
    pub wake_threshold_ms: Millis,
    /// While offline, a due reconnect waits for `online`, or this long after
    /// going offline (default 60 000).
    pub offline_ceiling_ms: Millis,
    /// Pause the socket while the page is hidden (default `true`). Either
    /// way the page's return probes the connection.
    pub pause_when_hidden: bool,
    /// Stop after the page has been hidden this long; restart when it is
    /// visible again (default `None`: never).
    pub stop_when_hidden_ms: Option<Millis>,
    /// Keep what the application sends while no socket can take it, and
    /// send it in order once one can (default `None`: refuse it).
    pub outbox: Option<OutboxLimits>,
    /// Seed of the jitter's random source.
    pub seed: u64,
    /// Produce [`super::Event::Verbose`] notes.
    pub verbose: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            backoff: Backoff::default(),
            inactivity_ms: Some(60_000),
            connect_timeout_ms: None,
            max_retries: None,
            policy: ClosePolicy::default(),
            judge: false,
            max_server_delay_ms: 300_000,
            reset: ResetRule::App,
            heartbeat: None,
            probe_timeout_ms: 2000,
            wake_threshold_ms: 5000,
            offline_ceiling_ms: 60_000,
            pause_when_hidden: true,
            stop_when_hidden_ms: None,
            outbox: None,
            seed: 0x5eed_5eed,
            verbose: false,
        }
    }
}

impl Config {
    /// Check every number; the first one out of range is reported.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let b = &self.backoff;
        let in_ms = |v: Millis, option: &'static str, min: Millis| {
            if v < min || v > MAX_MS {
                Err(ConfigError {
                    option,
                    expected: if min == 0 {
                        "must be between 0 and 86400000 ms"
                    } else {
                        "must be between 1 and 86400000 ms"
                    },
                })
            } else {
                Ok(())
            }
        };
        in_ms(b.initial_ms, "backoffInitialMs", 0)?;
        in_ms(b.client_initial_ms, "backoffClientInitialMs", 0)?;
        in_ms(b.max_ms, "backoffMaxMs", 0)?;
        if !(b.multiplier.is_finite() && (1.0..=100.0).contains(&b.multiplier)) {
            return Err(ConfigError {
                option: "backoffMultiplier",
                expected: "must be a number between 1 and 100",
            });
        }
        if !(b.jitter.is_finite() && (0.0..=1.0).contains(&b.jitter)) {
            return Err(ConfigError {
                option: "backoffJitter",
                expected: "must be a number between 0 and 1",
            });
        }
        if let Some(ms) = self.inactivity_ms {
            in_ms(ms, "inactivityTimeoutMs", 1)?;
        }
        if let Some(ms) = self.connect_timeout_ms {
            in_ms(ms, "connectTimeoutMs", 1)?;
        }
        if let ResetRule::StableFor(ms) = self.reset {
            in_ms(ms, "resetBackoff.afterMs", 1)?;
        }
        if let Some(h) = self.heartbeat {
            in_ms(h.interval_ms, "heartbeat.intervalMs", 1)?;
            in_ms(h.timeout_ms, "heartbeat.timeoutMs", 1)?;
        }
        in_ms(self.max_server_delay_ms, "maxServerDelayMs", 0)?;
        in_ms(self.probe_timeout_ms, "probeTimeoutMs", 1)?;
        in_ms(self.wake_threshold_ms, "wakeThresholdMs", 1)?;
        in_ms(self.offline_ceiling_ms, "offlineCeilingMs", 1)?;
        if let Some(ms) = self.stop_when_hidden_ms {
            in_ms(ms, "stopWhenHiddenMs", 0)?;
        }
        if let Some(ms) = self.outbox.and_then(|o| o.ttl_ms) {
            in_ms(ms, "outbox.ttlMs", 0)?;
        }
        self.policy.validate()
    }
}
