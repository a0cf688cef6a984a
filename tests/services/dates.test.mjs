// A `Date` in a request body where the API takes a date (`in_game_date`, `date_of_birth`) is
// sent as the API's text, as a `Date` in a query already is: `toISOString()`, cut to its
// `YYYY-MM-DD` part for a `date` field (what the reference sends for a Python `date`). The
// caller's object is not changed; an invalid Date, or a Date where the API takes no date, is
// refused before any I/O. Through the wasm build, against the loopback test double.
// Run: node --test tests/services/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTOR, apiClient } from './harness.mjs';

const { client, lastLog, refused } = await apiClient();
const lastBody = async () => JSON.parse((await lastLog()).body);

test('campaigns.create: a Date in_game_date reaches the server as its ISO date', async () => {
  const when = new Date(Date.UTC(1999, 11, 31, 23, 59, 30));
  const body = { name: 'Night', in_game_date: when };
  const made = await client.campaigns(ACTOR).create(body);
  assert.deepEqual(await lastBody(), { name: 'Night', in_game_date: '1999-12-31' });
  assert.equal(made.in_game_date, '1999-12-31', 'the server stored the date');
  assert.equal(body.in_game_date, when, "the caller's object keeps its Date");
  // A string is sent as given; null still clears (§B2).
  await client.campaigns(ACTOR).update(made.id, { in_game_date: '2000-01-02' });
  assert.deepEqual(await lastBody(), { in_game_date: '2000-01-02' });
  await client.campaigns(ACTOR).update(made.id, { in_game_date: new Date('2001-02-03T04:05:06Z') });
  assert.deepEqual(await lastBody(), { in_game_date: '2001-02-03' });
  await client.campaigns(ACTOR).update(made.id, { in_game_date: null });
  assert.deepEqual(await lastBody(), { in_game_date: null });
});

test('characters.create and update: a Date date_of_birth is sent as its ISO date', async () => {
  const characters = client.characters(ACTOR);
  const campaign = await client.campaigns(ACTOR).create({ name: 'Night' });
  const made = await characters.create({
    name_first: 'Ann', name_last: 'Lee', character_class: 'MORTAL', game_version: 'V5', campaign_id: campaign.id,
    date_of_birth: new Date('1890-06-15T12:00:00Z'),
  }).catch((e) => assert.fail(`create failed: ${e.message}`));
  assert.equal((await lastBody()).date_of_birth, '1890-06-15');
  await characters.update(made.id, { date_of_birth: new Date('1891-07-16T00:00:00Z') });
  assert.deepEqual(await lastBody(), { date_of_birth: '1891-07-16' });
});

test('an invalid Date, or a Date in a field that takes no date, is refused before any I/O', async () => {
  const campaigns = client.campaigns(ACTOR);
  await refused(() => campaigns.create({ name: 'Night', in_game_date: new Date('not a date') }),
    'in_game_date', /must be a valid Date, got an invalid Date/);
  await refused(() => campaigns.create({ name: new Date() }), 'name', /must be a string, got an object/);
});
