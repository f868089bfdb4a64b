//! Disclosure metrics against a hand-counted fixture: six reports over one week of March,
//! each taken to a different end, measured 100 days after the first.

use embargo_app::{Metrics, Principal};
use embargo_core::{CaseId, RejectReason};
use embargo_testkit::{TestApp, days};
use jiff::SignedDuration;

/// The fixture (t0 = Monday 2026-03-02 09:00 UTC; the policy's 7 and 90 days):
/// - A, t0: acknowledged at +2d, accepted at +3d, disclosed at its deadline (+90d);
/// - B, +1d: acknowledged late at +10d and rejected then;
/// - C, +2d: marked as spam at +3d, never acknowledged;
/// - D, +4d: never acknowledged;
/// - F, +5d: acknowledged and accepted at once, scheduled with its fix released on
///   2026-03-27 (New York), never published;
/// - E, +6d: acknowledged at +7d, accepted at +8d, still being fixed.
async fn fixture(t: &TestApp) -> (CaseId, CaseId, CaseId, CaseId, CaseId, CaseId) {
    let coord = Principal::User(t.people.coordinator);
    let t0 = t.now();
    let at = |d: i64| t0 + days(d);
    let a = t.submit().await.case_id;
    t.clock.set(at(1));
    let b = t.submit().await.case_id;
    t.clock.set(at(2));
    let c = t.submit().await.case_id;
    t.app
        .acknowledge(coord, a, "Thanks.", t.now())
        .await
        .unwrap();
    t.clock.set(at(3));
    t.app.start_triage(coord, a, t.now()).await.unwrap();
    t.app.accept(coord, a, t.now()).await.unwrap();
    t.app.mark_spam(coord, c, t.now()).await.unwrap();
    t.clock.set(at(4));
    let d = t.submit().await.case_id;
    t.clock.set(at(5));
    let f = t.scheduled_case(20).await;
    t.clock.set(at(6));
    let e = t.submit().await.case_id;
    t.clock.set(at(7));
    t.app
        .acknowledge(coord, e, "Thanks.", t.now())
        .await
        .unwrap();
    t.clock.set(at(8));
    t.app.start_triage(coord, e, t.now()).await.unwrap();
    t.app.accept(coord, e, t.now()).await.unwrap();
    t.clock.set(at(10));
    t.app
        .acknowledge(coord, b, "Thanks.", t.now())
        .await
        .unwrap();
    t.app.start_triage(coord, b, t.now()).await.unwrap();
    t.app
        .reject(
            coord,
            b,
            RejectReason::NotAVulnerability,
            "Not a vulnerability.",
            t.now(),
        )
        .await
        .unwrap();
    let deadline = t.store.case(a).await.unwrap().deadlines.disclose_by;
    assert_eq!(deadline, at(90));
    t.clock.set(deadline);
    assert!(t.app.disclose_if_due(a, deadline, t.now()).await.unwrap());
    t.clock.set(at(100));
    (a, b, c, d, e, f)
}

async fn march(
    t: &TestApp,
    who: Principal,
    project: Option<&str>,
) -> Result<Metrics, embargo_app::AppError> {
    t.app
        .metrics(
            who,
            "2026-03-01".parse().unwrap(),
            "2026-03-31".parse().unwrap(),
            project.map(|p| embargo_core::ProjectSlug::parse(p).unwrap()),
            t.now(),
        )
        .await
}

#[tokio::test]
async fn the_metrics_match_the_hand_counted_fixture() {
    let t = TestApp::new().await;
    fixture(&t).await;
    let m = march(&t, Principal::User(t.people.coordinator), None)
        .await
        .unwrap();
    assert_eq!(m.received, 6);

    // 7 days: A (2d), E (1d), F (0) kept; B (9d) and D (never) broken; C is spam.
    let ack = &m.promises[0];
    assert_eq!((ack.kept, ack.broken, ack.pending), (3, 2, 0));
    assert_eq!(ack.share(), Some(60));
    // 90 days, accepted cases only: A kept (at its deadline), E and F broken.
    let disclose = &m.promises[1];
    assert_eq!(
        (disclose.kept, disclose.broken, disclose.pending),
        (1, 2, 0)
    );
    assert_eq!(disclose.share(), Some(33));

    let h = SignedDuration::from_hours;
    let stat = |i: usize| {
        let s = &m.durations[i];
        (s.name, s.count, s.median, s.p90)
    };
    // Acknowledged after 0, 1d, 2d, 9d: nearest-rank median 1d, 90th 9d.
    assert_eq!(stat(0), ("to acknowledge", 4, Some(h(24)), Some(h(9 * 24))));
    // Verdicts after 0 (F), 1d (C), 2d (E), 3d (A), 9d (B).
    assert_eq!(stat(1), ("to triage", 5, Some(h(48)), Some(h(9 * 24))));
    // F's fix: released 2026-03-27 (00:00 UTC), reported 2026-03-07 09:00.
    assert_eq!(
        stat(2),
        ("to fix", 1, Some(h(19 * 24 + 15)), Some(h(19 * 24 + 15)))
    );
    assert_eq!(
        stat(3),
        ("to publish", 1, Some(h(90 * 24)), Some(h(90 * 24)))
    );

    // Weeks from the Monday before March 1st; everything arrived in the week of March 2nd.
    let mondays: Vec<String> = m.weeks.iter().map(|w| w.monday.to_string()).collect();
    assert_eq!(
        mondays,
        [
            "2026-02-23",
            "2026-03-02",
            "2026-03-09",
            "2026-03-16",
            "2026-03-23",
            "2026-03-30"
        ]
    );
    // open (D, E, F), published (A), rejected (B), spam (C), withdrawn.
    assert_eq!(m.weeks[1].counts, [3, 1, 1, 1, 0]);
    assert!(
        m.weeks
            .iter()
            .enumerate()
            .all(|(i, w)| i == 1 || w.counts == [0; 5])
    );
    // D, E and F are open, all over 90 days old on day 100.
    assert_eq!(m.open_by_age, [0, 0, 0, 0, 3]);

    // Another project has none of them; an empty period says so.
    let other = march(&t, Principal::User(t.people.coordinator), Some("elsewhere"))
        .await
        .unwrap();
    assert_eq!(other.received, 0);
    assert_eq!(other.promises[0].share(), None);
    assert_eq!(other.durations[0].median, None);
}

#[tokio::test]
async fn metrics_are_for_coordinators_and_administrators() {
    let t = TestApp::new().await;
    fixture(&t).await;
    for who in [t.people.coordinator, t.people.admin] {
        assert!(march(&t, Principal::User(who), None).await.is_ok());
    }
    for who in [t.people.developer, t.people.outsider] {
        assert!(matches!(
            march(&t, Principal::User(who), None).await,
            Err(embargo_app::AppError::NotFound)
        ));
    }
    let backwards = t
        .app
        .metrics(
            Principal::User(t.people.coordinator),
            "2026-03-31".parse().unwrap(),
            "2026-03-01".parse().unwrap(),
            None,
            t.now(),
        )
        .await;
    assert!(matches!(backwards, Err(embargo_app::AppError::Invalid(_))));
}
