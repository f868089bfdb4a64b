//! Batches' durability, made by their writer rather than by each commit, so that the disk
//! works on one batch while the next is written.
//!
//! On SQLite a commit at `synchronous = FULL` writes the batch to the write-ahead log and
//! then waits for the disk (fsync) while holding the write lock: nothing else is written
//! meanwhile. The batch writer's connection commits at `NORMAL` instead (written, not yet
//! synced), and [`Store::sync_batches`] syncs the log afterwards, outside the lock. An
//! fsync covers every frame written before it, so once it returns the batch is exactly as
//! durable as a `FULL` commit would have made it: its writer answers only then.
//!
//! PostgreSQL does the same with its own means: a batch's transaction commits with
//! `synchronous_commit = off` (the commit is in the log, not yet flushed), and the sync is
//! a durable commit of a transaction of its own, whose flush covers every earlier commit.
//! Every write takes one advisory lock (`Store::begin`), which a durable batch commit held
//! for the whole flush: measured, about 1.2x the reports per second without it.
//! Either way, until the sync a crash of the database server (SQLite: of the machine) can
//! lose a committed batch that nobody was told of.

use std::path::{Path, PathBuf};

use embargo_core::CaseId;
use sqlx::Row;

use crate::error::StoreError;
use crate::{Backend, Store, Tx};

impl Store {
    /// A write transaction for a batch of filings, on the batch writer's own connection.
    /// Its commit is not durable until [`Store::sync_batches`] returned: nobody may be told
    /// before. (The setting is PostgreSQL's; SQLite's connection has its own pragmas.)
    pub async fn begin_batch(&self) -> Result<Tx, StoreError> {
        self.begin_on(&self.batch_writer, "SET LOCAL synchronous_commit = off;")
            .await
    }

    /// Makes every batch committed so far durable (SQLite: syncs the write-ahead log;
    /// PostgreSQL: commits a transaction that waits for the log to be flushed).
    /// `newest` is a case the newest of those batches filed, if any: on PostgreSQL the sync
    /// fails unless it is still there, since a server that crashed before flushing lost the
    /// batch, and the sync would otherwise succeed on the restarted server and have its
    /// submitters told that their reports were kept.
    pub async fn sync_batches(&self, newest: Option<CaseId>) -> Result<(), StoreError> {
        match &self.sqlite_file {
            Some(database) => {
                let database = database.clone();
                tokio::task::spawn_blocking(move || sync_log(&database))
                    .await
                    .map_err(|e| StoreError::Database(sqlx::Error::Io(std::io::Error::other(e))))?
                    .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))
            }
            None => self.flush_log_past(newest).await,
        }
    }

    /// PostgreSQL: taking a transaction id makes the commit write a record, and a durable
    /// commit flushes the log up to it: every batch committed before, too. A crash loses
    /// the end of the log only, so the newest batch still being there vouches for the
    /// older ones.
    async fn flush_log_past(&self, newest: Option<CaseId>) -> Result<(), StoreError> {
        let row = sqlx::query(
            "SELECT pg_current_xact_id()::text AS xid, (CAST($1 AS TEXT) IS NULL \
             OR EXISTS (SELECT 1 FROM cases WHERE id = $1)) AS kept",
        )
        .bind(newest.map(|id| id.to_string()))
        .fetch_one(self.pool())
        .await?;
        let kept: bool = row.try_get("kept")?;
        if kept {
            Ok(())
        } else {
            Err(StoreError::Refused(
                "the database lost reports committed just before (did it restart?)".into(),
            ))
        }
    }
}

impl Store {
    /// Copies the pages committed to the write-ahead log into the database, from a
    /// connection of the read pool while the batch writer goes on (SQLite: a passive
    /// checkpoint, which never takes the write lock). The writer's own checkpoints, made
    /// inside a commit, held every waiting report for the copy and a sync of the database
    /// (up to 35 ms every few hundred reports under load: the slowest answers). Nothing to
    /// do on PostgreSQL.
    pub async fn checkpoint_behind_writer(&self) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// After [`Store::checkpoint_behind_writer`], on the writer's connection between two
    /// batches: copies the few pages committed meanwhile, so that the log is wholly in the
    /// database and the next batch writes it over from its start instead of making it
    /// longer.
    pub async fn finish_checkpoint(&self) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&self.batch_writer)
            .await?;
        Ok(())
    }
}

/// Pages of the reports' full-text index merged by each batch: enough to keep pace with a
/// flood's new segments (measured: 7 segments after 250,000 reports filed), few enough
/// that a batch spends a millisecond or two on them.
const SEARCH_MERGE_PAGES: i64 = 32;

impl Tx {
    /// SQLite: merges a bounded share of the reports' full-text index (migration 27 turned
    /// its automatic merging off). Automatic merging did the work in bursts: every 64 leaf
    /// pages written, FTS5 merged 64 pages per level at once, inside whichever statement
    /// flushed the index next, so one batch in a few dozen took 5 to 20 ms more and held
    /// every report waiting behind it. A little in every batch answers them evenly. A
    /// positive count merges only a level holding at least `usermerge` (4) segments, so an
    /// index already tidy costs nothing. Nothing to do on PostgreSQL.
    pub async fn merge_search_index(&mut self) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        sqlx::query("INSERT INTO reports_search (reports_search, rank) VALUES ('merge', $1)")
            .bind(SEARCH_MERGE_PAGES)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

/// Syncs the database's write-ahead log. Without one (the last connection checkpointed it
/// into the database, syncing that, and removed it) the database file is synced instead.
fn sync_log(database: &Path) -> std::io::Result<()> {
    let mut log = PathBuf::from(database).into_os_string();
    log.push("-wal");
    match std::fs::File::open(&log) {
        Ok(file) => file.sync_data(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::File::open(database)?.sync_data()
        }
        Err(e) => Err(e),
    }
}
