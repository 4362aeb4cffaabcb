//! The server's say in the backoff: a close reason that carries
//! `retry-after=<seconds>` asks for at least that long a wait, and one that
//! carries `retry-after=<low>-<high>` for a wait drawn from that window — a
//! restarting server that knows how many clients it has and how many
//! handshakes a second it takes can spread them over the time it needs
//! (`bench/STORM.md` measures what that saves).
//!
//! The hint is found anywhere in the reason, its name in any case, with `=`
//! or `:` and optional spaces before the number; the seconds may have a
//! fraction (`retry-after=2.5`). Anything else is no hint; a window whose
//! high end is below its low end is its low end alone. The parse walks the
//! bytes without slicing, so it has no panicking path.

use super::millis::Millis;

const NAME: &[u8] = b"retry-after";

/// The wait a close reason asks for at least, in ms, if it carries a hint.
pub fn retry_after_ms(reason: &str) -> Option<Millis> {
    retry_window_ms(reason).map(|(low, _)| low)
}

/// The window a close reason's hint asks the wait to be drawn from, in ms
/// (`low == high` for a single number), if it carries one.
pub fn retry_window_ms(reason: &str) -> Option<(Millis, Millis)> {
    let bytes = reason.as_bytes();
    (0..bytes.len()).find_map(|start| {
        let rest = bytes.get(start..)?;
        let after = rest.get(NAME.len()..)?;
        if !rest
            .iter()
            .zip(NAME)
            .all(|(a, b)| a.to_ascii_lowercase() == *b)
        {
            return None;
        }
        window(after)
    })
}

/// `[ ]* (= | :) [ ]* seconds [- seconds]` at the start of `s`, in ms. (A
/// plain loop over `get`: iterator adapters cost the wasm half a KB.)
fn window(s: &[u8]) -> Option<(Millis, Millis)> {
    let mut i = 0;
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    while at(i) == b' ' {
        i += 1;
    }
    if !matches!(at(i), b'=' | b':') {
        return None;
    }
    i += 1;
    while at(i) == b' ' {
        i += 1;
    }
    let (low, i) = seconds(s, i)?;
    let high = match at(i) {
        b'-' => seconds(s, i + 1).map_or(low, |(high, _)| high.max(low)),
        _ => low,
    };
    Some((low, high))
}

/// `digits [. digits]` at `s[i..]`, in ms, and where it ends.
fn seconds(s: &[u8], mut i: usize) -> Option<(Millis, usize)> {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let start = i;
    let mut secs: Millis = 0;
    while at(i).is_ascii_digit() {
        secs = secs
            .saturating_mul(10)
            .saturating_add(Millis::from(at(i) - b'0'));
        i += 1;
    }
    if i == start {
        return None;
    }
    let mut ms = secs.saturating_mul(1000);
    if at(i) == b'.' {
        // Tenths, hundredths and thousandths of a second; finer is ignored.
        let mut scale = 100;
        i += 1;
        while at(i).is_ascii_digit() {
            ms = ms.saturating_add(Millis::from(at(i) - b'0') * scale);
            scale /= 10;
            i += 1;
        }
    }
    Some((ms, i))
}

#[cfg(test)]
mod tests {
    use super::{retry_after_ms, retry_window_ms};

    #[test]
    fn finds_the_hint_in_its_forms() {
        assert_eq!(retry_after_ms("retry-after=5"), Some(5000));
        assert_eq!(retry_after_ms("Overloaded; Retry-After: 30"), Some(30_000));
        assert_eq!(retry_after_ms("RETRY-AFTER = 2.5s"), Some(2500));
        assert_eq!(retry_after_ms("retry-after=0.125"), Some(125));
        assert_eq!(retry_after_ms("retry-after=1.23456"), Some(1234));
        assert_eq!(retry_after_ms("x retry-after y retry-after=7"), Some(7000));
    }

    #[test]
    fn a_window_is_two_numbers_joined_by_a_dash() {
        assert_eq!(retry_window_ms("retry-after=10-60"), Some((10_000, 60_000)));
        assert_eq!(
            retry_window_ms("ServiceRestart; Retry-After: 2.5-7.25 s"),
            Some((2500, 7250))
        );
        assert_eq!(retry_after_ms("retry-after=10-60"), Some(10_000));
        // One number is a window of its own; a backward or broken one is
        // its low end.
        assert_eq!(retry_window_ms("retry-after=5"), Some((5000, 5000)));
        assert_eq!(retry_window_ms("retry-after=60-10"), Some((60_000, 60_000)));
        assert_eq!(retry_window_ms("retry-after=10-"), Some((10_000, 10_000)));
        assert_eq!(retry_window_ms("retry-after=10-x"), Some((10_000, 10_000)));
    }

    #[test]
    fn anything_else_is_no_hint() {
        for reason in [
            "",
            "retry-after",
            "retry-after=",
            "retry-after=x5",
            "retry-after 5",
            "retry-afte=5",
            "TryAgainLater",
            "retry-after=-5",
        ] {
            assert_eq!(retry_after_ms(reason), None, "{reason:?}");
        }
    }

    #[test]
    fn huge_numbers_saturate() {
        assert_eq!(
            retry_after_ms("retry-after=99999999999999999999999"),
            Some(u64::MAX)
        );
    }
}
