//! The `embargo` binary as an operator runs it: real processes, real files, real sockets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use common::{embargo, http_get, http_post_json, init, run, serve, text};

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

#[test]
fn init_creates_a_private_installation_once() {
    let dir = tempfile::tempdir().unwrap();
    let info = init(dir.path());
    assert_eq!(info["password"].as_str().unwrap().len(), 20);
    assert_eq!(info["projects"][0], "infra");
    let data = dir.path().join("data");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for (path, mode) in [
            (data.clone(), 0o700),
            (data.join("embargo.db"), 0o600),
            (data.join("embargo.toml"), 0o600),
        ] {
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                mode,
                "{}",
                path.display()
            );
        }
    }
    let again = run(embargo(dir.path()).arg("init"));
    assert_eq!(again.status.code(), Some(4));
    assert!(
        text(&again.stderr).contains("already initialized"),
        "{}",
        text(&again.stderr)
    );
}

#[test]
fn users_are_added_with_roles_and_duplicates_refused() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let mut add = embargo(dir.path());
    add.args([
        "user",
        "add",
        "--json",
        "--email",
        "Cora@Example.org",
        "--name",
        "Cora",
        "--coordinator",
        "--password-stdin",
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = add.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct horse battery staple\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let user: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (user["email"].as_str(), user["coordinator"].as_bool()),
        (Some("Cora@example.org"), Some(true))
    );

    let dup = run(embargo(dir.path()).args([
        "user",
        "add",
        "--email",
        "cora@example.org",
        "--name",
        "Other",
    ]));
    assert_eq!(dup.status.code(), Some(4));
    assert_eq!(
        text(&dup.stderr).trim(),
        "embargo: a person with this e-mail address already exists"
    );
    let bad =
        run(embargo(dir.path()).args(["user", "add", "--email", "not-an-address", "--name", ""]));
    assert_eq!(bad.status.code(), Some(4));
    let err = text(&bad.stderr);
    assert!(
        err.contains("e-mail address has no @") && err.contains("name must be"),
        "{err}"
    );

    let list = run(embargo(dir.path()).args(["user", "list", "--json"]));
    let people: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(people.len(), 2);
}

#[test]
fn audit_verify_detects_a_row_edited_with_the_sqlite3_shell() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    run(embargo(dir.path()).args(["project", "add", "web", "Website and documentation"]));
    let ok = run(embargo(dir.path()).args(["audit", "verify"]));
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(
        text(&ok.stdout).starts_with("audit log intact: 3 entries"),
        "{}",
        text(&ok.stdout)
    );

    // Someone with the file tries to rewrite history: the triggers stop a plain UPDATE...
    let db = dir.path().join("data/embargo.db");
    let sqlite3 = |sql: &str| {
        Command::new("sqlite3")
            .arg(&db)
            .arg(sql)
            .output()
            .expect("the sqlite3 shell is installed by scripts/test.sh")
    };
    let blocked = sqlite3("UPDATE audit_log SET action = 'nothing_happened' WHERE seq = 2;");
    assert!(
        !blocked.status.success() && text(&blocked.stderr).contains("append-only"),
        "{}",
        text(&blocked.stderr)
    );
    // ...so they drop them first.
    let edited = sqlite3(
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET action = 'nothing_happened' WHERE seq = 2;",
    );
    assert!(edited.status.success(), "{}", text(&edited.stderr));

    let bad = run(embargo(dir.path()).args(["audit", "verify"]));
    assert_eq!(bad.status.code(), Some(1));
    let err = text(&bad.stderr);
    assert!(
        err.contains("tampered") && err.contains("entry 2: was edited"),
        "{err}"
    );
    let json = run(embargo(dir.path()).args(["audit", "verify", "--json"]));
    assert_eq!(json.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["problems"][0]["seq"], 2);
}

#[test]
fn configuration_layers_file_then_environment_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let cfg = dir.path().join("data/embargo.toml");
    let original = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(
        &cfg,
        original
            .replace("listen = \"127.0.0.1:8080\"", "listen = \"127.0.0.1:1111\"")
            .replace("acknowledge_within_days = 7", "acknowledge_within_days = 3"),
    )
    .unwrap();
    let show = |cmd: &mut Command| -> serde_json::Value {
        serde_json::from_slice(&run(cmd.args(["config", "--json"])).stdout).unwrap()
    };
    assert_eq!(show(&mut embargo(dir.path()))["listen"], "127.0.0.1:1111");
    assert_eq!(
        show(&mut embargo(dir.path()))["policy"]["acknowledge_within_days"],
        3
    );
    assert_eq!(
        show(embargo(dir.path()).env("EMBARGO_LISTEN", "127.0.0.1:2222"))["listen"],
        "127.0.0.1:2222"
    );
    assert_eq!(
        show(
            embargo(dir.path())
                .env("EMBARGO_LISTEN", "127.0.0.1:2222")
                .args(["--listen", "127.0.0.1:3333"])
        )["listen"],
        "127.0.0.1:3333"
    );

    std::fs::write(&cfg, format!("{original}\nlisten_port = 9\n")).unwrap();
    let out = run(embargo(dir.path()).arg("config"));
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("unknown field `listen_port`"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(
        &cfg,
        original.replace("disclose_within_days = 90", "disclose_within_days = 2"),
    )
    .unwrap();
    let out = run(embargo(dir.path()).arg("config"));
    assert!(
        text(&out.stderr).contains("acknowledgement time must be shorter"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn serve_answers_health_checks_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let (mut server, addr) = serve(dir.path());
    let res = http_get(&addr, "/healthz");
    assert!(
        res.starts_with("HTTP/1.1 200") && res.ends_with(r#"{"database":"ok","status":"ok"}"#),
        "{res}"
    );
    #[cfg(unix)]
    {
        let pid = server.0.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let started = Instant::now();
        let status = loop {
            if let Some(s) = server.0.try_wait().unwrap() {
                break s;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "serve did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(status.success(), "{status:?}");
    }
}

#[test]
fn serve_refuses_a_foreign_or_corrupt_database_without_touching_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("embargo.db"),
        b"PK\x03\x04 this is a zip file, not a database",
    )
    .unwrap();
    let out = run(embargo(dir.path()).arg("serve"));
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("is not a SQLite database"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        std::fs::read(data.join("embargo.db"))
            .unwrap()
            .starts_with(b"PK")
    );

    let other = dir.path().join("other.db");
    let made = Command::new("sqlite3")
        .arg(&other)
        .arg("CREATE TABLE invoices (id INTEGER);")
        .output()
        .unwrap();
    assert!(made.status.success());
    let out = run(embargo(dir.path())
        .args(["serve", "--database-url"])
        .arg(format!("sqlite://{}", other.display())));
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("another application"),
        "{}",
        text(&out.stderr)
    );

    let out =
        run(embargo(dir.path()).args(["audit", "verify", "--database-url", "sqlite://missing.db"]));
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("embargo init"),
        "{}",
        text(&out.stderr)
    );
}

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../embargo-mail/tests/fixtures"
);

/// Pipes a fixture (or bytes) into `embargo ingest-email`, as a mail server would.
fn ingest(dir: &Path, mail: &[u8]) -> Output {
    let mut child = embargo(dir)
        .args(["ingest-email", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let data = mail.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

fn sql(dir: &Path, query: &str) -> String {
    let out = Command::new("sqlite3")
        .arg(dir.join("data/embargo.db"))
        .arg(query)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// Configures the test team key (a test-only key from the mail crate's fixtures).
fn with_team_key(dir: &Path) {
    let data = dir.join("data");
    std::fs::copy(
        format!("{FIXTURES}/test-team-secret.asc"),
        data.join("team-secret.asc"),
    )
    .unwrap();
    let passphrase =
        std::fs::read_to_string(format!("{FIXTURES}/test-team-passphrase.txt")).unwrap();
    let cfg = data.join("embargo.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str(&format!(
        "\n[openpgp]\nsecret_key_file = \"team-secret.asc\"\npassphrase = \"{}\"\n",
        passphrase.trim()
    ));
    std::fs::write(cfg, text).unwrap();
}

#[test]
fn mail_becomes_a_case_and_replies_find_theirs() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let out = ingest(dir.path(), &fixture("plain.eml"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let filed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(filed["filed"], "new_case");
    let case_id = filed["case_id"].as_str().unwrap().to_string();
    assert_eq!(
        sql(dir.path(), "SELECT channel FROM reports").trim(),
        "email"
    );

    // A reply carrying the case's token (here: the fixture's token given to this case).
    sql(
        dir.path(),
        &format!(
            "UPDATE reports SET reply_token = 'a1b2c3d4e5f60718293a4b5c' WHERE case_id = '{case_id}'"
        ),
    );
    let out = ingest(dir.path(), &fixture("reply-subject.eml"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let filed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (filed["filed"].as_str(), filed["case_id"].as_str()),
        (Some("reply"), Some(case_id.as_str()))
    );
    assert_eq!(
        sql(
            dir.path(),
            "SELECT count(*) FROM messages WHERE author_kind = 'reporter'"
        )
        .trim(),
        "1"
    );

    // A token no case has bounces (67), and nothing is filed.
    let out = ingest(dir.path(), &fixture("reply-plus.eml"));
    assert_eq!(out.status.code(), Some(67), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("no case has this reply token"));
    assert_eq!(sql(dir.path(), "SELECT count(*) FROM cases").trim(), "1");
}

#[test]
fn encrypted_mail_is_decrypted_with_the_team_key() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    // Without the key the report cannot be read: it bounces with a reason.
    let out = ingest(dir.path(), &fixture("pgp-mime.eml"));
    assert_eq!(out.status.code(), Some(65), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("key"), "{}", text(&out.stderr));
    with_team_key(dir.path());
    let out = ingest(dir.path(), &fixture("pgp-mime.eml"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stored = sql(dir.path(), "SELECT description FROM reports");
    assert!(
        !stored.contains("BEGIN PGP MESSAGE"),
        "the decrypted text is stored: {stored}"
    );
    assert!(!stored.trim().is_empty());
    assert_eq!(
        sql(dir.path(), "SELECT count(*) FROM attachments").trim(),
        "1",
        "the attachment inside the encrypted part"
    );
    let audit = sql(
        dir.path(),
        "SELECT detail FROM audit_log WHERE action = 'report_received'",
    );
    assert!(audit.contains("\"encrypted\":true"), "{audit}");
    // Mail encrypted to someone else's key is refused, not stored as gibberish.
    let out = ingest(dir.path(), &fixture("pgp-mime-to-reporter.eml"));
    assert_eq!(out.status.code(), Some(65), "{}", text(&out.stderr));
    // The public half is offered for download.
    let (_server, addr) = serve(dir.path());
    let key = http_get(&addr, "/pgp-key.txt");
    assert!(
        key.starts_with("HTTP/1.1 200") && key.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----"),
        "{key}"
    );
    assert!(!key.contains("PRIVATE KEY"));
}

#[test]
fn broken_or_oversized_mail_bounces_and_a_missing_database_defers() {
    let dir = tempfile::tempdir().unwrap();
    // Not initialized: the mail server must keep the message and retry (75), not bounce it.
    let out = ingest(dir.path(), &fixture("plain.eml"));
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    init(dir.path());
    let out = ingest(dir.path(), b"this is not an e-mail at all");
    assert_eq!(out.status.code(), Some(65), "{}", text(&out.stderr));
    let mut huge = fixture("plain.eml");
    huge.extend(std::iter::repeat_n(b'a', 26 * 1024 * 1024));
    let out = ingest(dir.path(), &huge);
    assert_eq!(out.status.code(), Some(65), "{}", text(&out.stderr));
    assert_eq!(sql(dir.path(), "SELECT count(*) FROM cases").trim(), "0");
}

#[test]
fn a_report_answered_201_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let (mut server, addr) = serve(dir.path());
    let res = http_post_json(
        &addr,
        "/api/v1/reports",
        r#"{"project":"infra","title":"Durable?","description":"Answered, then the server dies."}"#,
    );
    // The moment the answer is read, the process dies without any chance to flush.
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    assert!(res.starts_with("HTTP/1.1 201"), "{res}");
    let body = res.split("\r\n\r\n").nth(1).unwrap();
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    let case_id = json["case_id"].as_str().unwrap();
    let found = sql(
        dir.path(),
        &format!("SELECT title FROM reports WHERE case_id = '{case_id}'"),
    );
    assert_eq!(found.trim(), "Durable?");
    let verify = run(embargo(dir.path()).args(["audit", "verify"]));
    assert!(verify.status.success(), "{}", text(&verify.stderr));
}

fn http_get_with(addr: &str, path: &str, header: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{header}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

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
    assert!(ok.starts_with("HTTP/1.1 200") && ok.ends_with("[]"), "{ok}");
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
    let body = res.split("\r\n\r\n").nth(1).unwrap();
    let id = serde_json::from_str::<serde_json::Value>(body).unwrap()["case_id"]
        .as_str()
        .unwrap()
        .to_string();
    let url = format!("http://{addr}");
    let case = |args: &[&str]| {
        run(embargo(dir.path())
            .arg("case")
            .args(["--url", &url, "--token", &token])
            .args(args))
    };

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

#[tokio::test]
async fn the_worker_process_delivers_queued_mail_and_stops_on_sigterm() {
    let sink = embargo_testkit::smtp::SmtpSink::start().await;
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let cfg = dir.path().join("data/embargo.toml");
    let mut text_cfg = std::fs::read_to_string(&cfg).unwrap();
    text_cfg.push_str(&format!(
        "\n[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"Security <security@example.org>\"\nteam_address = \"team@example.org\"\n",
        sink.addr.port()
    ));
    std::fs::write(&cfg, text_cfg).unwrap();
    let out = ingest(dir.path(), &fixture("plain.eml"));
    assert!(out.status.success(), "{}", text(&out.stderr));

    let mut worker = embargo(dir.path())
        .args(["worker", "--log", "warn"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while sink.messages().len() < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no mail: {:?}",
            sink.messages()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let to: Vec<String> = sink.messages().iter().flat_map(|m| m.to.clone()).collect();
    assert!(to.contains(&"team@example.org".to_string()), "{to:?}");
    assert!(
        to.iter().any(|t| t != "team@example.org"),
        "the reporter got their portal link: {to:?}"
    );
    assert!(
        Command::new("kill")
            .args(["-TERM", &worker.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let status = worker.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let pending = sql(
        dir.path(),
        "SELECT count(*) FROM jobs WHERE status = 'running'",
    );
    assert_eq!(pending.trim(), "0");
}

#[test]
fn a_misconfigured_channel_stops_startup_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let cfg = dir.path().join("data/embargo.toml");
    let mut text_cfg = std::fs::read_to_string(&cfg).unwrap();
    text_cfg.push_str("\n[matrix]\nhomeserver = \"matrix.example.org\"\nroom_id = \"!core:example.org\"\naccess_token = \"t\"\n");
    std::fs::write(&cfg, text_cfg).unwrap();
    let out = run(embargo(dir.path()).arg("serve"));
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr)
            .contains("matrix.homeserver \"matrix.example.org\" must be an http(s) URL"),
        "{}",
        text(&out.stderr)
    );
    let shown = run(embargo(dir.path()).args(["config", "--json"]));
    assert!(
        text(&shown.stdout).contains("\"access_token\":\"[redacted]\""),
        "{}",
        text(&shown.stdout)
    );
}

fn validators_python() -> std::path::PathBuf {
    std::env::var_os("EMBARGO_VALIDATORS_DIR")
        .map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/validators"),
            std::path::PathBuf::from,
        )
        .join("venv/bin/python3")
}

fn shared_validator(script: &str) -> std::path::PathBuf {
    std::env::var_os("EMBARGO_SHARED_DIR")
        .map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
            std::path::PathBuf::from,
        )
        .join("validators")
        .join(script)
}

/// An organization brings its history: a directory of OSV and GitHub advisory files goes
/// in (bad files named with their reason, the rest imported, twice is harmless), shows up
/// on the public site, and comes out again in the three formats.
#[test]
fn history_is_imported_served_and_exported() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let fixtures =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../embargo-formats/tests/fixtures/import");
    let out = run(embargo(dir.path()).arg("import").arg(&fixtures));
    let stderr = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "some files are refused: {stderr}"
    );
    assert!(
        stderr.contains("3 advisories imported, 0 already there, 3 refused"),
        "{stderr}"
    );
    for bad in ["broken.json", "neither.json", "withdrawn.json"] {
        assert!(stderr.contains(bad), "{bad} is not named: {stderr}");
    }
    let again = run(embargo(dir.path())
        .args(["import", "--json"])
        .arg(&fixtures));
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["imported"].as_array().unwrap().len(), 0);
    assert_eq!(report["existing"].as_array().unwrap().len(), 3);

    let (_server, addr) = serve(dir.path());
    let index = http_get(&addr, "/advisories");
    assert!(
        index.contains("GHSA-4xq7-6v2m-9hwr") && index.contains("PYSEC-2025-17"),
        "{index}"
    );

    let out_dir = dir.path().join("export");
    for format in ["osv", "cve", "csaf"] {
        let out = run(embargo(dir.path())
            .args(["export", format, "--out"])
            .arg(out_dir.join(format)));
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).starts_with("3 advisories exported"),
            "{}",
            text(&out.stdout)
        );
    }
    let osv: Vec<_> = std::fs::read_dir(out_dir.join("osv"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(osv.len(), 3);
    let check = Command::new(validators_python())
        .arg(shared_validator("validate_osv.py"))
        .args(&osv)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", text(&check.stdout));
    let cna: Vec<_> = std::fs::read_dir(out_dir.join("cve/cna"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let check = Command::new(validators_python())
        .arg(shared_validator("validate_cve5.py"))
        .arg("--cna")
        .args(&cna)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", text(&check.stdout));
    let index = std::fs::read_to_string(out_dir.join("csaf/white/index.txt")).unwrap();
    assert_eq!(index.lines().count(), 3);
    for line in index.lines() {
        assert!(out_dir.join("csaf/white").join(line).is_file(), "{line}");
    }
    assert!(out_dir.join("csaf/provider-metadata.json").is_file());
}
