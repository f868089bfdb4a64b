//! Mail: reports and replies piped in by the mail server, and the worker process that
//! sends what is queued.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

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
    // The reply token is stored sealed (a copy of the database does not reveal it).
    assert!(
        sql(dir.path(), "SELECT reply_token FROM reports").starts_with("sealed:v1:"),
        "the reply token is sealed"
    );

    // A reply carrying the case's token (here: the fixture's token given to this case, in
    // clear and without a key check, as a version before sealing left the database; the
    // first opening with the key seals it).
    sql(
        dir.path(),
        &format!(
            "UPDATE reports SET reply_token = 'a1b2c3d4e5f60718293a4b5c' WHERE case_id = '{case_id}'; \
             DELETE FROM settings WHERE key = 'secrets_key_check'"
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

/// `plaintext` encrypted by gpg to the mail crate's test team key, zlib-compressed and
/// ASCII-armored: an inline OpenPGP block a reporter could paste.
fn compressed_block_for_the_test_key(plaintext: &[u8]) -> String {
    let home = tempfile::Builder::new().prefix("gpg").tempdir().unwrap();
    let gpg = |args: &[&str], input: &[u8]| {
        let mut child = Command::new("gpg")
            .env("GNUPGHOME", home.path())
            .args(["--batch", "--quiet", "--no-tty", "--trust-model", "always"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gpg must be installed for this test (Debian: gnupg)");
        let mut stdin = child.stdin.take().unwrap();
        let input = input.to_vec();
        let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, &input));
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap().unwrap();
        assert!(out.status.success(), "gpg {args:?}: {}", text(&out.stderr));
        out.stdout
    };
    gpg(
        &["--import", &format!("{FIXTURES}/test-team-public.asc")],
        b"",
    );
    let armored = gpg(
        &[
            "--armor",
            "--compress-algo",
            "zlib",
            "--encrypt",
            "--recipient",
            "security@example.org",
        ],
        plaintext,
    );
    let _ = Command::new("gpgconf")
        .env("GNUPGHOME", home.path())
        .args(["--kill", "all"])
        .status();
    String::from_utf8(armored).unwrap()
}

#[test]
fn mail_decrypting_to_more_than_the_plaintext_budget_bounces() {
    // Two inline blocks of 13 MiB each: either alone fits the 25 MiB budget, together they
    // do not. The mail itself is a few dozen kilobytes.
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    with_team_key(dir.path());
    let line = "decrypted line of an oversized report\n";
    let plaintext = line.repeat(13 * 1024 * 1024 / line.len());
    let block = compressed_block_for_the_test_key(plaintext.as_bytes());
    let raw = format!("From: a@example.net\nSubject: two blocks\n\n{block}\n{block}\n");
    assert!(raw.len() < 256 * 1024, "{}", raw.len());
    let out = ingest(dir.path(), raw.as_bytes());
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(65), "{stderr}");
    assert!(
        stderr.contains(
            "message refused: the decrypted content of the message exceeds the budget of \
             25 MiB for the whole message"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("decrypted line"), "{stderr}");
    assert_eq!(sql(dir.path(), "SELECT count(*) FROM cases").trim(), "0");
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
