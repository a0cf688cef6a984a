// The /api/v1 route table of the fake, compiled from spec/endpoints.json (the single source
// of truth for the 166 operations) and spec/openapi.json (schemas and 2xx status codes).
// Nothing here is a hand-copied list of routes.
//
//   loadSpec()              -> { endpoints, openapi, schemas, router }  (read once, cached)
//   compileRouter(entries)  -> { templates, match(path) }
//   successStatus(openapi, entry) -> the first documented 2xx status of the operation
//   fillPath(template, values)    -> a concrete path (each value percent-encoded)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SPEC_DIR = new URL('../../spec/', import.meta.url);
export const ENDPOINTS_PATH = fileURLToPath(new URL('endpoints.json', SPEC_DIR));
export const OPENAPI_PATH = fileURLToPath(new URL('openapi.json', SPEC_DIR));

const VERBS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

function safeDecode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Splits a path template into segments: { literal } or { param }. */
function segmentsOf(template) {
  return template.split('/').slice(1).map((s) => {
    const m = /^\{(\w+)\}$/.exec(s);
    return m ? { param: m[1] } : { literal: s };
  });
}

/**
 * Compiles the entries' (verb, path) pairs into one matcher per path template.
 * `{name}` matches exactly one non-empty path segment. When two templates match the same
 * path, the one with a literal at the first differing segment wins (`/users/merge` beats
 * `/users/{user_id}`), as in the real server's router.
 */
export function compileRouter(entries) {
  const byTemplate = new Map();
  for (const e of entries) {
    let t = byTemplate.get(e.path);
    if (!t) {
      const segs = segmentsOf(e.path);
      const re = new RegExp('^/' + segs.map((s) => (s.param ? '([^/]+)' : escapeRe(s.literal))).join('/') + '$');
      t = {
        template: e.path,
        re,
        paramNames: segs.filter((s) => s.param).map((s) => s.param),
        rank: segs.map((s) => (s.param ? 0 : 1)),
        methods: {},
      };
      byTemplate.set(e.path, t);
    }
    if (t.methods[e.verb]) throw new Error(`duplicate operation ${e.verb} ${e.path}`);
    t.methods[e.verb] = e;
  }
  const templates = [...byTemplate.values()].sort((a, b) => {
    const n = Math.min(a.rank.length, b.rank.length);
    for (let i = 0; i < n; i++) if (a.rank[i] !== b.rank[i]) return b.rank[i] - a.rank[i];
    return b.rank.length - a.rank.length;
  });
  for (const t of templates) {
    t.allow = ['OPTIONS', ...VERBS.filter((v) => t.methods[v])].join(', ');
  }
  return {
    templates,
    /** -> { template, params: {name: decoded value} } or null. */
    match(path) {
      for (const t of templates) {
        const m = t.re.exec(path);
        if (m) {
          const params = {};
          t.paramNames.forEach((name, i) => { params[name] = safeDecode(m[i + 1]); });
          return { template: t, params };
        }
      }
      return null;
    },
  };
}

/** The operation object of an entry in the OpenAPI file. */
export function operationOf(openapi, entry) {
  const op = openapi.paths?.[entry.path]?.[entry.verb.toLowerCase()];
  if (!op) throw new Error(`spec/openapi.json has no operation ${entry.verb} ${entry.path}`);
  return op;
}

/** The first documented 2xx status (the real server answers with it). */
export function successStatus(openapi, entry) {
  const code = Object.keys(operationOf(openapi, entry).responses ?? {}).find((c) => /^2\d\d$/.test(c));
  return code ? Number(code) : (entry.verb === 'POST' ? 201 : 200);
}

/** Builds a concrete path from a template; `values` maps a param name to its value. */
export function fillPath(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, name) => {
    if (values[name] === undefined) throw new Error(`no value for {${name}} in ${template}`);
    return encodeURIComponent(values[name]);
  });
}

let cached = null;

/** Reads and compiles the two spec files once (paths relative to this module, any cwd). */
export function loadSpec() {
  if (cached) return cached;
  const table = JSON.parse(readFileSync(ENDPOINTS_PATH, 'utf8'));
  const openapi = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8'));
  const endpoints = table.endpoints;
  if (!Array.isArray(endpoints) || endpoints.length === 0) throw new Error(`${ENDPOINTS_PATH}: no endpoints`);
  const schemas = openapi.components?.schemas ?? {};
  cached = { endpoints, openapi, schemas, router: compileRouter(endpoints) };
  return cached;
}
