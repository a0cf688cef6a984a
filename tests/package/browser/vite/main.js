// Bundled by Vite: `vclient` resolves through the exports map's browser condition, and the
// .wasm, referenced with new URL(..., import.meta.url), is emitted as an asset.
import { VClient, ServerError } from 'vclient';
import { run } from '../check.js';
run(VClient, ServerError, 'vite');
