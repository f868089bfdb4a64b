#!/usr/bin/env python3
"""Self-test of github.py, the fake of GitHub's REST API: starts it and talks to it over HTTP.

Run with the validators' Python (it has jsonschema and cryptography):
  target/validators/venv/bin/python crates/embargo-testkit/fakes/test_github_fake.py
Prints one line per check and `ok` at the end; exits non-zero on the first failure.
"""
import base64
import json
import re
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from jsonschema import Draft202012Validator

HERE = Path(__file__).resolve().parent
TOKEN = "github_pat_11AAAAAAA0fake0token0for0tests"
APP_ID = 424242
GHSA = re.compile(r"^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$")
HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
           "User-Agent": "embargo-selftest"}


class Fake:
    def __init__(self, extra):
        self.proc = subprocess.Popen([sys.executable, str(HERE / "github.py"), "--port", "0", "--token", TOKEN, *extra],
                                     stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        line = self.proc.stdout.readline().decode()
        m = re.fullmatch(r"listening (\d+)\n", line)
        assert m, f"the fake printed {line!r}"
        self.base = f"http://127.0.0.1:{m.group(1)}"

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        rest = self.proc.stdout.read()
        assert rest == b"", f"the fake printed more on stdout: {rest!r}"

    def call(self, method, path, body=None, token=TOKEN, headers=None, raw=None):
        h = dict(HEADERS)
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        if body is not None or raw is not None:
            h["Content-Type"] = "application/json"
        for k, v in (headers or {}).items():
            if v is None:
                h.pop(k, None)
            else:
                h[k] = v
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        url = path if path.startswith("http") else self.base + path
        req = urllib.request.Request(url, data=data, method=method, headers=h)
        if "User-Agent" not in h:  # urllib adds its own otherwise
            req.add_unredirected_header("User-Agent", "")
        try:
            with urllib.request.urlopen(req) as res:
                status, hdrs, text = res.status, res.headers, res.read()
        except urllib.error.HTTPError as e:
            status, hdrs, text = e.code, e.headers, e.read()
        return status, hdrs, (json.loads(text) if text else None)

    def control(self, method, what, body=None):
        status, answer = self.control_status(method, what, body)
        if status != 200:
            raise AssertionError(f"{method} /_fake/{what} {body}: {status} {answer}")
        return answer

    def control_status(self, method, what, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.base}/_fake/{what}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req) as res:
                return res.status, json.loads(res.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def violations(self):
        return self.control("GET", "violations")

    def requests(self):
        return self.control("GET", "requests")


def b64(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def jwt(key, iss=APP_ID, iat=None, exp=None):
    now = int(time.time())
    iat = now - 30 if iat is None else iat
    exp = now + 540 if exp is None else exp
    signing_input = b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode()) + "." + \
        b64(json.dumps({"iat": iat, "exp": exp, "iss": iss}).encode())
    sig = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64(sig)


CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def new_violations(f, before):
    return f.violations()[before:]


# ---------------------------------------------------------------------------------------------


@check
def conforming_advisory_lifecycle(f, key):
    n = len(f.violations())
    s, h, repo = f.call("GET", "/repos/acme/widget")
    expect(s == 200 and repo["full_name"] == "acme/widget" and repo["permissions"]["push"], (s, repo))
    for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Used",
                   "X-RateLimit-Resource", "X-GitHub-Request-Id"):
        expect(h.get(header), f"missing {header}")
    s, _, me = f.call("GET", "/user")
    expect(s == 200 and me["login"] == "embargo-bot", (s, me))
    s, _, alice = f.call("GET", "/users/alice")
    expect(s == 200 and alice["login"] == "alice", (s, alice))
    s, _, rl = f.call("GET", "/rate_limit")
    expect(s == 200 and rl["resources"]["core"]["limit"] == 5000, (s, rl))
    s, _, adv = f.call("POST", "/repos/acme/widget/security-advisories", {
        "summary": "Heap overflow in the frobnicator",
        "description": "A crafted frob overflows the heap.",
        "vulnerabilities": [{"package": {"ecosystem": "rust", "name": "widget"},
                             "vulnerable_version_range": "< 1.2.3", "patched_versions": "1.2.3",
                             "vulnerable_functions": ["widget::frob"]}],
        "cwe_ids": ["CWE-787"],
        "credits": [{"login": "alice", "type": "finder"}],
        "cvss_vector_string": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"})
    expect(s == 201, (s, adv))
    expect(GHSA.match(adv["ghsa_id"]), adv["ghsa_id"])
    expect(adv["state"] == "draft" and adv["cvss"]["score"] == 9.8 and adv["severity"] == "critical", adv)
    expect(adv["cvss_severities"]["cvss_v3"]["score"] == 9.8, adv["cvss_severities"])
    expect(adv["cwes"] == [{"cwe_id": "CWE-787", "name": "Out-of-bounds Write"}], adv["cwes"])
    expect(adv["html_url"] == f"https://github.com/acme/widget/security/advisories/{adv['ghsa_id']}", adv["html_url"])
    expect(adv["credits_detailed"][0]["user"]["login"] == "alice", adv["credits_detailed"])
    g = adv["ghsa_id"]
    s, _, adv = f.call("PATCH", f"/repos/acme/widget/security-advisories/{g}",
                       {"collaborating_users": ["alice"], "summary": "Heap overflow in frob()"})
    expect(s == 200 and adv["collaborating_users"][0]["login"] == "alice" and adv["summary"] == "Heap overflow in frob()", (s, adv))
    s, _, body = f.call("POST", f"/repos/acme/widget/security-advisories/{g}/cve")
    expect(s == 202 and body == {}, (s, body))
    s, _, fork = f.call("POST", f"/repos/acme/widget/security-advisories/{g}/forks")
    expect(s == 202 and fork["private"] and fork["full_name"] == f"acme/widget-{g.lower()}", (s, fork))
    s, _, fork2 = f.call("POST", f"/repos/acme/widget/security-advisories/{g}/forks")
    expect(s == 202 and fork2["id"] == fork["id"], "a second fork request answers the same fork")
    adv_state = [a for a in f.control("GET", "advisories") if a["ghsa_id"] == g][0]
    expect(adv_state["cve_requested"] and adv_state["private_fork"]["id"] == fork["id"], adv_state)
    f.control("POST", "assign_cve", {"ghsa_id": g, "cve_id": "CVE-2025-12345"})
    s, _, adv = f.call("PATCH", f"/repos/acme/widget/security-advisories/{g}", {"state": "published"})
    expect(s == 200 and adv["state"] == "published" and adv["published_at"] and adv["cve_id"] == "CVE-2025-12345", (s, adv))
    expect({"type": "CVE", "value": "CVE-2025-12345"} in adv["identifiers"], adv["identifiers"])
    s, _, body = f.call("PATCH", f"/repos/acme/widget/security-advisories/{g}", {"state": "draft"})
    expect(s == 422 and body["message"] == "Invalid state transition from `published` to `draft`.", (s, body))
    s, _, got = f.call("GET", f"/repos/acme/widget/security-advisories/{g}")
    expect(s == 200 and got["state"] == "published", (s, got))
    s, _, lst = f.call("GET", "/repos/acme/widget/security-advisories?state=published")
    expect(s == 200 and [a["ghsa_id"] for a in lst] == [g], (s, lst))
    s, _, lst = f.call("GET", "/repos/acme/widget/security-advisories?state=draft")
    expect(s == 200 and lst == [], (s, lst))
    vs = new_violations(f, n)
    expect(vs == [], f"violations: {vs}")


WEBHOOKS = json.loads((HERE.parents[2] / "vendor" / "github" / "webhooks-subset.json").read_text(encoding="utf-8"))
# The fake's one erratum of webhooks-subset.json: these are `allOf: [X], type: ["null"]` there.
WEBHOOK_ERRATA = {("repository_advisory", "author"), ("repository_advisory", "publisher"),
                  ("repository_advisory", "private_fork")}


def raw_webhook_errors(action, payload):
    """Error paths of `payload` against the vendored schema as it is (no erratum)."""
    root = {"components": WEBHOOKS["components"],
            "$ref": f"#/components/schemas/webhook-repository-advisory-{action}"}
    return {tuple(e.absolute_path) for e in Draft202012Validator(root).iter_errors(payload)}


@check
def repository_advisory_webhooks(f, key):
    n = len(f.violations())
    rep = f.control("POST", "report", {
        "owner": "acme", "repo": "widget", "summary": "Frobs leak the session key", "reporter": "alice",
        "description": "A crafted frob prints the session key.",
        "vulnerabilities": [{"package": {"ecosystem": "rust", "name": "widget"}, "vulnerable_version_range": "< 2.0"}]})
    g = rep["ghsa_id"]
    expect(GHSA.match(g) and rep["state"] == "triage", rep)
    s, body = f.control_status("POST", "webhook", {"ghsa_id": g, "action": "published"})
    expect(s == 400 and "published" in body["error"], (s, body))  # GitHub sends none before publication
    w = f.control("POST", "webhook", {"ghsa_id": g, "action": "reported"})
    adv = w["repository_advisory"]
    expect(w["action"] == "reported" and adv["ghsa_id"] == g and adv["state"] == "triage"
           and adv["submission"] == {"accepted": False} and adv["author"]["login"] == "alice", w)
    expect(w["sender"]["login"] == "alice" and w["repository"]["full_name"] == "acme/widget"
           and w["organization"]["login"] == "acme" and w["installation"]["id"] == 77, w)
    expect(raw_webhook_errors("reported", w) <= WEBHOOK_ERRATA, raw_webhook_errors("reported", w))
    s, _, pub = f.call("PATCH", f"/repos/acme/widget/security-advisories/{g}", {"state": "published"})
    expect(s == 200 and pub["state"] == "published", (s, pub))
    w = f.control("POST", "webhook", {"ghsa_id": g, "action": "published"})
    adv = w["repository_advisory"]
    expect(w["action"] == "published" and adv["ghsa_id"] == g and adv["state"] == "published"
           and adv["published_at"] and adv["publisher"]["login"] == "embargo-bot"
           and adv["submission"] == {"accepted": True}, w)
    expect(w["sender"]["login"] == "embargo-bot" and adv == pub, (w, pub))
    expect(raw_webhook_errors("published", w) <= WEBHOOK_ERRATA, raw_webhook_errors("published", w))
    vs = new_violations(f, n)
    expect(vs == [], f"violations: {vs}")
    # refusals: no such event, no such advisory, a report GitHub would not take
    s, _, draft = f.call("POST", "/repos/acme/widget/security-advisories", {
        "summary": "d", "description": "d", "vulnerabilities": [{"package": {"ecosystem": "npm", "name": "w"}}]})
    expect(s == 201, (s, draft))
    s, body = f.control_status("POST", "webhook", {"ghsa_id": draft["ghsa_id"], "action": "reported"})
    expect(s == 400 and "report" in body["error"], (s, body))
    s, body = f.control_status("POST", "webhook", {"ghsa_id": g, "action": "withdrawn"})
    expect(s == 400, (s, body))
    s, body = f.control_status("POST", "webhook", {"ghsa_id": "GHSA-2222-3333-4444", "action": "reported"})
    expect(s == 400, (s, body))
    s, body = f.control_status("POST", "report", {"owner": "acme", "repo": "widget", "summary": "x",
                                                  "vulnerabilities": [{"package": {"ecosystem": "cargo"}}]})
    expect(s == 400 and "cargo" in body["error"], (s, body))
    s, body = f.control_status("POST", "report", {"owner": "acme", "repo": "widget", "summary": "x" * 1025})
    expect(s == 400, (s, body))
    expect(new_violations(f, n) == [], new_violations(f, n))


@check
def conforming_issues_pulls_runs_refs(f, key):
    n = len(f.violations())
    s, h, issue = f.call("POST", "/repos/acme/widget/issues", {"title": "Tracking GHSA", "body": "x", "labels": ["security"]})
    expect(s == 201 and issue["number"] >= 1 and h["Location"] == issue["url"], (s, issue))
    s, _, issue = f.call("PATCH", f"/repos/acme/widget/issues/{issue['number']}", {"state": "closed", "state_reason": "completed"})
    expect(s == 200 and issue["state"] == "closed", (s, issue))
    s, _, lst = f.call("GET", "/repos/acme/widget/issues?state=all&labels=security")
    expect(s == 200 and len(lst) == 1, (s, lst))
    f.control("POST", "pulls", {"owner": "acme", "repo": "widget", "number": 40, "head_ref": "fix-frob", "merged": True})
    s, _, pulls = f.call("GET", "/repos/acme/widget/pulls?state=closed&head=acme:fix-frob")
    expect(s == 200 and len(pulls) == 1 and pulls[0]["merged_at"], (s, pulls))
    f.control("POST", "runs", {"owner": "acme", "repo": "widget", "head_sha": "a" * 40, "status": "completed",
                               "conclusion": "success", "name": "CI"})
    s, _, runs = f.call("GET", f"/repos/acme/widget/actions/runs?head_sha={'a' * 40}")
    expect(s == 200 and runs["total_count"] == 1 and runs["workflow_runs"][0]["conclusion"] == "success", (s, runs))
    s, _, body = f.call("POST", "/repos/acme/widget/actions/workflows/release.yml/dispatches",
                        {"ref": "main", "inputs": {"ghsa": "x"}})
    expect(s == 204 and body is None, (s, body))
    s, _, body = f.call("POST", "/repos/acme/widget/actions/workflows/release.yml/dispatches",
                        {"ref": "main", "return_run_details": True})
    expect(s == 200 and body["workflow_run_id"], (s, body))
    s, _, _ = f.call("DELETE", "/repos/acme/widget/git/refs/heads/fix-frob")
    expect(s == 204, s)
    s, _, body = f.call("DELETE", "/repos/acme/widget/git/refs/heads/fix-frob")
    expect(s == 422 and body["message"] == "Reference does not exist", (s, body))
    vs = new_violations(f, n)
    expect(vs == [], f"violations: {vs}")


@check
def pagination_with_link(f, key):
    n = len(f.violations())
    for i in range(3):
        s, _, _ = f.call("POST", "/repos/acme/paged/security-advisories", {
            "summary": f"bug {i}", "description": "d", "severity": "low",
            "vulnerabilities": [{"package": {"ecosystem": "npm", "name": "paged"}}]})
        expect(s == 201, s)
    s, h, page1 = f.call("GET", "/repos/acme/paged/security-advisories?per_page=2&state=draft")
    expect(s == 200 and len(page1) == 2 and 'rel="next"' in h["Link"], (s, h.get("Link")))
    nxt = re.search(r'<([^>]+)>; rel="next"', h["Link"]).group(1)
    s, h, page2 = f.call("GET", nxt)
    expect(s == 200 and len(page2) == 1, (s, page2))
    expect({a["ghsa_id"] for a in page1}.isdisjoint({a["ghsa_id"] for a in page2}), "pages overlap")
    for i in range(3):
        f.call("POST", "/repos/acme/paged/issues", {"title": f"issue {i}"})
    s, h, issues = f.call("GET", "/repos/acme/paged/issues?per_page=2&page=1")
    expect(s == 200 and len(issues) == 2 and 'rel="last"' in h["Link"], (s, h.get("Link")))
    vs = new_violations(f, n)
    expect(vs == [], f"violations: {vs}")


@check
def nonconforming_requests_are_violations(f, key):
    n = len(f.violations())
    s, _, body = f.call("POST", "/repos/acme/widget/security-advisories", {
        "summary": "x", "description": "y", "vulnerabilities": [], "severity_level": "high"})
    expect(s == 422 and body["message"].startswith("Invalid request."), (s, body))
    vs = new_violations(f, n)
    expect(len(vs) == 1 and vs[0]["kind"] == "request" and "severity_level" in vs[0]["message"], vs)
    n += len(vs)
    s, _, body = f.call("POST", "/repos/acme/widget/security-advisories", {
        "summary": 5, "description": "y", "vulnerabilities": []})
    vs = new_violations(f, n)
    expect(s == 422 and len(vs) == 1 and vs[0].get("param") == "summary", (s, vs))
    n += len(vs)
    s, _, _ = f.call("GET", "/repos/acme/widget", headers={"X-GitHub-Api-Version": None})
    vs = new_violations(f, n)
    expect(s == 200 and len(vs) == 1 and vs[0]["param"] == "X-GitHub-Api-Version", (s, vs))
    n += len(vs)
    s, _, _ = f.call("GET", "/repos/acme/widget/security-advisories?page=2")
    vs = new_violations(f, n)
    expect(s == 200 and len(vs) == 1 and vs[0]["param"] == "page", (s, vs))
    n += len(vs)
    s, _, body = f.call("GET", "/repos/acme/widget/branches")
    vs = new_violations(f, n)
    expect(s == 404 and body["message"] == "Not Found" and vs[0]["kind"] == "operation", (s, body, vs))
    n += len(vs)
    s, _, body = f.call("GET", "/repos/acme/widget", headers={"User-Agent": None})
    vs = new_violations(f, n)
    expect(s == 403 and "User-Agent" in body["message"] and vs[0]["param"] == "User-Agent", (s, body, vs))
    n += len(vs)
    s, _, body = f.call("POST", "/repos/acme/widget/issues", raw=b"{not json")
    vs = new_violations(f, n)
    expect(s == 400 and body["message"] == "Problems parsing JSON" and len(vs) == 1, (s, body, vs))


@check
def unauthenticated(f, key):
    s, h, body = f.call("GET", "/repos/acme/widget", token=None)
    expect(s == 401 and body["message"] == "Requires authentication" and h["X-RateLimit-Limit"], (s, body))
    s, _, body = f.call("GET", "/repos/acme/widget", token="ghp_wrong")
    expect(s == 401 and body["message"] == "Bad credentials", (s, body))
    s, _, body = f.call("GET", "/repos/acme/nope")
    expect(s == 404 and body["message"] == "Not Found", (s, body))


@check
def forbidden_without_permission(f, key):
    s, h, body = f.call("POST", "/repos/acme/readonly/security-advisories", {
        "summary": "x", "description": "y", "vulnerabilities": [{"package": {"ecosystem": "pip"}}]})
    expect(s == 403 and body["message"].startswith("Resource not accessible by "), (s, body))
    expect(h["X-Accepted-GitHub-Permissions"] == "security_advisories=write", dict(h))


@check
def unknown_collaborator(f, key):
    s, _, adv = f.call("POST", "/repos/acme/widget/security-advisories", {
        "summary": "x", "description": "y", "vulnerabilities": [{"package": {"ecosystem": "pip", "name": "w"}}]})
    expect(s == 201, s)
    s, _, body = f.call("PATCH", f"/repos/acme/widget/security-advisories/{adv['ghsa_id']}",
                        {"collaborating_users": ["alice", "nobody-here"]})
    expect(s == 422 and body["message"] == "Validation Failed" and body["documentation_url"], (s, body))
    e = body["errors"][0]
    expect(e["resource"] == "RepositoryAdvisory" and e["field"] == "collaborating_users" and e["code"] == "invalid", e)


@check
def rate_limits(f, key):
    f.control("POST", "rate_limit", {"count": 1, "kind": "primary", "reset_in": 120})
    s, h, body = f.call("GET", "/repos/acme/widget")
    expect(s == 403 and h["X-RateLimit-Remaining"] == "0" and body["message"].startswith("API rate limit exceeded for "), (s, body))
    expect(int(h["X-RateLimit-Reset"]) >= int(time.time()) + 100, h["X-RateLimit-Reset"])
    f.control("POST", "rate_limit", {"count": 1, "kind": "secondary", "reset_in": 30, "status": 429})
    s, h, body = f.call("GET", "/repos/acme/widget")
    expect(s == 429 and h["Retry-After"] == "30" and "secondary rate limit" in body["message"], (s, body))
    f.control("POST", "rate_limit", {"count": 1, "kind": "secondary", "reset_in": 7})
    s, h, body = f.call("GET", "/repos/acme/widget")
    expect(s == 403 and h["Retry-After"] == "7", (s, body))
    s, h, _ = f.call("GET", "/repos/acme/widget")
    expect(s == 200 and int(h["X-RateLimit-Remaining"]) > 0, s)


@check
def fail_and_down(f, key):
    f.control("POST", "fail", {"method": "POST", "path_template": "/repos/{owner}/{repo}/issues", "status": 502,
                               "body": {"message": "Server Error"}})
    s, _, body = f.call("POST", "/repos/acme/widget/issues", {"title": "t"})
    expect(s == 502 and body == {"message": "Server Error"}, (s, body))
    s, _, _ = f.call("POST", "/repos/acme/widget/issues", {"title": "t"})
    expect(s == 201, s)
    f.control("POST", "down", {"status": 503})
    s, _, _ = f.call("GET", "/repos/acme/widget")
    expect(s == 503, s)
    f.control("POST", "down", {"status": None})
    s, _, _ = f.call("GET", "/repos/acme/widget")
    expect(s == 200, s)


@check
def app_jwt_flow(f, key):
    n = len(f.violations())
    s, _, body = f.call("GET", "/app", token=jwt(key))
    expect(s == 200 and body["id"] == APP_ID, (s, body))
    s, _, body = f.call("GET", "/orgs/acme/installation", token=jwt(key, iss=str(APP_ID)))
    expect(s == 200 and body["id"] == 77 and body["account"]["login"] == "acme", (s, body))
    s, _, body = f.call("GET", "/repos/acme/widget/installation", token=jwt(key))
    expect(s == 200 and body["id"] == 77, (s, body))
    expect(f.control("GET", "tokens_minted")["count"] == 0, "no token minted yet")
    s, _, tok = f.call("POST", "/app/installations/77/access_tokens", token=jwt(key))
    expect(s == 201 and tok["token"].startswith("ghs_") and tok["expires_at"], (s, tok))
    expect(f.control("GET", "tokens_minted")["count"] == 1, "one token minted")
    s, _, repo = f.call("GET", "/repos/acme/widget", token=tok["token"])
    expect(s == 200, (s, repo))
    s, _, adv = f.call("POST", "/repos/acme/widget/security-advisories", {
        "summary": "via app", "description": "d", "vulnerabilities": [{"package": {"ecosystem": "go", "name": "w"}}]},
        token=tok["token"])
    expect(s == 201 and adv["author"]["type"] == "Bot", (s, adv))
    s, _, _ = f.call("GET", "/repos/other/thing", token=tok["token"])
    expect(s == 404, "an installation token sees only its organization's repositories")
    s, _, tok2 = f.call("POST", "/app/installations/77/access_tokens", {"permissions": {"issues": "read"}}, token=jwt(key))
    expect(s == 201, (s, tok2))
    s, h, body = f.call("POST", "/repos/acme/widget/issues", {"title": "t"}, token=tok2["token"])
    expect(s == 403 and h["X-Accepted-GitHub-Permissions"] == "issues=write"
           and body["message"] == "Resource not accessible by integration", (s, body))
    vs = new_violations(f, n)
    expect(vs == [], f"violations: {vs}")
    # refusals
    s, _, body = f.call("GET", "/app")  # a PAT on a JWT-only endpoint
    expect(s == 401, (s, body))
    s, _, body = f.call("GET", "/app", token=jwt(key, iat=int(time.time()) - 30, exp=int(time.time()) + 900))
    expect(s == 401 and "too far in the future" in body["message"], (s, body))
    s, _, body = f.call("GET", "/app", token=jwt(key, iat=int(time.time()) - 700, exp=int(time.time()) - 100))
    expect(s == 401 and "exp" in body["message"], (s, body))
    s, _, body = f.call("GET", "/app", token=jwt(key, iat=int(time.time()) + 300, exp=int(time.time()) + 600))
    expect(s == 401 and "iat" in body["message"], (s, body))
    s, _, body = f.call("GET", "/app", token=jwt(key, iss=1))
    expect(s == 401, (s, body))
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    s, _, body = f.call("GET", "/app", token=jwt(other))
    expect(s == 401, (s, body))
    s, _, body = f.call("GET", "/repos/acme/widget", token=jwt(key))
    expect(s == 403, (s, body))
    s, _, body = f.call("POST", "/app/installations/999/access_tokens", token=jwt(key))
    expect(s == 404, (s, body))
    # expiry: an hour later the installation token is refused
    f.control("POST", "now", {"now": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3700))})
    s, _, body = f.call("GET", "/repos/acme/widget", token=tok["token"])
    expect(s == 401 and body["message"] == "Bad credentials", (s, body))
    f.control("POST", "now", {"now": None})


@check
def tokens_never_logged(f, key):
    dump = json.dumps(f.requests())
    expect(TOKEN not in dump and "ghs_" not in dump and "eyJ" not in dump, "a token is in the request log")
    entries = [r for r in f.requests() if r["method"] == "POST" and r["path"].endswith("/security-advisories")]
    expect(entries and "body" in entries[0] and entries[0]["auth"] in ("token", "installation"), entries[:1])


@check
def no_response_violations(f, key):
    bad = [v for v in f.violations() if v["kind"] in ("response", "fake", "webhook")]
    expect(bad == [], f"the fake's own answers broke the description: {bad}")


def main():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with tempfile.TemporaryDirectory() as tmp:
        pem = Path(tmp) / "app.pem"
        pem.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo))
        f = Fake(["--app-id", str(APP_ID), "--app-public-key", str(pem)])
        try:
            f.control("POST", "users", {"login": "alice"})
            f.control("POST", "repos", {"owner": "acme", "name": "widget", "private": False,
                                        "branches": ["fix-frob"],
                                        "permissions": {"security_advisories": "write", "issues": "write",
                                                        "contents": "write", "actions": "write",
                                                        "pull_requests": "read"}})
            f.control("POST", "repos", {"owner": "acme", "name": "paged", "private": True})
            f.control("POST", "repos", {"owner": "acme", "name": "readonly",
                                        "permissions": {"security_advisories": "read"}})
            f.control("POST", "repos", {"owner": "other", "name": "thing"})
            f.control("POST", "installations", {"org": "acme", "id": 77})
            failed = 0
            for fn in CHECKS:
                try:
                    fn(f, key)
                    print(f"ok   {fn.__name__}")
                except Exception:
                    failed += 1
                    print(f"FAIL {fn.__name__}")
                    traceback.print_exc()
        finally:
            f.stop()
    if failed:
        print(f"{failed} of {len(CHECKS)} checks failed")
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
