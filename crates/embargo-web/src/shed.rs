//! Load shedding: at most `max_in_flight` requests are served at once; one more is answered
//! at once with 503 and `Retry-After` instead of waiting in an unbounded queue (a flood of
//! machine-written reports must not make the desk unusable for everyone, nor hold memory
//! without bound). Health checks and metrics are always answered: an orchestrator must not
//! restart a busy instance, and an operator must see why it is busy.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio::sync::Semaphore;

use crate::WebState;

/// Requests served at once by default: far above what two cores serve with a useful
/// latency, far below what would exhaust memory.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 256;

/// Seconds a shed client is asked to wait.
const RETRY_AFTER_SECS: u32 = 1;

/// The permits of requests in flight.
#[derive(Debug, Clone)]
pub struct Shedder {
    permits: Arc<Semaphore>,
    limit: usize,
}

impl Shedder {
    pub fn new(limit: usize) -> Self {
        let limit = limit.max(1);
        Self {
            permits: Arc::new(Semaphore::new(limit)),
            limit,
        }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Requests being served now.
    pub fn in_flight(&self) -> usize {
        self.limit - self.permits.available_permits()
    }
}

impl Default for Shedder {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_IN_FLIGHT)
    }
}

/// Takes a permit for the request, or answers 503 with `Retry-After` at once.
pub async fn shed(State(state): State<WebState>, req: Request, next: Next) -> Response {
    if matches!(req.uri().path(), "/healthz" | "/metrics") {
        return next.run(req).await;
    }
    let Ok(permit) = state.shedder.permits.clone().try_acquire_owned() else {
        tracing::warn!(
            limit = state.shedder.limit,
            "overloaded: a request was shed"
        );
        return overloaded();
    };
    let res = next.run(req).await;
    drop(permit);
    res
}

fn overloaded() -> Response {
    let body = json!({"error": {
        "code": "overloaded",
        "message": "the server is at its limit of requests in flight; try again in a moment",
    }});
    let mut res = (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response();
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    res
}
