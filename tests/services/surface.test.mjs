// The service methods keep the promises of the raw calls (issue 10): a throwing getter in a
// method's params, options or body fails the call naming it (never a silently dropped field), and a
// failed call's stack reaches the caller's own code.
// Run: node --test tests/services/   (needs target/npm from scripts/package.sh)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiClient, pkg } from './harness.mjs';

const { client, refused, url } = await apiClient();
const throwing = (obj, key) => Object.defineProperty(obj, key, {
  enumerable: true, get() { throw new RangeError(`${key} unavailable`); },
});

test("a throwing getter in a service method's params or options is reported, not dropped", async () => {
  const params = throwing({}, 'user_role');
  await refused(() => client.users('actor').listAll(params), 'user_role', /getter of `user_role` threw/);
  const e = await client.users('actor').listAll(params).catch((x) => x);
  assert.ok(e.cause instanceof RangeError);
  const options = throwing({}, 'timeout');
  await refused(() => client.users('actor').listAll({}, options), 'timeout', /getter of `timeout` threw/);
});

test('a throwing getter in a body is reported, not dropped', async () => {
  const body = throwing({ name: 'Camarilla' }, 'description');
  await refused(() => client.campaigns('actor').create(body), 'body', /getter of `body\.description` threw/);
  const e = await client.campaigns('actor').create(body).catch((x) => x);
  assert.ok(e.cause instanceof RangeError);
});

test("a failed service call's stack reaches the caller", async () => {
  const fault = { next: [{ status: 404, body: { status: 404, title: 'Not Found', detail: 'no such campaign' } }] };
  await fetch(`${url}/__faults`, { method: 'POST', body: JSON.stringify(fault) });
  async function callerFrame() { return client.campaigns('actor').get('00000000-0000-4000-8000-000000000000'); }
  const e = await callerFrame().catch((x) => x);
  assert.ok(e instanceof pkg.NotFoundError, String(e));
  assert.match(e.stack, /surface\.test\.mjs/, e.stack);
});
