// The hostile-request suite (conformance.mjs) against the proxy running in another runtime:
// starts the recording upstream, then the proxy in Deno (Deno.serve) or workerd (a Worker),
// and sends every case over real HTTP. Prints one line per case and a summary; exits 1 on
// any failure.
//   node tests/proxy/runtimes.mjs deno|workerd
import { spawn } from 'node:child_process';
import { mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { conformanceCases } from './conformance.mjs';
import { startUpstream } from './upstream.mjs';
import { workerdConfig } from '../support/workerd-config.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const runtime = process.argv[2];
if (runtime !== 'deno' && runtime !== 'workerd') {
  console.error('usage: node tests/proxy/runtimes.mjs deno|workerd');
  process.exit(2);
}

/** A free loopback port (workerd takes its port from the config). */
async function freePort() {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** workerd's config: the proxy as a Worker, the upstream URL as a binding. */
function writeConfig(dir, port, upstreamUrl) {
  mkdirSync(dir, { recursive: true });
  for (const [from, to] of [['pkg-template/dist/proxy.js', 'proxy.js'], ['pkg-template/dist/proxy-node.js', 'proxy-node.js'], ['pkg-template/dist/proxy-problem.js', 'proxy-problem.js'],
    ['pkg-template/dist/routes.js', 'routes.js'], ['tests/proxy/fixture.mjs', 'fixture.mjs'], ['tests/proxy/worker.mjs', 'worker.mjs']]) {
    copyFileSync(`${root}${from}`, `${dir}/${to}`);
  }
  const modules = ['worker.mjs', 'proxy.js', 'proxy-node.js', 'proxy-problem.js', 'routes.js', 'fixture.mjs']
    .map((m) => [m, 'esModule', m]);
  writeFileSync(`${dir}/config.capnp`, workerdConfig({ port, modules, bindings: [['UPSTREAM', upstreamUrl]] }));
  return `${dir}/config.capnp`;
}

const upstream = await startUpstream();
let child;
let origin;
try {
  if (runtime === 'deno') {
    child = spawn(`${root}tools/node_modules/.bin/deno`, ['run', '--no-prompt', '--allow-net=127.0.0.1', `${root}tests/proxy/deno-serve.mjs`, upstream.url], { stdio: ['ignore', 'pipe', 'inherit'] });
    origin = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c) => { out += c; const m = /listening (\d+)/.exec(out); if (m) resolve(`http://127.0.0.1:${m[1]}`); });
      child.once('exit', (code) => reject(new Error(`deno exited (${code}) before listening`)));
    });
  } else {
    const port = await freePort();
    const config = writeConfig(`${root}target/proxy-workerd`, port, upstream.url);
    child = spawn(`${root}tools/node_modules/.bin/workerd`, ['serve', config], { stdio: ['ignore', 'inherit', 'inherit'] });
    origin = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${origin}/`).then(() => true, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  let failed = 0;
  const cases = conformanceCases(origin, upstream);
  for (const c of cases) {
    upstream.reset();
    try {
      await c.run();
      console.log(`ok - ${c.name}`);
    } catch (e) {
      failed++;
      console.log(`not ok - ${c.name}\n  ${String(e.message).split('\n').join('\n  ')}`);
    }
  }
  console.log(`proxy in ${runtime}: ${cases.length - failed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
} finally {
  child?.kill();
  await upstream.close();
}
