// Loopback HTTP test server for vclient's wasm tests (browser, Node, Deno, workerd).
//
//   node tests/server/server.mjs [--port 8765] [--nocors] [--max-seconds 1800]
//        [--api-key KEY] [--burst 30] [--refill 0.5] [--write-delay-ms 10] [--keep-alive]
//
// Prints exactly one line `listening <port>` on stdout once it listens on 127.0.0.1.
// Exits after --max-seconds, and on SIGTERM/SIGINT, closing open sockets.
//
// Routes (see README.md beside this file for the Step format):
//   POST /__scenario/<id>   {"steps":[Step,...]}  register/replace a script, clear its log
//   ANY  /s/<id>[/...]                            play the script's next step (the last repeats)
//   GET  /__log/<id>                              the requests the script saw
//   POST /__faults          {"next":[Step,...]}   replace the fault queue of /api/v1 ([] clears)
//                                                 (plus {"action":"pass","delayMs":n}: a real, late answer)
//   GET  /__faults                                the steps still queued
//   GET  /__stats                                 {companiesCreated, requests, byIdempotencyKey}
//   GET  /__apilog                                the /api/v1 requests since start or reset
//   POST /__reset                                 clear all /api/v1 state (not the scripts)
//   ANY  /api/v1/...                              the Valentina imitation (valentina.mjs): all the
//                                                 operations of spec/endpoints.json (routes.mjs)
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Lifecycle, describeRequest, runStep, validateSteps } from './steps.mjs';
import { HOST, listenBounded } from './listen.mjs';
import {
  createValentina, DEFAULT_API_KEY, DEFAULT_BURST, DEFAULT_REFILL_PER_SECOND, DEFAULT_WRITE_DELAY_MS,
} from './valentina.mjs';

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const CORS_METHODS = 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS';

function applyCors(req, res) {
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('access-control-allow-methods', CORS_METHODS);
  res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] || '*');
  res.setHeader('access-control-expose-headers', '*');
  res.setHeader('access-control-max-age', '600');
  // Harmless extras: Chromium's Private Network Access asks for this on some loopback
  // preflights, and the wasm-bindgen test page runs cross-origin isolated (COEP).
  if (req.headers['access-control-request-private-network'] === 'true') {
    res.setHeader('access-control-allow-private-network', 'true');
  }
  res.setHeader('cross-origin-resource-policy', 'cross-origin');
}

function sendJson(res, status, value) {
  if (res.destroyed || res.headersSent) return;
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length) });
  res.end(body);
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw Object.assign(new Error('body too large'), { tooLarge: true });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseJsonObject(buf) {
  try {
    const v = JSON.parse(buf.toString('utf8'));
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch {
    // fall through
  }
  return null;
}

/**
 * Starts the server. options: { port = 8765 (0 = any free port), cors = true,
 * maxSeconds = 1800, apiKey, burst = 30, refillPerSecond = 0.5, writeDelayMs = 10,
 * keepAlive = false (every response says `connection: close` unless true),
 * flatCompanyFields = true (see createValentina) }.
 * Resolves to { port, url, close() } once listening; `close()` resolves when it is closed.
 * The returned object also has `onClose(fn)`: fn runs once when the server closes
 * (by close(), or by itself after maxSeconds).
 */
export function startServer(options = {}) {
  const {
    port = 8765,
    cors = true,
    maxSeconds = 1800,
    apiKey = DEFAULT_API_KEY,
    burst = DEFAULT_BURST,
    refillPerSecond = DEFAULT_REFILL_PER_SECOND,
    writeDelayMs = DEFAULT_WRITE_DELAY_MS,
    keepAlive = false,
    flatCompanyFields,
  } = options;
  const life = new Lifecycle();
  const scenarios = new Map(); // id -> { steps, next, log, registeredAt }
  const valentina = createValentina({ apiKey, burst, refillPerSecond, writeDelayMs, life, flatCompanyFields });

  async function dispatch(req, res) {
    const arrival = performance.now();
    const q = req.url.indexOf('?');
    const reqPath = q < 0 ? req.url : req.url.slice(0, q);
    const query = q < 0 ? '' : req.url.slice(q + 1);
    if (cors) applyCors(req, res);
    // One request per connection by default. A browser silently resends a request whose
    // *reused* keep-alive connection fails before the response head (Chromium does, even
    // for POST), which would turn a scripted `reset` into an invisible retry that eats two
    // steps. Fresh connections also avoid the idle-timeout race on reused sockets.
    if (!keepAlive) res.setHeader('connection', 'close');

    // A CORS preflight: answered here, never logged, never consumes a step or a fault.
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      req.resume();
      res.writeHead(204);
      res.end();
      return;
    }

    let body;
    try {
      body = await readBody(req);
    } catch (e) {
      if (e.tooLarge) {
        sendJson(res, 413, { detail: 'request body too large' });
        req.socket.destroy();
      }
      return; // the client went away
    }
    const info = { path: reqPath, query, body, arrival };
    let m;

    // ---- scripted routes ----
    if ((m = /^\/s\/([^/]*)(?:\/.*)?$/.exec(reqPath))) {
      const id = m[1];
      const sc = ID_RE.test(id) ? scenarios.get(id) : undefined;
      if (!sc) return sendJson(res, 404, { detail: `no scenario ${id}` });
      const stepIndex = Math.min(sc.next, sc.steps.length - 1);
      sc.next++;
      sc.log.push({
        ...describeRequest(req, info),
        t: arrival - sc.registeredAt,
        step: stepIndex,
      });
      await runStep(sc.steps[stepIndex], req, res, info, life);
      return;
    }
    if ((m = /^\/__scenario\/([^/]*)$/.exec(reqPath))) {
      if (req.method !== 'POST') return sendJson(res, 405, { detail: 'use POST' });
      if (!ID_RE.test(m[1])) return sendJson(res, 400, { detail: 'scenario id must match [A-Za-z0-9_-]{1,64}' });
      const spec = parseJsonObject(body);
      if (!spec) return sendJson(res, 400, { detail: 'body must be a JSON object {"steps":[...]}' });
      const err = validateSteps(spec.steps, { allowEmpty: false });
      if (err) return sendJson(res, 400, { detail: err });
      scenarios.set(m[1], { steps: spec.steps, next: 0, log: [], registeredAt: performance.now() });
      return sendJson(res, 200, { ok: true });
    }
    if ((m = /^\/__log\/([^/]*)$/.exec(reqPath))) {
      if (req.method !== 'GET') return sendJson(res, 405, { detail: 'use GET' });
      const sc = scenarios.get(m[1]);
      if (!sc) return sendJson(res, 404, { detail: `no scenario ${m[1]}` });
      return sendJson(res, 200, sc.log);
    }

    // ---- the Valentina imitation and its controls ----
    if (reqPath === '/api/v1' || reqPath.startsWith('/api/v1/')) {
      await valentina.handle(req, res, info);
      return;
    }
    if (reqPath === '/__faults') {
      if (req.method === 'GET') return sendJson(res, 200, valentina.faults());
      if (req.method !== 'POST') return sendJson(res, 405, { detail: 'use GET or POST' });
      const spec = parseJsonObject(body);
      if (!spec) return sendJson(res, 400, { detail: 'body must be a JSON object {"next":[...]}' });
      const err = validateSteps(spec.next, { allowEmpty: true, allowPass: true });
      if (err) return sendJson(res, 400, { detail: err.replace(/^steps/, 'next') });
      valentina.setFaults(spec.next);
      return sendJson(res, 200, { ok: true, queued: spec.next.length });
    }
    if (reqPath === '/__stats') {
      if (req.method !== 'GET') return sendJson(res, 405, { detail: 'use GET' });
      return sendJson(res, 200, valentina.stats());
    }
    if (reqPath === '/__apilog') {
      if (req.method !== 'GET') return sendJson(res, 405, { detail: 'use GET' });
      return sendJson(res, 200, valentina.log());
    }
    if (reqPath === '/__reset') {
      if (req.method !== 'POST') return sendJson(res, 405, { detail: 'use POST' });
      valentina.reset();
      return sendJson(res, 200, { ok: true });
    }
    return sendJson(res, 404, { detail: `no route ${req.method} ${reqPath}` });
  }

  const server = http.createServer((req, res) => {
    dispatch(req, res).catch((e) => {
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { detail: `test server error: ${e.stack ?? e}` });
      else req.socket.destroy();
    });
  });
  return listenBounded(server, { port, maxSeconds, life });
}

function parseCli(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '8765' },
      nocors: { type: 'boolean', default: false },
      'max-seconds': { type: 'string', default: '1800' },
      'api-key': { type: 'string', default: DEFAULT_API_KEY },
      burst: { type: 'string', default: String(DEFAULT_BURST) },
      refill: { type: 'string', default: String(DEFAULT_REFILL_PER_SECOND) },
      'write-delay-ms': { type: 'string', default: String(DEFAULT_WRITE_DELAY_MS) },
      'keep-alive': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const num = (name, { integer = false, min = 0, max = Infinity } = {}) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new Error(`--${name} must be a number in ${min}..${max}${integer ? ' (integer)' : ''}, got '${values[name]}'`);
    }
    return n;
  };
  if (!values['api-key']) throw new Error('--api-key must not be empty');
  return {
    help: values.help,
    port: num('port', { integer: true, max: 65535 }),
    cors: !values.nocors,
    maxSeconds: num('max-seconds'),
    apiKey: values['api-key'],
    burst: num('burst', { integer: true, min: 1 }),
    refillPerSecond: num('refill', { min: 1e-6 }),
    writeDelayMs: num('write-delay-ms'),
    keepAlive: values['keep-alive'],
  };
}

async function main() {
  let opts;
  try {
    opts = parseCli(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`server.mjs: ${e.message}\n`);
    process.exit(2);
  }
  if (opts.help) {
    process.stdout.write(
      'usage: node tests/server/server.mjs [--port 8765] [--nocors] [--max-seconds 1800]\n'
      + '       [--api-key KEY] [--burst 30] [--refill 0.5] [--write-delay-ms 10] [--keep-alive]\n',
    );
    return;
  }
  let srv;
  try {
    srv = await startServer(opts);
  } catch (e) {
    process.stderr.write(`server.mjs: cannot listen on ${HOST}:${opts.port}: ${e.message}\n`);
    process.exit(1);
  }
  srv.onClose(() => process.exit(0));
  const stop = () => srv.close();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`listening ${srv.port}\n`);
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) main();
