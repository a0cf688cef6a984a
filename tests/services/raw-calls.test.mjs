// A service method makes ONE raw call of its client and returns that call's promise (or
// paginator) itself: no async wrapper, so whatever the raw calls' promises carry, the
// services' carry too. Run: node --test tests/services/   (needs target/npm from scripts/package.sh)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pkg, ACTOR, COMPANY } from './harness.mjs';

const RESPONSE_HOOK = Symbol.for('vclient.responseHook');

/** A client whose raw calls record their arguments and return a marked promise. */
function recording() {
  const client = new pkg.VClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'raw-calls-key-0123456789abcdefghij', defaultCompanyId: COMPANY, setAsDefault: false });
  const calls = [];
  for (const name of ['request', 'getPage', 'listAll', 'paginate']) {
    client[name] = (...args) => {
      const result = Promise.resolve(`from ${name}`);
      calls.push({ name, args, result });
      return result;
    };
  }
  return { client, calls };
}

test('each kind of service method returns its one raw call\'s result as is', () => {
  const { client, calls } = recording();
  const users = client.users(ACTOR);
  const cases = [
    [() => client.system.health(), 'request'],
    [() => users.get('u1', { include: ['notes'] }), 'request'],
    [() => users.getPage({ limit: 5, user_role: 'PLAYER' }), 'getPage'],
    [() => users.listAll({ limit: 50 }), 'listAll'],
    [() => users.iterAll(), 'paginate'],
  ];
  for (const [call, raw] of cases) {
    const before = calls.length;
    const got = call();
    assert.equal(calls.length, before + 1, `one raw call for ${raw}`);
    assert.equal(calls.at(-1).name, raw);
    assert.equal(got, calls.at(-1).result, `the ${raw} promise itself, not a wrapper`);
  }
  return client.close();
});

test('the raw call gets plain values: the filled path, the query, the page limit, On-Behalf-Of', () => {
  const { client, calls } = recording();
  client.users(ACTOR).get('u/1', { include: ['notes', 'assets'] }, { timeout: 5000 });
  const [method, path, init] = calls[0].args;
  assert.equal(method, 'GET');
  assert.equal(path, `/api/v1/companies/${COMPANY}/users/u%2F1`);
  assert.deepEqual(init.query, { include: ['notes', 'assets'] });
  assert.equal(init.onBehalfOf, ACTOR);
  assert.equal(init.timeout, 5000);
  assert.equal(typeof init[RESPONSE_HOOK], 'function', 'the schema check rides in the call');
  client.users(ACTOR).getPage({ limit: 5, offset: 10 });
  const [pagePath, pageInit] = calls[1].args;
  assert.equal(pagePath, `/api/v1/companies/${COMPANY}/users`);
  // The paging numbers are API data: in the raw call's `query`, as getPage takes them.
  assert.deepEqual(pageInit.query, { limit: 5, offset: 10 });
  assert.deepEqual([pageInit.limit, pageInit.offset, pageInit.maxLimit], [undefined, undefined, 100]);
  return client.close();
});

test('a bad argument makes no raw call: a rejected promise (an iterator throws at once)', async () => {
  const { client, calls } = recording();
  const users = client.users(ACTOR);
  await assert.rejects(users.get(''), (e) => e instanceof pkg.RequestValidationError && e.field === 'userId');
  await assert.rejects(users.getPage({ limit: 5, pageSize: 5 }), (e) => e instanceof pkg.RequestValidationError && e.field === 'params');
  assert.throws(() => users.iterAll({ offset: 3 }), (e) => e instanceof pkg.RequestValidationError && e.field === 'offset');
  assert.equal(calls.length, 0);
  return client.close();
});

test('a getter that throws where the service only peeks is not an exception of the call', async () => {
  const { client, calls } = recording();
  const params = { limit: 5, get offset() { throw new Error('peeked'); } };
  // `offset` is refused on listAll only when set; a throwing getter counts as not set there,
  // then `params` is read once and its keys are checked.
  await client.users(ACTOR).listAll(params).then(() => {}, () => {});
  const file = { get data() { throw new Error('peeked'); } };
  const upload = client.characters(ACTOR).uploadAsset('c1', file);
  assert.equal(upload, calls.at(-1).result, 'the upload is handed to the raw call, which reads it');
  return client.close();
});
