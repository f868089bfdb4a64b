//! Health, home page, headers, the one error mapping.

use axum::http::StatusCode;
use embargo_app::AppError;
use embargo_core::ValueError;
use embargo_web::WebError;
use http_body_util::BodyExt;

use crate::support::Web;

#[tokio::test]
async fn health_reports_the_database() {
    let w = Web::new().await;
    let res = w.get("/healthz", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body, r#"{"database":"ok","status":"ok"}"#);
    w.t.store.close().await;
    assert_eq!(
        w.get("/healthz", None).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

/// With a job runner in the process, `/healthz` reports its heartbeat, and answers 503
/// once it has not ticked for longer than allowed: the pages still answer, but no mail,
/// reminder or disclosure would happen.
#[tokio::test]
async fn health_reports_a_stalled_job_runner() {
    let mut w = Web::new().await;
    let heartbeat = embargo_app::Heartbeat::new(w.t.now());
    w.state = w.state.clone().with_runner(embargo_web::RunnerWatch {
        heartbeat: heartbeat.clone(),
        stale_after: jiff::SignedDuration::from_secs(180),
    });
    w.t.clock.advance(jiff::SignedDuration::from_secs(60));
    let res = w.get("/healthz", None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let body: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(body["runner"]["state"], "running");
    assert_eq!(body["runner"]["seconds_since_tick"], 60);

    w.t.clock.advance(jiff::SignedDuration::from_secs(121));
    let res = w.get("/healthz", None).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{}", res.body);
    let body: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(
        (&body["status"], &body["database"], &body["runner"]["state"]),
        (&"unavailable".into(), &"ok".into(), &"stalled".into())
    );

    heartbeat.tick(w.t.now());
    assert_eq!(w.get("/healthz", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_home_page_states_the_promises_escaped_with_strict_headers() {
    let mut site = crate::support::site();
    site.organization = "Example <Org>".into();
    let w = Web::with_site(site).await;
    let res = w.get("/", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.body.contains("<strong>7 days</strong>")
            && res.body.contains("<strong>90 days</strong>"),
        "{}",
        res.body
    );
    assert!(
        res.body.contains("Example &#60;Org&#62;") || res.body.contains("Example &lt;Org&gt;"),
        "{}",
        res.body
    );
    assert!(!res.body.contains("<Org>"));
    assert!(
        res.header("content-security-policy")
            .contains("default-src 'none'")
    );
    assert_eq!(res.header("referrer-policy"), "no-referrer");
    assert_eq!(res.header("x-content-type-options"), "nosniff");
}

#[tokio::test]
async fn unknown_paths_are_404() {
    let w = Web::new().await;
    assert_eq!(w.get("/nope", None).await.status, StatusCode::NOT_FOUND);
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
            AppError::TooLarge("over the quota".into()),
            413,
            "too_large",
        ),
        (
            AppError::TooMany {
                message: "wait".into(),
                retry_after_secs: 60,
            },
            429,
            "too_many_requests",
        ),
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
    let (_, body) = render(AppError::NotFound).await;
    assert_eq!(body["error"]["message"], "not found");
}

/// Served over https, every answer tells browsers to never use http again; over plain http
/// (local use) it would be meaningless and is not sent.
#[tokio::test]
async fn https_installations_send_hsts() {
    let mut site = crate::support::site();
    site.public_url = "https://security.example.org".into();
    let w = Web::with_site(site).await;
    for path in ["/", "/advisories", "/login", "/nope"] {
        let res = w.get(path, None).await;
        assert_eq!(
            res.header("strict-transport-security"),
            "max-age=63072000",
            "{path}"
        );
    }
    let plain = Web::new().await;
    assert!(
        !plain
            .get("/", None)
            .await
            .headers
            .contains_key("strict-transport-security")
    );
}

/// Every answer carries a request id; when something fails on our side the page shows it
/// as the reference to quote, and the log lines of that request carry the same id.
#[tokio::test]
async fn failures_show_the_request_id_to_quote() {
    let w = Web::new().await;
    let fine = w.get("/advisories", None).await;
    let id = fine.header("x-request-id");
    assert_eq!(id.len(), 16, "{id:?}");
    assert_ne!(w.get("/advisories", None).await.header("x-request-id"), id);

    w.t.store.close().await;
    let broken = w.get("/advisories", None).await;
    assert!(broken.status.is_server_error(), "{}", broken.status);
    let id = broken.header("x-request-id");
    assert!(
        broken
            .body
            .contains(&format!("tell us this reference: {id}.")),
        "{}",
        broken.body
    );
    let api = w.get("/api/v1/advisories", None).await;
    let body: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(body["error"]["request_id"], api.header("x-request-id"));
}
