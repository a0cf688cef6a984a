// Request fields the OpenAPI file leaves as plain strings but the reference restricts
// (api-contract §B19, data in spec/constraints.json), and the enum path segment
// `{provider}`: other values are refused before any I/O, naming the field and the allowed
// values; allowed ones are sent. Through the wasm build, against the loopback test double.
// Run: node --test tests/services/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pkg, apiClient, COMPANY, ACTOR } from './harness.mjs';
import { stableUuid } from '../server/synth.mjs';

const { Enums } = pkg;
const USER = stableUuid('user');
const { client, lastLog, refused } = await apiClient();

const user = (role) => ({ username: 'ann', email: 'ann@example.com', role });

test('UserCreate.role and AdminUserCreate.role: a role outside §B19 is refused, naming the allowed values', async () => {
  const users = client.users(ACTOR);
  await refused(() => users.create(user('KING')), 'role',
    /must be one of ADMIN, STORYTELLER, PLAYER, DEACTIVATED \(AssignableUserRole; UNAPPROVED can be set only by globalAdmin\.updateUser\), got "KING"/);
  await refused(() => client.globalAdmin.createUser({ ...user('player'), company_id: COMPANY }), 'role', /must be one of ADMIN, STORYTELLER/);
  await refused(() => users.create(user(7)), 'role', /must be a string \(AssignableUserRole\), got a number/);
  const made = await users.create(user('PLAYER'));
  assert.equal(typeof made.id, 'string');
  assert.equal(JSON.parse((await lastLog()).body).role, 'PLAYER');
});

test('UNAPPROVED: refused on create and on the company-route update and approval; the admin update sends it', async () => {
  const users = client.users(ACTOR);
  await refused(() => users.create(user('UNAPPROVED')), 'role', /got "UNAPPROVED"/);
  await refused(() => client.globalAdmin.createUser({ ...user('UNAPPROVED'), company_id: COMPANY }), 'role', /got "UNAPPROVED"/);
  await refused(() => users.update(USER, { role: 'UNAPPROVED' }), 'role', /AssignableUserRole/);
  await refused(() => users.approveUser(USER, 'UNAPPROVED'), 'role', /AssignableUserRole/);
  await refused(() => client.globalAdmin.updateUser(USER, { role: 'KING' }), 'role',
    /must be one of ADMIN, STORYTELLER, PLAYER, UNAPPROVED, DEACTIVATED \(UserRole\), got "KING"/);
  await client.globalAdmin.updateUser(USER, { role: 'UNAPPROVED' });
  assert.deepEqual(JSON.parse((await lastLog()).body), { role: 'UNAPPROVED' });
  await users.approveUser(USER, Enums.AssignableUserRole.STORYTELLER);
  assert.deepEqual(JSON.parse((await lastLog()).body), { role: 'STORYTELLER' });
});

test('approveUser(id, role): the positional argument is named', async () => {
  await refused(() => client.users(ACTOR).approveUser(USER, 'KING'), 'role', /got "KING"/);
  await refused(() => client.users(ACTOR).approveUser(USER), 'role', /is required/);
});

test('the five company permissions, on create and on update (nested under settings)', async () => {
  const cases = [
    ['permission_manage_campaign', 'PLAYER', /UNRESTRICTED, STORYTELLER \(ManageCampaignPermission\)/],
    ['permission_manage_npc', 'PLAYER', /UNRESTRICTED, STORYTELLER \(ManageNPCPermission\)/],
    ['permission_grant_xp', 'DENIED', /UNRESTRICTED, PLAYER, STORYTELLER \(GrantXPPermission\)/],
    ['permission_free_trait_changes', 'ALWAYS', /UNRESTRICTED, WITHIN_24_HOURS, STORYTELLER \(FreeTraitChangesPermission\)/],
    ['permission_recoup_xp', 'STORYTELLER', /UNRESTRICTED, DENIED, WITHIN_SESSION \(RecoupXPPermission\)/],
  ];
  for (const [field, bad, allowed] of cases) {
    await refused(() => client.companies.create({ name: 'Co Ltd', email: 'co@example.com', settings: { [field]: bad } }),
      `settings.${field}`, allowed);
    await refused(() => client.companies.update(COMPANY, { settings: { [field]: bad } }), `settings.${field}`, allowed);
  }
  const settings = {
    permission_manage_campaign: 'STORYTELLER', permission_manage_npc: 'UNRESTRICTED', permission_grant_xp: 'PLAYER',
    permission_free_trait_changes: 'WITHIN_24_HOURS', permission_recoup_xp: 'WITHIN_SESSION',
  };
  await client.companies.create({ name: 'Co Ltd', email: 'co@example.com', settings });
  assert.deepEqual(JSON.parse((await lastLog()).body).settings, settings);
});

test('unlinkIdentity(id, provider): the path segment is one of the identity providers', async () => {
  const users = client.users(ACTOR);
  await refused(() => users.unlinkIdentity(USER, 'GOOGLE'), 'provider',
    /must be one of apple, google, discord, github \(IdentityProvider\), got "GOOGLE"/);
  await refused(() => users.unlinkIdentity(USER, 'google/../x'), 'provider', /IdentityProvider/);
  await users.unlinkIdentity(USER, 'github');
  assert.match((await lastLog()).path, /\/identities\/github$/);
});

test('the new enums are exported as constants', () => {
  assert.deepEqual(Object.keys(Enums.AssignableUserRole), ['ADMIN', 'STORYTELLER', 'PLAYER', 'DEACTIVATED']);
  assert.equal(Enums.RecoupXPPermission.WITHIN_SESSION, 'WITHIN_SESSION');
  assert.ok(Object.isFrozen(Enums.GrantXPPermission));
});
