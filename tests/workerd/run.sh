#!/usr/bin/env bash
# Serves tests/workerd/worker.js with the npm package's workerd entry and checks its answer.
# Usage: tests/workerd/run.sh <test-server-url>   (needs target/npm from scripts/package.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
SERVER=${1:-http://127.0.0.1:8765}
PORT=${VCLIENT_WORKERD_PORT:-8790}
DIR=target/workerd
rm -rf "$DIR" && mkdir -p "$DIR"
cp tests/workerd/worker.js "$DIR/"
cp target/npm/dist/{workerd,surface,loading,registry,core}.js target/npm/dist/vclient_bg.wasm "$DIR/"
cp -r target/npm/dist/snippets target/npm/dist/services "$DIR/"
# Every wasm-bindgen snippet (errors.js, body.js) and every module of the JS service layer
# (services/*.js, loaded by surface.js) is a module of its own.
snippets=$(cd "$DIR" && find snippets services -name '*.js' | sort | sed 's#.*#    (name = "&", esModule = embed "&"),#')
cat > "$DIR/config.capnp" <<CAPNP
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .mainWorker),
    # The default outbound allows only public addresses; the test server is on loopback.
    (name = "loopback-ok", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:$PORT", http = (), service = "main") ],
);
const mainWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    # The bare specifier "vclient" is the package's workerd entry, as wrangler resolves it.
    (name = "vclient", esModule = embed "workerd.js"),
    (name = "surface.js", esModule = embed "surface.js"),
    (name = "loading.js", esModule = embed "loading.js"),
    (name = "registry.js", esModule = embed "registry.js"),
    (name = "core.js", esModule = embed "core.js"),
$snippets
    (name = "vclient_bg.wasm", wasm = embed "vclient_bg.wasm"),
  ],
  bindings = [
    (name = "VALENTINA_CLIENT_BASE_URL", text = "$SERVER"),
    (name = "VALENTINA_CLIENT_API_KEY", text = "workerd-key"),
  ],
  compatibilityDate = "2025-09-01",
  globalOutbound = "loopback-ok",
);
CAPNP
tools/node_modules/.bin/workerd serve "$DIR/config.capnp" > "$DIR/workerd.log" 2>&1 &
WORKERD=$!
trap 'kill $WORKERD 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if node -e "fetch('http://127.0.0.1:$PORT/').then(()=>process.exit(0),()=>process.exit(1))" 2>/dev/null; then break; fi
  sleep 0.1
done
node - "$PORT" <<'NODE'
const port = process.argv[2];
const res = await fetch(`http://127.0.0.1:${port}/`);
const text = await res.text();
let body;
try { body = JSON.parse(text); } catch { console.error(`workerd answered ${res.status}: ${text}`); process.exit(1); }
const checks = [
  ['the worker answered 200', res.status === 200],
  ['one result after a retried POST', body.result?.id === 'w-1'],
  ['two attempts reached the server', body.attempts === 2],
  ['same Idempotency-Key on the retry', body.keys?.length === 2 && body.keys[0] && body.keys[0] === body.keys[1]],
  ['same body bytes on the retry', body.sameBody === true],
  ['User-Agent set outside browsers', /^vclient-wasm\//.test(body.userAgent ?? '')],
  ['an unkeyed POST is not retried on 503', body.unkeyedAttempts === 1 && body.unkeyedError?.isServerError === true],
  ['a client made at module scope (no randomness there)', /^VClient\(baseUrl=https:\/\/api\.valentina-noir\.example/.test(body.moduleScopeClient ?? '')],
];
let failed = 0;
for (const [what, ok] of checks) { console.log(`${ok ? 'ok' : 'not ok'} - ${what}`); if (!ok) failed++; }
if (failed) console.error(JSON.stringify(body, null, 2));
console.log(`workerd smoke: ${checks.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
NODE
