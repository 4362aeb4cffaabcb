//! What is simulated: the fleet's size, the server's restart and capacity,
//! the network, and each run's variant — a jitter strategy, with or without
//! the server's hint (one number or a window). Also the machine config each
//! client runs with.

use steadysocket::machine::{Backoff, Config, Jitter, Millis};

/// How the server ends every connection at t = 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Close {
    /// A clean close 1012 (Service Restart), reason `ServiceRestart`, with
    /// `; retry-after=S` or `; retry-after=LOW-HIGH` when the variant has a
    /// hint.
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

/// The server's `retry-after` hint in its 1012 close: one number
/// (`retry-after=10`: wait at least that long, spread upward by the
/// machine's jitter) or a window (`retry-after=10-60`: the machine draws its
/// wait uniformly from it, whatever its jitter strategy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hint {
    /// The hint's seconds (a window's low end), in ms.
    pub low_ms: Millis,
    /// A window's high end, in ms; equal to `low_ms` for one number.
    pub high_ms: Millis,
    /// An exploration: the server adds to each client's hint (both ends) an
    /// offset of its own drawn uniformly from `[0, stagger_ms)` — the
    /// spreading a server can do by itself for clients that only know one
    /// number (0: every client gets the same hint).
    pub stagger_ms: Millis,
}

impl Hint {
    /// `retry-after=S`, the same for every client.
    pub fn single(ms: Millis) -> Hint {
        Hint {
            low_ms: ms,
            high_ms: ms,
            stagger_ms: 0,
        }
    }

    /// `retry-after=LOW-HIGH`, the same for every client.
    pub fn window(low_ms: Millis, high_ms: Millis) -> Hint {
        Hint {
            low_ms,
            high_ms,
            stagger_ms: 0,
        }
    }

    /// Whether the reason carries a window rather than one number.
    pub fn is_window(&self) -> bool {
        self.high_ms > self.low_ms
    }

    /// What follows `retry-after=` for a client whose offset is `offset_ms`:
    /// `10`, `10.5`, `10-60`.
    pub fn wire(&self, offset_ms: Millis) -> String {
        let low = wire_secs(self.low_ms + offset_ms);
        if self.is_window() {
            format!("{low}-{}", wire_secs(self.high_ms + offset_ms))
        } else {
            low
        }
    }
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
    /// The strategy's name and what the server said, as it said it:
    /// `convex`, `convex + retry-after=10`, `convex + retry-after=10-60`,
    /// `convex + staggered retry-after=10…50`.
    pub fn label(&self) -> String {
        let name = strategy_name(self.strategy);
        match self.hint {
            None => name.to_owned(),
            Some(h) if h.stagger_ms == 0 => format!("{name} + retry-after={}", h.wire(0)),
            Some(h) => format!(
                "{name} + staggered retry-after={}…{}",
                h.wire(0),
                h.wire(h.stagger_ms)
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

/// Seconds as a close reason's hint writes them: `12`, `2.5`, `0.125`.
fn wire_secs(ms: Millis) -> String {
    let (s, frac) = (ms / 1000, ms % 1000);
    if frac == 0 {
        s.to_string()
    } else {
        format!("{s}.{frac:03}").trim_end_matches('0').to_owned()
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
                let offset = if h.stagger_ms == 0 {
                    0
                } else {
                    mix(self.seed ^ 0x5e4e_4e4e_4e4e_4e4e, u64::from(client)) % h.stagger_ms
                };
                let reason = format!("ServiceRestart; retry-after={}", h.wire(offset));
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
    use steadysocket::machine::{retry_after_ms, retry_window_ms};

    #[test]
    fn the_hint_in_the_reason_is_the_one_the_machine_reads() {
        let s = Scenario::default();
        let v = Variant {
            strategy: Jitter::Convex,
            hint: Some(Hint::single(10_000)),
        };
        let (code, reason, clean) = s.close_for(&v, 7);
        assert_eq!((code, clean), (1012, true));
        assert_eq!(reason, "ServiceRestart; retry-after=10");
        assert_eq!(retry_window_ms(&reason), Some((10_000, 10_000)));
        assert_eq!(v.label(), "convex + retry-after=10");

        let window = Variant {
            hint: Some(Hint::window(10_000, 60_000)),
            ..v
        };
        let reason = s.close_for(&window, 7).1;
        assert_eq!(reason, "ServiceRestart; retry-after=10-60");
        assert_eq!(retry_window_ms(&reason), Some((10_000, 60_000)));
        assert_eq!(window.label(), "convex + retry-after=10-60");

        let odd = Variant {
            hint: Some(Hint::window(2500, 7250)),
            ..v
        };
        let reason = s.close_for(&odd, 7).1;
        assert_eq!(reason, "ServiceRestart; retry-after=2.5-7.25");
        assert_eq!(retry_window_ms(&reason), Some((2500, 7250)));

        let staggered = Variant {
            hint: Some(Hint {
                stagger_ms: 50_000,
                ..Hint::single(10_000)
            }),
            ..v
        };
        assert_eq!(staggered.label(), "convex + staggered retry-after=10…60");
        let hints: Vec<u64> = (0..1000)
            .map(|i| retry_after_ms(&s.close_for(&staggered, i).1).unwrap())
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
