// The default-client registry (pkg-template/dist/registry.js) and what a service object
// keeps to itself. Run: node --test tests/services/   (needs target/npm from scripts/package.sh)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { pkg, COMPANY } from './harness.mjs';

const { VClient, ConfigurationError, RequestValidationError } = pkg;
const options = (more) => ({ baseUrl: 'http://127.0.0.1:9', apiKey: 'registry-key-0123456789abcdefghij', ...more });

test('the registry accepts only a client this package made', async () => {
  const real = new VClient(options());
  assert.equal(pkg.defaultClient(), real, 'the last client made is the default, the same object');
  const lookalikes = [
    { __clearIfDefault() {} },
    Object.create(VClient.prototype),
    { close() {}, baseUrl: 'http://x' },
    'a client',
  ];
  for (const fake of lookalikes) {
    assert.throws(() => pkg.clearDefaultClient(fake), (e) => e instanceof ConfigurationError && e.option === 'client'
      && /^VClient option `client` must be a VClient, got (object|string)$/.test(e.message), inspect(fake));
  }
  assert.equal(pkg.defaultClient(), real, 'a refused lookalike clears nothing');
  await real.close();
  assert.throws(() => pkg.defaultClient(), ConfigurationError);
});

test('setAsDefault: false leaves the default alone; configureDefaultClient always sets it', async () => {
  pkg.clearDefaultClient();
  const quiet = new VClient(options({ setAsDefault: false }));
  assert.throws(() => pkg.defaultClient(), ConfigurationError);
  const chosen = pkg.configureDefaultClient(options({ setAsDefault: false }));
  assert.equal(pkg.defaultClient(), chosen);
  pkg.clearDefaultClient(quiet); // a real client that is not the default: nothing happens
  assert.equal(pkg.defaultClient(), chosen);
  await quiet.close();
  await chosen.close();
});

test('disposing the default client forgets it, sync and async', async () => {
  // What `await using` / `using` call (Node 20 has the symbols but not the syntax).
  const a = new VClient(options());
  assert.equal(pkg.defaultClient(), a);
  await a[Symbol.asyncDispose]();
  assert.equal(a.isClosed, true);
  assert.throws(() => pkg.defaultClient(), ConfigurationError);
  const b = new VClient(options());
  assert.equal(pkg.defaultClient(), b);
  b[Symbol.dispose]();
  assert.throws(() => pkg.defaultClient(), ConfigurationError);
});

test('a service object shows no scope, and its methods need a service as `this`', () => {
  const actor = 'acting-user-7f3a9c';
  const client = new VClient(options({ setAsDefault: false, defaultCompanyId: COMPANY }));
  const svc = client.users(actor);
  const views = [String(svc), JSON.stringify(svc), inspect(svc, { showHidden: true, depth: 5 }),
    inspect(Object.getPrototypeOf(svc), { showHidden: true, depth: 5 }), Reflect.ownKeys(svc).map(String).join()];
  for (const v of views) {
    assert.ok(!v.includes(actor) && !v.includes(COMPANY), `On-Behalf-Of or the company leaked: ${v.slice(0, 200)}`);
  }
  const { get } = svc;
  assert.throws(() => get('x'), TypeError);
  assert.throws(() => client.users('a\r\nX-Evil: 1'), (e) => e instanceof RequestValidationError && e.field === 'onBehalfOf'
    && !e.message.includes('X-Evil'));
  return client.close();
});
