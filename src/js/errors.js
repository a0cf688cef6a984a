// The error classes thrown by VClient. Real `Error` subclasses, so `instanceof`, `name`,
// `message`, `stack` and `cause` behave as JS developers expect. Names are set on the
// prototype (not from the constructor's name) so minifiers cannot change them.

/** The base class of every error VClient throws. */
export class VClientError extends Error {
  constructor(message, fields, cause) {
    super(message, cause === undefined ? undefined : { cause });
    if (fields) Object.assign(this, fields);
  }
}

/** An option passed to `new VClient()` is missing or invalid. `option` names it. */
export class ConfigurationError extends VClientError {}
/** A request argument is invalid; nothing was sent. `field` names it. */
export class RequestValidationError extends VClientError {}
/** A 2xx response whose body is not what the API promised (e.g. not JSON). */
export class ResponseValidationError extends VClientError {}
/** The server answered with an error status. Carries the RFC 9457 fields. */
export class APIError extends VClientError {}
/** 400: the request failed validation; see `invalidParameters`. */
export class ValidationError extends APIError {}
/** 401: the API key is missing or unknown. */
export class AuthenticationError extends APIError {}
/** 403: the API key may not use this resource. */
export class AuthorizationError extends APIError {}
/** 404: the resource does not exist. */
export class NotFoundError extends APIError {}
/** 409: a conflict, e.g. an idempotency key reused with a different body. */
export class ConflictError extends APIError {}
/** 422: the request was understood but refused; branch on `code`. */
export class UnprocessableEntityError extends APIError {}
/** 429: rate limited; `retryAfter` (seconds) and `remaining` when the server said. */
export class RateLimitError extends APIError {}
/** 5xx: the server failed. */
export class ServerError extends APIError {}
/** No complete response (connection refused or reset, DNS, CORS, body cut short). */
export class NetworkError extends VClientError {}
/** An attempt's `timeout` or the call's `totalTimeout` ran out; `total` says which. */
export class TimeoutError extends VClientError {}
/** The caller's `AbortSignal` fired; `cause` is the signal's reason. */
export class AbortError extends VClientError {}
/** The client was closed (before or during the call). */
export class ClientClosedError extends VClientError {}
/** The retry budget was too low for another retry; `cause` is the last attempt's error. */
export class RetryBudgetExhaustedError extends VClientError {}

const classes = {
  VClientError, ConfigurationError, RequestValidationError, ResponseValidationError,
  APIError, ValidationError, AuthenticationError, AuthorizationError, NotFoundError,
  ConflictError, UnprocessableEntityError, RateLimitError, ServerError,
  NetworkError, TimeoutError, AbortError, ClientClosedError, RetryBudgetExhaustedError,
};
for (const [name, cls] of Object.entries(classes)) {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
}

/** Builds an error of the class called `name` (drive.js, listing.js). */
export function makeError(name, message, fields, cause) {
  const cls = classes[name] ?? VClientError;
  return new cls(message, fields, cause);
}

/**
 * `value` unchanged unless it is a promise; then a promise of the same outcome, except
 * that a `VClientError` it rejects with gets its `stack` captured here, in an async
 * function the caller awaits. The error is made deep in wasm, where the stack holds only
 * glue and `wasm-function[…]` frames; captured here, V8's async stack trace reaches the
 * caller's own `await`, as a raw `fetch` error's does. On success it costs one async frame.
 * Runtimes without `Error.captureStackTrace` keep the original stack.
 */
export function atCallSite(value) {
  return value !== null && typeof value === 'object' && typeof value.then === 'function'
    ? settleHere(value, same)
    : value;
}

const same = (v) => v;

/**
 * Resolves with `pick(await promise)`; a `VClientError` it rejects with gets its stack
 * captured here (see `atCallSite`). response.js picks from the engine's record.
 */
export async function settleHere(promise, pick) {
  try {
    return pick(await promise);
  } catch (e) {
    if (e instanceof VClientError && typeof Error.captureStackTrace === 'function') {
      Error.captureStackTrace(e, settleHere);
    }
    throw e;
  }
}

/** A property of an object, `undefined` when absent or when its getter throws. */
function member(v, key) {
  if (typeof v !== 'object' || v === null) return undefined;
  try {
    return v[key];
  } catch {
    return undefined;
  }
}

/**
 * The text of a JS error for messages: its `message`, then what its `cause`s add, since
 * undici keeps the reason there (`fetch failed: connect ECONNREFUSED 127.0.0.1:2`,
 * `fetch failed: bad port`); a `code` not already in the text is added in parentheses.
 */
export function describe(e) {
  const message = member(e, 'message');
  let out = typeof message === 'string' ? message : typeof e === 'string' ? e : 'unknown error';
  let at = e;
  for (let i = 0; i < 3; i += 1) {
    const code = member(at, 'code');
    if (typeof code === 'string' && !out.includes(code)) out += ` (${code})`;
    const cause = member(at, 'cause');
    if (cause === undefined) break;
    const m = member(cause, 'message');
    if (typeof m === 'string' && m !== '' && !out.includes(m)) out += `: ${m}`;
    at = cause;
  }
  return out;
}

// The engine's error classes by number, in the order of src/engine/error.rs's `ErrorClass`.
const BY_CLASS = [
  APIError, ValidationError, AuthenticationError, AuthorizationError, NotFoundError,
  ConflictError, UnprocessableEntityError, RateLimitError, ServerError, NetworkError,
  TimeoutError, AbortError, ClientClosedError, VClientError,
];

/** The fields of a packed string (src/js/packed.rs): `len:text`, the length in UTF-16 units. */
export function unpack(text) {
  const out = [];
  let at = 0;
  while (at < text.length) {
    const colon = text.indexOf(':', at);
    if (colon < 0) break;
    const end = colon + 1 + Number(text.slice(at, colon));
    out.push(text.slice(colon + 1, end));
    at = end;
  }
  return out;
}

/** An optional field: `=` and its text when present, empty when absent. */
const optional = (s) => (s ? s.slice(1) : undefined);
const orNull = (s) => optional(s) ?? null;
const notNaN = (n) => (Number.isNaN(n) ? null : n);

/**
 * A failed call's error, from what the engine decided, in one crossing. `text` (packed):
 * message, method, url, idempotencyKey?, requestId?, then for an HTTP error title?, detail?,
 * instance?, code? and `invalid_parameters` as (field?, message?) pairs. `nums`: [class, attempts,
 * status or -1, retryAfter s or NaN, remaining or NaN, total: -1 (not a timeout), 0 or 1,
 * 1 when the retry budget stopped the call]. `cause`: the runtime's error or the abort reason.
 */
export function callError(text, nums, cause) {
  const [message, method, url, key, requestId, title, detail, instance, code, ...params] = unpack(text);
  const call = () => {
    const f = { method, url, attempts: nums[1] };
    if (key) f.idempotencyKey = optional(key);
    if (requestId) f.requestId = optional(requestId);
    return f;
  };
  const fields = call();
  const status = nums[2];
  if (status >= 0) {
    const invalidParameters = [];
    for (let i = 0; i + 1 < params.length; i += 2) {
      const p = {};
      if (params[i]) p.field = optional(params[i]);
      if (params[i + 1]) p.message = optional(params[i + 1]);
      invalidParameters.push(p);
    }
    Object.assign(fields, {
      status, title: orNull(title), detail: orNull(detail), instance: orNull(instance),
      code: orNull(code), invalidParameters, retryAfter: notNaN(nums[3]), remaining: notNaN(nums[4]),
    });
  }
  if (nums[5] >= 0) fields.total = nums[5] === 1;
  const error = new (BY_CLASS[nums[0]] ?? VClientError)(message, fields, cause);
  if (nums[6] !== 1) return error;
  // The budget stopped a retry: a class of its own, wrapping the last attempt's error.
  const outer = call();
  if (status >= 0) outer.status = status;
  return new RetryBudgetExhaustedError(
    `${method} ${url}: not retried, the client's retry budget is exhausted (too many recent failures); last error: ${message}`,
    outer, error,
  );
}
