// The demo check that .ci/run relies on passes on the real demo and fails, leaving nothing
// running, when the demo does not come up, never prints its URL, or serves no page.
// Needs target/npm (bash scripts/package.sh).   node --test tests/www/demo-smoke.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SMOKE = join(ROOT, 'tests/www/demo-smoke.mjs');

function smoke(...args) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [SMOKE, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('close', (code) => done({ code, out }));
  });
}
/** True while a process with this pid exists. */
function alive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

test('passes on the real demo, which then stops by itself', async () => {
  const r = await smoke('--stop-timeout', '30', '--', process.execPath, 'www/serve.mjs', '--port', '0', '--max-seconds', '3');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /ok - GET http:\/\/127\.0\.0\.1:\d+\/vnoir\/api\/v1\/health answers/);
  assert.match(r.out, /ok - the demo stopped by itself with exit code 0/);
});

test('fails when the demo exits before it is up', async () => {
  const r = await smoke('--', 'bash', '-c', 'echo building; exit 3');
  assert.equal(r.code, 1);
  assert.match(r.out, /FAILED: the demo exited with 3 before it printed 'demo: <url>'/);
});

test('fails when the demo never prints its URL, and stops everything it started', async () => {
  const pidFile = join(mkdtempSync(join(tmpdir(), 'demo-smoke-')), 'pid');
  const r = await smoke('--start-timeout', '2', '--', 'bash', '-c', `sleep 300 & echo $! > ${pidFile}; wait`);
  assert.equal(r.code, 1);
  assert.match(r.out, /FAILED: the demo did not print 'demo: <url>' within 2 s/);
  assert.ok(existsSync(pidFile));
  const pid = Number(readFileSync(pidFile, 'utf8'));
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((ok) => setTimeout(ok, 100));
  assert.equal(alive(pid), false, `the demo's child ${pid} was left running`);
});

test('fails when the demo serves no page', async () => {
  const server = "require('http').createServer((q, s) => { s.writeHead(404); s.end(); })"
    + ".listen(0, '127.0.0.1', function () { console.log('demo: http://127.0.0.1:' + this.address().port + '/'); })";
  const r = await smoke('--', process.execPath, '-e', server);
  assert.equal(r.code, 1);
  assert.match(r.out, /FAILED: the page is served as HTML: got HTTP 404/);
});
