// Compiled (not run) with surface.tsconfig.json: the one naming rule in the declarations.
// API data (filters, paging) goes in `params` by the API's names; the client's knobs go in
// `options`, last. Every `@ts-expect-error` line must fail to compile.
import { VClient, type Character, type ListUsersParams, type Page, type User } from 'vclient';

const c = new VClient({ baseUrl: 'https://x', apiKey: 'k', defaultCompanyId: 'co' });

export async function naming(signal: AbortSignal) {
  const users = c.users('acting-user');
  const page: Page<User> = await users.getPage({ user_role: 'PLAYER', limit: 10, offset: 20 }, { signal, timeout: 5 });
  const all: User[] = await users.listAll({ limit: 50, email: 'a@b.c' }, { headers: { 'x-trace': '1' } });
  for await (const u of users.iterAll({ user_role: 'STORYTELLER' })) console.log(u.id);
  const ann: User = await users.get('u1', { include: ['notes', 'assets'] }, { timeout: 2 });
  const same: User = await users.get('u1');
  const chars: Page<Character> = await c.characters('acting-user').getPage({ user_player_id: 'u1', is_temporary: true });
  await c.campaigns('acting-user').get('c1', { signal });
  await c.characterAutogen('acting-user').generateCharacter(
    { character_type: 'NPC', character_class: 'VAMPIRE' }, { campaign_id: 'camp' }, { idempotencyKey: 'k' });
  await c.globalAdmin.tailLogs({ level: 'ERROR', limit: 20 });
  // Each operation's filters are a named type, for wrappers of your own.
  const players: ListUsersParams = { user_role: 'PLAYER' };
  await users.listAll({ ...players, limit: 100 });
  console.log(page, all, ann, same, chars);

  // @ts-expect-error: filters keep the API's names (`user_role`)
  await users.getPage({ userRole: 'PLAYER' });
  // @ts-expect-error: not a value of the API's enum
  await users.getPage({ user_role: 'KING' });
  // @ts-expect-error: a knob is not API data: it goes in options
  await users.getPage({ timeout: 5 });
  // @ts-expect-error: a filter is not a knob: it goes in params
  await users.get('u1', undefined, { include: ['notes'] });
  // @ts-expect-error: a method without filters takes options right after its ids
  await c.campaigns('acting-user').get('c1', { include: ['notes'] });
  // @ts-expect-error: listAll always starts at offset 0
  await users.listAll({ offset: 10 });
  // @ts-expect-error: the page size is `limit`, the API's name
  await users.listAll({ pageSize: 10 });
  // @ts-expect-error: `campaign_id` is a required filter of this call
  await c.characterAutogen('acting-user').generateCharacter({ character_type: 'NPC', character_class: 'VAMPIRE' });
  // @ts-expect-error: idempotencyKey is a knob of a mutation, in options
  await c.characterAutogen('acting-user').generateCharacter({ character_type: 'NPC', character_class: 'VAMPIRE' }, { campaign_id: 'c', idempotencyKey: 'k' });
}
