#!/usr/bin/env bash
# The main job: builds the npm package (scripts/package.sh), then starts the www/ demo, a web
# page driving the package against the loopback test double with a fault panel, and prints
# `demo: http://127.0.0.1:8080/`. Ctrl-C stops it. Flags go to www/serve.mjs:
#   --port 8080 (0 = any free port)   --api-port 0 (the double's port)   --max-seconds 0 (0 = never)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/package.sh
exec node www/serve.mjs "$@"
