//! `/metrics` in Prometheus's text format, for operators. Off unless configured: either
//! on its own listen address (only this route is served there), or on the main one with a
//! bearer token; otherwise, or with a wrong token, it is "not found" like any unknown path.
//!
//! Names follow Prometheus's conventions: an `embargo_` prefix, base units (seconds),
//! `_total` for counters, labels for dimensions.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use embargo_app::{Operations, Principal};
use subtle::ConstantTimeEq;

use crate::WebState;

/// Who may read `/metrics` on the main listener.
#[derive(Clone)]
pub enum MetricsAccess {
    /// Requests carrying `Authorization: Bearer <token>`.
    Token(String),
    /// Every request: this router serves only `/metrics`, on a listener of its own.
    Open,
}

impl std::fmt::Debug for MetricsAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MetricsAccess::Token(_) => "Token(..)",
            MetricsAccess::Open => "Open",
        })
    }
}

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    /// Observations at or below each bound of [`BUCKETS`] (not cumulative yet).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Request latencies by route template and method (never the path: paths carry secret
/// links).
#[derive(Debug, Default)]
pub struct HttpStats {
    by_route: Mutex<BTreeMap<(String, String), Histogram>>,
}

impl HttpStats {
    pub fn observe(&self, route: &str, method: &str, took: Duration) {
        let secs = took.as_secs_f64();
        // A poisoned lock only means another request panicked mid-update: keep counting.
        let mut map = match self.by_route.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        let h = map
            .entry((route.to_string(), method.to_string()))
            .or_default();
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            h.buckets[i] += 1;
        }
        h.count += 1;
        h.sum += secs;
    }

    fn snapshot(&self) -> BTreeMap<(String, String), Histogram> {
        match self.by_route.lock() {
            Ok(m) => m.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

pub async fn show(State(state): State<WebState>, headers: HeaderMap) -> Response {
    let allowed = match &state.metrics {
        None => false,
        Some(MetricsAccess::Open) => true,
        Some(MetricsAccess::Token(token)) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| bool::from(given.as_bytes().ct_eq(token.as_bytes()))),
    };
    if !allowed {
        // Rendered here, not through `PageError`: the metrics-only listener has no
        // error-page layer.
        return crate::render::error_page(
            &state.site.organization,
            &embargo_app::AppError::NotFound,
        );
    }
    let ops = match state
        .app
        .operations(Principal::Operator, (state.clock)())
        .await
    {
        Ok(o) => o,
        Err(e) => return crate::error::WebError(e).into_response(),
    };
    let mut body = render(&ops, (state.clock)());
    render_http(&mut body, &state.http.snapshot());
    family(
        &mut body,
        "embargo_http_in_flight",
        "gauge",
        "Requests being served now (past max_in_flight they are shed with 503).",
    );
    let _ = writeln!(body, "embargo_http_in_flight {}", state.shedder.in_flight());
    family(
        &mut body,
        "embargo_http_max_in_flight",
        "gauge",
        "The limit of requests in flight.",
    );
    let _ = writeln!(body, "embargo_http_max_in_flight {}", state.shedder.limit());
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value, escaped as the format requires.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn render(ops: &Operations, now: jiff::Timestamp) -> String {
    let c = &ops.counts;
    let mut out = String::new();
    family(
        &mut out,
        "embargo_reports_received_total",
        "counter",
        "Reports received since the installation began.",
    );
    let _ = writeln!(out, "embargo_reports_received_total {}", c.reports);
    family(&mut out, "embargo_cases", "gauge", "Cases by state.");
    for (state, n) in &c.cases_by_state {
        let _ = writeln!(out, "embargo_cases{{state=\"{}\"}} {n}", label(state));
    }
    family(
        &mut out,
        "embargo_cases_overdue",
        "gauge",
        "Cases past their due promise (acknowledgement or disclosure).",
    );
    let _ = writeln!(out, "embargo_cases_overdue {}", c.overdue);
    let q = &ops.queue;
    family(
        &mut out,
        "embargo_jobs_queued",
        "gauge",
        "Jobs waiting to run, due or not.",
    );
    let _ = writeln!(out, "embargo_jobs_queued {}", q.pending);
    family(
        &mut out,
        "embargo_jobs_due",
        "gauge",
        "Jobs whose time has come and that have not run yet.",
    );
    let _ = writeln!(out, "embargo_jobs_due {}", q.due);
    family(
        &mut out,
        "embargo_jobs_oldest_due_age_seconds",
        "gauge",
        "How long the oldest due job has waited (0 when none is due).",
    );
    let age = q
        .oldest_due
        .map_or(0, |t| now.duration_since(t).as_secs().max(0));
    let _ = writeln!(out, "embargo_jobs_oldest_due_age_seconds {age}");
    family(
        &mut out,
        "embargo_jobs_dead",
        "gauge",
        "Jobs that failed every attempt (dead letters, retried from the admin page).",
    );
    let _ = writeln!(out, "embargo_jobs_dead {}", q.dead);
    family(
        &mut out,
        "embargo_jobs",
        "gauge",
        "Jobs by kind and status (done jobs are kept).",
    );
    for (kind, status, n) in &c.jobs {
        let _ = writeln!(
            out,
            "embargo_jobs{{kind=\"{}\",status=\"{}\"}} {n}",
            label(kind),
            label(status)
        );
    }
    family(
        &mut out,
        "embargo_mails_total",
        "counter",
        "Mail jobs (to reporters, collaborators and the team) by outcome: sent, or failed for good.",
    );
    let mail = |status: &str| {
        c.jobs
            .iter()
            .filter(|(k, s, _)| s == status && embargo_app::jobs::sends_mail(k))
            .map(|(_, _, n)| n)
            .sum::<i64>()
    };
    let _ = writeln!(
        out,
        "embargo_mails_total{{outcome=\"sent\"}} {}",
        mail("done")
    );
    let _ = writeln!(
        out,
        "embargo_mails_total{{outcome=\"failed\"}} {}",
        mail("dead")
    );
    out
}

fn render_http(out: &mut String, stats: &BTreeMap<(String, String), Histogram>) {
    family(
        out,
        "embargo_http_request_duration_seconds",
        "histogram",
        "Time to answer HTTP requests, by route template and method.",
    );
    for ((route, method), h) in stats {
        let labels = format!("route=\"{}\",method=\"{}\"", label(route), label(method));
        let mut cumulative = 0;
        for (bound, n) in BUCKETS.iter().zip(h.buckets) {
            cumulative += n;
            let _ = writeln!(
                out,
                "embargo_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "embargo_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
            h.count
        );
        let _ = writeln!(
            out,
            "embargo_http_request_duration_seconds_sum{{{labels}}} {}",
            h.sum
        );
        let _ = writeln!(
            out,
            "embargo_http_request_duration_seconds_count{{{labels}}} {}",
            h.count
        );
    }
}
