// node --test tests/server/   (Node 20 built-ins only; bounded to a few seconds)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.mjs';
import { fillPath, loadSpec } from './routes.mjs';
import { createSynth, stableUuid } from './synth.mjs';

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
  function spawnServer(args, { cwd } = {}) {
    const child = spawn(process.execPath, [SERVER_PATH, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
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

  it('finds the spec files from any working directory', async () => {
    const { child, exited, listening } = spawnServer(['--port', '0', '--max-seconds', '30'], { cwd: tmpdir() });
    const { port } = await listening;
    const r = await fetch(`http://127.0.0.1:${port}/api/v1/companies/${stableUuid('c')}/options`, { headers: { 'x-api-key': KEY } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('ratelimit'), /^"burst";r=29;t=0$/); // table-driven routes are rate-limited too
    assert.match(r.headers.get('x-request-id'), REQ_ID_RE);
    assert.equal(typeof (await r.json()).characters, 'object');
    child.kill('SIGTERM');
    assert.equal((await exited).code, 0);
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
    assert.deepEqual(await r.json(), { database_status: 'online', cache_status: 'online', database_latency_ms: 1.2, cache_latency_ms: 0.4, uptime: '0:00:42', version: '0.27.0' });
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

// ---------------------------------------------------------------------------------------
// The whole API, table-driven from spec/endpoints.json.
const SPEC = loadSpec();
const SYNTH = createSynth(SPEC.schemas);
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const ACTING_USER = stableUuid('acting-user');

/** Resolves `$ref`s to components.schemas. */
function deref(schema) {
  let s = schema ?? {};
  while (s.$ref) s = SPEC.schemas[s.$ref.split('/').pop()];
  return s;
}

/** An independent, small JSON-schema check: returns a list of problems ([] = conforms). */
function conformance(schema, value, at = '$', depth = 0) {
  const s = deref(schema);
  if (depth > 40) return [];
  const alts = s.oneOf ?? s.anyOf;
  if (alts) {
    const results = alts.map((a) => conformance(a, value, at, depth + 1));
    return results.some((r) => r.length === 0) ? [] : [`${at}: matches no alternative (${results.map((r) => r[0]).join('; ')})`];
  }
  if (s.allOf) return s.allOf.flatMap((p) => conformance(p, value, at, depth + 1));
  if (Array.isArray(s.enum) && !s.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} not in enum`];
  const types = s.type === undefined ? [] : [].concat(s.type);
  const typeOk = (t) => ({
    null: value === null,
    string: typeof value === 'string',
    integer: Number.isInteger(value),
    number: typeof value === 'number',
    boolean: typeof value === 'boolean',
    array: Array.isArray(value),
    object: value !== null && typeof value === 'object' && !Array.isArray(value),
  })[t];
  if (types.length && !types.some(typeOk)) return [`${at}: expected ${types.join('|')}, got ${JSON.stringify(value)}`];
  const errors = [];
  if (typeof value === 'string') {
    if (s.format === 'uuid' && !UUID_RE.test(value)) errors.push(`${at}: not a uuid: ${value}`);
    if (s.format === 'date-time' && !DATE_TIME_RE.test(value)) errors.push(`${at}: not a date-time: ${value}`);
    if (s.format === 'date' && !/^\d{4}-\d\d-\d\d$/.test(value)) errors.push(`${at}: not a date: ${value}`);
    if (typeof s.minLength === 'number' && value.length < s.minLength) errors.push(`${at}: shorter than ${s.minLength}`);
  }
  if (typeof value === 'number' && typeof s.minimum === 'number' && value < s.minimum) errors.push(`${at}: below ${s.minimum}`);
  if (Array.isArray(value) && s.items) value.forEach((v, i) => errors.push(...conformance(s.items, v, `${at}[${i}]`, depth + 1)));
  if (typeOk('object') && (s.properties || s.required)) {
    for (const name of s.required ?? []) if (!Object.hasOwn(value, name)) errors.push(`${at}: missing required \`${name}\``);
    for (const [name, ps] of Object.entries(s.properties ?? {})) {
      if (Object.hasOwn(value, name)) errors.push(...conformance(ps, value[name], `${at}.${name}`, depth + 1));
    }
  }
  return errors;
}

function assertConforms(schemaName, value, tag) {
  const errors = conformance({ $ref: `#/components/schemas/${schemaName}` }, value);
  assert.deepEqual(errors, [], `${tag}: ${schemaName}`);
}

/** The first documented 2xx of the operation, read straight from the OpenAPI file. */
function expectedStatus(entry) {
  const responses = SPEC.openapi.paths[entry.path][entry.verb.toLowerCase()].responses;
  return Number(Object.keys(responses).find((c) => c.startsWith('2')));
}

/** Path values: made-up UUIDs, the first enum value for enum-typed params (provider). */
function pathValues(entry, overrides = {}) {
  const op = SPEC.openapi.paths[entry.path][entry.verb.toLowerCase()];
  const values = {};
  for (const name of entry.pathParams) {
    const decl = (op.parameters ?? []).find((p) => p.in === 'path' && p.name === name);
    const en = decl && deref(decl.schema).enum;
    values[name] = overrides[name] ?? (en ? en[0] : stableUuid(`path|${name}`));
  }
  return values;
}

/** The request the next step's typed client would send for `entry`. */
function requestFor(entry, overrides = {}) {
  const qs = new URLSearchParams();
  for (const q of entry.query) {
    if (q.required) qs.set(q.name, q.type === 'uuid' ? stableUuid(`query|${q.name}`) : 'x');
    else if (q.alwaysSend) qs.set(q.name, String(q.default));
  }
  if (entry.response.kind === 'paginated' && entry.operationId !== 'listCompanies') {
    qs.set('limit', '2');
    qs.set('offset', '1');
  }
  const headers = { 'x-api-key': KEY, 'x-testing-ignore-rate-limit': 'true' };
  if (entry.onBehalfOf.server) headers['on-behalf-of'] = ACTING_USER;
  if (entry.response.accept) headers.accept = entry.response.accept;
  let body;
  let sentText = '';
  const b = entry.body;
  if (b?.kind === 'json' || b?.kind === 'json-array') {
    const one = SYNTH.value(b.schema, { seed: `body|${entry.operationId}` });
    sentText = JSON.stringify(b.kind === 'json-array' ? [one] : one);
    body = sentText;
    headers['content-type'] = 'application/json';
  } else if (b?.kind === 'multipart') {
    body = new FormData();
    body.append(b.fileField, new Blob(['fake image bytes'], { type: 'image/png' }), 'avatar.png');
  }
  const query = qs.toString();
  const path = fillPath(entry.path, pathValues(entry, overrides));
  return { path, query, url: `${base}${path}${query ? `?${query}` : ''}`, init: { method: entry.verb, headers, body }, sentText };
}

async function createCompany(name = 'Table Co') {
  const r = await apiPost('/companies', { name, email: 'table@example.com' });
  assert.equal(r.status, 201);
  return (await r.json()).id;
}

describe('the whole API from spec/endpoints.json', () => {
  before(async () => {
    const r = await fetch(`${base}/__reset`, { method: 'POST' });
    await r.arrayBuffer();
  });

  it('the table has 166 operations and every path template routes to itself', () => {
    assert.equal(SPEC.endpoints.length, 166);
    for (const e of SPEC.endpoints) {
      const values = Object.fromEntries(e.pathParams.map((p) => [p, `v-${p}`]));
      const m = SPEC.router.match(fillPath(e.path, values));
      assert.equal(m?.template.template, e.path, `${e.verb} ${e.path}`);
      assert.equal(m.template.methods[e.verb], e);
      assert.deepEqual(m.params, values);
    }
  });

  it('answers every operation with the documented status and shape, and logs what was sent', async () => {
    const companyId = await createCompany();
    const sent = [];
    for (const entry of SPEC.endpoints) {
      const tag = `${entry.operationId} ${entry.verb} ${entry.path}`;
      const overrides = { company_id: entry.operationId === 'deleteCompany' ? await createCompany('Doomed Co') : companyId };
      const rq = requestFor(entry, overrides);
      rq.init.headers['x-test-op'] = entry.operationId;
      const r = await fetch(rq.url, rq.init);
      const status = expectedStatus(entry);
      const raw = Buffer.from(await r.arrayBuffer());
      assert.equal(r.status, status, `${tag}: ${raw.toString()}`);
      assert.match(r.headers.get('x-request-id') ?? '', REQ_ID_RE, tag);
      sent.push({ entry, rq, status });
      const kind = entry.response.kind;
      if (kind === 'no_content') {
        assert.equal(raw.length, 0, tag);
        continue;
      }
      if (kind === 'bytes') {
        assert.equal(r.headers.get('content-type'), 'application/zip', tag);
        assert.equal(r.headers.get('content-disposition'), 'attachment; filename="vapi-logs-fake.zip"', tag);
        assert.equal(raw.toString('latin1'), 'PK\x03\x04fake-log-archive', tag);
        continue;
      }
      assert.equal(r.headers.get('content-type'), 'application/json', tag);
      const json = JSON.parse(raw.toString());
      if (kind === 'paginated') {
        assert.deepEqual(Object.keys(json).sort(), ['items', 'limit', 'offset', 'total'], tag);
        if (entry.operationId === 'listCompanies') {
          assert.ok(json.items.length >= 1, tag);
        } else {
          assert.deepEqual([json.limit, json.offset, json.total, json.items.length], [2, 1, 3, 2], tag);
        }
        json.items.forEach((item, i) => assertConforms(entry.response.schema, item, `${tag} items[${i}]`));
        const ids = json.items.map((i) => i.id).filter(Boolean);
        assert.equal(new Set(ids).size, ids.length, `${tag}: distinct ids`);
      } else if (kind === 'list') {
        assert.ok(Array.isArray(json), tag);
        assert.equal(json.length, 2, tag);
        json.forEach((item, i) => assertConforms(entry.response.schema, item, `${tag} [${i}]`));
      } else if (kind === 'raw_json') {
        assert.ok(json && typeof json === 'object' && !Array.isArray(json), tag);
        for (const options of Object.values(json)) {
          for (const values of Object.values(options)) assert.ok(Array.isArray(values) && values.length > 0, tag);
        }
      } else if (entry.response.schema) {
        assertConforms(entry.response.schema, json, tag);
        // A resource fetched or changed by its id comes back with that id (a resource that
        // merely refers to it, like an experience record under {campaign_id}, echoes it as is).
        const last = entry.pathParams.at(-1);
        if (last?.endsWith('_id') && entry.path.endsWith(`{${last}}`) && entry.verb !== 'POST' && 'id' in json) {
          if (last in json) assert.equal(json[last], overrides[last] ?? pathValues(entry)[last], tag);
          else
assert.equal(json.id, overrides[last] ?? pathValues(entry)[last], `${tag}: id echoes {${last}}`);
        }
        if (json.company_id !== undefined && entry.pathParams.includes('company_id')) assert.equal(json.company_id, companyId, tag);
      } else {
        // Inline in the spec: the reference parses a developer plus its new key.
        assert.match(json.api_key, /^[A-Za-z0-9]{32}$/, tag);
        assert.match(json.id, UUID_RE, tag);
      }
    }

    // The API log holds one record per operation, with what the client sent.
    const log = await (await fetch(`${base}/__apilog`)).json();
    for (const { entry, rq, status } of sent) {
      const rec = log.find((e) => e.headers['x-test-op'] === entry.operationId);
      const tag = entry.operationId;
      assert.ok(rec, `${tag}: no /__apilog record`);
      assert.equal(rec.operationId, entry.operationId, tag);
      assert.equal(rec.method, entry.verb, tag);
      assert.equal(rec.path, rq.path, tag);
      assert.deepEqual(Object.keys(rec).filter((k) => ['method', 'path', 'query', 'headers', 'body', 'operationId', 'status'].includes(k)).sort(),
        ['body', 'headers', 'method', 'operationId', 'path', 'query', 'status'], tag);
      assert.equal(rec.status, status, tag);
      assert.equal(rec.query, rq.query, tag);
      assert.equal(rec.headers['x-api-key'], KEY, tag);
      assert.ok(Object.keys(rec.headers).every((k) => k === k.toLowerCase()), tag);
      assert.equal(rec.headers['on-behalf-of'], entry.onBehalfOf.server ? ACTING_USER : undefined, tag);
      if (entry.body?.kind === 'multipart') {
        assert.match(rec.headers['content-type'], /^multipart\/form-data; boundary=/, tag);
        assert.match(rec.body, /name="data"; filename="avatar.png"/, tag);
        assert.match(rec.body, /fake image bytes/, tag);
      } else {
        assert.equal(rec.body, rq.sentText, tag);
      }
    }
    assert.equal(new Set(log.map((e) => e.operationId).filter(Boolean)).size, 166);
  });

  it('paginated collections: 3 deterministic items with distinct ids; limit and offset honoured', async () => {
    const path = `/companies/${stableUuid('c')}/users/${stableUuid('u')}/notes`;
    let r = await api(path);
    const page = await r.json();
    assert.deepEqual([page.limit, page.offset, page.total, page.items.length], [10, 0, 3, 3]);
    assert.equal(new Set(page.items.map((i) => i.id)).size, 3);
    assert.ok(page.items.every((n) => n.user_id === stableUuid('u') && n.company_id === stableUuid('c')));
    r = await api(`${path}?limit=1&offset=2`);
    const tail = await r.json();
    assert.deepEqual(tail, { items: [page.items[2]], limit: 1, offset: 2, total: 3 });
    r = await api(`${path}?limit=0`);
    assert.deepEqual((await r.json()).items, []);
    r = await api(`${path}?offset=-1`);
    assert.equal(r.status, 400);
    assert.deepEqual((await r.json()).invalid_parameters, [{ field: 'offset', message: 'Expected `int` >= 0' }]);
    // The audit log switches to its detail schema when `include` asks for request details.
    r = await api(`/companies/${stableUuid('c')}/audit-logs?include=request_details`);
    const detail = await r.json();
    detail.items.forEach((item) => assertConforms('AuditLogDetailResponse', item, 'audit detail'));
  });

  it('limit over the maximum gives 400 (100 for most lists, 1000 for reference catalogues)', async () => {
    const c = `/companies/${stableUuid('c')}`;
    for (const [path, max] of [[`${c}/users`, 100], [`${c}/dictionaries`, 1000], [`${c}/characterblueprint/traits`, 1000]]) {
      let r = await api(`${path}?limit=${max}`);
      assert.equal(r.status, 200, path);
      await r.arrayBuffer();
      r = await api(`${path}?limit=${max + 1}`);
      assert.equal(r.status, 400, path);
      assert.match(r.headers.get('x-request-id'), REQ_ID_RE);
      const p = await r.json();
      assert.equal(p.detail, 'Validation failed for one or more fields.');
      assert.deepEqual(p.invalid_parameters, [{ field: 'limit', message: `Expected \`int\` <= ${max}` }]);
    }
  });

  it('On-Behalf-Of: 400 when a requiring operation lacks it, 404 when it is not a UUID, ignored elsewhere', async () => {
    const cid = stableUuid('c');
    const body = { username: 'someone', email: 'someone@example.com', role: 'PLAYER' };
    let r = await apiPost(`/companies/${cid}/users`, body);
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    let p = await r.json();
    assert.equal(p.detail, `Missing required header parameter 'On-Behalf-Of' for path /api/v1/companies/${cid}/users`);
    assert.equal(p.request_id, r.headers.get('x-request-id'));
    r = await apiPost(`/companies/${cid}/users`, body, { 'on-behalf-of': 'nobody' });
    assert.equal(r.status, 404);
    p = await r.json();
    assert.equal(p.title, 'Not Found');
    assert.equal(p.detail, "User 'nobody' not found");
    r = await apiPost(`/companies/${cid}/users`, body, { 'on-behalf-of': ACTING_USER });
    assert.equal(r.status, 201);
    const user = await r.json();
    assert.equal(user.username, 'someone'); // scalar body fields are echoed
    assert.equal(user.company_id, cid);
    // Listing users does not need the header; sending it anyway is fine.
    r = await api(`/companies/${cid}/users`);
    assert.equal(r.status, 200);
    await r.arrayBuffer();
    r = await api(`/companies/${cid}/users`, { headers: { 'on-behalf-of': 'whatever' } });
    assert.equal(r.status, 200);
    await r.arrayBuffer();
  });

  it('405 with allow on a table-driven path; literal segments win over parameters', async () => {
    const cid = stableUuid('c');
    let r = await api(`/companies/${cid}/users`, { method: 'PUT' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'OPTIONS, GET, POST');
    assert.equal(r.headers.get('x-request-id'), null);
    assert.equal((await r.json()).request_id, undefined);
    r = await api(`/companies/${cid}/users/merge`);
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'OPTIONS, POST');
    await r.arrayBuffer();
    r = await api(`/companies/${cid}/users/unapproved`, { headers: { 'on-behalf-of': ACTING_USER } });
    assert.equal(r.status, 200);
    await r.arrayBuffer();
    const log = await (await fetch(`${base}/__apilog`)).json();
    assert.equal(log.at(-1).operationId, 'listUnapprovedUsers');
    assert.equal(log.at(-2).operationId, null);
  });

  it('request validation: bad JSON, missing fields, arrays, uploads, query and path parameters', async () => {
    const cid = stableUuid('c');
    const obo = { 'on-behalf-of': ACTING_USER };
    const problem = async (r, status = 400) => {
      assert.equal(r.status, status);
      assert.equal(r.headers.get('content-type'), 'application/problem+json');
      return r.json();
    };
    let p = await problem(await api(`/companies/${cid}/campaigns`, { method: 'POST', headers: obo, body: '{"name": "trunc' }));
    assert.equal(p.detail, 'Input data was truncated');
    p = await problem(await api(`/companies/${cid}/campaigns`, { method: 'POST', headers: obo, body: '{"name": nope}' }));
    assert.equal(p.detail, 'JSON is malformed: invalid character');
    p = await problem(await apiPost(`/companies/${cid}/users`, { email: 'a@b.co', role: 'PLAYER' }, obo));
    assert.deepEqual(p.invalid_parameters, [{ field: 'data', message: 'Object missing required field `username`' }]);
    p = await problem(await apiPost(`/companies/${cid}/campaigns`, [1], obo));
    assert.deepEqual(p.invalid_parameters, [{ field: 'data', message: 'Expected `object`, got `array`' }]);

    const bulk = `/companies/${cid}/characters/${stableUuid('ch')}/traits/bulk-assign`;
    p = await problem(await apiPost(bulk, { trait_id: stableUuid('t') }, obo));
    assert.deepEqual(p.invalid_parameters, [{ field: 'data', message: 'Expected `array`, got `object`' }]);
    p = await problem(await apiPost(bulk, [{ value: 1 }], obo));
    assert.deepEqual(p.invalid_parameters, [{ field: 'data[0]', message: 'Object missing required field `trait_id`' }]);
    let r = await apiPost(bulk, [{ trait_id: stableUuid('t'), value: 2 }], obo);
    assert.equal(r.status, 200);
    await r.arrayBuffer();

    const upload = `/companies/${cid}/users/${stableUuid('u')}/assets/upload`;
    p = await problem(await apiPost(upload, { data: 'x' }, obo));
    assert.deepEqual(p.invalid_parameters, [{ field: 'data', message: 'Object missing required field `data`' }]);
    const wrong = new FormData();
    wrong.append('file', new Blob(['x']), 'x.png');
    p = await problem(await api(upload, { method: 'POST', headers: obo, body: wrong }));
    assert.deepEqual(p.invalid_parameters, [{ field: 'data', message: 'Object missing required field `data`' }]);
    const good = new FormData();
    good.append('data', new Blob(['abc'], { type: 'text/plain' }), 'notes.txt');
    r = await api(upload, { method: 'POST', headers: obo, body: good });
    assert.equal(r.status, 201);
    const asset = await r.json();
    assert.equal(asset.original_filename, 'notes.txt');
    assert.equal(asset.mime_type, 'text/plain');
    // Binary uploads are logged as text and, exactly, as base64.
    const binary = new FormData();
    binary.append('data', new Blob([new Uint8Array([0xff, 0x00, 0xfe])], { type: 'image/png' }), 'b.png');
    r = await api(upload, { method: 'POST', headers: obo, body: binary });
    assert.equal(r.status, 201);
    await r.arrayBuffer();
    const rec = (await (await fetch(`${base}/__apilog`)).json()).at(-1);
    assert.equal(rec.operationId, 'uploadUserAsset');
    assert.ok(Buffer.from(rec.bodyBase64, 'base64').includes(Buffer.from([0xff, 0x00, 0xfe])));

    p = await problem(await api(`/companies/${cid}/characters/chargen/start`, { method: 'POST', headers: obo }));
    assert.equal(p.detail, `Missing required query parameter 'campaign_id' for path /api/v1/companies/${cid}/characters/chargen/start`);
    r = await api(`/companies/${cid}/characters/chargen/start?campaign_id=${stableUuid('camp')}`, { method: 'POST', headers: obo });
    assert.equal(r.status, 201);
    assert.equal((await r.json()).campaign_id, stableUuid('camp'));
    p = await problem(await api(`/companies/${cid}/audit-logs?operation=NOPE&include=request_details,x`));
    assert.deepEqual(p.invalid_parameters, [
      { field: 'operation', message: "Invalid enum value 'NOPE'" },
      { field: 'include', message: "Invalid enum value 'x'" },
    ]);
    p = await problem(await api(`/companies/${cid}/statistics?num_top_traits=five`));
    assert.deepEqual(p.invalid_parameters, [{ field: 'num_top_traits', message: 'Expected `int`, got `str`' }]);
    p = await problem(await api(`/admin/logs?limit=501`));
    assert.deepEqual(p.invalid_parameters, [{ field: 'limit', message: 'Expected `int` <= 500' }]);
    r = await api('/admin/logs?limit=1');
    assert.equal((await r.json()).length, 1);
    p = await problem(await api(`/companies/${cid}/characters?is_temporary=maybe`, { headers: obo }));
    assert.deepEqual(p.invalid_parameters, [{ field: 'is_temporary', message: 'Expected `bool`, got `str`' }]);
    p = await problem(await api(`/companies/${cid}/users/${stableUuid('u')}/identities/GOOGLE`, { method: 'DELETE', headers: obo }));
    assert.deepEqual(p.invalid_parameters, [{ field: 'provider', message: "Invalid enum value 'GOOGLE'" }]);
    // An empty path segment is no route at all.
    r = await api(`/companies/${cid}/users//notes`);
    assert.equal(r.status, 404);
    await r.arrayBuffer();
  });

  it('table-driven POSTs go through idempotency (replay, 409) and the API key check', async () => {
    const path = `/companies/${stableUuid('c')}/campaigns`;
    const headers = { 'on-behalf-of': ACTING_USER, 'idempotency-key': 'table-create-1' };
    const body = { name: 'Chicago by Night' };
    let r = await apiPost(path, body, headers);
    assert.equal(r.status, 201);
    const rid1 = r.headers.get('x-request-id');
    const first = await r.text();
    assert.equal(JSON.parse(first).name, 'Chicago by Night');
    r = await apiPost(path, body, headers);
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.notEqual(r.headers.get('x-request-id'), rid1);
    assert.equal(await r.text(), first);
    assert.equal((await stats()).byIdempotencyKey['table-create-1'], 1);
    r = await apiPost(path, { name: 'Another' }, headers);
    assert.equal(r.status, 409);
    assert.equal(r.headers.get('x-request-id'), null);
    await r.arrayBuffer();
    // A 400 (here: no On-Behalf-Of) is not stored.
    r = await apiPost(path, body, { 'idempotency-key': 'table-create-2' });
    assert.equal(r.status, 400);
    await r.arrayBuffer();
    r = await apiPost(path, body, { ...headers, 'idempotency-key': 'table-create-2' });
    assert.equal(r.status, 201);
    await r.arrayBuffer();
    assert.equal((await stats()).byIdempotencyKey['table-create-2'], 2);
    // No key: 401 before anything else.
    r = await fetch(`${base}/api/v1${path}`, { method: 'POST', body: '{}' });
    assert.equal(r.status, 401);
    await r.arrayBuffer();
    // A fault answers first; its log record still names the operation.
    await (await postJson(`${base}/__faults`, { next: [{ status: 503 }] })).arrayBuffer();
    r = await apiPost(path, body, headers);
    assert.equal(r.status, 503);
    await r.arrayBuffer();
    const rec = (await (await fetch(`${base}/__apilog`)).json()).at(-1);
    assert.deepEqual([rec.operationId, rec.fault, rec.status], ['createCampaign', true, 503]);
  });
});

// ---------------------------------------------------------------------------------------
describe('stateful campaigns and characters', () => {
  const obo = { 'on-behalf-of': ACTING_USER };
  const apiPatch = (path, value, headers = {}) => api(path, {
    method: 'PATCH', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value),
  });
  async function json(r, status) {
    const text = await r.text();
    assert.equal(r.status, status, text);
    return text ? JSON.parse(text) : undefined;
  }

  it('campaigns: a create is stored per company; the list puts it first, then the synthesised ones', async () => {
    const company = await createCompany('Campaign Co');
    const other = await createCompany('Other Co');
    const path = `/companies/${company}/campaigns`;
    const before = await json(await api(path), 200);
    assert.equal(before.total, 3);

    const made = await json(await apiPost(path, { name: 'Chicago by Night', danger: 2 }, obo), 201);
    assertConforms('CampaignResponse', made, 'created campaign');
    assert.match(made.id, UUID7_RE);
    assert.equal(made.company_id, company);
    assert.deepEqual([made.name, made.danger, made.desperation, made.description, made.in_game_date], ['Chicago by Night', 2, 0, null, null]);
    assert.equal(made.num_books, 0);
    assert.match(made.date_created, DATE_TIME_RE);
    // The same body without a key is a second campaign with its own id.
    const twin = await json(await apiPost(path, { name: 'Chicago by Night', danger: 2 }, obo), 201);
    assert.notEqual(twin.id, made.id);

    const page = await json(await api(path), 200);
    assert.equal(page.total, 5);
    assert.deepEqual(page.items.slice(0, 2).map((c) => c.id), [made.id, twin.id]);
    assert.deepEqual(page.items.slice(2).map((c) => c.id), before.items.map((c) => c.id));
    page.items.forEach((c, i) => assertConforms('CampaignResponse', c, `items[${i}]`));
    // Paging runs over both parts.
    const tail = await json(await api(`${path}?limit=2&offset=1`), 200);
    assert.deepEqual([tail.limit, tail.offset, tail.total], [2, 1, 5]);
    assert.deepEqual(tail.items.map((c) => c.id), [twin.id, before.items[0].id]);
    assert.deepEqual((await json(await api(`${path}?limit=2&offset=4`), 200)).items.map((c) => c.id), [before.items[2].id]);
    // Another company does not see them; the checks still apply to the list.
    assert.equal((await json(await api(`/companies/${other}/campaigns`), 200)).total, 3);
    assert.deepEqual((await json(await api(`${path}?limit=101`), 400)).invalid_parameters, [{ field: 'limit', message: 'Expected `int` <= 100' }]);

    // GET and PATCH of a stored id use the store; PATCH changes only the fields that fit.
    assert.deepEqual(await json(await api(`${path}/${made.id}`), 200), made);
    const changed = await json(await apiPatch(`${path}/${made.id}`, { desperation: 3, description: 'Elysium burns', danger: 'high', id: 'x' }, obo), 200);
    assert.deepEqual([changed.id, changed.desperation, changed.description, changed.danger, changed.name], [made.id, 3, 'Elysium burns', 2, 'Chicago by Night']);
    assert.ok(changed.date_modified >= made.date_modified);
    assertConforms('CampaignResponse', changed, 'patched campaign');
    assert.deepEqual(await json(await api(`${path}/${made.id}`), 200), changed);
    const cleared = await json(await apiPatch(`${path}/${made.id}`, { description: null }, obo), 200);
    assert.equal(cleared.description, null);
    // The table-driven checks come first: no On-Behalf-Of, no change.
    await json(await apiPatch(`${path}/${made.id}`, { name: 'Nope' }), 400);
    assert.equal((await json(await api(`${path}/${made.id}`), 200)).name, 'Chicago by Night');

    // DELETE removes it; then its id is unknown again and gets the synthesised answer.
    await json(await api(`${path}/${twin.id}`, { method: 'DELETE', headers: obo }), 204);
    assert.equal((await json(await api(path), 200)).total, 4);
    const ghost = await json(await api(`${path}/${twin.id}`), 200);
    assert.equal(ghost.id, twin.id);
    assert.notEqual(ghost.name, 'Chicago by Night');
    // An unknown id is answered as before, statelessly.
    const unknown = stableUuid('no such campaign');
    assert.deepEqual(await json(await api(`${path}/${unknown}`), 200), await json(await api(`${path}/${unknown}`), 200));
    assert.equal((await json(await apiPatch(`${path}/${unknown}`, { name: 'Echoed' }, obo), 200)).name, 'Echoed');
    assert.equal((await json(await api(`${path}/${unknown}`), 200)).name === 'Echoed', false);
  });

  it('campaigns: an idempotent retry of a create stores one campaign', async () => {
    const company = await createCompany('Retry Co');
    const path = `/companies/${company}/campaigns`;
    await (await postJson(`${base}/__faults`, { next: [{ status: 503 }] })).arrayBuffer();
    const headers = { ...obo, 'idempotency-key': 'campaign-once' };
    await json(await apiPost(path, { name: 'Once Only' }, headers), 503);
    const a = await json(await apiPost(path, { name: 'Once Only' }, headers), 201);
    const b = await json(await apiPost(path, { name: 'Once Only' }, headers), 201);
    assert.deepEqual(a, b);
    assert.equal((await stats()).byIdempotencyKey['campaign-once'], 1);
    const page = await json(await api(`${path}?limit=100`), 200);
    assert.equal(page.items.filter((c) => c.name === 'Once Only').length, 1);
  });

  it('characters: stored with creator and player, filtered by the list filters, detail GET overlays the store', async () => {
    const company = await createCompany('Character Co');
    const path = `/companies/${company}/characters`;
    const campaign = stableUuid('some campaign');
    const player = stableUuid('player');
    const body = { name_first: 'Ann', name_last: 'Rice', character_class: 'VAMPIRE', game_version: 'V5', campaign_id: campaign };
    const mine = await json(await apiPost(path, body, obo), 201);
    assertConforms('CharacterResponse', mine, 'created character');
    assert.deepEqual([mine.name, mine.name_full, mine.user_creator_id, mine.user_player_id, mine.campaign_id],
      ['Ann Rice', 'Ann Rice', ACTING_USER, ACTING_USER, campaign]);
    const theirs = await json(await apiPost(path, { ...body, name_first: 'Bo', character_class: 'MAGE', user_player_id: player }, obo), 201);
    assert.deepEqual([theirs.user_creator_id, theirs.user_player_id], [ACTING_USER, player]);

    const list = async (q) => json(await api(`${path}?is_temporary=false${q}`, { headers: obo }), 200);
    let page = await list('');
    assert.equal(page.total, 5);
    assert.deepEqual(page.items.slice(0, 2).map((c) => c.id), [mine.id, theirs.id]);
    page.items.forEach((c, i) => assertConforms('CharacterResponse', c, `items[${i}]`));
    page = await list(`&user_player_id=${player}`);
    assert.deepEqual([page.total, page.items[0].id], [4, theirs.id]);
    assert.ok(page.items.every((c) => c.user_player_id === player));
    page = await list('&character_class=VAMPIRE');
    assert.deepEqual([page.total, page.items[0].id], [4, mine.id]);
    assert.equal((await json(await api(`${path}?is_temporary=true`, { headers: obo }), 200)).total, 3);
    assert.equal((await json(await api(`${path}?is_temporary=false`), 400)).detail, `Missing required header parameter 'On-Behalf-Of' for path /api/v1${path}`);

    const detail = await json(await api(`${path}/${mine.id}`), 200);
    assertConforms('CharacterDetailResponse', detail, 'character detail');
    assert.deepEqual([detail.id, detail.name_full, detail.user_player_id], [mine.id, 'Ann Rice', ACTING_USER]);
    const renamed = await json(await apiPatch(`${path}/${mine.id}`, { name_nick: 'Lestat', status: 'DEAD' }, obo), 200);
    assert.deepEqual([renamed.name_full, renamed.status], ['Ann "Lestat" Rice', 'DEAD']);
    assert.equal((await list('&status=DEAD')).items[0].id, mine.id);
    await json(await api(`${path}/${mine.id}`, { method: 'DELETE', headers: obo }), 204);
    assert.equal((await list('')).total, 4);
  });

  it('a `pass` fault lets the request through and holds the answer back', async () => {
    const company = await createCompany('Slow Co');
    const path = `/companies/${company}/campaigns`;
    await (await postJson(`${base}/__faults`, { next: [{ action: 'pass', delayMs: 300 }] })).arrayBuffer();
    const t0 = performance.now();
    const made = await json(await apiPost(path, { name: 'Slow Campaign' }, obo), 201);
    assert.ok(performance.now() - t0 >= 280);
    assert.equal(made.name, 'Slow Campaign');
    const rec = (await (await fetch(`${base}/__apilog`)).json()).at(-1);
    assert.deepEqual([rec.operationId, rec.fault, rec.status], ['createCampaign', true, 201]);

    // A client that gives up before the answer: the write happened, and a retry under the
    // same key replays it instead of creating a second campaign.
    await (await postJson(`${base}/__faults`, { next: [{ action: 'pass', delayMs: 400 }] })).arrayBuffer();
    const headers = { ...obo, 'idempotency-key': 'slow-once' };
    await assert.rejects(fetch(`${base}/api/v1${path}`, {
      method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json', ...headers }, body: '{"name":"Late"}',
      signal: AbortSignal.timeout(100),
    }), /TimeoutError|AbortError|aborted/);
    await new Promise((r) => setTimeout(r, 450));
    assert.equal((await stats()).byIdempotencyKey['slow-once'], 1);
    await json(await apiPost(path, { name: 'Late' }, headers), 201);
    assert.equal((await stats()).byIdempotencyKey['slow-once'], 1);
    const names = (await json(await api(`${path}?limit=100`), 200)).items.map((c) => c.name);
    assert.equal(names.filter((n) => n === 'Late').length, 1);
  });

  it('`pass` is only for the fault queue, and takes only delayMs', async () => {
    let r = await postJson(`${base}/__faults`, { next: [{ action: 'pass', status: 500 }] });
    assert.equal(r.status, 400);
    assert.match((await r.json()).detail, /pass step takes only delayMs/);
    r = await postJson(`${base}/__faults`, { next: [{ action: 'pass', delayMs: -1 }] });
    assert.equal(r.status, 400);
    await r.arrayBuffer();
    r = await postJson(`${base}/__scenario/pass-nope`, { steps: [{ action: 'pass' }] });
    assert.equal(r.status, 400);
    assert.match((await r.json()).detail, /action must be one of/);
    await (await postJson(`${base}/__faults`, { next: [] })).arrayBuffer();
  });
});
