// vclient/slim: load the .wasm yourself, with `await init({ module_or_path })` or
// `initSync({ module })`, before using anything else. Until then what needs the module
// throws a ConfigurationError that says so (not the glue's TypeError): scripts/package.sh
// appends a guard for every function of the glue below the client's.
import { guardClass, guardFunction } from './loading.js';
import * as api from './surface.js';
export * from './surface.js';
export { default } from './surface.js';
export const VClient = guardClass(api.VClient);
