//! CVE Services, as a CNA uses it through embargo, against a local fake built from the
//! service's published OpenAPI description (every request is checked against it).

use embargo_app::{AppError, Principal, RecordOutcome};
use embargo_core::{CaseState, CveId, CveState};
use embargo_cve_services::{CveServices, Settings};
use embargo_testkit::cve_services::FakeCveServices;
use embargo_testkit::{TestApp, cases, days};
use serde_json::Value;

use super::{setup, to, worker_on};

const ORG: &str = "example";
const USER: &str = "bot@example.org";
const KEY: &str = "key-0123456789";

fn connected(t: &TestApp, fake: &FakeCveServices) -> embargo_app::App {
    t.app.clone().with_cve_services(CveServices::new(Settings {
        url: fake.url(),
        short_name: ORG.into(),
        user: USER.into(),
        api_key: KEY.into(),
    }))
}

/// The requests the fake received for `method` and `path`.
fn calls(fake: &FakeCveServices, method: &str, path: &str) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r["method"] == method && r["path"] == path)
        .count()
}

/// A scheduled case holding the pool's next id, with an approved advisory naming it.
async fn scheduled_with_pool_id(
    t: &TestApp,
    app: &embargo_app::App,
) -> (embargo_core::CaseId, CveId) {
    let id = t.scheduled_case(7).await;
    let coord = Principal::User(t.people.coordinator);
    let cve = app.take_cve(coord, id, t.now()).await.unwrap();
    let mut advisory = cases::advisory();
    advisory.cve = Some(cve.clone());
    t.approve_advisory(id, advisory).await;
    (id, cve)
}

fn sync_clock(t: &TestApp, fake: &FakeCveServices) {
    fake.set_now(&t.now().to_string());
}

#[tokio::test]
async fn a_cna_reserves_ids_and_each_record_goes_public_with_its_advisory() {
    let (t, sink, _) = setup().await;
    let fake = FakeCveServices::start(ORG, USER, KEY);
    sync_clock(&t, &fake);
    let app = connected(&t, &fake);
    let worker = worker_on(app.clone(), &sink, &t);
    let admin = Principal::User(t.people.admin);

    // Only administrators reserve; the quota is shown before and after.
    let coordinator = Principal::User(t.people.coordinator);
    assert!(matches!(
        app.reserve_cve_ids(coordinator, 1, None, true, t.now())
            .await,
        Err(AppError::Forbidden(_))
    ));
    let r = app
        .reserve_cve_ids(admin, 2, None, true, t.now())
        .await
        .unwrap();
    assert_eq!(r.ids.len(), 2);
    assert_eq!(r.available_after, Some(r.available_before - 2));
    assert_eq!(r.ids[0].year(), 2026, "this year by default");
    let pool = app.cve_pool(admin).await.unwrap();
    assert_eq!(pool.len(), 2);
    assert!(
        pool.iter()
            .all(|c| c.state == CveState::Reserved && c.case_id.is_none())
    );

    let (case, cve) = scheduled_with_pool_id(&t, &app).await;
    assert_eq!(cve, r.ids[0]);
    // The preview shows exactly what will be sent, and that it passes the schema.
    let preview = app.preview(coordinator, case, t.now()).await.unwrap();
    let record = preview
        .cve_record
        .expect("a pool id is previewed for CVE Services");
    assert_eq!(record.cve, cve);
    assert!(record.problems.is_empty(), "{:?}", record.problems);
    assert!(record.sent.is_none());

    // Nothing reaches CVE Services before the announcement time.
    t.clock.advance(days(6));
    sync_clock(&t, &fake);
    worker.run_until_idle().await.unwrap();
    let cna_path = format!("/api/cve/{cve}/cna");
    assert_eq!(calls(&fake, "POST", &cna_path), 0);
    assert!(fake.record(cve.as_ref()).is_none());

    // At the announcement time: the advisory and its record, with datePublic then.
    t.clock.advance(days(1));
    sync_clock(&t, &fake);
    worker.run_until_idle().await.unwrap();
    assert_eq!(
        t.store.case(case).await.unwrap().state,
        CaseState::Published
    );
    let publication = t.store.publication_of_case(case).await.unwrap().unwrap();
    let published = fake.record(cve.as_ref()).expect("the record is public");
    assert_eq!(published["cveMetadata"]["state"], "PUBLISHED");
    let date_public: jiff::Timestamp = published["containers"]["cna"]["datePublic"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(date_public, publication.published);
    assert_eq!(
        published["containers"]["cna"]["title"],
        Value::from(cases::advisory().title)
    );
    let pooled = t.store.case_cve(case).await.unwrap().unwrap();
    assert_eq!(
        (pooled.state, pooled.record_revision),
        (CveState::Published, Some(1))
    );
    assert_eq!(calls(&fake, "POST", &cna_path), 1);

    // A revision: the preview shows the difference, publishing it updates the record.
    let mut revised = cases::advisory();
    revised.cve = Some(cve.clone());
    revised.title = "Token leak in the build bot's debug logs".into();
    t.approve_advisory(case, revised).await;
    let preview = app.preview(coordinator, case, t.now()).await.unwrap();
    let sent = preview
        .cve_record
        .unwrap()
        .sent
        .expect("the published container");
    assert!(sent.contains("Token leak in the build bot\""), "{sent}");
    app.publish_revision(coordinator, case, t.now())
        .await
        .unwrap();
    worker.run_until_idle().await.unwrap();
    let updated = fake.record(cve.as_ref()).unwrap();
    assert_eq!(
        updated["containers"]["cna"]["title"],
        "Token leak in the build bot's debug logs"
    );
    assert_eq!(calls(&fake, "PUT", &cna_path), 1);
    assert_eq!(calls(&fake, "POST", &cna_path), 1, "published once");
    let pooled = t.store.case_cve(case).await.unwrap().unwrap();
    assert_eq!(pooled.record_revision, Some(2));
    // Running the job again sends nothing.
    assert_eq!(
        app.publish_cve_record(case, t.now()).await.unwrap(),
        RecordOutcome::Current
    );
    let actions: Vec<String> = t
        .store
        .audit_of_case(case)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"cve_record_published".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"cve_record_updated".to_string()),
        "{actions:?}"
    );
    fake.assert_no_violations();
    drop(sink);
}

#[tokio::test]
async fn the_id_of_a_withdrawn_case_is_rejected_or_released_by_its_coordinator() {
    let (t, sink, _) = setup().await;
    let fake = FakeCveServices::start(ORG, USER, KEY);
    sync_clock(&t, &fake);
    let app = connected(&t, &fake);
    let worker = worker_on(app.clone(), &sink, &t);
    let admin = Principal::User(t.people.admin);
    let coord = Principal::User(t.people.coordinator);
    let dev = Principal::User(t.people.developer);
    app.reserve_cve_ids(admin, 2, None, true, t.now())
        .await
        .unwrap();

    let rejected = t.accepted_case().await;
    let cve = app.take_cve(coord, rejected, t.now()).await.unwrap();
    // Not before the case is closed.
    let early = app
        .confirm_cve_rejection(coord, rejected, "Withdrawn.", t.now())
        .await;
    assert!(
        matches!(
            early,
            Err(AppError::Rule {
                code: "case_not_closed",
                ..
            })
        ),
        "{early:?}"
    );
    app.withdraw(coord, rejected, "The reporter withdrew it.", t.now())
        .await
        .unwrap();
    // Only its Coordinator; a reason is required.
    assert!(matches!(
        app.confirm_cve_rejection(dev, rejected, "Withdrawn.", t.now())
            .await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.confirm_cve_rejection(coord, rejected, "  ", t.now())
            .await,
        Err(AppError::Invalid(_))
    ));
    app.confirm_cve_rejection(
        coord,
        rejected,
        "This CVE ID has been rejected or withdrawn by its CVE Numbering Authority.",
        t.now(),
    )
    .await
    .unwrap();
    worker.run_until_idle().await.unwrap();
    let record = fake.record(cve.as_ref()).expect("a rejected record");
    assert_eq!(record["cveMetadata"]["state"], "REJECTED");
    assert_eq!(
        t.store.case_cve(rejected).await.unwrap().unwrap().state,
        CveState::Rejected
    );
    // A rejected id is not released, nor rejected twice.
    assert!(app.release_cve_id(coord, rejected, t.now()).await.is_err());

    let released = t.accepted_case().await;
    let second = app.take_cve(coord, released, t.now()).await.unwrap();
    app.withdraw(coord, released, "Duplicate of another report.", t.now())
        .await
        .unwrap();
    assert_eq!(
        app.release_cve_id(coord, released, t.now()).await.unwrap(),
        second
    );
    let editor = app.advisory_editor(coord, released).await.unwrap();
    assert_eq!(editor.advisory.cve, None, "the id left the draft");
    let pool = app.cve_pool(admin).await.unwrap();
    let free = pool.iter().find(|c| c.cve == second).unwrap();
    assert_eq!((free.case_id, free.state), (None, CveState::Reserved));
    assert!(fake.record(second.as_ref()).is_none(), "nothing was sent");
    // The next case gets it.
    let next = t.accepted_case().await;
    assert_eq!(app.take_cve(coord, next, t.now()).await.unwrap(), second);
    fake.assert_no_violations();
}

#[tokio::test]
async fn an_outage_at_the_announcement_time_delays_the_record_not_the_advisory() {
    let (t, sink, _) = setup().await;
    let fake = FakeCveServices::start(ORG, USER, KEY);
    sync_clock(&t, &fake);
    let app = connected(&t, &fake);
    let worker = worker_on(app.clone(), &sink, &t);
    app.reserve_cve_ids(Principal::User(t.people.admin), 1, None, true, t.now())
        .await
        .unwrap();
    let (case, cve) = scheduled_with_pool_id(&t, &app).await;
    fake.set_down(Some(503));
    t.clock.advance(days(7));
    sync_clock(&t, &fake);
    worker.run_until_idle().await.unwrap();
    assert_eq!(
        t.store.case(case).await.unwrap().state,
        CaseState::Published
    );
    let pooled = t.store.case_cve(case).await.unwrap().unwrap();
    assert_eq!(pooled.state, CveState::Reserved);
    let error = pooled.last_error.expect("the failure is on the case");
    assert!(
        error.contains("CVE Services is unavailable") && error.contains("503"),
        "{error}"
    );
    assert!(!error.contains(KEY));
    // Retried with backoff; on the third failure the team hears of it, once.
    for _ in 0..3 {
        t.clock.advance(jiff::SignedDuration::from_mins(30));
        sync_clock(&t, &fake);
        worker.run_until_idle().await.unwrap();
    }
    let alerts: Vec<_> = to(&sink, "team@example.org")
        .into_iter()
        .filter(|m| m.data.contains("CVE record is not published"))
        .collect();
    assert_eq!(alerts.len(), 1, "one alert after three failures");
    // The service is back: the next attempt publishes, and the error is gone.
    fake.set_down(None);
    assert!(fake.record(cve.as_ref()).is_none());
    t.clock.advance(days(1));
    sync_clock(&t, &fake);
    worker.run_until_idle().await.unwrap();
    assert_eq!(
        fake.record(cve.as_ref()).unwrap()["cveMetadata"]["state"],
        "PUBLISHED"
    );
    let pooled = t.store.case_cve(case).await.unwrap().unwrap();
    assert_eq!(
        (pooled.state, pooled.last_error),
        (CveState::Published, None)
    );
    fake.assert_no_violations();
}

#[tokio::test]
async fn a_record_created_by_an_interrupted_attempt_is_not_published_twice() {
    let (t, _sink, _) = setup().await;
    let fake = FakeCveServices::start(ORG, USER, KEY);
    sync_clock(&t, &fake);
    let app = connected(&t, &fake);
    app.reserve_cve_ids(Principal::User(t.people.admin), 1, None, true, t.now())
        .await
        .unwrap();
    let (case, cve) = scheduled_with_pool_id(&t, &app).await;
    t.clock.advance(days(7));
    sync_clock(&t, &fake);
    // Published by a worker without CVE Services' answer: the record went out, the
    // installation never learnt it (a crash after the call).
    assert_eq!(
        app.publish_if_due(
            case,
            t.store
                .case(case)
                .await
                .unwrap()
                .dates
                .unwrap()
                .announcement_instant(),
            t.now()
        )
        .await
        .unwrap(),
        embargo_app::ScheduledPublication::Published
    );
    let publication = t.store.publication_of_case(case).await.unwrap().unwrap();
    app.cve_services()
        .unwrap()
        .publish(&cve, app.cve_container(&publication))
        .await
        .unwrap();
    // The job runs (again): it reads the record back and sends nothing more.
    assert_eq!(
        app.publish_cve_record(case, t.now()).await.unwrap(),
        RecordOutcome::Published(cve.clone())
    );
    let cna_path = format!("/api/cve/{cve}/cna");
    assert_eq!(calls(&fake, "POST", &cna_path), 1);
    assert_eq!(calls(&fake, "PUT", &cna_path), 0);
    fake.assert_no_violations();
}

#[tokio::test]
async fn quota_and_credentials_problems_are_sentences_that_change_nothing() {
    let t = TestApp::new().await;
    let fake = FakeCveServices::start(ORG, USER, KEY);
    let app = connected(&t, &fake);
    let admin = Principal::User(t.people.admin);
    fake.set_quota(1);
    let e = app
        .reserve_cve_ids(admin, 2, None, true, t.now())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("may reserve 1 more id"), "{e}");
    assert!(app.cve_pool(admin).await.unwrap().is_empty());
    // Too many for one request, or scattered beyond the service's limit.
    assert!(matches!(
        app.reserve_cve_ids(admin, 11, None, false, t.now()).await,
        Err(AppError::Invalid(_))
    ));
    // Wrong key: refused, the key is not in the sentence.
    let wrong = t.app.clone().with_cve_services(CveServices::new(Settings {
        url: fake.url(),
        short_name: ORG.into(),
        user: USER.into(),
        api_key: "not-the-key".into(),
    }));
    let e = wrong
        .reserve_cve_ids(admin, 1, None, true, t.now())
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(text.contains("did not accept the credentials"), "{text}");
    assert!(!text.contains("not-the-key"));
    assert!(app.cve_pool(admin).await.unwrap().is_empty());
    // The account as `embargo cve check` shows it.
    let account = app.cve_account(admin).await.unwrap();
    assert_eq!(account.short_name, ORG);
    assert!(account.org_roles.iter().any(|r| r == "CNA"));
    assert_eq!(account.quota.available, 1);
    // Ids reserved elsewhere are taken in by a synchronization, with their state.
    fake.set_page_size(2);
    fake.reserve_elsewhere(
        &["CVE-2026-5550", "CVE-2026-5551", "CVE-2026-5552"],
        "RESERVED",
    );
    fake.reserve_elsewhere(&["CVE-2025-7777"], "PUBLISHED");
    let s = app.sync_cve_pool(admin, t.now()).await.unwrap();
    assert_eq!((s.listed, s.added), (4, 4));
    assert_eq!(
        app.free_cve_ids().await.unwrap(),
        3,
        "a published id is not handed out"
    );
    let again = app.sync_cve_pool(admin, t.now()).await.unwrap();
    assert_eq!((again.added, again.changed), (0, 0));
    fake.assert_no_violations();
}
