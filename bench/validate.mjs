// What response validation costs on a 1,000-item page: the same mocked response through
// raw fetch + json(), client.getPage() (no schema check) and the service's getPage()
// (schema check of every item, in JS: pkg-template/dist/services/check.js, run inside the
// call by its response hook). Run after scripts/package.sh: node bench/validate.mjs
const root = new URL('../', import.meta.url);
const pkg = await import(new URL('target/npm/dist/node.js', root));

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
const plain = await time('client.getPage (no schema check)', () => client.getPage('/api/v1/companies/co/campaigns', { maxLimit: 1000, query: { limit: 1000 } }));
const checked = await time('campaigns.getPage (every item checked)', () => svc.getPage({ limit: 100 }));
console.log(`schema check of ${N} items: ${(checked - plain).toFixed(2)} ms (${((checked - plain) / parse).toFixed(1)}x JSON.parse)`);
void raw;
