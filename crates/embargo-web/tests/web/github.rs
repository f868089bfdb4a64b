//! GitHub from the case page and the account page, against the local fake of GitHub's
//! REST API (every request checked against GitHub's OpenAPI description).

use std::sync::Arc;

use axum::http::StatusCode;
use embargo_app::Principal;
use embargo_core::Advisory;
use embargo_github::{Auth, GitHub, Settings};
use embargo_testkit::cases;
use embargo_testkit::github::FakeGitHub;
use embargo_web::WebState;
use serde_json::json;

use crate::support::{Web, form_values_csrf, sign_in, site, with_passwords};

const TOKEN: &str = "github_pat_web_test";

fn connect(w: Web, fake: &FakeGitHub) -> Web {
    let clock = w.t.clock.clone();
    fake.set_now(&w.t.now().to_string());
    let settings = Settings {
        api_url: fake.url(),
        auth: Auth::Token(TOKEN.into()),
    };
    let github_clock = clock.clone();
    let client = GitHub::new(settings, Arc::new(move || github_clock.now())).unwrap();
    let app = w.t.app.clone().with_github(client);
    let state = WebState::new(app, site(), Arc::new(move || clock.now()));
    Web { t: w.t, state }
}

fn fake() -> FakeGitHub {
    let fake = FakeGitHub::start(TOKEN);
    fake.add_repo(
        "example-org",
        "build-bot",
        false,
        json!({"security_advisories": "write", "contents": "write"}),
    );
    fake.add_user("coco-gh");
    fake
}

#[tokio::test]
async fn the_case_page_opens_the_drafts_and_shows_them() {
    let fake = fake();
    let w = connect(with_passwords().await, &fake);
    let coord = sign_in(&w, "coco@example.org").await;
    let dev = sign_in(&w, "dev@example.org").await;

    // The account page records the login; GitHub must know it.
    let account = w.get("/account", Some(&coord)).await;
    let csrf = form_values_csrf(&account.body);
    let res = w
        .post_form(
            "/account/github",
            &[("csrf", &csrf), ("github_login", "no-such-user")],
            Some(&coord),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(
        res.body.contains("no-such-user is not a GitHub account"),
        "{}",
        res.body
    );
    let res = w
        .post_form(
            "/account/github",
            &[("csrf", &csrf), ("github_login", "@coco-gh")],
            Some(&coord),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("value=\"coco-gh\""), "{}", res.body);

    let id = w.t.accepted_case().await;
    let path = format!("/cases/{id}");
    // Without the advisory's public text, nothing can go to GitHub yet.
    let page = w.get(&path, Some(&coord)).await;
    assert!(page.body.contains("id=\"github\""), "{}", page.body);
    assert!(
        page.body
            .contains("title and description first")
    );
    assert!(!page.body.contains("id=\"github-drafts\""));
    let advisory = Advisory {
        cve: None,
        ..cases::advisory()
    };
    w.t.app
        .save_advisory(
            Principal::User(w.t.people.coordinator),
            id,
            0,
            advisory,
            w.t.now(),
        )
        .await
        .unwrap();

    // The Coordinator's page offers step 4; a Developer's does not.
    let page = w.get(&path, Some(&coord)).await;
    assert!(page.body.contains("id=\"github-drafts\""), "{}", page.body);
    assert!(
        page.body.contains("Devi Loper"),
        "a person without a login is named"
    );
    let dev_page = w.get(&path, Some(&dev)).await;
    assert!(!dev_page.body.contains("id=\"github-drafts\""));
    let csrf = form_values_csrf(&dev_page.body);
    let refused = w
        .post_form(
            &format!("{path}/github/drafts"),
            &[("csrf", &csrf)],
            Some(&dev),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    let csrf = form_values_csrf(&page.body);
    let res = w
        .post_form(
            &format!("{path}/github/drafts"),
            &[("csrf", &csrf)],
            Some(&coord),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("Draft advisories requested"));
    // The job runs (the worker's part), and the page shows the GHSA id and its link.
    w.state.app.sync_github_drafts(id, w.t.now()).await.unwrap();
    let page = w.get(&path, Some(&coord)).await;
    let ghsa = fake.advisories()[0]["ghsa_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(page.body.contains(&ghsa), "{}", page.body);
    assert!(page.body.contains(&format!(
        "https://github.com/example-org/build-bot/security/advisories/{ghsa}"
    )));
    // Step 9 is offered to the Developer now; step 4 has nothing left to open.
    let dev_page = w.get(&path, Some(&dev)).await;
    assert!(dev_page.body.contains("id=\"github-cve\""));
    assert!(!page.body.contains("id=\"github-drafts\""));
    // Outsiders see nothing of it.
    let outsider = sign_in(&w, "out@example.org").await;
    let res = w.get(&path, Some(&outsider)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(!res.body.contains(&ghsa));
    fake.assert_no_violations();
}
