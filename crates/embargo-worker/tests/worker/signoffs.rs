//! Steps embargo carries out itself are signed off by embargo once delivered: step 11 when
//! the dates reached the team's mail and every channel, step 17 when the reporter has the
//! publication notice. A failing channel leaves step 11 open.

use embargo_app::Principal;
use embargo_core::Step;
use embargo_testkit::http::HttpSink;

use crate::setup;

/// Whether the case's step is done.
async fn done(t: &embargo_testkit::TestApp, id: embargo_core::CaseId, step: Step) -> bool {
    t.store.case(id).await.unwrap().checklist.is_done(step)
}

fn channels(hook: &HttpSink) -> embargo_worker::Channels {
    embargo_worker::Channels {
        matrix: None,
        webhooks: vec![embargo_worker::Webhook {
            url: hook.url("/embargo"),
            secret: "a webhook secret of some length".into(),
        }],
    }
}

#[tokio::test]
async fn posted_dates_are_signed_off_by_embargo_once_every_channel_has_them() {
    let (t, _sink, worker) = setup().await;
    let hook = HttpSink::start().await;
    let worker = worker.with_channels(channels(&hook)).unwrap();
    let id = t.scheduled_case(14).await;
    assert!(!done(&t, id, Step::POST_DATES).await);
    worker.run_until_idle().await.unwrap();
    let case = t.store.case(id).await.unwrap();
    let signs = case.checklist.signoffs(Step::POST_DATES);
    assert_eq!(signs.len(), 1, "{signs:?}");
    assert_eq!(signs[0].by, None, "embargo's, not a person's");
    let evidence = signs[0].note.as_deref().unwrap();
    assert!(
        evidence.contains("the team's mail (team@example.org)") && evidence.contains("webhook 0"),
        "{evidence}"
    );
    // The Coordinator cannot sign it again by hand.
    let again = t
        .app
        .complete_step(Principal::User(t.people.coordinator), id, 11, None, t.now())
        .await;
    assert!(again.is_err());
}

#[tokio::test]
async fn a_failing_channel_leaves_the_step_open() {
    let (t, _sink, worker) = setup().await;
    let hook = HttpSink::start().await;
    hook.answer(500);
    let worker = worker.with_channels(channels(&hook)).unwrap();
    let id = t.scheduled_case(14).await;
    worker.run_until_idle().await.unwrap();
    assert!(!done(&t, id, Step::POST_DATES).await);
    // Once the channel is back and the retry delivers, embargo signs it off.
    hook.answer(200);
    t.clock.advance(jiff::SignedDuration::from_hours(2));
    worker.run_until_idle().await.unwrap();
    assert!(done(&t, id, Step::POST_DATES).await);
}

#[tokio::test]
async fn the_reporter_told_of_the_publication_signs_step_17() {
    let (t, sink, worker) = setup().await;
    let id = t.scheduled_case(20).await;
    let deadline = t.store.case(id).await.unwrap().deadlines.disclose_by;
    t.clock.set(deadline);
    assert!(t.app.disclose_if_due(id, deadline, t.now()).await.unwrap());
    assert!(!done(&t, id, Step::NOTIFY_REPORTER).await);
    worker.run_until_idle().await.unwrap();
    assert!(
        !crate::to(&sink, "reporter@elsewhere.example").is_empty(),
        "the notice was mailed"
    );
    let case = t.store.case(id).await.unwrap();
    let signs = case.checklist.signoffs(Step::NOTIFY_REPORTER);
    assert_eq!(signs.len(), 1);
    assert!(
        signs[0]
            .note
            .as_deref()
            .unwrap()
            .starts_with("mailed to the reporter by embargo"),
        "{signs:?}"
    );
}
