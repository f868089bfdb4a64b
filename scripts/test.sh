#!/usr/bin/env bash
# Runs every test of embargo. Installs what the tests need on a fresh machine first
# (Debian packages via apt), so this is the one command for developers and CI alike.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v sqlite3 >/dev/null 2>&1 || need_apt+=(sqlite3)
# Browser tests: Debian's Chromium and its WebDriver (no browser download works here).
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
# The mail tests check interoperability with GnuPG.
command -v gpg >/dev/null 2>&1 || need_apt+=(gnupg)
# The second pass runs on a real PostgreSQL server (a client alone is not enough).
if [ -z "${EMBARGO_TEST_DATABASE:-}" ] && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  need_apt+=(postgresql)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "==> installing ${need_apt[*]} (apt)"
  if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# The official validators (OSV, CVE JSON 5, CSAF, security.txt, OpenAPI), installed from
# PyPI and npm by the vendored setup script; the schemas they check against are in vendor/.
# Reinstalled whenever the setup script (its pins) changed since the last install.
validators="$(pwd)/target/validators"
stamp="$(sha256sum vendor/validators/setup.sh | cut -d' ' -f1)"
if [ "$(cat "$validators/.installed" 2>/dev/null)" != "$stamp" ]; then
  echo "==> installing the official validators into $validators"
  bash vendor/validators/setup.sh "$validators"
  echo "$stamp" > "$validators/.installed"
fi
export EMBARGO_VALIDATORS_DIR="$validators"

if ! command -v cargo-nextest >/dev/null 2>&1; then
  echo "==> installing cargo-nextest"
  cargo install cargo-nextest --locked
fi

# Starts the machine's PostgreSQL cluster (creating one if needed) and a superuser role
# for the tests, which create a database per test. Prints the server's URL.
start_postgres() {
  if [ "$(id -u)" -eq 0 ]; then as_pg=(runuser -u postgres --); else as_pg=(sudo -u postgres); fi
  local version port
  version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
  if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
    "${as_pg[@]}" pg_createcluster "$version" main >/dev/null
  fi
  if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
    # pg_ctl gives up after a minute, but the server goes on starting: after an unclean
    # stop it first syncs its whole data directory (over a minute on a machine whose test
    # runs left many databases), and the tests then failed on connections it refused.
    pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  fi
  port="$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')"
  for _ in $(seq 600); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p "$port" >&2
  "${as_pg[@]}" psql -p "$port" -qtAc "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'embargo') THEN
        CREATE ROLE embargo LOGIN SUPERUSER PASSWORD 'embargo';
      END IF; END \$\$;" >&2
  # Databases left by earlier runs (each test makes its own).
  "${as_pg[@]}" psql -p "$port" -qtAc "SELECT 'DROP DATABASE ' || quote_ident(datname) || ';'
      FROM pg_database WHERE datname LIKE 'embargo\_test\_%'" | "${as_pg[@]}" psql -p "$port" -q >&2
  echo "postgres://embargo:embargo@127.0.0.1:$port"
}

# nextest does not run doctests: run them first, so nextest's summary closes the output.
echo "==> cargo test --doc"
cargo test --workspace --doc --quiet
echo "==> cargo nextest run --workspace (SQLite)"
status=0
cargo nextest run --workspace --no-fail-fast "$@" || status=$?

# The same suites of every crate that touches the database, on PostgreSQL: each test on
# a database of its own. EMBARGO_TEST_DATABASE=postgres://... uses another server.
pg_url="${EMBARGO_TEST_DATABASE:-$(start_postgres)}"
echo "==> cargo nextest run (PostgreSQL at ${pg_url##*@})"
EMBARGO_TEST_DATABASE="$pg_url" cargo nextest run --no-fail-fast \
  -p embargo-store -p embargo-app -p embargo-worker -p embargo-web -p embargo "$@" || status=$?
exit "$status"
