// Runs every fenced code block of README.md as a test, so the README's code runs as written.
//
//   node tests/readme/run.mjs [--readme README.md] [--ci .ci/run] [--timeout 60] [--work target/readme]
//
// Needs the built package in target/npm (bash scripts/package.sh): `import ... from 'vclient'`
// resolves to it through target/readme/node_modules/vclient. Starts its own loopback test double
// (tests/server/) answering `POST /companies` as the real server does (`{ company, admin_user }`
// only), and gives each block VALENTINA_CLIENT_BASE_URL / VALENTINA_CLIENT_API_KEY for it.
//
// By language: js runs in Node as an ES module (a Worker module, `export default { fetch }`, is
// bundled as wrangler does and served by workerd with env bindings; a `serves` block must answer
// on $PORT; a `deno` block runs in Deno); ts compiles with strict tsc (in Deno: `deno run --check`);
// bash is syntax-checked, every repo path it names must exist, and the README's first block (the
// two top commands) must be exactly the scripts .ci/run runs; json must parse. Any other or no
// language fails unless marked skip. Markers: see blocks.mjs. After each block, no request it sent
// may have `undefined`, `null`, `NaN` or `[object …]` in its path or query.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseBlocks, topLevelNames } from './blocks.mjs';
import { startServer } from '../server/server.mjs';
import { DEFAULT_API_KEY } from '../server/valentina.mjs';
import { workerdConfig } from '../support/workerd-config.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { values: opts } = parseArgs({
  options: {
    readme: { type: 'string', default: join(ROOT, 'README.md') },
    ci: { type: 'string', default: join(ROOT, '.ci/run') },
    timeout: { type: 'string', default: '60' },
    work: { type: 'string', default: join(ROOT, 'target/readme') },
  },
});
const TIMEOUT_MS = Number(opts.timeout) * 1000;
const PKG = join(ROOT, 'target/npm');
const WORK = resolve(opts.work);
const TOOLS = join(ROOT, 'tools/node_modules/.bin');

const { blocks, problems } = parseBlocks(readFileSync(opts.readme, 'utf8'));
const where = (b) => `${opts.readme.startsWith(ROOT) ? opts.readme.slice(ROOT.length) : opts.readme}:${b.line}`;

// A scratch project where 'vclient' is the built package.
if (!existsSync(join(PKG, 'dist/node.js'))) {
  console.error('readme: target/npm is missing: build the package first (bash scripts/package.sh)');
  process.exit(1);
}
rmSync(WORK, { recursive: true, force: true });
mkdirSync(join(WORK, 'node_modules'), { recursive: true });
symlinkSync(PKG, join(WORK, 'node_modules/vclient'), 'dir');
writeFileSync(join(WORK, 'package.json'), '{ "name": "readme-blocks", "private": true, "type": "module", "dependencies": { "vclient": "*" } }\n');
// Deno resolves 'vclient' from that node_modules too (its `deno` condition).
writeFileSync(join(WORK, 'deno.json'), '{ "nodeModulesDir": "manual" }\n');

const server = await startServer({ port: 0, maxSeconds: 0, flatCompanyFields: false });
after(() => server.close());
const blockEnv = () => {
  // NODE_TEST_CONTEXT (set under `node --test`) would turn a block's node:test output into a
  // binary stream for a parent runner that is not there.
  const env = Object.fromEntries(Object.entries(process.env)
    .filter(([k]) => !k.startsWith('VALENTINA_CLIENT_') && k !== 'NODE_TEST_CONTEXT'));
  return { ...env, VALENTINA_CLIENT_BASE_URL: server.url, VALENTINA_CLIENT_API_KEY: DEFAULT_API_KEY };
};

/** Starts a command in WORK: { child, out() (stdout and stderr so far), closed (its exit code) }. */
function start(cmd, args, env = blockEnv()) {
  const child = spawn(cmd, args, { cwd: WORK, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const closed = new Promise((done) => child.on('close', (code, signal) => done(code ?? signal)));
  return { child, out: () => out, closed };
}

/** Runs a command to its end (killed at the timeout); resolves { code, out }. */
async function run(cmd, args, { env, timeoutMs = TIMEOUT_MS } = {}) {
  const p = start(cmd, args, env);
  let killed = '';
  const timer = setTimeout(() => { killed = `\n[killed after ${timeoutMs / 1000} s]`; p.child.kill('SIGKILL'); }, timeoutMs);
  const code = await p.closed;
  clearTimeout(timer);
  return { code, out: p.out() + killed };
}
const succeed = (r, what) => assert.equal(r.code, 0, `${what} exited with ${r.code}:\n${r.out}`);

/** Requests that used a missing value as an id or a query value. */
async function badRequests() {
  const log = await (await fetch(`${server.url}/__apilog`)).json();
  const BAD = /^(undefined|null|NaN|\[object .*\])$/;
  return log.filter((e) => e.path.split('/').some((s) => BAD.test(decodeURIComponent(s)))
    || [...new URLSearchParams(e.query).values()].some((v) => BAD.test(v)))
    .map((e) => `${e.method} ${e.path}${e.query ? `?${e.query}` : ''}`);
}

async function freePort() {
  const srv = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

// ---- the runners, one per kind of block --------------------------------------------------
const prelude = blocks.find((b) => 'prelude' in b.markers);
const file = (b, ext) => join(WORK, `block-${b.line}.${ext}`);

function writePrelude() {
  // Its top-level names become globals for the other blocks (a block's own declaration
  // shadows one), so a fragment can use `client` or `companyId` as the README says.
  const names = topLevelNames(prelude.code);
  writeFileSync(join(WORK, 'prelude.mjs'), `${prelude.code}\nObject.assign(globalThis, { ${names.join(', ')} });\n`);
}

async function runNode(b) {
  writeFileSync(file(b, 'mjs'), b.code);
  const usesPrelude = prelude && b !== prelude;
  if (usesPrelude) writePrelude();
  const main = join(WORK, `main-${b.line}.mjs`);
  writeFileSync(main, `${usesPrelude ? "await import('./prelude.mjs');\n" : ''}await import('./block-${b.line}.mjs');\n`);
  succeed(await run(process.execPath, [main]), 'the block');
}

/**
 * Polls GET `url` while `p` (the process serving it) runs, until `done(answer)`; resolves with
 * the last answer ({ status, ok, text } or { error }) and whether `p` exited.
 */
async function waitForAnswer(url, p, done) {
  let exited = null;
  p.closed.then((code) => { exited = code; });
  let last = { error: 'no answer' };
  for (const deadline = Date.now() + TIMEOUT_MS; Date.now() < deadline && exited === null;) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
      last = { status: r.status, ok: r.ok, text: (await r.text()).slice(0, 400) };
      if (done(last)) break;
    } catch (e) {
      last = { error: e.cause?.code ?? e.message };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { last, exited };
}

/** Stops a process started by start(): SIGTERM, then SIGKILL after 3 s. */
async function stop(p) {
  p.child.kill('SIGTERM');
  const kill = setTimeout(() => p.child.kill('SIGKILL'), 3000);
  await p.closed;
  clearTimeout(kill);
}

const summary = ({ last, exited }) => `${last.error ?? `HTTP ${last.status}: ${last.text}`}`
  + `${exited !== null ? `; the process exited with ${exited}` : ''}`;

// A Worker module, as Cloudflare runs it: bundled by esbuild with the `workerd` condition (as
// wrangler does; the .wasm stays a module of its own), served by workerd with the two settings
// as env bindings, then asked for GET <request marker> (default /api/v1/health): 2xx passes.
async function runWorker(b) {
  const dir = join(WORK, `worker-${b.line}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'worker.mjs'), b.code);
  succeed(await run(join(TOOLS, 'esbuild'), [join(dir, 'worker.mjs'), '--bundle', '--format=esm', '--platform=neutral',
    '--conditions=workerd,worker', '--external:*.wasm', `--outfile=${join(dir, 'bundle.js')}`, '--log-level=warning']), 'esbuild');
  copyFileSync(join(PKG, 'dist/vclient_bg.wasm'), join(dir, 'vclient_bg.wasm'));
  const port = await freePort();
  const { VALENTINA_CLIENT_BASE_URL: baseUrl, VALENTINA_CLIENT_API_KEY: apiKey } = blockEnv();
  writeFileSync(join(dir, 'config.capnp'), workerdConfig({
    port,
    modules: [['worker.js', 'esModule', 'bundle.js'], ['vclient_bg.wasm', 'wasm', 'vclient_bg.wasm']],
    bindings: [['VALENTINA_CLIENT_BASE_URL', baseUrl], ['VALENTINA_CLIENT_API_KEY', apiKey]],
  }));
  const p = start(join(TOOLS, 'workerd'), ['serve', join(dir, 'config.capnp')]);
  try {
    const url = `http://127.0.0.1:${port}${b.markers.request ?? '/api/v1/health'}`;
    const answer = await waitForAnswer(url, p, (a) => a.status !== undefined);
    assert.ok(answer.last.ok, `GET ${url} from the Worker: ${summary(answer)}\n${p.out()}`);
  } finally {
    await stop(p);
  }
}

// A server: started with PORT set; it passes once GET <path> answers 2xx, then it is stopped.
async function runServes(b, ext = 'mjs') {
  writeFileSync(file(b, ext), b.code);
  const port = await freePort();
  const [cmd, ...args] = 'deno' in b.markers ? denoRun(file(b, ext)) : [process.execPath, file(b, ext)];
  const p = start(cmd, args, { ...blockEnv(), PORT: String(port) });
  try {
    const url = `http://127.0.0.1:${port}${b.markers.serves}`;
    const answer = await waitForAnswer(url, p, (a) => a.ok);
    assert.ok(answer.last.ok, `GET ${url} never answered 2xx (last: ${summary(answer)}):\n${p.out()}`);
  } finally {
    await stop(p);
  }
}

async function runTs(b) {
  writeFileSync(file(b, 'ts'), b.code);
  succeed(await run(join(TOOLS, 'tsc'), ['--noEmit', '--strict', '--target', 'es2022', '--lib', 'es2022,dom,esnext.disposable',
    '--module', 'nodenext', '--moduleResolution', 'nodenext', '--typeRoots', join(ROOT, 'tools/node_modules/@types'),
    '--types', 'node', file(b, 'ts')], { timeoutMs: Math.max(TIMEOUT_MS, 120_000) }), 'tsc --strict');
}

/** The commands of a bash block: lines without comments, split at `&&`. */
const commands = (code) => code.split('\n').map((l) => l.replace(/(^|\s)#.*$/, '').trim()).filter(Boolean)
  .flatMap((l) => l.split('&&').map((c) => c.trim()));
const SCRIPT_RE = /^(?:bash\s+)?(?:\.\/)?(?:scripts|\.ci)\/\S+/;

function checkBash(b) {
  const syntax = spawnSync('bash', ['-n'], { input: b.code, encoding: 'utf8' });
  assert.equal(syntax.status, 0, `bash -n: ${syntax.stderr}`);
  for (const word of b.code.split('\n').map((l) => l.replace(/(^|\s)#.*$/, '')).join(' ').split(/\s+/)) {
    if (/^(?:\.\/)?[\w.-]+\/[\w./-]*\w$/.test(word) && !/^\.\.\//.test(word)) {
      assert.ok(existsSync(join(ROOT, word)), `'${word}' does not exist in the repository`);
    }
  }
  if (b !== blocks[0]) return;
  // The README's top commands are what CI runs on its fresh checkout: the same scripts, both ways.
  const readme = new Set(commands(b.code));
  const ci = commands(readFileSync(opts.ci, 'utf8'));
  for (const c of readme) {
    const re = new RegExp(`(^|\\s)${c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(\\s|$)`);
    assert.ok(ci.some((line) => re.test(line)), `.ci/run does not run the README's '${c}'`);
  }
  for (const line of ci) {
    const script = /(?:^|\s)(bash\s+scripts\/\S+)/.exec(line)?.[1];
    if (script || SCRIPT_RE.test(line)) {
      assert.ok(readme.has(script ?? line), `.ci/run runs '${script ?? line}', which is not among the README's top commands`);
    }
  }
}

// Deno: the permissions a client needs (no --allow-read: the deno entry imports the .wasm as a
// module); a ts block is type-checked too.
const denoRun = (path) => [join(TOOLS, 'deno'), 'run', '--allow-net', '--allow-env', ...(path.endsWith('.ts') ? ['--check'] : []), path];
async function runDeno(b, ext) {
  writeFileSync(file(b, ext), b.code);
  const [cmd, ...args] = denoRun(file(b, ext));
  succeed(await run(cmd, args), 'deno');
}

/** The check for a block, from its language and markers; null when there is none. */
function runnerFor(b, lang) {
  if (lang === 'bash') return () => checkBash(b);
  if (lang === 'json') return () => { JSON.parse(b.code); };
  if (lang !== 'js' && lang !== 'ts') return null;
  const ext = lang === 'ts' ? 'ts' : 'mjs';
  if ('serves' in b.markers) return () => runServes(b, ext);
  if ('deno' in b.markers) return () => runDeno(b, ext);
  if (lang === 'ts') return () => runTs(b);
  return /^export\s+default\b/m.test(b.code) ? () => runWorker(b) : () => runNode(b);
}
const ALIASES = { javascript: 'js', mjs: 'js', typescript: 'ts', mts: 'ts', sh: 'bash', shell: 'bash' };

// ---- the tests ---------------------------------------------------------------------------
test('README markers and fences are well-formed', () => {
  assert.deepEqual(problems.map((p) => `line ${p.line}: ${p.message}`), []);
  assert.ok(blocks.filter((b) => 'prelude' in b.markers).length <= 1, 'more than one block is marked prelude');
  if (prelude) assert.equal(ALIASES[prelude.lang] ?? prelude.lang, 'js', 'the prelude must be a js block');
});

for (const b of blocks) {
  const lang = ALIASES[b.lang] ?? b.lang;
  const name = `${where(b)} ${b.lang || '(no language)'} block in "${b.heading}"`;
  if ('skip' in b.markers) {
    test(name, { skip: b.markers.skip }, () => {});
    continue;
  }
  test(name, async () => {
    const runner = runnerFor(b, lang);
    assert.ok(runner, `no runner for ${b.lang ? `'${b.lang}'` : 'a block without a language'}: name a language `
      + '(js, ts, bash, json) or mark it <!-- readme: skip <why> -->');
    await fetch(`${server.url}/__reset`, { method: 'POST' });
    await runner(b);
    assert.deepEqual(await badRequests(), [], 'requests built from a missing value (a field the answer does not have?)');
  });
}
