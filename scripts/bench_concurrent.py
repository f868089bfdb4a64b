"""Throughput of filing reports from 8 concurrent clients spread over one or more
instances (addresses), each client on its own keep-alive connection. Prints reports/s."""
import http.client, json, sys, threading, time

label, total, addrs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
clients = 8
per_client = total // clients
errors = []

def client(k):
    host, port = addrs[k % len(addrs)].rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port))
    for i in range(per_client):
        body = json.dumps({"project": "infra", "title": f"Concurrent {k}-{i}", "description": "x" * 2000,
                           "reporter_email": f"c{k}.{i}@example.org"})
        conn.request("POST", "/api/v1/reports", body=body, headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        if r.status != 201:
            errors.append(r.status)

threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
t = time.perf_counter()
for th in threads: th.start()
for th in threads: th.join()
elapsed = time.perf_counter() - t
assert not errors, errors[:5]
done = per_client * clients
print(f"{label}: {done} reports from {clients} clients over {len(addrs)} instance(s) in {elapsed:.2f} s: {done/elapsed:,.0f} reports/s")
