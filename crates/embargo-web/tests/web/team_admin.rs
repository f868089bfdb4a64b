//! The team's administration pages: people, projects and the policy, invitations, failed
//! deliveries, the texts reporters receive, the CVE pool and teams.

use axum::http::StatusCode;
use embargo_app::Principal;
use embargo_testkit::days;

use crate::support::{PASSWORD, Web, form_values_csrf, sign_in, with_passwords};

#[tokio::test]
async fn administrators_manage_people_projects_and_the_policy() {
    let w = with_passwords().await;
    let coord = sign_in(&w, "coco@example.org").await;
    assert_eq!(
        w.get("/admin", Some(&coord)).await.status,
        StatusCode::FORBIDDEN,
        "a Coordinator is not an admin"
    );
    let admin = sign_in(&w, "admin@example.org").await;
    let page = w.get("/admin", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = form_values_csrf(&page.body);

    let res = w
        .post_form(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("email", "newbie@example.org"),
                ("name", "New Bie"),
                ("coordinator", "on"),
                ("password", PASSWORD),
            ],
            Some(&admin),
        )
        .await;
    assert!(
        res.body.contains("Added newbie@example.org."),
        "{}",
        res.body
    );
    sign_in(&w, "newbie@example.org").await;

    let res = w
        .post_form(
            "/admin/projects",
            &[
                ("csrf", &csrf),
                ("slug", "website"),
                ("name", "Website and documentation"),
                ("repositories", "example-org/website\n"),
            ],
            Some(&admin),
        )
        .await;
    assert!(res.body.contains("example-org/website"), "{}", res.body);
    assert!(
        w.get("/report", None)
            .await
            .body
            .contains("Website and documentation")
    );

    let res = w
        .post_form(
            "/admin/policy",
            &[
                ("csrf", &csrf),
                ("acknowledge_within_days", "3"),
                ("disclose_within_days", "45"),
            ],
            Some(&admin),
        )
        .await;
    assert!(res.body.contains("The policy was saved."));
    assert!(
        w.get("/", None)
            .await
            .body
            .contains("<strong>45 days</strong>")
    );
    let s = w.t.submit().await;
    assert_eq!(s.disclose_by, w.t.now() + embargo_testkit::days(45));
    let bad = w
        .post_form(
            "/admin/policy",
            &[
                ("csrf", &csrf),
                ("acknowledge_within_days", "50"),
                ("disclose_within_days", "45"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Disabling an account ends its session at once; the last administrator stays.
    let path = format!("/admin/users/{}/disable", w.t.people.coordinator);
    w.post_form(&path, &[("csrf", &csrf)], Some(&admin)).await;
    assert_eq!(
        w.get("/cases", Some(&coord)).await.status,
        StatusCode::SEE_OTHER
    );
    let me = format!("/admin/users/{}/disable", w.t.people.admin);
    let res = w.post_form(&me, &[("csrf", &csrf)], Some(&admin)).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("at least one active administrator"));
}

#[tokio::test]
async fn an_invitation_link_sets_a_password_and_signs_in_once() {
    let w = Web::new().await;
    let s = w.t.submit().await;
    let user =
        w.t.app
            .add_collaborator(
                Principal::User(w.t.people.coordinator),
                s.case_id,
                "up@stream.example",
                "Up Stream",
                w.t.now(),
            )
            .await
            .unwrap();
    let invitation =
        w.t.app
            .issue_invitation(user, Some(s.case_id), w.t.now())
            .await
            .unwrap();
    let path = format!("/invite/{}", invitation.token);
    assert_eq!(w.get(&path, None).await.status, StatusCode::OK);
    let res = w.post_form(&path, &[("password", PASSWORD)], None).await;
    assert_eq!(
        (res.status, res.header("location").as_str()),
        (StatusCode::SEE_OTHER, "/cases")
    );
    let dashboard = w.get("/cases", Some(&res.cookie())).await;
    assert!(
        dashboard.body.contains("Token leak in the build bot"),
        "the collaborator sees their case"
    );
    assert_eq!(
        w.get(&path, None).await.status,
        StatusCode::NOT_FOUND,
        "spent"
    );
    let late =
        w.t.app
            .issue_invitation(user, None, w.t.now())
            .await
            .unwrap();
    w.t.clock.advance(days(8));
    assert_eq!(
        w.get(&format!("/invite/{}", late.token), None).await.status,
        StatusCode::NOT_FOUND,
        "expired"
    );
}

#[tokio::test]
async fn failed_deliveries_are_listed_and_can_be_retried() {
    let w = with_passwords().await;
    let s = w.t.submit().await;
    // A second report: its jobs wait beside the first's acknowledgement clock.
    w.t.submit().await;
    let job = w.t.store.jobs(Some(s.case_id)).await.unwrap()[0].clone();
    w.t.store
        .fail_job(job.id, "550 mailbox unavailable", None, w.t.now())
        .await
        .unwrap();
    let admin = sign_in(&w, "admin@example.org").await;
    let page = w.get("/admin", Some(&admin)).await.body;
    assert!(
        page.contains("550 mailbox unavailable"),
        "the dead letter is shown"
    );
    // The queue at a glance: what waits, what is due since when, what died; the figures
    // are the store's own.
    let jobs = w.t.store.jobs(None).await.unwrap();
    let pending: Vec<_> = jobs
        .iter()
        .filter(|j| j.status == embargo_app::JobStatus::Pending)
        .collect();
    let due: Vec<_> = pending.iter().filter(|j| j.run_at <= w.t.now()).collect();
    assert!(
        pending.len() >= 2,
        "new reports make several jobs: {jobs:?}"
    );
    assert!(
        page.contains(&format!(
            r#"<td id="queue-pending">{} ({} due now)</td>"#,
            pending.len(),
            due.len()
        )),
        "{page}"
    );
    assert!(page.contains(r#"<td id="queue-dead">1</td>"#), "{page}");
    let oldest = due.iter().map(|j| j.run_at).min().map_or_else(
        || "none".to_string(),
        |t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
    );
    assert!(
        page.contains(&format!(r#"<td id="queue-oldest">{oldest}</td>"#)),
        "{page}"
    );
    assert!(
        page.contains(r#"<td id="runner-state">not in this process</td>"#),
        "{page}"
    );
    let csrf = form_values_csrf(&page);
    let res = w
        .post_form(
            &format!("/admin/jobs/{}/retry", job.id),
            &[("csrf", &csrf)],
            Some(&admin),
        )
        .await;
    assert!(res.body.contains("will be tried again"), "{}", res.body);
    let again =
        w.t.store
            .jobs(Some(s.case_id))
            .await
            .unwrap()
            .into_iter()
            .find(|j| j.id == job.id)
            .unwrap();
    assert_eq!(
        (again.status, again.attempts),
        (embargo_app::JobStatus::Pending, 0)
    );
    let coord = sign_in(&w, "coco@example.org").await;
    let csrf = form_values_csrf(&w.get("/cases", Some(&coord)).await.body);
    assert_eq!(
        w.post_form(
            &format!("/admin/jobs/{}/retry", job.id),
            &[("csrf", &csrf)],
            Some(&coord)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn texts_to_reporters_are_templates_administrators_edit() {
    let w = with_passwords().await;
    let admin = sign_in(&w, "admin@example.org").await;
    let csrf = form_values_csrf(&w.get("/admin", Some(&admin)).await.body);
    let res = w
        .post_form(
            "/admin/templates/acknowledged",
            &[
                ("csrf", &csrf),
                ("text", "Hi, {organization} got report {reference}."),
            ],
            Some(&admin),
        )
        .await;
    assert!(res.body.contains("The text was saved."), "{}", res.body);
    let bad = w
        .post_form(
            "/admin/templates/nonsense",
            &[("csrf", &csrf), ("text", "x")],
            Some(&admin),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let s = w.t.submit().await;
    let coord = sign_in(&w, "coco@example.org").await;
    let page = w
        .get(&format!("/cases/{}", s.case_id), Some(&coord))
        .await
        .body;
    assert!(
        page.contains(&format!(
            "Hi, Example Org got report {}.</textarea>",
            s.case_id.receipt()
        )),
        "the form starts from the template"
    );
    let c = Principal::User(w.t.people.coordinator);
    w.t.app
        .acknowledge(c, s.case_id, "ack", w.t.now())
        .await
        .unwrap();
    w.t.app.start_triage(c, s.case_id, w.t.now()).await.unwrap();
    w.t.app.accept(c, s.case_id, w.t.now()).await.unwrap();
    let view =
        w.t.app
            .reporter_view(Principal::Reporter(s.case_id), s.case_id)
            .await
            .unwrap();
    let last = view.messages.last().unwrap();
    assert_eq!(last.notice.as_deref(), Some("accepted"));
    assert!(
        last.body
            .reveal()
            .contains("was accepted as a vulnerability")
    );
}

/// The CNA pool and teams through the pages: an administrator reserves ids and builds a
/// team; the Coordinator adds the team to a case; a Developer takes an id into the draft.
#[tokio::test]
async fn cve_ids_and_teams_through_the_pages() {
    let w = with_passwords().await;
    let admin = sign_in(&w, "admin@example.org").await;
    let csrf = form_values_csrf(&w.get("/admin", Some(&admin)).await.body);
    let res = w
        .post_form(
            "/admin/cves",
            &[("csrf", &csrf), ("ids", "CVE-2026-7001\nCVE-2026-7002")],
            Some(&admin),
        )
        .await;
    assert!(
        res.body.contains("2 new CVE ids in the pool."),
        "{}",
        res.body
    );
    let res = w
        .post_form(
            "/admin/teams",
            &[("csrf", &csrf), ("name", "Upstream maintainers")],
            Some(&admin),
        )
        .await;
    assert!(res.body.contains("Team Upstream maintainers created."));
    let team = w.t.app.teams().await.unwrap()[0].id.clone();
    let res = w
        .post_form(
            "/admin/teams",
            &[
                ("csrf", &csrf),
                ("team", &team),
                ("email", "out@example.org"),
            ],
            Some(&admin),
        )
        .await;
    assert!(
        res.body.contains("out@example.org added to the team."),
        "{}",
        res.body
    );
    assert!(res.body.contains("CVE-2026-7001: free"));

    let case = w.t.accepted_case().await;
    let coord = sign_in(&w, "coco@example.org").await;
    let page = w.get(&format!("/cases/{case}"), Some(&coord)).await.body;
    assert!(page.contains("Add a team as Developers") && page.contains("Upstream maintainers"));
    let csrf = form_values_csrf(&page);
    let res = w
        .post_form(
            &format!("/cases/{case}/team"),
            &[("csrf", &csrf), ("team", &team)],
            Some(&coord),
        )
        .await;
    assert!(
        res.body.contains("Added as Developers: Otto Sider."),
        "{}",
        res.body
    );

    let dev = sign_in(&w, "dev@example.org").await;
    let editor = w
        .get(&format!("/cases/{case}/advisory"), Some(&dev))
        .await
        .body;
    assert!(editor.contains("Take one from the CNA pool") && editor.contains("2 free"));
    let csrf = form_values_csrf(&editor);
    let res = w
        .post_form(
            &format!("/cases/{case}/advisory/cve"),
            &[("csrf", &csrf)],
            Some(&dev),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let editor = w
        .get(&format!("/cases/{case}/advisory"), Some(&dev))
        .await
        .body;
    assert!(
        editor.contains("value=\"CVE-2026-7001\""),
        "the id is in the draft"
    );
    assert!(!editor.contains("Take one from the CNA pool"));
    // Saved vectors show their computed scores.
    let csrf = form_values_csrf(&editor);
    let res = w
        .post_form(
            &format!("/cases/{case}/advisory"),
            &[
                ("csrf", &csrf),
                ("revision", "1"),
                ("title", "T"),
                ("cve", "CVE-2026-7001"),
                ("cvss_v3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
                (
                    "cvss_v4",
                    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N",
                ),
            ],
            Some(&dev),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let editor = w
        .get(&format!("/cases/{case}/advisory"), Some(&dev))
        .await
        .body;
    assert!(editor.contains("<strong>9.8 critical</strong>"), "{editor}");
    assert!(editor.contains("<strong>6.9 medium</strong>"));
}

/// Posting to invitation links is limited per client address (each post may cost a
/// password hash); a made-up link is "not valid" until then, and nothing is stored.
#[tokio::test]
async fn invitation_posts_are_rate_limited() {
    let w = with_passwords().await;
    for _ in 0..20 {
        let res = w
            .post_form("/invite/made-up", &[("password", PASSWORD)], None)
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND);
    }
    let res = w
        .post_form("/invite/made-up", &[("password", PASSWORD)], None)
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers.contains_key("retry-after"));
}
