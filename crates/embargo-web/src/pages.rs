//! The home page, the stylesheet and the health check.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::WebState;
use crate::render::page;

/// What `/healthz` says.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `unavailable`.
    database: &'static str,
    /// This instance's job runner, when it runs one.
    #[serde(skip_serializing_if = "Option::is_none")]
    runner: Option<RunnerHealth>,
    /// `ok` or `unavailable`: the whole answer.
    status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RunnerHealth {
    /// `running`, `starting` or `stalled`.
    state: &'static str,
    #[schema(format = DateTime)]
    last_tick: String,
    seconds_since_tick: i64,
    stale_after_seconds: i64,
    restarts: u32,
}

/// `GET /healthz`: 200 when the database answers and this instance's job runner ticked
/// recently; 503 otherwise, so that a load balancer or a supervisor takes the instance out
/// (a runner that stopped means no mail, no reminder and no disclosure at the deadline,
/// even though pages still answer).
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "health",
    summary = "Health: 200 while the database answers and the job runner ticks",
    security(()),
    responses(
        (status = 200, description = "Healthy", body = Health),
        (status = 503, description = "The database or the job runner is unavailable", body = Health),
    )
)]
pub async fn health(State(state): State<WebState>) -> Response {
    let database = match state.app.store().ping().await {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(error = %e, "health check: database unavailable");
            false
        }
    };
    let mut healthy = database;
    let runner = state.runner.as_ref().map(|runner| {
        let now = (state.clock)();
        let pulse = runner.heartbeat.pulse();
        let runner_state = runner.heartbeat.state(now, runner.stale_after);
        healthy &= runner_state == embargo_app::RunnerState::Running;
        let since = now.duration_since(pulse.last_tick).as_secs();
        if runner_state != embargo_app::RunnerState::Running {
            tracing::error!(
                seconds_since_tick = since,
                "health check: the job runner has stopped ticking"
            );
        }
        RunnerHealth {
            state: runner_state.as_str(),
            last_tick: pulse.last_tick.to_string(),
            seconds_since_tick: since.max(0),
            stale_after_seconds: runner.stale_after.as_secs(),
            restarts: pulse.restarts,
        }
    });
    let word = |ok: bool| if ok { "ok" } else { "unavailable" };
    let body = Health {
        database: word(database),
        runner,
        status: word(healthy),
    };
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    org: String,
    ack_days: u16,
    disclose_days: u16,
    has_key: bool,
}

/// `GET /`: what the organization promises reporters (PROCESS.md, Clocks).
pub async fn home(State(state): State<WebState>) -> Result<Response, crate::page_error::PageError> {
    let policy = state.app.current_policy().await?;
    Ok(page(
        StatusCode::OK,
        &Home {
            org: state.site.organization.clone(),
            ack_days: policy.acknowledge_within_days(),
            disclose_days: policy.disclose_within_days(),
            has_key: state.site.team_public_key.is_some(),
        },
    ))
}

/// The one script: keeps a message being written across reloads (nothing needs it).
pub async fn drafts_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/drafts.js"),
    )
        .into_response()
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/embargo.css"),
    )
        .into_response()
}
