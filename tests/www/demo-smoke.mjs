// Checks that the www/ demo is up as a visitor's browser would find it: the page, its module
// scripts and the package it imports, and one API call made the way the page makes it (base URL
// and key, if any, from /config.json, with the page's Origin).
//
//   node tests/www/demo-smoke.mjs http://127.0.0.1:8080/        check a demo that is running
//   node tests/www/demo-smoke.mjs [--start-timeout 1800] [--stop-timeout 60] -- bash scripts/demo.sh --port 0 --max-seconds 20
//       runs the command in a process group of its own, waits for its `demo: <url>` line, checks,
//       then waits for it to stop by itself (its --max-seconds) and for exit code 0. It stops the
//       group it started if the demo does not come up, a check fails, or it outlives --stop-timeout.
// Exits 0 when everything passed, 1 otherwise.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

// What the page loads besides its own scripts: the package's browser entry (see www/app.js).
const PACKAGE_FILES = [['/vclient/web.js', /javascript/], ['/vclient/vclient_bg.wasm', /^application\/wasm/]];

async function get(url, headers = {}) {
  const r = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) })
    .catch((e) => { throw new Error(`GET ${url}: ${e.cause?.message ?? e.message}`); });
  return { status: r.status, type: r.headers.get('content-type') ?? '', headers: r.headers, body: await r.text() };
}
function expect(ok, what, got = '') {
  if (!ok) throw new Error(`${what}: got ${got}`);
  console.log(`ok - ${what}`);
}

/** The checks against a running demo at `url`. Throws on the first failure. */
export async function check(url) {
  const page = await get(url);
  expect(page.status === 200 && /^text\/html/.test(page.type) && /<html[\s>]/i.test(page.body),
    'the page is served as HTML', `HTTP ${page.status} ${page.type}`);
  const scripts = [...page.body.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)].map((m) => m[1]);
  expect(scripts.length > 0, 'the page has a module script', 'none');
  for (const [path, type] of [...scripts.map((s) => [s, /javascript/]), ...PACKAGE_FILES]) {
    const r = await get(new URL(path, url));
    expect(r.status === 200 && type.test(r.type), `${path} is served`, `HTTP ${r.status} ${r.type}`);
  }
  const cfg = await get(new URL('/config.json', url));
  expect(cfg.status === 200, '/config.json is served', `HTTP ${cfg.status}`);
  const { baseUrl, apiKey } = JSON.parse(cfg.body);
  const base = new URL(baseUrl, url);
  const origin = new URL(url).origin;
  const api = `${base.href.replace(/\/$/, '')}/api/v1/health`;
  const health = await get(api, { origin, ...(apiKey ? { 'x-api-key': apiKey } : {}) });
  const ok = health.status === 200 && /^application\/json/.test(health.type) && Boolean(JSON.parse(health.body).version);
  expect(ok, `GET ${api} answers the API's health`, `HTTP ${health.status} ${health.body.slice(0, 200)}`);
  if (base.origin !== origin) {
    const allowed = health.headers.get('access-control-allow-origin');
    expect(allowed === '*' || allowed === origin, "the API allows the page's origin (CORS)", `'${allowed}'`);
  }
}

/** Runs `cmd` (the demo command), checks it, and waits for it to stop by itself. */
async function startAndCheck(cmd, { startSeconds, stopSeconds }) {
  const child = spawn(cmd[0], cmd.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((r) => child.on('exit', (code, signal) => r(code ?? signal)));
  const stop = () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ } };
  process.once('SIGINT', () => { stop(); process.exit(130); });
  process.once('SIGTERM', () => { stop(); process.exit(143); });
  const within = (seconds, promise, what) => Promise.race([promise,
    new Promise((_, no) => setTimeout(() => no(new Error(what)), seconds * 1000).unref())]);
  try {
    const url = await within(startSeconds, new Promise((found, no) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        console.log(`demo | ${line}`);
        const m = /^demo: (http\S+)/.exec(line);
        if (m) found(m[1]);
      });
      exited.then((code) => no(new Error(`the demo exited with ${code} before it printed 'demo: <url>'`)));
    }), `the demo did not print 'demo: <url>' within ${startSeconds} s`);
    await check(url);
    const code = await within(stopSeconds, exited, `the demo did not stop by itself within ${stopSeconds} s`);
    expect(code === 0, 'the demo stopped by itself with exit code 0', code);
  } catch (e) {
    stop();
    await within(10, exited, 'the demo did not stop on SIGTERM').catch(() => process.kill(-child.pid, 'SIGKILL'));
    throw e;
  }
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'start-timeout': { type: 'string', default: '1800' }, 'stop-timeout': { type: 'string', default: '60' } },
  });
  try {
    if (process.argv.includes('--')) {
      await startAndCheck(positionals, { startSeconds: Number(values['start-timeout']), stopSeconds: Number(values['stop-timeout']) });
    } else if (positionals.length === 1) {
      await check(positionals[0]);
    } else {
      throw new Error('usage: demo-smoke.mjs <demo url> | [--start-timeout s] [--stop-timeout s] -- <demo command...>');
    }
    console.log('demo smoke: passed');
  } catch (e) {
    console.error(`demo smoke: FAILED: ${e.message}`);
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) main();
