// Node (ESM, and require() through the module-sync condition): read the .wasm synchronously.
import { readFileSync } from 'node:fs';
import { initSync } from './surface.js';
initSync({ module: readFileSync(new URL('./vclient_bg.wasm', import.meta.url)) });
export * from './surface.js';
export { default } from './surface.js';
