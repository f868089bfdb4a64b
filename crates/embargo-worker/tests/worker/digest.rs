//! A burst of new reports (a flood of machine-written ones) reaches the team as one digest,
//! not a notice per report; a few reports keep a notice each.

use embargo_app::{Principal, jobs};
use embargo_core::CaseId;

use crate::{setup, text, to};

/// Files `n` reports at once and returns their cases with their references.
async fn burst(t: &embargo_testkit::TestApp, n: usize) -> Vec<(CaseId, String)> {
    let mut cases = Vec::new();
    for _ in 0..n {
        let s = t.submit().await;
        cases.push((s.case_id, t.store.case_reference(s.case_id).await.unwrap()));
    }
    cases
}

/// `who` chooses to be mailed a copy of new-report notices.
pub(crate) async fn choose_new_reports(t: &embargo_testkit::TestApp, who: embargo_core::UserId) {
    t.app
        .set_preferences(
            Principal::User(who),
            "Europe/Paris",
            &[jobs::NOTIFY_TEAM_NEW_REPORT.to_string()],
            t.now(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_burst_of_new_reports_reaches_the_team_as_one_digest() {
    let (t, sink, worker) = setup().await;
    let p = t.people;
    choose_new_reports(&t, p.coordinator2).await;
    choose_new_reports(&t, p.developer).await;
    let cases = burst(&t, 60).await;
    // The Developer works on one of them: their copy names that one only.
    let (mine, my_reference) = cases[7].clone();
    t.app
        .add_developer(Principal::User(p.coordinator), mine, p.developer, t.now())
        .await
        .unwrap();

    let ran = worker.run_until_idle().await.unwrap();
    let notices = ran
        .iter()
        .filter(|r| matches!(r, embargo_worker::Ran::Done { kind } if kind == jobs::NOTIFY_TEAM_NEW_REPORT))
        .count();
    assert_eq!(notices, 60, "every notice is done: {ran:?}");

    let team = to(&sink, "team@example.org");
    assert_eq!(team.len(), 1, "one digest, not sixty mails");
    let digest = text(&team[0]);
    assert!(
        team[0]
            .data
            .contains("[Example Org] 60 new security reports (infrastructure)"),
        "{}",
        team[0].data
    );
    // The first fifty are listed with their links; the rest are counted.
    for (case_id, reference) in &cases[..50] {
        assert!(digest.contains(reference.as_str()), "{reference}: {digest}");
        assert!(digest.contains(&format!("https://security.example.org/cases/{case_id}")));
    }
    assert!(!digest.contains(cases[55].1.as_str()), "{digest}");
    assert!(
        digest.contains("... and 10 more: https://security.example.org/cases"),
        "{digest}"
    );
    assert!(!team[0].data.contains("Token leak"), "no report text");
    assert!(
        !digest.contains(&cases[0].0.receipt()),
        "receipts are the reporters'"
    );

    // Personal copies: the Coordinator sees all sixty, the Developer the one case.
    let cora = to(&sink, "cora@example.org");
    assert_eq!(cora.len(), 1);
    assert!(cora[0].data.contains("60 new security reports"));
    let dev = to(&sink, "dev@example.org");
    assert_eq!(dev.len(), 1, "a copy naming only the Developer's case");
    let dev_text = text(&dev[0]);
    assert!(
        dev[0]
            .data
            .contains("[Example Org] 1 new security report (infrastructure)"),
        "{}",
        dev[0].data
    );
    assert!(dev_text.contains(my_reference.as_str()), "{dev_text}");
    for (case_id, reference) in cases.iter().filter(|(c, _)| *c != mine) {
        assert!(!dev_text.contains(reference.as_str()), "{reference}");
        assert!(!dev_text.contains(&case_id.to_string()));
    }
    assert!(to(&sink, "coco@example.org").is_empty(), "not chosen");

    // Nothing is left to send, and running again sends nothing twice.
    assert!(worker.run_until_idle().await.unwrap().is_empty());
    assert_eq!(sink.messages().len(), 3, "the digest and two copies");
}

#[tokio::test]
async fn a_few_new_reports_keep_a_notice_each() {
    let (t, sink, worker) = setup().await;
    let cases = burst(&t, 4).await;
    worker.run_until_idle().await.unwrap();
    let team = to(&sink, "team@example.org");
    assert_eq!(team.len(), 4);
    for (_, reference) in &cases {
        assert!(
            team.iter().any(|m| m
                .data
                .contains(&format!("New security report {reference} (infrastructure)"))),
            "{reference}"
        );
    }
}

#[tokio::test]
async fn a_digest_reaches_webhooks_once_with_every_case() {
    use embargo_testkit::http::HttpSink;
    let (t, sink, worker) = setup().await;
    let hook = HttpSink::start().await;
    let worker = worker
        .with_channels(embargo_worker::Channels {
            matrix: None,
            webhooks: vec![embargo_worker::Webhook {
                url: hook.url("/embargo"),
                secret: "a webhook secret of some length".into(),
            }],
        })
        .unwrap();
    let cases = burst(&t, 12).await;
    worker.run_until_idle().await.unwrap();
    assert_eq!(to(&sink, "team@example.org").len(), 1);
    let requests = hook.requests();
    assert_eq!(requests.len(), 1, "one delivery for the digest");
    let body: serde_json::Value = serde_json::from_str(&requests[0].body).unwrap();
    assert_eq!(body["event"], "notify_team_new_report");
    let listed: Vec<&str> = body["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reference"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = cases.iter().map(|(_, r)| r.as_str()).collect();
    assert_eq!(listed, expected);
    assert!(!requests[0].body.contains("Token leak"));
}

#[tokio::test]
async fn a_digest_copy_is_not_sent_to_someone_removed_from_one_of_its_cases() {
    let (t, sink, worker) = setup().await;
    let p = t.people;
    choose_new_reports(&t, p.developer).await;
    let cases = burst(&t, 6).await;
    let coordinator = Principal::User(p.coordinator);
    for (case_id, _) in &cases[..2] {
        t.app
            .add_developer(coordinator, *case_id, p.developer, t.now())
            .await
            .unwrap();
    }
    // The digest runs and enqueues the Developer's copy, naming both cases ...
    let ran = worker.run_once().await.unwrap();
    assert_eq!(ran.len(), 6, "{ran:?}");
    assert_eq!(to(&sink, "team@example.org").len(), 1);
    // ... and before the copy goes, the Developer leaves one of them.
    t.app
        .remove_developer(coordinator, cases[1].0, p.developer, t.now())
        .await
        .unwrap();
    worker.run_until_idle().await.unwrap();
    assert!(
        to(&sink, "dev@example.org").is_empty(),
        "the copy names a case its reader may no longer see"
    );
}

#[tokio::test]
async fn a_digest_that_cannot_be_mailed_is_retried_whole() {
    let (t, sink, worker) = setup().await;
    sink.refuse(true);
    let cases = burst(&t, 8).await;
    let ran = worker.run_until_idle().await.unwrap();
    assert_eq!(ran.len(), 8, "{ran:?}");
    assert!(
        ran.iter()
            .all(|r| matches!(r, embargo_worker::Ran::Retry { .. })),
        "every notice the digest stood for waits for the retry: {ran:?}"
    );
    sink.refuse(false);
    t.clock.advance(crate::days(1) / 24 / 30); // two minutes
    let ran = worker.run_until_idle().await.unwrap();
    assert_eq!(ran.len(), 8, "{ran:?}");
    let team = to(&sink, "team@example.org");
    assert_eq!(team.len(), 1, "one digest on the retry");
    let digest = text(&team[0]);
    for (_, reference) in &cases {
        assert!(digest.contains(reference.as_str()), "{reference}");
    }
}

#[tokio::test]
async fn during_a_flood_digests_go_out_at_most_every_ten_seconds() {
    let (t, sink, worker) = setup().await;
    burst(&t, 6).await;
    assert_eq!(worker.run_until_idle().await.unwrap().len(), 6);
    // The flood goes on: the next notices wait for the pause, even a lone one.
    let next = burst(&t, 7).await;
    assert!(worker.run_until_idle().await.unwrap().is_empty());
    t.clock.advance(jiff::SignedDuration::from_secs(9));
    assert!(worker.run_until_idle().await.unwrap().is_empty());
    t.clock.advance(jiff::SignedDuration::from_secs(1));
    assert_eq!(worker.run_until_idle().await.unwrap().len(), 7);
    let team = to(&sink, "team@example.org");
    assert_eq!(team.len(), 2, "two digests");
    let second = text(&team[1]);
    for (_, reference) in &next {
        assert!(second.contains(reference.as_str()), "{reference}: {second}");
    }
    // Once the flood is over, a lone report after the pause has its own notice again.
    t.clock.advance(jiff::SignedDuration::from_secs(10));
    let lone = t.submit().await;
    worker.run_until_idle().await.unwrap();
    let reference = t.store.case_reference(lone.case_id).await.unwrap();
    let team = to(&sink, "team@example.org");
    assert_eq!(team.len(), 3);
    assert!(
        team[2]
            .data
            .contains(&format!("New security report {reference}"))
    );
}
