// The `vclient/testing` entry from the installed tarball: FakeVClient with its default
// routes, setResponse / setError / addRoute, and the real services, validation and errors.
import { FakeVClient, Routes } from 'vclient/testing';
import { NotFoundError, ResponseValidationError, RequestValidationError, defaultClient } from 'vclient';
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
report('package (vclient/testing)', checks);
