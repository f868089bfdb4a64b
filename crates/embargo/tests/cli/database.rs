//! The database as an operator handles it: `embargo migrate`, `backup` and `restore`
//! between SQLite and PostgreSQL, and several instances serving one PostgreSQL database.
//! Tests that need PostgreSQL run when `EMBARGO_TEST_DATABASE` names a server
//! (scripts/test.sh starts one); elsewhere they say so and pass.
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{embargo, http_post_json, init, run, serve_with, text};
use embargo_testkit::database::{fresh_database, postgres_server};
use embargo_testkit::smtp::SmtpSink;

/// `embargo` on the installation in `dir`, with its database at `url`.
fn on(dir: &Path, url: &str) -> Command {
    let mut c = embargo(dir);
    c.args(["--database-url", url]);
    c
}

fn ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn report(addr: &str, n: usize) {
    let body = format!(
        r#"{{"project":"infra","title":"Report {n}","description":"Found while testing {n}.","reporter_email":"reporter{n}@elsewhere.example","reporter_name":"Reporter {n}"}}"#
    );
    let res = http_post_json(addr, "/api/v1/reports", &body);
    assert!(res.starts_with("HTTP/1.1 201"), "{res}");
}

/// The rows of a backup file, without its header (which says when and from where).
fn rows(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn an_installation_moves_to_the_other_database_and_back() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let (server, addr) = serve_with(dir.path(), &[]);
    for n in 0..3 {
        report(&addr, n);
    }
    drop(server);

    let backup = dir.path().join("backup.jsonl");
    let backed_up = ok(embargo(dir.path()).args(["backup", "--out"]).arg(&backup));
    assert!(backed_up.contains("backed up"), "{backed_up}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "a backup holds every report");
    }
    let again = run(embargo(dir.path()).args(["backup", "--out"]).arg(&backup));
    assert_eq!(again.status.code(), Some(4), "an existing file is kept");

    // To PostgreSQL when a server is available, else to another SQLite file.
    let target_dir = dir.path().join("target");
    std::fs::create_dir_all(target_dir.join("data")).unwrap();
    let target = fresh_database(&target_dir).await;
    let said = ok(on(&target_dir, &target).arg("migrate"));
    assert!(said.contains("schema version"), "{said}");
    assert!(!said.contains(":embargo@"), "no password in output: {said}");
    // The rows arrive, but the sealed secrets need the original installation's key: the
    // backup was made without it, so the operator is told to copy secrets.key over.
    let keyless = run(on(&target_dir, &target).arg("restore").arg(&backup));
    assert_eq!(keyless.status.code(), Some(4));
    assert!(
        text(&keyless.stderr).contains("copy that file to"),
        "{}",
        text(&keyless.stderr)
    );
    let key = std::fs::read_to_string(dir.path().join("data/secrets.key")).unwrap();
    assert!(
        !std::fs::read_to_string(&backup)
            .unwrap()
            .contains(key.trim()),
        "no key in a backup unless asked"
    );
    std::fs::copy(
        dir.path().join("data/secrets.key"),
        target_dir.join("data/secrets.key"),
    )
    .unwrap();
    let said = ok(on(&target_dir, &target).args(["audit", "verify"]));
    assert!(said.contains("audit log intact"), "{said}");
    let head = |text: &str| text.rsplit("head ").next().unwrap().trim().to_string();
    assert_eq!(
        head(&said),
        head(&backed_up),
        "the same chain on both sides"
    );
    let twice = run(on(&target_dir, &target).arg("restore").arg(&backup));
    assert_eq!(twice.status.code(), Some(3));
    assert!(
        text(&twice.stderr).contains("not empty"),
        "{}",
        text(&twice.stderr)
    );
    ok(on(&target_dir, &target).args(["audit", "verify"]));
    let users = |d: &Path, url: &str| ok(on(d, url).args(["user", "list", "--json"]));
    let source_url = format!("sqlite://{}", dir.path().join("data/embargo.db").display());
    assert_eq!(users(&target_dir, &target), users(dir.path(), &source_url));

    // The copy serves: a new report lands next to the restored ones.
    let (server, addr) = serve_with(&target_dir, &["--database-url", &target]);
    report(&addr, 3);
    drop(server);

    // And back into a new SQLite file: the same rows, plus the new report's.
    // With --include-key the backup carries the key, and restore puts it in place.
    let second = target_dir.join("second.jsonl");
    ok(on(&target_dir, &target)
        .args(["backup", "--include-key", "--out"])
        .arg(&second));
    let back_dir = dir.path().join("back");
    let back = format!("sqlite://{}", back_dir.join("embargo.db").display());
    ok(on(&back_dir, &back).arg("restore").arg(&second));
    assert_eq!(
        std::fs::read_to_string(back_dir.join("data/secrets.key")).unwrap(),
        key
    );
    ok(on(&back_dir, &back).args(["audit", "verify"]));
    let third = back_dir.join("third.jsonl");
    ok(on(&back_dir, &back).args(["backup", "--out"]).arg(&third));
    assert_eq!(rows(&third), rows(&second));
}

#[test]
fn an_unreachable_database_is_named_without_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(on(
        dir.path(),
        "postgres://embargo:hunter2-secret@127.0.0.1:1/embargo",
    )
    .arg("migrate"));
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("cannot reach the database"), "{stderr}");
    assert!(stderr.contains("127.0.0.1:1"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    let shown = ok(on(
        dir.path(),
        "postgres://embargo:hunter2-secret@127.0.0.1:1/embargo",
    )
    .args(["config", "--json"]));
    assert!(
        shown.contains("postgres://embargo:[redacted]@127.0.0.1:1/embargo")
            && !shown.contains("hunter2"),
        "{shown}"
    );
}

fn psql(url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([url, "-tAc", sql])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout).trim().to_string()
}

fn pg_count(url: &str, sql: &str) -> i64 {
    psql(url, sql).parse().unwrap()
}

/// Two `embargo serve` instances behind one PostgreSQL database take reports; one is
/// killed (-9) in the middle; the other finishes every job, the team hears of each once,
/// the audit chain verifies. Then every connection is cut under the survivor: a request
/// fails cleanly or succeeds, and the next one works.
// Multi-threaded: the SMTP sink keeps answering while the test blocks on processes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_postgresql_database_and_survive_a_kill() {
    if postgres_server().is_none() {
        eprintln!("EMBARGO_TEST_DATABASE names no PostgreSQL server: skipped");
        return;
    }
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(dir.path()).await;
    ok(on(dir.path(), &url).args([
        "init",
        "--admin-email",
        "ada@example.org",
        "--project",
        "infra=Infrastructure and bots",
    ]));
    let cfg = dir.path().join("data/embargo.toml");
    let config = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("reports_per_hour = 10\n", "reports_per_hour = 10000\n");
    std::fs::write(
        &cfg,
        format!(
            "{config}\n[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"Security <security@example.org>\"\nteam_address = \"team@example.org\"\n\n[worker]\nlease_seconds = 5\n",
            sink.addr.port()
        ),
    )
    .unwrap();

    let (mut first, first_addr) = serve_with(dir.path(), &["--database-url", &url]);
    let (second, second_addr) = serve_with(dir.path(), &["--database-url", &url]);
    for n in 0..10 {
        report(
            if n % 2 == 0 {
                &first_addr
            } else {
                &second_addr
            },
            n,
        );
    }
    first.0.kill().unwrap(); // SIGKILL: no shutdown, leases and all left behind
    first.0.wait().unwrap();
    for n in 10..20 {
        report(&second_addr, n);
    }

    // The survivor takes over what the dead one held once its lease ran out.
    let due_jobs = "FROM jobs WHERE status <> 'done' \
                    AND run_at <= (extract(epoch from now()) * 1000000)::bigint";
    let due = format!("SELECT count(*) {due_jobs}");
    let deadline = Instant::now() + Duration::from_secs(90);
    while pg_count(&url, &due) > 0 {
        assert!(
            Instant::now() < deadline,
            "jobs still due: {}",
            psql(
                &url,
                &format!(
                    "SELECT string_agg(kind || ' ' || status || ' ' || coalesce(last_error, ''), '; ') {due_jobs}"
                )
            )
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(pg_count(&url, "SELECT count(*) FROM cases"), 20);
    assert_eq!(
        pg_count(&url, "SELECT count(*) FROM jobs WHERE status = 'dead'"),
        0
    );
    // The team heard of each report once, however the work was split: in a notice of its
    // own or in a digest of several (a burst of five or more), never in two messages. (A
    // message sent again after the kill keeps its Message-ID: it is the same message.)
    let references = psql(&url, "SELECT string_agg(reference, ' ') FROM cases");
    let references: Vec<&str> = references.split_whitespace().collect();
    assert_eq!(references.len(), 20);
    let team: Vec<_> = sink
        .messages()
        .into_iter()
        .filter(|m| m.to.iter().any(|t| t == "team@example.org"))
        .collect();
    for reference in references {
        let telling: std::collections::BTreeSet<_> = team
            .iter()
            .filter(|m| m.data.contains(reference))
            .filter_map(|m| {
                m.data
                    .lines()
                    .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
            })
            .collect();
        assert_eq!(telling.len(), 1, "{reference}: {telling:?}");
    }
    assert_eq!(
        pg_count(
            &url,
            "SELECT count(*) FROM jobs WHERE kind = 'notify_team_new_report' AND status = 'done'"
        ),
        20
    );
    ok(on(dir.path(), &url).args(["audit", "verify"]));

    // Every connection of the survivor is cut at once (a database restart or failover).
    pg_count(
        &url,
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    let body = r#"{"project":"infra","title":"After the cut","description":"Filed after the connections were cut."}"#;
    let cut = http_post_json(&second_addr, "/api/v1/reports", body);
    assert!(
        cut.starts_with("HTTP/1.1 201")
            || cut.starts_with("HTTP/1.1 503")
            || cut.starts_with("HTTP/1.1 500"),
        "{cut}"
    );
    assert!(
        !cut.contains("embargo:embargo"),
        "no connection details: {cut}"
    );
    let next = http_post_json(&second_addr, "/api/v1/reports", body);
    assert!(
        next.starts_with("HTTP/1.1 201"),
        "the instance recovered: {next}"
    );
    let health = crate::support::http_get(&second_addr, "/healthz");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    drop(second);
    ok(on(dir.path(), &url).args(["audit", "verify"]));
}
