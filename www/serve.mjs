// The www/ demo: the loopback test double of the Valentina API (tests/server/, CORS on, fault
// injection through its /__faults queue) plus a static server for the page, all on
// 127.0.0.1. No npm dependencies.
//
//   node www/serve.mjs [--port 8080] [--api-port 0] [--max-seconds 0]
//
//   /              www/ (index.html, app.js, ...)
//   /vclient/...   target/npm/dist/ (the built package: web.js, core.js, the .wasm, snippets/)
//   /config.json   { baseUrl, apiKey, companyId, onBehalfOf } for the Connect form
//
// At start it creates a few companies on the double (the first is the default company; its
// admin user acts as On-Behalf-Of), then prints `demo: http://127.0.0.1:<port>/`. It stops
// on Ctrl-C / SIGTERM, or after --max-seconds (0 = never). Port 0 = any free port.
//
// Embedding: `const demo = await startDemo({ port: 0 }); demo.url; demo.api.url; await demo.close();`
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startServer } from '../tests/server/server.mjs';
import { DEFAULT_API_KEY } from '../tests/server/valentina.mjs';

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
async function seed(apiUrl, apiKey) {
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

/**
 * Starts the double and the page server. options: { port = 8080, apiPort = 0,
 * maxSeconds = 0, apiKey }. Resolves to { url, port, api: { url, port }, config, close() }.
 */
export async function startDemo(options = {}) {
  const { port = 8080, apiPort = 0, maxSeconds = 0, apiKey = DEFAULT_API_KEY } = options;
  // A generous bucket: the demo's 429s come from the fault panel, not from clicking around.
  const api = await startServer({
    port: apiPort, cors: true, maxSeconds: 0, apiKey, burst: 1000, refillPerSecond: 100,
  });
  let server;
  try {
    const seeded = await seed(api.url, apiKey);
    const config = { baseUrl: api.url, apiKey, ...seeded };
    server = http.createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' });
        res.end();
        return;
      }
      if (path === '/config.json') {
        const body = Buffer.from(JSON.stringify(config));
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
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
    const demo = { url: `http://${HOST}:${actual}/`, port: actual, api: { url: api.url, port: api.port }, config, close };
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
        'max-seconds': { type: 'string', default: '0' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write('usage: node www/serve.mjs [--port 8080] [--api-port 0] [--max-seconds 0]\n');
      return;
    }
    const int = (name, max) => {
      const n = Number(values[name]);
      if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`--${name} must be an integer in 0..${max}, got '${values[name]}'`);
      return n;
    };
    opts = { port: int('port', 65535), apiPort: int('api-port', 65535), maxSeconds: int('max-seconds', 86400 * 365) };
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
  process.stdout.write(`test double: ${demo.api.url} (fault queue: POST ${demo.api.url}/__faults)\n`);
  process.stdout.write(`demo: ${demo.url}\n`);
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1]);
if (isMain) main();
