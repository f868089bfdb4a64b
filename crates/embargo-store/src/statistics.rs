//! The query planner's statistics, kept up with the database's growth.
//!
//! SQLite plans from `sqlite_stat1`, gathered when the store opens (`open::analyze`). An
//! installation that a flood of reports grew from a few cases to tens of thousands while
//! serving went on planning for the few: measured after 20 s of flood (about 90,000 cases),
//! a Coordinator's API read during the flood took a median 16.1 ms (p99 35.7), and 7.9 ms
//! (p99 25.1) once the statistics were gathered again. PostgreSQL's autovacuum analyzes
//! grown tables by itself.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::error::StoreError;
use crate::{Backend, Store};

/// Rows read from each index when its statistics are gathered again (SQLite's
/// recommendation for `optimize`). Without a bound, measured: the first refresh after a
/// flood read every row, and every writer of the process waited 160–210 ms for it.
const ANALYSIS_LIMIT: &str = "PRAGMA analysis_limit = 400";

/// `PRAGMA optimize` flags: check every table's size (`0x10000`), within the analysis limit
/// (`0x10`), analyze those that need it (`0x2`), and only list the statements that would do
/// it (`0x1`) rather than run them.
const PLAN_ANALYZE: &str = "PRAGMA optimize = 0x10013";

impl Store {
    /// SQLite: gathers statistics again for the tables that grew or shrank a lot since they
    /// were last gathered. Usually nothing to do, and then only the tables' sizes are read.
    /// Each table analyzed is a write (the statistics are stored in the file) and takes
    /// its own turn: `optimize` analyzing every table in one turn held every other writer
    /// for 40–70 ms after a flood (one table: up to 17 ms). Nothing to do on PostgreSQL.
    pub async fn refresh_statistics(&self) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        // The limit holds for one connection: every statement runs on the same one.
        let mut conn = self.pool().acquire().await?;
        sqlx::query(ANALYSIS_LIMIT).execute(&mut *conn).await?;
        let planned: Vec<String> = sqlx::query_scalar(PLAN_ANALYZE)
            .fetch_all(&mut *conn)
            .await?;
        let analyzed = !planned.is_empty();
        for statement in planned {
            let _turn = self.write_turn().await;
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(&mut *conn)
                .await?;
        }
        if analyzed {
            self.statistics_gathered.mark();
        }
        Ok(())
    }
}

/// When this process last gathered statistics. A connection reads them when it opens and
/// keeps planning from them, whatever another connection gathers since, and so do the
/// statements it prepared: among them those FTS5 prepares once for the full-text index.
/// The batch writer's connection opens with the first report, on an installation with next
/// to nothing in it, and from those statistics FTS5 planned the removal of a merged segment
/// as a scan of the whole index (`DELETE ... WHERE id >= ? AND id <= ?` on a table said to
/// hold 2 rows). Measured in one long flood: from about 300,000 reports each batch read the
/// index's 30 MB again, and filing fell from 8,000 to 1,500 reports/s, until a restart.
/// So both pools replace, when next handed out, each connection opened before the latest
/// gathering (`open::neutral_sqlite_options`). Reloading in place (`ANALYZE sqlite_schema`)
/// would do as well, but a pool keeps nothing per connection to tell which one already
/// did; a new connection costs a millisecond, once per gathering (a few times in a flood
/// that grows an installation a thousandfold, then rarely).
#[derive(Clone, Debug, Default)]
pub(crate) struct GatheredAt(Arc<Mutex<Option<Instant>>>);

impl GatheredAt {
    fn mark(&self) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
    }

    /// Whether a connection opened `age` ago read the latest statistics.
    pub(crate) fn read_by(&self, age: Duration) -> bool {
        match *self.0.lock().unwrap_or_else(PoisonError::into_inner) {
            Some(gathered) => age < gathered.elapsed(),
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use sqlx::{Any, Executor, Row};

    use crate::{OpenMode, Store};

    /// How a connection would remove a merged segment of the reports' full-text index (the
    /// statement FTS5 prepares for it on the connection that writes the index).
    async fn segment_removal_plan<'c>(connection: impl Executor<'c, Database = Any>) -> String {
        let rows = sqlx::query(
            "EXPLAIN QUERY PLAN DELETE FROM reports_search_data WHERE id >= $1 AND id <= $2",
        )
        .bind(1_i64 << 37)
        .bind((2_i64 << 37) - 1)
        .fetch_all(connection)
        .await
        .unwrap();
        rows.iter().map(|row| row.get::<String, _>(3)).collect()
    }

    const SCANNED: &str = "SCAN reports_search_data";
    const SOUGHT: &str =
        "SEARCH reports_search_data USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)";

    async fn installation() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("embargo.db"), OpenMode::CreateOrMigrate)
            .await
            .unwrap();
        (dir, store)
    }

    /// The index grows as a flood's batches write it (pages of a segment FTS5 does not
    /// know of: only the planner looks at them).
    async fn grow_the_index(store: &Store) {
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) \
             INSERT INTO reports_search_data (id, block) SELECT (1000 << 37) + i, zeroblob(64) FROM n",
        )
        .execute(store.pool())
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn the_batch_writer_plans_from_the_statistics_gathered_while_serving() {
        let (_dir, store) = installation().await;
        assert_eq!(segment_removal_plan(&store.batch_writer).await, SCANNED);
        grow_the_index(&store).await;
        store.refresh_statistics().await.unwrap();
        assert_eq!(segment_removal_plan(&store.batch_writer).await, SOUGHT);
    }

    #[tokio::test]
    async fn the_read_pool_plans_from_the_statistics_gathered_while_serving() {
        let (_dir, store) = installation().await;
        let mut first = store.pool().acquire().await.unwrap();
        let mut second = store.pool().acquire().await.unwrap();
        assert_eq!(segment_removal_plan(&mut *first).await, SCANNED);
        assert_eq!(segment_removal_plan(&mut *second).await, SCANNED);
        drop((first, second));
        grow_the_index(&store).await;
        store.refresh_statistics().await.unwrap();
        // The refresh gathered them on one of the two; both are handed out again.
        let mut first = store.pool().acquire().await.unwrap();
        let mut second = store.pool().acquire().await.unwrap();
        assert_eq!(segment_removal_plan(&mut *first).await, SOUGHT);
        assert_eq!(segment_removal_plan(&mut *second).await, SOUGHT);
    }
}
