#!/usr/bin/env bash
# One command for the benchmark: bash bench/run.sh [--quick] [--write] [--only=...]
# Installs the pinned peers (npm ci) when bench/node_modules is missing or older than
# package-lock.json, checks the built package, then runs bench/run.mjs in one Node process.
set -euo pipefail
cd "$(dirname "$0")"
STAMP=node_modules/.bench-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  echo "bench: installing pinned peers (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$STAMP"
fi
if [ ! -f ../target/npm/dist/node.js ]; then
  echo "bench: target/npm/dist/node.js is missing; build the package first: bash scripts/package.sh" >&2
  exit 1
fi
# vclient/proxy's added latency and throughput on loopback (no peers needed).
node proxy.mjs $(case " $* " in *" --quick "*) echo --quick ;; esac)
exec node run.mjs "$@"
