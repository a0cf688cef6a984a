// A tiny, stateful imitation of the Valentina Noir API under /api/v1, faithful to the
// behaviours the client's retry engine depends on (see shared/valentina/api-contract.md,
// §A2 headers, §A3 auth, §A5 idempotency, §A6 rate limits, §A7 errors, §A8 pagination).
// It is a placeholder for a fuller test double.
//
// Order of processing for one /api/v1 request (preflights never get here):
//   1. the next queued fault step, if any (POST /__faults), answers instead of everything below;
//   2. unknown route -> 404 / known route, wrong method -> 405 (no key needed, no request_id);
//   3. X-API-KEY missing or wrong -> 401 (no tokens used, no RateLimit, no X-Request-Id header);
//   4. rate limit (unless `X-Testing-Ignore-Rate-Limit: true`) -> 429 when the bucket is empty;
//   5. idempotency (POST/PUT/PATCH with a non-empty Idempotency-Key): replay or 409;
//   6. the handler (mutating handlers first wait `writeDelayMs`: there is no in-flight lock).
import { createHash } from 'node:crypto';
import { requestId, runStep, describeRequest } from './steps.mjs';

export const DEFAULT_API_KEY = 'test-api-key-0123456789abcdefghij';
export const DEFAULT_BURST = 30;
export const DEFAULT_REFILL_PER_SECOND = 0.5;
export const DEFAULT_WRITE_DELAY_MS = 10;
const IDEMPOTENCY_TTL_MS = 3600 * 1000;
const IDEMPOTENT_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const VALIDATION_FAILED = 'Validation failed for one or more fields.';

/** A UUIDv7: 48-bit Unix milliseconds, version 7, variant 10, random rest. */
export function uuidv7() {
  const b = Buffer.alloc(16);
  globalThis.crypto.getRandomValues(b);
  b.writeUIntBE(Date.now(), 0, 6);
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function safeDecode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** msgspec's name for a JSON value's type, as used in its error messages. */
function jsonType(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return 'object';
}

/** Rounds up to 2 decimals, ignoring float noise (1.0000000001 -> 1.00). */
function ceil2(x) {
  return Math.max(0.01, Math.ceil(x * 100 - 1e-6) / 100);
}

function ceilSeconds(x) {
  return Math.max(1, Math.ceil(x - 1e-9));
}

function bad(detail, invalidParameters) {
  const problem = { title: 'Bad Request', detail };
  if (invalidParameters) problem.invalid_parameters = invalidParameters;
  return { status: 400, problem };
}

function notFound(detail) {
  return { status: 404, problem: { title: 'Not Found', detail } };
}

function parseJsonBody(buf) {
  const text = buf.toString('utf8');
  if (text.trim() === '') return { error: bad('Input data was truncated') };
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    if (/end of (JSON )?input|Unterminated/i.test(e.message)) return { error: bad('Input data was truncated') };
    return { error: bad('JSON is malformed: invalid character') };
  }
}

/**
 * Checks a company body. `partial` (PATCH) makes every field optional.
 * Returns { value } or { error }, reporting the first problem only, like msgspec.
 */
function validateCompany(v, partial) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    return { error: bad(VALIDATION_FAILED, [{ field: 'data', message: `Expected \`object\`, got \`${jsonType(v)}\`` }]) };
  }
  if (!partial) {
    for (const f of ['name', 'email']) {
      if (!(f in v)) {
        return { error: bad(VALIDATION_FAILED, [{ field: 'data', message: `Object missing required field \`${f}\`` }]) };
      }
    }
  }
  const out = {};
  if ('name' in v) {
    if (typeof v.name !== 'string') {
      return { error: bad(VALIDATION_FAILED, [{ field: 'name', message: `Expected \`str\`, got \`${jsonType(v.name)}\`` }]) };
    }
    const n = [...v.name].length;
    if (n < 3) return { error: bad(VALIDATION_FAILED, [{ field: 'name', message: 'Expected `str` of length >= 3' }]) };
    if (n > 50) return { error: bad(VALIDATION_FAILED, [{ field: 'name', message: 'Expected `str` of length <= 50' }]) };
    out.name = v.name;
  }
  if ('email' in v) {
    if (typeof v.email !== 'string') {
      return { error: bad(VALIDATION_FAILED, [{ field: 'email', message: `Expected \`str\`, got \`${jsonType(v.email)}\`` }]) };
    }
    out.email = v.email;
  }
  if ('description' in v) {
    if (v.description !== null && typeof v.description !== 'string') {
      return { error: bad(VALIDATION_FAILED, [{ field: 'description', message: `Expected \`str | null\`, got \`${jsonType(v.description)}\`` }]) };
    }
    out.description = v.description;
  }
  if ('email' in out && !EMAIL_RE.test(out.email)) {
    return { error: bad(`email: Invalid email format: ${out.email}`, [{ field: 'body', message: 'One or more fields did not pass validation.' }]) };
  }
  return { value: out };
}

/** Parses an integer query parameter; returns { value } or { message }. */
function intParam(qs, name, def, max) {
  const raw = qs.get(name);
  if (raw === null) return { value: def };
  if (!/^-?\d+$/.test(raw)) return { message: 'Expected `int`, got `str`' };
  const n = Number(raw);
  if (n < 0) return { message: 'Expected `int` >= 0' };
  if (max !== undefined && n > max) return { message: `Expected \`int\` <= ${max}` };
  return { value: n };
}

function freshState() {
  return {
    companies: new Map(), // id -> company, in creation order
    idempotency: new Map(), // apiKey\0key\0METHOD\0path -> { hash, status, body, contentType, expires }
    buckets: new Map(), // apiKey -> { tokens, at }
    faults: [],
    log: [],
    startedAt: performance.now(),
    stats: { companiesCreated: 0, requests: 0, byIdempotencyKey: {} },
  };
}

/**
 * options: { apiKey, burst, refillPerSecond, writeDelayMs, life }
 * Returns { handle(req, res, info), reset(), setFaults(steps), faults(), stats(), log() }.
 */
export function createValentina(options = {}) {
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const burst = options.burst ?? DEFAULT_BURST;
  const refill = options.refillPerSecond ?? DEFAULT_REFILL_PER_SECOND;
  const writeDelayMs = options.writeDelayMs ?? DEFAULT_WRITE_DELAY_MS;
  const life = options.life;
  const policyHeader = `"burst";q=${burst};w=${Math.ceil(burst / refill)}`;
  let st = freshState();

  // ---- rate limiting: one token bucket per API key ------------------------------------
  function takeToken(key) {
    const now = performance.now();
    const b = st.buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * refill);
    b.at = now;
    st.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      const r = Math.floor(b.tokens + 1e-9);
      const t = r >= 1 ? 0 : ceilSeconds((1 - b.tokens) / refill);
      return { ok: true, headers: { 'ratelimit-policy': policyHeader, ratelimit: `"burst";r=${r};t=${t}` } };
    }
    const wait = (1 - b.tokens) / refill;
    return {
      ok: false,
      retryAfter: ceil2(wait),
      headers: { 'ratelimit-policy': policyHeader, ratelimit: `"burst";r=0;t=${ceilSeconds(wait)}` },
    };
  }

  // ---- handlers: (ctx) -> { status, json } | { status, problem } | { status } ------------
  function health() {
    return { status: 200, json: { database_status: 'ok', cache_status: 'ok', version: '0.27.0' } };
  }

  function listCompanies(ctx) {
    const limit = intParam(ctx.qs, 'limit', 10, 100);
    const offset = intParam(ctx.qs, 'offset', 0);
    const invalid = [];
    if (limit.message) invalid.push({ field: 'limit', message: limit.message });
    if (offset.message) invalid.push({ field: 'offset', message: offset.message });
    if (invalid.length) return bad(VALIDATION_FAILED, invalid);
    const all = [...st.companies.values()];
    return {
      status: 200,
      json: { items: all.slice(offset.value, offset.value + limit.value), limit: limit.value, offset: offset.value, total: all.length },
    };
  }

  function createCompany(ctx) {
    const parsed = parseJsonBody(ctx.body);
    if (parsed.error) return parsed.error;
    const checked = validateCompany(parsed.value, false);
    if (checked.error) return checked.error;
    const now = new Date().toISOString();
    const company = {
      id: uuidv7(),
      name: checked.value.name,
      email: checked.value.email,
      description: checked.value.description ?? null,
      date_created: now,
      date_modified: now,
      settings: {},
    };
    st.companies.set(company.id, company);
    st.stats.companiesCreated++;
    return { status: 201, json: company };
  }

  function companyId(ctx) {
    const id = ctx.params[0];
    if (!UUID_RE.test(id)) return { error: bad(VALIDATION_FAILED, [{ field: 'company_id', message: 'Invalid UUID' }]) };
    const company = st.companies.get(id.toLowerCase());
    if (!company) return { error: notFound('Company not found') };
    return { company };
  }

  function getCompany(ctx) {
    const r = companyId(ctx);
    return r.error ?? { status: 200, json: r.company };
  }

  function updateCompany(ctx) {
    const r = companyId(ctx);
    if (r.error) return r.error;
    const parsed = parseJsonBody(ctx.body);
    if (parsed.error) return parsed.error;
    const checked = validateCompany(parsed.value, true);
    if (checked.error) return checked.error;
    Object.assign(r.company, checked.value, { date_modified: new Date().toISOString() });
    return { status: 200, json: r.company };
  }

  function deleteCompany(ctx) {
    const r = companyId(ctx);
    if (r.error) return r.error;
    st.companies.delete(r.company.id);
    return { status: 204 };
  }

  const routes = [
    { re: /^\/api\/v1\/health$/, methods: { GET: health } },
    { re: /^\/api\/v1\/companies$/, methods: { GET: listCompanies, POST: createCompany } },
    { re: /^\/api\/v1\/companies\/([^/]+)$/, methods: { GET: getCompany, PATCH: updateCompany, DELETE: deleteCompany } },
  ];

  // ---- responses -----------------------------------------------------------------------
  function send(res, status, headers, body) {
    if (res.destroyed) return;
    const h = { ...headers };
    if (body !== undefined && status !== 204) h['content-length'] = String(body.length);
    res.writeHead(status, h);
    res.end(status === 204 ? undefined : body);
  }

  function sendProblem(res, status, fields, headers = {}) {
    const body = Buffer.from(JSON.stringify({ status, ...fields }));
    send(res, status, { 'content-type': 'application/problem+json', ...headers }, body);
  }

  // ---- the request pipeline -------------------------------------------------------------
  async function handle(req, res, info) {
    st.stats.requests++;
    const entry = { ...describeRequest(req, info), t: info.arrival - st.startedAt, fault: false, status: null };
    st.log.push(entry);
    res.once('finish', () => { entry.status = res.statusCode; });

    if (st.faults.length > 0) {
      entry.fault = true;
      await runStep(st.faults.shift(), req, res, info, life);
      return;
    }

    const method = req.method;
    const path = info.path.length > 1 ? info.path.replace(/\/+$/, '') : info.path;
    const instance = `http://${req.headers.host ?? '127.0.0.1'}${req.url}`;
    let route = null;
    let params = null;
    for (const r of routes) {
      const m = r.re.exec(path);
      if (m) {
        route = r;
        params = m.slice(1).map(safeDecode);
        break;
      }
    }
    if (!route) {
      sendProblem(res, 404, { title: 'Not Found', detail: 'Not Found', instance });
      return;
    }
    const allow = ['OPTIONS', ...Object.keys(route.methods)].join(', ');
    if (method === 'OPTIONS') {
      send(res, 204, { allow });
      return;
    }
    const handler = route.methods[method];
    if (!handler) {
      sendProblem(res, 405, { title: 'Method Not Allowed', detail: 'Method Not Allowed', instance }, { allow });
      return;
    }

    // Authentication: decided before rate limiting; no tokens, no RateLimit, no X-Request-Id header.
    const key = req.headers['x-api-key'];
    if (!key || key !== apiKey) {
      sendProblem(res, 401, {
        title: 'Unauthorized',
        detail: key ? 'Unauthorized API key' : 'API key not provided',
        instance,
        request_id: requestId(),
      });
      return;
    }

    // Rate limiting.
    let rateHeaders = {};
    if (req.headers['x-testing-ignore-rate-limit'] !== 'true') {
      const taken = takeToken(key);
      if (!taken.ok) {
        sendProblem(res, 429, {
          title: 'Too Many Requests',
          detail: 'You are being rate limited.',
          instance,
          request_id: requestId(),
          retry_after: taken.retryAfter,
        }, taken.headers);
        return;
      }
      rateHeaders = taken.headers;
    }

    // Idempotency.
    const idemKey = req.headers['idempotency-key'];
    const useIdem = IDEMPOTENT_METHODS.has(method) && typeof idemKey === 'string' && idemKey !== '';
    let storeKey = null;
    let hash = null;
    if (useIdem) {
      storeKey = [key, idemKey, method, path].join('\0');
      hash = createHash('sha256').update(info.body).digest('hex');
      const hit = st.idempotency.get(storeKey);
      if (hit && hit.expires <= Date.now()) st.idempotency.delete(storeKey);
      else if (hit && hit.hash === hash) {
        const replayHeaders = { 'x-request-id': requestId(), ...rateHeaders };
        if (hit.contentType) replayHeaders['content-type'] = hit.contentType;
        send(res, hit.status, replayHeaders, hit.body);
        return;
      } else if (hit) {
        // As the real server: no RateLimit and no X-Request-Id headers on this 409.
        sendProblem(res, 409, {
          title: 'Conflict',
          detail: `Idempotency key '${idemKey}' was previously used with a different request body. Each unique request must use a unique idempotency key.`,
          instance,
          request_id: requestId(),
        });
        return;
      }
    }

    if (MUTATING_METHODS.has(method) && writeDelayMs > 0) await life.sleep(writeDelayMs);

    const rid = requestId();
    const result = await handler({ req, params, qs: new URLSearchParams(info.query), body: info.body, instance });
    if (useIdem) st.stats.byIdempotencyKey[idemKey] = (st.stats.byIdempotencyKey[idemKey] ?? 0) + 1;

    let body;
    let contentType;
    if (result.problem) {
      body = Buffer.from(JSON.stringify({ status: result.status, ...result.problem, instance, request_id: rid }));
      contentType = 'application/problem+json';
    } else if (result.json !== undefined) {
      body = Buffer.from(JSON.stringify(result.json));
      contentType = 'application/json';
    } else {
      body = Buffer.alloc(0);
    }
    if (useIdem && result.status >= 200 && result.status < 300) {
      st.idempotency.set(storeKey, {
        hash, status: result.status, body, contentType, expires: Date.now() + IDEMPOTENCY_TTL_MS,
      });
    }
    const headers = { 'x-request-id': rid, ...rateHeaders };
    if (contentType) headers['content-type'] = contentType;
    send(res, result.status, headers, body);
  }

  return {
    handle,
    reset() {
      st = freshState();
    },
    setFaults(steps) {
      st.faults = steps.slice();
    },
    faults() {
      return st.faults.slice();
    },
    stats() {
      return structuredClone(st.stats);
    },
    log() {
      return st.log;
    },
  };
}
