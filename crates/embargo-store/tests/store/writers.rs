//! Writers of one process take turns: a writer that commits transaction after
//! transaction (the intake's batch writer under a flood) does not keep the others out.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_job_runner_is_not_starved_by_back_to_back_batches() {
    let (_dir, _url, store) = fresh().await;
    let (_, case) = seed(&store).await;
    let case_id = case.id;
    let job = move |kind: &str, n: u32| NewJob {
        kind: kind.into(),
        case_id: Some(case_id),
        payload: serde_json::json!({ "n": n }),
        run_at: now(),
    };
    let mut tx = store.begin().await.unwrap();
    for n in 0..30u32 {
        let mut id = [0u8; 16];
        id[..4].copy_from_slice(&n.to_be_bytes());
        id[15] = 1;
        tx.enqueue_job(
            JobId::from_random_bytes(id),
            &job("notify_team_new_report", n),
            now(),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    // A flood: one batch transaction after another, for as long as the runner needs (at
    // most five seconds), each writing a job of its own and keeping the lock a while.
    let flooding = Arc::new(AtomicBool::new(true));
    let flood = {
        let (store, flooding) = (store.clone(), flooding.clone());
        tokio::spawn(async move {
            let until = Instant::now() + Duration::from_secs(5);
            let mut batches = 0u32;
            while flooding.load(Ordering::Relaxed) && Instant::now() < until {
                let mut tx = store.begin_batch().await.unwrap();
                let mut id = [0xffu8; 16];
                id[..4].copy_from_slice(&batches.to_be_bytes());
                tx.enqueue_job(
                    JobId::from_random_bytes(id),
                    &job("acknowledgement_due", batches),
                    now(),
                )
                .await
                .unwrap();
                // A batch of reports keeps the lock for milliseconds.
                tokio::time::sleep(Duration::from_millis(5)).await;
                tx.commit().await.unwrap();
                batches += 1;
            }
            batches
        })
    };

    // The runner claims and finishes the thirty jobs meanwhile: two writes each.
    let lease = SignedDuration::from_mins(5);
    let mut finished = 0;
    while finished < 30 && !flood.is_finished() {
        let claimed = store
            .claim_job(now(), lease, &["notify_team_new_report"])
            .await
            .unwrap()
            .expect("a job is due");
        // The job's work (a mail sent) takes a moment, without the lock.
        tokio::time::sleep(Duration::from_millis(2)).await;
        store.finish_job(claimed.id, now()).await.unwrap();
        finished += 1;
    }
    flooding.store(false, Ordering::Relaxed);
    let batches = flood.await.unwrap();
    assert_eq!(
        finished, 30,
        "the runner finished {finished} of 30 jobs while {batches} batches were written"
    );
    assert!(batches > 0, "the flood wrote nothing");
}

/// Reading with an API token marks it used once a minute, not at every request: a read
/// that writes would wait for its turn behind a flood of reports.
#[tokio::test]
async fn a_token_in_use_is_marked_once_a_minute() {
    let (_dir, _url, store) = fresh().await;
    let (person, _) = seed(&store).await;
    let mut tx = store.begin().await.unwrap();
    tx.insert_api_token(
        uuid::Uuid::from_bytes([7; 16]),
        person.id,
        "laptop",
        "hash-of-the-token",
        None,
        now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let last_used = || async { store.api_tokens(Some(person.id)).await.unwrap()[0].last_used_at };
    assert_eq!(last_used().await, None, "never used yet");

    let user = store
        .api_token_user("hash-of-the-token", now())
        .await
        .unwrap();
    assert_eq!(user, person.id);
    assert_eq!(last_used().await, Some(now()), "the first use is marked");
    let soon = now() + SignedDuration::from_secs(59);
    store
        .api_token_user("hash-of-the-token", soon)
        .await
        .unwrap();
    assert_eq!(
        last_used().await,
        Some(now()),
        "within the minute: no new mark"
    );
    let later = now() + SignedDuration::from_secs(61);
    store
        .api_token_user("hash-of-the-token", later)
        .await
        .unwrap();
    assert_eq!(last_used().await, Some(later), "a minute on: marked again");
    assert!(matches!(
        store.api_token_user("another-hash", later).await,
        Err(StoreError::NotFound)
    ));
}

/// A claim takes the earliest due job of the kinds asked for, whatever waits of other
/// kinds (mail without a mail server): earlier jobs of other kinds and jobs not due yet are
/// left, and jobs of the same time go by id.
#[tokio::test]
async fn a_claim_takes_the_earliest_due_job_of_its_kinds_only() {
    let (_dir, _url, store) = fresh().await;
    let (_, case) = seed(&store).await;
    let at = |minutes: i64| now() + SignedDuration::from_mins(minutes);
    let plan = [
        (1u8, "notify_team_new_report", at(-60)), // unhandled, earliest
        (2, "publish_advisory", at(-5)),
        (3, "disclose_at_deadline", at(-10)),
        (4, "publish_advisory", at(-10)), // same time as 3: after it by id
        (5, "disclose_at_deadline", at(5)), // not due
        (6, "notify_team_new_report", at(-30)),
    ];
    let mut tx = store.begin().await.unwrap();
    for (n, kind, run_at) in plan {
        let job = NewJob {
            kind: kind.into(),
            case_id: Some(case.id),
            payload: serde_json::json!({ "n": n }),
            run_at,
        };
        tx.enqueue_job(JobId::from_random_bytes([n; 16]), &job, now())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let lease = SignedDuration::from_mins(5);
    let kinds = ["publish_advisory", "disclose_at_deadline", "cve_record"];
    let mut claimed = Vec::new();
    while let Some(job) = store.claim_job(now(), lease, &kinds).await.unwrap() {
        claimed.push(job.payload["n"].as_u64().unwrap());
    }
    assert_eq!(claimed, [3, 4, 2]);
    // Their leases run out: claimed again, in the same order, with the one now due.
    let later = at(6);
    let mut again = Vec::new();
    while let Some(job) = store.claim_job(later, lease, &kinds).await.unwrap() {
        again.push(job.payload["n"].as_u64().unwrap());
    }
    assert_eq!(again, [3, 4, 2, 5]);
}
