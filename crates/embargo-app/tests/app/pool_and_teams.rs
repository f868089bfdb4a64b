//! The CNA's pool of CVE ids and teams across organizations.

use embargo_app::{AppError, Principal};
use embargo_testkit::TestApp;

#[tokio::test]
async fn cve_ids_come_from_the_pool_one_per_case_into_the_draft() {
    let t = TestApp::new().await;
    let p = t.people;
    let (admin, dev) = (Principal::User(p.admin), Principal::User(p.developer));
    // Administrators reserve ids; one bad id refuses the whole list, naming it.
    let e = t
        .app
        .add_cve_ids(admin, "CVE-2026-1000, CVE-2026-1001 CVE-26-1", t.now())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("\"CVE-26-1\""), "{e}");
    assert!(t.app.cve_pool(admin).await.unwrap().is_empty());
    let e = t
        .app
        .add_cve_ids(Principal::User(p.coordinator), "CVE-2026-1000", t.now())
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    let added = t
        .app
        .add_cve_ids(admin, "CVE-2026-1000\nCVE-2026-1001", t.now())
        .await
        .unwrap();
    assert_eq!(added, 2);
    assert_eq!(
        t.app
            .add_cve_ids(admin, "CVE-2026-1001", t.now())
            .await
            .unwrap(),
        0
    );

    let first = t.accepted_case().await;
    let second = t.accepted_case().await;
    let third = t.accepted_case().await;
    let outsider = Principal::User(p.outsider);
    assert!(matches!(
        t.app.take_cve(outsider, first, t.now()).await,
        Err(AppError::NotFound)
    ));
    let cve = t.app.take_cve(dev, first, t.now()).await.unwrap();
    assert_eq!(cve.to_string(), "CVE-2026-1000");
    let editor = t.app.advisory_editor(dev, first).await.unwrap();
    assert_eq!(
        (editor.advisory.cve.map(|c| c.to_string()), editor.revision),
        (Some("CVE-2026-1000".into()), 1)
    );
    let again = t.app.take_cve(dev, first, t.now()).await.unwrap_err();
    assert_eq!(again.code(), "has_cve");
    assert_eq!(
        t.app
            .take_cve(dev, second, t.now())
            .await
            .unwrap()
            .to_string(),
        "CVE-2026-1001"
    );
    let empty = t.app.take_cve(dev, third, t.now()).await.unwrap_err();
    assert_eq!(empty.code(), "pool_empty");
    assert_eq!(t.app.free_cve_ids().await.unwrap(), 0);
    let pool = t.app.cve_pool(admin).await.unwrap();
    assert_eq!(pool[0].case_id, Some(first));
}

#[tokio::test]
async fn a_team_from_several_organizations_joins_a_case_at_once() {
    let t = TestApp::new().await;
    let p = t.people;
    let (admin, coord) = (Principal::User(p.admin), Principal::User(p.coordinator));
    let team = t
        .app
        .create_team(admin, "HTTP library maintainers", t.now())
        .await
        .unwrap();
    let dup = t
        .app
        .create_team(admin, "HTTP library maintainers", t.now())
        .await
        .unwrap_err();
    assert!(matches!(dup, AppError::Conflict(_)), "{dup:?}");
    for email in ["dev2@example.org", "out@example.org", "coco@example.org"] {
        t.app
            .add_team_member(admin, &team, email, t.now())
            .await
            .unwrap();
    }
    let e = t
        .app
        .add_team_member(admin, &team, "nobody@example.org", t.now())
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("not a person of this installation"),
        "{e}"
    );
    let teams = t.app.teams().await.unwrap();
    assert_eq!(teams[0].members.len(), 3);

    let case = t.accepted_case().await;
    // Only the Coordinator adds people to a case.
    let e = t
        .app
        .add_team_to_case(Principal::User(p.developer), case, &team, t.now())
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    let outcome = t
        .app
        .add_team_to_case(coord, case, &team, t.now())
        .await
        .unwrap();
    let mut added = outcome.added.clone();
    added.sort();
    assert_eq!(added, ["Dev Two", "Otto Sider"]);
    // The Coordinator is in the team but cannot also be a Developer (two-person rule).
    assert_eq!(outcome.skipped.len(), 1);
    assert_eq!(outcome.skipped[0].0, "Coco Ordinator");
    let developers = t.store.case(case).await.unwrap().developers;
    assert!(developers.contains(&p.developer2) && developers.contains(&p.outsider));
    // The outside member sees the case now, and only through the team's addition.
    assert!(
        t.app
            .team_view(Principal::User(p.outsider), case)
            .await
            .is_ok()
    );
    // Adding the team twice adds nobody new.
    let again = t
        .app
        .add_team_to_case(coord, case, &team, t.now())
        .await
        .unwrap();
    assert!(again.added.is_empty());
}
