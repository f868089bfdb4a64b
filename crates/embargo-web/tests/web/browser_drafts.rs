//! The case page's one script: a message being written survives a reload, and is
//! forgotten once sent.

use std::sync::Arc;

use embargo_app::Principal;
use embargo_testkit::TestApp;
use embargo_web::{Site, WebState};
use fantoccini::{Client, Locator};

use crate::browser::{browser_with, wait_for};
use crate::support::{PASSWORD, site};

async fn message_box(c: &Client) -> String {
    c.find(Locator::Id("message-body"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_message_being_written_survives_a_reload_and_is_forgotten_once_sent() {
    let t = TestApp::new().await;
    t.app
        .set_password(Principal::Operator, t.people.coordinator, PASSWORD, t.now())
        .await
        .unwrap();
    let case = t.submit().await.case_id;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let clock = t.clock.clone();
    let state = WebState::new(
        t.app.clone(),
        Site {
            public_url: base.clone(),
            ..site()
        },
        Arc::new(move || clock.now()),
    );
    let server = tokio::spawn(embargo_web::serve(listener, state, std::future::pending()));
    let profile = tempfile::tempdir().unwrap();
    let (_driver, c) = browser_with(profile.path(), true).await;
    c.goto(&format!("{base}/login")).await.unwrap();
    for (id, text) in [("email", "coco@example.org"), ("password", PASSWORD)] {
        c.find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }
    c.find(Locator::Css("form[action='/login'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "Cases").await;

    let page = format!("{base}/cases/{case}");
    c.goto(&page).await.unwrap();
    let draft = "Looking at the bot's log handling now";
    c.find(Locator::Id("message-body"))
        .await
        .unwrap()
        .send_keys(draft)
        .await
        .unwrap();
    // A fresh visit (not the browser restoring the form on reload).
    c.goto(&page).await.unwrap();
    wait_for(&c, "The report").await;
    assert_eq!(message_box(&c).await, draft, "kept across the reload");

    c.find(Locator::Css("#action-message button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, draft).await;
    c.goto(&page).await.unwrap();
    wait_for(&c, "The report").await;
    assert_eq!(message_box(&c).await, "", "forgotten once sent");
    assert_eq!(
        t.store.messages(case, false).await.unwrap().len(),
        1,
        "the message was posted once"
    );
    c.close().await.unwrap();
    server.abort();
}
