//! The router in process, against a real store.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use axum::body::Body;
use axum::http::{Request, StatusCode};
use embargo_app::AppError;
use embargo_core::ValueError;
use embargo_testkit::TestApp;
use embargo_web::{WebError, WebState, router};
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn get(state: WebState, path: &str) -> (StatusCode, String) {
    let res = router(state)
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

fn state(t: &TestApp) -> WebState {
    WebState {
        app: t.app.clone(),
        organization: "Example <Org>".into(),
    }
}

#[tokio::test]
async fn health_reports_the_database() {
    let t = TestApp::new().await;
    let (status, body) = get(state(&t), "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, r#"{"database":"ok","status":"ok"}"#);
    t.store.close().await;
    let (status, body) = get(state(&t), "/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
}

#[tokio::test]
async fn the_home_page_states_the_promises_escaped() {
    let t = TestApp::new().await;
    let (status, body) = get(state(&t), "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("within 7 days") && body.contains("within 90 days"),
        "{body}"
    );
    assert!(body.contains("Example &lt;Org&gt;") && !body.contains("<Org>"));
}

#[tokio::test]
async fn unknown_paths_are_404() {
    let t = TestApp::new().await;
    assert_eq!(get(state(&t), "/nope").await.0, StatusCode::NOT_FOUND);
}

async fn render(e: AppError) -> (StatusCode, serde_json::Value) {
    use axum::response::IntoResponse;
    let res = WebError(e).into_response();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap())
}

#[tokio::test]
async fn every_error_maps_to_one_status_and_hides_internals() {
    let cases = [
        (AppError::NotFound, 404, "not_found"),
        (AppError::Forbidden("no".into()), 403, "forbidden"),
        (
            AppError::Rule {
                code: "two_person_rule",
                message: "m".into(),
            },
            409,
            "two_person_rule",
        ),
        (AppError::Conflict("stale".into()), 409, "conflict"),
        (
            AppError::Invalid(vec![ValueError::new("title", "is required")]),
            422,
            "invalid_input",
        ),
        (
            AppError::Unavailable("disk /secret/path full".into()),
            503,
            "unavailable",
        ),
        (
            AppError::Internal("SELECT * FROM reports: constraint".into()),
            500,
            "internal",
        ),
    ];
    for (e, status, code) in cases {
        let (s, body) = render(e).await;
        assert_eq!(s.as_u16(), status);
        assert_eq!(body["error"]["code"], code);
        let text = body.to_string();
        assert!(
            !text.contains("SELECT") && !text.contains("/secret/path"),
            "{text}"
        );
    }
    let (_, body) = render(AppError::Invalid(vec![ValueError::new(
        "title",
        "is required",
    )]))
    .await;
    assert_eq!(body["error"]["fields"][0]["field"], "title");
    // "not found" says nothing about why.
    let (_, body) = render(AppError::NotFound).await;
    assert_eq!(body["error"]["message"], "not found");
}
