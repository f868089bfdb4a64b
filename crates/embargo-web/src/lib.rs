//! embargo's HTTP layer. Handlers stay thin: extract, call one use case, map the result.

mod error;
mod pages;

use axum::Router;
use axum::routing::get;
use embargo_app::App;

pub use error::{WebError, status_of};

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct WebState {
    pub app: App,
    /// The organization's name, shown on pages.
    pub organization: String,
}

pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/healthz", get(pages::health))
        .with_state(state)
}

/// Serves the router on `listener` until `shutdown` completes, then finishes the requests
/// in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: WebState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
