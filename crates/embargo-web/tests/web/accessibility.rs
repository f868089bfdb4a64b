//! Every kind of page through Deque's axe-core in headless Chromium: the public site, the
//! reporter's portal, the team's desk and the admin page, each with no serious or critical
//! violation of the WCAG rules axe checks.

use embargo_app::Principal;
use embargo_testkit::TestApp;
use fantoccini::Client;

use crate::browser::{browser_with, serve, sign_in, sign_out};
use crate::support::PASSWORD;

/// Runs axe on the page open in `c`; the serious and critical violations, one line each.
async fn violations(c: &Client, axe: &str) -> Vec<String> {
    c.execute(axe, vec![]).await.unwrap();
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {resultTypes: ['violations']})
               .then(r => done(r.violations))
               .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));",
            vec![],
        )
        .await
        .unwrap();
    found
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| {
            let targets: Vec<String> = v["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .take(3)
                .map(|n| n["target"].to_string())
                .collect();
            format!(
                "{} ({}): {} at {}",
                v["id"].as_str().unwrap_or("?"),
                v["impact"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or("?"),
                targets.join(", ")
            )
        })
        .collect()
}

/// Opens `path` and adds its violations to `found`.
async fn check(c: &Client, base: &str, path: &str, axe: &str, found: &mut Vec<String>) {
    c.goto(&format!("{base}{path}")).await.unwrap();
    for v in violations(c, axe).await {
        found.push(format!("{path}: {v}"));
    }
}

#[tokio::test]
async fn no_page_has_a_serious_or_critical_accessibility_violation() {
    let axe_path = embargo_validators::axe_core();
    let axe = std::fs::read_to_string(&axe_path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (scripts/test.sh installs axe-core with the validators)",
            axe_path.display()
        )
    });
    let t = TestApp::new().await;
    for u in [t.people.coordinator, t.people.admin] {
        t.app
            .set_password(Principal::Operator, u, PASSWORD, t.now())
            .await
            .unwrap();
    }
    let fresh = t.submit().await;
    let accepted = t.accepted_case().await;
    let doc = serde_json::json!({
        "id": "PYSEC-2099-5", "modified": "2024-06-01T10:00:00Z", "published": "2024-05-01T10:00:00Z",
        "aliases": ["CVE-2099-0001"], "summary": "Unsafe unpacking in stretchy",
        "details": "Archives are unpacked without checking entry names.",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "stretchy"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2"}]}]}]
    });
    let item = embargo_formats::import::from_json(&doc.to_string(), t.now()).unwrap();
    t.app
        .import_published(Principal::Operator, &[item], t.now())
        .await
        .unwrap();

    let (base, server) = serve(&t).await;
    let profile = tempfile::tempdir().unwrap();
    let (_driver, c) = browser_with(profile.path(), true).await;

    // The check itself: a page with an image without text and an unlabelled field fails.
    c.goto("data:text/html,<html><body><img src='x.png'><input type='text'></body></html>")
        .await
        .unwrap();
    let broken = violations(&c, &axe).await;
    assert!(
        broken.iter().any(|v| v.starts_with("image-alt"))
            && broken.iter().any(|v| v.starts_with("label")),
        "{broken:?}"
    );

    let mut found: Vec<String> = Vec::new();
    // The public site and the reporter's side.
    for path in [
        "/",
        "/report",
        "/advisories",
        "/advisories/PYSEC-2099-5",
        "/advisories/NOPE-0000",
        "/portal/lost",
        "/login",
    ] {
        check(&c, &base, path, &axe, &mut found).await;
    }
    let portal = format!("/portal/{}", fresh.portal_token);
    check(&c, &base, &portal, &axe, &mut found).await;

    // The desk, as a Coordinator, then the admin page.
    sign_in(&c, &base, "coco@example.org").await;
    for path in [
        "/cases".to_string(),
        "/cases?q=token&view=all".to_string(),
        format!("/cases/{}", fresh.case_id),
        format!("/cases/{accepted}"),
        format!("/cases/{accepted}/advisory"),
        "/statistics".to_string(),
        "/account".to_string(),
    ] {
        check(&c, &base, &path, &axe, &mut found).await;
    }
    sign_out(&c).await;
    sign_in(&c, &base, "admin@example.org").await;
    check(&c, &base, "/admin", &axe, &mut found).await;

    c.close().await.unwrap();
    server.abort();
    assert!(
        found.is_empty(),
        "accessibility violations:\n{}",
        found.join("\n")
    );
}
