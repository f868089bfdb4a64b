//! `/metrics` for operators: off by default, behind a bearer token on the main listener,
//! in Prometheus's text format with the desk's counts and request latencies by route.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use embargo_web::prometheus::MetricsAccess;

use crate::support::{Web, call};

const TOKEN: &str = "a-long-enough-metrics-token";

async fn scrape(w: &Web, token: Option<&str>) -> crate::support::Res {
    let mut req = Request::get("/metrics");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    w.send(req.body(Body::empty()).unwrap()).await
}

/// The value of one sample line (`name{labels} value`).
fn sample(body: &str, series: &str) -> f64 {
    body.lines()
        .find_map(|l| {
            l.strip_prefix(series)
                .and_then(|rest| rest.strip_prefix(' '))
        })
        .unwrap_or_else(|| panic!("no {series} in\n{body}"))
        .parse()
        .unwrap()
}

#[tokio::test]
async fn metrics_are_off_by_default_and_need_the_token() {
    let mut w = Web::new().await;
    assert_eq!(scrape(&w, None).await.status, StatusCode::NOT_FOUND);
    w.state = w
        .state
        .clone()
        .with_metrics(MetricsAccess::Token(TOKEN.into()));
    assert_eq!(scrape(&w, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        scrape(&w, Some("a-long-enough-metrics-tokeX")).await.status,
        StatusCode::NOT_FOUND,
        "a wrong token looks like nothing there"
    );

    // Two reports, one request to a public page.
    w.t.submit().await;
    w.t.submit().await;
    w.t.clock.advance(jiff::SignedDuration::from_hours(24 * 8));
    let res = call(&w, "GET", "/advisories", None, None).await;
    assert_eq!(res.status, StatusCode::OK);

    let res = scrape(&w, Some(TOKEN)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.header("content-type")
            .starts_with("text/plain; version=0.0.4")
    );
    let body = &res.body;
    assert_eq!(sample(body, "embargo_reports_received_total"), 2.0);
    assert_eq!(sample(body, r#"embargo_cases{state="received"}"#), 2.0);
    // Eight days on, neither is acknowledged: both overdue.
    assert_eq!(sample(body, "embargo_cases_overdue"), 2.0);
    // Each report enqueued its mails and notices; nothing ran them here.
    assert!(sample(body, "embargo_jobs_queued") >= 2.0);
    assert!(sample(body, "embargo_jobs_oldest_due_age_seconds") >= 8.0 * 86_400.0);
    assert_eq!(sample(body, "embargo_jobs_dead"), 0.0);
    assert_eq!(sample(body, r#"embargo_mails_total{outcome="sent"}"#), 0.0);
    // The request above, by route template, in a histogram whose buckets add up.
    let route = r#"route="/advisories",method="GET""#;
    assert_eq!(
        sample(
            body,
            &format!("embargo_http_request_duration_seconds_count{{{route}}}")
        ),
        1.0
    );
    assert_eq!(
        sample(
            body,
            &format!(r#"embargo_http_request_duration_seconds_bucket{{{route},le="+Inf"}}"#)
        ),
        1.0
    );
    // Every family is described, and no secret link reaches a label.
    for name in [
        "embargo_reports_received_total counter",
        "embargo_cases gauge",
        "embargo_http_request_duration_seconds histogram",
    ] {
        assert!(body.contains(&format!("# TYPE {name}")), "{name}");
    }
    assert!(!body.contains("/portal/"), "{body}");
}
