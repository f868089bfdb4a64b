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

impl Store {
    /// SQLite: gathers statistics again for the tables that grew or shrank a lot since they
    /// were last gathered (`PRAGMA optimize` checking every table; each within SQLite's own
    /// bound on the rows it reads, so a few milliseconds at most). Usually nothing to do,
    /// and then only the tables' sizes are read. A write (the statistics are stored in the
    /// file), so it waits for its turn. Nothing to do on PostgreSQL.
    pub async fn refresh_statistics(&self) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        let _turn = self.write_turn().await;
        sqlx::query("PRAGMA optimize = 0x10002")
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
