// Hostile responses through the wasm build in Node: bodies far larger than maxResponseBytes
// (declared, chunked, and a gzip bomb), deeply nested JSON, invalid UTF-8. Each must give a
// clear typed error, keep memory bounded, and leave the client usable.
// Run: node --test tests/hostile/   (needs target/npm from scripts/package.sh)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import {
  VClient, ResponseValidationError, ServerError, ValidationError, NetworkError,
} from '../../target/npm/dist/node.js';
import { initSync } from '../../target/npm/dist/core.js';

const MB = 1024 * 1024;
const BIG = 50 * MB;
const wasmMemory = () => initSync().memory.buffer.byteLength;

// One 1 MiB chunk reused, so the server itself stays small.
const chunk = Buffer.alloc(MB, 'a');
const gzBomb = gzipSync(Buffer.alloc(BIG, ' '), { level: 9 }); // ~50 KB on the wire
const deep = (n) => '['.repeat(n) + ']'.repeat(n);
const deepObject = (n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
const badUtf8 = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);

let sent = 0; // bytes of the big bodies actually written, to show reading stopped early
const routes = {
  '/big-declared': (res) => streamBig(res, true),
  '/big-chunked': (res) => streamBig(res, false),
  '/gzip-bomb': (res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': gzBomb.length });
    res.end(gzBomb);
  },
  '/deep-array': (res) => json(res, 200, deep(100_000)),
  '/deep-object': (res) => json(res, 200, deepObject(100_000)),
  // Under the 64 Ki-character limit on parsed error bodies, then over it.
  '/deep-error': (res) => json(res, 400, `{"status":400,"title":"Bad Request","detail":"deep","invalid_parameters":${deep(20_000)}}`),
  '/huge-error': (res) => json(res, 400, `{"status":400,"title":"Bad Request","detail":"huge","invalid_parameters":${deep(50_000)}}`),
  '/bad-utf8': (res) => json(res, 200, badUtf8),
  '/bad-utf8-error': (res) => json(res, 503, Buffer.concat([Buffer.from('{"status":503,"title":"Service Unavailable","detail":"caf'), Buffer.from([0xe9]), Buffer.from('"}')])),
  '/ok': (res) => json(res, 200, '{"ok":true}'),
  '/small': (res) => json(res, 200, JSON.stringify({ pad: 'x'.repeat(2000) })),
};
function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
function streamBig(res, declared) {
  res.writeHead(200, declared ? { 'content-type': 'application/json', 'content-length': BIG } : { 'content-type': 'application/json' });
  let left = BIG / MB;
  const pump = () => {
    while (left > 0) {
      left--;
      sent += MB;
      if (!res.write(chunk)) return res.once('drain', pump);
    }
    res.end();
  };
  res.on('close', () => { left = 0; });
  pump();
}

let server;
let base;
before(async () => {
  server = http.createServer((req, res) => (routes[req.url] ?? ((r) => json(r, 404, '{}')))(res));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => { server.closeAllConnections?.(); server.close(); });

const client = (extra = {}) => new VClient({ baseUrl: base, apiKey: 'hostile-test-key-0123456789abcdef', setAsDefault: false, maxRetries: 0, timeout: 20, ...extra });

test('a 50 MB body with its length declared is refused before it is read', async () => {
  const c = client();
  sent = 0;
  const e = await c.request('GET', '/big-declared').catch((x) => x);
  assert.ok(e instanceof ResponseValidationError, String(e));
  assert.match(e.message, /larger than maxResponseBytes \(33554432 bytes\)/);
  // The server could not push 50 MB: the client cancelled the body.
  assert.ok(sent < BIG, `server wrote ${sent} bytes`);
  assert.deepEqual(await c.request('GET', '/ok'), { ok: true });
});

test('a 50 MB chunked body is cut off at the cap, memory stays bounded', async () => {
  const c = client({ maxResponseBytes: 4 * MB });
  const rss0 = process.memoryUsage().rss;
  const wasm0 = wasmMemory();
  for (let i = 0; i < 3; i++) {
    sent = 0;
    const e = await c.request('GET', '/big-chunked').catch((x) => x);
    assert.ok(e instanceof ResponseValidationError, String(e));
    assert.match(e.message, /larger than maxResponseBytes \(4194304 bytes\)/);
    assert.ok(sent < BIG, `server wrote ${sent} bytes`);
  }
  const grew = process.memoryUsage().rss - rss0;
  assert.ok(grew < 64 * MB, `rss grew ${grew} bytes`);
  assert.equal(wasmMemory(), wasm0, 'the body never entered wasm memory');
  assert.deepEqual(await c.request('GET', '/ok'), { ok: true });
});

test('a gzip bomb is measured after decoding', async () => {
  const c = client({ maxResponseBytes: 8 * MB });
  const e = await c.request('GET', '/gzip-bomb').catch((x) => x);
  assert.ok(e instanceof ResponseValidationError, String(e));
  assert.match(e.message, /larger than maxResponseBytes/);
});

test('a body within the cap is read in full', async () => {
  const c = client({ maxResponseBytes: 2048 + 20 });
  assert.equal((await c.request('GET', '/small')).pad.length, 2000);
  const tight = client({ maxResponseBytes: 1000 });
  assert.ok(await tight.request('GET', '/small').catch((x) => x) instanceof ResponseValidationError);
});

test('deeply nested JSON parses or fails cleanly, and the client carries on', async () => {
  const c = client();
  for (const path of ['/deep-array', '/deep-object']) {
    const out = await c.request('GET', path).then((v) => ({ v }), (e) => ({ e }));
    // V8 parses deep JSON iteratively; if a runtime cannot, the failure must be typed.
    if (out.e) assert.ok(out.e instanceof ResponseValidationError, String(out.e));
    else assert.ok(out.v !== undefined);
  }
  const e = await c.request('GET', '/deep-error').catch((x) => x);
  assert.ok(e instanceof ValidationError, String(e));
  assert.equal(e.detail, 'deep');
  assert.ok(e.invalidParameters.length <= 100);
  // An error body too long to be worth parsing keeps its status and class.
  const h = await c.request('GET', '/huge-error').catch((x) => x);
  assert.ok(h instanceof ValidationError, String(h));
  assert.equal(h.status, 400);
  assert.deepEqual(await c.request('GET', '/ok'), { ok: true });
});

test('invalid UTF-8 in a success body is an error, not replacement characters', async () => {
  const c = client();
  const e = await c.request('GET', '/bad-utf8').catch((x) => x);
  assert.ok(e instanceof ResponseValidationError, String(e));
  assert.match(e.message, /not valid UTF-8/);
  // An error body is only a message: it is decoded leniently and keeps its status.
  const s = await c.request('GET', '/bad-utf8-error').catch((x) => x);
  assert.ok(s instanceof ServerError, String(s));
  assert.equal(s.status, 503);
  assert.equal(s.detail, 'caf\uFFFD');
  assert.deepEqual(await c.request('GET', '/ok'), { ok: true });
});

test('a bad maxResponseBytes is a ConfigurationError naming it', () => {
  for (const bad of [0, -1, 1.5, 'big', Infinity, 3e9]) {
    assert.throws(() => client({ maxResponseBytes: bad }), (e) => e.name === 'ConfigurationError' && e.option === 'maxResponseBytes');
  }
});

test('after everything, the instance has not trapped: many calls still work', async () => {
  const c = client();
  const all = await Promise.all(Array.from({ length: 50 }, () => c.request('GET', '/ok')));
  assert.equal(all.length, 50);
  await c.request('GET', '/nope').catch((e) => assert.ok(!(e instanceof NetworkError)));
});
