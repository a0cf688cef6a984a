// An imitation of the Valentina Noir API under /api/v1 (see shared/valentina/api-contract.md,
// §A2 headers, §A3 auth, §A4 On-Behalf-Of, §A5 idempotency, §A6 rate limits, §A7 errors,
// §A8 pagination, §A9 formats). Its routes are compiled from spec/endpoints.json (routes.mjs):
// all 166 operations. `health` and the five `companies` CRUD operations are stateful handlers
// written here; every other operation is answered by the table-driven handler of
// operations.mjs (request checks, then a response synthesised from spec/openapi.json).
//
// Order of processing for one /api/v1 request (preflights never get here):
//   1. the next queued fault step, if any (POST /__faults), answers instead of everything below;
//   2. unknown path -> 404 / known path, wrong method -> 405 + allow (no key needed, no request_id);
//   3. X-API-KEY missing or wrong -> 401 (no tokens used, no RateLimit, no X-Request-Id header);
//   4. rate limit (unless `X-Testing-Ignore-Rate-Limit: true`) -> 429 when the bucket is empty;
//   5. idempotency (POST/PUT/PATCH with a non-empty Idempotency-Key): replay or 409;
//   6. the handler (mutating handlers first wait `writeDelayMs`: there is no in-flight lock).
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { requestId, runStep, describeRequest } from './steps.mjs';
import { loadSpec } from './routes.mjs';
import { createSynth } from './synth.mjs';
import {
  createOperations, bad, notFound, parseJsonBody, intParam, jsonType, VALIDATION_FAILED,
} from './operations.mjs';

export const DEFAULT_API_KEY = 'test-api-key-0123456789abcdefghij';
export const DEFAULT_BURST = 30;
export const DEFAULT_REFILL_PER_SECOND = 0.5;
export const DEFAULT_WRITE_DELAY_MS = 10;
const IDEMPOTENCY_TTL_MS = 3600 * 1000;
const IDEMPOTENT_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

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

/** Rounds up to 2 decimals, ignoring float noise (1.0000000001 -> 1.00). */
function ceil2(x) {
  return Math.max(0.01, Math.ceil(x * 100 - 1e-6) / 100);
}

function ceilSeconds(x) {
  return Math.max(1, Math.ceil(x - 1e-9));
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

function freshState() {
  return {
    companies: new Map(), // id -> company, in creation order
    idempotency: new Map(), // apiKey\0key\0METHOD\0path -> { hash, status, body, headers, expires }
    buckets: new Map(), // apiKey -> { tokens, at }
    faults: [],
    log: [],
    startedAt: performance.now(),
    stats: { companiesCreated: 0, requests: 0, byIdempotencyKey: {} },
  };
}

/**
 * options: { apiKey, burst, refillPerSecond, writeDelayMs, life, spec (default: loadSpec()) }
 * Returns { handle(req, res, info), reset(), setFaults(steps), faults(), stats(), log() }.
 */
export function createValentina(options = {}) {
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const burst = options.burst ?? DEFAULT_BURST;
  const refill = options.refillPerSecond ?? DEFAULT_REFILL_PER_SECOND;
  const writeDelayMs = options.writeDelayMs ?? DEFAULT_WRITE_DELAY_MS;
  const life = options.life;
  const policyHeader = `"burst";q=${burst};w=${Math.ceil(burst / refill)}`;
  const spec = options.spec ?? loadSpec();
  const synth = createSynth(spec.schemas);
  const operations = createOperations({ spec });
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

  // ---- stateful handlers: (ctx) -> { status, json } | { status, problem } | { status } ----
  // ctx = { req, entry, params: {name: value}, qs, body: Buffer, path, headers, instance }
  function health() {
    // A valid SystemHealth (every required member), as the real server sends.
    return { status: 200, json: { database_status: 'online', cache_status: 'online', database_latency_ms: 1.2, cache_latency_ms: 0.4, uptime: '0:00:42', version: '0.27.0' } };
  }

  function listCompanies(ctx) {
    const limit = intParam(ctx.qs, 'limit', ctx.entry.pagination.defaultLimit, ctx.entry.pagination.maxLimit);
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

  // The create response keeps the flat company fields of the first version of this fake
  // (id, name, email, description, dates, settings: {}) and adds the spec's envelope
  // (NewCompanyCreateResponse: `company`, the stored CompanyResponse, and `admin_user`).
  function createCompany(ctx) {
    const parsed = parseJsonBody(ctx.body);
    if (parsed.error) return parsed.error;
    const checked = validateCompany(parsed.value, false);
    if (checked.error) return checked.error;
    const now = new Date().toISOString();
    const id = uuidv7();
    const flat = {
      id,
      name: checked.value.name,
      email: checked.value.email,
      description: checked.value.description ?? null,
      date_created: now,
      date_modified: now,
    };
    const envelope = synth.value(ctx.entry.response.schema, { seed: `company|${id}`, params: { company_id: id } });
    const company = Object.assign(envelope.company ?? {}, flat, { resources_modified_at: now });
    st.companies.set(id, company);
    st.stats.companiesCreated++;
    return { status: 201, json: { ...flat, settings: {}, ...envelope, company } };
  }

  function companyId(ctx) {
    const id = ctx.params.company_id;
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

  // Stateful handlers by operationId; every other operation of the table is table-driven.
  const STATEFUL = {
    checkSystemHealth: health,
    listCompanies,
    createCompany,
    getCompany,
    updateCompany,
    deleteCompany,
  };
  for (const opId of Object.keys(STATEFUL)) {
    if (!spec.endpoints.some((e) => e.operationId === opId)) throw new Error(`spec/endpoints.json has no operation ${opId}`);
  }
  const handlerOf = (entry) => STATEFUL[entry.operationId] ?? ((ctx) => operations.handle(entry, ctx));

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
    const method = req.method;
    const path = info.path.length > 1 ? info.path.replace(/\/+$/, '') : info.path;
    const found = spec.router.match(path);
    const op = found?.template.methods[method] ?? null;
    const record = {
      ...describeRequest(req, info),
      t: info.arrival - st.startedAt,
      operationId: op?.operationId ?? null,
      fault: false,
      status: null,
    };
    if (!isUtf8(info.body)) record.bodyBase64 = info.body.toString('base64');
    st.log.push(record);
    res.once('finish', () => { record.status = res.statusCode; });

    if (st.faults.length > 0) {
      record.fault = true;
      await runStep(st.faults.shift(), req, res, info, life);
      return;
    }

    const instance = `http://${req.headers.host ?? '127.0.0.1'}${req.url}`;
    if (!found) {
      sendProblem(res, 404, { title: 'Not Found', detail: 'Not Found', instance });
      return;
    }
    const { allow } = found.template;
    if (method === 'OPTIONS') {
      send(res, 204, { allow });
      return;
    }
    if (!op) {
      sendProblem(res, 405, { title: 'Method Not Allowed', detail: 'Method Not Allowed', instance }, { allow });
      return;
    }
    const handler = handlerOf(op);

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
        send(res, hit.status, { ...hit.headers, 'x-request-id': requestId(), ...rateHeaders }, hit.body);
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
    const result = await handler({
      req,
      entry: op,
      params: found.params,
      qs: new URLSearchParams(info.query),
      body: info.body,
      path,
      headers: req.headers,
      instance,
    });
    if (useIdem) st.stats.byIdempotencyKey[idemKey] = (st.stats.byIdempotencyKey[idemKey] ?? 0) + 1;

    let body;
    const headers = {}; // the headers a replay repeats
    if (result.problem) {
      body = Buffer.from(JSON.stringify({ status: result.status, ...result.problem, instance, request_id: rid }));
      headers['content-type'] = 'application/problem+json';
    } else if (result.raw !== undefined) {
      body = result.raw;
      headers['content-type'] = result.contentType ?? 'application/octet-stream';
      Object.assign(headers, result.headers);
    } else if (result.json !== undefined) {
      body = Buffer.from(JSON.stringify(result.json));
      headers['content-type'] = 'application/json';
    } else {
      body = Buffer.alloc(0);
    }
    if (useIdem && result.status >= 200 && result.status < 300) {
      st.idempotency.set(storeKey, {
        hash, status: result.status, body, headers, expires: Date.now() + IDEMPOTENCY_TTL_MS,
      });
    }
    send(res, result.status, { ...headers, 'x-request-id': rid, ...rateHeaders }, body);
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
