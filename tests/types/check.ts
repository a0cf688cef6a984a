// Compiled (not run) by scripts/test.sh with a strict tsc: the generated declarations must
// type what a user touches, including `instanceof` narrowing on the error classes.
import { VClient, NotFoundError, APIError, RateLimitError, TimeoutError, type VClientOptions } from '../../target/pkg-web/vclient.js';
const opts: VClientOptions = { baseUrl: 'https://x', apiKey: 'k', maxRetries: 2, jitter: 'full', logger: console };
const c = new VClient(opts);
async function f() {
  try { await c.request('GET', '/api/v1/health', { query: { limit: 1 }, signal: AbortSignal.timeout(10) }); }
  catch (e) {
    if (e instanceof NotFoundError) { const s: number = e.status; const d: string | null = e.detail; console.log(s, d, e.invalidParameters[0]?.field); }
    if (e instanceof RateLimitError) { const r: number | null = e.retryAfter; console.log(r); }
    if (e instanceof TimeoutError) { const t: boolean = e.total; console.log(t); }
    if (e instanceof APIError) console.log(e.requestId, e.attempts);
  }
  await c.close();
  await c.request('GET', '/x');
}
f();
