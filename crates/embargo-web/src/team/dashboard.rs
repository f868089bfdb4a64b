//! `GET /cases`: the queues.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use embargo_app::Queue;

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

pub async fn show(State(state): State<WebState>, session: TeamSession) -> Response {
    let rows = match state
        .app
        .dashboard(session.principal, (state.clock)())
        .await
    {
        Ok(r) => r,
        Err(e) => return error_page(&state.site.organization, &e),
    };
    let queues = Queue::ALL
        .iter()
        .filter_map(|q| {
            let in_queue: Vec<Row> = rows
                .iter()
                .filter(|r| r.queue == *q)
                .map(|r| Row {
                    id: r.case.id.to_string(),
                    reference: r.case.id.reference(),
                    title: r.case.title.clone(),
                    project: r.case.project.to_string(),
                    state: r.case.state.to_string(),
                    due: match (&r.case.dates, r.queue) {
                        (Some(d), Queue::Scheduled) => format!(
                            "announce {} {}",
                            d.announce_at.strftime("%Y-%m-%d %H:%M"),
                            d.zone
                        ),
                        _ => r.due.map(when).unwrap_or_default(),
                    },
                    overdue: r.overdue,
                })
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
