//! A long thread through the JSON API: the case shows its newest messages, and the older
//! ones come a page at a time, each message once, in order.

use axum::http::StatusCode;
use embargo_app::Principal;
use embargo_core::Visibility;

use crate::support::{Web, call, json};

#[tokio::test]
async fn a_long_thread_is_read_a_page_at_a_time_newest_first() {
    let w = Web::new().await;
    let p = w.t.people;
    let s = w.t.submit().await;
    let token =
        w.t.app
            .issue_api_token(Principal::Operator, p.coordinator, "t", Some(90), w.t.now())
            .await
            .unwrap();
    let outsider =
        w.t.app
            .issue_api_token(Principal::Operator, p.outsider, "o", Some(90), w.t.now())
            .await
            .unwrap();
    // An internal thread of 250 messages (a Coordinator may comment on any case).
    for n in 0..250 {
        w.t.app
            .post_message(
                Principal::User(p.coordinator),
                s.case_id,
                Visibility::Internal,
                &format!("note {n}"),
                Vec::new(),
                w.t.now(),
            )
            .await
            .unwrap();
    }
    let case = json(
        &call(
            &w,
            "GET",
            &format!("/api/v1/cases/{}", s.case_id),
            Some(&token),
            None,
        )
        .await,
    );
    let shown = case["messages"].as_array().unwrap();
    assert_eq!(shown.len(), 100);
    assert_eq!(shown[99]["body"], "note 249");
    assert_eq!(shown[0]["body"], "note 150");
    // Older pages, until the first message.
    let mut bodies: Vec<String> = Vec::new();
    let mut before = case["older_messages"].as_str().unwrap().to_string();
    let mut pages = 0;
    loop {
        let path = format!(
            "/api/v1/cases/{}/messages?before={before}&limit=60",
            s.case_id
        );
        let page = json(&call(&w, "GET", &path, Some(&token), None).await);
        pages += 1;
        let mut chunk: Vec<String> = page["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["body"].as_str().unwrap().to_string())
            .collect();
        chunk.extend(bodies);
        bodies = chunk;
        match page["older"].as_str() {
            Some(next) => before = next.to_string(),
            None => break,
        }
    }
    assert_eq!(pages, 3, "150 older messages in pages of 60");
    let expected: Vec<String> = (0..150).map(|n| format!("note {n}")).collect();
    assert_eq!(bodies, expected);
    // The newest page without a cursor is the case's own.
    let first = json(
        &call(
            &w,
            "GET",
            &format!("/api/v1/cases/{}/messages?limit=1", s.case_id),
            Some(&token),
            None,
        )
        .await,
    );
    assert_eq!(first["messages"][0]["body"], "note 249");
    // Bad paging is refused with its reason; outsiders see nothing.
    for query in ["limit=0", "limit=501", "limit=x", "before=not-an-id"] {
        let path = format!("/api/v1/cases/{}/messages?{query}", s.case_id);
        let res = call(&w, "GET", &path, Some(&token), None).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            res.body
        );
    }
    let path = format!("/api/v1/cases/{}/messages", s.case_id);
    let res = call(&w, "GET", &path, Some(&outsider), None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(!res.body.contains("note"));
}

/// The audit trail pages the same way: every entry of the case once, in the chain's order,
/// the actor named; bad paging refused; outsiders see nothing.
#[tokio::test]
async fn the_audit_trail_is_read_a_page_at_a_time_newest_first() {
    let w = Web::new().await;
    let p = w.t.people;
    let s = w.t.submit().await;
    let other = w.t.submit().await;
    let token =
        w.t.app
            .issue_api_token(Principal::Operator, p.coordinator, "t", Some(90), w.t.now())
            .await
            .unwrap();
    let outsider =
        w.t.app
            .issue_api_token(Principal::Operator, p.outsider, "o", Some(90), w.t.now())
            .await
            .unwrap();
    for n in 0..120 {
        // Interleaved with another case's entries, which the trail leaves out.
        for case in [s.case_id, other.case_id] {
            w.t.app
                .post_message(
                    Principal::User(p.coordinator),
                    case,
                    Visibility::Internal,
                    &format!("note {n}"),
                    Vec::new(),
                    w.t.now(),
                )
                .await
                .unwrap();
        }
    }
    let mut seqs: Vec<i64> = Vec::new();
    let mut actions: Vec<String> = Vec::new();
    let mut before: Option<i64> = None;
    let mut pages = 0;
    loop {
        let path = match before {
            Some(b) => format!("/api/v1/cases/{}/events?before={b}&limit=50", s.case_id),
            None => format!("/api/v1/cases/{}/events?limit=50", s.case_id),
        };
        let res = call(&w, "GET", &path, Some(&token), None).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let page = json(&res);
        pages += 1;
        let events = page["events"].as_array().unwrap();
        let mut chunk: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        let mut names: Vec<String> = events
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect();
        for e in events.iter().filter(|e| e["action"] == "post_message") {
            assert_eq!(e["actor_name"], "Coco Ordinator", "{e}");
        }
        assert!(!res.body.contains("note "), "message text in the trail");
        chunk.extend(seqs);
        seqs = chunk;
        names.extend(actions);
        actions = names;
        match page["older"].as_i64() {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    // The filing (one entry) and 120 messages.
    assert_eq!(seqs.len(), 121, "{actions:?}");
    assert_eq!(pages, 3);
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in order, each once");
    assert_eq!(actions.iter().filter(|a| *a == "post_message").count(), 120);
    for query in ["limit=0", "limit=501", "limit=x", "before=0", "before=soon"] {
        let path = format!("/api/v1/cases/{}/events?{query}", s.case_id);
        let res = call(&w, "GET", &path, Some(&token), None).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            res.body
        );
    }
    let path = format!("/api/v1/cases/{}/events", s.case_id);
    let res = call(&w, "GET", &path, Some(&outsider), None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(!res.body.contains("post_message"));
}
