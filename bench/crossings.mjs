// Counts JS↔wasm crossings (JS calling a wasm export, or wasm calling a JS import) for one
// successful `client.request('GET')` and one `client.system.health()`, on a mocked fetch.
// Usage: node bench/crossings.mjs [dist dir]   (default target/npm/dist, from scripts/package.sh)
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = path.resolve(process.argv[2] ?? 'target/npm/dist');
let counting = false;
let count = 0;
const counted = (fn) => function crossing(...args) {
  if (counting) count++;
  return fn.apply(this, args);
};
// Wrap both directions of the instance the glue makes (the Node entry uses initSync, which
// constructs a WebAssembly.Instance).
const Instance = WebAssembly.Instance;
WebAssembly.Instance = function CountingInstance(module, imports) {
  const wrapped = {};
  for (const [ns, fns] of Object.entries(imports)) {
    wrapped[ns] = Object.fromEntries(Object.entries(fns).map(([k, v]) => [k, typeof v === 'function' ? counted(v) : v]));
  }
  const real = new Instance(module, wrapped);
  return { exports: Object.fromEntries(Object.entries(real.exports).map(([k, v]) => [k, typeof v === 'function' ? counted(v) : v])) };
};
const { VClient } = await import(pathToFileURL(path.join(dist, 'node.js')).href);
WebAssembly.Instance = Instance;

const HEALTH = { database_status: 'online', cache_status: 'online', database_latency_ms: 1, cache_latency_ms: 1, uptime: '1d', version: '1' };
const fetch = async () => new Response(JSON.stringify(HEALTH), { status: 200, headers: { 'content-type': 'application/json', 'x-request-id': 'req_1' } });
const client = new VClient({ baseUrl: 'https://x.test', apiKey: 'k'.repeat(32), fetch, setAsDefault: false, maxRetries: 0 });

async function crossings(what, call) {
  await call(); // warm: one-time lookups and caches are not per call
  count = 0;
  counting = true;
  await call();
  counting = false;
  console.log(`${what.padEnd(40)} ${count} crossings`);
  return count;
}
console.log(`# ${dist}`);
await crossings("client.request('GET', path)", () => client.request('GET', '/api/v1/health'));
await crossings("client.request('GET', path, {query, signal})", () => client.request('GET', '/api/v1/health', { query: { a: 1 }, signal: new AbortController().signal }));
await crossings('client.system.health()', () => client.system.health());
await client.close();
