//! Which database a test runs on: a SQLite file in the test's own directory by default, or,
//! with `EMBARGO_TEST_DATABASE=postgres://user:password@host:port`, a new database of its
//! own on that PostgreSQL server (scripts/test.sh runs the store, app and worker suites
//! both ways).

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// The PostgreSQL server tests should use, if any.
pub fn postgres_server() -> Option<String> {
    std::env::var("EMBARGO_TEST_DATABASE")
        .ok()
        .filter(|u| embargo_store::is_postgres_url(u))
}

/// A database URL no other test uses: `sqlite://DIR/embargo.db`, or a fresh PostgreSQL
/// database.
pub async fn fresh_database(dir: &Path) -> String {
    let Some(server) = postgres_server() else {
        return format!("sqlite://{}", dir.join("embargo.db").display());
    };
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let base = server_base(&server);
    #[allow(clippy::disallowed_methods)] // a unique name, not a clock the product reads
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let name = format!(
        "embargo_test_{}_{}_{}",
        std::process::id(),
        nanos,
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let admin = sqlx::PgPool::connect(&format!("{base}/postgres"))
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    format!("{base}/{name}")
}

/// `postgres://u:p@host:port/db?x` -> `postgres://u:p@host:port`.
fn server_base(url: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    match url[scheme_end..].find('/') {
        Some(slash) => url[..scheme_end + slash].to_string(),
        None => url.split('?').next().unwrap_or(url).to_string(),
    }
}
