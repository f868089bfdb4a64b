//! Batches of filings: committed by their writer without waiting for the disk, durable
//! once `sync_batches` returned (their submitters are answered only then).

use super::*;

/// PostgreSQL: the batch's commit only writes the log; the sync commits a transaction of
/// its own whose durable commit flushes the log past the batch's commit.
#[tokio::test]
async fn a_synced_batch_is_flushed_to_the_log() {
    if !on_postgres() {
        eprintln!("EMBARGO_TEST_DATABASE names no PostgreSQL server: skipped");
        return;
    }
    let (_dir, url, store) = fresh().await;
    let mut tx = store.begin_batch().await.unwrap();
    tx.append_audit(&entry("batched")).await.unwrap();
    tx.commit().await.unwrap();
    let written = raw_text(&url, "SELECT pg_current_wal_insert_lsn()::text")
        .await
        .unwrap();
    let next_xact = "SELECT pg_snapshot_xmax(pg_current_snapshot())::text";
    let before = raw_text(&url, next_xact).await.unwrap();

    store.sync_batches(None).await.unwrap();

    let after = raw_text(&url, next_xact).await.unwrap();
    assert!(
        after.parse::<u64>().unwrap() > before.parse::<u64>().unwrap(),
        "the sync committed a transaction of its own ({before} then {after})"
    );
    let flushed = raw_text(
        &url,
        &format!("SELECT (pg_current_wal_flush_lsn() >= '{written}'::pg_lsn)::text"),
    )
    .await;
    assert_eq!(flushed.as_deref(), Some("true"), "flushed past {written}");
    assert!(store.verify_audit().await.unwrap().is_intact());
}

/// PostgreSQL: a sync vouches for the batches before it only if the newest one's case is
/// still there. A server that crashed before flushing lost them, and a sync on the restarted
/// server must not tell their submitters that their reports were kept.
#[tokio::test]
async fn a_sync_fails_when_the_newest_batch_is_not_there() {
    if !on_postgres() {
        eprintln!("EMBARGO_TEST_DATABASE names no PostgreSQL server: skipped");
        return;
    }
    let (_dir, _url, store) = fresh().await;
    let (_, case) = seed(&store).await;
    store.sync_batches(Some(case.id)).await.unwrap();
    let lost = CaseId::from_random_bytes([9; 16]);
    let e = store.sync_batches(Some(lost)).await.unwrap_err();
    assert!(e.to_string().contains("lost reports"), "{e}");
}
