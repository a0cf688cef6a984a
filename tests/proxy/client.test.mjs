// The key-less client (the built package, target/npm) and the proxy together, in Node: what
// `apiKey: false` and a relative baseUrl do outside a browser, and that retries, hints and
// typed errors survive the proxy in front of the loopback test double.
//   node --test tests/proxy/        (needs target/npm: bash scripts/package.sh)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createProxy, toNodeListener } from '../../pkg-template/dist/proxy.js';
import { startServer } from '../server/server.mjs';
import { DEFAULT_API_KEY } from '../server/valentina.mjs';

const pkg = await import('../../target/npm/dist/node.js');
const { VClient, ConfigurationError, RequestValidationError, AuthorizationError, NotFoundError } = pkg;
delete process.env.VALENTINA_CLIENT_API_KEY;
delete process.env.VALENTINA_CLIENT_BASE_URL;

/** A fetch that records the headers of each call and answers 200 {}. */
function recorder() {
  const seen = [];
  const fetch = async (url, init) => {
    seen.push({ url, headers: Object.fromEntries(new Headers(init.headers)) });
    return new Response('{}', { headers: { 'content-type': 'application/json' } });
  };
  return { seen, fetch };
}

describe('the key-less client outside a browser', () => {
  test('a missing key is still a ConfigurationError, which names `apiKey: false`', () => {
    assert.throws(() => new VClient({ baseUrl: 'http://127.0.0.1:1' }),
      (e) => e instanceof ConfigurationError && e.option === 'apiKey' && /apiKey: false/.test(e.message));
    assert.throws(() => new VClient({ baseUrl: 'http://127.0.0.1:1', apiKey: '' }), (e) => e.option === 'apiKey');
    assert.throws(() => new VClient({ baseUrl: 'http://127.0.0.1:1', apiKey: true }),
      (e) => e.option === 'apiKey' && /false when a proxy adds the key/.test(e.message));
  });

  test('a relative baseUrl is refused outside a page, saying why', () => {
    assert.throws(() => new VClient({ baseUrl: '/vnoir', apiKey: false }),
      (e) => e instanceof ConfigurationError && e.option === 'baseUrl' && /relative/.test(e.message) && /"\/vnoir"/.test(e.message));
  });

  test('apiKey: false sends no X-API-KEY, and ignores VALENTINA_CLIENT_API_KEY', async () => {
    process.env.VALENTINA_CLIENT_API_KEY = 'env-key-must-not-be-sent';
    try {
      const { seen, fetch } = recorder();
      const client = new VClient({ baseUrl: 'http://127.0.0.1:1/vnoir', apiKey: false, fetch, setAsDefault: false });
      await client.request('GET', '/api/v1/companies');
      assert.equal(seen.length, 1);
      assert.equal(seen[0].url, 'http://127.0.0.1:1/vnoir/api/v1/companies');
      assert.equal(seen[0].headers['x-api-key'], undefined);
      // A keyed client, for contrast, does send one.
      const keyed = new VClient({ baseUrl: 'http://127.0.0.1:1', fetch, setAsDefault: false });
      await keyed.request('GET', '/api/v1/companies');
      assert.equal(seen[1].headers['x-api-key'], 'env-key-must-not-be-sent');
    } finally {
      delete process.env.VALENTINA_CLIENT_API_KEY;
    }
  });

  test('a key-less client refuses an X-API-KEY in its headers or a call\'s', async () => {
    assert.throws(() => new VClient({ baseUrl: 'http://127.0.0.1:1', apiKey: false, headers: { 'X-API-KEY': 'sekrit' } }),
      (e) => e instanceof ConfigurationError && e.option === 'headers' && !e.message.includes('sekrit'));
    const { seen, fetch } = recorder();
    const client = new VClient({ baseUrl: 'http://127.0.0.1:1', apiKey: false, fetch, setAsDefault: false });
    await assert.rejects(client.request('GET', '/api/v1/companies', { headers: { 'x-api-key': 'sekrit' } }),
      (e) => e instanceof RequestValidationError && e.field === 'headers' && !String(e).includes('sekrit'));
    assert.equal(seen.length, 0);
  });
});

describe('a key-less client through the proxy, in front of the test double', () => {
  let api;
  let server;
  let base;
  before(async () => {
    api = await startServer({ port: 0, cors: false, maxSeconds: 120, apiKey: DEFAULT_API_KEY, burst: 1000, refillPerSecond: 100 });
    const proxy = createProxy({ baseUrl: api.url, apiKey: DEFAULT_API_KEY, basePath: '/vnoir', onBehalfOf: 'forward' });
    server = http.createServer(toNodeListener(proxy));
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${server.address().port}/vnoir`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await api.close();
  });
  const faults = (next) => fetch(`${api.url}/__faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ next }) });

  test('a 429 with Retry-After from the API reaches the client as such: retried after the hint', async () => {
    const events = [];
    const client = new VClient({ baseUrl: base, apiKey: false, retryDelay: 0.01, setAsDefault: false, logLevel: 'debug', logger: (l, m, f) => events.push({ m, ...f }) });
    await faults([{ status: 429, headers: { 'retry-after': '1' }, body: { status: 429, title: 'Too Many Requests', detail: 'slow down' } }]);
    const t0 = performance.now();
    const page = await client.request('GET', '/api/v1/companies');
    const waited = performance.now() - t0;
    assert.ok(Array.isArray(page.items));
    const retry = events.find((e) => e.m === 'Retry after rate limit');
    assert.equal(retry?.reason, 'Retry-After', JSON.stringify(events));
    assert.ok(retry.delayMs >= 1000 && waited >= 1000, `waited ${waited} ms`);
    await client.close();
  });

  test('an exhausted RateLimit policy is passed through: the client paces itself', async () => {
    const events = [];
    const client = new VClient({ baseUrl: base, apiKey: false, retryDelay: 0.01, setAsDefault: false, logLevel: 'debug', logger: (l, m, f) => events.push({ m, ...f }) });
    await faults([{ status: 429, headers: { ratelimit: '"burst";r=0;t=1', 'ratelimit-policy': '"burst";q=30;w=60' }, body: { status: 429, title: 'Too Many Requests' } }]);
    await client.request('GET', '/api/v1/companies');
    const retry = events.find((e) => e.m === 'Retry after rate limit');
    assert.equal(retry?.reason, 'RateLimit', JSON.stringify(events));
    await client.close();
  });

  test('the proxy\'s refusals and the API\'s problems become typed errors', async () => {
    const client = new VClient({ baseUrl: base, apiKey: false, maxRetries: 0, setAsDefault: false });
    await assert.rejects(client.request('GET', '/api/v1/admin/users'),
      (e) => e instanceof AuthorizationError && e.status === 403 && e.code === 'proxy_operation');
    await assert.rejects(client.request('GET', '/api/v1/companies/01a23af2-0000-7000-8000-000000000000'),
      (e) => e instanceof NotFoundError && /^req_/.test(e.requestId ?? ''));
    await client.close();
  });

  test('idempotency keys pass: a retried create under one key runs once', async () => {
    const client = new VClient({ baseUrl: base, apiKey: false, retryDelay: 0.01, autoIdempotencyKeys: true, setAsDefault: false });
    await faults([{ status: 503 }]);
    const made = await client.request('POST', '/api/v1/companies', { json: { name: 'Proxy Co', email: 'proxy@example.com' } });
    const stats = await (await fetch(`${api.url}/__stats`)).json();
    const keys = Object.entries(stats.byIdempotencyKey);
    assert.ok(made.id);
    assert.equal(keys.length, 1);
    assert.equal(keys[0][1], 1, 'the handler ran once for the key');
    await client.close();
  });
});
