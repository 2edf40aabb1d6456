#!/usr/bin/env bash
# Compiles the console's TypeScript (src/) into static/js/, which is
# committed so that `go build` needs no node. CI runs this and fails when
# the committed output differs. Needs node and npm.
set -euo pipefail
cd "$(dirname "$0")"
command -v npm >/dev/null || { echo "node and npm are needed to build the console" >&2; exit 1; }
if [ ! -x node_modules/.bin/tsc ]; then
  npm ci --no-audit --no-fund
fi
rm -rf static/js
node_modules/.bin/tsc -p .
echo "console built into web/static/js"
