//! Opening the database: refuse what is not ours, then migrate what is.
//!
//! Order matters. A file that is not SQLite, belongs to another application, fails SQLite's
//! integrity check, or was written by a newer embargo is refused with a sentence that says
//! which, before anything is written to it.

use std::borrow::Cow;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlStr, SqlitePool};

use crate::error::StoreError;

/// SQLite's `application_id` header field for embargo databases: "embg" in ASCII.
pub const APPLICATION_ID: i32 = 0x656d_6267;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Every migration this binary knows, embedded at compile time.
fn migrator() -> Migrator {
    let migration = |version: i64, name: &'static str, sql: &'static str| {
        Migration::new(
            version,
            Cow::Borrowed(name),
            MigrationType::Simple,
            SqlStr::from_static(sql),
            false,
        )
    };
    Migrator::with_migrations(vec![
        migration(
            1,
            "foundation",
            include_str!("../migrations/sqlite/0001_foundation.sql"),
        ),
        migration(
            2,
            "intake",
            include_str!("../migrations/sqlite/0002_intake.sql"),
        ),
        migration(
            3,
            "accounts",
            include_str!("../migrations/sqlite/0003_accounts.sql"),
        ),
        migration(
            4,
            "remediation",
            include_str!("../migrations/sqlite/0004_remediation.sql"),
        ),
        migration(
            5,
            "publication",
            include_str!("../migrations/sqlite/0005_publication.sql"),
        ),
        migration(
            6,
            "pool_and_teams",
            include_str!("../migrations/sqlite/0006_pool_and_teams.sql"),
        ),
    ])
}

/// The newest schema version this binary knows.
pub fn latest_schema_version() -> i64 {
    migrator().iter().map(|m| m.version).max().unwrap_or(0)
}

/// Whether `open` may create a new database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the file if missing (`embargo init`, `embargo serve`).
    CreateOrMigrate,
    /// The file must exist and hold an embargo database (e.g. `embargo audit verify`).
    MustExist,
}

pub(crate) async fn open_pool(path: &Path, mode: OpenMode) -> Result<SqlitePool, StoreError> {
    let display = path.display();
    let exists = check_header(path)?;
    if !exists && mode == OpenMode::MustExist {
        return Err(StoreError::Refused(format!(
            "no embargo database at {display} (run `embargo init` first)"
        )));
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(mode == OpenMode::CreateOrMigrate)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a transaction that returned is on disk, even if the machine dies after.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .map_err(|e| refused_open(path, e))?;
    check_ours(&pool, path).await?;
    check_integrity(&pool, path).await?;
    migrate(&pool, path).await?;
    Ok(pool)
}

/// Reads the first 16 bytes: an existing non-empty file must be a SQLite database.
/// Returns whether a database file already exists.
fn check_header(path: &Path) -> Result<bool, StoreError> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => {
            return Err(StoreError::Refused(format!(
                "cannot read the database file {}: {e}",
                path.display()
            )));
        }
    };
    let mut head = Vec::with_capacity(16);
    file.by_ref()
        .take(16)
        .read_to_end(&mut head)
        .map_err(|e| StoreError::Refused(format!("cannot read {}: {e}", path.display())))?;
    if head.is_empty() {
        return Ok(false);
    }
    if head.as_slice() != SQLITE_MAGIC {
        return Err(StoreError::Refused(format!(
            "{} is not a SQLite database (wrong file, or corrupted); embargo will not touch it",
            path.display()
        )));
    }
    Ok(true)
}

fn refused_open(path: &Path, e: sqlx::Error) -> StoreError {
    StoreError::Refused(format!("cannot open the database {}: {e}", path.display()))
}

/// A database with tables but without embargo's application id is someone else's.
async fn check_ours(pool: &SqlitePool, path: &Path) -> Result<(), StoreError> {
    let id: i32 = sqlx::query_scalar("PRAGMA application_id")
        .fetch_one(pool)
        .await
        .map_err(|e| refused_open(path, e))?;
    if id == APPLICATION_ID {
        return Ok(());
    }
    let tables: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_master")
        .fetch_one(pool)
        .await
        .map_err(|e| refused_open(path, e))?;
    if id != 0 || tables > 0 {
        return Err(StoreError::Refused(format!(
            "{} is a SQLite database of another application (application id {id:#x}, {tables} schema objects); embargo will not migrate it",
            path.display()
        )));
    }
    // A brand-new, empty database: claim it.
    sqlx::query(SqlStr::from_static("PRAGMA application_id = 1701667431"))
        .execute(pool)
        .await?;
    Ok(())
}

async fn check_integrity(pool: &SqlitePool, path: &Path) -> Result<(), StoreError> {
    let rows = sqlx::query("PRAGMA quick_check")
        .fetch_all(pool)
        .await
        .map_err(|e| refused_open(path, e))?;
    let findings: Vec<String> = rows
        .iter()
        .filter_map(|r| r.try_get::<String, _>(0).ok())
        .filter(|s| s != "ok")
        .take(5)
        .collect();
    if findings.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Refused(format!(
            "the database {} is corrupted ({}); restore it from a backup",
            path.display(),
            findings.join("; ")
        )))
    }
}

async fn migrate(pool: &SqlitePool, path: &Path) -> Result<(), StoreError> {
    let migrator = migrator();
    let known = latest_schema_version();
    let has_table: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(pool)
    .await?;
    if has_table > 0 {
        let newest: Option<i64> = sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations")
            .fetch_one(pool)
            .await?;
        if let Some(v) = newest.filter(|v| *v > known) {
            return Err(StoreError::Refused(format!(
                "the database {} has schema version {v}, newer than this embargo knows ({known}); upgrade embargo",
                path.display()
            )));
        }
    }
    migrator.run(pool).await.map_err(|e| {
        StoreError::Refused(format!(
            "cannot migrate the database {}: {e}",
            path.display()
        ))
    })
}

/// Accepts `sqlite://path`, `sqlite:path` or a plain path.
pub fn sqlite_path(url: &str) -> Result<PathBuf, StoreError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let rest = rest.split('?').next().unwrap_or(rest);
    if rest.is_empty() || rest == ":memory:" {
        return Err(StoreError::Refused(
            "the database URL must name a file (sqlite://path/to/embargo.db)".to_string(),
        ));
    }
    PathBuf::from_str(rest).map_err(|_| StoreError::Refused("bad database path".to_string()))
}
