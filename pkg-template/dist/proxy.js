// vclient/proxy: a fetch handler that forwards a browser's calls to the Valentina Noir API and
// adds the API key on the server, so the key never reaches a page. Plain JS, no wasm: it runs
// unchanged in Cloudflare Workers, Deno.serve, Node (see proxy-node.js) and any framework
// that speaks Request/Response.
//
// Everything the caller controls is treated as hostile: the path is checked against the
// endpoint table, headers pass through an allow-list, bodies are capped while they stream,
// redirects are never followed, and the upstream origin is fixed at creation.
import { ROUTES } from './routes.js';
import { problem } from './proxy-problem.js';

const API_PREFIX = '/api/v1/';
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const DEFAULT_MAX_BODY = 10 * 1024 * 1024;
const DEFAULT_TIMEOUT_S = 60;
// What reaches the API from the caller; everything else (X-API-KEY, Cookie, Authorization,
// hop-by-hop, forwarding and method-override headers) is dropped.
const PASS_IN = ['content-type', 'accept', 'idempotency-key'];
// What comes back from the API: what the client reads (hints, ids, downloads) and caching.
const PASS_OUT = [
  'content-type', 'content-disposition', 'ratelimit', 'ratelimit-policy', 'retry-after',
  'x-request-id', 'cache-control', 'etag', 'last-modified',
];
const EXPOSE = 'RateLimit, RateLimit-Policy, Retry-After, X-Request-Id, Content-Disposition';
// Headers that ask an intermediary to run another method than the one sent.
const OVERRIDES = ['x-http-method-override', 'x-http-method', 'x-method-override'];
// A header value the API could use: visible ASCII, bounded.
const TOKEN = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/;
// Encoded bytes that would change what a path means once decoded: / \ . % and controls.
const BAD_ESCAPE = /%(?:2f|5c|2e|25|[01][0-9a-f]|7f)/i;
// The global admin and the developer's own account (whose new-key routes answer with an API
// key) are left out unless `allow` names them.
const PRIVILEGED = /^\/api\/v1\/(?:admin|developers)(?:\/|$)/;

/** One compiled endpoint-table row. */
function compile([name, method, pattern]) {
  const segments = pattern.split('/').slice(1);
  const source = segments.map((s) => (s.startsWith('{') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
  // The most literal segments, earliest, win: `/users/unapproved` before `/users/{user_id}`,
  // as the API's router dispatches, so allowing one route never opens its neighbour.
  const rank = segments.map((s) => (s.startsWith('{') ? '1' : '0')).join('');
  return { name, method, pattern, re: new RegExp(`^/${source}$`), rank };
}

let compiled = null;
const table = () => (compiled ??= ROUTES.map(compile));

/** The operation the API would run for this method and path, and the methods the path has. */
function route(method, path) {
  let best = null;
  const methods = new Set();
  for (const r of table()) {
    if (!r.re.test(path)) continue;
    methods.add(r.method);
    const want = method === 'HEAD' ? 'GET' : method;
    if (r.method === want && (!best || r.rank < best.rank)) best = r;
  }
  return { route: best, methods };
}

function fail(message) {
  return new TypeError(`createProxy: ${message}`);
}

/** The set of allowed route names from the `allow` option. */
function allowedRoutes(allow) {
  if (allow === undefined) return new Set(table().filter((r) => !PRIVILEGED.test(r.pattern)).map((r) => r.name));
  const spec = Array.isArray(allow) ? { routes: allow } : allow;
  if (typeof spec !== 'object' || spec === null) throw fail('`allow` must be an array of operations or { routes, methods }');
  for (const k of Object.keys(spec)) if (k !== 'routes' && k !== 'methods') throw fail(`\`allow.${k}\` is not an allow option (routes, methods)`);
  const methods = spec.methods === undefined ? null : new Set(spec.methods);
  if (methods) {
    if (!Array.isArray(spec.methods)) throw fail('`allow.methods` must be an array of HTTP methods');
    for (const m of methods) if (!METHODS.includes(m)) throw fail(`\`allow.methods\` holds ${JSON.stringify(m)}, not one of ${METHODS.join(', ')}`);
  }
  let names;
  if (spec.routes === undefined) names = table().filter((r) => !PRIVILEGED.test(r.pattern));
  else {
    if (!Array.isArray(spec.routes)) throw fail('`allow.routes` must be an array of operations');
    names = spec.routes.flatMap((entry) => {
      if (typeof entry !== 'string') throw fail(`\`allow\` entries must be strings, got ${typeof entry}`);
      const m = /^(?:([A-Z]+)\s+)?(\/\S*)$/.exec(entry.trim());
      const hits = m
        ? table().filter((r) => r.pattern === m[2] && (!m[1] || r.method === m[1]))
        : table().filter((r) => r.name === entry);
      if (!hits.length) throw fail(`\`allow\` entry ${JSON.stringify(entry)} is not an operation of the endpoint table (a route name such as "CAMPAIGNS_LIST", or "GET /api/v1/companies/{company_id}/campaigns")`);
      return hits;
    });
  }
  return new Set(names.filter((r) => !methods || methods.has(r.method)).map((r) => r.name));
}

function checkOrigin(origin) {
  let u;
  try { u = new URL(origin); } catch { throw fail(`\`allowedOrigins\` entry ${JSON.stringify(origin)} is not a URL`); }
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.origin !== origin) {
    throw fail(`\`allowedOrigins\` entries must be bare origins such as "https://app.example", got ${JSON.stringify(origin)}`);
  }
  return origin;
}

function upstreamBase(baseUrl) {
  if (typeof baseUrl !== 'string' || !baseUrl) throw fail('`baseUrl` (the API root, e.g. https://api.valentina-noir.com) is required');
  let u;
  try { u = new URL(baseUrl); } catch { throw fail(`\`baseUrl\` is not an absolute URL: ${JSON.stringify(baseUrl)}`); }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw fail('`baseUrl` must be an http:// or https:// URL');
  if (u.username || u.password || u.search || u.hash || baseUrl.includes('#')) throw fail('`baseUrl` must not hold credentials, a query or a fragment');
  return u.origin + u.pathname.replace(/\/+$/, '');
}

function basePath(p) {
  if (p === undefined || p === '' || p === '/') return '';
  if (typeof p !== 'string' || !/^(\/[A-Za-z0-9._~-]+)+$/.test(p)) throw fail(`\`basePath\` must look like "/vnoir", got ${JSON.stringify(p)}`);
  return p;
}

/**
 * The request body, passed on chunk by chunk, that calls `abort` (then errors) when more than
 * `max` bytes come, fewer than `declared` arrive, or the caller's stream breaks: the upstream
 * call must be torn down, never ended as if the body were complete.
 */
function capped(body, max, declared, abort) {
  const reader = body.getReader();
  let seen = 0;
  const stop = (ctl, why) => {
    abort(why);
    ctl.error(new Error(`request body ${why}`));
    reader.cancel().catch(() => {});
  };
  return new ReadableStream({
    async pull(ctl) {
      let chunk;
      try {
        chunk = await reader.read();
      } catch {
        stop(ctl, 'broken');
        return;
      }
      if (chunk.done) {
        if (declared !== null && seen !== declared) stop(ctl, 'short');
        else ctl.close();
        return;
      }
      seen += chunk.value.byteLength;
      if (seen > max) stop(ctl, 'too large');
      else ctl.enqueue(chunk.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/**
 * Makes the handler. Options:
 *   baseUrl         the API root, fixed: nothing in a request can change the host or prefix
 *   apiKey          the developer key, added as X-API-KEY; from the server's env or bindings
 *   basePath        where the handler is mounted, e.g. "/vnoir" (default: the root)
 *   onBehalfOf      (request) => userId | null | Response: binds the acting user to the app's
 *                   session, replacing any On-Behalf-Of the browser sent; "forward" passes the
 *                   browser's (trusted pages only); default: a request carrying one is refused
 *   allow           route names / "METHOD /pattern" / "/pattern" of spec/endpoints.json, or
 *                   { routes, methods }; default: every operation but /admin and /developers
 *   allowedOrigins  origins allowed cross-origin (CORS with credentials); default none
 *   maxBodyBytes    request body cap (default 10 MiB), enforced while the body streams
 *   timeout         seconds before an unanswered upstream call ends with 504 (default 60)
 *   fetch           the fetch used upstream (default globalThis.fetch)
 */
export function createProxy(options) {
  if (typeof options !== 'object' || options === null) throw fail('options must be an object');
  const known = ['baseUrl', 'apiKey', 'basePath', 'onBehalfOf', 'allow', 'allowedOrigins', 'maxBodyBytes', 'timeout', 'fetch'];
  for (const k of Object.keys(options)) if (!known.includes(k)) throw fail(`\`${k}\` is not an option (known: ${known.join(', ')})`);
  const upstream = upstreamBase(options.baseUrl);
  const { apiKey } = options;
  // Never echo the key: a message naming it would end up in logs.
  if (typeof apiKey !== 'string' || !apiKey) throw fail('`apiKey` is required (read it from the server\'s environment or bindings)');
  if (!TOKEN.test(apiKey)) throw fail('`apiKey` holds characters a header cannot carry');
  const mount = basePath(options.basePath);
  const obo = options.onBehalfOf;
  if (obo !== undefined && obo !== 'forward' && typeof obo !== 'function') throw fail('`onBehalfOf` must be a function (request) => userId, or "forward"');
  const allowed = allowedRoutes(options.allow);
  const origins = new Set((options.allowedOrigins ?? []).map(checkOrigin));
  if (!Array.isArray(options.allowedOrigins ?? [])) throw fail('`allowedOrigins` must be an array of origins');
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  if (!Number.isSafeInteger(maxBody) || maxBody < 0) throw fail('`maxBodyBytes` must be a whole number of bytes');
  const timeoutS = options.timeout ?? DEFAULT_TIMEOUT_S;
  if (!(typeof timeoutS === 'number' && timeoutS > 0 && timeoutS <= 2_147_483)) throw fail('`timeout` must be a positive number of seconds');
  const doFetch = options.fetch ?? globalThis.fetch;
  if (typeof doFetch !== 'function') throw fail('`fetch` must be a function');
  const allowHeaders = ['Content-Type', 'Accept', 'Idempotency-Key', ...(obo ? ['On-Behalf-Of'] : [])].join(', ');

  /** CORS headers for an allowed foreign origin; none for same-origin calls. */
  const cors = (origin) => (origin ? {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': EXPOSE,
    vary: 'Origin',
  } : {});

  async function handle(request) {
    const url = new URL(request.url);
    const origin = request.headers.get('origin');
    const site = request.headers.get('sec-fetch-site');
    // Same-origin by default: a foreign page may neither read answers nor cause writes
    // (a cross-site form POST carries cookies the app's onBehalfOf may trust).
    let foreign = null;
    if (origin !== null && origin !== url.origin) {
      if (!origins.has(origin)) return problem(403, 'Forbidden', 'This origin may not call the API through this proxy.', { code: 'proxy_origin' });
      foreign = origin;
    } else if (origin === null && (site === 'cross-site' || site === 'same-site')) {
      return problem(403, 'Forbidden', 'Cross-site requests are refused by this proxy.', { code: 'proxy_origin' });
    }
    const refuse = (status, title, detail, code, headers) => problem(status, title, detail, { code, headers: { ...cors(foreign), ...headers } });

    if (request.method === 'OPTIONS' && foreign && request.headers.has('access-control-request-method')) {
      return new Response(null, {
        status: 204,
        headers: {
          ...cors(foreign),
          'access-control-allow-methods': METHODS.join(', '),
          'access-control-allow-headers': allowHeaders,
          'access-control-max-age': '600',
        },
      });
    }

    // ---- the path: only the API's own operations, as the endpoint table lists them ----
    let path = url.pathname;
    if (mount) {
      if (!path.startsWith(`${mount}/`)) return refuse(404, 'Not Found', `Only ${mount}/api/v1/… is served here.`, 'proxy_path');
      path = path.slice(mount.length);
    }
    if (!path.startsWith(API_PREFIX) || path.includes('//') || path.includes('\\') || BAD_ESCAPE.test(path)) {
      return refuse(400, 'Bad Request', 'The path must be an API path (/api/v1/…) without empty segments or encoded slashes, dots or percent signs.', 'proxy_path');
    }
    const method = request.method;
    if (!METHODS.includes(method)) {
      return refuse(405, 'Method Not Allowed', `The method ${method.slice(0, 16)} is not forwarded.`, 'proxy_method', { allow: METHODS.join(', ') });
    }
    for (const h of OVERRIDES) {
      if (request.headers.has(h)) return refuse(400, 'Bad Request', `${h} is refused: send the real method.`, 'proxy_method_override');
    }
    const found = route(method, path);
    if (!found.route) {
      if (!found.methods.size) return refuse(404, 'Not Found', 'No API operation has this path.', 'proxy_path');
      const list = [...found.methods].join(', ');
      return refuse(405, 'Method Not Allowed', `This path takes ${list}.`, 'proxy_method', { allow: list });
    }
    if (!allowed.has(found.route.name)) {
      return refuse(403, 'Forbidden', `The operation ${found.route.name} is not allowed through this proxy.`, 'proxy_operation');
    }

    // ---- headers: an allow-list, then the acting user and the key ----
    const out = new Headers();
    for (const name of PASS_IN) {
      const v = request.headers.get(name);
      if (v === null) continue;
      if (!TOKEN.test(v)) return refuse(400, 'Bad Request', `The ${name} header holds characters or a length the API does not accept.`, 'proxy_header');
      out.set(name, v);
    }
    const sent = request.headers.get('on-behalf-of');
    if (obo === 'forward') {
      if (sent !== null) {
        if (!TOKEN.test(sent)) return refuse(400, 'Bad Request', 'The On-Behalf-Of header is malformed.', 'proxy_header');
        out.set('on-behalf-of', sent);
      }
    } else if (typeof obo === 'function') {
      // The app's session decides who acts; whatever the browser sent is ignored.
      let user;
      try {
        user = await obo(request);
      } catch {
        return refuse(500, 'Internal Server Error', 'The proxy could not determine the acting user.', 'proxy_on_behalf_of');
      }
      if (user instanceof Response) {
        // The app's own answer (say a 401), readable by an allowed foreign origin too.
        if (!foreign) return user;
        const headers = new Headers(user.headers);
        for (const [k, v] of Object.entries(cors(foreign))) headers.set(k, v);
        return new Response(user.body, { status: user.status, statusText: user.statusText, headers });
      }
      if (user !== null && user !== undefined) {
        if (typeof user !== 'string' || !TOKEN.test(user)) return refuse(500, 'Internal Server Error', 'The proxy could not determine the acting user.', 'proxy_on_behalf_of');
        out.set('on-behalf-of', user);
      }
    } else if (sent !== null) {
      return refuse(403, 'Forbidden', 'On-Behalf-Of is not accepted from the browser here: the server binds the acting user (createProxy onBehalfOf).', 'proxy_on_behalf_of');
    }
    out.set('x-api-key', apiKey);

    // ---- the body: capped before and while it streams ----
    const ctl = new AbortController();
    let body = null;
    let tooLarge = false;
    if (method !== 'GET' && method !== 'HEAD' && request.body) {
      const declared = request.headers.get('content-length');
      if (declared !== null && !/^\d{1,16}$/.test(declared)) return refuse(400, 'Bad Request', 'Content-Length is malformed.', 'proxy_body');
      if (declared !== null && Number(declared) > maxBody) {
        return refuse(413, 'Content Too Large', `The request body is larger than ${maxBody} bytes.`, 'proxy_body_size');
      }
      // Over the cap mid-stream, the upstream call is aborted, not ended: a runtime that
      // closes a chunked body cleanly on a stream error would hand the API a truncated body.
      body = capped(request.body, maxBody, declared === null ? null : Number(declared), (why) => {
        tooLarge = why === 'too large';
        ctl.abort();
      });
    }

    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; ctl.abort(); }, timeoutS * 1000);
    const onAbort = () => ctl.abort();
    request.signal?.addEventListener?.('abort', onAbort, { once: true });
    let res;
    try {
      const init = { method, headers: out, redirect: 'manual', signal: ctl.signal };
      if (body) { init.body = body; init.duplex = 'half'; }
      res = await doFetch(upstream + path + url.search, init);
    } catch {
      if (tooLarge) return refuse(413, 'Content Too Large', `The request body is larger than ${maxBody} bytes.`, 'proxy_body_size');
      if (timedOut) return refuse(504, 'Gateway Timeout', 'The API did not answer in time.', 'proxy_upstream_timeout');
      if (body && ctl.signal.aborted) return refuse(400, 'Bad Request', 'The request body ended early.', 'proxy_body');
      return refuse(502, 'Bad Gateway', 'The API could not be reached.', 'proxy_upstream');
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener?.('abort', onAbort);
    }

    // ---- the answer, faithfully: status, body, the headers the client reads ----
    const headers = new Headers(cors(foreign));
    for (const name of PASS_OUT) {
      const v = res.headers.get(name);
      if (v !== null) headers.set(name, v);
    }
    // The length only when the body arrives as sent: fetch decodes a Content-Encoding.
    const length = res.headers.get('content-length');
    if (length !== null && !res.headers.has('content-encoding') && /^\d{1,16}$/.test(length)) headers.set('content-length', length);
    // Answers are per user: no shared cache may keep one unless the API said so.
    if (!headers.has('cache-control')) headers.set('cache-control', 'no-store');
    headers.set('x-content-type-options', 'nosniff');
    const empty = method === 'HEAD' || res.status === 204 || res.status === 304;
    if (empty) await res.body?.cancel().catch(() => {});
    return new Response(empty ? null : res.body, { status: res.status, statusText: res.statusText, headers });
  }

  return (request) => handle(request).catch(() => problem(500, 'Internal Server Error', 'The proxy failed.', { code: 'proxy_internal' }));
}

export { problem } from './proxy-problem.js';
export { toNodeListener } from './proxy-node.js';
