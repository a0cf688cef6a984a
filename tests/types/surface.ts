// Compiled (not run) by scripts/test.sh with a strict tsc (surface.tsconfig.json): what a
// TypeScript user writes must compile, and every `@ts-expect-error` line must fail to
// compile (tsc reports an unused one): a misspelt route, a wrong enum value, a missing
// required body field, a wrong generic use, a `Date` where the API takes no date.
import {
  VClient, Enums, CALL_OPTION_KNOBS,
  type APIPromise, type Campaign, type CampaignCreate, type Company, type ItemIterator, type Page,
  type ResponseInfo, type User, type UserRole,
} from 'vclient';
import { FakeVClient, Routes, type RouteName, type RouteSpec } from 'vclient/testing';

const c = new VClient({ baseUrl: 'https://x', apiKey: 'k', defaultCompanyId: 'co' });

// The raw calls take the type you expect back; without one they stay `any`.
async function raw() {
  const company = await c.request<Company>('GET', '/api/v1/companies/co');
  const name: string = company.name;
  const page: Page<User> = await c.getPage<User>('/api/v1/companies/co/users', { query: { limit: 5, user_role: 'PLAYER' } });
  const first: User | undefined = page.items[0];
  const next: number | null = page.nextOffset;
  const all: User[] = await c.listAll<User>('/api/v1/companies/co/users');
  const pager: ItemIterator<User> = c.paginate<User>('/api/v1/companies/co/users');
  for await (const u of c.paginate<User>('/api/v1/companies/co/users')) { const id: string = u.id; console.log(id); }
  const untyped = await c.request('GET', '/api/v1/health');
  console.log(name, first, next, all, pager, untyped.anything);
  // @ts-expect-error: request takes one type argument
  await c.request<Company, User>('GET', '/api/v1/companies/co');
  // @ts-expect-error: a Company is not a User
  const notUser: User = await c.request<Company>('GET', '/api/v1/companies/co');
  // @ts-expect-error: a page's items are Users
  const notNumber: number = page.items[0]!;
  // @ts-expect-error: listAll resolves to an array of T
  const notPage: Page<User> = await c.listAll<User>('/api/v1/companies/co/users');
  for await (const u of c.paginate<User>('/api/v1/companies/co/users')) {
    // @ts-expect-error: the items are Users, which have no `title`
    console.log(u.title);
  }
  console.log(notUser, notNumber, notPage);
  // The raw paging calls follow request()'s shape: `limit`/`offset` are API data, in `query`.
  await c.getPage('/api/v1/companies', { query: { limit: 20, offset: 40 }, maxLimit: 100 });
  await c.listAll('/api/v1/companies', { query: { limit: 50 }, pageSize: 50 });
  // @ts-expect-error: `limit` is API data: `query.limit`
  await c.getPage('/api/v1/companies', { limit: 20 });
  // @ts-expect-error: `offset` is API data: `query.offset`
  await c.getPage('/api/v1/companies', { offset: 40 });
  // @ts-expect-error: getPage's page size is `query.limit`
  await c.getPage('/api/v1/companies', { pageSize: 20 });
  // @ts-expect-error: the page size is `query.limit` or the knob `pageSize`
  await c.listAll('/api/v1/companies', { limit: 20 });
  // @ts-expect-error: listAll always starts at offset 0
  await c.listAll('/api/v1/companies', { query: { offset: 10 } });
  // @ts-expect-error: paginate always starts at offset 0
  c.paginate('/api/v1/companies', { query: { offset: 10 } });
}

// Response metadata on demand, and per-call retry knobs.
async function metadata() {
  const { data, response } = await c.request<Company>('GET', '/api/v1/companies/co').withResponse();
  const name: string = data.name;
  const status: number = response.status;
  const requestId: string | null = response.requestId;
  const attempts: number = response.attempts;
  const key: string | null = response.idempotencyKey;
  const left: number | undefined = response.rateLimit?.remaining;
  const reset: number | null | undefined = response.rateLimit?.reset;
  const id: string | null = response.headers.get('x-request-id');
  const paged: ResponseInfo = (await c.getPage<User>('/api/v1/companies/co/users').withResponse()).response;
  const all: User[] = (await c.listAll<User>('/api/v1/companies/co/users').withResponse()).data;
  const plain: Company = await c.request<Company>('GET', '/api/v1/companies/co', { maxRetries: 0, totalTimeout: 5 });
  const promise: APIPromise<Company> = c.request<Company>('GET', '/api/v1/companies/co', { retryDelay: 0.1, maxRetryDelay: 2 });
  console.log(name, status, requestId, attempts, key, left, reset, id, paged, all, plain, promise);
  // @ts-expect-error: the status is a number
  const notText: string = response.status;
  // @ts-expect-error: the data is a Company
  const notUser: User = (await c.request<Company>('GET', '/api/v1/companies/co').withResponse()).data;
  // @ts-expect-error: maxRetries is a number of retries
  await c.request('GET', '/api/v1/health', { maxRetries: true });
  // @ts-expect-error: per-call knobs are camelCase, like the client options
  await c.request('GET', '/api/v1/health', { max_retries: 0 });
  // The per-call knobs, for code that forwards a call's options.
  const knobs: readonly string[] = CALL_OPTION_KNOBS;
  const first: 'signal' = CALL_OPTION_KNOBS[0];
  console.log(notText, notUser, knobs, first);
}

// The services: models, enums, required fields, dates.
async function services() {
  const campaigns = c.campaigns('acting-user');
  const items: Campaign[] = (await campaigns.getPage({ limit: 3 })).items;
  const night: CampaignCreate = { name: 'Night', in_game_date: new Date(Date.UTC(1999, 11, 31)) };
  const created: Campaign = await campaigns.create(night);
  await campaigns.update(created.id, { in_game_date: '2000-01-01' });
  await campaigns.update(created.id, { in_game_date: null });
  await c.characters('acting-user').update('ch1', { date_of_birth: new Date() });
  // A response's date is the API's text.
  const shown: string | null = created.in_game_date;
  const role: UserRole = Enums.UserRole.PLAYER;
  console.log(items, shown, role);
  // @ts-expect-error: `name` is required
  await campaigns.create({ in_game_date: new Date() });
  // @ts-expect-error: a Date only where the API takes a date
  await campaigns.create({ name: new Date() });
  // @ts-expect-error: a response's date is a string, not a Date
  const asDate: Date = created.date_created;
  // @ts-expect-error: not a role
  const king: UserRole = 'KING';
  // @ts-expect-error: not a filter of this list
  await campaigns.getPage({ user_role: 'PLAYER' });
  console.log(asDate, king);
}

// `vclient/testing`: route names are a literal type.
function routes() {
  const fake = new FakeVClient();
  const spec: RouteSpec = Routes.CAMPAIGNS_GET;
  const name: RouteName = spec.name;
  fake.setResponse(Routes.CAMPAIGNS_CREATE, { model: { name: 'Night' } });
  fake.setResponse('CAMPAIGNS_LIST', { items: [{ name: 'Night' }] });
  fake.setError('USERS_GET', { statusCode: 404, times: 1 });
  // @ts-expect-error: a misspelt route
  console.log(Routes.CAMPAIGNS_GETT);
  // @ts-expect-error: a misspelt route name
  fake.setError('CAMPAIGNS_GETT', { statusCode: 500 });
  // @ts-expect-error: not a route name
  const other: RouteName = 'campaigns';
  // @ts-expect-error: the table is read-only
  Routes.CAMPAIGNS_GET = spec;
  console.log(name, other);
}

// Service methods return the raw call's APIPromise, and take the per-call retry knobs.
async function serviceMeta(client: VClient) {
  const { data, response } = await client.system.health({ maxRetries: 0, totalTimeout: 5 }).withResponse();
  const status: number = response.status;
  const attempts: number = response.attempts;
  // @ts-expect-error: a service method's options hold knobs, not API data
  client.system.health({ user_role: 'PLAYER' });
  console.log(data, status, attempts);
}

console.log(raw, services, routes, serviceMeta);
