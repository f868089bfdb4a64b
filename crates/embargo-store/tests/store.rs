//! The store against real SQLite files in a temporary directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use embargo_core::{
    Actor, Case, CaseId, Command, DisplayName, Email, InstallationRoles, JobId, Policy, Private,
    ProjectSlug, RequiredText, UserId, transition,
};
use embargo_store::{NewAuditEntry, NewJob, OpenMode, Person, Project, Store, StoreError};
use jiff::{SignedDuration, Timestamp};

fn now() -> Timestamp {
    "2026-05-04T10:00:00Z".parse().unwrap()
}

async fn fresh() -> (tempfile::TempDir, PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("embargo.db");
    let store = Store::open(&path, OpenMode::CreateOrMigrate).await.unwrap();
    (dir, path, store)
}

/// Plain SQL on the file, as an operator with the sqlite3 shell would.
async fn raw(path: &Path, sql: &str) {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
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

#[tokio::test]
async fn a_case_round_trips_with_its_children_and_stale_saves_are_refused() {
    let (_dir, _path, store) = fresh().await;
    let (coordinator, case) = seed(&store).await;
    let actor = Actor::User {
        id: coordinator.id,
        roles: coordinator.roles,
    };
    let message = Private::new(RequiredText::parse("Thanks!").unwrap());
    let acked = transition(&case, &Command::Acknowledge { message }, &actor, now())
        .unwrap()
        .case;
    let triage = transition(&acked, &Command::StartTriage, &actor, now())
        .unwrap()
        .case;
    let extended = transition(
        &triage,
        &Command::ExtendDisclosure {
            until: now() + SignedDuration::from_hours(24 * 120),
            reason: RequiredText::parse("big fix").unwrap(),
        },
        &actor,
        now(),
    )
    .unwrap()
    .case;

    let mut tx = store.begin().await.unwrap();
    tx.update_case(&acked).await.unwrap();
    tx.update_case(&triage).await.unwrap();
    tx.update_case(&extended).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.case(case.id).await.unwrap(), extended);

    // A second writer that loaded the case before these changes cannot save over them.
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.update_case(&acked).await,
        Err(StoreError::Stale)
    ));
    tx.rollback().await.unwrap();
    assert_eq!(store.case(case.id).await.unwrap(), extended);
}

#[tokio::test]
async fn unknown_projects_and_duplicate_people_are_refused_with_a_reason() {
    let (_dir, _path, store) = fresh().await;
    let (coordinator, _) = seed(&store).await;
    let mut tx = store.begin().await.unwrap();
    let again = Person {
        id: UserId::from_random_bytes([9; 16]),
        email: Email::parse("COORD@example.org").unwrap(),
        ..coordinator
    };
    let e = tx.insert_person(&again).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "a person with this e-mail address already exists"
    );
    let stray = Case::received(
        CaseId::from_random_bytes([3; 16]),
        ProjectSlug::parse("nope").unwrap(),
        now(),
        None,
        &Policy::default(),
    );
    let e = tx.insert_case(&stray).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "the project is not in the installation's scope"
    );
}

#[tokio::test]
async fn jobs_exist_only_when_their_transaction_commits() {
    let (_dir, _path, store) = fresh().await;
    let (_, case) = seed(&store).await;
    let job = NewJob {
        kind: "notify_reporter".into(),
        case_id: Some(case.id),
        payload: serde_json::json!({"m": 1}),
        run_at: now(),
    };
    let mut tx = store.begin().await.unwrap();
    tx.enqueue_job(JobId::from_random_bytes([1; 16]), &job, now())
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert!(store.jobs(None).await.unwrap().is_empty());

    let mut tx = store.begin().await.unwrap();
    tx.enqueue_job(JobId::from_random_bytes([2; 16]), &job, now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let lease = SignedDuration::from_mins(5);
    let claimed = store
        .claim_job(now(), lease, &["notify_reporter"])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.attempts, 1);
    assert!(
        store
            .claim_job(now(), lease, &["notify_reporter"])
            .await
            .unwrap()
            .is_none(),
        "a leased job is not handed out twice"
    );
    // The worker died: after the lease, another worker gets it.
    let later = now() + SignedDuration::from_mins(6);
    let again = store
        .claim_job(later, lease, &["notify_reporter"])
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.id, again.attempts), (claimed.id, 2));
    store
        .fail_job(
            again.id,
            "smtp down",
            Some(later + SignedDuration::from_mins(1)),
            later,
        )
        .await
        .unwrap();
    assert!(
        store
            .claim_job(later, lease, &["notify_reporter"])
            .await
            .unwrap()
            .is_none()
    );
    let third = store
        .claim_job(
            later + SignedDuration::from_mins(2),
            lease,
            &["notify_reporter"],
        )
        .await
        .unwrap()
        .unwrap();
    store.finish_job(third.id, later).await.unwrap();
    assert_eq!(
        store.jobs(Some(case.id)).await.unwrap()[0].status,
        embargo_store::JobStatus::Done
    );
}

#[tokio::test]
async fn the_audit_chain_verifies_and_refuses_updates() {
    let (_dir, path, store) = fresh().await;
    append(&store, 5).await;
    let report = store.verify_audit().await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.entries, 5);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let e = sqlx::query("UPDATE audit_log SET action = 'x' WHERE seq = 2")
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    let e = sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
}

#[tokio::test]
async fn verify_finds_edited_and_deleted_entries() {
    let drop = "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;";
    for (tamper, seq, needle) in [
        (
            "UPDATE audit_log SET detail = '{\"n\":\"forged\"}' WHERE seq = 3",
            3,
            "was edited",
        ),
        (
            "UPDATE audit_log SET at = at + 1 WHERE seq = 1",
            1,
            "was edited",
        ),
        ("DELETE FROM audit_log WHERE seq = 2", 3, "missing"),
        ("DELETE FROM audit_log WHERE seq = 5", 5, "deleted"),
    ] {
        let (_dir, path, store) = fresh().await;
        append(&store, 5).await;
        raw(&path, &format!("{drop} {tamper};")).await;
        let report = store.verify_audit().await.unwrap();
        assert!(!report.is_intact(), "{tamper} went unnoticed");
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.seq == seq && p.problem.contains(needle)),
            "{tamper}: {:?}",
            report.problems
        );
    }
}

#[tokio::test]
async fn foreign_and_broken_files_are_refused_untouched() {
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
    let (_dir, path, store) = fresh().await;
    store.close().await;
    raw(&path, "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (999, 'future', 1, x'00', 0);").await;
    let e = Store::open(&path, OpenMode::CreateOrMigrate)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("newer than this embargo knows"),
        "{e}"
    );
}

#[tokio::test]
async fn a_corrupted_file_is_refused() {
    let (_dir, path, store) = fresh().await;
    seed(&store).await;
    append(&store, 50).await;
    store.close().await;
    // Overwrite the middle of the file (past the header page) with garbage.
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(
        bytes.len() > 8192,
        "database unexpectedly small: {}",
        bytes.len()
    );
    let mid = bytes.len() / 2;
    for b in &mut bytes[4096..mid] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let e = Store::open(&path, OpenMode::CreateOrMigrate)
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("corrupt") || text.contains("malformed"),
        "{text}"
    );
}

#[tokio::test]
async fn reopening_keeps_everything() {
    let (_dir, path, store) = fresh().await;
    let (_, case) = seed(&store).await;
    append(&store, 3).await;
    store.close().await;
    let store = Store::open(&path, OpenMode::MustExist).await.unwrap();
    assert_eq!(store.case(case.id).await.unwrap(), case);
    assert_eq!(store.verify_audit().await.unwrap().entries, 3);
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
