//! The query planner's statistics, kept up with the database's growth.
//!
//! SQLite plans from `sqlite_stat1`, gathered when the store opens (`open::analyze`). An
//! installation that a flood of reports grew from a few cases to tens of thousands while
//! serving went on planning for the few: measured after 20 s of flood (about 90,000 cases),
//! a Coordinator's API read during the flood took a median 16.1 ms (p99 35.7), and 7.9 ms
//! (p99 25.1) once the statistics were gathered again. PostgreSQL's autovacuum analyzes
//! grown tables by itself.

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
        for statement in planned {
            let _turn = self.write_turn().await;
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }
}
