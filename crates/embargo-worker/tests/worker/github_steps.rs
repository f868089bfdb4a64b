//! The policy's GitHub steps beyond the drafts: the tracking repository (steps 2, 18), the
//! forks' pull requests (12), the private CI mirror (8), and the whole policy in one run,
//! against the fake of GitHub's REST API and a real git server on loopback.

use embargo_app::Principal;
use embargo_core::{CaseState, Step};
use embargo_testkit::{cases, days};
use serde_json::Value;

use super::github::{
    OWNER, REPO, TOKEN, accepted_with_advisory, advance, advisory_without_cve, all_permissions,
    calls, connected, connected_via, fake_github, logins,
};
use super::{setup, worker_on};

const TRACKING: &str = "example-org/security-tracking";

/// Steps 2 and 18: an issue per accepted case in the private tracking repository, kept up
/// to date with the case, closed with it, and never opened twice.
#[tokio::test]
async fn the_tracking_repository_follows_each_accepted_case() {
    let (t, sink, _) = setup().await;
    let fake = fake_github(all_permissions());
    fake.add_repo(OWNER, "security-tracking", true, all_permissions());
    let app = connected(&t, &fake).with_tracking(embargo_app::TrackingSettings {
        repository: TRACKING.into(),
        report_text: false,
    });
    let worker = worker_on(app.clone(), &sink, &t);
    let coord = Principal::User(t.people.coordinator);
    let id = t.submit().await.case_id;
    app.acknowledge(coord, id, "Thanks.", t.now())
        .await
        .unwrap();
    app.start_triage(coord, id, t.now()).await.unwrap();
    worker.run_until_idle().await.unwrap();
    assert_eq!(
        calls(&fake, "POST", "/issues"),
        0,
        "nothing before acceptance"
    );
    app.accept(coord, id, t.now()).await.unwrap();
    worker.run_until_idle().await.unwrap();
    let reference = t.store.case_reference(id).await.unwrap();
    let client = app.github().unwrap();
    let issues = client
        .issues_titled(TRACKING, &format!("[{reference}]"))
        .await
        .unwrap();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].state, "open");
    let issue = t.store.tracking_issue(id).await.unwrap().unwrap();
    assert_eq!(issue.number, Some(issues[0].number as i64));
    let report = t.store.report(id).await.unwrap();
    let sent: Vec<Value> = fake
        .requests()
        .into_iter()
        .filter(|r| r["method"] == "POST" && r["path"].as_str().unwrap().ends_with("/issues"))
        .collect();
    let body = sent[0]["body"]["body"].as_str().unwrap();
    assert!(
        body.contains("accepted") && body.contains(&format!("/cases/{id}")),
        "{body}"
    );
    assert!(
        !body.contains(&report.content.reveal().description),
        "the report's text stays out unless configured"
    );

    // A change of the case updates the issue; nothing changed sends nothing.
    let deadline = t.store.case(id).await.unwrap().deadlines.disclose_by;
    app.extend_disclosure(
        coord,
        id,
        deadline + days(10),
        "the fix needs a release train",
        t.now(),
    )
    .await
    .unwrap();
    worker.run_until_idle().await.unwrap();
    assert_eq!(
        calls(&fake, "PATCH", &format!("/issues/{}", issues[0].number)),
        1
    );
    app.refresh_github(coord, id, t.now()).await.ok();
    worker.run_until_idle().await.unwrap();
    assert_eq!(calls(&fake, "POST", "/issues"), 1);

    // Closed with the case.
    app.withdraw(Principal::Reporter(id), id, "Not a bug after all.", t.now())
        .await
        .unwrap();
    worker.run_until_idle().await.unwrap();
    let issues = client
        .issues_titled(TRACKING, &format!("[{reference}]"))
        .await
        .unwrap();
    assert_eq!(issues[0].state, "closed");

    // A crash after GitHub opened another case's issue: the retry adopts it.
    let other = t.submit().await.case_id;
    let other_ref = t.store.case_reference(other).await.unwrap();
    let mut tx = t.store.begin().await.unwrap();
    tx.tracking_issue_opening(other, TRACKING, t.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    client
        .create_issue(TRACKING, &format!("[{other_ref}] left by a crash"), "")
        .await
        .unwrap();
    app.acknowledge(coord, other, "Thanks.", t.now())
        .await
        .unwrap();
    app.start_triage(coord, other, t.now()).await.unwrap();
    app.accept(coord, other, t.now()).await.unwrap();
    worker.run_until_idle().await.unwrap();
    let found = client
        .issues_titled(TRACKING, &format!("[{other_ref}]"))
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].title.contains("Token leak"),
        "updated in place: {found:?}"
    );
    fake.assert_no_violations();
}

/// Step 12: whether the fork's pull request was merged shows once GitHub is read again.
#[tokio::test]
async fn a_forks_merged_pull_request_shows_on_the_case() {
    let (t, sink, _) = setup().await;
    let fake = fake_github(all_permissions());
    let app = connected(&t, &fake);
    let worker = worker_on(app.clone(), &sink, &t);
    let (coord, dev) = (
        Principal::User(t.people.coordinator),
        Principal::User(t.people.developer),
    );
    let id = accepted_with_advisory(&t).await;
    app.open_github_drafts(coord, id, t.now()).await.unwrap();
    worker.run_until_idle().await.unwrap();
    app.start_fixing(dev, id, t.now()).await.unwrap();
    let (fork, _) = app
        .create_github_fork(dev, id, REPO, t.now())
        .await
        .unwrap();
    let (owner, name) = fork.split_once('/').unwrap();
    fake.add_pull(owner, name, 1, "fix-token-leak", true);
    fake.add_pull(owner, name, 2, "more-tests", false);
    app.refresh_github(dev, id, t.now()).await.unwrap();
    worker.run_until_idle().await.unwrap();
    let row = &t.store.github_drafts(id).await.unwrap()[0];
    let pulls: Vec<Value> = serde_json::from_str(&row.pull_requests).unwrap();
    assert_eq!(pulls.len(), 2, "{pulls:?}");
    let merged: Vec<bool> = pulls.iter().map(|p| p["merged_at"].is_string()).collect();
    assert!(
        merged.contains(&true) && merged.contains(&false),
        "{pulls:?}"
    );
    // Outsiders may not ask.
    let outsider = Principal::User(t.people.outsider);
    assert!(app.refresh_github(outsider, id, t.now()).await.is_err());
    fake.assert_no_violations();
}

/// Step 8: a fork's branch runs CI on the organization's private mirror (a real git
/// server on loopback stands in for github.com's git), its runs show on the case, and the
/// mirror branch is deleted at publication.
#[tokio::test]
async fn a_forks_branch_runs_ci_on_the_private_mirror_until_publication() {
    let (t, sink, _) = setup().await;
    let fake = fake_github(all_permissions());
    fake.add_repo(OWNER, "embargo-ci", true, all_permissions());
    let git = embargo_testkit::git_daemon::GitDaemon::start();
    let fork = "example-org/fork-private"; // recorded by scheduled_case
    let sha = git.commit(fork, "fix", "fix.txt", "the fix");
    git.create("example-org/embargo-ci");
    let app = connected_via(&t, &fake, &git.url()).with_ci_mirror(embargo_app::CiMirrorSettings {
        repository: "example-org/embargo-ci".into(),
        workflow: Some("ci.yml".into()),
    });
    let worker = worker_on(app.clone(), &sink, &t);
    let dev = Principal::User(t.people.developer);
    let id = t.scheduled_case(7).await;
    t.approve_advisory(id, advisory_without_cve()).await;

    let bad = app
        .mirror_ci(dev, id, "example-org/not-a-fork", "fix", t.now())
        .await;
    assert!(
        bad.unwrap_err()
            .to_string()
            .contains("not one of the case's forks")
    );
    let outsider = Principal::User(t.people.outsider);
    assert!(
        app.mirror_ci(outsider, id, fork, "fix", t.now())
            .await
            .is_err()
    );
    // A branch that does not exist: a sentence on the case, and the fork's and branch's
    // names (private) stay out of it, of the team's alert mail, and of the job's error.
    app.mirror_ci(dev, id, fork, "no-such-branch", t.now())
        .await
        .unwrap();
    worker.run_until_idle().await.unwrap();
    let failed = t
        .store
        .ci_mirrors(id)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.branch == "no-such-branch")
        .unwrap();
    let error = failed.last_error.unwrap();
    assert!(error.contains("git failed"), "{error}");
    assert!(
        !error.contains("fork-private") && !error.contains("no-such-branch"),
        "{error}"
    );
    assert!(
        sink.messages()
            .iter()
            .all(|m| !m.data.contains("fork-private") && !m.data.contains("no-such-branch"))
    );
    let mirror_branch = app.mirror_ci(dev, id, fork, "fix", t.now()).await.unwrap();
    worker.run_until_idle().await.unwrap();
    assert_eq!(
        git.branch("example-org/embargo-ci", &mirror_branch),
        Some(sha.clone())
    );
    let dispatched = fake.dispatches();
    assert_eq!(dispatched.len(), 1, "{dispatched:?}");
    assert_eq!(dispatched[0]["workflow_id"], "ci.yml");
    let mirrors = t.store.ci_mirrors(id).await.unwrap();
    let row = mirrors.iter().find(|m| m.branch == "fix").unwrap();
    assert_eq!(row.sha.as_deref(), Some(sha.as_str()));

    // The run finishes; the next read (every five minutes) takes its result.
    fake.add_run(
        OWNER,
        "embargo-ci",
        &sha,
        "completed",
        Some("success"),
        "CI",
    );
    advance(&t, &fake, jiff::SignedDuration::from_mins(6));
    worker.run_until_idle().await.unwrap();
    let mirrors = t.store.ci_mirrors(id).await.unwrap();
    let row = mirrors.iter().find(|m| m.branch == "fix").unwrap();
    assert!(row.runs.contains("\"success\""), "{}", row.runs);

    // Publication deletes the mirror branch.
    advance(&t, &fake, days(7));
    worker.run_until_idle().await.unwrap();
    assert_eq!(t.store.case(id).await.unwrap().state, CaseState::Published);
    assert_eq!(
        calls(&fake, "DELETE", &format!("/git/refs/heads/{mirror_branch}")),
        1
    );
    assert!(
        t.store.ci_mirrors(id).await.unwrap()[0]
            .deleted_at
            .is_some()
    );
    fake.assert_no_violations();
}

/// The whole policy with GitHub connected, every GitHub step done by embargo: a private
/// report on GitHub becomes a case (its advisory the case's draft), the tracking issue, the
/// collaborators, the private fork with CI on the mirror, the CVE, the publication at the
/// announcement time, and the issue closed with the case.
#[tokio::test]
async fn the_whole_policy_runs_on_github_from_a_private_report_to_its_publication() {
    let (t, sink, _) = setup().await;
    let fake = fake_github(all_permissions());
    fake.add_repo(OWNER, "security-tracking", true, all_permissions());
    fake.add_repo(OWNER, "embargo-ci", true, all_permissions());
    let git = embargo_testkit::git_daemon::GitDaemon::start();
    git.create("example-org/embargo-ci");
    let app = connected_via(&t, &fake, &git.url())
        .with_tracking(embargo_app::TrackingSettings {
            repository: TRACKING.into(),
            report_text: false,
        })
        .with_ci_mirror(embargo_app::CiMirrorSettings {
            repository: "example-org/embargo-ci".into(),
            workflow: None,
        });
    let worker = worker_on(app.clone(), &sink, &t);
    let (coord, dev) = (
        Principal::User(t.people.coordinator),
        Principal::User(t.people.developer),
    );
    logins(&t, &app).await;
    let now = || t.now();

    // The reporter uses GitHub's private vulnerability reporting; the webhook files it.
    let reported = fake.report(OWNER, "build-bot", "Token leak in the build bot");
    let remote = embargo_github::RemoteAdvisory::from_json(&reported).unwrap();
    let mut content = embargo_testkit::report("reporter@elsewhere.example");
    content.title = remote.summary.clone();
    let intake = embargo_app::Intake {
        channel: embargo_core::Channel::Forge,
        external_ref: Some(format!("github:{}", remote.ghsa_id)),
        ..embargo_testkit::intake(content)
    };
    let id = app.submit_report(intake, now()).await.unwrap().case_id;
    app.link_github_report(id, REPO, &remote, now())
        .await
        .unwrap();

    // Steps 1 to 3, then the tracking issue (2, 18) once accepted.
    app.acknowledge(coord, id, "Thanks, we are on it.", now())
        .await
        .unwrap();
    app.start_triage(coord, id, now()).await.unwrap();
    app.accept(coord, id, now()).await.unwrap();
    app.add_developer(coord, id, t.people.developer, now())
        .await
        .unwrap();
    app.save_advisory(coord, id, 0, advisory_without_cve(), now())
        .await
        .unwrap();

    // Step 4 fills in the reported advisory instead of opening a second one; step 5.
    app.open_github_drafts(coord, id, now()).await.unwrap();
    worker.run_until_idle().await.unwrap();
    let on_github = fake.advisories();
    assert_eq!(on_github.len(), 1, "{on_github:?}");
    assert_eq!(on_github[0]["ghsa_id"], remote.ghsa_id.as_str());
    assert_eq!(
        on_github[0]["description"]
            .as_str()
            .map(|d| d.contains("Debug logging")),
        Some(true)
    );
    assert_eq!(
        on_github[0]["collaborating_users"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let reference = t.store.case_reference(id).await.unwrap();
    let client = app.github().unwrap();
    let issues = client
        .issues_titled(TRACKING, &format!("[{reference}]"))
        .await
        .unwrap();
    assert_eq!(issues.len(), 1);

    // Step 7 and 8: the private fork, a fix on it, CI on the mirror, the manual test.
    app.start_fixing(dev, id, now()).await.unwrap();
    let (fork, fork_id) = app.create_github_fork(dev, id, REPO, now()).await.unwrap();
    let sha = git.commit(&fork, "fix", "fix.txt", "the fix");
    app.mirror_ci(dev, id, &fork, "fix", now()).await.unwrap();
    worker.run_until_idle().await.unwrap();
    fake.add_run(
        OWNER,
        "embargo-ci",
        &sha,
        "completed",
        Some("success"),
        "CI",
    );
    advance(&t, &fake, jiff::SignedDuration::from_mins(6));
    worker.run_until_idle().await.unwrap();
    assert!(
        t.store.ci_mirrors(id).await.unwrap()[0]
            .runs
            .contains("success")
    );
    app.sign_off_fork(
        dev,
        id,
        fork_id.unwrap(),
        Some("CI green on the mirror, tested by hand".into()),
        now(),
    )
    .await
    .unwrap();

    // Step 9: the CVE through GitHub, assigned while the fix is merged and released.
    app.request_github_cve(dev, id, now()).await.unwrap();
    worker.run_until_idle().await.unwrap();
    fake.assign_cve(&remote.ghsa_id, "CVE-2026-55777");
    let (owner, name) = fork.split_once('/').unwrap();
    fake.add_pull(owner, name, 1, "fix", true);
    for step in [6, 7, 12, 13] {
        app.complete_step(dev, id, step, None, now()).await.unwrap();
    }
    app.set_dates(dev, id, cases::dates(&t, 7), now())
        .await
        .unwrap();
    app.complete_step(dev, id, 10, None, now()).await.unwrap();
    app.complete_step(coord, id, 10, None, now()).await.unwrap();
    let current = app.advisory_editor(coord, id).await.unwrap().revision;
    app.approve_preview(coord, id, current, now())
        .await
        .unwrap();
    advance(&t, &fake, jiff::SignedDuration::from_mins(16));
    worker.run_until_idle().await.unwrap();
    let row = &t.store.github_drafts(id).await.unwrap()[0];
    assert_eq!(row.cve_id.as_deref(), Some("CVE-2026-55777"));
    assert!(
        row.pull_requests.contains("merged_at\":\""),
        "{}",
        row.pull_requests
    );
    let case = t.store.case(id).await.unwrap();
    for step in [Step::DRAFT_ADVISORY, Step::ADD_PEOPLE, Step::REQUEST_CVE] {
        assert!(
            case.step_done(step),
            "step {} is signed off by embargo",
            step.number()
        );
    }

    // Step 15 at the announcement time: the draft published with the CVE, the mirror gone.
    advance(&t, &fake, days(7));
    worker.run_until_idle().await.unwrap();
    assert_eq!(t.store.case(id).await.unwrap().state, CaseState::Published);
    let published = &fake.advisories()[0];
    assert_eq!(published["state"], "published");
    assert_eq!(published["cve_id"], "CVE-2026-55777");
    assert!(
        t.store.ci_mirrors(id).await.unwrap()[0]
            .deleted_at
            .is_some()
    );

    // Steps 17 and 18: the reporter is told (by embargo), the case closed, the issue too.
    let case = t.store.case(id).await.unwrap();
    assert!(case.step_done(Step::POST_DATES) && case.step_done(Step::NOTIFY_REPORTER));
    app.close(coord, id, now()).await.unwrap();
    worker.run_until_idle().await.unwrap();
    let issues = client
        .issues_titled(TRACKING, &format!("[{reference}]"))
        .await
        .unwrap();
    assert_eq!(issues[0].state, "closed");
    fake.assert_no_violations();
    assert!(sink.messages().iter().all(|m| !m.data.contains(TOKEN)));
}
