// Service behaviour beyond one call per operation: scoping, validation on both sides,
// paging limits, uploads, the registry. Against the loopback test double, through the
// wasm build. Run: node --test tests/services/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../server/server.mjs';
import { stableUuid } from '../server/synth.mjs';

const root = new URL('../../', import.meta.url);
const pkg = await import(new URL('target/npm/dist/node.js', root));
const { VClient, RequestValidationError, ResponseValidationError, ConfigurationError } = pkg;

const API_KEY = 'test-api-key-0123456789abcdefghij';
const COMPANY = stableUuid('company');
const ACTOR = stableUuid('acting-user');
let srv;
const make = (o = {}) => new VClient({
  baseUrl: srv.url, apiKey: API_KEY, maxRetries: 0, setAsDefault: false,
  headers: { 'x-testing-ignore-rate-limit': 'true' }, ...o,
});
const lastLog = async () => (await (await fetch(`${srv.url}/__apilog`)).json()).at(-1);
const faults = (next) => fetch(`${srv.url}/__faults`, { method: 'POST', body: JSON.stringify({ next }), headers: { 'content-type': 'application/json' } });

before(async () => { srv = await startServer({ port: 0, maxSeconds: 120 }); });
after(async () => { await srv.close(); });

test('companyId falls back to defaultCompanyId; neither is a clear error before any I/O', async () => {
  const withDefault = make({ defaultCompanyId: COMPANY });
  await withDefault.campaigns(ACTOR).getPage();
  assert.match((await lastLog()).path, new RegExp(`/companies/${COMPANY}/campaigns$`));
  const other = stableUuid('other');
  await withDefault.campaigns(ACTOR, { companyId: other }).getPage();
  assert.match((await lastLog()).path, new RegExp(`/companies/${other}/campaigns$`));
  const none = make();
  const before = (await (await fetch(`${srv.url}/__stats`)).json()).requests;
  assert.throws(() => none.campaigns(ACTOR), (e) => e instanceof RequestValidationError && e.field === 'companyId' && /defaultCompanyId/.test(e.message));
  assert.throws(() => none.campaigns(ACTOR, { company: 'x' }), (e) => e.field === 'options' && /unknown key "company"/.test(e.message));
  assert.throws(() => withDefault.users(''), (e) => e.field === 'onBehalfOf');
  assert.throws(() => withDefault.books(undefined, ACTOR), (e) => e.field === 'campaignId');
  assert.equal((await (await fetch(`${srv.url}/__stats`)).json()).requests, before);
});

test('arguments are checked before sending and named in the error', async () => {
  const c = make({ defaultCompanyId: COMPANY });
  const users = c.users(ACTOR);
  await assert.rejects(users.get(''), (e) => e.field === 'userId' && /non-empty string/.test(e.message));
  await assert.rejects(users.get('..'), (e) => e instanceof RequestValidationError && e.field === 'userId' && /another resource/.test(e.message));
  await assert.rejects(users.getPage({ user_role: 'KING' }), (e) => e.field === 'user_role' && /ADMIN, STORYTELLER/.test(e.message));
  await assert.rejects(users.getPage({ nope: 1 }), (e) => e.field === 'params' && /unknown key "nope"/.test(e.message));
  await assert.rejects(users.create({ email: 'a@b.c' }), (e) => /is required/.test(e.message));
  await assert.rejects(c.companies.grantAccess(COMPANY, 'dev', 'BOSS'), (e) => e.field === 'permission');
  await assert.rejects(users.get('u', {}, {}, 'extra'), (e) => e.field === 'arguments' && /\(userId, params, options\)/.test(e.message));
  await assert.rejects(c.campaigns(ACTOR).get('c', {}, 'extra'), (e) => e.field === 'arguments' && /\(campaignId, options\)/.test(e.message));
  // A body field passed as an argument is named as the argument (`newValue`, not `target_value`).
  await assert.rejects(c.characterTraits('ch1', ACTOR).changeValue('t1', 'high', 'XP'), (e) => e.field === 'newValue');
  // Iteration's page size is `limit`, the API's (and the reference's) name; `offset` is refused.
  assert.throws(() => users.iterAll({ pageSize: 6 }), (e) => e instanceof RequestValidationError && e.field === 'params' && /page size is `limit`/.test(e.message));
  assert.throws(() => users.iterAll({ offset: 5 }), (e) => e.field === 'offset' && /start at offset 0/.test(e.message));
  await assert.rejects(users.listAll({ nope: 5 }), (e) => e.field === 'params' && /known: limit, user_role, email\)$/.test(e.message));
});

test('a 2xx body that breaks the schema is a ResponseValidationError with field, operation and request id', async () => {
  const c = make({ defaultCompanyId: COMPANY });
  await faults([{ status: 200, body: { id: 'x', name: 42 }, headers: { 'x-request-id': 'req_schema' } }]);
  const e = await c.campaigns(ACTOR).get('c1').catch((x) => x);
  assert.ok(e instanceof ResponseValidationError, String(e));
  assert.equal(e.operation, 'campaigns.get');
  assert.equal(e.requestId, 'req_schema');
  assert.equal(e.field, 'name');
  assert.match(e.message, /`name` must be a string, got a number/);
  await faults([{ status: 200, body: { items: [{ id: 1 }], limit: 10, offset: 0, total: 1 } }]);
  const p = await c.campaigns(ACTOR).getPage().catch((x) => x);
  assert.ok(p instanceof ResponseValidationError && p.field.startsWith('items[0].'), String(p));
});

test('pages: limits clamp per endpoint, listAll pages by the endpoint size, null-clearing fields are sent', async () => {
  const c = make({ defaultCompanyId: COMPANY });
  await c.characterBlueprint().getTraitsPage({ limit: 5000 });
  assert.match((await lastLog()).query, /limit=1000/);
  await c.users(ACTOR).getPage({ limit: 5000 });
  assert.match((await lastLog()).query, /limit=100(&|$)/);
  const all = await c.dictionary().listAll();
  assert.equal(all.length, 3);
  assert.match((await lastLog()).query, /limit=1000/);
  // The reference's `list_all(limit=…)`: `limit` sets the page size.
  assert.equal((await c.dictionary().listAll({ limit: 2 })).length, 3);
  assert.match((await lastLog()).query, /^limit=2&offset=2/);
  await c.campaigns(ACTOR).update('c1', { in_game_date: null, description: null });
  assert.deepEqual(JSON.parse((await lastLog()).body), { in_game_date: null });
});

test('uploads take a Blob, bytes or { data, filename }; the download has a filename', async () => {
  const c = make({ defaultCompanyId: COMPANY });
  const a = await c.users(ACTOR).uploadAsset('u1', new File([new Uint8Array([1, 2, 3])], 'map.pdf', { type: 'application/pdf' }));
  assert.equal(a.original_filename, 'map.pdf');
  assert.match((await lastLog()).body, /filename="map.pdf"\r\nContent-Type: application\/pdf/);
  await c.characters(ACTOR).uploadAsset('ch1', { data: new TextEncoder().encode('hi'), filename: 'notes.txt' });
  assert.match((await lastLog()).body, /filename="notes.txt"\r\nContent-Type: text\/plain/);
  const d = await c.globalAdmin.downloadLogs();
  assert.equal(d.filename, 'vapi-logs-fake.zip');
  assert.equal(new TextDecoder().decode(d.data.slice(0, 4)), 'PK\x03\x04');
});

test('the default client registry: last one wins, close clears it', async () => {
  pkg.clearDefaultClient();
  assert.throws(() => pkg.defaultClient(), (e) => e instanceof ConfigurationError && /configureDefaultClient/.test(e.message));
  const a = new VClient({ baseUrl: srv.url, apiKey: API_KEY, defaultCompanyId: COMPANY });
  const b = pkg.configureDefaultClient({ baseUrl: `${srv.url}/`, apiKey: API_KEY, defaultCompanyId: COMPANY });
  assert.equal(pkg.defaultClient().isClosed, false);
  pkg.clearDefaultClient(a); // not the default: nothing happens
  assert.ok(pkg.defaultClient());
  const health = await pkg.systemService().health();
  assert.equal(health.database_status, 'online');
  assert.equal(typeof pkg.usersService(ACTOR).getPage, 'function');
  await b.close();
  assert.throws(() => pkg.defaultClient(), ConfigurationError);
  await a.close();
});
