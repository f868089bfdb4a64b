//! The use cases against a real SQLite store: authorization, atomicity, the audit trail,
//! jobs, and the public/private boundary.

use embargo_app::{AppError, Intake, Principal, jobs};
use embargo_core::{
    CaseId, CaseState, Channel, InstallationRoles, Policy, RejectReason, Resolution, Visibility,
};
use embargo_testkit::cases::dates;
use embargo_testkit::{TestApp, days, intake, report, user};

async fn audit_count(t: &TestApp) -> i64 {
    t.store.verify_audit().await.unwrap().entries
}

#[tokio::test]
async fn a_report_becomes_a_case_with_deadlines_audit_and_jobs() {
    let t = TestApp::new().await;
    let before = audit_count(&t).await;
    let s = t.submit().await;
    assert_eq!(s.acknowledge_by, t.now() + days(7));
    assert_eq!(s.disclose_by, t.now() + days(90));
    let case = t.store.case(s.case_id).await.unwrap();
    assert_eq!(case.state, CaseState::Received);
    assert_eq!(audit_count(&t).await, before + 1);
    let kinds: Vec<_> = t
        .store
        .jobs(Some(s.case_id))
        .await
        .unwrap()
        .into_iter()
        .map(|j| (j.kind, j.run_at))
        .collect();
    assert!(kinds.contains(&(jobs::NOTIFY_TEAM_NEW_REPORT.to_string(), t.now())));
    // The acknowledgement clock: the reminder two days ahead (it queues the alert at the
    // deadline when it runs).
    assert!(kinds.contains(&(
        jobs::ACKNOWLEDGEMENT_REMINDER.to_string(),
        s.acknowledge_by - days(2)
    )));
    // The secret link opens exactly this case; anything else is "not found".
    assert_eq!(
        t.app.reporter_principal(&s.portal_token).await.unwrap(),
        Principal::Reporter(s.case_id)
    );
    assert!(matches!(
        t.app.reporter_principal("0".repeat(64).as_str()).await,
        Err(AppError::NotFound)
    ));
}

#[tokio::test]
async fn the_installation_policy_sets_the_clocks() {
    let t = TestApp::with_policy(Policy::new(3, 45).unwrap()).await;
    let s = t.submit().await;
    assert_eq!(s.acknowledge_by, t.now() + days(3));
    assert_eq!(s.disclose_by, t.now() + days(45));
}

#[tokio::test]
async fn bad_reports_are_refused_with_every_problem_and_store_nothing() {
    let t = TestApp::new().await;
    let mut bad = report("r@elsewhere.example");
    bad.title = "  ".into();
    bad.description = String::new();
    bad.openpgp_key = Some("not a key".into());
    let before = audit_count(&t).await;
    let e = t
        .app
        .submit_report(
            Intake {
                channel: Channel::Api,
                ..intake(bad)
            },
            t.now(),
        )
        .await
        .unwrap_err();
    let AppError::Invalid(problems) = &e else {
        panic!("{e:?}")
    };
    let text = e.to_string();
    assert_eq!(problems.len(), 3, "{text}");
    assert!(
        text.contains("title is required")
            && text.contains("description is required")
            && text.contains("OpenPGP"),
        "{text}"
    );
    let mut stray = report("r@elsewhere.example");
    stray.project = embargo_core::ProjectSlug::parse("not-ours").unwrap();
    let e = t
        .app
        .submit_report(
            Intake {
                channel: Channel::Api,
                ..intake(stray)
            },
            t.now(),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("scope"), "{e}");
    assert_eq!(audit_count(&t).await, before);
    assert!(t.store.case_ids(None).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_coordinator_and_a_developer_run_a_case_to_publication() {
    let t = TestApp::new().await;
    let p = t.people;
    let (coord, dev) = (Principal::User(p.coordinator), Principal::User(p.developer));
    let id = t.submit().await.case_id;
    t.app
        .acknowledge(coord, id, "Thank you, we are looking into it.", t.now())
        .await
        .unwrap();
    t.app.start_triage(coord, id, t.now()).await.unwrap();
    t.app
        .request_info(coord, id, "Which bot version?", t.now())
        .await
        .unwrap();
    let reporter = Principal::Reporter(id);
    t.app
        .post_message(
            reporter,
            id,
            Visibility::Reporter,
            "Version 3.1",
            vec![],
            t.now(),
        )
        .await
        .unwrap();
    assert_eq!(
        t.store.case(id).await.unwrap().state,
        CaseState::Triage,
        "the reply resumes triage"
    );
    t.app.accept(coord, id, t.now()).await.unwrap();
    t.app
        .add_developer(coord, id, p.developer, t.now())
        .await
        .unwrap();
    t.app.start_fixing(dev, id, t.now()).await.unwrap();
    let (_, fork_a) = t
        .app
        .record_fork(dev, id, "conda-forge/bot-ghsa-1", t.now())
        .await
        .unwrap();
    let (_, fork_b) = t
        .app
        .record_fork(dev, id, "other-org/lib-ghsa-2", t.now())
        .await
        .unwrap();
    for f in [fork_a, fork_b] {
        t.app
            .sign_off_fork(
                dev,
                id,
                f,
                Some("ran the test suite locally".into()),
                t.now(),
            )
            .await
            .unwrap();
    }
    for step in [6, 7, 12, 13] {
        t.app
            .complete_step(dev, id, step, None, t.now())
            .await
            .unwrap();
    }
    t.app
        .complete_step(coord, id, 9, Some("CVE requested".into()), t.now())
        .await
        .unwrap();
    t.app
        .set_dates(dev, id, dates(&t, 14), t.now())
        .await
        .unwrap();
    t.app
        .complete_step(dev, id, 10, None, t.now())
        .await
        .unwrap();
    let case = t
        .app
        .complete_step(coord, id, 10, None, t.now())
        .await
        .unwrap();
    assert_eq!(case.state, CaseState::Scheduled);
    // Everything the aggregate holds (forks, joint sign-offs, zoned dates) survives a reload.
    assert_eq!(t.store.case(id).await.unwrap(), case);
    let early = t.app.publish(coord, id, t.now()).await.unwrap_err();
    assert_eq!(early.code(), "deadline");
    t.clock.advance(days(14));
    // Only the text whose preview the Coordinator approved is published.
    let unapproved = t.app.publish(coord, id, t.now()).await.unwrap_err();
    assert_eq!(unapproved.code(), "preview_not_approved");
    t.approve_advisory(id, embargo_testkit::cases::advisory())
        .await;
    let case = t.app.publish(coord, id, t.now()).await.unwrap();
    assert_eq!(
        (case.state, case.fix_available),
        (CaseState::Published, Some(true))
    );
    t.app
        .complete_step(coord, id, 17, None, t.now())
        .await
        .unwrap();
    let case = t.app.close(coord, id, t.now()).await.unwrap();
    assert_eq!(
        case.state,
        CaseState::Closed {
            resolution: Resolution::Published
        }
    );

    let view = t.app.team_view(coord, id).await.unwrap();
    // 4, 5, 11, 14 and 16 were not ticked: the policy lets a case close without them.
    let done: Vec<u8> = embargo_core::Step::all()
        .filter(|s| view.case.checklist.is_done(*s))
        .map(|s| s.number())
        .collect();
    assert_eq!(done, [1, 2, 3, 6, 7, 8, 9, 10, 12, 13, 15, 17, 18]);
    let notices: Vec<_> = view
        .messages
        .iter()
        .filter_map(|m| m.notice.clone())
        .collect();
    // Written by the Coordinator, then sent by themselves from the editable templates.
    assert_eq!(
        notices,
        [
            "acknowledged",
            "information_requested",
            "accepted",
            "published"
        ]
    );
    let published = view.messages.last().unwrap().body.reveal().clone();
    assert!(
        published.contains(&id.receipt())
            && published.contains("is now public: ")
            && published.contains("/advisories/EMBARGO-")
            && published.contains("CVE: ")
            && published.contains("Fixed in: "),
        "the reporter gets the advisory, its CVE and the fix: {published}"
    );
    let kinds: Vec<_> = t
        .store
        .jobs(Some(id))
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.kind)
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == jobs::NOTIFY_REPORTER).count(),
        4
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == jobs::PUBLISH_ADVISORY)
            .count(),
        1
    );
    let report = t.store.verify_audit().await.unwrap();
    assert!(report.is_intact(), "{report:?}");
}

#[tokio::test]
async fn one_person_cannot_hold_both_roles() {
    let t = TestApp::new().await;
    let p = t.people;
    let coord = Principal::User(p.coordinator);
    let id = t.submit().await.case_id;
    t.app.acknowledge(coord, id, "ack", t.now()).await.unwrap();
    t.app.start_triage(coord, id, t.now()).await.unwrap();
    // The second core member develops the fix: they cannot then accept or publish it.
    t.app
        .add_developer(coord, id, p.coordinator2, t.now())
        .await
        .unwrap();
    let e = t
        .app
        .accept(Principal::User(p.coordinator2), id, t.now())
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    t.app.accept(coord, id, t.now()).await.unwrap();
    let e = t
        .app
        .add_developer(coord, id, p.coordinator, t.now())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "two_person_rule");
    let e = t
        .app
        .assign_coordinator(coord, id, p.coordinator2, t.now())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "two_person_rule");
}

#[tokio::test]
async fn a_reporter_with_an_account_cannot_coordinate_their_own_report() {
    let t = TestApp::new().await;
    let s = t
        .app
        .submit_report(
            Intake {
                channel: Channel::Web,
                ..intake(report("cora@example.org"))
            },
            t.now(),
        )
        .await
        .unwrap();
    let id = s.case_id;
    // The link shown on filing proves nothing about the address; a link mailed to it does.
    t.app.enter_portal(&s.portal_token, t.now()).await.unwrap();
    assert_eq!(t.store.case(id).await.unwrap().reporter_user, None);
    let (_, mailed) = t
        .app
        .issue_portal_link_for_mail(id, t.now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        t.app.enter_portal(&mailed, t.now()).await.unwrap(),
        Principal::Reporter(id)
    );
    assert_eq!(
        t.store.case(id).await.unwrap().reporter_user,
        Some(t.people.coordinator2)
    );
    let e = t
        .app
        .acknowledge(Principal::User(t.people.coordinator2), id, "ack", t.now())
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    t.app
        .acknowledge(Principal::User(t.people.coordinator), id, "ack", t.now())
        .await
        .unwrap();
}

/// Anyone can type an address: a report naming a team member's address (in the form, or
/// as the From of a mail) does not make them its reporter until they prove the address is
/// theirs, so it cannot bar them from coordinating it.
#[tokio::test]
async fn a_stranger_naming_the_coordinators_address_does_not_bar_them_from_coordinating() {
    let t = TestApp::new().await;
    let coord = Principal::User(t.people.coordinator);
    let s = t
        .app
        .submit_report(intake(report("coco@example.org")), t.now())
        .await
        .unwrap();
    let id = s.case_id;
    // The stranger uses the link they were shown.
    t.app.enter_portal(&s.portal_token, t.now()).await.unwrap();
    assert_eq!(t.store.case(id).await.unwrap().reporter_user, None);
    t.app.acknowledge(coord, id, "ack", t.now()).await.unwrap();
    t.app.start_triage(coord, id, t.now()).await.unwrap();
    t.app
        .add_developer(coord, id, t.people.developer, t.now())
        .await
        .unwrap();
    t.app.accept(coord, id, t.now()).await.unwrap();
    let case = t.store.case(id).await.unwrap();
    assert_eq!(
        (case.state, case.coordinator, case.reporter_user),
        (CaseState::Accepted, Some(t.people.coordinator), None)
    );
}

#[tokio::test]
async fn refusals_change_nothing_and_leave_no_audit_entry() {
    let t = TestApp::new().await;
    let p = t.people;
    let id = t.submit().await.case_id;
    let before = (
        t.store.case(id).await.unwrap(),
        audit_count(&t).await,
        t.store.jobs(None).await.unwrap().len(),
    );
    let attempts = [
        t.app
            .accept(Principal::User(p.coordinator), id, t.now())
            .await
            .unwrap_err(),
        t.app
            .acknowledge(Principal::User(p.developer), id, "hi", t.now())
            .await
            .unwrap_err(),
        t.app
            .acknowledge(Principal::User(p.coordinator), id, "   ", t.now())
            .await
            .unwrap_err(),
        t.app
            .reject(
                Principal::User(p.coordinator),
                id,
                RejectReason::NotAVulnerability,
                "",
                t.now(),
            )
            .await
            .unwrap_err(),
        t.app
            .complete_step(Principal::User(p.coordinator), id, 19, None, t.now())
            .await
            .unwrap_err(),
    ];
    assert_eq!(attempts[0].code(), "illegal_transition");
    assert!(
        attempts[0]
            .to_string()
            .contains("accept is not possible while the case is received")
    );
    assert_eq!(
        attempts[3].to_string(),
        "message to the reporter must not be empty"
    );
    let after = (
        t.store.case(id).await.unwrap(),
        audit_count(&t).await,
        t.store.jobs(None).await.unwrap().len(),
    );
    assert_eq!(before, after);
}

#[tokio::test]
async fn outsiders_cannot_tell_a_case_exists() {
    let t = TestApp::new().await;
    let p = t.people;
    let id = t.submit().await.case_id;
    let other = t.submit().await.case_id;
    let missing = CaseId::from_random_bytes([7; 16]);
    for who in [
        Principal::User(p.outsider),
        Principal::User(p.admin),
        Principal::User(p.developer),
        Principal::Reporter(other),
        Principal::Operator,
    ] {
        for case in [id, missing] {
            let e = t
                .app
                .acknowledge(who, case, "hello", t.now())
                .await
                .unwrap_err();
            assert!(matches!(e, AppError::NotFound), "{who:?} on {case}: {e:?}");
            assert!(matches!(
                t.app.team_view(who, case).await,
                Err(AppError::NotFound)
            ));
            assert!(matches!(
                t.app.reporter_view(who, case).await,
                Err(AppError::NotFound)
            ));
            let e = t
                .app
                .post_message(who, case, Visibility::Reporter, "hi", vec![], t.now())
                .await
                .unwrap_err();
            assert!(matches!(e, AppError::NotFound), "{who:?}: {e:?}");
        }
    }
}

#[tokio::test]
async fn the_reporter_sees_their_thread_but_not_internal_comments() {
    let t = TestApp::new().await;
    let coord = Principal::User(t.people.coordinator);
    let id = t.submit().await.case_id;
    t.app
        .acknowledge(coord, id, "We got it", t.now())
        .await
        .unwrap();
    t.app
        .post_message(
            coord,
            id,
            Visibility::Internal,
            "looks like a dup of last year's",
            vec![],
            t.now(),
        )
        .await
        .unwrap();
    let view = t
        .app
        .reporter_view(Principal::Reporter(id), id)
        .await
        .unwrap();
    let bodies: Vec<_> = view
        .messages
        .iter()
        .map(|m| m.body.reveal().clone())
        .collect();
    assert_eq!(bodies, ["We got it"]);
    let e = t
        .app
        .post_message(
            Principal::Reporter(id),
            id,
            Visibility::Internal,
            "sneaky",
            vec![],
            t.now(),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)));
}

#[tokio::test]
async fn rejection_messages_the_reporter_and_spam_stays_quiet() {
    let t = TestApp::new().await;
    let coord = Principal::User(t.people.coordinator);
    let a = t.submit().await.case_id;
    t.app
        .reject(
            coord,
            a,
            RejectReason::OutOfScope,
            "This is packaged software: please report upstream.",
            t.now(),
        )
        .await
        .unwrap();
    let view = t
        .app
        .reporter_view(Principal::Reporter(a), a)
        .await
        .unwrap();
    assert_eq!(
        view.messages.last().unwrap().notice.as_deref(),
        Some("rejected")
    );
    let b = t.submit().await.case_id;
    t.app.mark_spam(coord, b, t.now()).await.unwrap();
    assert!(
        t.app
            .reporter_view(Principal::Reporter(b), b)
            .await
            .unwrap()
            .messages
            .is_empty()
    );
    assert!(
        !t.store
            .jobs(Some(b))
            .await
            .unwrap()
            .iter()
            .any(|j| j.kind == jobs::NOTIFY_REPORTER)
    );
}

#[tokio::test]
async fn the_deadline_discloses_an_untouched_case() {
    let t = TestApp::new().await;
    let p = t.people;
    let coord = Principal::User(p.coordinator);
    let id = t.submit().await.case_id;
    t.app.acknowledge(coord, id, "ack", t.now()).await.unwrap();
    t.app.start_triage(coord, id, t.now()).await.unwrap();
    t.app.accept(coord, id, t.now()).await.unwrap();
    assert_eq!(
        t.app
            .disclose_at_deadline(id, t.now())
            .await
            .unwrap_err()
            .code(),
        "deadline"
    );
    t.clock.advance(days(90));
    let case = t.app.disclose_at_deadline(id, t.now()).await.unwrap();
    assert_eq!(
        (case.state, case.fix_available),
        (CaseState::Published, Some(false))
    );
    let audit = t.store.audit_of_case(id).await.unwrap();
    assert_eq!(audit.last().unwrap().actor, "system");
}

#[tokio::test]
async fn outside_collaborators_join_one_case_atomically() {
    let t = TestApp::new().await;
    let coord = Principal::User(t.people.coordinator);
    let id = t.submit().await.case_id;
    let other = t.submit().await.case_id;
    let e = t
        .app
        .add_collaborator(
            Principal::User(t.people.outsider),
            id,
            "up@stream.example",
            "Upstream Maintainer",
            t.now(),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::NotFound));
    assert_eq!(
        t.store.people().await.unwrap().len(),
        6,
        "no account was created by the refused invitation"
    );
    let collaborator = t
        .app
        .add_collaborator(
            coord,
            id,
            "up@stream.example",
            "Upstream Maintainer",
            t.now(),
        )
        .await
        .unwrap();
    assert!(
        t.store
            .case(id)
            .await
            .unwrap()
            .developers
            .contains(&collaborator)
    );
    let who = Principal::User(collaborator);
    assert!(t.app.team_view(who, id).await.is_ok());
    assert!(matches!(
        t.app.team_view(who, other).await,
        Err(AppError::NotFound)
    ));
}

#[tokio::test]
async fn only_admins_manage_the_installation() {
    let t = TestApp::new().await;
    let e = t
        .app
        .add_user(
            Principal::User(t.people.coordinator),
            user("x@example.org", "X", InstallationRoles::MEMBER),
            t.now(),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)));
    t.app
        .add_user(
            Principal::User(t.people.admin),
            user("x@example.org", "X", InstallationRoles::MEMBER),
            t.now(),
        )
        .await
        .unwrap();
    let e = t
        .app
        .add_user(
            Principal::Operator,
            user("X@EXAMPLE.org", "X", InstallationRoles::MEMBER),
            t.now(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "a person with this e-mail address already exists"
    );
    let e = t
        .app
        .bootstrap_admin(
            user("y@example.org", "Y", InstallationRoles::MEMBER),
            t.now(),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Conflict(_)));
    let mut weak = user("z@example.org", "Z", InstallationRoles::MEMBER);
    weak.password = Some("short".into());
    let e = t
        .app
        .add_user(Principal::Operator, weak, t.now())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("at least 12 characters"), "{e}");
}

#[tokio::test]
async fn private_text_never_reaches_the_audit_log_or_job_payloads() {
    let t = TestApp::new().await;
    let coord = Principal::User(t.people.coordinator);
    let marker = "MARKER-7f3a";
    let mut r = report("secret-reporter@elsewhere.example");
    for field in [
        &mut r.title,
        &mut r.description,
        &mut r.reproduction,
        &mut r.impact,
        &mut r.affected_versions,
        &mut r.reporter_name,
    ] {
        field.push_str(marker);
    }
    let id = t
        .app
        .submit_report(
            Intake {
                channel: Channel::Web,
                ..intake(r)
            },
            t.now(),
        )
        .await
        .unwrap()
        .case_id;
    t.app
        .acknowledge(coord, id, &format!("thanks {marker}"), t.now())
        .await
        .unwrap();
    t.app
        .post_message(
            coord,
            id,
            Visibility::Internal,
            &format!("internal {marker}"),
            vec![],
            t.now(),
        )
        .await
        .unwrap();
    t.app.start_triage(coord, id, t.now()).await.unwrap();
    t.app.accept(coord, id, t.now()).await.unwrap();
    t.app
        .add_developer(coord, id, t.people.developer, t.now())
        .await
        .unwrap();
    t.app
        .record_fork(
            Principal::User(t.people.developer),
            id,
            &format!("org/fork-{marker}"),
            t.now(),
        )
        .await
        .unwrap();
    let pool = sqlx_dump(&t).await;
    assert!(
        !pool.contains(marker),
        "a marker reached the audit log or a job payload"
    );
    assert!(
        !pool.contains("secret-reporter"),
        "the reporter's address reached the audit log or a job"
    );
}

/// Every audit entry and job payload, as text.
async fn sqlx_dump(t: &TestApp) -> String {
    let mut out = String::new();
    for e in t
        .store
        .audit_of_case(embargo_core::CaseId::from_random_bytes([0; 16]))
        .await
        .unwrap()
    {
        out.push_str(&e.detail);
    }
    for id in t.store.case_ids(None).await.unwrap() {
        for e in t.store.audit_of_case(id).await.unwrap() {
            out.push_str(&format!(
                "{} {} {} {}\n",
                e.actor,
                e.action,
                e.detail,
                e.case_id.unwrap_or_default()
            ));
        }
    }
    for j in t.store.jobs(None).await.unwrap() {
        out.push_str(&format!("{} {}\n", j.kind, j.payload));
    }
    assert!(
        out.contains("acknowledge") && out.contains("record_fork"),
        "the dump is empty: {out}"
    );
    out
}
