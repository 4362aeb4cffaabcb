//! From outcomes to numbers, and from numbers to markdown.
//!
//! Every client lost its connection at t = 0, so a client's downtime is the
//! time it was back: the "back" quantiles are the downtime's p50, p99 and
//! max. A client not back by the horizon counts as never back (its
//! quantiles read `—`, and it is excluded from the mean downtime).

use std::fmt::Write;

use steadysocket::machine::Millis;

use crate::fleet::Outcome;
use crate::scenario::{Close, Scenario};

/// The target: 99 % back within this multiple of the ideal `D + N/C`…
pub const TARGET_TIME: f64 = 1.25;
/// …with fewer attempts per client than this, on average.
pub const TARGET_ATTEMPTS: f64 = 3.0;

/// One run's numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// The variant's label.
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
    // Among the runs that are 99 % back in time, the fewest attempts;
    // if none is, the earliest 99 %.
    let in_time: Vec<&Summary> = rows
        .iter()
        .filter(|r| r.t99.is_some_and(|t| t as f64 / 1000.0 <= limit))
        .collect();
    let best = if in_time.is_empty() {
        rows.iter().min_by_key(|r| r.t99.unwrap_or(Millis::MAX))
    } else {
        in_time
            .into_iter()
            .min_by(|a, b| a.attempts_mean.total_cmp(&b.attempts_mean))
    };
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
