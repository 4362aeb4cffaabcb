//! `bench/storm.svg`: two panels over the same time axis — handshakes begun
//! per second (log scale, with the server's capacity C as a grey line) and
//! the share of clients connected — one line per run: a colour per
//! strategy, solid without the server's hint, dashed with it.

use std::path::Path;

use plotters::prelude::*;
use steadysocket::machine::{Jitter, Millis};

use crate::fleet::Outcome;
use crate::scenario::Scenario;

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
    let root = SVGBackend::new(path, (1100, 960)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let root = root
        .titled(title, ("sans-serif", 22))
        .map_err(|e| err(&e))?;
    let (top, bottom) = root.split_vertically(470);
    let x = 0f64..end_s as f64;

    let mut rate = ChartBuilder::on(&top)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(70)
        .caption("handshakes begun per second", ("sans-serif", 17))
        .build_cartesian_2d(x.clone(), (1f64..f64::from(peak) * 1.5).log_scale())
        .map_err(|e| err(&e))?;
    rate.configure_mesh()
        .x_desc("seconds since the server closed every connection")
        .y_desc("attempts / s (log)")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .light_line_style(RGBColor(238, 238, 238))
        .draw()
        .map_err(|e| err(&e))?;
    let cap = f64::from(s.rate);
    rate.draw_series(LineSeries::new(
        [(0.0, cap), (end_s as f64, cap)],
        ShapeStyle::from(&RGBColor(150, 150, 150)).stroke_width(2),
    ))
    .map_err(|e| err(&e))?
    .label(format!("server capacity C = {}/s", s.rate))
    .legend(|(x, y)| PathElement::new([(x, y), (x + 24, y)], RGBColor(150, 150, 150)));
    for o in runs {
        let points = o
            .attempts_per_s
            .iter()
            .take(end_s)
            .enumerate()
            .map(|(k, &a)| (k as f64 + 0.5, f64::from(a.max(1))))
            .collect();
        line(&mut rate, o, points).map_err(|e| err(&e))?;
    }
    legend(&mut rate).map_err(|e| err(&e))?;

    let mut back = ChartBuilder::on(&bottom)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(70)
        .caption("clients connected", ("sans-serif", 17))
        .build_cartesian_2d(x, 0f64..101f64)
        .map_err(|e| err(&e))?;
    back.configure_mesh()
        .x_desc("seconds since the server closed every connection")
        .y_desc("% of clients")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .light_line_style(RGBColor(238, 238, 238))
        .draw()
        .map_err(|e| err(&e))?;
    let ideal = s.ideal_ms() / 1000.0;
    back.draw_series(LineSeries::new(
        [(0.0, 0.0), (s.down_ms as f64 / 1000.0, 0.0), (ideal, 100.0)],
        ShapeStyle::from(&RGBColor(150, 150, 150)).stroke_width(2),
    ))
    .map_err(|e| err(&e))?
    .label(format!("ideal: down {} s, then C/s", s.down_ms / 1000))
    .legend(|(x, y)| PathElement::new([(x, y), (x + 24, y)], RGBColor(150, 150, 150)));
    for o in runs {
        let connected = connected_per_s(o, end_s);
        let points = std::iter::once((0.0, 0.0))
            .chain(
                connected
                    .into_iter()
                    .take(end_s)
                    .enumerate()
                    .map(|(k, p)| (k as f64 + 1.0, p)),
            )
            .collect();
        line(&mut back, o, points).map_err(|e| err(&e))?;
    }
    legend(&mut back).map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))
}

type Chart<'a, Y> =
    ChartContext<'a, SVGBackend<'a>, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>;
type DrawResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;

/// One run's line: solid without the hint, dashed with it.
fn line<'a, Y>(chart: &mut Chart<'a, Y>, o: &Outcome, points: Vec<(f64, f64)>) -> DrawResult
where
    Y: Ranged<ValueType = f64>,
{
    let style = ShapeStyle::from(&colour(o.variant.strategy)).stroke_width(2);
    let label = o.variant.label();
    let hinted = o.variant.hint.is_some();
    let legend = move |(x, y): (i32, i32)| -> DynElement<'static, SVGBackend<'a>, (i32, i32)> {
        if hinted {
            plotters::element::DashedPathElement::new([(x, y), (x + 24, y)], 5, 3, style).into_dyn()
        } else {
            PathElement::new([(x, y), (x + 24, y)], style).into_dyn()
        }
    };
    if hinted {
        chart
            .draw_series(DashedLineSeries::new(points, 6, 4, style))?
            .label(label)
            .legend(legend);
    } else {
        chart
            .draw_series(LineSeries::new(points, style))?
            .label(label)
            .legend(legend);
    }
    Ok(())
}

fn legend<'a, Y>(chart: &mut Chart<'a, Y>) -> DrawResult
where
    Y: Ranged<ValueType = f64>,
{
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
}
