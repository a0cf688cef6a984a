// `vclient/testing`: a VClient whose `fetch` goes to an in-process fake of the API, so code
// built on vclient can be unit-tested without a network. Real services, retries, error
// mapping, validation and pagination run unchanged; only the transport is fake.
import { VClient } from 'vclient';
import { ROUTES, SAMPLES } from './routes.js';

/** One route of the API: `Routes.USERS_LIST`, `Routes.CAMPAIGNS_CREATE`, … (166). */
export const Routes = Object.freeze(Object.fromEntries(ROUTES.map(([name, method, pattern, style, model, maxLimit]) =>
  [name, Object.freeze({ name, method, pattern, style, model, maxLimit })])));

const BASE_URL = 'https://fake.valentina-api.test';

function requestId() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return 'req_' + btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function compile(pattern) {
  const names = [];
  const re = pattern.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([a-z_]+)\\?\}/g, (_, n) => {
    names.push(n);
    return '([^/]+)';
  });
  return { regex: new RegExp(`^${re}$`), names };
}

function sample(model, overrides) {
  const base = model && SAMPLES[model] ? structuredClone(SAMPLES[model]) : {};
  return overrides ? Object.assign(base, overrides) : base;
}

function routeOf(route) {
  if (route && typeof route === 'object' && route.pattern) return route;
  if (typeof route === 'string' && Routes[route]) return Routes[route];
  throw new TypeError(`unknown route ${String(route)}: pass one of Routes (e.g. Routes.USERS_LIST)`);
}

function matches(entry, method, path) {
  if (entry.method !== method) return null;
  const m = entry.compiled.regex.exec(path);
  if (!m) return null;
  const params = Object.fromEntries(entry.compiled.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
  if (entry.params) {
    for (const [k, v] of Object.entries(entry.params)) if (params[k] !== v) return null;
  }
  return params;
}

async function bodyText(body) {
  if (body == null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Blob) return new TextDecoder().decode(await body.arrayBuffer());
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return new TextDecoder().decode(body);
  return String(body);
}

/**
 * A `VClient` for tests: base URL `https://fake.valentina-api.test`, API key `fake-api-key`,
 * `defaultCompanyId` `"fake-company"`, and a `fetch` that answers from routes you set.
 * Every route answers by default with a valid minimal model (a page of one for lists).
 */
export class FakeVClient extends VClient {
  constructor(options = {}) {
    const state = { overrides: [], requests: [] };
    const defaults = ROUTES.map(([name]) => Routes[name])
      .map((r) => ({ ...defaultResponse(r), method: r.method, compiled: compile(r.pattern), length: r.pattern.length, remaining: Infinity }))
      .sort((a, b) => b.length - a.length);
    const fetch = async (input, init = {}) => {
      const url = new URL(typeof input === 'string' ? input : input.url);
      const method = (init.method || 'GET').toUpperCase();
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      state.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body: await bodyText(init.body) });
      // Overrides with path-parameter constraints first, then the others (first registered
      // wins in each group), then the defaults, longest pattern first. A used-up override
      // (`times`) no longer matches.
      const ordered = [...state.overrides.filter((o) => o.params), ...state.overrides.filter((o) => !o.params), ...defaults];
      for (const entry of ordered) {
        if (entry.remaining > 0 && matches(entry, method, url.pathname)) {
          entry.remaining -= 1;
          return entry.respond(url);
        }
      }
      return json(404, { detail: `No route matched: ${method} ${url.pathname}` });
    };
    super({ defaultCompanyId: 'fake-company', userAgent: false, ...options, baseUrl: BASE_URL, apiKey: 'fake-api-key', fetch });
    Object.defineProperty(this, '_fake', { value: state });
  }

  /** The requests this client sent, oldest first: `{ method, path, query, headers, body }`. */
  get requests() { return this._fake.requests; }

  /**
   * Sets what `route` answers. `items` for paginated and list routes (a paginated route
   * answers the page its `limit` and `offset` ask for, as the server does); `model` for
   * single routes. Each is merged over a valid minimal model, so giving only
   * the fields a test cares about still passes response validation. `params` restricts
   * the answer to matching path parameters (e.g. `{ user_id: "u1" }`).
   */
  setResponse(route, { items, model, params } = {}) {
    const r = routeOf(route);
    const list = r.style === 'paginated' || r.style === 'list';
    if (list && model !== undefined) throw new TypeError(`${r.name} returns a list: pass items, not model`);
    if (!list && items !== undefined) throw new TypeError(`${r.name} returns one object: pass model, not items`);
    let respond;
    if (r.style === 'paginated') {
      const all = (items ?? []).map((i) => sample(r.model, i));
      respond = (url) => page(all, url, r.maxLimit);
    } else if (r.style === 'list') {
      const all = (items ?? []).map((i) => sample(r.model, i));
      respond = () => json(200, all);
    } else if (r.style === 'no_content') {
      respond = () => new Response(null, { status: 204, headers: { 'x-request-id': requestId() } });
    } else {
      respond = defaultResponse(r, model).respond;
    }
    this._add(r.method, r.pattern, params, respond);
  }

  /**
   * Makes `route` fail with `statusCode`: body `{ detail, request_id, code? }`. With `times`,
   * only the next `times` matching requests fail and the route then answers as before (so
   * a retry can be tested); without it, every one does.
   */
  setError(route, { statusCode, detail, code, params, times } = {}) {
    const r = routeOf(route);
    if (!Number.isInteger(statusCode) || statusCode < 400 || statusCode > 599) {
      throw new TypeError(`statusCode must be an integer from 400 to 599, got ${statusCode}`);
    }
    if (times !== undefined && !(Number.isInteger(times) && times >= 1)) {
      throw new TypeError(`times must be a whole number of requests, at least 1 (omit it to fail every request), got ${String(times)}`);
    }
    this._add(r.method, r.pattern, params, () => {
      const id = requestId();
      const body = { status: statusCode, detail: detail ?? `Error ${statusCode}`, request_id: id };
      if (code !== undefined) body.code = code;
      return json(statusCode, body, id, 'application/problem+json');
    }, times);
  }

  /** A raw answer for `method` + `pattern` (`{name}` matches one path segment), no envelope. */
  addRoute(method, pattern, { json: body, statusCode = 200, headers } = {}) {
    this._add(String(method).toUpperCase(), pattern, undefined, () => json(statusCode, body, undefined, undefined, headers));
  }

  /** Forgets every `setResponse`, `setError` and `addRoute`, and the recorded requests. */
  reset() {
    this._fake.overrides.length = 0;
    this._fake.requests.length = 0;
  }

  _add(method, pattern, params, respond, times = Infinity) {
    this._fake.overrides.push({ method, compiled: compile(pattern), params, respond, remaining: times });
  }
}

function json(status, body, id = requestId(), type = 'application/json', extra = {}) {
  const text = status === 204 || body === undefined ? null : JSON.stringify(body);
  return new Response(text, { status, headers: { 'content-type': type, 'x-request-id': id, ...extra } });
}

/**
 * The page of `all` that the query's `limit` and `offset` select, as the server cuts it:
 * `limit` defaults to 10 and must be 0 to the route's largest page (100, or 1000 for the
 * reference catalogues), `offset` defaults to 0; out of range is the server's 400.
 */
function page(all, url, maxLimit) {
  const limit = pagingParam(url, 'limit', 10, maxLimit);
  const offset = pagingParam(url, 'offset', 0, Infinity);
  const invalid = [limit, offset].filter((p) => p.invalid).map((p) => p.invalid);
  if (invalid.length) {
    const id = requestId();
    return json(400, {
      status: 400, title: 'Bad Request', detail: 'Validation failed for one or more fields.',
      instance: url.href, request_id: id, invalid_parameters: invalid,
    }, id, 'application/problem+json');
  }
  return json(200, { items: all.slice(offset.value, offset.value + limit.value), limit: limit.value, offset: offset.value, total: all.length });
}

function pagingParam(url, field, fallback, max) {
  const raw = url.searchParams.get(field);
  if (raw === null) return { value: fallback };
  if (!/^-?\d+$/.test(raw)) return { invalid: { message: 'Expected `int`, got `str`', field } };
  const n = Number(raw);
  if (n < 0) return { invalid: { message: 'Expected `int` >= 0', field } };
  if (n > max) return { invalid: { message: `Expected \`int\` <= ${max}`, field } };
  return { value: n };
}

function defaultResponse(r, model) {
  switch (r.style) {
    case 'paginated':
      return { respond: (url) => page([sample(r.model)], url, r.maxLimit) };
    case 'list':
      return { respond: () => json(200, [sample(r.model)]) };
    case 'no_content':
      return { respond: () => new Response(null, { status: 204, headers: { 'x-request-id': requestId() } }) };
    case 'raw_json':
      return { respond: () => json(200, model ?? {}) };
    case 'bytes':
      return {
        respond: () => new Response(new TextEncoder().encode('PK\x03\x04fake-log-archive'), {
          status: 200,
          headers: { 'content-type': 'application/zip', 'content-disposition': 'attachment; filename="vapi-logs-fake.zip"', 'x-request-id': requestId() },
        }),
      };
    default:
      // The two new-key routes answer a developer plus its key.
      return { respond: () => json(200, r.model ? sample(r.model, model) : { api_key: 'fake-api-key-0000000000000000000000', ...model }) };
  }
}
