#!/usr/bin/env bash
# The main job: builds the npm package (scripts/package.sh), then starts the www/ demo, a web
# page driving the package through vclient/proxy (the key stays in the server) against the
# loopback test double with a fault panel, and prints `demo: http://127.0.0.1:8080/`. Ctrl-C
# stops it. Flags go to www/serve.mjs:
#   --port 8080 (0 = any free port)   --api-port 0 (the double's port)   --max-seconds 0 (0 = never)
#   --api URL   any Valentina Noir server instead of the double, with the key from the
#               environment: VALENTINA_CLIENT_API_KEY=... bash scripts/demo.sh --api URL
set -euo pipefail
cd "$(dirname "$0")/.."
for arg in "$@"; do
  case $arg in
    # Fail before the build, not after it.
    --api|--api=*) [ -n "${VALENTINA_CLIENT_API_KEY:-}" ] || { echo "demo.sh: --api needs the key in VALENTINA_CLIENT_API_KEY" >&2; exit 2; } ;;
  esac
done
scripts/package.sh
exec node www/serve.mjs "$@"
