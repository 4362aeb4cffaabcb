//! Time on the caller's clock.

/// Milliseconds on the caller's monotonic clock.
pub type Millis = u64;

/// The largest delay or timeout accepted: one day. Longer waits are almost
/// certainly a unit mistake (seconds for milliseconds, say).
pub const MAX_MS: Millis = 86_400_000;

// Rounding of the non-negative values the machine and the shell compute
// with (times, delays): `f64::floor`, `ceil` and `round` need std, which the
// package's wasm does not link. For 0 <= x < 2^53 these equal them.

/// The whole part of a non-negative `x` (`as` truncates toward zero).
pub fn floor(x: f64) -> f64 {
    x as u64 as f64
}

/// The least whole number >= a non-negative `x`.
pub fn ceil(x: f64) -> f64 {
    let whole = floor(x);
    if whole < x {
        whole + 1.0
    } else {
        whole
    }
}

/// A non-negative `x` rounded to the nearest whole number, halves up.
pub fn round(x: f64) -> f64 {
    let whole = floor(x);
    if x - whole >= 0.5 {
        whole + 1.0
    } else {
        whole
    }
}

#[cfg(test)]
mod tests {
    use super::{ceil, floor, round};

    #[test]
    fn floor_ceil_and_round_of_non_negative_values() {
        // (x, floor, ceil, round)
        for (x, f, c, r) in [
            (0.0, 0.0, 0.0, 0.0),
            (0.49, 0.0, 1.0, 0.0),
            (0.5, 0.0, 1.0, 1.0),
            (1.5, 1.0, 2.0, 2.0),
            (2.5, 2.0, 3.0, 3.0),
            (7.0, 7.0, 7.0, 7.0),
            (1234.4999, 1234.0, 1235.0, 1234.0),
            (1e15 + 0.5, 1e15, 1e15 + 1.0, 1e15 + 1.0),
        ] {
            assert_eq!((floor(x), ceil(x), round(x)), (f, c, r), "{x}");
        }
    }
}
