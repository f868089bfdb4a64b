"""A large case: 200 Developers and 2,000 messages (made through the JSON API, as a team
would), then the latency of its API representation, of an older page of its thread, and of
its HTML page, against GET /healthz measured in the same run, on one keep-alive connection.

    python3 scripts/bench_case.py BIN DATA_DIR [REQUESTS]

DATA_DIR must be fresh from `embargo init --admin-email bench@example.org --project infra=Infra`.
"""
import http.client, json, re, statistics, subprocess, sys, time, urllib.parse

bin_, data = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 200
PARTIES, MESSAGES = 200, 2000

subprocess.run([bin_, "--data-dir", data, "user", "password", "--email", "bench@example.org"],
               input="bench-password-1234\n", text=True, check=True, capture_output=True)
token = subprocess.run([bin_, "--data-dir", data, "user", "token", "--email", "bench@example.org",
                        "--name", "bench"], capture_output=True, text=True, check=True).stdout.split()[-1]
serve = subprocess.Popen([bin_, "--data-dir", data, "serve", "--listen", "127.0.0.1:0", "--log", "warn"],
                         stdout=subprocess.PIPE, text=True)
addr = serve.stdout.readline().strip().removeprefix("embargo listening on http://")
host, port = addr.rsplit(":", 1)
conn = http.client.HTTPConnection(host, int(port))
auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def call(method, path, body=None, headers=auth, ok=(200, 201)):
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    r = conn.getresponse()
    data = r.read()
    assert r.status in ok, (r.status, path, data[:300])
    return r, data


def p99(xs):
    return sorted(xs)[min(len(xs) - 1, int(len(xs) * 0.99))]


try:
    t = time.perf_counter()
    _, body = call("POST", "/api/v1/reports", {"project": "infra", "title": "A case with many parties",
                                              "description": "Found while testing.", "reporter_email": "r@elsewhere.example"})
    case = json.loads(body)["case_id"]
    act = lambda a: call("POST", f"/api/v1/cases/{case}/actions", a)
    act({"action": "acknowledge", "message": "Thanks, we are on it."})
    act({"action": "start_triage"})
    act({"action": "accept"})
    for i in range(PARTIES):
        act({"action": "add_developer", "email": f"dev{i}@parties.example", "name": f"Developer {i}"})
    for i in range(MESSAGES):
        act({"action": "message", "body": f"Message {i}: the fix needs another look at the parser.",
             "visibility": "reporter" if i % 10 == 0 else "internal"})
    print(f"made a case with {PARTIES} Developers and {MESSAGES} messages through the API in "
          f"{time.perf_counter() - t:.1f} s")
    # A session for the HTML page: the sign-in form, as a browser posts it.
    r, _ = call("GET", "/login", headers={})
    login_cookie = re.search(r"embargo_login=([^;]+)", r.getheader("Set-Cookie")).group(1)
    form = urllib.parse.urlencode({"csrf": login_cookie, "email": "bench@example.org",
                                   "password": "bench-password-1234", "next": "/cases"})
    conn.request("POST", "/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"embargo_login={login_cookie}"})
    r = conn.getresponse()
    r.read()
    session = re.search(r"embargo_session=([^;]+)", r.getheader("Set-Cookie") or "").group(1)
    page_headers = {"Cookie": f"embargo_session={session}"}

    def measure(path, headers=auth):
        times = []
        for _ in range(n):
            t = time.perf_counter()
            call("GET", path, headers=headers)
            times.append(time.perf_counter() - t)
        return times

    for _ in range(20):
        call("GET", "/healthz", headers={})
    base = measure("/healthz", headers={})
    mb = statistics.median(base)
    print(f"baseline GET /healthz: median {mb*1000:.2f} ms, p99 {p99(base)*1000:.2f} ms")
    _, body = call("GET", f"/api/v1/cases/{case}")
    shown = json.loads(body)
    older = shown["older_messages"]
    print(f"GET /api/v1/cases/{{id}}: {len(body):,} bytes, {len(shown['messages'])} of the messages, "
          f"{len(shown['developers'])} Developers")
    for label, path, headers in [
        ("GET /api/v1/cases/{id}", f"/api/v1/cases/{case}", auth),
        ("GET /api/v1/cases/{id}/messages?before= (an older page of 100)",
         f"/api/v1/cases/{case}/messages?before={older}", auth),
        ("GET /cases/{id} (the HTML page)", f"/cases/{case}", page_headers),
    ]:
        xs = measure(path, headers)
        m = statistics.median(xs)
        print(f"{label}: median {m*1000:.1f} ms, p99 {p99(xs)*1000:.1f} ms "
              f"({m/mb:.0f}x baseline, goal p99 < 30 ms)")
finally:
    serve.terminate()
    serve.wait()
