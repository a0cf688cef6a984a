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
# The config from the writer the other workerd harnesses use: every wasm-bindgen snippet and
# every module of the JS service layer (services/*.js, loaded by surface.js) is a module of its
# own; the bare specifier "vclient" is the package's workerd entry, as wrangler resolves it.
node --input-type=module - "$DIR" "$PORT" "$SERVER" <<'NODE'
import fs from 'node:fs';
import path from 'node:path';
const { workerdConfig } = await import(`${process.cwd()}/tests/support/workerd-config.mjs`);
const [dir, port, server] = process.argv.slice(2);
const found = fs.readdirSync(dir, { recursive: true }).map(String)
  .filter((f) => /^(snippets|services)\//.test(f) && f.endsWith('.js')).sort();
const modules = [
  ['worker.js', 'esModule', 'worker.js'],
  ['vclient', 'esModule', 'workerd.js'],
  ...['surface.js', 'loading.js', 'registry.js', 'core.js'].map((f) => [f, 'esModule', f]),
  ...found.map((f) => [f, 'esModule', f]),
  ['vclient_bg.wasm', 'wasm', 'vclient_bg.wasm'],
];
const bindings = [['VALENTINA_CLIENT_BASE_URL', server], ['VALENTINA_CLIENT_API_KEY', 'workerd-key']];
fs.writeFileSync(path.join(dir, 'config.capnp'), workerdConfig({ port, modules, bindings }));
NODE
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
