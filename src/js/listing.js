// Offset pagination: `getPage`, `listAll` and the `Paginator` async iterator. Their options
// are read here once per listing; each page is then one call driven like any other (drive.js:
// its own retries). Between pages the engine decides what the caller's paging numbers mean
// and what each page's envelope means for the listing (src/js/listing.rs over
// src/policy/pagination.rs), in one call of the raw export `vclient_page`. The listing's place
// (a `Pager`) travels as seven numbers.

import { drive } from './drive.js';
import { invalid, readCall } from './call.js';
import { atCallSite, makeError, unpack } from './errors.js';
import { apiPromise, requestId, withData } from './response.js';
import { HOOK_KEY, isRecord, readOnce, typeName } from './values.js';
import { ENVELOPE_ERROR, INVALID, PAGING_ERROR, STATE, answer, pageLimits, put, slots, wasm } from './wire.js';

// ---------------------------------------------------------------- reading the options

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
 * the page size came as `query.limit`], NaN for what was not given (listing.js hands them to the
 * engine).
 */
function readPaging(path, options, iterate, max, reference) {
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
  const hook = options?.[HOOK_KEY];
  return { path, init, rest, n, h: typeof hook === 'function' ? hook : undefined };
}

/** One page's request (`limit` and `offset` first, as the reference sends them) read for the engine. */
function readPage(listing, limit, offset) {
  const init = { ...listing.init, query: { limit, offset, ...listing.rest } };
  return readCall('GET', listing.path, init);
}

// How a member of the envelope was found (src/policy/pagination.rs `Member`).
const ABSENT = 0;
const NUMBER = 1;
const OTHER = 2;

/**
 * A page body's envelope for the engine: returns `items` when it is an array, and fills `nums`
 * with [item count or -1, then kind and value of `limit`, `offset`, `total`].
 */
function pageView(body, nums) {
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
function annotatePage(body, hasMore, nextOffset) {
  body.hasMore = hasMore;
  body.nextOffset = nextOffset < 0 ? null : nextOffset;
}

// ---------------------------------------------------------------- the listing

// `vclient_page`'s operations (src/js/listing.rs); its answers are wire.js's.
const FIRST_PAGE = 0;
const ITERATE = 1;
const RECEIVE = 2;

/** A pager whose listing is over. */
const OVER = Object.freeze([-1, 0, 0, 0, -1, 0, 0]);
const hasNext = (pager) => pager[0] >= 0;

/** Asks the engine; returns the new pager or throws the error it decided on. */
function decide(op, nums, text, record) {
  const length = put(text);
  slots.set(nums);
  const { n, text: said } = answer(wasm.vclient_page(op, length));
  switch (n[0]) {
    case STATE:
      return n.slice(1, 8);
    case INVALID: {
      const [field, message] = unpack(said);
      throw invalid(field, message);
    }
    case ENVELOPE_ERROR:
      throw makeError('ResponseValidationError', unpack(said)[0], {}, undefined);
    case PAGING_ERROR: {
      const fields = { method: 'GET', page: n[1], requestedOffset: n[2], offset: n[3], limit: n[4], total: n[5] };
      const id = requestId(record);
      if (id !== undefined) fields.requestId = id;
      throw makeError('ResponseValidationError', unpack(said)[0], fields, undefined);
    }
    default:
      throw makeError('VClientError', `The engine answered a listing with ${n[0]} (a vclient bug)`, {}, undefined);
  }
}

/** Reads a listing's options and decides its first page; throws a `RequestValidationError`. */
function start(path, options, iterate) {
  const [max, reference] = pageLimits;
  const listing = readPaging(path, options, iterate, max, reference);
  return { listing, pager: decide(iterate ? ITERATE : FIRST_PAGE, listing.n, '') };
}

/**
 * Fetches the page `pager` asks for: the server's envelope, its items, the call's record and
 * the pager after it. The services' hook checks the page's items.
 */
async function fetchPage(c, listing, pager) {
  const record = await drive(c, readPage(listing, pager[0], pager[1]));
  const body = record.data;
  const view = [0, 0, 0, 0, 0, 0, 0];
  const items = pageView(body, view);
  if (listing.h !== undefined && items !== undefined) listing.h(items, requestId(record));
  return { body, items, record, pager: decide(RECEIVE, [...pager, ...view], listing.path, record) };
}

/** Runs `body` as an `APIPromise`; what it throws at once rejects the promise. */
function listingPromise(body) {
  let run;
  try {
    run = body();
  } catch (e) {
    run = Promise.reject(e);
  }
  // The items went through the services' hook page by page already.
  return apiPromise(run, undefined);
}

/** `client.getPage(path, options)`: the page plus `hasMore` and `nextOffset`. */
export function getPage(c, path, options) {
  return listingPromise(() => {
    const { listing, pager } = start(path, options, false);
    return fetchPage(c, listing, pager).then((page) => {
      const more = hasNext(page.pager);
      annotatePage(page.body, more, more ? page.pager[1] : -1);
      // The record's `data` is the page itself, now annotated.
      return page.record;
    });
  });
}

/** `client.listAll(path, options)`: every item, page by page. */
export function listAll(c, path, options) {
  return listingPromise(() => {
    const { listing, pager: first } = start(path, options, true);
    return (async () => {
      let all = [];
      let pager = first;
      let last;
      while (hasNext(pager)) {
        const page = await fetchPage(c, listing, pager);
        if (page.items !== undefined) all = all.concat(page.items);
        last = page.record;
        pager = page.pager;
      }
      // The last page's record, for `.withResponse()`, with the list as its data.
      return withData(last ?? {}, all);
    })();
  });
}

/** `client.paginate(path, options)`; throws a `RequestValidationError` at once for bad options. */
export function paginate(c, path, options) {
  const { listing, pager } = start(path, options, true);
  return new Paginator(MADE, c, listing, pager);
}

const MADE = Symbol('made by paginate()');

/** An async iterator over every item of a paginated list, fetching pages as needed. */
export class Paginator {
  #c;
  #listing;
  #pager;
  #items = [];
  #at = 0;
  /** The previous `next()`: calls run one after another, never fetching a page twice. */
  #last = null;

  constructor(made, c, listing, pager) {
    if (made !== MADE) throw new TypeError('A Paginator is made by client.paginate()');
    this.#c = c;
    this.#listing = listing;
    this.#pager = pager;
  }

  /** The next item: `{ value, done }`, as the async iterator protocol requires. */
  next() {
    const previous = this.#last;
    const promise = this.#step(previous);
    this.#last = promise;
    return atCallSite(promise);
  }

  async #step(previous) {
    if (previous !== null) await previous.catch(() => {});
    for (;;) {
      if (this.#at < this.#items.length) return { value: this.#items[this.#at++], done: false };
      if (!hasNext(this.#pager)) return { value: undefined, done: true };
      let page;
      let failed = false;
      let error;
      try {
        page = await fetchPage(this.#c, this.#listing, this.#pager);
      } catch (e) {
        failed = true;
        error = e;
      }
      // `return()` during the fetch has ended the iteration: keep it ended.
      if (!hasNext(this.#pager)) return { value: undefined, done: true };
      // A failed page ends the iteration; the caller may start anew.
      if (failed) {
        this.#pager = OVER;
        throw error;
      }
      this.#pager = page.pager;
      if (page.items !== undefined) {
        this.#items = page.items;
        this.#at = 0;
      }
    }
  }

  /** Stops the iteration (called by `break` in `for await`). */
  return() {
    this.#pager = OVER;
    this.#items = [];
    this.#at = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  /** `for await (const item of paginator)`. */
  [Symbol.asyncIterator]() {
    return this;
  }
}
