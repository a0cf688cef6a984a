// A tour of the wasm VClient in Node against a local Valentina-like server, with faults
// injected so the engine's behaviour is visible: a retried POST that creates exactly one
// company, idempotent replay and conflict, pagination, rate limiting, typed errors, a
// timeout and an abort. Run with `bash scripts/example.sh` (it builds and packs target/npm;
// an installed package is imported as 'vclient').
import { startServer } from '../tests/server/server.mjs';
import {
  VClient, ConflictError, NotFoundError, TimeoutError, AbortError, APIError,
} from '../target/npm/dist/node.js';

const API_KEY = 'example-key-0123456789abcdefghijk';
// flatCompanyFields: false: a new company is answered as the real server does, { company, admin_user }.
const server = await startServer({ port: 0, apiKey: API_KEY, burst: 8, refillPerSecond: 5, maxSeconds: 120, flatCompanyFields: false });
const control = async (path, body) =>
  (await fetch(`${server.url}${path}`, body === undefined ? {} : {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  })).json();

// Settings can come from the environment, as in the reference client.
process.env.VALENTINA_CLIENT_BASE_URL = server.url;
process.env.VALENTINA_CLIENT_API_KEY = API_KEY;

const t0 = Date.now();
const stamp = () => `${String(Date.now() - t0).padStart(5)} ms`;
const logger = (level, message, f) => {
  const bits = [f.method, f.url, f.status && `status=${f.status}`,
    f.attempt && `attempt=${f.attempt}/${f.maxAttempts}`, f.delayMs !== undefined && `wait=${f.delayMs}ms`,
    f.reason && `(${f.reason})`, f.idempotencyKey && `key=${f.idempotencyKey.slice(0, 13)}…`,
    f.requestId && `req=${f.requestId}`].filter(Boolean).join(' ');
  console.log(`  ${stamp()} ${level.padEnd(5)} ${message}${bits ? ': ' + bits : ''}`);
};

const client = new VClient({ autoIdempotencyKeys: true, retryDelay: 0.2, logger, logLevel: 'debug' });
const section = (title) => console.log(`\n== ${title}`);

section('health');
console.log(await client.request('GET', '/api/v1/health'));

section('a POST whose first attempt fails with 503: retried with the same key, one company');
await control('/__faults', { next: [{ status: 503, body: { status: 503, title: 'Service Unavailable' } }] });
const { company } = await client.request('POST', '/api/v1/companies', { json: { name: 'Camarilla of Chicago', email: 'prince@chicago.example' } });
console.log(`created ${company.name} (${company.id})`);
let stats = await control('/__stats');
console.log(`server: companiesCreated=${stats.companiesCreated}`);

section('the same key and body again: the server replays, nothing new is created');
const key = 'example-create-anarchs-1';
const body = { json: { name: 'Anarch Free State', email: 'baron@anarchs.example' }, idempotencyKey: key };
const first = await client.request('POST', '/api/v1/companies', body);
const replay = await client.request('POST', '/api/v1/companies', body);
stats = await control('/__stats');
console.log(`same id: ${first.company.id === replay.company.id}; handler ran ${stats.byIdempotencyKey[key]} time(s)`);

section('the same key with a different body: 409, never retried');
try {
  await client.request('POST', '/api/v1/companies', { ...body, json: { ...body.json, name: 'Changed' } });
} catch (e) {
  console.log(`${e.name} (instanceof ConflictError: ${e instanceof ConflictError}): ${e.message}`);
}

section('pagination');
for (const name of ['Sabbat Pack', 'Giovanni Family', 'Tremere Chantry']) {
  await client.request('POST', '/api/v1/companies', { json: { name, email: 'x@example.com' } });
}
const page = await client.request('GET', '/api/v1/companies', { query: { limit: 2, offset: 2 } });
console.log(`page: offset=${page.offset} limit=${page.limit} total=${page.total} items=${page.items.map((c) => c.name).join(', ')}`);

section('rate limiting: the server says how long to wait (RateLimit header, retry_after body)');
const quiet = new VClient({ retryDelay: 0.05, maxRetries: 6 });
const burstStart = Date.now();
const results = await Promise.all(Array.from({ length: 12 }, () => quiet.request('GET', '/api/v1/health').then(() => 'ok', (e) => e.name)));
const tally = results.reduce((m, r) => ({ ...m, [r]: (m[r] ?? 0) + 1 }), {});
console.log(`12 concurrent GETs against a nearly empty bucket (5 tokens/s), each told when to come back: ${JSON.stringify(tally)} in ${Date.now() - burstStart} ms`);

section('typed errors with RFC 9457 fields');
try {
  await client.request('GET', '/api/v1/companies/01a207e3-3c01-7c21-b553-cb6b81098100');
} catch (e) {
  console.log(`${e.name} status=${e.status} detail=${JSON.stringify(e.detail)} requestId=${e.requestId} instanceof APIError=${e instanceof APIError}`);
  console.log(`  ${e}`);
}

section('a per-call timeout');
await control('/__faults', { next: [{ action: 'hang' }] });
try {
  await client.request('POST', '/api/v1/companies', { json: { name: 'Slow Co', email: 's@x.io' }, timeout: 0.5, idempotencyKey: 'slow-1' });
  console.log('the retry after the timeout succeeded (keyed POSTs are safe to retry)');
} catch (e) {
  console.log(`${e.name}: ${e.message} (instanceof TimeoutError: ${e instanceof TimeoutError})`);
}

section('an abort during a backoff sleep');
await control('/__faults', { next: [{ status: 503 }, { status: 503 }] });
try {
  await new VClient({ retryDelay: 5 }).request('GET', '/api/v1/health', { signal: AbortSignal.timeout(300) });
} catch (e) {
  console.log(`${e.name} after ${e.attempts} attempt(s) (instanceof AbortError: ${e instanceof AbortError})`);
}
await control('/__faults', { next: [] });

await client.close();
await quiet.close();
console.log(`\nclient closed: ${client.isClosed}; ${client}`);
await server.close();
