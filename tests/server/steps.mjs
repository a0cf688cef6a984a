// Scripted response steps, shared by the `/s/<id>` routes and the `/__faults` queue.
//
// A Step is a plain JSON object; every field is optional:
//   status       integer 200..599, default 200
//   headers      object of response headers; a `null` value removes that header
//                (also a default one: x-request-id, content-type, or a CORS header)
//   body         object/array/number/boolean -> JSON text (content-type application/json);
//                string -> sent as is (content-type text/plain); absent or null -> empty
//   bodyBase64   raw bytes, base64; wins over `body` (content-type application/octet-stream)
//   gzip         true -> gzip the body and send content-encoding: gzip
//   echo         true -> the body is JSON {method, path, query, headers, body} of this request
//   delayMs      wait before doing anything (before the head, the reset, or the hang)
//   action       respond | hang | reset | reset-after-headers | slow-body | truncate, and on
//                the /__faults queue only `pass` (with no field but delayMs): the request goes
//                through as if no fault were queued, and its answer is held back delayMs
//   bodyDelayMs  slow-body: the wait before each of the 4 chunks (default 500);
//                reset-after-headers: the wait between the half body and the reset (default 20)
import { randomBytes } from 'node:crypto';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { gzipSync } from 'node:zlib';

export const ACTIONS = ['respond', 'hang', 'reset', 'reset-after-headers', 'slow-body', 'truncate'];
const STEP_FIELDS = new Set([
  'status', 'headers', 'body', 'bodyBase64', 'gzip', 'echo', 'delayMs', 'action', 'bodyDelayMs',
]);
/** A hung request is cut after this long at the latest, so the server can always exit. */
export const HANG_LIMIT_MS = 60_000;
/** The body used by the broken-body actions when the step has none (they need bytes to break). */
const FILLER = 'x'.repeat(64);

/** `req_` + 22 base64url characters, like the real server. */
export function requestId() {
  return 'req_' + randomBytes(16).toString('base64url');
}

/** Returns an error message for a bad step list, or null. `allowPass`: the fault queue's `pass`. */
export function validateSteps(steps, { allowEmpty, allowPass = false }) {
  if (!Array.isArray(steps)) return 'steps must be an array';
  if (!allowEmpty && steps.length === 0) return 'steps must not be empty';
  for (let i = 0; i < steps.length; i++) {
    const err = validateStep(steps[i], allowPass);
    if (err) return `step ${i}: ${err}`;
  }
  return null;
}

function isNonNegNumber(v) {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

function validateStep(step, allowPass) {
  if (step === null || typeof step !== 'object' || Array.isArray(step)) return 'must be an object';
  for (const k of Object.keys(step)) if (!STEP_FIELDS.has(k)) return `unknown field '${k}'`;
  if (allowPass && step.action === 'pass') {
    const extra = Object.keys(step).find((k) => k !== 'action' && k !== 'delayMs');
    if (extra) return `a pass step takes only delayMs, not '${extra}'`;
    if (step.delayMs !== undefined && !isNonNegNumber(step.delayMs)) return 'delayMs must be a number >= 0';
    return null;
  }
  if (step.status !== undefined
      && !(Number.isInteger(step.status) && step.status >= 200 && step.status <= 599)) {
    return 'status must be an integer in 200..599';
  }
  if (step.action !== undefined && !ACTIONS.includes(step.action)) {
    return `action must be one of ${ACTIONS.join(', ')}${allowPass ? ', pass' : ''}`;
  }
  for (const k of ['delayMs', 'bodyDelayMs']) {
    if (step[k] !== undefined && !isNonNegNumber(step[k])) return `${k} must be a number >= 0`;
  }
  for (const k of ['echo', 'gzip']) {
    if (step[k] !== undefined && typeof step[k] !== 'boolean') return `${k} must be a boolean`;
  }
  if (step.bodyBase64 !== undefined && typeof step.bodyBase64 !== 'string') {
    return 'bodyBase64 must be a string';
  }
  if (step.headers !== undefined) {
    if (step.headers === null || typeof step.headers !== 'object' || Array.isArray(step.headers)) {
      return 'headers must be an object';
    }
    for (const [name, value] of Object.entries(step.headers)) {
      try {
        validateHeaderName(name);
        if (value !== null) {
          const values = Array.isArray(value) ? value : [value];
          for (const v of values) {
            if (typeof v !== 'string' && typeof v !== 'number') throw new Error('must be a string, number, array or null');
            validateHeaderValue(name, String(v));
          }
        }
      } catch (e) {
        return `header '${name}': ${e.message}`;
      }
    }
  }
  return null;
}

/**
 * Timers that die with the server: all unref'd, all cleared by `close()`, and a closed
 * lifecycle never resolves a sleep (the pending work is simply dropped).
 */
export class Lifecycle {
  #timers = new Set();
  closed = false;

  setTimeout(fn, ms) {
    if (this.closed) return null;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.#timers.add(t);
    return t;
  }

  clearTimeout(t) {
    if (t == null) return;
    clearTimeout(t);
    this.#timers.delete(t);
  }

  sleep(ms) {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  close() {
    this.closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}

/** The request as seen by `echo` and the logs. */
export function describeRequest(req, info) {
  return {
    method: req.method,
    path: info.path,
    query: info.query,
    headers: { ...req.headers },
    body: info.body.toString('utf8'),
  };
}

function gone(req) {
  return req.socket.destroyed;
}

/**
 * Plays one step on (req, res). `info` = { path, query, body: Buffer }.
 * Resolves when the step is done with the socket (for `hang`: at once).
 */
export async function runStep(step, req, res, info, life) {
  if (step.delayMs > 0) await life.sleep(step.delayMs);
  if (gone(req)) return;
  const action = step.action ?? 'respond';

  if (action === 'reset') {
    req.socket.destroy();
    return;
  }
  if (action === 'hang') {
    const sock = req.socket;
    const t = life.setTimeout(() => sock.destroy(), HANG_LIMIT_MS);
    sock.once('close', () => life.clearTimeout(t));
    return;
  }

  // The body and its default content type.
  let body;
  let contentType;
  if (step.echo) {
    body = Buffer.from(JSON.stringify(describeRequest(req, info)));
    contentType = 'application/json';
  } else if (step.bodyBase64 !== undefined) {
    body = Buffer.from(step.bodyBase64, 'base64');
    contentType = 'application/octet-stream';
  } else if (typeof step.body === 'string') {
    body = Buffer.from(step.body, 'utf8');
    contentType = 'text/plain';
  } else if (step.body !== undefined && step.body !== null) {
    body = Buffer.from(JSON.stringify(step.body), 'utf8');
    contentType = 'application/json';
  } else {
    body = Buffer.alloc(0);
  }
  const breaksBody = action === 'reset-after-headers' || action === 'slow-body' || action === 'truncate';
  if (breaksBody && body.length === 0) {
    body = Buffer.from(FILLER);
    contentType = 'text/plain';
  }

  const headers = {};
  if (contentType) headers['content-type'] = contentType;
  headers['x-request-id'] = requestId();
  if (step.gzip) {
    body = gzipSync(body);
    headers['content-encoding'] = 'gzip';
  }
  const status = step.status ?? 200;
  const noBody = status === 204 || status === 304;
  if (!noBody) headers['content-length'] = String(body.length);
  for (const [rawName, value] of Object.entries(step.headers ?? {})) {
    const name = rawName.toLowerCase();
    if (value === null) {
      delete headers[name];
      res.removeHeader(name); // e.g. a CORS header set before the step ran
    } else {
      headers[name] = Array.isArray(value) ? value.map(String) : String(value);
    }
  }

  switch (action) {
    case 'respond':
      res.writeHead(status, headers);
      res.end(noBody ? undefined : body);
      return;

    case 'reset-after-headers': {
      headers['content-length'] = String(body.length);
      res.writeHead(status, headers);
      res.flushHeaders();
      const half = body.subarray(0, Math.floor(body.length / 2));
      const sock = req.socket;
      await new Promise((resolve) => res.write(half, resolve));
      await life.sleep(step.bodyDelayMs ?? 20);
      sock.destroy();
      return;
    }

    case 'slow-body': {
      res.writeHead(status, headers);
      res.flushHeaders();
      const wait = step.bodyDelayMs ?? 500;
      const size = Math.ceil(body.length / 4);
      for (let i = 0; i < 4; i++) {
        await life.sleep(wait);
        if (gone(req)) return;
        const chunk = body.subarray(i * size, (i + 1) * size);
        if (chunk.length) res.write(chunk);
      }
      res.end();
      return;
    }

    case 'truncate': {
      headers['content-length'] = String(body.length + 32);
      res.writeHead(status, headers);
      res.flushHeaders();
      const sock = req.socket;
      await new Promise((resolve) => res.write(body, resolve));
      sock.end();
      // If the peer never closes its side, do not keep the socket forever.
      life.setTimeout(() => sock.destroy(), 1000);
      return;
    }

    default:
      throw new Error(`unreachable action ${action}`);
  }
}
