//! Every request gets an id: it is in the `X-Request-Id` response header, on every log line
//! written while the request is served, and on error pages and JSON errors, so that "it
//! said something went wrong, reference 3f9c..." leads an operator to the log lines.
//!
//! The log names the route's template (`/portal/{token}`), never the path itself: paths
//! carry secret links.

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::WebState;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served, if any (error pages and JSON errors show it).
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

pub async fn assign(State(state): State<WebState>, req: Request, next: Next) -> Response {
    // 64 random bits are plenty to tell requests apart in a log.
    let id: String = state
        .app
        .new_form_token()
        .map(|t| t.chars().take(16).collect())
        .unwrap_or_else(|_| "unknown".into());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("(no route)", MatchedPath::as_str)
        .to_string();
    let method = req.method().to_string();
    let span = tracing::info_span!("request", id = %id, method = %method, route = %route);
    let started = std::time::Instant::now();
    let mut res = REQUEST_ID
        .scope(id.clone(), next.run(req).instrument(span))
        .await;
    state.http.observe(&route, &method, started.elapsed());
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}
