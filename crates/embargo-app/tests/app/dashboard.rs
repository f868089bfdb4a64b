//! The dashboard's pages and counts on both backends: cases with a due date first (most
//! urgent first), then those without one, each once across pages; the counts match the
//! cases the viewer may see, including a case a Coordinator reported and develops.

use embargo_app::{DashboardFilter, DashboardView, Principal};
use embargo_core::CaseId;
use embargo_testkit::{TestApp, days};

async fn all_pages(t: &TestApp, who: Principal, limit: u32) -> Vec<CaseId> {
    let filter = DashboardFilter {
        view: DashboardView::All,
        ..DashboardFilter::default()
    };
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = t
            .app
            .dashboard(who, &filter, after.as_deref(), limit, t.now())
            .await
            .unwrap();
        assert!(page.rows.len() <= limit as usize);
        seen.extend(page.rows.iter().map(|r| r.case.id));
        match page.next {
            Some(next) => after = Some(next),
            None => return seen,
        }
    }
}

#[tokio::test]
async fn pages_cross_from_due_cases_to_closed_ones_and_counts_match_what_is_seen() {
    let t = TestApp::new().await;
    let coord = Principal::User(t.people.coordinator);
    let other = Principal::User(t.people.coordinator2);
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(t.submit().await.case_id);
        t.clock.advance(days(1));
    }
    let mut closed = Vec::new();
    for _ in 0..3 {
        let id = t.submit().await.case_id;
        t.app.mark_spam(coord, id, t.now()).await.unwrap();
        closed.push(id);
    }
    // Reported by the Coordinator: hidden from them as team...
    let reported = t.submit().await.case_id;
    // ...unless they develop it too.
    let developed = t.submit().await.case_id;
    t.app
        .acknowledge(other, developed, "Thanks.", t.now())
        .await
        .unwrap();
    t.app.start_triage(other, developed, t.now()).await.unwrap();
    t.app.accept(other, developed, t.now()).await.unwrap();
    for dev in [t.people.coordinator, t.people.developer] {
        t.app
            .add_developer(other, developed, dev, t.now())
            .await
            .unwrap();
    }
    for id in [reported, developed] {
        let mut tx = t.store.begin().await.unwrap();
        let mut case = tx.case(id).await.unwrap();
        case.reporter_user = Some(t.people.coordinator);
        case.version += 1;
        tx.update_case(&case).await.unwrap();
        tx.commit().await.unwrap();
    }

    for limit in [1, 2, 5, 50] {
        let seen = all_pages(&t, coord, limit).await;
        let mut expected = open.clone();
        expected.push(developed);
        let mut done = closed.clone();
        done.sort_by_key(ToString::to_string);
        expected.extend(done);
        assert_eq!(seen, expected, "pages of {limit}");
    }
    let page = t
        .app
        .dashboard(coord, &DashboardFilter::default(), None, 50, t.now())
        .await
        .unwrap();
    let counted: i64 = page.counts.iter().map(|(_, n)| n).sum::<i64>() + page.done;
    assert_eq!(counted, 7, "{:?} + {}", page.counts, page.done);
    assert_eq!(page.done, 3);

    // The other Coordinator sees all eight (they reported none).
    assert_eq!(all_pages(&t, other, 3).await.len(), 8);
    let page = t
        .app
        .dashboard(other, &DashboardFilter::default(), None, 50, t.now())
        .await
        .unwrap();
    assert_eq!(
        page.counts.iter().map(|(_, n)| n).sum::<i64>() + page.done,
        8
    );

    // A Developer sees the one case they develop, and counts it alone.
    let dev = Principal::User(t.people.developer);
    assert_eq!(all_pages(&t, dev, 2).await, vec![developed]);
    let page = t
        .app
        .dashboard(dev, &DashboardFilter::default(), None, 50, t.now())
        .await
        .unwrap();
    assert_eq!(
        page.counts.iter().map(|(_, n)| n).sum::<i64>() + page.done,
        1
    );
}

pub(crate) async fn found(
    app: &embargo_app::App,
    who: Principal,
    text: &str,
    now: jiff::Timestamp,
) -> usize {
    let filter = DashboardFilter {
        text: Some(text.into()),
        view: DashboardView::All,
        ..DashboardFilter::default()
    };
    app.dashboard(who, &filter, None, 50, now)
        .await
        .unwrap()
        .rows
        .len()
}

#[tokio::test]
async fn words_are_found_by_their_start_in_titles_and_reporters_also_after_a_restore() {
    let t = TestApp::new().await;
    let coord = Principal::User(t.people.coordinator);
    let mut receipts = Vec::new();
    for (title, from) in [
        (
            "Shell injection in the needle parser",
            "quentin@elsewhere.example",
        ),
        ("Token leak in the build bot", "rita@elsewhere.example"),
        ("Crash on empty input", "sam@other.example"),
    ] {
        let mut content = embargo_testkit::report(from);
        content.title = title.into();
        let filed = t
            .app
            .submit_report(embargo_testkit::intake(content), t.now())
            .await
            .unwrap();
        receipts.push(filed.case_id.receipt());
    }
    // A receipt as the reporter quotes it finds its case; its first digits are no word.
    let receipt = receipts[1].clone();
    let expect = [
        ("needle pars", 1),
        ("INJECT", 1),
        ("elsewhere", 2),
        ("quentin@elsewhere.example", 1),
        ("bot token", 1),
        ("zzz", 0),
        ("%", 0),
        (receipt.as_str(), 1),
        (&receipt[1..], 1),
        (&receipt[1..6], 0),
    ];
    let search_finds = async |app: &embargo_app::App, copy: &str| {
        for (text, n) in expect {
            assert_eq!(found(app, coord, text, t.now()).await, n, "{copy}{text:?}");
        }
    };
    search_finds(&t.app, "").await;

    // A restored copy searches the same (its index is rebuilt from the reports).
    let mut backup = Vec::new();
    t.store.backup(&mut backup, t.now()).await.unwrap();
    let copy = format!("sqlite://{}", t.dir.path().join("copy.db").display());
    let store = embargo_store::Store::connect(&copy, embargo_store::OpenMode::CreateOrMigrate)
        .await
        .unwrap();
    store.restore(backup.as_slice()).await.unwrap();
    let app = embargo_app::App::new(store, t.policy, std::sync::Arc::new(embargo_app::OsRandom));
    search_finds(&app, "restored: ").await;
    // So does the index made again from the reports and their cases' receipts (as
    // migration 26 made it on an installation with cases).
    let pool = sqlx::AnyPool::connect(&copy).await.unwrap();
    for command in ["rebuild", "integrity-check"] {
        sqlx::query("INSERT INTO reports_search (reports_search) VALUES ($1)")
            .bind(command)
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;
    search_finds(&app, "rebuilt: ").await;
    // The counts by state, kept by triggers, are made again as the cases are restored.
    let counted = async |app: &embargo_app::App| {
        let page = app
            .dashboard(coord, &DashboardFilter::default(), None, 50, t.now())
            .await
            .unwrap();
        page.counts
    };
    let restored = counted(&app).await;
    assert_eq!(restored, counted(&t.app).await);
    assert_eq!(
        restored.iter().map(|(_, n)| n).sum::<i64>(),
        3,
        "{restored:?}"
    );
}

/// The overdue filter's counts (kept by state, less what is not due yet) agree with the
/// overdue cases listed, for a Coordinator who reported one of them and one who did not,
/// as time passes, and with the project filter.
#[tokio::test]
async fn overdue_counts_match_the_overdue_cases_listed() {
    let t = TestApp::new().await;
    let coord = Principal::User(t.people.coordinator);
    let other = Principal::User(t.people.coordinator2);
    for _ in 0..3 {
        t.submit().await;
    }
    let reported = t.submit().await.case_id;
    let mut tx = t.store.begin().await.unwrap();
    let mut case = tx.case(reported).await.unwrap();
    case.reporter_user = Some(t.people.coordinator);
    case.version += 1;
    tx.update_case(&case).await.unwrap();
    tx.commit().await.unwrap();
    // Past the week for acknowledgement of these four; two more, not due yet, and one
    // accepted (due at the disclosure deadline).
    t.clock.advance(days(8));
    for _ in 0..2 {
        t.submit().await;
    }
    let accepted = t.submit().await.case_id;
    t.app
        .acknowledge(other, accepted, "Thanks.", t.now())
        .await
        .unwrap();
    t.app.start_triage(other, accepted, t.now()).await.unwrap();
    t.app.accept(other, accepted, t.now()).await.unwrap();

    let overdue = |project: Option<&str>| DashboardFilter {
        overdue: true,
        project: project.map(|p| embargo_core::ProjectSlug::parse(p).unwrap()),
        ..DashboardFilter::default()
    };
    let check = async |who: Principal, project: Option<&str>, expected: usize| {
        let page = t
            .app
            .dashboard(who, &overdue(project), None, 50, t.now())
            .await
            .unwrap();
        assert_eq!(page.rows.len(), expected, "{project:?}");
        assert!(page.rows.iter().all(|r| r.overdue));
        let counted: i64 = page.counts.iter().map(|(_, n)| n).sum::<i64>() + page.done;
        assert_eq!(counted, expected as i64, "{:?} {project:?}", page.counts);
    };
    check(coord, None, 3).await;
    check(other, None, 4).await;
    check(coord, Some(embargo_testkit::PROJECT), 3).await;
    check(other, Some("another-project"), 0).await;
    // Past the 90 days: every open case is overdue.
    t.clock.advance(days(91));
    check(coord, None, 6).await;
    check(other, None, 7).await;
}
