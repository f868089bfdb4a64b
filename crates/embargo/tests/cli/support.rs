//! What the binary's tests share: running `embargo` as an operator would, serving it,
//! talking HTTP/1.1 to it over loopback, mail fixtures, the SQLite shell, the validators.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

pub fn embargo(dir: &Path) -> Command {
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

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap()
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub fn init(dir: &Path) -> serde_json::Value {
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

pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `embargo serve` on a free port and returns it with its address.
pub fn serve(dir: &Path) -> (Server, String) {
    serve_with(dir, &[])
}

/// `serve` with more arguments, e.g. `--database-url`.
pub fn serve_with(dir: &Path, extra: &[&str]) -> (Server, String) {
    let mut child = embargo(dir)
        .args(extra)
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

pub fn http_get(addr: &str, path: &str) -> String {
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

/// The JSON body of a raw HTTP/1.1 response, as [`http_get`] and [`http_post`] return them.
pub fn json_body(response: &str) -> serde_json::Value {
    let body = response
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no body in {response}"));
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {response}"))
}

pub fn http_post_json(addr: &str, path: &str, json: &str) -> String {
    http_post(addr, path, "application/json", json)
}

pub fn http_post_form(addr: &str, path: &str, form: &str) -> String {
    http_post(addr, path, "application/x-www-form-urlencoded", form)
}

pub fn http_post(addr: &str, path: &str, content_type: &str, body: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

/// The mail crate's fixtures: messages and a test-only team key.
pub const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../embargo-mail/tests/fixtures"
);

/// Pipes a fixture (or bytes) into `embargo ingest-email`, as a mail server would.
pub fn ingest(dir: &Path, mail: &[u8]) -> Output {
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

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

pub fn sql(dir: &Path, query: &str) -> String {
    let out = Command::new("sqlite3")
        .arg(dir.join("data/embargo.db"))
        .arg(query)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// Configures the test team key (a test-only key from the mail crate's fixtures).
pub fn with_team_key(dir: &Path) {
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

pub fn http_get_with(addr: &str, path: &str, header: &str) -> String {
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
