// The one naming rule of the services (README "Services"): API data (filters, paging) in
// `params` by the API's own names; the client's knobs (`signal`, `timeout`, `headers`,
// `idempotencyKey`) in a separate `options` argument, last. A key in the wrong place, or an
// API name written in camelCase, is refused before any I/O with a hint. The generator
// refuses a table that would break the rule.
// Run: node --test tests/services/   (needs target/npm from scripts/package.sh)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiClient, ACTOR } from './harness.mjs';

const { client, refused, lastLog } = await apiClient();
const users = client.users(ACTOR);

test('filters go in params by their API names, knobs in options, last', async () => {
  await users.getPage({ user_role: 'PLAYER', limit: 2 }, { headers: { 'x-trace': 'naming' }, timeout: 5 });
  const got = await lastLog();
  assert.deepEqual(Object.fromEntries(new URLSearchParams(got.query)), { user_role: 'PLAYER', limit: '2', offset: '0' });
  assert.equal(got.headers['x-trace'], 'naming');
  await users.get('u1', { include: ['notes', 'assets'] }, { headers: { 'x-trace': 'get' } });
  const one = await lastLog();
  assert.equal(one.query, 'include=notes&include=assets');
  assert.equal(one.headers['x-trace'], 'get');
});

test('a method without filters takes options right after its positional arguments', async () => {
  await client.campaigns(ACTOR).get('c1', { headers: { 'x-trace': 'no-params' } });
  assert.equal((await lastLog()).headers['x-trace'], 'no-params');
  await refused(() => client.campaigns(ACTOR).get('c1', { include: ['notes'] }), 'options', /unknown key "include"/);
});

test('an API name in camelCase is refused, naming the API name', async () => {
  await refused(() => users.getPage({ userRole: 'PLAYER' }), 'params', /unknown key "userRole".*API data keeps the API's names, `user_role`/);
  await refused(() => client.characters(ACTOR).listAll({ userPlayerId: 'u1' }), 'params', /`user_player_id`/);
});

test('a key in the wrong argument is refused with where it belongs', async () => {
  await refused(() => users.getPage({ timeout: 5 }), 'params', /"timeout".*request option, for the last argument \(options\)/);
  await refused(() => users.get('u1', undefined, { include: ['notes'] }), 'options', /"include".*API data, for the params argument before options/);
  await refused(() => users.getPage(undefined, { limit: 5 }), 'options', /"limit".*API data/);
});

test('errors name API data by the API name and knobs by theirs', async () => {
  await refused(() => users.getPage({ user_role: 'KING' }), 'user_role', /must be one of/);
  await refused(() => client.characters(ACTOR).getPage({ is_temporary: 'yes' }), 'is_temporary', /boolean/);
  await refused(() => users.getPage({}, { timeout: 'soon' }), 'timeout', /./);
});

test('a required filter makes params required; a mutation still takes idempotencyKey in options', async () => {
  const autogen = client.characterAutogen(ACTOR);
  const body = { character_type: 'NPC', character_class: 'VAMPIRE' };
  await refused(() => autogen.generateCharacter(body), 'campaign_id', /is required/);
  await autogen.generateCharacter(body, { campaign_id: 'camp-1' }, { idempotencyKey: 'naming-key-1' });
  const got = await lastLog();
  assert.equal(got.query, 'campaign_id=camp-1');
  assert.equal(got.headers['idempotency-key'], 'naming-key-1');
  await refused(() => autogen.generateCharacter(body, { campaign_id: 'c', idempotencyKey: 'k' }), 'params', /request option/);
});

test('listAll and iterAll: `limit` is the page size, `offset` and `pageSize` are refused', async () => {
  await users.listAll({ limit: 3, user_role: 'PLAYER' });
  assert.match((await lastLog()).query, /^limit=3&offset=\d+&user_role=PLAYER$/);
  assert.throws(() => users.iterAll({ offset: 1 }), (e) => e.field === 'offset');
  await refused(() => users.listAll({ pageSize: 3 }), 'params', /page size is `limit`/);
});

// The generator run on a copy of the repository's spec, broken one way at a time.
function generate(edit) {
  const dir = mkdtempSync(join(tmpdir(), 'vclient-naming-'));
  try {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    cpSync(join(root, 'scripts/gen_api.py'), join(dir, 'scripts/gen_api.py'));
    cpSync(join(root, 'spec'), join(dir, 'spec'), { recursive: true });
    const path = join(dir, 'spec/endpoints.json');
    const table = JSON.parse(readFileSync(path, 'utf8'));
    edit(table.endpoints);
    writeFileSync(path, JSON.stringify(table));
    return spawnSync('python3', [join(dir, 'scripts/gen_api.py'), join(dir, 'out')], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const op = (endpoints, method, service) => endpoints.find((e) => e.method === method && e.service === service);

test('the generator enforces the rule', () => {
  assert.equal(generate(() => {}).status, 0, 'the unedited spec generates');
  const renamed = generate((es) => { op(es, 'getPage', 'users').query.find((q) => q.name === 'user_role').js = 'userRole'; });
  assert.notEqual(renamed.status, 0);
  assert.match(renamed.stderr, /naming rule: query parameter 'user_role' has a JS name 'userRole'/);
  const knob = generate((es) => { op(es, 'get', 'users').query[0].name = 'timeout'; });
  assert.notEqual(knob.status, 0);
  assert.match(knob.stderr, /naming rule: users\.get: the API field 'timeout' collides with the request option/);
});
