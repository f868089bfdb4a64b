//! Load shedding: past its limit of requests in flight the server answers 503 with
//! `Retry-After` at once, instead of queueing without bound; health checks still answer.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use embargo_web::{WebState, router};
use tower::ServiceExt;

use crate::support::{Web, site};

#[tokio::test]
async fn past_its_limit_the_server_sheds_with_503_and_retry_after() {
    let w = Web::new().await;
    let clock = w.t.clock.clone();
    let state =
        WebState::new(w.t.app.clone(), site(), Arc::new(move || clock.now())).with_max_in_flight(1);
    let w = Web { t: w.t, state };

    // A report whose body never arrives holds the one slot.
    let slow = Request::post("/api/v1/reports")
        .header("content-type", "application/json")
        .body(Body::from_stream(futures_util::stream::pending::<
            Result<Bytes, std::io::Error>,
        >()))
        .unwrap();
    let held = tokio::spawn(router(w.state.clone()).oneshot(slow));
    for _ in 0..200 {
        if w.state.shedder.in_flight() == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert_eq!(w.state.shedder.in_flight(), 1);

    let res = w.get("/", None).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{}", res.body);
    assert_eq!(res.header("retry-after"), "1");
    assert!(res.body.contains("overloaded"), "{}", res.body);
    // Health checks are never shed.
    assert_eq!(w.get("/healthz", None).await.status, StatusCode::OK);

    // The slot frees when the slow request ends; the next request is served.
    held.abort();
    let _ = held.await;
    assert_eq!(w.state.shedder.in_flight(), 0);
    assert_eq!(w.get("/", None).await.status, StatusCode::OK);
}
