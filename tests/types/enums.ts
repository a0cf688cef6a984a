// Compiled (not run) by scripts/test.sh with a strict tsc: the request fields of
// api-contract §B19 (spec/constraints.json) and the `{provider}` path segment are unions, so
// every `@ts-expect-error` line below must fail to compile (tsc reports an unused one).
import {
  VClient, Enums,
  type UserCreate, type UserPatch, type AdminUserCreate, type AdminUserPatch, type CompanyCreate,
  type CompanySettingsPatch, type AssignableUserRole, type UserRole, type IdentityProvider,
} from '../../target/npm/dist/index.js';

const c = new VClient({ baseUrl: 'https://x', apiKey: 'k', defaultCompanyId: 'co' });
const users = c.users('acting-user');

const created: UserCreate = { username: 'ann', email: 'a@b.c', role: 'PLAYER' };
// @ts-expect-error: not a role
const king: UserCreate = { username: 'ann', email: 'a@b.c', role: 'KING' };
// @ts-expect-error: UNAPPROVED is refused on create
const unapproved: UserCreate = { username: 'ann', email: 'a@b.c', role: 'UNAPPROVED' };
// @ts-expect-error: not a role
const adminKing: AdminUserCreate = { company_id: 'co', username: 'ann', email: 'a@b.c', role: 'KING' };
// @ts-expect-error: UNAPPROVED is refused on the company-route update
const patch: UserPatch = { role: 'UNAPPROVED' };
const adminPatch: AdminUserPatch = { role: 'UNAPPROVED' };
// @ts-expect-error: not a role
const adminPatchKing: AdminUserPatch = { role: 'KING' };
const assignable: AssignableUserRole = Enums.AssignableUserRole.DEACTIVATED;
const anyRole: UserRole = assignable;
// @ts-expect-error: a UserRole may be UNAPPROVED, which is not assignable
const narrowed: AssignableUserRole = anyRole as UserRole;
// @ts-expect-error: not a permission level of this setting
const company: CompanyCreate = { name: 'Co', email: 'c@d.e', settings: { permission_grant_xp: 'EVERYONE' } };
const settings: CompanySettingsPatch = {
  permission_manage_campaign: 'STORYTELLER', permission_manage_npc: 'UNRESTRICTED', permission_grant_xp: 'PLAYER',
  permission_free_trait_changes: 'WITHIN_24_HOURS', permission_recoup_xp: Enums.RecoupXPPermission.DENIED,
};
// @ts-expect-error: DENIED is a recoup level, not a campaign-management one
const wrongSetting: CompanySettingsPatch = { permission_manage_campaign: 'DENIED' };

async function calls() {
  // @ts-expect-error: not a role
  await users.create({ username: 'ann', email: 'a@b.c', role: 'KING' });
  // @ts-expect-error: not a role
  await users.approveUser('u1', 'KING');
  await users.approveUser('u1', 'STORYTELLER');
  // @ts-expect-error: not an identity provider (they are lower case)
  await users.unlinkIdentity('u1', 'GOOGLE');
  const provider: IdentityProvider = 'github';
  await users.unlinkIdentity('u1', provider);
  // @ts-expect-error: not a permission level
  await c.companies.update('co', { settings: { permission_recoup_xp: 'SOMETIMES' } });
  await c.companies.update('co', { settings });
  // @ts-expect-error: not a role
  await c.globalAdmin.updateUser('u1', { role: 'KING' });
  await c.globalAdmin.updateUser('u1', adminPatch);
}
console.log(created, king, unapproved, adminKing, patch, narrowed, company, wrongSetting, calls);
