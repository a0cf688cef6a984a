// End-to-end test of the www/ demo in headless Chromium (Debian's, through playwright-core;
// no browser download). Starts the demo in-process (www/serve.mjs: the test double, the
// vclient/proxy at /vnoir and the page, on free loopback ports), then drives the page like a
// person: connect, page through the companies, browse users and characters, create a
// campaign while the double fails the first attempt with a 503, edit it through a 429 with
// Retry-After (both through the proxy), and checks the timeline, the double's own counters
// and the lists. Then the proxy's promises: the API key is in no response, script, log
// event, cookie, storage or DOM text the page can see; a forged On-Behalf-Of is replaced by
// the session's user; an /admin call is refused with a typed 403. Saves target/www-e2e.png.
//
//   node tests/www/e2e.mjs                 (needs target/npm/dist: bash scripts/package.sh)
//   node tests/www/e2e.mjs --url URL --api URL --key KEY
//                                          the same against a demo served elsewhere (workerd)
//
// Prints one line per check and `www e2e: N passed, N failed`; exits 1 on any failure.
// Bounded: a global timer ends it after 90 s.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startDemo } from '../../www/serve.mjs';

// A demo served elsewhere (tests/workerd/proxy-run.sh): its page URL, its double and key.
const { values: argv } = parseArgs({ options: { url: { type: 'string' }, api: { type: 'string' }, key: { type: 'string' } } });

const root = new URL('../../', import.meta.url);
const SCREENSHOT = fileURLToPath(new URL(argv.url ? 'target/www-e2e-remote.png' : 'target/www-e2e.png', root));
const { chromium } = await import(new URL('tools/node_modules/playwright-core/index.mjs', root));
const t0 = performance.now();

const checks = [];
function check(what, ok, detail) {
  checks.push([what, !!ok]);
  console.log(`${ok ? 'ok' : 'not ok'} - ${what}`);
  if (!ok && detail !== undefined) console.log(`  ${JSON.stringify(detail)}`);
  return !!ok;
}

let demo;
let browser;
const killer = setTimeout(() => {
  console.log('not ok - finished within 90 s');
  console.log(`www e2e: ${checks.filter(([, ok]) => ok).length} passed, ${checks.filter(([, ok]) => !ok).length + 1} failed`);
  // Playwright kills the browser it launched when this process exits.
  process.exit(1);
}, 90_000);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe()` from Node (never rAF polling in the page) until it returns a truthy value. */
async function until(what, probe, timeoutMs = 15_000) {
  const end = performance.now() + timeoutMs;
  let last;
  while (performance.now() < end) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = String(e);
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

async function run() {
  // The package may be being rebuilt (scripts/package.sh empties target/npm first): wait.
  await until('target/npm/dist/web.js (bash scripts/package.sh)', () => existsSync(fileURLToPath(new URL('target/npm/dist/web.js', root))), 30_000);
  if (argv.url) {
    const config = await (await fetch(new URL('/config.json', argv.url))).json();
    demo = { url: argv.url, api: { url: argv.api }, apiKey: argv.key, config, close: async () => {} };
  } else {
    demo = await startDemo({ port: 0, apiPort: 0 });
  }
  const api = demo.api.url;
  const { apiKey } = demo;
  const { companyId } = demo.config;
  const proxied = new URL('/vnoir/api/v1/', demo.url).href;
  const apiGet = async (path) => (await fetch(`${api}${path}`, { headers: { 'x-api-key': apiKey } })).json();

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  const errors = [];
  // Deliberate faults: the statuses queued below, and the refused /admin call (403), on the
  // proxied /api/v1 only.
  const deliberate = new Set([403, 429, 503]);
  // Everything the page receives, to look for the key in it afterwards.
  const seenByPage = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  // Chromium also reports each deliberate fault on the console; the response check below
  // decides about those.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of/.test(m.text())) {
      errors.push(`console: ${m.text()}`);
    }
  });
  page.on('requestfailed', (r) => errors.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    const fault = r.url().startsWith(proxied) && deliberate.has(r.status());
    if (r.status() >= 400 && !fault) errors.push(`${r.url()}: HTTP ${r.status()}`);
    if (!r.url().startsWith(proxied) && !r.url().startsWith(demo.url)) errors.push(`the page went elsewhere: ${r.url()}`);
    // Playwright never settles body() for some responses (a cancelled attempt): bounded.
    const body = Promise.race([r.body().then((b) => b.toString('latin1'), () => ''), sleep(3000).then(() => '')]);
    seenByPage.push((async () => `${r.url()}\n${JSON.stringify(await r.allHeaders())}\n${await body}`)());
  });
  const consoleText = [];
  page.on('console', (m) => consoleText.push(m.text()));

  const text = (sel) => page.textContent(sel);
  const data = (sel) => page.evaluate((s) => ({ ...document.querySelector(s)?.dataset }), sel);
  /** The timeline rows of the newest call with this idempotency key. */
  const rowsFor = (key) => page.evaluate((k) => {
    const call = [...document.querySelectorAll('.tl-call')].find((c) => c.dataset.key === k);
    return call ? {
      state: call.dataset.state,
      rows: [...call.querySelectorAll('.tl-row')].map((r) => ({ ...r.dataset })),
      text: call.textContent,
    } : null;
  }, key);
  /** Waits until a pane has loaded (data-state ok) at this offset. */
  const paneAt = (id, offset) => until(`${id} at offset ${offset}`, async () => {
    const d = await data(`#${id}`);
    return d.state === 'ok' && d.offset === String(offset) ? d : null;
  });

  // ---- connect -------------------------------------------------------------------------
  await page.goto(demo.url);
  const loaded = async () => (await data('body')).ready === 'true' || (await page.isVisible('#banner') ? 'banner' : false);
  if (await until('the page to load the package and /config.json', loaded) === 'banner') {
    // The package vanished mid-load (a rebuild): once more, without counting that load.
    errors.length = 0;
    await until('target/npm/dist/web.js', () => existsSync(fileURLToPath(new URL('target/npm/dist/web.js', root))), 30_000);
    await page.reload();
    await until('the page to load the package (second try)', async () => (await data('body')).ready === 'true');
  }
  check('the Connect form is prefilled from /config.json: the proxy, no key',
    await page.inputValue('#base-url') === '/vnoir' && await page.inputValue('#company-id') === companyId
      && !(await page.$('#api-key')));
  await page.click('#connect-btn');
  await until('connected', async () => (await data('#conn-state')).state === 'on');
  check('connects: health check answered', /API 0\.27\.0/.test(await text('#connect-status')), await text('#connect-status'));

  // ---- browse: page through the companies --------------------------------------------
  await page.selectOption('#page-size', '2');
  let pane = await paneAt('companies-pane', 0);
  check('companies: first page, 2 of the 5 seeded', pane.count === '2' && pane.total === '5', pane);
  check('companies: shows "1–2 of 5"', (await text('#companies-pane .pager-info')) === '1–2 of 5');
  await page.click('#companies-pane .pager-next');
  pane = await paneAt('companies-pane', 2);
  check('companies: Next goes to offset 2', pane.count === '2' && (await text('#companies-pane .pager-info')) === '3–4 of 5', pane);
  await page.click('#companies-pane .pager-next');
  pane = await paneAt('companies-pane', 4);
  const lastNextDisabled = await page.isDisabled('#companies-pane .pager-next');
  check('companies: Next goes to offset 4, the last page (Next disabled)', pane.count === '1' && lastNextDisabled, pane);
  await page.click('#companies-pane .pager-prev');
  pane = await paneAt('companies-pane', 2);
  check('companies: Prev goes back to offset 2', (await text('#companies-pane .pager-info')) === '3–4 of 5', pane);
  await page.click('#companies-pane .pager-prev');
  await paneAt('companies-pane', 0);
  await page.click(`#companies-pane .item[data-id="${companyId}"]`);
  const users = await paneAt('users-pane', 0);
  check('users: listed for the company', users.total === '3' && users.count === '2', users);
  await page.click('#users-pane .item >> nth=0');
  const chars = await paneAt('characters-pane', 0);
  check('characters: listed for the user', Number(chars.total) >= 1, chars);
  const userId = await page.getAttribute('#users-pane .item >> nth=0', 'data-id');
  const log = await (await fetch(`${api}/__apilog`)).json();
  const charReq = log.findLast((e) => e.operationId === 'listCharacters');
  check('characters: filtered by user_player_id', charReq && new URLSearchParams(charReq.query).get('user_player_id') === userId, charReq?.query);

  // ---- create a campaign while the double fails the first attempt ----------------------
  // Nothing else may be in flight when the fault is queued: it would take the fault.
  await paneAt('campaigns-pane', 0);
  await page.click('[data-fault="503"]');
  await until('the 503 to be queued', async () => (await data('#faults')).queued === '1');
  check('fault panel: 503 queued on the double', (await (await fetch(`${api}/__faults`)).json()).length === 1);
  const name = `E2E Chronicle ${Math.random().toString(36).slice(2, 8)}`;
  await page.fill('#c-name', name);
  await page.fill('#c-description', 'Made by tests/www/e2e.mjs');
  await page.fill('#c-danger', '2');
  await page.fill('#c-desperation', '1');
  await page.click('#create-btn');
  const created = await until('the create to settle', async () => {
    const d = await data('#campaign-status');
    return d.state === 'ok' || d.state === 'error' ? d : null;
  });
  check('create: succeeded', created.state === 'ok', await text('#campaign-status'));
  const key = (await text('#idem-key')).trim();
  check('create: the form shows the idempotency key it used', /^[0-9a-f-]{36}$/.test(key), key);
  const call = await rowsFor(key);
  const rows = call?.rows ?? [];
  const retry = rows.find((r) => r.message.startsWith('Retry after'));
  const done = rows.find((r) => r.message === 'Request complete');
  check('timeline: attempt 1 failed with 503', retry?.attempt === '1' && retry?.status === '503', rows);
  check('timeline: the retry waited with reason backoff', retry?.reason === 'backoff' && Number(retry?.delay) > 0, retry);
  check('timeline: attempt 2 succeeded with 201', done?.attempt === '2' && done?.status === '201', done);
  check('timeline: both attempts carried the same idempotency key', retry?.key === key && done?.key === key, { retry: retry?.key, done: done?.key, key });
  check('timeline: the call is marked done', call?.state === 'ok', call?.state);
  const stats = await (await fetch(`${api}/__stats`)).json();
  check('double: the handler ran once for the key (/__stats)', stats.byIdempotencyKey[key] === 1, stats.byIdempotencyKey);
  const all = await apiGet(`/api/v1/companies/${companyId}/campaigns?limit=100`);
  const mine = all.items.filter((c) => c.name === name);
  check('double: exactly one campaign with that name exists', mine.length === 1, all.items.map((c) => c.name));
  const listed = await until('the campaign list to show it', async () => {
    const names = await page.$$eval('#campaigns-pane .item-label', (els) => els.map((e) => e.textContent));
    return names.includes(name) ? names : null;
  });
  check('page: the campaign list shows it once', listed.filter((n) => n === name).length === 1, listed);

  // ---- edit it through a 429 with Retry-After ------------------------------------------
  await page.click(`#campaigns-pane button.edit[data-id="${mine[0].id}"]`);
  await page.fill('#c-desperation', '3');
  await page.click('[data-fault="429-retry-after"]');
  await until('the 429 to be queued', async () => (await data('#faults')).queued === '1');
  await page.click('#save-btn');
  const saved = await until('the save to settle', async () => {
    const d = await data('#campaign-status');
    return d.state === 'ok' || d.state === 'error' ? d : null;
  });
  check('edit: saved', saved.state === 'ok', await text('#campaign-status'));
  const key2 = (await text('#idem-key')).trim();
  const rows2 = (await rowsFor(key2))?.rows ?? [];
  const limited = rows2.find((r) => r.status === '429');
  check('timeline: 429 retried with reason Retry-After', limited?.reason === 'Retry-After' && Number(limited.delay) >= 1000, rows2);
  check('timeline: the PATCH kept its key across the 429', key2 !== key && rows2.filter((r) => r.key === key2).length >= 2, rows2);
  const after = await apiGet(`/api/v1/companies/${companyId}/campaigns/${mine[0].id}`);
  check('double: the edit is stored', after.desperation === 3 && after.name === name, after);

  // ---- the proxy's promises ---------------------------------------------------------------
  // A forged On-Behalf-Of: the page says another user; the proxy sends the session's.
  const forged = await page.getAttribute('#users-pane .item >> nth=1', 'data-id');
  check('a second user to impersonate exists', forged && forged !== demo.config.user, forged);
  await page.fill('#obo', forged);
  const before = (await (await fetch(`${api}/__apilog`)).json()).length;
  await page.click(`#companies-pane .item[data-id="${companyId}"]`);
  await paneAt('users-pane', 0);
  await paneAt('campaigns-pane', 0);
  const direct = await page.evaluate(async ([cid, who]) => (await fetch(`/vnoir/api/v1/companies/${cid}/users?limit=1`, { headers: { 'On-Behalf-Of': who } })).status, [companyId, forged]);
  check('a page fetch with a forged On-Behalf-Of still answers (as the session\'s user)', direct === 200, direct);
  const scoped = (await (await fetch(`${api}/__apilog`)).json()).slice(before).filter((e) => /\/users|\/campaigns/.test(e.path));
  check('the API saw the session\'s user as On-Behalf-Of, never the forged one',
    scoped.length >= 3 && scoped.every((e) => e.headers['on-behalf-of'] === demo.config.user),
    scoped.map((e) => [e.path, e.headers['on-behalf-of']]));
  await page.fill('#obo', demo.config.user);
  // An /admin call from the page, by a key-less client with a relative base URL.
  const admin = await page.evaluate(async () => {
    const { VClient, AuthorizationError } = await import('/vclient/web.js');
    const events = [];
    const c = new VClient({ baseUrl: '/vnoir', maxRetries: 0, setAsDefault: false, logLevel: 'debug', logger: (...a) => events.push(JSON.stringify(a)) });
    const base = c.baseUrl;
    await c.request('GET', '/api/v1/companies', { query: { limit: 1 } });
    try {
      await c.request('GET', '/api/v1/admin/users');
      return { base, ok: true, events };
    } catch (e) {
      events.push(String(e), JSON.stringify(e), e.stack);
      return { base, name: e.name, typed: e instanceof AuthorizationError, status: e.status, code: e.code, events };
    }
  });
  check('the API key is in no log event or error of the page\'s client', admin.events.length >= 4 && admin.events.every((t) => !t.includes(apiKey)), admin.events.length);
  delete admin.events;
  check('a key-less client in the page resolves "/vnoir" against the page', admin.base === new URL('/vnoir', demo.url).href, admin);
  check('an /admin call is refused: a typed 403 from the proxy', admin.typed && admin.status === 403 && admin.code === 'proxy_operation', admin);
  const adminSeen = (await (await fetch(`${api}/__apilog`)).json()).filter((e) => e.path.startsWith('/api/v1/admin'));
  check('the /admin call never reached the API', adminSeen.length === 0, adminSeen.length);

  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  check(`screenshot saved (${SCREENSHOT})`, true);
  const visible = await page.evaluate(() => [
    document.documentElement.outerHTML, document.body.innerText, document.cookie,
    JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage }),
    [...document.querySelectorAll('.tl-row')].map((r) => JSON.stringify({ ...r.dataset }) + r.title).join('\n'),
  ].join('\n'));
  check('the API key is in no DOM text, attribute, cookie or storage of the page', !visible.includes(apiKey));
  const received = await Promise.all(seenByPage);
  check(`the API key is in none of the ${received.length} responses (scripts, .wasm, JSON, problems) the page got`,
    received.length > 20 && received.every((t) => !t.includes(apiKey)));
  check('the API key is in no console message', consoleText.every((t) => !t.includes(apiKey)));
  check('no page errors or failed loads', errors.length === 0, errors);
}

try {
  await run();
} catch (e) {
  check(`ran to the end (${e.message})`, false);
} finally {
  await browser?.close().catch(() => {});
  await demo?.close().catch(() => {});
  clearTimeout(killer);
}
const failed = checks.filter(([, ok]) => !ok).length;
console.log(`www e2e: ${checks.length - failed} passed, ${failed} failed (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
process.exit(failed ? 1 : 0);
