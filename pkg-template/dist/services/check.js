// Schema checks for service requests and responses, compiled once per schema from the
// generated table (./catalog.js) into closures: a 1,000-item page is checked without
// building a path or a message unless an item fails.
//
// The type grammar (one `field[!]:type` per field, `!` = required):
//   s string, b boolean, n number, i integer, o any object, * anything,
//   ?T T or null, [T array of T, mT object whose values are T, @N schema N, eN enum N.
// Messages and paths are those of the Rust checker they replaced (src/catalog/schema.rs).

import { ENUMS, SCHEMAS } from './catalog.js';

/** How deep a value may nest before it is refused (hostile input, not real data). */
export const MAX_DEPTH = 32;

/** The kind a value has in messages: JSON's kinds, `undefined` as null. */
export function describe(v) {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'boolean': return 'a boolean';
    case 'object': return Array.isArray(v) ? 'an array' : 'an object';
    default: return 'not JSON';
  }
}

function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `s` in double quotes, escaped as the messages show user text. */
export function quoted(s) {
  let out = '"';
  for (const c of s) {
    const code = c.codePointAt(0);
    if (c === '"') out += '\\"';
    else if (c === '\\') out += '\\\\';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += `\\u{${code.toString(16)}}`;
    else out += c;
  }
  return out + '"';
}

/**
 * A failed check: `message`, and the path's segments innermost first (`push` as the failure
 * bubbles up, so a passing value costs no path strings).
 */
class Mismatch {
  constructor(message) {
    this.message = message;
    this.segments = [];
  }

  /** `items[0].name`: keys joined by dots, indexes in brackets. */
  get path() {
    let out = '';
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const s = this.segments[i];
      if (typeof s === 'number') out += `[${s}]`;
      else out += out ? `.${s}` : s;
    }
    return out;
  }
}

function fail(message) {
  return new Mismatch(message);
}

function want(what, v) {
  return fail(`must be ${what}, got ${describe(v)}`);
}

const deep = () => fail(`is nested deeper than ${MAX_DEPTH} levels`);

const enumSets = [];

/** Whether enum `i` allows the text `value`, else the message naming the allowed values. */
export function enumAllows(i, value) {
  const e = ENUMS[i];
  if (!e) return 'has an unknown enum';
  const set = (enumSets[i] ??= new Set(e[1].map(String)));
  if (set.has(value)) return undefined;
  const hint = e[2] === undefined ? '' : `; ${e[2]}`;
  return `must be one of ${e[1].join(', ')} (${e[0]}${hint}), got ${quoted(value)}`;
}

function enumChecker(i) {
  const e = ENUMS[i];
  if (!e) return () => undefined;
  const numeric = typeof e[1][0] === 'number';
  return (v) => {
    let text;
    if (numeric) text = typeof v === 'number' && Number.isInteger(v) ? String(v) : undefined;
    else text = typeof v === 'string' ? v : undefined;
    if (text === undefined) return fail(`must be ${numeric ? 'a number' : 'a string'} (${e[0]}), got ${describe(v)}`);
    const m = enumAllows(i, text);
    return m === undefined ? undefined : fail(m);
  };
}

/** The checker of type `ty` on `side` (`request` or `response`): `(value, depth) => Mismatch?`. */
function compile(ty, request) {
  const head = ty[0];
  const rest = ty.slice(1);
  switch (head) {
    case '?': {
      const inner = compile(rest, request);
      return (v, d) => (v === null || v === undefined ? undefined : inner(v, d));
    }
    case 's': return (v) => (typeof v === 'string' ? undefined : want('a string', v));
    case 'b': return (v) => (typeof v === 'boolean' ? undefined : want('a boolean', v));
    case 'n': return (v) => (typeof v === 'number' ? undefined : want('a number', v));
    case 'i': return (v) => {
      if (typeof v !== 'number') return want('an integer', v);
      return Number.isInteger(v) ? undefined : fail(`must be an integer, got ${v}`);
    };
    case 'o': return (v) => (isObject(v) ? undefined : want('an object', v));
    case '@': return objectChecker(Number(rest), request);
    case 'e': return enumChecker(Number(rest));
    case '[': {
      const item = compile(rest, request);
      return (v, d) => {
        if (d > MAX_DEPTH) return deep();
        if (!Array.isArray(v)) return want('an array', v);
        for (let i = 0; i < v.length; i++) {
          const m = item(v[i], d + 1);
          if (m !== undefined) { m.segments.push(i); return m; }
        }
        return undefined;
      };
    }
    case 'm': {
      const item = compile(rest, request);
      return (v, d) => {
        if (d > MAX_DEPTH) return deep();
        if (!isObject(v)) return want('an object', v);
        for (const k of Object.keys(v)) {
          const x = v[k];
          if (x === undefined) continue;
          const m = item(x, d + 1);
          if (m !== undefined) { m.segments.push(k); return m; }
        }
        return undefined;
      };
    }
    default: return () => undefined;
  }
}

const compiled = [new Map(), new Map()];

/** The checker of object schema `index` (compiled on first use; recursive schemas allowed). */
function objectChecker(index, request) {
  const cache = compiled[request ? 1 : 0];
  let c = cache.get(index);
  if (c) return c;
  const entry = SCHEMAS[index];
  if (!entry) return () => undefined;
  const name = entry[0];
  // Filled after the cache entry exists, so a schema that contains itself finds it.
  let fields = null;
  let known = null;
  c = (v, d) => {
    if (!isObject(v)) return fail(`must be an object (${name}), got ${describe(v)}`);
    if (d > MAX_DEPTH) return deep();
    if (request) {
      for (const k of Object.keys(v)) {
        if (v[k] !== undefined && !known.has(k)) {
          const m = fail(`is not a field of ${name} (fields: ${[...known].join(', ')})`);
          m.segments.push(k);
          return m;
        }
      }
    }
    for (let f = 0; f < fields.length; f++) {
      const [key, required, check] = fields[f];
      const x = v[key];
      let m;
      if (x === undefined) {
        if (required) m = fail(`is required (${name})`);
      } else if (!(request && x === null && !required)) {
        m = check(x, d + 1);
      }
      if (m !== undefined) { m.segments.push(key); return m; }
    }
    return undefined;
  };
  cache.set(index, c);
  fields = entry[1].split(',').filter(Boolean).map((f) => {
    const colon = f.indexOf(':');
    const key = f.slice(0, colon);
    const required = key.endsWith('!');
    return [required ? key.slice(0, -1) : key, required, compile(f.slice(colon + 1), request)];
  });
  known = new Set(fields.map((f) => f[0]));
  return c;
}

/** Index of object schema `name` in the table, or -1. */
export function schemaIndex(name) {
  return SCHEMAS.findIndex((s) => s[0] === name);
}

/**
 * Checks `value` against object schema `index`: `undefined`, or `{ path, message }` naming
 * the first field that does not fit. `side` is `"request"` (unknown fields refused, `null`
 * unsets an optional field) or `"response"` (unknown fields tolerated).
 */
export function check(index, value, side) {
  const m = objectChecker(index, side === 'request')(value, 0);
  return m === undefined ? undefined : { path: m.path, message: m.message };
}

/**
 * Checks each item of `items` against object schema `index` as a response; a failure's
 * path starts with `prefix[i]` (`items[3].name`).
 */
export function checkItems(index, items, prefix) {
  const c = objectChecker(index, false);
  for (let i = 0; i < items.length; i++) {
    const m = c(items[i], 0);
    if (m !== undefined) {
      const inner = m.path;
      return { path: `${prefix}[${i}]${inner ? `.${inner}` : ''}`, message: m.message };
    }
  }
  return undefined;
}

/** Checks `value` against a type of the grammar above (`[i`, `e14`, ...), as `check` does. */
export function checkType(ty, value, side) {
  const m = compile(ty, side === 'request')(value, 0);
  return m === undefined ? undefined : { path: m.path, message: m.message };
}

/** A response body of an operation: one object, or (`list`) an array of them. */
export function checkResponse(index, value, list) {
  if (!list) return check(index, value, 'response');
  if (!Array.isArray(value)) return { path: '', message: 'must be an array' };
  return checkItems(index, value, '');
}
