//! The `embargo` binary as an operator runs it: real processes, real files, real sockets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn embargo(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_embargo"));
    c.arg("--data-dir").arg(dir.join("data"));
    // The environment of the machine running the tests must not leak into them.
    for var in [
        "EMBARGO_DATA_DIR",
        "EMBARGO_CONFIG",
        "EMBARGO_LISTEN",
        "EMBARGO_DATABASE_URL",
        "EMBARGO_ORGANIZATION",
        "EMBARGO_LOG",
        "EMBARGO_ADMIN_EMAIL",
    ] {
        c.env_remove(var);
    }
    c.stdin(Stdio::null());
    c
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn init(dir: &Path) -> serde_json::Value {
    let out = run(embargo(dir).args([
        "init",
        "--json",
        "--admin-email",
        "ada@example.org",
        "--project",
        "infra=Infrastructure and bots",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

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

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `embargo serve` on a free port and returns it with its address.
fn serve(dir: &Path) -> (Server, String) {
    let mut child = embargo(dir)
        .args(["serve", "--listen", "127.0.0.1:0", "--log", "warn"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("embargo listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    (Server(child), addr)
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
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
