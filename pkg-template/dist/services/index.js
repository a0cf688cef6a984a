// The 17 services over a client's raw calls. A service method checks its arguments
// (./prepare.js), then makes ONE raw call (`request`, `getPage`, `listAll`, `paginate`) and
// returns that call's promise (or paginator) as is; the response check rides along as the
// call's response hook, so it runs inside the call and the caller sees one promise.

import { ENUMS, NAMED_ENUMS, SERVICES } from './catalog.js';
import { checkItems, checkResponse } from './check.js';
import { jsName, op } from './ops.js';
import { CALL, Invalid, ITERATE, LIST_ALL, PAGE, id, prepare, useKnobs } from './prepare.js';
import { typeName, unknownKey } from './query.js';

/** The key under which a raw call's options carry the service's response hook. */
export const RESPONSE_HOOK = Symbol.for('vclient.responseHook');

/** Each service object's client and scope, out of sight of `console.log` and `JSON`. */
const scopes = new WeakMap();

/** `value` of the `On-Behalf-Of` header, or the reason it cannot be one (never the value). */
function headerProblem(value) {
  for (const c of value) {
    if (c === '\r' || c === '\n') return 'contains a line break (CR or LF), which is not allowed in a header';
    const code = c.codePointAt(0);
    if ((code < 0x20 && c !== '\t') || (code >= 0x7f && code < 0xa0) || code > 0xff) {
      return `contains the character U+${code.toString(16).toUpperCase().padStart(4, '0')}, which is not allowed in a header`;
    }
  }
  return undefined;
}

/** The hook a raw call runs on a 2xx body (pages: on their items): checks and finishes it. */
function responseHook(o, mode, errors) {
  const fail = (m, requestId) => {
    const at = m.path === '' ? 'the body' : `\`${m.path}\``;
    const fields = { field: m.path, operation: o.name };
    if (requestId != null) fields.requestId = requestId;
    return new errors.ResponseValidationError(
      `${o.name} (${mode === CALL ? o.method : 'GET'}): the response does not match the API's schema: ${at} ${m.message}${requestId != null ? ` (request id ${requestId})` : ''}`,
      fields,
    );
  };
  if (mode !== CALL) {
    if (o.schema === undefined) return undefined;
    return (items, requestId) => {
      const m = Array.isArray(items) ? checkItems(o.schema, items, 'items') : undefined;
      if (m) throw fail(m, requestId);
      return items;
    };
  }
  switch (o.response) {
    case 'noContent': return () => undefined;
    case 'bytes': return (value) => {
      if (value !== null && typeof value === 'object' && value.filename == null) value.filename = 'vapi-logs.zip';
      return value;
    };
    default:
      if (o.schema === undefined) return undefined;
      return (value, requestId) => {
        const m = checkResponse(o.schema, value, o.response === 'list');
        if (m) throw fail(m, requestId);
        return value;
      };
  }
}

/** Runs method `entry` (operation × 4 + mode) of a service object. */
function invoke(service, entry, args, errors) {
  const scope = scopes.get(service);
  if (!scope) throw new TypeError('not a service object of vclient');
  const o = op(entry >> 2);
  const mode = entry & 3;
  let prepared;
  try {
    prepared = prepare(o, mode, args, scope);
  } catch (e) {
    if (!(e instanceof Invalid)) throw e;
    const err = requestError(errors, e.field, e.message, e.cause);
    // `iterAll` returns an iterator, not a promise: it throws at once, as `paginate` does.
    if (mode === ITERATE) throw err;
    return Promise.reject(err);
  }
  const { path, init } = prepared;
  const hook = responseHook(o, mode, errors);
  if (hook) init[RESPONSE_HOOK] = hook;
  const client = scope.client;
  switch (mode) {
    case PAGE: return client.getPage(path, init);
    case LIST_ALL: return client.listAll(path, init);
    case ITERATE: return client.paginate(path, init);
    default: return client.request(o.method, path, init);
  }
}

function requestError(errors, field, message, cause) {
  return new errors.RequestValidationError(`\`${field}\` ${message}`, { field }, cause);
}

const protos = [];

/** The shared prototype of service kind `index`: one plain method per table entry. */
function proto(index, errors) {
  if (protos[index]) return protos[index];
  const p = {};
  for (const [name, entry] of SERVICES[index].methods) {
    Object.defineProperty(p, name, {
      value: { [name](...args) { return invoke(this, entry, args, errors); } }[name],
      writable: true,
      configurable: true,
    });
  }
  return (protos[index] = p);
}

/**
 * Service `index` of `client` for the accessor's arguments (`ids…, onBehalfOf, options`);
 * every check happens here, before any I/O.
 */
function makeService(client, index, args, errors) {
  const spec = SERVICES[index];
  const fail = (field, message) => requestError(errors, field, message);
  const values = [];
  let at = 0;
  const ids = spec.ids ?? [];
  const idArgs = ids.map(() => args[at++]);
  const onBehalfOfArg = spec.onBehalfOf === 'never' ? undefined : args[at++];
  const options = spec.company ? args[at++] : undefined;
  try {
    if (spec.company) {
      if (!(options === undefined || options === null || (typeof options === 'object'))) {
        throw new Invalid('options', `must be an object, got ${typeName(options)}`);
      }
      const stray = options ? Object.keys(options).find((k) => k !== 'companyId') : undefined;
      if (stray !== undefined) throw new Invalid('options', unknownKey(stray, ['companyId']));
      const given = options?.companyId ?? undefined;
      let company;
      if (given !== undefined) company = id('companyId', given);
      else {
        company = client.defaultCompanyId;
        if (company == null) {
          throw new Invalid('companyId', "is required: pass { companyId } or set the client's defaultCompanyId (or VALENTINA_CLIENT_DEFAULT_COMPANY_ID)");
        }
      }
      values.push(['company_id', company]);
    }
    ids.forEach((wire, i) => values.push([wire, id(jsName(wire), idArgs[i])]));
    let onBehalfOf;
    if (spec.onBehalfOf === 'required' || (spec.onBehalfOf === 'optional' && onBehalfOfArg != null)) {
      onBehalfOf = id('onBehalfOf', onBehalfOfArg);
      // Never echo the value: it identifies the acting user.
      const problem = headerProblem(onBehalfOf);
      if (problem) throw new Invalid('onBehalfOf', problem);
    }
    const service = Object.create(proto(index, errors));
    scopes.set(service, { client, values, onBehalfOf });
    return service;
  } catch (e) {
    if (e instanceof Invalid) throw fail(e.field, e.message);
    throw e;
  }
}

/**
 * Adds the service accessors to `VClient.prototype` (`client.users(actor, { companyId })`,
 * `client.companies`, …). `core` is the package's glue (the client class and the error
 * classes); `defaultClient` is the registry's, for the factories.
 */
let errorClasses;
let theDefault;

export function installServices(core, defaultClient) {
  errorClasses = core;
  theDefault = defaultClient;
  if (core.CALL_OPTION_KNOBS) useKnobs(core.CALL_OPTION_KNOBS);
  const errors = core;
  SERVICES.forEach((spec, index) => {
    const { name } = spec;
    const scoped = spec.company || spec.ids !== null || spec.onBehalfOf !== 'never';
    const accessor = scoped
      ? { [name](...args) { return makeService(this, index, args, errors); } }[name]
      : undefined;
    if (scoped) {
      Object.defineProperty(core.VClient.prototype, name, { value: accessor, writable: true, configurable: true });
    } else {
      Object.defineProperty(core.VClient.prototype, name, {
        get: { [name]() { return makeService(this, index, [], errors); } }[name],
        configurable: true,
      });
    }
  });
}

/** Service `index` of `defaultClient()` for the accessor's arguments (./factories.js). */
export function service(index, args) {
  return makeService(theDefault(), index, args, errorClasses);
}

/** The API's enums as frozen objects: `Enums.UserRole.PLAYER === "PLAYER"`. */
export const Enums = Object.freeze(Object.fromEntries(ENUMS.slice(0, NAMED_ENUMS).map(
  ([name, values]) => [name, Object.freeze(Object.fromEntries(values.map((v) => [v, v])))])));
