// The per-attempt seam (src/js/attempt.js) through the built package in Node: an attempt and
// a sleep each cost a handful of JS↔wasm crossings; what fetch receives is the header layering
// the README describes; no timer or listener outlives its attempt or sleep, however it ends.
// Run: node --test tests/seam/   (needs target/npm from scripts/package.sh)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { countCrossings } from '../../bench/lib/count.mjs';

const counter = countCrossings();
const { VClient, ClientClosedError, TimeoutError, AbortError } = await import('../../target/npm/dist/node.js');

const KEY = 'seam-test-key-0123456789abcdefghij';
const BODY = '{"ok":true}';
const json = (status, body = BODY, headers = {}) =>
  new Response(body, { status, headers: { 'content-type': 'application/json', 'x-request-id': 'req_1', ...headers } });

/** A fetch that answers each call with the next status (the last repeats) and records the calls. */
function scripted(...statuses) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, init });
    const status = statuses[Math.min(calls.length - 1, statuses.length - 1)];
    // Failures without a body: what is measured is the attempt, not the problem-details reading.
    return status < 300 ? json(status) : new Response(null, { status });
  };
  return { fetch, calls };
}

/** A fetch that never answers until its signal aborts. */
const hanging = async (_url, init) => new Promise((_, reject) => {
  init.signal.addEventListener('abort', () => reject(init.signal.reason));
});

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
const client = (fetch, extra = {}) =>
  new VClient({ baseUrl: 'http://127.0.0.1:9', apiKey: KEY, fetch, setAsDefault: false, ...extra });

test('an attempt and a retry sleep cost a few crossings, not dozens', async () => {
  const once = scripted(200);
  const retried = scripted(503, 503, 200);
  const a = client(once.fetch);
  const b = client(retried.fetch, { retryDelay: 0.001, jitter: 'none', retryBudget: false });
  for (let i = 0; i < 5; i++) await a.request('GET', '/api/v1/health'); // warm-up
  const one = await counter.during(() => a.request('GET', '/api/v1/health'));
  retried.calls.length = 0;
  const three = await counter.during(() => b.request('GET', '/api/v1/health'));
  assert.equal(retried.calls.length, 3);
  // Before the seam a retry (a failed attempt and its sleep) took 81 crossings, 37 after it;
  // now it is two steps of the engine: the failed attempt's outcome, the sleep's end.
  const steps = (r) => r.byKey['export:vclient_step'] ?? 0;
  assert.equal(steps(three) - steps(one), 4, JSON.stringify(three.byKey));
  assert.ok(three.total - one.total <= 6, `two retries took ${three.total - one.total} more crossings: ${JSON.stringify(three.byKey)}`);
  // The whole successful call, its argument reading included: 84 before the seam, 41 after,
  // 26 once call.js read the arguments in JS, 4 with the driver in JS: into `request` and
  // out to drive.js, the engine's first step (begin) and the outcome.
  assert.deepEqual(one.byKey, {
    'export:vclient_request': 1, 'import:request': 1, 'export:vclient_begin': 1, 'export:vclient_step': 1,
  });
  await a.close();
  await b.close();
});

test('fetch sees the client headers, then the call headers, then the key, which always wins', async () => {
  const { fetch, calls } = scripted(201);
  const c = client(fetch, { headers: { 'X-Client': 'client', 'Content-Type': 'text/plain', 'X-Both': 'client' }, userAgent: 'seam/1' });
  await c.request('POST', '/api/v1/companies', {
    json: { name: 'n' }, onBehalfOf: 'user-1', idempotencyKey: 'key-1',
    headers: { 'x-both': 'call', 'X-API-KEY': 'not-the-key', 'X-Call': 'call' },
  });
  const { url, init } = calls[0];
  assert.equal(url, 'http://127.0.0.1:9/api/v1/companies');
  assert.equal(init.method, 'POST');
  assert.equal(init.redirect, 'manual');
  assert.ok(init.signal instanceof AbortSignal);
  assert.equal(init.body, '{"name":"n"}');
  assert.ok(init.headers instanceof Headers);
  assert.deepEqual(Object.fromEntries(init.headers), {
    accept: 'application/json',
    'user-agent': 'seam/1',
    'x-client': 'client',
    // The client's Content-Type is kept: the JSON default only fills a gap.
    'content-type': 'text/plain',
    'x-both': 'call',
    'x-call': 'call',
    'on-behalf-of': 'user-1',
    'idempotency-key': 'key-1',
    'x-api-key': KEY,
  });
  // The template is per client: a second call starts from it again, not from the first call's headers.
  await c.request('GET', '/api/v1/health');
  assert.deepEqual(Object.fromEntries(calls[1].init.headers), {
    accept: 'application/json', 'user-agent': 'seam/1', 'x-client': 'client', 'content-type': 'text/plain',
    'x-both': 'client', 'x-api-key': KEY,
  });
  await c.close();
});

test('a key-less client sends no X-API-KEY and refuses one in call headers', async () => {
  const { fetch, calls } = scripted(200);
  const c = client(fetch, { apiKey: false });
  await c.request('GET', '/api/v1/health');
  assert.equal(calls[0].init.headers.has('x-api-key'), false);
  await assert.rejects(c.request('GET', '/api/v1/health', { headers: { 'x-api-key': 'k' } }), /must not set X-API-KEY/);
  await c.close();
});

test('no timer or abort listener outlives an attempt or a sleep', async () => {
  const baseline = timers();
  const signal = new AbortController().signal;
  const ok = client(scripted(200).fetch);
  await Promise.all(Array.from({ length: 8 }, () => ok.request('GET', '/x', { signal })));
  for (let i = 0; i < 5; i++) await ok.request('GET', '/x', { signal });
  assert.equal(getEventListeners(signal, 'abort').length, 0, 'after successes');
  assert.equal(timers(), baseline, 'after successes');

  // Retries: each failed attempt and each sleep cleans up too.
  const flaky = client(scripted(503, 200).fetch, { retryDelay: 0.001 });
  await flaky.request('GET', '/x', { signal });
  assert.equal(getEventListeners(signal, 'abort').length, 0, 'after a retry');
  assert.equal(timers(), baseline, 'after a retry');

  // A per-attempt timeout.
  const slow = client(hanging, { timeout: 0.02, maxRetries: 0 });
  await assert.rejects(slow.request('GET', '/x', { signal }), TimeoutError);
  assert.equal(getEventListeners(signal, 'abort').length, 0, 'after a timeout');
  assert.equal(timers(), baseline, 'after a timeout');

  // The caller's abort, in flight.
  const user = new AbortController();
  const pending = slow.request('GET', '/x', { signal: user.signal, timeout: 30 });
  await new Promise((r) => setImmediate(r));
  user.abort();
  await assert.rejects(pending, AbortError);
  assert.equal(getEventListeners(user.signal, 'abort').length, 0, 'after an abort');
  assert.equal(timers(), baseline, 'after an abort');

  // close() with attempts and sleeps in flight.
  const closing = client(hanging, { timeout: 30 });
  const sleeping = client(scripted(503).fetch, { retryDelay: 20, jitter: 'none' });
  const inFlight = [
    ...Array.from({ length: 5 }, () => closing.request('GET', '/x', { signal })),
    ...Array.from({ length: 5 }, () => sleeping.request('GET', '/x', { signal })),
  ];
  await new Promise((r) => setTimeout(r, 20));
  await closing.close();
  await sleeping.close();
  for (const p of inFlight) await assert.rejects(p, ClientClosedError);
  assert.equal(getEventListeners(signal, 'abort').length, 0, 'after close()');
  assert.equal(timers(), baseline, 'after close()');
  await ok.close();
  await flaky.close();
  await slow.close();
});

test('an attempt started on a closed client or an aborted signal sends nothing', async () => {
  const { fetch, calls } = scripted(200);
  const c = client(fetch);
  await assert.rejects(c.request('GET', '/x', { signal: AbortSignal.abort() }), AbortError);
  await c.close();
  await assert.rejects(c.request('GET', '/x'), ClientClosedError);
  assert.equal(calls.length, 0);
});

test('options cost no crossing each: they are read in JS and handed over as plain values', async () => {
  const { fetch } = scripted(200);
  const c = client(fetch);
  const plain = await counter.during(() => c.request('GET', '/api/v1/health'));
  const signal = new AbortController().signal;
  const init = {
    query: { limit: 10, offset: 20, name: ['a', 'b'], on: new Date(0) },
    signal, timeout: 5, headers: { 'x-a': '1', 'x-b': '2' }, maxRetries: 1,
  };
  const rich = await counter.during(() => c.request('GET', '/api/v1/health', init));
  // Before call.js: 188 with {query, signal} alone. Now a few for the signal and the strings.
  assert.ok(rich.total - plain.total <= 4, `options added ${rich.total - plain.total} crossings: ${JSON.stringify(rich.byKey)}`);
  const post = await counter.during(() => c.request('POST', '/api/v1/x', { json: { a: [1, 2] }, idempotencyKey: 'k-1' }));
  assert.ok(post.total - plain.total <= 4, `a JSON POST added ${post.total - plain.total} crossings: ${JSON.stringify(post.byKey)}`);
  await c.close();
});

test('a getter that grows wasm memory mid-read does not scramble the call it is read for', async () => {
  const { fetch, calls } = scripted(200);
  const c = client(fetch);
  const other = client(scripted(200).fetch);
  const init = {
    get json() {
      // A nested call copies a 4 MB path into wasm memory, which grows it: the view of
      // memory the outer read writes its numbers into is detached by then.
      other.request('GET', '/' + 'a'.repeat(4 << 20)).catch(() => {});
      return { n: 1 };
    },
    idempotencyKey: 'grow-1',
    maxRetries: 0,
  };
  await c.request('PATCH', '/api/v1/x', init);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].init.method, 'PATCH');
  assert.equal(calls[0].init.body, '{"n":1}');
  assert.equal(calls[0].init.headers.get('idempotency-key'), 'grow-1');
  await c.close();
  await other.close();
});

test('a failed call builds its error in one call into JS, with every field', async () => {
  const problem = JSON.stringify({
    status: 400, title: 'Bad Request', detail: 'bad', instance: 'http://x/api/v1/x', request_id: 'req_9',
    invalid_parameters: [{ field: 'name', message: 'required' }, { message: 'no field' }],
  });
  const fetch = async () => new Response(problem, { status: 400, headers: { 'content-type': 'application/problem+json' } });
  const c = client(fetch, { maxRetries: 0 });
  for (let i = 0; i < 3; i++) await c.request('GET', '/api/v1/x').catch(() => {});
  let e;
  const r = await counter.during(async () => { e = await c.request('GET', '/api/v1/x').catch((x) => x); });
  assert.equal(e.name, 'ValidationError');
  assert.deepEqual({ ...e }, {
    method: 'GET', url: '/api/v1/x', attempts: 1, requestId: 'req_9', status: 400, title: 'Bad Request',
    detail: 'bad', instance: 'http://x/api/v1/x', code: null,
    invalidParameters: [{ field: 'name', message: 'required' }, { message: 'no field' }],
    retryAfter: null, remaining: null,
  });
  // Field by field from wasm this error took 128 crossings; built in errors.js, 78. Now the
  // driver builds it from the engine's last answer, and what is left is the engine reading the
  // problem details from the parsed body.
  assert.equal(r.byKey['export:vclient_step'], 1, JSON.stringify(r.byKey));
  assert.ok(!Object.keys(r.byKey).some((k) => /callError|makeError/.test(k)), JSON.stringify(r.byKey));
  assert.ok(r.total <= 60, `a failed call took ${r.total} crossings: ${JSON.stringify(r.byKey)}`);
  await c.close();
});

test('a retry stopped by the budget wraps the last error, message composed in JS', async () => {
  const fetch = async () => new Response(null, { status: 503 });
  const c = client(fetch, { retryBudget: 5, retryDelay: 0.001, jitter: 'none', maxRetries: 3 });
  const first = await c.request('GET', '/api/v1/x').catch((x) => x);
  const e = first.name === 'RetryBudgetExhaustedError' ? first : await c.request('GET', '/api/v1/x').catch((x) => x);
  assert.equal(e.name, 'RetryBudgetExhaustedError');
  assert.equal(e.cause.name, 'ServerError');
  assert.equal(e.status, 503);
  assert.match(e.message, /^GET \/api\/v1\/x: not retried, the client's retry budget is exhausted \(too many recent failures\); last error: \[503\]/);
  await c.close();
});

test('a log event is built in one call into JS, with its fields in order', async () => {
  const { fetch } = scripted(503, 200);
  const events = [];
  const logger = (level, message, fields) => events.push({ level, message, fields });
  const c = client(fetch, { logger, logLevel: 'debug', retryDelay: 0.001, jitter: 'none', retryBudget: false });
  await c.request('GET', '/api/v1/health');
  events.length = 0;
  const quiet = client(scripted(200).fetch, { logger, logLevel: 'error' });
  await quiet.request('GET', '/api/v1/health');
  const silent = await counter.during(() => quiet.request('GET', '/api/v1/health'));
  const loud = await counter.during(() => c.request('GET', '/api/v1/health'));
  const sent = events.filter((e) => e.message === 'Send request');
  assert.ok(sent.length >= 1, JSON.stringify(events));
  assert.deepEqual(Object.keys(sent[0].fields), ['method', 'url', 'attempt', 'maxAttempts', 'elapsedMs', 'callId']);
  assert.equal(sent[0].fields.method, 'GET');
  const perEvent = (loud.total - silent.total) / events.length;
  // Field by field from wasm an event took about 25 crossings.
  assert.ok(perEvent <= 3, `${perEvent} crossings per event: ${JSON.stringify(loud.byKey)}`);
  // A logger that throws breaks nothing.
  const bad = client(scripted(200).fetch, { logger: () => { throw new Error('logger down'); }, logLevel: 'debug' });
  assert.deepEqual(await bad.request('GET', '/api/v1/health'), { ok: true });
  for (const x of [c, quiet, bad]) await x.close();
});
