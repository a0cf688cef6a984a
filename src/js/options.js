// Reading `new VClient(options)` in JS: one property read from wasm is one crossing, and the
// options object, the environment fallbacks and the runtime checks took hundreds. The engine
// gets plain values in one call (numbers in a view of wasm memory, strings packed in one
// string, the JS objects as getters); its own rules on those values (ranges, URL, header
// syntax) stay in Rust: src/policy/config.rs `resolve`, via src/js/options.rs.

import { ConfigurationError } from './errors.js';
import { headerPairs, isRecord, packField as field, quoted, readOnce, typeName } from './values.js';

/** Every option `new VClient()` understands: the one table of their names. */
const OPTIONS = [
  'baseUrl', 'apiKey', 'timeout', 'totalTimeout', 'maxRetries', 'retryDelay', 'maxRetryDelay',
  'jitter', 'autoRetryRateLimit', 'autoIdempotencyKeys', 'retryStatuses', 'defaultCompanyId',
  'headers', 'fetch', 'logger', 'logLevel', 'userAgent', 'env', 'setAsDefault', 'retryBudget',
  'pacing', 'maxResponseBytes',
];

/** The environment variables, in the order of their strings (src/policy/config.rs). */
const ENV_NAMES = [
  'VALENTINA_CLIENT_BASE_URL', 'VALENTINA_CLIENT_API_KEY', 'VALENTINA_CLIENT_DEFAULT_COMPANY_ID',
];

/** `logLevel`'s values, in the order of src/engine/log.rs's `Level`. */
const LEVELS = ['debug', 'info', 'warn', 'error'];

// Flag bits of the first number (src/js/options.rs reads the same values). The strings of the
// string flags follow in this order in the packed text, then the header pairs.
const BASE_URL = 1 << 0;
const API_KEY = 1 << 1;
const JITTER = 1 << 2;
const COMPANY = 1 << 3;
const USER_AGENT = 1 << 4;
const ENV_BASE_URL = 1 << 5;
const ENV_API_KEY = 1 << 6;
const ENV_COMPANY = 1 << 7;
const PAGE_ORIGIN = 1 << 8;
// Booleans: given, and their value.
const RATE_LIMIT = 1 << 9;
const RATE_LIMIT_ON = 1 << 10;
const AUTO_KEYS = 1 << 11;
const AUTO_KEYS_ON = 1 << 12;
const PACING = 1 << 13;
const PACING_ON = 1 << 14;
// `apiKey: false`, `retryBudget: false`, `userAgent: false`; the default User-Agent is sent.
const KEYLESS = 1 << 15;
const NO_BUDGET = 1 << 16;
const NO_USER_AGENT = 1 << 17;
const DEFAULT_USER_AGENT = 1 << 18;
// The JS values behind getters: `r` (retryStatuses), `l` (logger), `e` (a runtime check failed).
const STATUSES = 1 << 19;
const LOGGER = 1 << 20;
const RUNTIME_ERROR = 1 << 21;
// Bit 22 + i: number i + 1 was given (NaN is a value the policy refuses, not "absent").
const NUMBER = 22;

/** The error of a bad option: "VClient option `x` message" (as `ConfigError`'s Display). */
export function invalid(option, message, cause) {
  return new ConfigurationError(`VClient option \`${option}\` ${message}`, { option }, cause);
}

const read = (o, key, option, path) => readOnce(o, key, option, path, invalid);

/** `o[key]` where a throwing getter counts as absent (the runtime's globals). */
function peek(o, key) {
  try {
    return o == null ? undefined : o[key] ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * A copy of `o` with `names` read once each (inherited ones too, as a property access reads
 * them); a record under a `nested` name is copied by its own keys. `option` names the option
 * a throw is reported against (each name itself when not given); `prefix` starts the path.
 */
function snapshot(o, names, nested, option, prefix) {
  if (!isRecord(o)) return o;
  const out = {};
  for (const key of names) {
    const name = option ?? key;
    let v = read(o, key, name, prefix + key);
    if (v === undefined) continue;
    if (key === nested && isRecord(v)) {
      const inner = {};
      for (const k of Object.keys(v)) inner[k] = read(v, k, name, `${key}.${k}`);
      v = inner;
    }
    out[key] = v;
  }
  return out;
}

/** A value of one type (`null`/`undefined`: absent), or the message saying what was wanted. */
function typed(o, key, what, ok) {
  const v = o[key];
  if (v == null) return undefined;
  if (!ok(v)) throw invalid(key, `must be ${what}, got ${typeName(v)}`);
  return v;
}
const string = (o, key) => typed(o, key, 'a string', (v) => typeof v === 'string');
const number = (o, key) => typed(o, key, 'a number', (v) => typeof v === 'number');
const boolean = (o, key) => typed(o, key, 'a boolean', (v) => typeof v === 'boolean');

/** Whether this global is a browser page or worker, where the browser sets `User-Agent`. */
function inBrowser() {
  const g = globalThis;
  return peek(g, 'document') !== undefined
    || (peek(g, 'importScripts') !== undefined && peek(g, 'navigator') !== undefined);
}

/** `location.origin` in a browser page or worker (an `http(s)` origin), else `undefined`. */
function pageOrigin() {
  if (!inBrowser()) return undefined;
  const o = peek(peek(globalThis, 'location'), 'origin');
  return typeof o === 'string' && (o.startsWith('http://') || o.startsWith('https://')) ? o : undefined;
}

/**
 * One environment variable: from the `env` option (Workers bindings) if given, else
 * `process.env` (Node, Bun), else `Deno.env` when permission is already granted (never
 * prompting). Any throwing access counts as unset.
 */
function envVar(env, name) {
  const text = (v) => (typeof v === 'string' ? v : undefined);
  if (env !== undefined) return text(peek(env, name));
  const deno = peek(globalThis, 'Deno');
  const processEnv = peek(peek(globalThis, 'process'), 'env');
  if (processEnv !== undefined && deno === undefined) return text(peek(processEnv, name));
  const denoEnv = peek(deno, 'env');
  if (denoEnv === undefined) return undefined;
  try {
    const perms = deno.permissions;
    if (perms.querySync({ name: 'env', variable: name }).state !== 'granted') return undefined;
    return text(denoEnv.get(name));
  } catch {
    return undefined;
  }
}

/**
 * What this runtime lacks, checked after the options (src/js/options.rs throws it once the
 * policy has accepted them, as before). Only look at `crypto`: workerd forbids random numbers
 * outside a request, and a Worker may make its client at module scope.
 */
function runtimeError(spec) {
  if (typeof peek(peek(globalThis, 'crypto'), 'getRandomValues') !== 'function') {
    return invalid('crypto', 'is required: this runtime has no crypto.getRandomValues for idempotency keys');
  }
  if (spec.f === undefined) {
    const f = peek(globalThis, 'fetch');
    if (typeof f !== 'function') {
      return invalid('fetch', 'is required: this runtime has no global fetch; pass one as the `fetch` option');
    }
    spec.f = f;
    spec.g = globalThis;
  }
  return undefined;
}

/**
 * Copies the numbers `n` into `nums`, a view of wasm memory, with 1 in its last slot, once
 * no caller code can run any more. A getter that called into wasm and grew its memory has
 * detached the view by then (length 0): the engine then reads the copy `n` readOptions returns.
 */
function handOver(n, nums) {
  if (nums.length === n.length + 1) {
    nums.set(n);
    nums[n.length] = 1;
  }
}

/**
 * Reads and type-checks `new VClient(options)`'s options (`undefined`: all from the
 * environment), each read once: a throwing getter fails naming the option, the exception as
 * `cause`. Returns `{ n, t, f, g, l, r, e }`: `n` the numbers [flags, timeout, totalTimeout,
 * maxRetries, retryDelay, maxRetryDelay, retryBudget, maxResponseBytes, logLevel] (a flag bit
 * says which were given); `t` the strings as `len:text` fields (the flagged ones in flag order, then the
 * header pairs); `f` and `g` the fetch function and its `this`; `l` the logger; `r` the retry
 * statuses; `e` the `ConfigurationError` of a missing crypto or fetch. The numbers are also
 * copied into `nums`, a view of wasm memory, with 1 in its last slot.
 * Throws a `ConfigurationError` naming the option.
 */
export function readOptions(options, nums) {
  if (options !== undefined && typeof options !== 'object') {
    throw invalid('options', `must be an object, got ${typeName(options)}`);
  }
  const unknown = options == null ? undefined : Object.keys(options).find((k) => !OPTIONS.includes(k));
  if (unknown !== undefined) {
    throw invalid(unknown, `is not a VClient option (known options: ${OPTIONS.join(', ')})`);
  }
  const o = options == null ? {} : snapshot(options, OPTIONS, 'headers', undefined, '');
  // Only the three variables are read from `env` (a Worker's bindings hold much else).
  const env = o.env == null ? undefined : snapshot(o.env, ENV_NAMES, undefined, 'env', 'env.');

  let flags = 0;
  const strings = [];
  const text = (flag, s) => {
    if (s === undefined) return;
    flags |= flag;
    strings.push(s);
  };
  const given = (flag, on, b) => {
    if (b !== undefined) flags |= flag | (b ? on : 0);
  };
  // `apiKey: false` says on purpose that a proxy adds the key.
  const keyless = o.apiKey === false;
  let apiKey;
  if (keyless) flags |= KEYLESS;
  else if (o.apiKey != null && typeof o.apiKey !== 'string') {
    throw invalid('apiKey', `must be a string, got ${typeName(o.apiKey)} (or false when a proxy adds the key)`);
  } else apiKey = o.apiKey ?? undefined;
  const baseUrl = string(o, 'baseUrl');
  const n = [0, NaN, NaN, NaN, NaN, NaN, NaN, NaN, 1];
  const num = (i, v) => {
    if (v === undefined) return;
    n[i] = v;
    flags |= 1 << (NUMBER + i - 1);
  };
  ['timeout', 'totalTimeout', 'maxRetries', 'retryDelay', 'maxRetryDelay'].forEach((k, i) => num(i + 1, number(o, k)));
  const jitter = string(o, 'jitter');
  given(RATE_LIMIT, RATE_LIMIT_ON, boolean(o, 'autoRetryRateLimit'));
  given(AUTO_KEYS, AUTO_KEYS_ON, boolean(o, 'autoIdempotencyKeys'));
  const spec = { n, t: '', f: undefined, g: undefined, l: undefined, r: undefined, e: undefined };
  const statuses = o.retryStatuses;
  if (statuses != null) {
    if (!Array.isArray(statuses)) throw invalid('retryStatuses', `must be an array of numbers, got ${typeName(statuses)}`);
    const bad = statuses.findIndex((x) => typeof x !== 'number');
    if (bad >= 0) throw invalid('retryStatuses', `must hold only numbers, got ${typeName(statuses[bad])}`);
    spec.r = new Float64Array(statuses);
    flags |= STATUSES;
  }
  const company = string(o, 'defaultCompanyId');
  const pairs = [];
  headerPairs(o.headers, pairs, invalid);
  if (o.retryBudget === false) flags |= NO_BUDGET;
  else if (o.retryBudget != null) {
    if (typeof o.retryBudget !== 'number') {
      throw invalid('retryBudget', `must be false or a number of tokens, got ${typeName(o.retryBudget)}`);
    }
    num(6, o.retryBudget);
  }
  given(PACING, PACING_ON, boolean(o, 'pacing'));
  num(7, number(o, 'maxResponseBytes'));
  const level = string(o, 'logLevel');
  if (level !== undefined) {
    n[8] = LEVELS.indexOf(level);
    if (n[8] < 0) throw invalid('logLevel', `must be "debug", "info", "warn" or "error", got ${quoted(level)}`);
  }
  if (o.logger != null) {
    if (typeof o.logger !== 'object' && typeof o.logger !== 'function') {
      throw invalid('logger', `must be a console-like object or a function, got ${typeName(o.logger)}`);
    }
    spec.l = o.logger;
    flags |= LOGGER;
  }
  let userAgent;
  if (o.userAgent === false) flags |= NO_USER_AGENT;
  else if (o.userAgent != null) {
    if (typeof o.userAgent !== 'string') throw invalid('userAgent', `must be a string or false, got ${typeName(o.userAgent)}`);
    userAgent = o.userAgent;
  } else if (!inBrowser()) flags |= DEFAULT_USER_AGENT;
  if (env !== undefined && typeof env !== 'object') {
    throw invalid('env', `must be an object of strings, got ${typeName(env)}`);
  }
  // Only look up what was not given: in Deno every lookup may need a permission.
  const lookup = (value, name) => (value ? undefined : envVar(env, name));
  text(BASE_URL, baseUrl);
  text(API_KEY, apiKey);
  text(JITTER, jitter);
  text(COMPANY, company);
  text(USER_AGENT, userAgent);
  text(ENV_BASE_URL, lookup(baseUrl, ENV_NAMES[0]));
  if (!keyless) text(ENV_API_KEY, lookup(apiKey, ENV_NAMES[1]));
  text(ENV_COMPANY, lookup(company, ENV_NAMES[2]));
  text(PAGE_ORIGIN, pageOrigin());
  // `setAsDefault` (default true, as the reference) is checked here; the registry
  // (pkg-template/dist/registry.js) acts on it.
  boolean(o, 'setAsDefault');
  spec.f = typed(o, 'fetch', 'a function', (v) => typeof v === 'function');
  spec.e = runtimeError(spec);
  if (spec.e !== undefined) flags |= RUNTIME_ERROR;
  n[0] = flags;
  let t = '';
  for (const s of strings) t += field(s);
  for (const s of pairs) t += field(s);
  spec.t = t;
  handOver(n, nums);
  return spec;
}
