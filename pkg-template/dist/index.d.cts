export * from './core.cjs';
export * from './services.cjs';
export * from './registry.cjs';
import type { InitInput } from './core.cjs';
/** Loads the WebAssembly module (only needed with `vclient/slim`; a no-op once loaded). */
export default function init(input?: { module_or_path: InitInput | Promise<InitInput> }): Promise<void>;
