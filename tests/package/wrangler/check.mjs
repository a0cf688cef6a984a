// After `wrangler deploy --dry-run --outdir out`: the .wasm must be uploaded as its own
// module; production Workers refuse to compile Wasm from bytes, so it must not be inlined.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
const out = process.argv[2];
const files = readdirSync(out, { recursive: true }).map(String).filter((f) => statSync(join(out, f)).isFile());
const wasm = files.filter((f) => f.endsWith('.wasm'));
const js = files.filter((f) => f.endsWith('.js') || f.endsWith('.mjs'));
const inlined = js.some((f) => readFileSync(join(out, f), 'utf8').includes('AGFzbQ')); // base64 of "\0asm"
const checks = [
  ['wrangler dry-run: exactly one .wasm module in the upload', wasm.length === 1],
  ['wrangler dry-run: the worker script holds no base64 Wasm', js.length > 0 && !inlined],
];
let failed = 0;
for (const [what, ok] of checks) { console.log(`${ok ? 'ok' : 'not ok'} - ${what}`); if (!ok) { failed++; console.log(`  files: ${files.join(', ')}`); } }
console.log(`wrangler dry-run: ${checks.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
