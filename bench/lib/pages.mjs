// A paginated collection of 1,000 company-like items, served as the Valentina API does:
// `{ items, limit, offset, total }`, limit ≤ 100. Page bodies are serialised once and cached,
// so the server (or the mocked fetch) costs the same for every client.
export const TOTAL = 1000;
export const MAX_LIMIT = 100;

const item = (i) => ({
  id: `0190a000-0000-7000-8000-${String(i).padStart(12, '0')}`,
  name: `Company ${i}`, email: `c${i}@example.com`, description: i % 3 ? `Description of company ${i}` : null,
  date_created: '2026-01-01T00:00:00Z', date_modified: '2026-01-02T00:00:00Z',
  settings: { character_autogen_xp_cost: 10, character_autogen_num_choices: 3, permission_manage_campaign: 'UNRESTRICTED' },
});
const ITEMS = Array.from({ length: TOTAL }, (_, i) => item(i));
const cache = new Map();

/** The page body for a query string (or URLSearchParams); `null` for a bad limit/offset. */
export function pageBody(params) {
  const sp = params instanceof URLSearchParams ? params : new URLSearchParams(params);
  const limit = sp.has('limit') ? Number(sp.get('limit')) : 10;
  const offset = sp.has('offset') ? Number(sp.get('offset')) : 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT || !Number.isInteger(offset) || offset < 0) return null;
  const key = `${limit}:${offset}`;
  let body = cache.get(key);
  if (!body) {
    body = JSON.stringify({ items: ITEMS.slice(offset, offset + limit), limit, offset, total: TOTAL });
    cache.set(key, body);
  }
  return body;
}
