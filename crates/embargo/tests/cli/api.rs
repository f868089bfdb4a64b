//! API tokens and the `embargo case` commands over the JSON API.

use crate::support::*;

#[test]
fn an_issued_token_opens_the_api_and_only_for_its_person() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let out = run(embargo(dir.path()).args([
        "user",
        "token",
        "--json",
        "--email",
        "ada@example.org",
        "--name",
        "script",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(token.starts_with("emb_"));
    let missing = run(embargo(dir.path()).args([
        "user",
        "token",
        "--email",
        "nobody@example.org",
        "--name",
        "x",
    ]));
    assert_eq!(missing.status.code(), Some(4));
    let (_server, addr) = serve(dir.path());
    let ok = http_get_with(
        &addr,
        "/api/v1/cases",
        &format!("Authorization: Bearer {token}"),
    );
    assert!(
        ok.starts_with("HTTP/1.1 200") && ok.contains(r#""cases":[]"#),
        "{ok}"
    );
    let no = http_get_with(&addr, "/api/v1/cases", "Authorization: Bearer emb_wrong");
    assert!(no.starts_with("HTTP/1.1 401"), "{no}");
    // The token is stored only as a hash.
    assert_eq!(
        sql(
            dir.path(),
            &format!("SELECT count(*) FROM api_tokens WHERE token_hash = '{token}'")
        )
        .trim(),
        "0"
    );
}

#[test]
fn the_case_commands_work_over_the_api() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let out = run(embargo(dir.path()).args([
        "user",
        "token",
        "--json",
        "--email",
        "ada@example.org",
        "--name",
        "cli",
    ]));
    let token = serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (_server, addr) = serve(dir.path());
    let res = http_post_json(
        &addr,
        "/api/v1/reports",
        r#"{"project":"infra","title":"From the CLI","description":"d"}"#,
    );
    let id = json_body(&res)["case_id"].as_str().unwrap().to_string();
    let url = format!("http://{addr}");
    // The token comes from a file (or EMBARGO_TOKEN), not the command line, where the
    // process list would show it.
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, format!("{token}\n")).unwrap();
    let case = |args: &[&str]| {
        run(embargo(dir.path())
            .arg("case")
            .args(["--url", &url, "--token-file"])
            .arg(&token_file)
            .args(args))
    };
    let from_env = run(embargo(dir.path())
        .env("EMBARGO_TOKEN", &token)
        .args(["case", "--url", &url, "list"]));
    assert!(from_env.status.success(), "{}", text(&from_env.stderr));
    let none = run(embargo(dir.path()).args(["case", "--url", &url, "list"]));
    assert_eq!(none.status.code(), Some(4));
    assert!(text(&none.stderr).contains("--token-file FILE or EMBARGO_TOKEN"));

    let list = case(&["list"]);
    assert!(list.status.success(), "{}", text(&list.stderr));
    assert!(
        text(&list.stdout).contains("From the CLI"),
        "{}",
        text(&list.stdout)
    );
    let acted = case(&[
        "act",
        &id,
        "acknowledge",
        "message=Thanks from the terminal",
    ]);
    assert!(acted.status.success(), "{}", text(&acted.stderr));
    assert!(
        text(&acted.stdout).contains("state: acknowledged"),
        "{}",
        text(&acted.stdout)
    );
    let shown = case(&["show", &id, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(json["messages"][0]["body"], "Thanks from the terminal");
    let refused = case(&["act", &id, "accept"]);
    assert_eq!(refused.status.code(), Some(4));
    assert!(
        text(&refused.stderr).contains("accept is not possible while the case is acknowledged"),
        "{}",
        text(&refused.stderr)
    );
    // The advisory from a file, its preview and approval (Ada is admin and Coordinator).
    assert!(case(&["act", &id, "start_triage"]).status.success());
    assert!(case(&["act", &id, "accept"]).status.success());
    let file = dir.path().join("advisory.json");
    std::fs::write(
        &file,
        r#"{"title": "Bot leaks its token", "summary": "s", "description": "d",
            "cvss_v3": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
            "affected": [{"purl": "pkg:pypi/bot", "ranges": [{"introduced": "0", "fixed": "1.2"}]}]}"#,
    )
    .unwrap();
    let saved = case(&["advisory", &id, "--set", file.to_str().unwrap()]);
    assert!(saved.status.success(), "{}", text(&saved.stderr));
    assert!(
        text(&saved.stdout).contains("revision 1, preview not approved\nready to publish"),
        "{}",
        text(&saved.stdout)
    );
    let preview = case(&["preview", &id, "--json"]);
    let preview: serde_json::Value = serde_json::from_slice(&preview.stdout).unwrap();
    assert_eq!(preview["osv"]["affected"][0]["package"]["name"], "bot");
    let approved = case(&["approve", &id]);
    assert!(
        text(&approved.stdout).contains("preview approved"),
        "{}",
        text(&approved.stderr)
    );
    std::fs::write(&file, r#"{"cvss_v3": "CVSS:3.1/AV:N"}"#).unwrap();
    let refused = case(&["advisory", &id, "--set", file.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(4));
    assert!(
        text(&refused.stderr).contains("CVSS 3.1 vector"),
        "{}",
        text(&refused.stderr)
    );
    let bad = run(embargo(dir.path())
        .arg("case")
        .args(["--url", &url, "--token", "emb_nope", "list"]));
    assert_eq!(bad.status.code(), Some(3));
    assert!(text(&bad.stderr).contains("token was refused"));
}
