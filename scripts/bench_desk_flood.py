"""The desk while reports flood in: latency of a Coordinator's API read (GET
/api/v1/cases?limit=5 with an API token, which marks the token used: a write) on its own
(the baseline, measured in the same run), then while `wrk -t2 -c64` files reports as fast as
it can. Every write of the process waits its turn behind at most the batch of reports being
written (SQLite); before that queue, such a read waited up to 1.2 s during a flood.

Prints medians, p99, the slowest and the ratio of the medians, and the flood's reports/s.
    python3 scripts/bench_desk_flood.py ADDR TOKEN SECONDS"""
import http.client, statistics, subprocess, sys, time

addr, token, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
host, port = addr.rsplit(":", 1)


def read_latencies(duration):
    conn = http.client.HTTPConnection(host, int(port))
    headers = {"Authorization": f"Bearer {token}"}
    times, end = [], time.perf_counter() + duration
    while time.perf_counter() < end:
        t = time.perf_counter()
        conn.request("GET", "/api/v1/cases?limit=5", headers=headers)
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            sys.exit(f"GET /api/v1/cases answered {r.status}")
        times.append(time.perf_counter() - t)
        time.sleep(0.01)
    return times


def figures(times):
    times = sorted(times)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return statistics.median(times), p99, times[-1]


alone = figures(read_latencies(seconds / 2))
flood = subprocess.Popen(
    ["wrk", "-t2", "-c64", f"-d{seconds:.0f}s", "-s", "scripts/wrk_report.lua", f"http://{addr}/"],
    stdout=subprocess.PIPE,
    text=True,
)
time.sleep(1)  # the flood at full speed first
during = figures(read_latencies(seconds - 2))
out, _ = flood.communicate()
rate = next((line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")), "?")
ms = lambda f: f"median {f[0] * 1000:.1f} ms, p99 {f[1] * 1000:.1f} ms, slowest {f[2] * 1000:.1f} ms"
print(f"API read alone:            {ms(alone)}")
print(f"API read during the flood: {ms(during)} ({during[0] / alone[0]:.1f}x the median alone; "
      f"the flood filed {rate} reports/s; goal as the dashboard's: p99 under 30 ms)")
