// Deno resolving the bare specifier from node_modules (condition deno → deno.js, a
// source-phase import of the .wasm: no --allow-read needed).
import * as pkg from 'vclient';
import { namesKept, retriedPost } from './common.mjs';
const checks = await retriedPost(pkg.VClient, pkg.ServerError, Deno.args[0], 'deno');
checks.push(...await namesKept(pkg, 'deno'));
let failed = 0;
for (const [what, ok] of checks) { console.log(`${ok ? 'ok' : 'not ok'} - ${what}`); if (!ok) failed++; }
console.log(`package (deno): ${checks.length - failed} passed, ${failed} failed`);
if (failed) Deno.exit(1);
