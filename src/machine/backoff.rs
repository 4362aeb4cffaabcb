//! Backoff arithmetic and the seedable random source behind its jitter.

use super::config::{Backoff, Jitter};
use super::millis::{ceil, floor, round, Millis};

/// SplitMix64: tiny, fast, and good enough for jitter. Seeded by the caller,
/// so the machine has no randomness of its own and tests are reproducible.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next value, uniform in `[0, 1)`.
    pub fn next_unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One planned wait: the un-jittered base and the jittered delay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delay {
    /// `min(initial × multiplier^retries, max)`, rounded to whole ms (with
    /// [`Jitter::Decorrelated`]: the upper bound of the draw).
    pub base_ms: Millis,
    /// The base with jitter applied, within the bounds [`Jitter`] gives.
    pub delay_ms: Millis,
}

/// The delay before attempt number `retries + 1`, given the first delay and
/// (for [`Jitter::Decorrelated`]) the previous wait.
pub fn delay(
    b: &Backoff,
    initial_ms: Millis,
    retries: u32,
    last_ms: Millis,
    rng: &mut Rng,
) -> Delay {
    let u = rng.next_unit();
    let max = b.max_ms as f64;
    if b.strategy == Jitter::Decorrelated {
        let initial = initial_ms as f64;
        let previous = if retries == 0 {
            initial
        } else {
            last_ms as f64
        };
        let low = initial.min(max);
        let high = (previous * 3.0).max(initial).min(max);
        return Delay {
            base_ms: high as Millis,
            delay_ms: round(low + u * (high - low)).min(high) as Millis,
        };
    }
    // Cap the exponent: 2^64 × anything is already far past any cap.
    let grown = initial_ms as f64 * powi(b.multiplier, retries.min(64));
    let base = round(grown.min(max));
    // max/min, not f64::clamp: its NaN assertion would pull float
    // formatting into the wasm.
    let delay = match b.strategy {
        Jitter::Full => round(base * u).min(base),
        Jitter::Equal => round(base / 2.0 + base / 2.0 * u).min(base),
        _ => {
            let low = ceil(base * (1.0 - b.jitter));
            let high = floor(base * (1.0 + b.jitter));
            let jittered = base * (1.0 + b.jitter * (2.0 * u - 1.0));
            round(jittered).max(low).min(high.max(low))
        }
    };
    Delay {
        base_ms: base as Millis,
        delay_ms: delay as Millis,
    }
}

/// `x` to the power `n`, by squaring: the multiplications, in the order,
/// of the `__powidf2` that `f64::powi` compiles to (which needs std).
fn powi(mut x: f64, mut n: u32) -> f64 {
    let mut y = if n % 2 == 1 { x } else { 1.0 };
    loop {
        n /= 2;
        if n == 0 {
            return y;
        }
        x *= x;
        if n % 2 == 1 {
            y *= x;
        }
    }
}
