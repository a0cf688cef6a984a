// The hostile-request suite, run over real HTTP against the proxy in any runtime (Node,
// Deno, workerd) serving tests/proxy/fixture.mjs at `origin` in front of the recording
// upstream (tests/proxy/upstream.mjs). Each case sends what an attacker would and checks,
// on the upstream's own record, that nothing was forwarded that should not be.
//
//   const cases = conformanceCases(origin, upstream);   // [{ name, run: async () => {} }]
import assert from 'node:assert/strict';
import net from 'node:net';
import { ALLOWED_ORIGIN, MAX_BODY, SERVER_KEY } from './fixture.mjs';

// Everything the API may receive from the proxy (lower case); anything else is a leak.
const FORWARDABLE = new Set(['host', 'x-api-key', 'content-type', 'accept', 'idempotency-key', 'on-behalf-of',
  'content-length', 'transfer-encoding', 'connection', 'user-agent', 'accept-encoding', 'accept-language',
  'sec-fetch-mode', 'cf-connecting-ip', 'cf-ray', 'cf-visitor', 'cf-ew-via', 'x-forwarded-proto', 'x-real-ip',
  'keep-alive']);
// Headers a caller sends that must never arrive, whatever the runtime adds itself.
const NEVER = ['cookie', 'authorization', 'proxy-authorization', 'x-http-method-override', 'x-forwarded-for',
  'x-forwarded-host', 'forwarded', 'te', 'upgrade', 'origin', 'referer', 'x-evil'];

/** One raw HTTP/1.1 exchange: bytes out, the whole answer (the server closes) back. */
export function raw(origin, text, timeoutMs = 3000) {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve) => {
    const sock = net.connect(Number(port), hostname);
    const chunks = [];
    const done = () => {
      const all = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(all)?.[1] ?? 0);
      resolve({ status, text: all, body: all.split('\r\n\r\n').slice(1).join('\r\n\r\n') });
    };
    const timer = setTimeout(() => { sock.destroy(); }, timeoutMs);
    sock.on('data', (c) => chunks.push(c));
    sock.on('close', () => { clearTimeout(timer); done(); });
    sock.on('error', () => {});
    sock.write(text);
  });
}

const settle = () => new Promise((r) => setTimeout(r, 60));

export function conformanceCases(origin, upstream) {
  const host = new URL(origin).host;
  const cases = [];
  const add = (name, run) => cases.push({ name, run });
  const api = (path, init) => fetch(`${origin}/vnoir${path}`, init);
  /** Only these requests reached the upstream, each carrying the server's key. */
  const reached = (n) => {
    assert.equal(upstream.records.length, n, `requests that reached the API: ${JSON.stringify(upstream.records.map((r) => `${r.method} ${r.target}`))}`);
    for (const r of upstream.records) {
      assert.equal(r.headers['x-api-key'], SERVER_KEY, 'the server key, and only it');
      for (const name of Object.keys(r.headers)) assert.ok(FORWARDABLE.has(name), `forwarded a header it must not: ${name}`);
      assert.ok(r.path.startsWith('/api/v1/'), `an API path: ${r.path}`);
    }
  };
  /** A refusal: the status, an RFC 9457 body, and nothing sent upstream. */
  const refused = async (res, status) => {
    const body = typeof res.text === 'function' ? await res.text() : res.body;
    assert.equal(res.status, status, `status for a refused request (${body.slice(0, 200)})`);
    await settle();
    reached(0);
    return body;
  };
  const problemOf = async (res) => {
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const p = await res.json();
    assert.equal(p.status, res.status);
    assert.ok(p.title && p.detail && p.code, JSON.stringify(p));
    return p;
  };

  // ---- what passes, and exactly how --------------------------------------------------
  add('an allowed GET reaches the fixed upstream with the server key and only API headers', async () => {
    const res = await api('/api/v1/companies?limit=2&offset=0', {
      headers: {
        accept: 'application/json', 'x-api-key': 'caller-key', cookie: 'sid=s-alice; other=1',
        authorization: 'Bearer caller', 'proxy-authorization': 'Basic x', 'x-forwarded-for': '6.6.6.6',
        'x-forwarded-host': 'evil.example', forwarded: 'host=evil.example', 'x-evil': '1',
        referer: 'https://x/', 'idempotency-key': 'k-1',
      },
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(body, { ok: true, path: '/api/v1/companies', query: '?limit=2&offset=0' });
    reached(1);
    const r = upstream.records[0];
    for (const h of NEVER) assert.equal(r.headers[h], undefined, `${h} must not reach the API`);
    assert.equal(r.headers.host, new URL(upstream.url).host, 'Host is the upstream, never the caller\'s');
    assert.equal(r.headers['idempotency-key'], 'k-1');
    assert.equal(r.headers['on-behalf-of'], 'user-alice', 'the session\'s user');
  });
  add('answers come back faithfully: status, problem body, RateLimit, Retry-After, X-Request-Id', async () => {
    const res = await api('/api/v1/companies?reply=ratelimited');
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '1');
    assert.equal(res.headers.get('ratelimit'), '"burst";r=0;t=1');
    assert.equal(res.headers.get('ratelimit-policy'), '"burst";q=30;w=60');
    assert.equal(res.headers.get('x-request-id'), 'req_upstream_429');
    assert.match(res.headers.get('content-type'), /^application\/problem\+json/);
    assert.deepEqual(await res.json(), { type: 'about:blank', title: 'Too Many Requests', status: 429, detail: 'Slow down', retry_after: 1, request_id: 'req_upstream_429' });
  });
  add('the API\'s Set-Cookie, Server and X-Powered-By are not passed to the page', async () => {
    const res = await api('/api/v1/companies');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('set-cookie'), null);
    assert.equal(res.headers.get('x-powered-by'), null);
    assert.equal(res.headers.get('ratelimit'), '"burst";r=29;t=1');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    await res.arrayBuffer();
  });
  add('downloads keep Content-Type and Content-Disposition; gzip arrives decoded; 204 stays empty', async () => {
    let res = await api('/api/v1/admin/logs/download?reply=download');
    assert.equal(res.status, 403, 'admin routes are off by default');
    await res.arrayBuffer();
    res = await api('/api/v1/companies/c1/campaigns?reply=download');
    assert.equal(res.headers.get('content-type'), 'application/zip');
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="logs.zip"');
    assert.equal(Buffer.from(await res.arrayBuffer()).toString('latin1'), 'PK\x03\x04zip-bytes');
    res = await api('/api/v1/companies?reply=gzip');
    assert.equal((await res.json()).zipped.length, 2000);
    res = await api('/api/v1/companies/c1?reply=empty', { method: 'DELETE' });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('x-request-id'), 'req_upstream_204');
    assert.equal(await res.text(), '');
  });
  add('the answer streams: its first bytes arrive before the API has finished', async () => {
    const t0 = performance.now();
    const res = await api('/api/v1/companies?reply=slow');
    const reader = res.body.getReader();
    const first = await reader.read();
    const firstAt = performance.now() - t0;
    let rest = '';
    for (let c = await reader.read(); !c.done; c = await reader.read()) rest += Buffer.from(c.value).toString();
    assert.equal(Buffer.from(first.value).toString() + rest, 'first-last');
    assert.ok(firstAt < 350, `first chunk after ${firstAt.toFixed(0)} ms (the API sent it at once, the rest after 400)`);
  });
  add('a redirect is not followed and its Location is not passed on', async () => {
    const res = await api('/api/v1/companies?reply=redirect', { redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), null);
    await res.arrayBuffer();
    await settle();
    assert.equal(upstream.elsewhereHits.length, 0, 'nothing reached the redirect target');
  });
  add('an API that does not answer in time gives a 504 problem', async () => {
    const res = await api('/api/v1/companies?reply=hang');
    assert.equal(res.status, 504);
    assert.equal((await problemOf(res)).code, 'proxy_upstream_timeout');
  });

  // ---- paths ------------------------------------------------------------------------
  const badPaths = [
    ['dot segments', '/vnoir/api/v1/companies/../../admin/users'],
    ['encoded dot segments', '/vnoir/api/v1/companies/%2e%2e/%2E%2E/admin/users'],
    ['dot segments out of the mount', '/vnoir/../api/v1/companies'],
    ['an encoded slash', '/vnoir/api/v1/companies%2Fc1'],
    ['an encoded backslash', '/vnoir/api/v1/companies%5Cc1'],
    ['a double-encoded slash', '/vnoir/api/v1/companies%252Fc1'],
    ['a backslash', '/vnoir/api/v1/companies\\..\\admin'],
    ['an empty segment', '/vnoir/api/v1//companies'],
    ['an encoded NUL', '/vnoir/api/v1/companies%00'],
    ['another API version', '/vnoir/api/v2/companies'],
    ['outside the mount', '/api/v1/companies'],
    ['a lookalike mount', '/vnoirx/api/v1/companies'],
    ['the test double\'s control routes', '/vnoir/__faults'],
    ['a path no operation has', '/vnoir/api/v1/companies/c1/secrets'],
    ['a protocol-relative target', '//evil.example/vnoir/api/v1/companies'],
  ];
  for (const [what, path] of badPaths) {
    add(`path trick refused: ${what} (${path})`, async () => {
      const res = await raw(origin, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}: ${res.text.slice(0, 300)}`);
      await settle();
      reached(0);
    });
  }
  add('an absolute-form target naming another host never reaches that host or the API', async () => {
    const res = await raw(origin, `GET ${upstream.url.replace('127.0.0.1', 'localhost')}/api/v1/admin/users HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    await settle();
    reached(0);
  });
  add('admin and developer-key routes are refused by default (403 problem)', async () => {
    for (const [m, p] of [['GET', '/api/v1/admin/users'], ['POST', '/api/v1/developers/me/new-key'], ['GET', '/api/v1/developers/me']]) {
      const res = await api(p, { method: m });
      assert.equal(res.status, 403, `${m} ${p}`);
      assert.equal((await problemOf(res)).code, 'proxy_operation');
    }
    reached(0);
  });

  // ---- methods -------------------------------------------------------------------------
  add('X-HTTP-Method-Override and its cousins are refused, not obeyed', async () => {
    for (const h of ['X-HTTP-Method-Override', 'X-HTTP-Method', 'X-Method-Override']) {
      const res = await api('/api/v1/companies', { method: 'POST', headers: { [h]: 'DELETE', 'content-type': 'application/json' }, body: '{}' });
      assert.equal(res.status, 400, h);
      assert.equal((await problemOf(res)).code, 'proxy_method_override');
    }
    reached(0);
  });
  for (const method of ['TRACE', 'CONNECT', 'PROPFIND', 'OPTIONS', 'FOO']) {
    add(`method ${method} is refused and not forwarded`, async () => {
      const target = method === 'CONNECT' ? `${host}` : '/vnoir/api/v1/companies';
      const res = await raw(origin, `${method} ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      // The runtime may refuse first: a closed connection (Node drops CONNECT), or its own
      // 500/501 (workerd, for CONNECT without a connect handler and for unknown methods).
      assert.ok(res.status === 0 || (res.status >= 400 && res.status < 600), `status ${res.status}`);
      await settle();
      reached(0);
    });
  }
  add('a method the path does not take gets 405 with Allow', async () => {
    const res = await api('/api/v1/companies', { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 405);
    assert.match(res.headers.get('allow') ?? '', /GET/);
    await problemOf(res);
    reached(0);
  });

  // ---- header smuggling ------------------------------------------------------------------
  const smuggle = [
    ['CR/LF in a header value', `GET /vnoir/api/v1/companies HTTP/1.1\r\nHost: ${host}\r\nIdempotency-Key: a\rX-API-KEY: evil\r\nConnection: close\r\n\r\n`],
    ['a bare LF splitting a header', `GET /vnoir/api/v1/companies HTTP/1.1\r\nHost: ${host}\r\nAccept: a\nX-API-KEY: evil\r\nConnection: close\r\n\r\n`],
    ['an obs-fold continuation', `GET /vnoir/api/v1/companies HTTP/1.1\r\nHost: ${host}\r\nAccept: a\r\n X-API-KEY: evil\r\nConnection: close\r\n\r\n`],
    ['Content-Length and Transfer-Encoding together', `POST /vnoir/api/v1/companies HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\nPOST /vnoir/api/v1/admin/users HTTP/1.1\r\nHost: ${host}\r\n\r\n`],
    ['two different Content-Lengths', `POST /vnoir/api/v1/companies HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 40\r\nConnection: close\r\n\r\n{}`],
  ];
  for (const [what, text] of smuggle) {
    add(`header smuggling refused: ${what}`, async () => {
      const res = await raw(origin, text);
      await settle();
      for (const r of upstream.records) assert.notEqual(r.path, '/api/v1/admin/users', 'a smuggled second request reached the API');
      if (res.status >= 200 && res.status < 300) {
        // A parser may take a bare LF as a line end (RFC 9112 §2.2 allows it), or let
        // Transfer-Encoding win over Content-Length (§6.3): then only the first request may
        // arrive, rebuilt by the proxy, with the allow-list applied.
        reached(1);
      } else {
        assert.ok(res.status === 0 || (res.status >= 400 && res.status < 500), `status ${res.status}: ${res.text.slice(0, 200)}`);
        reached(0);
      }
    });
  }
  add('Connection: X-API-KEY (hop-by-hop naming) cannot drop or replace the server key', async () => {
    const res = await raw(origin, `GET /vnoir/api/v1/companies HTTP/1.1\r\nHost: ${host}\r\nConnection: close, X-API-KEY, Cookie\r\nX-API-KEY: evil\r\nTE: trailers\r\nUpgrade: websocket\r\n\r\n`);
    assert.equal(res.status, 200, res.text.slice(0, 300));
    await settle();
    reached(1);
    assert.equal(upstream.records[0].headers.upgrade, undefined);
  });
  add('an over-long or non-ASCII Idempotency-Key is refused', async () => {
    let res = await api('/api/v1/companies', { method: 'POST', headers: { 'idempotency-key': 'k'.repeat(300), 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 400);
    assert.equal((await problemOf(res)).code, 'proxy_header');
    res = await raw(origin, `GET /vnoir/api/v1/companies HTTP/1.1\r\nHost: ${host}\r\nIdempotency-Key: caf\xe9\r\nConnection: close\r\n\r\n`);
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    await settle();
    reached(0);
  });

  // ---- the acting user -------------------------------------------------------------------
  add('a forged On-Behalf-Of is replaced by the session\'s user', async () => {
    const res = await api('/api/v1/companies/c1/users', { headers: { 'on-behalf-of': 'user-admin', cookie: 'sid=s-bob' } });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    reached(1);
    assert.equal(upstream.records[0].headers['on-behalf-of'], 'user-bob');
  });
  add('without a session, a forged On-Behalf-Of is dropped, not forwarded', async () => {
    const res = await api('/api/v1/companies/c1/users', { headers: { 'on-behalf-of': 'user-admin' } });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    reached(1);
    assert.equal(upstream.records[0].headers['on-behalf-of'], undefined);
  });
  add('onBehalfOf may answer itself (an expired session gets the app\'s 401)', async () => {
    const res = await api('/api/v1/companies', { headers: { cookie: 'sid=expired' } });
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { detail: 'log in again' });
    reached(0);
  });

  // ---- bodies ------------------------------------------------------------------------------
  add('a body at the cap passes byte for byte', async () => {
    const body = JSON.stringify({ name: 'x'.repeat(MAX_BODY - 11) });
    assert.equal(body.length, MAX_BODY);
    const res = await api('/api/v1/companies', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'k-cap' }, body });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    reached(1);
    assert.equal(upstream.records[0].bytes, MAX_BODY);
    assert.equal(upstream.records[0].headers['content-type'], 'application/json');
  });
  add('a declared Content-Length over the cap is refused with 413 before anything is sent', async () => {
    const res = await raw(origin, `POST /vnoir/api/v1/companies HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${MAX_BODY + 1}\r\nConnection: close\r\n\r\n${'x'.repeat(MAX_BODY + 1)}`);
    assert.equal(res.status, 413, res.text.slice(0, 300));
    assert.match(res.text, /application\/problem\+json/);
    await settle();
    reached(0);
  });
  add('a chunked body growing past the cap is cut off: 413, and the API never gets a complete body', async () => {
    const chunk = 'y'.repeat(1000);
    let text = `POST /vnoir/api/v1/companies HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
    for (let i = 0; i < 8; i++) text += `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
    text += '0\r\n\r\n';
    const res = await raw(origin, text);
    await settle();
    assert.equal(res.status, 413, `${res.text.slice(0, 300)}\n${JSON.stringify(upstream.records.map((r) => [r.bytes, r.complete, r.headers]))}`);
    for (const r of upstream.records) {
      assert.equal(r.complete, false, 'the API must not receive a complete over-cap body');
      assert.ok(r.bytes <= MAX_BODY, `the API got ${r.bytes} bytes`);
    }
  });

  add('a body shorter than its Content-Length (the caller hangs up) never arrives as complete', async () => {
    const { hostname, port } = new URL(origin);
    await new Promise((resolve) => {
      const sock = net.connect(Number(port), hostname, () => {
        sock.write(`POST /vnoir/api/v1/companies HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n{"name":"${'z'.repeat(500)}`);
        setTimeout(() => { sock.destroy(); resolve(); }, 150);
      });
      sock.on('error', () => resolve());
    });
    await new Promise((r) => setTimeout(r, 300));
    for (const r of upstream.records) assert.equal(r.complete, false, `the API got a complete ${r.bytes}-byte body`);
  });

  // ---- CORS ------------------------------------------------------------------------------
  add('same-origin by default: a foreign Origin is refused and nothing is forwarded', async () => {
    const res = await api('/api/v1/companies', { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'text/plain', cookie: 'sid=s-alice' }, body: '{}' });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal((await problemOf(res)).code, 'proxy_origin');
    reached(0);
  });
  add('a cross-site request without Origin (Sec-Fetch-Site) is refused', async () => {
    const res = await api('/api/v1/companies', { headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(res.status, 403);
    await res.arrayBuffer();
    reached(0);
  });
  add('the page\'s own origin needs no CORS headers', async () => {
    const res = await api('/api/v1/companies', { headers: { origin, 'sec-fetch-site': 'same-origin' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    await res.arrayBuffer();
    reached(1);
  });
  add('an allow-listed origin gets a preflight and CORS headers exposing the hints', async () => {
    const pre = await api('/api/v1/companies', {
      method: 'OPTIONS',
      headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, idempotency-key' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), ALLOWED_ORIGIN);
    assert.match(pre.headers.get('access-control-allow-headers'), /Idempotency-Key/);
    assert.doesNotMatch(pre.headers.get('access-control-allow-headers'), /X-API-KEY/i);
    assert.equal(pre.headers.get('vary'), 'Origin');
    reached(0);
    const res = await api('/api/v1/companies?reply=ratelimited', { headers: { origin: ALLOWED_ORIGIN } });
    assert.equal(res.headers.get('access-control-allow-origin'), ALLOWED_ORIGIN);
    assert.match(res.headers.get('access-control-expose-headers'), /RateLimit.*Retry-After.*X-Request-Id/);
    await res.arrayBuffer();
  });
  add('a preflight from a foreign origin is refused', async () => {
    const res = await api('/api/v1/companies', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' } });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    await res.arrayBuffer();
    reached(0);
  });

  // ---- the key never comes back -------------------------------------------------------------
  add('no answer, refusal or error the proxy gives contains the server key', async () => {
    const probes = [
      api('/api/v1/companies'), api('/api/v1/admin/users'), api('/api/v1/companies?reply=ratelimited'),
      api('/api/v1/companies?reply=hang'), api('/api/v1/nope'),
      api('/api/v1/companies', { method: 'OPTIONS', headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'GET' } }),
    ];
    for (const res of await Promise.all(probes)) {
      const all = `${[...res.headers].join('\n')}\n${await res.text()}`;
      assert.ok(!all.includes(SERVER_KEY), `the key leaked in a ${res.status}`);
    }
  });
  return cases;
}
