// Service methods return the raw call's APIPromise, so they carry `.withResponse()`, and their
// trailing options take the per-call retry knobs (CALL_OPTION_KNOBS) like client.request().
// Run: node --test tests/services/   (needs target/npm from scripts/package.sh)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiClient, pkg } from './harness.mjs';

const { client, url } = await apiClient();
const fault = (steps) => fetch(`${url}/__faults`, { method: 'POST', body: JSON.stringify({ next: steps }) });

test('a service method resolves with its data and, on demand, the response', async () => {
  const health = await client.system.health();
  assert.equal(typeof health, 'object');
  const { data, response } = await client.system.health().withResponse();
  assert.deepEqual(Object.keys(data).sort(), Object.keys(health).sort());
  assert.equal(response.status, 200);
  assert.equal(response.attempts, 1);
  assert.ok(response.headers instanceof Headers);
  assert.equal(typeof response.requestId, 'string');
});

test("a service method's options take per-call retry knobs", async () => {
  await fault([{ status: 503, body: { status: 503, title: 'Service Unavailable' } }]);
  const { response } = await client.system.health({ maxRetries: 1, retryDelay: 0.01 }).withResponse();
  assert.equal(response.attempts, 2, 'retried once although the client says maxRetries: 0');
  await fault([{ status: 503, body: { status: 503, title: 'Service Unavailable' } }]);
  const e = await client.system.health().catch((x) => x);
  assert.ok(e instanceof pkg.ServerError, 'the next call keeps the client\'s maxRetries: 0');
  assert.equal(e.attempts, 1);
});

test('a bad per-call knob on a service method is refused, naming it', async () => {
  const e = await client.system.health({ maxRetries: -1 }).catch((x) => x);
  assert.ok(e instanceof pkg.RequestValidationError, String(e));
  assert.equal(e.field, 'maxRetries');
});

test('CALL_OPTION_KNOBS is the list the services take', () => {
  assert.ok(pkg.CALL_OPTION_KNOBS.includes('maxRetries'));
  assert.ok(pkg.CALL_OPTION_KNOBS.includes('totalTimeout'));
});
