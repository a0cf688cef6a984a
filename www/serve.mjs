// The www/ demo: a page, and the package's proxy (vclient/proxy) in front of the API, so the
// page never holds the API key. The API is the loopback test double (tests/server/, no CORS
// needed, fault injection through its /__faults queue) or, with --api, any Valentina Noir
// server, the key then coming from VALENTINA_CLIENT_API_KEY. Everything listens on
// 127.0.0.1. No npm dependencies.
//
//   node www/serve.mjs [--port 8080] [--api-port 0] [--api URL] [--max-seconds 0]
//
//   /              www/ (index.html, app.js, ...)
//   /vclient/...   target/npm/dist/ (the built package: web.js, core.js, the .wasm, snippets/)
//   /vnoir/...     the proxy: /vnoir/api/v1/... goes to the API with the key added; the acting
//                  user (On-Behalf-Of) comes from the demo's session cookie, never the page
//   /config.json   { baseUrl: "/vnoir", companyId, user, faults } for the Connect form; sets
//                  the session cookie
//   /__faults      the double's fault queue (GET, POST), when the demo runs the double
//
// At start it creates a few companies on the double (the first is the default company; its
// admin user is the session's user), then prints `demo: http://127.0.0.1:<port>/`. It stops
// on Ctrl-C / SIGTERM, or after --max-seconds (0 = never). Port 0 = any free port.
//
// Embedding: `const demo = await startDemo({ port: 0 }); demo.url; demo.api.url; await demo.close();`
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { startServer } from '../tests/server/server.mjs';
import { DEFAULT_API_KEY } from '../tests/server/valentina.mjs';
import { createProxy, toNodeListener } from '../pkg-template/dist/proxy.js';

const HOST = '127.0.0.1';
const WWW = fileURLToPath(new URL('.', import.meta.url));
const DIST = fileURLToPath(new URL('../target/npm/dist/', import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};
// The demo's companies: enough of them that the company list has more than one page.
const COMPANIES = [
  ['Camarilla of Chicago', 'prince@chicago.example', 'The Prince holds Elysium at the Art Institute.'],
  ['Anarch Free State', 'baron@anarchs.example', 'Los Angeles, where no Prince rules.'],
  ['Sabbat of Miami', 'archbishop@miami.example', null],
  ['Giovanni of Venice', 'necromancer@venice.example', 'A family business.'],
  ['Hunters of Boston', 'cell@boston.example', 'Imbued, and not amused.'],
];

/** A file under `root` for a URL path, or null when it would leave `root`. */
function resolveUnder(root, urlPath) {
  const file = normalize(join(root, urlPath));
  return file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : null;
}

async function sendFile(res, file) {
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file');
    const body = await readFile(file);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': String(body.length),
      // The package may be rebuilt while the demo runs: never serve a stale copy.
      'cache-control': 'no-store',
    });
    res.end(body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  }
}

/** Creates the demo companies on the double; returns the default company and its admin. */
export async function seed(apiUrl, apiKey) {
  let first = null;
  for (const [name, email, description] of COMPANIES) {
    const r = await fetch(`${apiUrl}/api/v1/companies`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json', 'x-testing-ignore-rate-limit': 'true' },
      body: JSON.stringify({ name, email, ...(description ? { description } : {}) }),
    });
    const made = await r.json();
    if (r.status !== 201) throw new Error(`seeding ${name}: HTTP ${r.status} ${JSON.stringify(made)}`);
    first ??= made;
  }
  return { companyId: first.id, onBehalfOf: first.admin_user.id };
}

/** The double's fault queue, reached from the page through the demo server. */
async function forwardFaults(apiUrl, req, res) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const r = await fetch(`${apiUrl}/__faults`, {
    method: req.method,
    headers: { 'content-type': 'application/json' },
    body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
  });
  res.writeHead(r.status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(Buffer.from(await r.arrayBuffer()));
}

/** The test double, seeded; or, with `apiUrl`, a real server and what the environment says. */
async function startApi({ apiUrl, apiPort, apiKey }) {
  if (apiUrl) {
    return {
      api: { url: apiUrl.replace(/\/+$/, ''), port: null, close: async () => {} },
      seeded: {
        companyId: process.env.VALENTINA_CLIENT_DEFAULT_COMPANY_ID || null,
        onBehalfOf: process.env.VALENTINA_DEMO_ON_BEHALF_OF || null,
      },
    };
  }
  // A generous bucket: the demo's 429s come from the fault panel, not from clicking around.
  // No CORS: the page reaches the API only through the proxy, on its own origin.
  const api = await startServer({
    port: apiPort, cors: false, maxSeconds: 0, apiKey, burst: 1000, refillPerSecond: 100,
  });
  try {
    return { api, seeded: await seed(api.url, apiKey) };
  } catch (e) {
    await api.close();
    throw e;
  }
}

/**
 * Starts the API (the double, or `apiUrl`), the proxy and the page server. options: { port =
 * 8080, apiPort = 0, apiUrl, maxSeconds = 0, apiKey }. Resolves to { url, port, api: { url,
 * port }, config, apiKey, close() }.
 */
export async function startDemo(options = {}) {
  const { port = 8080, apiPort = 0, apiUrl = null, maxSeconds = 0 } = options;
  const apiKey = options.apiKey ?? (apiUrl ? process.env.VALENTINA_CLIENT_API_KEY : DEFAULT_API_KEY);
  if (!apiKey) throw new Error('--api needs the API key in the VALENTINA_CLIENT_API_KEY environment variable');
  const { api, seeded } = await startApi({ apiUrl, apiPort, apiKey });
  let server;
  try {
    // The demo's "log-in": one session, whose user is the default company's admin. The proxy
    // takes the acting user from it, so a page cannot act as anyone else.
    const sid = randomUUID();
    const cookie = `vnoir_demo_sid=${sid}; Path=/; HttpOnly; SameSite=Strict`;
    const proxy = toNodeListener(createProxy({
      baseUrl: api.url,
      apiKey,
      basePath: '/vnoir',
      onBehalfOf: (request) => {
        const sent = /(?:^|;\s*)vnoir_demo_sid=([^;]+)/.exec(request.headers.get('cookie') ?? '')?.[1];
        return sent === sid ? seeded.onBehalfOf : null;
      },
    }));
    const config = {
      baseUrl: '/vnoir', companyId: seeded.companyId, user: seeded.onBehalfOf, faults: !apiUrl,
    };
    server = http.createServer((req, res) => {
      if (req.url.startsWith('/vnoir/')) {
        proxy(req, res);
        return;
      }
      let path;
      try {
        path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      } catch {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('bad path\n');
        return;
      }
      if (path === '/__faults' && config.faults && (req.method === 'GET' || req.method === 'POST')) {
        forwardFaults(api.url, req, res).catch(() => { res.destroy(); });
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' });
        res.end();
        return;
      }
      if (path === '/config.json') {
        const body = Buffer.from(JSON.stringify(config));
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'set-cookie': cookie });
        res.end(body);
        return;
      }
      let file;
      if (path.startsWith('/vclient/')) file = resolveUnder(DIST, path.slice('/vclient/'.length));
      else if (path.endsWith('.mjs')) file = null; // serve.mjs itself is not part of the page
      else file = resolveUnder(WWW, path === '/' ? 'index.html' : path.slice(1));
      if (!file) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found\n');
        return;
      }
      sendFile(res, file);
    });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const actual = server.address().port;
    let timer = null;
    let closing = null;
    const close = () => {
      closing ??= (async () => {
        if (timer) clearTimeout(timer);
        server.closeAllConnections?.();
        await Promise.all([new Promise((r) => server.close(() => r())), api.close()]);
      })();
      return closing;
    };
    const demo = { url: `http://${HOST}:${actual}/`, port: actual, api: { url: api.url, port: api.port }, config, apiKey, close };
    if (maxSeconds > 0) {
      timer = setTimeout(() => { close().then(() => demo.onTimeout?.()); }, maxSeconds * 1000);
      timer.unref();
    }
    return demo;
  } catch (e) {
    server?.close();
    await api.close();
    throw e;
  }
}

async function main() {
  let opts;
  try {
    const { values } = parseArgs({
      options: {
        port: { type: 'string', default: '8080' },
        'api-port': { type: 'string', default: '0' },
        api: { type: 'string' },
        'max-seconds': { type: 'string', default: '0' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write('usage: node www/serve.mjs [--port 8080] [--api-port 0] [--api URL] [--max-seconds 0]\n'
        + '  --api URL   proxy to this Valentina Noir server instead of the test double; the key comes from\n'
        + '              VALENTINA_CLIENT_API_KEY (optional: VALENTINA_CLIENT_DEFAULT_COMPANY_ID, VALENTINA_DEMO_ON_BEHALF_OF)\n');
      return;
    }
    const int = (name, max) => {
      const n = Number(values[name]);
      if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`--${name} must be an integer in 0..${max}, got '${values[name]}'`);
      return n;
    };
    opts = { port: int('port', 65535), apiPort: int('api-port', 65535), maxSeconds: int('max-seconds', 86400 * 365) };
    if (values.api !== undefined) {
      if (!/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(values.api)) throw new Error(`--api must be an http:// or https:// URL, got '${values.api}'`);
      opts.apiUrl = values.api;
    }
  } catch (e) {
    process.stderr.write(`serve.mjs: ${e.message}\n`);
    process.exit(2);
  }
  try {
    await stat(join(DIST, 'web.js'));
  } catch {
    process.stderr.write('serve.mjs: target/npm/dist/web.js is missing: build the package first (bash scripts/package.sh)\n');
    process.exit(1);
  }
  let demo;
  try {
    demo = await startDemo(opts);
  } catch (e) {
    process.stderr.write(`serve.mjs: cannot start: ${e.message}\n`);
    process.exit(1);
  }
  const stop = () => demo.close().then(() => process.exit(0));
  demo.onTimeout = () => process.exit(0);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (demo.config.faults) process.stdout.write(`test double: ${demo.api.url} (fault queue: POST ${demo.api.url}/__faults)\n`);
  else process.stdout.write(`API: ${demo.api.url} (through the proxy at /vnoir; the key stays in this process)\n`);
  process.stdout.write(`demo: ${demo.url}\n`);
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1]);
if (isMain) main();
