//! Group commit: reports filed at the same moment are committed together, each answered
//! once its batch is durable; a refused report in a batch is undone alone.

use embargo_app::{DashboardFilter, Principal, jobs};
use embargo_core::ProjectSlug;
use embargo_testkit::{TestApp, intake, report};

#[tokio::test]
async fn reports_filed_together_are_all_kept_and_a_refused_one_alone_is_undone() {
    let t = TestApp::new().await;
    let before = t.store.verify_audit().await.unwrap().entries;
    let mut filings = Vec::new();
    for n in 0..40 {
        let mut content = report(&format!("r{n}@example.net"));
        content.title = format!("Report {n}");
        if n % 8 == 3 {
            // Well formed, but no such project: refused when written.
            content.project = ProjectSlug::parse("nowhere").unwrap();
        }
        let app = t.app.clone();
        let now = t.now();
        filings.push(tokio::spawn(async move {
            app.submit_report(intake(content), now).await
        }));
    }
    let mut filed = Vec::new();
    let mut refused = 0;
    for f in filings {
        match f.await.unwrap() {
            Ok(s) => filed.push(s.case_id),
            Err(e) => {
                assert!(e.to_string().contains("project"), "{e}");
                refused += 1;
            }
        }
    }
    assert_eq!((filed.len(), refused), (35, 5));
    // Every answered report is there, with its own reference, and the audit chain holds
    // one entry per report in the order they were written.
    let mut references = Vec::new();
    for id in &filed {
        t.store.case(*id).await.unwrap();
        references.push(t.store.case_reference(*id).await.unwrap());
    }
    references.sort();
    references.dedup();
    assert_eq!(references.len(), 35);
    let audit = t.store.verify_audit().await.unwrap();
    assert!(audit.is_intact(), "{audit:?}");
    assert_eq!(audit.entries, before + 35, "{audit:?}");
    let mut received = 0;
    for id in &filed {
        let entries = t.store.audit_of_case(*id).await.unwrap();
        received += entries
            .iter()
            .filter(|e| e.action == "report_received")
            .count();
    }
    assert_eq!(received, 35);
}

/// A batch with nothing refused is written in a few statements: every report gets the next
/// reference of the year with no gap, its audit entry in the chain, and its two jobs (the
/// team's notice and the acknowledgement clock).
#[tokio::test]
async fn a_batch_of_good_reports_is_numbered_chained_and_queued_like_reports_filed_alone() {
    let t = TestApp::new().await;
    let alone = t
        .app
        .submit_report(intake(report("first@example.net")), t.now())
        .await
        .unwrap();
    let mut filings = Vec::new();
    for n in 0..40 {
        let app = t.app.clone();
        let now = t.now();
        let content = report(&format!("r{n}@example.net"));
        filings.push(tokio::spawn(async move {
            app.submit_report(intake(content), now).await
        }));
    }
    let mut filed = vec![alone.case_id];
    for f in filings {
        filed.push(f.await.unwrap().unwrap().case_id);
    }
    let mut numbers = Vec::new();
    for id in &filed {
        let reference = t.store.case_reference(*id).await.unwrap();
        numbers.push(
            reference
                .rsplit('-')
                .next()
                .unwrap()
                .parse::<u32>()
                .unwrap(),
        );
        let kinds: Vec<String> = t
            .store
            .jobs(Some(*id))
            .await
            .unwrap()
            .into_iter()
            .map(|j| j.kind)
            .collect();
        assert_eq!(
            kinds,
            [jobs::NOTIFY_TEAM_NEW_REPORT, jobs::ACKNOWLEDGEMENT_REMINDER],
            "{kinds:?}"
        );
        t.store.case(*id).await.unwrap();
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=41).collect::<Vec<u32>>());
    let audit = t.store.verify_audit().await.unwrap();
    assert!(audit.is_intact(), "{audit:?}");
    for id in &filed {
        let entries = t.store.audit_of_case(*id).await.unwrap();
        assert_eq!(entries.len(), 1, "{entries:?}");
        assert_eq!(entries[0].action, "report_received");
    }
    // The desk's counts by state, kept by a trigger as each batch's cases are inserted
    // (on PostgreSQL once per statement), hold every one of them.
    let coord = Principal::User(t.people.coordinator);
    let page = t
        .app
        .dashboard(coord, &DashboardFilter::default(), None, 50, t.now())
        .await
        .unwrap();
    assert_eq!(
        page.counts.iter().map(|(_, n)| n).sum::<i64>(),
        41,
        "{:?}",
        page.counts
    );
}

/// Links and reply tokens begin with the millisecond they were made (so their keys are
/// appended to their indexes); those of cases filed before keep working.
#[tokio::test]
async fn portal_links_and_reply_tokens_open_their_case_whether_made_now_or_before() {
    use embargo_app::Principal;
    use embargo_core::{Case, CaseId, Channel, Private};
    use sha2::{Digest, Sha256};

    let t = TestApp::new().await;
    let filed = t.submit().await;
    let millis = format!("{:08x}", t.now().as_millisecond().rem_euclid(1 << 32));
    assert_eq!(filed.portal_token.len(), 72);
    assert!(filed.portal_token.starts_with(&millis));
    assert_eq!(filed.reply_token.len(), 32);
    assert!(filed.reply_token.starts_with(&millis));
    let opened = t.app.reporter_principal(&filed.portal_token).await.unwrap();
    assert!(matches!(opened, Principal::Reporter(id) if id == filed.case_id));
    let by_reply = t
        .store
        .case_by_reply_token(&filed.reply_token)
        .await
        .unwrap();
    assert_eq!(by_reply, filed.case_id);
    // The secret part alone, or the time alone, opens nothing.
    assert!(
        t.app
            .reporter_principal(&filed.portal_token[8..])
            .await
            .is_err()
    );
    assert!(
        t.store
            .case_by_reply_token(&filed.reply_token[..24])
            .await
            .is_err()
    );

    // A case filed before: a 64-digit link stored by its SHA-256, a 24-digit reply token.
    let old_link = "5f".repeat(32);
    let old_reply = "0a1b2c3d4e5f60718293a4b5";
    let case = Case::received(
        CaseId::from_random_bytes([9; 16]),
        ProjectSlug::parse(embargo_testkit::PROJECT).unwrap(),
        t.now(),
        None,
        &t.policy,
    );
    let mut tx = t.store.begin().await.unwrap();
    tx.insert_case(&case).await.unwrap();
    tx.insert_report(&embargo_store::NewReport {
        case_id: case.id,
        channel: Channel::Email,
        content: Private::new(report("old@example.net")),
        portal_token_hash: hex::encode(Sha256::digest(&old_link)),
        reply_token: old_reply.into(),
        external_ref: None,
        received_at: t.now(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let opened = t.app.reporter_principal(&old_link).await.unwrap();
    assert!(matches!(opened, Principal::Reporter(id) if id == case.id));
    assert_eq!(
        t.store.case_by_reply_token(old_reply).await.unwrap(),
        case.id
    );
}

/// SQLite: the write-ahead log is copied into the database behind the intake writer, soon
/// after a batch is durable, rather than by the writer itself once the log is long (inside
/// a commit, while every waiting report waited). A copy of the database file alone, as a
/// careless file backup would take it, holds the reports filed a moment ago.
#[tokio::test]
async fn the_log_is_copied_into_the_database_behind_the_writer() {
    let t = TestApp::new().await;
    if t.store.backend() != embargo_store::Backend::Sqlite {
        return; // PostgreSQL has no such log to copy.
    }
    let mut filings = Vec::new();
    for n in 0..30 {
        let app = t.app.clone();
        let now = t.now();
        let content = report(&format!("r{n}@example.net"));
        filings.push(tokio::spawn(async move {
            app.submit_report(intake(content), now).await
        }));
    }
    for f in filings {
        f.await.unwrap().unwrap();
    }
    let copy = t.dir.path().join("copy.db");
    let mut in_file_alone = 0;
    for _ in 0..50 {
        std::fs::copy(&t.db_path, &copy).unwrap();
        let url = format!("sqlite://{}", copy.display());
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        // A copy taken while the copier writes pages into the file can be torn (SQLite
        // finds it malformed, seen once in CI): that copy does not count, the next is
        // taken. The one that counts 30 was read whole.
        in_file_alone = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM reports")
            .fetch_one(&pool)
            .await
            .unwrap_or(-1);
        pool.close().await;
        for leftover in ["copy.db", "copy.db-wal", "copy.db-shm"] {
            let _ = std::fs::remove_file(t.dir.path().join(leftover));
        }
        if in_file_alone == 30 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(in_file_alone, 30);
}

/// SQLite: under a steady trickle of reports the copier behind the writer never gets to
/// the log's end between two commits. The writer finishes each copy before its next batch,
/// so the log starts over instead of growing with every report (the copy behind it alone
/// never lets it).
#[tokio::test]
async fn a_trickle_of_reports_keeps_the_log_short() {
    let t = TestApp::new().await;
    if t.store.backend() != embargo_store::Backend::Sqlite {
        return; // PostgreSQL has no such log.
    }
    for n in 0..150 {
        let content = report(&format!("r{n}@example.net"));
        t.app.submit_report(intake(content), t.now()).await.unwrap();
    }
    // Pages in the log now; a copy from here changes nothing the writer does after.
    let url = format!("sqlite://{}", t.db_path.display());
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let row = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(&pool)
        .await
        .unwrap();
    let pages: i64 = sqlx::Row::try_get(&row, 1).unwrap();
    pool.close().await;
    // Each lone report writes about 35 pages: 5,300 measured for the 150 with the writer
    // never finishing a copy, about 300 when it does (the reports of the last copy's pause).
    assert!(pages < 2_000, "the log kept {pages} pages");
}

/// SQLite: the reports' full-text index is merged a little by every batch rather than in
/// bursts by FTS5 itself (migration 27), and it keeps up: after a flood the index is a
/// handful of segments, not one per batch, and every report is found by its words.
#[tokio::test]
async fn the_search_index_stays_merged_under_a_flood() {
    let t = TestApp::new().await;
    if t.store.backend() != embargo_store::Backend::Sqlite {
        return; // PostgreSQL's expression index has no segments.
    }
    for wave in 0..40 {
        let mut filings = Vec::new();
        for n in 0..20 {
            let mut content = report(&format!("r{wave}x{n}@example.net"));
            content.title = format!("Flood wave{wave} item{n}");
            let app = t.app.clone();
            let now = t.now();
            filings.push(tokio::spawn(async move {
                app.submit_report(intake(content), now).await
            }));
        }
        for f in filings {
            f.await.unwrap().unwrap();
        }
    }
    let url = format!("sqlite://{}", t.db_path.display());
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let segments: i64 = sqlx::query_scalar("SELECT count(DISTINCT segid) FROM reports_search_idx")
        .fetch_one(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO reports_search (reports_search) VALUES ('integrity-check')")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    // Measured: 5 segments; 11 with the batches not merging (FTS5's crisis merge alone).
    assert!(segments <= 8, "the index holds {segments} segments");
    let coord = Principal::User(t.people.coordinator);
    for (words, n) in [
        ("wave0 item0", 1),
        ("wave39 item19", 1),
        ("wave17", 20),
        ("item3", 40),
    ] {
        let found = super::dashboard::found(&t.app, coord, words, t.now()).await;
        assert_eq!(found, n, "{words}");
    }
}
