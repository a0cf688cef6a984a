// Security properties of the wasm build in Node, against loopback servers:
// secrets never leak (logs, messages, toString, JSON.stringify, stacks, causes), a redirect
// never carries X-API-KEY anywhere, idempotency keys come only from Web Crypto, CR/LF in
// header values is refused before anything is sent, and no options object (fuzzed) traps
// the instance.
// Run: node --test tests/security/   (needs target/npm from scripts/package.sh)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { inspect } from 'node:util';
import * as vclient from '../../target/npm/dist/node.js';

const {
  VClient, VClientError, APIError, ConfigurationError, RequestValidationError,
} = vclient;

const KEY = 'SECRET-api-key-do-not-leak-7f3a9c';
const OBO = '01a207e3-dead-7000-8000-00000000beef';

// A server that records every request and answers by path.
function recorder(handler) {
  const seen = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { seen.push({ method: req.method, url: req.url, headers: req.headers, body }); handler(req, res, body); });
  });
  return { srv, seen };
}
const listen = (srv) => new Promise((r) => srv.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${srv.address().port}`)));

let api; let thief; let apiUrl; let thiefUrl;
before(async () => {
  thief = recorder((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"stolen":true}'); });
  thiefUrl = await listen(thief.srv);
  api = recorder((req, res, body) => {
    const send = (status, obj, headers = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_sec', ...headers });
      res.end(obj === undefined ? '' : JSON.stringify(obj));
    };
    const path = req.url.split('?')[0];
    if (path.startsWith('/redirect/')) {
      const status = Number(path.split('/')[2]);
      return send(status, { moved: true }, { location: `${thiefUrl}/steal` });
    }
    if (path === '/redirect-same') return send(302, {}, { location: '/ok' });
    if (path === '/401') return send(401, { status: 401, title: 'Unauthorized', detail: 'Unauthorized API key' });
    if (path === '/503') return send(503, { status: 503, title: 'Service Unavailable', detail: 'busy' });
    if (path === '/400') return send(400, { status: 400, title: 'Bad Request', detail: 'bad', invalid_parameters: [{ field: 'name', message: 'x' }] });
    if (path === '/hang') return; // never answers
    if (path === '/echo') return send(200, { headers: req.headers, body });
    return send(200, { ok: true });
  });
  apiUrl = await listen(api.srv);
});
after(() => {
  for (const s of [api.srv, thief.srv]) { s.closeAllConnections?.(); s.close(); }
});

const client = (extra = {}) => new VClient({
  baseUrl: apiUrl, apiKey: KEY, setAsDefault: false, retryDelay: 0.01, timeout: 0.3, ...extra,
});

function everythingAbout(e) {
  const parts = [String(e), e.message, e.stack, JSON.stringify(e), inspect(e, { depth: 5, showHidden: true })];
  let c = e.cause;
  for (let i = 0; c && i < 5; i++, c = c.cause) parts.push(String(c), c.message ?? '', c.stack ?? '', inspect(c, { depth: 3 }));
  return parts.join('\n');
}
const leaks = (text) => text.includes(KEY) || text.includes(OBO);

test('the API key and On-Behalf-Of never appear in errors, logs or toString', async () => {
  const events = [];
  const logger = (level, message, fields) => events.push(JSON.stringify({ level, message, fields }));
  const c = client({ logger, logLevel: 'debug', autoIdempotencyKeys: true, maxRetries: 1 });
  const failures = [];
  const attempt = (p) => p.then(() => assert.fail('expected a failure'), (e) => failures.push(e));
  await attempt(c.request('GET', '/401', { onBehalfOf: OBO }));
  await attempt(c.request('POST', '/503', { onBehalfOf: OBO, json: { a: 1 } }));
  await attempt(c.request('PATCH', '/400', { onBehalfOf: OBO, json: { a: 1 } }));
  await attempt(c.request('GET', '/hang', { onBehalfOf: OBO }));
  await attempt(c.request('GET', '/redirect/307', { onBehalfOf: OBO }));
  await attempt(c.request('GET', '/ok', { onBehalfOf: OBO, signal: AbortSignal.abort(new Error('stop')) }));
  await attempt(c.request('GET', '/ok', { onBehalfOf: OBO, headers: { 'X-Bad': 'a\nb' } }));
  await attempt(c.users(OBO, { companyId: 'co-1' }).get('u-1', { headers: { 'X-Bad': 'a\rb' } }));
  const refused = new VClient({ baseUrl: 'http://127.0.0.1:1', apiKey: KEY, setAsDefault: false, maxRetries: 0 });
  await attempt(refused.request('GET', '/x', { onBehalfOf: OBO }));
  for (const bad of [{ apiKey: `${KEY}\n` }, { apiKey: KEY, baseUrl: 'ftp://x' }, { apiKey: KEY, baseUrl: apiUrl, headers: { 'X-A': `${KEY}\r\n` } }]) {
    try { new VClient({ baseUrl: apiUrl, setAsDefault: false, ...bad }); assert.fail('expected a ConfigurationError'); } catch (e) { failures.push(e); }
  }
  await c.close();
  assert.equal(failures.length, 12);
  for (const e of failures) {
    assert.ok(e instanceof VClientError, `${e?.name}: ${e?.message}`);
    assert.ok(!leaks(everythingAbout(e)), `leak in ${e.name}: ${everythingAbout(e)}`);
  }
  assert.ok(events.length >= 10, 'the logger saw the calls');
  assert.ok(!leaks(events.join('\n')), events.join('\n'));
  for (const text of [String(c), c.toString(), JSON.stringify(c), inspect(c, { depth: 5, showHidden: true })]) {
    assert.ok(!leaks(text), text);
  }
  // The key did go where it belongs: the API saw it.
  assert.ok(api.seen.some((r) => r.headers['x-api-key'] === KEY && r.headers['on-behalf-of'] === OBO));
});

test('a redirect to another origin never carries X-API-KEY (nor is followed at all)', async () => {
  const c = client({ maxRetries: 2 });
  for (const status of [301, 302, 303, 307, 308]) {
    const before = thief.seen.length;
    const e = await c.request('POST', `/redirect/${status}`, { json: { a: 1 }, idempotencyKey: `k-${status}` }).catch((x) => x);
    assert.ok(e instanceof APIError, `${status}: ${e}`);
    assert.equal(e.status, status);
    assert.equal(e.attempts, 1, 'a redirect is never retried');
    assert.equal(thief.seen.length, before, `the other origin got a request after a ${status}`);
  }
  // Same-origin redirects are not followed either: the caller sees them.
  const same = await c.request('GET', '/redirect-same').catch((x) => x);
  assert.equal(same.status, 302);
  assert.equal(thief.seen.filter((r) => r.headers['x-api-key']).length, 0);
});

test('idempotency keys come from crypto.getRandomValues, never Math.random', async () => {
  const c = client({ autoIdempotencyKeys: true });
  const realRandom = Math.random;
  const realGet = crypto.getRandomValues;
  let cryptoCalls = 0;
  Math.random = () => 0.5; // a constant: keys made from it would repeat
  crypto.getRandomValues = function (buf) { cryptoCalls++; return realGet.call(crypto, buf); };
  try {
    const keys = [];
    for (let i = 0; i < 20; i++) {
      const out = await c.request('POST', '/echo', { json: { i } });
      keys.push(out.headers['idempotency-key']);
    }
    assert.equal(new Set(keys).size, 20, 'every call has its own key');
    assert.ok(cryptoCalls >= 20, `crypto.getRandomValues called ${cryptoCalls} times`);
    for (const k of keys) assert.match(k, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Without Web Crypto there is no key, and so no request: never a weaker fallback.
    crypto.getRandomValues = () => { throw new Error('no entropy'); };
    const before = api.seen.length;
    const e = await c.request('POST', '/echo', { json: { x: 1 } }).catch((x) => x);
    assert.ok(e instanceof VClientError, String(e));
    assert.match(e.message, /cryptographic/);
    assert.equal(api.seen.length, before, 'nothing was sent');
  } finally {
    Math.random = realRandom;
    crypto.getRandomValues = realGet;
  }
});

test('CR/LF and other control characters in header values are refused before sending', async () => {
  const c = client();
  const before = api.seen.length;
  const cases = [
    [{ headers: { 'X-Trace': 'a\r\nX-Injected: 1' } }, 'headers'],
    [{ headers: [['X-Trace', 'a\nb']] }, 'headers'],
    [{ headers: { 'X-Trace': 'a\u0000b' } }, 'headers'],
    [{ onBehalfOf: 'user\r\nX-Injected: 1' }, 'onBehalfOf'],
    [{ idempotencyKey: 'key\nX-Injected: 1', json: {} }, 'idempotencyKey'],
    [{ headers: { 'Bad Name': 'x' } }, 'headers'],
  ];
  for (const [init, field] of cases) {
    const e = await c.request('POST', '/echo', init).catch((x) => x);
    assert.ok(e instanceof RequestValidationError, `${JSON.stringify(init)}: ${e}`);
    assert.equal(e.field, field, e.message);
  }
  assert.equal(api.seen.length, before, 'nothing was sent');
  for (const headers of [{ 'X-A': 'a\r\nb' }, [['X-A', '\n']]]) {
    assert.throws(() => client({ headers }), (e) => e instanceof ConfigurationError && e.option === 'headers');
  }
});

// A small deterministic PRNG so a failure names a reproducible case.
function prng(seed) {
  let s = seed >>> 0;
  return () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32; };
}

test('fuzzed options objects: a ConfigurationError or a client, never a trap', async () => {
  const names = ['baseUrl', 'apiKey', 'timeout', 'totalTimeout', 'maxRetries', 'retryDelay', 'maxRetryDelay',
    'jitter', 'autoRetryRateLimit', 'autoIdempotencyKeys', 'retryStatuses', 'defaultCompanyId', 'headers',
    'fetch', 'logger', 'logLevel', 'userAgent', 'env', 'setAsDefault', 'retryBudget', 'pacing', 'maxResponseBytes',
    'bogus', '__proto__', 'constructor', ''];
  const values = [undefined, null, true, false, 0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, 1e308, '', ' ', 'x',
    'http://127.0.0.1:1', 'https://a.example/', 'javascript:alert(1)', '\r\n', '\u0000', 'é€😀', 'additive', 'debug',
    [], [429], [1e9], ['a'], [['X-A', 'b']], [[1, 2]], {}, { 'X-A': 'b' }, { 'X-A': 1 }, { toString: 1 },
    () => {}, Symbol('s'), 10n, new Date(0), new Map(), Object.create(null), new Proxy({}, {}), console];
  const rnd = prng(20261123);
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  let made = 0; let refused = 0;
  for (let i = 0; i < 3000; i++) {
    const o = { baseUrl: apiUrl, apiKey: KEY, setAsDefault: false };
    const n = 1 + Math.floor(rnd() * 4);
    for (let j = 0; j < n; j++) Object.defineProperty(o, pick(names), { value: pick(values), enumerable: true, configurable: true, writable: true });
    try {
      const c = new VClient(o);
      made++;
      c.close();
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError || !(e instanceof VClientError)) {
        assert.fail(`case ${i} trapped or threw a foreign error: ${e?.name}: ${e?.message}`);
      }
      assert.ok(!leaks(everythingAbout(e)), `case ${i}: ${e.message}`);
      refused++;
    }
  }
  assert.ok(made > 100 && refused > 100, `made ${made}, refused ${refused}`);
  // Odd option objects themselves: a getter that throws, a non-object.
  const throwing = { get baseUrl() { throw new Error('boom'); } };
  for (const o of [throwing, 42, 'x', () => {}, Symbol('o')]) {
    try { new VClient(o); } catch (e) { assert.ok(!(e instanceof WebAssembly.RuntimeError), String(e)); }
  }
  assert.deepEqual(await client().request('GET', '/ok'), { ok: true });
});
