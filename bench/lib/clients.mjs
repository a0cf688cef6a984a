// The five contenders, each configured the same way: base URL, `x-api-key` and
// `accept: application/json` on every call, 2 retries (GET and the keyed JSON POST both
// retryable), JSON parse of the body, no logging, no hooks. Each factory takes the `fetch`
// to use (a mock, or the global undici fetch for the loopback server) and returns
// { get(path, query?), post(path, body), listAll(path), close() }.
import ky from 'ky';
import { createFetch } from 'ofetch';
import axios from 'axios';
import axiosRetry, { isNetworkError, isRetryableError } from 'axios-retry';

export const MAX_RETRIES = 2;
export const API_KEY = 'bench-api-key-0123456789abcdefghij';
export const IDEMPOTENCY_KEY = 'bench-idempotency-key-0001';
const HEADERS = { accept: 'application/json', 'x-api-key': API_KEY };

// The same offset loop for every peer: limit=100 pages until offset >= total.
async function loopPages(getPage, path) {
  const out = [];
  for (let offset = 0; ;) {
    const page = await getPage(path, { limit: 100, offset });
    for (const it of page.items) out.push(it);
    offset += page.items.length;
    if (page.items.length === 0 || offset >= page.total) return out;
  }
}

function raw(baseUrl, fetchFn) {
  const url = (path, query) => {
    let u = baseUrl + path;
    if (query) u += '?' + new URLSearchParams(query).toString();
    return u;
  };
  const get = async (path, query) => {
    const r = await fetchFn(url(path, query), { headers: HEADERS });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return r.json();
  };
  return {
    get,
    post: async (path, body) => {
      const r = await fetchFn(url(path), {
        method: 'POST', body: JSON.stringify(body),
        headers: { ...HEADERS, 'content-type': 'application/json', 'idempotency-key': IDEMPOTENCY_KEY },
      });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      return r.json();
    },
    listAll: (path) => loopPages(get, path),
    close() {},
  };
}

function vclient(VClient, baseUrl, fetchFn) {
  const c = new VClient({ baseUrl, apiKey: API_KEY, fetch: fetchFn, maxRetries: MAX_RETRIES, retryDelay: 0.05 });
  return {
    get: (path, query) => c.request('GET', path, query ? { query } : undefined),
    post: (path, body) => c.request('POST', path, { json: body, idempotencyKey: IDEMPOTENCY_KEY }),
    listAll: (path) => c.listAll(path),
    close: () => c.close(),
    client: c,
  };
}

function kyClient(baseUrl, fetchFn) {
  const api = ky.create({
    baseUrl, fetch: fetchFn, headers: HEADERS,
    retry: { limit: MAX_RETRIES, methods: ['get', 'post'], delay: () => 50 },
  });
  const get = (path, query) => api.get(path, query ? { searchParams: query } : undefined).json();
  return {
    get,
    post: (path, body) => api.post(path, { json: body, headers: { 'idempotency-key': IDEMPOTENCY_KEY } }).json(),
    listAll: (path) => loopPages(get, path),
    close() {},
  };
}

function ofetchClient(baseUrl, fetchFn, extra = {}) {
  const $f = createFetch({ fetch: fetchFn, Headers: globalThis.Headers, AbortController: globalThis.AbortController })
    .create({ baseURL: baseUrl, headers: HEADERS, retry: MAX_RETRIES, retryDelay: 50, ...extra });
  const get = (path, query) => $f(path, query ? { query } : undefined);
  return {
    get,
    post: (path, body) => $f(path, { method: 'POST', body, headers: { 'idempotency-key': IDEMPOTENCY_KEY } }),
    listAll: (path) => loopPages(get, path),
    close() {},
  };
}

function axiosClient(baseUrl, fetchFn) {
  const inst = axios.create({ baseURL: baseUrl, headers: HEADERS, adapter: 'fetch', env: { fetch: fetchFn } });
  // The keyed POST is retryable too (axios-retry's default only retries idempotent methods).
  axiosRetry(inst, { retries: MAX_RETRIES, retryDelay: () => 50, retryCondition: (e) => isNetworkError(e) || isRetryableError(e) });
  const get = async (path, query) => (await inst.get(path, query ? { params: query } : undefined)).data;
  return {
    get,
    post: async (path, body) => (await inst.post(path, body, { headers: { 'idempotency-key': IDEMPOTENCY_KEY } })).data,
    listAll: (path) => loopPages(get, path),
    close() {},
  };
}

export const CLIENTS = ['raw fetch', 'vclient', 'ofetch', 'ky', 'axios+retry'];

/**
 * ofetch with a 30 s timeout: an AbortController and a timer per request, as vclient's
 * per-attempt timeout needs (ofetch's default has no timeout). Shown beside the others in the
 * overhead section only, to tell the cost of the timeout from the rest.
 */
export const OFETCH_TIMEOUT = 'ofetch, timeout 30 s';
export const ofetchWithTimeout = (baseUrl, fetchFn) => ofetchClient(baseUrl, fetchFn, { timeout: 30_000 });

export function makeClients(VClient, baseUrl, fetchFn) {
  return {
    'raw fetch': raw(baseUrl, fetchFn),
    vclient: vclient(VClient, baseUrl, fetchFn),
    ofetch: ofetchClient(baseUrl, fetchFn),
    ky: kyClient(baseUrl, fetchFn),
    'axios+retry': axiosClient(baseUrl, fetchFn),
  };
}
