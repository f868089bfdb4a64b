"""The public side with a history of many advisories: import time, then median latency of
the OSV-style query (POST /api/v1/query with a version), an advisory page, its CSAF
document and the index, each against GET /healthz measured in the same run.
  python3 scripts/bench_public.py BIN DATA_DIR ADDR_FILE COUNT REQUESTS"""
import http.client, json, os, statistics, subprocess, sys, tempfile, time

bin, data, count, n = sys.argv[1], sys.argv[2], int(sys.argv[4]), int(sys.argv[5])

# A history: COUNT OSV advisories over 200 PyPI packages, two ranges each.
src = tempfile.mkdtemp()
for i in range(count):
    pkg = f"package-{i % 200}"
    doc = {
        "schema_version": "1.7.5", "id": f"PYSEC-2020-{i}", "modified": "2024-01-01T00:00:00Z",
        "published": "2023-06-01T00:00:00Z", "summary": f"Vulnerability {i} in {pkg}",
        "details": "Details " * 50,
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
        "affected": [{"package": {"ecosystem": "PyPI", "name": pkg}, "ranges": [{"type": "ECOSYSTEM", "events": [
            {"introduced": "0"}, {"fixed": f"1.{i % 50}.0"}, {"introduced": "2.0.0"}, {"fixed": f"2.{i % 30}.1"}]}]}],
        "references": [{"type": "WEB", "url": f"https://example.org/{i}"}],
    }
    with open(os.path.join(src, f"{i}.json"), "w") as f:
        json.dump(doc, f)
t = time.perf_counter()
subprocess.run([bin, "--data-dir", data, "import", src], check=True, capture_output=True)
took = time.perf_counter() - t
print(f"import {count} OSV files: {took:.2f} s ({count/took:,.0f} advisories/s, process start included)")
t = time.perf_counter()
out = tempfile.mkdtemp()
subprocess.run([bin, "--data-dir", data, "export", "csaf", "--out", out], check=True, capture_output=True)
took = time.perf_counter() - t
print(f"export csaf of {count} advisories: {took:.2f} s ({count/took:,.0f} documents/s)")

serve = subprocess.Popen([bin, "--data-dir", data, "serve", "--listen", "127.0.0.1:0", "--log", "warn"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
try:
    line = serve.stdout.readline()
    addr = line.strip().rsplit("http://", 1)[1]
    host, port = addr.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port))

    def measure(method, path, body=None):
        times = []
        for i in range(n):
            payload = body(i) if body else None
            headers = {"Content-Type": "application/json"} if body else {}
            t = time.perf_counter()
            conn.request(method, path(i) if callable(path) else path, body=payload, headers=headers)
            r = conn.getresponse()
            r.read()
            times.append(time.perf_counter() - t)
            assert r.status == 200, (r.status, path)
        return statistics.median(times)

    measure("GET", "/healthz")
    base = measure("GET", "/healthz")
    rows = [
        ("POST /api/v1/query (purl + version)", measure("POST", "/api/v1/query",
            lambda i: json.dumps({"package": {"purl": f"pkg:pypi/package-{i % 200}"}, "version": "1.3.0"}))),
        ("GET /advisories/{id}", measure("GET", lambda i: f"/advisories/PYSEC-2020-{i % count}")),
        ("GET /advisories/{id}/csaf.json", measure("GET", lambda i: f"/advisories/PYSEC-2020-{i % count}/csaf.json")),
        (f"GET /advisories?q=package-7 (search of {count})", measure("GET", "/advisories?q=package-7")),
    ]
    print(f"baseline GET /healthz: median {base*1000:.2f} ms")
    for name, m in rows:
        print(f"{name}: median {m*1000:.2f} ms, {m/base:.1f}x baseline ({n} requests)")
finally:
    serve.terminate()
    serve.wait()
