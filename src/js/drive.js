// The driver: runs each call of a client through the engine, one step at a time. The engine
// (src/engine/machine.rs) decides every step: which attempt to send with which timeout, how
// long to wait, when to stop and with what error. This file performs them: an attempt is one
// attempt.js call, a wait one `Registry.sleep`. Each step is one call of a raw .wasm export
// with plain values in wasm memory (src/js/steps.rs), so a call that succeeds at once crosses
// into wasm twice: to begin, and with the outcome. No wasm-bindgen future, closure or string
// conversion runs on the way.

import { attempt, pairs } from './attempt.js';
import { FILE, METHODS, invalid, readCall } from './call.js';
import { VClientError, callError, describe, makeError, unpack } from './errors.js';
import { DONE, ERROR, FAILED, INVALID, SEND, SLEEP, answer, put, slots, wasm } from './wire.js';
import { apiPromise, withData } from './response.js';

// Where a failed call's `cause` comes from (slot 8).
const CAUSE_PAYLOAD = 1;
const CAUSE_SIGNAL = 2;
// What `step` is told (slot 1): an attempt's outcome, or a sleep's end (+0 slept, +1 the
// signal aborted it, +2 the client closed).
const SENT = 1;
const SLEPT = 2;
// attempt.js's fault kinds, whose payload is the runtime's error (described for the engine).
const FAULTS = 'senxgh';

/**
 * A client's JS side (made by src/js/client.rs): what attempt.js sends every attempt with
 * (`fetch` and its `this`, the constant headers as "name\nvalue\n…", the API key, the body cap,
 * whether `RateLimit` is read on successes), the close registry, and the session `id` the
 * engine steps this client's calls under. `p` carries a JS value for the step being run.
 */
export function client(fetch, thisArg, template, key, cap, pacing, reg, id) {
  return { fetch, thisArg, template: pairs(template), key, cap, pacing, reg, id, p: undefined };
}

/**
 * Calls export `f` with `p` set to `value` for the engine to read and replace, and returns the
 * answer and what `p` held after. `p` is restored after: a logger the engine calls may start
 * another call of the same client, nested in this one.
 */
function exchange(c, value, f) {
  const saved = c.p;
  c.p = value;
  try {
    return [f(), c.p];
  } finally {
    c.p = saved;
  }
}

/** The value the driver stashed for the step being run (src/js/session.rs reads it). */
export function stashed(c) {
  return c.p;
}

/** Hands the driver a value from the step being run: an upload's body. */
export function stash(c, value) {
  c.p = value;
}

/** `client.request(method, path, init)`: an `APIPromise` of the data; never throws. */
export function request(c, method, path, init) {
  let spec;
  let run;
  try {
    spec = readCall(method, path, init);
    run = drive(c, spec);
  } catch (e) {
    run = Promise.reject(e);
  }
  // A service's schema check runs on the record the call resolves with.
  return apiPromise(run, spec?.h);
}

/**
 * Runs the call call.js read as `spec`: begins it now (so a bad argument fails before this
 * returns), then steps it to its end. The promise resolves with the last attempt's record.
 */
export function drive(c, spec) {
  const n = spec.n;
  const upload = (n[0] & FILE) !== 0;
  const length = put(spec.t);
  slots.set(n);
  slots[8] = Date.now();
  // An upload's body is what the engine built from `file`, handed back through `p`.
  const [first, built] = exchange(c, upload ? spec.b : undefined, () => answer(wasm.vclient_begin(c.id, length)));
  const body = upload ? built : spec.b;
  return first.n[0] >= DONE ? end(first, undefined, undefined, spec) : run(c, spec, body, first);
}

/**
 * Tells the engine about call `id`'s `event`; `value`: a failed status's body, which it reads
 * when not empty. `thrown`: 1 when fetch threw a `TypeError`.
 */
function step(c, id, event, line, thrown, value) {
  const length = put(line);
  slots[0] = id;
  slots[1] = event;
  slots[2] = Date.now();
  slots[3] = thrown;
  // The jitter sample for a retry's backoff, drawn here rather than by a call out of wasm.
  slots[4] = Math.random();
  slots[5] = value ? 1 : 0;
  return exchange(c, value, () => answer(wasm.vclient_step(c.id, length)))[0];
}

async function run(c, spec, body, next) {
  const method = METHODS[spec.n[1]];
  let record;
  let payload;
  for (;;) {
    const n = next.n;
    const kind = n[0];
    const id = n[1];
    const ms = n[2];
    if (kind === SEND) {
      const [url, headers] = unpack(next.text);
      const pending = attempt(c, c.reg, spec.s, method, url, headers, body, ms, n[4], n[3]);
      payload = await pending;
      record = pending.out;
      let line = record.meta;
      if (FAULTS.includes(line[0])) line += '\n' + describe(payload);
      else if (line[0] === 'F') line += '\n' + payload;
      const thrown = line[0] === 's' && payload instanceof TypeError ? 1 : 0;
      // A failed status's body (T): the engine reads its problem details from the JS string.
      next = step(c, id, SENT, line, thrown, line[0] === 'T' ? payload : undefined);
    } else if (kind === SLEEP) {
      next = step(c, id, SLEPT + (await c.reg.sleep(ms, spec.s)), '', 0, undefined);
    } else {
      return end(next, record, payload, spec);
    }
  }
}

/** The call's end: its record, or the error the engine decided on, built here. */
function end(last, record, payload, spec) {
  const n = last.n;
  const cause = n[8] === CAUSE_PAYLOAD ? payload : n[8] === CAUSE_SIGNAL ? spec.s?.reason : undefined;
  switch (n[0]) {
    case DONE: {
      if (n[1] !== 1) return record;
      const [filename, contentType] = unpack(last.text);
      return withData(record, {
        data: new Uint8Array(record.data),
        filename: filename ? filename.slice(1) : null,
        contentType: contentType ? contentType.slice(1) : null,
      });
    }
    case FAILED:
      throw callError(last.text, n.slice(1, 8), cause);
    case ERROR: {
      const [name, message, method, url, key, requestId] = unpack(last.text);
      const fields = { method, url, attempts: n[1] };
      if (key) fields.idempotencyKey = key.slice(1);
      if (requestId) fields.requestId = requestId.slice(1);
      throw makeError(name, message, fields, cause);
    }
    case INVALID: {
      const [field, message] = unpack(last.text);
      throw invalid(field, message);
    }
    default:
      throw new VClientError(`The engine answered with step ${n[0]} (a vclient bug)`);
  }
}
