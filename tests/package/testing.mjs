// The `vclient/testing` entry from the installed tarball: FakeVClient with its default
// routes, setResponse / setError / addRoute, and the real services, validation and errors.
import { FakeVClient, Routes } from 'vclient/testing';
import { NotFoundError, ResponseValidationError, RequestValidationError, ServerError, ValidationError, defaultClient } from 'vclient';
import { report } from './common.mjs';

const checks = [];
const fake = new FakeVClient({ maxRetries: 0 });
const users = fake.users('acting-user');

const page = await users.getPage();
checks.push(['testing: a default paginated route answers a valid page of one', page.items.length === 1 && page.total === 1]);
checks.push(['testing: the fake is the default client', defaultClient().baseUrl === 'https://fake.valentina-api.test']);

fake.setResponse(Routes.USERS_LIST, { items: [{ name_first: 'Ann' }, { name_first: 'Bo' }] });
const all = await users.listAll();
checks.push(['testing: setResponse items are merged over a valid model', all.map((u) => u.name_first).join() === 'Ann,Bo']);

// The one naming rule through the fake: filters and paging by their API names in `params`,
// the knobs in `options`; the recorded query holds the API's names.
await users.getPage({ user_role: 'PLAYER', limit: 5 }, { headers: { 'x-trace': 'fake' } });
const filtered = fake.requests.at(-1);
const camelRefused = await users.getPage({ userRole: 'PLAYER' }).catch((e) => e);
checks.push(['testing: service params use the API names, options the knobs',
  filtered.query.user_role === 'PLAYER' && filtered.query.limit === '5' && filtered.headers['x-trace'] === 'fake'
  && camelRefused instanceof RequestValidationError && camelRefused.field === 'params']);

fake.setResponse(Routes.USERS_GET, { model: { username: 'only-u1' }, params: { user_id: 'u1' } });
const u1 = await users.get('u1');
const u2 = await users.get('u2');
checks.push(['testing: params restrict an override to one path', u1.username === 'only-u1' && u2.username !== 'only-u1']);

fake.setError(Routes.CAMPAIGNS_GET, { statusCode: 404, detail: 'No such campaign' });
const err = await fake.campaigns('acting-user').get('c1').catch((e) => e);
checks.push(['testing: setError maps to the typed error', err instanceof NotFoundError && err.detail === 'No such campaign' && err.requestId?.startsWith('req_')]);

fake.addRoute('GET', '/api/v1/companies/{company_id}/campaigns/{campaign_id}/books/{book_id}', { json: { id: 'b1' } });
const bad = await fake.books('c1', 'acting-user').get('b1').catch((e) => e);
checks.push(['testing: a raw addRoute body that breaks the schema is a ResponseValidationError naming the field',
  bad instanceof ResponseValidationError && bad.field !== '' && bad.operation === 'books.get']);

const invalid = await fake.campaigns('acting-user').create({ name: 'x', danger: 'high' }).catch((e) => e);
checks.push(['testing: a bad request body is refused before sending', invalid instanceof RequestValidationError && invalid.field === 'danger']);

const last = fake.requests.at(-1);
checks.push(['testing: requests are recorded with the path and On-Behalf-Of',
  last.path === '/api/v1/companies/fake-company/campaigns/c1/books/b1' && last.headers['on-behalf-of'] === 'acting-user']);
checks.push(['testing: every route has a constant', Object.keys(Routes).length === 166]);
await fake.close();

// Paginated routes cut pages as the server does: limit (default 10, 0..the route's largest
// page) and offset from the query, echoed, with the total of every item.
const pager = new FakeVClient({ maxRetries: 0 });
pager.setResponse(Routes.CAMPAIGNS_LIST, { items: Array.from({ length: 250 }, (_, i) => ({ name: `Campaign ${i}` })) });
const campaigns = await pager.campaigns('acting-user').listAll();
const sent = pager.requests.map((r) => `${r.query.limit}/${r.query.offset}`).join();
checks.push(['testing: 250 items come back through listAll as three pages of 100',
  campaigns.length === 250 && campaigns[249].name === 'Campaign 249' && sent === '100/0,100/100,100/200']);
const tail = await pager.campaigns('acting-user').getPage({ limit: 20, offset: 240 });
checks.push(['testing: a page echoes limit and offset, holds the slice, and totals every item',
  tail.limit === 20 && tail.offset === 240 && tail.total === 250 && tail.items.length === 10 && tail.items[0].name === 'Campaign 240' && !tail.hasMore]);
const first = await pager.campaigns('acting-user').getPage();
checks.push(['testing: limit defaults to 10 and offset to 0', first.limit === 10 && first.offset === 0 && first.items.length === 10]);
const past = await pager.users('acting-user').getPage({ offset: 5 });
checks.push(['testing: a default route pages its one item too', past.total === 1 && past.items.length === 0 && past.offset === 5]);
const over = await pager.request('GET', '/api/v1/companies/fake-company/campaigns', { query: { limit: 101 } }).catch((e) => e);
checks.push(['testing: a limit over the route\'s largest page is the server\'s 400',
  over instanceof ValidationError && over.invalidParameters[0]?.field === 'limit' && /<= 100/.test(over.invalidParameters[0]?.message)]);
const big = await pager.request('GET', '/api/v1/companies/fake-company/dictionaries', { query: { limit: 1000 } });
checks.push(['testing: the reference catalogues take pages of up to 1000', big.limit === 1000 && big.total === 1]);
await pager.close();

// setError with `times`: the next N matching requests fail, then the route answers again.
const flaky = new FakeVClient({ maxRetries: 3, retryDelay: 0.01, jitter: 'none' });
flaky.setError(Routes.CAMPAIGNS_GET, { statusCode: 503, times: 2 });
const healed = await flaky.campaigns('acting-user').get('c1').catch((e) => e);
checks.push(['testing: setError times: 2 fails twice, and the retry gets the normal answer',
  typeof healed.id === 'string' && flaky.requests.length === 3]);
const once = new FakeVClient({ maxRetries: 0 });
once.setError(Routes.CAMPAIGNS_GET, { statusCode: 503, times: 1 });
const failedOnce = await once.campaigns('acting-user').get('c1').catch((e) => e);
const thenOk = await once.campaigns('acting-user').get('c1').catch((e) => e);
checks.push(['testing: without a retry, the used-up error gives way to the normal answer',
  failedOnce instanceof ServerError && failedOnce.status === 503 && typeof thenOk.id === 'string']);
once.setError(Routes.CAMPAIGNS_GET, { statusCode: 503 });
const still = await Promise.all([1, 2, 3].map(() => once.campaigns('acting-user').get('c1').catch((e) => e)));
checks.push(['testing: setError without times stays', still.every((e) => e instanceof ServerError)]);
const badTimes = [0, 1.5, -1, '2'].map((times) => {
  try { once.setError(Routes.CAMPAIGNS_GET, { statusCode: 503, times }); return null; } catch (e) { return e; }
});
checks.push(['testing: times must be a whole number of at least 1',
  badTimes.every((e) => e instanceof TypeError && /times must be a whole number/.test(e.message))]);
await flaky.close();
await once.close();
report('package (vclient/testing)', checks);
