#!/usr/bin/env bash
# Installs the official validators (PyPI and npm packages only) into DIR:
# DIR/venv (Python) and DIR/node/node_modules (Node). scripts/test.sh runs it once.
# Usage: setup.sh DIR
set -euo pipefail
DIR="$(mkdir -p "${1:?usage: setup.sh DIR}" && cd "$1" && pwd)"
python3 -m venv "$DIR/venv"
"$DIR/venv/bin/pip" install -q --disable-pip-version-check \
  'jsonschema==4.26.0' 'cvss==3.6' 'sectxt==0.9.8' 'cvelib==1.8.0' \
  'openapi-spec-validator==0.9.0' 'schemathesis==4.32.5' \
  'cryptography==50.0.2'  # the GitHub fake checks GitHub App JWTs (RS256) with it
mkdir -p "$DIR/node"
[ -f "$DIR/node/package.json" ] || echo '{"private":true}' > "$DIR/node/package.json"
# axe-core: the accessibility rules the browser tests run on every page.
npm install --prefix "$DIR/node" --no-audit --no-fund --silent '@secvisogram/csaf-validator-lib@2.0.10' 'axe-core@4.10.3'
echo "OK validators installed in $DIR"
