// Shared by the service tests that check what reaches the server: the built package loaded in
// Node, the loopback test double, and one client on it (no retries, no rate limit).
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../server/server.mjs';
import { stableUuid } from '../server/synth.mjs';

const root = new URL('../../', import.meta.url);
export const pkg = await import(new URL('target/npm/dist/node.js', root));

export const COMPANY = stableUuid('company');
export const ACTOR = stableUuid('acting-user');

/** Starts the test double and a client on it, both stopped after the file's tests. */
export async function apiClient() {
  const srv = await startServer({ port: 0, maxSeconds: 120 });
  const client = new pkg.VClient({
    baseUrl: srv.url, apiKey: 'test-api-key-0123456789abcdefghij', defaultCompanyId: COMPANY,
    maxRetries: 0, setAsDefault: false, headers: { 'x-testing-ignore-rate-limit': 'true' },
  });
  after(async () => { await client.close(); await srv.close(); });
  const served = async () => (await (await fetch(`${srv.url}/__stats`)).json()).requests;
  const lastLog = async () => (await (await fetch(`${srv.url}/__apilog`)).json()).at(-1);
  /** `call()` must reject with a RequestValidationError on `field` whose message matches, and send nothing. */
  async function refused(call, field, message) {
    const before = await served();
    const e = await call().then(() => null, (x) => x);
    assert.ok(e instanceof pkg.RequestValidationError, `expected a RequestValidationError, got ${e}`);
    assert.equal(e.field, field);
    assert.match(e.message, message);
    assert.equal(await served(), before, 'nothing reaches the server');
  }
  return { client, served, lastLog, refused, url: srv.url };
}
