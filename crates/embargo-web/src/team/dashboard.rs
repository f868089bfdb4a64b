//! `GET /cases`: the queues, each case with its deadline counting down.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use embargo_app::{DashboardRow, Queue};
use jiff::Timestamp;

use super::{TeamSession, when};
use crate::WebState;
use crate::render::{error_page, page};

struct Row {
    id: String,
    reference: String,
    title: String,
    project: String,
    state: String,
    due: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    org: String,
    me: String,
    csrf: String,
    queues: Vec<(String, Vec<Row>)>,
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

fn row(r: &DashboardRow, now: Timestamp) -> Row {
    // Announcements are shown in their own time zone, as agreed.
    let when_text = match (&r.case.dates, r.queue) {
        (Some(d), Queue::Scheduled) => format!(
            "announce {} {}",
            d.announce_at.strftime("%Y-%m-%d %H:%M"),
            d.zone
        ),
        _ => r.due.map(when).unwrap_or_default(),
    };
    Row {
        id: r.case.id.to_string(),
        reference: r.case.id.reference(),
        title: r.case.title.clone(),
        project: r.case.project.to_string(),
        state: r.case.state.to_string(),
        due: match r.due {
            Some(d) => format!("{when_text} ({})", countdown(d, now)),
            None => when_text,
        },
        overdue: r.overdue,
    }
}

pub async fn show(State(state): State<WebState>, session: TeamSession) -> Response {
    let now = (state.clock)();
    let rows = match state.app.dashboard(session.principal, now).await {
        Ok(r) => r,
        Err(e) => return error_page(&state.site.organization, &e),
    };
    let queues = Queue::ALL
        .iter()
        .filter_map(|q| {
            let in_queue: Vec<Row> = rows
                .iter()
                .filter(|r| r.queue == *q)
                .map(|r| row(r, now))
                .collect();
            (!in_queue.is_empty()).then(|| (q.title().to_string(), in_queue))
        })
        .collect();
    page(
        StatusCode::OK,
        &Dashboard {
            org: state.site.organization.clone(),
            me: session.name,
            csrf: session.csrf,
            queues,
        },
    )
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
