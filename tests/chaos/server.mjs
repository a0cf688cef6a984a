// A fault-injecting loopback server for the chaos run (run.mjs), with a small stateful
// resource API and the Valentina server's idempotency rules.
//
//   node tests/chaos/server.mjs [--port 0] [--seed 1] [--max-seconds 600] [--in-flight conflict|wait|none]
//
// Prints `listening <port>` once it listens on 127.0.0.1; exits after --max-seconds, on
// SIGTERM/SIGINT. Faults are played with tests/server/steps.mjs (runStep), not re-implemented.
//
// Resource API (X-API-KEY required, else 401):
//   GET    /api/v1/items?limit=&offset=   200 {items, limit, offset, total}
//   POST   /api/v1/items  {name, email}    201 item {id, name, email, counter, created_by_key}
//   GET    /api/v1/items/{id}              200 item | 404
//   PUT    /api/v1/items/{id} {name,email} 200 item | 404   (replaces name and email)
//   PATCH  /api/v1/items/{id} {increment}  200 item | 404   (counter += increment: NOT idempotent)
//   DELETE /api/v1/items/{id}              204 | 404
// Controls (in-process: the returned object; over HTTP: GET /__chaos/stats, /__chaos/records).
//
// Idempotency (POST/PUT/PATCH with a non-empty Idempotency-Key), as the real server: the store
// is keyed by (key, METHOD, path) and compares the SHA-256 of the body bytes. Same bytes replay
// the stored 2xx (status, body, content type) without running the handler; other bytes give
// 409; only 2xx are stored. In flight: a second request under a key whose handler is still
// running gets 409 `Idempotency key ... is already being processed` (inFlight: 'conflict', the
// default, as draft-ietf-httpapi-idempotency-key-header §2.7 requires), or waits for the first
// and then replays its result (inFlight: 'wait'). Either way the handler never runs twice.
// inFlight: 'none' has no lock, like tests/server/valentina.mjs: a retry that overtakes a slow
// handler runs it again (a duplicate the client cannot prevent; shows what the lock is for).
//
// Faults: each request draws at most one fault kind from FAULTS with its rate, from a PRNG
// seeded by (seed, op, attempt) where `op` is the request's `x-chaos-op` header and `attempt`
// the number of requests already seen for that op (else a global sequence number). So the
// fault an operation meets on its n-th attempt is reproducible from the seed, whatever the
// interleaving. `x-chaos-clean: 1` turns faults off for one request.
// A `before` fault answers instead of the handler (nothing written). An `after` fault breaks
// the response of a handler that ran (or of a replay): the write happened but the client
// cannot see it. An `after` fault meets a non-2xx result, or a body-breaking one meets a
// bodiless 204, is void (recorded in `voided`, the clean response is sent). `slow-handler`
// runs the handler past the attempt timeout and only applies to keyed requests that run it.
import http from 'node:http';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Lifecycle, runStep, requestId } from '../server/steps.mjs';
import { listenBounded } from '../server/listen.mjs';

export const DEFAULT_API_KEY = 'chaos-api-key-0123456789abcdefghijkl';
const KEYED_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const ITEM_RE = /^\/api\/v1\/items\/([^/]+)$/;
const MAX_BODY = 1 << 20;

/** What the client can observe of a response, which decides the error class it must raise. */
export const VISIBLE = {
  ok: 'a complete 2xx with a JSON body (or 204)',
  status: 'a complete non-2xx response',
  network: 'no complete response (reset, body cut short)',
  timeout: 'no complete response within the attempt timeout',
  badjson: 'a complete 2xx whose body is not JSON',
};

/**
 * The fault table. rate: probability per attempt. phase: before | during | after the handler.
 * visible: what the client sees (VISIBLE). Rates sum to about 0.30.
 */
export const FAULTS = {
  'status-500': { rate: 0.02, phase: 'before', visible: 'status', status: 500 },
  'status-502': { rate: 0.02, phase: 'before', visible: 'status', status: 502 },
  'status-503': { rate: 0.02, phase: 'before', visible: 'status', status: 503 },
  'status-504': { rate: 0.02, phase: 'before', visible: 'status', status: 504 },
  '429-retry-after-seconds': { rate: 0.012, phase: 'before', visible: 'status', status: 429 },
  '429-retry-after-date': { rate: 0.012, phase: 'before', visible: 'status', status: 429 },
  '429-ratelimit-policies': { rate: 0.002, phase: 'before', visible: 'status', status: 429 },
  '429-body-retry-after': { rate: 0.015, phase: 'before', visible: 'status', status: 429 },
  '429-no-hint': { rate: 0.015, phase: 'before', visible: 'status', status: 429 },
  '429-hint-too-long': { rate: 0.005, phase: 'before', visible: 'status', status: 429 },
  'reset-before-response': { rate: 0.02, phase: 'before', visible: 'network' },
  'hang': { rate: 0.02, phase: 'before', visible: 'timeout' },
  'slow-handler': { rate: 0.01, phase: 'during', visible: 'timeout' },
  'reset-after-handler': { rate: 0.015, phase: 'after', visible: 'network' },
  'reset-after-headers': { rate: 0.015, phase: 'after', visible: 'network', needsBody: true },
  'truncated-body': { rate: 0.015, phase: 'after', visible: 'network', needsBody: true },
  'slow-body': { rate: 0.015, phase: 'after', visible: 'ok', needsBody: true },
  'slow-body-past-timeout': { rate: 0.015, phase: 'after', visible: 'timeout', needsBody: true },
  'malformed-json': { rate: 0.015, phase: 'after', visible: 'badjson', needsBody: true },
  'wrong-content-type-html': { rate: 0.01, phase: 'after', visible: 'badjson', needsBody: true },
  'wrong-content-type-json': { rate: 0.01, phase: 'after', visible: 'ok', needsBody: true },
};

/** The `RateLimit` fields of the multi-policy 429: one exhausted policy (r=0;t=1). */
export const RATELIMIT_429 = '"burst";r=12;t=0, "minute";r=0;t=1, "day";r=9000;t=0';
export const RATELIMIT_POLICY = '"burst";q=30;w=60, "minute";q=600;w=60, "day";q=10000;w=86400';
/** Informational RateLimit on clean answers: several policies, none exhausted (no pacing). */
export const RATELIMIT_OK = '"burst";r=25;t=0, "minute";r=480;t=0, "day";r=9500;t=0';
/** Seconds asked by `429-hint-too-long`, beyond any sane maxRetryDelay. */
export const TOO_LONG_SECONDS = 30;
/** Seconds asked by `429-body-retry-after`. */
export const BODY_RETRY_AFTER = 0.2;

// ---- a small seeded PRNG: FNV-1a of the string, then mulberry32 ---------------------------
function hashString(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: returns () => float in [0, 1). */
export function prng(seed) {
  let a = (typeof seed === 'number' ? seed : hashString(String(seed))) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The fault kind for one draw u in [0,1), or null. */
function pickFault(table, u) {
  let acc = 0;
  for (const [kind, f] of Object.entries(table)) {
    acc += f.rate;
    if (u < acc) return kind;
  }
  return null;
}

function problem(status, title, detail, extra = {}) {
  return { type: 'about:blank', title, status, detail, request_id: requestId(), ...extra };
}

const TITLES = {
  400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/**
 * Starts the server. options: { seed = 1, rates (kind -> rate, overrides FAULTS), port = 0,
 * apiKey, maxSeconds = 600, writeDelayMs = 2, attemptTimeoutMs = 500 (the client's; sets the
 * slow faults: slow-handler 1.4x, slow-body-past-timeout 4 chunks of 0.5x, slow-body 4 chunks of
 * 0.05x), inFlight = 'none' (the real server's) | 'conflict' | 'wait', keepAlive = false }.
 * Resolves to { port, url, startedAt (performance.now() at start: record times count from it),
 * close(), onClose(fn), faults, stats(), records, recordsByOp,
 * items, runsByKey, createdByKey }.
 */
export function startChaosServer(options = {}) {
  const {
    seed = 1,
    rates = {},
    port = 0,
    apiKey = DEFAULT_API_KEY,
    maxSeconds = 600,
    writeDelayMs = 2,
    attemptTimeoutMs = 500,
    inFlight = 'none',
    keepAlive = false,
  } = options;
  if (!['conflict', 'wait', 'none'].includes(inFlight)) throw new Error(`inFlight must be conflict, wait or none, got ${inFlight}`);
  const table = {};
  for (const [kind, f] of Object.entries(FAULTS)) table[kind] = { ...f, rate: rates[kind] ?? f.rate };
  for (const kind of Object.keys(rates)) if (!FAULTS[kind]) throw new Error(`unknown fault kind ${kind}`);
  const slowHandlerMs = Math.round(attemptTimeoutMs * 1.4);
  const slowBodyTimeoutChunkMs = Math.round(attemptTimeoutMs * 0.5);
  const slowBodyChunkMs = Math.max(1, Math.round(attemptTimeoutMs * 0.05));

  const life = new Lifecycle();
  const started = performance.now();

  // ---- state ----
  const items = new Map(); // id -> item
  const store = new Map(); // key\0METHOD\0path -> { hash, status, body, contentType }
  const inflight = new Map(); // key\0METHOD\0path -> Promise (settles when the handler is done)
  const runsByKey = new Map(); // idempotency key -> handler runs (committed writes under it)
  const createdByKey = new Map(); // idempotency key -> [item ids created under it]
  const records = []; // one per request
  const recordsByOp = new Map(); // x-chaos-op -> [records]
  const counts = {
    requests: 0, handlerRuns: 0, created: 0, replays: 0, conflictInFlight: 0,
    conflictMismatch: 0, faults: {}, voided: {},
  };
  for (const kind of Object.keys(table)) {
    counts.faults[kind] = 0;
    counts.voided[kind] = 0;
  }
  let seq = 0;
  let nextItem = 1;

  function itemId() {
    return `it_${(nextItem++).toString(36).padStart(6, '0')}`;
  }

  // ---- handlers: (method, id, query, json) -> { status, json? } ----
  function validItemBody(v, partial) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'body must be an object';
    for (const f of ['name', 'email']) {
      if (!partial && typeof v[f] !== 'string') return `field ${f} must be a string`;
    }
    return null;
  }

  function handler(method, id, query, json, key) {
    if (id === null) {
      if (method === 'GET') {
        const limit = Math.min(100, Math.max(0, Number(query.get('limit') ?? 10) | 0));
        const offset = Math.max(0, Number(query.get('offset') ?? 0) | 0);
        const page = [];
        let i = 0;
        for (const it of items.values()) {
          if (i++ < offset) continue;
          if (page.length >= limit) break;
          page.push(it);
        }
        return { status: 200, json: { items: page, limit, offset, total: items.size } };
      }
      if (method === 'POST') {
        const err = validItemBody(json, false);
        if (err) return { status: 400, problem: err };
        const it = { id: itemId(), name: json.name, email: json.email, counter: 0, created_by_key: key ?? null };
        items.set(it.id, it);
        counts.created++;
        if (key) {
          if (!createdByKey.has(key)) createdByKey.set(key, []);
          createdByKey.get(key).push(it.id);
        }
        return { status: 201, json: it, wrote: true };
      }
      return { status: 405, problem: `${method} not allowed` };
    }
    const it = items.get(id);
    if (!['GET', 'PUT', 'PATCH', 'DELETE'].includes(method)) return { status: 405, problem: `${method} not allowed` };
    if (!it) return { status: 404, problem: `Item ${id} not found` };
    switch (method) {
      case 'GET':
        return { status: 200, json: it };
      case 'PUT': {
        const err = validItemBody(json, false);
        if (err) return { status: 400, problem: err };
        it.name = json.name;
        it.email = json.email;
        return { status: 200, json: it, wrote: true };
      }
      case 'PATCH': {
        if (json === null || typeof json !== 'object' || !Number.isInteger(json.increment)) {
          return { status: 400, problem: 'increment must be an integer' };
        }
        it.counter += json.increment;
        return { status: 200, json: it, wrote: true };
      }
      default: // DELETE
        items.delete(id);
        return { status: 204, wrote: true };
    }
  }

  // ---- the pipeline ----
  async function readBody(req) {
    const chunks = [];
    let size = 0;
    for await (const c of req) {
      size += c.length;
      if (size > MAX_BODY) throw new Error('too large');
      chunks.push(c);
    }
    return Buffer.concat(chunks);
  }

  function rlHeaders() {
    return { ratelimit: RATELIMIT_OK, 'ratelimit-policy': RATELIMIT_POLICY };
  }

  /** The least wait (ms) a client must keep after the 429 of `kind`, sent now (Infinity: never retry). */
  function hintMs(kind, headers) {
    switch (kind) {
      case '429-retry-after-seconds': return 1000;
      case '429-retry-after-date': return Date.parse(headers['retry-after']) - Date.now();
      case '429-ratelimit-policies': return 1000;
      case '429-body-retry-after': return BODY_RETRY_AFTER * 1000;
      case '429-hint-too-long': return Infinity;
      default: return 0;
    }
  }

  /** The step that plays a `before` fault. */
  function beforeStep(kind) {
    const f = table[kind];
    if (kind === 'reset-before-response') return { action: 'reset' };
    if (kind === 'hang') return { action: 'hang' };
    const s = f.status;
    const headers = { 'content-type': 'application/problem+json' };
    let extra = {};
    switch (kind) {
      case '429-retry-after-seconds': headers['retry-after'] = '1'; break;
      // An HTTP-date has 1 s resolution: now + 1 s, truncated, is 0-1 s away.
      case '429-retry-after-date': headers['retry-after'] = new Date(Date.now() + 1000).toUTCString(); break;
      case '429-ratelimit-policies':
        headers.ratelimit = RATELIMIT_429;
        headers['ratelimit-policy'] = RATELIMIT_POLICY;
        break;
      case '429-body-retry-after': extra = { retry_after: BODY_RETRY_AFTER }; break;
      case '429-hint-too-long': headers['retry-after'] = String(TOO_LONG_SECONDS); break;
      default: break;
    }
    return { status: s, headers, body: problem(s, TITLES[s], `chaos: ${kind}`, extra) };
  }

  /** The step that sends `result` ({status, body: Buffer, contentType}) broken by `kind`. */
  function afterStep(kind, result) {
    const base = {
      status: result.status,
      headers: { 'content-type': result.contentType, ...rlHeaders() },
      bodyBase64: result.body.toString('base64'),
    };
    switch (kind) {
      case null: return base;
      case 'reset-after-handler': return { action: 'reset' };
      case 'reset-after-headers': return { ...base, action: 'reset-after-headers', bodyDelayMs: 20 };
      case 'truncated-body': return { ...base, action: 'truncate' };
      case 'slow-body': return { ...base, action: 'slow-body', bodyDelayMs: slowBodyChunkMs };
      case 'slow-body-past-timeout': return { ...base, action: 'slow-body', bodyDelayMs: slowBodyTimeoutChunkMs };
      case 'malformed-json': {
        const text = result.body.toString('utf8');
        const cut = `${text.slice(0, Math.max(1, Math.floor(text.length / 2)))},}`;
        return { ...base, bodyBase64: Buffer.from(cut).toString('base64') };
      }
      case 'wrong-content-type-html': {
        const html = '<!doctype html><html><head><title>OK</title></head><body>Served by the edge cache</body></html>';
        return { ...base, headers: { ...base.headers, 'content-type': 'text/html; charset=utf-8' }, bodyBase64: Buffer.from(html).toString('base64') };
      }
      case 'wrong-content-type-json':
        return { ...base, headers: { ...base.headers, 'content-type': 'text/plain; charset=utf-8' } };
      default: throw new Error(`not an after fault: ${kind}`);
    }
  }

  function problemResult(status, detail) {
    return {
      status,
      contentType: 'application/problem+json',
      body: Buffer.from(JSON.stringify(problem(status, TITLES[status] ?? 'Error', detail))),
    };
  }

  async function dispatch(req, res) {
    const tStart = performance.now() - started;
    if (!keepAlive) res.setHeader('connection', 'close');
    const q = req.url.indexOf('?');
    const reqPath = q < 0 ? req.url : req.url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1));
    let body;
    try {
      body = await readBody(req);
    } catch {
      req.socket.destroy();
      return;
    }
    const info = { path: reqPath, query: q < 0 ? '' : req.url.slice(q + 1), body };

    if (reqPath.startsWith('/__chaos/')) {
      const send = (v) => {
        const b = Buffer.from(JSON.stringify(v));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(b.length) });
        res.end(b);
      };
      if (reqPath === '/__chaos/stats') return send(stats());
      if (reqPath === '/__chaos/records') return send(records);
      res.writeHead(404).end();
      return;
    }

    counts.requests++;
    const op = req.headers['x-chaos-op'] ?? null;
    const prior = op === null ? null : (recordsByOp.get(op) ?? []);
    const attempt = prior === null ? null : prior.length + 1;
    const key = typeof req.headers['idempotency-key'] === 'string' && req.headers['idempotency-key'] !== ''
      ? req.headers['idempotency-key'] : null;
    const method = req.method;
    const rec = {
      seq: ++seq, op, attempt, method, path: reqPath, query: info.query, key,
      bodyHash: body.length ? createHash('sha256').update(body).digest('hex').slice(0, 16) : null,
      fault: null, voided: null, phase: null, outcome: null, status: null, visible: null,
      tStart, tEnd: null,
    };
    records.push(rec);
    if (op !== null) {
      prior.push(rec);
      if (prior.length === 1) recordsByOp.set(op, prior);
    }
    const done = (step) => runStep(step, req, res, info, life).finally(() => {
      rec.tEnd = performance.now() - started;
    });

    // The fault for this attempt, reproducible from (seed, op, attempt).
    let kind = null;
    if (req.headers['x-chaos-clean'] !== '1') {
      const rnd = prng(op === null ? `${seed}:seq:${rec.seq}` : `${seed}:${op}:${attempt}`);
      kind = pickFault(table, rnd());
    }
    const fault = kind ? table[kind] : null;

    if (fault?.phase === 'before') {
      rec.fault = kind;
      rec.phase = 'before';
      rec.status = fault.status ?? null;
      rec.visible = fault.visible;
      counts.faults[kind]++;
      const step = beforeStep(kind);
      if (step.status === 429) rec.hintMs = hintMs(kind, step.headers);
      await done(step);
      return;
    }

    // Routing and the API key.
    const m = ITEM_RE.exec(reqPath);
    const isItems = reqPath === '/api/v1/items';
    let result = null;
    if (!m && !isItems) result = problemResult(404, `No route ${reqPath}`);
    else if (req.headers['x-api-key'] !== apiKey) result = problemResult(401, 'Unauthorized API key');
    if (result) {
      rec.outcome = 'rejected';
      return finish(result);
    }

    // Idempotency.
    const storeKey = key && KEYED_METHODS.has(method) ? `${key}\0${method}\0${reqPath}` : null;
    const hash = storeKey ? createHash('sha256').update(body).digest('hex') : null;
    while (storeKey) {
      const hit = store.get(storeKey);
      if (hit && hit.hash === hash) {
        counts.replays++;
        rec.outcome = 'replay';
        return finish(hit);
      }
      if (hit) {
        counts.conflictMismatch++;
        rec.outcome = 'conflict-mismatch';
        return finish(problemResult(409, `Idempotency key '${key}' was previously used with a different request body.`));
      }
      const running = inflight.get(storeKey);
      if (!running || inFlight === 'none') break;
      if (inFlight === 'conflict') {
        counts.conflictInFlight++;
        rec.outcome = 'conflict-in-flight';
        return finish(problemResult(409, `Idempotency key '${key}' is already being processed.`));
      }
      await running; // 'wait': then replay its stored result, or run if it stored nothing
      if (life.closed) return;
    }

    // The handler.
    let release = null;
    if (storeKey) inflight.set(storeKey, new Promise((r) => { release = r; }));
    try {
      let json = null;
      if (body.length) {
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch {
          json = undefined;
        }
      }
      const slow = kind === 'slow-handler' && storeKey !== null;
      if (slow) {
        rec.fault = kind;
        rec.phase = 'during';
        counts.faults[kind]++;
      }
      const wait = slow ? slowHandlerMs : (method === 'GET' ? 0 : writeDelayMs);
      if (wait > 0) await life.sleep(wait);
      if (life.closed) return;
      const id = m ? decodeURIComponent(m[1]) : null;
      const r = json === undefined ? { status: 400, problem: 'body is not JSON' } : handler(method, id, query, json, key);
      counts.handlerRuns++;
      rec.outcome = 'ran';
      rec.wrote = !!r.wrote;
      if (key && r.wrote) runsByKey.set(key, (runsByKey.get(key) ?? 0) + 1);
      if (r.problem) result = problemResult(r.status, r.problem);
      else if (r.json !== undefined) result = { status: r.status, contentType: 'application/json', body: Buffer.from(JSON.stringify(r.json)) };
      else result = { status: r.status, contentType: 'application/json', body: Buffer.alloc(0) };
      if (storeKey && r.status >= 200 && r.status < 300) store.set(storeKey, { hash, ...result });
    } finally {
      if (storeKey) {
        inflight.delete(storeKey);
        release();
      }
    }
    if (rec.fault === 'slow-handler') {
      // The client gave up long ago; answer anyway (into a closed socket, usually).
      rec.status = result.status;
      rec.visible = 'timeout';
      await done(afterStep(null, result));
      return;
    }
    return finish(result);

    // Sends `res0`, broken by the drawn fault when that is an `after` fault that applies.
    function finish(res0) {
      let applied = null;
      if (kind && table[kind].phase !== 'before') {
        const f = table[kind];
        const is2xx = res0.status >= 200 && res0.status < 300;
        if (f.phase === 'after' && is2xx && !(f.needsBody && res0.body.length === 0)) applied = kind;
        else {
          counts.voided[kind]++;
          rec.voided = kind;
        }
      }
      rec.status = res0.status;
      if (applied) {
        counts.faults[applied]++;
        rec.fault = applied;
        rec.phase = 'after';
        rec.visible = table[applied].visible;
      } else {
        rec.visible = res0.status >= 200 && res0.status < 300 ? 'ok' : 'status';
      }
      return done(afterStep(applied, res0));
    }
  }

  function stats() {
    let dupKeys = 0;
    for (const n of runsByKey.values()) if (n > 1) dupKeys++;
    return {
      ...counts,
      faultyRequests: Object.values(counts.faults).reduce((a, b) => a + b, 0),
      items: items.size,
      keysWritten: runsByKey.size,
      duplicatedKeys: dupKeys,
    };
  }

  const server = http.createServer((req, res) => {
    dispatch(req, res).catch((e) => {
      if (!res.headersSent && !res.destroyed) {
        const b = Buffer.from(JSON.stringify({ detail: `chaos server error: ${e.stack ?? e}` }));
        res.writeHead(500, { 'content-type': 'application/json', 'content-length': String(b.length) });
        res.end(b);
      } else req.socket.destroy();
    });
  });
  return listenBounded(server, { port, maxSeconds, life, extra: { apiKey, startedAt: started, faults: table, slow: { slowHandlerMs, slowBodyChunkMs, slowBodyTimeoutChunkMs }, stats, records, recordsByOp, items, runsByKey, createdByKey } });
}

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '0' },
        seed: { type: 'string', default: '1' },
        'max-seconds': { type: 'string', default: '600' },
        'in-flight': { type: 'string', default: 'none' },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`chaos server: ${e.message}\n`);
    process.exit(2);
  }
  let srv;
  try {
    srv = await startChaosServer({
      port: Number(values.port),
      seed: Number(values.seed),
      maxSeconds: Number(values['max-seconds']),
      inFlight: values['in-flight'],
    });
  } catch (e) {
    process.stderr.write(`chaos server: ${e.message}\n`);
    process.exit(1);
  }
  srv.onClose(() => process.exit(0));
  process.once('SIGTERM', () => srv.close());
  process.once('SIGINT', () => srv.close());
  process.stdout.write(`listening ${srv.port}\n`);
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) main();
