//! Time on the caller's clock.

/// Milliseconds on the caller's monotonic clock.
pub type Millis = u64;

/// The largest delay or timeout accepted: one day. Longer waits are almost
/// certainly a unit mistake (seconds for milliseconds, say).
pub const MAX_MS: Millis = 86_400_000;
