//! `bench/storm.svg`: one column per thing the server said (no hint,
//! `retry-after=10`, `retry-after=10-60`, …, in the order the runs came),
//! each with two panels over the same time axis — handshakes begun per
//! second (log scale, with the server's capacity C as a grey line) and the
//! share of clients connected — and one line per strategy, a colour each.
//! Every column has the same axes, so the columns compare at a glance.

use std::path::Path;

use plotters::prelude::*;
use steadysocket::machine::{Jitter, Millis};

use crate::fleet::Outcome;
use crate::scenario::{strategy_name, Hint, Scenario, Variant};

/// What the server said, as a column's caption: `no hint`,
/// `retry-after=10-60`, `staggered retry-after=10…50`.
fn said(hint: Option<Hint>) -> String {
    match hint {
        None => "no hint".to_owned(),
        Some(h) => {
            let label = Variant {
                strategy: Jitter::Convex,
                hint: Some(h),
            }
            .label();
            label
                .split_once(" + ")
                .map_or(label.clone(), |(_, said)| said.to_owned())
        }
    }
}

/// The runs grouped by what the server said, in the order they came.
fn columns(runs: &[Outcome]) -> Vec<(Option<Hint>, Vec<&Outcome>)> {
    let mut columns: Vec<(Option<Hint>, Vec<&Outcome>)> = Vec::new();
    for o in runs {
        match columns.iter_mut().find(|(h, _)| *h == o.variant.hint) {
            Some((_, column)) => column.push(o),
            None => columns.push((o.variant.hint, vec![o])),
        }
    }
    columns
}

/// The strategy's colour.
fn colour(s: Jitter) -> RGBColor {
    match s {
        Jitter::Convex => RGBColor(31, 119, 180),
        Jitter::Full => RGBColor(214, 39, 40),
        Jitter::Equal => RGBColor(44, 160, 44),
        Jitter::Decorrelated => RGBColor(148, 103, 189),
    }
}

/// Clients connected at the end of each second, in % of the fleet.
pub fn connected_per_s(o: &Outcome, seconds: usize) -> Vec<f64> {
    let mut per_s = vec![0u32; seconds + 1];
    for t in o.clients.iter().filter_map(|c| c.back_at) {
        if let Some(bin) = per_s.get_mut((t / 1000) as usize) {
            *bin += 1;
        }
    }
    let n = o.clients.len().max(1) as f64;
    let mut total = 0u64;
    per_s
        .iter()
        .map(|&k| {
            total += u64::from(k);
            100.0 * total as f64 / n
        })
        .collect()
}

/// Where the interesting part ends: a little after the last client is back
/// in every run (the horizon if one never is).
fn x_end(s: &Scenario, runs: &[Outcome]) -> Millis {
    let last = runs
        .iter()
        .map(|o| {
            let all = o.clients.iter().all(|c| c.back_at.is_some());
            let t = o.clients.iter().filter_map(|c| c.back_at).max();
            if all {
                t.unwrap_or(0)
            } else {
                s.horizon_ms
            }
        })
        .max()
        .unwrap_or(s.horizon_ms);
    (last + last / 10 + 5000).min(s.horizon_ms)
}

/// Draw the runs of one scenario into an SVG file.
pub fn draw(path: &Path, title: &str, s: &Scenario, runs: &[Outcome]) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| format!("plot {}: {e}", path.display());
    let end_s = x_end(s, runs).div_ceil(1000) as usize;
    let peak = runs
        .iter()
        .flat_map(|o| o.attempts_per_s.iter().copied())
        .max()
        .unwrap_or(1)
        .max(s.rate);
    let columns = columns(runs);
    let width = match columns.len() {
        1 => 1100,
        n => 40 + 520 * n as u32,
    };
    let root = SVGBackend::new(path, (width, 960)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let root = root
        .titled(title, ("sans-serif", 22))
        .map_err(|e| err(&e))?;
    let (top, bottom) = root.split_vertically(470);
    let tops = top.split_evenly((1, columns.len()));
    let bottoms = bottom.split_evenly((1, columns.len()));
    for (((hint, column), top), bottom) in columns.iter().zip(&tops).zip(&bottoms) {
        let said = said(*hint);
        rate_panel(top, s, column, &said, end_s, peak).map_err(|e| err(&e))?;
        back_panel(bottom, s, column, &said, end_s).map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// Handshakes begun per second, one line per run of the column.
fn rate_panel(
    area: &Area<'_>,
    s: &Scenario,
    column: &[&Outcome],
    said: &str,
    end_s: usize,
    peak: u32,
) -> DrawResult {
    let mut rate = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(70)
        .caption(
            format!("handshakes begun per second — {said}"),
            ("sans-serif", 17),
        )
        .build_cartesian_2d(
            0f64..end_s as f64,
            (1f64..f64::from(peak) * 1.5).log_scale(),
        )?;
    rate.configure_mesh()
        .x_desc("seconds since the server closed every connection")
        .y_desc("attempts / s (log)")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .light_line_style(RGBColor(238, 238, 238))
        .draw()?;
    let cap = f64::from(s.rate);
    rate.draw_series(LineSeries::new(
        [(0.0, cap), (end_s as f64, cap)],
        ShapeStyle::from(&RGBColor(150, 150, 150)).stroke_width(2),
    ))?
    .label(format!("server capacity C = {}/s", s.rate))
    .legend(|(x, y)| PathElement::new([(x, y), (x + 24, y)], RGBColor(150, 150, 150)));
    for o in column {
        let points = o
            .attempts_per_s
            .iter()
            .take(end_s)
            .enumerate()
            .map(|(k, &a)| (k as f64 + 0.5, f64::from(a.max(1))));
        line(&mut rate, o, points)?;
    }
    legend(&mut rate, SeriesLabelPosition::UpperRight)
}

/// The share of clients connected, one line per run of the column.
fn back_panel(
    area: &Area<'_>,
    s: &Scenario,
    column: &[&Outcome],
    said: &str,
    end_s: usize,
) -> DrawResult {
    let mut back = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(70)
        .caption(format!("clients connected — {said}"), ("sans-serif", 17))
        .build_cartesian_2d(0f64..end_s as f64, 0f64..101f64)?;
    back.configure_mesh()
        .x_desc("seconds since the server closed every connection")
        .y_desc("% of clients")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .light_line_style(RGBColor(238, 238, 238))
        .draw()?;
    let ideal = s.ideal_ms() / 1000.0;
    back.draw_series(LineSeries::new(
        [(0.0, 0.0), (s.down_ms as f64 / 1000.0, 0.0), (ideal, 100.0)],
        ShapeStyle::from(&RGBColor(150, 150, 150)).stroke_width(2),
    ))?
    .label(format!("ideal: down {} s, then C/s", s.down_ms / 1000))
    .legend(|(x, y)| PathElement::new([(x, y), (x + 24, y)], RGBColor(150, 150, 150)));
    for o in column {
        let connected = connected_per_s(o, end_s);
        let points = std::iter::once((0.0, 0.0)).chain(
            connected
                .into_iter()
                .take(end_s)
                .enumerate()
                .map(|(k, p)| (k as f64 + 1.0, p)),
        );
        line(&mut back, o, points)?;
    }
    legend(&mut back, SeriesLabelPosition::LowerRight)
}

type Chart<'a, Y> =
    ChartContext<'a, SVGBackend<'a>, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>;
type DrawResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;

/// One run's line, in its strategy's colour, labelled with its name.
fn line<'a, Y>(
    chart: &mut Chart<'a, Y>,
    o: &Outcome,
    points: impl IntoIterator<Item = (f64, f64)>,
) -> DrawResult
where
    Y: Ranged<ValueType = f64>,
{
    let style = ShapeStyle::from(&colour(o.variant.strategy)).stroke_width(2);
    chart
        .draw_series(LineSeries::new(points, style))?
        .label(strategy_name(o.variant.strategy))
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], style));
    Ok(())
}

fn legend<'a, Y>(chart: &mut Chart<'a, Y>, position: SeriesLabelPosition) -> DrawResult
where
    Y: Ranged<ValueType = f64>,
{
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
}
