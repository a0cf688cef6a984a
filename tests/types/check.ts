// Compiled (not run) by scripts/test.sh with a strict tsc: the generated declarations must
// type what a user touches, including `instanceof` narrowing on the error classes.
import { VClient, NotFoundError, APIError, RateLimitError, TimeoutError, Paginator, type VClientOptions, type Page } from '../../target/pkg-web/vclient.js';
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
  const page: Page<any> = await c.getPage('/api/v1/companies', { limit: 20, offset: 40 });
  const next: number | null = page.nextOffset;
  const all: any[] = await c.listAll('/api/v1/companies', { pageSize: 100, maxLimit: 1000 });
  const pager: Paginator = c.paginate('/api/v1/companies', { signal: AbortSignal.timeout(1000) });
  for await (const item of pager) console.log(item, next, all.length);
  await c.close();
  await c.request('GET', '/x');
}
f();
