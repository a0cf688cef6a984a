// One attempt as drive.js performs it: fetch, the headers the engine reads, the body (capped;
// parsed when JSON is wanted), under one AbortController. Done from wasm this took some fifty
// crossings and two awaited promises. Rust still decides everything (timeouts, retries, waits,
// pacing); here are also the client's close registry and the sleep between attempts.

/**
 * Header pairs from "name\nvalue\n…" (header names are tokens and values never hold a line
 * break: both are checked first).
 */
export function pairs(packed) {
  const out = [];
  if (packed === '') return out;
  const parts = packed.split('\n');
  for (let i = 0; i + 1 < parts.length; i += 2) out.push([parts[i], parts[i + 1]]);
  return out;
}

/** A client's in-flight cancellations: `closeAll()` aborts each attempt and ends each sleep. */
export class Registry {
  constructor() {
    this.closed = false;
    this.hooks = new Set();
  }

  closeAll() {
    this.closed = true;
    // Copy first: each hook removes itself.
    for (const hook of [...this.hooks]) hook();
    this.hooks.clear();
  }

  /**
   * Sleeps `ms` (already clamped for setTimeout); resolves 0, or 1 when `signal` aborts, or 2
   * when the client closes, ending the sleep at once. Nothing is left behind either way.
   */
  sleep(ms, signal) {
    if (this.closed) return Promise.resolve(2);
    if (signal?.aborted) return Promise.resolve(1);
    return new Promise((resolve) => {
      let timer;
      const end = (code) => {
        clearTimeout(timer);
        this.hooks.delete(onClose);
        signal?.removeEventListener('abort', onAbort);
        resolve(code);
      };
      const onClose = () => end(2);
      const onAbort = () => end(1);
      timer = setTimeout(end, ms, 0);
      this.hooks.add(onClose);
      signal?.addEventListener('abort', onAbort);
    });
  }
}

// Why an attempt's signal fired is decided by identity, never by message text: each cause
// aborts with its own marker.
const TIMEOUT = { why: 't' };
const ABORTED = { why: 'a' };
const CLOSED = { why: 'c' };

/**
 * Performs one attempt. `headers`: this call's headers as "name\nvalue\n…", layered over the
 * template; `expect`: 0 JSON, 1 bytes; `number`: the attempt's number (from 1). Never rejects:
 * resolves with the payload, and then `promise.out.meta` says what it is. A success (P, B)
 * resolves with `out` itself, the call's record: `data` (the parsed body or the bytes) and
 * what `.withResponse()` reads (status, headers, number, sent), kept in JS at no cost.
 */
export function attempt(s, reg, signal, method, url, headers, body, timeoutMs, expect, number) {
  const out = { meta: '', data: undefined, status: 0, headers: undefined, number, sent: headers };
  const promise = run(out, s, reg, signal, method, url, headers, body, timeoutMs, expect);
  promise.out = out;
  return promise;
}

// `meta`: a kind letter, then for a response its status and headers, one per line: "" when
// absent, "=" + value (a header value holds no newline; a polyfill's becomes a space).
// Responses: P parsed JSON, J not JSON (payload: the SyntaxError), T an error body's text,
// B bytes (P and B: payload `out`, the body in `out.data`), F refused (payload: why). Faults (payload: the error): t timeout, a aborted,
// c closed, e fetch or body read failed, s fetch threw, n not a Response, x no
// AbortController, g no Headers, h invalid header.
async function run(out, s, reg, signal, method, url, headers, body, timeoutMs, expect) {
  if (reg.closed) return settle(out, 'c');
  if (signal?.aborted) return settle(out, 'a');
  let controller;
  try {
    controller = new AbortController();
  } catch (e) {
    return settle(out, 'x', e);
  }
  if (typeof controller.abort !== 'function') {
    return settle(out, 'x', 'AbortController.prototype.abort is missing');
  }
  const abort = (why) => () => controller.abort(why);
  const onClose = abort(CLOSED);
  const onAbort = abort(ABORTED);
  const timer = setTimeout(abort(TIMEOUT), timeoutMs);
  reg.hooks.add(onClose);
  signal?.addEventListener('abort', onAbort);
  try {
    return await send(out, s, controller.signal, method, url, headers, body, expect);
  } finally {
    clearTimeout(timer);
    reg.hooks.delete(onClose);
    signal?.removeEventListener('abort', onAbort);
  }
}

function settle(out, kind, error) {
  out.meta = kind;
  return error;
}

function success(out, kind, status, headers) {
  out.status = status;
  out.headers = headers;
  return settle(out, kind, out);
}

/** A failure after the signal may have fired: the marker says why, else `kind`. */
function failed(out, signal, kind, error) {
  const marked = signal.aborted && [TIMEOUT, ABORTED, CLOSED].includes(signal.reason);
  return settle(out, marked ? signal.reason.why : kind, error);
}

async function send(out, s, signal, method, url, headers, body, expect) {
  let h;
  try {
    h = new Headers();
  } catch (e) {
    return settle(out, 'g', e);
  }
  try {
    for (const [n, v] of s.template) h.set(n, v);
    for (const [n, v] of pairs(headers)) h.set(n, v);
    if (s.key !== undefined) h.set('X-API-KEY', s.key);
  } catch (e) {
    return settle(out, 'h', e);
  }
  const init = { method, headers: h };
  if (body !== undefined) init.body = body;
  init.signal = signal;
  // Never follow redirects: the API key must not travel to another URL.
  init.redirect = 'manual';
  let returned;
  try {
    // A custom fetch may throw synchronously or return a non-Promise: both are handled.
    returned = s.fetch.call(s.thisArg, url, init);
  } catch (e) {
    return failed(out, signal, 's', e);
  }
  let response;
  try {
    response = await returned;
  } catch (e) {
    return failed(out, signal, 'e', e);
  }
  if (typeof response !== 'object' || response === null) return settle(out, 'n', response);
  // Structural access: a Response from another realm or a polyfill works too.
  const status = response.type === 'opaqueredirect' ? 0 : (response.status | 0) & 0xffff;
  const failure = status < 200 || status >= 300;
  const rh = response.headers;
  const get = (name) => {
    let v;
    try {
      v = rh.get(name);
    } catch {
      return '';
    }
    return typeof v === 'string' ? '=' + v.replace(/\n/g, ' ') : '';
  };
  // A success reads only what the engine uses on one.
  const line = [
    status,
    get('x-request-id'),
    failure ? get('retry-after') : '',
    failure || s.pacing ? get('ratelimit') : '',
    get('content-type'),
    expect === 1 ? get('content-disposition') : '',
  ].join('\n');
  // Bytes only for a successful download; error bodies are text to parse, decoded leniently
  // since they only feed a message.
  const mode = failure ? 1 : expect === 1 ? 2 : 0;
  let read;
  try {
    read = await readBody(response, s.cap, mode);
  } catch (e) {
    return failed(out, signal, 'e', e);
  }
  if (typeof read === 'string') {
    if (mode === 1) return settle(out, 'T' + line, read);
    try {
      out.data = read.length === 0 ? undefined : JSON.parse(read);
    } catch (e) {
      return settle(out, 'J' + line, e);
    }
    return success(out, 'P' + line, status, rh);
  }
  if (read instanceof ArrayBuffer) {
    out.data = read;
    return success(out, 'B' + line, status, rh);
  }
  return settle(out, 'F' + line, typeof read?.refused === 'string' ? read.refused : 'could not be read');
}

/** `v[key]` of an object that is not an array, else undefined (a throwing getter too). */
export function member(v, key) {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  try {
    return v[key];
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- the body
// Read with a size cap, so a hostile or broken server cannot make the client buffer without
// bound, and decoded strictly, so invalid UTF-8 is an error instead of silently replaced
// characters. From wasm each chunk of the stream would cross the boundary twice.

const strict = new TextDecoder('utf-8', { fatal: true });
const lossy = new TextDecoder('utf-8');

/** What `readBody` returns instead of a body it refuses to read: `refused` says why. */
const refuse = (refused) => ({ refused });

const tooLarge = (cap) => refuse(`is larger than maxResponseBytes (${cap} bytes)`);

// Whether a body of declared length (not re-encoded) is read whole, with `arrayBuffer()`, or
// by chunks like any other. In Node by chunks: undici's `arrayBuffer()` costs 3.6 µs more for
// a small body. Elsewhere whole: Chromium reports a body read by chunks to its end as a
// cancelled request when its data pipe closes before the load completes ("(canceled)" in
// devtools; the www demo's end-to-end check of failed loads catches it).
const WHOLE_WHEN_DECLARED = typeof globalThis.process?.versions?.node !== 'string';

/**
 * `mode`: 0 strict text, 1 lossy text (error bodies), 2 bytes (ArrayBuffer).
 * Resolves with the string or ArrayBuffer, or `{ refused }`; rejects as `fetch` would when
 * the connection fails mid-body.
 */
async function readBody(response, cap, mode) {
  const headers = response.headers;
  const declared = Number(headers?.get?.('content-length') ?? NaN);
  const body = response.body;
  if (declared > cap) {
    // Do not download what will be refused; a failing cancel changes nothing.
    try { await body?.cancel(); } catch {}
    return tooLarge(cap);
  }
  let bytes;
  if (body && typeof body.getReader === 'function') {
    // A declared length says nothing about the decoded size under Content-Encoding.
    const whole = WHOLE_WHEN_DECLARED && declared >= 0 && !headers.get('content-encoding');
    bytes = whole ? new Uint8Array(await response.arrayBuffer()) : await readCapped(body, cap);
    if (bytes === null) return tooLarge(cap);
  } else if (typeof response.arrayBuffer === 'function') {
    bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.byteLength > cap) return tooLarge(cap);
  } else {
    // A minimal custom fetch's Response: text only, taken as given.
    const text = await response.text();
    return mode === 2 ? new TextEncoder().encode(text).buffer : text;
  }
  if (mode === 2) return bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
  if (mode === 1) return lossy.decode(bytes);
  try {
    return strict.decode(bytes);
  } catch {
    return refuse('is not valid UTF-8');
  }
}

/** The stream's bytes, or null (and the stream cancelled) once they pass `cap`. */
async function readCapped(stream, cap) {
  // The lock is never released: the body is read to its end, cancelled or failed, and
  // nothing else reads it (releasing cost about 1 µs a request in Node).
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      try { await reader.cancel(); } catch {}
      return null;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.byteLength; }
  return out;
}
