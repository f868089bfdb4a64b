//! Duplicate and noise hints at triage: cases of the same project that read alike, public
//! advisories a report names, and reporters whose earlier reports were rejected or spam.

use embargo_app::Principal;
use embargo_core::{CaseId, ProjectSlug};
use embargo_testkit::{PROJECT, TestApp, intake, report};

async fn file(t: &TestApp, project: &str, from: &str, title: &str, description: &str) -> CaseId {
    let mut content = report(from);
    content.project = ProjectSlug::parse(project).unwrap();
    content.title = title.into();
    content.description = description.into();
    t.app
        .submit_report(intake(content), t.now())
        .await
        .unwrap()
        .case_id
}

/// Imports public advisories of the PyPI package `stretchy`: (id, alias or "", summary,
/// details).
async fn import(t: &TestApp, advisories: &[(&str, &str, &str, &str)]) {
    let items: Vec<_> = advisories
        .iter()
        .map(|(id, alias, summary, details)| {
            let aliases: Vec<&str> = Some(*alias).filter(|a| !a.is_empty()).into_iter().collect();
            let doc = serde_json::json!({
                "id": id, "modified": "2024-06-01T10:00:00Z", "published": "2024-05-01T10:00:00Z",
                "aliases": aliases, "summary": summary, "details": details,
                "affected": [{"package": {"ecosystem": "PyPI", "name": "stretchy"},
                    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2"}]}]}]
            });
            embargo_formats::import::from_json(&doc.to_string(), t.now()).unwrap()
        })
        .collect();
    t.app
        .import_published(Principal::Operator, &items, t.now())
        .await
        .unwrap();
}

const XSS_TITLE: &str = "Stored XSS in the markdown renderer of the status dashboard";
const XSS_TEXT: &str = "Link titles in markdown comments are not escaped when the dashboard renders them, \
    so a script in a title runs in the browser of every maintainer who opens the status page.";

#[tokio::test]
async fn a_coordinator_sees_the_cases_and_advisories_a_new_report_may_duplicate() {
    let t = TestApp::new().await;
    let coord = Principal::User(t.people.coordinator);
    t.app
        .add_project(Principal::Operator, "website", "Website", "", &[], t.now())
        .await
        .unwrap();
    let earlier = file(&t, PROJECT, "a@example.net", XSS_TITLE, XSS_TEXT).await;
    let unrelated = file(
        &t,
        PROJECT,
        "b@example.net",
        "Path traversal when the bot unpacks artifact archives",
        "Entries named ../../etc/cron.d/x are written outside the work directory.",
    )
    .await;
    // The same words about another project: not this project's duplicate.
    let elsewhere = file(&t, "website", "c@example.net", XSS_TITLE, XSS_TEXT).await;
    import(
        &t,
        &[(
            "PYSEC-2099-5",
            "CVE-2099-0001",
            "Unsafe unpacking in stretchy",
            "Archives are unpacked without checks.",
        )],
    )
    .await;

    let new = file(
        &t,
        PROJECT,
        "d@example.net",
        "Cross-site scripting through markdown link titles on the dashboard",
        "The status dashboard copies the title of markdown links into the page unescaped \
         (similar to cve-2099-0001?), so scripts run for maintainers.",
    )
    .await;
    let hints = t.app.duplicate_hints(coord, new, t.now()).await.unwrap();
    let cases: Vec<CaseId> = hints.cases.iter().map(|h| h.id).collect();
    assert_eq!(cases, vec![earlier], "{:?}", hints.cases);
    assert!(!cases.contains(&unrelated) && !cases.contains(&elsewhere));
    let hint = &hints.cases[0];
    assert!(
        hint.reference.starts_with("EMB-2026-"),
        "{}",
        hint.reference
    );
    assert!(
        hint.reason.contains("markdown") && hint.reason.contains("dashboard"),
        "{}",
        hint.reason
    );
    assert_eq!(hints.advisories.len(), 1, "{:?}", hints.advisories);
    assert_eq!(hints.advisories[0].id, "PYSEC-2099-5");
    assert_eq!(hints.advisories[0].reason, "the report names CVE-2099-0001");
    assert!(!hints.reporter_flagged());

    // Only at triage, only for the Coordinator; outsiders learn nothing.
    assert!(matches!(
        t.app
            .duplicate_hints(Principal::User(t.people.outsider), new, t.now())
            .await,
        Err(embargo_app::AppError::NotFound)
    ));
    t.app
        .acknowledge(coord, new, "Thanks.", t.now())
        .await
        .unwrap();
    t.app.start_triage(coord, new, t.now()).await.unwrap();
    assert_eq!(
        t.app
            .duplicate_hints(coord, new, t.now())
            .await
            .unwrap()
            .cases
            .len(),
        1
    );
    t.app.accept(coord, new, t.now()).await.unwrap();
    assert!(
        t.app
            .duplicate_hints(coord, new, t.now())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_report_naming_a_package_meets_that_packages_advisories_that_read_alike() {
    let t = TestApp::new().await;
    let coord = Principal::User(t.people.coordinator);
    import(
        &t,
        &[
            (
                "PYSEC-2099-7",
                "",
                "Path traversal when stretchy unpacks archives",
                "Archive entries with ../ in their names are written outside the target directory.",
            ),
            (
                "PYSEC-2099-8",
                "",
                "Denial of service through deeply nested JSON",
                "Parsing nested arrays exhausts the stack.",
            ),
        ],
    )
    .await;
    let new = file(
        &t,
        PROJECT,
        "d@example.net",
        "Archive unpacking writes outside the target directory",
        "The bot uses stretchy to unpack artifact archives; entries named ../../x escape the directory.",
    )
    .await;
    let hints = t.app.duplicate_hints(coord, new, t.now()).await.unwrap();
    let ids: Vec<&str> = hints.advisories.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, vec!["PYSEC-2099-7"], "{:?}", hints.advisories);
    assert!(
        hints.advisories[0]
            .reason
            .starts_with("the report names the package stretchy (pypi), and reads alike"),
        "{}",
        hints.advisories[0].reason
    );
}

#[tokio::test]
async fn a_reporter_with_several_rejected_or_spam_reports_is_flagged_not_blocked() {
    let t = TestApp::new().await;
    let coord = Principal::User(t.people.coordinator);
    let noisy = "Noisy@Example.net";
    for n in 0..2 {
        let id = file(
            &t,
            PROJECT,
            noisy,
            &format!("Scanner finding {n}"),
            "Header missing.",
        )
        .await;
        t.app.mark_spam(coord, id, t.now()).await.unwrap();
    }
    let once = file(
        &t,
        PROJECT,
        "noisy@example.net",
        "Another finding",
        "Cookie flag.",
    )
    .await;
    let hints = t.app.duplicate_hints(coord, once, t.now()).await.unwrap();
    assert!(hints.reporter_flagged());
    assert_eq!(
        (
            hints.reporter.earlier,
            hints.reporter.rejected,
            hints.reporter.spam
        ),
        (2, 0, 2)
    );
    // The report was filed and waits for triage like any other.
    let view = t.app.team_view(coord, once).await.unwrap();
    assert_eq!(view.case.state, embargo_core::CaseState::Received);
    let other = file(&t, PROJECT, "fresh@example.net", "A finding", "Text.").await;
    let hints = t.app.duplicate_hints(coord, other, t.now()).await.unwrap();
    assert!(!hints.reporter_flagged());
    assert_eq!(hints.reporter.earlier, 0);
}
