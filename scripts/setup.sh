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
# It is built with one fix to tiny_http 0.12.0, the HTTP server behind wasm-bindgen-test-runner
# (through rouille): its task pool counted a thread already woken for a queued connection as
# still free, so a second connection arriving at once was queued with no thread to take it.
# Each connection's task serves that keep-alive connection until the browser closes it, so
# Chromium's module requests on the stranded connection went unanswered and the page waited
# out chromedriver's 300 s, in about half of the runs. The fix spawns a thread whenever the
# free threads are fewer than the queued connections. A stamp says the installed one has it.
WB=$(awk '$0=="name = \"wasm-bindgen\""{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
WB_STAMP="$HOME/.cargo/.vclient-wasm-bindgen-$WB-tiny-http-pool-fix"
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WB" || [ ! -f "$WB_STAMP" ]; then
  step "wasm-bindgen-cli $WB with tiny_http's task pool fixed (cargo install, ~5 min)"
  src=$(mktemp -d)
  for crate in "wasm-bindgen-cli/wasm-bindgen-cli-$WB" "tiny_http/tiny_http-0.12.0"; do
    curl -fsSL "https://static.crates.io/crates/${crate%%/*}/${crate#*/}.crate" | tar -xz -C "$src"
  done
  pool="$src/tiny_http-0.12.0/src/util/task_pool.rs"
  perl -0pi -e 's/if self\.sharing\.waiting_tasks\.load\(Ordering::Acquire\) == 0 \{/if self.sharing.waiting_tasks.load(Ordering::Acquire) <= queue.len() {/' "$pool"
  grep -q 'waiting_tasks.load(Ordering::Acquire) <= queue.len()' "$pool" \
    || { echo "setup: tiny_http's task pool is not the one this fix is for" >&2; exit 1; }
  printf '\n[patch.crates-io]\ntiny_http = { path = "../tiny_http-0.12.0" }\n' >> "$src/wasm-bindgen-cli-$WB/Cargo.toml"
  cargo install --force --path "$src/wasm-bindgen-cli-$WB"
  rm -rf "$src"
  touch "$WB_STAMP"
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
