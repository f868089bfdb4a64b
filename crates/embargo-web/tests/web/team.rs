//! The team's pages: sign-in, CSRF, the dashboard and the case page's actions.

use axum::http::StatusCode;
use embargo_app::Principal;
use embargo_core::CaseState;
use embargo_testkit::days;

use crate::support::{PASSWORD, between, form_values, form_values_csrf, sign_in, with_passwords};

#[tokio::test]
async fn sign_in_answers_the_same_for_unknown_addresses_and_locks_after_failures() {
    let w = with_passwords().await;
    let unknown = w
        .post_login(&[
            ("email", "nobody@example.org"),
            ("password", "whatever-long-pw"),
        ])
        .await;
    let wrong = w
        .post_login(&[
            ("email", "coco@example.org"),
            ("password", "whatever-long-pw"),
        ])
        .await;
    assert_eq!(
        (unknown.status, wrong.status),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert!(
        unknown
            .body
            .contains("wrong e-mail address, password or code")
            && wrong
                .body
                .contains("wrong e-mail address, password or code")
    );
    for _ in 0..4 {
        w.post_login(&[
            ("email", "coco@example.org"),
            ("password", "nope-nope-nope"),
        ])
        .await;
    }
    let locked = w
        .post_login(&[("email", "coco@example.org"), ("password", PASSWORD)])
        .await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
    assert!(
        locked.body.contains("try again in 5 minutes"),
        "{}",
        locked.body
    );
    w.t.clock.advance(days(1) / 24 / 6); // ten minutes
    sign_in(&w, "coco@example.org").await;
}

#[tokio::test]
async fn pages_need_a_session_and_signing_out_ends_it() {
    let w = with_passwords().await;
    let res = w.get("/cases", None).await;
    assert_eq!(
        (res.status, res.header("location").as_str()),
        (StatusCode::SEE_OTHER, "/login?next=/cases")
    );
    let cookie = sign_in(&w, "coco@example.org").await;
    let page = w.get("/cases", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = form_values_csrf(&page.body);
    let out = w
        .post_form("/logout", &[("csrf", &csrf)], Some(&cookie))
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        w.get("/cases", Some(&cookie)).await.status,
        StatusCode::SEE_OTHER,
        "the old cookie no longer works"
    );
    // A redirect after sign-in never leaves the site.
    let res = w
        .post_login(&[
            ("email", "coco@example.org"),
            ("password", PASSWORD),
            ("next", "//evil.example/"),
        ])
        .await;
    assert_eq!(res.header("location"), "/cases");
}

#[tokio::test]
async fn a_coordinator_acknowledges_from_the_case_page() {
    let w = with_passwords().await;
    let s = w.t.submit().await;
    let cookie = sign_in(&w, "coco@example.org").await;
    let dashboard = w.get("/cases", Some(&cookie)).await;
    assert!(
        dashboard.body.contains("Needs acknowledgement")
            && dashboard.body.contains("Token leak in the build bot")
    );
    let page = w.get(&format!("/cases/{}", s.case_id), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("id=\"action-acknowledge\"")
            && page.body.contains("id=\"action-mark_spam\"")
    );
    assert!(
        !page.body.contains("id=\"action-accept\""),
        "accepting needs triage first"
    );
    let (csrf, version) = form_values(&page.body);
    let path = format!("/cases/{}/act", s.case_id);

    let forged = w
        .post_form(
            &path,
            &[
                ("csrf", "forged"),
                ("version", &version),
                ("action", "acknowledge"),
                ("message", "hi"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        w.t.store.case(s.case_id).await.unwrap().state,
        CaseState::Received
    );

    let ok = w
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "acknowledge"),
                ("message", "Thanks, we are on it."),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(
        w.t.store.case(s.case_id).await.unwrap().state,
        CaseState::Acknowledged
    );

    // The same form again: the case moved on, the page says so.
    let stale = w
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "start_triage"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale.body.contains("changed since you opened the page"),
        "{}",
        stale.body
    );
}

#[tokio::test]
async fn roles_decide_what_is_offered_and_what_is_refused() {
    let w = with_passwords().await;
    let p = w.t.people;
    let s = w.t.submit().await;
    let other = w.t.submit().await;
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

    let dev = sign_in(&w, "dev@example.org").await;
    let dashboard = w.get("/cases", Some(&dev)).await;
    assert!(
        dashboard.body.contains(&s.case_id.to_string())
            && !dashboard.body.contains(&other.case_id.to_string())
    );
    let page = w.get(&format!("/cases/{}", s.case_id), Some(&dev)).await;
    assert!(
        !page.body.contains("id=\"action-accept\""),
        "a Developer is not offered Accept"
    );
    let (csrf, version) = form_values(&page.body);
    let res = w
        .post_form(
            &format!("/cases/{}/act", s.case_id),
            &[("csrf", &csrf), ("version", &version), ("action", "accept")],
            Some(&dev),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::FORBIDDEN,
        "refused in the use case, not just hidden"
    );
    assert_eq!(
        w.t.store.case(s.case_id).await.unwrap().state,
        CaseState::Triage
    );

    // Someone with no role, and a case that does not exist, look the same.
    let outsider = sign_in(&w, "out@example.org").await;
    let missing = embargo_core::CaseId::from_random_bytes([9; 16]);
    let a = w
        .get(&format!("/cases/{}", s.case_id), Some(&outsider))
        .await;
    let b = w.get(&format!("/cases/{missing}"), Some(&outsider)).await;
    assert_eq!(
        (a.status, b.status),
        (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND)
    );
    assert_eq!(a.body, b.body);
    assert!(
        !w.get("/cases", Some(&outsider))
            .await
            .body
            .contains("Token leak")
    );
    let admin = sign_in(&w, "admin@example.org").await;
    assert_eq!(
        w.get(&format!("/cases/{}", s.case_id), Some(&admin))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "admins see no case content"
    );
}

#[tokio::test]
async fn overdue_acknowledgements_come_first() {
    let w = with_passwords().await;
    let old = w.t.submit().await;
    w.t.clock.advance(days(8));
    let new = w.t.submit().await;
    let cookie = sign_in(&w, "coco@example.org").await;
    let body = w.get("/cases", Some(&cookie)).await.body;
    let (a, b) = (
        body.find(&old.case_id.to_string()).unwrap(),
        body.find(&new.case_id.to_string()).unwrap(),
    );
    assert!(a < b, "the overdue case is listed first");
    assert!(body.contains("class=\"overdue\""));
}

#[tokio::test]
async fn markdown_is_rendered_and_sanitized_on_every_page() {
    let w = with_passwords().await;
    let json = r#"{"project":"infrastructure","title":"XSS <b>attempt</b>","description":"**bold** <script>alert('reporter')</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))","reporter_email":"r@elsewhere.example"}"#;
    let res = w.post_json("/api/v1/reports", json).await;
    assert_eq!(res.status, StatusCode::CREATED);
    let created: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    let case_id = created["case_id"].as_str().unwrap().to_string();
    let portal = w
        .get(
            created["portal_url"]
                .as_str()
                .unwrap()
                .trim_start_matches("http://embargo.test"),
            None,
        )
        .await;
    let cookie = portal.cookie();
    let coord = sign_in(&w, "coco@example.org").await;
    let pages = [
        w.get("/portal", Some(&cookie)).await.body,
        w.get(&format!("/cases/{case_id}"), Some(&coord)).await.body,
    ];
    for page in pages {
        assert!(
            page.contains("<strong>bold</strong>"),
            "Markdown is rendered"
        );
        assert!(
            page.contains("XSS &#60;b&#62;attempt&#60;/b&#62;")
                || page.contains("XSS &lt;b&gt;attempt&lt;/b&gt;"),
            "titles are escaped"
        );
        for bad in ["<script>alert", "onerror", "javascript:alert"] {
            assert!(!page.contains(bad), "{bad} reached a page");
        }
    }
}

#[tokio::test]
async fn two_factor_sign_in_can_be_turned_on_and_codes_work_once() {
    let w = with_passwords().await;
    let cookie = sign_in(&w, "coco@example.org").await;
    let csrf = form_values_csrf(&w.get("/account", Some(&cookie)).await.body);
    let setup = w
        .post_form("/account/totp/start", &[("csrf", &csrf)], Some(&cookie))
        .await;
    assert_eq!(setup.status, StatusCode::OK);
    let secret = between(&setup.body, "id=\"totp-secret\">", "<").to_string();
    assert!(setup.body.contains("otpauth://totp/"));
    let wrong = w
        .post_form(
            "/account/totp/confirm",
            &[("csrf", &csrf), ("code", "000000")],
            Some(&cookie),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let code = embargo_app::current_code(&secret, w.t.now()).unwrap();
    let on = w
        .post_form(
            "/account/totp/confirm",
            &[("csrf", &csrf), ("code", &code)],
            Some(&cookie),
        )
        .await;
    assert!(on.body.contains("Two-factor sign-in is on."), "{}", on.body);

    let login = |code: Option<String>| {
        let w = &w;
        async move {
            let mut fields = vec![
                ("email", "coco@example.org".to_string()),
                ("password", PASSWORD.to_string()),
            ];
            if let Some(c) = code {
                fields.push(("code", c));
            }
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            w.post_login(&f).await.status
        }
    };
    assert_eq!(
        login(None).await,
        StatusCode::UNAUTHORIZED,
        "the password alone no longer signs in"
    );
    assert_eq!(
        login(Some(code.clone())).await,
        StatusCode::UNAUTHORIZED,
        "the code used to turn it on cannot be replayed"
    );
    w.t.clock.advance(jiff::SignedDuration::from_secs(30));
    let fresh = embargo_app::current_code(&secret, w.t.now()).unwrap();
    assert_eq!(login(Some(fresh.clone())).await, StatusCode::SEE_OTHER);
    assert_eq!(
        login(Some(fresh)).await,
        StatusCode::UNAUTHORIZED,
        "a code works once"
    );
}

#[tokio::test]
async fn tokens_are_created_on_the_account_page_and_shown_once() {
    let w = with_passwords().await;
    let cookie = sign_in(&w, "dev@example.org").await;
    let csrf = form_values_csrf(&w.get("/account", Some(&cookie)).await.body);
    // The session alone is not enough: the current password is asked for.
    let res = w
        .post_form(
            "/account/tokens",
            &[
                ("csrf", &csrf),
                ("name", "laptop"),
                ("days", "30"),
                ("current_password", "not it at all"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("current password"), "{}", res.body);
    let res = w
        .post_form(
            "/account/tokens",
            &[
                ("csrf", &csrf),
                ("name", "laptop"),
                ("days", "30"),
                ("current_password", PASSWORD),
            ],
            Some(&cookie),
        )
        .await;
    let token = between(&res.body, "id=\"new-token\">", "<").to_string();
    let again = w.get("/account", Some(&cookie)).await.body;
    assert!(
        again.contains("laptop") && !again.contains(&token),
        "the token is shown once"
    );
    let expires = (w.t.now() + jiff::SignedDuration::from_hours(30 * 24))
        .strftime("%Y-%m-%d")
        .to_string();
    assert!(again.contains(&expires), "its expiry is shown: {again}");
    let api = axum::http::Request::get("/api/v1/cases")
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(w.send(api).await.status, StatusCode::OK);
    let forged = w
        .post_form(
            "/account/tokens",
            &[("csrf", "nope"), ("name", "x")],
            Some(&cookie),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

/// The sign-in form carries a CSRF token that must match its cookie: a form posted from
/// another site (which cannot read or set that cookie) signs nobody in.
#[tokio::test]
async fn sign_in_from_another_site_is_refused() {
    let w = with_passwords().await;
    let fields = [("email", "coco@example.org"), ("password", PASSWORD)];
    let no_cookie = w.post_form("/login", &fields, None).await;
    assert_eq!(no_cookie.status, StatusCode::FORBIDDEN);
    assert!(!no_cookie.headers.contains_key("set-cookie"));
    let form = w.get("/login", None).await;
    let cookie = form.cookie();
    let set = form.header("set-cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/login"),
        "{set}"
    );
    let mut forged = fields.to_vec();
    forged.push(("csrf", "0000"));
    let res = w.post_form("/login", &forged, Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(w.post_login(&fields).await.status, StatusCode::SEE_OTHER);
}

/// Changing the password on the account page asks for the current one and signs out every
/// other browser of that person.
#[tokio::test]
async fn a_password_change_signs_out_the_other_browsers() {
    let w = with_passwords().await;
    let here = sign_in(&w, "coco@example.org").await;
    let elsewhere = sign_in(&w, "coco@example.org").await;
    let csrf = form_values_csrf(&w.get("/account", Some(&here)).await.body);
    let new = "another long passphrase";
    let wrong = w
        .post_form(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current_password", "guess guess guess"),
                ("password", new),
            ],
            Some(&here),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        w.get("/cases", Some(&elsewhere)).await.status,
        StatusCode::OK
    );
    let res = w
        .post_form(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current_password", PASSWORD),
                ("password", new),
            ],
            Some(&here),
        )
        .await;
    assert!(
        res.body.contains("Your other sessions (1) were ended."),
        "{}",
        res.body
    );
    assert_eq!(w.get("/cases", Some(&here)).await.status, StatusCode::OK);
    assert_ne!(
        w.get("/cases", Some(&elsewhere)).await.status,
        StatusCode::OK
    );
}
