//! What is simulated: the fleet's size, the server's restart and capacity,
//! the network, and each run's variant — a jitter strategy, with or without
//! the server's hint. Also the machine config each client runs with.

use steadysocket::machine::{Backoff, Config, Jitter, Millis};

/// How the server ends every connection at t = 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Close {
    /// A clean close 1012 (Service Restart), reason `ServiceRestart`, with
    /// `; retry-after=S` when the variant has a hint.
    Restart,
    /// The TCP connection drops: 1006, not clean, no reason (so no hint).
    Drop,
}

impl Close {
    /// The close code the browser reports.
    pub fn code(self) -> u16 {
        match self {
            Close::Restart => 1012,
            Close::Drop => 1006,
        }
    }
}

/// The server's `retry-after` hint in its 1012 close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hint {
    /// The hint's seconds, in ms.
    pub after_ms: Millis,
    /// An exploration: the server adds to each client's hint an offset of
    /// its own drawn uniformly from `[0, window_ms)` (0: every client gets
    /// the same hint).
    pub window_ms: Millis,
}

/// One run's variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variant {
    /// How the machine draws its waits.
    pub strategy: Jitter,
    /// The server's hint, if any (only with [`Close::Restart`]).
    pub hint: Option<Hint>,
}

impl Variant {
    /// `convex`, `full`, … with the hint, if any: `convex + hint 10 s`.
    pub fn label(&self) -> String {
        let name = strategy_name(self.strategy);
        match self.hint {
            None => name.to_owned(),
            Some(h) if h.window_ms == 0 => format!("{name} + hint {}", secs(h.after_ms)),
            Some(h) => format!(
                "{name} + hint {}…{}",
                secs(h.after_ms),
                secs(h.after_ms + h.window_ms)
            ),
        }
    }
}

/// Every strategy, in the order the tables list them.
pub const STRATEGIES: [Jitter; 4] = [
    Jitter::Convex,
    Jitter::Full,
    Jitter::Equal,
    Jitter::Decorrelated,
];

/// The strategy's name on the command line and in the tables.
pub fn strategy_name(s: Jitter) -> &'static str {
    match s {
        Jitter::Convex => "convex",
        Jitter::Full => "full",
        Jitter::Equal => "equal",
        Jitter::Decorrelated => "decorrelated",
    }
}

/// The strategy a name stands for.
pub fn parse_strategy(name: &str) -> Option<Jitter> {
    STRATEGIES.into_iter().find(|&s| strategy_name(s) == name)
}

/// `12 s`, `2.5 s`.
fn secs(ms: Millis) -> String {
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{} s", ms as f64 / 1000.0)
    }
}

/// Everything but the variant.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// How many clients.
    pub clients: u32,
    /// How long the server is down after t = 0.
    pub down_ms: Millis,
    /// Handshakes the server accepts per second once up.
    pub rate: u32,
    /// The token bucket's size, in handshakes.
    pub burst: u32,
    /// A handshake's round trip.
    pub rtt_ms: Millis,
    /// How the connections end at t = 0.
    pub close: Close,
    /// The simulation stops here.
    pub horizon_ms: Millis,
    /// The run's seed, from which every client's is derived.
    pub seed: u64,
    /// The machine's backoff numbers (the strategy is the variant's).
    pub backoff: Backoff,
}

impl Default for Scenario {
    /// The target scenario: 100 000 clients, down 10 s, 2 000 handshakes a
    /// second (bursts of 200), 50 ms round trips, a 1012 close, 5 minutes.
    fn default() -> Self {
        Scenario {
            clients: 100_000,
            down_ms: 10_000,
            rate: 2000,
            burst: 200,
            rtt_ms: 50,
            close: Close::Restart,
            horizon_ms: 300_000,
            seed: 1,
            backoff: Backoff::default(),
        }
    }
}

impl Scenario {
    /// The ideal time to have everyone back, `D + N/C`, in ms.
    pub fn ideal_ms(&self) -> f64 {
        self.down_ms as f64 + f64::from(self.clients) * 1000.0 / f64::from(self.rate)
    }

    /// The config every client of `variant` runs with (its seed is set per
    /// client). Inactivity timeout off: see the crate's docs.
    pub fn config(&self, variant: &Variant) -> Config {
        Config {
            backoff: Backoff {
                strategy: variant.strategy,
                ..self.backoff.clone()
            },
            inactivity_ms: None,
            ..Config::default()
        }
    }

    /// The close the client sees at t = 0: code, reason, clean.
    pub fn close_for(&self, variant: &Variant, client: u32) -> (u16, String, bool) {
        match (self.close, variant.hint) {
            (Close::Drop, _) => (1006, String::new(), false),
            (Close::Restart, None) => (1012, "ServiceRestart".to_owned(), true),
            (Close::Restart, Some(h)) => {
                let offset = if h.window_ms == 0 {
                    0
                } else {
                    mix(self.seed ^ 0x5e4e_4e4e_4e4e_4e4e, u64::from(client)) % h.window_ms
                };
                let ms = h.after_ms + offset;
                let reason = format!("ServiceRestart; retry-after={}.{:03}", ms / 1000, ms % 1000);
                (1012, reason, true)
            }
        }
    }
}

/// The seed of client `i`'s machine.
pub fn client_seed(seed: u64, i: u32) -> u64 {
    mix(seed, u64::from(i))
}

/// SplitMix64's finaliser over the pair: distinct, well-spread values.
fn mix(seed: u64, i: u64) -> u64 {
    let mut z = seed
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .wrapping_add(i.wrapping_add(1).wrapping_mul(0xd1b5_4a32_d192_ed03));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use steadysocket::machine::retry_after_ms;

    #[test]
    fn the_hint_in_the_reason_is_the_one_the_machine_reads() {
        let s = Scenario::default();
        let v = Variant {
            strategy: Jitter::Convex,
            hint: Some(Hint {
                after_ms: 10_000,
                window_ms: 0,
            }),
        };
        let (code, reason, clean) = s.close_for(&v, 7);
        assert_eq!((code, clean), (1012, true));
        assert_eq!(retry_after_ms(&reason), Some(10_000));
        let spread = Variant {
            hint: Some(Hint {
                after_ms: 10_000,
                window_ms: 50_000,
            }),
            ..v
        };
        let hints: Vec<u64> = (0..1000)
            .map(|i| retry_after_ms(&s.close_for(&spread, i).1).unwrap())
            .collect();
        assert!(hints.iter().all(|&h| (10_000..60_000).contains(&h)));
        assert!(hints.iter().any(|&h| h < 15_000) && hints.iter().any(|&h| h > 55_000));
    }

    #[test]
    fn every_client_has_a_seed_of_its_own() {
        let mut seeds: Vec<u64> = (0..100_000).map(|i| client_seed(1, i)).collect();
        seeds.sort_unstable();
        seeds.dedup();
        assert_eq!(seeds.len(), 100_000);
    }
}
