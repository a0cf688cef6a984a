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

/** Builds an error of the class called `name` (used by the wasm side). */
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
