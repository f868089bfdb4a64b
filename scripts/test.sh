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
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "==> installing ${need_apt[*]} (apt)"
  if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# The official validators (security.txt now; OSV, CVE, CSAF later) from ../shared.
shared="$(cd .. && pwd)/shared"
validators="$(pwd)/target/validators"
if [ ! -x "$validators/venv/bin/python3" ] || [ ! -d "$validators/node/node_modules/@secvisogram" ]; then
  echo "==> installing the official validators into $validators"
  bash "$shared/validators/setup.sh" "$validators"
fi
# Our own OpenAPI document is checked by the OpenAPI Initiative's reference validator.
if ! "$validators/venv/bin/python3" -c "import openapi_spec_validator" 2>/dev/null; then
  "$validators/venv/bin/pip" install -q --disable-pip-version-check 'openapi-spec-validator==0.9.0'
fi
export EMBARGO_SHARED_DIR="$shared" EMBARGO_VALIDATORS_DIR="$validators"
export CSAF_NODE_MODULES="$validators/node/node_modules"

if ! command -v cargo-nextest >/dev/null 2>&1; then
  echo "==> installing cargo-nextest"
  cargo install cargo-nextest --locked
fi

# nextest does not run doctests: run them first, so nextest's summary closes the output.
echo "==> cargo test --doc"
cargo test --workspace --doc --quiet
echo "==> cargo nextest run --workspace"
cargo nextest run --workspace --no-fail-fast "$@"
