// A service call's arguments turned into one raw call of the client: the path, and the
// options object for `request()` / `getPage()` / `listAll()` / `paginate()`. Every check
// happens here, before any I/O; a bad argument throws an `Invalid` naming it.

import { check, enumAllows } from './check.js';
import { DATE_FIELDS } from './catalog.js';
import { encode, fillPath, PathSegment, typeName, unknownKey } from './query.js';
import { jsName } from './ops.js';

/** A bad argument: `field` names it, `message` says why, `cause` is what a getter threw. */
export class Invalid extends Error {
  constructor(field, message, cause) {
    super(message);
    this.field = field;
    this.cause = cause;
  }
}

/** Modes of a paginated operation's three methods; a plain call is `CALL`. */
export const CALL = 0;
export const PAGE = 1;
export const LIST_ALL = 2;
export const ITERATE = 3;

// The request options every method takes; `useKnobs` replaces them with the client's own
// list (the glue's CALL_OPTION_KNOBS), so a per-call option added there reaches the services.
let KNOBS = ['signal', 'timeout', 'headers'];

/** Takes the knob names from the client's list (`idempotencyKey` only where a body goes). */
export function useKnobs(all) {
  KNOBS = all.filter((k) => k !== 'idempotencyKey');
}

/** The request options a method takes (its last argument). */
export function knobNames(op) {
  return op.allowsBody ? [...KNOBS, 'idempotencyKey'] : KNOBS;
}

/** The API data a method's `params` takes: paging keys for its mode, then its filters. */
export function paramNames(op, mode) {
  const paging = mode === CALL ? [] : mode === PAGE ? ['limit', 'offset'] : ['limit'];
  return [...paging, ...op.query.map((q) => q.wire)];
}

const isObject = (v) => typeof v === 'object' && v !== null;
const isRecord = (v) => isObject(v) && !Array.isArray(v)
  && !(typeof Headers === 'function' && v instanceof Headers);
/** A property that is set: `undefined` and `null` count as absent, as does a getter that throws
 * (the values that matter are read once, by `snapshot`, which reports a throw). */
function prop(o, k) {
  if (!isObject(o)) return undefined;
  try {
    return o[k] ?? undefined;
  } catch {
    return undefined;
  }
}

function snakeCase(key) {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * `v` if it is an object (or absent) with only `known` keys; else a message naming the
 * stray key and, when it is one, where it belongs (`other`: the other argument's keys).
 */
export function plainObject(name, v, known, other) {
  if (!(v === undefined || v === null || isObject(v)) || Array.isArray(v)) {
    throw new Invalid(name, `must be an object, got ${typeName(v)}`);
  }
  if (!isObject(v)) return v;
  const key = Object.keys(v).find((k) => !known.includes(k));
  if (key === undefined) return v;
  let message = unknownKey(key, known);
  const snake = snakeCase(key);
  if (other.includes(key)) {
    message += name === 'params'
      ? `: \`${key}\` is a request option, for the last argument (options)`
      : `: \`${key}\` is API data, for the params argument before options`;
  } else if (snake !== key && (known.includes(snake) || other.includes(snake))) {
    message += `: API data keeps the API's names, \`${snake}\``;
  } else if (key === 'pageSize' && known.includes('limit')) {
    message += ': the page size is `limit`, the API\'s name';
  }
  throw new Invalid(name, message);
}

/**
 * A copy of `obj` with each of `names` read once (and, for `nested`, their own keys): a
 * getter that throws fails the call naming it, rather than the value being dropped.
 */
export function snapshot(obj, names, nested, field) {
  if (!isRecord(obj)) return obj;
  const copy = {};
  for (const key of names) {
    const at = (path, error) => {
      const where = field === undefined ? path : `${field}.${path}`;
      return new Invalid(field ?? key,
        `could not be read: the getter of \`${where}\` threw (see this error's cause)`, error);
    };
    let v;
    try { v = obj[key]; } catch (e) { throw at(key, e); }
    if (v === undefined) continue;
    if (nested.includes(key) && isRecord(v)) {
      const inner = {};
      for (const k of Object.keys(v)) {
        try { inner[k] = v[k]; } catch (e) { throw at(`${key}.${k}`, e); }
      }
      v = inner;
    }
    copy[key] = v;
  }
  return copy;
}

/** A non-empty string argument, or an `Invalid` naming it. */
export function id(name, v) {
  if (typeof v === 'string' && v !== '') return v;
  throw new Invalid(name, `must be a non-empty string, got ${v === '' ? 'an empty string' : typeName(v)}`);
}

/** A body object as plain data, each property read once. */
function readOnce(value, field) {
  return snapshot(value, isObject(value) ? Object.keys(value) : [], [], field);
}

/** A copy of a body object for sending: `undefined` dropped, `null` unless it clears a value. */
function shape(op, value) {
  const out = {};
  if (!isObject(value)) return out;
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (v === undefined || (v === null && !op.body.sendsNull(key))) continue;
    out[key] = v;
  }
  return out;
}

/** How an error names body field `path`: its positional argument, else under `prefix`. */
function bodyField(op, path, prefix) {
  const argument = op.args.find((a) => a.kind === 'field' && a.wire === path);
  let field;
  if (argument) field = argument.js;
  else if (path === '') field = prefix;
  else if (prefix === '') field = path;
  else field = `${prefix}.${path}`;
  return field === '' ? 'body' : field;
}

/**
 * `value` with each `Date` in a date field of the body schema replaced by the text the API
 * takes (`toISOString()`, or its date part for a `date` field); a copy when anything changes.
 */
function withDates(op, value, prefix) {
  const schema = op.body.schema;
  if (schema === undefined) return value;
  let copy;
  for (const [s, field, dateOnly] of DATE_FIELDS) {
    if (s !== schema) continue;
    const date = prop(value, field);
    if (!(date instanceof Date)) continue;
    if (!Number.isFinite(date.getTime())) {
      throw new Invalid(bodyField(op, field, prefix), 'must be a valid Date, got an invalid Date');
    }
    const iso = date.toISOString();
    copy ??= Object.assign({}, value);
    copy[field] = dateOnly ? iso.split('T')[0] : iso;
  }
  return copy ?? value;
}

function checkBody(op, value, prefix) {
  if (op.body.schema === undefined) return;
  const m = check(op.body.schema, value, 'request');
  if (m) throw new Invalid(bodyField(op, m.path, prefix), m.message);
}

/**
 * The raw call for method `mode` of `op` with the caller's `args`, in `scope` (the service's
 * `values`: wire name → id, and its `onBehalfOf`): `{ path, init }`.
 */
export function prepare(op, mode, args, scope) {
  const n = op.args.length;
  // A list method always takes `params` (its paging); a call only when it has filters.
  const hasParams = mode !== CALL || op.query.length > 0;
  const max = n + (hasParams ? 1 : 0) + 1;
  if (args.length > max) {
    const names = op.args.map((a) => `${a.js}, `).join('');
    throw new Invalid('arguments', `${op.name} takes at most ${max} arguments (${names}${hasParams ? 'params, ' : ''}options), got ${args.length}`);
  }
  const data = paramNames(op, mode);
  const knobs = knobNames(op);
  if (mode > PAGE && prop(args[n], 'offset') !== undefined) {
    throw new Invalid('offset', 'is not a param of listAll or iterAll: they always start at offset 0');
  }
  let params = hasParams ? plainObject('params', args[n], data, knobs) : undefined;
  let options = plainObject('options', args[max - 1], knobs, data);
  params = snapshot(params, data, []);
  options = snapshot(options, knobs, ['headers']);

  const values = new Map(scope.values);
  const init = {};
  const pairs = [];
  let body;
  for (let i = 0; i < n; i++) {
    const a = op.args[i];
    const v = args[i];
    switch (a.kind) {
      case 'path': {
        const value = id(a.js, v);
        if (a.enumeration !== undefined) {
          const m = enumAllows(a.enumeration, value);
          if (m !== undefined) throw new Invalid(a.js, m);
        }
        values.set(a.wire, value);
        break;
      }
      case 'query':
        pairs.push([a.wire, id(a.js, v)]);
        break;
      case 'field': {
        body ??= {};
        const value = v === undefined && a.default !== undefined ? JSON.parse(a.default) : v;
        if (!(value === undefined || (value === null && !op.body.sendsNull(a.wire)))) body[a.wire] = value;
        break;
      }
      case 'body': {
        if (!isObject(v) || Array.isArray(v)) throw new Invalid('body', `must be an object, got ${typeName(v)}`);
        const value = withDates(op, readOnce(v, 'body'), '');
        checkBody(op, value, '');
        init.json = shape(op, value);
        break;
      }
      case 'array': {
        if (!Array.isArray(v)) throw new Invalid(a.js, `must be an array, got ${typeName(v)}`);
        init.json = v.map((raw, j) => {
          const at = `${a.js}[${j}]`;
          const item = withDates(op, readOnce(raw, at), at);
          checkBody(op, item, at);
          return shape(op, item);
        });
        break;
      }
      default:
        init.file = prop(v, 'data') !== undefined && typeof v !== 'string' ? v : { data: v };
    }
  }
  if (body) {
    body = withDates(op, body, '');
    checkBody(op, body, '');
    init.json = body;
  }
  if (op.body.kind === 'multipart' && prop(init, 'file') === undefined) throw new Invalid('file', 'is required');
  for (const spec of op.query) {
    try {
      pairs.push(...encode(spec, prop(params, spec.wire)));
    } catch (e) {
      throw new Invalid(spec.wire, e.message);
    }
  }
  let path;
  try {
    path = fillPath(op.path, (name) => values.get(name));
  } catch (e) {
    if (!(e instanceof PathSegment)) throw e;
    throw new Invalid(jsName(e.segment), 'must not be empty, "." or ".." (a path segment that would address another resource)');
  }
  if (pairs.length > 0) {
    const query = {};
    for (const [k, v] of pairs) {
      const prev = query[k];
      if (prev === undefined) query[k] = v;
      else if (Array.isArray(prev)) prev.push(v);
      else query[k] = [prev, v];
    }
    init.query = query;
  }
  // Paging numbers are API data: the pager reads them from the query, as the raw calls
  // take them. On a plain call `limit` is a filter, already in the query.
  if (mode !== CALL) {
    for (const key of ['limit', 'offset']) {
      if (prop(params, key) !== undefined) (init.query ??= {})[key] = params[key];
    }
  }
  for (const key of knobs) if (prop(options, key) !== undefined) init[key] = options[key];
  if (op.onBehalfOf !== 'never' && scope.onBehalfOf !== undefined) init.onBehalfOf = scope.onBehalfOf;
  if (op.response === 'bytes') {
    let headers;
    try {
      headers = new Headers(prop(options, 'headers') ?? {});
    } catch {
      throw new Invalid('headers', 'must be a Headers, an object or [name, value] pairs');
    }
    if (!headers.has('accept')) headers.set('Accept', 'application/zip');
    init.headers = headers;
    init.responseType = 'bytes';
  }
  if (op.maxLimit !== undefined) init.maxLimit = op.maxLimit;
  return { path, init };
}
