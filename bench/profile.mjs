// CPU profile of one client's request loop on the mocked fetch, summarised by self time.
//   node bench/profile.mjs [client=vclient] [get|post] [requests=50000] [top=25]
// Runs the loop in a child `node --cpu-prof` (after a 5,000-request warm-up), then prints
// the functions with the most self time (wasm functions appear as wasm-function[N] unless
// the build keeps names) and the .cpuprofile path (open it in Chrome DevTools).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const [client = 'vclient', op = 'get', n = '50000', top = '25'] = process.argv.slice(2);

if (process.env.BENCH_PROFILE_CHILD) {
  const { VClient } = await import('../target/npm/dist/node.js');
  const { makeClients } = await import('./lib/clients.mjs');
  const { mockFetch } = await import('./lib/mock.mjs');
  const c = makeClients(VClient, 'http://127.0.0.1:9', mockFetch)[client];
  const call = op === 'post' ? () => c.post('/api/v1/companies', { name: 'Camarilla', email: 'p@x.io' }) : () => c.get('/api/v1/health');
  for (let i = 0; i < 5000; i++) await call();
  const t0 = performance.now();
  for (let i = 0; i < Number(n); i++) await call();
  console.log(`${client} ${op}: ${((performance.now() - t0) * 1000 / Number(n)).toFixed(1)} µs/request over ${n} (profiled)`);
  await c.close();
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vclient-prof-'));
  const p = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, fileURLToPath(import.meta.url), client, op, n], {
    stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, BENCH_PROFILE_CHILD: '1' },
  });
  if (p.status !== 0) process.exit(p.status ?? 1);
  const file = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile')));
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  // Self time per node = samples hitting it × the mean sampling interval.
  const dt = (prof.endTime - prof.startTime) / prof.samples.length / 1000; // ms per sample
  const hits = new Map();
  for (const id of prof.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  // Name the glue's anonymous import shims after the `__wbg_…` entry they sit in.
  const srcLines = new Map();
  const label = (cf) => {
    if (cf.functionName && cf.functionName !== '(anonymous)') return cf.functionName;
    if (!cf.url.startsWith('file:')) return '(anonymous)';
    let lines = srcLines.get(cf.url);
    if (!lines) { try { lines = fs.readFileSync(fileURLToPath(cf.url), 'utf8').split('\n'); } catch { lines = []; } srcLines.set(cf.url, lines); }
    for (let l = cf.lineNumber; l >= 0 && l > cf.lineNumber - 40; l--) {
      const m = /^\s*(__wbg\w+|__wbindgen\w+)\s*:/.exec(lines[l] ?? '');
      if (m) return `(shim in ${m[1].replace(/_[0-9a-f]{16}$/, '')})`;
    }
    return '(anonymous)';
  };
  const keyOf = new Map(), parent = new Map();
  for (const node of prof.nodes) {
    const cf = node.callFrame;
    const where = cf.url ? `${cf.url.replace(/^.*\/(target|bench|node_modules)\//, '$1/')}:${cf.lineNumber + 1}` : '';
    keyOf.set(node.id, `${label(cf)}  ${where}`);
    for (const ch of node.children ?? []) parent.set(ch, node.id);
  }
  const byFn = new Map(), incl = new Map(), bucket = new Map();
  const bucketOf = (k) => /wasm:\/\/|wasm-function/.test(k) ? 'wasm code' : /wasm-to-js|js-to-wasm/.test(k) ? 'wasm<->JS wrappers'
    : /dist\/core\.js|dist\/snippets/.test(k) ? 'wasm-bindgen glue + snippets (JS)' : /abort_controller|event_target/.test(k) ? 'AbortController / AbortSignal / events'
    : /undici/.test(k) ? 'undici (Request/Response/Headers/body)' : /webstreams|streams\/|js_transferable|JSTransferable/.test(k) ? 'web streams (Node 20 makes each one transferable)' : /timers/.test(k) ? 'timers'
    : /encoding/.test(k) ? 'TextEncoder/TextDecoder' : /garbage collector/.test(k) ? 'GC' : /bench\//.test(k) ? 'bench harness + mock' : /node_modules\//.test(k) ? 'peer library code' : 'other (V8 builtins, program, idle)';
  for (const [id, h] of hits) {
    const k = keyOf.get(id);
    byFn.set(k, (byFn.get(k) ?? 0) + h);
    bucket.set(bucketOf(k), (bucket.get(bucketOf(k)) ?? 0) + h);
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) seen.add(keyOf.get(n));
    for (const s of seen) incl.set(s, (incl.get(s) ?? 0) + h);
  }
  const total = prof.samples.length;
  const reqs = Number(n) + 5000; // the profile covers the warm-up too
  const show = (title, m, k) => {
    console.log(`\n${title}:`);
    for (const [key, h] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k)) {
      console.log(`${((h / total) * 100).toFixed(1).padStart(5)} %  ${(h * dt).toFixed(0).padStart(6)} ms  ${((h * dt * 1000) / reqs).toFixed(1).padStart(5)} µs/req  ${key}`);
    }
  };
  console.log(`\n${total} samples, ${(total * dt / 1000).toFixed(1)} s (warm-up included)`);
  show('Self time by area', bucket, 20);
  show(`Top ${top} functions by self time`, byFn, Number(top));
  show(`Top ${top} glue/wasm functions by inclusive time`, new Map([...incl].filter(([k]) => /core\.js|snippets|wasm/.test(k))), Number(top));
  console.log(`\nprofile: ${file}`);
}
