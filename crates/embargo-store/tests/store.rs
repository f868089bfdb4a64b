//! The store against a real database: a SQLite file in a temporary directory, or with
//! `EMBARGO_TEST_DATABASE=postgres://...` a fresh PostgreSQL database per test. Tests of
//! SQLite's file format (foreign, broken, corrupted files) run on SQLite only; their
//! PostgreSQL counterparts (foreign tables, an unreachable server) on PostgreSQL only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test

// The testkit's database chooser, shared by path: depending on the testkit would build a
// second copy of this crate.
#[path = "../../embargo-testkit/src/database.rs"]
mod database;

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
    let (_dir, _url, store) = fresh().await;
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
    let (_dir, _url, store) = fresh().await;
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
    // A refused statement ends its transaction (PostgreSQL aborts it): start another.
    tx.rollback().await.unwrap();
    let mut tx = store.begin().await.unwrap();
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
    let (_dir, _url, store) = fresh().await;
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
    let (_dir, url, store) = fresh().await;
    append(&store, 5).await;
    let report = store.verify_audit().await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.entries, 5);
    for sql in [
        "UPDATE audit_log SET action = 'x' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 2",
    ] {
        let e = try_raw(&url, sql).await.unwrap_err();
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    assert!(store.verify_audit().await.unwrap().is_intact());
}

#[tokio::test]
async fn verify_finds_edited_and_deleted_entries() {
    let drop = if on_postgres() {
        "DROP TRIGGER audit_log_no_update ON audit_log; DROP TRIGGER audit_log_no_delete ON audit_log;"
    } else {
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
    };
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
        let (_dir, url, store) = fresh().await;
        append(&store, 5).await;
        raw(&url, &format!("{drop} {tamper};")).await;
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

#[tokio::test]
async fn a_corrupted_file_is_refused() {
    if on_postgres() {
        return; // SQLite's file format
    }
    let (_dir, url, store) = fresh().await;
    let path = embargo_store::sqlite_path(&url).unwrap();
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
async fn concurrent_writers_keep_one_audit_chain_and_claim_each_job_once() {
    let (_dir, url, store) = fresh().await;
    let (_, case) = seed(&store).await;
    // A second handle on the same database, as a second instance would have.
    let other = Store::connect(&url, OpenMode::MustExist).await.unwrap();
    let job = |n: u8| NewJob {
        kind: "notify_reporter".into(),
        case_id: Some(case.id),
        payload: serde_json::json!({ "n": n }),
        run_at: now(),
    };
    let write = |store: Store, offset: u8| async move {
        for i in 0..10u8 {
            let mut tx = store.begin().await.unwrap();
            tx.append_audit(&entry(&format!("w{offset}-{i}")))
                .await
                .unwrap();
            let n = offset * 10 + i;
            tx.enqueue_job(JobId::from_random_bytes([n + 1; 16]), &job(n), now())
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
    };
    tokio::join!(write(store.clone(), 0), write(other.clone(), 1));
    let report = store.verify_audit().await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.entries, 20);

    let lease = SignedDuration::from_mins(5);
    let claim_all = |store: Store| async move {
        let mut ids = Vec::new();
        while let Some(job) = store
            .claim_job(now(), lease, &["notify_reporter"])
            .await
            .unwrap()
        {
            ids.push(job.id);
        }
        ids
    };
    let (a, b) = tokio::join!(claim_all(store.clone()), claim_all(other.clone()));
    let mut all: Vec<JobId> = a.into_iter().chain(b).collect();
    let claimed = all.len();
    all.sort_by_key(|id| id.to_string());
    all.dedup();
    assert_eq!(
        (claimed, all.len()),
        (20, 20),
        "every job claimed exactly once"
    );
}

/// A new SQLite file: on the PostgreSQL pass, the other backend.
fn other_sqlite(dir: &Path, name: &str) -> String {
    format!("sqlite://{}", dir.join(name).display())
}

fn body(backup: &[u8]) -> Vec<String> {
    let text = String::from_utf8(backup.to_vec()).unwrap();
    text.lines().skip(1).map(str::to_string).collect()
}

#[tokio::test]
async fn a_backup_restores_into_the_other_backend_with_the_audit_chain_intact() {
    let (dir, _url, store) = fresh().await;
    let (_, case) = seed(&store).await;
    append(&store, 7).await;
    let mut tx = store.begin().await.unwrap();
    tx.enqueue_job(
        JobId::from_random_bytes([7; 16]),
        &NewJob {
            kind: "notify_reporter".into(),
            case_id: Some(case.id),
            payload: serde_json::json!({"text": "naïve \"quoted\"\nline"}),
            run_at: now(),
        },
        now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut backup = Vec::new();
    let summary = store.backup(&mut backup, now()).await.unwrap();
    assert!(summary.rows >= 11, "{summary:?}");

    let target_url = other_sqlite(dir.path(), "restored.db");
    let target = Store::connect(&target_url, OpenMode::CreateOrMigrate)
        .await
        .unwrap();
    let restored = target.restore(backup.as_slice()).await.unwrap();
    assert_eq!(restored.rows, summary.rows);
    let report = target.verify_audit().await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.entries, 7);
    assert_eq!(target.case(case.id).await.unwrap(), case);
    assert_eq!(target.jobs(Some(case.id)).await.unwrap().len(), 1);

    // Backing up the copy gives the same rows back: nothing was lost or changed.
    let mut again = Vec::new();
    target.backup(&mut again, now()).await.unwrap();
    assert_eq!(body(&again), body(&backup));

    // And back the other way (on the PostgreSQL pass: SQLite to PostgreSQL).
    if on_postgres() {
        let back = Store::connect(
            &database::fresh_database(dir.path()).await,
            OpenMode::CreateOrMigrate,
        )
        .await
        .unwrap();
        back.restore(again.as_slice()).await.unwrap();
        let mut third = Vec::new();
        back.backup(&mut third, now()).await.unwrap();
        assert_eq!(body(&third), body(&backup));
        assert!(back.verify_audit().await.unwrap().is_intact());
    }

    // The restored installation goes on: its next audit entry chains onto the copy.
    append(&target, 1).await;
    assert!(target.verify_audit().await.unwrap().is_intact());
}

#[tokio::test]
async fn a_restore_refuses_a_used_database_and_a_truncated_file_and_changes_nothing() {
    let (dir, _url, store) = fresh().await;
    seed(&store).await;
    append(&store, 3).await;
    let mut backup = Vec::new();
    store.backup(&mut backup, now()).await.unwrap();

    let e = store.restore(backup.as_slice()).await.unwrap_err();
    assert!(e.to_string().contains("not empty"), "{e}");
    assert_eq!(store.verify_audit().await.unwrap().entries, 3);

    let target_url = other_sqlite(dir.path(), "restored.db");
    let target = Store::connect(&target_url, OpenMode::CreateOrMigrate)
        .await
        .unwrap();
    let text = String::from_utf8(backup.clone()).unwrap();
    let truncated: Vec<&str> = text.lines().collect();
    let truncated = truncated[..truncated.len() - 1].join("\n");
    let e = target.restore(truncated.as_bytes()).await.unwrap_err();
    assert!(e.to_string().contains("incomplete"), "{e}");
    assert_eq!(target.verify_audit().await.unwrap().entries, 0);

    let edited = text.replacen("\"schema_version\":", "\"schema_version\":9", 1);
    let e = target.restore(edited.as_bytes()).await.unwrap_err();
    assert!(e.to_string().contains("schema version"), "{e}");
    let e = target.restore(&b"hello\n"[..]).await.unwrap_err();
    assert!(e.to_string().contains("not an embargo backup"), "{e}");

    // The refusals left it empty: the real restore still works.
    target.restore(backup.as_slice()).await.unwrap();
    assert!(target.verify_audit().await.unwrap().is_intact());
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

/// Second-factor secrets are stored sealed with a key kept outside the database: a copy
/// of the database does not reveal them, a wrong key is refused before anything is
/// written with it, and values an older version stored in clear are sealed on opening.
#[tokio::test]
async fn secrets_are_sealed_with_a_key_kept_outside_the_database() {
    let (_dir, url, store) = fresh().await;
    let (person, _) = seed(&store).await;
    let key = embargo_store::SealingKey::generate().unwrap();
    let store = store.unseal_with(&key).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.set_totp(person.id, Some("JBSWY3DPEHPK3PXP"), None, Some(7))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let stored = raw_text(&url, "SELECT totp_secret FROM people")
        .await
        .unwrap();
    assert!(
        stored.starts_with("sealed:v1:") && !stored.contains("JBSWY3DP"),
        "{stored}"
    );
    let mut tx = store.begin_read().await.unwrap();
    assert_eq!(
        tx.totp(person.id).await.unwrap(),
        (Some("JBSWY3DPEHPK3PXP".to_string()), None, Some(7))
    );
    drop(tx);

    // Another installation's key opens nothing and is refused at once.
    let other = Store::connect(&url, OpenMode::MustExist).await.unwrap();
    let e = other
        .unseal_with(&embargo_store::SealingKey::generate().unwrap())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not the key"), "{e}");

    // A database from before sealing (a secret in clear, no check value) is sealed when
    // the key is first loaded.
    raw(
        &url,
        "UPDATE people SET totp_pending = 'KRSXG5CTMVRXEZLU'; \
         DELETE FROM settings WHERE key = 'secrets_key_check'",
    )
    .await;
    let reopened = Store::connect(&url, OpenMode::MustExist)
        .await
        .unwrap()
        .unseal_with(&key)
        .await
        .unwrap();
    let pending = raw_text(&url, "SELECT totp_pending FROM people")
        .await
        .unwrap();
    assert!(pending.starts_with("sealed:v1:"), "{pending}");
    let mut tx = reopened.begin_read().await.unwrap();
    assert_eq!(
        tx.totp(person.id).await.unwrap().1.as_deref(),
        Some("KRSXG5CTMVRXEZLU")
    );
}

#[tokio::test]
async fn cases_get_references_by_year_and_scheduled_ones_their_due_time_at_open() {
    let (_dir, url, store) = fresh().await;
    let (coordinator, case) = seed(&store).await;
    assert_eq!(
        store.case_reference(case.id).await.unwrap(),
        "EMB-2026-0001"
    );
    // The next one that year is 0002, whatever the id; any letter case finds it.
    let second = Case::received(
        CaseId::from_random_bytes([3; 16]),
        case.project.clone(),
        now() + SignedDuration::from_hours(1),
        None,
        &Policy::default(),
    );
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.insert_case(&second).await.unwrap(), "EMB-2026-0002");
    tx.commit().await.unwrap();
    assert_eq!(
        store.case_by_reference("emb-2026-0002").await.unwrap(),
        second.id
    );
    assert!(matches!(
        store.case_by_reference("EMB-2026-0003").await,
        Err(StoreError::NotFound)
    ));

    // A scheduled case from before `due_at` existed: due at its announcement, which the
    // store works out when it opens (time zones are beyond the migration's SQL).
    store.close().await;
    raw(
        &url,
        &format!(
            "UPDATE cases SET state = 'scheduled', coordinator = '{}', release_on = '2026-06-01', \
             announce_at = '2026-06-01T15:00:00', announce_zone = 'Europe/Paris', due_at = NULL \
             WHERE id = '{}'",
            coordinator.id, case.id
        ),
    )
    .await;
    let store = Store::connect(&url, OpenMode::MustExist).await.unwrap();
    let due: Timestamp = "2026-06-01T13:00:00Z".parse().unwrap();
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let stored: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT due_at FROM cases WHERE id = '{}'",
        case.id
    )))
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    assert_eq!(stored, due.as_microsecond());
    store.close().await;
}
