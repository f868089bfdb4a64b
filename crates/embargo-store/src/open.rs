//! Opening the database: refuse what is not ours, then migrate what is.
//!
//! Order matters. A file that is not SQLite, belongs to another application, was written by
//! a newer embargo, or (when a migration is due) fails SQLite's integrity check is refused
//! with a sentence that says which, before anything is written to it.
//!
//! The integrity check reads every page (over a second at 100,000 cases), so it runs before
//! a migration only; `serve` runs it in the background once it answers
//! ([`crate::Store::check_integrity`]).

use std::borrow::Cow;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{AnyPool, ConnectOptions, Connection, SqlStr, SqlitePool};

use crate::error::StoreError;
use crate::statistics::GatheredAt;

/// SQLite's `application_id` header field for embargo databases: "embg" in ASCII.
pub const APPLICATION_ID: i32 = 0x656d_6267;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Which database an installation runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Every migration this binary knows for `backend`, embedded at compile time. The two
/// lists are twins: the same versions and names, each in its dialect.
fn migrator(backend: Backend) -> Migrator {
    let migration = |version: i64, name: &'static str, sql: &'static str| {
        Migration::new(
            version,
            Cow::Borrowed(name),
            MigrationType::Simple,
            SqlStr::from_static(sql),
            false,
        )
    };
    macro_rules! both {
        ($($version:literal $name:literal $file:literal),* $(,)?) => {
            match backend {
                Backend::Sqlite => vec![$(migration(
                    $version,
                    $name,
                    include_str!(concat!("../migrations/sqlite/", $file)),
                )),*],
                Backend::Postgres => vec![$(migration(
                    $version,
                    $name,
                    include_str!(concat!("../migrations/postgres/", $file)),
                )),*],
            }
        };
    }
    Migrator::with_migrations(both![
        1 "foundation" "0001_foundation.sql",
        2 "intake" "0002_intake.sql",
        3 "accounts" "0003_accounts.sql",
        4 "remediation" "0004_remediation.sql",
        5 "publication" "0005_publication.sql",
        6 "pool_and_teams" "0006_pool_and_teams.sql",
        7 "portal_links" "0007_portal_links.sql",
        8 "token_expiry" "0008_token_expiry.sql",
        9 "approved_credit" "0009_approved_credit.sql",
        10 "sealed_secrets" "0010_sealed_secrets.sql",
        11 "cve_services" "0011_cve_services.sql",
        12 "imported_flag" "0012_imported_flag.sql",
        13 "publication_commits" "0013_publication_commits.sql",
        14 "case_desk" "0014_case_desk.sql",
        15 "desk_preferences" "0015_desk_preferences.sql",
        16 "case_search" "0016_case_search.sql",
        17 "case_state_counts" "0017_case_state_counts.sql",
        18 "github" "0018_github.sql",
        19 "overdue_counts" "0019_overdue_counts.sql",
        20 "publication_order" "0020_publication_order.sql",
        21 "intake_pages" "0021_intake_pages.sql",
        22 "publication_generation" "0022_publication_generation.sql",
        23 "publication_osv_sources" "0023_publication_osv_sources.sql",
        24 "batch_state_counts" "0024_batch_state_counts.sql",
        25 "job_claims_by_kind" "0025_job_claims_by_kind.sql",
        26 "receipts_in_search" "0026_receipts_in_search.sql",
    ])
}

/// The newest schema version this binary knows.
pub fn latest_schema_version() -> i64 {
    migrator(Backend::Sqlite)
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0)
}

/// Whether `open` may create a new database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the file if missing (`embargo init`, `embargo serve`).
    CreateOrMigrate,
    /// The file must exist and hold an embargo database (e.g. `embargo audit verify`).
    MustExist,
}

/// What every SQLite connection is set to, on both pools (the native one that checks and
/// migrates, and the neutral one that serves): foreign keys enforced; FULL synchronous, so a
/// transaction that returned is on disk even if the machine dies after; waiting for the
/// writer rather than failing; a page cache of 1 MiB per connection (half SQLite's default:
/// with 8 connections the caches held a quarter of the server's memory, and the pages stay
/// in the kernel's cache anyway; the benchmarks' latencies did not move). The last two are
/// SQLite's defaults, named so that the batch writer can change them. (WAL is set once and
/// persists in the file.)
const SQLITE_PRAGMAS: [(&str, &str); 6] = [
    ("foreign_keys", "ON"),
    ("synchronous", "FULL"),
    ("busy_timeout", "10000"),
    ("cache_size", "-1024"),
    ("temp_store", "DEFAULT"),
    ("wal_autocheckpoint", "1000"),
];

/// Connections of the pool every query but the batch writer's uses. Each is a thread of
/// its own with its own page cache and allocator arena (about 2.3 MiB resident each, once
/// used); SQLite writes one transaction at a time anyway, and two cores run two readers.
/// Measured after the public benchmark: 8 connections, 67 MiB resident; 4, 57 MiB. OSV
/// queries, which all read one value, lost a quarter of their throughput until concurrent
/// queries shared that read (`embargo_app`'s `SharedRead`).
const READ_CONNECTIONS: u32 = 4;

/// Opens a SQLite file: checked and migrated with SQLite's own driver (pragmas, header,
/// integrity), then served through the backend-neutral pool every query uses.
pub(crate) async fn open_sqlite(
    path: &Path,
    mode: OpenMode,
    gathered: GatheredAt,
) -> Result<AnyPool, StoreError> {
    let native = open_native_sqlite(path, mode).await?;
    native.close().await;
    sqlx::any::install_default_drivers();
    // The same settings as the native pool (WAL persists in the file itself).
    neutral_sqlite_options(READ_CONNECTIONS, &[], gathered)
        .connect(&sqlite_url(path))
        .await
        .map_err(|e| refused_open(path, e))
}

/// What the batch writer's connection changes of [`SQLITE_PRAGMAS`]:
/// - its commits do not wait for the disk, as the writer syncs the log itself once a batch
///   committed, while the next batch is written (`crate::batch_writes`);
/// - a page cache of 8 MiB, as it writes into every index of `cases` and `reports` and
///   into the reports' full-text index (the read pool's connections keep 1 MiB each). It
///   was 16 MiB for a day, against a cliff that a process filing without pause fell off
///   (with 8 MiB at about 170,000 reports, with 16 at about 380,000), until its cause was
///   found: a statement of the index planned as a scan from the statistics of an empty
///   installation (`crate::statistics`). Without the scan, three alternating pairs of
///   fresh installations, four 10 s floods each (about 380,000 reports): 8 MiB filed
///   1.01-1.04x the reports of 16 MiB with the same p99s (12-15 ms), and the process held
///   40-42 MiB instead of 50-51;
/// - statement journals in memory: each multi-row insert inside the batch's transaction
///   keeps the pages it changes in a journal of its own, which SQLite otherwise writes to a
///   temporary file made and deleted for every statement. That was 40 of the 85 KB written
///   per report, and the syscalls that wrote them;
/// - no checkpoint of its own before 16,000 pages of log (64 MB): the log is copied into
///   the database behind the writer, from another connection, and the writer only copies
///   what was committed meanwhile (`Store::checkpoint_behind_writer`, `finish_checkpoint`).
///   Its own checkpoint, made inside a commit while every waiting report waits, is left
///   for a log nobody else copied (the copying stopped on an error).
const BATCH_PRAGMAS: [(&str, &str); 4] = [
    ("synchronous", "NORMAL"),
    ("cache_size", "-8192"),
    ("temp_store", "MEMORY"),
    ("wal_autocheckpoint", "16000"),
];

/// The batch writer's own connection (see [`BATCH_PRAGMAS`]): a pool of one, opened when
/// the first batch is written.
pub(crate) fn open_sqlite_batch_writer(
    path: &Path,
    gathered: GatheredAt,
) -> Result<AnyPool, StoreError> {
    neutral_sqlite_options(1, &BATCH_PRAGMAS, gathered)
        .connect_lazy(&sqlite_url(path))
        .map_err(|e| refused_open(path, e))
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// A pool of the backend-neutral driver on a SQLite file, each connection set to
/// [`SQLITE_PRAGMAS`] but for `overrides`. A connection opened before the planner's
/// statistics were last `gathered` is replaced rather than handed out (see [`GatheredAt`]).
fn neutral_sqlite_options(
    connections: u32,
    overrides: &'static [(&'static str, &'static str)],
    gathered: GatheredAt,
) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(connections)
        .before_acquire(move |_, connection| {
            let current = gathered.read_by(connection.age);
            Box::pin(async move { Ok(current) })
        })
        .after_connect(move |conn, _| {
            Box::pin(async move {
                for (name, value) in SQLITE_PRAGMAS {
                    let value = overrides
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map_or(value, |(_, v)| *v);
                    sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA {name} = {value}")))
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(())
            })
        })
}

async fn open_native_sqlite(path: &Path, mode: OpenMode) -> Result<SqlitePool, StoreError> {
    let display = path.display();
    let exists = check_header(path)?;
    if !exists && mode == OpenMode::MustExist {
        return Err(StoreError::Refused(format!(
            "no embargo database at {display} (run `embargo init` first)"
        )));
    }
    let options = SQLITE_PRAGMAS.iter().fold(
        SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(mode == OpenMode::CreateOrMigrate)
            .journal_mode(SqliteJournalMode::Wal),
        |options, (name, value)| options.pragma(*name, *value),
    );
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .map_err(|e| refused_open(path, e))?;
    check_ours(&pool, path).await?;
    migrate(&pool, path).await?;
    analyze(&pool, path).await?;
    Ok(pool)
}

/// Fresh statistics for the query planner (from a sample of each index, so that opening
/// stays quick at any size): without them SQLite cannot tell a selective index from a
/// covering one, and the dashboard's counts scan instead of seeking.
async fn analyze(pool: &SqlitePool, path: &Path) -> Result<(), StoreError> {
    // The limit holds for one connection: both statements run on the same one.
    let mut conn = pool.acquire().await.map_err(|e| refused_open(path, e))?;
    for statement in ["PRAGMA analysis_limit = 1000", "ANALYZE"] {
        sqlx::query(statement)
            .execute(&mut *conn)
            .await
            .map_err(|e| refused_open(path, e))?;
    }
    Ok(())
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
    // SQLITE_CORRUPT (11): a page that reading met, before or without the integrity check.
    let corrupt = e
        .as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|code| code == "11");
    if corrupt {
        return corrupted(path, &e.to_string());
    }
    StoreError::Refused(format!("cannot open the database {}: {e}", path.display()))
}

fn corrupted(path: &Path, findings: &str) -> StoreError {
    StoreError::Refused(format!(
        "the database {} is corrupted ({findings}); restore it from a backup",
        path.display()
    ))
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
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "PRAGMA application_id = {APPLICATION_ID}"
    )))
    .execute(pool)
    .await?;
    Ok(())
}

/// SQLite's `quick_check`: every page and index entry is well formed. A database that
/// fails it is refused with the first findings; its path says which file.
async fn check_integrity(pool: &SqlitePool, path: &Path) -> Result<(), StoreError> {
    let rows = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_all(pool)
        .await;
    integrity_verdict(rows, path)
}

/// [`check_integrity`] while serving: on a connection of its own, read-only, so that it
/// takes none of the pool's, and without sqlx's slow-statement warning (it is slow by
/// design, at about a second per 100,000 cases).
pub(crate) async fn check_served_integrity(path: &Path) -> Result<(), StoreError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .disable_statement_logging();
    let mut conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| refused_open(path, e))?;
    let rows = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_all(&mut conn)
        .await;
    let _ = conn.close().await;
    integrity_verdict(rows, path)
}

fn integrity_verdict(
    rows: Result<Vec<String>, sqlx::Error>,
    path: &Path,
) -> Result<(), StoreError> {
    let rows = rows.map_err(|e| refused_open(path, e))?;
    let findings: Vec<&String> = rows.iter().filter(|s| *s != "ok").take(5).collect();
    if findings.is_empty() {
        Ok(())
    } else {
        let findings: Vec<&str> = findings.iter().map(|s| s.as_str()).collect();
        Err(corrupted(path, &findings.join("; ")))
    }
}

/// Migrates to the newest schema. A migration rewrites tables: the file is checked first,
/// so that a corrupted one is refused before anything is written to it.
async fn migrate(pool: &SqlitePool, path: &Path) -> Result<(), StoreError> {
    let migrator = migrator(Backend::Sqlite);
    let has_table: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(pool)
    .await
    .map_err(|e| refused_open(path, e))?;
    let newest: Option<i64> = if has_table > 0 {
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations")
            .fetch_one(pool)
            .await
            .map_err(|e| refused_open(path, e))?
    } else {
        None
    };
    refuse_newer_schema(newest, &path.display().to_string())?;
    if newest.is_none_or(|v| v < latest_schema_version()) {
        check_integrity(pool, path).await?;
    }
    migrator.run(pool).await.map_err(|e| {
        StoreError::Refused(format!(
            "cannot migrate the database {}: {e}",
            path.display()
        ))
    })
}

/// A database migrated by a newer embargo is refused untouched: this binary does not know
/// what the newer migrations changed.
fn refuse_newer_schema(newest: Option<i64>, shown: &str) -> Result<(), StoreError> {
    let known = latest_schema_version();
    match newest.filter(|v| *v > known) {
        Some(v) => Err(StoreError::Refused(format!(
            "the database {shown} has schema version {v}, newer than this embargo knows ({known}); upgrade embargo"
        ))),
        None => Ok(()),
    }
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

/// Whether a database URL names PostgreSQL (else it is a SQLite file).
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The URL without its secrets, for messages, logs and `embargo config`: the password of
/// the user part, and the value of every query parameter that carries one (`password`,
/// `sslpassword`, and any parameter whose name says password, secret or token).
pub fn redacted_url(url: &str) -> String {
    // Parsed as the drivers parse it (an unencoded `?` or `@` splits where they split it).
    let Ok(mut parsed) = url::Url::parse(url) else {
        return redacted_by_hand(url);
    };
    const MARK: &str = "REDACTED-BY-EMBARGO";
    if parsed.password().is_some() && parsed.set_password(Some(MARK)).is_err() {
        return redacted_by_hand(url);
    }
    let secret_key = |key: &str| {
        let key = key.to_lowercase();
        ["password", "secret", "token"]
            .iter()
            .any(|word| key.contains(word))
    };
    if parsed.query_pairs().any(|(k, _)| secret_key(&k)) {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let v = if secret_key(&k) {
                    MARK.to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string().replace(MARK, "[redacted]")
}

/// For strings that are not URLs at all: everything between `://` and the last `@` but
/// the user name is taken for a password.
fn redacted_by_hand(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:[redacted]{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// Opens a PostgreSQL database: refuses a schema newer than this binary and (if allowed)
/// migrates with PostgreSQL's own driver, then serves it through the neutral pool.
pub(crate) async fn open_postgres(url: &str, mode: OpenMode) -> Result<AnyPool, StoreError> {
    let shown = redacted_url(url);
    let cannot = |e: sqlx::Error| cannot_reach(&shown, e);
    // One plain connection checks and migrates: a pool would retry a refused connection
    // until its timeout, and an operator with a wrong URL should hear so at once.
    let mut native = PgConnection::connect(url).await.map_err(cannot)?;
    let result = migrate_postgres(&mut native, &shown, mode).await;
    native.close().await.map_err(cannot)?;
    result?;
    sqlx::any::install_default_drivers();
    // Lazy: the connection above just reached the server, and `connect` would open the
    // warm connections one after the other before `serve` could answer.
    AnyPoolOptions::new()
        .max_connections(16)
        .min_connections(WARM_CONNECTIONS)
        .acquire_timeout(Duration::from_secs(10))
        .connect_lazy(url)
        .map_err(cannot)
}

/// The batch writer's own connection on PostgreSQL: a pool of one, opened when the first
/// batch is written (one backend keeps its statements prepared and its caches warm).
pub(crate) fn open_postgres_batch_writer(url: &str) -> Result<AnyPool, StoreError> {
    AnyPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .connect_lazy(url)
        .map_err(|e| cannot_reach(&redacted_url(url), e))
}

/// A server that cannot be reached, named without its password (`shown`).
fn cannot_reach(shown: &str, e: sqlx::Error) -> StoreError {
    StoreError::Refused(format!("cannot reach the database {shown}: {e}"))
}

/// Connections `serve` opens as soon as it starts (commands that run once open only what
/// they use), and that sqlx's reaper reopens when it closes an idle one. Opening one (TLS,
/// then password authentication) is slow here: `serve` answers its first `/healthz` about
/// 300 ms after launch on PostgreSQL, 20 to 45 ms on SQLite. Without them, the first
/// requests after start each waited for a connection (the dashboard's p99 at 100,000 cases
/// was 106 ms for its first page, under 12 ms for every other).
const WARM_CONNECTIONS: u32 = 4;

/// Opens [`WARM_CONNECTIONS`] (`Store::open_kept_connections`).
pub(crate) async fn warm(pool: AnyPool) {
    let opened =
        futures_util::future::join_all((0..WARM_CONNECTIONS).map(|_| pool.acquire())).await;
    if let Some(Err(e)) = opened.into_iter().find(Result::is_err) {
        tracing::warn!("opening the database's connections: {e}");
    }
}

async fn migrate_postgres(
    conn: &mut PgConnection,
    shown: &str,
    mode: OpenMode,
) -> Result<(), StoreError> {
    let has_table: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations')",
    )
    .fetch_one(&mut *conn)
    .await?;
    if has_table {
        let newest: Option<i64> = sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations")
            .fetch_one(&mut *conn)
            .await?;
        refuse_newer_schema(newest, shown)?;
    } else {
        let tables: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()",
        )
        .fetch_one(&mut *conn)
        .await?;
        if tables > 0 {
            return Err(StoreError::Refused(format!(
                "the database {shown} holds {tables} tables of another application; embargo will not migrate it"
            )));
        }
        if mode == OpenMode::MustExist {
            return Err(StoreError::Refused(format!(
                "no embargo database at {shown} (run `embargo init` or `embargo migrate` first)"
            )));
        }
    }
    migrator(Backend::Postgres)
        .run(conn)
        .await
        .map_err(|e| StoreError::Refused(format!("cannot migrate the database {shown}: {e}")))
}

#[cfg(test)]
mod redaction_tests {
    use super::redacted_url;

    #[test]
    fn passwords_are_redacted_wherever_the_url_carries_them() {
        assert_eq!(
            redacted_url("postgres://app:s3cret@db:5432/embargo"),
            "postgres://app:[redacted]@db:5432/embargo"
        );
        assert_eq!(
            redacted_url(
                "postgres://app@db/embargo?sslmode=verify-full&password=s3cret&sslpassword=k3y&pass%77ord=x&application_name=e"
            ),
            "postgres://app@db/embargo?sslmode=verify-full&password=[redacted]&sslpassword=[redacted]&password=[redacted]&application_name=e"
        );
        assert_eq!(
            redacted_url("postgres://app:a%40b@db/x?auth_token=t"),
            "postgres://app:[redacted]@db/x?auth_token=[redacted]"
        );
        // Not a URL the drivers would read, but never shown with its password either.
        assert_eq!(
            redacted_url("postgres://app:p ss@db/x"),
            "postgres://app:[redacted]@db/x"
        );
        assert_eq!(
            redacted_url("sqlite://data/embargo.db"),
            "sqlite://data/embargo.db"
        );
        assert_eq!(redacted_url("data/embargo.db"), "data/embargo.db");
    }
}
