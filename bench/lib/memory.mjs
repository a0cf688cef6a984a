// One client in a fresh process (node --expose-gc): `warmup` requests, then `total` more
// on the mocked fetch (GET and JSON POST alternating), sampling after a full GC every
// `every` requests: the JS heap, and for vclient the wasm linear memory and the externref
// table. Prints one JSON line. Used by run.mjs: node --expose-gc lib/memory.mjs <client> <warmup> <total> <every>
import { pathToFileURL } from 'node:url';
import { makeClients } from './clients.mjs';
import { mockFetch } from './mock.mjs';

// BENCH_DIST: run.mjs's snapshot of target/npm/dist (default: target/npm/dist itself).
const dist = process.env.BENCH_DIST ? pathToFileURL(process.env.BENCH_DIST + '/').href : new URL('../../target/npm/dist/', import.meta.url).href;
const { VClient } = await import(new URL('node.js', dist).href);
const { initSync } = await import(new URL('core.js', dist).href);
const [name, warmup, total, every] = [process.argv[2], ...process.argv.slice(3).map(Number)];
if (typeof gc !== 'function') throw new Error('run with --expose-gc');
const c = makeClients(VClient, 'http://127.0.0.1:9', mockFetch)[name];
if (!c) throw new Error(`unknown client ${name}`);
const wasm = name === 'vclient' ? initSync() : null; // the already-initialised exports
const BODY = { name: 'Camarilla', email: 'p@x.io' };

async function run(n) {
  for (let i = 0; i < n; i++) {
    if (i & 1) await c.post('/api/v1/companies', BODY);
    else await c.get('/api/v1/health');
  }
}
async function sample(done) {
  // Let FinalizationRegistry callbacks and timers run, then collect twice.
  for (let i = 0; i < 3; i++) { await new Promise((r) => setTimeout(r, 5)); gc(); }
  const m = process.memoryUsage();
  return {
    requests: done, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss,
    wasmMemory: wasm ? wasm.memory.buffer.byteLength : null,
    externrefs: wasm && wasm.__wbindgen_externrefs ? wasm.__wbindgen_externrefs.length : null,
  };
}

const samples = [await sample(0)];
await run(warmup);
samples.push(await sample(warmup));
const t0 = performance.now();
for (let done = 0; done < total; done += every) {
  await run(Math.min(every, total - done));
  samples.push(await sample(warmup + Math.min(done + every, total)));
}
const ms = performance.now() - t0;
await c.close();
process.stdout.write(JSON.stringify({ name, warmup, total, ms, samples }) + '\n');
