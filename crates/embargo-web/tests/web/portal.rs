//! The reporter's portal: link to cookie, what the reporter sees and does, revocation.

use axum::http::StatusCode;
use embargo_app::Principal;
use embargo_core::{CreditPreference, Visibility};

use crate::support::{Web, portal_link, report_fields};

/// Files a report through the form and enters the portal; returns the cookie and case id.
async fn enter(w: &Web) -> (String, embargo_core::CaseId, String) {
    let sent = w
        .post_multipart(
            "/report",
            &report_fields(),
            &[("poc.txt", "text/plain", b"proof")],
            None,
        )
        .await;
    let link = portal_link(&sent.body);
    let path = link.trim_start_matches("http://embargo.test");
    let res = w.get(path, None).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), "/portal");
    let set = res.header("set-cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/portal"),
        "{set}"
    );
    let token = path.rsplit('/').next().unwrap().to_string();
    let Ok(Principal::Reporter(case)) = w.t.app.reporter_principal(&token).await else {
        panic!()
    };
    (res.cookie(), case, path.to_string())
}

#[tokio::test]
async fn the_reporter_sees_their_thread_and_nothing_internal() {
    let w = Web::new().await;
    let (cookie, case, _) = enter(&w).await;
    let coord = Principal::User(w.t.people.coordinator);
    w.t.app
        .acknowledge(coord, case, "Thanks, we are on it.", w.t.now())
        .await
        .unwrap();
    w.t.app
        .post_message(
            coord,
            case,
            Visibility::Internal,
            "INTERNAL-NOTE: fork at org/bot-ghsa",
            vec![],
            w.t.now(),
        )
        .await
        .unwrap();
    let res = w.get("/portal", Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("Token leak in the build bot"));
    assert!(
        res.body.contains("Being reviewed"),
        "status in the reporter's words"
    );
    assert!(res.body.contains("Thanks, we are on it."));
    assert!(res.body.contains("Acknowledged by the security team"));
    assert!(
        !res.body.contains("INTERNAL-NOTE"),
        "internal comments never reach the reporter"
    );
    assert!(res.body.contains("poc.txt"));
}

#[tokio::test]
async fn the_reporter_writes_with_files_and_downloads_their_own() {
    let w = Web::new().await;
    let (cookie, case, _) = enter(&w).await;
    let res = w
        .post_multipart(
            "/portal/messages",
            &[("body", b"Here is a second proof.")],
            &[("<script>.html", "text/html", b"<script>alert(1)</script>")],
            Some(&cookie),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let view =
        w.t.app
            .reporter_view(Principal::Reporter(case), case)
            .await
            .unwrap();
    assert_eq!(
        view.messages.last().unwrap().body.reveal(),
        "Here is a second proof."
    );
    let html = view
        .attachments
        .iter()
        .find(|a| a.filename == "_script_.html")
        .expect("sanitized name");
    let res = w
        .get(&format!("/portal/attachments/{}", html.id), Some(&cookie))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.header("content-type"),
        "application/octet-stream",
        "never rendered as HTML"
    );
    assert!(res.header("content-disposition").starts_with("attachment;"));
    assert_eq!(res.bytes, b"<script>alert(1)</script>");
    // Without the cookie, or with another case's, the file does not exist.
    assert_eq!(
        w.get(&format!("/portal/attachments/{}", html.id), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let (other_cookie, _, _) = enter(&w).await;
    assert_eq!(
        w.get(
            &format!("/portal/attachments/{}", html.id),
            Some(&other_cookie)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_reporter_chooses_their_credit() {
    let w = Web::new().await;
    let (cookie, case, _) = enter(&w).await;
    let res = w
        .post_form(
            "/portal/credit",
            &[
                ("credit_kind", "link"),
                ("credit_value", "https://rita.example"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("Your credit choice was saved."));
    let stored = w.t.store.report(case).await.unwrap();
    assert_eq!(
        stored.content.reveal().credit,
        CreditPreference::Link("https://rita.example".into())
    );
    let res = w
        .post_form(
            "/portal/credit",
            &[
                ("credit_kind", "link"),
                ("credit_value", "javascript:alert(1)"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_replaced_link_stops_working_at_once() {
    let w = Web::new().await;
    let (cookie, _, old_path) = enter(&w).await;
    let res = w.post_form("/portal/revoke", &[], Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("Your new private link"));
    let new_cookie = res.cookie();
    assert_ne!(new_cookie, cookie);
    assert_eq!(
        w.get("/portal", Some(&cookie)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(w.get(&old_path, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        w.get("/portal", Some(&new_cookie)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_links_are_not_found_and_set_no_cookie() {
    let w = Web::new().await;
    let res = w.get(&format!("/portal/{}", "ab".repeat(32)), None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.header("set-cookie").is_empty());
    assert!(res.body.contains("This link is not valid"));
    assert_eq!(
        w.get("/portal", Some("embargo_portal=nope")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn lost_links_are_mailed_without_telling_who_reported() {
    let w = Web::new().await;
    let (_, case, _) = enter(&w).await;
    let known = w
        .post_form("/portal/lost", &[("email", "rita@elsewhere.example")], None)
        .await;
    let unknown = w
        .post_form(
            "/portal/lost",
            &[("email", "nobody@elsewhere.example")],
            None,
        )
        .await;
    assert_eq!(
        (known.status, unknown.status),
        (StatusCode::OK, StatusCode::OK)
    );
    assert_eq!(
        known.body, unknown.body,
        "the answer must not reveal whether the address reported"
    );
    let jobs = w.t.store.jobs(Some(case)).await.unwrap();
    assert_eq!(
        jobs.iter()
            .filter(|j| j.kind == embargo_app::jobs::SEND_PORTAL_LINK)
            .count(),
        1
    );
    assert_eq!(
        w.post_form("/portal/lost", &[("email", "nope")], None)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}
