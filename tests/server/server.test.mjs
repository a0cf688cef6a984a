// node --test tests/server/   (Node 20 built-ins only; bounded to a few seconds)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.mjs';

const SERVER_PATH = fileURLToPath(new URL('./server.mjs', import.meta.url));
const KEY = 'test-api-key-0123456789abcdefghij';
const REQ_ID_RE = /^req_[A-Za-z0-9_-]{22}$/;
const UUID7_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let srv; // the main in-process server
let base;

before(async () => {
  srv = await startServer({ port: 0, maxSeconds: 60, burst: 1000, writeDelayMs: 0 });
  base = srv.url;
});
after(() => srv.close());

async function postJson(url, value, headers = {}) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) });
}

let scenarioCounter = 0;
/** Registers a fresh scenario and returns its id. */
async function scenario(steps) {
  const id = `t${++scenarioCounter}_${Math.random().toString(36).slice(2, 8)}`;
  const r = await postJson(`${base}/__scenario/${id}`, { steps });
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { ok: true });
  return id;
}

async function getLog(id) {
  const r = await fetch(`${base}/__log/${id}`);
  assert.equal(r.status, 200);
  return r.json();
}

const api = (path, init = {}) => fetch(`${base}/api/v1${path}`, {
  ...init,
  headers: { 'x-api-key': KEY, 'x-testing-ignore-rate-limit': 'true', ...(init.headers ?? {}) },
});

function apiPost(path, value, headers = {}) {
  return api(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) });
}

async function stats() {
  return (await fetch(`${base}/__stats`)).json();
}

// ---------------------------------------------------------------------------------------
describe('CLI', () => {
  function spawnServer(args) {
    const child = spawn(process.execPath, [SERVER_PATH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const listening = new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /^listening (\d+)\n/.exec(out);
        if (m) resolve({ port: Number(m[1]), out: () => out });
      });
      exited.then(() => reject(new Error(`exited before listening; stdout=${out}`)));
    });
    listening.catch(() => {}); // awaited by the tests that expect it; not an unhandled rejection
    return { child, exited, listening };
  }

  it('prints one `listening <port>` line, serves, and exits 0 on SIGTERM', async () => {
    const { child, exited, listening } = spawnServer(['--port', '0', '--max-seconds', '30']);
    const { port, out } = await listening;
    const r = await fetch(`http://127.0.0.1:${port}/api/v1/health`, { headers: { 'x-api-key': KEY } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    child.kill('SIGTERM');
    assert.deepEqual(await exited, { code: 0, signal: null });
    assert.equal(out(), `listening ${port}\n`);
  });

  it('exits by itself after --max-seconds, closing a hung socket; --nocors drops CORS', async () => {
    const { exited, listening } = spawnServer(['--port', '0', '--max-seconds', '1', '--nocors', '--api-key', 'k2']);
    const { port } = await listening;
    const b = `http://127.0.0.1:${port}`;
    await postJson(`${b}/__scenario/h`, { steps: [{ action: 'hang' }] });
    const hung = fetch(`${b}/s/h`).then(() => 'answered', () => 'rejected');
    const r = await fetch(`${b}/api/v1/health`, { headers: { 'x-api-key': 'k2' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    const t0 = Date.now();
    assert.deepEqual(await exited, { code: 0, signal: null });
    assert.ok(Date.now() - t0 < 3000);
    assert.equal(await hung, 'rejected');
  });

  it('rejects bad arguments with exit code 2', async () => {
    const { exited } = spawnServer(['--port', 'nope']);
    assert.equal((await exited).code, 2);
  });
});

// ---------------------------------------------------------------------------------------
describe('scripted routes', () => {
  it('validates registrations', async () => {
    assert.equal((await postJson(`${base}/__scenario/bad.id`, { steps: [{}] })).status, 400);
    assert.equal((await postJson(`${base}/__scenario/${'a'.repeat(65)}`, { steps: [{}] })).status, 400);
    assert.equal((await postJson(`${base}/__scenario/ok`, { steps: [] })).status, 400);
    assert.equal((await postJson(`${base}/__scenario/ok`, { steps: [{ action: 'explode' }] })).status, 400);
    assert.equal((await postJson(`${base}/__scenario/ok`, { steps: [{ status: 42 }] })).status, 400);
    assert.equal((await postJson(`${base}/__scenario/ok`, { steps: [{ stauts: 500 }] })).status, 400);
    assert.equal((await postJson(`${base}/__scenario/ok`, { steps: [{ headers: { 'bad header': 'x' } }] })).status, 400);
    const r = await fetch(`${base}/__scenario/ok`, { method: 'POST', body: 'not json' });
    assert.equal(r.status, 400);
  });

  it('plays steps in order, then repeats the last one', async () => {
    const id = await scenario([
      { status: 503 },
      { status: 500, body: 'boom' },
      { status: 201, body: { ok: 1 } },
    ]);
    const got = [];
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${base}/s/${id}`);
      got.push([r.status, r.headers.get('content-type'), await r.text()]);
      assert.match(r.headers.get('x-request-id'), REQ_ID_RE);
    }
    assert.deepEqual(got, [
      [503, null, ''],
      [500, 'text/plain', 'boom'],
      [201, 'application/json', '{"ok":1}'],
      [201, 'application/json', '{"ok":1}'],
      [201, 'application/json', '{"ok":1}'],
    ]);
    assert.deepEqual((await getLog(id)).map((e) => e.step), [0, 1, 2, 2, 2]);
  });

  it('lets a step set or suppress x-request-id and override headers', async () => {
    const id = await scenario([
      { headers: { 'X-Request-Id': 'req_custom' } },
      { headers: { 'x-request-id': null, 'Content-Type': 'application/problem+json', 'Retry-After': 3 }, body: { a: 1 } },
      { headers: { 'access-control-allow-origin': null } },
    ]);
    let r = await fetch(`${base}/s/${id}`);
    assert.equal(r.headers.get('x-request-id'), 'req_custom');
    r = await fetch(`${base}/s/${id}`);
    assert.equal(r.headers.get('x-request-id'), null);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    assert.equal(r.headers.get('retry-after'), '3');
    assert.deepEqual(await r.json(), { a: 1 });
    r = await fetch(`${base}/s/${id}`);
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    await r.arrayBuffer();
  });

  it('logs method, path, query, lower-cased headers, raw body, t and step', async () => {
    const id = await scenario([{ status: 204 }]);
    const t0 = performance.now();
    let r = await fetch(`${base}/s/${id}/companies/abc?limit=5&offset=10&x=%20y`, {
      method: 'PATCH',
      headers: { 'X-Custom-Thing': 'Abc', 'Idempotency-Key': 'K-1', 'content-type': 'application/json' },
      body: '{"name": "WS Co"}',
    });
    assert.equal(r.status, 204);
    r = await fetch(`${base}/s/${id}`);
    await r.arrayBuffer();
    const elapsed = performance.now() - t0;
    const log = await getLog(id);
    assert.equal(log.length, 2);
    const [a, b] = log;
    assert.equal(a.method, 'PATCH');
    assert.equal(a.path, `/s/${id}/companies/abc`);
    assert.equal(a.query, 'limit=5&offset=10&x=%20y');
    assert.equal(a.headers['x-custom-thing'], 'Abc');
    assert.equal(a.headers['idempotency-key'], 'K-1');
    assert.equal(a.headers['content-type'], 'application/json');
    assert.ok(Object.keys(a.headers).every((k) => k === k.toLowerCase()));
    assert.equal(a.body, '{"name": "WS Co"}');
    assert.equal(a.step, 0);
    assert.equal(b.method, 'GET');
    assert.equal(b.path, `/s/${id}`);
    assert.equal(b.query, '');
    assert.equal(b.body, '');
    assert.equal(b.step, 0);
    assert.equal(typeof a.t, 'number');
    assert.ok(a.t >= 0 && a.t <= b.t && b.t <= elapsed + 1000, `t: ${a.t}, ${b.t}`);
  });

  it('404s unknown scenarios, logs and routes', async () => {
    let r = await fetch(`${base}/s/nobody_here/x?y=1`);
    assert.equal(r.status, 404);
    assert.deepEqual(await r.json(), { detail: 'no scenario nobody_here' });
    r = await fetch(`${base}/__log/nobody_here`);
    assert.equal(r.status, 404);
    await r.arrayBuffer();
    r = await fetch(`${base}/elsewhere`);
    assert.equal(r.status, 404);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    await r.arrayBuffer();
  });

  it('re-registering replaces the script and clears its log', async () => {
    const id = await scenario([{ status: 500 }]);
    await (await fetch(`${base}/s/${id}`)).arrayBuffer();
    assert.equal((await getLog(id)).length, 1);
    const r0 = await postJson(`${base}/__scenario/${id}`, { steps: [{ status: 202 }] });
    assert.equal(r0.status, 200);
    await r0.arrayBuffer();
    assert.deepEqual(await getLog(id), []);
    const r = await fetch(`${base}/s/${id}`);
    assert.equal(r.status, 202);
    await r.arrayBuffer();
  });

  it('echo returns what was sent', async () => {
    const id = await scenario([{ echo: true, status: 201 }]);
    const r = await fetch(`${base}/s/${id}/a/b?q=1`, { method: 'PUT', headers: { 'X-API-KEY': 'abc' }, body: 'héllo' });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('content-type'), 'application/json');
    const e = await r.json();
    assert.equal(e.method, 'PUT');
    assert.equal(e.path, `/s/${id}/a/b`);
    assert.equal(e.query, 'q=1');
    assert.equal(e.headers['x-api-key'], 'abc');
    assert.equal(e.body, 'héllo');
  });

  it('delayMs holds the response head back', async () => {
    const id = await scenario([{ delayMs: 250, body: 'late' }]);
    const t0 = performance.now();
    const r = await fetch(`${base}/s/${id}`);
    assert.ok(performance.now() - t0 >= 240);
    assert.equal(await r.text(), 'late');
  });

  it('gzip and bodyBase64', async () => {
    const id = await scenario([{ body: { big: 'x'.repeat(600) }, gzip: true }, { bodyBase64: Buffer.from([0, 1, 2, 255]).toString('base64') }]);
    let r = await fetch(`${base}/s/${id}`);
    assert.equal(r.headers.get('content-encoding'), 'gzip');
    assert.deepEqual(await r.json(), { big: 'x'.repeat(600) }); // fetch decodes it
    r = await fetch(`${base}/s/${id}`);
    assert.equal(r.headers.get('content-type'), 'application/octet-stream');
    assert.deepEqual([...new Uint8Array(await r.arrayBuffer())], [0, 1, 2, 255]);
  });

  it('action reset: fetch rejects, and the server keeps serving', async () => {
    const id = await scenario([{ action: 'reset' }, { body: 'fine' }]);
    await assert.rejects(fetch(`${base}/s/${id}`), TypeError);
    const r = await fetch(`${base}/s/${id}`);
    assert.equal(await r.text(), 'fine');
    assert.deepEqual((await getLog(id)).map((e) => e.step), [0, 1]);
  });

  it('one request per connection by default (no silent browser resend after a reset); keepAlive opts out', async () => {
    let r = await fetch(`${base}/__stats`);
    assert.equal(r.headers.get('connection'), 'close');
    await r.arrayBuffer();
    const ka = await startServer({ port: 0, maxSeconds: 10, keepAlive: true });
    try {
      r = await fetch(`${ka.url}/__stats`);
      assert.equal(r.headers.get('connection'), 'keep-alive');
      await r.arrayBuffer();
    } finally {
      await ka.close();
    }
  });

  it('action reset with delayMs resets late', async () => {
    const id = await scenario([{ action: 'reset', delayMs: 150 }]);
    const t0 = performance.now();
    await assert.rejects(fetch(`${base}/s/${id}`), TypeError);
    assert.ok(performance.now() - t0 >= 140);
  });

  it('action hang: never answers; the client times out', async () => {
    const id = await scenario([{ action: 'hang' }, { status: 200 }]);
    await assert.rejects(fetch(`${base}/s/${id}`, { signal: AbortSignal.timeout(300) }), (e) => {
      assert.ok(e.name === 'TimeoutError' || e.name === 'AbortError', e.name);
      return true;
    });
    const r = await fetch(`${base}/s/${id}`);
    assert.equal(r.status, 200);
    await r.arrayBuffer();
  });

  it('action reset-after-headers: the head arrives, the body read rejects', async () => {
    const body = { data: 'y'.repeat(200) };
    const id = await scenario([{ action: 'reset-after-headers', status: 200, body }]);
    const r = await fetch(`${base}/s/${id}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-length'), String(JSON.stringify(body).length));
    await assert.rejects(r.text());
  });

  it('action reset-after-headers without a body still breaks the body', async () => {
    const id = await scenario([{ action: 'reset-after-headers' }]);
    const r = await fetch(`${base}/s/${id}`);
    assert.equal(r.status, 200);
    await assert.rejects(r.arrayBuffer());
  });

  it('action truncate: content-length lies, the body read rejects', async () => {
    const id = await scenario([{ action: 'truncate', status: 502, body: 'short body' }]);
    const r = await fetch(`${base}/s/${id}`);
    assert.equal(r.status, 502);
    assert.ok(Number(r.headers.get('content-length')) > 'short body'.length);
    await assert.rejects(r.text());
  });

  it('action slow-body: the head comes first, the body in 4 timed chunks', async () => {
    const body = 'abcdefghijklmnop';
    const id = await scenario([{ action: 'slow-body', bodyDelayMs: 80, body }]);
    const t0 = performance.now();
    const r = await fetch(`${base}/s/${id}`);
    const tHead = performance.now() - t0;
    assert.equal(r.headers.get('content-length'), String(body.length));
    const reader = r.body.getReader();
    let chunks = 0;
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks++;
      text += Buffer.from(value).toString();
    }
    const tBody = performance.now() - t0;
    assert.equal(text, body);
    assert.ok(tHead < 200, `head after ${tHead} ms`);
    assert.ok(tBody >= 300, `body after ${tBody} ms`);
    assert.ok(chunks >= 2, `${chunks} chunks`);
  });

  it('action slow-body: a deadline can abort the body read', async () => {
    const id = await scenario([{ action: 'slow-body', bodyDelayMs: 200, body: 'abcdefgh' }]);
    const r = await fetch(`${base}/s/${id}`, { signal: AbortSignal.timeout(300) });
    assert.equal(r.status, 200);
    await assert.rejects(r.text());
  });
});

// ---------------------------------------------------------------------------------------
describe('CORS', () => {
  it('answers a preflight with 204, echoes the headers, and neither logs it nor consumes a step', async () => {
    const id = await scenario([{ status: 503 }, { status: 200 }]);
    const r = await fetch(`${base}/s/${id}/x`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:9',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-api-key,idempotency-key,content-type',
      },
    });
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.equal(r.headers.get('access-control-allow-methods'), 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS');
    assert.equal(r.headers.get('access-control-allow-headers'), 'x-api-key,idempotency-key,content-type');
    assert.equal(r.headers.get('access-control-expose-headers'), '*');
    assert.equal(r.headers.get('access-control-max-age'), '600');
    assert.deepEqual(await getLog(id), []);
    const r2 = await fetch(`${base}/s/${id}/x`);
    assert.equal(r2.status, 503); // the first step is still there
    assert.equal(r2.headers.get('access-control-allow-headers'), '*');
    assert.equal(r2.headers.get('access-control-expose-headers'), '*');
    await r2.arrayBuffer();
    assert.equal((await getLog(id)).length, 1);
  });

  it('puts CORS headers on control routes, errors and API responses', async () => {
    const urls = [`${base}/__stats`, `${base}/__log/none`, `${base}/api/v1/health`, `${base}/api/v1/nope`];
    for (const u of urls) {
      const r = await fetch(u);
      assert.equal(r.headers.get('access-control-allow-origin'), '*', u);
      assert.equal(r.headers.get('access-control-max-age'), '600', u);
      await r.arrayBuffer();
    }
  });

  it('preflights on /api/v1 use neither a key, a token nor a fault', async () => {
    const before = await stats();
    const r = await fetch(`${base}/api/v1/companies`, { method: 'OPTIONS', headers: { 'access-control-request-method': 'POST' } });
    assert.equal(r.status, 204);
    assert.equal((await stats()).requests, before.requests);
  });
});

// ---------------------------------------------------------------------------------------
describe('Valentina imitation', () => {
  before(async () => {
    const r = await fetch(`${base}/__reset`, { method: 'POST' });
    assert.equal(r.status, 200);
    await r.arrayBuffer();
  });

  it('401 without a key or with a wrong one: problem+json, no x-request-id, no RateLimit', async () => {
    for (const [headers, detail] of [[{}, 'API key not provided'], [{ 'x-api-key': 'nope' }, 'Unauthorized API key']]) {
      const r = await fetch(`${base}/api/v1/companies?limit=2`, { headers });
      assert.equal(r.status, 401);
      assert.equal(r.headers.get('content-type'), 'application/problem+json');
      assert.equal(r.headers.get('x-request-id'), null);
      assert.equal(r.headers.get('ratelimit'), null);
      assert.equal(r.headers.get('ratelimit-policy'), null);
      const p = await r.json();
      assert.deepEqual(Object.keys(p), ['status', 'title', 'detail', 'instance', 'request_id']);
      assert.equal(p.status, 401);
      assert.equal(p.title, 'Unauthorized');
      assert.equal(p.detail, detail);
      assert.equal(p.instance, `${base}/api/v1/companies?limit=2`);
      assert.match(p.request_id, REQ_ID_RE);
    }
  });

  it('health', async () => {
    const r = await fetch(`${base}/api/v1/health`, { headers: { 'x-api-key': KEY } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('x-request-id'), REQ_ID_RE);
    assert.equal(r.headers.get('ratelimit-policy'), '"burst";q=1000;w=2000');
    assert.match(r.headers.get('ratelimit'), /^"burst";r=\d+;t=0$/);
    assert.deepEqual(await r.json(), { database_status: 'ok', cache_status: 'ok', version: '0.27.0' });
  });

  it('unknown routes 404 and wrong methods 405, without request_id anywhere', async () => {
    let r = await api('/nothing/here');
    assert.equal(r.status, 404);
    assert.equal(r.headers.get('x-request-id'), null);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    let p = await r.json();
    assert.equal(p.status, 404);
    assert.equal(p.request_id, undefined);
    r = await api('/health', { method: 'DELETE' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'OPTIONS, GET');
    assert.equal(r.headers.get('x-request-id'), null);
    p = await r.json();
    assert.equal(p.detail, 'Method Not Allowed');
    assert.equal(p.request_id, undefined);
  });

  it('companies: create, validate, paginate, get, delete', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) {
      const r = await apiPost('/companies', { name: `Company ${i}`, email: `c${i}@example.com` });
      assert.equal(r.status, 201);
      assert.match(r.headers.get('x-request-id'), REQ_ID_RE);
      const c = await r.json();
      assert.match(c.id, UUID7_RE);
      assert.equal(c.name, `Company ${i}`);
      assert.equal(c.email, `c${i}@example.com`);
      assert.equal(c.description, null);
      assert.deepEqual(c.settings, {});
      assert.match(c.date_created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      assert.equal(c.date_modified, c.date_created);
      ids.push(c.id);
    }

    let r = await api('/companies?limit=2&offset=1');
    assert.equal(r.status, 200);
    let page = await r.json();
    assert.deepEqual({ ...page, items: page.items.map((c) => c.id) }, { items: ids.slice(1, 3), limit: 2, offset: 1, total: 5 });
    r = await api('/companies');
    page = await r.json();
    assert.equal(page.limit, 10);
    assert.equal(page.offset, 0);
    assert.equal(page.items.length, 5);

    r = await api('/companies?limit=1000');
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    assert.match(r.headers.get('x-request-id'), REQ_ID_RE);
    let p = await r.json();
    assert.equal(p.detail, 'Validation failed for one or more fields.');
    assert.deepEqual(p.invalid_parameters, [{ field: 'limit', message: 'Expected `int` <= 100' }]);
    assert.equal(p.instance, `${base}/api/v1/companies?limit=1000`);
    assert.equal(p.request_id, r.headers.get('x-request-id'));

    for (const [body, field, message] of [
      [{ email: 'a@b.co' }, 'data', 'Object missing required field `name`'],
      [{ name: 'ab', email: 'a@b.co' }, 'name', 'Expected `str` of length >= 3'],
      [{ name: 'x'.repeat(51), email: 'a@b.co' }, 'name', 'Expected `str` of length <= 50'],
      [{ name: 123, email: 'a@b.co' }, 'name', 'Expected `str`, got `int`'],
      [[1, 2], 'data', 'Expected `object`, got `array`'],
    ]) {
      r = await apiPost('/companies', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      p = await r.json();
      assert.deepEqual(p.invalid_parameters, [{ field, message }]);
    }
    r = await apiPost('/companies', { name: 'Good Name', email: 'not-an-email' });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).detail, 'email: Invalid email format: not-an-email');
    r = await api('/companies', { method: 'POST', body: '{"name": "trunc' });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).detail, 'Input data was truncated');

    r = await api(`/companies/${ids[0]}`);
    assert.equal(r.status, 200);
    assert.equal((await r.json()).id, ids[0]);
    r = await api('/companies/00000000-0000-0000-0000-000000000000');
    assert.equal(r.status, 404);
    p = await r.json();
    assert.equal(p.detail, 'Company not found');
    assert.equal(p.title, 'Not Found');
    r = await api('/companies/not-a-uuid');
    assert.equal(r.status, 400);
    assert.deepEqual((await r.json()).invalid_parameters, [{ field: 'company_id', message: 'Invalid UUID' }]);

    r = await api(`/companies/${ids[0]}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"description":"d"}' });
    assert.equal(r.status, 200);
    assert.equal((await r.json()).description, 'd');

    r = await api(`/companies/${ids[0]}`, { method: 'DELETE' });
    assert.equal(r.status, 204);
    assert.equal(await r.text(), '');
    r = await api(`/companies/${ids[0]}`, { method: 'DELETE' });
    assert.equal(r.status, 404);
    await r.arrayBuffer();
    r = await api(`/companies/${ids[0]}`);
    assert.equal(r.status, 404);
    await r.arrayBuffer();
    assert.equal((await stats()).companiesCreated, 5);
  });

  it('idempotency: replay, 409 on another body, only 2xx stored, per method and path', async () => {
    const key = `idem-${Date.now()}`;
    const body = { name: 'Idem Co', email: 'idem@example.com' };
    const created0 = (await stats()).companiesCreated;

    let r = await apiPost('/companies', body, { 'idempotency-key': key });
    assert.equal(r.status, 201);
    const rid1 = r.headers.get('x-request-id');
    const first = await r.text();
    r = await apiPost('/companies', body, { 'idempotency-key': key });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('content-type'), 'application/json');
    const rid2 = r.headers.get('x-request-id');
    assert.match(rid2, REQ_ID_RE);
    assert.notEqual(rid2, rid1);
    assert.equal(await r.text(), first); // byte-for-byte, same id
    let s = await stats();
    assert.equal(s.byIdempotencyKey[key], 1);
    assert.equal(s.companiesCreated, created0 + 1);

    // Same JSON value, other bytes: a conflict (the comparison is on raw bytes).
    r = await api('/companies', { method: 'POST', headers: { 'idempotency-key': key }, body: JSON.stringify(body, null, 1) });
    assert.equal(r.status, 409);
    assert.equal(r.headers.get('x-request-id'), null);
    assert.equal(r.headers.get('ratelimit'), null);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    const p = await r.json();
    assert.equal(p.status, 409);
    assert.equal(p.title, 'Conflict');
    assert.equal(p.detail, `Idempotency key '${key}' was previously used with a different request body. Each unique request must use a unique idempotency key.`);
    assert.match(p.request_id, REQ_ID_RE);
    assert.equal(p.instance, `${base}/api/v1/companies`);
    assert.equal((await stats()).byIdempotencyKey[key], 1);

    // A 400 is not stored: the corrected body under the same key runs normally.
    const key2 = `${key}-b`;
    r = await apiPost('/companies', { name: 'x', email: 'e@example.com' }, { 'idempotency-key': key2 });
    assert.equal(r.status, 400);
    await r.arrayBuffer();
    r = await apiPost('/companies', { name: 'Fixed Co', email: 'e@example.com' }, { 'idempotency-key': key2 });
    assert.equal(r.status, 201);
    await r.arrayBuffer();
    assert.equal((await stats()).byIdempotencyKey[key2], 2);

    // The same key on another method/path is a separate entry; DELETE ignores the key.
    const id = JSON.parse(first).id;
    r = await api(`/companies/${id}`, { method: 'PATCH', headers: { 'idempotency-key': key }, body: '{"name":"Renamed"}' });
    assert.equal(r.status, 200);
    assert.equal((await r.json()).name, 'Renamed');
    r = await api(`/companies/${id}`, { method: 'DELETE', headers: { 'idempotency-key': `${key}-d` } });
    assert.equal(r.status, 204);
    r = await api(`/companies/${id}`, { method: 'DELETE', headers: { 'idempotency-key': `${key}-d` } });
    assert.equal(r.status, 404);
    await r.arrayBuffer();
    s = await stats();
    assert.equal(s.byIdempotencyKey[key], 2);
    assert.equal(s.byIdempotencyKey[`${key}-d`], undefined);

    // An empty key is ignored.
    r = await apiPost('/companies', body, { 'idempotency-key': '' });
    assert.equal(r.status, 201);
    r = await apiPost('/companies', body, { 'idempotency-key': '' });
    assert.equal(r.status, 201);
    await r.arrayBuffer();
  });

  it('faults: consumed once each, before the handler, without touching state', async () => {
    const s0 = await stats();
    let r = await postJson(`${base}/__faults`, { next: [{ status: 503, body: { detail: 'down' } }, { action: 'reset' }] });
    assert.equal(r.status, 200);
    await r.arrayBuffer();
    assert.equal((await (await fetch(`${base}/__faults`)).json()).length, 2);
    const body = { name: 'Fault Co', email: 'f@example.com' };

    r = await apiPost('/companies', body, { 'idempotency-key': 'fault-key' });
    assert.equal(r.status, 503);
    assert.match(r.headers.get('x-request-id'), REQ_ID_RE); // step rules apply
    assert.deepEqual(await r.json(), { detail: 'down' });
    await assert.rejects(apiPost('/companies', body, { 'idempotency-key': 'fault-key' }), TypeError);
    let s = await stats();
    assert.equal(s.companiesCreated, s0.companiesCreated);
    assert.equal(s.byIdempotencyKey['fault-key'], undefined);
    assert.equal(s.requests, s0.requests + 2);

    r = await apiPost('/companies', body, { 'idempotency-key': 'fault-key' });
    assert.equal(r.status, 201);
    await r.arrayBuffer();
    s = await stats();
    assert.equal(s.companiesCreated, s0.companiesCreated + 1);
    assert.equal(s.byIdempotencyKey['fault-key'], 1);

    // [] clears the queue.
    await (await postJson(`${base}/__faults`, { next: [{ status: 500 }] })).arrayBuffer();
    await (await postJson(`${base}/__faults`, { next: [] })).arrayBuffer();
    r = await api('/health');
    assert.equal(r.status, 200);
    await r.arrayBuffer();
    r = await postJson(`${base}/__faults`, { next: [{ action: 'nope' }] });
    assert.equal(r.status, 400);
    await r.arrayBuffer();

    // The API log saw every request, faults marked.
    const log = await (await fetch(`${base}/__apilog`)).json();
    const faulted = log.filter((e) => e.fault);
    assert.ok(faulted.length >= 2);
    assert.equal(faulted.at(-2).status, 503);
    assert.equal(faulted.at(-1).status, null); // reset: nothing was sent
    assert.equal(faulted.at(-1).headers['idempotency-key'], 'fault-key');
  });

  it('/__reset clears the state', async () => {
    let r = await fetch(`${base}/__reset`, { method: 'POST' });
    assert.deepEqual(await r.json(), { ok: true });
    assert.deepEqual(await stats(), { companiesCreated: 0, requests: 0, byIdempotencyKey: {} });
    r = await api('/companies');
    assert.equal((await r.json()).total, 0);
  });
});

// ---------------------------------------------------------------------------------------
describe('Valentina rate limiting (burst 3)', () => {
  let rl;
  before(async () => {
    rl = await startServer({ port: 0, maxSeconds: 60, burst: 3, apiKey: 'rl-key', writeDelayMs: 0 });
  });
  after(() => rl.close());

  it('counts down, then 429s with the real shapes; 401 and the bypass header use no tokens', async () => {
    const h = { 'x-api-key': 'rl-key' };
    const r401 = await fetch(`${rl.url}/api/v1/health`);
    assert.equal(r401.status, 401);
    await r401.arrayBuffer();
    const seen = [];
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${rl.url}/api/v1/health`, { headers: h });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('ratelimit-policy'), '"burst";q=3;w=6');
      seen.push(r.headers.get('ratelimit'));
      await r.arrayBuffer();
    }
    assert.deepEqual(seen, ['"burst";r=2;t=0', '"burst";r=1;t=0', '"burst";r=0;t=2']);

    // The bypass header: no tokens used, no RateLimit headers.
    const rb = await fetch(`${rl.url}/api/v1/health`, { headers: { ...h, 'x-testing-ignore-rate-limit': 'true' } });
    assert.equal(rb.status, 200);
    assert.equal(rb.headers.get('ratelimit'), null);
    assert.equal(rb.headers.get('ratelimit-policy'), null);
    await rb.arrayBuffer();

    const r = await fetch(`${rl.url}/api/v1/companies?limit=1`, { headers: h });
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    assert.equal(r.headers.get('x-request-id'), null);
    assert.equal(r.headers.get('retry-after'), null);
    assert.equal(r.headers.get('ratelimit-policy'), '"burst";q=3;w=6');
    const m = /^"burst";r=0;t=(\d+)$/.exec(r.headers.get('ratelimit'));
    assert.ok(m, r.headers.get('ratelimit'));
    const p = await r.json();
    assert.deepEqual(Object.keys(p), ['status', 'title', 'detail', 'instance', 'request_id', 'retry_after']);
    assert.equal(p.status, 429);
    assert.equal(p.title, 'Too Many Requests');
    assert.equal(p.detail, 'You are being rate limited.');
    assert.equal(p.instance, `${rl.url}/api/v1/companies?limit=1`);
    assert.match(p.request_id, REQ_ID_RE);
    assert.equal(typeof p.retry_after, 'number');
    assert.ok(p.retry_after > 1.5 && p.retry_after <= 2, String(p.retry_after));
    assert.equal(Math.round(p.retry_after * 100), p.retry_after * 100); // 2 decimals
    assert.equal(Number(m[1]), Math.ceil(p.retry_after));

    // Still limited for a POST (no handler runs), bypass still works.
    const rp = await fetch(`${rl.url}/api/v1/companies`, { method: 'POST', headers: { ...h, 'idempotency-key': 'k' }, body: '{}' });
    assert.equal(rp.status, 429);
    await rp.arrayBuffer();
    const s = await (await fetch(`${rl.url}/__stats`)).json();
    assert.equal(s.byIdempotencyKey.k, undefined);
    assert.equal(s.requests, 7);
  });
});

describe('no in-flight idempotency lock', () => {
  let slow;
  before(async () => {
    slow = await startServer({ port: 0, maxSeconds: 60, writeDelayMs: 300 });
  });
  after(() => slow.close());

  it('three concurrent POSTs with one new key all run the handler', async () => {
    const send = () => fetch(`${slow.url}/api/v1/companies`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'idempotency-key': 'concurrent', 'content-type': 'application/json' },
      body: '{"name":"Race Co","email":"r@example.com"}',
    }).then(async (r) => [r.status, (await r.json()).id]);
    const results = await Promise.all([send(), send(), send()]);
    assert.deepEqual(results.map((x) => x[0]), [201, 201, 201]);
    assert.equal(new Set(results.map((x) => x[1])).size, 3);
    const s = await (await fetch(`${slow.url}/__stats`)).json();
    assert.equal(s.companiesCreated, 3);
    assert.equal(s.byIdempotencyKey.concurrent, 3);
    // Afterwards the key is stored: a fourth call replays one of them.
    const [status, id] = await send();
    assert.equal(status, 201);
    assert.ok(results.some((x) => x[1] === id));
    assert.equal((await (await fetch(`${slow.url}/__stats`)).json()).companiesCreated, 3);
  });
});
