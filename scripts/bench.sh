#!/usr/bin/env bash
# Benchmarks on a release build, against a real server on loopback and its SQLite file.
# Prints medians and ratios against a baseline measured in the same run (the machine is
# shared and noisy: compare ratios, not absolute numbers, across runs).
#   bash scripts/bench.sh [REQUESTS]
# With BENCH_POSTGRES_URL=postgres://user:password@host:port (a server where the user may
# create databases), the same report figures on PostgreSQL, and throughput with two
# instances sharing it.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-400}"
cargo build --release -p embargo -p embargo-baselines --quiet
bin="$(pwd)/target/release/embargo"
baselines="$(pwd)/target/release"
dir="$(mktemp -d)"
# On any exit, the servers started so far stop too (a run that failed half-way left its
# PostgreSQL instances and a baseline running, holding their databases).
pids=()
trap 'kill "$pid" "${pids[@]}" $(cat "$dir"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$dir"' EXIT
"$bin" --data-dir "$dir" init --admin-email bench@example.org --project infra=Infrastructure >/dev/null
# Lift the per-address limit: every request comes from 127.0.0.1 here.
sed -i 's/^reports_per_hour = .*/reports_per_hour = 1000000/' "$dir/embargo.toml"
"$bin" --data-dir "$dir" serve --listen 127.0.0.1:0 --log warn >"$dir/serve.out" 2>"$dir/serve.err" &
pid=$!
for _ in $(seq 100); do grep -q listening "$dir/serve.out" 2>/dev/null && break; sleep 0.1; done
addr="$(sed -n 's/^embargo listening on http:\/\///p' "$dir/serve.out")"
echo "== SQLite"
python3 scripts/bench_http.py "$addr" "$n"
python3 scripts/bench_concurrent.py "SQLite, concurrent" "$n" "$addr"
# Filing reports under load from a real load generator (wrk, from apt when missing).
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get install -y -qq wrk >/dev/null
fi
# Requests/s, p50 and p99 of `wrk -t2 -c64 -d10s` on URL (with the report script when a
# second argument is given), and the CPU time the whole machine spent per request meanwhile
# (server, database, wrk and whatever else runs): at most `nproc` cores' worth is there, so
# it bounds what any number of connections can reach.
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
wrk_figures() {
  local script=() before
  [ -n "${2:-}" ] && script=(-s scripts/wrk_report.lua)
  before="$(busy_ticks)"
  wrk -t2 -c64 -d"${BENCH_WRK_SECONDS:-10}"s --latency "${script[@]}" "$1" >"$dir/wrk.out"
  awk -v busy="$(( $(busy_ticks) - before ))" -v hz="$(getconf CLK_TCK)" '
    /requests in/ {n=$1} /Requests\/sec/ {r=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} /Non-2xx/ {bad=$NF}
    END {printf "%s req/s, p50 %s, p99 %s%s, machine CPU %.0f us/request\n", r, p50, p99,
         (bad ? ", non-2xx " bad : ""), (n ? busy / hz / n * 1e6 : 0)}' "$dir/wrk.out"
}
# Starts a baseline binary; prints its address. Waits up to a minute: on PostgreSQL right
# after the test suite, creating its table waited behind a checkpoint of every database the
# suite made and dropped (a run ended here with no address).
start_baseline() {
  "$baselines/$1" 127.0.0.1:0 "${@:2}" >"$dir/$1.out" 2>&1 &
  echo $! >"$dir/$1.pid"
  for _ in $(seq 600); do grep -q listening "$dir/$1.out" 2>/dev/null && break; sleep 0.1; done
  if ! grep -q listening "$dir/$1.out"; then
    echo "$1 did not start: $(cat "$dir/$1.out")" >&2
    return 1
  fi
  sed -n 's/^listening on //p' "$dir/$1.out"
}
stop_baseline() { kill "$(cat "$dir/$1.pid")" 2>/dev/null || true; }
ratio() { python3 -c "import sys; a, b = (float(x.split()[0]) for x in sys.argv[1:3]); print(f'{a / b:.2f}x')" "$1" "$2"; }
# Filing reports: the naive baseline (URL given by `$1 ARGS...`, a command starting it and
# printing its address) and embargo at $2, in BENCH_PAIRS (3) alternating pairs, as one run
# of each varied by a third on this shared machine; prints each pair, then the medians and
# the median of the pairs' ratios.
filing_pairs() {
  local start="$1" url="$2" pairs=() naive naive_figures embargo_figures
  for i in $(seq "${BENCH_PAIRS:-3}"); do
    naive="$($start)"
    naive_figures="$(wrk_figures "http://$naive/" report)"
    stop_baseline baseline-insert
    embargo_figures="$(wrk_figures "http://$url/" report)"
    echo "pair $i: naive insert $naive_figures; embargo $embargo_figures ($(ratio "$embargo_figures" "$naive_figures"))"
    pairs+=("$naive_figures|$embargo_figures")
  done
  python3 - "$(nproc)" "${pairs[@]}" <<'PY'
import statistics, sys
cores, pairs = int(sys.argv[1]), sys.argv[2:]
rows = [[float(side.split()[0]) for side in pair.split("|")] for pair in pairs]
p99 = lambda pair, side: pair.split("|")[side].split("p99 ")[1].split(",")[0]
naive, ours = (statistics.median(r[i] for r in rows) for i in (0, 1))
ratio = statistics.median(o / n for n, o in rows)
cpu = lambda side: statistics.median(float(p.split("|")[side].split("machine CPU ")[1].split()[0]) for p in pairs)
print(f"median: naive insert {naive:,.0f} req/s; embargo {ours:,.0f} req/s; median ratio {ratio:.2f}x "
      f"(p99 of embargo's runs: {', '.join(p99(p, 1) for p in pairs)})")
print(f"machine CPU per request, medians: naive insert {cpu(0):.0f} us, embargo {cpu(1):.0f} us "
      f"({cores} cores give at most {cores * 1e6 / cpu(1):,.0f} reports/s at embargo's cost, "
      f"{cores * 1e6 / cpu(0):,.0f} at the naive one's)")
PY
}

echo "== Filing reports, wrk -t2 -c64 (goal: 2x the naive insert, p99 under 20 ms)"
hello="$(start_baseline baseline-hello)"
hello_figures="$(wrk_figures "http://$hello/")"
stop_baseline baseline-hello
echo "baseline, axum hello:                      $hello_figures"
start_naive_sqlite() { start_baseline baseline-insert "sqlite://$dir/naive.db"; }
echo "baseline, one durable insert per request, and embargo's group commit:"
filing_pairs start_naive_sqlite "$addr"
# A Coordinator's reads while reports keep flooding in (the same installation).
token="$("$bin" --data-dir "$dir" user token --email bench@example.org --name bench | tail -1)"
echo "== The desk during a report flood"
python3 scripts/bench_desk_flood.py "$addr" "$token" "${BENCH_WRK_SECONDS:-10}"
kill "$pid"; wait "$pid" 2>/dev/null || true
python3 - "$bin" "$dir" <<'PY'
import statistics, subprocess, sys, time
bin, d = sys.argv[1], sys.argv[2]
runs = []
for _ in range(5):
    t = time.perf_counter()
    out = subprocess.run([bin, "--data-dir", d, "audit", "verify", "--json"], capture_output=True, check=True).stdout
    runs.append(time.perf_counter() - t)
import json
entries = json.loads(out)["entries"]
m = statistics.median(runs)
print(f"audit verify: {entries} entries, median {m*1000:.1f} ms ({entries/m:,.0f} entries/s, process start included)")
PY
# The health check while 32 clients flood the sign-in form from many (forwarded) addresses.
fdir="$(mktemp -d)"
"$bin" --data-dir "$fdir" init --admin-email bench@example.org --project infra=Infrastructure >/dev/null
sed -i 's/^reports_per_hour = \(.*\)/reports_per_hour = \1\ntrusted_proxies = ["127.0.0.1"]/' "$fdir/embargo.toml"
"$bin" --data-dir "$fdir" serve --listen 127.0.0.1:0 --log error >"$fdir/serve.out" 2>"$fdir/serve.err" &
fpid=$!
for _ in $(seq 100); do grep -q listening "$fdir/serve.out" 2>/dev/null && break; sleep 0.1; done
echo "== Sign-in flood"
python3 scripts/bench_flood.py "$(sed -n 's/^embargo listening on http:\/\///p' "$fdir/serve.out")" "${BENCH_FLOOD_SECONDS:-10}"
kill "$fpid"; wait "$fpid" 2>/dev/null || true
rm -rf "$fdir"

# The public side with a history of published advisories.
pdir="$(mktemp -d)"
"$bin" --data-dir "$pdir" init --admin-email bench@example.org --project infra=Infrastructure >/dev/null
echo "== Public side"
python3 scripts/bench_public.py "$bin" "$pdir" "${BENCH_ADVISORIES:-10000}" "$n"
rm -rf "$pdir"

# One large case: 200 Developers, 2,000 messages.
cdir="$(mktemp -d)"
"$bin" --data-dir "$cdir" init --admin-email bench@example.org --project infra=Infrastructure >/dev/null
sed -i 's/^reports_per_hour = .*/reports_per_hour = 1000000/' "$cdir/embargo.toml"
echo "== A large case"
python3 scripts/bench_case.py "$bin" "$cdir" 200
rm -rf "$cdir"

# The team's dashboard with many cases (written straight into the SQLite file).
ddir="$(mktemp -d)"
"$bin" --data-dir "$ddir" init --admin-email bench@example.org --project infra=Infrastructure >/dev/null
echo "== Dashboard"
# 200 requests a figure: of 50, the p99 was the slowest one, a single pause of the machine.
python3 scripts/bench_dashboard.py "$bin" "$ddir" "${BENCH_CASES:-100000}" 200
rm -rf "$ddir"

# PostgreSQL: one fresh database, two instances on it.
if [ -n "${BENCH_POSTGRES_URL:-}" ]; then
  db="embargo_bench_$$"
  psql "$BENCH_POSTGRES_URL/postgres" -qc "CREATE DATABASE $db"
  gdir="$(mktemp -d)"
  "$bin" --data-dir "$gdir" --database-url "$BENCH_POSTGRES_URL/$db" init --admin-email bench@example.org --project infra=Infrastructure >/dev/null
  sed -i 's/^reports_per_hour = .*/reports_per_hour = 1000000/' "$gdir/embargo.toml"
  addrs=()
  pids=()
  for i in 1 2; do
    "$bin" --data-dir "$gdir" serve --listen 127.0.0.1:0 --log warn >"$gdir/serve$i.out" 2>"$gdir/serve$i.err" &
    pids+=($!)
    for _ in $(seq 100); do grep -q listening "$gdir/serve$i.out" 2>/dev/null && break; sleep 0.1; done
    addrs+=("$(sed -n 's/^embargo listening on http:\/\///p' "$gdir/serve$i.out")")
  done
  echo "== PostgreSQL"
  psql "$BENCH_POSTGRES_URL/postgres" -qc "CREATE DATABASE ${db}_naive"
  start_naive_postgres() { start_baseline baseline-insert "$BENCH_POSTGRES_URL/${db}_naive"; }
  echo "filing reports, baseline, one insert per request, and embargo's group commit:"
  filing_pairs start_naive_postgres "${addrs[0]}"
  sleep 1 # the baseline's connections close
  psql "$BENCH_POSTGRES_URL/postgres" -qc "DROP DATABASE ${db}_naive"
  token="$("$bin" --data-dir "$gdir" user token --email bench@example.org --name bench | tail -1)"
  echo "== The desk during a report flood (PostgreSQL)"
  python3 scripts/bench_desk_flood.py "${addrs[0]}" "$token" "${BENCH_WRK_SECONDS:-10}"
  python3 scripts/bench_http.py "${addrs[0]}" "$n"
  python3 scripts/bench_concurrent.py "PostgreSQL, one instance" "$n" "${addrs[0]}"
  python3 scripts/bench_concurrent.py "PostgreSQL, two instances" "$n" "${addrs[@]}"
  kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
  "$bin" --data-dir "$gdir" audit verify
  # The dashboard at scale on PostgreSQL (cases written with psql).
  psql "$BENCH_POSTGRES_URL/postgres" -qc "CREATE DATABASE ${db}_dash"
  hdir="$(mktemp -d)"
  "$bin" --data-dir "$hdir" --database-url "$BENCH_POSTGRES_URL/${db}_dash" init --admin-email bench@example.org --project infra=Infrastructure >/dev/null
  echo "== Dashboard (PostgreSQL)"
  python3 scripts/bench_dashboard.py "$bin" "$hdir" "${BENCH_CASES:-100000}" 200 "$BENCH_POSTGRES_URL/${db}_dash"
  rm -rf "$hdir"
  psql "$BENCH_POSTGRES_URL/postgres" -qc "DROP DATABASE ${db}_dash"
  # Moving the installation: PostgreSQL -> file -> a new SQLite file.
  python3 - "$bin" "$gdir" <<'PY'
import json, subprocess, sys, time
bin, d = sys.argv[1], sys.argv[2]
t = time.perf_counter()
out = subprocess.run([bin, "--data-dir", d, "backup", "--json", "--include-key", "--out", f"{d}/all.jsonl"], capture_output=True, check=True).stdout
b = time.perf_counter() - t
rows = json.loads(out)["backup"]["rows"]
t = time.perf_counter()
subprocess.run([bin, "--data-dir", f"{d}/copy", "--database-url", f"sqlite://{d}/copy/embargo.db", "restore", f"{d}/all.jsonl"], capture_output=True, check=True)
r = time.perf_counter() - t
print(f"backup of {rows} rows from PostgreSQL: {b:.2f} s ({rows/b:,.0f} rows/s); restore into SQLite with audit verify: {r:.2f} s ({rows/r:,.0f} rows/s), process start included")
PY
  psql "$BENCH_POSTGRES_URL/postgres" -qc "DROP DATABASE $db"
  rm -rf "$gdir"
fi
