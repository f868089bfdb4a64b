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
