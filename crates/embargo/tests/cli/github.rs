//! `[github]` and `embargo github check` as an operator uses them, against the local fake
//! of GitHub's REST API (requests checked against GitHub's OpenAPI description).

use std::path::Path;

use embargo_testkit::github::FakeGitHub;
use serde_json::json;

use crate::support::{embargo, init, run, text};

const TOKEN: &str = "github_pat_cli_0123456789";

fn connect(dir: &Path, section: &str) {
    let cfg = dir.join("data/embargo.toml");
    let original = std::fs::read_to_string(&cfg).unwrap();
    let base = original.split("\n[github]").next().unwrap().to_string();
    std::fs::write(&cfg, format!("{base}\n[github]\n{section}\n")).unwrap();
}

#[test]
fn an_operator_checks_what_the_credentials_may_do() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let out = run(embargo(dir.path()).args(["github", "check"]));
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("GitHub is not configured"),
        "{}",
        text(&out.stderr)
    );

    let fake = FakeGitHub::start(TOKEN);
    fake.add_repo(
        "example-org",
        "build-bot",
        true,
        json!({"security_advisories": "write"}),
    );
    let out = run(embargo(dir.path()).args([
        "project",
        "add",
        "bots",
        "Bots",
        "--repo",
        "example-org/build-bot",
        "--repo",
        "example-org/missing",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    std::fs::write(dir.path().join("data/github-token"), format!("{TOKEN}\n")).unwrap();
    connect(
        dir.path(),
        &format!(
            "api_url = \"{}\"\ntoken_file = \"github-token\"",
            fake.url()
        ),
    );
    let out = run(embargo(dir.path()).args(["github", "check"]));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("signed in as the GitHub user"), "{stderr}");
    assert!(
        stderr.contains("example-org/build-bot: private")
            && stderr.contains("security advisories readable"),
        "{stderr}"
    );
    assert!(
        stderr.contains("example-org/missing: GitHub found nothing"),
        "{stderr}"
    );
    assert!(!stderr.contains(TOKEN));
    fake.assert_no_violations();

    // A wrong token is a sentence naming the section; the token never shows.
    std::fs::write(dir.path().join("data/github-token"), "github_pat_wrong\n").unwrap();
    let out = run(embargo(dir.path()).args(["github", "check"]));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("[github]") && stderr.contains("HTTP 401"),
        "{stderr}"
    );
    assert!(!stderr.contains("github_pat_wrong"));

    // Both kinds of credentials, or neither: refused when the configuration is read.
    connect(
        dir.path(),
        "token_file = \"github-token\"\napp_id = \"1\"\nprivate_key_file = \"k.pem\"",
    );
    let out = run(embargo(dir.path()).arg("config"));
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("give either app_id"),
        "{}",
        text(&out.stderr)
    );
    connect(
        dir.path(),
        "api_url = \"http://api.github.example\"\ntoken_file = \"github-token\"",
    );
    let out = run(embargo(dir.path()).arg("config"));
    assert!(
        text(&out.stderr).contains("must be https://"),
        "{}",
        text(&out.stderr)
    );
}
