//! `steadysocket-storm`: run the reconnect storm for each strategy (and
//! hint) asked for, print the comparison table, and write it as markdown and
//! the plot as SVG when asked. See the library's docs for the model.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use steadysocket::machine::{Backoff, Millis};
use steadysocket_storm::fleet::{self, Outcome};
use steadysocket_storm::report::{self, Summary};
use steadysocket_storm::scenario::{parse_strategy, Close, Hint, Scenario, Variant};
use steadysocket_storm::{plot, sys};

/// How the server ends the connections.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum CloseArg {
    /// Clean close 1012 `ServiceRestart` (may carry the hint).
    #[value(name = "1012")]
    Restart,
    /// TCP drop: 1006, not clean, no reason.
    #[value(name = "1006")]
    Drop,
}

/// A fleet of steadysocket machines against one restarting server.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Number of clients.
    #[arg(long, short = 'n', default_value_t = 100_000)]
    clients: u32,
    /// Seconds the server is down after closing every connection (D).
    #[arg(long, default_value_t = 10.0)]
    down_s: f64,
    /// Handshakes per second the server accepts once up (C).
    #[arg(long, default_value_t = 2000)]
    rate: u32,
    /// Token bucket size in handshakes (default: C/10).
    #[arg(long)]
    burst: Option<u32>,
    /// A handshake's round trip, ms.
    #[arg(long, default_value_t = 50)]
    rtt_ms: Millis,
    /// How the server ends the connections at t = 0.
    #[arg(long, value_enum, default_value = "1012")]
    close: CloseArg,
    /// Hint variants to run for each strategy, comma-separated: `none`, the
    /// seconds of the server's `retry-after=S`, or a window `LOW-HIGH` (the
    /// machine draws its wait uniformly from it), 1012 only; e.g.
    /// `none,10,10-60`.
    #[arg(long, alias = "hint", value_delimiter = ',', default_value = "none")]
    hints: Vec<String>,
    /// Exploration: the server adds to each client's hint its own offset,
    /// uniform in [0, W) seconds — spreading the fleet itself, for clients
    /// that only know one number.
    #[arg(long, alias = "hint-window-s", default_value_t = 0.0)]
    hint_stagger_s: f64,
    /// Strategies, comma-separated: convex, full, equal, decorrelated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "convex,full,equal,decorrelated"
    )]
    strategies: Vec<String>,
    /// Where the simulation stops, seconds.
    #[arg(long, default_value_t = 300.0)]
    horizon_s: f64,
    /// The run's seed (each client's machine gets a hash of it and its index).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The machine's backoffInitialMs.
    #[arg(long, default_value_t = Backoff::default().initial_ms)]
    backoff_initial_ms: Millis,
    /// The machine's backoffMaxMs.
    #[arg(long, default_value_t = Backoff::default().max_ms)]
    backoff_max_ms: Millis,
    /// The machine's backoff multiplier.
    #[arg(long, default_value_t = Backoff::default().multiplier)]
    multiplier: f64,
    /// The machine's backoff jitter (also a single-number hint's upward
    /// spread).
    #[arg(long, default_value_t = Backoff::default().jitter)]
    jitter: f64,
    /// Write the section (parameters, table, verdict) as markdown here.
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// Write the plot here (SVG).
    #[arg(long)]
    svg: Option<PathBuf>,
    /// Title of the markdown section and the plot.
    #[arg(long, default_value = "Reconnect storm")]
    title: String,
    /// A note appended to every row's label in the table, e.g. `max 32 s`.
    #[arg(long)]
    note: Option<String>,
    /// A quick check: 2 000 clients, C = 40/s (the target's N/C), convex
    /// and full jitter, without a hint and with the window
    /// `retry-after=10-60`, 2 minutes; checks the outcome against the
    /// model's bounds and exits 1 if one fails. Writes nothing unless asked.
    #[arg(long)]
    smoke: bool,
}

fn main() -> ExitCode {
    let mut args = Args::parse();
    if args.smoke {
        args.clients = 2000;
        args.rate = 40;
        args.burst = None;
        args.horizon_s = 120.0;
        args.strategies = vec!["convex".into(), "full".into()];
        args.close = CloseArg::Restart;
        args.hints = vec!["none".into(), "10-60".into()];
    }
    let (scenario, variants) = match plan(&args) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut outcomes = Vec::new();
    let mut rows = Vec::new();
    for v in &variants {
        let o = fleet::run(&scenario, v);
        let mut row = Summary::of(&scenario, &o);
        if let Some(note) = &args.note {
            row.label = format!("{} ({note})", row.label);
        }
        eprintln!(
            "{}: 99 % back at {:?} ms, {:.2} attempts/client, {:.2} s",
            row.label, row.t99, row.attempts_mean, row.wall_s
        );
        rows.push(row);
        outcomes.push(o);
    }
    let section = section(&args.title, &scenario, &rows);
    println!("{section}");
    if let Some(path) = &args.markdown {
        if let Err(e) = std::fs::write(path, &section) {
            eprintln!("error: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    if let Some(path) = &args.svg {
        if let Err(e) = plot::draw(path, &args.title, &scenario, &outcomes) {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    }
    if args.smoke {
        return smoke_checks(&scenario, &outcomes);
    }
    ExitCode::SUCCESS
}

/// The scenario and the variants the flags ask for.
fn plan(a: &Args) -> Result<(Scenario, Vec<Variant>), String> {
    let ms = |s: f64, what: &str| {
        if s.is_finite() && s >= 0.0 {
            Ok((s * 1000.0).round() as Millis)
        } else {
            Err(format!("{what} must be a number of seconds >= 0"))
        }
    };
    if a.clients == 0 || a.rate == 0 {
        return Err("--clients and --rate must be at least 1".into());
    }
    let close = match a.close {
        CloseArg::Restart => Close::Restart,
        CloseArg::Drop => Close::Drop,
    };
    let scenario = Scenario {
        clients: a.clients,
        down_ms: ms(a.down_s, "--down-s")?,
        rate: a.rate,
        burst: a.burst.unwrap_or((a.rate / 10).max(1)),
        rtt_ms: a.rtt_ms,
        close,
        horizon_ms: ms(a.horizon_s, "--horizon-s")?,
        seed: a.seed,
        backoff: Backoff {
            initial_ms: a.backoff_initial_ms,
            max_ms: a.backoff_max_ms,
            multiplier: a.multiplier,
            jitter: a.jitter,
            ..Backoff::default()
        },
    };
    let stagger_ms = ms(a.hint_stagger_s, "--hint-stagger-s")?;
    let mut hints = Vec::new();
    for h in &a.hints {
        if h == "none" {
            hints.push(None);
            continue;
        }
        if close == Close::Drop {
            return Err("a 1006 drop carries no reason, so no hint: use --hints none".into());
        }
        let secs = |part: &str| {
            part.parse::<f64>()
                .map_err(|_| format!("--hints: {h:?} is not `none`, seconds or LOW-HIGH"))
                .and_then(|s| ms(s, "--hints"))
        };
        let hint = match h.split_once('-') {
            None => Hint::single(secs(h)?),
            Some((low, high)) => {
                let (low, high) = (secs(low)?, secs(high)?);
                if high <= low {
                    return Err(format!("--hints: window {h:?} must end after it begins"));
                }
                Hint::window(low, high)
            }
        };
        hints.push(Some(Hint { stagger_ms, ..hint }));
    }
    let mut variants = Vec::new();
    for name in &a.strategies {
        let strategy = parse_strategy(name).ok_or_else(|| format!("unknown strategy {name:?}"))?;
        for &hint in &hints {
            variants.push(Variant { strategy, hint });
        }
    }
    let config = scenario.config(variants.first().ok_or("no strategy to run")?);
    config
        .validate()
        .map_err(|e| format!("{}: {}", e.option, e.expected))?;
    Ok((scenario, variants))
}

/// The markdown section: parameters, table, verdict, the recommendation
/// (when the runs have what it compares), cost.
fn section(title: &str, s: &Scenario, rows: &[Summary]) -> String {
    let peak = sys::peak_rss_kib().map_or("—".to_owned(), |k| {
        format!("{:.0} MiB", k as f64 / 1024.0)
    });
    let recommendation =
        report::recommendation(s, rows).map_or(String::new(), |r| format!("{r}\n"));
    format!(
        "## {title}\n\n{}\n{}\n{}\n{recommendation}\
         The process's peak RSS (VmHWM) over all runs: {peak}.\n",
        report::parameters(s),
        report::table(s, rows),
        report::verdict(s, rows),
    )
}

/// The smoke run's checks: bounds that hold whatever the strategy.
fn smoke_checks(s: &Scenario, outcomes: &[Outcome]) -> ExitCode {
    let bound = s.down_ms + (u64::from(s.clients) - u64::from(s.burst)) * 1000 / u64::from(s.rate);
    let mut failed = 0;
    for o in outcomes {
        let label = o.variant.label();
        let back: Vec<Millis> = o.clients.iter().filter_map(|c| c.back_at).collect();
        let checks = [
            (back.len() == o.clients.len(), "every client is back"),
            (
                back.iter().max().is_some_and(|&t| t >= bound),
                "nobody beats the server's capacity",
            ),
            (
                o.clients
                    .iter()
                    .all(|c| c.attempts >= 1 + c.down + c.refused),
                "every failure was an attempt",
            ),
        ];
        for (ok, what) in checks {
            if !ok {
                eprintln!("smoke: {label}: FAILED: {what}");
                failed += 1;
            }
        }
    }
    if failed == 0 {
        eprintln!("smoke: ok ({} runs)", outcomes.len());
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
