"""The health check while strangers flood the sign-in form: latency of GET /healthz alone
(the baseline, measured in the same run), then while 32 clients post wrong passwords for
unknown addresses as fast as they can. Each post costs an argon2id hash (a dummy one for
unknown addresses, so they take as long as real ones); hashing runs on a bounded blocking
pool, so the runtime's threads stay free for everyone else.

The server must trust 127.0.0.1 as a proxy ([intake] trusted_proxies): each post then
comes "from" its own X-Forwarded-For address, as a flood from many addresses would, and no
per-address limit cuts it short. Prints medians, p90 and the ratio to the baseline."""
import http.client, random, re, statistics, sys, threading, time, urllib.parse

addr, seconds = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
host, port = addr.rsplit(":", 1)
flooders = 32

def healthz_latencies(duration):
    conn = http.client.HTTPConnection(host, int(port))
    times, end = [], time.perf_counter() + duration
    while time.perf_counter() < end:
        t = time.perf_counter()
        conn.request("GET", "/healthz")
        r = conn.getresponse(); r.read()
        times.append(time.perf_counter() - t)
        time.sleep(0.01)
    return times

stop = threading.Event()
posts, statuses = [0], {}
lock = threading.Lock()

def flooder(k):
    conn = http.client.HTTPConnection(host, int(port))
    conn.request("GET", "/login")
    r = conn.getresponse(); page = r.read().decode()
    # (A version before the sign-in form had a CSRF token answers without one.)
    cookie = (r.getheader("set-cookie") or "").split(";")[0]
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    csrf = found.group(1) if found else ""
    while not stop.is_set():
        ip = f"10.{k}.{random.randrange(256)}.{random.randrange(1, 255)}"
        body = urllib.parse.urlencode({"csrf": csrf, "email": f"nobody{random.randrange(10**9)}@example.org",
                                       "password": "a wrong password, long enough"})
        conn.request("POST", "/login", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "X-Forwarded-For": ip})
        r = conn.getresponse(); r.read()
        with lock:
            posts[0] += 1
            statuses[r.status] = statuses.get(r.status, 0) + 1

p90 = lambda xs: sorted(xs)[int(len(xs) * 0.9)]
base = healthz_latencies(seconds / 2)
threads = [threading.Thread(target=flooder, args=(k,), daemon=True) for k in range(flooders)]
for th in threads: th.start()
time.sleep(1)  # let the flood build up
t = time.perf_counter()
loaded = healthz_latencies(seconds)
elapsed = time.perf_counter() - t
stop.set()
for th in threads: th.join(timeout=10)
mb, ml = statistics.median(base), statistics.median(loaded)
print(f"baseline GET /healthz: median {mb*1000:.2f} ms, p90 {p90(base)*1000:.2f} ms ({len(base)} requests)")
print(f"GET /healthz during a sign-in flood of {flooders} clients: median {ml*1000:.2f} ms, "
      f"p90 {p90(loaded)*1000:.2f} ms ({len(loaded)} requests); ratio of p90s {p90(loaded)/p90(base):.1f}x")
print(f"sign-in posts answered: {posts[0]} in about {elapsed + 1:.0f} s ({posts[0]/(elapsed + 1):,.0f}/s), statuses {statuses}")
