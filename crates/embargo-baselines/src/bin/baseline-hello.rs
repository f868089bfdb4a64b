//! An axum handler answering a constant: the HTTP stack's ceiling on this machine.

use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = embargo_baselines::listener(std::env::args().nth(1)).await?;
    let app = Router::new().route("/", get(|| async { "hello" }));
    axum::serve(listener, app).await
}
