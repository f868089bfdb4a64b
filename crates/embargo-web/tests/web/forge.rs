//! GitHub's private vulnerability reports arriving by webhook.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use embargo_core::{Channel, CreditPreference};
use embargo_web::Site;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::support::{Res, Web, site};

const SECRET: &str = "It's a Secret to Everybody";

fn event(repo: &str, action: &str) -> String {
    serde_json::json!({
        "action": action,
        "repository_advisory": {
            "ghsa_id": "GHSA-abcd-1234-wxyz",
            "summary": "Path traversal in the artifact uploader",
            "description": "Uploading `../` names writes outside the cache.",
            "html_url": "https://github.com/example-org/build-bot/security/advisories/GHSA-abcd-1234-wxyz",
            "severity": "high",
            "vulnerabilities": [{"package": {"ecosystem": "pip", "name": "build-bot"}, "vulnerable_version_range": "< 2.4.1", "patched_versions": null}]
        },
        "repository": {"full_name": repo},
        "sender": {"login": "octo-reporter"}
    })
    .to_string()
}

fn sign(body: &str, secret: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

async fn deliver(w: &Web, kind: &str, body: &str, signature: &str) -> Res {
    let req = Request::post("/api/v1/webhooks/github")
        .header("content-type", "application/json")
        .header("x-github-event", kind)
        .header("x-hub-signature-256", signature)
        .body(Body::from(body.to_string()))
        .unwrap();
    w.send(req).await
}

async fn web() -> Web {
    Web::with_site(Site {
        github_webhook_secret: Some(SECRET.into()),
        ..site()
    })
    .await
}

#[test]
fn githubs_documented_example_signature_verifies() {
    // From GitHub's "Validating webhook deliveries" documentation.
    let sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    assert!(embargo_web::signature_ok(
        SECRET,
        b"Hello, World!",
        Some(sig)
    ));
    assert!(!embargo_web::signature_ok(
        SECRET,
        b"Hello, World?",
        Some(sig)
    ));
    assert!(!embargo_web::signature_ok(SECRET, b"Hello, World!", None));
}

#[tokio::test]
async fn a_reported_advisory_becomes_one_case() {
    let w = web().await;
    let body = event("Example-Org/build-bot", "reported");
    let res = deliver(&w, "repository_advisory", &body, &sign(&body, SECRET)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    let case_id = json["case_id"].as_str().unwrap().parse().unwrap();
    let report = w.t.store.report(case_id).await.unwrap();
    assert_eq!(report.channel, Channel::Forge);
    assert_eq!(
        report.external_ref.as_deref(),
        Some("github:GHSA-abcd-1234-wxyz")
    );
    let c = report.content.reveal();
    assert_eq!(c.title, "Path traversal in the artifact uploader");
    // Read by the formats crate's GitHub reader: a package URL and the range.
    assert_eq!(c.affected_versions, "pkg:pypi/build-bot < 2.4.1");
    assert!(
        c.description.contains("GHSA-abcd-1234-wxyz")
            && c.description
                .contains("severity suggested by the reporter: high")
    );
    assert_eq!(c.credit, CreditPreference::Handle("octo-reporter".into()));
    // GitHub redelivers: still one case.
    let again = deliver(&w, "repository_advisory", &body, &sign(&body, SECRET)).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(again.body.contains("\"duplicate\":true"));
    assert_eq!(w.case_count().await, 1);
}

#[tokio::test]
async fn bad_signatures_and_unknown_repositories_store_nothing() {
    let w = web().await;
    let body = event("example-org/build-bot", "reported");
    assert_eq!(
        deliver(&w, "repository_advisory", &body, &sign(&body, "wrong"))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        deliver(&w, "repository_advisory", &body, "sha256=zz")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let tampered = body.replace("build-bot", "build-bot2");
    assert_eq!(
        deliver(&w, "repository_advisory", &tampered, &sign(&body, SECRET))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let elsewhere = event("someone/else", "reported");
    let res = deliver(
        &w,
        "repository_advisory",
        &elsewhere,
        &sign(&elsewhere, SECRET),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("not in the installation's scope"),
        "{}",
        res.body
    );
    let published = event("example-org/build-bot", "published");
    assert_eq!(
        deliver(
            &w,
            "repository_advisory",
            &published,
            &sign(&published, SECRET)
        )
        .await
        .status,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        deliver(&w, "ping", "{}", &sign("{}", SECRET)).await.status,
        StatusCode::OK
    );
    assert_eq!(w.case_count().await, 0);
}

#[tokio::test]
async fn without_a_secret_the_endpoint_does_not_exist() {
    let w = Web::new().await;
    let body = event("example-org/build-bot", "reported");
    assert_eq!(
        deliver(&w, "repository_advisory", &body, &sign(&body, SECRET))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// `published` (and any later action) about an advisory a case holds updates the case:
/// the report's advisory is the case's draft in its repository.
#[tokio::test]
async fn later_events_update_the_case_that_holds_the_advisory() {
    let w = web().await;
    let body = event("example-org/build-bot", "reported");
    let res = deliver(&w, "repository_advisory", &body, &sign(&body, SECRET)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    let case_id: embargo_core::CaseId = json["case_id"].as_str().unwrap().parse().unwrap();
    let drafts = w.t.store.github_drafts(case_id).await.unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].ghsa_id.as_deref(), Some("GHSA-abcd-1234-wxyz"));
    assert_eq!(drafts[0].repository, "example-org/build-bot");

    let mut published: serde_json::Value =
        serde_json::from_str(&event("example-org/build-bot", "published")).unwrap();
    published["repository_advisory"]["state"] = "published".into();
    published["repository_advisory"]["cve_id"] = "CVE-2026-48001".into();
    let body = published.to_string();
    let res = deliver(&w, "repository_advisory", &body, &sign(&body, SECRET)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let row = &w.t.store.github_drafts(case_id).await.unwrap()[0];
    assert_eq!(row.state, "published");
    assert_eq!(row.cve_id.as_deref(), Some("CVE-2026-48001"));
    let audit = w.t.store.audit_of_case(case_id).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "github_cve_assigned"));

    // An advisory no case holds: acknowledged, nothing changes.
    let mut other = published.clone();
    other["repository_advisory"]["ghsa_id"] = "GHSA-zzzz-9999-wxyz".into();
    let body = other.to_string();
    let res = deliver(&w, "repository_advisory", &body, &sign(&body, SECRET)).await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.body);
    assert!(
        res.body.contains("no case holds GHSA-zzzz-9999-wxyz"),
        "{}",
        res.body
    );
    assert!(
        w.t.store
            .github_draft_by_ghsa("GHSA-zzzz-9999-wxyz")
            .await
            .unwrap()
            .is_none()
    );
}

/// The payloads GitHub sends, as the fake of GitHub builds them from its state (checked
/// against GitHub's webhook schemas): a private report becomes a case, its publication on
/// GitHub reaches that case.
#[tokio::test]
async fn githubs_own_payloads_file_a_case_and_update_it() {
    let fake = embargo_testkit::github::FakeGitHub::start("github_pat_forge");
    fake.add_repo(
        "example-org",
        "build-bot",
        false,
        serde_json::json!({"security_advisories": "write"}),
    );
    let reported = fake.report(
        "example-org",
        "build-bot",
        "Path traversal in the artifact uploader",
    );
    let ghsa = reported["ghsa_id"].as_str().unwrap().to_string();
    let w = web().await;
    let body = fake.webhook(&ghsa, "reported").to_string();
    let res = deliver(&w, "repository_advisory", &body, &sign(&body, SECRET)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    let case_id: embargo_core::CaseId = json["case_id"].as_str().unwrap().parse().unwrap();
    let report = w.t.store.report(case_id).await.unwrap();
    assert_eq!(
        report.content.reveal().title,
        "Path traversal in the artifact uploader"
    );
    assert_eq!(
        w.t.store.github_drafts(case_id).await.unwrap()[0].state,
        "triage"
    );

    // Published on GitHub (by hand there): the case records it.
    let client = embargo_github::GitHub::new(
        embargo_github::Settings {
            api_url: fake.url(),
            git_url: "https://github.com".into(),
            auth: embargo_github::Auth::Token("github_pat_forge".into()),
        },
        std::sync::Arc::new(|| jiff::Timestamp::UNIX_EPOCH),
    )
    .unwrap();
    client
        .update_advisory(
            "example-org/build-bot",
            &ghsa,
            serde_json::json!({"state": "published", "vulnerabilities": [{"package": {"ecosystem": "pip", "name": "build-bot"}, "vulnerable_version_range": "< 2.4.1", "patched_versions": "2.4.1"}]}),
        )
        .await
        .unwrap();
    let body = fake.webhook(&ghsa, "published").to_string();
    let res = deliver(&w, "repository_advisory", &body, &sign(&body, SECRET)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        w.t.store.github_drafts(case_id).await.unwrap()[0].state,
        "published"
    );
    fake.assert_no_violations();
}
