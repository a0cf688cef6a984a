// Compiled (not run) by scripts/test.sh with a strict tsc: the generated declarations must
// type what a user touches, including `instanceof` narrowing on the error classes.
import { VClient, NotFoundError, APIError, RateLimitError, TimeoutError, RetryBudgetExhaustedError, type ItemIterator, type VClientOptions, type Page } from '../../target/npm/dist/index.js';
const opts: VClientOptions = { baseUrl: 'https://x', apiKey: 'k', maxRetries: 2, jitter: 'full', logger: console, retryBudget: 200, pacing: true, maxResponseBytes: 1 << 20 };
const off: VClientOptions = { retryBudget: false, setAsDefault: false };
const c = new VClient(opts);
async function f() {
  try { await c.request('GET', '/api/v1/health', { query: { limit: 1 }, signal: AbortSignal.timeout(10) }); }
  catch (e) {
    if (e instanceof NotFoundError) { const s: number = e.status; const d: string | null = e.detail; console.log(s, d, e.invalidParameters[0]?.field); }
    if (e instanceof RateLimitError) { const r: number | null = e.retryAfter; console.log(r); }
    if (e instanceof TimeoutError) { const t: boolean = e.total; console.log(t); }
    if (e instanceof APIError) console.log(e.requestId, e.attempts);
    if (e instanceof RetryBudgetExhaustedError) { const last: Error = e.cause; console.log(last.message, e.status, off); }
  }
  const page: Page<any> = await c.getPage('/api/v1/companies', { query: { limit: 20, offset: 40 } });
  const next: number | null = page.nextOffset;
  const all: any[] = await c.listAll('/api/v1/companies', { query: { limit: 100 }, maxLimit: 1000 });
  const sized: any[] = await c.listAll('/api/v1/companies', { pageSize: 100 });
  const pager: ItemIterator<any> = c.paginate('/api/v1/companies', { signal: AbortSignal.timeout(1000) });
  for await (const item of pager) console.log(item, next, all.length, sized.length);
  await c.close();
  await c.request('GET', '/x');
}
f();

// The services: typed models, typed arguments, typed filters, enum constants.
import { Enums, defaultClient, usersService, type User, type Campaign, type UserRole } from '../../target/npm/dist/index.js';
async function services() {
  const users = c.users('user-1', { companyId: 'co-1' });
  const page: Page<User> = await users.getPage({ limit: 10, user_role: 'PLAYER' });
  const first: User | undefined = page.items[0];
  const role: UserRole = Enums.UserRole.STORYTELLER;
  const campaign: Campaign = await c.campaigns('user-1').create({ name: 'Night' }, { idempotencyKey: 'k' });
  for await (const u of users.iterAll({ limit: 50 })) { const id: string = u.id; console.log(id); }
  const books = c.books(campaign.id, 'user-1');
  await books.renumber('b1', 2);
  const dl = await c.globalAdmin.downloadLogs();
  const bytes: Uint8Array = dl.data;
  const sameUsers = usersService('user-1');
  const health = await defaultClient().system.health();
  console.log(first, role, bytes, sameUsers, health.database_status);
  // @ts-expect-error: an unknown filter is a type error
  await users.getPage({ nope: 1 });
  // @ts-expect-error: the role must be one of the enum values
  await c.companies.grantAccess('co', 'dev', 'BOSS');
}
services();

// The surface users touch first (issue 10): no wasm-bindgen internals, sync disposal,
// ResponseValidationError's service fields.
import { ResponseValidationError } from '../../target/npm/dist/index.js';
// @ts-expect-error: the module's raw exports are not public
import type { InitOutput } from '../../target/npm/dist/index.js';
import initModule from '../../target/npm/dist/index.js';
async function surface() {
  {
    using scoped = new VClient(opts);
    await scoped.request('GET', '/api/v1/health');
  }
  // @ts-expect-error: no free(): close() (or `using`) ends a client
  c.free();
  // @ts-expect-error: nor on a paginator
  c.paginate('/api/v1/companies').free();
  const loaded: void = await initModule();
  try { await c.campaigns('u').get('c1'); } catch (e) {
    if (e instanceof ResponseValidationError) { const f: string | undefined = e.field; const op: string | undefined = e.operation; console.log(f, op, loaded); }
  }
}
surface();
