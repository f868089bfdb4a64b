//! Property-based tests of the JSON API from its own OpenAPI document, with Schemathesis.
//!
//! A real installation is served; Schemathesis reads `/api/v1/openapi.json` from it and
//! sends every operation valid and invalid inputs (its examples, coverage, fuzzing and
//! stateful phases), once as each role and once anonymously. Each run must end with no
//! response with a 5xx status and none that breaks the document's own schemas, status
//! codes or content types.
//!
//! Checks: `not_a_server_error` and `response_schema_conformance` (formats included) are
//! the point; `status_code_conformance` and `content_type_conformance` are on too, because
//! every status and content type the API answers is documented (they produced no noise).
//! Left out on purpose: `positive_data_acceptance`, `negative_data_rejection` and
//! `missing_required_header` judge how precisely the document describes *inputs*, and
//! refuse legitimate behaviour: business rules no schema expresses (an empty message to
//! the reporter, a project outside the scope, a revision that is not the current one)
//! answer 422/409 to schema-valid data, and the GitHub webhook answers 404 without its
//! signature header while no webhook secret is configured.
//!
//! Reproducible: a fixed seed, one worker, no example database and no cache. The only
//! network is 127.0.0.1. On failure the test prints Schemathesis' output, which names the
//! operation, the check and a curl command that reproduces it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

/// The seed of every run (Schemathesis' `--seed`, Hypothesis' seed).
const SEED: &str = "20261130";
/// Test cases per operation in the fuzzing phase; the examples, coverage and stateful
/// phases add their own (a run sends roughly 900 requests).
const MAX_EXAMPLES: &str = "10";

fn schemathesis() -> PathBuf {
    let exe = embargo_validators::install_dir().join("venv/bin/schemathesis");
    assert!(
        exe.exists(),
        "Schemathesis is not installed in {}: run `bash vendor/validators/setup.sh {}`",
        embargo_validators::install_dir().display(),
        embargo_validators::install_dir().display()
    );
    exe
}

/// One HTTP/1.1 request over loopback; answers the status and the body.
fn request(
    addr: &str,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> (u16, serde_json::Value) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {out:?}"));
    let (_, body) = out.split_once("\r\n\r\n").unwrap();
    (status, serde_json::from_str(body).unwrap_or_default())
}

fn add_user(dir: &Path, email: &str, name: &str, flags: &[&str]) {
    let out = run(embargo(dir)
        .args(["user", "add", "--email", email, "--name", name])
        .args(flags));
    assert!(out.status.success(), "{}", text(&out.stderr));
}

fn token(dir: &Path, email: &str) -> String {
    let out = run(embargo(dir).args([
        "user", "token", "--json", "--email", email, "--name", "fuzz",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

fn file_report(addr: &str, title: &str) -> String {
    let res = http_post_json(
        addr,
        "/api/v1/reports",
        &serde_json::json!({
            "project": "infra",
            "title": title,
            "description": "Steps in the attachment.",
            "reporter_name": "Rita",
            "credit_kind": "name",
            "credit_value": "Rita",
        })
        .to_string(),
    );
    assert!(res.starts_with("HTTP/1.1 201"), "{res}");
    json_body(&res)["case_id"].as_str().unwrap().to_string()
}

/// Fresh cases for one run, so each run starts from the same states whatever the runs
/// before it did: one just received, one accepted with Dev as its Developer and an
/// approved advisory draft, one marked as spam (closed).
fn cases(addr: &str, coordinator: &str, run: &str) -> Vec<String> {
    let act = |id: &str, action: serde_json::Value| {
        let (status, body) = request(
            addr,
            "POST",
            &format!("/api/v1/cases/{id}/actions"),
            coordinator,
            &action.to_string(),
        );
        assert_eq!(status, 200, "{action}: {body}");
    };
    let received = file_report(addr, &format!("{run}: received"));
    let accepted = file_report(addr, &format!("{run}: accepted"));
    for action in [
        serde_json::json!({"action": "acknowledge", "message": "Thanks, we are on it."}),
        serde_json::json!({"action": "start_triage"}),
        serde_json::json!({"action": "accept"}),
        serde_json::json!({"action": "add_developer", "email": "dev@example.org"}),
    ] {
        act(&accepted, action);
    }
    let advisory = serde_json::json!({"revision": 0, "advisory": {
        "title": "Bot leaks its token", "summary": "s", "description": "d",
        "cvss_v3": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
        "cwes": ["CWE-200"],
        "affected": [{"purl": "pkg:pypi/bot", "ranges": [{"introduced": "0", "fixed": "1.2"}]}],
    }});
    let path = format!("/api/v1/cases/{accepted}/advisory");
    let (status, body) = request(addr, "PUT", &path, coordinator, &advisory.to_string());
    assert_eq!(status, 200, "{body}");
    let (status, body) = request(
        addr,
        "POST",
        &format!("{path}/approve"),
        coordinator,
        r#"{"revision": 1}"#,
    );
    assert_eq!(status, 200, "{body}");
    let spam = file_report(addr, &format!("{run}: spam"));
    act(&spam, serde_json::json!({"action": "mark_spam"}));
    vec![received, accepted, spam]
}

/// The configuration of one run: the role's token, and real values for the path's case
/// id, the report's project, people's e-mail addresses and revisions (each used with a
/// probability, so generated values are still sent too).
fn config(token: Option<&str>, cases: &[String]) -> String {
    let auth = token.map_or_else(String::new, |t| {
        format!("[auth.openapi.token]\nbearer = \"{t}\"\n\n")
    });
    let cases = cases
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"{auth}[cache]
enabled = false

[dictionaries.cases]
values = [{cases}]

[dictionaries.projects]
values = ["infra"]

[dictionaries.people]
values = ["dev@example.org", "cora@example.org"]

[dictionaries.revisions]
values = [0, 1, 2]

[parameters]
"path.id" = {{ dictionary = "cases", probability = 0.8 }}
"body.project" = {{ dictionary = "projects", probability = 0.8 }}
"body.email" = {{ dictionary = "people", probability = 0.5 }}
"body.duplicate_of" = {{ dictionary = "cases", probability = 0.5 }}
"body.revision" = {{ dictionary = "revisions", probability = 0.5 }}
"#
    )
}

/// `Selected: 15/15`, `Tested: 15`, `944 generated, 944 passed`, from the summary.
fn summary(out: &str) -> String {
    let after = |label: &str| {
        out.lines()
            .skip_while(|l| !l.trim_start().starts_with(label))
            .find_map(|l| {
                let l = l.trim();
                let rest = l.strip_prefix(label).unwrap_or(l).trim();
                (!rest.is_empty()).then(|| rest.to_string())
            })
            .unwrap_or_else(|| "?".into())
    };
    format!(
        "{} operations tested, test cases: {}",
        after("Tested:"),
        after("Test cases:")
    )
}

#[test]
fn api_fuzz_every_operation_as_every_role_keeps_to_the_openapi_document() {
    let exe = schemathesis();
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    // Filing reports is rate-limited per address (10 an hour by default); the fuzzer files
    // many from 127.0.0.1, and should reach the 201 as well as the 429.
    let cfg = dir.path().join("data/embargo.toml");
    let settings = std::fs::read_to_string(&cfg).unwrap();
    assert!(settings.contains("reports_per_hour = 10\n"), "{settings}");
    std::fs::write(
        &cfg,
        settings.replace("reports_per_hour = 10\n", "reports_per_hour = 100000\n"),
    )
    .unwrap();
    add_user(dir.path(), "cora@example.org", "Cora", &["--coordinator"]);
    add_user(dir.path(), "dev@example.org", "Dev", &[]);
    add_user(dir.path(), "adam@example.org", "Adam", &["--admin"]);
    let coordinator = token(dir.path(), "cora@example.org");
    let roles = [
        ("coordinator", Some(coordinator.clone())),
        ("developer", Some(token(dir.path(), "dev@example.org"))),
        ("admin", Some(token(dir.path(), "adam@example.org"))),
        ("anonymous", None),
    ];
    let (_server, addr) = serve(dir.path());
    let schema = format!("http://{addr}/api/v1/openapi.json");

    let mut failed = Vec::new();
    for (role, token) in &roles {
        let work = dir.path().join(format!("schemathesis-{role}"));
        std::fs::create_dir(&work).unwrap();
        let config_file = work.join("schemathesis.toml");
        std::fs::write(
            &config_file,
            config(token.as_deref(), &cases(&addr, &coordinator, role)),
        )
        .unwrap();
        let started = Instant::now();
        let mut command = Command::new(&exe);
        command
            .current_dir(&work)
            .arg("--config-file")
            .arg(&config_file)
            .args(["run", &schema])
            .args([
                "--checks",
                "not_a_server_error,response_schema_conformance,\
                 status_code_conformance,content_type_conformance",
            ])
            .args(["--max-examples", MAX_EXAMPLES, "--seed", SEED])
            .args(["--workers", "1", "--generation-database", "none"])
            .args(["--request-timeout", "10", "--no-color"])
            .env("COLUMNS", "120")
            .env("NO_PROXY", "127.0.0.1")
            .stdin(Stdio::null());
        // Only loopback: no proxy from the environment running the tests.
        for var in [
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
            "all_proxy",
            "SCHEMATHESIS_HOOKS",
            "SCHEMATHESIS_BASE_URL",
        ] {
            command.env_remove(var);
        }
        let out = command.output().unwrap();
        let elapsed = started.elapsed();
        let stdout = text(&out.stdout);
        println!(
            "schemathesis as {role}: {} in {:.1}s, exit {:?}",
            summary(&stdout),
            elapsed.as_secs_f64(),
            out.status.code()
        );
        if !out.status.success() {
            failed.push(format!(
                "==== Schemathesis as {role} (exit {:?}) ====\n{stdout}{}",
                out.status.code(),
                text(&out.stderr)
            ));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
