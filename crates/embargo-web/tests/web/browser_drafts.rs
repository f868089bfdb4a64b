//! The case page's one script: a message being written survives a reload, and is
//! forgotten once sent.

use embargo_app::Principal;
use embargo_testkit::TestApp;
use fantoccini::{Client, Locator};

use crate::browser::{browser_with, serve, sign_in, wait_for};
use crate::support::PASSWORD;

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
    let (base, server) = serve(&t).await;
    let profile = tempfile::tempdir().unwrap();
    let (_driver, c) = browser_with(profile.path(), true).await;
    sign_in(&c, &base, "coco@example.org").await;

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
