// What vclient/proxy adds to a request, on loopback: the same GET sent straight to an
// upstream and through the proxy (node:http + toNodeListener, as www/serve.mjs runs it).
//
//   node bench/proxy.mjs [--quick] [--json=<file>]
//
// upstream  a keep-alive node:http server answering a 1 KB JSON page, in its own process
// proxy     createProxy + toNodeListener in its own process, to the upstream over fetch
// client    this process: fetch with keep-alive; direct and proxied requests interleaved one by
//           one so drift hits both alike; every request timed
// handler   the proxy's own work without any network: the handler on a fetch that answers at
//           once, timed per request in this process (what the proxy costs on top of a hop)
// Reports the median and p99 of each, the difference (added latency; target < 0.2 ms at the
// median), and req/s at concurrency 1 and 64.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const JSON_OUT = argv.find((a) => a.startsWith('--json='))?.slice(7);
const N = QUICK ? 1500 : 10000;
const WARM = QUICK ? 300 : 2000;
const THROUGHPUT_MS = QUICK ? 1500 : 5000;
const KEY = 'bench-key-0123456789abcdefghijklmnop';
const PAGE = JSON.stringify({ items: Array.from({ length: 5 }, (_, i) => ({ id: `0190a1b2-c3d4-7e5f-8a9b-${String(i).padStart(12, '0')}`, name: `Company ${i}`, email: `c${i}@example.com`, description: 'x'.repeat(120) })), limit: 5, offset: 0, total: 5 });

function start(role, ...args) {
  const child = fork(fileURLToPath(import.meta.url), [`--role=${role}`, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve) => child.once('message', (port) => resolve({ child, url: `http://127.0.0.1:${port}` })));
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: pct(s, 0.5), p99: pct(s, 0.99) };
};

async function get(url) {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
}

async function throughput(url, concurrency) {
  let done = 0;
  const end = performance.now() + THROUGHPUT_MS;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) { await get(url); done++; }
  }));
  return Math.round(done / (THROUGHPUT_MS / 1000));
}

/** The handler alone: no socket, a fetch that answers at once. */
async function handlerOnly() {
  const { createProxy } = await import(`${ROOT}pkg-template/dist/proxy.js`);
  const body = new TextEncoder().encode(PAGE);
  const answer = () => new Response(body, { headers: { 'content-type': 'application/json', 'x-request-id': 'req_bench' } });
  const proxy = createProxy({ baseUrl: 'http://upstream.invalid', apiKey: KEY, basePath: '/vnoir', fetch: async () => answer() });
  const times = [];
  const direct = [];
  for (let i = 0; i < WARM + N; i++) {
    let t = performance.now();
    await (await proxy(new Request('http://app.example/vnoir/api/v1/companies?limit=5', { headers: { accept: 'application/json' } }))).arrayBuffer();
    const through = performance.now() - t;
    t = performance.now();
    new Request('http://app.example/vnoir/api/v1/companies?limit=5', { headers: { accept: 'application/json' } });
    await answer().arrayBuffer();
    const bare = performance.now() - t;
    if (i >= WARM) { times.push(through); direct.push(bare); }
  }
  return { through: stats(times), bare: stats(direct) };
}

async function main() {
  const upstream = await start('upstream');
  const proxy = await start('proxy', upstream.url);
  const bare = await start('bare', upstream.url);
  try {
    const directUrl = `${upstream.url}/api/v1/companies?limit=5`;
    const proxiedUrl = `${proxy.url}/vnoir/api/v1/companies?limit=5`;
    const bareUrl = `${bare.url}/vnoir/api/v1/companies?limit=5`;
    const direct = [];
    const proxied = [];
    const floor = [];
    for (let i = 0; i < WARM + N; i++) {
      let t = performance.now();
      await get(directUrl);
      const a = performance.now() - t;
      t = performance.now();
      await get(proxiedUrl);
      const b = performance.now() - t;
      t = performance.now();
      await get(bareUrl);
      const c = performance.now() - t;
      if (i >= WARM) { direct.push(a); proxied.push(b); floor.push(c); }
    }
    const d = stats(direct);
    const p = stats(proxied);
    const f = stats(floor);
    const rps = {
      direct1: await throughput(directUrl, 1), proxied1: await throughput(proxiedUrl, 1),
      direct64: await throughput(directUrl, 64), proxied64: await throughput(proxiedUrl, 64),
    };
    const h = await handlerOnly();
    const ms = (x) => `${x.toFixed(3)} ms`;
    const rows = [
      ['direct GET (loopback)', ms(d.median), ms(d.p99)],
      ['through the proxy (one more loopback hop)', ms(p.median), ms(p.p99)],
      ['added by the proxy over loopback', ms(p.median - d.median), ms(p.p99 - d.p99)],
      ['for scale: a bare fetch-forwarding node:http server (no checks) adds', ms(f.median - d.median), ms(f.p99 - d.p99)],
      ['handler alone (no network), minus a bare Request + Response', ms(h.through.median - h.bare.median), ms(h.through.p99 - h.bare.p99)],
    ];
    console.log(`vclient/proxy on loopback: ${N} sequential GETs each way, interleaved (Node ${process.version})\n`);
    console.log('| | median | p99 |\n|---|---|---|');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    console.log(`\n| req/s | direct | through the proxy |\n|---|---|---|`);
    console.log(`| concurrency 1 | ${rps.direct1} | ${rps.proxied1} |`);
    console.log(`| concurrency 64 | ${rps.direct64} | ${rps.proxied64} |`);
    const added = p.median - d.median;
    console.log(`\ntarget: < 0.2 ms added at the median over loopback: ${added < 0.2 ? 'met' : 'missed'} (${ms(added)}); the handler itself: ${ms(h.through.median - h.bare.median)}`);
    if (JSON_OUT) fs.writeFileSync(JSON_OUT, JSON.stringify({ n: N, direct: d, proxied: p, bare: f, handler: h, rps }, null, 2));
  } finally {
    upstream.child.kill();
    proxy.child.kill();
    bare.child.kill();
  }
}

// ---- child roles ---------------------------------------------------------------------------
if (process.argv[2] === '--role=upstream') {
  const http = await import('node:http');
  const body = Buffer.from(PAGE);
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, 'x-request-id': 'req_bench', ratelimit: '"burst";r=29;t=1' });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
} else if (process.argv[2] === '--role=proxy') {
  const http = await import('node:http');
  const { createProxy, toNodeListener } = await import(`${ROOT}pkg-template/dist/proxy.js`);
  const server = http.createServer(toNodeListener(createProxy({ baseUrl: process.argv[3], apiKey: KEY, basePath: '/vnoir' })));
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
} else if (process.argv[2] === '--role=bare') {
  // The floor for any fetch-based forwarder in Node: no checks, no header work.
  const http = await import('node:http');
  const upstreamUrl = process.argv[3];
  const server = http.createServer(async (req, res) => {
    const r = await fetch(upstreamUrl + req.url.slice('/vnoir'.length), { headers: { 'x-api-key': KEY } });
    const body = Buffer.from(await r.arrayBuffer());
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type'), 'content-length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
} else {
  await main();
}
