//! A person's own choices on the account page: times in their zone (UTC on hover), and
//! the team events that mail them.

use axum::http::StatusCode;

use crate::support::{form_values_csrf, sign_in, with_passwords};

#[tokio::test]
async fn times_show_in_the_chosen_zone_with_utc_on_hover() {
    let w = with_passwords().await;
    let case = w.t.submit().await.case_id;
    let cookie = sign_in(&w, "coco@example.org").await;
    let page = w.get(&format!("/cases/{case}"), Some(&cookie)).await;
    // The test clock: 2026-03-02 09:00 UTC.
    assert!(page.body.contains("2026-03-02 09:00 UTC"), "{}", page.body);

    let account = w.get("/account", Some(&cookie)).await;
    assert!(account.body.contains("id=\"preferences\""));
    let csrf = form_values_csrf(&account.body);
    let bad = w
        .post_form(
            "/account/preferences",
            &[("csrf", &csrf), ("time_zone", "Moon/Base")],
            Some(&cookie),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("Moon/Base"), "{}", bad.body);
    let saved = w
        .post_form(
            "/account/preferences",
            &[
                ("csrf", &csrf),
                ("time_zone", "Europe/Paris"),
                ("mail_notify_team_new_report", "on"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert!(saved.body.contains("Your preferences were saved."));
    assert!(saved.body.contains("value=\"Europe/Paris\""));
    assert!(
        saved
            .body
            .contains("name=\"mail_notify_team_new_report\" value=\"on\" checked")
    );
    assert!(
        !saved
            .body
            .contains("name=\"mail_dates_agreed\" value=\"on\" checked")
    );

    let page = w.get(&format!("/cases/{case}"), Some(&cookie)).await;
    assert!(
        page.body.contains(
            "<time datetime=\"2026-03-02T09:00:00Z\" title=\"2026-03-02 09:00 UTC\">2026-03-02 10:00 CET</time>"
        ),
        "{}",
        page.body
    );
    let dashboard = w.get("/cases", Some(&cookie)).await;
    assert!(
        dashboard
            .body
            .contains("title=\"2026-03-09 09:00 UTC\">2026-03-09 10:00 CET</time>"),
        "{}",
        dashboard.body
    );
    // Another person's pages stay in their own zone.
    let other = sign_in(&w, "cora@example.org").await;
    let page = w.get(&format!("/cases/{case}"), Some(&other)).await;
    assert!(!page.body.contains("CET"));
}
