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

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::py_fake::PyFake;

/// The fake server, running until dropped.
#[derive(Debug)]
pub struct FakeCveServices(PyFake);

/// The fake's script.
pub fn script() -> PathBuf {
    crate::py_fake::script("cve_services.py")
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
        let mut args = vec!["--port", "0", "--org", org, "--user", user, "--key", key];
        args.extend_from_slice(extra);
        Self(PyFake::start(
            "cve_services.py",
            "the CVE Services fake",
            &args,
            "the `jsonschema` package",
        ))
    }

    /// The API's base URL, `http://127.0.0.1:PORT/api` (as `https://cveawg.mitre.org/api`).
    pub fn url(&self) -> String {
        format!("{}/api", self.0.base())
    }

    fn control(&self, what: &str, body: Value) {
        self.0.control(what, body);
    }

    /// Every `/api` request so far, oldest first: `{method, path, query, status, violations,
    /// error?}` (`path` without the query string; `error` is the error name of an error answer).
    pub fn requests(&self) -> Vec<Value> {
        self.0.list("requests")
    }

    /// Every violation so far: `{kind, message, method, path, param?, location?}`, where kind
    /// is `request` (the request does not conform to the description), `operation` (no such
    /// operation) or `response` (the fake's own answer does not conform: a bug in the fake).
    pub fn violations(&self) -> Vec<Value> {
        self.0.list("violations")
    }

    /// Fails the test, listing them, when any request or answer broke the description.
    pub fn assert_no_violations(&self) {
        self.0.assert_no_violations();
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
        match self.0.get(&format!("{}/cve/{cve_id}", self.url())) {
            (200, v) => Some(v),
            (404, _) => None,
            (status, v) => panic!("GET /api/cve/{cve_id} on the CVE Services fake: {status} {v}"),
        }
    }
}
