//! Backups: restored into either backend, refused into a used database.

use super::*;

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

    // A value that does not fit its column is named by its line, wherever it falls in the
    // rows inserted together.
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let table = lines
        .iter()
        .position(|l| l.contains("\"table\":\"audit_log\""))
        .unwrap();
    let row = table + 2; // its second row
    let mut values: Vec<serde_json::Value> = serde_json::from_str(&lines[row]).unwrap();
    values[0] = serde_json::json!({ "x": 1 });
    lines[row] = serde_json::to_string(&values).unwrap();
    let e = target
        .restore(lines.join("\n").as_bytes())
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains(&format!("(line {}):", row + 1)),
        "{e}"
    );
    assert_eq!(target.verify_audit().await.unwrap().entries, 0);

    // The refusals left it empty: the real restore still works.
    target.restore(backup.as_slice()).await.unwrap();
    assert!(target.verify_audit().await.unwrap().is_intact());
}
