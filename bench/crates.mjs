// JS↔wasm crossings and µs on the two paths the runtime crates would touch: making an
// Idempotency-Key (getrandom's `wasm_js` backend; `uuid`) and one backoff sleep between
// attempts (the registry in src/js/attempt.js; `gloo-timers` was measured against it). Built
// package, Node, a local node:http server. README "### Dependencies" quotes these numbers.
//
//   node bench/crates.mjs [--dist=target/npm/dist]
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { countCrossings } from './lib/count.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const arg = (name) => process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const DIST = path.resolve(arg('dist') ?? path.join(BENCH, '../target/npm/dist'));

const counter = countCrossings();
const { VClient } = await import(pathToFileURL(path.join(DIST, 'node.js')).href);

// `/flaky` answers 503 to every other request, so each call is two attempts and one sleep.
let hits = 0;
const server = http.createServer((req, res) => {
  req.resume();
  const fail = req.url.startsWith('/flaky') && hits++ % 2 === 0;
  res.writeHead(fail ? 503 : 200, { 'content-type': 'application/json' });
  res.end('{"ok":true}');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const client = new VClient({
  baseUrl: `http://127.0.0.1:${server.address().port}`, apiKey: 'bench-api-key-0123456789abcdefghij',
  setAsDefault: false, autoIdempotencyKeys: true, retryDelay: 0.001, jitter: 'none',
});
const calls = {
  "request('POST') with a manual key": () => client.request('POST', '/x', { json: {}, idempotencyKey: 'k-0001' }),
  "request('POST') with a generated key": () => client.request('POST', '/x', { json: {} }),
  "request('GET'), 503 then 200 (one sleep)": () => client.request('GET', '/flaky'),
};
console.log(`| Call | crossings | µs per call (median of 200) |\n|---|---|---|`);
for (const [name, call] of Object.entries(calls)) {
  for (let i = 0; i < 20; i++) await call();
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push((await counter.during(call)).total);
  const times = [];
  for (let i = 0; i < 200; i++) { const t = performance.now(); await call(); times.push(performance.now() - t); }
  times.sort((a, b) => a - b);
  console.log(`| ${name} | ${Math.min(...runs)} | ${(times[100] * 1000).toFixed(0)} |`);
}
await client.close();
server.close();
