// The default client (contract §B13): the last client made with `setAsDefault` (on by
// default) or by `configureDefaultClient()` wins; its `close()` clears it. The service
// factories (`usersService(...)`) use it. It accepts only a client this package's
// constructor made (a WeakSet of them), never an object that merely looks like one.
import * as core from './core.js';

/** Every client constructed through `VClient` below (subclasses such as the fake too). */
const made = new WeakSet();
let current;

function configError(option, message) {
  return new core.ConfigurationError(`VClient option \`${option}\` ${message}`, { option });
}

function typeName(v) {
  if (v === null) return 'null';
  return Array.isArray(v) ? 'an array' : typeof v;
}

/**
 * The package's client class: wasm-bindgen's `VClient` plus the registry's bookkeeping.
 * The constructor has validated `setAsDefault` (a boolean or absent) when this reads it.
 */
export class VClient extends core.VClient {
  constructor(options) {
    super(options);
    made.add(this);
    const setAsDefault = options !== null && typeof options === 'object' ? options.setAsDefault : undefined;
    if (setAsDefault ?? true) current = this;
  }

  close() {
    if (current === this) current = undefined;
    return super.close();
  }
}
// `await using`: the glue's disposer closes the Rust client directly; this one goes through
// `close()` above, so the registry forgets the client too.
if (Symbol.asyncDispose) {
  Object.defineProperty(VClient.prototype, Symbol.asyncDispose, {
    value: function asyncDispose() { return this.close(); }, writable: true, configurable: true,
  });
}

/**
 * The default client: the last one made with `setAsDefault` (on by default) or by
 * `configureDefaultClient()`. Throws a `ConfigurationError` when there is none.
 */
export function defaultClient() {
  if (current === undefined) {
    throw configError('defaultClient', 'is not set: no default client configured; call configureDefaultClient() or create a VClient first');
  }
  return current;
}

/** Creates a client with `options` and makes it the default. */
export function configureDefaultClient(options) {
  const client = new VClient(options);
  current = client;
  return client;
}

/** Forgets the default client: any, or only `client` when given (and it is the default). */
export function clearDefaultClient(client) {
  if (client === undefined || client === null) {
    current = undefined;
    return;
  }
  if (!made.has(client)) throw configError('client', `must be a VClient, got ${typeName(client)}`);
  if (current === client) current = undefined;
}
