//! Bar charts as SVG, drawn on the server: no script, no outside service. Every bar carries
//! its numbers (`data-label`, `data-series`, `data-value`), so that tests can check a chart
//! against the table printed beside it, and screen readers get the chart's title and are
//! pointed to that table.

use std::fmt::Write;

/// One series of a chart: its name and a value per label.
pub struct Series<'a> {
    pub name: &'a str,
    pub values: Vec<f64>,
}

/// Colours of the series, in order (distinguishable in grey too).
const COLOURS: [&str; 5] = ["#1f5fbf", "#1e7a3c", "#b3261e", "#7a5c00", "#6b4fa0"];

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 40.0;
const TOP: f64 = 12.0;

/// A bar chart: one group per label, its series side by side, or stacked.
pub fn bars(
    id: &str,
    title: &str,
    labels: &[String],
    series: &[Series<'_>],
    stacked: bool,
    unit: &str,
) -> String {
    let totals: Vec<f64> = (0..labels.len())
        .map(|i| {
            let values = series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0.0));
            if stacked {
                values.sum()
            } else {
                values.fold(0.0, f64::max)
            }
        })
        .collect();
    let max = nice_max(totals.iter().copied().fold(0.0, f64::max));
    let plot_h = HEIGHT - BOTTOM - TOP;
    let plot_w = WIDTH - LEFT - 8.0;
    let group_w = if labels.is_empty() {
        plot_w
    } else {
        plot_w / labels.len() as f64
    };
    let bars_in_group = if stacked {
        1.0
    } else {
        series.len().max(1) as f64
    };
    let bar_w = (group_w * 0.8 / bars_in_group).max(1.0);
    let y = |v: f64| TOP + plot_h - v / max * plot_h;

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{id}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title"><title id="{id}-title">{} (the numbers are in the table beside it)</title>"#,
        escape(title)
    );
    // Grid lines and the scale, at quarters of the maximum.
    for q in 0..=4 {
        let v = max * f64::from(q) / 4.0;
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#d9dde6"/><text x="{}" y="{:.1}" font-size="10" text-anchor="end" fill="#5b6478">{}</text>"##,
            WIDTH - 8.0,
            LEFT - 4.0,
            y(v) + 3.0,
            number(v),
            y = y(v),
        );
    }
    for (i, label) in labels.iter().enumerate() {
        let x0 = LEFT + group_w * i as f64 + group_w * 0.1;
        let mut base = 0.0;
        for (k, s) in series.iter().enumerate() {
            let v = s.values.get(i).copied().unwrap_or(0.0);
            let (x, top, bottom) = if stacked {
                let r = (x0, y(base + v), y(base));
                base += v;
                r
            } else {
                (x0 + bar_w * k as f64, y(v), y(0.0))
            };
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{top:.1}" width="{bar_w:.1}" height="{:.1}" fill="{}" data-label="{}" data-series="{}" data-value="{}"><title>{}: {} {}{}</title></rect>"#,
                (bottom - top).max(0.0),
                COLOURS[k % COLOURS.len()],
                escape(label),
                escape(s.name),
                number(v),
                escape(label),
                escape(s.name),
                number(v),
                if unit.is_empty() {
                    String::new()
                } else {
                    format!(" {unit}")
                },
            );
        }
        // Label every group when they fit, else every few.
        let every = (labels.len() / 12).max(1);
        if i % every == 0 {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle" fill="#1d2433">{}</text>"##,
                x0 + group_w * 0.4,
                HEIGHT - BOTTOM + 14.0,
                escape(label)
            );
        }
    }
    // The legend.
    for (k, s) in series.iter().enumerate() {
        let x = LEFT + 110.0 * k as f64;
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="{:.1}" width="10" height="10" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="10" fill="#1d2433">{}</text>"##,
            HEIGHT - 14.0,
            COLOURS[k % COLOURS.len()],
            x + 14.0,
            HEIGHT - 5.0,
            escape(s.name)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A round number at or above `v` for the top of the scale (1, 2, 5 × 10^n).
fn nice_max(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let exp = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if v <= m * exp {
            return m * exp;
        }
    }
    10.0 * exp
}

/// Whole numbers without decimals, others with one.
pub fn number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round())
    } else {
        format!("{v:.1}")
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_are_round_and_bars_carry_their_numbers() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(12.0), 20.0);
        assert_eq!(nice_max(41.0), 50.0);
        let svg = bars(
            "c",
            "Reports <per> week",
            &["2026-03-02".into()],
            &[Series {
                name: "open",
                values: vec![3.0],
            }],
            true,
            "",
        );
        assert!(svg.contains(r#"data-label="2026-03-02" data-series="open" data-value="3""#));
        assert!(svg.contains("Reports &lt;per&gt; week"));
    }
}
