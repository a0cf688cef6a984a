// Compiled (not run) against the installed tarball: ESM consumers resolve dist/index.d.ts.
import init, { VClient, NotFoundError, type VClientOptions, type Page } from 'vclient';
const o: VClientOptions = { baseUrl: 'https://x', apiKey: 'k' };
const c = new VClient(o);
const p: Promise<Page<unknown>> = c.getPage('/api/v1/companies', { query: { limit: 5 } });
async function f() { try { await p; } catch (e) { if (e instanceof NotFoundError) console.log(e.status); } await init(); }
void f;
import { FakeVClient, Routes } from 'vclient/testing';
import type { User } from 'vclient';
const fake = new FakeVClient({ maxRetries: 0 });
fake.setResponse(Routes.USERS_LIST, { items: [{ name_first: 'Ann' }] });
const users: Promise<User[]> = fake.users('u').listAll({ user_role: 'PLAYER', limit: 50 }, { timeout: 5 });
// @ts-expect-error: filters keep the API's names
void fake.users('u').listAll({ userRole: 'PLAYER' });
void users;
// No wasm-bindgen internals in the public types; `using` closes the client.
async function scoped() {
  using d = new VClient(o);
  // @ts-expect-error: no free(): close() or `using` ends a client
  d.free();
  const loaded: void = await init();
  void loaded;
}
void scoped;
// `vclient/proxy` resolves with its own declarations.
import { createProxy, type FetchHandler } from 'vclient/proxy';
const handler: FetchHandler = createProxy({ baseUrl: 'https://api.example', apiKey: 'k', basePath: '/vnoir' });
// @ts-expect-error: the key is required (it comes from the server's environment)
createProxy({ baseUrl: 'https://api.example' });
void handler;
