// Per-request overhead of VClient over raw fetch, on a mocked fetch that answers at once
// (so only client work is measured). Sequential requests after a warm-up; prints the
// median and p99 of per-batch means. Run: node bench/overhead.mjs (after scripts/package.sh)
import { VClient } from '../target/npm/dist/node.js';

const BODY = JSON.stringify({ id: '01a207e3-3c01-7c21-b553-cb6b81098100', name: 'Camarilla', email: 'p@x.io' });
const headers = { 'content-type': 'application/json', 'x-request-id': 'req_abcdefghijklmnopqrstuv' };
const mockFetch = async () => new Response(BODY, { status: 200, headers });

const WARMUP = 5_000, BATCHES = 40, PER_BATCH = 500;
async function measure(label, once) {
  for (let i = 0; i < WARMUP; i++) await once();
  const means = [];
  for (let b = 0; b < BATCHES; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < PER_BATCH; i++) await once();
    means.push(Number(process.hrtime.bigint() - t0) / 1000 / PER_BATCH);
  }
  means.sort((a, b) => a - b);
  const median = means[Math.floor(means.length / 2)], p99 = means[Math.floor(means.length * 0.99)];
  return { label, median, p99 };
}

const client = new VClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'bench-key', fetch: mockFetch });
const raw = await measure('raw fetch + json()', async () => (await mockFetch('http://127.0.0.1:1/api/v1/companies/x', {
  headers: { accept: 'application/json', 'x-api-key': 'bench-key' },
})).json());
const get = await measure('VClient GET', () => client.request('GET', '/api/v1/companies/x'));
const post = await measure('VClient POST json + key', () => client.request('POST', '/api/v1/companies', {
  json: { name: 'Camarilla', email: 'p@x.io' }, idempotencyKey: 'bench-key-1',
}));
for (const r of [raw, get, post]) {
  const over = r === raw ? '' : `  overhead +${(r.median - raw.median).toFixed(1)} µs`;
  console.log(`${r.label.padEnd(26)} median ${r.median.toFixed(1).padStart(6)} µs  p99 ${r.p99.toFixed(1).padStart(6)} µs${over}`);
}
