// The JS schema checker (pkg-template/dist/services/check.js), with the cases of the former Rust
// checker it replaces (src/catalog/schema.rs). Run: node --test tests/catalog/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, checkItems, checkType, checkResponse, enumAllows, quoted, schemaIndex } from '../../pkg-template/dist/services/check.js';
import { ENUMS, SCHEMAS } from '../../pkg-template/dist/services/catalog.js';

const schema = (name) => {
  const i = schemaIndex(name);
  assert.ok(i >= 0, `no schema ${name}`);
  return i;
};

const campaign = () => ({
  id: 'c1', name: 'Night', description: null, in_game_date: null,
  desperation: 0, danger: 1, company_id: 'co', num_books: 0, num_chapters: 0,
  num_notes: 0, num_player_characters: 0, num_storyteller_characters: 0,
  num_npc_characters: 0, date_created: '2026-01-01T00:00:00Z',
  date_modified: '2026-01-01T00:00:00Z', a_new_field: [1, 2],
});

test('a valid response passes and unknown fields are tolerated', () => {
  assert.equal(check(schema('CampaignResponse'), campaign(), 'response'), undefined);
});

test('a missing or mistyped required field is named', () => {
  const s = schema('CampaignResponse');
  let v = campaign();
  delete v.name;
  assert.deepEqual(check(s, v, 'response'), { path: 'name', message: 'is required (CampaignResponse)' });
  v = campaign();
  v.danger = 1.5;
  assert.deepEqual(check(s, v, 'response'), { path: 'danger', message: 'must be an integer, got 1.5' });
  v.danger = '1';
  assert.equal(check(s, v, 'response').message, 'must be an integer, got a string');
  v = campaign();
  v.name = null;
  assert.equal(check(s, v, 'response').message, 'must be a string, got null');
  assert.equal(check(s, [], 'response').message, 'must be an object (CampaignResponse), got an array');
  assert.equal(check(s, () => 1, 'response').message, 'must be an object (CampaignResponse), got not JSON');
});

test('nested paths and enums', () => {
  const s = schema('BulkAssignTraitResponse');
  assert.ok(SCHEMAS[s][1].includes('['), SCHEMAS[s][1]);
  const e = check(s, { succeeded: [{ bad: 1 }], failed: [] }, 'response');
  assert.equal(e.path, 'succeeded[0].trait_id');
  const p = check(schema('CompanyPermissionRequest'), { developer_id: 'd', permission: 'BOSS' }, 'request');
  assert.equal(p.path, 'permission');
  assert.equal(p.message, 'must be one of USER, ADMIN, OWNER, REVOKE (CompanyPermission), got "BOSS"');
});

test('requests refuse unknown fields and accept null as unset', () => {
  const s = schema('CampaignCreate');
  const e = check(s, { name: 'x', nmae: 'y' }, 'request');
  assert.equal(e.path, 'nmae');
  assert.match(e.message, /^is not a field of CampaignCreate \(fields: name, /);
  assert.equal(check(s, { name: 'x', description: null }, 'request'), undefined);
  // `undefined` is an absent field, on either side.
  assert.equal(check(s, { name: 'x', nmae: undefined }, 'request'), undefined);
  assert.deepEqual(check(s, {}, 'request'), { path: 'name', message: 'is required (CampaignCreate)' });
});

test('contract §B19 fields are enums on requests only', () => {
  const e = check(schema('UserCreate'), { username: 'ann', email: 'a@b.c', role: 'KING' }, 'request');
  assert.equal(e.path, 'role');
  assert.equal(e.message, 'must be one of ADMIN, STORYTELLER, PLAYER, DEACTIVATED (AssignableUserRole; '
    + 'UNAPPROVED can be set only by globalAdmin.updateUser), got "KING"');
  assert.ok(check(schema('UserCreate'), { username: 'ann', email: 'a@b.c', role: 'UNAPPROVED' }, 'request'));
  assert.ok(check(schema('UserPatch'), { role: 'UNAPPROVED' }, 'request'));
  assert.equal(check(schema('AdminUserPatch'), { role: 'UNAPPROVED' }, 'request'), undefined);
  const settings = check(schema('CompanyPatch'), { settings: { permission_recoup_xp: 'SOMETIMES' } }, 'request');
  assert.equal(settings.path, 'settings.permission_recoup_xp');
  assert.match(settings.message, /^must be one of UNRESTRICTED, DENIED, WITHIN_SESSION \(RecoupXPPermission\)/);
  const npc = check(schema('CompanyCreate'), { name: 'Co', email: 'c@d.e', settings: { permission_manage_npc: 'X' } }, 'request');
  assert.match(npc.message, /\(ManageNPCPermission\)/);
  // A response keeps the OpenAPI's plain string: the server may add a role.
  const lookup = { company_id: 'c', company_name: 'n', user_id: 'u', role: 'NEW_ROLE' };
  assert.equal(check(schema('UserLookupResult'), lookup, 'response'), undefined);
});

test('numeric enums want numbers', () => {
  const i = ENUMS.findIndex((e) => e[0] === 'DiceSize');
  assert.ok(i >= 0);
  assert.equal(checkType(`e${i}`, 10, 'response'), undefined);
  assert.deepEqual(checkType(`e${i}`, 7, 'response'), { path: '', message: 'must be one of 4, 6, 8, 10, 20, 100 (DiceSize), got "7"' });
  assert.equal(checkType(`e${i}`, '10', 'response').message, 'must be a number (DiceSize), got a string');
  assert.equal(checkType(`e${i}`, 10.5, 'response').message, 'must be a number (DiceSize), got a number');
});

test('hostile depth is refused, not recursed', () => {
  let v = 1;
  for (let i = 0; i < 200; i++) v = [v];
  const e = checkType('['.repeat(200) + 'i', v, 'response');
  assert.match(e.message, /^is nested deeper than 32 levels$/);
  assert.equal(e.path, '[0]'.repeat(33));
  let o = {};
  for (let i = 0; i < 200; i++) o = { x: o };
  assert.match(checkType('m'.repeat(200) + 'o', o, 'response').message, /deeper than 32/);
  // A value that contains itself ends at the same bound.
  const cyclic = {};
  cyclic.x = cyclic;
  assert.match(checkType('m'.repeat(100) + 'o', cyclic, 'response').message, /deeper than 32/);
});

test('every schema reference resolves', () => {
  for (const [name, fields] of SCHEMAS) {
    for (const f of fields.split(',').filter(Boolean)) {
      const ty = f.slice(f.indexOf(':') + 1);
      for (const [, kind, n] of ty.matchAll(/([@e])(\d+)/g)) {
        if (kind === '@') assert.ok(SCHEMAS[Number(n)], `${name}: ${f}`);
        else assert.ok(ENUMS[Number(n)], `${name}: ${f}`);
      }
    }
  }
});

test('list responses and page items name the item', () => {
  const s = schema('CampaignResponse');
  const items = [campaign(), campaign(), { ...campaign(), num_books: 'x' }];
  assert.deepEqual(checkItems(s, items, 'items'), { path: 'items[2].num_books', message: 'must be an integer, got a string' });
  assert.deepEqual(checkItems(s, [campaign(), null], 'items'), { path: 'items[1]', message: 'must be an object (CampaignResponse), got null' });
  assert.deepEqual(checkResponse(s, { not: 'a list' }, true), { path: '', message: 'must be an array' });
  assert.deepEqual(checkResponse(s, [campaign(), 3], true), { path: '[1]', message: 'must be an object (CampaignResponse), got a number' });
  assert.equal(checkResponse(s, [campaign()], true), undefined);
});

test('quoted escapes what a message must not print raw', () => {
  assert.equal(quoted('a"b\\c\nd\te\r\u0001\u007f'), '"a\\"b\\\\c\\nd\\te\\r\\u{1}\\u{7f}"');
  assert.equal(quoted('Zoë 🎲'), '"Zoë 🎲"');
});
