#!/usr/bin/env python3
"""Cuts the subset of GitHub's REST API description that embargo uses out of the npm packages
`@octokit/openapi` and `@octokit/openapi-webhooks`.

Usage:
  extract.py [--out DIR] SOURCE [SOURCE ...]

Each SOURCE is an npm tarball (`npm pack @octokit/openapi@VERSION`, `npm pack
@octokit/openapi-webhooks@VERSION`) or the JSON file `generated/api.github.com.json` taken
out of one. A REST description (one with `paths`) gives `rest-subset.json`: OpenAPI 3.0, only
the operations of OPERATIONS below and every `components` entry they reference, directly or
through other components. A webhooks description (one with `webhooks`) gives
`webhooks-subset.json`: only the `repository_advisory` event's webhooks (every action the
package has) and what they reference. `components/examples` and the `examples` maps that point
into it are dropped; nothing else is changed (no errata here: the fake applies those, see
README.md). Output: sorted keys, indent 1, UTF-8, a final newline, so that the same input
gives the same bytes. DIR defaults to this script's folder.
"""
import argparse
import io
import json
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

OPERATIONS = [
    ("get", "/app"),
    ("get", "/orgs/{org}/installation"),
    ("get", "/repos/{owner}/{repo}/installation"),
    ("post", "/app/installations/{installation_id}/access_tokens"),
    ("get", "/user"),
    ("get", "/users/{username}"),
    ("get", "/rate_limit"),
    ("get", "/repos/{owner}/{repo}"),
    ("get", "/repos/{owner}/{repo}/security-advisories"),
    ("post", "/repos/{owner}/{repo}/security-advisories"),
    ("get", "/repos/{owner}/{repo}/security-advisories/{ghsa_id}"),
    ("patch", "/repos/{owner}/{repo}/security-advisories/{ghsa_id}"),
    ("post", "/repos/{owner}/{repo}/security-advisories/{ghsa_id}/cve"),
    ("post", "/repos/{owner}/{repo}/security-advisories/{ghsa_id}/forks"),
    ("get", "/repos/{owner}/{repo}/issues"),
    ("post", "/repos/{owner}/{repo}/issues"),
    ("patch", "/repos/{owner}/{repo}/issues/{issue_number}"),
    ("get", "/repos/{owner}/{repo}/pulls"),
    ("post", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches"),
    ("get", "/repos/{owner}/{repo}/actions/runs"),
    ("delete", "/repos/{owner}/{repo}/git/refs/{ref}"),
]

# The `repository_advisory` event: every webhook whose key starts so (published, reported, ...).
WEBHOOK_PREFIX = "repository-advisory-"

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def load(source):
    """(document, package.json or None) from a tarball or a JSON file."""
    data = Path(source).read_bytes()
    if data[:2] == b"\x1f\x8b":
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            doc = json.load(tar.extractfile("package/generated/api.github.com.json"))
            pkg = json.load(tar.extractfile("package/package.json"))
        return doc, pkg
    return json.loads(data), None


def drop_examples(node, in_schema=False):
    """Removes `examples` maps of media types, parameters and headers (they point into
    components/examples); schemas' own keywords are kept."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "examples" and not in_schema and isinstance(v, dict):
                continue
            out[k] = drop_examples(v, in_schema or k == "schema" or k == "schemas")
        return out
    if isinstance(node, list):
        return [drop_examples(v, in_schema) for v in node]
    return node


def refs(node, acc):
    if isinstance(node, dict):
        r = node.get("$ref")
        if isinstance(r, str):
            acc.append(r)
        for v in node.values():
            refs(v, acc)
    elif isinstance(node, list):
        for v in node:
            refs(v, acc)
    return acc


def close_components(doc, roots):
    """Every components entry reachable from `roots`, as {section: {name: entry}}."""
    comps = doc.get("components", {})
    out = {}
    todo = refs(roots, [])
    while todo:
        r = todo.pop()
        if not r.startswith("#/components/"):
            sys.exit(f"unsupported $ref {r!r} (only local #/components/... refs are expected)")
        section, name = r[len("#/components/"):].split("/", 1)
        name = name.replace("~1", "/").replace("~0", "~")
        if section == "examples":
            sys.exit(f"$ref {r!r} into components/examples survived drop_examples")
        if name in out.get(section, {}):
            continue
        entry = drop_examples(comps[section][name], section == "schemas")
        out.setdefault(section, {})[name] = entry
        todo.extend(refs(entry, []))
    return out


def origin(doc, pkg, filename):
    info = dict(doc.get("info", {}))
    if pkg:
        info["x-subset-of"] = f"{pkg['name']}@{pkg['version']} generated/{filename}"
    return info


def rest_subset(doc, pkg):
    paths = {}
    missing = []
    for method, template in OPERATIONS:
        item = doc["paths"].get(template)
        if item is None or method not in item:
            missing.append(f"{method.upper()} {template}")
            continue
        out_item = paths.setdefault(template, {k: v for k, v in item.items() if k not in METHODS})
        out_item[method] = drop_examples(item[method])
    if missing:
        sys.exit("operations missing from the description: " + ", ".join(missing))
    paths = drop_examples(paths)
    used_tags = sorted({t for item in paths.values() for m, op in item.items() if m in METHODS
                        for t in op.get("tags", [])})
    out = {
        "openapi": doc["openapi"],
        "info": origin(doc, pkg, "api.github.com.json"),
        "servers": doc.get("servers", []),
        "externalDocs": doc.get("externalDocs"),
        "tags": [t for t in doc.get("tags", []) if t.get("name") in used_tags],
        "paths": paths,
        "components": close_components(doc, paths),
    }
    return {k: v for k, v in out.items() if v is not None}


def webhooks_subset(doc, pkg):
    hooks = {k: drop_examples(v) for k, v in doc["webhooks"].items() if k.startswith(WEBHOOK_PREFIX)}
    if not hooks:
        sys.exit(f"no webhook {WEBHOOK_PREFIX}* in the description")
    used_tags = sorted({t for item in hooks.values() for m, op in item.items() if m in METHODS
                        for t in op.get("tags", [])})
    out = {
        "openapi": doc["openapi"],
        "info": origin(doc, pkg, "api.github.com.json"),
        "externalDocs": doc.get("externalDocs"),
        "tags": [t for t in doc.get("tags", []) if t.get("name") in used_tags],
        "webhooks": hooks,
        "components": close_components(doc, hooks),
    }
    return {k: v for k, v in out.items() if v is not None}


def write(path, doc):
    path.write_text(json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path} ({path.stat().st_size} bytes)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(HERE))
    ap.add_argument("sources", nargs="+")
    args = ap.parse_args()
    out = Path(args.out)
    for source in args.sources:
        doc, pkg = load(source)
        if "paths" in doc and doc["paths"]:
            write(out / "rest-subset.json", rest_subset(doc, pkg))
        elif "webhooks" in doc:
            write(out / "webhooks-subset.json", webhooks_subset(doc, pkg))
        else:
            sys.exit(f"{source}: neither a REST (paths) nor a webhooks (webhooks) description")


if __name__ == "__main__":
    main()
