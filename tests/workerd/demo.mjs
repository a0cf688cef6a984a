// The www/ demo served by workerd (tests/workerd/demo-worker.js: the page, the package and
// vclient/proxy in one Worker) in front of the loopback test double, driven by the same
// headless-Chromium end-to-end test as the Node demo (tests/www/e2e.mjs --url ...).
//   node tests/workerd/demo.mjs        (needs target/npm: bash scripts/package.sh)
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { startServer } from '../server/server.mjs';
import { DEFAULT_API_KEY } from '../server/valentina.mjs';
import { seed } from '../../www/serve.mjs';
import { workerdConfig } from '../support/workerd-config.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = `${root}target/workerd-demo`;
const port = await new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});

const api = await startServer({ port: 0, cors: false, maxSeconds: 300, apiKey: DEFAULT_API_KEY, burst: 1000, refillPerSecond: 100 });
const seeded = await seed(api.url, DEFAULT_API_KEY);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
cpSync(`${root}tests/workerd/demo-worker.js`, `${dir}/worker.js`);
for (const f of ["proxy.js", "proxy-node.js", "proxy-problem.js", "routes.js"]) cpSync(`${root}target/npm/dist/${f}`, `${dir}/${f}`);
writeFileSync(`${dir}/config.capnp`, workerdConfig({
  port,
  services: [
    `(name = "www", disk = (path = "${root}www", writable = false))`,
    `(name = "dist", disk = (path = "${root}target/npm/dist", writable = false))`,
  ],
  // The bare specifier "vclient/proxy", as wrangler resolves it from the package.
  modules: [
    ['worker.js', 'esModule', 'worker.js'],
    ['vclient/proxy', 'esModule', 'proxy.js'],
    ['vclient/proxy-node.js', 'esModule', 'proxy-node.js'],
    ['vclient/proxy-problem.js', 'esModule', 'proxy-problem.js'],
    ['vclient/routes.js', 'esModule', 'routes.js'],
  ],
  bindings: [
    ['VALENTINA_CLIENT_BASE_URL', api.url],
    ['VALENTINA_CLIENT_API_KEY', DEFAULT_API_KEY],
    ['DEMO_COMPANY_ID', seeded.companyId],
    ['DEMO_USER_ID', seeded.onBehalfOf],
    ['DEMO_SESSION', randomUUID()],
    ['WWW', { service: 'www' }],
    ['DIST', { service: 'dist' }],
  ],
}));
const workerd = spawn(`${root}tools/node_modules/.bin/workerd`, ['serve', `${dir}/config.capnp`], { stdio: ['ignore', 'inherit', 'inherit'] });
const url = `http://127.0.0.1:${port}/`;
let code = 1;
try {
  for (let i = 0; i < 100; i++) {
    if (await fetch(url).then(() => true, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const e2e = spawn(process.execPath, [`${root}tests/www/e2e.mjs`, '--url', url, '--api', api.url, '--key', DEFAULT_API_KEY], { stdio: 'inherit' });
  code = await new Promise((r) => e2e.once('exit', r));
} finally {
  workerd.kill();
  await api.close();
}
console.log(`www demo in workerd: ${code === 0 ? 'ok' : 'FAILED'}`);
process.exit(code ?? 1);
