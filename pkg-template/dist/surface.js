// The package's public face over wasm-bindgen's glue (core.js); every entry loads through
// it. The glue gives each class `free()` and a synchronous `[Symbol.dispose]()` that frees
// the Rust object, after which every call fails with "null pointer passed to rust". Users
// own no Rust memory here (a FinalizationRegistry frees it), so `free()` goes, and
// synchronous disposal means what asynchronous disposal means: `close()` for a client,
// `return()` (stop fetching) for a paginator.
import * as core from './core.js';
export * from './core.js';
export { init as default, initSync } from './loading.js';
// The client class with the default-client registry (in place of the glue's bare class).
export { VClient, clearDefaultClient, configureDefaultClient, defaultClient } from './registry.js';

const define = (target, key, value) =>
  Object.defineProperty(target, key, { value, writable: true, configurable: true });

for (const cls of [core.VClient, core.Paginator]) {
  delete cls.prototype.free;
  if (Symbol.dispose) delete cls.prototype[Symbol.dispose];
}
if (Symbol.dispose) {
  define(core.VClient.prototype, Symbol.dispose, function dispose() { this.close(); });
  define(core.Paginator.prototype, Symbol.dispose, function dispose() { this.return(); });
}
if (Symbol.asyncDispose) {
  define(core.Paginator.prototype, Symbol.asyncDispose, async function asyncDispose() {
    await this.return();
  });
}

// services:begin (scripts/build.sh core drops this block: the core-only layout)
// The 17 services, generated JS over the client's raw calls (./services/).
import { installServices } from './services/index.js';
import { defaultClient } from './registry.js';
export * from './services/factories.js';
export { Enums } from './services/index.js';
installServices(core, defaultClient);
// services:end
