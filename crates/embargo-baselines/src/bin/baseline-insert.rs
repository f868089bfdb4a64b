//! The naive report intake: one durable `INSERT` per request, each in its own transaction.
//!   baseline-insert ADDR sqlite:///path/to/file.db | postgres://...

use std::str::FromStr;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use sqlx::any::AnyPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

#[derive(Clone)]
enum Db {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::AnyPool),
}

async fn file(State(db): State<Db>, body: axum::body::Bytes) -> (StatusCode, String) {
    let Ok(report) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, "not JSON".into());
    };
    let text = report.to_string();
    let done = match &db {
        Db::Sqlite(pool) => sqlx::query("INSERT INTO reports (body) VALUES ($1)")
            .bind(text)
            .execute(pool)
            .await
            .map(|r| r.last_insert_rowid()),
        Db::Postgres(pool) => {
            sqlx::query_scalar::<_, i64>("INSERT INTO reports (body) VALUES ($1) RETURNING id")
                .bind(text)
                .fetch_one(pool)
                .await
        }
    };
    match done {
        Ok(id) => (StatusCode::CREATED, format!("{{\"id\":{id}}}")),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(2)
        .ok_or("usage: baseline-insert ADDR DATABASE_URL")?;
    let db = if url.starts_with("sqlite:") {
        let options = SqliteConnectOptions::from_str(&url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS reports (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
        )
        .execute(&pool)
        .await?;
        Db::Sqlite(pool)
    } else {
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .connect(&url)
            .await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS reports (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)",
        )
        .execute(&pool)
        .await?;
        Db::Postgres(pool)
    };
    let listener = embargo_baselines::listener(std::env::args().nth(1)).await?;
    let app = Router::new()
        .route("/api/v1/reports", post(file))
        .with_state(db);
    axum::serve(listener, app).await?;
    Ok(())
}
