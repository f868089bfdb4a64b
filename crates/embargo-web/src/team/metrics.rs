//! `GET /statistics`: whether the team keeps the policy's promises, for a period and a
//! project. Each chart is SVG drawn here, with the table of its numbers beside it.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use embargo_app::{AGE_GROUPS, AppError, Metrics, OUTCOMES};
use embargo_core::{ProjectSlug, ValueError};
use jiff::SignedDuration;
use jiff::civil::Date;
use serde::Deserialize;

use super::TeamSession;
use crate::WebState;
use crate::charts::{Series, bars, number};
use crate::page_error::PageError;
use crate::render::page;

#[derive(Debug, Default, Deserialize)]
pub struct MetricsParams {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    project: Option<String>,
}

#[derive(Template)]
#[template(path = "metrics.html")]
struct MetricsPage {
    org: String,
    me: String,
    csrf: String,
    from: String,
    to: String,
    project: String,
    projects: Vec<String>,
    received: usize,
    /// (promise, kept, broken, pending, share text)
    promises: Vec<(String, usize, usize, usize, String)>,
    promises_chart: String,
    /// (milestone, cases, median, 90th percentile)
    durations: Vec<(&'static str, usize, String, String)>,
    durations_chart: String,
    outcomes: Vec<&'static str>,
    /// (week, counts by outcome)
    weeks: Vec<(String, Vec<usize>)>,
    weeks_chart: String,
    /// (age group, open cases)
    ages: Vec<(&'static str, usize)>,
    ages_chart: String,
}

/// A duration as people read it: hours under two days, days above.
fn span(d: Option<SignedDuration>) -> String {
    match d {
        None => "–".into(),
        Some(d) if d.as_hours() < 48 => format!("{} hours", number(d.as_secs_f64() / 3600.0)),
        Some(d) => format!("{} days", number(d.as_secs_f64() / 86_400.0)),
    }
}

fn days(d: Option<SignedDuration>) -> f64 {
    d.map_or(0.0, |d| (d.as_secs_f64() / 86_400.0 * 10.0).round() / 10.0)
}

fn read_date(field: &'static str, text: Option<&str>, default: Date) -> Result<Date, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(default),
        Some(t) => t.parse().map_err(|_| {
            AppError::invalid(ValueError::new(
                field,
                "must be a date, YYYY-MM-DD".to_string(),
            ))
        }),
    }
}

pub async fn show(
    State(state): State<WebState>,
    session: TeamSession,
    params: Result<Query<MetricsParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let org = state.site.organization.clone();
    let now = (state.clock)();
    let params = match params {
        Ok(Query(p)) => p,
        Err(e) => {
            let why = ValueError::new("query", e.body_text());
            return Err(AppError::invalid(why).into());
        }
    };
    let today = jiff::tz::TimeZone::UTC.to_datetime(now).date();
    // The last 26 weeks by default.
    let default_from = today
        .checked_sub(jiff::Span::new().days(181))
        .unwrap_or(today);
    let read = || -> Result<(Date, Date, Option<ProjectSlug>), AppError> {
        let from = read_date("from", params.from.as_deref(), default_from)?;
        let to = read_date("to", params.to.as_deref(), today)?;
        let project = match params
            .project
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            None => None,
            Some(p) => Some(
                ProjectSlug::parse(p)
                    .map_err(|e| AppError::invalid(ValueError::new("project", e.to_string())))?,
            ),
        };
        Ok((from, to, project))
    };
    let (from, to, project) = match read() {
        Ok(x) => x,
        Err(e) => return Err(e.into()),
    };
    let metrics = match state
        .app
        .metrics(session.principal, from, to, project.clone(), now)
        .await
    {
        Ok(m) => m,
        Err(e) => return Err(e.into()),
    };
    let projects = match state.app.projects().await {
        Ok(p) => p.into_iter().map(|p| p.slug.to_string()).collect(),
        Err(e) => return Err(e.into()),
    };
    Ok(page(
        StatusCode::OK,
        &render(org, &session, metrics, projects),
    ))
}

fn render(org: String, session: &TeamSession, m: Metrics, projects: Vec<String>) -> MetricsPage {
    let promises: Vec<(String, usize, usize, usize, String)> = m
        .promises
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.kept,
                p.broken,
                p.pending,
                p.share().map_or("–".into(), |s| format!("{s}%")),
            )
        })
        .collect();
    let promises_chart = bars(
        "chart-promises",
        "Promises kept, in percent of decided cases",
        &m.promises
            .iter()
            .map(|p| p.name.clone())
            .collect::<Vec<_>>(),
        &[Series {
            name: "kept (%)",
            values: m
                .promises
                .iter()
                .map(|p| f64::from(p.share().unwrap_or(0)))
                .collect(),
        }],
        false,
        "%",
    );
    let durations_chart = bars(
        "chart-durations",
        "Days from the report, median and 90th percentile",
        &m.durations
            .iter()
            .map(|d| d.name.to_string())
            .collect::<Vec<_>>(),
        &[
            Series {
                name: "median (days)",
                values: m.durations.iter().map(|d| days(d.median)).collect(),
            },
            Series {
                name: "90th percentile (days)",
                values: m.durations.iter().map(|d| days(d.p90)).collect(),
            },
        ],
        false,
        "days",
    );
    let week_labels: Vec<String> = m.weeks.iter().map(|w| w.monday.to_string()).collect();
    let weeks_chart = bars(
        "chart-weeks",
        "Reports per week, by outcome",
        &week_labels,
        &OUTCOMES
            .iter()
            .enumerate()
            .map(|(k, name)| Series {
                name,
                values: m.weeks.iter().map(|w| w.counts[k] as f64).collect(),
            })
            .collect::<Vec<_>>(),
        true,
        "reports",
    );
    let ages_chart = bars(
        "chart-ages",
        "Open cases by age",
        &AGE_GROUPS
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        &[Series {
            name: "open cases",
            values: m.open_by_age.iter().map(|n| *n as f64).collect(),
        }],
        false,
        "cases",
    );
    MetricsPage {
        org,
        me: session.name.clone(),
        csrf: session.csrf.clone(),
        from: m.from.to_string(),
        to: m.to.to_string(),
        project: m
            .project
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        projects,
        received: m.received,
        promises,
        promises_chart,
        durations: m
            .durations
            .iter()
            .map(|d| (d.name, d.count, span(d.median), span(d.p90)))
            .collect(),
        durations_chart,
        outcomes: OUTCOMES.to_vec(),
        weeks: m
            .weeks
            .iter()
            .map(|w| (w.monday.to_string(), w.counts.to_vec()))
            .collect(),
        weeks_chart,
        ages: AGE_GROUPS.iter().copied().zip(m.open_by_age).collect(),
        ages_chart,
    }
}
