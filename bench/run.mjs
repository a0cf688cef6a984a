// vclient against raw fetch, ofetch, ky and axios + axios-retry, side by side in one process.
//
//   bash bench/run.sh            # full run (~6-8 min on 2 vCPUs), tables to stdout
//   bash bench/run.sh --quick    # small counts, < 1 min, a smoke check
//   bash bench/run.sh --write    # also writes BENCHMARKS.md at the repo root
//   options: --only=overhead,memory,server,listall,startup,size,crossings   --json=<file>
//
// Sections (README-style description in BENCHMARKS.md, "Method"):
//  overhead  mocked fetch, sequential GET and keyed JSON POST, every request timed, clients
//            interleaved round by round; overhead = client − raw fetch (median, p99)
//  memory    each client in a fresh `node --expose-gc` child, 100,000 requests on the mock:
//            JS heap (and for vclient wasm memory + externref table) after GC
//  server    tests/server on a worker thread (keep-alive): req/s at concurrency 1 and 64
//  listall   1,000 items in pages of 100: loopback server and mocked fetch
//  startup   compile + instantiate of vclient_bg.wasm (fresh bytes each time) and module
//            import time in fresh child processes
//  size      what a browser downloads: gzip -9 / brotli 11 per file; peers via esbuild
//  crossings JS↔wasm calls per request, page and service call (crossings.mjs, a fresh process)
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import zlib from 'node:zlib';
import { API_KEY, CLIENTS, MAX_RETRIES, OFETCH_TIMEOUT, makeClients, ofetchWithTimeout } from './lib/clients.mjs';
import { BODY, mockFetch, pagesFetch } from './lib/mock.mjs';
import { TOTAL, pageBody } from './lib/pages.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH, '..');
// A snapshot of the built package(s), so a rebuild during the run can't mix two builds.
const SNAP = fs.mkdtempSync(path.join(os.tmpdir(), 'vclient-bench-'));
process.on('exit', () => fs.rmSync(SNAP, { recursive: true, force: true }));
fs.cpSync(path.join(ROOT, 'target/npm/dist'), path.join(SNAP, 'npm/dist'), { recursive: true, preserveTimestamps: true });
if (fs.existsSync(path.join(ROOT, 'target/npm-core/dist'))) fs.cpSync(path.join(ROOT, 'target/npm-core/dist'), path.join(SNAP, 'npm-core/dist'), { recursive: true, preserveTimestamps: true });
const DIST = path.join(SNAP, 'npm/dist');
const CORE_DIST = path.join(SNAP, 'npm-core/dist');

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const WRITE = argv.includes('--write');
const ONLY = (argv.find((a) => a.startsWith('--only='))?.slice(7).split(',')) ?? null;
const JSON_OUT = argv.find((a) => a.startsWith('--json='))?.slice(7);
const want = (s) => !ONLY || ONLY.includes(s);

const N = QUICK ? {
  warmup: 300, rounds: 6, batch: 100,
  memWarmup: 1_000, memTotal: 5_000, memEvery: 1_000,
  tpRounds: 1, tpMs: 300, tpWarmMs: 150,
  listWarm: 2, listRuns: 5,
  compileRuns: 3, importRuns: 2,
} : {
  warmup: 5_000, rounds: 60, batch: 500,
  memWarmup: 10_000, memTotal: 100_000, memEvery: 10_000,
  tpRounds: 5, tpMs: 1_500, tpWarmMs: 1_000,
  listWarm: 10, listRuns: 60,
  compileRuns: 20, importRuns: 12,
};

const { VClient } = await import(pathToFileURL(path.join(DIST, 'node.js')).href);
const started = performance.now();
const cpu0 = cpuTicks();
const results = { quick: QUICK, counts: N, maxRetries: MAX_RETRIES, mockBodyBytes: Buffer.byteLength(BODY), machine: machine(), build: build(), sections: {} };
const POST_BODY = { name: 'Camarilla', email: 'p@x.io', description: 'A bench company' };

// ---------------------------------------------------------------- helpers
function pct(sorted, p) { return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]; }
function stats(arr) {
  const s = Float64Array.from(arr).sort();
  let sum = 0; for (const x of s) sum += x;
  return { n: s.length, median: pct(s, 0.5), p99: pct(s, 0.99), mean: sum / s.length, min: s[0], max: s[s.length - 1] };
}
const median = (a) => stats(a).median;
const rotate = (arr, k) => arr.map((_, i) => arr[(i + k) % arr.length]);
const f1 = (x) => (x == null || Number.isNaN(x) ? '–' : x.toFixed(1));
const f2 = (x) => (x == null || Number.isNaN(x) ? '–' : x.toFixed(2));
const sign = (x) => (x >= 0 ? '+' : '−') + Math.abs(x).toFixed(1);
const kib = (b) => (b / 1024).toFixed(1);
const int = (x) => Math.round(x).toLocaleString('en-US');
function table(head, rows, left = 1) {
  // The first `left` columns are left-aligned (text), the rest right-aligned (numbers).
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i >= left ? '---:' : '---')).join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}
const out = [];
function section(title, text) { out.push({ title, text }); console.log(`\n## ${title}\n\n${text}`); }
function log(...a) { console.error(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s]`, ...a); }

function cpuTicks() {
  // /proc/stat (all CPUs) and /proc/self/stat (this process + its waited-for children), in ticks.
  const a = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const self = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ').map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = a;
  return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal, ours: self[11] + self[12] + self[13] + self[14] };
}
function cpuReport(t0, t1) {
  const total = (t1.busy - t0.busy) + (t1.idle - t0.idle) + (t1.steal - t0.steal);
  const cores = os.cpus().length;
  const other = Math.max(0, (t1.busy - t0.busy) - (t1.ours - t0.ours));
  return { ours: (t1.ours - t0.ours) / total * cores, others: other / total * cores, steal: (t1.steal - t0.steal) / total * cores, cores };
}
function machine() {
  const cpu = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? os.cpus()[0]?.model;
  const osName = (() => { try { return fs.readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)/m)[1]; } catch { return os.type(); } })();
  return {
    cpu, cores: os.cpus().length, ramGiB: +(os.totalmem() / 2 ** 30).toFixed(1), os: `${osName}, Linux ${os.release()} ${os.arch()}`,
    node: process.version, v8: process.versions.v8, load: os.loadavg().map((x) => x.toFixed(2)).join(' '),
    date: new Date().toISOString(),
  };
}
function build() {
  const wasm = path.join(DIST, 'vclient_bg.wasm');
  let commit = null, dirty = null;
  try {
    commit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    dirty = execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src', 'Cargo.toml', 'Cargo.lock'], { encoding: 'utf8' }).trim() !== '';
  } catch { /* not a git checkout */ }
  const pkgv = (n) => JSON.parse(fs.readFileSync(path.join(BENCH, 'node_modules', n, 'package.json'), 'utf8')).version;
  return {
    commit, srcDirty: dirty, wasmBytes: fs.statSync(wasm).size, wasmBuilt: fs.statSync(wasm).mtime.toISOString(),
    peers: { ky: pkgv('ky'), ofetch: pkgv('ofetch'), axios: pkgv('axios'), 'axios-retry': pkgv('axios-retry') },
  };
}

// ---------------------------------------------------------------- 1. per-request overhead (mocked fetch)
async function overhead() {
  const base = 'http://127.0.0.1:9';
  const clients = { ...makeClients(VClient, base, mockFetch), [OFETCH_TIMEOUT]: ofetchWithTimeout(base, mockFetch) };
  const names = [...CLIENTS, OFETCH_TIMEOUT];
  const ops = {
    GET: (c) => c.get('/api/v1/health'),
    'POST json': (c) => c.post('/api/v1/companies', POST_BODY),
  };
  const res = {};
  for (const [op, call] of Object.entries(ops)) {
    log(`overhead: ${op} warm-up`);
    for (const name of names) for (let i = 0; i < N.warmup; i++) await call(clients[name]);
    const samples = Object.fromEntries(names.map((n) => [n, new Float64Array(N.rounds * N.batch)]));
    log(`overhead: ${op} ${N.rounds} rounds × ${N.batch} requests × ${names.length} clients`);
    for (let r = 0; r < N.rounds; r++) {
      for (const name of rotate(names, r)) {
        const c = clients[name], buf = samples[name], off = r * N.batch;
        for (let i = 0; i < N.batch; i++) {
          const t0 = performance.now();
          await call(c);
          buf[off + i] = (performance.now() - t0) * 1000;
        }
      }
    }
    res[op] = Object.fromEntries(names.map((n) => {
      const st = stats(samples[n]);
      // p99 per round, then the median over rounds: a burst of preemption by another process
      // (~4 ms time slices on this VM) spoils a few rounds, not the figure.
      const perRound = [];
      for (let r = 0; r < N.rounds; r++) perRound.push(stats(samples[n].subarray(r * N.batch, (r + 1) * N.batch)).p99);
      return [n, { ...st, p99Pooled: st.p99, p99: median(perRound) }];
    }));
  }
  for (const c of Object.values(clients)) await c.close();
  const rows = [];
  for (const [op, byClient] of Object.entries(res)) {
    const raw = byClient['raw fetch'];
    for (const name of names) {
      const s = byClient[name];
      const isRaw = name === 'raw fetch';
      s.overMedian = s.median - raw.median; s.overP99 = s.p99 - raw.p99; s.overMean = s.mean - raw.mean;
      rows.push([op, name, f1(s.median), f1(s.p99), f1(s.p99Pooled), f1(s.mean), isRaw ? '–' : sign(s.overMedian), isRaw ? '–' : sign(s.overP99), isRaw ? '–' : sign(s.overMean)]);
    }
  }
  results.sections.overhead = res;
  section('Per-request overhead, mocked fetch (µs)', table(
    ['Request', 'Client', 'median', 'p99', 'p99 pooled', 'mean', 'overhead median', 'overhead p99', 'overhead mean'], rows, 2)
    + `\n\n${int(N.rounds * N.batch)} timed requests per client and request type (${N.rounds} interleaved rounds of ${N.batch}, after ${int(N.warmup)} warm-up requests each). "p99" is each round's p99, median over the rounds; "p99 pooled" is the p99 of all requests together, which on this shared VM mostly measures preemption by other processes (the scheduler's ~4 ms time slices land inside ~1 % of requests when the machine is busy).`);
}

// ---------------------------------------------------------------- 2. memory over 100,000 requests
async function memory() {
  const res = {};
  for (const name of CLIENTS) {
    log(`memory: ${name}, ${int(N.memTotal)} requests in a fresh process`);
    const p = spawnSync(process.execPath, ['--expose-gc', path.join(BENCH, 'lib/memory.mjs'), name, N.memWarmup, N.memTotal, N.memEvery].map(String),
      { encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, BENCH_DIST: DIST } });
    if (p.status !== 0) throw new Error(`memory child ${name} failed: ${p.stderr}`);
    res[name] = JSON.parse(p.stdout.trim().split('\n').pop());
  }
  results.sections.memory = res;
  const rows = [];
  for (const name of CLIENTS) {
    const { samples, ms, total } = res[name];
    const warm = samples[1], last = samples[samples.length - 1], later = samples.slice(1);
    const heapMax = Math.max(...later.map((s) => s.heapUsed));
    rows.push([name, kib(warm.heapUsed), kib(last.heapUsed), sign((last.heapUsed - warm.heapUsed) / 1024), kib(heapMax),
      warm.wasmMemory == null ? '–' : kib(warm.wasmMemory), last.wasmMemory == null ? '–' : `${kib(last.wasmMemory)} (${sign((last.wasmMemory - warm.wasmMemory) / 1024)})`,
      warm.externrefs == null ? '–' : `${warm.externrefs} → ${last.externrefs}`, f1((ms * 1000) / total)]);
  }
  const v = res.vclient;
  const trace = v ? v.samples.slice(1).map((s) => `${int(s.requests)}: ${kib(s.heapUsed)} KiB heap / ${kib(s.wasmMemory)} KiB wasm`).join('; ') : '';
  section(`Memory after ${int(N.memTotal)} requests, mocked fetch (KiB, after GC)`, table(
    ['Client', `JS heap after ${int(N.memWarmup)} warm-up`, `JS heap after +${int(N.memTotal)}`, 'heap growth', 'heap max (samples)', 'wasm memory after warm-up', `wasm memory after +${int(N.memTotal)}`, 'externref table', 'µs/request (incl. sampling)'], rows)
    + `\n\nEach client in its own fresh \`node --expose-gc\` process; GET and JSON POST alternate; a sample (3 × GC) every ${int(N.memEvery)} requests.`
    + (trace ? `\nvclient samples (requests so far, warm-up included: JS heap / wasm memory): ${trace}.` : ''));
}

// ---------------------------------------------------------------- servers on a worker thread
async function withServers(fn) {
  const w = new Worker(path.join(BENCH, 'lib/server-worker.mjs'), { workerData: { apiKey: API_KEY } });
  const urls = await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  try { return await fn({ ...urls, worker: w }); } finally {
    w.postMessage('close');
    await new Promise((r) => { w.once('exit', r); setTimeout(() => { w.terminate(); }, 3000).unref(); });
  }
}

// ---------------------------------------------------------------- 3. throughput on the loopback server
async function throughputOnce(c, conc, ms, serverThread) {
  let count = 0;
  const deadline = performance.now() + ms;
  const worker = async () => { while (performance.now() < deadline) { await c.get('/api/v1/health'); count++; } };
  const e0 = performance.eventLoopUtilization(), s0 = serverThread?.performance.eventLoopUtilization();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: conc }, worker));
  const rps = count / ((performance.now() - t0) / 1000);
  // How busy each thread was: a server thread near 100 % means the server, not the client, set the pace.
  const client = performance.eventLoopUtilization(e0).utilization;
  const server = serverThread ? serverThread.performance.eventLoopUtilization(s0).utilization : NaN;
  return { rps, client, server };
}
async function server({ api, worker: serverThread }) {
  // ofetch with the same 30 s timeout too, as in the overhead table: an AbortSignal per request
  // costs undici real work on a real socket, which the mocked fetch does not show.
  const clients = { ...makeClients(VClient, api, globalThis.fetch), [OFETCH_TIMEOUT]: ofetchWithTimeout(api, globalThis.fetch) };
  const names = [...CLIENTS, OFETCH_TIMEOUT];
  const check = await clients.vclient.get('/api/v1/health');
  if (check.database_status !== 'online') throw new Error('unexpected health body');
  const concs = [1, 64];
  log(`server: warm-up ${N.tpWarmMs} ms per client`);
  for (const name of names) await throughputOnce(clients[name], 64, N.tpWarmMs);
  const runs = Object.fromEntries(names.map((n) => [n, { 1: [], 64: [] }]));
  for (let r = 0; r < N.tpRounds; r++) {
    log(`server: round ${r + 1}/${N.tpRounds} (${N.tpMs} ms per client and concurrency)`);
    for (const name of rotate(names, r)) for (const conc of concs) runs[name][conc].push(await throughputOnce(clients[name], conc, N.tpMs, serverThread));
  }
  for (const c of Object.values(clients)) await c.close();
  const res = {};
  const rows = [];
  const pick = (arr) => { const m = median(arr.map((x) => x.rps)); return arr.find((x) => x.rps === m) ?? arr[0]; };
  for (const name of names) res[name] = { 1: pick(runs[name][1]), 64: pick(runs[name][64]), runs: runs[name] };
  const raw = res['raw fetch'];
  const pc = (x) => `${(x * 100).toFixed(0)} %`;
  for (const name of names) {
    const r = res[name];
    const us1 = 1e6 / r[1].rps - 1e6 / raw[1].rps;
    rows.push([name, int(r[1].rps), f1(1e6 / r[1].rps), name === 'raw fetch' ? '–' : sign(us1), `${pc(r[1].client)} / ${pc(r[1].server)}`,
      int(r[64].rps), pc(r[64].rps / raw[64].rps), `${pc(r[64].client)} / ${pc(r[64].server)}`]);
  }
  results.sections.server = res;
  section('Throughput on the loopback server (GET /api/v1/health, keep-alive)', table(
    ['Client', 'req/s, conc. 1', 'µs/request', 'vs raw (µs)', 'busy: client / server thread', 'req/s, conc. 64', 'of raw fetch', 'busy: client / server thread'], rows)
    + `\n\nMedian of ${N.tpRounds} interleaved run(s) of ${N.tpMs} ms per client and concurrency; the server (tests/server/server.mjs, keep-alive, rate limiter never empty) runs on a worker thread of the same process; every client uses Node's global fetch (undici). "Busy" = event-loop utilisation of the client (main) thread and of the server thread during the run: a server thread near 100 % means the server, not the client, set the pace.`);
}

// ---------------------------------------------------------------- 4. listAll over 1,000 items
async function listAllBench(label, base, fetchFn) {
  const clients = makeClients(VClient, base, fetchFn);
  const call = async (name) => {
    const items = await clients[name].listAll('/api/v1/companies');
    if (items.length !== TOTAL || items[TOTAL - 1].name !== `Company ${TOTAL - 1}`) throw new Error(`${name} listAll: ${items.length} items`);
  };
  for (const name of CLIENTS) for (let i = 0; i < N.listWarm; i++) await call(name);
  const t = Object.fromEntries(CLIENTS.map((n) => [n, []]));
  for (let r = 0; r < N.listRuns; r++) {
    for (const name of rotate(CLIENTS, r)) { const t0 = performance.now(); await call(name); t[name].push(performance.now() - t0); }
  }
  for (const c of Object.values(clients)) await c.close();
  return Object.fromEntries(CLIENTS.map((n) => [n, stats(t[n])]));
}
async function listall({ pages }) {
  log('listAll: loopback server');
  const loop = await listAllBench('loopback', pages, globalThis.fetch);
  log('listAll: mocked fetch');
  const mock = await listAllBench('mock', 'http://127.0.0.1:9', pagesFetch);
  results.sections.listall = { loopback: loop, mock };
  const rows = CLIENTS.map((n) => [n, f2(loop[n].median), f2(loop[n].p99), n === 'raw fetch' ? '–' : sign(loop[n].median - loop['raw fetch'].median),
    f2(mock[n].median), f2(mock[n].p99), n === 'raw fetch' ? '–' : sign(mock[n].median - mock['raw fetch'].median)]);
  section(`listAll over ${int(TOTAL)} items (ms per full listing, 10 pages of 100)`, table(
    ['Client', 'loopback median', 'loopback p99', 'vs raw', 'mocked median', 'mocked p99', 'vs raw'], rows)
    + `\n\nvclient: \`client.listAll(path)\`; the others (and raw fetch): a loop over \`limit=100&offset=…\` until \`offset ≥ total\`. ${N.listRuns} interleaved listings per client after ${N.listWarm} warm-up. Page bodies are pre-serialised (${kib(pageBody('limit=100&offset=0').length)} KiB each, see lib/pages.mjs).`);
}

// ---------------------------------------------------------------- 5. startup: compile, instantiate, import
function uniqueBytes(bytes, i) {
  // A custom section with a unique name at the end: same code, different bytes, so V8's
  // native-module cache can't return an earlier compilation.
  const name = Buffer.from(`bench-${process.pid}-${i}-${Math.random()}`);
  const leb = (n) => { const o = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
  const content = [...leb(name.length), ...name];
  return Buffer.concat([bytes, Buffer.from([0, ...leb(content.length), ...content])]);
}
function stubImports(mod) {
  const imports = {};
  for (const { module, name, kind } of WebAssembly.Module.imports(mod)) {
    imports[module] ??= {};
    imports[module][name] = kind === 'function' ? () => undefined
      : kind === 'memory' ? new WebAssembly.Memory({ initial: 1 })
      : kind === 'table' ? new WebAssembly.Table({ initial: 0, element: 'externref' })
      : new WebAssembly.Global({ value: 'i32', mutable: true }, 0);
  }
  return imports;
}
function importTimes(specs, runs) {
  // Fresh `node` per sample; the child times its own dynamic import(s).
  const t = Object.fromEntries(Object.keys(specs).map((k) => [k, []]));
  for (let r = 0; r < runs; r++) {
    for (const [k, urls] of rotate(Object.entries(specs), r)) {
      const code = `const t0 = performance.now(); await Promise.all(${JSON.stringify(urls)}.map((u) => import(u))); process.stdout.write(String(performance.now() - t0));`;
      const p = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', cwd: BENCH });
      if (p.status !== 0) throw new Error(`import ${k}: ${p.stderr}`);
      t[k].push(Number(p.stdout));
    }
  }
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, stats(v)]));
}
async function startup() {
  const bytes = fs.readFileSync(path.join(DIST, 'vclient_bg.wasm'));
  const res = { compileSync: [], instantiateSync: [], compileAsync: [], instantiateAsync: [] };
  log(`startup: compile + instantiate × ${N.compileRuns}`);
  for (let i = 0; i < N.compileRuns; i++) {
    let b = uniqueBytes(bytes, 2 * i);
    let t0 = performance.now();
    const m1 = new WebAssembly.Module(b);
    let t1 = performance.now();
    new WebAssembly.Instance(m1, stubImports(m1));
    res.compileSync.push(t1 - t0); res.instantiateSync.push(performance.now() - t1);
    b = uniqueBytes(bytes, 2 * i + 1);
    t0 = performance.now();
    const m2 = await WebAssembly.compile(b);
    t1 = performance.now();
    await WebAssembly.instantiate(m2, stubImports(m2));
    res.compileAsync.push(t1 - t0); res.instantiateAsync.push(performance.now() - t1);
  }
  for (const k of Object.keys(res)) res[k] = stats(res[k]);
  const resolve = (s) => import.meta.resolve(s);
  const core = fs.existsSync(path.join(CORE_DIST, 'node.js'));
  const specs = {
    'vclient (dist/node.js: read + compile + instantiate + start)': [pathToFileURL(path.join(DIST, 'node.js')).href],
    ...(core ? { 'vclient core-only (target/npm-core)': [pathToFileURL(path.join(CORE_DIST, 'node.js')).href] } : {}),
    ofetch: [resolve('ofetch')],
    ky: [resolve('ky')],
    'axios + axios-retry': [resolve('axios'), resolve('axios-retry')],
  };
  log(`startup: import times, ${N.importRuns} fresh processes each`);
  res.imports = importTimes(specs, N.importRuns);
  results.sections.startup = res;
  const rows = [
    ['vclient_bg.wasm: `new WebAssembly.Module` (sync compile)', f2(res.compileSync.median), f2(res.compileSync.max)],
    ['vclient_bg.wasm: `new WebAssembly.Instance`', f2(res.instantiateSync.median), f2(res.instantiateSync.max)],
    ['vclient_bg.wasm: `WebAssembly.compile` (async)', f2(res.compileAsync.median), f2(res.compileAsync.max)],
    ['vclient_bg.wasm: `WebAssembly.instantiate(module)` (async)', f2(res.instantiateAsync.median), f2(res.instantiateAsync.max)],
    ...Object.entries(res.imports).map(([k, s]) => [`\`import()\` in a fresh process: ${k}`, f2(s.median), f2(s.max)]),
  ];
  section('Startup (ms)', table(['What', 'median', 'max'], rows)
    + `\n\nCompile/instantiate: ${N.compileRuns} runs in this process, each on bytes made unique (an extra custom section) so V8 cannot reuse an earlier compilation; instantiation with no-op imports (no \`__wbindgen_start\`). Imports: ${N.importRuns} fresh \`node\` processes per package, interleaved; the child times its own \`import()\` (Node entry points: ofetch's Node build also loads node-fetch-native).`);
}

// ---------------------------------------------------------------- 6. bundle size
const gz = (b) => zlib.gzipSync(b, { level: 9 }).length;
const br = (b) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.length } }).length;
const sizes = (buf) => ({ raw: buf.length, gzip: gz(buf), brotli: br(buf) });
function walk(dir) { return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)])); }
async function esbuildBundle(opts) {
  const esbuild = createRequire(path.join(ROOT, 'tools/package.json'))('esbuild');
  const r = await esbuild.build({ bundle: true, minify: true, platform: 'browser', write: false, logLevel: 'silent', ...opts });
  return Buffer.from(r.outputFiles[0].contents);
}
async function ourDownload(dist) {
  // What a browser fetches for `import ... from "vclient"` (the "browser" condition: web.js).
  // The services are JS modules surface.js loads (dist/services/); the core-only layout has none.
  const modules = (dir) => (fs.existsSync(path.join(dist, dir)) ? walk(path.join(dist, dir)).filter((f) => f.endsWith('.js')).map((f) => path.relative(dist, f)) : []);
  const files = ['web.js', 'surface.js', 'loading.js', 'registry.js', 'core.js', ...modules('snippets'), ...modules('services'), 'vclient_bg.wasm'];
  const per = files.map((f) => ({ file: f, ...sizes(fs.readFileSync(path.join(dist, f))) }));
  const sum = (k, filter = () => true) => per.filter(filter).reduce((a, x) => a + x[k], 0);
  const js = await esbuildBundle({ entryPoints: [path.join(dist, 'web.js')], format: 'esm', external: ['*.wasm'] });
  const wasm = per.find((p) => p.file === 'vclient_bg.wasm');
  const jsMin = sizes(js);
  return {
    files: per,
    shipped: { raw: sum('raw'), gzip: sum('gzip'), brotli: sum('brotli') },
    jsShipped: { raw: sum('raw', (p) => p.file.endsWith('.js')), gzip: sum('gzip', (p) => p.file.endsWith('.js')), brotli: sum('brotli', (p) => p.file.endsWith('.js')) },
    jsMinified: jsMin,
    wasm: { raw: wasm.raw, gzip: wasm.gzip, brotli: wasm.brotli },
    minified: { raw: jsMin.raw + wasm.raw, gzip: jsMin.gzip + wasm.gzip, brotli: jsMin.brotli + wasm.brotli },
  };
}
function wasmSections(buf) {
  // Section sizes of a .wasm (each gzipped on its own, so they don't add up to the file's gzip).
  const NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount'];
  const out = [];
  let i = 8;
  const leb = () => { let r = 0, sh = 0, b; do { b = buf[i++]; r |= (b & 0x7f) << sh; sh += 7; } while (b & 0x80); return r >>> 0; };
  while (i < buf.length) {
    const id = buf[i++], len = leb(), start = i;
    let name = NAMES[id] ?? `#${id}`;
    if (id === 0) { const n = leb(); name = `custom "${buf.subarray(i, i + n).toString()}"`; }
    const bytes = buf.subarray(start, start + len);
    out.push({ name, raw: len, gzip: gz(bytes) });
    i = start + len;
  }
  return out;
}
async function size() {
  const res = { full: await ourDownload(DIST) };
  if (fs.existsSync(path.join(CORE_DIST, 'web.js'))) res.core = await ourDownload(CORE_DIST);
  const peers = {
    ofetch: "import { ofetch } from 'ofetch'; globalThis.__peer = ofetch;",
    ky: "import ky from 'ky'; globalThis.__peer = ky;",
    axios: "import axios from 'axios'; globalThis.__peer = axios;",
    'axios + axios-retry': "import axios from 'axios'; import axiosRetry from 'axios-retry'; globalThis.__peer = [axios, axiosRetry];",
  };
  res.peers = {};
  for (const [k, contents] of Object.entries(peers)) res.peers[k] = sizes(await esbuildBundle({ stdin: { contents, resolveDir: BENCH, loader: 'js' } }));
  res.wasmSections = wasmSections(fs.readFileSync(path.join(DIST, 'vclient_bg.wasm')));
  results.sections.size = res;
  const fileRows = [];
  for (const [label, d] of Object.entries({ full: res.full, ...(res.core ? { 'core-only': res.core } : {}) })) {
    for (const p of d.files) fileRows.push([label, p.file, kib(p.raw), kib(p.gzip), kib(p.brotli)]);
    fileRows.push([label, '**total as shipped**', `**${kib(d.shipped.raw)}**`, `**${kib(d.shipped.gzip)}**`, `**${kib(d.shipped.brotli)}**`]);
    fileRows.push([label, 'JS bundled into one file by esbuild + .wasm', kib(d.minified.raw), kib(d.minified.gzip), kib(d.minified.brotli)]);
  }
  const cmp = [
    ...Object.entries({ vclient: res.full, ...(res.core ? { 'vclient core-only': res.core } : {}) }).flatMap(([k, d]) => [
      [`${k}, as shipped (JS + .wasm)`, kib(d.shipped.raw), kib(d.shipped.gzip), kib(d.shipped.brotli)],
      [`${k}, JS bundled (esbuild) + .wasm`, kib(d.minified.raw), kib(d.minified.gzip), kib(d.minified.brotli)],
      [`  of which .wasm`, kib(d.wasm.raw), kib(d.wasm.gzip), kib(d.wasm.brotli)],
    ]),
    ...Object.entries(res.peers).map(([k, s]) => [k, kib(s.raw), kib(s.gzip), kib(s.brotli)]),
  ];
  section('Bundle size: what a browser downloads (KiB)', table(['Package', 'raw / min', 'gzip -9', 'brotli 11'], cmp)
    + '\n\nPer file, each compressed on its own as a browser fetches it:\n\n'
    + table(['Build', 'File', 'raw', 'gzip -9', 'brotli 11'], fileRows, 2)
    + `\n\nPeers: esbuild ${createRequire(path.join(ROOT, 'tools/package.json'))('esbuild/package.json').version} \`--bundle --minify --platform=browser\` of a single import (as in peers.md §5). vclient: \`web.js\` + \`surface.js\` + \`loading.js\` + \`registry.js\` + \`core.js\` + \`snippets/**.js\` + \`services/*.js\` + \`vclient_bg.wasm\` as in target/npm/dist, where each JS file is minified on its own (scripts/minify.mjs: esbuild \`--minify\`, no bundling; its \`.map\` is fetched only by devtools); "JS bundled" = esbuild \`--bundle --minify --format=esm\` of those files from web.js, as an app's bundler would (one file, names mangled across modules; the .wasm stays a separate fetch).`
    + (res.core ? '' : '\n\n(No target/npm-core/ yet: the core-only build is not measured.)')
    + '\n\nInside the full `vclient_bg.wasm` (each section gzipped on its own):\n\n'
    + table(['Section', 'raw', 'gzip -9'], res.wasmSections.filter((x) => x.raw >= 256).map((x) => [x.name, kib(x.raw), kib(x.gzip)])));
}

// ---------------------------------------------------------------- JS↔wasm crossings
function crossings() {
  // Its own process: crossings.mjs wraps the wasm instance before the package loads.
  const file = path.join(SNAP, 'crossings.json');
  const p = spawnSync(process.execPath, [path.join(BENCH, 'crossings.mjs'), `--dist=${DIST}`, `--json=${file}`], { encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`crossings.mjs failed: ${p.stderr}`);
  const res = JSON.parse(fs.readFileSync(file, 'utf8')).calls;
  results.sections.crossings = res;
  section('JS↔wasm crossings per call', table(['Call', 'total', 'wasm→JS (imports)', 'JS→wasm (exports)'],
    Object.entries(res).map(([name, r]) => [name, int(r.total), int(r.imports), int(r.exports)]))
    + '\n\nOne successful call after a warm-up, through the built package in Node against a local `node:http` server. A crossing is one call across the boundary either way, the glue\'s helpers (`__wbindgen_malloc`, closure invokers) included: every import and export of the instance is wrapped with a counter (bench/lib/count.mjs). `node bench/crossings.mjs --detail` lists them by function.');
}

// ---------------------------------------------------------------- targets
function targets() {
  const t = [];
  const o = results.sections.overhead;
  if (o) {
    for (const op of Object.keys(o)) {
      const v = o[op].vclient.overMedian, of = o[op].ofetch.overMedian, ky = o[op].ky.overMedian;
      const vp = o[op].vclient.overP99, ofp = o[op].ofetch.overP99;
      const ratio = v / Math.max(of, 0.1);
      const met1 = ratio <= 1.25;
      const oft = o[op][OFETCH_TIMEOUT]?.overMedian;
      t.push({ target: `${op}: median overhead ≤ 1.25× ofetch's (stretch: ≤ ofetch's)`, met: met1, detail: `vclient ${sign(v)} µs vs ofetch ${sign(of)} µs: ${f1(ratio)}× ofetch's` + (met1 ? (v <= of ? '; stretch met' : '') : ` — missed by ${f1(v - 1.25 * of)} µs`) + (oft === undefined ? '' : `; against ofetch with a 30 s timeout (an AbortController per request, as vclient) ${sign(oft)} µs: ${f1(v / Math.max(oft, 0.1))}×`) + `; p99 overhead vclient ${sign(vp)} vs ofetch ${sign(ofp)} µs; ky ${sign(ky)} µs` });
    }
  }
  const x = results.sections.crossings;
  if (x) {
    for (const [call, limit] of [["request('GET')", 6], ['system.health()', 8]]) {
      const n = x[call].total, met = n <= limit;
      t.push({ target: `JS↔wasm crossings, ${call} ≤ ${limit}`, met, detail: `${n} crossings` + (met ? '' : ` — ${n - limit} over`) });
    }
  }
  const sv = results.sections.server;
  if (sv) {
    const share = sv.vclient[64].rps / sv['raw fetch'][64].rps, met = share >= 0.9;
    const of = (name) => f1((sv[name][64].rps / sv['raw fetch'][64].rps) * 100);
    t.push({ target: 'throughput at concurrency 64 ≥ 90 % of raw fetch', met, detail: `${f1(share * 100)} % (ofetch ${of('ofetch')} %, ofetch with a 30 s timeout ${of(OFETCH_TIMEOUT)} %)` });
  }
  const la = results.sections.listall?.loopback;
  if (la) {
    const r = la.vclient.p99 / la['raw fetch'].p99, met = r <= 1.5;
    t.push({ target: 'listAll of 1,000 items on loopback: p99 within 1.5× raw fetch\'s', met, detail: `${f2(la.vclient.p99)} ms vs ${f2(la['raw fetch'].p99)} ms: ${f2(r)}×` });
  }
  const m = results.sections.memory?.vclient;
  if (m) {
    const warm = m.samples[1], last = m.samples[m.samples.length - 1];
    const dw = last.wasmMemory - warm.wasmMemory, dh = last.heapUsed - warm.heapUsed, dt = last.externrefs - warm.externrefs;
    const met = dw === 0 && dt === 0 && dh < 1024 * 1024;
    t.push({ target: 'memory flat after warm-up', met, detail: `after ${int(m.total)} requests: wasm memory ${sign(dw / 1024)} KiB (${kib(last.wasmMemory)} KiB), externref table ${dt >= 0 ? '+' : ''}${dt} slots, JS heap ${sign(dh / 1024)} KiB (flat = no wasm or table growth and < 1 MiB heap growth)` });
  }
  const s = results.sections.size;
  if (s) {
    const check = (label, d, limitKiB) => {
      for (const [how, v] of [['as shipped', d.shipped.gzip], ['JS bundled by esbuild', d.minified.gzip]]) {
        const met = v <= limitKiB * 1024;
        t.push({ target: `${label} gzip ≤ ~${limitKiB} KiB (${how})`, met, detail: `${kib(v)} KiB (${(v / 1000).toFixed(1)} kB) gzip; .wasm ${kib(d.wasm.gzip)} KiB of it` + (met ? `; ${kib(limitKiB * 1024 - v)} KiB to spare` : ` — missed by ${kib(v - limitKiB * 1024)} KiB (${f1((v / (limitKiB * 1024) - 1) * 100)} % over)`) });
      }
    };
    check('full package', s.full, 70);
    if (s.core) check('core-only build', s.core, 30);
    else t.push({ target: 'core-only build gzip ≤ ~30 KiB', met: null, detail: 'not measured: target/npm-core/ does not exist yet' });
  }
  results.targets = t;
  section('Targets', table(['Target', 'Result', 'Numbers'], t.map((x) => [x.target, x.met === null ? 'n/a' : x.met ? 'met' : '**missed**', x.detail]), 3));
}

// ---------------------------------------------------------------- run
results.runs = [];
async function timed(name, fn) {
  const c0 = cpuTicks(), t0 = performance.now();
  await fn();
  const cpu = cpuReport(c0, cpuTicks());
  results.runs.push({ name, seconds: (performance.now() - t0) / 1000, ...cpu });
}
if (want('size')) await timed('size', () => { log('size'); return size(); });
if (want('startup')) await timed('startup', startup);
if (want('crossings')) await timed('crossings', crossings);
if (want('overhead')) await timed('overhead', overhead);
if (want('server') || want('listall')) {
  await withServers(async (urls) => {
    if (want('server')) await timed('server', () => server(urls));
    if (want('listall')) await timed('listall', () => listall(urls));
  });
}
if (want('memory')) await timed('memory', memory);
targets();
results.seconds = (performance.now() - started) / 1000;
results.cpu = cpuReport(cpu0, cpuTicks());
log(`CPU during the run (in vCPUs of ${results.cpu.cores}): this benchmark ${results.cpu.ours.toFixed(2)}, other processes ${results.cpu.others.toFixed(2)}, steal ${results.cpu.steal.toFixed(2)}`);
section('Run', table(['Section', 'seconds', 'CPU: this benchmark (vCPUs)', 'CPU: other processes (vCPUs)', 'steal'],
  results.runs.map((r) => [r.name, f1(r.seconds), f2(r.ours), f2(r.others), f2(r.steal)]))
  + `\n\nTotal ${f1(results.seconds)} s. "Other processes" = CPU time of everything else on the VM during the section (from /proc/stat), in vCPUs out of ${results.cpu.cores}: above ~0.2 the section's numbers are noisier than usual.`);
log(`done in ${results.seconds.toFixed(0)} s`);
if (JSON_OUT) fs.writeFileSync(JSON_OUT, JSON.stringify(results, null, 1));
if (WRITE) {
  const { writeReport } = await import('./lib/report.mjs');
  const file = writeReport(path.join(ROOT, 'BENCHMARKS.md'), results, out);
  log(`wrote ${path.relative(process.cwd(), file)}`);
}
