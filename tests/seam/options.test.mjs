// `new VClient(options)` across the seam: src/js/options.js reads the options in JS and hands
// the engine plain values in one crossing (numbers in wasm memory, strings packed, the JS
// objects as getters). These check what that hand-over could get wrong, on the built package
// (`bash scripts/package.sh` first): crossings, strings that are not ASCII, NaN, a getter
// that grows wasm memory, each option read once, and the runtime checks' order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { countCrossings } from '../../bench/lib/count.mjs';

const counter = countCrossings();
const { VClient, ConfigurationError } = await import('../../target/npm/dist/node.js');

const BASE = 'http://127.0.0.1:9';

/** A fetch that answers each call with the next status (the last repeats) and records the calls. */
function scripted(...statuses) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, init });
    const status = statuses[Math.min(calls.length - 1, statuses.length - 1)];
    return status < 300
      ? new Response('{}', { status, headers: { 'content-type': 'application/json' } })
      : new Response(null, { status });
  };
  return { fetch, calls };
}

/** The error `new VClient(options)` throws (fails the test if it does not). */
function refused(options) {
  try {
    new VClient(options).close();
  } catch (e) {
    return e;
  }
  return assert.fail(`expected a ConfigurationError for ${JSON.stringify(options)}`);
}

test('new VClient(options) costs a few crossings, however many options', async () => {
  const { fetch } = scripted(200);
  const rich = {
    baseUrl: BASE, apiKey: 'k', timeout: 5, totalTimeout: 60, maxRetries: 2, retryDelay: 0.1,
    maxRetryDelay: 5, jitter: 'full', autoRetryRateLimit: true, autoIdempotencyKeys: true,
    retryStatuses: [502, 503], defaultCompanyId: 'co-1', headers: { 'x-a': '1', 'x-b': 2 },
    fetch, logger: () => {}, logLevel: 'warn', userAgent: 'ua/1', setAsDefault: false,
    retryBudget: 10, pacing: true, maxResponseBytes: 1 << 20,
  };
  const made = [new VClient(rich)]; // warm-up
  const all = await counter.during(() => made.push(new VClient(rich)));
  const few = await counter.during(() => made.push(new VClient({ baseUrl: BASE, apiKey: 'k', setAsDefault: false })));
  for (const c of made) await c.close();
  // Before options.js: 348 with every option (the logger's "Initialize VClient" event among
  // them), 256 with these three: one crossing per property read, type check, environment lookup.
  assert.ok(all.total <= 30, `every option: ${all.total} crossings: ${JSON.stringify(all.byKey)}`);
  assert.ok(few.total <= 12, `three options: ${few.total} crossings: ${JSON.stringify(few.byKey)}`);
  const reads = Object.entries(all.byKey).filter(([k]) => /^import:__wbg_readOptions_/.test(k));
  assert.deepEqual(reads.map(([, n]) => n), [1], JSON.stringify(all.byKey));
});

test('strings arrive whole: non-ASCII, colons, lone surrogates, empty ones', async () => {
  const { fetch, calls } = scripted(200);
  const c = new VClient({
    baseUrl: `${BASE}/prefix`, apiKey: 'k:1', fetch, setAsDefault: false, jitter: 'none',
    defaultCompanyId: 'co-😀-é:2', userAgent: '7:ua/1',
    headers: { 'x-a': '1:2:3', 'x-empty': '', 'x-b': 'after' },
  });
  assert.equal(c.baseUrl, `${BASE}/prefix`);
  assert.equal(c.defaultCompanyId, 'co-😀-é:2');
  await c.request('GET', '/api/v1/x');
  assert.deepEqual(Object.fromEntries(calls[0].init.headers), {
    accept: 'application/json', 'user-agent': '7:ua/1', 'x-a': '1:2:3', 'x-empty': '', 'x-b': 'after',
    'x-api-key': 'k:1',
  });
  c.close();
  // A lone surrogate becomes U+FFFD (one UTF-16 unit, as it was): what follows stays in place.
  const d = new VClient({ baseUrl: BASE, apiKey: 'k', fetch, setAsDefault: false, defaultCompanyId: '\ud800x', headers: { 'x-c': 'c' } });
  assert.equal(d.defaultCompanyId, '\ufffdx');
  await d.request('GET', '/api/v1/x');
  assert.equal(calls[1].init.headers.get('x-c'), 'c');
  d.close();
  // Through the `env` option too.
  const e = new VClient({ env: { VALENTINA_CLIENT_BASE_URL: BASE, VALENTINA_CLIENT_API_KEY: 'é', VALENTINA_CLIENT_DEFAULT_COMPANY_ID: '😀' }, fetch, setAsDefault: false });
  assert.equal(e.defaultCompanyId, '😀');
  e.close();
});

test('NaN is a value the policy refuses, not an option left out', () => {
  for (const option of ['timeout', 'totalTimeout', 'maxRetries', 'retryDelay', 'maxRetryDelay', 'retryBudget', 'maxResponseBytes']) {
    const e = refused({ baseUrl: BASE, apiKey: 'k', setAsDefault: false, [option]: NaN });
    assert.ok(e instanceof ConfigurationError, `${option}: ${e}`);
    assert.equal(e.option, option);
    assert.match(e.message, /NaN/, option);
  }
});

test('a getter that grows wasm memory mid-read does not scramble the options it is read for', async () => {
  const { fetch, calls } = scripted(503);
  const other = new VClient({ baseUrl: BASE, apiKey: 'k', fetch: scripted(200).fetch, setAsDefault: false });
  const options = {
    baseUrl: BASE, apiKey: 'k', fetch, setAsDefault: false, retryDelay: 0.001, jitter: 'none',
    retryBudget: false, defaultCompanyId: 'co-9', headers: { 'x-a': 'a' },
    get maxRetries() {
      // A nested call copies a 4 MB path into wasm memory, which grows it: the view of memory
      // the outer read writes its numbers into is detached by then.
      other.request('GET', '/' + 'a'.repeat(4 << 20)).catch(() => {});
      return 2;
    },
  };
  const c = new VClient(options);
  assert.equal(c.defaultCompanyId, 'co-9');
  await assert.rejects(c.request('GET', '/api/v1/x'), (e) => e.status === 503);
  assert.equal(calls.length, 3, 'maxRetries: 2 made it through');
  assert.equal(calls[0].init.headers.get('x-a'), 'a');
  c.close();
  other.close();
});

test('each option is read once, and none before the unknown-key check', () => {
  const reads = {};
  const options = { setAsDefault: false };
  for (const [k, v] of Object.entries({ baseUrl: BASE, apiKey: 'k', maxRetries: 1, headers: { 'x-a': '1' }, logLevel: 'info' })) {
    Object.defineProperty(options, k, { enumerable: true, get() { reads[k] = (reads[k] ?? 0) + 1; return v; } });
  }
  new VClient(options).close();
  assert.deepEqual(reads, { baseUrl: 1, apiKey: 1, maxRetries: 1, headers: 1, logLevel: 1 });
  const e = refused(Object.defineProperties({ maxRetry: 1 }, Object.getOwnPropertyDescriptors(options)));
  assert.equal(e.option, 'maxRetry');
  assert.deepEqual(reads, { baseUrl: 1, apiKey: 1, maxRetries: 1, headers: 1, logLevel: 1 }, 'nothing read for a refused key');
});

test('the environment is read only for what was not given', () => {
  const saved = process.env;
  const looked = [];
  process.env = new Proxy({ VALENTINA_CLIENT_DEFAULT_COMPANY_ID: 'env-co', VALENTINA_CLIENT_API_KEY: 'env-key' }, {
    get(t, k) {
      looked.push(k);
      return t[k];
    },
  });
  try {
    const c = new VClient({ baseUrl: BASE, apiKey: 'k', setAsDefault: false });
    assert.equal(c.defaultCompanyId, 'env-co');
    c.close();
    assert.deepEqual(looked, ['VALENTINA_CLIENT_DEFAULT_COMPANY_ID']);
    looked.length = 0;
    // `apiKey: false` (a proxy adds the key) never reads the key's variable.
    new VClient({ baseUrl: BASE, apiKey: false, defaultCompanyId: 'c', setAsDefault: false }).close();
    assert.deepEqual(looked, []);
  } finally {
    process.env = saved;
  }
});

test('a runtime without fetch or crypto is named, after the options themselves', () => {
  const fetchDesc = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  const cryptoDesc = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
  try {
    delete globalThis.fetch;
    assert.equal(refused({ baseUrl: BASE, apiKey: 'k', maxRetries: -1 }).option, 'maxRetries');
    const e = refused({ baseUrl: BASE, apiKey: 'k', setAsDefault: false });
    assert.equal(e.option, 'fetch');
    assert.equal(e.message, 'VClient option `fetch` is required: this runtime has no global fetch; pass one as the `fetch` option');
    // A `fetch` option needs no global one.
    new VClient({ baseUrl: BASE, apiKey: 'k', setAsDefault: false, fetch: scripted(200).fetch }).close();
    Object.defineProperty(globalThis, 'crypto', { value: {}, configurable: true, writable: true });
    const c = refused({ baseUrl: BASE, apiKey: 'k', setAsDefault: false, fetch: scripted(200).fetch });
    assert.equal(c.option, 'crypto');
    assert.equal(c.message, 'VClient option `crypto` is required: this runtime has no crypto.getRandomValues for idempotency keys');
  } finally {
    Object.defineProperty(globalThis, 'fetch', fetchDesc);
    Object.defineProperty(globalThis, 'crypto', cryptoDesc);
  }
});

test('in Deno the environment is read only where permission is granted, never prompting', () => {
  const deno = fileURLToPath(new URL('../../tools/node_modules/.bin/deno', import.meta.url));
  const script = fileURLToPath(new URL('./deno-env.mjs', import.meta.url));
  const env = { ...process.env, VALENTINA_CLIENT_BASE_URL: 'http://env.test', VALENTINA_CLIENT_DEFAULT_COMPANY_ID: 'co-env' };
  delete env.VALENTINA_CLIENT_API_KEY;
  const run = (...flags) => {
    const r = spawnSync(deno, ['run', '--no-prompt', '--allow-read', ...flags, script], { env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  // No permission: as if unset (not a PermissionDenied thrown from the constructor).
  assert.deepEqual(run(), { error: 'ConfigurationError baseUrl' });
  assert.deepEqual(run('--allow-env'), { baseUrl: 'http://env.test', company: 'co-env' });
  assert.deepEqual(run('--allow-env=VALENTINA_CLIENT_BASE_URL'), { baseUrl: 'http://env.test', company: null });
});
