// Every operation of the API, called through the wasm build's services against the loopback
// test double, with the request checked on the server side (`/__apilog`): verb, path,
// query, body and headers. The expectations come from spec/endpoints.json and
// spec/openapi.json directly, not from the generated table the client reads, so a drift
// between the two fails here. Run: node --test tests/services/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer } from '../server/server.mjs';
import { createSynth, stableUuid } from '../server/synth.mjs';

const root = new URL('../../', import.meta.url);
const pkg = await import(new URL('target/npm/dist/node.js', root));
const { endpoints } = JSON.parse(readFileSync(new URL('spec/endpoints.json', root)));
const openapi = JSON.parse(readFileSync(new URL('spec/openapi.json', root)));
const schemas = openapi.components.schemas;
// spec/constraints.json (contract §B19) narrows some plain-string request fields to enums
// the client enforces: the synthesized bodies take their values from it.
const constraints = JSON.parse(readFileSync(new URL('spec/constraints.json', root)));
const narrowed = structuredClone(schemas);
for (const c of constraints.fields) {
  const e = constraints.enums.find((x) => x.name === c.enum);
  const values = !e ? schemas[c.enum].enum : e.values ?? schemas[e.of].enum.filter((v) => !e.except.includes(v));
  narrowed[c.schema].properties[c.field] = { type: 'string', enum: values };
}
const synth = createSynth(narrowed);

const API_KEY = 'test-api-key-0123456789abcdefghij';
const COMPANY = stableUuid('company');
const ACTOR = stableUuid('acting-user');
let srv;
let client;
let companyArg;

before(async () => {
  srv = await startServer({ port: 0, maxSeconds: 300 });
  client = new pkg.VClient({
    baseUrl: srv.url, apiKey: API_KEY, defaultCompanyId: COMPANY, maxRetries: 0,
    headers: { 'x-testing-ignore-rate-limit': 'true' }, setAsDefault: false,
  });
  // The companies routes are stateful in the double: give them a real company.
  const made = await client.companies.create({ name: 'Coverage Co', email: 'c@example.com' });
  companyArg = made.id;
});
after(async () => { await client.close(); await srv.close(); });

const idFor = (name) => stableUuid(`arg-${name}`);

/** A value for one query parameter, and the strings the server must receive. */
function queryValue(q) {
  if (q.enum) {
    const v = q.enum[0];
    if (q.type === 'string[]') return [[v, v], q.style === 'comma' ? [`${v},${v}`] : [v, v]];
    return [v, [v]];
  }
  switch (q.type) {
    case 'boolean': return [true, ['true']];
    case 'integer': { const n = q.min ?? 2; return [n, [String(n)]]; }
    case 'date-time': return [new Date('2026-01-02T03:04:05Z'), ['2026-01-02T03:04:05.000Z']];
    case 'string[]': return [['a', 'b'], q.style === 'comma' ? ['a,b'] : ['a', 'b']];
    case 'uuid': return [stableUuid(`q-${q.name}`), [stableUuid(`q-${q.name}`)]];
    default: return [`${q.name}-value`, [`${q.name}-value`]];
  }
}

/** A request body with every field of `schema` (valid values), minus nulls. */
function bodyOf(schemaName, seed) {
  const v = synth.value(schemaName, { seed });
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null));
}

/** The JS method names of one operation line (three for a paginated list). */
function methodsOf(e) {
  if (e.pagination) return Object.entries(e.pagination.names).map(([mode, name]) => ({ mode, name }));
  if (e.variants) return e.variants.map((v) => ({ mode: 'call', name: v.method, variant: v }));
  return [{ mode: 'call', name: e.method }];
}

function serviceFor(e) {
  const scope = Object.fromEntries(e.scope.map((s) => [s, idFor(s)]));
  const opts = { companyId: scope.company_id };
  const svc = e.service;
  switch (svc) {
    case 'companies': case 'developer': case 'globalAdmin': case 'system': case 'userLookup':
      return [client[svc], scope];
    case 'identity': return [client.identity(opts), scope];
    case 'books': return [client.books(scope.campaign_id, ACTOR, opts), scope];
    case 'chapters': return [client.chapters(scope.campaign_id, scope.book_id, ACTOR, opts), scope];
    case 'characterTraits': return [client.characterTraits(scope.character_id, ACTOR, opts), scope];
    default: return [client[svc](ACTOR, opts), scope];
  }
}

async function lastLog() {
  const log = await (await fetch(`${srv.url}/__apilog`)).json();
  return log.at(-1);
}

function expectedPath(e, values) {
  return e.path.replace(/\{([a-z_]+)\}/g, (_, n) => encodeURIComponent(values[n]));
}

const covered = new Set();
let calls = 0;

for (const e of endpoints) {
  for (const m of methodsOf(e)) {
    test(`${e.service}.${m.name} → ${e.verb} ${e.path}`, async () => {
      const [svc, scope] = serviceFor(e);
      assert.equal(typeof svc[m.name], 'function', `${e.service}.${m.name} exists`);
      const values = { ...scope };
      const args = [];
      for (const [i, a] of e.args.entries()) {
        // `provider` is an enum path segment; everything else is an id.
        values[a] = a === 'provider' ? 'discord'
          : e.service === 'companies' && a === 'company_id' ? companyArg : idFor(a);
        args.push(values[a]);
      }
      let body;
      const b = e.body;
      if (b?.kind === 'json' && b.bodyArgs) {
        const full = bodyOf(b.schema, e.operationId);
        body = {};
        for (const a of b.bodyArgs) { args.push(full[a.field]); body[a.field] = full[a.field]; }
      } else if (b?.kind === 'json') {
        body = bodyOf(b.schema, e.operationId);
        args.push(body);
      } else if (b?.kind === 'json-array') {
        body = [bodyOf(b.schema, `${e.operationId}-1`), bodyOf(b.schema, `${e.operationId}-2`)];
        args.push(body);
      } else if (b?.kind === 'multipart') {
        args.push({ data: new Uint8Array([0x89, 0x50, 0x4e, 0x47]), filename: 'portrait.png' });
      }
      // The naming rule: API data (filters, paging) in `params` by the API's names, the
      // client's knobs in `options`, last; `params` only where the method has any.
      const hasParams = m.mode !== 'call' || (!m.variant && e.query.length > 0);
      const params = {};
      const options = {};
      const query = new URLSearchParams();
      if (m.variant) {
        const [[wire]] = Object.entries(m.variant.query);
        args.push(`${wire}-lookup`);
        query.append(wire, `${wire}-lookup`);
      }
      if (!m.variant) {
        for (const q of e.query) {
          const [v, sent] = queryValue(q);
          params[q.name] = v;
          for (const s of sent) query.append(q.name, s);
        }
      }
      const mutating = ['POST', 'PUT', 'PATCH'].includes(e.verb);
      const key = stableUuid(`key-${e.operationId}-${m.name}`);
      if (mutating) options.idempotencyKey = key;
      const expectedQuery = new URLSearchParams(query);
      if (m.mode === 'page') {
        params.limit = 3; params.offset = 0;
        expectedQuery.set('limit', '3'); expectedQuery.set('offset', '0');
      }
      if (hasParams) args.push(params);
      let result;
      if (m.mode === 'iterAll') {
        result = [];
        for await (const item of svc[m.name](...args, options)) result.push(item);
      } else {
        result = await svc[m.name](...args, options);
      }
      calls++;
      const got = await lastLog();
      assert.equal(got.operationId, e.operationId);
      assert.equal(got.method, e.verb);
      assert.equal(got.path, expectedPath(e, values));
      assert.ok(got.status >= 200 && got.status < 300, `status ${got.status}`);
      const sentQuery = new URLSearchParams(got.query);
      if (m.mode === 'listAll' || m.mode === 'iterAll') {
        // Paging keys first, then the filters (limit = the endpoint's iteration page).
        assert.equal(sentQuery.get('limit'), String(e.pagination.iterLimit));
        assert.equal(sentQuery.get('offset'), '0');
        sentQuery.delete('limit'); sentQuery.delete('offset');
      }
      const sorted = (p) => [...p].sort(([a, x], [b2, y]) => (a + x).localeCompare(b2 + y));
      const expect = m.mode === 'page' ? expectedQuery : query;
      // Defaults the reference always sends (`is_temporary=false`, the log tail `limit`).
      for (const q of e.query) {
        if (q.alwaysSend && !expect.has(q.name)) expect.append(q.name, String(q.default));
      }
      assert.deepEqual(sorted(sentQuery), sorted(expect));
      assert.equal(got.headers['x-api-key'], API_KEY);
      assert.equal(got.headers['on-behalf-of'], e.onBehalfOf.service === 'never' ? undefined : ACTOR);
      assert.equal(got.headers['idempotency-key'], mutating ? key : undefined);
      if (b?.kind === 'json' || b?.kind === 'json-array') {
        const sent = JSON.parse(got.body);
        if (b.bodyArgs) {
          for (const a of b.bodyArgs) if (a.alwaysSend && !(a.field in body)) body[a.field] = a.default;
        }
        assert.deepEqual(sent, body);
        assert.match(got.headers['content-type'], /^application\/json/);
      } else if (b?.kind === 'multipart') {
        assert.match(got.headers['content-type'], /^multipart\/form-data; boundary=/);
        assert.match(got.body, /name="data"; filename="portrait.png"/);
        assert.match(got.body, /Content-Type: image\/png/i);
      } else {
        assert.equal(got.body, '');
      }
      const kind = e.response.kind;
      if (kind === 'no_content') assert.equal(result, undefined);
      if (kind === 'single') assert.equal(typeof result, 'object');
      if (kind === 'list') assert.ok(Array.isArray(result));
      if (kind === 'paginated') {
        const items = m.mode === 'page' ? result.items : result;
        assert.ok(Array.isArray(items) && items.length > 0);
      }
      if (kind === 'bytes') {
        assert.ok(result.data instanceof Uint8Array);
        assert.equal(result.filename, 'vapi-logs-fake.zip');
        assert.equal(got.headers.accept, 'application/zip');
      }
      covered.add(e.operationId);
    });
  }
}

test('every one of the 166 operations was called', () => {
  assert.equal(endpoints.length, 166);
  assert.equal(covered.size, 166, `missing: ${endpoints.filter((e) => !covered.has(e.operationId)).map((e) => e.operationId).join(', ')}`);
  console.log(`# ${covered.size} operations covered in ${calls} service calls`);
});
