#!/usr/bin/env python3
"""A local fake of GitHub's REST API (the part embargo uses) that checks every request against
GitHub's published OpenAPI description and answers as GitHub does.

Usage:
  github.py --port 0 --token TOKEN [--login LOGIN] [--vendor DIR]
            [--app-id N --app-public-key PEMFILE [--app-slug SLUG]] [--seed N]
Prints exactly `listening PORT` on stdout once ready, then nothing else (tokens are never
printed or recorded).

The API is served at the root, `http://127.0.0.1:PORT/` standing for `https://api.github.com/`.
Source: vendor/github/rest-subset.json, the operations embargo uses cut out of the npm package
@octokit/openapi (GitHub's REST description, OpenAPI 3.0) by vendor/github/extract.py; see
vendor/github/README.md. OpenAPI 3.0 schemas are turned into JSON Schema (draft 4, which 3.0's
schema object follows) before validating: `nullable: true` becomes a type union with "null"
(or `anyOf [null, ...]` where there is no `type`); `example`, `discriminator`, `readOnly`,
`x-*` are dropped.

Checks (a failure is a *violation*, recorded in the request log and in /_fake/violations):
  the operation exists (method + path template), else 404 Not Found;
  path and query parameters match their schemas (query strings coerced to integer/boolean);
  no query parameter that the operation does not declare; none repeated;
  a JSON body only where declared, valid JSON, valid against the requestBody schema
    (answered 400 "Problems parsing JSON" / 422 "Invalid request." as GitHub does);
  headers `Accept` (JSON), `X-GitHub-Api-Version: 2022-11-28` and `User-Agent` present
    (no User-Agent: 403, as GitHub refuses such requests).
Every response the fake sends is validated against the schema declared for its status; a
failure is a violation of kind "response" (a bug in the fake, or a test-injected answer that
GitHub would not send). Every webhook payload from /_fake/webhook is validated against
vendor/github/webhooks-subset.json (@octokit/openapi-webhooks, OpenAPI 3.1: JSON Schema 2020-12,
`#/components/...` resolved within the document) with one erratum (see _webhook_errata:
`allOf: [X], type: ["null"]`, unsatisfiable, read as null or X); a failure is a violation of
kind "webhook" (a bug in the fake). Error statuses an operation does not declare (401, 403, 429, 5xx:
GitHub documents that any endpoint can answer them) are checked against `basic-error`.

Authentication: `Authorization: Bearer|token TOKEN` with --token (a fine-grained personal
access token of user --login) or an installation token minted by the fake (`ghs_...`, valid
one hour). With --app-id, a GitHub App JWT (RS256, verified with --app-public-key; `iss` is the
app id, `exp - iat` <= 600 s, not expired, `iat` at most 60 s ahead) for GET /app,
GET /orgs/{org}/installation, GET /repos/{owner}/{repo}/installation and
POST /app/installations/{installation_id}/access_tokens (those take only a JWT).
Permissions are per repository (given when the test creates it) and, for installation tokens,
also limited by the installation's and the token's permissions.

Control endpoints (not part of the API, no auth), JSON in and out:
  GET  /_fake/requests          every API request: method, path, query, status, violations,
                                auth (kind of credential), body (parsed JSON of writes)
  GET  /_fake/violations
  POST /_fake/repos             {owner, name, private?, permissions?, owner_type?, branches?,
                                 description?, default_branch?}
  POST /_fake/users             {login, name?, email?, type?}
  POST /_fake/installations     {org, id, permissions?}
  POST /_fake/rate_limit        {count, kind: "primary"|"secondary", reset_in?, status?}
  POST /_fake/fail              {method, path_template, status, body?, headers?}
  POST /_fake/down              {"status": 503|null}
  POST /_fake/assign_cve        {ghsa_id, cve_id}
  POST /_fake/pulls             {owner, repo, number?, head_ref, base_ref?, merged?, state?,
                                 title?, head_sha?}
  POST /_fake/runs              {owner, repo, head_sha, status, conclusion?, name?, head_branch?,
                                 event?, path?}
  POST /_fake/report            {owner, repo, summary, description?, reporter?, vulnerabilities?}:
                                a private vulnerability report (an advisory in state triage; the
                                fields are checked against `repository-advisory-create`, 400)
  POST /_fake/webhook           {ghsa_id, action: "published"|"reported"}: the payload GitHub
                                delivers for the `repository_advisory` event about the advisory
                                as it is now (400 where GitHub sends none: `published` before it
                                is published, `reported` for an advisory that is no report)
  GET  /_fake/advisories        every advisory as the API shows it, plus cve_requested
  GET  /_fake/tokens_minted     {"count": n}
  GET  /_fake/dispatches        workflow dispatches received
  GET  /_fake/repos             repositories with their refs and deleted refs
  POST /_fake/now               {"now": "RFC3339"|null}
"""
import argparse
import base64
import copy
import datetime as dt
import hashlib
import json
import math
import random
import re
import string
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from jsonschema import Draft4Validator, Draft202012Validator, FormatChecker

HERE = Path(__file__).resolve().parent

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, default=0)
ap.add_argument("--token", required=True)
ap.add_argument("--login", default="embargo-bot")
ap.add_argument("--vendor", default=str(HERE.parents[2] / "vendor"))
ap.add_argument("--app-id", default=None)
ap.add_argument("--app-public-key", default=None)
ap.add_argument("--app-slug", default="embargo-desk")
ap.add_argument("--seed", type=int, default=20221128)
ARGS = ap.parse_args()

if (ARGS.app_id is None) != (ARGS.app_public_key is None):
    sys.exit("--app-id and --app-public-key go together")

PUBLIC_KEY = None
if ARGS.app_public_key:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    PUBLIC_KEY = serialization.load_pem_public_key(Path(ARGS.app_public_key).read_bytes())

VENDOR = Path(ARGS.vendor).resolve()
SPEC = json.loads((VENDOR / "github" / "rest-subset.json").read_text(encoding="utf-8"))
WEBHOOKS = json.loads((VENDOR / "github" / "webhooks-subset.json").read_text(encoding="utf-8"))
FORMATS = FormatChecker()
API_VERSION = "2022-11-28"
DOCS = "https://docs.github.com/rest"
RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
SECONDARY_DOCS = ("https://docs.github.com/free-pro-team@latest/rest/overview/"
                  "rate-limits-for-the-rest-api#about-secondary-rate-limits")
GHSA_ALPHABET = "23456789cfghjmpqrvwx"
RATE_LIMIT = 5000
LEVELS = {"read": 1, "write": 2, "admin": 3}
JWT_OPERATIONS = {("GET", "/app"), ("GET", "/orgs/{org}/installation"),
                  ("GET", "/repos/{owner}/{repo}/installation"),
                  ("POST", "/app/installations/{installation_id}/access_tokens")}
BASE = None  # http://127.0.0.1:PORT, once bound


# ---------------------------------------------------------------------------------------------
# Schemas: OpenAPI 3.0 -> JSON Schema draft 4
# ---------------------------------------------------------------------------------------------

DROP = {"example", "examples", "discriminator", "xml", "externalDocs", "readOnly", "writeOnly",
        "deprecated", "nullable"}
DATA = {"enum", "default", "const", "required"}


def to_jsonschema(node):
    if isinstance(node, list):
        return [to_jsonschema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k in DROP or k.startswith("x-"):
            continue
        if k == "properties" and isinstance(v, dict):
            out[k] = {name: to_jsonschema(s) for name, s in v.items()}
        elif k in DATA:
            out[k] = v
        else:
            out[k] = to_jsonschema(v)
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = out["enum"] + [None]
        else:
            out = {"anyOf": [{"type": "null"}, out]}
    return out


def _response_errata(schemas):
    """Where the published response schemas contradict what GitHub sends, loosen them to what
    GitHub sends. Each is listed in vendor/github/README.md."""
    return schemas


RESPONSE_COMPONENTS = {"components": {"schemas": _response_errata(to_jsonschema(SPEC["components"]["schemas"]))}}
REQUEST_COMPONENTS = {"components": {"schemas": to_jsonschema(SPEC["components"]["schemas"])}}


def _webhook_errata(node, pointer="#", fixed=None):
    """webhooks-subset.json is OpenAPI 3.1 (JSON Schema 2020-12), converted by Octokit from
    GitHub's 3.0 description. Where 3.0 said `allOf: [X], nullable: true` (no `type`), the
    conversion wrote `allOf: [X], type: ["null"]`, which nothing satisfies (null fails X, an
    object fails the type); `required` makes `repository-advisory`'s `author` and `publisher`
    such fields. Read it as the 3.0 original means it (and as rest-subset.json says of the same
    fields): `anyOf: [{type: null}, {allOf: [X]}]`. Returns a corrected copy; `fixed` collects
    the JSON pointers rewritten (WEBHOOK_ERRATA)."""
    if isinstance(node, list):
        return [_webhook_errata(v, f"{pointer}/{i}", fixed) for i, v in enumerate(node)]
    if not isinstance(node, dict):
        return node
    out = {k: (v if k in DATA or k in ("example", "examples") else _webhook_errata(v, f"{pointer}/{k}", fixed))
           for k, v in node.items()}
    if out.get("type") == ["null"] and "allOf" in out:
        fixed.append(pointer)
        rest = {k: v for k, v in out.items() if k not in ("type", "allOf")}
        out = {**rest, "anyOf": [{"type": "null"}, {"allOf": out["allOf"]}]}
    return out


WEBHOOK_ERRATA = []  # #/components/schemas/repository-advisory/properties/{author,private_fork,publisher}
WEBHOOK_COMPONENTS = _webhook_errata(WEBHOOKS["components"], "#/components", WEBHOOK_ERRATA)
WEBHOOK_ACTIONS = {"published": "webhook-repository-advisory-published",
                   "reported": "webhook-repository-advisory-reported"}
_webhook_validators = {}


def webhook_validator(action):
    """Draft 2020-12 (OpenAPI 3.1's dialect) over the whole document, so that
    `#/components/...` references resolve within it."""
    v = _webhook_validators.get(action)
    if v is None:
        root = {"components": WEBHOOK_COMPONENTS, "$ref": f"#/components/schemas/{WEBHOOK_ACTIONS[action]}"}
        v = _webhook_validators[action] = Draft202012Validator(root, format_checker=FORMATS)
    return v

_validators = {}  # keyed by the id() of schemas that live as long as the process
ANY = {}


def validator(schema, response):
    key = (id(schema), response)
    v = _validators.get(key)
    if v is None:
        root = dict(RESPONSE_COMPONENTS if response else REQUEST_COMPONENTS)
        root["allOf"] = [to_jsonschema(schema)]
        v = Draft4Validator(root, format_checker=FORMATS)
        _validators[key] = v
    return v


def deref(obj):
    while isinstance(obj, dict) and "$ref" in obj and obj["$ref"].startswith("#/"):
        node = SPEC
        for part in obj["$ref"][2:].split("/"):
            node = node[part]
        obj = node
    return obj


def err_path(path):
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def schema_errors(v, instance):
    out = []
    for e in sorted(v.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
        if e.context:  # anyOf/oneOf: the deepest alternative's complaint is the most telling
            leaf = max(e.context, key=lambda c: len(c.absolute_path))
            if len(leaf.absolute_path) > len(e.absolute_path):
                e = leaf
        out.append((err_path(e.absolute_path), e.message[:300]))
    return out


# ---------------------------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------------------------

class Operation:
    def __init__(self, method, template, op, path_item):
        self.method = method.upper()
        self.template = template
        self.op = op
        self.docs = op.get("externalDocs", {}).get("url", DOCS)
        names = []

        def repl(m):
            names.append(m.group(1))
            # A git ref has slashes (`heads/topic`); clients send them unencoded.
            return f"(?P<{m.group(1)}>.+)" if m.group(1) == "ref" else f"(?P<{m.group(1)}>[^/]+)"
        self.regex = re.compile("^" + re.sub(r"\\\{([^}]+)\\\}", repl, re.escape(template)) + "$")
        self.nparams = len(names)
        params = {}
        for p in list(path_item.get("parameters", [])) + list(op.get("parameters", [])):
            p = deref(p)
            params[(p["in"], p["name"].lower() if p["in"] == "header" else p["name"])] = p
        self.params = list(params.values())
        self.body = deref(op.get("requestBody")) if op.get("requestBody") else None


OPERATIONS = []
for _tpl, _item in SPEC["paths"].items():
    for _m, _op in _item.items():
        if _m in ("get", "put", "post", "delete", "patch", "head", "options"):
            OPERATIONS.append(Operation(_m, _tpl, _op, _item))
OPERATIONS.sort(key=lambda o: (o.nparams, -len(o.template)))


def find_operation(method, path):
    known_path = False
    for o in OPERATIONS:
        m = o.regex.match(path)
        if m:
            known_path = True
            if o.method == method:
                return o, {k: unquote(v) for k, v in m.groupdict().items()}, True
    return None, None, known_path


def coerce(value, schema):
    types = [schema.get("type")] if schema.get("type") else [a.get("type") for a in schema.get("oneOf", [])]
    if "integer" in types and re.fullmatch(r"[+-]?\d+", value.strip()):
        return int(value), None
    if types == ["integer"]:
        return value, "must be an integer"
    if types == ["boolean"]:
        if value in ("true", "false"):
            return value == "true", None
        return value, "must be true or false"
    return value, None


# ---------------------------------------------------------------------------------------------
# State
# ---------------------------------------------------------------------------------------------

class Reply(Exception):
    def __init__(self, status, body, headers=None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def iso(t):
    return t.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_time(s):
    t = dt.datetime.fromisoformat(s.replace("Z", "+00:00").replace("z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def node_id(prefix, n):
    return prefix + base64.b64encode(f"{prefix}{n:012d}".encode()).decode().rstrip("=")


class State:
    def __init__(self):
        self.lock = threading.RLock()
        self.fixed_now = None
        self.rng = random.Random(ARGS.seed)
        self.request_rng = random.Random(ARGS.seed + 1)
        self.next_id = 1000
        self.users = {}          # login.lower() -> user record
        self.repos = {}          # (owner.lower(), name.lower()) -> repo record
        self.installations = {}  # id -> installation record
        self.tokens = {}         # installation token -> {installation_id, expires_at, permissions, repos}
        self.tokens_minted = 0
        self.advisories = {}     # ghsa_id -> advisory record
        self.issues = {}         # (repo key, number) -> issue record (pulls too)
        self.runs = []
        self.dispatches = []
        self.usage = {}          # credential key -> {used, reset}
        self.forced = []         # forced rate-limit answers, oldest first
        self.fail = []           # injected answers
        self.down = None
        self.requests = []
        self.violations = []
        self.created = iso(self.now())
        self.add_user(ARGS.login, name="Embargo Bot", email=f"{ARGS.login}@users.noreply.github.com")

    def now(self):
        return self.fixed_now or dt.datetime.now(dt.timezone.utc)

    def new_id(self):
        self.next_id += 1
        return self.next_id

    def add_user(self, login, name=None, email=None, type_="User"):
        u = self.users.get(login.lower())
        if u is None:
            u = {"login": login, "id": self.new_id(), "type": type_, "name": name, "email": email,
                 "created_at": iso(self.now())}
            self.users[login.lower()] = u
        return u

    def user(self, login):
        return self.users.get(str(login).lower())

    def repo(self, owner, name):
        return self.repos.get((owner.lower(), name.lower()))

    def ghsa(self):
        while True:
            parts = ["".join(self.rng.choice(GHSA_ALPHABET) for _ in range(4)) for _ in range(3)]
            g = "GHSA-" + "-".join(parts)
            if g not in self.advisories:
                return g


S = State()


# ---------------------------------------------------------------------------------------------
# Objects as GitHub answers them
# ---------------------------------------------------------------------------------------------

def simple_user(u):
    if u is None:
        return None
    login = u["login"]
    api = f"{BASE}/users/{quote(login)}"
    bot = u["type"] == "Bot"
    return {
        "login": login, "id": u["id"], "node_id": node_id("BOT_" if bot else "U_", u["id"]),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{u['id']}?v=4", "gravatar_id": "",
        "url": api,
        "html_url": f"https://github.com/apps/{login[:-5]}" if bot and login.endswith("[bot]") else f"https://github.com/{login}",
        "followers_url": f"{api}/followers", "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}", "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions", "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos", "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events", "type": u["type"],
        "user_view_type": "public", "site_admin": False,
    }


def public_user(u):
    out = simple_user(u)
    out.update({"name": u.get("name"), "company": None, "blog": "", "location": None,
                "email": u.get("email"), "hireable": None, "bio": None, "twitter_username": None,
                "public_repos": sum(1 for r in S.repos.values() if r["owner"] is u and not r["private"]),
                "public_gists": 0, "followers": 0, "following": 0,
                "created_at": u["created_at"], "updated_at": u["created_at"]})
    return out


def private_user(u):
    out = public_user(u)
    out.update({"user_view_type": "private", "private_gists": 0,
                "total_private_repos": sum(1 for r in S.repos.values() if r["owner"] is u and r["private"]),
                "owned_private_repos": 0, "disk_usage": 0, "collaborators": 0,
                "two_factor_authentication": True,
                "plan": {"name": "free", "space": 976562499, "private_repos": 10000, "collaborators": 0}})
    return out


def repo_urls(r):
    full = f"{r['owner']['login']}/{r['name']}"
    api = f"{BASE}/repos/{full}"
    return {
        "id": r["id"], "node_id": node_id("R_", r["id"]), "name": r["name"], "full_name": full,
        "private": r["private"], "owner": simple_user(r["owner"]),
        "html_url": f"https://github.com/{full}", "description": r["description"], "fork": r["fork"],
        "url": api, "archive_url": f"{api}/{{archive_format}}{{/ref}}",
        "assignees_url": f"{api}/assignees{{/user}}", "blobs_url": f"{api}/git/blobs{{/sha}}",
        "branches_url": f"{api}/branches{{/branch}}", "collaborators_url": f"{api}/collaborators{{/collaborator}}",
        "comments_url": f"{api}/comments{{/number}}", "commits_url": f"{api}/commits{{/sha}}",
        "compare_url": f"{api}/compare/{{base}}...{{head}}", "contents_url": f"{api}/contents/{{+path}}",
        "contributors_url": f"{api}/contributors", "deployments_url": f"{api}/deployments",
        "downloads_url": f"{api}/downloads", "events_url": f"{api}/events", "forks_url": f"{api}/forks",
        "git_commits_url": f"{api}/git/commits{{/sha}}", "git_refs_url": f"{api}/git/refs{{/sha}}",
        "git_tags_url": f"{api}/git/tags{{/sha}}", "hooks_url": f"{api}/hooks",
        "issue_comment_url": f"{api}/issues/comments{{/number}}", "issue_events_url": f"{api}/issues/events{{/number}}",
        "issues_url": f"{api}/issues{{/number}}", "keys_url": f"{api}/keys{{/key_id}}",
        "labels_url": f"{api}/labels{{/name}}", "languages_url": f"{api}/languages",
        "merges_url": f"{api}/merges", "milestones_url": f"{api}/milestones{{/number}}",
        "notifications_url": f"{api}/notifications{{?since,all,participating}}",
        "pulls_url": f"{api}/pulls{{/number}}", "releases_url": f"{api}/releases{{/id}}",
        "stargazers_url": f"{api}/stargazers", "statuses_url": f"{api}/statuses/{{sha}}",
        "subscribers_url": f"{api}/subscribers", "subscription_url": f"{api}/subscription",
        "tags_url": f"{api}/tags", "teams_url": f"{api}/teams", "trees_url": f"{api}/git/trees{{/sha}}",
        "hooks_url": f"{api}/hooks",
    }


def repo_permissions(r, cred):
    level = max((LEVELS.get(v, 0) for v in effective_permissions(r, cred).values()), default=0)
    return {"admin": level >= 3, "maintain": level >= 3, "push": level >= 2, "triage": level >= 2, "pull": True}


def full_repository(r, cred=None):
    """`full-repository` and `repository` (a superset of both, neither is closed)."""
    out = repo_urls(r)
    full = out["full_name"]
    out.update({
        "clone_url": f"https://github.com/{full}.git", "git_url": f"git://github.com/{full}.git",
        "ssh_url": f"git@github.com:{full}.git", "svn_url": f"https://github.com/{full}",
        "mirror_url": None, "homepage": None, "language": None, "size": 0,
        "default_branch": r["default_branch"], "forks": 0, "forks_count": 0, "stargazers_count": 0,
        "watchers": 0, "watchers_count": 0, "open_issues": open_issue_count(r),
        "open_issues_count": open_issue_count(r), "is_template": False, "topics": [],
        "has_issues": True, "has_projects": True, "has_wiki": not r["private"], "has_pages": False,
        "has_downloads": True, "has_discussions": False, "archived": False, "disabled": False,
        "visibility": "private" if r["private"] else "public", "license": None,
        "pushed_at": r["created_at"], "created_at": r["created_at"], "updated_at": r["created_at"],
        "allow_forking": not r["private"], "web_commit_signoff_required": False,
        "network_count": 0, "subscribers_count": 0,
    })
    if cred is not None:
        out["permissions"] = repo_permissions(r, cred)
    return out


def simple_repository(r):
    return repo_urls(r)


def open_issue_count(r):
    return sum(1 for (k, _), i in S.issues.items() if k == r["key"] and i["state"] == "open")


def issue_object(i):
    r = i["repo"]
    api = f"{BASE}/repos/{r['owner']['login']}/{r['name']}"
    html = f"https://github.com/{r['owner']['login']}/{r['name']}"
    url = f"{api}/issues/{i['number']}"
    out = {
        "id": i["id"], "node_id": node_id("I_", i["id"]), "url": url, "repository_url": api,
        "labels_url": f"{url}/labels{{/name}}", "comments_url": f"{url}/comments",
        "events_url": f"{url}/events", "html_url": f"{html}/{'pull' if i['pull'] else 'issues'}/{i['number']}",
        "number": i["number"], "state": i["state"], "state_reason": i.get("state_reason"),
        "title": i["title"], "body": i.get("body"), "user": simple_user(i["user"]),
        "labels": [label_object(r, name) for name in i["labels"]],
        "assignee": simple_user(i["assignees"][0]) if i["assignees"] else None,
        "assignees": [simple_user(a) for a in i["assignees"]], "milestone": None, "locked": False,
        "active_lock_reason": None, "comments": 0, "closed_at": i.get("closed_at"),
        "created_at": i["created_at"], "updated_at": i["updated_at"], "closed_by": None,
        "author_association": "MEMBER",
        "reactions": {"url": f"{url}/reactions", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0,
                      "confused": 0, "heart": 0, "hooray": 0, "eyes": 0, "rocket": 0},
        "timeline_url": f"{url}/timeline",
    }
    if i["pull"]:
        out["pull_request"] = {"url": f"{api}/pulls/{i['number']}", "html_url": f"{html}/pull/{i['number']}",
                               "diff_url": f"{html}/pull/{i['number']}.diff",
                               "patch_url": f"{html}/pull/{i['number']}.patch", "merged_at": i.get("merged_at")}
    return out


def label_object(r, name):
    lid = int(hashlib.sha256(f"{r['key']}/{name}".encode()).hexdigest()[:10], 16)
    return {"id": lid, "node_id": node_id("LA_", lid), "name": name, "color": "ededed", "default": False,
            "description": None,
            "url": f"{BASE}/repos/{r['owner']['login']}/{r['name']}/labels/{quote(name)}"}


def pull_object(p):
    r = p["repo"]
    full = f"{r['owner']['login']}/{r['name']}"
    api = f"{BASE}/repos/{full}"
    html = f"https://github.com/{full}/pull/{p['number']}"
    url = f"{api}/pulls/{p['number']}"

    def side(ref, sha):
        return {"label": f"{r['owner']['login']}:{ref}", "ref": ref, "sha": sha,
                "user": simple_user(r["owner"]), "repo": full_repository(r)}
    return {
        "url": url, "id": p["id"], "node_id": node_id("PR_", p["id"]), "html_url": html,
        "diff_url": f"{html}.diff", "patch_url": f"{html}.patch", "issue_url": f"{api}/issues/{p['number']}",
        "commits_url": f"{url}/commits", "review_comments_url": f"{url}/comments",
        "review_comment_url": f"{api}/pulls/comments{{/number}}", "comments_url": f"{api}/issues/{p['number']}/comments",
        "statuses_url": f"{api}/statuses/{p['head_sha']}", "number": p["number"], "state": p["state"],
        "locked": False, "title": p["title"], "user": simple_user(p["user"]), "body": p.get("body"),
        "labels": [label_object(r, n) for n in p["labels"]], "milestone": None,
        "active_lock_reason": None, "created_at": p["created_at"], "updated_at": p["updated_at"],
        "closed_at": p.get("closed_at"), "merged_at": p.get("merged_at"),
        "merge_commit_sha": p.get("merge_commit_sha"), "assignee": None, "assignees": [],
        "requested_reviewers": [], "requested_teams": [], "draft": False,
        "head": side(p["head_ref"], p["head_sha"]), "base": side(p["base_ref"], p["base_sha"]),
        "_links": {k: {"href": v} for k, v in {
            "self": url, "html": html, "issue": f"{api}/issues/{p['number']}",
            "comments": f"{api}/issues/{p['number']}/comments", "review_comments": f"{url}/comments",
            "review_comment": f"{api}/pulls/comments{{/number}}", "commits": f"{url}/commits",
            "statuses": f"{api}/statuses/{p['head_sha']}"}.items()},
        "author_association": "MEMBER", "auto_merge": None,
    }


def run_object(run):
    r = run["repo"]
    full = f"{r['owner']['login']}/{r['name']}"
    api = f"{BASE}/repos/{full}"
    url = f"{api}/actions/runs/{run['id']}"
    return {
        "id": run["id"], "name": run["name"], "node_id": node_id("WFR_", run["id"]),
        "check_suite_id": run["id"] + 1, "check_suite_node_id": node_id("CS_", run["id"] + 1),
        "head_branch": run["head_branch"], "head_sha": run["head_sha"], "path": run["path"],
        "display_title": run["name"], "run_number": run["run_number"], "run_attempt": 1,
        "event": run["event"], "status": run["status"], "conclusion": run["conclusion"],
        "workflow_id": run["workflow_id"], "url": url,
        "html_url": f"https://github.com/{full}/actions/runs/{run['id']}",
        "pull_requests": [], "created_at": run["created_at"], "updated_at": run["updated_at"],
        "run_started_at": run["created_at"], "actor": simple_user(run["actor"]),
        "triggering_actor": simple_user(run["actor"]), "jobs_url": f"{url}/jobs", "logs_url": f"{url}/logs",
        "check_suite_url": f"{api}/check-suites/{run['id'] + 1}", "artifacts_url": f"{url}/artifacts",
        "cancel_url": f"{url}/cancel", "rerun_url": f"{url}/rerun", "previous_attempt_url": None,
        "workflow_url": f"{api}/actions/workflows/{run['workflow_id']}",
        "head_commit": {"id": run["head_sha"], "tree_id": hashlib.sha1(run["head_sha"].encode()).hexdigest(),
                        "message": run["name"], "timestamp": run["created_at"],
                        "author": {"name": "Embargo", "email": "embargo@example.org"},
                        "committer": {"name": "GitHub", "email": "noreply@github.com"}},
        "repository": repo_urls(r), "head_repository": repo_urls(r),
    }


def app_user():
    return S.add_user(f"{ARGS.app_slug}[bot]", type_="Bot")


def app_permissions_all():
    return {"security_advisories": "write", "issues": "write", "contents": "write", "actions": "write",
            "pull_requests": "write", "metadata": "read"}


def integration_object():
    app_id = int(ARGS.app_id)
    owner = S.add_user("embargo-org", type_="Organization")
    return {
        "id": app_id, "slug": ARGS.app_slug, "node_id": node_id("A_", app_id), "client_id": f"Iv1.{app_id:016x}",
        "owner": simple_user(owner), "name": ARGS.app_slug, "description": "embargo (fake GitHub App)",
        "external_url": "https://embargo.example.org", "html_url": f"https://github.com/apps/{ARGS.app_slug}",
        "created_at": S.created, "updated_at": S.created, "permissions": app_permissions_all(),
        "events": ["repository_advisory", "security_advisory"], "installations_count": len(S.installations),
    }


def installation_object(inst):
    acct = inst["account"]
    return {
        "id": inst["id"], "account": simple_user(acct), "repository_selection": "all",
        "access_tokens_url": f"{BASE}/app/installations/{inst['id']}/access_tokens",
        "repositories_url": f"{BASE}/installation/repositories",
        "html_url": f"https://github.com/organizations/{acct['login']}/settings/installations/{inst['id']}",
        "app_id": int(ARGS.app_id) if ARGS.app_id else 0, "app_slug": ARGS.app_slug,
        "target_id": acct["id"], "target_type": acct["type"], "permissions": dict(inst["permissions"]),
        "events": ["repository_advisory"], "created_at": inst["created_at"], "updated_at": inst["created_at"],
        "single_file_name": None, "has_multiple_single_files": False, "single_file_paths": [],
        "suspended_by": None, "suspended_at": None,
    }


CWE_NAMES = {
    "CWE-20": "Improper Input Validation", "CWE-22": "Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')",
    "CWE-77": "Improper Neutralization of Special Elements used in a Command ('Command Injection')",
    "CWE-78": "Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')",
    "CWE-79": "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')",
    "CWE-89": "Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')",
    "CWE-94": "Improper Control of Generation of Code ('Code Injection')", "CWE-125": "Out-of-bounds Read",
    "CWE-200": "Exposure of Sensitive Information to an Unauthorized Actor", "CWE-287": "Improper Authentication",
    "CWE-352": "Cross-Site Request Forgery (CSRF)", "CWE-400": "Uncontrolled Resource Consumption",
    "CWE-416": "Use After Free", "CWE-502": "Deserialization of Untrusted Data", "CWE-787": "Out-of-bounds Write",
    "CWE-862": "Missing Authorization", "CWE-863": "Incorrect Authorization",
    "CWE-918": "Server-Side Request Forgery (SSRF)", "CWE-1333": "Inefficient Regular Expression Complexity",
}


def advisory_object(a):
    r = a["repo"]
    full = f"{r['owner']['login']}/{r['name']}"
    cvss = a["cvss"]
    v3 = cvss if cvss and cvss["vector_string"].startswith("CVSS:3") else None
    v4 = cvss if cvss and cvss["vector_string"].startswith("CVSS:4") else None
    idents = [{"type": "GHSA", "value": a["ghsa_id"]}]
    if a["cve_id"]:
        idents.append({"type": "CVE", "value": a["cve_id"]})
    return {
        "ghsa_id": a["ghsa_id"], "cve_id": a["cve_id"],
        "url": f"{BASE}/repos/{full}/security-advisories/{a['ghsa_id']}",
        "html_url": f"https://github.com/{full}/security/advisories/{a['ghsa_id']}",
        "summary": a["summary"], "description": a["description"], "severity": a["severity"],
        "author": simple_user(a["author"]), "publisher": simple_user(a["publisher"]),
        "identifiers": idents, "state": a["state"], "created_at": a["created_at"],
        "updated_at": a["updated_at"], "published_at": a["published_at"], "closed_at": a["closed_at"],
        "withdrawn_at": a["withdrawn_at"], "submission": a["submission"],
        "vulnerabilities": [{"package": {"ecosystem": v["package"]["ecosystem"], "name": v["package"].get("name")},
                             "vulnerable_version_range": v.get("vulnerable_version_range"),
                             "patched_versions": v.get("patched_versions"),
                             "vulnerable_functions": list(v.get("vulnerable_functions") or [])}
                            for v in a["vulnerabilities"]],
        "cvss": dict(cvss) if cvss else None,
        "cvss_severities": {"cvss_v3": dict(v3) if v3 else {"vector_string": None, "score": None},
                            "cvss_v4": dict(v4) if v4 else {"vector_string": None, "score": None}},
        "cwes": [{"cwe_id": c, "name": CWE_NAMES.get(c, c)} for c in a["cwe_ids"]] if a["cwe_ids"] else None,
        "cwe_ids": list(a["cwe_ids"]) if a["cwe_ids"] else None,
        "credits": [{"login": c["user"]["login"], "type": c["type"]} for c in a["credits"]],
        "credits_detailed": [{"user": simple_user(c["user"]), "type": c["type"], "state": c["state"]}
                             for c in a["credits"]],
        "collaborating_users": None if a["collaborating_users"] is None
        else [simple_user(u) for u in a["collaborating_users"]],
        "collaborating_teams": None if a["collaborating_teams"] is None else [],
        "private_fork": simple_repository(a["private_fork"]) if a["private_fork"] else None,
    }


# CVSS 3.x base score (FIRST's CVSS v3.1 specification, section 7).
CVSS3 = re.compile(r"^CVSS:3\.[01]/AV:([NALP])/AC:([LH])/PR:([NLH])/UI:([NR])/S:([UC])/C:([HLN])/I:([HLN])/A:([HLN])$")
CVSS4 = re.compile(r"^CVSS:4\.0/AV:[NALP]/AC:[LH]/AT:[NP]/PR:[NLH]/UI:[NPA]/VC:[HLN]/VI:[HLN]/VA:[HLN]"
                   r"/SC:[HLN]/SI:[HLN]/SA:[HLN](/[A-Za-z]+:[A-Za-z]+)*$")


def cvss3_score(vector):
    m = CVSS3.match(vector)
    av, ac, pr, ui, s, c, i, a = m.groups()
    W = {"N": .85, "A": .62, "L": .55, "P": .2}[av] * {"L": .77, "H": .44}[ac] \
        * ({"N": .85, "L": .68, "H": .5} if s == "C" else {"N": .85, "L": .62, "H": .27})[pr] * {"N": .85, "R": .62}[ui]
    cia = {"H": .56, "L": .22, "N": 0}
    iss = 1 - (1 - cia[c]) * (1 - cia[i]) * (1 - cia[a])
    impact = 6.42 * iss if s == "U" else 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15
    expl = 8.22 * W

    def roundup(x):
        n = int(round(x * 100000))
        return n / 100000.0 if n % 10000 == 0 else (math.floor(n / 10000) + 1) / 10.0
    if impact <= 0:
        return 0.0
    return roundup(min(impact + expl, 10)) if s == "U" else roundup(min(1.08 * (impact + expl), 10))


def severity_of(score):
    if score is None:
        return None
    return "critical" if score >= 9 else "high" if score >= 7 else "medium" if score >= 4 else "low"


# ---------------------------------------------------------------------------------------------
# Webhook payloads (the `repository_advisory` event)
# ---------------------------------------------------------------------------------------------

def organization_webhooks(u):
    """`organization-simple-webhooks`."""
    api = f"{BASE}/orgs/{quote(u['login'])}"
    return {"login": u["login"], "id": u["id"], "node_id": node_id("O_", u["id"]), "url": api,
            "repos_url": f"{api}/repos", "events_url": f"{api}/events", "hooks_url": f"{api}/hooks",
            "issues_url": f"{api}/issues", "members_url": f"{api}/members{{/member}}",
            "public_members_url": f"{api}/public_members{{/member}}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{u['id']}?v=4", "description": None}


def webhook_payload(a, action):
    """What GitHub delivers for the `repository_advisory` event `action` about `a` as it is now.
    Raises ValueError where GitHub would send no such event."""
    if action not in WEBHOOK_ACTIONS:
        raise ValueError(f"action {action!r}: the repository_advisory event has only {sorted(WEBHOOK_ACTIONS)}")
    if action == "published" and a["state"] != "published":
        raise ValueError(f"{a['ghsa_id']} is in state {a['state']}: GitHub sends `published` once it is published")
    if action == "reported" and a["submission"] is None:
        raise ValueError(f"{a['ghsa_id']} is not a private vulnerability report (no submission): GitHub sends "
                         "`reported` only for those (make one with POST /_fake/report)")
    r = a["repo"]
    out = {"action": action, "repository_advisory": advisory_object(a), "repository": full_repository(r)}
    if r["owner"]["type"] == "Organization":
        out["organization"] = organization_webhooks(r["owner"])
    inst = installation_for(r["owner"]["login"])
    if inst is not None:  # delivered to the App installed there
        out["installation"] = {"id": inst["id"], "node_id": base64.b64encode(
            f"023:IntegrationInstallation{inst['id']}".encode()).decode().rstrip("=")}
    sender = a["publisher"] if action == "published" else a["author"]
    out["sender"] = simple_user(sender or a["author"])
    return out


def webhook_problems(action, payload):
    return [f"{p or '(root)'}: {m}" for p, m in schema_errors(webhook_validator(action), payload)]


# ---------------------------------------------------------------------------------------------
# Credentials, permissions, errors
# ---------------------------------------------------------------------------------------------

class Cred:
    def __init__(self, kind, user=None, installation=None, token=None):
        self.kind, self.user, self.installation, self.token = kind, user, installation, token

    @property
    def key(self):
        if self.kind == "installation":
            return f"installation:{self.installation['id']}"
        if self.kind == "jwt":
            return "app"
        return f"user:{self.user['id']}"


def basic(status, message, docs=DOCS, headers=None):
    return Reply(status, {"message": message, "documentation_url": docs, "status": str(status)}, headers)


def not_found():
    return basic(404, "Not Found")


def validation_failed(op, errors, message="Validation Failed"):
    return Reply(422, {"message": message, "errors": errors, "documentation_url": op.docs, "status": "422"})


def effective_permissions(r, cred):
    perms = dict(r["permissions"])
    if cred.kind == "installation":
        inst = cred.installation
        limits = [inst["permissions"]]
        if cred.token.get("permissions"):
            limits.append(cred.token["permissions"])
        for lim in limits:
            for k in list(perms):
                if LEVELS.get(lim.get(k), 0) < LEVELS.get(perms[k], 0):
                    if lim.get(k):
                        perms[k] = lim[k]
                    else:
                        del perms[k]
    return perms


def has(r, cred, perm, level):
    return LEVELS.get(effective_permissions(r, cred).get(perm), 0) >= LEVELS[level]


def require(op, r, cred, perm, level):
    if not has(r, cred, perm, level):
        who = "integration" if cred.kind == "installation" else "personal access token"
        raise basic(403, f"Resource not accessible by {who}", op.docs,
                    {"X-Accepted-GitHub-Permissions": f"{perm}={level}"})


def find_repo(req, cred):
    r = S.repo(req.path_params["owner"], req.path_params["repo"])
    if r is None:
        raise not_found()
    if cred.kind == "installation":
        if r["owner"]["login"].lower() != cred.installation["account"]["login"].lower():
            raise not_found()
        allowed = cred.token.get("repositories")
        if allowed is not None and r["name"].lower() not in allowed:
            raise not_found()
    return r


def b64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def verify_jwt(token):
    """The claims, or raises a 401 Reply with GitHub's message."""
    if PUBLIC_KEY is None:
        raise basic(401, "A JSON web token could not be decoded")
    try:
        h, p, s = token.split(".")
        header, payload, sig = json.loads(b64url(h)), json.loads(b64url(p)), b64url(s)
    except (ValueError, TypeError):
        raise basic(401, "A JSON web token could not be decoded")
    if header.get("alg") != "RS256":
        raise basic(401, "A JSON web token could not be decoded")
    try:
        PUBLIC_KEY.verify(sig, f"{h}.{p}".encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise basic(401, "A JSON web token could not be decoded")
    if str(payload.get("iss")) != str(ARGS.app_id):
        raise basic(401, "'Issuer' claim ('iss') must be an Integer")
    iat, exp = payload.get("iat"), payload.get("exp")
    now = S.now().timestamp()
    if not isinstance(iat, (int, float)) or isinstance(iat, bool) or iat > now + 60:
        raise basic(401, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.")
    if not isinstance(exp, (int, float)) or isinstance(exp, bool) or exp <= now:
        raise basic(401, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.")
    if exp - iat > 600:
        raise basic(401, "'Expiration time' claim ('exp') is too far in the future.")
    return payload


def authenticate(op, headers):
    """The credential of the request, or raises a 401 Reply."""
    auth = headers.get("Authorization")
    if not auth:
        raise basic(401, "Requires authentication")
    scheme, _, value = auth.strip().partition(" ")
    value = value.strip()
    if scheme.lower() not in ("bearer", "token") or not value:
        raise basic(401, "Bad credentials")
    jwt_op = (op.method, op.template) in JWT_OPERATIONS
    if value.count(".") == 2 and value.startswith("eyJ"):
        if scheme.lower() != "bearer":
            raise basic(401, "Bad credentials")
        verify_jwt(value)
        if not jwt_op:
            raise basic(403, "Resource not accessible by integration", op.docs)
        return Cred("jwt", user=app_user())
    if jwt_op:
        raise basic(401, "A JSON web token could not be decoded", op.docs)
    if value == ARGS.token:
        return Cred("token", user=S.user(ARGS.login))
    tok = S.tokens.get(value)
    if tok is not None and parse_time(tok["expires_at"]) > S.now():
        inst = S.installations.get(tok["installation_id"])
        if inst is not None:
            return Cred("installation", user=app_user(), installation=inst, token=tok)
    raise basic(401, "Bad credentials")


def rate_headers(cred, used, reset, remaining=None, limit=RATE_LIMIT):
    return {"X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(0, limit - used) if remaining is None else remaining),
            "X-RateLimit-Reset": str(reset), "X-RateLimit-Used": str(used), "X-RateLimit-Resource": "core"}


def usage_of(key):
    now = int(S.now().timestamp())
    u = S.usage.get(key)
    if u is None or u["reset"] <= now:
        u = S.usage[key] = {"used": 0, "reset": now + 3600}
    return u


# ---------------------------------------------------------------------------------------------
# Pagination
# ---------------------------------------------------------------------------------------------

def page_slice(req, items):
    per_page = max(1, min(100, req.query.get("per_page", 30)))
    page = max(1, req.query.get("page", 1))
    last = max(1, math.ceil(len(items) / per_page))
    links = []

    def link(n, rel):
        q = {k: v for k, v in req.flat_query.items()}
        q["per_page"], q["page"] = str(per_page), str(n)
        links.append(f'<{BASE}{req.path}?{urlencode(q)}>; rel="{rel}"')
    if page > 1:
        link(page - 1, "prev")
    if page < last:
        link(page + 1, "next")
        link(last, "last")
    if page > 1:
        link(1, "first")
    return items[(page - 1) * per_page: page * per_page], ({"Link": ", ".join(links)} if links else {})


def cursor(ghsa):
    return base64.urlsafe_b64encode(f"v2:{ghsa}".encode()).decode().rstrip("=")


def uncursor(c):
    try:
        text = b64url(c).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return text[3:] if text.startswith("v2:") else None


def sort_items(items, key, direction):
    present = [i for i in items if key(i) is not None]
    absent = [i for i in items if key(i) is None]
    present.sort(key=key, reverse=(direction == "desc"))
    return present + absent


# ---------------------------------------------------------------------------------------------
# Handlers
# ---------------------------------------------------------------------------------------------

def h_app(req, cred):
    return Reply(200, integration_object())


def installation_for(login):
    for inst in S.installations.values():
        if inst["account"]["login"].lower() == login.lower():
            return inst
    return None


def h_org_installation(req, cred):
    inst = installation_for(req.path_params["org"])
    if inst is None:
        raise not_found()
    return Reply(200, installation_object(inst))


def h_repo_installation(req, cred):
    inst = installation_for(req.path_params["owner"])
    if inst is None:
        raise not_found()
    return Reply(200, installation_object(inst))


def h_access_token(req, cred):
    op = req.op
    inst = S.installations.get(req.path_params["installation_id"])
    if inst is None:
        raise not_found()
    body = req.body or {}
    perms = body.get("permissions")
    if perms:
        for k, v in perms.items():
            if LEVELS.get(inst["permissions"].get(k), 0) < LEVELS.get(v, 0):
                raise validation_failed(op, [], "The permissions requested are not granted to this installation.")
    repos = None
    names = body.get("repositories")
    ids = body.get("repository_ids")
    if names is not None or ids is not None:
        repos = set()
        owned = {r["name"].lower(): r for r in S.repos.values()
                 if r["owner"]["login"].lower() == inst["account"]["login"].lower()}
        by_id = {r["id"]: r for r in owned.values()}
        for n in names or []:
            if n.lower() not in owned:
                raise validation_failed(op, [], "There is at least one repository that does not exist or is not accessible to the parent installation.")
            repos.add(n.lower())
        for i in ids or []:
            if i not in by_id:
                raise validation_failed(op, [], "There is at least one repository that does not exist or is not accessible to the parent installation.")
            repos.add(by_id[i]["name"].lower())
    token = "ghs_" + "".join(S.rng.choice(string.ascii_letters + string.digits) for _ in range(36))
    expires = iso(S.now() + dt.timedelta(hours=1))
    S.tokens[token] = {"installation_id": inst["id"], "expires_at": expires, "permissions": perms,
                       "repositories": repos}
    S.tokens_minted += 1
    out = {"token": token, "expires_at": expires, "permissions": dict(perms or inst["permissions"]),
           "repository_selection": "selected" if repos is not None else "all"}
    if repos is not None:
        out["repositories"] = [full_repository(r) for r in S.repos.values()
                               if r["owner"]["login"].lower() == inst["account"]["login"].lower()
                               and r["name"].lower() in repos]
    return Reply(201, out)


def h_user(req, cred):
    if cred.kind != "token":
        raise basic(403, "Resource not accessible by integration", req.op.docs)
    return Reply(200, private_user(cred.user))


def h_users(req, cred):
    u = S.user(req.path_params["username"])
    if u is None:
        raise not_found()
    return Reply(200, public_user(u))


def h_rate_limit(req, cred):
    u = usage_of(cred.key)
    core = {"limit": RATE_LIMIT, "used": u["used"], "remaining": RATE_LIMIT - u["used"], "reset": u["reset"]}
    other = {"limit": 30, "used": 0, "remaining": 30, "reset": u["reset"]}
    return Reply(200, {"resources": {"core": core, "search": other,
                                     "graphql": {"limit": RATE_LIMIT, "used": 0, "remaining": RATE_LIMIT, "reset": u["reset"]}},
                       "rate": core})


def h_repo(req, cred):
    r = find_repo(req, cred)
    return Reply(200, full_repository(r, cred))


def visible_advisories(r, cred):
    read = has(r, cred, "security_advisories", "read")
    return [a for a in S.advisories.values() if a["repo"] is r and (read or a["state"] == "published")]


def h_list_advisories(req, cred):
    r = find_repo(req, cred)
    items = visible_advisories(r, cred)
    q = req.query
    if "state" in q:
        items = [a for a in items if a["state"] == q["state"]]
    key = {"created": "created_at", "updated": "updated_at", "published": "published_at"}[q.get("sort", "created")]
    items = sort_items(items, lambda a: (a[key], a["seq"]) if a[key] else None, q.get("direction", "desc"))
    per_page = q.get("per_page", 30)
    start = 0
    if "after" in q or "before" in q:
        ghsa = uncursor(q.get("after") or q.get("before"))
        idx = [i for i, a in enumerate(items) if a["ghsa_id"] == ghsa]
        if not idx:
            raise basic(400, "Invalid cursor", req.op.docs)
        start = idx[0] + 1 if "after" in q else max(0, idx[0] - per_page)
    page = items[start:start + per_page]
    links = []
    base_q = {k: v for k, v in req.flat_query.items() if k not in ("after", "before")}
    if page and start + per_page < len(items):
        links.append(f'<{BASE}{req.path}?{urlencode({**base_q, "after": cursor(page[-1]["ghsa_id"])})}>; rel="next"')
    if page and start > 0:
        links.append(f'<{BASE}{req.path}?{urlencode({**base_q, "before": cursor(page[0]["ghsa_id"])})}>; rel="prev"')
    return Reply(200, [advisory_object(a) for a in page], {"Link": ", ".join(links)} if links else {})


def find_advisory(req, cred, r):
    a = S.advisories.get(req.path_params["ghsa_id"])
    if a is None:
        a = next((x for x in S.advisories.values() if x["ghsa_id"].lower() == req.path_params["ghsa_id"].lower()), None)
    if a is None or a["repo"] is not r:
        raise not_found()
    if a["state"] != "published" and not has(r, cred, "security_advisories", "read"):
        raise not_found()
    return a


def h_get_advisory(req, cred):
    r = find_repo(req, cred)
    return Reply(200, advisory_object(find_advisory(req, cred, r)))


def invalid(field, code="invalid", **extra):
    return {"resource": "RepositoryAdvisory", "field": field, "code": code, **extra}


def apply_advisory_fields(op, a, body, creating):
    """Validates and applies the writable fields of `body` to `a` (a dict), raising 422."""
    errors = []
    if "severity" in body and body.get("severity") is not None and body.get("cvss_vector_string"):
        raise validation_failed(op, [], "You must choose between setting severity or cvss_vector_string.")
    if not creating and "severity" in body and "cvss_vector_string" not in body and a.get("cvss"):
        raise validation_failed(op, [], "Cannot update severity value when CVSS is set.")
    if "cve_id" in body and body["cve_id"] is not None and not re.fullmatch(r"CVE-\d{4}-\d{4,}", body["cve_id"]):
        errors.append(invalid("cve_id", value=body["cve_id"]))
    if body.get("cvss_vector_string") and not (CVSS3.match(body["cvss_vector_string"]) or CVSS4.match(body["cvss_vector_string"])):
        errors.append(invalid("cvss_vector_string", value=body["cvss_vector_string"]))
    for c in body.get("cwe_ids") or []:
        if not re.fullmatch(r"CWE-\d+", c):
            errors.append(invalid("cwe_ids", value=c))
    credits = []
    for c in body.get("credits") or []:
        u = S.user(c["login"])
        if u is None:
            errors.append(invalid("credits", value=c["login"]))
        else:
            credits.append({"user": u, "type": c["type"], "state": "pending"})
    users = None
    if body.get("collaborating_users") is not None:
        users = []
        for login in body["collaborating_users"]:
            u = S.user(login)
            if u is None or u["type"] != "User":
                errors.append(invalid("collaborating_users", value=login))
            else:
                users.append(u)
    if body.get("collaborating_teams"):  # the fake knows no teams
        for slug in body["collaborating_teams"]:
            errors.append(invalid("collaborating_teams", value=slug))
    if errors:
        raise validation_failed(op, errors)
    for k in ("summary", "description", "cve_id"):
        if k in body:
            a[k] = body[k]
    if "vulnerabilities" in body:
        a["vulnerabilities"] = copy.deepcopy(body["vulnerabilities"])
    if "cwe_ids" in body:
        a["cwe_ids"] = list(body["cwe_ids"] or [])
    if "credits" in body:
        old = {(c["user"]["id"], c["type"]): c["state"] for c in a.get("credits", [])}
        for c in credits:
            c["state"] = old.get((c["user"]["id"], c["type"]), "pending")
        a["credits"] = credits
    if "collaborating_users" in body:
        a["collaborating_users"] = users
    if "collaborating_teams" in body:
        a["collaborating_teams"] = None if body["collaborating_teams"] is None else []
    if "cvss_vector_string" in body:
        vec = body["cvss_vector_string"]
        if vec:
            score = cvss3_score(vec) if vec.startswith("CVSS:3") else None
            a["cvss"] = {"vector_string": vec, "score": score}
            if score is not None:
                a["severity"] = severity_of(score)
        else:
            a["cvss"] = None
    if "severity" in body and not body.get("cvss_vector_string"):
        a["severity"] = body["severity"]


def new_advisory(r, author, state):
    t = iso(S.now())
    return {"seq": len(S.advisories), "ghsa_id": S.ghsa(), "repo": r, "cve_id": None, "summary": "",
            "description": None, "severity": None, "author": author, "publisher": None, "state": state,
            "created_at": t, "updated_at": t, "published_at": None, "closed_at": None, "withdrawn_at": None,
            "submission": None, "vulnerabilities": [], "cvss": None, "cwe_ids": [], "credits": [],
            "collaborating_users": None, "collaborating_teams": None, "private_fork": None,
            "cve_requested": False}


def h_create_advisory(req, cred):
    r = find_repo(req, cred)
    require(req.op, r, cred, "security_advisories", "write")
    a = new_advisory(r, cred.user, "draft")
    apply_advisory_fields(req.op, a, req.body, True)
    S.advisories[a["ghsa_id"]] = a
    if req.body.get("start_private_fork"):
        make_fork(a)
    return Reply(201, advisory_object(a))


TRANSITIONS = {("draft", "published"), ("draft", "closed"), ("closed", "draft"), ("triage", "draft"),
               ("triage", "closed"), ("triage", "published")}


def h_update_advisory(req, cred):
    r = find_repo(req, cred)
    a = find_advisory(req, cred, r)
    require(req.op, r, cred, "security_advisories", "write")
    body = req.body
    new_state = body.get("state")
    if new_state is not None and new_state != a["state"] and (a["state"], new_state) not in TRANSITIONS:
        raise Reply(422, {"message": f"Invalid state transition from `{a['state']}` to `{new_state}`.",
                          "documentation_url": req.op.docs, "status": "422"})
    trial = dict(a)
    apply_advisory_fields(req.op, trial, body, False)
    if new_state == "published" and a["state"] != "published":
        if not trial["vulnerabilities"] or not trial.get("description"):
            raise validation_failed(req.op, [invalid("vulnerabilities", "missing_field")] if not trial["vulnerabilities"]
                                    else [invalid("description", "missing_field")])
    a.update(trial)
    t = iso(S.now())
    if new_state is not None and new_state != a["state"]:
        if a["state"] == "triage":
            a["submission"] = {"accepted": new_state != "closed"}
        a["state"] = new_state
        if new_state == "published":
            a["published_at"], a["publisher"] = t, cred.user
        a["closed_at"] = t if new_state == "closed" else None
    a["updated_at"] = t
    return Reply(200, advisory_object(a))


def h_request_cve(req, cred):
    r = find_repo(req, cred)
    a = find_advisory(req, cred, r)
    require(req.op, r, cred, "security_advisories", "write")
    if r["private"]:
        raise basic(400, "CVE requests are not supported for private repositories.", req.op.docs)
    if a["cve_id"]:
        raise validation_failed(req.op, [invalid("cve_id", "already_exists", value=a["cve_id"])],
                                "This advisory already has a CVE ID.")
    if a["state"] == "published":
        raise validation_failed(req.op, [], "CVE requests can only be made for unpublished advisories.")
    a["cve_requested"] = True
    a["updated_at"] = iso(S.now())
    return Reply(202, {})


def make_fork(a):
    if a["private_fork"] is not None:
        return a["private_fork"]
    parent = a["repo"]
    name = f"{parent['name']}-{a['ghsa_id'].lower()}"
    fork = add_repo(parent["owner"]["login"], name, True, dict(parent["permissions"]),
                    owner_type=parent["owner"]["type"], fork=True, default_branch=parent["default_branch"],
                    description=parent["description"])
    a["private_fork"] = fork
    return fork


def h_fork(req, cred):
    r = find_repo(req, cred)
    a = find_advisory(req, cred, r)
    require(req.op, r, cred, "security_advisories", "write")
    if a["state"] not in ("draft", "triage"):
        raise validation_failed(req.op, [], "A temporary private fork can only be created for a draft advisory.")
    fork = make_fork(a)
    a["updated_at"] = iso(S.now())
    return Reply(202, full_repository(fork, cred))


def issues_of(r, pulls):
    return [i for (k, _), i in S.issues.items() if k == r["key"] and (pulls or not i["pull"])]


def h_list_issues(req, cred):
    r = find_repo(req, cred)
    require(req.op, r, cred, "issues", "read")
    q = req.query
    items = issues_of(r, True)
    state = q.get("state", "open")
    if state != "all":
        items = [i for i in items if i["state"] == state]
    if q.get("labels"):
        want = {x.strip().lower() for x in q["labels"].split(",") if x.strip()}
        items = [i for i in items if want <= {n.lower() for n in i["labels"]}]
    if q.get("creator"):
        items = [i for i in items if i["user"]["login"].lower() == q["creator"].lower()]
    if q.get("since"):
        items = [i for i in items if i["updated_at"] >= q["since"]]
    key = {"created": "created_at", "updated": "updated_at", "comments": "created_at"}[q.get("sort", "created")]
    items = sort_items(items, lambda i: (i[key], i["number"]), q.get("direction", "desc"))
    page, headers = page_slice(req, items)
    return Reply(200, [issue_object(i) for i in page], headers)


def next_number(r):
    r["next_number"] += 1
    return r["next_number"]


def h_create_issue(req, cred):
    r = find_repo(req, cred)
    require(req.op, r, cred, "issues", "write")
    body = req.body
    t = iso(S.now())
    assignees, errors = [], []
    for login in (body.get("assignees") or []) + ([body["assignee"]] if body.get("assignee") else []):
        u = S.user(login)
        if u is None:
            errors.append({"resource": "Issue", "field": "assignees", "code": "invalid", "value": login})
        elif u not in assignees:
            assignees.append(u)
    if errors:
        raise validation_failed(req.op, errors)
    labels = [l if isinstance(l, str) else l.get("name", "") for l in body.get("labels") or []]
    i = {"id": S.new_id(), "repo": r, "number": next_number(r), "pull": False, "title": str(body["title"]),
         "body": body.get("body"), "state": "open", "labels": [l for l in labels if l], "assignees": assignees,
         "user": cred.user, "created_at": t, "updated_at": t}
    S.issues[(r["key"], i["number"])] = i
    obj = issue_object(i)
    return Reply(201, obj, {"Location": obj["url"]})


def h_update_issue(req, cred):
    r = find_repo(req, cred)
    i = S.issues.get((r["key"], req.path_params["issue_number"]))
    if i is None:
        raise not_found()
    require(req.op, r, cred, "pull_requests" if i["pull"] else "issues", "write")
    body = req.body or {}
    for k in ("title", "body"):
        if k in body and body[k] is not None:
            i[k] = str(body[k])
    if "labels" in body:
        i["labels"] = [l if isinstance(l, str) else l.get("name", "") for l in body["labels"] or []]
    if "assignees" in body:
        users = [S.user(x) for x in body["assignees"] or []]
        if any(u is None for u in users):
            raise validation_failed(req.op, [{"resource": "Issue", "field": "assignees", "code": "invalid"}])
        i["assignees"] = users
    t = iso(S.now())
    if body.get("state") and body["state"] != i["state"]:
        i["state"] = body["state"]
        i["closed_at"] = t if i["state"] == "closed" else None
        i["state_reason"] = body.get("state_reason") or ("completed" if i["state"] == "closed" else "reopened")
    i["updated_at"] = t
    return Reply(200, issue_object(i))


def h_list_pulls(req, cred):
    r = find_repo(req, cred)
    require(req.op, r, cred, "pull_requests", "read")
    q = req.query
    items = [i for i in issues_of(r, True) if i["pull"]]
    state = q.get("state", "open")
    if state != "all":
        items = [p for p in items if p["state"] == state]
    if q.get("head"):
        owner, _, ref = q["head"].rpartition(":")
        items = [p for p in items if p["head_ref"] == ref and (not owner or owner.lower() == r["owner"]["login"].lower())]
    if q.get("base"):
        items = [p for p in items if p["base_ref"] == q["base"]]
    key = {"created": "created_at", "updated": "updated_at"}.get(q.get("sort", "created"), "created_at")
    direction = q.get("direction") or ("desc" if q.get("sort", "created") == "created" else "asc")
    items = sort_items(items, lambda p: (p[key], p["number"]), direction)
    page, headers = page_slice(req, items)
    return Reply(200, [pull_object(p) for p in page], headers)


def h_dispatch(req, cred):
    r = find_repo(req, cred)
    require(req.op, r, cred, "actions", "write")
    body = req.body
    wf = req.path_params["workflow_id"]
    S.dispatches.append({"owner": r["owner"]["login"], "repo": r["name"], "workflow_id": wf,
                         "ref": body["ref"], "inputs": body.get("inputs") or {}})
    ref = body["ref"]
    branch = ref[len("refs/heads/"):] if ref.startswith("refs/heads/") else ref
    run = add_run(r, {"head_sha": hashlib.sha1(f"{branch}{len(S.runs)}".encode()).hexdigest(),
                      "status": "queued", "conclusion": None, "name": str(wf), "head_branch": branch,
                      "event": "workflow_dispatch",
                      "path": f".github/workflows/{wf}" if isinstance(wf, str) else ".github/workflows/dispatch.yml"},
                  actor=cred.user)
    if body.get("return_run_details"):
        obj = run_object(run)
        return Reply(200, {"workflow_run_id": run["id"], "run_url": obj["url"], "html_url": obj["html_url"]})
    return Reply(204, None)


def h_list_runs(req, cred):
    r = find_repo(req, cred)
    require(req.op, r, cred, "actions", "read")
    q = req.query
    items = [x for x in S.runs if x["repo"] is r]
    if q.get("actor"):
        items = [x for x in items if x["actor"]["login"].lower() == q["actor"].lower()]
    if q.get("branch"):
        items = [x for x in items if x["head_branch"] == q["branch"]]
    if q.get("event"):
        items = [x for x in items if x["event"] == q["event"]]
    if q.get("status"):
        items = [x for x in items if q["status"] in (x["status"], x["conclusion"])]
    if q.get("head_sha"):
        items = [x for x in items if x["head_sha"] == q["head_sha"]]
    if "check_suite_id" in q:
        items = [x for x in items if x["id"] + 1 == q["check_suite_id"]]
    items = sorted(items, key=lambda x: x["id"], reverse=True)
    page, headers = page_slice(req, items)
    return Reply(200, {"total_count": len(items), "workflow_runs": [run_object(x) for x in page]}, headers)


def h_delete_ref(req, cred):
    r = find_repo(req, cred)
    require(req.op, r, cred, "contents", "write")
    ref = req.path_params["ref"]
    if ref.startswith("refs/"):
        ref = ref[len("refs/"):]
    if ref not in r["refs"]:
        raise Reply(422, {"message": "Reference does not exist", "documentation_url": req.op.docs, "status": "422"})
    if ref == f"heads/{r['default_branch']}":
        raise Reply(422, {"message": "Cannot delete the default branch", "documentation_url": req.op.docs, "status": "422"})
    r["refs"].discard(ref)
    r["deleted_refs"].append(ref)
    return Reply(204, None)


HANDLERS = {
    ("GET", "/app"): h_app,
    ("GET", "/orgs/{org}/installation"): h_org_installation,
    ("GET", "/repos/{owner}/{repo}/installation"): h_repo_installation,
    ("POST", "/app/installations/{installation_id}/access_tokens"): h_access_token,
    ("GET", "/user"): h_user,
    ("GET", "/users/{username}"): h_users,
    ("GET", "/rate_limit"): h_rate_limit,
    ("GET", "/repos/{owner}/{repo}"): h_repo,
    ("GET", "/repos/{owner}/{repo}/security-advisories"): h_list_advisories,
    ("POST", "/repos/{owner}/{repo}/security-advisories"): h_create_advisory,
    ("GET", "/repos/{owner}/{repo}/security-advisories/{ghsa_id}"): h_get_advisory,
    ("PATCH", "/repos/{owner}/{repo}/security-advisories/{ghsa_id}"): h_update_advisory,
    ("POST", "/repos/{owner}/{repo}/security-advisories/{ghsa_id}/cve"): h_request_cve,
    ("POST", "/repos/{owner}/{repo}/security-advisories/{ghsa_id}/forks"): h_fork,
    ("GET", "/repos/{owner}/{repo}/issues"): h_list_issues,
    ("POST", "/repos/{owner}/{repo}/issues"): h_create_issue,
    ("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}"): h_update_issue,
    ("GET", "/repos/{owner}/{repo}/pulls"): h_list_pulls,
    ("POST", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches"): h_dispatch,
    ("GET", "/repos/{owner}/{repo}/actions/runs"): h_list_runs,
    ("DELETE", "/repos/{owner}/{repo}/git/refs/{ref}"): h_delete_ref,
}


# ---------------------------------------------------------------------------------------------
# State changes from control endpoints
# ---------------------------------------------------------------------------------------------

def add_repo(owner, name, private, permissions, owner_type=None, fork=False, default_branch="main",
             description=None, branches=()):
    key = (owner.lower(), name.lower())
    if key in S.repos:
        return S.repos[key]
    o = S.user(owner) or S.add_user(owner, type_=owner_type or "Organization")
    r = {"key": key, "id": S.new_id(), "owner": o, "name": name, "private": bool(private),
         "permissions": dict(permissions), "fork": fork, "default_branch": default_branch,
         "description": description, "created_at": iso(S.now()), "next_number": 0,
         "refs": {f"heads/{default_branch}"} | {f"heads/{b}" for b in branches}, "deleted_refs": []}
    S.repos[key] = r
    return r


def add_run(r, body, actor=None):
    t = iso(S.now())
    rid = S.new_id() * 10
    run = {"id": rid, "repo": r, "head_sha": body["head_sha"], "status": body.get("status", "completed"),
           "conclusion": body.get("conclusion"), "name": body.get("name", "CI"),
           "head_branch": body.get("head_branch", r["default_branch"]), "event": body.get("event", "push"),
           "path": body.get("path", ".github/workflows/ci.yml"),
           "workflow_id": int(hashlib.sha256(body.get("name", "CI").encode()).hexdigest()[:8], 16),
           "run_number": sum(1 for x in S.runs if x["repo"] is r) + 1, "actor": actor or S.user(ARGS.login),
           "created_at": t, "updated_at": t}
    S.runs.append(run)
    return run


def add_pull(body):
    r = S.repo(body["owner"], body["repo"])
    if r is None:
        raise ValueError(f"no repository {body['owner']}/{body['repo']}")
    t = iso(S.now())
    number = body.get("number") or next_number(r)
    r["next_number"] = max(r["next_number"], number)
    merged = bool(body.get("merged"))
    state = body.get("state") or ("closed" if merged else "open")
    head_ref = body["head_ref"]
    r["refs"].add(f"heads/{head_ref}")
    p = {"id": S.new_id(), "repo": r, "number": number, "pull": True, "title": body.get("title", f"Fix from {head_ref}"),
         "body": body.get("body"), "state": state, "labels": list(body.get("labels", [])), "assignees": [],
         "user": S.user(body.get("user", "")) or S.user(ARGS.login), "created_at": t, "updated_at": t,
         "head_ref": head_ref, "base_ref": body.get("base_ref", r["default_branch"]),
         "head_sha": body.get("head_sha") or hashlib.sha1(f"{r['key']}/{head_ref}".encode()).hexdigest(),
         "base_sha": hashlib.sha1(f"{r['key']}/{r['default_branch']}".encode()).hexdigest(),
         "closed_at": t if state == "closed" else None, "merged_at": t if merged else None,
         "merge_commit_sha": hashlib.sha1(f"merge/{number}".encode()).hexdigest() if merged else None}
    S.issues[(r["key"], number)] = p
    return pull_object(p)


# ---------------------------------------------------------------------------------------------
# Checking a request against the description
# ---------------------------------------------------------------------------------------------

class Req:
    pass


def check_request(req, op):
    """Violations, each {kind, message, param?, location?}; the first one that GitHub would
    refuse the request for goes into req.refusal (a Reply)."""
    v = []

    def add(message, param=None, location=None, refusal=None):
        v.append({"kind": "request", "message": message, "param": param, "location": location})
        if refusal is not None and req.refusal is None:
            req.refusal = refusal

    h = req.headers
    if not h.get("User-Agent"):
        add("the User-Agent header is missing (GitHub refuses requests without one)", "User-Agent", "header",
            Reply(403, {"message": "Request forbidden by administrative rules. Please make sure your request has a "
                        "User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api"
                        "#user-agent-required). Check https://developer.github.com for other possible causes.",
                        "documentation_url": DOCS, "status": "403"}))
    accept = h.get("Accept")
    if not accept:
        add("the Accept header is missing (send application/vnd.github+json)", "Accept", "header")
    elif not any(x in accept.lower() for x in ("json", "*/*")):
        add(f"the Accept header '{accept}' asks for no JSON (send application/vnd.github+json)", "Accept", "header")
    version = h.get("X-GitHub-Api-Version")
    if version is None:
        add(f"the X-GitHub-Api-Version header is missing (send {API_VERSION})", "X-GitHub-Api-Version", "header")
    elif version != API_VERSION:
        add(f"X-GitHub-Api-Version is '{version}'; this description is of {API_VERSION}", "X-GitHub-Api-Version", "header")

    declared_query = {p["name"] for p in op.params if p["in"] == "query"}
    for name, values in req.raw_query.items():
        if name not in declared_query:
            add(f"'{name}' is not a query parameter of {op.method} {op.template}", name, "query")
        elif len(values) > 1:
            add(f"'{name}' is given {len(values)} times", name, "query")
    for p in op.params:
        name, where, schema = p["name"], p["in"], p.get("schema", ANY)
        if where == "path":
            value = req.path_params.get(name)
        elif where == "query":
            vals = req.raw_query.get(name)
            value = vals[0] if vals else None
        else:
            continue
        if value is None:
            if p.get("required"):
                add(f"the required {where} parameter '{name}' is missing", name, where)
            continue
        value, problem = coerce(value, schema)
        if not problem:
            problem = "; ".join(m for _, m in schema_errors(validator(schema, False), value)) or None
        if problem:
            add(f"'{name}': {problem}", name, where,
                not_found() if where == "path" else
                Reply(422, {"message": "Validation Failed",
                            "errors": [{"resource": "Parameter", "field": name, "code": "invalid"}],
                            "documentation_url": op.docs, "status": "422"}))
            continue
        if where == "query":
            req.query[name] = value
        else:
            req.path_params[name] = value
    # body
    if op.body is None:
        if req.raw_body:
            add(f"{op.method} {op.template} takes no request body", None, "body")
        return v
    if not req.raw_body:
        if op.body.get("required"):
            add("a request body is required", None, "body",
                Reply(400, {"message": "Problems parsing JSON", "documentation_url": op.docs, "status": "400"}))
        return v
    ctype = h.get("Content-Type", "").split(";")[0].strip().lower()
    media = op.body.get("content", {})
    if ctype not in media:
        add(f"Content-Type must be one of {sorted(media)}, not '{ctype}'", "Content-Type", "header")
    try:
        req.body = json.loads(req.raw_body)
    except ValueError as e:
        add(f"the body is not JSON: {e}", None, "body",
            Reply(400, {"message": "Problems parsing JSON", "documentation_url": op.docs, "status": "400"}))
        return v
    schema = (media.get("application/json") or {}).get("schema")
    if schema:
        problems = schema_errors(validator(schema, False), req.body)
        for path, message in problems:
            add(message, path or None, "body")
        if problems:
            req.refusal = req.refusal or Reply(422, {
                "message": "Invalid request.\n\n" + "\n".join(
                    (f"For '{path}', " if path else "") + message for path, message in problems),
                "documentation_url": op.docs, "status": "422"})
    return v


GENERIC_ERROR = {"$ref": "#/components/schemas/basic-error"}
REPORT_SCHEMA = {"$ref": "#/components/schemas/repository-advisory-create"}
GENERIC_VALIDATION = {"$ref": "#/components/schemas/validation-error"}


def response_problems(op, status, body):
    responses = op.op.get("responses", {})
    decl = responses.get(str(status)) or responses.get("default")
    if decl is None:
        if status >= 400:  # any endpoint can answer these (auth, rate limits, outages)
            if body is None:
                return []
            schema = GENERIC_VALIDATION if status == 422 else GENERIC_ERROR
            return [f"{p or '(root)'}: {m}" for p, m in schema_errors(validator(schema, True), body)]
        return [f"status {status} is not declared for {op.method} {op.template}"]
    decl = deref(decl)
    content = decl.get("content")
    if not content:  # declared without a body: GitHub may still send one (e.g. 422 of DELETE ref)
        return [] if body is None or status >= 400 else [f"status {status} of {op.method} {op.template} declares no body"]
    schema = (content.get("application/json") or {}).get("schema")
    if schema is None:
        return []
    if body is None:
        return [f"status {status} of {op.method} {op.template} declares a JSON body; none sent"]
    return [f"{p or '(root)'}: {m}" for p, m in schema_errors(validator(schema, True), body)]


# ---------------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------------

SECRET_QUERY = {"access_token", "client_secret", "token"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "github-fake"

    def log_message(self, *a):  # nothing on stdout/stderr: requests carry tokens
        pass

    def send_json(self, status, body, headers=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def dispatch(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        path = parts.path
        if path.startswith("/_fake/"):
            return self.control(method, path, raw_body)
        with S.lock:
            try:
                status, body, headers = self.api(method, path, parts.query, raw_body)
            except Exception as e:  # a bug in the fake: answer, and make the test see it
                status, body, headers = 500, {"message": "Server Error", "documentation_url": DOCS}, {}
                S.violations.append({"kind": "fake", "message": f"the fake failed: {e!r}",
                                     "method": method, "path": path})
        return self.send_json(status, body, headers)

    def api(self, method, path, query, raw_body):
        req = Req()
        req.method, req.path, req.headers, req.raw_body = method, path, self.headers, raw_body
        req.raw_query = parse_qs(query, keep_blank_values=True)
        req.flat_query = {k: v[0] for k, v in req.raw_query.items()}
        req.query, req.body, req.refusal = {}, None, None
        request_id = ":".join("".join(S.request_rng.choice("0123456789ABCDEF") for _ in range(n))
                              for n in (4, 5, 7, 7, 8))
        entry = {"method": method, "path": path,
                 "query": {k: ("***" if k in SECRET_QUERY else (v[0] if len(v) == 1 else v))
                           for k, v in req.raw_query.items()},
                 "status": None, "violations": [], "auth": None}
        op, req.path_params, known = find_operation(method, path)
        req.op = op

        def record(vs):
            for x in vs:
                x = {k: val for k, val in x.items() if val is not None}
                x.update({"method": method, "path": path})
                entry["violations"].append(x)
                S.violations.append(x)

        headers = {}
        if op is None:
            record([{"kind": "operation", "message":
                     f"{method} {path} is not an operation of the description"
                     + (" (the path exists with other methods)" if known else "")}])
            status, body = 404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}
        else:
            record(check_request(req, op))
            if req.body is not None and method != "GET":
                entry["body"] = req.body
            status, body, headers, cred = self.answer(req, op, request_id)
            entry["auth"] = cred.kind if cred else None
            record([{"kind": "response", "message": m} for m in response_problems(op, status, body)])
        entry["status"] = status
        if isinstance(body, dict) and status >= 400 and "message" in body:
            entry["message"] = body["message"]
        S.requests.append(entry)
        out = {"X-GitHub-Request-Id": request_id, "X-GitHub-Media-Type": "github.v3; format=json",
               "X-GitHub-Api-Version-Selected": API_VERSION}
        if not any(k.lower() == "x-ratelimit-limit" for k in headers):
            # Unauthenticated (or refused before authentication): the anonymous budget, 60 an hour.
            u = usage_of("anonymous")
            out.update(rate_headers(None, u["used"], u["reset"], limit=60))
        out.update(headers)
        return status, body, out

    def answer(self, req, op, request_id):
        """(status, body, headers, credential or None)."""
        if S.down is not None:
            return S.down, {"message": "Service Unavailable" if S.down == 503 else "Server Error",
                            "documentation_url": DOCS}, {}, None
        if req.refusal is not None and req.refusal.status == 403:  # no User-Agent: refused before anything
            return req.refusal.status, req.refusal.body, req.refusal.headers, None
        try:
            cred = authenticate(op, req.headers)
        except Reply as r:
            return r.status, r.body, r.headers, None
        # Rate limits: forced answers first, then the credential's own budget.
        u = usage_of(cred.key)
        counts = (op.method, op.template) != ("GET", "/rate_limit")
        now = int(S.now().timestamp())
        if S.forced:
            f = S.forced.pop(0)
            reset = now + int(f.get("reset_in", 60))
            if f["kind"] == "primary":
                who = f"installation ID {cred.installation['id']}" if cred.kind == "installation" else f"user ID {cred.user['id']}"
                h = rate_headers(cred, RATE_LIMIT, reset, remaining=0)
                return 403, {"message": f"API rate limit exceeded for {who}. If you reach out to GitHub Support for help, "
                                        f"please include the request ID {request_id}.",
                             "documentation_url": RATE_DOCS, "status": "403"}, h, cred
            h = rate_headers(cred, u["used"], u["reset"])
            h["Retry-After"] = str(int(f.get("reset_in", 60)))
            status = int(f.get("status") or 403)
            return status, {"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you "
                                       f"try again. If you reach out to GitHub Support for help, please include the request ID {request_id}.",
                            "documentation_url": SECONDARY_DOCS, "status": str(status)}, h, cred
        if counts:
            if u["used"] >= RATE_LIMIT:
                who = f"installation ID {cred.installation['id']}" if cred.kind == "installation" else f"user ID {cred.user['id']}"
                return 403, {"message": f"API rate limit exceeded for {who}.", "documentation_url": RATE_DOCS,
                             "status": "403"}, rate_headers(cred, u["used"], u["reset"], remaining=0), cred
            u["used"] += 1
        rl = rate_headers(cred, u["used"], u["reset"])
        for i, f in enumerate(S.fail):
            if f["method"].upper() == op.method and f["path_template"] == op.template:
                S.fail.pop(i)
                return int(f["status"]), f.get("body"), {**rl, **f.get("headers", {})}, cred
        if req.refusal is not None:
            return req.refusal.status, req.refusal.body, {**rl, **req.refusal.headers}, cred
        handler = HANDLERS[(op.method, op.template)]
        try:
            r = handler(req, cred)
        except Reply as r_:
            r = r_
        return r.status, r.body, {**rl, **r.headers}, cred

    def control(self, method, path, raw_body):
        try:
            body = json.loads(raw_body) if raw_body else {}
        except ValueError as e:
            return self.send_json(400, {"error": f"not JSON: {e}"})
        with S.lock:
            try:
                out = self.control_answer(method, path, body)
            except (KeyError, ValueError, TypeError) as e:
                return self.send_json(400, {"error": f"{method} {path}: {e!r}"})
        if out is None:
            return self.send_json(404, {"error": f"no control endpoint {method} {path}"})
        return self.send_json(200, out)

    def control_answer(self, method, path, body):
        if method == "GET" and path == "/_fake/requests":
            return S.requests
        if method == "GET" and path == "/_fake/violations":
            return S.violations
        if method == "GET" and path == "/_fake/advisories":
            return [{**advisory_object(a), "cve_requested": a["cve_requested"]} for a in S.advisories.values()]
        if method == "GET" and path == "/_fake/tokens_minted":
            return {"count": S.tokens_minted}
        if method == "GET" and path == "/_fake/dispatches":
            return S.dispatches
        if method == "GET" and path == "/_fake/repos":
            return [{"owner": r["owner"]["login"], "name": r["name"], "private": r["private"], "fork": r["fork"],
                     "refs": sorted(r["refs"]), "deleted_refs": r["deleted_refs"]} for r in S.repos.values()]
        if method != "POST":
            return None
        if path == "/_fake/repos":
            perms = body.get("permissions", {"security_advisories": "write", "issues": "write", "contents": "write",
                                             "actions": "write", "pull_requests": "write"})
            perms = {**perms, "metadata": perms.get("metadata", "read")}
            for k, v in perms.items():
                if v not in LEVELS:
                    raise ValueError(f"permission {k}: {v!r} is not read, write or admin")
            r = add_repo(body["owner"], body["name"], body.get("private", False), perms,
                         owner_type=body.get("owner_type"), default_branch=body.get("default_branch", "main"),
                         description=body.get("description"), branches=body.get("branches", []))
            return {"id": r["id"], "full_name": f"{r['owner']['login']}/{r['name']}"}
        if path == "/_fake/users":
            u = S.add_user(body["login"], body.get("name"), body.get("email"), body.get("type", "User"))
            return simple_user(u)
        if path == "/_fake/installations":
            org = S.user(body["org"]) or S.add_user(body["org"], type_="Organization")
            inst = {"id": int(body["id"]), "account": org, "created_at": iso(S.now()),
                    "permissions": {**app_permissions_all(), **body.get("permissions", {})}}
            S.installations[inst["id"]] = inst
            return {"id": inst["id"], "org": org["login"]}
        if path == "/_fake/rate_limit":
            kind = body.get("kind", "primary")
            if kind not in ("primary", "secondary"):
                raise ValueError("kind is primary or secondary")
            for _ in range(int(body.get("count", 1))):
                S.forced.append({"kind": kind, "reset_in": int(body.get("reset_in", 60)), "status": body.get("status")})
            return {"pending": len(S.forced)}
        if path == "/_fake/fail":
            if not any(o.method == body["method"].upper() and o.template == body["path_template"] for o in OPERATIONS):
                raise ValueError(f"{body['method']} {body['path_template']} is not an operation of the description")
            S.fail.append({"method": body["method"], "path_template": body["path_template"],
                           "status": int(body["status"]), "body": body.get("body"), "headers": body.get("headers", {})})
            return {"pending": len(S.fail)}
        if path == "/_fake/down":
            status = body.get("status")
            S.down = int(status) if status is not None else None
            return {"down": S.down}
        if path == "/_fake/now":
            now = body.get("now")
            S.fixed_now = parse_time(now) if now else None
            return {"now": iso(S.now())}
        if path == "/_fake/assign_cve":
            a = S.advisories.get(body["ghsa_id"])
            if a is None:
                raise ValueError(f"no advisory {body['ghsa_id']}")
            if not re.fullmatch(r"CVE-\d{4}-\d{4,}", body["cve_id"]):
                raise ValueError(f"{body['cve_id']} is not a CVE ID")
            a["cve_id"] = body["cve_id"]
            a["updated_at"] = iso(S.now())
            return advisory_object(a)
        if path == "/_fake/pulls":
            return add_pull(body)
        if path == "/_fake/runs":
            r = S.repo(body["owner"], body["repo"])
            if r is None:
                raise ValueError(f"no repository {body['owner']}/{body['repo']}")
            return run_object(add_run(r, body))
        if path == "/_fake/webhook":
            a = S.advisories.get(body["ghsa_id"])
            if a is None:
                raise ValueError(f"no advisory {body['ghsa_id']}")
            action = body["action"]
            payload = webhook_payload(a, action)
            for m in webhook_problems(action, payload):  # a bug in the fake
                S.violations.append({"kind": "webhook", "message": f"repository_advisory.{action}: {m}",
                                     "method": method, "path": path})
            return payload
        if path == "/_fake/report":
            r = S.repo(body["owner"], body["repo"])
            if r is None:
                raise ValueError(f"no repository {body['owner']}/{body['repo']}")
            fields = {"summary": body["summary"], "description": body.get("description", body["summary"]),
                      "vulnerabilities": body.get("vulnerabilities", [])}
            # As a report form would: what an advisory can hold (so that its webhook conforms too).
            problems = schema_errors(validator(REPORT_SCHEMA, False), fields)
            if problems:
                raise ValueError("; ".join(f"{p or '(root)'}: {m}" for p, m in problems))
            reporter = S.user(body.get("reporter", "")) or S.add_user(body.get("reporter", "a-reporter"))
            a = new_advisory(r, reporter, "triage")
            a["summary"], a["description"] = fields["summary"], fields["description"]
            a["submission"] = {"accepted": False}
            a["vulnerabilities"] = copy.deepcopy(fields["vulnerabilities"])
            S.advisories[a["ghsa_id"]] = a
            return advisory_object(a)
        return None


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def main():
    global BASE
    server = Server(("127.0.0.1", ARGS.port), Handler)
    BASE = f"http://127.0.0.1:{server.server_address[1]}"
    print(f"listening {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
