// An imitation of the Valentina Noir API under /api/v1 (see shared/valentina/api-contract.md,
// §A2 headers, §A3 auth, §A4 On-Behalf-Of, §A5 idempotency, §A6 rate limits, §A7 errors,
// §A8 pagination, §A9 formats). Its routes are compiled from spec/endpoints.json (routes.mjs):
// all 166 operations. `health` and the five `companies` CRUD operations are stateful handlers
// written here; campaigns and characters are stateful over the table-driven handler (created
// items are stored per company, see COLLECTIONS); every other operation is answered by the
// table-driven handler of operations.mjs (request checks, then a response synthesised from
// spec/openapi.json).
//
// Order of processing for one /api/v1 request (preflights never get here):
//   1. the next queued fault step, if any (POST /__faults), answers instead of everything below
//      (a `pass` step instead lets the request through and holds its response back);
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
    items: new Map(), // collection name -> company id -> item id -> item, in creation order
    idempotency: new Map(), // apiKey\0key\0METHOD\0path -> { hash, status, body, headers, expires }
    buckets: new Map(), // apiKey -> { tokens, at }
    faults: [],
    log: [],
    startedAt: performance.now(),
    stats: { companiesCreated: 0, requests: 0, byIdempotencyKey: {} },
  };
}

/**
 * options: { apiKey, burst, refillPerSecond, writeDelayMs, life, spec (default: loadSpec()),
 *   flatCompanyFields = true (false: `POST /companies` answers only `{ company, admin_user }`,
 *   as the real server does) }
 * Returns { handle(req, res, info), reset(), setFaults(steps), faults(), stats(), log() }.
 */
export function createValentina(options = {}) {
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const burst = options.burst ?? DEFAULT_BURST;
  const refill = options.refillPerSecond ?? DEFAULT_REFILL_PER_SECOND;
  const writeDelayMs = options.writeDelayMs ?? DEFAULT_WRITE_DELAY_MS;
  const life = options.life;
  const flatCompanyFields = options.flatCompanyFields ?? true;
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
  // `flatCompanyFields: false` drops the flat fields, so code reading `created.id` fails
  // here as it does against the real server (the README harness runs that way).
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
    const json = flatCompanyFields ? { ...flat, settings: {}, ...envelope, company } : { ...envelope, company };
    return { status: 201, json };
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

  // ---- stateful collections over the table-driven handler: campaigns, characters -------
  // A POST into the collection stores the created item under its company (a new UUIDv7 id,
  // the body's fields, fresh dates). The list answers the stored items first (filtered by the
  // list's query filters), then the synthesised ones, with `total` counting both. GET, PATCH
  // and DELETE of a stored id use the store; any other id gets the synthesised answer, as
  // before. Every request still goes through the table-driven checks first (On-Behalf-Of,
  // parameters, body), and a stored item is built from the synthesised answer, so it keeps
  // the response schema.
  const COLLECTIONS = [
    {
      name: 'campaigns',
      ops: { list: 'listCampaigns', create: 'createCampaign', get: 'getCampaign', update: 'updateCampaign', remove: 'deleteCampaign' },
      idParam: 'campaign_id',
      filters: {},
    },
    {
      name: 'characters',
      ops: { list: 'listCharacters', create: 'createCharacter', get: 'getCharacter', update: 'updateCharacter', remove: 'deleteCharacter' },
      idParam: 'character_id',
      // query parameter -> item field
      filters: {
        campaign_id: 'campaign_id',
        user_player_id: 'user_player_id',
        user_creator_id: 'user_creator_id',
        character_class: 'character_class',
        character_type: 'type',
        status: 'status',
        is_temporary: 'is_temporary',
      },
      // Derived fields, as the real server fills them.
      derive(item, body, ctx, created) {
        if (created) {
          const actor = ctx.headers['on-behalf-of'];
          item.user_creator_id = actor;
          if (!Object.hasOwn(body, 'user_player_id') || body.user_player_id === null) item.user_player_id = actor;
        }
        item.name = `${item.name_first} ${item.name_last}`;
        item.name_full = item.name_nick ? `${item.name_first} "${item.name_nick}" ${item.name_last}` : item.name;
      },
    },
  ];
  const IMMUTABLE_FIELDS = new Set(['id', 'company_id', 'date_created', 'date_modified', 'user_creator_id']);

  function propsOf(schemaName) {
    return synth.leaf({ $ref: `#/components/schemas/${schemaName}` }).properties ?? {};
  }

  function nullable(propSchema) {
    const alts = propSchema?.oneOf ?? propSchema?.anyOf;
    return Array.isArray(alts) && alts.some((a) => a.type === 'null');
  }

  function storeOf(coll, companyId) {
    let byCompany = st.items.get(coll.name);
    if (!byCompany) st.items.set(coll.name, (byCompany = new Map()));
    let items = byCompany.get(companyId);
    if (!items) byCompany.set(companyId, (items = new Map()));
    return items;
  }

  function storedItem(coll, ctx) {
    return st.items.get(coll.name)?.get(ctx.params.company_id)?.get(ctx.params[coll.idParam]) ?? null;
  }

  const ok = (result) => result.status >= 200 && result.status < 300;

  function collectionHandlers(coll) {
    const entryOf = (opId) => spec.endpoints.find((e) => e.operationId === opId);
    const createEntry = entryOf(coll.ops.create);
    const responseProps = propsOf(createEntry.response.schema);
    const createProps = propsOf(createEntry.body.schema);

    function list(ctx) {
      const checked = operations.handle(ctx.entry, ctx);
      if (!ok(checked)) return checked;
      const items = st.items.get(coll.name)?.get(ctx.params.company_id);
      const wanted = Object.entries(coll.filters).filter(([q]) => ctx.qs.has(q));
      const stored = [...(items?.values() ?? [])].filter((item) => wanted.every(([q, field]) => {
        const v = item[field];
        const want = ctx.qs.get(q);
        return typeof v === 'boolean' ? v === /^(true|1)$/i.test(want) : String(v) === want;
      }));
      if (stored.length === 0) return checked;
      const { limit, offset } = checked.json;
      const qs = new URLSearchParams(ctx.qs);
      qs.set('limit', String(ctx.entry.pagination.maxLimit));
      qs.set('offset', '0');
      const synthesised = operations.handle(ctx.entry, { ...ctx, qs }).json.items;
      const all = [...stored, ...synthesised];
      return { status: checked.status, json: { items: all.slice(offset, offset + limit), limit, offset, total: all.length } };
    }

    function create(ctx) {
      const result = operations.handle(ctx.entry, ctx);
      if (!ok(result) || !result.json) return result;
      const body = parseJsonBody(ctx.body).value;
      const now = new Date().toISOString();
      const item = { ...result.json, id: uuidv7(), date_created: now, date_modified: now };
      // What the body left out takes the schema's default, or null where the model allows it.
      for (const [p, ps] of Object.entries(createProps)) {
        if (Object.hasOwn(body, p) || !Object.hasOwn(responseProps, p)) continue;
        if (ps.default !== undefined) item[p] = ps.default;
        else if (nullable(responseProps[p])) item[p] = null;
      }
      for (const p of Object.keys(item)) if (p.startsWith('num_') && typeof item[p] === 'number') item[p] = 0;
      coll.derive?.(item, body, ctx, true);
      storeOf(coll, ctx.params.company_id).set(item.id, item);
      return { status: result.status, json: item };
    }

    function get(ctx) {
      const item = storedItem(coll, ctx);
      const result = operations.handle(ctx.entry, ctx);
      if (!item || !ok(result)) return result;
      // The single-item schema may be a superset (CharacterDetailResponse): stored fields win.
      return { status: result.status, json: { ...result.json, ...item } };
    }

    function update(ctx) {
      const item = storedItem(coll, ctx);
      const result = operations.handle(ctx.entry, ctx);
      if (!item || !ok(result)) return result;
      const body = parseJsonBody(ctx.body).value;
      for (const [p, v] of Object.entries(body)) {
        if (!Object.hasOwn(item, p) || IMMUTABLE_FIELDS.has(p)) continue;
        // The synthesised answer echoes exactly the scalars that fit the model.
        if (v === null ? nullable(responseProps[p]) : result.json[p] === v) item[p] = v;
      }
      item.date_modified = new Date().toISOString();
      coll.derive?.(item, body, ctx, false);
      return { status: result.status, json: item };
    }

    function remove(ctx) {
      const item = storedItem(coll, ctx);
      const result = operations.handle(ctx.entry, ctx);
      if (item && ok(result)) st.items.get(coll.name).get(ctx.params.company_id).delete(item.id);
      return result;
    }

    const { ops } = coll;
    return { [ops.list]: list, [ops.create]: create, [ops.get]: get, [ops.update]: update, [ops.remove]: remove };
  }

  // Stateful handlers by operationId; every other operation of the table is table-driven.
  const STATEFUL = {
    checkSystemHealth: health,
    listCompanies,
    createCompany,
    getCompany,
    updateCompany,
    deleteCompany,
    ...Object.assign({}, ...COLLECTIONS.map(collectionHandlers)),
  };
  for (const opId of Object.keys(STATEFUL)) {
    if (!spec.endpoints.some((e) => e.operationId === opId)) throw new Error(`spec/endpoints.json has no operation ${opId}`);
  }
  const handlerOf = (entry) => STATEFUL[entry.operationId] ?? ((ctx) => operations.handle(entry, ctx));

  // ---- responses -----------------------------------------------------------------------
  // The pipeline returns what to send, { status, headers, body? }; `handle` sends it (after
  // the hold of a `pass` fault step).
  function reply(status, headers, body) {
    return { status, headers, body };
  }

  function problemReply(status, fields, headers = {}) {
    const body = Buffer.from(JSON.stringify({ status, ...fields }));
    return reply(status, { 'content-type': 'application/problem+json', ...headers }, body);
  }

  function send(res, { status, headers, body }) {
    if (res.destroyed) return;
    const h = { ...headers };
    if (body !== undefined && status !== 204) h['content-length'] = String(body.length);
    res.writeHead(status, h);
    res.end(status === 204 ? undefined : body);
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

    let holdMs = 0;
    if (st.faults.length > 0) {
      const step = st.faults.shift();
      record.fault = true;
      if (step.action === 'pass') {
        holdMs = step.delayMs ?? 0;
      } else {
        await runStep(step, req, res, info, life);
        return;
      }
    }
    const out = await pipeline(req, info, method, path, found, op);
    // A `pass` step: the answer is ready (and stored for idempotency); it leaves late, or
    // never if the client has given up meanwhile.
    if (holdMs > 0) await life.sleep(holdMs);
    if (req.socket.destroyed) return;
    send(res, out);
  }

  async function pipeline(req, info, method, path, found, op) {
    const instance = `http://${req.headers.host ?? '127.0.0.1'}${req.url}`;
    if (!found) {
      return problemReply(404, { title: 'Not Found', detail: 'Not Found', instance });
    }
    const { allow } = found.template;
    if (method === 'OPTIONS') {
      return reply(204, { allow });
    }
    if (!op) {
      return problemReply(405, { title: 'Method Not Allowed', detail: 'Method Not Allowed', instance }, { allow });
    }
    const handler = handlerOf(op);

    // Authentication: decided before rate limiting; no tokens, no RateLimit, no X-Request-Id header.
    const key = req.headers['x-api-key'];
    if (!key || key !== apiKey) {
      return problemReply(401, {
        title: 'Unauthorized',
        detail: key ? 'Unauthorized API key' : 'API key not provided',
        instance,
        request_id: requestId(),
      });
    }

    // Rate limiting.
    let rateHeaders = {};
    if (req.headers['x-testing-ignore-rate-limit'] !== 'true') {
      const taken = takeToken(key);
      if (!taken.ok) {
        return problemReply(429, {
          title: 'Too Many Requests',
          detail: 'You are being rate limited.',
          instance,
          request_id: requestId(),
          retry_after: taken.retryAfter,
        }, taken.headers);
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
        return reply(hit.status, { ...hit.headers, 'x-request-id': requestId(), ...rateHeaders }, hit.body);
      } else if (hit) {
        // As the real server: no RateLimit and no X-Request-Id headers on this 409.
        return problemReply(409, {
          title: 'Conflict',
          detail: `Idempotency key '${idemKey}' was previously used with a different request body. Each unique request must use a unique idempotency key.`,
          instance,
          request_id: requestId(),
        });
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
    return reply(result.status, { ...headers, 'x-request-id': rid, ...rateHeaders }, body);
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
