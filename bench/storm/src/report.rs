//! From outcomes to numbers, and from numbers to markdown.
//!
//! Every client lost its connection at t = 0, so a client's downtime is the
//! time it was back: the "back" quantiles are the downtime's p50, p99 and
//! max. A client not back by the horizon counts as never back (its
//! quantiles read `—`, and it is excluded from the mean downtime).

use std::fmt::Write;

use steadysocket::machine::Millis;

use crate::fleet::Outcome;
use crate::scenario::{strategy_name, Close, Scenario, Variant};

/// The target: 99 % back within this multiple of the ideal `D + N/C`…
pub const TARGET_TIME: f64 = 1.25;
/// …with fewer attempts per client than this, on average.
pub const TARGET_ATTEMPTS: f64 = 3.0;

/// One run's numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// The variant that ran.
    pub variant: Variant,
    /// The variant's label (and the run's note, if any).
    pub label: String,
    /// How many clients were back by the horizon.
    pub back: usize,
    /// How many clients.
    pub clients: usize,
    /// When 50 %, 99 % and all of the clients were back.
    pub t50: Option<Millis>,
    /// See `t50`.
    pub t99: Option<Millis>,
    /// See `t50`.
    pub t100: Option<Millis>,
    /// Handshakes per client: mean, p99, max.
    pub attempts_mean: f64,
    /// See `attempts_mean`.
    pub attempts_p99: u32,
    /// See `attempts_mean`.
    pub attempts_max: u32,
    /// Handshakes per client that failed while the server was down (mean).
    pub down_mean: f64,
    /// Handshakes per client refused over capacity (mean).
    pub refused_mean: f64,
    /// Handshakes begun in the busiest second.
    pub peak_per_s: u32,
    /// Handshakes begun in the busiest second once the server was up.
    pub peak_up_per_s: u32,
    /// Mean downtime of the clients that were back, in ms.
    pub downtime_mean_ms: Option<f64>,
    /// Wall time of the run, in seconds.
    pub wall_s: f64,
    /// Resident memory at the run's end, in MiB.
    pub rss_mib: Option<f64>,
}

impl Summary {
    /// The numbers of one outcome.
    pub fn of(s: &Scenario, o: &Outcome) -> Summary {
        let n = o.clients.len();
        let mut back: Vec<Millis> = o.clients.iter().filter_map(|c| c.back_at).collect();
        back.sort_unstable();
        // Nearest rank; a client not back is later than any that is.
        let back_q = |q: f64| back.get(rank(q, n)).copied();
        let mut attempts: Vec<u32> = o.clients.iter().map(|c| c.attempts).collect();
        attempts.sort_unstable();
        let mean = |f: &dyn Fn(&crate::fleet::ClientRecord) -> u32| {
            o.clients.iter().map(|c| f64::from(f(c))).sum::<f64>() / n.max(1) as f64
        };
        let up_bin = s.down_ms.div_ceil(1000) as usize;
        Summary {
            variant: o.variant,
            label: o.variant.label(),
            back: back.len(),
            clients: n,
            t50: back_q(0.50),
            t99: back_q(0.99),
            t100: back_q(1.0),
            attempts_mean: mean(&|c| c.attempts),
            attempts_p99: attempts.get(rank(0.99, n)).copied().unwrap_or(0),
            attempts_max: attempts.last().copied().unwrap_or(0),
            down_mean: mean(&|c| c.down),
            refused_mean: mean(&|c| c.refused),
            peak_per_s: o.attempts_per_s.iter().copied().max().unwrap_or(0),
            peak_up_per_s: o
                .attempts_per_s
                .iter()
                .skip(up_bin)
                .copied()
                .max()
                .unwrap_or(0),
            downtime_mean_ms: (!back.is_empty())
                .then(|| back.iter().map(|&t| t as f64).sum::<f64>() / back.len() as f64),
            wall_s: o.wall.as_secs_f64(),
            rss_mib: o.rss_kib.map(|k| k as f64 / 1024.0),
        }
    }

    /// 99 % back within [`TARGET_TIME`] × the ideal, with fewer than
    /// [`TARGET_ATTEMPTS`] attempts per client.
    pub fn meets_target(&self, s: &Scenario) -> bool {
        self.t99
            .is_some_and(|t| t as f64 <= TARGET_TIME * s.ideal_ms())
            && self.attempts_mean < TARGET_ATTEMPTS
    }
}

/// The index of the `q` quantile among `n` sorted values (nearest rank).
fn rank(q: f64, n: usize) -> usize {
    ((q * n as f64).ceil() as usize).clamp(1, n.max(1)) - 1
}

/// `61.3 s (1.02×)`, or `—` for never.
fn time_cell(t: Option<Millis>, ideal_ms: f64) -> String {
    match t {
        Some(t) => format!("{:.1} s ({:.2}×)", t as f64 / 1000.0, t as f64 / ideal_ms),
        None => "—".to_owned(),
    }
}

/// The scenario's parameters, as a list.
pub fn parameters(s: &Scenario) -> String {
    let close = match s.close {
        Close::Restart => "clean close 1012 `ServiceRestart`",
        Close::Drop => "TCP drop (1006, not clean)",
    };
    let b = &s.backoff;
    format!(
        "- {} clients, all connected, lose their connection at t = 0: {close}\n\
         - server down for {} s, then at most {} handshakes/s (token bucket, burst {}); \
         over capacity a handshake is refused (1006 without open)\n\
         - RTT {} ms; horizon {} s; seed {}\n\
         - machine: backoff initial {} ms, max {} ms, multiplier {}, jitter {}; \
         inactivity timeout off\n\
         - ideal D + N/C = {:.1} s\n",
        s.clients,
        s.down_ms as f64 / 1000.0,
        s.rate,
        s.burst,
        s.rtt_ms,
        s.horizon_ms / 1000,
        s.seed,
        b.initial_ms,
        b.max_ms,
        b.multiplier,
        b.jitter,
        s.ideal_ms() / 1000.0,
    )
}

/// The comparison table.
pub fn table(s: &Scenario, rows: &[Summary]) -> String {
    let ideal = s.ideal_ms();
    let rate = f64::from(s.rate);
    let mut t = String::from(
        "| run | 50 % back | 99 % back | 100 % back | attempts/client mean · p99 · max \
         | failed while down · refused (mean) | peak attempts/s (×C) | peak once up (×C) \
         | mean downtime | target | wall | RSS |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let back = if r.back == r.clients {
            time_cell(r.t100, ideal)
        } else {
            format!("— ({} not back)", r.clients - r.back)
        };
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {:.2} · {} · {} | {:.2} · {:.2} | {} ({:.1}×) | {} ({:.1}×) \
             | {} | {} | {:.2} s | {} |",
            r.label,
            time_cell(r.t50, ideal),
            time_cell(r.t99, ideal),
            back,
            r.attempts_mean,
            r.attempts_p99,
            r.attempts_max,
            r.down_mean,
            r.refused_mean,
            r.peak_per_s,
            f64::from(r.peak_per_s) / rate,
            r.peak_up_per_s,
            f64::from(r.peak_up_per_s) / rate,
            r.downtime_mean_ms
                .map_or("—".to_owned(), |m| format!("{:.1} s", m / 1000.0)),
            if r.meets_target(s) { "yes" } else { "no" },
            r.wall_s,
            r.rss_mib.map_or("—".to_owned(), |m| format!("{m:.0} MiB")),
        );
    }
    t
}

/// Which runs meet the target, or the best one and where its attempts went.
pub fn verdict(s: &Scenario, rows: &[Summary]) -> String {
    let limit = TARGET_TIME * s.ideal_ms() / 1000.0;
    let mut v = format!(
        "Target: 99 % back within {TARGET_TIME}× the ideal ({limit:.1} s) with fewer than \
         {TARGET_ATTEMPTS} attempts per client on average.\n\n"
    );
    let met: Vec<&str> = rows
        .iter()
        .filter(|r| r.meets_target(s))
        .map(|r| r.label.as_str())
        .collect();
    if met.is_empty() {
        v.push_str("Met by none.");
    } else {
        let _ = write!(v, "Met by: {}.", met.join(", "));
    }
    let best = best(s, rows.iter());
    if let Some(b) = best {
        let _ = write!(
            v,
            " Best: **{}** — 99 % back at {}, {:.2} attempts per client: \
             {:.2} failed while the server was down, {:.2} refused over capacity, and the \
             one that succeeded ({:.2}).",
            b.label,
            time_cell(b.t99, s.ideal_ms()),
            b.attempts_mean,
            b.down_mean,
            b.refused_mean,
            b.attempts_mean - b.down_mean - b.refused_mean,
        );
    }
    v.push('\n');
    v
}

/// Among the runs that are 99 % back within the target's time, the fewest
/// attempts; if none is, the earliest 99 %.
fn best<'a>(s: &Scenario, rows: impl Iterator<Item = &'a Summary>) -> Option<&'a Summary> {
    let limit = TARGET_TIME * s.ideal_ms();
    let rows: Vec<&Summary> = rows.collect();
    let in_time = rows
        .iter()
        .filter(|r| r.t99.is_some_and(|t| t as f64 <= limit))
        .min_by(|a, b| a.attempts_mean.total_cmp(&b.attempts_mean));
    in_time
        .or_else(|| rows.iter().min_by_key(|r| r.t99.unwrap_or(Millis::MAX)))
        .copied()
}

/// `1.02` or `1.01–1.03`, from the smallest and largest value.
fn range(values: impl Iterator<Item = f64>, digits: usize) -> String {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let (lo, hi) = (format!("{lo:.digits$}"), format!("{hi:.digits$}"));
    if lo == hi {
        lo
    } else {
        format!("{lo}–{hi}")
    }
}

/// What the row's server said: `retry-after=10-60` (empty without a hint).
fn hint_of(r: &Summary) -> String {
    r.variant
        .hint
        .map_or_else(String::new, |h| format!("retry-after={}", h.wire(0)))
}

/// Which configuration to use, from runs that include the server's window
/// hint and no hint at all (and, if there, one shared number): the window's
/// numbers across strategies, the best strategy without a hint, and the
/// best with the single number. `None` if the rows lack either.
pub fn recommendation(s: &Scenario, rows: &[Summary]) -> Option<String> {
    let unstaggered = |r: &&Summary| r.variant.hint.is_none_or(|h| h.stagger_ms == 0);
    let window: Vec<&Summary> = rows
        .iter()
        .filter(unstaggered)
        .filter(|r| r.variant.hint.is_some_and(|h| h.is_window()))
        .collect();
    let no_hint = best(s, rows.iter().filter(|r| r.variant.hint.is_none()))?;
    let first = window.first()?;
    let ideal = s.ideal_ms();
    let sized = first.variant.hint.is_some_and(|h| {
        h.low_ms == s.down_ms && h.high_ms as f64 == ideal.round() && h.is_window()
    }) && window.iter().all(|r| r.variant.hint == first.variant.hint);
    let said = hint_of(first);
    let mut v = String::from("**Recommended.** ");
    if sized {
        let _ = write!(
            v,
            "A server restarting N clients at capacity C closes with \
             `retry-after=D-(D+N/C)` (here `{said}`): "
        );
    } else {
        let _ = write!(v, "A server that closes with a window hint (`{said}`): ");
    }
    let strategies = if window.len() == 1 {
        format!("with {}", strategy_name(first.variant.strategy))
    } else if window.iter().all(|r| r.meets_target(s)) {
        "with any strategy".to_owned()
    } else {
        let met: Vec<&str> = window
            .iter()
            .filter(|r| r.meets_target(s))
            .map(|r| strategy_name(r.variant.strategy))
            .collect();
        if met.is_empty() {
            "with no strategy meeting the target".to_owned()
        } else {
            format!("meeting the target with {} only", met.join(", "))
        }
    };
    let _ = write!(
        v,
        "{} attempts per client, 99 % back at {}× the ideal, {strategies}. ",
        range(window.iter().map(|r| r.attempts_mean), 2),
        range(
            window
                .iter()
                .map(|r| r.t99.map_or(f64::INFINITY, |t| t as f64 / ideal)),
            2
        ),
    );
    let unhinted = rows.iter().filter(|r| r.variant.hint.is_none()).count();
    let _ = write!(
        v,
        "Without a server hint (a TCP drop, or a close without one), {}: \
         {:.2} attempts per client, 99 % back at {}.",
        if unhinted > 1 {
            format!(
                "the best strategy (fewest attempts among those in time) is **{}**",
                strategy_name(no_hint.variant.strategy)
            )
        } else {
            format!("**{}**", strategy_name(no_hint.variant.strategy))
        },
        no_hint.attempts_mean,
        time_cell(no_hint.t99, ideal),
    );
    let single = best(
        s,
        rows.iter()
            .filter(unstaggered)
            .filter(|r| r.variant.hint.is_some_and(|h| !h.is_window())),
    );
    if let Some(b) = single {
        let _ = write!(
            v,
            " One shared `{}` only moves the stampede to the moment it names: at \
             best **{}**, {:.2} attempts per client, 99 % back at {}.",
            hint_of(b),
            strategy_name(b.variant.strategy),
            b.attempts_mean,
            time_cell(b.t99, ideal),
        );
    }
    v.push('\n');
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Hint;
    use steadysocket::machine::Jitter;

    fn row(strategy: Jitter, hint: Option<Hint>, t99: Millis, attempts: f64) -> Summary {
        let variant = Variant { strategy, hint };
        Summary {
            variant,
            label: variant.label(),
            back: 10,
            clients: 10,
            t50: Some(t99 / 2),
            t99: Some(t99),
            t100: Some(t99),
            attempts_mean: attempts,
            attempts_p99: attempts.ceil() as u32,
            attempts_max: attempts.ceil() as u32,
            down_mean: 0.0,
            refused_mean: attempts - 1.0,
            peak_per_s: 1,
            peak_up_per_s: 1,
            downtime_mean_ms: Some(t99 as f64 / 2.0),
            wall_s: 0.0,
            rss_mib: None,
        }
    }

    #[test]
    fn the_recommendation_names_the_window_and_the_best_without_a_hint() {
        // Ideal 60 s: the target's limit is 75 s.
        let s = Scenario::default();
        let window = Some(Hint::window(10_000, 60_000));
        let mut rows = vec![
            row(Jitter::Convex, None, 67_000, 5.25),
            row(Jitter::Convex, Some(Hint::single(10_000)), 68_000, 4.27),
            row(Jitter::Convex, window, 59_600, 1.02),
            // Fewer attempts than convex, but too late: not the best.
            row(Jitter::Full, None, 80_000, 4.0),
            row(Jitter::Full, Some(Hint::single(10_000)), 63_000, 4.14),
            row(Jitter::Full, window, 59_500, 1.03),
        ];
        let r = recommendation(&s, &rows).expect("window and no-hint rows");
        assert!(
            r.contains("`retry-after=D-(D+N/C)` (here `retry-after=10-60`)"),
            "{r}"
        );
        assert!(r.contains("1.02–1.03 attempts per client"), "{r}");
        assert!(r.contains("0.99× the ideal, with any strategy"), "{r}");
        assert!(r.contains("the best strategy"), "{r}");
        assert!(r.contains("is **convex**: 5.25 attempts"), "{r}");
        assert!(r.contains("`retry-after=10` only moves"), "{r}");
        assert!(r.contains("**full**, 4.14 attempts"), "{r}");

        // A window run that misses the target: not "any strategy".
        rows[5] = row(Jitter::Full, window, 90_000, 1.5);
        let r = recommendation(&s, &rows).unwrap();
        assert!(r.contains("meeting the target with convex only"), "{r}");

        // One strategy only: named, and not called the best.
        let one = &rows[..3];
        let r = recommendation(&s, one).unwrap();
        assert!(r.contains(", with convex."), "{r}");
        assert!(!r.contains("best strategy"), "{r}");

        // A window that is not D … D + N/C is quoted as it is.
        let odd = [
            row(Jitter::Convex, None, 67_000, 5.25),
            row(
                Jitter::Convex,
                Some(Hint::window(10_000, 40_000)),
                70_000,
                2.0,
            ),
        ];
        let r = recommendation(&s, &odd).unwrap();
        assert!(r.contains("window hint (`retry-after=10-40`)"), "{r}");

        // No window run, or no run without a hint: nothing to recommend.
        assert_eq!(recommendation(&s, &rows[..2]), None);
        assert_eq!(recommendation(&s, &rows[1..3]), None);
    }
}
