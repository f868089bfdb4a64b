//! A local fake of CVE Services, the CVE Program's REST API for CNAs
//! (`https://cveawg.mitre.org/api`), for tests: `fakes/cve_services.py`, run with the
//! validators' Python. It checks every request against the published OpenAPI description
//! (`vendor/cve-services/`) and records what does not conform as a violation; it answers
//! with the real service's error names and shapes, keeps reserved IDs and records in memory,
//! and can be told to run out of quota, go down, or move its clock.
//!
//! ```no_run
//! # use embargo_testkit::cve_services::FakeCveServices;
//! let cve = FakeCveServices::start("acme", "bot", "secret-key");
//! // point the code under test at cve.url() ...
//! cve.assert_no_violations();
//! ```

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

/// The fake server, running until dropped.
#[derive(Debug)]
pub struct FakeCveServices {
    child: Child,
    port: u16,
}

/// The fake's script.
pub fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fakes/cve_services.py")
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build()
        .new_agent()
}

impl FakeCveServices {
    /// Starts the fake for organization `org` (short name) with one user `user` whose API key
    /// is `key`. Panics with the reason when Python or its `jsonschema` is missing.
    pub fn start(org: &str, user: &str, key: &str) -> Self {
        Self::start_with(org, user, key, &[])
    }

    /// As [`FakeCveServices::start`], with extra arguments for the script (`--org-uuid UUID`,
    /// `--user-role ADMIN`, `--seed N`).
    pub fn start_with(org: &str, user: &str, key: &str, extra: &[&str]) -> Self {
        let python = embargo_validators::python();
        let mut child = Command::new(&python)
            .arg(script())
            // The script finds `vendor/` next to itself (same checkout): not through
            // embargo_validators::vendor_dir(), whose compile-time path a shared target
            // directory may have taken from another checkout.
            .args(["--port", "0", "--org", org, "--user", user, "--key", key])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {} for the CVE Services fake ({e}); `bash vendor/validators/setup.sh target/validators` installs it",
                    python.display()
                )
            });
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            // Only the first line is read; the fake prints nothing after it.
            let _ = BufReader::new(out).read_line(&mut line);
        }
        let port = line
            .trim()
            .strip_prefix("listening ")
            .and_then(|p| p.parse::<u16>().ok());
        match port {
            Some(port) => Self { child, port },
            None => {
                let _ = child.kill();
                let status = child.wait();
                panic!(
                    "the CVE Services fake did not start (printed {line:?}, exit {status:?}); its error is above. \
                     It needs {} with the `jsonschema` package: `bash vendor/validators/setup.sh target/validators`",
                    python.display()
                )
            }
        }
    }

    /// The API's base URL, `http://127.0.0.1:PORT/api` (as `https://cveawg.mitre.org/api`).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/api", self.port)
    }

    fn control_url(&self, what: &str) -> String {
        format!("http://127.0.0.1:{}/_fake/{what}", self.port)
    }

    fn get(&self, url: &str) -> (u16, Value) {
        let mut res = agent()
            .get(url)
            .call()
            .unwrap_or_else(|e| panic!("GET {url} on the CVE Services fake: {e}"));
        let status = res.status().as_u16();
        let text = res
            .body_mut()
            .read_to_string()
            .unwrap_or_else(|e| panic!("GET {url} on the CVE Services fake: {e}"));
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("GET {url}: not JSON ({e}): {text}"))
        };
        (status, body)
    }

    fn control(&self, what: &str, body: Value) {
        let url = self.control_url(what);
        let mut res = agent()
            .post(&url)
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .unwrap_or_else(|e| panic!("POST {url} on the CVE Services fake: {e}"));
        if res.status().as_u16() != 200 {
            let text = res.body_mut().read_to_string().unwrap_or_default();
            panic!("POST {url} {body} on the CVE Services fake: {text}");
        }
    }

    /// Every `/api` request so far, oldest first: `{method, path, query, status, violations,
    /// error?}` (`path` without the query string; `error` is the error name of an error answer).
    pub fn requests(&self) -> Vec<Value> {
        match self.get(&self.control_url("requests")).1 {
            Value::Array(v) => v,
            other => panic!("the CVE Services fake's request log is not a list: {other}"),
        }
    }

    /// Every violation so far: `{kind, message, method, path, param?, location?}`, where kind
    /// is `request` (the request does not conform to the description), `operation` (no such
    /// operation) or `response` (the fake's own answer does not conform: a bug in the fake).
    pub fn violations(&self) -> Vec<Value> {
        match self.get(&self.control_url("violations")).1 {
            Value::Array(v) => v,
            other => panic!("the CVE Services fake's violations are not a list: {other}"),
        }
    }

    /// Fails the test, listing them, when any request or answer broke the description.
    pub fn assert_no_violations(&self) {
        let violations = self.violations();
        if !violations.is_empty() {
            let list: Vec<String> = violations.iter().map(Value::to_string).collect();
            panic!(
                "{} request(s) to the CVE Services fake do not conform to its OpenAPI description:\n{}",
                violations.len(),
                list.join("\n")
            );
        }
    }

    /// Sets the organization's ID quota (the real default is 1000).
    pub fn set_quota(&self, n: u32) {
        self.control("quota", json!({ "id_quota": n }));
    }

    /// `Some(status)`: every `/api` request is answered with `status` and a generic error,
    /// touching nothing (an outage); `None`: back to normal.
    pub fn set_down(&self, status: Option<u16>) {
        self.control("down", json!({ "status": status }));
    }

    /// Sets the fake's clock (RFC 3339); by default it is the wall clock.
    pub fn set_now(&self, rfc3339: &str) {
        self.control("now", json!({ "now": rfc3339 }));
    }

    /// Records `ids` as reserved for the organization by another tool, in `state` (`RESERVED`,
    /// or `PUBLISHED`/`REJECTED` with a minimal record).
    pub fn reserve_elsewhere(&self, ids: &[&str], state: &str) {
        self.control("reserve", json!({ "ids": ids, "state": state }));
    }

    /// The page size of `GET /cve-id` (the real one is 500).
    pub fn set_page_size(&self, n: u32) {
        self.control("page_size", json!({ "size": n }));
    }

    /// The CVE record as `GET /api/cve/{id}` answers it, `None` on 404 (the request is in
    /// [`FakeCveServices::requests`] like any other).
    pub fn record(&self, cve_id: &str) -> Option<Value> {
        match self.get(&format!("{}/cve/{cve_id}", self.url())) {
            (200, v) => Some(v),
            (404, _) => None,
            (status, v) => panic!("GET /api/cve/{cve_id} on the CVE Services fake: {status} {v}"),
        }
    }
}

impl Drop for FakeCveServices {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
