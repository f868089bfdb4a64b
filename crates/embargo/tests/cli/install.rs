//! Installing and running: init, users, configuration, the audit log, serve.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

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
            (data.join("secrets.key"), 0o600),
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
        err.contains("e-mail address has no @") && err.contains("name is required"),
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
        res.starts_with("HTTP/1.1 200")
            && res.contains(r#""database":"ok""#)
            && res.contains(r#""status":"ok""#)
            && res.contains(r#""state":"running""#),
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

/// `serve` checks the file's integrity once it answers (not before: that reads every
/// page); a corrupted file stops it with the sentence, and `audit verify` refuses it too.
#[test]
fn serve_stops_on_a_corrupted_database() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let db = dir.path().join("data").join("embargo.db");
    // A long value spills into overflow pages, which opening never reads; breaking one's
    // link to the next is found by the integrity check alone.
    sql(
        dir.path(),
        "CREATE TABLE spill (x TEXT); INSERT INTO spill VALUES (printf('%.*c', 100000, 'Q'));",
    );
    let mut bytes = std::fs::read(&db).unwrap();
    let page = bytes
        .chunks(4096)
        .position(|p| p[4..].iter().all(|b| *b == b'Q'))
        .expect("an overflow page")
        * 4096;
    bytes[page..page + 4].copy_from_slice(&[0xA5; 4]);
    std::fs::write(&db, &bytes).unwrap();
    for args in [
        &["serve", "--listen", "127.0.0.1:0"][..],
        &["audit", "verify"][..],
    ] {
        let out = run(embargo(dir.path()).args(args));
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(
            stderr.contains("is corrupted") && stderr.contains("restore it from a backup"),
            "{args:?}: {stderr}"
        );
    }
    // serve answered first: the check did not hold up its start.
    let out = run(embargo(dir.path()).args(["serve", "--listen", "127.0.0.1:0"]));
    assert!(text(&out.stdout).contains("embargo listening on"));
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
    let json = json_body(&res);
    let case_id = json["case_id"].as_str().unwrap();
    let found = sql(
        dir.path(),
        &format!("SELECT title FROM reports WHERE case_id = '{case_id}'"),
    );
    assert_eq!(found.trim(), "Durable?");
    let verify = run(embargo(dir.path()).args(["audit", "verify"]));
    assert!(verify.status.success(), "{}", text(&verify.stderr));
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

/// Bad limits and proxy settings are refused when the configuration is loaded, naming the
/// key; the old `trust_forwarded_for` switch is refused with what replaces it.
#[test]
fn limits_and_proxies_are_checked_at_load_time() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let cfg = dir.path().join("data/embargo.toml");
    let original = std::fs::read_to_string(&cfg).unwrap();
    let after = |line: &str| format!("reports_per_hour = 10\n{line}\n");
    for (find, setting, expected) in [
        (
            "reports_per_hour = 10\n",
            after("trusted_proxies = [\"10.0.0.0/33\"]"),
            "intake.trusted_proxies: \"10.0.0.0/33\": the prefix length must be 0 to 32",
        ),
        (
            "reports_per_hour = 10\n",
            after("trust_forwarded_for = true"),
            "intake.trust_forwarded_for: was replaced by trusted_proxies",
        ),
        (
            "attachment_quota_mib = 100\n",
            "attachment_quota_mib = 0\n".to_string(),
            "intake.attachment_quota_mib: 0 would refuse",
        ),
        (
            "# osv_documents_mib = 10\n",
            "osv_documents_mib = 0\n".to_string(),
            "osv_documents_mib: must be between 1 and 4096",
        ),
    ] {
        let edited = original.replacen(find, &setting, 1);
        assert_ne!(edited, original);
        std::fs::write(&cfg, edited).unwrap();
        let out = run(embargo(dir.path()).arg("config"));
        assert_eq!(out.status.code(), Some(3), "{setting}");
        assert!(
            text(&out.stderr).contains(expected),
            "{}",
            text(&out.stderr)
        );
    }
    // SMTP security is one of three words; another is refused with the file's line.
    std::fs::write(
        &cfg,
        format!("{original}\n[smtp]\nhost = \"mail.example.org\"\nsecurity = \"ssl\"\nfrom = \"S <s@example.org>\"\n"),
    )
    .unwrap();
    let out = run(embargo(dir.path()).arg("config"));
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("security") && stderr.contains("starttls") && stderr.contains("line"),
        "{stderr}"
    );
    // The CNA's organization id is a version-4 UUID, as CVE Services issues them.
    for (id, ok) in [
        ("b3476cb9-2e3d-41a6-98d0-0f47421a65b6", true),
        ("b3476cb9-2e3d-11a6-98d0-0f47421a65b6", false),
        ("b3476cb92e3d41a698d00f47421a65b6", false),
        ("example", false),
    ] {
        std::fs::write(
            &cfg,
            format!("{original}\n[publication]\ncna_org_id = \"{id}\"\n"),
        )
        .unwrap();
        let out = run(embargo(dir.path()).arg("config"));
        assert_eq!(out.status.success(), ok, "{id}: {}", text(&out.stderr));
        if !ok {
            assert!(
                text(&out.stderr).contains("publication.cna_org_id")
                    && text(&out.stderr).contains("version-4 UUID"),
                "{}",
                text(&out.stderr)
            );
        }
    }
    let edited = original.replacen(
        "reports_per_hour = 10\n",
        "reports_per_hour = 10\ntrusted_proxies = [\"127.0.0.1\", \"2001:db8::/32\"]\n",
        1,
    );
    std::fs::write(&cfg, edited).unwrap();
    assert!(run(embargo(dir.path()).arg("config")).status.success());
}

#[test]
fn init_names_the_organization_reporters_see() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(embargo(dir.path()).args([
        "init",
        "--organization",
        "Jupyter Project",
        "--admin-email",
        "ada@example.org",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Initialized embargo for Jupyter Project"),
        "{}",
        text(&out.stdout)
    );
    let (_server, addr) = serve(dir.path());
    assert!(http_get(&addr, "/").contains("Jupyter Project"));

    // Without a name (a script, no terminal to ask at): the placeholder, and how to fix it.
    let other = tempfile::tempdir().unwrap();
    let out = run(embargo(other.path()).args(["init", "--admin-email", "ada@example.org"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Name your organization"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn metrics_are_served_with_a_token_or_on_their_own_address() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let config = dir.path().join("data/embargo.toml");
    let original = std::fs::read_to_string(&config).unwrap();
    // A section that says neither how nor where is refused at start, with its key.
    std::fs::write(&config, format!("{original}\n[metrics]\n")).unwrap();
    let out = run(embargo(dir.path()).args(["serve", "--listen", "127.0.0.1:0"]));
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("metrics"),
        "{}",
        text(&out.stderr)
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        dir.path().join("data/metrics-token"),
        "a-long-enough-metrics-token\n",
    )
    .unwrap();
    std::fs::write(
        &config,
        format!(
            "{original}\n[metrics]\nlisten = \"127.0.0.1:{port}\"\ntoken_file = \"metrics-token\"\n"
        ),
    )
    .unwrap();
    let (_server, addr) = serve(dir.path());
    // On the main address: only with the token.
    assert!(http_get(&addr, "/metrics").starts_with("HTTP/1.1 404"));
    let ok = http_get_with(
        &addr,
        "/metrics",
        "Authorization: Bearer a-long-enough-metrics-token",
    );
    assert!(
        ok.starts_with("HTTP/1.1 200") && ok.contains("embargo_reports_received_total 0"),
        "{ok}"
    );
    // On its own address: /metrics alone, no token needed.
    let own = format!("127.0.0.1:{port}");
    let mut open = String::new();
    for _ in 0..50 {
        if std::net::TcpStream::connect(&own).is_ok() {
            open = http_get(&own, "/metrics");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        open.starts_with("HTTP/1.1 200") && open.contains("# TYPE embargo_cases gauge"),
        "{open}"
    );
    assert!(http_get(&own, "/").starts_with("HTTP/1.1 404"));
}
