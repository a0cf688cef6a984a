// vclient/proxy in Node: the hostile-request suite (conformance.mjs) over node:http through
// toNodeListener, then the options and rules on the handler itself.
//   node --test tests/proxy/
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createProxy, toNodeListener } from '../../pkg-template/dist/proxy.js';
import { conformanceCases } from './conformance.mjs';
import { makeProxy, SERVER_KEY } from './fixture.mjs';
import { startUpstream } from './upstream.mjs';

let upstream;
let server;
let origin;
before(async () => {
  upstream = await startUpstream();
  server = http.createServer(toNodeListener(makeProxy(createProxy, upstream.url)));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${server.address().port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await upstream.close();
});

describe('hostile requests over node:http (toNodeListener)', () => {
  // The cases need the server's address, known only after `before`: one test per case.
  const names = conformanceCases('http://127.0.0.1:1', { records: [] }).map((c) => c.name);
  for (const [i, name] of names.entries()) {
    test(name, async () => {
      upstream.reset();
      await conformanceCases(origin, upstream)[i].run();
    });
  }
});

/** A handler in front of a recording fake fetch. */
function harness(options = {}) {
  const seen = [];
  const proxy = createProxy({
    baseUrl: 'https://api.example/root/',
    apiKey: SERVER_KEY,
    fetch: async (url, init) => {
      seen.push({ url, method: init.method, headers: Object.fromEntries(init.headers), redirect: init.redirect });
      return new Response('{}', { headers: { 'content-type': 'application/json' } });
    },
    ...options,
  });
  const call = (path, init) => proxy(new Request(`https://app.example${path}`, init));
  return { proxy, seen, call };
}

describe('the handler and its options', () => {
  test('the upstream is fixed: base path kept, redirects manual, query passed as is', async () => {
    const { seen, call } = harness();
    const res = await call('/api/v1/companies?limit=1&x=%2F');
    assert.equal(res.status, 200);
    assert.deepEqual(seen.map((s) => [s.url, s.redirect]), [['https://api.example/root/api/v1/companies?limit=1&x=%2F', 'manual']]);
  });

  test('dot segments a runtime folded away still land on the endpoint table and its allow-list', async () => {
    const { seen, call } = harness();
    // new Request() resolves the dots: this is /api/v1/admin/users, refused by default.
    const res = await call('/api/v1/companies/../admin/users');
    assert.equal(res.status, 403);
    assert.equal(seen.length, 0);
  });

  test('allow: route names, "METHOD /pattern", bare patterns and methods', async () => {
    const { seen, call } = harness({ allow: ['COMPANIES_LIST', 'GET /api/v1/companies/{company_id}/campaigns', '/api/v1/companies/{company_id}/campaigns/{campaign_id}'] });
    assert.equal((await call('/api/v1/companies')).status, 200);
    assert.equal((await call('/api/v1/companies/c1/campaigns')).status, 200);
    assert.equal((await call('/api/v1/companies/c1/campaigns', { method: 'POST', body: '{}' })).status, 403);
    assert.equal((await call('/api/v1/companies/c1/campaigns/k1', { method: 'PATCH', body: '{}' })).status, 200);
    assert.equal((await call('/api/v1/companies/c1/campaigns/k1', { method: 'DELETE' })).status, 200);
    assert.equal((await call('/api/v1/companies/c1')).status, 403);
    assert.equal(seen.length, 4);
    const readOnly = harness({ allow: { methods: ['GET'] } });
    assert.equal((await readOnly.call('/api/v1/companies/c1/campaigns')).status, 200);
    assert.equal((await readOnly.call('/api/v1/companies/c1/campaigns', { method: 'POST', body: '{}' })).status, 403);
    assert.equal((await readOnly.call('/api/v1/admin/users')).status, 403, 'methods alone keep the default operations');
    const admin = harness({ allow: ['ADMIN_USERS_LIST'] });
    assert.equal((await admin.call('/api/v1/admin/users')).status, 200, 'naming an admin route opens it');
  });

  test('allowing /users/{user_id} does not open its literal neighbour /users/unapproved', async () => {
    const { seen, call } = harness({ allow: ['USERS_GET'] });
    assert.equal((await call('/api/v1/companies/c1/users/u1')).status, 200);
    const res = await call('/api/v1/companies/c1/users/unapproved');
    assert.equal(res.status, 403);
    assert.match((await res.json()).detail, /USERS_UNAPPROVED_LIST/);
    assert.equal(seen.length, 1);
  });

  test('HEAD is matched as GET, and lower-case or unknown methods are refused', async () => {
    const { seen, call } = harness();
    assert.equal((await call('/api/v1/companies', { method: 'HEAD' })).status, 200);
    assert.equal((await call('/api/v1/companies', { method: 'patch', body: '{}' })).status, 405);
    assert.equal((await call('/api/v1/companies', { method: 'PROPFIND' })).status, 405);
    assert.equal(seen.length, 1);
  });

  test('On-Behalf-Of: refused by default, passed with "forward", replaced by a function', async () => {
    const plain = harness();
    const res = await plain.call('/api/v1/companies/c1/users', { headers: { 'on-behalf-of': 'u-forged' } });
    assert.equal(res.status, 403);
    assert.equal((await res.json()).code, 'proxy_on_behalf_of');
    assert.equal(plain.seen.length, 0);
    const fwd = harness({ onBehalfOf: 'forward' });
    await fwd.call('/api/v1/companies/c1/users', { headers: { 'on-behalf-of': 'u-1' } });
    assert.equal(fwd.seen[0].headers['on-behalf-of'], 'u-1');
    const bound = harness({ onBehalfOf: async () => 'u-session' });
    await bound.call('/api/v1/companies/c1/users', { headers: { 'on-behalf-of': 'u-forged' } });
    assert.equal(bound.seen[0].headers['on-behalf-of'], 'u-session');
    const broken = harness({ onBehalfOf: () => { throw new Error(`db down ${SERVER_KEY}`); } });
    const failed = await broken.call('/api/v1/companies/c1/users');
    assert.equal(failed.status, 500);
    assert.ok(!(await failed.text()).includes(SERVER_KEY));
    assert.equal(broken.seen.length, 0);
  });

  test('an allowed foreign origin can read the app\'s own onBehalfOf answer', async () => {
    const { seen, call } = harness({ allowedOrigins: ['https://other.example'], onBehalfOf: () => new Response('no session', { status: 401 }) });
    const res = await call('/api/v1/companies', { headers: { origin: 'https://other.example' } });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://other.example');
    assert.equal(await res.text(), 'no session');
    assert.equal(seen.length, 0);
  });

  test('a network failure upstream is a 502 problem', async () => {
    const proxy = createProxy({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k', fetch: async () => { throw new TypeError('fetch failed'); } });
    const res = await proxy(new Request('http://app/api/v1/companies'));
    assert.equal(res.status, 502);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    assert.equal((await res.json()).code, 'proxy_upstream');
  });

  test('bad options throw a TypeError naming the option, never echoing the key', () => {
    const cases = [
      [{ apiKey: 'k' }, /baseUrl/],
      [{ baseUrl: '/api', apiKey: 'k' }, /baseUrl/],
      [{ baseUrl: 'ftp://x', apiKey: 'k' }, /http/],
      [{ baseUrl: 'https://u:p@x', apiKey: 'k' }, /credentials/],
      [{ baseUrl: 'https://x' }, /apiKey` is required/],
      [{ baseUrl: 'https://x', apiKey: '' }, /apiKey` is required/],
      [{ baseUrl: 'https://x', apiKey: 'sekrit\r\nX: y' }, /apiKey/],
      [{ baseUrl: 'https://x', apiKey: 'k', allow: ['NOT_A_ROUTE'] }, /NOT_A_ROUTE.*not an operation/],
      [{ baseUrl: 'https://x', apiKey: 'k', allow: ['GET /api/v1/nope'] }, /not an operation/],
      [{ baseUrl: 'https://x', apiKey: 'k', allow: { methods: ['TRACE'] } }, /allow.methods/],
      [{ baseUrl: 'https://x', apiKey: 'k', allowedOrigins: ['https://a.example/'] }, /bare origins/],
      [{ baseUrl: 'https://x', apiKey: 'k', onBehalfOf: 'yes' }, /onBehalfOf/],
      [{ baseUrl: 'https://x', apiKey: 'k', basePath: 'vnoir' }, /basePath/],
      [{ baseUrl: 'https://x', apiKey: 'k', maxBodyBytes: -1 }, /maxBodyBytes/],
      [{ baseUrl: 'https://x', apiKey: 'k', apikey: 'k' }, /`apikey` is not an option/],
    ];
    for (const [options, re] of cases) {
      assert.throws(() => createProxy(options), (e) => e instanceof TypeError && re.test(e.message) && !e.message.includes('sekrit'), JSON.stringify(options));
    }
  });
});
