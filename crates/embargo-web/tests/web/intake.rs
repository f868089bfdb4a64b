//! The report form and the reports API: what is stored, what is refused, and that a
//! refusal stores nothing.

use axum::http::StatusCode;
use embargo_core::{Channel, CreditPreference};

use crate::support::{Web, portal_link, report_fields};

#[tokio::test]
async fn the_form_lists_the_scope_and_the_promises() {
    let w = Web::new().await;
    let res = w.get("/report", None).await;
    assert_eq!(res.status, StatusCode::OK);
    for needle in [
        "Infrastructure and bots",
        "Out of scope:",
        "upstream maintainers",
        "<strong>7 days</strong>",
        "<strong>90 days</strong>",
        "name=\"website\"",
    ] {
        assert!(res.body.contains(needle), "{needle} missing");
    }
    assert!(
        !res.body.contains("<script"),
        "the form works without JavaScript"
    );
}

#[tokio::test]
async fn a_report_with_files_is_stored_and_gives_a_secret_link() {
    let w = Web::new().await;
    let files: &[(&str, &str, &[u8])] = &[
        ("../../etc/passwd", "text/plain", b"root:x:0:0"),
        ("poc.py", "text/x-python", b"print('pwned')"),
    ];
    let res = w
        .post_multipart("/report", &report_fields(), files, None)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("your report was received"));
    let link = portal_link(&res.body);
    let token = link.rsplit('/').next().unwrap();
    let principal = w.t.app.reporter_principal(token).await.unwrap();
    let embargo_app::Principal::Reporter(case_id) = principal else {
        panic!()
    };
    let report = w.t.store.report(case_id).await.unwrap();
    assert_eq!(report.channel, Channel::Web);
    let content = report.content.reveal();
    assert_eq!(content.title, "Token leak in the build bot");
    assert_eq!(
        content.credit,
        CreditPreference::Name("Rita Reporter".into())
    );
    let names: Vec<_> =
        w.t.store
            .attachments(case_id)
            .await
            .unwrap()
            .into_iter()
            .map(|a| (a.filename, a.size))
            .collect();
    assert!(names.contains(&("passwd".to_string(), 10)), "{names:?}");
    assert!(names.contains(&("poc.py".to_string(), 14)), "{names:?}");
}

#[tokio::test]
async fn mistakes_are_listed_and_the_input_kept_and_nothing_stored() {
    let w = Web::new().await;
    let mut fields = report_fields();
    fields.retain(|(k, _)| *k != "title");
    fields.retain(|(k, _)| *k != "reporter_email");
    fields.push(("reporter_email", b"not an address"));
    let res = w
        .post_multipart("/report", &fields, &[("log.txt", "text/plain", b"x")], None)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Please fix 2 problems"), "{}", res.body);
    assert!(res.body.contains("title is required"));
    assert!(res.body.contains("e-mail address"));
    assert!(
        res.body
            .contains("The bot prints its **token** in CI logs."),
        "the description is kept"
    );
    assert!(res.body.contains("attach your files again"));
    assert_eq!(w.case_count().await, 0);
}

#[tokio::test]
async fn broken_input_is_refused_clearly() {
    let w = Web::new().await;
    let mut fields = report_fields();
    fields.push(("impact", b"\xff\xfe not utf-8"));
    let res = w.post_multipart("/report", &fields, &[], None).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("not valid UTF-8"), "{}", res.body);

    let big = vec![b'a'; embargo_app::MAX_FILE_BYTES + 1];
    let res = w
        .post_multipart(
            "/report",
            &report_fields(),
            &[("big.bin", "application/octet-stream", &big)],
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("at most 10 MiB"), "{}", res.body);

    // Three files under the per-file limit, over the total.
    let part = vec![b'a'; embargo_app::MAX_FILE_BYTES - 1024];
    let three: &[(&str, &str, &[u8])] = &[
        ("a.bin", "x/y", &part),
        ("b.bin", "x/y", &part),
        ("c.bin", "x/y", &part),
    ];
    let res = w
        .post_multipart("/report", &report_fields(), three, None)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("together must be at most 25 MiB"),
        "{}",
        res.body
    );
    assert_eq!(w.case_count().await, 0);
}

#[tokio::test]
async fn the_honeypot_stores_nothing_but_looks_like_success() {
    let w = Web::new().await;
    let mut fields = report_fields();
    fields.push(("website", b"http://spam.example"));
    let res = w.post_multipart("/report", &fields, &[], None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("your report was received"));
    assert_eq!(w.case_count().await, 0);
}

#[tokio::test]
async fn each_address_gets_a_limited_number_of_reports_per_hour() {
    let w = Web::new().await;
    for _ in 0..10 {
        assert_eq!(
            w.post_multipart("/report", &report_fields(), &[], None)
                .await
                .status,
            StatusCode::OK
        );
    }
    let res = w
        .post_multipart("/report", &report_fields(), &[], None)
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.header("retry-after"), "3600");
    assert!(res.body.contains("was not stored"));
    let api = w
        .post_json(
            "/api/v1/reports",
            r#"{"project":"infrastructure","title":"t","description":"d"}"#,
        )
        .await;
    assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(w.case_count().await, 10);
    w.t.clock.advance(embargo_testkit::days(1) / 24);
    assert_eq!(
        w.post_multipart("/report", &report_fields(), &[], None)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_api_answers_201_only_once_the_report_is_stored() {
    let w = Web::new().await;
    let res = w
        .post_json(
            "/api/v1/reports",
            r#"{"project":"infrastructure","title":"SSRF in the webhook relay","description":"Point it at 169.254.169.254.","reporter_email":"r@elsewhere.example","credit_kind":"handle","credit_value":"@rita"}"#,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    let case_id: embargo_core::CaseId = json["case_id"].as_str().unwrap().parse().unwrap();
    assert_eq!(res.header("location"), json["portal_url"].as_str().unwrap());
    assert_eq!(json["acknowledge_by"], "2026-03-09T09:00:00Z");
    let stored = w.t.store.report(case_id).await.unwrap();
    assert_eq!(stored.channel, Channel::Api);
    assert_eq!(
        stored.content.reveal().credit,
        CreditPreference::Handle("@rita".into())
    );
    let token = json["portal_token"].as_str().unwrap();
    assert!(w.t.app.reporter_principal(token).await.is_ok());
}

#[tokio::test]
async fn the_api_takes_files_as_multipart() {
    let w = Web::new().await;
    let report: &[u8] = br#"{"project":"infrastructure","title":"RCE","description":"see poc"}"#;
    let res = w
        .post_multipart(
            "/api/v1/reports",
            &[("report", report)],
            &[("poc.sh", "text/x-sh", b"#!/bin/sh\nid\n")],
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    let case_id = json["case_id"].as_str().unwrap().parse().unwrap();
    let files = w.t.store.attachments(case_id).await.unwrap();
    assert_eq!((files[0].filename.as_str(), files[0].size), ("poc.sh", 13));
}

#[tokio::test]
async fn the_api_names_what_is_wrong() {
    let w = Web::new().await;
    let res = w
        .post_json(
            "/api/v1/reports",
            r#"{"project":"infrastructure","title":"x","description":"y","colour":"red"}"#,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("unknown field `colour`"), "{}", res.body);
    let res = w
        .post_json(
            "/api/v1/reports",
            r#"{"project":"nope","title":"","description":"y"}"#,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    let fields: Vec<_> = json["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["project", "title"]);
    let res = w.post_json("/api/v1/reports", "{not json").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let req = axum::http::Request::post("/api/v1/reports")
        .header("content-type", "text/plain")
        .body(axum::body::Body::from("hi"))
        .unwrap();
    assert_eq!(w.send(req).await.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(w.case_count().await, 0);
}
