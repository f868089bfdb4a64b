//! `[cve_services]` and `embargo cve ...` as an operator uses them, against the local fake
//! of CVE Services (requests checked against its published OpenAPI description).

use std::path::Path;

use embargo_testkit::cve_services::FakeCveServices;

use crate::support::{embargo, init, run, serve_with, text};

const KEY: &str = "key-5f3a9c";

fn connect(dir: &Path, url: &str, key: &str) {
    std::fs::write(dir.join("data/cve-api-key"), format!("{key}\n")).unwrap();
    let cfg = dir.join("data/embargo.toml");
    let original = std::fs::read_to_string(&cfg).unwrap();
    let base = original
        .split("\n[cve_services]")
        .next()
        .unwrap()
        .to_string();
    std::fs::write(
        &cfg,
        format!(
            "{base}\n[cve_services]\nurl = \"{url}\"\nshort_name = \"example\"\nuser = \"bot@example.org\"\napi_key_file = \"cve-api-key\"\n"
        ),
    )
    .unwrap();
}

#[test]
fn an_operator_checks_reserves_and_synchronizes_ids() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let out = run(embargo(dir.path()).args(["cve", "check"]));
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("not configured"),
        "{}",
        text(&out.stderr)
    );

    let fake = FakeCveServices::start("example", "bot@example.org", KEY);
    connect(dir.path(), &fake.url(), KEY);
    let out = run(embargo(dir.path()).args(["cve", "check"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("organization: example") && shown.contains("roles: CNA"),
        "{shown}"
    );
    assert!(shown.contains("available: 1000"), "{shown}");

    let out = run(embargo(dir.path()).args(["cve", "reserve", "--count", "2", "--json"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["reserved"].as_array().unwrap().len(), 2);
    assert_eq!(
        (
            r["available_before"].as_u64(),
            r["available_after"].as_u64()
        ),
        (Some(1000), Some(998))
    );

    fake.reserve_elsewhere(&["CVE-2026-7001"], "RESERVED");
    let out = run(embargo(dir.path()).args(["cve", "sync"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("lists 3 ids: 1 new in the pool"),
        "{}",
        text(&out.stdout)
    );
    fake.assert_no_violations();
}

#[test]
fn wrong_credentials_stop_serve_with_a_sentence_and_an_outage_does_not() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let fake = FakeCveServices::start("example", "bot@example.org", KEY);
    connect(dir.path(), &fake.url(), "not-the-key");
    let out = run(embargo(dir.path()).args(["serve", "--listen", "127.0.0.1:0"]));
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("[cve_services]") && stderr.contains("did not accept the credentials"),
        "{stderr}"
    );
    assert!(!stderr.contains("not-the-key"));
    let out = run(embargo(dir.path()).args(["cve", "reserve"]));
    assert_eq!(out.status.code(), Some(4));

    connect(dir.path(), &fake.url(), KEY);
    fake.set_down(Some(503));
    let (_server, addr) = serve_with(dir.path(), &[]);
    assert!(crate::support::http_get(&addr, "/healthz").contains("200"));

    // The URL's shape and the key file are checked when the configuration is read.
    connect(dir.path(), "http://cve.example.org/api", KEY);
    let out = run(embargo(dir.path()).arg("config"));
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("must be https://"),
        "{}",
        text(&out.stderr)
    );
    connect(dir.path(), &fake.url(), "two words");
    let out = run(embargo(dir.path()).args(["cve", "check"]));
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("must hold the API key alone"),
        "{}",
        text(&out.stderr)
    );
}
