// What response validation costs on a 1,000-item page: the same mocked response through
// raw fetch + json(), client.getPage() (no schema check) and the service's getPage()
// (schema check of every item). Run after scripts/build.sh: node bench/validate.mjs
import { readFileSync } from 'node:fs';
const root = new URL('../', import.meta.url);
const pkg = await import(new URL('target/pkg-web/vclient.js', root));
pkg.initSync({ module: readFileSync(new URL('target/pkg-web/vclient_bg.wasm', root)) });

const N = 1000;
const item = (i) => ({
  id: `0190a000-0000-7000-8000-${String(i).padStart(12, '0')}`, name: `Campaign ${i}`, description: null,
  in_game_date: null, desperation: 0, danger: 1, company_id: 'co', num_books: 2, num_chapters: 3,
  num_notes: 4, num_player_characters: 5, num_storyteller_characters: 1, num_npc_characters: 7,
  date_created: '2026-01-01T00:00:00Z', date_modified: '2026-01-01T00:00:00Z',
});
const text = JSON.stringify({ items: Array.from({ length: N }, (_, i) => item(i)), limit: N, offset: 0, total: N });
const fetch = async () => new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
const client = new pkg.VClient({ baseUrl: 'https://x.test', apiKey: 'k', fetch, defaultCompanyId: 'co', setAsDefault: false });
const svc = client.campaigns('u');

async function time(name, fn, runs = 60) {
  for (let i = 0; i < 10; i++) await fn();
  const t = [];
  for (let i = 0; i < runs; i++) { const t0 = performance.now(); await fn(); t.push(performance.now() - t0); }
  t.sort((a, b) => a - b);
  const median = t[Math.floor(t.length / 2)];
  console.log(`${name.padEnd(44)} median ${median.toFixed(2)} ms`);
  return median;
}
console.log(`# ${N} items, ${(text.length / 1024).toFixed(0)} KiB of JSON, Node ${process.versions.node}`);
const parse = await time('JSON.parse alone', async () => JSON.parse(text));
const raw = await time('raw fetch + json()', async () => (await fetch()).json());
const plain = await time('client.getPage (no schema check)', () => client.getPage('/api/v1/companies/co/campaigns', { maxLimit: 1000, limit: 1000 }));
const checked = await time('campaigns.getPage (every item checked)', () => svc.getPage({ limit: 100 }));
console.log(`schema check of ${N} items: ${(checked - plain).toFixed(2)} ms (${((checked - plain) / parse).toFixed(1)}x JSON.parse)`);
// The JS checker of the generated service layer (pkg-template/dist/services/check.js) on the
// same page: what the check costs once it no longer crosses into wasm per field.
const { checkItems, schemaIndex } = await import(new URL('pkg-template/dist/services/check.js', root));
const schema = schemaIndex('CampaignResponse');
const jsChecked = await time('JSON.parse + JS check (services/check.js)', async () => {
  const page = JSON.parse(text);
  if (checkItems(schema, page.items, 'items')) throw new Error('the bench page should pass');
});
console.log(`JS schema check of ${N} items: ${(jsChecked - parse).toFixed(2)} ms (${((jsChecked - parse) / parse).toFixed(1)}x JSON.parse)`);
const jsPage = await time('client.getPage + JS check', async () => {
  const page = await client.getPage('/api/v1/companies/co/campaigns', { maxLimit: 1000, limit: 1000 });
  if (checkItems(schema, page.items, 'items')) throw new Error('the bench page should pass');
});
console.log(`a 1,000-item page with JS checks: ${jsPage.toFixed(2)} ms (target <= 3 ms)`);
void raw;
