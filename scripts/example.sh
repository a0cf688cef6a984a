#!/usr/bin/env bash
# The main job: builds the wasm package and runs examples/quickstart.mjs, which drives it in
# Node against a local Valentina-like server with injected faults.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
node examples/quickstart.mjs
