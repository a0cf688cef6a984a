// Deno: a source-phase import needs no permission (Deno >= 2.6); older Deno reads the file
// (needs --allow-read).
import { initSync } from './surface.js';
let module;
try {
  ({ default: module } = await import('./deno-source.js'));
} catch {
  module = await WebAssembly.compile(await Deno.readFile(new URL('./vclient_bg.wasm', import.meta.url)));
}
initSync({ module });
export * from './surface.js';
export { default } from './surface.js';
