//! embargo's storage: SQLite through sqlx (WAL, embedded migrations), one module per
//! aggregate, the hash-chained audit log and the job queue (outbox).

mod attachments;
mod audit;
mod backup;
mod batch_writes;
mod case_refs;
mod cases;
mod codec;
mod cve_pool;
mod cve_records;
mod duplicates;
mod error;
mod github;
mod github_ci;
mod github_issues;
mod jobs;
mod messages;
mod metrics;
mod open;
mod operations;
mod osv_sources;
mod package_matchers;
mod people;
mod preferences;
mod projects;
mod public_search;
mod publications;
mod reports;
mod rows;
mod sealed;
mod sessions;
mod settings;
mod statistics;
mod summaries;
mod teams;
mod texts;
mod token_keys;
mod tx;
mod write_gate;

use std::path::Path;
use std::sync::Arc;

use sqlx::AnyPool;

pub use attachments::{AttachmentInfo, NewAttachment};
pub use audit::{AuditEntry, AuditProblem, AuditReport, NewAuditEntry};
pub use backup::BackupSummary;
pub use case_refs::{CASE_REFERENCE_PREFIX, NewReportLine, looks_like_case_reference};
pub use cve_pool::PooledCve;
pub use duplicates::{CandidateCase, ReporterRecord};
pub use error::StoreError;
pub use github::{GitHubDraft, OpenedDraft};
pub use github_ci::CiMirror;
pub use github_issues::TrackingIssue;
pub use jobs::{Job, JobStatus, NewJob, QueueSummary};
pub use metrics::CaseFacts;
pub use open::{
    APPLICATION_ID, Backend, OpenMode, is_postgres_url, latest_schema_version, redacted_url,
    sqlite_path,
};
pub use operations::OperationCounts;
pub use osv_sources::OsvSource;
pub use package_matchers::PackageMatcher;
pub use people::Person;
pub use preferences::StoredPreferences;
pub use projects::Project;
pub use publications::{AdvisoryDraft, NewPublication, PageCursor, PageFrom, PublicationFilter};
pub use reports::{NewReport, StoredReport};
pub use sealed::SealingKey;
pub use sessions::{ApiTokenInfo, Session};
pub use summaries::{CaseCursor, CaseQuery, CaseSummary, StateFilter};
pub use teams::Team;
pub use texts::{Draft, Invitation};
pub use token_keys::{
    PORTAL_TOKEN_BYTES, REPLY_TOKEN_BYTES, portal_token_key, reply_token_key, time_led_token,
};
pub use tx::Tx;

/// The database. Cheap to clone (a pool).
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The SQLite file, for [`Store::check_integrity`]'s sentence and for syncing its
    /// write-ahead log ([`Store::sync_batches`]).
    sqlite_file: Option<Arc<Path>>,
    /// The batch writer's own connection ([`Store::begin_batch`]).
    batch_writer: AnyPool,
    /// This process's writers of a SQLite file, in one queue (`write_gate`).
    writers: write_gate::WriteGate,
    /// The secrets key, once [`Store::unseal_with`] loaded it.
    sealer: sealed::Sealer,
    /// When the planner's statistics were last gathered while serving (SQLite).
    statistics_gathered: statistics::GatheredAt,
}

impl Store {
    /// Opens (and if allowed, creates and migrates) the SQLite database at `path`.
    pub async fn open(path: &Path, mode: OpenMode) -> Result<Self, StoreError> {
        let statistics_gathered = statistics::GatheredAt::default();
        let store = Self {
            pool: open::open_sqlite(path, mode, statistics_gathered.clone()).await?,
            backend: Backend::Sqlite,
            sqlite_file: Some(Arc::from(path)),
            batch_writer: open::open_sqlite_batch_writer(path, statistics_gathered.clone())?,
            writers: write_gate::WriteGate::sqlite(),
            sealer: sealed::Sealer::default(),
            statistics_gathered,
        };
        store.backfill_due().await?;
        store.backfill_matchers().await?;
        Ok(store)
    }

    /// Opens the database a URL names: `postgres://...` (or `postgresql://...`), else a
    /// SQLite file (`sqlite://path` or a path).
    pub async fn connect(url: &str, mode: OpenMode) -> Result<Self, StoreError> {
        if is_postgres_url(url) {
            let store = Self {
                pool: open::open_postgres(url, mode).await?,
                backend: Backend::Postgres,
                sqlite_file: None,
                batch_writer: open::open_postgres_batch_writer(url)?,
                writers: write_gate::WriteGate::none(),
                sealer: sealed::Sealer::default(),
                statistics_gathered: statistics::GatheredAt::default(),
            };
            store.backfill_due().await?;
            store.backfill_matchers().await?;
            Ok(store)
        } else {
            Self::open(&sqlite_path(url)?, mode).await
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// PostgreSQL: opens the connections the pool keeps, in the background, for a server
    /// whose first requests would otherwise each wait for one (`open::WARM_CONNECTIONS`).
    pub fn open_kept_connections(&self) {
        if self.backend == Backend::Postgres {
            tokio::spawn(open::warm(self.pool.clone()));
        }
    }

    /// Starts a write transaction, one writer at a time on both backends: `BEGIN
    /// IMMEDIATE` takes SQLite's write lock up front (two writers queue instead of failing
    /// with "database is locked" mid-transaction); on PostgreSQL a transaction-scoped
    /// advisory lock does the same across every instance sharing the database, so the
    /// audit chain, per-case sequences and counters never fork.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        self.begin_on(&self.pool, "").await
    }

    /// [`Store::begin`] on a connection of `pool`, with `settings` (PostgreSQL `SET LOCAL`
    /// statements, each ending with `;`) for this transaction alone.
    pub(crate) async fn begin_on(
        &self,
        pool: &AnyPool,
        settings: &'static str,
    ) -> Result<Tx, StoreError> {
        let turn = self.writers.turn().await;
        let inner = match self.backend {
            Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await?,
            // One round trip: the simple protocol takes several statements at once. The
            // lock's key is the application id SQLite files carry ("embg").
            Backend::Postgres => {
                pool.begin_with(sqlx::AssertSqlSafe(format!(
                    "BEGIN; {settings} SELECT pg_advisory_xact_lock({APPLICATION_ID})"
                )))
                .await?
            }
        };
        Ok(Tx {
            inner,
            sealer: self.sealer.clone(),
            backend: self.backend,
            _turn: turn,
        })
    }

    /// A read-only transaction: a consistent snapshot for views that read several tables.
    pub async fn begin_read(&self) -> Result<Tx, StoreError> {
        let inner = self.pool.begin().await?;
        Ok(Tx {
            inner,
            sealer: self.sealer.clone(),
            backend: self.backend,
            _turn: write_gate::WriteTurn::none(),
        })
    }

    /// A cheap query that proves the database answers (health checks).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Reads every page of a SQLite file (SQLite's `quick_check`) and refuses a corrupted
    /// one with its first findings. Opening checks only before a migration, as this takes
    /// about a second per 100,000 cases; `serve` runs it once it answers. PostgreSQL checks
    /// its own pages as it reads them: nothing to do there.
    pub async fn check_integrity(&self) -> Result<(), StoreError> {
        match &self.sqlite_file {
            Some(path) => open::check_served_integrity(path).await,
            None => Ok(()),
        }
    }

    pub async fn close(&self) {
        self.batch_writer.close().await;
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Waits for this process's turn to write, for a single statement that writes outside
    /// a transaction (a transaction waits for it in [`Store::begin`]).
    pub(crate) async fn write_turn(&self) -> write_gate::WriteTurn {
        self.writers.turn().await
    }
}
