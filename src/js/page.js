// Reading the options of `getPage`, `listAll` and `paginate` in JS, once per listing; each
// page is then one call (`readPage`) that hands the engine that page's request as plain values.
// What the numbers mean (clamping, the pager's bounds) is the engine's: src/policy/pagination.rs.

import { invalid, readCall } from './call.js';
import { HOOK_KEY, handOver, isRecord, readOnce, typeName } from './values.js';

/** A copy of `o`'s own keys, each read once; a getter's exception names the key's path. */
function snapshot(o, prefix) {
  const out = {};
  for (const k of Object.keys(o)) {
    const path = prefix ? `${prefix}.${k}` : k;
    const v = readOnce(o, k, prefix || k, path, invalid);
    out[k] = !prefix && (k === 'query' || k === 'headers') && isRecord(v) ? snapshot(v, k) : v;
  }
  return out;
}

/** A number option, `NaN` when absent (`null` and `undefined` count as absent). */
function number(o, key, field) {
  const v = o[key];
  if (v == null) return NaN;
  if (typeof v !== 'number') throw invalid(field, `must be a number, got ${typeName(v)}`);
  return v;
}

/**
 * Reads a listing's options. `iterate`: listAll/paginate (else getPage); `max`/`reference`: the
 * server's page limits (100, 1000). Returns the listing: what `readPage` builds each page from,
 * `h` the services' response hook and `n` the numbers [limit, offset, page size, maxLimit, 1 when
 * the page size came as `query.limit`], NaN for what was not given. `n` is also copied into
 * `nums`, a view of wasm memory, with 1 in its last slot (see call.js's `readCall`).
 */
export function readPaging(path, options, iterate, nums, max, reference) {
  if (options != null && typeof options !== 'object') {
    throw invalid('options', `must be an object, got ${typeName(options)}`);
  }
  const o = options == null ? {} : snapshot(options, '');
  // One convention, request()'s: API names in `query`, knobs beside it.
  for (const k of ['limit', 'offset']) {
    if (o[k] != null) {
      throw invalid(k, `is not an option: it is API data, put it in \`query\` (\`{ query: { ${k}: … } }\`)`);
    }
  }
  if (!iterate && o.pageSize != null) {
    throw invalid('pageSize', 'is not an option of getPage: give the page\'s size as `query.limit`');
  }
  let limit = NaN;
  let offset = NaN;
  const rest = {};
  const q = o.query;
  if (q != null) {
    if (typeof q !== 'object' || Array.isArray(q)) throw invalid('query', `must be an object, got ${typeName(q)}`);
    limit = number(q, 'limit', 'query.limit');
    offset = number(q, 'offset', 'query.offset');
    for (const k of Object.keys(q)) if (k !== 'limit' && k !== 'offset') rest[k] = q[k];
  }
  if (iterate && !Number.isNaN(offset)) {
    throw invalid('query.offset', 'is not allowed here: listAll and paginate always start at offset 0');
  }
  const maxLimit = number(o, 'maxLimit', 'maxLimit');
  if (!Number.isNaN(maxLimit) && maxLimit !== max && maxLimit !== reference) {
    throw invalid('maxLimit', `must be ${max} or ${reference} (reference catalogues), got ${maxLimit}`);
  }
  const pageSize = number(o, 'pageSize', 'pageSize');
  // Iteration takes the page size as `query.limit`, the reference's name
  // (`iter_all(limit=…)`), or as the knob `pageSize`; two different sizes are a mistake.
  if (iterate && !Number.isNaN(limit) && !Number.isNaN(pageSize) && limit !== pageSize) {
    throw invalid('query.limit', `and \`pageSize\` both set the page size, and they differ (${limit} and ${pageSize}): pass one`);
  }
  const init = {};
  for (const k of Object.keys(o)) {
    if (k !== 'query' && k !== 'pageSize' && k !== 'maxLimit' && o[k] != null) init[k] = o[k];
  }
  const fromLimit = iterate && Number.isNaN(pageSize) && !Number.isNaN(limit);
  const n = [limit, offset, fromLimit ? limit : pageSize, maxLimit, fromLimit ? 1 : 0];
  handOver(n, nums);
  const hook = options?.[HOOK_KEY];
  return { path, init, rest, n, h: typeof hook === 'function' ? hook : undefined };
}

/** One page's request (`limit` and `offset` first, as the reference sends them) read for the engine. */
export function readPage(listing, limit, offset) {
  const init = { ...listing.init, query: { limit, offset, ...listing.rest } };
  return readCall('GET', listing.path, init);
}

// How a member of the envelope was found (src/policy/pagination.rs `Member`).
const ABSENT = 0;
const NUMBER = 1;
const OTHER = 2;

/**
 * A page body's envelope for the engine, in one crossing: returns `items` when it is an array,
 * and fills `nums` with [item count or -1, then kind and value of `limit`, `offset`, `total`].
 * Runs no caller code (the body is parsed JSON), so the view of wasm memory stays valid.
 */
export function pageView(body, nums) {
  const object = typeof body === 'object' && body !== null && !Array.isArray(body);
  const items = object && Array.isArray(body.items) ? body.items : undefined;
  nums[0] = items === undefined ? -1 : items.length;
  ['limit', 'offset', 'total'].forEach((key, i) => {
    const v = object ? body[key] : undefined;
    nums[1 + 2 * i] = v === undefined ? ABSENT : typeof v === 'number' ? NUMBER : OTHER;
    nums[2 + 2 * i] = typeof v === 'number' ? v : 0;
  });
  return items;
}

/** `getPage`'s additions to the server's envelope. `nextOffset`: -1 after the last page. */
export function annotatePage(body, hasMore, nextOffset) {
  body.hasMore = hasMore;
  body.nextOffset = nextOffset < 0 ? null : nextOffset;
}
