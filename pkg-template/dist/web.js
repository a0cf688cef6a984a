// Browsers, Web Workers and bundlers (Vite, webpack): fetch the .wasm next to this file.
import init from './surface.js';
await init({ module_or_path: new URL('./vclient_bg.wasm', import.meta.url) });
export * from './surface.js';
export { default } from './surface.js';
