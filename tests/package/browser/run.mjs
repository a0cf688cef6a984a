// Loads the packed package in headless Chromium (Debian's, through playwright-core; no
// browser download): a plain import-map page and a Vite production build.
// Usage (from the scratch project made by tests/package/run.sh):
//   node browser/run.mjs <test-server-url> <path-to-playwright-core>
import http from 'node:http';
import { readFile, readdir } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';

const [server, playwrightPath] = process.argv.slice(2);
const { chromium } = await import(playwrightPath);
const root = resolve('.');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

const files = http.createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const file = join(root, path.endsWith('/') ? path + 'index.html' : path);
  if (!file.startsWith(root)) { res.writeHead(403); return res.end(); }
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  } catch { res.writeHead(404); res.end(); }
}).listen(0, '127.0.0.1');
await new Promise((r) => files.once('listening', r));
const base = `http://127.0.0.1:${files.address().port}`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
});
const checks = [];
try {
  for (const [name, path] of [['plain page', '/page.html'], ['Vite build', '/vite-dist/index.html'], ['webpack build', '/webpack-dist/index.html']]) {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // A missing asset is no page error, just a page that never runs: count failed loads
    // too (not the favicon, nor the test server's scripted 503).
    page.on('requestfailed', (r) => errors.push(`${r.url()}: ${r.failure()?.errorText}`));
    page.on('response', (r) => {
      const url = r.url();
      if (r.status() >= 400 && !url.endsWith('/favicon.ico') && !url.includes('/s/browser-')) {
        errors.push(`${url}: HTTP ${r.status()}`);
      }
    });
    await page.goto(`${base}${path}?server=${encodeURIComponent(server)}`);
    // Poll from here: waitForFunction's default requestAnimationFrame polling can stall in a
    // headless page that never paints.
    let text = 'pending';
    for (let i = 0; i < 200 && text === 'pending'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      text = await page.textContent('#result');
    }
    const got = text === 'pending' ? { error: 'timed out after 20 s' } : JSON.parse(text);
    checks.push([`${name}: one result after a retried POST`, got.result?.endsWith('-1') && got.attempts === 2, got]);
    checks.push([`${name}: same Idempotency-Key on both attempts`, got.sameKey === true, got]);
    checks.push([`${name}: error classes exported`, got.errorClass === true, got]);
    checks.push([`${name}: an error's name is its class's${name === 'plain page' ? ', as is the class name' : ''}`,
      got.errorName === 'ServerError' && (name !== 'plain page' || got.className === 'ServerError'), got]);
    checks.push([`${name}: no page errors or failed loads`, errors.length === 0, errors]);
    await page.close();
  }
  const assets = await readdir(join(root, 'vite-dist', 'assets'));
  checks.push(['Vite build: exactly one .wasm emitted', assets.filter((f) => f.endsWith('.wasm')).length === 1, assets]);
  const packed = await readdir(join(root, 'webpack-dist'));
  checks.push(['webpack build: exactly one .wasm emitted', packed.filter((f) => f.endsWith('.wasm')).length === 1, packed]);
} finally {
  await browser.close();
  files.close();
}
let failed = 0;
for (const [what, ok, detail] of checks) {
  console.log(`${ok ? 'ok' : 'not ok'} - ${what}`);
  if (!ok) { failed++; console.log(`  ${JSON.stringify(detail)}`); }
}
console.log(`package in Chromium: ${checks.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
