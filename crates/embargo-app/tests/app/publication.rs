//! The advisory from draft to publication: who may edit and approve, what a refusal leaves
//! behind (nothing), what is frozen at publication, scheduled publication and the query.

use embargo_app::{
    AppError, OSV_PAGE_SIZE, OsvPackage, OsvQuery, Principal, PublicationFilter,
    ScheduledPublication,
};
use embargo_core::{CaseState, CreditPreference};
use embargo_testkit::cases::advisory;
use embargo_testkit::{TestApp, days};

async fn audit_count(t: &TestApp) -> i64 {
    t.store.verify_audit().await.unwrap().entries
}

#[tokio::test]
async fn the_team_drafts_the_coordinator_approves_and_edits_need_a_new_approval() {
    let t = TestApp::new().await;
    let p = t.people;
    let (coord, dev) = (Principal::User(p.coordinator), Principal::User(p.developer));
    let id = t.scheduled_case(14).await;

    // Outsiders do not see the advisory at all: same answer as a missing case.
    let outsider = Principal::User(p.outsider);
    assert!(matches!(
        t.app.advisory_editor(outsider, id).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        t.app
            .save_advisory(outsider, id, 0, advisory(), t.now())
            .await,
        Err(AppError::NotFound)
    ));

    // A Developer co-drafts; a value no export could carry is refused, naming the field.
    let mut bad = advisory();
    bad.cvss_v3 = Some("CVSS:3.1/AV:N/AC:L".into());
    bad.affected[0].ranges[0].fixed = Some("2.0".into()); // before introduced 3.0
    let before = audit_count(&t).await;
    let e = t
        .app
        .save_advisory(dev, id, 0, bad, t.now())
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(
        matches!(e, AppError::Invalid(ref v) if v.len() == 2),
        "{text}"
    );
    assert!(
        text.contains("CVSS 3.1 vector") && text.contains("affected[0].ranges[0]"),
        "{text}"
    );
    assert_eq!(audit_count(&t).await, before, "a refusal writes nothing");
    assert_eq!(t.app.advisory_editor(dev, id).await.unwrap().revision, 0);

    let r1 = t
        .app
        .save_advisory(dev, id, 0, advisory(), t.now())
        .await
        .unwrap();
    assert_eq!(r1, 1);
    // Two editors at once: the second save is based on an old revision.
    let stale = t
        .app
        .save_advisory(coord, id, 0, advisory(), t.now())
        .await
        .unwrap_err();
    assert!(matches!(stale, AppError::Conflict(_)), "{stale:?}");

    // Only the Coordinator approves.
    let e = t
        .app
        .approve_preview(dev, id, r1, t.now())
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    t.app.approve_preview(coord, id, r1, t.now()).await.unwrap();
    assert!(t.app.advisory_editor(dev, id).await.unwrap().approved);

    // An edit after the approval is new text: the approval no longer holds.
    let mut changed = advisory();
    changed.summary = "A different summary.".into();
    let r2 = t
        .app
        .save_advisory(dev, id, r1, changed, t.now())
        .await
        .unwrap();
    assert!(!t.app.advisory_editor(coord, id).await.unwrap().approved);
    t.clock.advance(days(14));
    let e = t.app.publish(coord, id, t.now()).await.unwrap_err();
    assert_eq!(e.code(), "preview_not_approved");
    assert_eq!(t.store.case(id).await.unwrap().state, CaseState::Scheduled);
    // Approving a preview the approver did not see (an older revision) is refused.
    let e = t
        .app
        .approve_preview(coord, id, r1, t.now())
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
    t.app.approve_preview(coord, id, r2, t.now()).await.unwrap();
    t.app.publish(coord, id, t.now()).await.unwrap();
    let published = t
        .app
        .published(&PublicationFilter::default())
        .await
        .unwrap();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].advisory.summary, "A different summary.");
    // Published: publishing a revision needs an edit and a new approval.
    let e = t
        .app
        .publish_revision(coord, id, t.now())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "nothing_changed");
    let r3 = t
        .app
        .save_advisory(dev, id, r2, advisory(), t.now())
        .await
        .unwrap();
    let e = t
        .app
        .publish_revision(coord, id, t.now())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "preview_not_approved");
    t.app.approve_preview(coord, id, r3, t.now()).await.unwrap();
    let e = t.app.publish_revision(dev, id, t.now()).await.unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    let revised = t.app.publish_revision(coord, id, t.now()).await.unwrap();
    assert_eq!(
        (revised.revision, revised.id.as_str()),
        (2, published[0].id.as_str())
    );
    assert_eq!(revised.published, published[0].published);
}

#[tokio::test]
async fn a_fix_released_after_a_deadline_disclosure_is_a_revision() {
    let t = TestApp::new().await;
    let p = t.people;
    let (coord, dev) = (Principal::User(p.coordinator), Principal::User(p.developer));
    let id = t.accepted_case().await;
    let mut unfixed = advisory();
    for a in &mut unfixed.affected {
        a.ranges[0].fixed = None;
    }
    let r1 = t
        .app
        .save_advisory(dev, id, 0, unfixed, t.now())
        .await
        .unwrap();
    let due = t.store.case(id).await.unwrap().deadlines.disclose_by;
    t.clock.set(due);
    t.app.disclose_if_due(id, due, t.now()).await.unwrap();
    let first = t.store.publication_of_case(id).await.unwrap().unwrap();
    assert!(!first.fix_available && first.timeline.fixed.is_none());
    assert!(first.advisory.affected[0].ranges[0].fixed.is_none());
    let query = |version: &str| OsvQuery {
        package: Some(OsvPackage {
            purl: Some("pkg:pypi/build-bot".into()),
            ..OsvPackage::default()
        }),
        version: Some(version.into()),
        ..OsvQuery::default()
    };
    // Asked before the fix (the query keeps what it read): every version is affected, and
    // the document says nothing is fixed.
    let before = t
        .app
        .osv_query_documents(&query("3.1.2"), OSV_PAGE_SIZE)
        .await
        .unwrap();
    assert_eq!(before.vulns.len(), 1);
    assert!(
        !before.vulns[0].contains("\"fixed\""),
        "{}",
        before.vulns[0]
    );
    // Two weeks later the fix ships: the public advisory says so, under the same id.
    t.clock.advance(days(14));
    let r2 = t
        .app
        .save_advisory(dev, id, r1, advisory(), t.now())
        .await
        .unwrap();
    t.app.approve_preview(coord, id, r2, t.now()).await.unwrap();
    let preview = t.app.preview(coord, id, t.now()).await.unwrap().publication;
    assert_eq!(
        (preview.id.clone(), preview.revision),
        (first.id.clone(), 2)
    );
    t.app.publish_revision(coord, id, t.now()).await.unwrap();
    let now_public = t.app.published_advisory(&first.id).await.unwrap();
    assert!(now_public.fix_available);
    let today = t.now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    assert_eq!(now_public.timeline.fixed, Some(today));
    assert_eq!(
        (now_public.revision, now_public.published),
        (2, first.published)
    );
    assert!(now_public.modified > first.modified);
    // The reporter was told of the disclosure without a fix, then of the fix.
    let messages = t.app.team_view(coord, id).await.unwrap().messages;
    let notices: Vec<_> = messages.iter().filter_map(|m| m.notice.clone()).collect();
    assert_eq!(notices[notices.len() - 2..], ["disclosed", "fix_released"]);
    let released = messages.last().unwrap().body.reveal().clone();
    assert!(
        released.contains("has been released: pkg:pypi/build-bot ")
            && released.contains(&format!("/advisories/{}", first.id)),
        "{released}"
    );
    let hits = t
        .app
        .osv_query_documents(&query("3.1.2"), OSV_PAGE_SIZE)
        .await
        .unwrap()
        .vulns;
    assert!(
        hits.is_empty(),
        "the fixed version is no longer reported affected"
    );
    // A version still affected: its document is the revised one, not the one kept.
    let hits = t
        .app
        .osv_query_documents(&query("3.1.0"), OSV_PAGE_SIZE)
        .await
        .unwrap()
        .vulns;
    assert_eq!(hits.len(), 1);
    assert!(hits[0].contains("\"fixed\":\"3.1.2\""), "{}", hits[0]);
}

#[tokio::test]
async fn publication_freezes_the_public_text_with_the_reporters_chosen_credit() {
    let t = TestApp::new().await;
    let coord = Principal::User(t.people.coordinator);
    let id = t.scheduled_case(10).await;
    t.app
        .set_credit(
            Principal::Reporter(id),
            id,
            CreditPreference::Handle("@finder".into()),
            t.now(),
        )
        .await
        .unwrap();
    t.approve_advisory(id, advisory()).await;
    let preview = t.app.preview(coord, id, t.now()).await.unwrap();
    assert_eq!(preview.publication.advisory.credits[0].name, "@finder");
    t.clock.advance(days(10));
    t.app.publish(coord, id, t.now()).await.unwrap();
    let p = t.store.publication_of_case(id).await.unwrap().unwrap();
    assert_eq!(p.id, "EMBARGO-2026-0001");
    assert!(p.fix_available);
    assert_eq!(p.timeline.reported.to_string(), "2026-03-02");
    let names: Vec<&str> = p.advisory.credits.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["@finder", "Devi Loper"]);
    // The next one of the year gets the next number.
    let id2 = t.scheduled_case(3).await;
    t.approve_advisory(id2, advisory()).await;
    t.clock.advance(days(3));
    t.app.publish(coord, id2, t.now()).await.unwrap();
    assert_eq!(
        t.store.publication_of_case(id2).await.unwrap().unwrap().id,
        "EMBARGO-2026-0002"
    );
}

/// The approval freezes the reporter's credit the preview showed: a later change of their
/// choice withdraws the approval (and tells the team on the case), and only a new
/// approval of the new credit lets it be published.
#[tokio::test]
async fn a_credit_changed_after_the_approval_needs_a_new_approval() {
    let t = TestApp::new().await;
    let coord = Principal::User(t.people.coordinator);
    let reporter = Principal::Reporter;
    let id = t.scheduled_case(10).await;
    t.approve_advisory(id, advisory()).await;
    let shown = t.app.preview(coord, id, t.now()).await.unwrap();
    assert_eq!(shown.publication.advisory.credits[0].name, "Rita Reporter");
    t.app
        .set_credit(
            reporter(id),
            id,
            CreditPreference::Handle("@changed".into()),
            t.now(),
        )
        .await
        .unwrap();

    // The team is told, on the case, and the change is in the audit log.
    let notices: Vec<_> = t
        .store
        .messages(id, false)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.notice.as_deref() == Some("credit_changed"))
        .collect();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].visibility, embargo_core::Visibility::Internal);
    let audit = t.store.audit_of_case(id).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "set_credit" && e.detail.contains("\"approval_withdrawn\":true")),
        "{audit:?}"
    );

    // Neither the Coordinator nor the scheduler publishes the unapproved credit.
    t.clock.advance(days(10));
    let e = t.app.publish(coord, id, t.now()).await.unwrap_err();
    assert_eq!(e.code(), "preview_not_approved", "{e:?}");
    let at = t
        .store
        .case(id)
        .await
        .unwrap()
        .dates
        .unwrap()
        .announcement_instant();
    let ScheduledPublication::Blocked(why) = t.app.publish_if_due(id, at, t.now()).await.unwrap()
    else {
        panic!("the scheduler published a credit nobody approved")
    };
    assert!(why.contains("approve"), "{why}");
    assert_eq!(t.store.case(id).await.unwrap().state, CaseState::Scheduled);
    // The preview open before the change is not the one approved now.
    let e = t
        .app
        .approve_preview(coord, id, shown.editor.revision, t.now())
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Conflict(_)), "{e:?}");

    // The new preview shows the new credit; approved, it is exactly what is published.
    let again = t.app.preview(coord, id, t.now()).await.unwrap();
    assert_eq!(again.publication.advisory.credits[0].name, "@changed");
    t.app
        .approve_preview(coord, id, again.editor.revision, t.now())
        .await
        .unwrap();
    t.app.publish(coord, id, t.now()).await.unwrap();
    let p = t.store.publication_of_case(id).await.unwrap().unwrap();
    assert_eq!(p.advisory.credits, again.publication.advisory.credits);
    let names: Vec<&str> = p.advisory.credits.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["@changed", "Devi Loper"]);
}

#[tokio::test]
async fn an_unchanged_credit_is_published_as_approved() {
    let t = TestApp::new().await;
    let coord = Principal::User(t.people.coordinator);
    let id = t.scheduled_case(4).await;
    t.app
        .set_credit(
            Principal::Reporter(id),
            id,
            CreditPreference::Handle("@finder".into()),
            t.now(),
        )
        .await
        .unwrap();
    t.approve_advisory(id, advisory()).await;
    let approved = t.app.preview(coord, id, t.now()).await.unwrap();
    // Choosing the same again changes nothing: no new approval needed, nobody told.
    t.app
        .set_credit(
            Principal::Reporter(id),
            id,
            CreditPreference::Handle("@finder".into()),
            t.now(),
        )
        .await
        .unwrap();
    assert!(t.app.advisory_editor(coord, id).await.unwrap().approved);
    let at = t
        .store
        .case(id)
        .await
        .unwrap()
        .dates
        .unwrap()
        .announcement_instant();
    t.clock.set(at);
    assert_eq!(
        t.app.publish_if_due(id, at, t.now()).await.unwrap(),
        ScheduledPublication::Published
    );
    let p = t.store.publication_of_case(id).await.unwrap().unwrap();
    assert_eq!(p.advisory.credits, approved.publication.advisory.credits);
    assert_eq!(p.advisory.credits[0].name, "@finder");
    assert!(
        t.store
            .messages(id, false)
            .await
            .unwrap()
            .iter()
            .all(|m| m.notice.as_deref() != Some("credit_changed"))
    );
}

#[tokio::test]
async fn an_anonymous_reporter_is_not_credited() {
    let t = TestApp::new().await;
    let id = t.scheduled_case(5).await;
    t.app
        .set_credit(
            Principal::Reporter(id),
            id,
            CreditPreference::Anonymous,
            t.now(),
        )
        .await
        .unwrap();
    t.approve_advisory(id, advisory()).await;
    let coord = Principal::User(t.people.coordinator);
    let p = t.app.preview(coord, id, t.now()).await.unwrap().publication;
    assert_eq!(p.advisory.credits.len(), 1, "{:?}", p.advisory.credits);
}

#[tokio::test]
async fn disclosure_at_the_deadline_publishes_even_without_an_advisory() {
    let t = TestApp::new().await;
    let id = t.scheduled_case(20).await;
    let case = t.store.case(id).await.unwrap();
    t.clock.set(case.deadlines.disclose_by);
    assert!(
        t.app
            .disclose_if_due(id, case.deadlines.disclose_by, t.now())
            .await
            .unwrap()
    );
    let p = t.store.publication_of_case(id).await.unwrap().unwrap();
    assert_eq!(p.advisory.title, "Vulnerability in infrastructure");
    assert!(p.advisory.summary.contains("end of the embargo"));
}

#[tokio::test]
async fn the_scheduler_publishes_at_the_announcement_only_an_approved_preview() {
    let t = TestApp::new().await;
    let id = t.scheduled_case(7).await;
    let at = t
        .store
        .case(id)
        .await
        .unwrap()
        .dates
        .unwrap()
        .announcement_instant();
    // Early: nothing.
    assert_eq!(
        t.app.publish_if_due(id, at, t.now()).await.unwrap(),
        ScheduledPublication::NotDue
    );
    t.clock.set(at);
    // Due, but nobody approved a preview: the team is told why.
    let ScheduledPublication::Blocked(why) = t.app.publish_if_due(id, at, t.now()).await.unwrap()
    else {
        panic!("published without an approved preview")
    };
    assert!(why.contains("approve"), "{why}");
    assert_eq!(t.store.case(id).await.unwrap().state, CaseState::Scheduled);
    t.approve_advisory(id, advisory()).await;
    // A job made for other dates does nothing.
    assert_eq!(
        t.app
            .publish_if_due(id, at - days(1), t.now())
            .await
            .unwrap(),
        ScheduledPublication::NotDue
    );
    assert_eq!(
        t.app.publish_if_due(id, at, t.now()).await.unwrap(),
        ScheduledPublication::Published
    );
    // Run twice (at-least-once delivery): no harm, one publication.
    assert_eq!(
        t.app.publish_if_due(id, at, t.now()).await.unwrap(),
        ScheduledPublication::NotDue
    );
    assert_eq!(t.app.all_published().await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_query_compares_versions_by_each_ecosystems_rules() {
    let t = TestApp::new().await;
    let id = t.scheduled_case(2).await;
    t.approve_advisory(id, advisory()).await;
    t.clock.advance(days(2));
    t.app
        .publish(Principal::User(t.people.coordinator), id, t.now())
        .await
        .unwrap();
    let q = |purl: &str, version: Option<&str>| OsvQuery {
        package: Some(OsvPackage {
            purl: Some(purl.into()),
            ..OsvPackage::default()
        }),
        version: version.map(str::to_string),
        ..OsvQuery::default()
    };
    let hits = async |q: OsvQuery| {
        t.app
            .osv_query(&q, OSV_PAGE_SIZE)
            .await
            .unwrap()
            .vulns
            .len()
    };
    // PyPI: 3.0 <= v < 3.1.2, by PEP 440 (3.1.2rc1 is a pre-release of 3.1.2: affected).
    assert_eq!(hits(q("pkg:pypi/build-bot", Some("3.1.0"))).await, 1);
    assert_eq!(hits(q("pkg:pypi/build-bot", Some("3.1.2rc1"))).await, 1);
    assert_eq!(hits(q("pkg:pypi/build-bot", Some("3.1.2"))).await, 0);
    assert_eq!(hits(q("pkg:pypi/build-bot", Some("2.9"))).await, 0);
    // PEP 503: the same package under another spelling; the version inside the purl.
    assert_eq!(hits(q("pkg:pypi/Build_Bot@3.0.post1", None)).await, 1);
    // conda, by conda's ordering.
    assert_eq!(hits(q("pkg:conda/build-bot", Some("3.1.1"))).await, 1);
    // By ecosystem and name, as OSV clients ask; no version: every advisory naming it. The
    // ecosystem is spelt as OSV spells it (osv.dev is case-sensitive); PyPI names are
    // compared normalized, as osv.dev does.
    let by_name = |ecosystem: &str, name: &str| OsvQuery {
        package: Some(OsvPackage {
            ecosystem: Some(ecosystem.into()),
            name: Some(name.into()),
            ..OsvPackage::default()
        }),
        ..OsvQuery::default()
    };
    assert_eq!(hits(by_name("PyPI", "build-bot")).await, 1);
    assert_eq!(hits(by_name("PyPI", "Build_Bot")).await, 1);
    assert_eq!(hits(by_name("pypi", "build-bot")).await, 0);
    assert_eq!(hits(q("pkg:npm/build-bot", Some("3.1.0"))).await, 0);
    // A version no scheme reads matches nothing; it is not an error (as osv.dev).
    assert_eq!(
        hits(q("pkg:pypi/build-bot", Some("not a version!"))).await,
        0
    );
    // Both a purl version and a version: refused.
    let e = t
        .app
        .osv_query(&q("pkg:pypi/build-bot@3.1.0", Some("3.1.0")), OSV_PAGE_SIZE)
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Invalid(_)), "{e:?}");
}

/// Long answers come in pages (osv.dev pages after 1,000), each token leading to the next.
#[tokio::test]
async fn osv_answers_are_paged_with_tokens() {
    let t = TestApp::new().await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let id = t.scheduled_case(2).await;
        t.approve_advisory(id, advisory()).await;
        ids.push(id);
    }
    t.clock.advance(days(2));
    for id in &ids {
        t.app
            .publish(Principal::User(t.people.coordinator), *id, t.now())
            .await
            .unwrap();
    }
    let mut q = OsvQuery {
        package: Some(OsvPackage {
            purl: Some("pkg:pypi/build-bot".into()),
            ..OsvPackage::default()
        }),
        ..OsvQuery::default()
    };
    let mut seen = Vec::new();
    loop {
        let page = t.app.osv_query(&q, 2).await.unwrap();
        assert!(page.vulns.len() <= 2);
        seen.extend(page.vulns.iter().map(|p| p.id.clone()));
        match page.next_page_token {
            Some(token) => q.page_token = Some(token),
            None => break,
        }
    }
    let mut expected: Vec<String> = t
        .app
        .all_published()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    expected.sort();
    assert_eq!(seen, expected, "every advisory once, in order");
}

/// The query reads each advisory's matcher (its OSV source's `affected` entries for an
/// imported one): a withdrawn advisory stops matching as its withdrawal is imported, and
/// stays readable by id; matchers missing after an upgrade are filled when the database
/// opens.
#[tokio::test]
async fn osv_queries_follow_withdrawals_and_matchers_are_filled_on_upgrade() {
    let t = TestApp::new().await;
    let doc = |withdrawn: Option<&str>| {
        let mut d = serde_json::json!({
            "id": "GHSA-aaaa-bbbb-cccc", "modified": "2024-02-01T00:00:00Z",
            "published": "2024-01-01T00:00:00Z", "summary": "A flaw", "details": "d",
            "affected": [{"package": {"ecosystem": "PyPI", "name": "some-lib"},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "1.5"}, {"introduced": "2.0"}, {"limit": "2.2"}]}],
                          "versions": ["0.9.1"]}],
        });
        if let Some(at) = withdrawn {
            d["withdrawn"] = at.into();
            d["modified"] = at.into();
        }
        embargo_formats::import::from_json(&d.to_string(), t.now()).unwrap()
    };
    let hits = async |app: &embargo_app::App, version: &str| {
        let q = OsvQuery {
            package: Some(OsvPackage {
                purl: Some("pkg:pypi/some-lib".into()),
                ..OsvPackage::default()
            }),
            version: Some(version.into()),
            ..OsvQuery::default()
        };
        app.osv_query(&q, OSV_PAGE_SIZE).await.unwrap().vulns.len()
    };
    t.app
        .import_published(Principal::Operator, &[doc(None)], t.now())
        .await
        .unwrap();
    // The source's whole `affected`: two stretches, a `limit`, a listed version.
    for (version, expected) in [("1.2", 1), ("1.5", 0), ("2.1", 1), ("2.3", 0), ("0.9.1", 1)] {
        assert_eq!(hits(&t.app, version).await, expected, "{version}");
    }
    // Stored before matchers were kept: filled when the database opens again.
    sqlx::query("UPDATE publication_packages SET matcher = NULL")
        .execute(&sqlx::AnyPool::connect(&t.db_url).await.unwrap())
        .await
        .unwrap();
    let reopened = t.second_instance().await;
    assert_eq!(hits(&reopened, "1.2").await, 1);
    assert_eq!(hits(&reopened, "2.1").await, 1);
    // Withdrawn: no query matches it any more; it is still there by id.
    t.app
        .import_published(
            Principal::Operator,
            &[doc(Some("2024-03-01T00:00:00Z"))],
            t.now(),
        )
        .await
        .unwrap();
    assert_eq!(hits(&t.app, "1.2").await, 0);
    assert!(t.app.osv_vuln("GHSA-aaaa-bbbb-cccc").await.is_ok());
}

/// An imported advisory is answered with its OSV document exactly as imported, read from
/// the sources kept beside the publications: a newer import replaces it, a publication
/// whose source is not kept is read whole, and the upgrade that began keeping them keeps
/// those of the advisories imported before it.
#[tokio::test]
async fn imported_sources_are_answered_as_imported_across_reimports_and_the_upgrade() {
    let t = TestApp::new().await;
    let id = "GHSA-dddd-eeee-ffff".to_string();
    let import = async |modified: &str, details: &str| {
        let d = serde_json::json!({
            "id": id, "modified": modified, "published": "2024-01-01T00:00:00Z",
            "summary": "A flaw", "details": details,
            "affected": [{"package": {"ecosystem": "PyPI", "name": "other-lib"},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.5"}]}]}],
        });
        let imported = embargo_formats::import::from_json(&d.to_string(), t.now()).unwrap();
        t.app
            .import_published(Principal::Operator, &[imported], t.now())
            .await
            .unwrap();
    };
    let served = async || match t
        .store
        .osv_sources_with_ids(std::slice::from_ref(&id))
        .await
        .unwrap()[..]
    {
        [(_, embargo_store::OsvSource::Imported(ref text))] => text.clone(),
        ref other => panic!("{other:?}"),
    };
    let kept = async || t.store.publication(&id).await.unwrap().osv_source.unwrap();
    import("2024-02-01T00:00:00Z", "as first published").await;
    assert_eq!(served().await, kept().await);
    assert!(served().await.contains("as first published"));
    import("2024-03-01T00:00:00Z", "as revised").await;
    let revised = served().await;
    assert_eq!(revised, kept().await);
    assert!(revised.contains("as revised") && !revised.contains("as first published"));
    // Before the upgrade: nothing kept, the publication is read whole, to the same text.
    let pool = sqlx::AnyPool::connect(&t.db_url).await.unwrap();
    sqlx::query("DROP TABLE publication_osv_sources")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE publication_osv_sources (publication_id TEXT, source TEXT)")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(served().await, revised);
    // The upgrade itself, on this backend.
    let upgrade = if t.db_url.starts_with("postgres") {
        include_str!("../../../embargo-store/migrations/postgres/0023_publication_osv_sources.sql")
    } else {
        include_str!("../../../embargo-store/migrations/sqlite/0023_publication_osv_sources.sql")
    };
    sqlx::query("DROP TABLE publication_osv_sources")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(upgrade))
        .execute(&pool)
        .await
        .unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM publication_osv_sources")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, 1);
    assert_eq!(served().await, revised);
    let q = OsvQuery {
        package: Some(OsvPackage {
            purl: Some("pkg:pypi/other-lib".into()),
            ..OsvPackage::default()
        }),
        version: Some("1.0".into()),
        ..OsvQuery::default()
    };
    let answer = t.app.osv_query_documents(&q, OSV_PAGE_SIZE).await.unwrap();
    assert_eq!(answer.vulns.len(), 1);
    assert_eq!(&*answer.vulns[0], revised.as_str());
}
