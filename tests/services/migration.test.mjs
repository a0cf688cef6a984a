// The README's migration table ("Migrating from the Python client") is real: every JS call in
// it runs against the loopback test double through the wasm build, and its method is the
// reference method's name in camelCase. One row per service, all 17.
// Run: node --test tests/services/   (needs target/npm from scripts/package.sh)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { stableUuid } from '../server/synth.mjs';
import { apiClient, ACTOR } from './harness.mjs';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.split('\n## Migrating from the Python client\n')[1]?.split('\n## ')[0] ?? '';
const rows = [...section.matchAll(/^\| `(\w+)` \| `(.+?)` \| `(.+?)` \|$/gm)].map(([, service, py, js]) => ({ service, py, js }));
const { client } = await apiClient();
const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
const AsyncFunction = (async () => {}).constructor;

const made = await client.companies.create({ name: 'Migration Co', email: 'm@example.com' });
const names = {
  client, a: ACTOR, c: made.company.id, token: 'discord-token',
  campaignId: stableUuid('m-campaign'), bookId: stableUuid('m-book'), chapterId: stableUuid('m-chapter'),
  characterId: stableUuid('m-character'), characterTraitId: stableUuid('m-trait'), quickrollId: stableUuid('m-quickroll'),
};

test('the table has one row per service', () => {
  assert.deepEqual(rows.map((r) => r.service).sort(), [
    'campaigns', 'chapters', 'characterAutogen', 'characterBlueprint', 'characterTraits', 'characters',
    'companies', 'developer', 'dicerolls', 'dictionary', 'globalAdmin', 'identity', 'options', 'system',
    'userLookup', 'users', 'books',
  ].sort());
});

for (const { service, py, js } of rows) {
  test(`${service}: ${js}`, async () => {
    const pyMethod = /\.(\w+)\([^()]*\)$/.exec(py)?.[1];
    const jsMethod = /\.(\w+)\([^()]*(?:\([^()]*\)[^()]*)*\)$/.exec(js)?.[1];
    assert.equal(jsMethod, camel(pyMethod), `${py} → ${js}`);
    assert.ok(js.includes(`client.${service}`), `the row calls the ${service} service`);
    const call = new AsyncFunction(...Object.keys(names), `return ${js.replace(/^await /, '')};`);
    let result = await call(...Object.values(names));
    if (result && typeof result[Symbol.asyncIterator] === 'function') {
      const items = [];
      for await (const x of result) items.push(x);
      result = items;
    }
    assert.notEqual(result, null);
  });
}
