//! The disclosure metrics page: Coordinators only; every chart is SVG drawn by the server,
//! and its bars carry exactly the numbers of the table beside it.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use embargo_app::Principal;

use crate::support::{sign_in, with_passwords};

/// The bars of one chart: (label, series) → value.
fn bars(html: &str, chart: &str) -> BTreeMap<(String, String), f64> {
    let start = html
        .find(&format!("id=\"{chart}\""))
        .unwrap_or_else(|| panic!("no chart {chart}"));
    let svg = &html[start..start + html[start..].find("</svg>").unwrap()];
    let attr = |s: &str, name: &str| -> String {
        let from = s.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        s[from..from + s[from..].find('"').unwrap()].to_string()
    };
    svg.split("<rect ")
        .skip(1)
        .filter(|r| r.contains("data-label"))
        .map(|r| {
            (
                (attr(r, "data-label"), attr(r, "data-series")),
                attr(r, "data-value").parse().unwrap(),
            )
        })
        .collect()
}

/// The table beside a chart: its column headers and each row's label and cells.
fn table(html: &str, chart: &str) -> (Vec<String>, Vec<(String, Vec<String>)>) {
    let start = html.find(&format!("data-chart=\"{chart}\"")).unwrap();
    let t = &html[start..start + html[start..].find("</table>").unwrap()];
    let text = |s: &str| {
        s.split('>')
            .nth(1)
            .unwrap_or("")
            .split('<')
            .next()
            .unwrap_or("")
            .to_string()
    };
    let headers = t.split("<th scope=\"col\"").skip(1).map(text).collect();
    let rows = t
        .split("<tr><th scope=\"row\"")
        .skip(1)
        .map(|row| {
            let cells = row.split("<td").skip(1).map(text).collect();
            (text(row), cells)
        })
        .collect();
    (headers, rows)
}

/// "18 hours", "2.5 days", "–" as days, to the chart's precision.
fn days(text: &str) -> f64 {
    let (n, unit) = text.split_once(' ').unwrap_or(("0", "days"));
    let n: f64 = n.parse().unwrap_or(0.0);
    let d = if unit.starts_with("hour") {
        n / 24.0
    } else {
        n
    };
    (d * 10.0).round() / 10.0
}

#[tokio::test]
async fn every_chart_shows_the_numbers_of_its_table() {
    let w = with_passwords().await;
    let coord = Principal::User(w.t.people.coordinator);
    // Three reports: one acknowledged the next day, one after ten days, one never.
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(w.t.submit().await.case_id);
        w.t.clock.advance(jiff::SignedDuration::from_hours(1));
    }
    w.t.clock.advance(jiff::SignedDuration::from_hours(22));
    w.t.app
        .acknowledge(coord, ids[0], "Thanks.", w.t.now())
        .await
        .unwrap();
    w.t.clock.advance(jiff::SignedDuration::from_hours(24 * 9));
    w.t.app
        .acknowledge(coord, ids[1], "Thanks.", w.t.now())
        .await
        .unwrap();

    let cookie = sign_in(&w, "coco@example.org").await;
    let page = w
        .get("/statistics?from=2026-03-01&to=2026-03-31", Some(&cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let html = &page.body;
    assert!(
        html.contains("<title>Disclosure metrics"),
        "a meaningful title"
    );

    // Reports per week by outcome, and open cases by age: one bar per table cell.
    for chart in ["chart-weeks", "chart-ages"] {
        let b = bars(html, chart);
        let (headers, rows) = table(html, chart);
        let mut cells = 0;
        for (label, values) in &rows {
            for (i, v) in values.iter().enumerate() {
                let series = if chart == "chart-ages" {
                    "open cases".to_string()
                } else {
                    headers[i + 1].clone()
                };
                assert_eq!(
                    b[&(label.clone(), series)],
                    v.parse::<f64>().unwrap(),
                    "{chart} {label}"
                );
                cells += 1;
            }
        }
        assert_eq!(cells, b.len(), "{chart}: as many bars as cells");
    }
    let (_, weeks) = table(html, "chart-weeks");
    let march_2 = weeks.iter().find(|(w, _)| w == "2026-03-02").unwrap();
    assert_eq!(
        march_2.1,
        ["3", "0", "0", "0", "0"],
        "three open reports that week"
    );

    // The promises: kept in percent.
    let b = bars(html, "chart-promises");
    let (_, rows) = table(html, "chart-promises");
    for (name, cells) in &rows {
        let share = cells[3].trim_end_matches('%').parse::<f64>().unwrap_or(0.0);
        assert_eq!(b[&(name.clone(), "kept (%)".to_string())], share, "{name}");
    }
    // One kept (a day), two broken (ten days, never): 33%.
    assert_eq!(rows[0].1[..4], ["1", "2", "0", "33%"]);

    // Durations: the chart in days, the table in hours or days.
    let b = bars(html, "chart-durations");
    let (_, rows) = table(html, "chart-durations");
    for (name, cells) in &rows {
        assert_eq!(
            b[&(name.clone(), "median (days)".to_string())],
            days(&cells[1]),
            "{name}"
        );
        assert_eq!(
            b[&(name.clone(), "90th percentile (days)".to_string())],
            days(&cells[2]),
            "{name}"
        );
    }
    // Acknowledged after 25 hours and after 10 days (240 hours).
    assert_eq!(rows[0].1, ["2", "25 hours", "10 days"]);

    // Not for Developers: the page is "not found" to them.
    let dev = sign_in(&w, "dev@example.org").await;
    let res = w.get("/statistics", Some(&dev)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // A bad date is named.
    let res = w.get("/statistics?from=March", Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("YYYY-MM-DD"));
}
