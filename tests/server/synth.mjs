// Deterministic JSON values synthesised from OpenAPI 3.x schemas (components.schemas).
//
//   createSynth(schemas).value(schema | 'SchemaName', options) -> a JSON value
//   stableUuid(seed)   -> a UUIDv7-looking id derived from the seed (same seed, same id)
//
// Rules: `$ref` is followed; `allOf` parts are merged; `anyOf`/`oneOf` take the first
// non-null alternative; `nullable` is ignored (a value is always produced); a `type` list
// takes its first non-null type; arrays get `minItems` (at least one) elements; `enum`
// takes its first non-null value; a non-empty `default` is used when present. Every
// property is filled, required or not. Strings honour `format` (uuid, date-time, date,
// email, uri) and `minLength`/`maxLength`; numbers honour minimum/maximum (inclusive and
// exclusive). A map (`additionalProperties` without `properties`) gets one `example` entry.
//
// Options of value():
//   seed     a string; every id and string below is derived from it and the property path,
//            so two seeds give distinct ids and one seed always gives the same value
//   params   {name: value}: a string property with one of these names takes the value, at
//            any depth (path parameters: company_id, campaign_id, user_id, ...)
//   id       the value of the top-level object's `id`
//   echo     {name: scalar}: top-level scalar properties take these values when the value
//            fits the property's type, enum and format (a request body echoed back)
// An object property `x` whose schema has no `x_id` property gets `id = params.x_id`
// (e.g. the `character` of a full sheet fetched under /characters/{character_id}).
import { createHash } from 'node:crypto';

export const FAKE_DATE_TIME = '2026-07-15T12:00:00Z';
export const FAKE_DATE = '2026-07-15';
const BASE_MS = Date.parse(FAKE_DATE_TIME);
const MAX_DEPTH = 16;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function digest(seed) {
  return createHash('sha256').update(String(seed)).digest();
}

/** A UUIDv7-looking id: 48-bit ms timestamp (within 30 days after FAKE_DATE_TIME), version 7, variant 10. */
export function stableUuid(seed) {
  const h = digest(seed);
  const b = Buffer.from(h.subarray(0, 16));
  b.writeUIntBE(BASE_MS + (h.readUInt32BE(16) % (30 * 86_400_000)), 0, 6);
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = b.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function shortHex(seed, n = 6) {
  return digest(seed).toString('hex').slice(0, n);
}

function alnum(seed, n) {
  const h = digest(seed);
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[h[i % h.length] % ALNUM.length];
  return s;
}

function isNullSchema(s) {
  return s && (s.type === 'null' || (Array.isArray(s.type) && s.type.length === 1 && s.type[0] === 'null'));
}

function firstType(s) {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null') ?? 'null';
  return s.type;
}

function clampNumber(s, start, integer) {
  let v = start;
  const exMin = typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum
    : (s.exclusiveMinimum === true && typeof s.minimum === 'number' ? s.minimum : undefined);
  const exMax = typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum
    : (s.exclusiveMaximum === true && typeof s.maximum === 'number' ? s.maximum : undefined);
  if (typeof s.minimum === 'number' && exMin === undefined) v = Math.max(v, integer ? Math.ceil(s.minimum) : s.minimum);
  if (exMin !== undefined) v = Math.max(v, integer ? Math.floor(exMin) + 1 : exMin + 0.5);
  if (typeof s.maximum === 'number' && exMax === undefined) v = Math.min(v, integer ? Math.floor(s.maximum) : s.maximum);
  if (exMax !== undefined) v = Math.min(v, integer ? Math.ceil(exMax) - 1 : exMax - 0.5);
  return v;
}

/** Does a scalar from a request body fit a (resolved, non-null) property schema? */
function fits(v, s) {
  if (v === null || typeof v === 'object') return false;
  if (Array.isArray(s.enum) && !s.enum.includes(v)) return false;
  switch (firstType(s)) {
    case 'string':
      if (typeof v !== 'string') return false;
      if (s.format === 'uuid') return UUID_RE.test(v);
      if (s.format === 'date-time') return /T/.test(v) && !Number.isNaN(Date.parse(v));
      if (s.format === 'date') return /^\d{4}-\d\d-\d\d$/.test(v);
      return true;
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return false;
  }
}

export function createSynth(schemas) {
  function deref(ref) {
    const name = ref.split('/').pop();
    const s = schemas[name];
    if (!s) throw new Error(`unknown schema ${ref}`);
    return [name, s];
  }

  /** Follows $ref and takes the first non-null alternative, for property-level decisions. */
  function leaf(schema, hops = 0) {
    let s = schema ?? {};
    for (let i = 0; i < 32 + hops; i++) {
      if (s.$ref) s = deref(s.$ref)[1];
      else if (s.oneOf || s.anyOf) {
        const alt = (s.oneOf ?? s.anyOf).find((a) => !isNullSchema(a));
        if (!alt) return { type: 'null' };
        s = alt;
      } else if (s.allOf && s.allOf.length === 1) s = s.allOf[0];
      else return s;
    }
    return s;
  }

  function str(s, key, seed) {
    let v;
    const k = (key ?? '').toLowerCase();
    if (s.format === 'uuid') return stableUuid(seed);
    if (s.format === 'date-time') v = FAKE_DATE_TIME;
    else if (s.format === 'date') v = FAKE_DATE;
    else if (s.format === 'email' || k === 'email' || k.endsWith('_email')) v = 'user@example.com';
    else if (s.format === 'uri' || s.format === 'url' || k === 'url' || k.endsWith('_url') || k === 'link') {
      v = `https://example.com/${k || 'resource'}/${shortHex(seed)}`;
    } else if (k === 'mime_type' || k === 'content_type') v = 'image/png';
    else if (k.endsWith('filename')) v = `file-${shortHex(seed)}.png`;
    else if (k === 'api_key') v = alnum(seed, 32);
    else v = `${key || 'value'}-${shortHex(seed)}`;
    if (typeof s.minLength === 'number' && v.length < s.minLength) v = v.padEnd(s.minLength, 'x');
    if (typeof s.maxLength === 'number' && v.length > s.maxLength) v = v.slice(0, s.maxLength);
    return v;
  }

  function gen(schema, key, seed, ctx, stack, depth, node) {
    let s = schema;
    if (s === true || s === undefined || s === null) s = {};
    if (s.$ref) {
      const [name, target] = deref(s.$ref);
      if (stack.includes(name) || depth > MAX_DEPTH) return firstType(target) === 'array' ? [] : {};
      return gen(target, key, seed, ctx, [...stack, name], depth, node);
    }
    if (Array.isArray(s.allOf) && s.allOf.length) {
      const parts = s.allOf.map((p) => gen(p, key, seed, ctx, stack, depth, node));
      if (parts.every((p) => p && typeof p === 'object' && !Array.isArray(p))) return Object.assign({}, ...parts);
      return parts[0];
    }
    if (s.oneOf || s.anyOf) {
      const alt = (s.oneOf ?? s.anyOf).find((a) => !isNullSchema(a));
      return alt ? gen(alt, key, seed, ctx, stack, depth, node) : null;
    }
    if ('const' in s) return s.const;
    if (Array.isArray(s.enum) && s.enum.length) return s.enum.find((v) => v !== null) ?? null;
    if ('default' in s && s.default !== null && s.default !== '' && typeof s.default !== 'object') {
      return s.default;
    }
    let type = firstType(s);
    if (!type) type = s.properties || s.additionalProperties ? 'object' : s.items ? 'array' : 'any';
    switch (type) {
      case 'null':
        return null;
      case 'string':
        return str(s, key, seed);
      case 'integer':
        return clampNumber(s, 1, true);
      case 'number':
        return clampNumber(s, 1.5, false);
      case 'boolean':
        return false;
      case 'array': {
        const n = Math.max(1, s.minItems ?? 1);
        const out = [];
        for (let i = 0; i < n; i++) out.push(gen(s.items ?? {}, key, `${seed}[${i}]`, ctx, stack, depth + 1, {}));
        return out;
      }
      case 'object':
        return obj(s, seed, ctx, stack, depth, node);
      default:
        return str({}, key, seed);
    }
  }

  function obj(s, seed, ctx, stack, depth, node) {
    const out = {};
    const props = s.properties ?? {};
    for (const [p, ps] of Object.entries(props)) {
      const l = leaf(ps);
      const lt = firstType(l);
      if (p === 'id' && node.id !== undefined) {
        out[p] = node.id;
      } else if (ctx.params[p] !== undefined && (lt === 'string' || lt === undefined)) {
        out[p] = ctx.params[p];
      } else if (node.top && ctx.echo && Object.hasOwn(ctx.echo, p) && fits(ctx.echo[p], l)) {
        out[p] = ctx.echo[p];
      } else {
        const idKey = `${p}_id`;
        const childId = lt === 'object' && ctx.params[idKey] !== undefined && !l.properties?.[idKey]
          ? ctx.params[idKey] : undefined;
        out[p] = gen(ps, p, `${seed}.${p}`, ctx, stack, depth + 1, { id: childId });
      }
    }
    const ap = s.additionalProperties;
    if (Object.keys(props).length === 0 && ap && depth <= MAX_DEPTH) {
      out.example = gen(ap === true ? {} : ap, 'example', `${seed}.example`, ctx, stack, depth + 1, {});
    }
    return out;
  }

  return {
    schemas,
    leaf,
    /**
     * A value for `schema` (a schema object, or the name of a components schema).
     * options: { seed = '', params = {}, id, echo }
     */
    value(schema, options = {}) {
      const s = typeof schema === 'string' ? { $ref: `#/components/schemas/${schema}` } : schema;
      const ctx = { params: options.params ?? {}, echo: options.echo ?? null };
      return gen(s, options.key, options.seed ?? '', ctx, [], 0, { id: options.id, top: true });
    },
  };
}
