// Counts JS↔wasm crossings for one successful call on the built package, in Node, against a
// local node:http server (real fetch). Every function the .wasm imports (JS called from wasm)
// and every function it exports (wasm called from JS, glue helpers such as
// `__wbindgen_malloc` and closure invokers included) is wrapped with a counter before the
// package loads; the counters are read around one call after a warm-up.
//
//   node bench/crossings.mjs [--dist=target/npm/dist] [--json=<file>] [--detail]
//
// A crossing is one call across the boundary in either direction, however small: each costs a
// transition and usually an allocation on one side, so fewer is faster and less code.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BODY } from './lib/mock.mjs';
import { pageBody } from './lib/pages.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const arg = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const DIST = path.resolve(arg('dist') ?? path.join(BENCH, '../target/npm/dist'));
const JSON_OUT = arg('json');
const DETAIL = argv.includes('--detail');
const RUNS = 5;

// ---------------------------------------------------------------- the counting instance
const counts = new Map(); // "import:module.name" / "export:name" -> calls
let on = false;
const counted = (key, f) => function wrapped(...args) {
  if (on) counts.set(key, (counts.get(key) ?? 0) + 1);
  return f.apply(this, args);
};
const OriginalInstance = WebAssembly.Instance;
let patched = 0;
function wrapImports(imports) {
  const out = {};
  for (const [mod, fns] of Object.entries(imports ?? {})) {
    out[mod] = {};
    for (const [name, v] of Object.entries(fns)) {
      out[mod][name] = typeof v === 'function' ? counted(`import:${name}`, v) : v;
    }
  }
  return out;
}
function wrapExports(exports) {
  const out = {};
  for (const [name, v] of Object.entries(exports)) {
    out[name] = typeof v === 'function' ? counted(`export:${name}`, v) : v;
  }
  return Object.freeze(out);
}
// The glue reads `instance.exports` once and calls everything through it; a constructor that
// returns an object makes `new WebAssembly.Instance()` yield it.
function CountingInstance(module, imports) {
  patched++;
  const real = new OriginalInstance(module, wrapImports(imports));
  return { exports: wrapExports(real.exports), __proto__: OriginalInstance.prototype };
}
CountingInstance.prototype = OriginalInstance.prototype;
WebAssembly.Instance = CountingInstance;

const { VClient } = await import(pathToFileURL(path.join(DIST, 'node.js')).href);
if (patched !== 1) throw new Error(`expected the package to instantiate one .wasm, saw ${patched}`);

// ---------------------------------------------------------------- a local server
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const body = url.pathname === '/api/v1/companies' ? pageBody(url.searchParams) : BODY;
  res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_0123456789abcdefghijkl' });
  res.end(body);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const baseUrl = `http://127.0.0.1:${server.address().port}`;
const client = new VClient({ baseUrl, apiKey: 'bench-api-key-0123456789abcdefghij', setAsDefault: false });

const calls = {
  "request('GET')": () => client.request('GET', '/api/v1/health'),
  "request('GET', {query, signal})": () => client.request('GET', '/api/v1/companies', {
    query: { limit: 10, offset: 0 }, signal: new AbortController().signal,
  }),
  'getPage': () => client.getPage('/api/v1/companies', { limit: 10 }),
  'system.health()': () => client.system.health(),
};

async function measure(call) {
  counts.clear();
  on = true;
  await call();
  on = false;
  const byKey = Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
  let imports = 0, exports = 0;
  for (const [k, n] of counts) if (k.startsWith('import:')) imports += n; else exports += n;
  return { total: imports + exports, imports, exports, byKey };
}

const results = {};
for (const [name, call] of Object.entries(calls)) {
  for (let i = 0; i < 20; i++) await call(); // warm-up: lazy statics, caches, JIT
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await measure(call));
  // The count is deterministic unless a finalizer (a dropped closure) lands inside a run: keep the smallest.
  const best = runs.reduce((a, b) => (b.total < a.total ? b : a));
  results[name] = { ...best, runs: runs.map((r) => r.total) };
}
await client.close();
server.close();

const pad = (s, n) => String(s).padEnd(n);
console.log(`JS↔wasm crossings per call (${DIST})\n`);
console.log(`| ${pad('Call', 34)} | total | wasm→JS (imports) | JS→wasm (exports) |`);
console.log(`|${'-'.repeat(36)}|------:|------------------:|------------------:|`);
for (const [name, r] of Object.entries(results)) {
  console.log(`| ${pad(name, 34)} | ${String(r.total).padStart(5)} | ${String(r.imports).padStart(17)} | ${String(r.exports).padStart(17)} |`);
}
if (DETAIL) {
  for (const [name, r] of Object.entries(results)) {
    console.log(`\n${name}: ${r.total} (runs ${r.runs.join(', ')})`);
    for (const [k, n] of Object.entries(r.byKey)) console.log(`  ${String(n).padStart(4)}  ${k}`);
  }
}
const wasmBytes = fs.statSync(path.join(DIST, 'vclient_bg.wasm')).size;
const json = { dist: DIST, wasmBytes, node: process.version, date: new Date().toISOString(), calls: results };
if (JSON_OUT) {
  fs.mkdirSync(path.dirname(path.resolve(JSON_OUT)), { recursive: true });
  fs.writeFileSync(JSON_OUT, JSON.stringify(json, null, 2) + '\n');
  console.log(`\nwrote ${JSON_OUT}`);
}
