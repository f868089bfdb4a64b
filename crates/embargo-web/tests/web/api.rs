//! The team's JSON API with bearer tokens, and its OpenAPI document.

use axum::http::StatusCode;
use embargo_app::Principal;
use embargo_core::CaseState;

use crate::support::{Web, call, json};

#[tokio::test]
async fn a_token_acts_on_cases_like_its_owner() {
    let w = Web::new().await;
    let p = w.t.people;
    let s = w.t.submit().await;
    let coord =
        w.t.app
            .issue_api_token(
                Principal::Operator,
                p.coordinator,
                "laptop",
                Some(90),
                w.t.now(),
            )
            .await
            .unwrap();
    let dev =
        w.t.app
            .issue_api_token(Principal::Operator, p.developer, "ci", Some(90), w.t.now())
            .await
            .unwrap();

    let list = call(&w, "GET", "/api/v1/cases", Some(&coord), None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(json(&list)["cases"][0]["state"], "received");
    let case_path = format!("/api/v1/cases/{}", s.case_id);
    let case = json(&call(&w, "GET", &case_path, Some(&coord), None).await);
    assert_eq!(case["report"]["title"], "Token leak in the build bot");
    assert!(
        case["available_actions"]
            .as_array()
            .unwrap()
            .contains(&"acknowledge".into())
    );

    let act = format!("{case_path}/actions");
    let res = call(
        &w,
        "POST",
        &act,
        Some(&coord),
        Some(r#"{"action":"acknowledge","message":"Got it, thanks.","version":0}"#),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(json(&res)["state"], "acknowledged");
    let stale = call(
        &w,
        "POST",
        &act,
        Some(&coord),
        Some(r#"{"action":"start_triage","version":0}"#),
    )
    .await;
    assert_eq!(
        (stale.status, json(&stale)["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );
    for body in [
        r#"{"action":"start_triage"}"#,
        r#"{"action":"add_developer","email":"dev@example.org"}"#,
    ] {
        assert_eq!(
            call(&w, "POST", &act, Some(&coord), Some(body))
                .await
                .status,
            StatusCode::OK
        );
    }
    // The developer's token sees the case but cannot accept it; a guess at another id is 404.
    let refused = call(&w, "POST", &act, Some(&dev), Some(r#"{"action":"accept"}"#)).await;
    assert_eq!(
        (refused.status, json(&refused)["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    assert_eq!(
        w.t.store.case(s.case_id).await.unwrap().state,
        CaseState::Triage
    );
    let bad = call(
        &w,
        "POST",
        &act,
        Some(&coord),
        Some(r#"{"action":"reject","reason":"not_a_vulnerability","message":""}"#),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let missing = format!(
        "/api/v1/cases/{}",
        embargo_core::CaseId::from_random_bytes([1; 16])
    );
    assert_eq!(
        call(&w, "GET", &missing, Some(&dev), None).await.status,
        StatusCode::NOT_FOUND
    );
}

/// An applied action answers 200 even when its caller no longer sees the case afterwards
/// (a Developer who took themself off it, a case closed or marked spam): with the case
/// while they still see it, otherwise with the action's outcome, never a 404 that reads as
/// "nothing happened".
#[tokio::test]
async fn an_action_that_takes_its_caller_off_the_case_answers_its_outcome() {
    if embargo_testkit::database::postgres_server().is_some() {
        return; // the stand-in below is a SQLite trigger
    }
    let w = Web::new().await;
    let p = w.t.people;
    let s = w.t.submit().await;
    let coord = Principal::User(p.coordinator);
    w.t.app
        .acknowledge(coord, s.case_id, "ack", w.t.now())
        .await
        .unwrap();
    w.t.app
        .start_triage(coord, s.case_id, w.t.now())
        .await
        .unwrap();
    w.t.app
        .add_developer(coord, s.case_id, p.developer, w.t.now())
        .await
        .unwrap();
    let dev =
        w.t.app
            .issue_api_token(Principal::Operator, p.developer, "ci", Some(90), w.t.now())
            .await
            .unwrap();
    // Stand-in for an action that takes its caller off the case: the Developer's comment
    // removes them from it, in the same transaction.
    let db = sqlx::SqlitePool::connect(&w.t.db_url).await.unwrap();
    let trigger = format!(
        "CREATE TRIGGER leave_after_comment AFTER INSERT ON audit_log \
         WHEN NEW.action = 'post_message' AND NEW.actor = 'user:{dev}' BEGIN \
         DELETE FROM case_members WHERE case_id = NEW.case_id AND user_id = '{dev}'; END",
        dev = p.developer
    );
    sqlx::query(sqlx::AssertSqlSafe(trigger))
        .execute(&db)
        .await
        .unwrap();
    db.close().await;

    let act = format!("/api/v1/cases/{}/actions", s.case_id);
    let res = call(
        &w,
        "POST",
        &act,
        Some(&dev),
        Some(r#"{"action":"message","visibility":"internal","body":"Handing this over."}"#),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let body = json(&res);
    assert_eq!(body["action"], "message");
    assert_eq!(body["outcome"], "applied");
    assert_eq!(body["case_id"], s.case_id.to_string());
    assert_eq!(body["state"], "triage");
    assert!(
        body.get("report").is_none(),
        "nothing of a case they no longer see"
    );
    // It was applied, and the caller indeed no longer sees the case.
    let messages = w.t.store.messages(s.case_id, false).await.unwrap();
    assert!(
        messages
            .iter()
            .any(|m| m.body.reveal() == "Handing this over.")
    );
    let path = format!("/api/v1/cases/{}", s.case_id);
    assert_eq!(
        call(&w, "GET", &path, Some(&dev), None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn no_token_or_a_revoked_one_is_401() {
    let w = Web::new().await;
    let res = call(&w, "GET", "/api/v1/cases", None, None).await;
    assert_eq!(
        (res.status, res.header("www-authenticate").as_str()),
        (StatusCode::UNAUTHORIZED, "Bearer")
    );
    let user = Principal::User(w.t.people.coordinator);
    let issue = |days: u16| {
        w.t.app.issue_api_token(
            Principal::Operator,
            w.t.people.coordinator,
            "t",
            Some(days),
            w.t.now(),
        )
    };
    let token = issue(90).await.unwrap();
    let id = w.t.app.api_tokens(user).await.unwrap()[0].id;
    w.t.app.revoke_api_token(user, id, w.t.now()).await.unwrap();
    assert_eq!(
        call(&w, "GET", "/api/v1/cases", Some(&token), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(&w, "GET", "/api/v1/cases", Some("emb_guess"), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // A token lives its chosen days, and is marked used meanwhile.
    let short = issue(1).await.unwrap();
    w.t.clock.advance(jiff::SignedDuration::from_hours(23));
    let res = call(&w, "GET", "/api/v1/cases", Some(&short), None).await;
    assert_eq!(res.status, StatusCode::OK);
    let listed = w.t.app.api_tokens(user).await.unwrap();
    let info = listed.iter().find(|t| t.live(w.t.now())).unwrap();
    assert_eq!(info.last_used_at, Some(w.t.now()));
    w.t.clock.advance(jiff::SignedDuration::from_hours(2));
    let res = call(&w, "GET", "/api/v1/cases", Some(&short), None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

/// Every API route is documented, the document passes the OpenAPI reference validator, and
/// it is the reviewed snapshot: a change of the API's contract shows in the diff.
#[tokio::test]
async fn the_openapi_document_is_valid_complete_and_reviewed() {
    let w = Web::new().await;
    let res = call(&w, "GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(res.status, StatusCode::OK);
    insta::assert_snapshot!("openapi", res.body);
    let doc = json(&res);
    let routes = [
        ("post", "/api/v1/reports"),
        ("get", "/api/v1/cases"),
        ("get", "/api/v1/cases/{id}"),
        ("post", "/api/v1/cases/{id}/actions"),
        ("get", "/api/v1/cases/{id}/advisory"),
        ("put", "/api/v1/cases/{id}/advisory"),
        ("get", "/api/v1/cases/{id}/advisory/preview"),
        ("post", "/api/v1/cases/{id}/advisory/approve"),
        ("post", "/api/v1/cases/{id}/advisory/publish"),
        ("post", "/api/v1/cases/{id}/advisory/cve"),
        ("post", "/api/v1/cases/{id}/teams"),
        ("get", "/api/v1/advisories"),
        ("post", "/api/v1/query"),
        ("post", "/api/v1/webhooks/github"),
        ("get", "/api/v1/openapi.json"),
        ("get", "/healthz"),
    ];
    for (method, path) in routes {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is not documented"
        );
    }
    // The actions it names are the ones the API takes, by the one name of each.
    let mut documented: Vec<&str> =
        doc["components"]["schemas"]["ActionRequest"]["properties"]["action"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
    documented.sort_unstable();
    let mut taken = embargo_web::action_names();
    taken.sort_unstable();
    assert_eq!(documented, taken);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, &res.body).unwrap();
    embargo_validators::Validator::OpenApi.assert_valid(&[&file]);
}

#[tokio::test]
async fn drafts_are_written_by_the_team_while_the_case_is_private() {
    let w = Web::new().await;
    let p = w.t.people;
    let s = w.t.submit().await;
    let coord =
        w.t.app
            .issue_api_token(Principal::Operator, p.coordinator, "c", Some(90), w.t.now())
            .await
            .unwrap();
    let out =
        w.t.app
            .issue_api_token(Principal::Operator, p.outsider, "o", Some(90), w.t.now())
            .await
            .unwrap();
    let act = format!("/api/v1/cases/{}/actions", s.case_id);
    let draft = r#"{"action":"save_draft","kind":"blog_post","body":"DRAFT-MARKER: we fixed a token leak"}"#;
    let early = call(&w, "POST", &act, Some(&coord), Some(draft)).await;
    assert_eq!(
        early.status,
        StatusCode::CONFLICT,
        "not before acceptance: {}",
        early.body
    );
    for body in [
        r#"{"action":"acknowledge","message":"m"}"#,
        r#"{"action":"start_triage"}"#,
        r#"{"action":"accept"}"#,
    ] {
        assert_eq!(
            call(&w, "POST", &act, Some(&coord), Some(body))
                .await
                .status,
            StatusCode::OK
        );
    }
    assert_eq!(
        call(&w, "POST", &act, Some(&out), Some(draft)).await.status,
        StatusCode::NOT_FOUND
    );
    let saved = call(&w, "POST", &act, Some(&coord), Some(draft)).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let drafts = w.t.store.drafts(s.case_id).await.unwrap();
    assert_eq!((drafts.len(), drafts[0].kind.as_str()), (1, "blog_post"));
    let portal = w
        .get(&format!("/portal/{}", s.portal_token), None)
        .await
        .cookie();
    assert!(
        !w.get("/portal", Some(&portal))
            .await
            .body
            .contains("DRAFT-MARKER"),
        "drafts stay with the team"
    );
    let audit = w.t.store.audit_of_case(s.case_id).await.unwrap();
    assert!(
        audit.iter().all(|e| !e.detail.contains("DRAFT-MARKER")),
        "the audit log records that, not what"
    );
}

/// One name per action: what the API offers, takes and the audit log records are the same
/// word (the API once said `spam` and `extend` where the audit log said `mark_spam` and
/// `extend_disclosure`).
#[tokio::test]
async fn the_api_offers_and_takes_actions_by_the_names_the_audit_log_records() {
    let w = Web::new().await;
    let s = w.t.submit().await;
    let coord =
        w.t.app
            .issue_api_token(
                Principal::Operator,
                w.t.people.coordinator,
                "c",
                Some(90),
                w.t.now(),
            )
            .await
            .unwrap();
    let path = format!("/api/v1/cases/{}", s.case_id);
    let case = json(&call(&w, "GET", &path, Some(&coord), None).await);
    let offered: Vec<&str> = case["available_actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(offered.contains(&"mark_spam"), "{offered:?}");
    assert!(!offered.contains(&"spam"));
    let old = call(
        &w,
        "POST",
        &format!("{path}/actions"),
        Some(&coord),
        Some(r#"{"action":"spam"}"#),
    )
    .await;
    assert_eq!(old.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", old.body);
    let done = call(
        &w,
        "POST",
        &format!("{path}/actions"),
        Some(&coord),
        Some(r#"{"action":"mark_spam"}"#),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    // The answer is the outcome and the new version, not the whole case again.
    let outcome = json(&done);
    assert_eq!(outcome["outcome"], "applied");
    assert_eq!(outcome["action"], "mark_spam");
    assert_eq!(outcome["state"], "closed");
    assert_eq!(
        outcome["version"],
        w.t.store.case(s.case_id).await.unwrap().version
    );
    assert!(outcome["available_actions"].is_array(), "{outcome}");
    assert!(outcome.get("messages").is_none() && outcome.get("report").is_none());
    let audit = w.t.store.audit_of_case(s.case_id).await.unwrap();
    assert!(
        audit.iter().any(|e| e.action == "mark_spam"),
        "{:?}",
        audit.iter().map(|e| &e.action).collect::<Vec<_>>()
    );
}
