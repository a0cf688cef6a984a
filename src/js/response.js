// Response metadata on demand, Stainless-style: every raw call returns an `APIPromise`, which
// resolves with the data as a plain promise would, and whose `.withResponse()` resolves with
// `{ data, response }`. The engine resolves with the attempt's record (see attempt.js): the
// data plus what the metadata is read from, already in JS, so an unused `.withResponse()`
// costs no crossing into wasm and no parsing.

import { settleHere } from './errors.js';

// The Rust `RateLimit` parser the client uses for pacing, handed over by each new client.
let parseRateLimit = null;

/** Called by the wasm side once per client: the parser behind `response.rateLimit`. */
export function setRateLimitParser(parse) {
  parseRateLimit = parse;
}

const data = (record) => record.data;
const withResponse = (record) => ({ data: record.data, response: new ResponseInfo(record) });

/**
 * A promise of a call's data with `.withResponse()`. Lazy: nothing is chained on the raw
 * promise until `then`/`catch`/`finally` or `withResponse()` is called, so using only one of
 * them leaves no unhandled rejection behind on the other.
 */
export class APIPromise extends Promise {
  #raw;
  #data = null;

  constructor(raw) {
    super(noop);
    this.#raw = raw;
  }

  // `then` on an APIPromise returns a plain Promise.
  static get [Symbol.species]() {
    return Promise;
  }

  #parsed() {
    return (this.#data ??= settleHere(this.#raw, data));
  }

  /** `{ data, response }`: the data and the response's status, headers and call details. */
  withResponse() {
    return settleHere(this.#raw, withResponse);
  }

  then(onFulfilled, onRejected) {
    return this.#parsed().then(onFulfilled, onRejected);
  }

  catch(onRejected) {
    return this.#parsed().catch(onRejected);
  }

  finally(onFinally) {
    return this.#parsed().finally(onFinally);
  }
}

function noop() {}

/**
 * Wraps a call's promise of a record (drive.js, listing.js). `hook`: the JS services'
 * response hook (their schema check), run on a 2xx body with its request id; what it returns
 * becomes the data, what it throws rejects the call.
 */
export function apiPromise(raw, hook) {
  return new APIPromise(typeof hook === 'function' ? raw.then((record) => checked(record, hook)) : raw);
}

function checked(record, hook) {
  record.data = hook(record.data, header(record.headers, 'x-request-id') ?? undefined);
  return record;
}

/** Puts `value` as the record's data (a download, a page list) and returns the record. */
export function withData(record, value) {
  record.data = value;
  return record;
}

/** A record's `X-Request-Id`, or undefined (listing.js). */
export const requestId = (record) => header(record?.headers, 'x-request-id') ?? undefined;

function header(headers, name) {
  try {
    const v = headers?.get?.(name);
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

/** The value of header `name` among the packed "name\nvalue\n…" headers the call sent. */
function sentHeader(packed, name) {
  const parts = typeof packed === 'string' && packed !== '' ? packed.split('\n') : [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    if (parts[i].toLowerCase() === name) return parts[i + 1];
  }
  return null;
}

/** What a successful response said, and what the call did to get it. */
export class ResponseInfo {
  #rateLimit;

  constructor(record) {
    /** The HTTP status. */
    this.status = record.status;
    /** The response headers (of the last attempt). */
    this.headers = record.headers;
    /** `X-Request-Id`, or null. */
    this.requestId = header(record.headers, 'x-request-id');
    /** Attempts made, the successful one included. */
    this.attempts = record.number;
    /** The `Idempotency-Key` sent (yours or the automatic one), or null. */
    this.idempotencyKey = sentHeader(record.sent, 'idempotency-key');
  }

  /** The `RateLimit` header's most constrained policy, parsed on first read; null if none. */
  get rateLimit() {
    if (this.#rateLimit === undefined) {
      const value = header(this.headers, 'ratelimit');
      this.#rateLimit = value === null || parseRateLimit === null ? null : parseRateLimit(value);
    }
    return this.#rateLimit;
  }

  toJSON() {
    const { status, requestId, attempts, idempotencyKey, rateLimit } = this;
    return { status, headers: Object.fromEntries(this.headers ?? []), requestId, attempts, idempotencyKey, rateLimit };
  }
}
