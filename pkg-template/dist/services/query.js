// A service method's filters as query pairs, as the reference sends them: booleans as
// `true`/`false`, lists repeated or comma-joined, nulls dropped, enum values and integer
// bounds checked before sending; and path templates filled with checked segments.

import { enumAllows, quoted } from './check.js';

/** A filter value as its messages describe it (`the number 1`, `an invalid Date`). */
function describe(v) {
  if (v === undefined || v === null) return 'nothing';
  switch (typeof v) {
    case 'string': return 'a string';
    case 'number': return `the number ${v}`;
    case 'boolean': return String(v);
    default:
      if (Array.isArray(v)) return 'an array';
      if (v instanceof Date) return Number.isFinite(v.getTime()) ? 'a Date' : 'an invalid Date';
      return typeName(v);
  }
}

/** `typeof`, except `null` and arrays: the wording of argument errors (`got an array`). */
export function typeName(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

const isDate = (v) => v instanceof Date && Number.isFinite(v.getTime());

function text(spec, v) {
  if (typeof v !== 'string') throw new Error(`must be a string, got ${describe(v)}`);
  if (spec.enumeration !== undefined) {
    const m = enumAllows(spec.enumeration, v);
    if (m !== undefined) throw new Error(m);
  }
  return v;
}

/** The value a missing filter takes when the reference always sends it. */
function defaultOf(spec) {
  const d = spec.default;
  if (spec.type === 'integer') return /^-?\d+$/.test(d) ? Number(d) : 0;
  if (spec.type === 'boolean') return d === 'true';
  return d.replace(/^"+|"+$/g, '');
}

/**
 * The query pairs of filter `spec` given `value` (`undefined`/`null`: not given), or an
 * `Error` whose message is the problem (`must be one of …`), for the caller to name.
 */
export function encode(spec, value) {
  const pairs = (v) => [[spec.wire, v]];
  if (value === undefined || value === null) {
    if (spec.required) throw new Error('is required');
    if (!spec.always || spec.default === undefined) return [];
    value = defaultOf(spec);
  }
  switch (spec.type) {
    case 'text': return pairs(text(spec, value));
    case 'boolean':
      if (typeof value !== 'boolean') throw new Error(`must be a boolean, got ${describe(value)}`);
      return value === false && spec.onlyIfTrue ? [] : pairs(String(value));
    case 'integer': {
      if (!Number.isInteger(value)) throw new Error(`must be an integer, got ${describe(value)}`);
      const low = spec.min !== undefined && value < spec.min;
      const high = spec.max !== undefined && value > spec.max;
      if (low || high) {
        throw new Error(`must be an integer from ${spec.min ?? '-'} to ${spec.max ?? '-'}, got ${value}`);
      }
      return pairs(String(value));
    }
    case 'date-time':
      if (typeof value === 'string') return pairs(value);
      if (isDate(value)) return pairs(value.toISOString());
      throw new Error(`must be a Date or an ISO 8601 string, got ${describe(value)}`);
    default: {
      let items;
      if (Array.isArray(value)) items = value;
      else if (typeof value === 'string') items = [value];
      else throw new Error(`must be an array of strings, got ${describe(value)}`);
      const texts = [];
      for (const item of items) {
        if (item === undefined || item === null) continue;
        try {
          texts.push(text(spec, item));
        } catch (e) {
          throw new Error(`item ${e.message}`);
        }
      }
      if (texts.length === 0) return [];
      return spec.comma ? pairs(texts.join(',')) : texts.map((t) => [spec.wire, t]);
    }
  }
}

const STRICT = /[!'()*]/g;

/** RFC 3986: unreserved characters stay, every other UTF-8 byte becomes `%XX`. */
export function encodeComponent(s) {
  const well = typeof s.toWellFormed === 'function' ? s.toWellFormed() : s;
  return encodeURIComponent(well).replace(STRICT, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * `template` with each `{name}` replaced by `value(name)`, encoded; the name of the first
 * segment that is missing, empty, `.` or `..` is thrown (it would address another resource).
 */
export function fillPath(template, value) {
  return template.replace(/\{([^}]*)\}/g, (_, name) => {
    const v = value(name) ?? '';
    if (v === '' || v === '.' || v === '..') throw new PathSegment(name);
    return encodeComponent(v);
  });
}

/** A path segment `fillPath` refused: `name` is its wire name. */
export class PathSegment extends Error {
  constructor(name) {
    super(name);
    this.segment = name;
  }
}

/** The message for a key an object should not have, listing the ones it may. */
export function unknownKey(key, known) {
  return `has the unknown key ${quoted(key)} (known: ${known.join(', ')})`;
}
