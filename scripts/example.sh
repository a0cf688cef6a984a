#!/usr/bin/env bash
# The main job: builds and packs the npm package and runs examples/quickstart.mjs, which
# drives it in Node against a local fake of the Valentina API with injected faults.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/package.sh
node examples/quickstart.mjs
