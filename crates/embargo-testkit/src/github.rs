//! A local fake of GitHub's REST API (`https://api.github.com`), the part embargo uses, for
//! tests: `fakes/github.py`, run with the validators' Python. It checks every request against
//! GitHub's published OpenAPI description (`vendor/github/rest-subset.json`, cut out of
//! `@octokit/openapi`) and records what does not conform as a violation; it answers with
//! GitHub's error messages and shapes, keeps repositories, repository security advisories,
//! issues, pull requests and workflow runs in memory, accepts a personal access token, GitHub
//! App JWTs and the installation tokens it mints, and can be told to rate-limit, fail or go
//! down.
//!
//! ```no_run
//! # use embargo_testkit::github::FakeGitHub;
//! # use serde_json::json;
//! let gh = FakeGitHub::start("github_pat_test");
//! gh.add_repo("acme", "widget", false, json!({"security_advisories": "write", "issues": "write"}));
//! // point the code under test at gh.url() ...
//! gh.assert_no_violations();
//! ```

use std::io::Write;
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::py_fake::PyFake;

/// The fake server, running until dropped.
#[derive(Debug)]
pub struct FakeGitHub {
    fake: PyFake,
    /// The App's public key, when started with [`FakeGitHub::start_app`]; kept until drop.
    _app_key: Option<tempfile::NamedTempFile>,
}

/// The fake's script.
pub fn script() -> PathBuf {
    crate::py_fake::script("github.py")
}

impl FakeGitHub {
    /// Starts the fake accepting `token` (a fine-grained personal access token of the user
    /// `embargo-bot`) and the installation tokens it mints. Panics with the reason when Python
    /// or its `jsonschema` is missing.
    pub fn start(token: &str) -> Self {
        Self::start_with(token, &[], None)
    }

    /// As [`FakeGitHub::start`], and also a GitHub App `app_id` whose JWTs (RS256) are checked
    /// with `public_key_pem` (a PEM `PUBLIC KEY`, SubjectPublicKeyInfo), for `GET /app`,
    /// `GET /orgs/{org}/installation`, `GET /repos/{owner}/{repo}/installation` and
    /// `POST /app/installations/{id}/access_tokens`.
    pub fn start_app(token: &str, app_id: u64, public_key_pem: &str) -> Self {
        let mut file = tempfile::NamedTempFile::new()
            .unwrap_or_else(|e| panic!("a temporary file for the App's public key: {e}"));
        file.write_all(public_key_pem.as_bytes())
            .unwrap_or_else(|e| panic!("writing the App's public key: {e}"));
        file.flush()
            .unwrap_or_else(|e| panic!("writing the App's public key: {e}"));
        let path = file.path().to_string_lossy().into_owned();
        let id = app_id.to_string();
        Self::start_with(
            token,
            &["--app-id", &id, "--app-public-key", &path],
            Some(file),
        )
    }

    /// As [`FakeGitHub::start`], with extra arguments for the script (`--login LOGIN`,
    /// `--app-slug SLUG`, `--seed N`, ...).
    pub fn start_with(
        token: &str,
        extra: &[&str],
        app_key: Option<tempfile::NamedTempFile>,
    ) -> Self {
        let mut args = vec!["--port", "0", "--token", token];
        args.extend_from_slice(extra);
        let fake = PyFake::start(
            "github.py",
            "the GitHub fake",
            &args,
            "the `jsonschema` and `cryptography` packages",
        );
        Self {
            fake,
            _app_key: app_key,
        }
    }

    /// The API's base URL, `http://127.0.0.1:PORT` (as `https://api.github.com`), without a
    /// trailing slash.
    pub fn url(&self) -> String {
        self.fake.base()
    }

    fn get_control(&self, what: &str) -> Value {
        self.fake.read(what)
    }

    fn control(&self, what: &str, body: Value) -> Value {
        self.fake.control(what, body)
    }

    fn list(&self, what: &str) -> Vec<Value> {
        self.fake.list(what)
    }

    /// Every API request so far, oldest first: `{method, path, query, status, violations,
    /// auth, body?, message?}` (`path` without the query string; `auth` is the kind of
    /// credential, `token`, `installation` or `jwt`, never its value; `body` is the parsed JSON
    /// body of a write; `message` that of an error answer).
    pub fn requests(&self) -> Vec<Value> {
        self.list("requests")
    }

    /// Every violation so far: `{kind, message, method, path, param?, location?}`, where kind
    /// is `request` (the request does not conform to the description, headers included),
    /// `operation` (no such operation), `response` (the fake's answer does not conform: a bug in
    /// the fake, or an injected answer GitHub would not send), `webhook` (a payload of
    /// [`FakeGitHub::webhook`] does not conform: a bug in the fake) or `fake` (the fake crashed).
    pub fn violations(&self) -> Vec<Value> {
        self.list("violations")
    }

    /// Fails the test, listing them, when any request or answer broke the description.
    pub fn assert_no_violations(&self) {
        self.fake.assert_no_violations();
    }

    /// Creates the repository `owner/name` (and the owner, an organization, when unknown), with
    /// the permissions the credentials have on it, e.g.
    /// `{"security_advisories":"write","issues":"write","contents":"write","actions":"write","pull_requests":"read"}`
    /// (levels `read`, `write`, `admin`; `metadata: read` is implied). The branch `main` exists.
    pub fn add_repo(&self, owner: &str, name: &str, private: bool, permissions: Value) {
        self.control(
            "repos",
            json!({ "owner": owner, "name": name, "private": private, "permissions": permissions }),
        );
    }

    /// As [`FakeGitHub::add_repo`], with the whole control body: `{owner, name, private?,
    /// permissions?, owner_type?, branches?, default_branch?, description?}`.
    pub fn add_repo_with(&self, body: Value) {
        self.control("repos", body);
    }

    /// Creates the GitHub user `login` (for collaborators, credits, assignees).
    pub fn add_user(&self, login: &str) {
        self.control("users", json!({ "login": login }));
    }

    /// Installs the App on organization `org` as installation `id` (all the permissions the
    /// fake knows, at write).
    pub fn add_installation(&self, org: &str, id: u64) {
        self.control("installations", json!({ "org": org, "id": id }));
    }

    /// The next `count` authenticated API requests are answered with a rate limit: `kind`
    /// `primary` (403, `X-RateLimit-Remaining: 0`, `X-RateLimit-Reset` in `reset_in` seconds)
    /// or `secondary` (403 with `Retry-After: reset_in`).
    pub fn rate_limit(&self, count: u32, kind: &str, reset_in: u64) {
        self.control(
            "rate_limit",
            json!({ "count": count, "kind": kind, "reset_in": reset_in }),
        );
    }

    /// As [`FakeGitHub::rate_limit`] with `secondary`, answered with `status` (403 or 429).
    pub fn secondary_rate_limit(&self, count: u32, status: u16, retry_after: u64) {
        self.control(
            "rate_limit",
            json!({ "count": count, "kind": "secondary", "reset_in": retry_after, "status": status }),
        );
    }

    /// The next request to the operation `method path_template` (as in the description, e.g.
    /// `"PATCH"`, `"/repos/{owner}/{repo}/security-advisories/{ghsa_id}"`) is answered with
    /// `status` and `body` (`Value::Null`: no body), touching nothing.
    pub fn fail_next(&self, method: &str, path_template: &str, status: u16, body: Value) {
        self.control(
            "fail",
            json!({ "method": method, "path_template": path_template, "status": status, "body": body }),
        );
    }

    /// `Some(status)`: every API request is answered with `status` and a generic error,
    /// touching nothing (an outage); `None`: back to normal.
    pub fn set_down(&self, status: Option<u16>) {
        self.control("down", json!({ "status": status }));
    }

    /// Sets the fake's clock (RFC 3339), for token and JWT expiry; by default it is the wall
    /// clock.
    pub fn set_now(&self, rfc3339: &str) {
        self.control("now", json!({ "now": rfc3339 }));
    }

    /// Back to the wall clock.
    pub fn reset_now(&self) {
        self.control("now", json!({ "now": null }));
    }

    /// GitHub assigns `cve_id` to the advisory `ghsa_id` (as after a CVE request).
    pub fn assign_cve(&self, ghsa_id: &str, cve_id: &str) {
        self.control(
            "assign_cve",
            json!({ "ghsa_id": ghsa_id, "cve_id": cve_id }),
        );
    }

    /// Adds pull request `number` of `owner/repo` from branch `head_ref` (which then exists)
    /// into the default branch; merged (and closed) or open.
    pub fn add_pull(&self, owner: &str, repo: &str, number: u64, head_ref: &str, merged: bool) {
        self.control(
            "pulls",
            json!({ "owner": owner, "repo": repo, "number": number, "head_ref": head_ref, "merged": merged }),
        );
    }

    /// Adds a workflow run `name` of `owner/repo` on commit `head_sha` (`status`: `queued`,
    /// `in_progress`, `completed`, ...; `conclusion`: `success`, `failure`, ... or `None`).
    pub fn add_run(
        &self,
        owner: &str,
        repo: &str,
        head_sha: &str,
        status: &str,
        conclusion: Option<&str>,
        name: &str,
    ) {
        self.control(
            "runs",
            json!({ "owner": owner, "repo": repo, "head_sha": head_sha, "status": status,
                    "conclusion": conclusion, "name": name }),
        );
    }

    /// A private vulnerability report on `owner/repo` (an advisory in state `triage`); returns
    /// the advisory as the API shows it.
    pub fn report(&self, owner: &str, repo: &str, summary: &str) -> Value {
        self.control(
            "report",
            json!({ "owner": owner, "repo": repo, "summary": summary }),
        )
    }

    /// The payload GitHub delivers for the `repository_advisory` webhook event `action`
    /// (`published` or `reported`) about the advisory `ghsa_id` as it is now: `{action,
    /// repository_advisory, repository, organization?, installation?, sender}`. The fake checks
    /// it against `vendor/github/webhooks-subset.json` (a failure is a violation of kind
    /// `webhook`). Panics with the reason where GitHub would send no such event (`published`
    /// before publication, `reported` for an advisory that is not a private vulnerability
    /// report, see [`FakeGitHub::report`]) or the advisory is unknown.
    pub fn webhook(&self, ghsa_id: &str, action: &str) -> Value {
        self.control("webhook", json!({ "ghsa_id": ghsa_id, "action": action }))
    }

    /// Every repository security advisory, as the API shows it, plus `cve_requested` (whether
    /// a CVE was requested through the API).
    pub fn advisories(&self) -> Vec<Value> {
        self.list("advisories")
    }

    /// The workflow dispatches received: `{owner, repo, workflow_id, ref, inputs}`.
    pub fn dispatches(&self) -> Vec<Value> {
        self.list("dispatches")
    }

    /// How many installation tokens the fake has minted (to check that a client caches them).
    pub fn tokens_minted(&self) -> u64 {
        let v = self.get_control("tokens_minted");
        v.get("count")
            .and_then(Value::as_u64)
            .unwrap_or_else(|| panic!("the GitHub fake's tokens_minted: {v}"))
    }
}
