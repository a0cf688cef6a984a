// Reading `client.request(method, path, init)`'s arguments: JS reads JS objects in a fraction
// of what it costs from wasm (one property read from Rust is a crossing). The engine gets plain
// values with the call's first step (drive.js): the numbers, and the strings in one packed string.
// The rules that are the engine's own (path, header and key syntax, duration ceilings, retry
// knobs against the client's config) are checked in Rust on those values (src/js/call.rs).

import { RequestValidationError, describe } from './errors.js';
import { HOOK_KEY, headerPairs, isRecord, packField as field, quoted, readOnce, typeName } from './values.js';

/** Every option `request()` reads: one table; the services take `CALL_OPTION_KNOBS` of it. */
const REQUEST_OPTIONS = [
  'query', 'json', 'body', 'headers', 'onBehalfOf', 'idempotencyKey', 'signal', 'timeout',
  'file', 'responseType',
  // The retry knobs, in the order of slots 3-6 of the numbers (src/js/call.rs).
  'maxRetries', 'totalTimeout', 'retryDelay', 'maxRetryDelay',
];
const RETRY_KNOBS = REQUEST_OPTIONS.slice(-4);

/**
 * The client options a call may set for itself, in its request options (`client.request()`'s
 * `init`, a service method's trailing options). The package's glue (core.js) re-exports it, so
 * the JS services take the same knobs from this one table.
 */
export const CALL_OPTION_KNOBS = Object.freeze([
  'signal', 'timeout', 'headers', 'idempotencyKey', ...RETRY_KNOBS,
]);

// In the order of src/policy/method.rs's `Method::ALL`.
export const METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'];

// Flag bits of the first number (src/js/call.rs reads the same values).
const BODY = 1;
export const FILE = 2;
const SIGNAL = 4;
const HOOK = 8;
const BYTES = 16;
const KEY = 32;
const ON_BEHALF_OF = 64;
const CONTENT_TYPE = 128;

/** The error a bad argument throws: "`field` message", `field` set, `cause` what a getter threw. */
export function invalid(field, message, cause) {
  return new RequestValidationError(`\`${field}\` ${message}`, { field }, cause);
}

const isObject = (v) => (typeof v === 'object' && v !== null) || typeof v === 'function';

const read = (o, key, field, path) => readOnce(o, key, field, path, invalid);

/** A copy of a nested record, each own enumerable key read once (`field.key` on a throw). */
function copy(v, field) {
  if (!isRecord(v)) return v;
  const out = {};
  for (const k of Object.keys(v)) out[k] = read(v, k, field, `${field}.${k}`);
  return out;
}

/** A value of one type, or the message saying what was wanted. */
function typed(v, field, what, ok) {
  if (!ok(v)) throw invalid(field, `must be ${what}, got ${typeName(v)}`);
  return v;
}
const isString = (v) => typeof v === 'string';
const isNumber = (v) => typeof v === 'number';

/** One query value as text: strings, finite numbers, booleans, bigints and valid `Date`s. */
function queryText(v) {
  switch (typeof v) {
    case 'string': return v;
    case 'boolean': return v ? 'true' : 'false';
    case 'number': return Number.isFinite(v) ? String(v) : undefined;
    case 'bigint': return v.toString();
    default:
      return v instanceof Date && Number.isFinite(v.getTime()) ? v.toISOString() : undefined;
  }
}

/** The query's pairs in order, arrays as repeated keys, `null`/`undefined` dropped. */
function queryPairs(q, out) {
  if (q == null) return 0;
  if (!isObject(q) || Array.isArray(q) || typeof q === 'function') {
    throw invalid('query', `must be an object, got ${typeName(q)}`);
  }
  let n = 0;
  for (const key of Object.keys(q)) {
    const value = q[key];
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item == null) continue;
      const text = queryText(item);
      if (text === undefined) {
        throw invalid('query', `value of ${quoted(key)} must be a string, finite number, boolean, Date or an array of them, got ${typeName(item)}`);
      }
      out.push(key, text);
      n += 1;
    }
  }
  return n;
}

/**
 * The body option: its flags, and what is sent. `json` is serialised here, once; `file`
 * is framed by the engine (src/js/upload.rs); `body` is sent as given, never a stream.
 */
function body(o, method, spec) {
  const given = ['json', 'body', 'file'].filter((k) => o[k] != null);
  if (given.length > 1) {
    throw invalid('json', `only one of \`json\`, \`body\` and \`file\` may be given, got ${given.join(' and ')}`);
  }
  if (given.length === 0) return 0;
  const [field] = given;
  // GET and HEAD (src/policy/method.rs `allows_body`).
  if (method <= 1) throw invalid(field, `cannot be sent with ${METHODS[method]}`);
  const v = o[field];
  if (field === 'file') {
    spec.b = v;
    return FILE;
  }
  if (field === 'json') {
    let text;
    try {
      text = JSON.stringify(v);
    } catch (e) {
      throw invalid('json', `cannot be serialised to JSON: ${describe(e)} (see this error's cause)`, e);
    }
    if (text === undefined) throw invalid('json', `cannot be serialised to JSON (${typeName(v)})`);
    spec.b = text;
    spec.contentType = 'application/json';
    return BODY | CONTENT_TYPE;
  }
  let reader;
  try {
    reader = v.getReader;
  } catch {
    // A getter that throws is no stream.
  }
  if (typeof reader === 'function') {
    throw invalid('body', 'must not be a stream: a stream cannot be sent again on retry; pass a string, Blob, ArrayBuffer, typed array, FormData or URLSearchParams');
  }
  if (typeof v !== 'string' && typeof v !== 'object') {
    throw invalid('body', `must be a string, Blob, ArrayBuffer, typed array, FormData or URLSearchParams, got ${typeName(v)}`);
  }
  spec.b = v;
  return BODY;
}

/**
 * Reads and type-checks one call's arguments. Returns `{ n, t, b, s, h }`: `n` the numbers
 * [flags, method, timeout, maxRetries, totalTimeout, retryDelay, maxRetryDelay, query pairs],
 * NaN for a number not given; `t` the strings, packed as `len:text` fields (path, then key,
 * On-Behalf-Of and content type when flagged, the query pairs, the header pairs); `b` the body
 * or file, `s` the signal, `h` the services' response hook. drive.js hands `n` and `t` to the
 * engine once no caller code can run any more. Throws a `RequestValidationError` naming the
 * argument.
 */
export function readCall(method, path, init) {
  const m = typeof method === 'string' && /^\s*[A-Za-z]+\s*$/.test(method)
    ? METHODS.indexOf(method.trim().toUpperCase()) : -1;
  if (m < 0) {
    throw invalid('method', `must be one of ${METHODS.join(', ')}, got ${typeof method === 'string' ? quoted(method) : typeName(method)}`);
  }
  if (typeof path !== 'string') throw invalid('path', `must be a string, got ${typeName(path)}`);
  const n = [0, m, NaN, NaN, NaN, NaN, NaN, 0];
  const spec = { n, t: '', b: undefined, s: undefined, h: undefined, contentType: undefined };
  if (init == null) {
    spec.t = field(path);
    return spec;
  }
  let flags = 0;
  const strings = [path];
  const pairs = [];
  if (typeof init !== 'object') throw invalid('options', `must be an object, got ${typeName(init)}`);
  const stray = Object.keys(init).find((k) => !REQUEST_OPTIONS.includes(k));
  if (stray !== undefined) {
    throw invalid('options', `has the unknown key ${quoted(stray)} (known: ${REQUEST_OPTIONS.join(', ')})`);
  }
  // Each option read once, in one place: a getter runs once and its exception is reported.
  const o = {};
  for (const k of REQUEST_OPTIONS) {
    const v = read(init, k, k, k);
    if (v != null) o[k] = k === 'query' || k === 'headers' || k === 'file' ? copy(v, k) : v;
  }
  headerPairs(o.headers, pairs, invalid);
  if (o.idempotencyKey !== undefined) {
    strings.push(typed(o.idempotencyKey, 'idempotencyKey', 'a string', isString));
    flags |= KEY;
  }
  if (o.onBehalfOf !== undefined) {
    strings.push(typed(o.onBehalfOf, 'onBehalfOf', 'a string', isString));
    flags |= ON_BEHALF_OF;
  }
  if (o.signal !== undefined) {
    spec.s = typed(o.signal, 'signal', 'an AbortSignal', (s) => typeof AbortSignal === 'function' && s instanceof AbortSignal);
    flags |= SIGNAL;
  }
  if (o.timeout !== undefined) n[2] = typed(o.timeout, 'timeout', 'a number', isNumber);
  flags |= body(o, m, spec);
  if (spec.contentType !== undefined) strings.push(spec.contentType);
  const type = o.responseType;
  if (type !== undefined) typed(type, 'responseType', 'a string', isString);
  if (type === 'bytes') flags |= BYTES;
  else if (type !== undefined && type !== 'json') {
    throw invalid('responseType', `must be "json" or "bytes", got ${quoted(type)}`);
  }
  RETRY_KNOBS.forEach((k, i) => {
    if (o[k] !== undefined) n[3 + i] = typed(o[k], k, 'a number', isNumber);
  });
  const query = [];
  n[7] = queryPairs(o.query, query);
  const hook = init[HOOK_KEY];
  if (typeof hook === 'function') {
    spec.h = hook;
    flags |= HOOK;
  }
  n[0] = flags;
  let t = '';
  for (const s of strings) t += field(s);
  for (const s of query) t += field(s);
  for (const s of pairs) t += field(s);
  spec.t = t;
  return spec;
}
