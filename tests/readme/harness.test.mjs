// The README harness fails when it should: run.mjs on a fixture README where each section holds
// one kind of block, and each section's test must pass or fail as its heading says. Among them
// the quick start of issue 10 (bug 2), reading `company.id` from `{ company, admin_user }`.
// Needs target/npm (bash scripts/package.sh).   node --test tests/readme/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBlocks, topLevelNames } from './blocks.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const F = '```';
const CI = 'set -euo pipefail\nbash scripts/setup.sh\nnode tests/www/demo-smoke.mjs -- bash scripts/demo.sh --max-seconds 5\nbash scripts/test.sh\n';
const README = `# pass: the top commands

${F}bash
bash scripts/setup.sh && bash scripts/demo.sh   # main
bash scripts/setup.sh && bash scripts/test.sh   # tests
${F}

## pass: the prelude

<!-- readme: prelude -->
${F}js
import { VClient } from 'vclient';
const client = new VClient();
const { company, admin_user: { id: actorId } } = await client.request('POST', '/api/v1/companies', {
  json: { name: 'Fixture Co', email: 'f@example.com' },
});
const companyId = company.id;
${F}

## pass: a fragment using the prelude's names

${F}js
const stored = await client.request('GET', \`/api/v1/companies/\${companyId}\`);
if (stored.id !== companyId || !actorId) throw new Error('the prelude names are wrong');
${F}

## fail: the quick start of issue 10, reading company.id from { company, admin_user }

${F}js
import { VClient, NotFoundError } from 'vclient';
const client = new VClient();
const company = await client.request('POST', '/api/v1/companies', {
  json: { name: 'Camarilla of Chicago', email: 'prince@chicago.example' },
});
try {
  await client.request('GET', \`/api/v1/companies/\${company.id}/users/nobody\`);
} catch (e) {
  if (e instanceof NotFoundError) console.log(e.status);
}
${F}

## fail: throws

${F}js
throw new Error('boom');
${F}

## fail: rejects

${F}javascript
await client.request('GET', '/api/v1/companies/00000000-0000-0000-0000-000000000000');
${F}

## fail: an unhandled rejection after the block ends

${F}js
Promise.reject(new Error('later'));
${F}

## fail: sets a non-zero exit code

${F}js
process.exitCode = 3;
${F}

## fail: never ends

${F}js
setInterval(() => {}, 1000);
${F}

## fail: a failing node:test test

${F}js
import { test } from 'node:test';
test('wrong', () => { throw new Error('no'); });
${F}

## pass: a Worker reading its env bindings

${F}js
import { VClient } from 'vclient';
export default {
  async fetch(request, env) {
    return Response.json(await new VClient({ env }).request('GET', new URL(request.url).pathname));
  },
};
${F}

## fail: a Worker reading process.env, which a Worker does not have

${F}js
import { VClient } from 'vclient';
export default { fetch: async () => Response.json(await new VClient().request('GET', '/api/v1/health')) };
${F}

## fail: a Worker answering 404

<!-- readme: request /nowhere -->
${F}js
export default { fetch: (request) => new Response(new URL(request.url).pathname, { status: 404 }) };
${F}

## pass: a server on $PORT

<!-- readme: serves /ready -->
${F}js
import http from 'node:http';
http.createServer((req, res) => res.writeHead(req.url === '/ready' ? 200 : 404).end()).listen(Number(process.env.PORT), '127.0.0.1');
${F}

## fail: a server that never listens

<!-- readme: serves /ready -->
${F}js
setTimeout(() => {}, 60_000);
${F}

## pass: a Deno block, importing the package's deno entry

<!-- readme: deno -->
${F}js
import { VClient } from 'vclient';
const client = new VClient({ baseUrl: Deno.env.get('VALENTINA_CLIENT_BASE_URL'), apiKey: Deno.env.get('VALENTINA_CLIENT_API_KEY') });
console.log((await client.request('GET', '/api/v1/health')).version);
${F}

## fail: a Deno block that throws

<!-- readme: deno -->
${F}ts
const n: number = 1;
throw new Error(\`deno boom \${n}\`);
${F}

## pass: a Deno server on $PORT

<!-- readme: deno -->
<!-- readme: serves /ready -->
${F}js
Deno.serve({ port: Number(Deno.env.get('PORT')), hostname: '127.0.0.1' }, () => new Response('ready'));
${F}

## pass: typed code

${F}ts
import { VClient } from 'vclient';
const client: VClient = new VClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k' });
void client;
${F}

## fail: a type error

${F}ts
const n: number = 'one';
${F}

## fail: a bash block naming a missing script

${F}bash
bash scripts/no-such-script.sh
${F}

## fail: invalid JSON

${F}json
{ "a": 1, }
${F}

## fail: a block without a language

${F}
some text
${F}

## fail: an unknown language

${F}toml
a = 1
${F}

## skip: marked, with a reason

<!-- readme: skip sample output -->
${F}
NotFoundError: [404] Not Found
${F}
`;

function runHarness(readme, ci) {
  const dir = mkdtempSync(join(tmpdir(), 'readme-harness-'));
  writeFileSync(join(dir, 'README.md'), readme);
  writeFileSync(join(dir, 'ci'), ci);
  const args = ['--test-reporter=tap', join(ROOT, 'tests/readme/run.mjs'), '--readme', join(dir, 'README.md'),
    '--ci', join(dir, 'ci'), '--timeout', '5', '--work', join(dir, 'work')];
  return new Promise((done) => {
    const { NODE_TEST_CONTEXT, ...env } = process.env; // run.mjs reports as TAP, not to this runner
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('close', (code) => {
      // TAP: the top-level results, `ok N - name` / `not ok N - name # SKIP reason`.
      const results = new Map([...out.matchAll(/^(not ok|ok) \d+ - (.*?)(?: # SKIP.*)?$/gm)].map((m) => [m[2], m[1] === 'ok' ? 'pass' : 'fail']));
      const skipped = [...out.matchAll(/^ok \d+ - (.*) # SKIP/gm)].map((m) => m[1]);
      done({ code, out, results, skipped });
    });
  });
}

test('each fixture block passes or fails as its heading says', async () => {
  const r = await runHarness(README, CI);
  const blocks = [...r.results].filter(([name]) => / in "/.test(name));
  assert.equal(blocks.length, 25, r.out);
  for (const [name, got] of blocks) {
    const want = /in "(pass|fail|skip):/.exec(name)?.[1];
    assert.equal(want === 'skip' ? 'skip' : got, want === 'skip' && r.skipped.includes(name) ? 'skip' : want, `${name}\n${r.out}`);
  }
  assert.equal(r.results.get('README markers and fences are well-formed'), 'pass');
  // Each fails for its own reason.
  for (const re of [/requests built from a missing value[\s\S]*GET \/api\/v1\/companies\/undefined\/users\/nobody/,
    /Error: boom/, /NotFoundError: \[404\]/, /Error: later/, /the block exited with 3/, /\[killed after 5 s\]/,
    /Subtest: wrong\n\s*not ok/, /ConfigurationError/, /HTTP 404: \/nowhere/, /GET http:\S+\/ready never answered 2xx/,
    /error TS2322/, /'scripts\/no-such-script\.sh' does not exist/, /Expected double-quoted property name in JSON/,
    /no runner for a block without a language/, /no runner for 'toml'/, /Error: deno boom 1/]) {
    assert.match(r.out, re);
  }
  assert.notEqual(r.code, 0);
});

test('the top commands must be exactly what CI runs', async () => {
  const top = README.slice(0, README.indexOf('## pass'));
  const name = (results) => [...results.keys()].find((n) => n.includes('bash block'));
  const same = await runHarness(top, CI);
  assert.equal(same.code, 0, same.out);
  const missing = await runHarness(top, CI.replace(/node tests.*\n/, ''));
  assert.equal(missing.results.get(name(missing.results)), 'fail');
  assert.match(missing.out, /\.ci\/run does not run the README's 'bash scripts\/demo\.sh'/);
  const extra = await runHarness(top, `${CI}bash scripts/example.sh\n`);
  assert.match(extra.out, /\.ci\/run runs 'bash scripts\/example\.sh', which is not among the README's top commands/);
});

test('bad markers fail the suite: unknown, without a reason, or above no block', () => {
  const { problems } = parseBlocks('<!-- readme: skip -->\n```js\n```\n<!-- readme: nonsense -->\n```js\n```\n<!-- readme: prelude -->\n\ntext\n');
  assert.deepEqual(problems.map((p) => p.line), [1, 4, 7]);
  assert.match(problems[0].message, /needs a reason/);
  assert.match(problems[1].message, /unknown marker/);
  assert.match(problems[2].message, /not directly above a code block/);
});

test("the prelude's top-level names", () => {
  const code = 'const a = 1;\nlet { b, c: d, e = 2 } = x;\n  const inner = 3;\nfunction f() {}\nclass K {}\n'
    + 'const [g, ...h] = y;\nconst { i, j: { k: l } } = await z();\n';
  assert.deepEqual(topLevelNames(code), ['a', 'b', 'd', 'e', 'f', 'K', 'g', 'h', 'i', 'l']);
});
