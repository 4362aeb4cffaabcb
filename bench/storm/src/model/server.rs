//! The restarting server: down for a while, then a token bucket in front of
//! its handshakes.
//!
//! Tokens are counted in thousandths of a handshake, so that a rate of C
//! handshakes per second refills exactly C thousandths per millisecond:
//! integer arithmetic, no drift.

use steadysocket::machine::Millis;

/// One handshake, in the bucket's units.
const UNIT: u64 = 1000;

/// What the server does with a handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Nobody listens yet: the connection fails.
    Down,
    /// Over capacity: refused (an overloaded server's 503).
    Refused,
    /// Accepted: the socket opens.
    Accepted,
}

/// The server's side of the storm.
#[derive(Clone, Debug)]
pub struct Server {
    up_at: Millis,
    rate: u64,
    capacity: u64,
    tokens: u64,
    last: Millis,
}

impl Server {
    /// A server that is up from `up_at`, then accepts `rate` handshakes a
    /// second with bursts of at most `burst` (its bucket starts full).
    pub fn new(up_at: Millis, rate: u32, burst: u32) -> Server {
        let capacity = u64::from(burst.max(1)) * UNIT;
        Server {
            up_at,
            rate: u64::from(rate),
            capacity,
            tokens: capacity,
            last: up_at,
        }
    }

    /// A handshake reaches the server at `at` (never earlier than the one
    /// before: the event queue is ordered by time).
    pub fn handshake(&mut self, at: Millis) -> Verdict {
        if at < self.up_at {
            return Verdict::Down;
        }
        let elapsed = at.saturating_sub(self.last);
        self.last = self.last.max(at);
        self.tokens = self
            .tokens
            .saturating_add(elapsed.saturating_mul(self.rate))
            .min(self.capacity);
        if self.tokens >= UNIT {
            self.tokens -= UNIT;
            Verdict::Accepted
        } else {
            Verdict::Refused
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Server, Verdict};

    #[test]
    fn down_then_a_burst_then_the_rate() {
        let mut s = Server::new(1000, 10, 2);
        assert_eq!(s.handshake(999), Verdict::Down);
        assert_eq!(s.handshake(1000), Verdict::Accepted);
        assert_eq!(s.handshake(1000), Verdict::Accepted);
        assert_eq!(s.handshake(1000), Verdict::Refused);
        // 10 a second: one every 100 ms.
        assert_eq!(s.handshake(1099), Verdict::Refused);
        assert_eq!(s.handshake(1100), Verdict::Accepted);
        assert_eq!(s.handshake(1150), Verdict::Refused);
        // Idle for long: the bucket holds the burst, no more.
        assert_eq!(s.handshake(9000), Verdict::Accepted);
        assert_eq!(s.handshake(9000), Verdict::Accepted);
        assert_eq!(s.handshake(9000), Verdict::Refused);
    }
}
