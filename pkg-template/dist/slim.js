// Load the .wasm yourself: `await init({ module_or_path })` or `initSync({ module })` first.
export * from './core.js';
export { default } from './core.js';
