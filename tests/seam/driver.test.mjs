// The JS driver (src/js/drive.js) and the buffers it shares with the engine (src/js/wire.js,
// src/js/steps.rs), through the built package in Node: values larger than the buffers, a call
// started from inside another call's step, a client nobody holds any more, the listings.
// Run: node --test tests/seam/   (needs target/npm from scripts/package.sh)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const { VClient, Paginator, ValidationError } = await import('../../target/npm/dist/node.js');

const BASE = 'http://127.0.0.1:9';
const KEY = 'driver-test-key-0123456789abcdefghij';
const ok = (body = '{"ok":true}') => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
const client = (fetch, extra = {}) => new VClient({ baseUrl: BASE, apiKey: KEY, fetch, setAsDefault: false, ...extra });

test('values larger than the shared buffers cross whole, both ways', async () => {
  const seen = [];
  const c = client(async (url, init) => {
    seen.push({ url, init });
    return ok();
  });
  // Past the first 1 KiB text buffer going in (the arguments) and coming out (the attempt).
  const long = 'v'.repeat(5000);
  const wide = 'ü€𝄞'.repeat(700);
  await c.request('GET', '/api/v1/x', { headers: { 'X-Long': long }, query: { q: wide, r: long } });
  assert.equal(seen.length, 1);
  assert.equal(seen[0].init.headers.get('x-long'), long);
  const query = new URL(seen[0].url).searchParams;
  assert.equal(query.get('q'), wide);
  assert.equal(query.get('r'), long);
  // And a long error message coming out of a failed call (2,000 characters: the longest
  // field the problem-details reader keeps whole), with characters of two, three and four
  // bytes (the last two UTF-16 units each).
  const detail = 'dé€𝄞'.repeat(500);
  const failing = client(async () => new Response(JSON.stringify({ status: 400, detail }), {
    status: 400, headers: { 'content-type': 'application/problem+json' },
  }), { maxRetries: 0 });
  const e = await failing.request('GET', '/api/v1/x').catch((x) => x);
  assert.ok(e instanceof ValidationError);
  assert.equal(e.detail, detail);
  await c.close();
  await failing.close();
});

test('in Node a body of declared length is read by chunks, not with arrayBuffer()', async () => {
  // undici's arrayBuffer() costs more; browsers read such a body whole (src/js/attempt.js).
  const c = client(async () => {
    const body = '{"ok":true}';
    const r = new Response(body, { status: 200, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } });
    r.arrayBuffer = () => Promise.reject(new Error('read by chunks instead'));
    return r;
  });
  assert.deepEqual(await c.request('GET', '/api/v1/x'), { ok: true });
  await c.close();
});

test('calls go on after wasm memory grew under the buffers\' views', async () => {
  const seen = [];
  const c = client(async (url) => {
    seen.push(url);
    return ok();
  });
  await c.request('GET', '/api/v1/a');
  // Megabytes of text: the text buffer moves and wasm memory grows, which detaches every
  // view JS holds of it (the number slots' too); each must be made anew, not read as empty.
  const huge = 'h'.repeat(3_000_000);
  await c.request('GET', '/api/v1/b', { query: { q: huge } });
  await c.request('GET', '/api/v1/c', { query: { n: 1 } });
  assert.equal(seen.length, 3);
  assert.equal(new URL(seen[1]).searchParams.get('q'), huge);
  assert.equal(seen[2], `${BASE}/api/v1/c?n=1`);
  await c.close();
});

test('a call started by the logger inside another call\'s step loses nothing', async () => {
  const sent = [];
  let nested;
  let c;
  const logger = (level, message, fields) => {
    // Inside the upload's first step, after the engine built its body: a call of the same
    // client, nested in that step.
    if (message === 'Send request' && fields.method === 'POST' && nested === undefined) {
      nested = c.request('GET', '/api/v1/nested');
    }
  };
  c = client(async (url, init) => {
    sent.push({ url, init, type: init.headers.get('content-type') });
    return ok();
  }, { logger, logLevel: 'debug' });
  await c.request('POST', '/api/v1/upload', { file: { data: 'hello', filename: 'a.txt' } });
  assert.ok(nested, 'the logger started a call');
  assert.deepEqual(await nested, { ok: true });
  const upload = sent.find((s) => s.url.endsWith('/upload'));
  assert.ok(upload.init.body instanceof Blob, 'the upload kept the body the engine built');
  assert.match(upload.type, /^multipart\/form-data; boundary=/);
  assert.match(await upload.init.body.text(), /filename="a.txt"[\s\S]*hello/);
  await c.close();
});

test('a call started by the logger while another call is being stepped gets its own id', async () => {
  const bodies = { '/api/v1/outer': '{"who":"outer"}', '/api/v1/inner': '{"who":"inner"}' };
  let outerAttempts = 0;
  let inner;
  let c;
  // Logged while the outer call's failed attempt is being decided (its step runs): the
  // call started here must not take the outer call's place.
  const logger = (level, message) => {
    if (message === 'Retry after server error' && inner === undefined) inner = c.request('GET', '/api/v1/inner');
  };
  c = client(async (url) => {
    const path = new URL(url).pathname;
    if (path === '/api/v1/outer' && ++outerAttempts === 1) return new Response(null, { status: 503 });
    return ok(bodies[path]);
  }, { logger, logLevel: 'warn', retryDelay: 0.001, jitter: 'none' });
  const outer = await c.request('GET', '/api/v1/outer');
  assert.deepEqual(outer, { who: 'outer' });
  assert.ok(inner, 'the logger started a call');
  assert.deepEqual(await inner, { who: 'inner' });
  assert.equal(outerAttempts, 2);
  await c.close();
});

test('a call of a client nobody holds any more still ends, and later clients work', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  let answer;
  const pending = (() => {
    const c = client(() => new Promise((resolve) => { answer = () => resolve(ok('{"late":true}')); }));
    return c.request('GET', '/api/v1/slow');
  })();
  // The client object is unreachable now: collect it and let its finalizer run.
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  answer();
  assert.deepEqual(await pending, { late: true });
  const later = client(async () => ok());
  assert.deepEqual(await later.request('GET', '/api/v1/x'), { ok: true });
  await later.close();
});

test('listings cross a handful of times per page, and a Paginator is made by paginate() only', async () => {
  const page = (offset) => JSON.stringify({ items: [offset, offset + 1], limit: 2, offset, total: 4 });
  const c = client(async (url) => ok(page(Number(new URL(url).searchParams.get('offset')))));
  assert.deepEqual(await c.listAll('/api/v1/x', { pageSize: 2 }), [0, 1, 2, 3]);
  const got = [];
  for await (const item of c.paginate('/api/v1/x', { pageSize: 2 })) got.push(item);
  assert.deepEqual(got, [0, 1, 2, 3]);
  const first = await c.getPage('/api/v1/x', { query: { limit: 2 } });
  assert.equal(first.hasMore, true);
  assert.equal(first.nextOffset, 2);
  assert.throws(() => new Paginator(), TypeError);
  await c.close();
});
