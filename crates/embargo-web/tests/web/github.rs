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

use crate::support::{Web, call, form_values_csrf, json, sign_in, site, with_passwords};

const TOKEN: &str = "github_pat_web_test";

fn connect(w: Web, fake: &FakeGitHub) -> Web {
    let clock = w.t.clock.clone();
    fake.set_now(&w.t.now().to_string());
    let settings = Settings {
        api_url: fake.url(),
        git_url: "https://github.com".into(),
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
            &[("csrf", "forged"), ("github_login", "coco-gh")],
            Some(&coord),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::FORBIDDEN,
        "a forged form changes nothing"
    );
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
    assert!(page.body.contains("title and description first"));
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
    // The refusal is the error page, with the request's id to quote.
    assert!(
        refused.body.contains("<html") && refused.body.contains("Coordinator"),
        "{}",
        refused.body
    );
    assert!(!refused.header("x-request-id").is_empty());
    let res = w
        .post_form(
            "/cases/not-a-case/github/drafts",
            &[("csrf", &csrf)],
            Some(&dev),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.body.contains("<html"), "{}", res.body);

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
    w.state
        .app
        .sync_github_drafts(id, false, w.t.now())
        .await
        .unwrap();
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

/// The same steps over the JSON API, with the answers its OpenAPI document describes.
#[tokio::test]
async fn the_api_opens_drafts_requests_a_cve_and_makes_a_fork() {
    let fake = fake();
    let w = connect(Web::new().await, &fake);
    let now = w.t.now();
    let token = |who| {
        let app = w.state.app.clone();
        async move {
            app.issue_api_token(Principal::Operator, who, "ci", Some(90), now)
                .await
                .unwrap()
        }
    };
    let (coord, dev) = (
        token(w.t.people.coordinator).await,
        token(w.t.people.developer).await,
    );
    let outsider = token(w.t.people.outsider).await;
    let id = w.t.accepted_case().await;
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
            now,
        )
        .await
        .unwrap();
    let base = format!("/api/v1/cases/{id}/github");

    let panel = json(&call(&w, "GET", &base, Some(&coord), None).await);
    assert_eq!(panel["connected"], true);
    assert_eq!(panel["can_open"], true);
    assert_eq!(panel["repositories"], json!(["example-org/build-bot"]));
    assert_eq!(
        call(&w, "GET", &base, Some(&outsider), None).await.status,
        StatusCode::NOT_FOUND
    );
    let res = call(&w, "POST", &format!("{base}/drafts"), Some(&dev), None).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    let res = call(&w, "POST", &format!("{base}/drafts"), Some(&coord), None).await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.body);
    assert_eq!(json(&res)["repositories"], 1);
    w.state
        .app
        .sync_github_drafts(id, false, now)
        .await
        .unwrap();
    let panel = json(&call(&w, "GET", &base, Some(&dev), None).await);
    let ghsa = panel["drafts"][0]["ghsa_id"].as_str().unwrap().to_string();
    assert!(ghsa.starts_with("GHSA-"), "{panel}");
    assert_eq!(panel["can_request_cve"], true);

    let res = call(&w, "POST", &format!("{base}/cve"), Some(&dev), None).await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.body);

    w.t.app
        .start_fixing(Principal::User(w.t.people.developer), id, now)
        .await
        .unwrap();
    let body = r#"{"repository": "example-org/other"}"#;
    let res = call(&w, "POST", &format!("{base}/forks"), Some(&dev), Some(body)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    let body = r#"{"repository": "example-org/build-bot"}"#;
    let res = call(&w, "POST", &format!("{base}/forks"), Some(&dev), Some(body)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let fork = json(&res);
    assert!(
        fork["fork"]
            .as_str()
            .unwrap()
            .starts_with("example-org/build-bot-ghsa-"),
        "{fork}"
    );
    assert!(fork["fork_id"].is_string());
    fake.assert_no_violations();
}
