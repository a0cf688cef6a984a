// Whether the WebAssembly module is loaded, and the guards `vclient/slim` puts in front of
// what needs it: before `init()` the glue would fail with a bare TypeError from inside
// itself ("Cannot read properties of undefined"); the guards throw a ConfigurationError
// saying what to do. Not part of the public API.
import coreInit, { initSync as coreInitSync, ConfigurationError } from './core.js';

let loaded = false;

/** Loads the module (a no-op once loaded). Resolves with nothing: its exports are internal. */
export async function init(input) {
  await coreInit(input);
  loaded = true;
}

/** Loads the module from a `WebAssembly.Module` or bytes, synchronously. */
export function initSync(input) {
  coreInitSync(input);
  loaded = true;
}

function requireLoaded(what) {
  if (loaded) return;
  throw new ConfigurationError(
    `vclient/slim: ${what} needs the WebAssembly module, which is not loaded yet; ` +
      'call `await init({ module_or_path })` or `initSync({ module })` first',
    { option: 'init' },
  );
}

/** `cls`, except that constructing it before the module is loaded throws. */
export function guardClass(cls) {
  return new Proxy(cls, {
    construct(target, args, newTarget) {
      requireLoaded(`new ${target.name}()`);
      return Reflect.construct(target, args, newTarget);
    },
  });
}

/** `fn`, except that calling it before the module is loaded throws. */
export function guardFunction(fn) {
  const name = fn.name;
  return {
    [name](...args) {
      requireLoaded(`${name}()`);
      return fn.apply(this, args);
    },
  }[name];
}
