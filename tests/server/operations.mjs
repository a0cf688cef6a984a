// The table-driven handlers of the fake: one generic handler answers any of the 166
// operations of spec/endpoints.json from its entry (request checks, then a response
// synthesised from the OpenAPI schemas, shaped by `response.kind`).
//
//   createOperations({ spec }) -> { handle(entry, ctx), statusOf(entry) }
//     ctx = { path, params: {name: value}, qs: URLSearchParams, body: Buffer, headers }
//     resolves to { status, json } | { status, problem } | { status, raw, contentType, headers } | { status }
//
// Checks, in this order (the first failure answers):
//   1. On-Behalf-Of missing where the spec requires it, or a required query parameter
//      missing -> 400 "Missing required header|query parameter '<name>' for path <path>";
//   2. On-Behalf-Of present but not a UUID -> 404 "User '<value>' not found";
//   3. path parameters with an enum in the spec (e.g. `provider`), query parameters
//      (integer, boolean, enum, pagination limit/offset) -> 400 with invalid_parameters;
//   4. the body: JSON that does not parse, a JSON body that is not an object (or not an array
//      for `json-array`), a missing `body.required` field, an upload that is not
//      multipart/form-data with a part named `data` -> 400.
// Path parameters typed as uuid are only required to be non-empty (the router does that).
import { createHash } from 'node:crypto';
import { loadSpec, operationOf, successStatus } from './routes.mjs';
import { createSynth, stableUuid } from './synth.mjs';

export const VALIDATION_FAILED = 'Validation failed for one or more fields.';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const ZIP_BYTES = Buffer.from('PK\x03\x04fake-log-archive', 'latin1');
export const ZIP_FILENAME = 'vapi-logs-fake.zip';
const PAGE_SIZE = 3; // items in every table-driven paginated collection
const LIST_SIZE = 2; // items in every plain-array list
const OBO_HEADER = 'On-Behalf-Of';
// Responses the spec documents only inline: the reference's model -> the named schema it
// extends (plus `api_key`, the freshly generated key).
const INLINE_MODELS = {
  MeDeveloperWithApiKey: 'DeveloperResponse',
  DeveloperWithApiKey: 'DeveloperAdminResponse',
};
// GET C/options: {category: {option: [values]}}, filled from the spec's enums.
const OPTION_CATEGORIES = {
  characters: ['CharacterClass', 'CharacterType', 'CharacterStatus', 'GameVersion', 'AbilityFocus',
    'AutoGenExperienceLevel', 'HunterEdgeType', 'SpecialtyType', 'InventoryItemType', 'TraitModifyCurrency'],
  users: ['UserRole'],
  companies: ['CompanyPermission'],
  gameplay: ['DiceSize'],
};

/** msgspec's name for a JSON value's type, as used in its error messages. */
export function jsonType(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return 'object';
}

export function bad(detail, invalidParameters) {
  const problem = { title: 'Bad Request', detail };
  if (invalidParameters) problem.invalid_parameters = invalidParameters;
  return { status: 400, problem };
}

export function notFound(detail) {
  return { status: 404, problem: { title: 'Not Found', detail } };
}

export function parseJsonBody(buf) {
  const text = buf.toString('utf8');
  if (text.trim() === '') return { error: bad('Input data was truncated') };
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    if (/end of (JSON )?input|Unterminated/i.test(e.message)) return { error: bad('Input data was truncated') };
    return { error: bad('JSON is malformed: invalid character') };
  }
}

/** Parses an integer query parameter; returns { value } or { message }. */
export function intParam(qs, name, def, max, min = 0) {
  const raw = qs.get(name);
  if (raw === null) return { value: def };
  if (!/^-?\d+$/.test(raw)) return { message: 'Expected `int`, got `str`' };
  const n = Number(raw);
  if (n < min) return { message: `Expected \`int\` >= ${min}` };
  if (max !== undefined && n > max) return { message: `Expected \`int\` <= ${max}` };
  return { value: n };
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function slugify(name) {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * A minimal multipart/form-data parser. Returns [{ name, filename, contentType, content }]
 * or null when the body is not well-formed.
 */
export function parseMultipart(body, contentType) {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  if (!m) return null;
  const boundary = Buffer.from(`--${(m[1] ?? m[2]).trim()}`);
  const parts = [];
  let pos = body.indexOf(boundary);
  if (pos < 0) return null;
  for (;;) {
    pos += boundary.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return parts; // the closing --boundary--
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const next = body.indexOf(boundary, pos);
    if (next < 0) return null;
    let part = body.subarray(pos, next);
    if (part.length >= 2 && part[part.length - 2] === 0x0d && part[part.length - 1] === 0x0a) part = part.subarray(0, -2);
    const sep = part.indexOf('\r\n\r\n');
    if (sep < 0) return null;
    const headers = {};
    for (const line of part.subarray(0, sep).toString('utf8').split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const cd = headers['content-disposition'] ?? '';
    parts.push({
      name: /\bname="([^"]*)"/i.exec(cd)?.[1] ?? null,
      filename: /\bfilename="([^"]*)"/i.exec(cd)?.[1] ?? null,
      contentType: headers['content-type'] ?? null,
      content: part.subarray(sep + 4),
    });
    pos = next;
  }
}

function sha(buf) {
  return createHash('sha256').update(buf).digest('hex').slice(0, 16);
}

export function createOperations(options = {}) {
  const spec = options.spec ?? loadSpec();
  const { openapi, schemas, endpoints } = spec;
  const synth = createSynth(schemas);
  const getPaths = new Set(endpoints.filter((e) => e.verb === 'GET').map((e) => e.path));
  const info = new Map(); // entry -> precomputed facts

  function enumOf(schema) {
    const l = synth.leaf(schema);
    return Array.isArray(l.enum) ? l.enum : null;
  }

  /** Which path parameter, if any, is the `id` of the top-level response object. */
  function idParamFor(entry, schemaName) {
    const ids = entry.pathParams.filter((p) => p.endsWith('_id'));
    if (!ids.length || !schemaName) return null;
    const x = ids.at(-1);
    const props = synth.leaf({ $ref: `#/components/schemas/${schemaName}` }).properties ?? {};
    if (!('id' in props) || x in props) return null; // the resource refers to x: it is not x
    if (entry.verb === 'POST') {
      // A POST into a collection under {x} (…/{x}/notes, …/{x}/assets/upload,
      // …/{x}/traits/assign) creates a new resource; an action (…/{x}/approve) returns x.
      const segs = entry.path.split('/');
      const xi = segs.indexOf(`{${x}}`);
      if (xi < segs.length - 1 && getPaths.has(segs.slice(0, xi + 2).join('/'))) return null;
    }
    return x;
  }

  function factsOf(entry) {
    let f = info.get(entry);
    if (f) return f;
    const op = operationOf(openapi, entry);
    const pathEnums = {};
    for (const p of op.parameters ?? []) {
      if (p.in === 'path') {
        const en = enumOf(p.schema);
        if (en) pathEnums[p.name] = en;
      }
    }
    const model = entry.response.model;
    const schemaName = entry.response.schema ?? (model && INLINE_MODELS[model]) ?? null;
    f = {
      status: successStatus(openapi, entry),
      pathEnums,
      schemaName,
      idParam: idParamFor(entry, schemaName),
      intLimit: entry.query.find((q) => q.name === 'limit' && q.type === 'integer') ?? null,
    };
    info.set(entry, f);
    return f;
  }

  // ---- request checks -----------------------------------------------------------------
  function checkQuery(entry, qs) {
    const invalid = [];
    for (const q of entry.query) {
      const values = qs.getAll(q.name);
      if (values.length === 0) continue;
      const field = q.name;
      if (q.type === 'integer') {
        const r = intParam(qs, q.name, undefined, q.max, q.min ?? Number.MIN_SAFE_INTEGER);
        if (r.message) invalid.push({ field, message: r.message });
      } else if (q.type === 'number') {
        if (!Number.isFinite(Number(values[0])) || values[0].trim() === '') invalid.push({ field, message: 'Expected `float`, got `str`' });
      } else if (q.type === 'boolean') {
        if (!/^(true|false|1|0)$/i.test(values[0])) invalid.push({ field, message: 'Expected `bool`, got `str`' });
      } else if (q.enum) {
        const list = q.type === 'string[]'
          ? (q.style === 'comma' ? values.flatMap((v) => v.split(',')) : values)
          : [values[0]];
        const wrong = list.find((v) => !q.enum.includes(v));
        if (wrong !== undefined) invalid.push({ field, message: `Invalid enum value '${wrong}'` });
      }
    }
    return invalid;
  }

  /** -> { error } | { echo } (the request's scalar fields, echoed into the response). */
  function checkBody(entry, ctx) {
    const b = entry.body;
    if (!b || b.kind === 'none') return {};
    if (b.kind === 'multipart') {
      const ct = ctx.headers['content-type'] ?? '';
      const parts = /^multipart\/form-data\b/i.test(ct) ? parseMultipart(ctx.body, ct) : null;
      const field = b.fileField ?? 'data';
      const file = parts?.find((p) => p.name === field);
      if (!file) {
        return { error: bad(VALIDATION_FAILED, [{ field: 'data', message: `Object missing required field \`${field}\`` }]) };
      }
      const echo = {};
      if (file.filename) echo.original_filename = file.filename;
      if (file.contentType) echo.mime_type = file.contentType;
      return { echo };
    }
    const parsed = parseJsonBody(ctx.body);
    if (parsed.error) return { error: parsed.error };
    const v = parsed.value;
    const missing = (obj, field) => {
      for (const name of b.required ?? []) {
        if (!Object.hasOwn(obj, name)) {
          return bad(VALIDATION_FAILED, [{ field, message: `Object missing required field \`${name}\`` }]);
        }
      }
      return null;
    };
    if (b.kind === 'json-array') {
      if (!Array.isArray(v)) return { error: bad(VALIDATION_FAILED, [{ field: 'data', message: `Expected \`array\`, got \`${jsonType(v)}\`` }]) };
      for (let i = 0; i < v.length; i++) {
        if (!isPlainObject(v[i])) {
          return { error: bad(VALIDATION_FAILED, [{ field: `data[${i}]`, message: `Expected \`object\`, got \`${jsonType(v[i])}\`` }]) };
        }
        const err = missing(v[i], `data[${i}]`);
        if (err) return { error: err };
      }
      return {};
    }
    if (!isPlainObject(v)) return { error: bad(VALIDATION_FAILED, [{ field: 'data', message: `Expected \`object\`, got \`${jsonType(v)}\`` }]) };
    const err = missing(v, 'data');
    if (err) return { error: err };
    return { echo: v };
  }

  // ---- responses ----------------------------------------------------------------------
  function optionsObject() {
    const out = {};
    for (const [category, names] of Object.entries(OPTION_CATEGORIES)) {
      const options = {};
      for (const n of names) if (Array.isArray(schemas[n]?.enum)) options[slugify(n)] = schemas[n].enum;
      if (Object.keys(options).length) out[category] = options;
    }
    return out;
  }

  function handle(entry, ctx) {
    const f = factsOf(entry);
    const { qs, path } = ctx;

    // 1. missing required header / query parameters
    const obo = ctx.headers['on-behalf-of'];
    if (entry.onBehalfOf?.server && (obo === undefined || obo === '')) {
      return bad(`Missing required header parameter '${OBO_HEADER}' for path ${path}`,
        [{ field: 'body', message: 'One or more fields did not pass validation.' }]);
    }
    for (const q of entry.query) {
      if (q.required && !qs.has(q.name)) {
        return bad(`Missing required query parameter '${q.name}' for path ${path}`,
          [{ field: 'body', message: 'One or more fields did not pass validation.' }]);
      }
    }
    // 2. the acting user
    if (entry.onBehalfOf?.server && !UUID_RE.test(obo)) return notFound(`User '${obo}' not found`);

    // 3. parameters
    const invalid = [];
    for (const [name, en] of Object.entries(f.pathEnums)) {
      if (!en.includes(ctx.params[name])) invalid.push({ field: name, message: `Invalid enum value '${ctx.params[name]}'` });
    }
    let limit = null;
    let offset = null;
    if (entry.response.kind === 'paginated') {
      const pag = entry.pagination;
      limit = intParam(qs, 'limit', pag.defaultLimit, pag.maxLimit);
      offset = intParam(qs, 'offset', 0);
      if (limit.message) invalid.push({ field: 'limit', message: limit.message });
      if (offset.message) invalid.push({ field: 'offset', message: offset.message });
    }
    invalid.push(...checkQuery(entry, qs));
    if (invalid.length) return bad(VALIDATION_FAILED, invalid);

    // 4. the body
    const checked = checkBody(entry, ctx);
    if (checked.error) return checked.error;

    // The response. Ids named like a path parameter (or a uuid query parameter) echo it.
    const params = {};
    for (const q of entry.query) {
      if (q.type === 'uuid' && qs.has(q.name)) params[q.name] = qs.get(q.name);
    }
    for (const [k, v] of Object.entries(ctx.params)) if (k.endsWith('_id')) params[k] = v;
    const seed = `${entry.operationId}|${path}|${entry.body && entry.body.kind !== 'none' ? sha(ctx.body) : ''}`;
    const kind = entry.response.kind;
    const status = f.status;

    if (kind === 'no_content') return { status };
    if (kind === 'bytes') {
      return {
        status,
        raw: ZIP_BYTES,
        contentType: 'application/zip',
        headers: { 'content-disposition': `attachment; filename="${ZIP_FILENAME}"` },
      };
    }
    if (kind === 'raw_json') return { status, json: optionsObject() };
    if (kind === 'paginated') {
      const include = qs.getAll('include').flatMap((v) => v.split(','));
      const schema = entry.response.altSchema && include.includes('request_details')
        ? entry.response.altSchema : entry.response.schema;
      const all = [];
      for (let i = 0; i < PAGE_SIZE; i++) all.push(synth.value(schema, { seed: `${seed}#${i}`, params }));
      return {
        status,
        json: { items: all.slice(offset.value, offset.value + limit.value), limit: limit.value, offset: offset.value, total: all.length },
      };
    }
    if (kind === 'list') {
      let n = LIST_SIZE;
      if (f.intLimit && qs.has('limit')) n = Math.min(n, Number(qs.get('limit')));
      const items = [];
      for (let i = 0; i < n; i++) items.push(synth.value(entry.response.schema, { seed: `${seed}#${i}`, params }));
      return { status, json: items };
    }
    // single
    const id = f.idParam ? ctx.params[f.idParam] : stableUuid(`${seed}#id`);
    if (!f.schemaName) return { status, json: {} };
    const json = synth.value(f.schemaName, { seed, params, id, echo: checked.echo });
    if (entry.response.schema === null && INLINE_MODELS[entry.response.model]) {
      json.api_key = synth.value({ type: 'string' }, { seed: `${seed}#key`, key: 'api_key' });
    }
    return { status, json };
  }

  return {
    handle,
    /** The status a successful call of `entry` answers with. */
    statusOf(entry) {
      return factsOf(entry).status;
    },
  };
}
