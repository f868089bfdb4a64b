//! The runner survives whatever a job does: a handler that panics or hangs fails that job
//! alone (retried, then a dead letter with its message), and every later job still runs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use embargo_app::{Heartbeat, JobStatus, Principal, jobs};
use embargo_testkit::days;
use embargo_worker::{Handler, MAX_ATTEMPTS, Ran};

use crate::{setup, to};

fn panicking() -> Handler {
    Arc::new(|_job| Box::pin(async { panic!("a bug in a handler") }))
}

/// A handler that panics on every attempt: its job is retried with the panic's message,
/// becomes a dead letter after its attempts, and the other jobs of the same run are done.
#[tokio::test]
async fn a_handler_that_panics_fails_its_job_alone_and_ends_as_a_dead_letter() {
    let (t, sink, worker) = setup().await;
    let worker = worker.with_handler(jobs::NOTIFY_TEAM_NEW_REPORT, panicking());
    let s = t.submit().await;
    t.app
        .acknowledge(
            Principal::User(t.people.coordinator),
            s.case_id,
            "Thank you, we are looking into it.",
            t.now(),
        )
        .await
        .unwrap();
    let ran = worker.run_until_idle().await.unwrap();
    assert!(
        ran.iter()
            .any(|r| matches!(r, Ran::Retry { kind, .. } if kind == jobs::NOTIFY_TEAM_NEW_REPORT)),
        "{ran:?}"
    );
    assert!(
        ran.iter()
            .any(|r| matches!(r, Ran::Done { kind } if kind == jobs::NOTIFY_REPORTER)),
        "the acknowledgement after the panicking job was sent: {ran:?}"
    );
    assert_eq!(to(&sink, "reporter@elsewhere.example").len(), 1);

    // Every retry panics again, until the job gives up.
    for _ in 1..MAX_ATTEMPTS {
        t.clock.advance(days(1));
        worker.run_until_idle().await.unwrap();
    }
    let dead = t.store.dead_jobs().await.unwrap();
    let dead: Vec<_> = dead
        .iter()
        .filter(|j| j.kind == jobs::NOTIFY_TEAM_NEW_REPORT)
        .collect();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].status, JobStatus::Dead);
    assert_eq!(dead[0].attempts, MAX_ATTEMPTS);
    let error = dead[0].last_error.as_deref().unwrap();
    assert!(error.contains("panicked: a bug in a handler"), "{error}");
}

/// The runner loop itself (as `serve` runs it) keeps going after a panic, keeps ticking
/// its heartbeat, and delivers the next mail.
#[tokio::test]
async fn the_running_loop_outlives_a_panicking_job_and_keeps_ticking() {
    let (t, sink, worker) = setup().await;
    let heartbeat = Heartbeat::new(t.now());
    let worker = worker
        .with_handler(jobs::NOTIFY_TEAM_NEW_REPORT, panicking())
        .with_heartbeat(heartbeat.clone());
    let runner = tokio::spawn(worker.run(Duration::from_millis(20), std::future::pending()));
    let first = t.submit().await;
    t.clock.advance(jiff::SignedDuration::from_secs(5));
    t.app
        .acknowledge(
            Principal::User(t.people.coordinator),
            first.case_id,
            "Thank you, we are looking into it.",
            t.now(),
        )
        .await
        .unwrap();
    let started = Instant::now();
    while to(&sink, "reporter@elsewhere.example").is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the runner stopped after the panic: no acknowledgement was mailed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!runner.is_finished(), "the runner is still running");
    assert_eq!(
        heartbeat.pulse().last_tick,
        t.now(),
        "ticked after the jobs"
    );
    assert_eq!(
        heartbeat.pulse().restarts,
        0,
        "a job's panic is not the runner's"
    );
    runner.abort();
}

/// A handler that never returns is stopped at the job's time limit (half its lease), so
/// one hung delivery cannot hold the queue.
#[tokio::test]
async fn a_handler_that_hangs_is_stopped_and_retried() {
    let (t, _sink, worker) = setup().await;
    let hanging: Handler = Arc::new(|_job| Box::pin(std::future::pending()));
    let worker = worker
        .with_lease(jiff::SignedDuration::from_secs(2))
        .with_handler(jobs::NOTIFY_TEAM_NEW_REPORT, hanging);
    let _ = t.submit().await;
    let ran = worker.run_until_idle().await.unwrap();
    assert!(
        ran.iter()
            .any(|r| matches!(r, Ran::Retry { kind, .. } if kind == jobs::NOTIFY_TEAM_NEW_REPORT)),
        "{ran:?}"
    );
    let jobs = t.store.jobs(None).await.unwrap();
    let hung = jobs
        .iter()
        .find(|j| j.kind == jobs::NOTIFY_TEAM_NEW_REPORT)
        .unwrap();
    assert_eq!(hung.status, JobStatus::Pending);
    assert!(
        hung.last_error
            .as_deref()
            .unwrap()
            .contains("took longer than 1 s"),
        "{hung:?}"
    );
}
