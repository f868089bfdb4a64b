//! One case run end to end in a real browser by two people: a Coordinator and a Developer,
//! each signed in for themselves, from the report form to publication.

use embargo_app::Principal;
use embargo_core::CaseState;
use embargo_testkit::{TestApp, days};
use fantoccini::{Client, Locator};

use crate::browser::{browser, fill as type_into, screenshot, serve, sign_in, sign_out, wait_for};
use crate::support::PASSWORD;

/// Opens the folded actions of the case page ("More actions"), as a person clicks their
/// summaries before filling them in.
async fn unfold(c: &Client) {
    c.execute(
        "document.querySelectorAll('details').forEach(d => { d.open = true; });",
        vec![],
    )
    .await
    .unwrap();
}

/// Types into a field, unfolding its action first.
async fn fill(c: &Client, id: &str, text: &str) {
    unfold(c).await;
    type_into(c, id, text).await;
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Submits the action form `key` of the case page (its fields already filled).
async fn act(c: &Client, key: &str, expect: &str) {
    unfold(c).await;
    click(c, &format!("#action-{key} button")).await;
    wait_for(c, expect).await;
}

#[tokio::test]
async fn a_coordinator_and_a_developer_run_a_case_to_publication() {
    let t = TestApp::new().await;
    for u in [t.people.coordinator, t.people.developer] {
        t.app
            .set_password(Principal::Operator, u, PASSWORD, t.now())
            .await
            .unwrap();
    }
    let (base, server) = serve(&t).await;
    let profile = tempfile::tempdir().unwrap();
    let (_driver, c) = browser(profile.path()).await;

    // A reporter files the report.
    c.goto(&format!("{base}/report")).await.unwrap();
    click(&c, "option[value=infrastructure]").await;
    fill(&c, "title", "Webhook relay follows redirects to metadata").await;
    fill(
        &c,
        "description",
        "SSRF: the relay fetches `http://169.254.169.254/`.",
    )
    .await;
    fill(&c, "reporter_email", "rita@elsewhere.example").await;
    click(&c, "form[action='/report'] button").await;
    wait_for(&c, "your report was received").await;
    let case_id = t.store.case_ids(None).await.unwrap()[0];
    let case_url = format!("{base}/cases/{case_id}");

    // The Coordinator triages and accepts, bringing in the Developer.
    sign_in(&c, &base, "coco@example.org").await;
    wait_for(&c, "Needs acknowledgement").await;
    c.goto(&case_url).await.unwrap();
    fill(
        &c,
        "acknowledge-message",
        "Thank you, we are looking into it.",
    )
    .await;
    act(&c, "acknowledge", "acknowledged").await;
    act(&c, "start_triage", "triage").await;
    fill(&c, "add_developer-email", "dev@example.org").await;
    act(&c, "add_developer", "Devi Loper: Developer").await;
    act(&c, "accept", "accepted").await;
    // One person cannot hold both roles: the Coordinator adding themself is refused.
    fill(&c, "add_developer-email", "coco@example.org").await;
    unfold(&c).await;
    click(&c, "#action-add_developer button").await;
    wait_for(&c, "two-person rule").await;
    c.goto(&case_url).await.unwrap();
    sign_out(&c).await;

    // The Developer fixes it in two private forks, tests each by hand, sets the dates.
    sign_in(&c, &base, "dev@example.org").await;
    c.goto(&case_url).await.unwrap();
    act(&c, "start_fixing", "fixing").await;
    for fork in ["example-org/relay-ghsa-1", "other-org/http-lib-ghsa-2"] {
        fill(&c, "record_fork-fork_name", fork).await;
        act(&c, "record_fork", fork).await;
    }
    for _ in 0..2 {
        unfold(&c).await;
        let form = c
            .find(Locator::Css("form[id^='action-sign_off_fork']"))
            .await
            .unwrap();
        form.find(Locator::Css("button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for(&c, "tested by Devi Loper").await;
    }
    for step in [6, 7, 12, 13] {
        act(&c, &format!("complete_step-{step}"), "Checklist").await;
    }
    let announce = (t.now() + days(14)).to_zoned_datetime(jiff::tz::TimeZone::UTC);
    // Date inputs take what a person types: the digits in the widget's field order, Tab to
    // go from the date to the time.
    let tab = char::from(fantoccini::key::Key::Tab).to_string();
    fill(
        &c,
        "set_dates-release_on",
        &announce.strftime("%m%d%Y").to_string(),
    )
    .await;
    fill(
        &c,
        "set_dates-announce_at",
        &format!(
            "{}{tab}{}",
            announce.strftime("%m%d%Y"),
            announce.strftime("%I%M%p")
        ),
    )
    .await;
    act(&c, "set_dates", "Release on:").await;
    act(&c, "complete_step-10", "Checklist").await;
    screenshot(&c, "case-developer").await;

    // The Developer drafts the advisory's public text; a mistake is named and loses nothing.
    c.goto(&format!("{case_url}/advisory")).await.unwrap();
    wait_for(&c, "Everything on this page becomes public").await;
    fill(&c, "title", "Relay accepts forged tokens").await;
    fill(
        &c,
        "summary",
        "The relay accepted tokens signed with any key.",
    )
    .await;
    fill(
        &c,
        "description",
        "Upgrade the relay; rotate tokens issued before the fix.",
    )
    .await;
    fill(
        &c,
        "affected",
        "pkg:pypi/relay >=2.0 <2.4.1\npkg:conda/relay <2.4.1",
    )
    .await;
    fill(
        &c,
        "cvss_v3",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q",
    )
    .await;
    fill(&c, "cwes", "CWE-347").await;
    click(&c, "#advisory-form button").await;
    wait_for(&c, "CVSS 3.1 vector").await;
    assert_eq!(
        c.find(Locator::Id("title"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Relay accepts forged tokens"),
        "the input is kept"
    );
    let cvss = c.find(Locator::Id("cvss_v3")).await.unwrap();
    cvss.clear().await.unwrap();
    cvss.send_keys("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N")
        .await
        .unwrap();
    click(&c, "#advisory-form button").await;
    wait_for(&c, "Saved").await;
    screenshot(&c, "advisory-editor").await;
    sign_out(&c).await;

    // The Coordinator agrees to the dates and publishes on the announcement day.
    sign_in(&c, &base, "coco@example.org").await;
    c.goto(&case_url).await.unwrap();
    act(&c, "complete_step-10", "scheduled").await;
    assert!(
        c.find(Locator::Id("action-publish")).await.is_err(),
        "not offered before the announcement"
    );
    // The Coordinator reviews exactly what becomes public, and approves it.
    c.goto(&format!("{case_url}/advisory/preview"))
        .await
        .unwrap();
    let preview = wait_for(&c, "Publication preview").await;
    assert!(preview.contains("Relay accepts forged tokens") && preview.contains(">= 2.0, < 2.4.1"));
    assert!(
        !preview.contains("relay-ghsa-1") && !preview.contains("example.org"),
        "nothing private in the preview"
    );
    screenshot(&c, "advisory-preview").await;
    click(&c, "#approve-form button").await;
    wait_for(&c, "Preview approved").await;
    let dates = t
        .store
        .case(case_id)
        .await
        .unwrap()
        .dates
        .expect("dates were set in the browser");
    assert_eq!(dates.release_on, announce.date());
    assert_eq!(dates.announce_at.date(), announce.date());
    t.clock.set(dates.announcement_instant());
    assert_eq!(
        t.store.case(case_id).await.unwrap().state,
        CaseState::Scheduled
    );
    // Two weeks later the morning's session has long expired: sign in again.
    sign_in(&c, &base, "coco@example.org").await;
    c.goto(&case_url).await.unwrap();
    act(&c, "publish", "published").await;
    screenshot(&c, "case-published").await;
    // Public: on the site without signing in.
    c.goto(&format!("{base}/advisories")).await.unwrap();
    wait_for(&c, "Relay accepts forged tokens").await;
    click(&c, "table.advisories a").await;
    let page = wait_for(&c, "Affected packages").await;
    assert!(page.contains("CWE-347") && page.contains("relay"), "{page}");
    screenshot(&c, "public-advisory").await;

    let case = t.store.case(case_id).await.unwrap();
    assert_eq!(case.state, CaseState::Published);
    assert_eq!(case.forks.len(), 2);
    assert_eq!(
        (case.coordinator, case.developers.len()),
        (Some(t.people.coordinator), 1)
    );
    assert!(t.store.verify_audit().await.unwrap().is_intact());
    c.close().await.unwrap();
    server.abort();
}
