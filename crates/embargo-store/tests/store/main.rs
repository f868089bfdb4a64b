//! The store against a real database: a SQLite file in a temporary directory, or with
//! `EMBARGO_TEST_DATABASE=postgres://...` a fresh PostgreSQL database per test. Tests of
//! SQLite's file format (foreign, broken, corrupted files) run on SQLite only; their
//! PostgreSQL counterparts (foreign tables, an unreachable server) on PostgreSQL only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test

// The testkit's database chooser, shared by path: depending on the testkit would build a
// second copy of this crate.
mod audit;
mod backup;
mod batches;
mod cases;
#[path = "../../../embargo-testkit/src/database.rs"]
mod database;
mod opening;
mod sealing;
mod statistics;
mod writers;

use std::path::Path;

use embargo_core::{
    Actor, Case, CaseId, Command, DisplayName, Email, InstallationRoles, JobId, Policy, Private,
    ProjectSlug, RequiredText, UserId, transition,
};
use embargo_store::{NewAuditEntry, NewJob, OpenMode, Person, Project, Store, StoreError};
use jiff::{SignedDuration, Timestamp};

fn now() -> Timestamp {
    "2026-05-04T10:00:00Z".parse().unwrap()
}

fn on_postgres() -> bool {
    database::postgres_server().is_some()
}

/// A new database of the backend under test, migrated, and its URL.
async fn fresh() -> (tempfile::TempDir, String, Store) {
    let dir = tempfile::tempdir().unwrap();
    let url = database::fresh_database(dir.path()).await;
    let store = Store::connect(&url, OpenMode::CreateOrMigrate)
        .await
        .unwrap();
    (dir, url, store)
}

/// Plain SQL on the database, as an operator with the sqlite3 shell or psql would.
async fn try_raw(url: &str, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let result = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&pool)
        .await;
    pool.close().await;
    result.map(|_| ())
}

async fn raw(url: &str, sql: &str) {
    try_raw(url, sql).await.unwrap();
}

async fn raw_text(url: &str, sql: &str) -> Option<String> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let value: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    value
}

async fn seed(store: &Store) -> (Person, Case) {
    let coordinator = Person {
        id: UserId::from_random_bytes([1; 16]),
        email: Email::parse("coord@example.org").unwrap(),
        display_name: DisplayName::parse("Coco Ordinator").unwrap(),
        roles: InstallationRoles::COORDINATOR,
        password_hash: None,
        created_at: now(),
        disabled_at: None,
    };
    let project = Project {
        slug: ProjectSlug::parse("infra").unwrap(),
        name: "Infrastructure".into(),
        description: String::new(),
        repositories: vec!["example-org/infra".into()],
    };
    let case = Case::received(
        CaseId::from_random_bytes([2; 16]),
        project.slug.clone(),
        now(),
        None,
        &Policy::default(),
    );
    let mut tx = store.begin().await.unwrap();
    tx.insert_person(&coordinator).await.unwrap();
    tx.insert_project(&project, now()).await.unwrap();
    tx.insert_case(&case).await.unwrap();
    tx.commit().await.unwrap();
    (coordinator, case)
}

fn entry(action: &str) -> NewAuditEntry {
    NewAuditEntry {
        at: now(),
        actor: "system".into(),
        case_id: None,
        action: action.into(),
        detail: serde_json::json!({"n": action}),
    }
}

async fn append(store: &Store, n: usize) {
    for i in 0..n {
        let mut tx = store.begin().await.unwrap();
        tx.append_audit(&entry(&format!("action-{i}")))
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
}
