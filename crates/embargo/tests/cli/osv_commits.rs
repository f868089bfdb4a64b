//! OSV commit queries: GIT ranges answered from the commits `embargo osv index-commits`
//! works out from a real clone (a repository made with `git` here, with a release branch
//! that never got the fix).

use std::path::Path;
use std::process::Command;

use crate::support::*;

/// Commits `a - b - c - d(fix) - e` on main and `c - x - y` on a release branch; returns
/// each commit's hash by name.
fn repository(dir: &Path) -> std::collections::BTreeMap<&'static str, String> {
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=T", "-c", "user.email=t@example.org"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
        text(&out.stdout).trim().to_string()
    };
    std::fs::create_dir_all(dir).unwrap();
    git(&["init", "-q", "-b", "main"]);
    let mut hashes = std::collections::BTreeMap::new();
    let mut commit = |name: &'static str| {
        git(&["commit", "-q", "--allow-empty", "-m", name]);
        hashes.insert(name, git(&["rev-parse", "HEAD"]));
    };
    for name in ["a", "b", "c"] {
        commit(name);
    }
    git(&["branch", "release"]);
    for name in ["d", "e"] {
        commit(name);
    }
    git(&["checkout", "-q", "release"]);
    for name in ["x", "y"] {
        commit(name);
    }
    hashes
}

/// `embargo osv index-commits --repo REPO DIR` (with `--json` when asked).
fn index_commits(dir: &Path, repo: &str, clone: &Path, json: bool) -> std::process::Output {
    let mut cmd = embargo(dir);
    cmd.args(["osv", "index-commits"]);
    if json {
        cmd.arg("--json");
    }
    run(cmd.args(["--repo", repo]).arg(clone))
}

fn query(addr: &str, commit: &str) -> serde_json::Value {
    let body = serde_json::json!({ "commit": commit }).to_string();
    json_body(&http_post_json(addr, "/v1/query", &body))
}

#[test]
fn commit_queries_find_the_commits_a_git_range_affects_on_every_branch() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let clone = dir.path().join("widget");
    let c = repository(&clone);
    let advisory = serde_json::json!({
        "schema_version": "1.6.0",
        "id": "PYSEC-2026-1",
        "modified": "2026-05-01T00:00:00Z",
        "published": "2026-05-01T00:00:00Z",
        "summary": "Widget parses headers unsafely",
        "affected": [{
            "package": {"ecosystem": "PyPI", "name": "widget"},
            "ranges": [{
                "type": "GIT",
                "repo": "https://git.example.org/demo/widget",
                "events": [{"introduced": c["b"]}, {"fixed": c["d"]}]
            }]
        }]
    });
    let file = dir.path().join("PYSEC-2026-1.json");
    std::fs::write(&file, advisory.to_string()).unwrap();
    // Imported with a note: the model has no GIT ranges, the kept document has.
    let out = run(embargo(dir.path()).arg("import").arg(&file));
    assert!(
        text(&out.stderr).contains("osv index-commits"),
        "{}",
        text(&out.stderr)
    );

    // A directory that is no repository: one sentence, nothing indexed.
    let repo = "https://git.example.org/demo/widget";
    let out = index_commits(dir.path(), repo, dir.path(), false);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("is not a git repository"),
        "{}",
        text(&out.stderr)
    );

    // The repository named as the range names it, give or take `.git` and a slash.
    let out = index_commits(dir.path(), &format!("{repo}.git/"), &clone, true);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["advisories"], 1);
    // b, c on main; x, y on the release branch that never got the fix.
    assert_eq!(report["commits"], 4, "{report}");

    let (_server, addr) = serve(dir.path());
    for name in ["b", "c", "x", "y"] {
        let answer = query(&addr, &c[name]);
        assert_eq!(answer["vulns"][0]["id"], "PYSEC-2026-1", "{name}: {answer}");
    }
    for name in ["a", "d", "e"] {
        assert_eq!(query(&addr, &c[name]), serde_json::json!({}), "{name}");
    }
    // Upper-case hashes are the same commit; abbreviated ones find nothing, as on osv.dev.
    let upper = c["x"].to_ascii_uppercase();
    assert_eq!(query(&addr, &upper)["vulns"][0]["id"], "PYSEC-2026-1");
    assert_eq!(query(&addr, &c["x"][..12]), serde_json::json!({}));
}
