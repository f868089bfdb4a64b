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

    store.sync_batches().await.unwrap();

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
