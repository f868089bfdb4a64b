//! `GET /cases`: the cases a person works on, searched, filtered, sorted by when they fall
//! due (the most urgent first) and paged, with the count of each queue.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use embargo_app::{AppError, DashboardFilter, DashboardPage, DashboardRow, DashboardView, Queue};
use embargo_core::{ProjectSlug, ValueError};
use jiff::Timestamp;
use serde::Deserialize;

use super::{TeamSession, when};
use crate::WebState;
use crate::page_error::PageError;
use crate::render::page;

/// Cases on one page of the HTML dashboard.
const PAGE_SIZE: u32 = 50;

/// The dashboard's query string, shared by the page and `GET /api/v1/cases`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardParams {
    /// A reference, receipt or id, or words of the title, the reporter's name or address,
    /// the advisory draft (packages, CVE id).
    #[serde(default)]
    pub q: Option<String>,
    /// A project's slug.
    #[serde(default)]
    pub project: Option<String>,
    /// Which cases: every queue (`active`, the default), one queue, published or closed
    /// ones (`done`), or `all`.
    #[serde(default)]
    #[param(schema_with = view_names)]
    pub view: Option<String>,
    /// Only cases the caller coordinates or develops (`1`).
    #[serde(default)]
    pub mine: Option<String>,
    /// Only cases past their due promise (`1`).
    #[serde(default)]
    pub overdue: Option<String>,
    /// A `next_cursor` from the previous page.
    #[serde(default)]
    pub after: Option<String>,
    /// Cases per page (100 unless asked).
    #[serde(default)]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// The names `view` takes (`DashboardView::name`).
fn view_names() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    let queues = embargo_app::Queue::ALL.map(embargo_app::Queue::name);
    crate::api::schema::one_of(["active"].into_iter().chain(queues).chain(["done", "all"]))
}

impl DashboardParams {
    /// The filter the parameters ask for; a bad value is named.
    pub fn filter(&self) -> Result<DashboardFilter, AppError> {
        let mut problems = Vec::new();
        let project = match self
            .project
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            None => None,
            Some(p) => match ProjectSlug::parse(p) {
                Ok(slug) => Some(slug),
                Err(e) => {
                    problems.push(ValueError::new("project", e.to_string()));
                    None
                }
            },
        };
        let view = match DashboardView::parse(self.view.as_deref().unwrap_or("").trim()) {
            Some(v) => v,
            None => {
                problems.push(ValueError::new(
                    "view",
                    "must be active, done, all or a queue (acknowledge, triage, \
                     awaiting_reporter, fixing, scheduled, published)"
                        .to_string(),
                ));
                DashboardView::Active
            }
        };
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let on = |v: &Option<String>| {
            v.as_deref()
                .is_some_and(|v| matches!(v, "1" | "true" | "on" | "yes"))
        };
        Ok(DashboardFilter {
            text: self.q.clone().filter(|q| !q.trim().is_empty()),
            project,
            view,
            mine: on(&self.mine),
            overdue: on(&self.overdue),
        })
    }

    /// This query string with another view and no cursor (the tabs), or with a cursor
    /// (the next page).
    fn link(&self, view: Option<&str>, after: Option<&str>) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(q) = self.q.as_deref().filter(|q| !q.trim().is_empty()) {
            pairs.push(("q", q.to_string()));
        }
        if let Some(p) = self.project.as_deref().filter(|p| !p.is_empty()) {
            pairs.push(("project", p.to_string()));
        }
        match view {
            Some(v) => pairs.push(("view", v.to_string())),
            None => {
                if let Some(v) = self.view.as_deref().filter(|v| !v.is_empty()) {
                    pairs.push(("view", v.to_string()));
                }
            }
        }
        if self.mine.is_some() {
            pairs.push(("mine", "1".into()));
        }
        if self.overdue.is_some() {
            pairs.push(("overdue", "1".into()));
        }
        if let Some(a) = after {
            pairs.push(("after", a.to_string()));
        }
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| {
                format!(
                    "{k}={}",
                    percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
                )
            })
            .collect();
        if query.is_empty() {
            "/cases".to_string()
        } else {
            format!("/cases?{}", query.join("&"))
        }
    }
}

struct Row {
    id: String,
    reference: String,
    title: String,
    project: String,
    state: String,
    queue: String,
    /// HTML: a `<time>` and our own countdown text.
    due: String,
    overdue: bool,
}

struct Tab {
    title: String,
    count: i64,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    org: String,
    me: String,
    csrf: String,
    q: String,
    project: String,
    projects: Vec<String>,
    mine: bool,
    overdue: bool,
    view: String,
    tabs: Vec<Tab>,
    rows: Vec<Row>,
    next: Option<String>,
    filtered: bool,
}

/// "in 3 days", "in 5 hours", "2 days ago": how much time is left, at a glance.
pub fn countdown(due: Timestamp, now: Timestamp) -> String {
    let secs = due.duration_since(now).as_secs();
    let (n, unit) = match secs.abs() {
        s if s >= 2 * 86_400 => (s / 86_400, "days"),
        s if s >= 2 * 3_600 => (s / 3_600, "hours"),
        s => ((s / 60).max(1), "minutes"),
    };
    if secs >= 0 {
        format!("in {n} {unit}")
    } else {
        format!("{n} {unit} ago")
    }
}

fn row(r: &DashboardRow, now: Timestamp, zone: &embargo_core::TimeZoneName) -> Row {
    // Announcements are shown in their own time zone, as agreed.
    let when_text = match (&r.case.dates, r.queue) {
        (Some(d), Some(Queue::Scheduled)) => format!(
            "announce {} {}",
            d.announce_at.strftime("%Y-%m-%d %H:%M"),
            d.zone
        ),
        _ => r.due.map(|t| when(t, zone).html()).unwrap_or_default(),
    };
    Row {
        id: r.case.id.to_string(),
        reference: r.case.reference.clone(),
        title: r.case.title.clone(),
        project: r.case.project.to_string(),
        state: r.case.state.to_string(),
        queue: r.queue.map(|q| q.title().to_string()).unwrap_or_default(),
        due: match r.due {
            Some(d) => format!("{when_text} ({})", countdown(d, now)),
            None => when_text,
        },
        overdue: r.overdue,
    }
}

pub async fn show(
    State(state): State<WebState>,
    session: TeamSession,
    params: Result<Query<DashboardParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let org = &state.site.organization;
    let now = (state.clock)();
    let params = match params {
        Ok(Query(p)) => p,
        Err(e) => {
            let why = ValueError::new("query", e.body_text());
            return Err(AppError::invalid(why).into());
        }
    };
    let filter = match params.filter() {
        Ok(f) => f,
        Err(e) => return Err(e.into()),
    };
    let result = state
        .app
        .dashboard(
            session.principal,
            &filter,
            params.after.as_deref(),
            PAGE_SIZE,
            now,
        )
        .await;
    let DashboardPage {
        rows,
        next,
        counts,
        done,
    } = match result {
        Ok(p) => p,
        Err(e) => return Err(e.into()),
    };
    let projects = match state.app.projects().await {
        Ok(p) => p.into_iter().map(|p| p.slug.to_string()).collect(),
        Err(e) => return Err(e.into()),
    };
    let active: i64 = counts.iter().map(|(_, n)| n).sum();
    let mut tabs = vec![Tab {
        title: "All open".into(),
        count: active,
        href: params.link(Some("active"), None),
        current: filter.view == DashboardView::Active,
    }];
    for (queue, count) in &counts {
        tabs.push(Tab {
            title: queue.title().into(),
            count: *count,
            href: params.link(Some(queue.name()), None),
            current: filter.view == DashboardView::Queue(*queue),
        });
    }
    tabs.push(Tab {
        title: "Published or closed".into(),
        count: done,
        href: params.link(Some("done"), None),
        current: filter.view == DashboardView::Done,
    });
    Ok(page(
        StatusCode::OK,
        &Dashboard {
            org: org.clone(),
            me: session.name,
            csrf: session.csrf,
            q: params.q.clone().unwrap_or_default(),
            project: params.project.clone().unwrap_or_default(),
            projects,
            mine: filter.mine,
            overdue: filter.overdue,
            view: filter.view.name().to_string(),
            tabs,
            rows: rows.iter().map(|r| row(r, now, &session.zone)).collect(),
            next: next.map(|n| params.link(None, Some(&n))),
            filtered: filter.text.is_some()
                || filter.project.is_some()
                || filter.mine
                || filter.overdue,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::countdown;

    #[test]
    fn countdowns_read_naturally() {
        let now: jiff::Timestamp = "2026-03-02T09:00:00Z".parse().unwrap();
        let at = |h: i64| now + jiff::SignedDuration::from_hours(h);
        assert_eq!(countdown(at(24 * 6 + 3), now), "in 6 days");
        assert_eq!(countdown(at(5), now), "in 5 hours");
        assert_eq!(
            countdown(now + jiff::SignedDuration::from_mins(30), now),
            "in 30 minutes"
        );
        assert_eq!(countdown(at(-72), now), "3 days ago");
    }
}
