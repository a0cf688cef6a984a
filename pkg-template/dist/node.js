// Node (ESM, and require() through the module-sync condition): read the .wasm synchronously.
import { readFileSync } from 'node:fs';
import { initSync } from './core.js';
initSync({ module: readFileSync(new URL('./vclient_bg.wasm', import.meta.url)) });
export * from './core.js';
export { default } from './core.js';
