//! The policy's GitHub steps done by embargo, against a local fake of GitHub's REST API
//! built from GitHub's published OpenAPI description (every request is checked against it).

use std::sync::Arc;

use embargo_app::{App, Principal};
use embargo_core::{Advisory, CaseId, CaseState, Step};
use embargo_github::{Auth, GitHub, Settings};
use embargo_testkit::github::FakeGitHub;
use embargo_testkit::{TestApp, cases, days};
use serde_json::{Value, json};

use super::{setup, to, worker_on};

pub(super) const TOKEN: &str = "github_pat_0123456789abcdef";
pub(super) const OWNER: &str = "example-org";
pub(super) const REPO: &str = "example-org/build-bot";

/// embargo and the fake read the test's clock: rate limits reset on it.
pub(super) fn connected(t: &TestApp, fake: &FakeGitHub) -> App {
    connected_via(t, fake, "https://github.com")
}

/// [`connected`], fetching and pushing with git at `git_url`.
pub(super) fn connected_via(t: &TestApp, fake: &FakeGitHub, git_url: &str) -> App {
    let settings = Settings {
        api_url: fake.url(),
        git_url: git_url.into(),
        auth: Auth::Token(TOKEN.into()),
    };
    let clock = t.clock.clone();
    fake.set_now(&t.now().to_string());
    t.app
        .clone()
        .with_github(GitHub::new(settings, Arc::new(move || clock.now())).unwrap())
}

/// Moves the test's clock, and the fake's with it.
pub(super) fn advance(t: &TestApp, fake: &FakeGitHub, by: jiff::SignedDuration) {
    t.clock.advance(by);
    fake.set_now(&t.now().to_string());
}

/// The fake with the project's repository (public: GitHub requests CVEs for public
/// repositories only) and the team's GitHub accounts.
pub(super) fn fake_github(permissions: Value) -> FakeGitHub {
    let fake = FakeGitHub::start(TOKEN);
    fake.add_repo(OWNER, "build-bot", false, permissions);
    for login in ["coco-gh", "devi-gh", "dev2-gh", "rita-p"] {
        fake.add_user(login);
    }
    fake
}

pub(super) fn all_permissions() -> Value {
    json!({"security_advisories": "write", "issues": "write", "contents": "write", "actions": "write", "pull_requests": "read"})
}

pub(super) async fn logins(t: &TestApp, app: &App) {
    let p = t.people;
    for (who, login) in [(p.coordinator, "coco-gh"), (p.developer, "devi-gh")] {
        app.set_github_login(Principal::User(who), login, t.now())
            .await
            .unwrap();
    }
}

pub(super) fn calls(fake: &FakeGitHub, method: &str, suffix: &str) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r["method"] == method && r["path"].as_str().unwrap_or("").ends_with(suffix))
        .count()
}

pub(super) fn advisory_without_cve() -> Advisory {
    Advisory {
        cve: None,
        credits: vec![embargo_core::Credit {
            name: "Rita Porter".into(),
            kind: embargo_core::CreditKind::Finder,
            link: Some("https://github.com/rita-p".into()),
        }],
        ..cases::advisory()
    }
}

#[tokio::test]
async fn every_github_step_is_done_by_embargo_from_report_to_publication() {
    let (t, sink, _) = setup().await;
    let fake = fake_github(all_permissions());
    let app = connected(&t, &fake);
    let worker = worker_on(app.clone(), &sink, &t);
    let (coord, dev) = (
        Principal::User(t.people.coordinator),
        Principal::User(t.people.developer),
    );
    logins(&t, &app).await;
    let id = t.scheduled_case(7).await;
    t.approve_advisory(id, advisory_without_cve()).await;

    // Step 4 is the Coordinator's; a Developer may not open the drafts.
    assert!(app.open_github_drafts(dev, id, t.now()).await.is_err());
    assert_eq!(app.open_github_drafts(coord, id, t.now()).await.unwrap(), 1);
    worker.run_until_idle().await.unwrap();
    let on_github = fake.advisories();
    assert_eq!(on_github.len(), 1, "{on_github:?}");
    let draft = &on_github[0];
    assert_eq!(draft["state"], "draft");
    assert_eq!(draft["summary"], "Token leak in the build bot");
    let description = draft["description"].as_str().unwrap();
    assert!(
        description.contains("Debug logging printed"),
        "{description}"
    );
    assert!(
        !description.contains("Token leak in the build bot's") && !description.contains("private"),
        "only the advisory's public text goes to GitHub: {description}"
    );
    let mut people: Vec<&str> = draft["collaborating_users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["login"].as_str().unwrap())
        .collect();
    people.sort_unstable();
    assert_eq!(people, ["coco-gh", "devi-gh"]);
    assert_eq!(draft["credits"][0]["login"], "rita-p");
    let ghsa = draft["ghsa_id"].as_str().unwrap().to_string();
    let rows = t.store.github_drafts(id).await.unwrap();
    assert_eq!(rows[0].ghsa_id.as_deref(), Some(ghsa.as_str()));
    let case = t.store.case(id).await.unwrap();
    assert!(case.step_done(Step::DRAFT_ADVISORY) && case.step_done(Step::ADD_PEOPLE));

    // A second Developer joins: they become a collaborator; nothing else is re-created.
    app.set_github_login(Principal::User(t.people.developer2), "dev2-gh", t.now())
        .await
        .unwrap();
    app.add_developer(coord, id, t.people.developer2, t.now())
        .await
        .unwrap();
    worker.run_until_idle().await.unwrap();
    let on_github = fake.advisories();
    assert_eq!(on_github.len(), 1);
    assert_eq!(
        on_github[0]["collaborating_users"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(calls(&fake, "POST", "/security-advisories"), 1);
    // Removals follow: a person who removes their login leaves the drafts.
    app.set_github_login(Principal::User(t.people.developer2), "", t.now())
        .await
        .unwrap();
    worker.run_until_idle().await.unwrap();
    let users = fake.advisories()[0]["collaborating_users"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(users, 2);

    // Step 9: a CVE through GitHub; the id is recorded once GitHub assigns it.
    app.request_github_cve(dev, id, t.now()).await.unwrap();
    worker.run_until_idle().await.unwrap();
    assert_eq!(calls(&fake, "POST", "/cve"), 1);
    assert!(t.store.case(id).await.unwrap().step_done(Step::REQUEST_CVE));
    assert!(
        app.request_github_cve(dev, id, t.now()).await.is_err(),
        "a second request is refused"
    );
    fake.assign_cve(&ghsa, "CVE-2026-55501");
    advance(&t, &fake, jiff::SignedDuration::from_mins(16));
    worker.run_until_idle().await.unwrap();
    let row = &t.store.github_drafts(id).await.unwrap()[0];
    assert_eq!(row.cve_id.as_deref(), Some("CVE-2026-55501"));

    // Step 7 after the merge (step 12): refused before GitHub is asked for a fork.
    let e = app
        .create_github_fork(dev, id, REPO, t.now())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("step 12"), "{e}");
    assert_eq!(calls(&fake, "POST", "/forks"), 0);

    // Step 15: nothing is published on GitHub before the announcement time...
    advance(&t, &fake, days(6));
    worker.run_until_idle().await.unwrap();
    assert_eq!(fake.advisories()[0]["state"], "draft");
    // ...and at it, the draft is published with the approved text, keeping GitHub's CVE id.
    advance(&t, &fake, days(1));
    worker.run_until_idle().await.unwrap();
    assert_eq!(t.store.case(id).await.unwrap().state, CaseState::Published);
    let published = &fake.advisories()[0];
    assert_eq!(published["state"], "published");
    assert_eq!(published["cve_id"], "CVE-2026-55501");
    assert_eq!(
        t.store.github_drafts(id).await.unwrap()[0].state,
        "published"
    );
    fake.assert_no_violations();
    // The token never reaches a mail.
    assert!(sink.messages().iter().all(|m| !m.data.contains(TOKEN)));
}

/// A crash after GitHub opened the draft and before embargo stored its id: the retry
/// finds the draft and adopts it instead of opening a second one.
#[tokio::test]
async fn a_retry_after_a_crash_adopts_the_draft_github_already_holds() {
    let (t, sink, _) = setup().await;
    let fake = fake_github(all_permissions());
    let app = connected(&t, &fake);
    let worker = worker_on(app.clone(), &sink, &t);
    let id = accepted_with_advisory(&t).await;
    // The first attempt: the row claimed, the draft opened on GitHub, then the crash.
    let mut tx = t.store.begin().await.unwrap();
    tx.github_draft_opening(id, REPO, t.now()).await.unwrap();
    tx.commit().await.unwrap();
    let fields = embargo_formats::github::repository_advisory(&advisory_without_cve()).fields;
    let first = app
        .github()
        .unwrap()
        .create_advisory(REPO, fields)
        .await
        .unwrap();

    app.open_github_drafts(Principal::User(t.people.coordinator), id, t.now())
        .await
        .unwrap();
    worker.run_until_idle().await.unwrap();
    assert_eq!(fake.advisories().len(), 1, "no second draft");
    assert_eq!(calls(&fake, "POST", "/security-advisories"), 1);
    let row = &t.store.github_drafts(id).await.unwrap()[0];
    assert_eq!(row.ghsa_id.as_deref(), Some(first.ghsa_id.as_str()));

    // Step 7: the temporary private fork, recorded on the case once however often asked.
    let dev = Principal::User(t.people.developer);
    t.app.start_fixing(dev, id, t.now()).await.unwrap();
    let (fork, recorded) = app
        .create_github_fork(dev, id, REPO, t.now())
        .await
        .unwrap();
    assert!(fork.starts_with("example-org/build-bot-ghsa-"), "{fork}");
    assert!(recorded.is_some());
    let (again, recorded) = app
        .create_github_fork(dev, id, REPO, t.now())
        .await
        .unwrap();
    assert_eq!((again.as_str(), recorded), (fork.as_str(), None));
    let forks = t.store.case(id).await.unwrap().forks;
    assert_eq!(forks.iter().filter(|f| f.name.reveal() == &fork).count(), 1);
    let row = &t.store.github_drafts(id).await.unwrap()[0];
    assert_eq!(row.private_fork.as_deref(), Some(fork.as_str()));
    fake.assert_no_violations();
}

pub(super) async fn accepted_with_advisory(t: &TestApp) -> CaseId {
    let id = t.accepted_case().await;
    let coord = Principal::User(t.people.coordinator);
    t.app
        .save_advisory(coord, id, 0, advisory_without_cve(), t.now())
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn github_errors_become_sentences_on_the_case_and_rate_limits_are_waited_out() {
    let (t, sink, _) = setup().await;
    // No security_advisories permission: GitHub says which one is missing.
    let fake = fake_github(json!({"issues": "write", "contents": "read"}));
    let app = connected(&t, &fake);
    let worker = worker_on(app.clone(), &sink, &t);
    let coord = Principal::User(t.people.coordinator);
    let id = accepted_with_advisory(&t).await;
    app.open_github_drafts(coord, id, t.now()).await.unwrap();
    worker.run_until_idle().await.unwrap();
    let row = &t.store.github_drafts(id).await.unwrap()[0];
    let error = row.last_error.as_deref().unwrap();
    assert!(error.contains("security_advisories=write"), "{error}");
    assert!(error.contains(REPO), "{error}");
    assert!(row.ghsa_id.is_none());
    // It cannot get better by itself: the team is told at once.
    let team = to(&sink, "team@example.org");
    assert!(
        team.iter()
            .any(|m| m.data.contains("draft advisories on GitHub")),
        "{:?}",
        team.iter().map(|m| &m.data).collect::<Vec<_>>()
    );
    assert!(team.iter().all(|m| !m.data.contains(TOKEN)));

    // A validation error carries GitHub's field message.
    let fake = fake_github(all_permissions());
    let app = connected(&t, &fake);
    let worker = worker_on(app.clone(), &sink, &t);
    let id = accepted_with_advisory(&t).await;
    fake.fail_next(
        "POST",
        "/repos/{owner}/{repo}/security-advisories",
        422,
        json!({"message": "Validation Failed", "errors": [{"resource": "RepositoryAdvisory", "field": "vulnerabilities", "code": "invalid", "message": "package name is not valid for pip"}], "documentation_url": "https://docs.github.com/rest"}),
    );
    app.open_github_drafts(coord, id, t.now()).await.unwrap();
    worker.run_until_idle().await.unwrap();
    let row = &t.store.github_drafts(id).await.unwrap()[0];
    let error = row.last_error.as_deref().unwrap();
    assert!(
        error.contains("package name is not valid for pip"),
        "{error}"
    );

    // The primary rate limit: the job waits until GitHub's reset, then succeeds.
    let id = accepted_with_advisory(&t).await;
    fake.rate_limit(1, "primary", 600);
    app.open_github_drafts(coord, id, t.now()).await.unwrap();
    let ran = worker.run_until_idle().await.unwrap();
    let retry_at = ran.iter().find_map(|r| match r {
        embargo_worker::Ran::Retry { kind, at } if kind == "github_drafts" => Some(*at),
        _ => None,
    });
    let retry_at = retry_at.expect("the job is retried");
    assert!(
        retry_at >= t.now() + jiff::SignedDuration::from_secs(590),
        "retried at {retry_at}, before the rate limit resets"
    );
    let row = &t.store.github_drafts(id).await.unwrap()[0];
    assert!(
        row.last_error.as_deref().unwrap().contains("rate limit"),
        "{row:?}"
    );
    advance(&t, &fake, jiff::SignedDuration::from_mins(11));
    worker.run_until_idle().await.unwrap();
    let row = &t.store.github_drafts(id).await.unwrap()[0];
    assert!(row.ghsa_id.is_some() && row.last_error.is_none(), "{row:?}");

    // A secondary rate limit: Retry-After is the wait.
    let id = accepted_with_advisory(&t).await;
    fake.secondary_rate_limit(1, 403, 120);
    app.open_github_drafts(coord, id, t.now()).await.unwrap();
    let ran = worker.run_until_idle().await.unwrap();
    let retry_at = ran.iter().find_map(|r| match r {
        embargo_worker::Ran::Retry { kind, at } if kind == "github_drafts" => Some(*at),
        _ => None,
    });
    assert!(retry_at.unwrap() >= t.now() + jiff::SignedDuration::from_secs(120));

    // An outage: retried with the backoff; nothing is opened twice once GitHub is back.
    let id = accepted_with_advisory(&t).await;
    fake.set_down(Some(503));
    app.open_github_drafts(coord, id, t.now()).await.unwrap();
    worker.run_until_idle().await.unwrap();
    let row = &t.store.github_drafts(id).await.unwrap()[0];
    assert!(
        row.last_error
            .as_deref()
            .unwrap()
            .contains("GitHub is unavailable"),
        "{row:?}"
    );
    fake.set_down(None);
    advance(&t, &fake, jiff::SignedDuration::from_mins(30));
    worker.run_until_idle().await.unwrap();
    let row = &t.store.github_drafts(id).await.unwrap()[0];
    assert!(row.ghsa_id.is_some() && row.last_error.is_none(), "{row:?}");
    // One draft each for the rate-limited cases and this one; none for the refused one.
    assert_eq!(fake.advisories().len(), 3);
    fake.assert_no_violations();
}

#[tokio::test]
async fn without_github_nothing_changes() {
    let (t, _sink, _) = setup().await;
    let id = accepted_with_advisory(&t).await;
    let coord = Principal::User(t.people.coordinator);
    assert!(t.app.github_panel(coord, id).await.unwrap().is_none());
    let e = t
        .app
        .open_github_drafts(coord, id, t.now())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("[github]"), "{e}");
    // Every step can still be signed off by hand.
    t.app
        .complete_step(coord, id, 4, Some("opened by hand".into()), t.now())
        .await
        .unwrap();
}

/// A key pair for the App, made by the validators' Python (`cryptography`): the private
/// key as GitHub hands it out (PKCS#1 PEM), the public key for the fake.
fn app_key_pair() -> (String, String) {
    let script = "from cryptography.hazmat.primitives.asymmetric import rsa\n\
from cryptography.hazmat.primitives import serialization as s\n\
k = rsa.generate_private_key(public_exponent=65537, key_size=2048)\n\
print(k.private_bytes(s.Encoding.PEM, s.PrivateFormat.TraditionalOpenSSL, s.NoEncryption()).decode(), end='')\n\
print(k.public_key().public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo).decode(), end='')\n";
    let out = std::process::Command::new(embargo_validators::python())
        .args(["-c", script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let split = text.find("-----BEGIN PUBLIC KEY-----").unwrap();
    (text[..split].to_string(), text[split..].to_string())
}

#[tokio::test]
async fn a_github_app_mints_an_installation_token_once_and_reuses_it() {
    let (t, sink, _) = setup().await;
    let (private_pem, public_pem) = app_key_pair();
    let fake = FakeGitHub::start_app(TOKEN, 424242, &public_pem);
    fake.add_repo(OWNER, "build-bot", false, all_permissions());
    fake.add_installation(OWNER, 77);
    fake.add_user("rita-p");
    fake.set_now(&t.now().to_string());
    let clock = t.clock.clone();
    let settings = Settings {
        api_url: fake.url(),
        git_url: "https://github.com".into(),
        auth: Auth::App {
            app_id: "424242".into(),
            private_key_pem: private_pem,
        },
    };
    let client = GitHub::new(settings, Arc::new(move || clock.now())).unwrap();
    assert!(client.whoami().await.unwrap().contains("(id 424242)"));
    let app = t.app.clone().with_github(client);
    let worker = worker_on(app.clone(), &sink, &t);
    let id = accepted_with_advisory(&t).await;
    app.open_github_drafts(Principal::User(t.people.coordinator), id, t.now())
        .await
        .unwrap();
    worker.run_until_idle().await.unwrap();
    assert_eq!(fake.advisories().len(), 1);
    let access = app.github().unwrap().check_repository(REPO).await.unwrap();
    assert!(access.advisories_readable);
    assert!(
        access
            .permissions
            .iter()
            .any(|p| p.starts_with("security_advisories=")),
        "{access:?}"
    );
    assert_eq!(
        fake.tokens_minted(),
        1,
        "the installation token is kept until it expires"
    );
    // Close to its expiry (an hour), a new one is minted.
    advance(&t, &fake, jiff::SignedDuration::from_mins(56));
    app.github().unwrap().check_repository(REPO).await.unwrap();
    assert_eq!(fake.tokens_minted(), 2);
    fake.assert_no_violations();
    // A key GitHub does not know is refused with a sentence naming the configuration.
    let (other_key, _) = app_key_pair();
    let clock = t.clock.clone();
    let wrong = GitHub::new(
        Settings {
            api_url: fake.url(),
            git_url: "https://github.com".into(),
            auth: Auth::App {
                app_id: "424242".into(),
                private_key_pem: other_key,
            },
        },
        Arc::new(move || clock.now()),
    )
    .unwrap();
    let e = wrong.whoami().await.unwrap_err();
    assert!(e.sentence.contains("[github]"), "{e}");
    assert!(!e.is_temporary());
}
