#!/usr/bin/env bash
# Installs everything a fresh machine needs to build and test vclient. Idempotent: a second
# run only checks. Everything comes from the package registries (apt, crates.io, npm).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

step() { printf '\n== setup: %s\n' "$*"; }

# Headless Chromium and its driver, for the browser tests (Debian's builds, versions matched).
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  step "chromium + chromium-driver (apt)"
  apt-get update -q
  apt-get install -y -q chromium chromium-driver
fi
# Never Debian's binaryen: its wasm-opt 108 corrupts the externref table (toolchain P3).

step "rust target wasm32-unknown-unknown"
rustup target add wasm32-unknown-unknown

# wasm-bindgen-cli must match the wasm-bindgen in Cargo.lock exactly. No --locked (P2).
WB=$(awk '$0=="name = \"wasm-bindgen\""{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WB"; then
  step "wasm-bindgen-cli $WB (cargo install, ~5 min)"
  cargo install wasm-bindgen-cli --version "$WB"
fi

WASM_PACK_VERSION=0.15.1
if ! wasm-pack --version 2>/dev/null | grep -qx "wasm-pack $WASM_PACK_VERSION"; then
  step "wasm-pack $WASM_PACK_VERSION (cargo install, ~3 min)"
  cargo install wasm-pack --version "$WASM_PACK_VERSION" --locked
fi

# binaryen (wasm-opt), deno, workerd, typescript, esbuild, vite, webpack, playwright-core
# (driving Debian's Chromium; it never downloads a browser) and wrangler 4.86 (the last that
# runs on Node 20), pinned in tools/package.json.
if [ ! -x tools/node_modules/.bin/workerd ] || [ ! -x tools/node_modules/.bin/deno ] \
   || [ ! -x tools/node_modules/.bin/wasm-opt ] || [ ! -x tools/node_modules/.bin/tsc ] \
   || [ ! -x tools/node_modules/.bin/esbuild ] || [ ! -x tools/node_modules/.bin/vite ] \
   || [ ! -d tools/node_modules/playwright-core ] || [ ! -x tools/node_modules/.bin/webpack ] \
   || [ ! -x tools/node_modules/.bin/wrangler ]; then
  step "npm tools (binaryen, deno, workerd, typescript, esbuild, vite, webpack, playwright-core, wrangler)"
  # npm ci refuses this lock: it lists only the Linux optional binaries this registry
  # serves. Every version is pinned exactly in package.json, so install is as reproducible.
  (cd tools && npm install --no-audit --no-fund)
fi

step "versions"
rustc --version
wasm-bindgen --version
wasm-pack --version
chromium --version 2>/dev/null | head -1 || true
chromedriver --version | head -1
node --version
tools/node_modules/.bin/wasm-opt --version
tools/node_modules/.bin/deno --version | head -1
echo "workerd $(tools/node_modules/.bin/workerd --version)"
echo "tsc $(tools/node_modules/.bin/tsc --version)"
echo "esbuild $(tools/node_modules/.bin/esbuild --version)"
