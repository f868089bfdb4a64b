//! The audit chain: verified, append-only, one chain under concurrent writers.

use super::*;

#[tokio::test]
async fn the_audit_chain_verifies_and_refuses_updates() {
    let (_dir, url, store) = fresh().await;
    append(&store, 5).await;
    let report = store.verify_audit().await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.entries, 5);
    for sql in [
        "UPDATE audit_log SET action = 'x' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 2",
    ] {
        let e = try_raw(&url, sql).await.unwrap_err();
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    assert!(store.verify_audit().await.unwrap().is_intact());
}

#[tokio::test]
async fn verify_finds_edited_and_deleted_entries() {
    let drop = if on_postgres() {
        "DROP TRIGGER audit_log_no_update ON audit_log; DROP TRIGGER audit_log_no_delete ON audit_log;"
    } else {
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
    };
    for (tamper, seq, needle) in [
        (
            "UPDATE audit_log SET detail = '{\"n\":\"forged\"}' WHERE seq = 3",
            3,
            "was edited",
        ),
        (
            "UPDATE audit_log SET at = at + 1 WHERE seq = 1",
            1,
            "was edited",
        ),
        ("DELETE FROM audit_log WHERE seq = 2", 3, "missing"),
        ("DELETE FROM audit_log WHERE seq = 5", 5, "deleted"),
    ] {
        let (_dir, url, store) = fresh().await;
        append(&store, 5).await;
        raw(&url, &format!("{drop} {tamper};")).await;
        let report = store.verify_audit().await.unwrap();
        assert!(!report.is_intact(), "{tamper} went unnoticed");
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.seq == seq && p.problem.contains(needle)),
            "{tamper}: {:?}",
            report.problems
        );
    }
}

#[tokio::test]
async fn concurrent_writers_keep_one_audit_chain_and_claim_each_job_once() {
    let (_dir, url, store) = fresh().await;
    let (_, case) = seed(&store).await;
    // A second handle on the same database, as a second instance would have.
    let other = Store::connect(&url, OpenMode::MustExist).await.unwrap();
    let job = |n: u8| NewJob {
        kind: "notify_reporter".into(),
        case_id: Some(case.id),
        payload: serde_json::json!({ "n": n }),
        run_at: now(),
    };
    let write = |store: Store, offset: u8| async move {
        for i in 0..10u8 {
            let mut tx = store.begin().await.unwrap();
            tx.append_audit(&entry(&format!("w{offset}-{i}")))
                .await
                .unwrap();
            let n = offset * 10 + i;
            tx.enqueue_job(JobId::from_random_bytes([n + 1; 16]), &job(n), now())
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
    };
    tokio::join!(write(store.clone(), 0), write(other.clone(), 1));
    let report = store.verify_audit().await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.entries, 20);

    let lease = SignedDuration::from_mins(5);
    let claim_all = |store: Store| async move {
        let mut ids = Vec::new();
        while let Some(job) = store
            .claim_job(now(), lease, &["notify_reporter"])
            .await
            .unwrap()
        {
            ids.push(job.id);
        }
        ids
    };
    let (a, b) = tokio::join!(claim_all(store.clone()), claim_all(other.clone()));
    let mut all: Vec<JobId> = a.into_iter().chain(b).collect();
    let claimed = all.len();
    all.sort_by_key(|id| id.to_string());
    all.dedup();
    assert_eq!(
        (claimed, all.len()),
        (20, 20),
        "every job claimed exactly once"
    );
}
