// The operations of ./catalog.js read into objects, each on first use (a page of a service
// touches one or two of the 170 lines, not all).

import { OPS } from './catalog.js';

const QUERY_TYPES = { s: 'text', i: 'integer', b: 'boolean', d: 'date-time', l: 'list' };
const BODY_KINDS = { j: 'json', a: 'array', m: 'multipart', n: 'none', '': 'none' };
const RESPONSES = { s: 'single', p: 'paginated', 0: 'noContent', l: 'list', r: 'raw', y: 'bytes' };
const OBO = { n: 'never', r: 'required', o: 'optional' };

/** `campaign_id` → `campaignId`: the JS spelling of a wire name. */
export function jsName(wire) {
  let out = '';
  let upper = false;
  for (const c of wire) {
    if (c === '_') upper = true;
    else {
      out += upper ? c.toUpperCase() : c;
      upper = false;
    }
  }
  return out;
}

const index = (s) => (s === '' || s === undefined ? undefined : Number(s));

function arg(spec) {
  const [kind, ...rest] = spec.split(':');
  switch (kind) {
    case 'p': return { kind: 'path', wire: rest[0], js: rest[1], enumeration: index(rest[2]) };
    case 'q': return { kind: 'query', wire: rest[0], js: rest[1] };
    case 'f': {
      const joined = rest.slice(1).join(':');
      const eq = joined.indexOf('=');
      return eq < 0
        ? { kind: 'field', wire: rest[0], js: joined }
        : { kind: 'field', wire: rest[0], js: joined.slice(0, eq), default: joined.slice(eq + 1) };
    }
    case 'b': return { kind: 'body', js: 'body' };
    case 'a': return { kind: 'array', js: rest[0] };
    default: return { kind: 'upload', js: 'file' };
  }
}

function querySpec(spec) {
  const [wire, type, flags, enumeration, dflt, min, max] = spec.split('|');
  return {
    wire,
    type: QUERY_TYPES[type],
    required: flags.includes('r'),
    always: flags.includes('A'),
    onlyIfTrue: flags.includes('T'),
    comma: flags.includes('C'),
    enumeration: index(enumeration),
    default: dflt === '' ? undefined : dflt,
    min: index(min),
    max: index(max),
  };
}

function parse(line) {
  const [verb, path, args, query, body, response, paging, obo, name] = line;
  const [bodyKind, bodySchema, keepNull, noExclusions] = body.split('|');
  const keep = new Set(keepNull.split(',').filter(Boolean));
  return {
    method: verb,
    allowsBody: verb !== 'GET' && verb !== 'HEAD',
    path,
    args: args ? args.split(',').map(arg) : [],
    query: query ? query.split(';').map(querySpec) : [],
    body: {
      kind: BODY_KINDS[bodyKind],
      schema: index(bodySchema),
      sendsNull: noExclusions === 'x' ? () => true : (field) => keep.has(field),
    },
    response: RESPONSES[response[0]],
    schema: index(response.slice(1)),
    maxLimit: paging ? Number(paging.split('|')[0]) : undefined,
    onBehalfOf: OBO[obo],
    name,
  };
}

const parsed = [];

/** Operation `i` of the table, or `undefined`. */
export function op(i) {
  if (parsed[i]) return parsed[i];
  const line = OPS[i];
  return line && (parsed[i] = parse(line));
}

/** How many operations the table has. */
export const OP_COUNT = OPS.length;
