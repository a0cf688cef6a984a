// The public surface of the built package (target/npm) in Node: no wasm-bindgen internals
// (`free()`, `InitOutput`), synchronous disposal closes, `vclient/slim` before `init()` is a
// typed error, and a call's error has a stack that reaches the caller's own code.
// Run: node --test tests/security/   (needs target/npm from scripts/package.sh)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as vclient from '../../target/npm/dist/node.js';

const { VClient, ClientClosedError, ConfigurationError, NotFoundError, defaultClient } = vclient;
const dist = new URL('../../target/npm/dist/', import.meta.url);

let server; let base;
before(async () => {
  server = http.createServer((req, res) => {
    if (req.url.startsWith('/hang')) return;
    if (req.url.startsWith('/missing')) {
      res.writeHead(404, { 'content-type': 'application/problem+json' });
      return res.end(JSON.stringify({ status: 404, title: 'Not Found', detail: 'nope' }));
    }
    if (req.url.startsWith('/list')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ items: [{ n: 1 }, { n: 2 }], limit: 2, offset: 0, total: 4 }));
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => { server.closeAllConnections?.(); server.close(); });

const client = (extra = {}) => new VClient({ baseUrl: base, apiKey: 'k', setAsDefault: false, ...extra });

test('no free() on the classes, their instances or the default client', () => {
  const c = new VClient({ baseUrl: base, apiKey: 'k' });
  const pager = c.paginate('/list');
  for (const [what, v] of [['VClient', c], ['defaultClient()', defaultClient()], ['Paginator', pager]]) {
    assert.equal(v.free, undefined, `${what} has free()`);
  }
  assert.equal('free' in VClient.prototype, false);
  c.close();
});

test('synchronous disposal closes the client: later calls reject with ClientClosedError', async () => {
  const c = client();
  // What `using c = new VClient(...)` calls at the end of its block.
  c[Symbol.dispose]();
  assert.equal(c.isClosed, true);
  const e = await c.request('GET', '/ok').catch((x) => x);
  assert.ok(e instanceof ClientClosedError, String(e));
  assert.deepEqual([e.method, e.url, e.attempts], ['GET', '/ok', 0]);
  // Services and pagination too, never "null pointer passed to rust".
  const p = await c.getPage('/list').catch((x) => x);
  assert.ok(p instanceof ClientClosedError, String(p));
});

test('a call in flight when the client is disposed rejects with ClientClosedError and its fields', async () => {
  const c = client();
  const pending = c.request('GET', '/hang', { query: { a: 1 } });
  await new Promise((r) => setTimeout(r, 50));
  c[Symbol.dispose]();
  const e = await pending.catch((x) => x);
  assert.ok(e instanceof ClientClosedError, String(e));
  assert.deepEqual([e.method, e.url, e.attempts], ['GET', '/hang?a=1', 1]);
});

test('disposing a paginator stops it', async () => {
  const c = client();
  const pager = c.paginate('/list', { pageSize: 2 });
  assert.deepEqual((await pager.next()).value, { n: 1 });
  pager[Symbol.dispose]();
  // return() settles asynchronously; the iteration then reports done.
  await new Promise((r) => setTimeout(r, 10));
  assert.equal((await pager.next()).done, true);
  await pager[Symbol.asyncDispose]();
  c.close();
});

test('vclient/slim before init() throws a ConfigurationError that says to call init()', () => {
  const script = `
    import * as slim from ${JSON.stringify(new URL('slim.js', dist).href)};
    import { readFileSync } from 'node:fs';
    const out = {};
    const grab = (f) => { try { f(); return 'no error'; } catch (e) {
      return [e instanceof slim.ConfigurationError, e.option, e.message].join('|'); } };
    out.ctor = grab(() => new slim.VClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k' }));
    out.fn = grab(() => slim.defaultClient());
    out.factory = grab(() => slim.usersService('u'));
    slim.initSync({ module: readFileSync(new URL('vclient_bg.wasm', ${JSON.stringify(dist.href)})) });
    const c = new slim.VClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k' });
    out.after = [c instanceof slim.VClient, slim.defaultClient().baseUrl, typeof c.free].join('|');
    console.log(JSON.stringify(out));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
  for (const k of ['ctor', 'fn', 'factory']) {
    const [typed, option, message] = out[k].split('|');
    assert.equal(typed, 'true', `${k}: ${out[k]}`);
    assert.equal(option, 'init');
    assert.match(message, /call `await init\(\{ module_or_path \}\)` or `initSync\(\{ module \}\)` first/);
  }
  assert.equal(out.after, 'true|http://127.0.0.1:1|undefined');
});

test('the declarations show no wasm-bindgen internals', () => {
  for (const f of ['core.d.ts', 'index.d.ts']) {
    const dts = readFileSync(new URL(f, dist), 'utf8');
    assert.doesNotMatch(dts, /InitOutput|free\(\): void|__wbg/, f);
  }
  const core = readFileSync(new URL('core.d.ts', dist), 'utf8');
  assert.match(core, /readonly operation\?: string;/, 'ResponseValidationError.operation declared');
});

test("a call's error has a stack that reaches the caller's code", async () => {
  const here = fileURLToPath(import.meta.url).split('/').pop();
  const c = client();
  async function lookUpSomething() {
    return await c.request('GET', '/missing');
  }
  const e = await lookUpSomething().catch((x) => x);
  assert.ok(e instanceof NotFoundError, String(e));
  assert.match(e.stack, /^NotFoundError: \[404\] Not Found/);
  assert.ok(e.stack.includes('lookUpSomething') && e.stack.includes(here), e.stack);
  const p = await (async function pageThrough() { return await c.getPage('/missing'); })().catch((x) => x);
  assert.ok(p.stack.includes('pageThrough'), p.stack);
  const l = await (async function listEverything() { return await c.listAll('/missing'); })().catch((x) => x);
  assert.ok(l.stack.includes('listEverything'), l.stack);
  // Only the library's errors are re-captured; a success is the value itself.
  assert.deepEqual(await c.request('GET', '/ok'), { ok: true });
  assert.equal(vclient.atCallSite, undefined, 'the helper is internal to the package');
  c.close();
});

test('network errors name the host and the reason, and a blocked port is not retried', async () => {
  const refused = client({ baseUrl: 'http://127.0.0.1:2', maxRetries: 1, retryDelay: 0.01 });
  const e = await refused.request('GET', '/x').catch((x) => x);
  assert.equal(e.name, 'NetworkError');
  assert.match(e.message, /^GET \/x to 127\.0\.0\.1:2 failed: fetch failed: connect ECONNREFUSED/);
  assert.equal(e.attempts, 2, 'a refused connection may heal: retried');
  const blocked = client({ baseUrl: 'http://127.0.0.1:6000', maxRetries: 3, retryDelay: 0.01 });
  const b = await blocked.request('GET', '/x').catch((x) => x);
  assert.equal(b.name, 'NetworkError');
  assert.match(b.message, /to 127\.0\.0\.1:6000 failed: fetch failed: bad port; not retried/);
  assert.equal(b.attempts, 1);
  assert.equal(b.cause?.cause?.message, 'bad port', 'the runtime error is the cause');
});

test('a bad option is a ConfigurationError before anything else, getters included', () => {
  const e = (() => { try { new VClient({ baseUrl: base, get apiKey() { throw new RangeError('vault locked'); } }); } catch (x) { return x; } })();
  assert.ok(e instanceof ConfigurationError);
  assert.equal(e.option, 'apiKey');
  assert.ok(e.cause instanceof RangeError);
});

test("a throwing getter in a call's file is reported, not swallowed", async () => {
  const file = { get data() { throw new RangeError('disk gone'); }, filename: 'a.txt' };
  const e = await client().request('POST', '/x', { file }).catch((x) => x);
  assert.equal(e.name, 'RequestValidationError');
  assert.equal(e.field, 'file');
  assert.ok(e.cause instanceof RangeError, 'the getter\'s exception is the cause');
});
