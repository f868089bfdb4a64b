//! The acknowledgement deadline's clock: one job at intake (the reminder), which queues the
//! alert at the deadline once it has run.

use embargo_app::{JobStatus, Principal, jobs};
use embargo_core::{CaseId, JobId};
use embargo_testkit::{TestApp, days};

use crate::{setup, team_subjects, to};

/// The kinds of the case's jobs that have not run yet, sorted.
async fn pending(t: &TestApp, case: CaseId) -> Vec<String> {
    let mut kinds: Vec<String> = t
        .store
        .jobs(Some(case))
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.status == JobStatus::Pending)
        .map(|j| j.kind)
        .collect();
    kinds.sort();
    kinds
}

/// The case's Coordinator acknowledges it now.
async fn acknowledge(t: &TestApp, case: CaseId) {
    t.app
        .acknowledge(Principal::User(t.people.coordinator), case, "ack", t.now())
        .await
        .unwrap();
}

#[tokio::test]
async fn the_report_queues_one_clock_and_its_reminder_queues_the_alert_once() {
    let (t, _sink, worker) = setup().await;
    let s = t.submit().await;
    worker.run_until_idle().await.unwrap();
    assert_eq!(
        pending(&t, s.case_id).await,
        [jobs::ACKNOWLEDGEMENT_REMINDER]
    );

    t.clock
        .advance(days(5) + jiff::SignedDuration::from_hours(1));
    worker.run_until_idle().await.unwrap();
    let queued = t.store.jobs(Some(s.case_id)).await.unwrap();
    let alert: Vec<_> = queued
        .iter()
        .filter(|j| j.kind == jobs::ACKNOWLEDGEMENT_DUE)
        .collect();
    assert_eq!(alert.len(), 1, "{queued:?}");
    assert_eq!(
        (alert[0].status, alert[0].run_at),
        (JobStatus::Pending, s.acknowledge_by)
    );
    // The reminder run again (a worker that died before recording it): no second alert.
    let reminder = queued
        .iter()
        .find(|j| j.kind == jobs::ACKNOWLEDGEMENT_REMINDER)
        .unwrap();
    let case = t.store.case(s.case_id).await.unwrap();
    t.app
        .queue_acknowledgement_due(reminder.id, &case, t.now())
        .await
        .unwrap();
    assert_eq!(pending(&t, s.case_id).await, [jobs::ACKNOWLEDGEMENT_DUE]);
}

#[tokio::test]
async fn an_acknowledged_report_gets_neither_reminder_nor_alert() {
    let (t, sink, worker) = setup().await;
    let s = t.submit().await;
    acknowledge(&t, s.case_id).await;
    t.clock.advance(days(8));
    worker.run_until_idle().await.unwrap();
    assert_eq!(pending(&t, s.case_id).await, Vec::<String>::new());
    let said = team_subjects(&sink);
    assert!(
        !said.iter().any(|s| s.contains("Acknowledgement")),
        "{said:?}"
    );
}

/// A reminder queued before 2026-12-04 has its alert queued beside it: it adds none.
#[tokio::test]
async fn an_older_reminder_queues_no_second_alert() {
    let (t, sink, worker) = setup().await;
    let s = t.submit().await;
    worker.run_until_idle().await.unwrap();
    let mut tx = t.store.begin().await.unwrap();
    for (n, (kind, at)) in [
        (jobs::ACKNOWLEDGEMENT_REMINDER, s.acknowledge_by - days(2)),
        (jobs::ACKNOWLEDGEMENT_DUE, s.acknowledge_by),
    ]
    .into_iter()
    .enumerate()
    {
        let job = embargo_store::NewJob {
            kind: kind.into(),
            case_id: Some(s.case_id),
            payload: serde_json::json!({"case_id": s.case_id}),
            run_at: at,
        };
        let id = JobId::from_random_bytes([u8::try_from(n).unwrap() + 40; 16]);
        tx.enqueue_job(id, &job, t.now()).await.unwrap();
    }
    tx.commit().await.unwrap();
    t.clock
        .advance(days(5) + jiff::SignedDuration::from_hours(1));
    worker.run_until_idle().await.unwrap();
    // The older row's own alert and the one the new reminder queued.
    let alerts = t
        .store
        .jobs(Some(s.case_id))
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == jobs::ACKNOWLEDGEMENT_DUE)
        .count();
    assert_eq!(alerts, 2);
    t.clock.advance(days(2));
    worker.run_until_idle().await.unwrap();
    let said = team_subjects(&sink);
    let count = |what: &str| said.iter().filter(|s| s.contains(what)).count();
    // Each reminder speaks (the older one has no way to know of the newer).
    assert_eq!((count("due soon"), count("overdue")), (2, 2), "{said:?}");
}

/// With an acknowledgement time shorter than the reminder's lead, intake queues the alert
/// alone.
#[tokio::test]
async fn a_short_acknowledgement_time_queues_the_alert_alone() {
    let t = TestApp::with_policy(embargo_core::Policy::new(1, 90).unwrap()).await;
    let sink = embargo_testkit::smtp::SmtpSink::start().await;
    let worker = crate::worker_on(t.app.clone(), &sink, &t);
    let s = t.submit().await;
    worker.run_until_idle().await.unwrap();
    assert_eq!(pending(&t, s.case_id).await, [jobs::ACKNOWLEDGEMENT_DUE]);
    t.clock.advance(days(1));
    worker.run_until_idle().await.unwrap();
    let said = team_subjects(&sink);
    assert!(said.iter().any(|s| s.contains("overdue")), "{said:?}");
    assert!(!said.iter().any(|s| s.contains("due soon")), "{said:?}");
}

/// A worker that was stopped past the deadline: the alert, not a late "due soon".
#[tokio::test]
async fn a_reminder_caught_up_past_the_deadline_gives_way_to_the_alert() {
    let (t, sink, worker) = setup().await;
    t.submit().await;
    worker.run_until_idle().await.unwrap();
    t.clock.advance(days(8));
    worker.run_until_idle().await.unwrap();
    let said = team_subjects(&sink);
    let count = |what: &str| said.iter().filter(|s| s.contains(what)).count();
    assert_eq!((count("due soon"), count("overdue")), (0, 1), "{said:?}");
}

#[tokio::test]
async fn an_unacknowledged_report_is_flagged_to_the_team_on_its_deadline() {
    let (t, sink, worker) = setup().await;
    let late = t.submit().await;
    let handled = t.submit().await;
    acknowledge(&t, handled.case_id).await;
    worker.run_until_idle().await.unwrap();
    t.clock.advance(days(7));
    worker.run_until_idle().await.unwrap();
    let overdue: Vec<_> = to(&sink, "team@example.org")
        .into_iter()
        .filter(|m| m.data.contains("Acknowledgement overdue"))
        .collect();
    assert_eq!(overdue.len(), 1);
    let reference = t.store.case_reference(late.case_id).await.unwrap();
    assert!(overdue[0].data.contains(&reference));
}

#[tokio::test]
async fn an_unacknowledged_report_gets_a_reminder_then_an_alert_on_its_deadline() {
    let (t, sink, worker) = setup().await;
    t.submit().await;
    worker.run_until_idle().await.unwrap();
    t.clock
        .advance(days(5) + jiff::SignedDuration::from_hours(1));
    worker.run_until_idle().await.unwrap();
    t.clock.advance(days(2));
    worker.run_until_idle().await.unwrap();
    let subjects = team_subjects(&sink);
    assert!(
        subjects[1].contains("Acknowledgement due soon")
            && subjects[2].contains("Acknowledgement overdue"),
        "{subjects:?}"
    );
}
