"""Median latency of filing a report (POST /api/v1/reports: case, report, audit entry and
two jobs in one fsynced SQLite transaction) against GET /healthz (one SELECT 1), on one
keep-alive connection, measured in the same run."""
import http.client, json, statistics, sys, time

addr, n = sys.argv[1], int(sys.argv[2])
host, port = addr.rsplit(":", 1)
conn = http.client.HTTPConnection(host, int(port))

def measure(method, path, body=None):
    times = []
    for i in range(n):
        headers = {"Content-Type": "application/json"} if body else {}
        payload = body(i) if body else None
        t = time.perf_counter()
        conn.request(method, path, body=payload, headers=headers)
        r = conn.getresponse()
        r.read()
        times.append(time.perf_counter() - t)
        assert r.status in (200, 201), (r.status, path)
    return times

def report(i):
    return json.dumps({"project": "infra", "title": f"Bench report {i}", "description": "x" * 2000,
                       "reporter_email": f"r{i}@example.org"})

measure("GET", "/healthz")  # warm-up
base = measure("GET", "/healthz")
file = measure("POST", "/api/v1/reports", report)
mb, mf = statistics.median(base), statistics.median(file)
p90 = lambda xs: sorted(xs)[int(len(xs) * 0.9)]
print(f"baseline GET /healthz: median {mb*1000:.2f} ms, p90 {p90(base)*1000:.2f} ms ({1/mb:,.0f} req/s sequential)")
print(f"file a report POST /api/v1/reports: median {mf*1000:.2f} ms, p90 {p90(file)*1000:.2f} ms ({1/mf:,.0f} req/s sequential)")
print(f"ratio report/baseline: {mf/mb:.1f}x  ({n} requests each)")
