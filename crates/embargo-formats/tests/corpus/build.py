#!/usr/bin/env python3
"""Rebuild the real-data advisory corpus in this directory from git snapshots.

Usage (each option takes a bare or non-bare git directory; omit a source to skip it):

    python3 build.py \
        --golang-vulndb /path/to/golang/vulndb.git \
        --pypa /path/to/pypa/advisory-database.git \
        --rustsec /path/to/rustsec/advisory-db.git \
        --github /path/to/github/advisory-database.git \
        --cvelist /path/to/CVEProject/cvelistV5.git \
        [--out DIR] [--summary]

Output: one gzip-compressed JSON Lines file per source, each line
``{"path": "<path in the source repo>", "document": <the JSON document>}``,
lines sorted by path.

* JSON sources: each blob is parsed (key order kept, duplicate keys rejected)
  and re-serialised compactly with ``ensure_ascii=False``.  Values, key order
  and string contents are unchanged; only insignificant whitespace differs
  from the published file.  The script asserts that every document re-parses
  to a value equal to the original and that no JSON numbers change spelling.
* pypa (YAML): the YAML is loaded with PyYAML's SafeLoader and converted to
  JSON.  That conversion is the only change.  The script asserts that no YAML
  value turned into a non-JSON type (dates, etc.).

Sampling is deterministic: candidate paths are sorted, edge cases are forced
in (the matching candidates are sorted and picked with the seeded RNG), then
the rest is drawn with ``random.Random(SEED)``.

Standard library only, except PyYAML for the pypa source.  The --github and
--cvelist code paths exist for completeness; see README.md for whether they
were run.
"""

import argparse
import gzip
import io
import json
import os
import random
import re
import subprocess
import sys

SEED = 20261130

HERE = os.path.dirname(os.path.abspath(__file__))


# --------------------------------------------------------------------------- git


def git(gitdir, *args):
    return subprocess.run(
        ["git", "-C", gitdir, *args], check=True, capture_output=True
    ).stdout


def commit_info(gitdir, ref):
    out = git(gitdir, "log", "-1", "--format=%H %cI", ref).decode().split()
    return out[0], out[1]


def list_paths(gitdir, ref, prefix, regex):
    out = git(gitdir, "ls-tree", "-r", "--name-only", "-z", ref, "--", prefix)
    rx = re.compile(regex)
    return sorted(p for p in out.decode().split("\0") if p and rx.fullmatch(p))


class BlobReader:
    """Read many blobs through one `git cat-file --batch` process."""

    def __init__(self, gitdir, ref):
        self.ref = ref
        self.proc = subprocess.Popen(
            ["git", "-C", gitdir, "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def read(self, path):
        self.proc.stdin.write(f"{self.ref}:{path}\n".encode())
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().decode().split()
        if len(header) != 3 or header[1] != "blob":
            raise RuntimeError(f"cannot read {self.ref}:{path}: {header}")
        size = int(header[2])
        data = self.proc.stdout.read(size)
        self.proc.stdout.read(1)  # trailing LF
        return data

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


# ----------------------------------------------------------------- parsing


class DuplicateKey(ValueError):
    pass


def _pairs(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise DuplicateKey(k)
        d[k] = v
    return d


def _check_number(text):
    # Reject numbers whose spelling would change on re-serialisation.
    def parse_float(s):
        f = float(s)
        if repr(f) != s:
            raise ValueError(f"float {s!r} would be re-spelled as {f!r}")
        return f

    return parse_float


def parse_json(raw, path):
    text = raw.decode("utf-8")
    if text.startswith("\ufeff"):
        raise ValueError(f"{path}: BOM")
    return json.loads(text, object_pairs_hook=_pairs, parse_float=_check_number(text))


# Features that can only be seen in the raw text, keyed by path.
RAW_FLAGS = {}

_UNQUOTED_TS = re.compile(r"^(modified|published|withdrawn):\s+\d{4}-", re.M)

_LOADER = None


def _string_timestamp_loader():
    """SafeLoader that keeps YAML 1.1 timestamps as the original strings.

    Some pypa files have unquoted ``modified: 2023-07-24T14:58:05.562874Z``;
    OSV says these are strings, and a plain SafeLoader would turn them into
    datetime objects (losing the exact spelling).  Everything else resolves as
    in SafeLoader (all other ambiguous scalars are quoted in these files)."""
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class Loader(base):
            pass

        Loader.yaml_implicit_resolvers = {
            ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
            for ch, resolvers in base.yaml_implicit_resolvers.items()
        }
        _LOADER = Loader
    return _LOADER


def parse_yaml(raw, path):
    import yaml  # PyYAML, only needed for pypa

    text = raw.decode("utf-8")
    doc = yaml.load(text, Loader=_string_timestamp_loader())
    if _UNQUOTED_TS.search(text):
        RAW_FLAGS.setdefault(path, set()).add("pypa_unquoted_yaml_timestamp")

    def check(v, where):
        if isinstance(v, dict):
            for k, x in v.items():
                if not isinstance(k, str):
                    raise ValueError(f"{path}: non-string key {k!r} at {where}")
                check(x, f"{where}.{k}")
        elif isinstance(v, list):
            for i, x in enumerate(v):
                check(x, f"{where}[{i}]")
        elif v is None or isinstance(v, (str, bool, int)):
            pass
        else:
            raise ValueError(f"{path}: {type(v).__name__} at {where}")

    check(doc, "$")
    return doc


def dump_line(path, doc):
    line = json.dumps(
        {"path": path, "document": doc}, ensure_ascii=False, separators=(",", ":")
    )
    back = json.loads(line)
    assert back["path"] == path and back["document"] == doc, path
    return line


def write_jsonl_gz(filename, rows):
    buf = io.BytesIO()
    for path, doc in sorted(rows, key=lambda r: r[0]):
        buf.write(dump_line(path, doc).encode("utf-8"))
        buf.write(b"\n")
    # mtime=0 and no file name in the header: byte-identical rebuilds.
    with open(filename, "wb") as fh:
        with gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0, compresslevel=9) as gz:
            gz.write(buf.getvalue())
    return os.path.getsize(filename)


# ------------------------------------------------------------ OSV features


def _affected(doc):
    return doc.get("affected") or []


def _events(doc):
    for a in _affected(doc):
        for r in a.get("ranges") or []:
            for e in r.get("events") or []:
                yield e


def _severity_vectors(doc):
    out = [s.get("score", "") for s in doc.get("severity") or []]
    for a in _affected(doc):
        out += [s.get("score", "") for s in a.get("severity") or []]
    return out


OSV_FEATURES = {
    "withdrawn": lambda d: "withdrawn" in d,
    "git_ranges": lambda d: any(
        r.get("type") == "GIT" for a in _affected(d) for r in a.get("ranges") or []
    ),
    "versions_list": lambda d: any(a.get("versions") for a in _affected(d)),
    "last_affected": lambda d: any("last_affected" in e for e in _events(d)),
    "limit_events": lambda d: any("limit" in e for e in _events(d)),
    "database_specific": lambda d: "database_specific" in d
    or any("database_specific" in a for a in _affected(d)),
    "ecosystem_specific": lambda d: any("ecosystem_specific" in a for a in _affected(d)),
    "date_0001_01_01": lambda d: any(
        str(d.get(k, "")).startswith("0001-01-01") for k in ("modified", "published", "withdrawn")
    ),
    "multiple_aliases": lambda d: len(d.get("aliases") or []) >= 2,
    "multiple_cve_aliases": lambda d: sum(
        1 for x in d.get("aliases") or [] if x.startswith("CVE-")
    )
    >= 2,
    "cvss_3_0": lambda d: any(v.startswith("CVSS:3.0/") for v in _severity_vectors(d)),
    "cvss_3_1": lambda d: any(v.startswith("CVSS:3.1/") for v in _severity_vectors(d)),
    "cvss_4_0": lambda d: any(v.startswith("CVSS:4.0/") for v in _severity_vectors(d)),
    "moderate_severity": lambda d: (d.get("database_specific") or {}).get("severity")
    == "MODERATE",
    "several_affected_packages": lambda d: len(_affected(d)) >= 2,
}


def _go_pre_release(d):
    return any(
        re.search(r"-(rc|beta|alpha|pre)\.?\d", str(v))
        for e in _events(d)
        for v in e.values()
    )


GO_FEATURES = {
    "go_stdlib_or_toolchain": lambda d: any(
        a.get("package", {}).get("name") in ("stdlib", "toolchain") for a in _affected(d)
    ),
    "go_pre_release_versions": _go_pre_release,
    "go_stdlib_pre_release_versions": lambda d: any(
        a.get("package", {}).get("name") in ("stdlib", "toolchain")
        and _go_pre_release({"affected": [a]})
        for a in _affected(d)
    ),
    "go_toolchain": lambda d: any(
        a.get("package", {}).get("name") == "toolchain" for a in _affected(d)
    ),
    "go_imports": lambda d: any(
        (a.get("ecosystem_specific") or {}).get("imports") for a in _affected(d)
    ),
    "go_goos_goarch": lambda d: any(
        "goos" in i or "goarch" in i
        for a in _affected(d)
        for i in (a.get("ecosystem_specific") or {}).get("imports") or []
    ),
    "go_custom_ranges": lambda d: any(
        "custom_ranges" in (a.get(k) or {})
        for a in _affected(d)
        for k in ("ecosystem_specific", "database_specific")
    ),
    "go_pseudo_versions": lambda d: any(
        re.search(r"\d{14}-[0-9a-f]{12}", str(v))
        for a in _affected(d)
        for k in ("ecosystem_specific", "database_specific")
        for r in (a.get(k) or {}).get("custom_ranges") or []
        for e in r.get("events") or []
        for v in e.values()
    )
    or any(re.search(r"\d{14}-[0-9a-f]{12}", str(v)) for e in _events(d) for v in e.values()),
    "go_review_status_unreviewed": lambda d: (d.get("database_specific") or {}).get(
        "review_status"
    )
    == "UNREVIEWED",
    "related": lambda d: bool(d.get("related")),
    "credits": lambda d: bool(d.get("credits")),
}

RUSTSEC_FEATURES = {
    "rustsec_informational": lambda d: any(
        (a.get("database_specific") or {}).get("informational") for a in _affected(d)
    ),
    "rustsec_affected_functions": lambda d: any(
        ((a.get("ecosystem_specific") or {}).get("affects") or {}).get("functions")
        for a in _affected(d)
    ),
    "rustsec_os_arch": lambda d: any(
        ((a.get("ecosystem_specific") or {}).get("affects") or {}).get(k)
        for a in _affected(d)
        for k in ("os", "arch")
    ),
}

PYPA_FEATURES = {
    "pypa_ecosystem_specific_affected_functions": lambda d: any(
        "ecosystem_specific" in a for a in _affected(d)
    ),
    "pypa_non_string_scalar": lambda d: _has_non_string_scalar(d),
}


def _has_non_string_scalar(v):
    if isinstance(v, dict):
        return any(_has_non_string_scalar(x) for x in v.values())
    if isinstance(v, list):
        return any(_has_non_string_scalar(x) for x in v)
    return not isinstance(v, str)


def features_of(doc, extra, path):
    out = [k for k, f in OSV_FEATURES.items() if f(doc)]
    out += [k for k, f in extra.items() if f(doc)]
    out += sorted(RAW_FLAGS.get(path, ()))
    return out


# ------------------------------------------------------------- sampling


def sample_osv(docs, total, forced_features, per_feature, rng, strata=None, per_stratum=0):
    """docs: dict path -> (doc, [features]).  Returns (chosen paths, forced map)."""
    paths = sorted(docs)
    chosen = []
    chosen_set = set()
    forced = {}

    def take(p):
        if p not in chosen_set:
            chosen_set.add(p)
            chosen.append(p)

    # 1. forced edge cases, in a fixed feature order
    for feat in forced_features:
        matches = [p for p in paths if feat in docs[p][1]]
        already = [p for p in matches if p in chosen_set]
        need = max(0, per_feature - len(already))
        pool = [p for p in matches if p not in chosen_set]
        picks = rng.sample(pool, min(need, len(pool)))
        for p in sorted(picks):
            take(p)
        forced[feat] = sorted(set(already[:per_feature]) | set(picks))

    # 2. strata minimums (e.g. ecosystems)
    if strata:
        for name in sorted({strata(docs[p][0]) for p in paths}):
            members = [p for p in paths if strata(docs[p][0]) == name]
            have = [p for p in members if p in chosen_set]
            pool = [p for p in members if p not in chosen_set]
            need = max(0, per_stratum - len(have))
            for p in sorted(rng.sample(pool, min(need, len(pool)))):
                take(p)

    # 3. random fill
    pool = [p for p in paths if p not in chosen_set]
    need = max(0, total - len(chosen))
    for p in sorted(rng.sample(pool, min(need, len(pool)))):
        take(p)
    return chosen, forced


def load_all(gitdir, ref, paths, parser):
    reader = BlobReader(gitdir, ref)
    out = {}
    try:
        for p in paths:
            out[p] = parser(reader.read(p), p)
    finally:
        reader.close()
    return out


# --------------------------------------------------------------- sources


def build_osv_source(name, gitdir, ref, prefix, regex, parser, extra, forced_order, total,
                     per_feature, out_dir, strata=None, per_stratum=0):
    commit, date = commit_info(gitdir, ref)
    paths = list_paths(gitdir, ref, prefix, regex)
    parsed = load_all(gitdir, ref, paths, parser)
    docs = {p: (d, features_of(d, extra, p)) for p, d in parsed.items()}
    rng = random.Random(SEED)
    chosen, forced = sample_osv(docs, total, forced_order, per_feature, rng, strata, per_stratum)
    size = write_jsonl_gz(os.path.join(out_dir, f"{name}.jsonl.gz"), [(p, docs[p][0]) for p in chosen])
    feat_counts = {}
    feat_example = {}
    for p in sorted(chosen):
        for f in docs[p][1]:
            feat_counts[f] = feat_counts.get(f, 0) + 1
            feat_example.setdefault(f, p)
    population = {}
    for p in paths:
        for f in docs[p][1]:
            population[f] = population.get(f, 0) + 1
    info = {
        "name": name,
        "ref": ref,
        "commit": commit,
        "date": date,
        "candidates": len(paths),
        "selected": len(chosen),
        "bytes_gz": size,
        "forced": forced,
        "feature_counts": feat_counts,
        "feature_population": population,
        "feature_example": feat_example,
    }
    if strata:
        s = {}
        for p in chosen:
            k = strata(docs[p][0])
            s[k] = s.get(k, 0) + 1
        info["strata"] = dict(sorted(s.items()))
    return info


def first_ecosystem(doc):
    aff = _affected(doc)
    if not aff:
        return "(none)"
    return aff[0].get("package", {}).get("ecosystem", "(none)")


def build_cvelist(gitdir, out_dir, published_total=150, rejected_total=10):
    """CVE JSON 5: sample PUBLISHED records for 2019-2025 across CNAs plus REJECTED ones.

    Untested here unless README.md says otherwise (no snapshot could be fetched)."""
    ref = "HEAD"
    commit, date = commit_info(gitdir, ref)
    paths = [
        p
        for p in list_paths(gitdir, ref, "cves", r"cves/\d{4}/\d+xxx/CVE-\d{4}-\d+\.json")
        if 2019 <= int(p.split("/")[1]) <= 2025
    ]
    rng = random.Random(SEED)
    order = paths[:]
    rng.shuffle(order)
    wanted_cnas = ["GitHub_M", "mitre", "Go", "Wordfence", "redhat", "VulDB", "wpscan",
                   "microsoft", "apache", "Linux", "INCIBE", "@huntrdev"]
    per_cna_min, per_cna_max, per_year_max = 5, 25, 30
    reader = BlobReader(gitdir, ref)
    published, rejected = [], []
    by_cna, by_year = {}, {}
    rows = []
    try:
        # pass 1: the wanted CNAs first, then everything else, always in shuffled order
        for phase in ("wanted", "any"):
            for p in order:
                if len(published) >= published_total and len(rejected) >= rejected_total:
                    break
                if p in published or p in rejected:
                    continue
                doc = parse_json(reader.read(p), p)
                meta = doc.get("cveMetadata", {})
                state, cna = meta.get("state"), meta.get("assignerShortName", "?")
                year = p.split("/")[1]
                if state == "REJECTED":
                    if len(rejected) < rejected_total:
                        rejected.append(p)
                        rows.append((p, doc))
                    continue
                if state != "PUBLISHED" or len(published) >= published_total:
                    continue
                if phase == "wanted":
                    if cna not in wanted_cnas or by_cna.get(cna, 0) >= per_cna_min:
                        continue
                elif by_cna.get(cna, 0) >= per_cna_max or by_year.get(year, 0) >= per_year_max:
                    continue
                published.append(p)
                rows.append((p, doc))
                by_cna[cna] = by_cna.get(cna, 0) + 1
                by_year[year] = by_year.get(year, 0) + 1
                if phase == "wanted" and all(by_cna.get(c, 0) >= per_cna_min for c in wanted_cnas):
                    break
    finally:
        reader.close()
    size = write_jsonl_gz(os.path.join(out_dir, "cvelistv5.jsonl.gz"), rows)
    return {
        "name": "cvelistv5",
        "ref": ref,
        "commit": commit,
        "date": date,
        "candidates": len(paths),
        "selected": len(rows),
        "published": len(published),
        "rejected": len(rejected),
        "by_cna": dict(sorted(by_cna.items())),
        "by_year": dict(sorted(by_year.items())),
        "bytes_gz": size,
    }


def build_osv_dev_ghsa(gitdir, out_dir, total=120, per_feature=3):
    """GitHub-reviewed advisories as osv.dev serves them (with `versions` lists, purls and
    `database_specific.source`), from the API answers osv-scalibr keeps as test data. The
    GitHub Advisory Database itself is too large to fetch here; these are its documents
    after osv.dev's enrichment, each one whole."""
    ref = "HEAD"
    commit, date = commit_info(gitdir, ref)
    files = [
        "guidedremediation/internal/strategy/override/testdata/zeppelin-server/vulnerabilities.json",
        "guidedremediation/internal/strategy/override/testdata/maven-classifier/vulnerabilities.json",
    ]
    reader = BlobReader(gitdir, ref)
    docs = {}
    try:
        for f in files:
            for doc in parse_json(reader.read(f), f)["vulns"]:
                if not doc["id"].startswith("GHSA-"):
                    continue
                path = f"{f}#{doc['id']}"
                # The same advisory in both files: keep the first file's copy.
                if any(p.endswith("#" + doc["id"]) for p in docs):
                    continue
                docs[path] = (doc, features_of(doc, {}, path))
    finally:
        reader.close()
    rng = random.Random(SEED)
    chosen, forced = sample_osv(docs, total, COMMON_FORCED + ["related"], per_feature, rng)
    size = write_jsonl_gz(os.path.join(out_dir, "osv-dev-ghsa.jsonl.gz"), [(p, docs[p][0]) for p in chosen])
    counts = {}
    for p in chosen:
        for f in docs[p][1]:
            counts[f] = counts.get(f, 0) + 1
    return {"name": "osv-dev-ghsa", "commit": commit, "date": date, "candidates": len(docs),
            "selected": len(chosen), "bytes_gz": size, "forced": forced, "feature_counts": counts}


def build_cve_records(name, gitdir, prefix, regex, out_dir, total=None):
    """CVE JSON 5 records kept whole: every file under `prefix` matching `regex`, or a
    seeded sample of `total` of them."""
    ref = "HEAD"
    commit, date = commit_info(gitdir, ref)
    paths = list_paths(gitdir, ref, prefix, regex)
    if total is not None and total < len(paths):
        paths = sorted(random.Random(SEED).sample(paths, total))
    rows = list(load_all(gitdir, ref, paths, parse_json).items())
    size = write_jsonl_gz(os.path.join(out_dir, f"{name}.jsonl.gz"), rows)
    states = {}
    for _, doc in rows:
        s = doc.get("cveMetadata", {}).get("state", "(none)")
        states[s] = states.get(s, 0) + 1
    return {"name": name, "commit": commit, "date": date, "candidates": len(list_paths(gitdir, ref, prefix, regex)),
            "selected": len(rows), "states": states, "bytes_gz": size}


COMMON_FORCED = [
    "withdrawn",
    "git_ranges",
    "versions_list",
    "last_affected",
    "limit_events",
    "date_0001_01_01",
    "multiple_cve_aliases",
    "multiple_aliases",
    "cvss_3_0",
    "cvss_3_1",
    "cvss_4_0",
    "moderate_severity",
    "several_affected_packages",
    "database_specific",
    "ecosystem_specific",
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--golang-vulndb", metavar="GITDIR")
    ap.add_argument("--github", metavar="GITDIR", help="github/advisory-database")
    ap.add_argument("--pypa", metavar="GITDIR", help="pypa/advisory-database")
    ap.add_argument("--rustsec", metavar="GITDIR", help="rustsec/advisory-db (uses its `osv` branch)")
    ap.add_argument("--rustsec-ref", default="osv")
    ap.add_argument("--cvelist", metavar="GITDIR", help="CVEProject/cvelistV5")
    ap.add_argument("--osv-scalibr", metavar="GITDIR", help="google/osv-scalibr (osv.dev's GHSA documents in its test data)")
    ap.add_argument("--osv-dev", metavar="GITDIR", help="google/osv.dev (cvelistV5 records in vulnfeeds/test_data)")
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--summary", action="store_true", help="print a JSON summary to stdout")
    args = ap.parse_args()

    results = []
    if args.golang_vulndb:
        results.append(
            build_osv_source(
                "golang-vulndb", args.golang_vulndb, "HEAD", "data/osv",
                r"data/osv/GO-\d{4}-\d+\.json", parse_json, GO_FEATURES,
                ["withdrawn", "go_stdlib_pre_release_versions", "go_toolchain",
                 "go_pre_release_versions", "go_stdlib_or_toolchain",
                 "go_imports", "go_goos_goarch", "go_custom_ranges", "go_pseudo_versions",
                 "go_review_status_unreviewed", "related", "credits"] + COMMON_FORCED,
                total=120, per_feature=3, out_dir=args.out,
            )
        )
    if args.github:
        results.append(
            build_osv_source(
                "github-advisory-database", args.github, "HEAD", "advisories/github-reviewed",
                r"advisories/github-reviewed/\d{4}/\d{2}/GHSA-[^/]+/GHSA-[^/]+\.json",
                parse_json, {}, COMMON_FORCED, total=250, per_feature=3, out_dir=args.out,
                strata=first_ecosystem, per_stratum=10,
            )
        )
    if args.pypa:
        results.append(
            build_osv_source(
                "pypa-advisory-database", args.pypa, "HEAD", "vulns",
                r"vulns/[^/]+/PYSEC-[^/]+\.yaml", parse_yaml, PYPA_FEATURES,
                ["pypa_ecosystem_specific_affected_functions", "pypa_non_string_scalar",
                 "pypa_unquoted_yaml_timestamp"] + COMMON_FORCED,
                total=80, per_feature=3, out_dir=args.out,
            )
        )
    if args.rustsec:
        results.append(
            build_osv_source(
                "rustsec", args.rustsec, args.rustsec_ref, "crates",
                r"crates/RUSTSEC-\d{4}-\d{4}\.json", parse_json, RUSTSEC_FEATURES,
                ["rustsec_informational", "rustsec_affected_functions", "rustsec_os_arch"] + COMMON_FORCED,
                total=80, per_feature=3, out_dir=args.out,
            )
        )
    if args.cvelist:
        results.append(build_cvelist(args.cvelist, args.out))
    if args.golang_vulndb:
        # The CVE records the Go CNA submits (CNA containers in a record without metadata).
        results.append(build_cve_records(
            "golang-vulndb-cve5", args.golang_vulndb, "data/cve/v5",
            r"data/cve/v5/GO-\d{4}-\d+\.json", args.out, total=60))
    if args.osv_scalibr:
        results.append(build_osv_dev_ghsa(args.osv_scalibr, args.out))
    if args.osv_dev:
        results.append(build_cve_records(
            "osv-dev-cvelistv5", args.osv_dev, "vulnfeeds/test_data",
            r"vulnfeeds/test_data/(cve5/|cvelistV5/cves/\d{4}/\d+xxx/)CVE-\d{4}-\d+\.json", args.out))
    if not results:
        ap.error("give at least one source git directory")
    if args.summary:
        json.dump(results, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")


if __name__ == "__main__":
    main()
