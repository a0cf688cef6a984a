export * from './core.js';
export * from './services.js';
export * from './registry.js';
import type { InitInput } from './core.js';
/** Loads the WebAssembly module (only needed with `vclient/slim`; a no-op once loaded). */
export default function init(input?: { module_or_path: InitInput | Promise<InitInput> }): Promise<void>;
