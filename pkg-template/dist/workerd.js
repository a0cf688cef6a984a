// Cloudflare Workers: the .wasm import is a WebAssembly.Module, the only form production
// Workers accept (no compiling from bytes).
import wasmModule from './vclient_bg.wasm';
import { initSync } from './surface.js';
initSync({ module: wasmModule });
export * from './surface.js';
export { default } from './surface.js';
