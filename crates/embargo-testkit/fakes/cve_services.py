#!/usr/bin/env python3
"""A local fake of CVE Services (the CVE Program's REST API for CNAs) that checks every request
against the published OpenAPI description and answers as the real service does.

Usage:
  cve_services.py --port 0 --org ORGSHORT --user USER --key KEY [--org-uuid UUID]
                  [--user-role ADMIN] [--vendor DIR]
Prints exactly `listening PORT` on stdout once ready, then nothing else (the API key is never
printed or recorded).

The API is served under /api (the real base is https://cveawg.mitre.org/api). Sources:
  vendor/cve-services/openapi.json and vendor/cve-services/schemas/** (cve-services at
  8fc52ad6ce99994ae734bf09952b0aee6baf6a8d, CC0), whose `$ref`s are resolved as if
  openapi.json were at api-docs/openapi.json, as it is upstream;
  vendor/schemas/cve5/CVE_Record_Format_bundled_5.1.1.json for CNA containers and records,
  validated the way vendor/validators/validate_cve5.py does.
Error names, messages and response shapes follow src/controller/*/ and src/middleware/ of the
same cve-services commit.

Checks (a failure is a *violation*, answered 400 BAD_INPUT / BAD_REQUEST and recorded):
  the operation exists (method + path template), else 404 NOT_FOUND;
  every required parameter (path, query, header: CVE-API-ORG/-USER/-KEY) is present;
  every present parameter matches its schema (query strings coerced to integer/boolean);
  no query parameter that the operation does not declare; no repeated query parameter;
  a request body only where declared, with Content-Type application/json, valid JSON,
  valid against the schema the operation references;
  batch_type present when amount > 1 (stated in the parameter's description).
Every response the fake sends is validated against the schema declared for its status; a
failure is a violation of kind "response" (a bug in the fake). Known errors of the published
response schemas (where the real service answers otherwise) are patched at load time: see ERRATA.

Realistic service errors (401, 403 EXCEEDED_ID_QUOTA, 400 INVALID_JSON_SCHEMA for a CNA
container the CVE schema refuses, 404 ...) are not violations; they are in the request log.

Control endpoints (not part of the API, no auth): GET /_fake/requests, GET /_fake/violations,
POST /_fake/quota {"id_quota":n}, POST /_fake/down {"status":503|null},
POST /_fake/now {"now":"RFC3339"|null}, POST /_fake/reserve {"ids":[...],"state":"RESERVED",
"owner"?:"SHORTNAME"}, POST /_fake/page_size {"size":n}.
"""
import argparse
import copy
import datetime as dt
import json
import random
import re
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from jsonschema import Draft4Validator, Draft7Validator, FormatChecker
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT7

HERE = Path(__file__).resolve().parent

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, default=0)
ap.add_argument("--org", required=True)
ap.add_argument("--user", required=True)
ap.add_argument("--key", required=True)
ap.add_argument("--org-uuid", default=None)
ap.add_argument("--user-role", action="append", default=[], choices=["ADMIN"])
ap.add_argument("--vendor", default=str(HERE.parents[2] / "vendor"))
ap.add_argument("--seed", type=int, default=20240805)
ARGS = ap.parse_args()

VENDOR = Path(ARGS.vendor).resolve()
CVE_SERVICES = VENDOR / "cve-services"
# Upstream the description is api-docs/openapi.json and refers to ../schemas/...; resolve as there.
OPENAPI_URI = (CVE_SERVICES / "api-docs" / "openapi.json").as_uri()
SPEC = json.loads((CVE_SERVICES / "openapi.json").read_text())
CVE5 = json.loads((VENDOR / "schemas/cve5/CVE_Record_Format_bundled_5.1.1.json").read_text())
FORMATS = FormatChecker()

API_PREFIX = "/api"
CVE_ID_REGEX = re.compile(CVE5["definitions"]["cveId"]["pattern"])
NONSEQUENTIAL_MAX_AMOUNT = 10  # src/constants/index.js
DEFAULT_ID_QUOTA = 1000
SITE = "https://cve.org/"
AUTH_HEADERS = ("CVE-API-ORG", "CVE-API-USER", "CVE-API-KEY")


# ---------------------------------------------------------------------------------------------
# Schemas
# ---------------------------------------------------------------------------------------------

def _strip_ids(node):
    """Drops the schemas' own `$id`/`id` (several files share one, e.g. https://cve.org/cve/
    record/v5_00/), so that each file is known by its location and its `#/definitions/...`
    refs resolve inside itself."""
    if isinstance(node, dict):
        return {k: _strip_ids(v) for k, v in node.items() if not (k in ("$id", "id") and isinstance(v, str))}
    if isinstance(node, list):
        return [_strip_ids(v) for v in node]
    return node


def _errata(rel, schema):
    """Where the published *response* schemas contradict what the service sends (and the CVE
    Record Format it stores), loosen them to what the service sends. Each is listed in
    vendor/cve-services/README.md."""
    def walk(node):
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict):
                # 1. containers.cna.affected is an array in CVE JSON 5 and in every answer.
                aff = props.get("affected")
                if isinstance(aff, dict) and aff.get("type") == "object" and rel.startswith("cve/"):
                    props["affected"] = {"type": "array", "items": aff}
                # 2. a user's `active` is a boolean (src/model/user.js), declared string.
                act = props.get("active")
                if isinstance(act, dict) and act.get("type") == "string" and rel.startswith("user/"):
                    props["active"] = {"type": ["boolean", "string"]}
                # 3. prevPage/nextPage are null on the first/last page (mongoose-aggregate-paginate).
                for k in ("prevPage", "nextPage"):
                    p = props.get(k)
                    if isinstance(p, dict) and p.get("type") == "integer":
                        props[k] = {**p, "type": ["integer", "null"]}
                # 4. INVALID_JSON_SCHEMA (400) has details {"errors": [...]}, not an array.
                det = props.get("details")
                if rel == "errors/bad-request.json" and isinstance(det, dict) and det.get("type") == "array":
                    props["details"] = {"anyOf": [det, {"type": "object"}]}
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(schema)
    return schema


def _request_errata(rel, schema):
    """Where the published *request* schemas (a loosened copy of CVE JSON 5.0) refuse what
    the service accepts (it checks the container against the CVE Record Format 5.1, as this
    fake does too, see validate_record), loosen them. Listed in vendor/cve-services/README.md."""
    def walk(node):
        if isinstance(node, dict):
            alts = node.get("oneOf")
            # 6. Reference tags: oneOf[tagExtension, string], where tagExtension is a plain
            #    string too, so every tag matches both and oneOf refuses it.
            if isinstance(alts, list) and {"$ref": "#/definitions/tagExtension"} in alts:
                node["anyOf"] = node.pop("oneOf")
            alts = node.get("anyOf")
            # 7. Metrics: anyOf requires cvssV3_1/3_0/2_0/other; CVE Record Format 5.1 added
            #    cvssV4_0, which the service takes.
            if isinstance(alts, list) and {"required": ["cvssV3_1"]} in alts \
                    and {"required": ["cvssV4_0"]} not in alts:
                alts.append({"required": ["cvssV4_0"]})
                node.setdefault("properties", {}).setdefault("cvssV4_0", {"type": "object"})
            for v in list(node.values()):
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    if rel.startswith("cve/"):
        walk(schema)
    return schema


def _retriever(patch):
    def retrieve(uri):
        if uri.startswith("file://"):
            path = Path(unquote(urlsplit(uri).path))
        else:
            raise LookupError(uri)
        path = path.resolve()
        if CVE_SERVICES not in path.parents:
            raise LookupError(f"{uri} is outside vendor/cve-services")
        contents = json.loads(path.read_text())
        draft = DRAFT4 if "draft-04" in str(contents.get("$schema", "")) else DRAFT7
        contents = _strip_ids(contents)
        rel = path.relative_to(CVE_SERVICES / "schemas").as_posix()
        contents = _errata(rel, contents) if patch else _request_errata(rel, contents)
        return Resource(contents=contents, specification=draft)
    return retrieve


REQUEST_REGISTRY = Registry(retrieve=_retriever(False))
RESPONSE_REGISTRY = Registry(retrieve=_retriever(True))


def _absolutize(node):
    """OpenAPI `$ref`s like "/schemas/..." are relative to the site root, i.e. the repository."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.startswith("/"):
                out[k] = (CVE_SERVICES / v.lstrip("/")).as_uri()
            else:
                out[k] = _absolutize(v)
        return out
    if isinstance(node, list):
        return [_absolutize(v) for v in node]
    return node


_validators = {}


def openapi_validator(schema, response):
    key = (json.dumps(schema, sort_keys=True), response)
    v = _validators.get(key)
    if v is None:
        schema = _absolutize(schema)
        alts = [a.get("$ref", "") for a in schema.get("oneOf", [])] if response else []
        if len(alts) == 2 and alts[1].endswith("/create-cve-record-rejection-response.json"):
            # 5. GET /cve/{id} declares oneOf[record, rejection *response*]; both are open objects
            #    that accept any record (so oneOf never passes), and the second wraps the record
            #    in {message, created}. A rejected record is that `created`; pick by state.
            schema = {"if": {"required": ["cveMetadata"], "properties": {"cveMetadata": {
                          "required": ["state"], "properties": {"state": {"const": "REJECTED"}}}}},
                      "then": {"$ref": alts[1] + "#/properties/created"},
                      "else": {"$ref": alts[0]}}
        root = {"$schema": "http://json-schema.org/draft-07/schema#", "$id": OPENAPI_URI, "allOf": [schema]}
        v = Draft7Validator(root, registry=RESPONSE_REGISTRY if response else REQUEST_REGISTRY,
                            format_checker=FORMATS)
        _validators[key] = v
    return v


def _cve5(part):  # as vendor/validators/validate_cve5.py builds them
    return Draft7Validator({"$schema": CVE5["$schema"], "definitions": CVE5["definitions"], **part},
                           format_checker=FORMATS)


CNA_PUBLISHED = _cve5({"$ref": "#/definitions/cnaPublishedContainer"})
CNA_REJECTED = _cve5({"$ref": "#/definitions/cnaRejectedContainer"})
RECORD_PUBLISHED = _cve5(CVE5["oneOf"][0])
RECORD_REJECTED = _cve5(CVE5["oneOf"][1])


def deref(obj):
    while isinstance(obj, dict) and "$ref" in obj and obj["$ref"].startswith("#/"):
        node = SPEC
        for part in obj["$ref"][2:].split("/"):
            node = node[part]
        obj = node
    return obj


def param_name(err_path):
    out = ""
    for p in err_path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def ajv_errors(errors, prefix=""):
    """Schema errors in the shape the service's ajv reports them."""
    out = []
    for e in errors:
        leaf = best_match(e.context) if e.context else e
        out.append({
            "instancePath": prefix + "".join(f"/{p}" for p in leaf.absolute_path),
            "schemaPath": "#/" + "/".join(map(str, leaf.absolute_schema_path)),
            "keyword": leaf.validator,
            "params": {},
            "message": leaf.message[:300],
        })
    return out


# ---------------------------------------------------------------------------------------------
# Operations of the description
# ---------------------------------------------------------------------------------------------

class Operation:
    def __init__(self, method, template, op, path_item):
        self.method = method.upper()
        self.template = template
        self.op = op
        names = []

        def repl(m):
            names.append(m.group(1))
            return f"(?P<{m.group(1)}>[^/]+)"
        self.regex = re.compile("^" + re.sub(r"\{([^}]+)\}", repl, re.escape(template).replace(r"\{", "{").replace(r"\}", "}")) + "$")
        self.nparams = len(names)
        params = {}
        for p in list(path_item.get("parameters", [])) + list(op.get("parameters", [])):
            p = deref(p)
            params[(p["in"], p["name"].lower() if p["in"] == "header" else p["name"])] = p
        self.params = list(params.values())
        self.body = deref(op.get("requestBody")) if op.get("requestBody") else None
        self.needs_auth = any(p["in"] == "header" and p["name"].upper() in AUTH_HEADERS and p.get("required")
                              for p in self.params)


OPERATIONS = []
for _tpl, _item in SPEC["paths"].items():
    for _m, _op in _item.items():
        if _m in ("get", "put", "post", "delete", "patch", "head", "options"):
            OPERATIONS.append(Operation(_m, _tpl, _op, _item))
OPERATIONS.sort(key=lambda o: o.nparams)  # literal segments win over templates


def find_operation(method, path):
    known_path = False
    for o in OPERATIONS:
        m = o.regex.match(path)
        if m:
            known_path = True
            if o.method == method:
                return o, {k: unquote(v) for k, v in m.groupdict().items()}, True
    return None, None, known_path


TRUE = {"1", "true", "yes"}
FALSE = {"0", "false", "no"}


def coerce(value, schema):
    t = schema.get("type")
    if t == "integer":
        if re.fullmatch(r"[+-]?\d+", value.strip()):
            return int(value), None
        return value, "must be an integer"
    if t == "number":
        try:
            return float(value), None
        except ValueError:
            return value, "must be a number"
    if t == "boolean":
        if value.lower() in TRUE:
            return True, None
        if value.lower() in FALSE:
            return False, None
        return value, "must be 1, true or yes, or 0, false or no"
    return value, None


# ---------------------------------------------------------------------------------------------
# State
# ---------------------------------------------------------------------------------------------

class Reply(Exception):
    def __init__(self, status, body, headers=None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def err(status, name, message, **extra):
    return Reply(status, {"error": name, "message": message, **extra})


def iso(t):
    return t.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(s):
    if not isinstance(s, str):
        raise ValueError("not a string")
    t = dt.datetime.fromisoformat(s.replace("Z", "+00:00").replace("z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t


class State:
    def __init__(self):
        self.lock = threading.RLock()
        self.fixed_now = None
        created = iso(dt.datetime.now(dt.timezone.utc))
        self.org = {
            "short_name": ARGS.org,
            "name": f"{ARGS.org} (CVE Services fake)",
            "UUID": ARGS.org_uuid or str(uuid.uuid4()),
            "authority": {"active_roles": ["CNA"]},
            "policies": {"id_quota": DEFAULT_ID_QUOTA},
            "time": {"created": created, "modified": created},
        }
        self.user = {
            "username": ARGS.user,
            "name": {"first": ARGS.user, "last": "Fake"},
            "UUID": str(uuid.uuid4()),
            "org_UUID": self.org["UUID"],
            "active": True,
            "authority": {"active_roles": list(ARGS.user_role)},
            "time": {"created": created, "modified": created},
        }
        self.ids = {}       # cve_id -> CVE ID object as the service answers it
        self.records = {}   # cve_id -> CVE record
        self.other_org_uuids = {}
        self.next_seq = {}  # year -> next sequential number
        self.rng = random.Random(ARGS.seed)
        self.page_size = 500
        self.down = None
        self.requests = []
        self.violations = []

    def now(self):
        return self.fixed_now or dt.datetime.now(dt.timezone.utc)

    def org_uuid_of(self, short):
        if short == self.org["short_name"]:
            return self.org["UUID"]
        return self.other_org_uuids.setdefault(short, str(uuid.uuid4()))

    def reserved_count(self):
        return sum(1 for i in self.ids.values()
                   if i["owning_cna"] == self.org["short_name"] and i["state"] == "RESERVED")

    def quota_payload(self):
        q = self.org["policies"]["id_quota"]
        r = self.reserved_count()
        return {"id_quota": q, "total_reserved": r, "available": q - r}

    def new_id(self, cve_id, state, owner=None, user=None):
        t = iso(self.now())
        obj = {
            "cve_id": cve_id,
            "cve_year": cve_id.split("-")[1],
            "state": state,
            "owning_cna": owner or self.org["short_name"],
            "requested_by": {"cna": owner or self.org["short_name"], "user": user or self.user["username"]},
            "reserved": t,
            "time": {"created": t, "modified": t},
        }
        self.ids[cve_id] = obj
        return obj

    def touch(self, cve_id, state):
        self.ids[cve_id]["state"] = state
        self.ids[cve_id]["time"]["modified"] = iso(self.now())

    def provider(self, t):
        return {"orgId": self.org["UUID"], "shortName": self.org["short_name"], "dateUpdated": t}


S = State()


# ---------------------------------------------------------------------------------------------
# Handlers (one per implemented operation), named by method and template
# ---------------------------------------------------------------------------------------------

def org_forbidden(shortname):
    if shortname != S.org["short_name"]:
        raise err(403, "NOT_SAME_ORG_OR_SECRETARIAT",
                  "This information can only be viewed by the users of the same organization or the Secretariat.")


def check_id_param(cve_id):
    if not CVE_ID_REGEX.match(cve_id):
        raise err(400, "BAD_INPUT", "Parameters were invalid",
                  details=[{"msg": "Invalid value", "param": "id", "location": "param"}])


def must_own(cve_id):  # mw.cnaMustOwnID
    i = S.ids.get(cve_id)
    if i is None or i["owning_cna"] != S.org["short_name"]:
        raise err(403, "ORG_DOES_NOT_OWN_ID", f"{S.org['short_name']} does not own {cve_id}")
    return i


def h_health(req):
    return Reply(200, None)


def h_get_org(req):
    ident = req.path_params["identifier"]
    if ident not in (S.org["short_name"], S.org["UUID"]):
        org_forbidden(ident if not re.fullmatch(r"[0-9a-fA-F-]{36}", ident) else "")
    return Reply(200, copy.deepcopy(S.org))


def h_id_quota(req):
    org_forbidden(req.path_params["shortname"])
    return Reply(200, S.quota_payload())


def h_get_user(req):
    org_forbidden(req.path_params["shortname"])
    if req.path_params["username"] != S.user["username"]:
        raise err(404, "USER_DNE", f"The user '{req.path_params['username']}' designated by the username parameter does not exist.")
    return Reply(200, copy.deepcopy(S.user))


def h_reserve(req):
    q = req.query
    amount, batch, short, year = q.get("amount"), q.get("batch_type"), q.get("short_name"), q.get("cve_year")
    if isinstance(batch, str):
        batch = batch.strip().lower()
    if short != S.org["short_name"]:
        raise err(403, "ORG_CANNOT_RESERVE_FOR_OTHER",
                  "The organization designated by the CVE-API-ORG header is not allowed to reserve IDs for the organization specified by the short_name query parameter.")
    if amount <= 0:
        raise err(400, "INVALID_AMOUNT", "The amount query parameter needs to be above 0.")
    if amount > 1 and not batch:
        raise err(400, "NO_BATCH_TYPE",
                  "The batch_type query parameter must be specified when reserving more than one CVE ID. Available values are: sequential, nonsequential, non-sequential.")
    payload = S.quota_payload()
    if amount > payload["available"]:
        raise err(403, "EXCEEDED_ID_QUOTA",
                  "The amount requested would exceed the organization's ID quota. No more IDs can be reserved until the number of IDs in the Reserved state goes below the ID quota or the ID quota is raised. If you feel you are receiving this message in error, please contact support here: https://cveform.mitre.org/",
                  details=payload)
    this_year = S.now().year
    if not (1999 <= year <= this_year + 1):
        raise Reply(403, {"error": "CANNOT_RESERVE_FOR_YEAR",
                          "message": f"IDR is not currently configured to reserve IDs for year {year}. If you believe you are receiving this message in error, please contact an administrator."},
                    {"CVE-API-REMAINING-QUOTA": str(payload["available"])})
    if batch in ("non-sequential", "nonsequential"):
        if amount > NONSEQUENTIAL_MAX_AMOUNT:
            raise err(403, "OVER_NONSEQUENTIAL_MAX_AMOUNT",
                      f"The amount query parameter exceeds the maximum amount allowed. Only amounts of {NONSEQUENTIAL_MAX_AMOUNT} ids or less can be reserved at a time.")
        numbers = []
        while len(numbers) < amount:
            n = S.rng.randrange(10000, 100000)
            if f"CVE-{year}-{n}" not in S.ids and n not in numbers:
                numbers.append(n)
    elif batch in (None, "sequential"):  # no batch_type (amount 1): the service's priority block; sequential here
        numbers = []
        n = S.next_seq.get(year, 1000)
        while len(numbers) < amount:
            if f"CVE-{year}-{n:04d}" not in S.ids:
                numbers.append(n)
            n += 1
        S.next_seq[year] = n
    else:
        raise err(400, "INVALID_BATCH_TYPE",
                  "The batch_type provided is invalid. Available values are sequential, nonsequential, non-sequential.")
    out = [copy.deepcopy(S.new_id(f"CVE-{year}-{n:04d}", "RESERVED")) for n in numbers]
    remaining = payload["available"] - amount
    return Reply(200, {"cve_ids": out, "meta": {"remaining_quota": remaining}},
                 {"CVE-API-REMAINING-QUOTA": str(remaining)})


def h_list_ids(req):
    q = req.query
    items = [i for i in S.ids.values() if i["owning_cna"] == S.org["short_name"]]
    if "state" in q:
        items = [i for i in items if i["state"] == q["state"].upper()]
    if "cve_id_year" in q:
        items = [i for i in items if i["cve_year"] == str(q["cve_id_year"])]
    for key, field in (("time_reserved", lambda i: i["reserved"]), ("time_modified", lambda i: i["time"]["modified"])):
        for op in ("lt", "gt"):
            v = q.get(f"{key}.{op}")
            if v is not None:
                bound = parse_time(v)
                items = [i for i in items if (parse_time(field(i)) < bound) == (op == "lt") and parse_time(field(i)) != bound]
    items.sort(key=lambda i: (i["owning_cna"], i["cve_id"]))
    page = q.get("page", 1)
    size = S.page_size
    total = len(items)
    page_count = max(1, -(-total // size))
    body = {"cve_ids": copy.deepcopy(items[(page - 1) * size: page * size])}
    if total >= size:
        body.update({
            "totalCount": total,
            "itemsPerPage": size,
            "pageCount": page_count,
            "currentPage": page,
            "prevPage": page - 1 if page > 1 else None,
            "nextPage": page + 1 if page < page_count else None,
        })
    return Reply(200, body)


def h_get_id(req):
    cve_id = req.path_params["id"]
    check_id_param(cve_id)
    i = S.ids.get(cve_id)
    if i is None:
        raise err(404, "CVE_ID_NOT_FOUND", f"{cve_id} not found")
    if req.authenticated and i["owning_cna"] == S.org["short_name"]:
        return Reply(200, copy.deepcopy(i))
    out = {"cve_id": i["cve_id"], "cve_year": i["cve_year"], "state": i["state"]}
    if i["state"] == "RESERVED":
        out["owning_cna"] = "[REDACTED]"
    else:
        out["owning_cna"] = i["owning_cna"]
        out["dateUpdated"] = i["time"]["modified"]
    return Reply(200, out)


def h_modify_id(req):
    cve_id = req.path_params["id"]
    check_id_param(cve_id)
    if "state" in req.query and req.query["state"].upper() not in ("RESERVED", "REJECTED"):
        raise err(400, "BAD_INPUT", "Parameters were invalid", details=[
            {"msg": "Invalid CVE ID state. Valid states are: RESERVED, REJECTED", "param": "state", "location": "query"}])
    must_own(cve_id)
    state = req.query.get("state")
    if state is not None:
        state = state.upper()
        if cve_id in S.records:
            raise err(403, "CANNOT_CHANGE_CVE_ID_WITH_RECORD",
                      f"A record was found for {cve_id}. A CVE ID cannot be changed once a record exists for it. Instead, it changes according to the record.")
        if state == "RESERVED" and S.quota_payload()["available"] <= 0:
            raise err(403, "TRANSITION_STATE_RESERVED_NO_QUOTA",
                      "A CVE ID state cannot be changed to RESERVED if the owning organization has no remaining quota.")
    org = req.query.get("org")
    if org is not None and org.strip() != S.org["short_name"]:
        raise err(404, "ORG_DNE", f"The organization '{org}' designated by the org query parameter does not exist.")
    if state is not None:
        S.touch(cve_id, state)
    return Reply(200, {"message": f"{cve_id} was successfully updated.", "updated": copy.deepcopy(S.ids[cve_id])})


def h_get_record(req):
    cve_id = req.path_params["id"]
    check_id_param(cve_id)
    rec = S.records.get(cve_id)
    if rec is None:
        raise err(404, "CVE_RECORD_DNE", "The cve record for the cve id does not exist.")
    return Reply(200, copy.deepcopy(rec))


def trim(node):  # mw.trimJSONWhitespace
    if isinstance(node, dict):
        return {k: trim(v) for k, v in node.items()}
    if isinstance(node, list):
        return [trim(v) for v in node]
    return node.strip() if isinstance(node, str) else node


def bad_input(details):
    return err(400, "BAD_INPUT", "Parameters were invalid", details=details)


def check_descriptions(path, arr):
    """validateUniqueEnglishEntry and validateDescription of cve.middleware.js."""
    details = []
    if isinstance(arr, list):
        seen = set()
        for d in arr:
            lang = str(d.get("lang", "")).lower() if isinstance(d, dict) else ""
            if lang.startswith("en"):
                if lang in seen:
                    details.append({"msg": f"Cannot have more than one English language entry in '{path}'",
                                    "param": path, "location": "body"})
                    break
                seen.add(lang)
        if arr and isinstance(arr[0], dict) and not (str(arr[0].get("value", "")).strip()
                                                     or str(arr[0].get("description", "")).strip()):
            details.append({"msg": "Invalid value", "param": path, "location": "body"})
    return details


def published_container(req, t):
    cna = copy.deepcopy(req.body.get("cnaContainer"))
    if not isinstance(cna, dict):
        raise err(400, "INVALID_JSON_SCHEMA", "CVE cnaContainer JSON schema validation FAILED.",
                  details={"errors": [{"instancePath": "/cnaContainer", "message": "must be object"}]})
    cna["providerMetadata"] = S.provider(t)  # set by the server; a given one is overwritten
    errors = list(CNA_PUBLISHED.iter_errors(cna))
    if errors:
        raise err(400, "INVALID_JSON_SCHEMA", "CVE cnaContainer JSON schema validation FAILED.",
                  details={"errors": ajv_errors(errors, "/cnaContainer")})
    details = check_descriptions("cnaContainer.descriptions", cna.get("descriptions"))
    pts = cna.get("problemTypes")
    if isinstance(pts, list) and pts and isinstance(pts[0], dict):
        details += check_descriptions("cnaContainer.problemTypes[0].descriptions", pts[0].get("descriptions"))
    if "datePublic" in cna:
        # validateDatePublic: the service refuses a datePublic in its future.
        if parse_time(cna["datePublic"]) > S.now():
            details.append({"msg": f"datePublic cannot be a future date (datePublic {cna['datePublic']} is after "
                                   f"the service's current time {iso(S.now())})",
                            "param": "cnaContainer.datePublic", "location": "body"})
    if details:
        raise bad_input(details)
    return cna


def validate_record(rec):
    v = RECORD_REJECTED if rec["cveMetadata"]["state"] == "REJECTED" else RECORD_PUBLISHED
    errors = list(v.iter_errors(rec))
    if errors:
        raise err(400, "INVALID_JSON_SCHEMA", "CVE cnaContainer JSON schema validation FAILED.",
                  details={"errors": ajv_errors(errors)})


def h_create_cna(req):
    cve_id = req.path_params["id"]
    t = iso(S.now())
    cna = published_container(req, t)
    check_id_param(cve_id)
    i = must_own(cve_id)
    if cve_id in S.records:
        raise err(403, "CVE_RECORD_EXISTS", "The cve record for the cve id already exists.")
    rec = {
        "dataType": "CVE_RECORD",
        "dataVersion": "5.1",
        "cveMetadata": {
            "cveId": cve_id,
            "assignerOrgId": S.org["UUID"],
            "state": "PUBLISHED",
            "assignerShortName": i["owning_cna"],
            "dateReserved": i["reserved"],
            "datePublished": t,
            "dateUpdated": t,
        },
        "containers": {"cna": cna},
    }
    validate_record(rec)
    S.records[cve_id] = rec
    S.touch(cve_id, "PUBLISHED")
    return Reply(200, {"message": f"{cve_id} record was successfully created. This submission should appear on {SITE} within 15 minutes.",
                       "created": copy.deepcopy(rec)})


def h_update_cna(req):
    cve_id = req.path_params["id"]
    t = iso(S.now())
    cna = published_container(req, t)
    check_id_param(cve_id)
    must_own(cve_id)
    old = S.records.get(cve_id)
    if old is None:
        raise err(403, "CVE_RECORD_DNE", "The cve record for the cve id does not exist.")
    rec = copy.deepcopy(old)
    rec["dataVersion"] = "5.1"
    meta = rec["cveMetadata"]
    meta["dateUpdated"] = t
    if meta["state"] == "REJECTED":  # updating a rejected record publishes it again
        meta.pop("dateRejected", None)
        meta.setdefault("datePublished", t)
        meta["state"] = "PUBLISHED"
    rec["containers"]["cna"] = cna
    validate_record(rec)
    S.records[cve_id] = rec
    if S.ids[cve_id]["state"] != "PUBLISHED":
        S.touch(cve_id, "PUBLISHED")
    return Reply(200, {"message": f"{cve_id} record was successfully updated. This submission should appear on {SITE} within 15 minutes.",
                       "updated": copy.deepcopy(rec)})


def rejected_container(req, t):
    body = req.body
    cna = copy.deepcopy(body.get("cnaContainer")) if isinstance(body, dict) else None
    if not isinstance(cna, dict):
        raise err(400, "INVALID_JSON_SCHEMA", "CVE JSON schema validation FAILED.",
                  details={"errors": [{"instancePath": "/cnaContainer", "message": "must be object"}]})
    cna["providerMetadata"] = S.provider(t)
    errors = list(CNA_REJECTED.iter_errors(cna))
    if errors:
        raise err(400, "INVALID_JSON_SCHEMA", "CVE JSON schema validation FAILED.",
                  details={"errors": ajv_errors(errors, "/cnaContainer")})
    details = check_descriptions("cnaContainer.rejectedReasons", cna.get("rejectedReasons"))
    if details:
        raise bad_input(details)
    return cna


def h_create_reject(req):
    cve_id = req.path_params["id"]
    t = iso(S.now())
    cna = rejected_container(req, t)
    check_id_param(cve_id)
    i = must_own(cve_id)
    if cve_id in S.records:
        raise err(400, "CVE_RECORD_EXISTS", "The cve record for the cve id already exists.")
    container = {"providerMetadata": cna["providerMetadata"], "rejectedReasons": cna["rejectedReasons"]}
    if cna.get("replacedBy"):
        container["replacedBy"] = cna["replacedBy"]
    rec = {
        "dataType": "CVE_RECORD",
        "dataVersion": "5.1",
        "cveMetadata": {
            "cveId": cve_id,
            "assignerOrgId": S.org["UUID"],
            "state": "REJECTED",
            "dateReserved": i["reserved"],
            "dateUpdated": t,
            "dateRejected": t,
            "assignerShortName": i["owning_cna"],
        },
        "containers": {"cna": container},
    }
    validate_record(rec)
    S.records[cve_id] = rec
    S.touch(cve_id, "REJECTED")
    return Reply(200, {"message": f"{cve_id} record was successfully submitted.", "created": copy.deepcopy(rec)})


def h_update_reject(req):
    cve_id = req.path_params["id"]
    t = iso(S.now())
    cna = rejected_container(req, t)
    check_id_param(cve_id)
    must_own(cve_id)
    old = S.records.get(cve_id)
    if old is None:
        raise err(400, "CVE_RECORD_DNE", "The cve record for the cve id does not exist.")
    rec = copy.deepcopy(old)
    rec["dataVersion"] = "5.1"
    rec["containers"]["cna"] = cna
    rec["containers"].pop("adp", None)
    rec["cveMetadata"]["dateUpdated"] = t
    if rec["cveMetadata"]["state"] != "REJECTED":
        rec["cveMetadata"]["state"] = "REJECTED"
        rec["cveMetadata"]["dateRejected"] = t
    validate_record(rec)
    S.records[cve_id] = rec
    S.touch(cve_id, "REJECTED")
    return Reply(200, {"message": f"{cve_id} record was successfully submitted.", "updated": copy.deepcopy(rec)})


def secretariat_only(req):
    raise err(403, "SECRETARIAT_ONLY",
              "This function is currently only allowed to the Secretariat. This will change for many functions as more administrative roles are implemented.")


def adp_only(req):
    raise err(403, "ADP_ONLY", "This function is only allowed for ADPs.")


CONTAINER_CHECKS = {
    ("POST", "/cve/{id}/cna"): published_container,
    ("PUT", "/cve/{id}/cna"): published_container,
    ("POST", "/cve/{id}/reject"): rejected_container,
    ("PUT", "/cve/{id}/reject"): rejected_container,
}

HANDLERS = {
    ("GET", "/health-check"): h_health,
    ("GET", "/org/{identifier}"): h_get_org,
    ("GET", "/org/{shortname}/id_quota"): h_id_quota,
    ("GET", "/org/{shortname}/user/{username}"): h_get_user,
    ("POST", "/cve-id"): h_reserve,
    ("GET", "/cve-id"): h_list_ids,
    ("GET", "/cve-id/{id}"): h_get_id,
    ("PUT", "/cve-id/{id}"): h_modify_id,
    ("GET", "/cve/{id}"): h_get_record,
    ("POST", "/cve/{id}/cna"): h_create_cna,
    ("PUT", "/cve/{id}/cna"): h_update_cna,
    ("POST", "/cve/{id}/reject"): h_create_reject,
    ("PUT", "/cve/{id}/reject"): h_update_reject,
    # What a CNA (not the Secretariat, not an ADP) gets from the real service:
    ("POST", "/cve/{id}"): secretariat_only,
    ("PUT", "/cve/{id}"): secretariat_only,
    ("GET", "/cve"): secretariat_only,
    ("GET", "/cve_cursor"): secretariat_only,
    ("GET", "/org"): secretariat_only,
    ("POST", "/org"): secretariat_only,
    ("GET", "/users"): secretariat_only,
    ("POST", "/cve-id-range/{year}"): secretariat_only,
    ("PUT", "/cve/{id}/adp"): adp_only,
}


# ---------------------------------------------------------------------------------------------
# Checking a request against the description
# ---------------------------------------------------------------------------------------------

class Req:
    pass


def check_request(req, op):
    """Returns (violations, missing_auth_header)."""
    v = []
    missing_header = None

    def add(message, param=None, location=None):
        v.append({"kind": "request", "message": message, "param": param, "location": location})

    declared_query = {p["name"] for p in op.params if p["in"] == "query"}
    for name, values in req.raw_query.items():
        if name not in declared_query:
            clean = re.sub(r"[^A-Z0-9_ -]+", " ", name, flags=re.I).strip()
            add(f"'{clean}' is not a valid parameter name.", name, "query")
        elif len(values) > 1:
            add(f"'{name}' is given {len(values)} times", name, "query")
    for p in op.params:
        name, where, schema = p["name"], p["in"], p.get("schema", {})
        if where == "path":
            value = req.path_params.get(name)
        elif where == "query":
            vals = req.raw_query.get(name)
            value = vals[0] if vals else None
        elif where == "header":
            value = req.headers.get(name)
        else:
            continue
        if value is None:
            if p.get("required"):
                if where == "header":
                    missing_header = missing_header or name
                    add(f"{name} header field required.", name, "header")
                else:
                    add(f"the required {where} parameter '{name}' is missing", name, where)
            continue
        value, problem = coerce(value, schema) if where != "header" else (value, None)
        if problem:
            add(f"'{name}' {problem}", name, where)
            continue
        for e in Draft4Validator(schema, format_checker=FORMATS).iter_errors(value):
            add(f"'{name}': {e.message}", name, where)
        if where == "query":
            req.query[name] = value
    # batch_type: "Required when amount is greater than one"
    if op.template == "/cve-id" and op.method == "POST":
        amount = req.query.get("amount")
        if isinstance(amount, int) and amount > 1 and "batch_type" not in req.query:
            add("batch_type is required when amount is greater than one", "batch_type", "query")
    # body
    if op.body is None:
        if req.raw_body:
            add(f"{op.method} {op.template} takes no request body", None, "body")
    elif not req.raw_body:
        if op.body.get("required"):
            add("a request body is required", None, "body")
    else:
        ctype = req.headers.get("Content-Type", "").split(";")[0].strip().lower()
        media = op.body.get("content", {})
        if ctype not in media:
            add(f"Content-Type must be one of {sorted(media)}, not '{ctype}'", "Content-Type", "body")
        else:
            try:
                req.body = json.loads(req.raw_body)
            except ValueError as e:
                add(f"the body is not JSON: {e}", None, "body")
                req.json_error = str(e)
            else:
                schema = media[ctype].get("schema")
                if schema:
                    for e in openapi_validator(schema, False).iter_errors(req.body):
                        leaf = best_match(e.context) if e.context else e
                        add(leaf.message[:300], param_name(leaf.absolute_path) or None, "body")
    return v, missing_header


def response_problems(op, status, body):
    responses = op.op.get("responses", {})
    decl = responses.get(str(status)) or responses.get("default")
    if decl is None:
        return [f"status {status} is not declared for {op.method} {op.template}"]
    decl = deref(decl)
    content = decl.get("content")
    if not content:
        return [] if body is None else [f"status {status} of {op.method} {op.template} declares no body"]
    schema = (content.get("application/json") or {}).get("schema")
    if schema is None:
        return []
    if body is None:
        return [f"status {status} of {op.method} {op.template} declares a JSON body; none sent"]
    return [f"{param_name(e.absolute_path) or '(root)'}: {e.message[:300]}"
            for e in openapi_validator(schema, True).iter_errors(body)]


# ---------------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cve-services-fake"

    def log_message(self, *a):  # nothing on stdout/stderr: requests carry the API key
        pass

    def send_json(self, status, body, headers=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
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
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            with S.lock:
                try:
                    status, body, headers = self.api(method, path, parts.query, raw_body)
                except Exception as e:  # a bug in the fake: answer, and make the test see it
                    status, body, headers = 500, {"error": "INTERNAL_SERVER_ERROR", "message": "Internal Server Error"}, {}
                    S.violations.append({"kind": "fake", "message": f"the fake failed: {e!r}",
                                         "method": method, "path": path})
            return self.send_json(status, body, headers)
        return self.send_json(404, {"error": "NOT_FOUND", "message": "404: resource not found"})

    def api(self, method, path, query, raw_body):
        req = Req()
        req.method = method
        req.path = path
        req.raw_query = parse_qs(query, keep_blank_values=True)
        req.query = {}
        req.headers = self.headers
        req.raw_body = raw_body
        req.body = None
        req.json_error = None
        req.authenticated = False
        entry = {"method": method, "path": path,
                 "query": {k: v[0] if len(v) == 1 else v for k, v in req.raw_query.items()},
                 "status": None, "violations": []}
        op, req.path_params, known = find_operation(method, path[len(API_PREFIX):] or "/")

        def record(vs):
            for x in vs:
                x = {k: val for k, val in x.items() if val is not None}
                x.update({"method": method, "path": path})
                entry["violations"].append(x)
                S.violations.append(x)

        if op is None:
            record([{"kind": "operation", "message":
                     f"{method} {path[len(API_PREFIX):]} is not an operation of the description"
                     + (" (the path exists with other methods)" if known else "")}])
            status, body, headers = 404, {"error": "NOT_FOUND", "message": "404: resource not found"}, {}
        else:
            violations, missing_header = check_request(req, op)
            record(violations)
            if S.down is not None:
                status, body, headers = S.down, {"error": "SERVICE_NOT_AVAILABLE",
                                                 "message": "This service appears to not be available."}, {}
            else:
                status, body, headers = self.answer(req, op, violations, missing_header)
                record([{"kind": "response", "message": m} for m in response_problems(op, status, body)])
        entry["status"] = status
        if isinstance(body, dict) and status >= 400 and "error" in body:
            entry["error"] = body["error"]
        S.requests.append(entry)
        return status, body, headers

    def answer(self, req, op, violations, missing_header):
        if missing_header:
            return 400, {"error": "BAD_REQUEST", "message": f"{missing_header} header field required."}, {}
        h = req.headers
        creds = (h.get("CVE-API-ORG"), h.get("CVE-API-USER"), h.get("CVE-API-KEY"))
        req.authenticated = creds == (S.org["short_name"], S.user["username"], ARGS.key)
        if op.needs_auth and not req.authenticated:
            return 401, {"error": "UNAUTHORIZED", "message": "Unauthorized"}, {}
        if req.json_error is not None:
            return 400, {"error": "INVALID_JSON_SYNTAX", "message": req.json_error}, {}
        if violations:
            if (op.method, op.template) in CONTAINER_CHECKS and isinstance(req.body, dict) \
                    and all(x.get("location") == "body" for x in violations):
                # The service itself checks containers against the CVE schema, not against the
                # description: where that refuses too, answer as it does (still a violation).
                try:
                    CONTAINER_CHECKS[(op.method, op.template)](req, iso(S.now()))
                except Reply as r:
                    if r.body.get("error") == "INVALID_JSON_SCHEMA":
                        return r.status, r.body, r.headers
            details = [{"msg": x["message"], "param": x.get("param") or "",
                        "location": {"path": "param"}.get(x.get("location"), x.get("location") or "body")}
                       for x in violations]
            for d in details:
                if d["location"] not in ("body", "param", "query"):
                    d["location"] = "body"
            return 400, {"error": "BAD_INPUT", "message": "Parameters were invalid", "details": details}, {}
        handler = HANDLERS.get((op.method, op.template))
        if handler is None:
            return 500, {"error": "NOT_IMPLEMENTED_BY_FAKE",
                         "message": f"{op.method} {op.template} is not implemented by the CVE Services fake."}, {}
        try:
            r = handler(req)
        except Reply as r_:
            r = r_
        return r.status, r.body, r.headers

    def control(self, method, path, raw_body):
        try:
            body = json.loads(raw_body) if raw_body else {}
        except ValueError as e:
            return self.send_json(400, {"error": f"not JSON: {e}"})
        with S.lock:
            if method == "GET" and path == "/_fake/requests":
                return self.send_json(200, S.requests)
            if method == "GET" and path == "/_fake/violations":
                return self.send_json(200, S.violations)
            if method == "POST" and path == "/_fake/quota":
                S.org["policies"]["id_quota"] = int(body["id_quota"])
                return self.send_json(200, S.quota_payload())
            if method == "POST" and path == "/_fake/down":
                status = body.get("status")
                S.down = int(status) if status is not None else None
                return self.send_json(200, {"down": S.down})
            if method == "POST" and path == "/_fake/now":
                now = body.get("now")
                S.fixed_now = parse_time(now) if now else None
                return self.send_json(200, {"now": iso(S.now())})
            if method == "POST" and path == "/_fake/page_size":
                S.page_size = max(1, int(body["size"]))
                return self.send_json(200, {"size": S.page_size})
            if method == "POST" and path == "/_fake/reserve":
                return self.reserve_elsewhere(body)
        return self.send_json(404, {"error": f"no control endpoint {method} {path}"})

    def reserve_elsewhere(self, body):
        state = body.get("state", "RESERVED")
        owner = body.get("owner") or S.org["short_name"]
        if state not in ("RESERVED", "PUBLISHED", "REJECTED"):
            return self.send_json(400, {"error": f"unknown state {state}"})
        for cve_id in body.get("ids", []):
            if not CVE_ID_REGEX.match(cve_id) or cve_id in S.ids:
                return self.send_json(400, {"error": f"{cve_id} is not a CVE ID or is already known"})
            i = S.new_id(cve_id, state, owner=owner, user="another-tool")
            t = i["reserved"]
            meta = {"cveId": cve_id, "assignerOrgId": S.org_uuid_of(owner), "state": state,
                    "assignerShortName": owner, "dateReserved": t, "dateUpdated": t}
            provider = {"orgId": S.org_uuid_of(owner), "shortName": owner, "dateUpdated": t}
            if state == "PUBLISHED":
                meta["datePublished"] = t
                cna = {"providerMetadata": provider,
                       "descriptions": [{"lang": "en", "value": "Published by another tool."}],
                       "affected": [{"vendor": owner, "product": "elsewhere",
                                     "versions": [{"version": "1.0", "status": "affected"}]}],
                       "references": [{"url": "https://example.org/elsewhere"}]}
            elif state == "REJECTED":
                meta["dateRejected"] = t
                cna = {"providerMetadata": provider,
                       "rejectedReasons": [{"lang": "en", "value": "Rejected by another tool."}]}
            else:
                continue
            S.records[cve_id] = {"dataType": "CVE_RECORD", "dataVersion": "5.1", "cveMetadata": meta,
                                 "containers": {"cna": cna}}
        return self.send_json(200, {"reserved": body.get("ids", [])})


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):  # clients hanging up are normal
            super().handle_error(request, client_address)


def main():
    server = Server(("127.0.0.1", ARGS.port), Handler)
    print(f"listening {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
