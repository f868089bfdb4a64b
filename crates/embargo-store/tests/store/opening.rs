//! Opening a database: foreign, broken, newer or unreachable ones refused untouched; TLS.

use super::*;

#[tokio::test]
async fn foreign_and_broken_files_are_refused_untouched() {
    if on_postgres() {
        return; // SQLite's file format; see the PostgreSQL tests below
    }
    let dir = tempfile::tempdir().unwrap();

    let text = dir.path().join("notes.db");
    std::fs::write(
        &text,
        "not a database at all, just some text that is long enough",
    )
    .unwrap();
    let e = Store::open(&text, OpenMode::CreateOrMigrate)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("is not a SQLite database"), "{e}");
    assert_eq!(std::fs::read_to_string(&text).unwrap().len(), 57);

    let foreign = dir.path().join("other.db");
    raw_create(
        &foreign,
        "CREATE TABLE users (id INTEGER PRIMARY KEY); INSERT INTO users VALUES (1);",
    )
    .await;
    let e = Store::open(&foreign, OpenMode::CreateOrMigrate)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("another application"), "{e}");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", foreign.display()))
        .await
        .unwrap();
    let tables: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_master")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(tables, 1, "nothing was migrated into the foreign file");

    let missing = dir.path().join("missing.db");
    let e = Store::open(&missing, OpenMode::MustExist)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("embargo init"), "{e}");
    assert!(!missing.exists());
}

async fn raw_create(path: &Path, sql: &str) {
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

#[tokio::test]
async fn a_newer_schema_is_refused() {
    let (_dir, url, store) = fresh().await;
    store.close().await;
    let (success, checksum) = if on_postgres() {
        ("true", "'\\x00'::bytea")
    } else {
        ("1", "x'00'")
    };
    raw(&url, &format!("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (999, 'future', {success}, {checksum}, 0);")).await;
    let e = Store::connect(&url, OpenMode::CreateOrMigrate)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("newer than this embargo knows"),
        "{e}"
    );
}

/// Overwrites the middle of the SQLite file at `path` (past the header page) with garbage.
fn corrupt(path: &std::path::Path) {
    let mut bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.len() > 8192,
        "database unexpectedly small: {}",
        bytes.len()
    );
    let mid = bytes.len() / 2;
    for b in &mut bytes[4096..mid] {
        *b = 0xA5;
    }
    std::fs::write(path, &bytes).unwrap();
}

fn says_corrupted(e: &StoreError) {
    let text = e.to_string();
    assert!(
        text.contains("corrupt") || text.contains("malformed"),
        "{text}"
    );
}

#[tokio::test]
async fn a_corrupted_file_fails_the_integrity_check() {
    if on_postgres() {
        return; // SQLite's file format
    }
    let (_dir, url, store) = fresh().await;
    let path = embargo_store::sqlite_path(&url).unwrap();
    seed(&store).await;
    append(&store, 50).await;
    store.check_integrity().await.unwrap();
    store.close().await;
    corrupt(&path);
    // Opening does not read every page (serve checks in the background); the check does.
    match Store::open(&path, OpenMode::CreateOrMigrate).await {
        Ok(store) => says_corrupted(&store.check_integrity().await.unwrap_err()),
        Err(e) => says_corrupted(&e),
    }
}

#[tokio::test]
async fn a_corrupted_file_is_refused_before_a_migration() {
    if on_postgres() {
        return; // SQLite's file format
    }
    let (_dir, url, store) = fresh().await;
    let path = embargo_store::sqlite_path(&url).unwrap();
    seed(&store).await;
    append(&store, 50).await;
    store.close().await;
    // An older embargo's file: the newest migration not applied yet.
    raw(
        &url,
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations);",
    )
    .await;
    corrupt(&path);
    let before = std::fs::read(&path).unwrap();
    let e = Store::open(&path, OpenMode::CreateOrMigrate)
        .await
        .unwrap_err();
    says_corrupted(&e);
    assert!(e.to_string().contains("restore it from a backup"), "{e}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file was written to"
    );
}

#[tokio::test]
async fn reopening_keeps_everything() {
    let (_dir, url, store) = fresh().await;
    let (_, case) = seed(&store).await;
    append(&store, 3).await;
    store.close().await;
    let store = Store::connect(&url, OpenMode::MustExist).await.unwrap();
    assert_eq!(store.case(case.id).await.unwrap(), case);
    assert_eq!(store.verify_audit().await.unwrap().entries, 3);
    if on_postgres() {
        return;
    }
    let path = embargo_store::sqlite_path(&url).unwrap();
    let id: i32 = {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        sqlx::query_scalar("PRAGMA application_id")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert_eq!(id, embargo_store::APPLICATION_ID);
}

#[tokio::test]
async fn a_database_of_another_application_is_refused_untouched() {
    if !on_postgres() {
        return; // PostgreSQL; SQLite's counterpart is foreign_and_broken_files_are_refused_untouched
    }
    let dir = tempfile::tempdir().unwrap();
    let url = database::fresh_database(dir.path()).await;
    raw(
        &url,
        "CREATE TABLE users (id BIGINT PRIMARY KEY); INSERT INTO users VALUES (1);",
    )
    .await;
    let e = Store::connect(&url, OpenMode::CreateOrMigrate)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("another application"), "{e}");
    assert!(
        !e.to_string().contains(":embargo@"),
        "the password is not shown: {e}"
    );
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(tables, 1, "nothing was migrated into the foreign database");

    let empty = database::fresh_database(dir.path()).await;
    let e = Store::connect(&empty, OpenMode::MustExist)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("embargo migrate"), "{e}");
}

#[tokio::test]
async fn an_unreachable_server_is_named_without_its_password() {
    // Port 1 on loopback: nothing listens there, so the refusal is immediate.
    let url = "postgres://embargo:s3cret-pass@127.0.0.1:1/embargo";
    let e = Store::connect(url, OpenMode::CreateOrMigrate)
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(text.contains("cannot reach the database"), "{text}");
    assert!(text.contains("127.0.0.1:1"), "{text}");
    assert!(!text.contains("s3cret-pass"), "{text}");
}

#[tokio::test]
async fn a_tls_connection_is_used_when_the_url_asks_for_one() {
    if !on_postgres() {
        return; // PostgreSQL's sslmode
    }
    let dir = tempfile::tempdir().unwrap();
    let url = database::fresh_database(dir.path()).await;
    sqlx::any::install_default_drivers();
    let probe = sqlx::AnyPool::connect(&url).await.unwrap();
    let ssl: String = sqlx::query_scalar("SHOW ssl")
        .fetch_one(&probe)
        .await
        .unwrap();
    probe.close().await;
    if ssl != "on" {
        eprintln!("the test server does not offer TLS: skipped");
        return;
    }
    let store = Store::connect(&format!("{url}?sslmode=require"), OpenMode::CreateOrMigrate)
        .await
        .unwrap();
    seed(&store).await;
    let encrypted: i64 = {
        let pool = sqlx::AnyPool::connect(&format!("{url}?sslmode=require"))
            .await
            .unwrap();
        sqlx::query_scalar("SELECT count(*) FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert_eq!(encrypted, 1);
    // A certificate that cannot be verified (Debian's self-signed one) is refused with a
    // sentence, not silently downgraded.
    let e = Store::connect(&format!("{url}?sslmode=verify-full"), OpenMode::MustExist)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("cannot reach the database"), "{e}");
}
