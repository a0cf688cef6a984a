// Proof that the npm package's workerd entry runs in workerd (Cloudflare Workers' runtime):
// `vclient` resolves to dist/workerd.js, which imports the .wasm as a module and initialises
// it synchronously, the only form production Workers accept. Settings come from `env`.
import { VClient, ServerError } from 'vclient';

// Made at module scope, where workerd forbids random numbers: construction must not need any.
const moduleScopeClient = new VClient({ baseUrl: 'https://api.valentina-noir.example', apiKey: 'module-scope' });

export default {
  async fetch(_request, env) {
    const server = env.VALENTINA_CLIENT_BASE_URL;
    const id = `workerd-${crypto.randomUUID().slice(0, 8)}`;
    await fetch(`${server}/__scenario/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ steps: [{ status: 503 }, { status: 201, body: { id: 'w-1' } }] }),
    });
    const client = new VClient({ env, autoIdempotencyKeys: true, retryDelay: 0.05 });
    const out = await client.request('POST', `/s/${id}/companies`, { json: { name: 'Worker Co' } });
    const seen = await (await fetch(`${server}/__log/${id}`)).json();
    let unkeyed = null;
    const id2 = `workerd-${crypto.randomUUID().slice(0, 8)}`;
    await fetch(`${server}/__scenario/${id2}`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ steps: [{ status: 503 }] }),
    });
    const plain = new VClient({ env, retryDelay: 0.05 });
    try { await plain.request('POST', `/s/${id2}/x`, { json: {} }); } catch (e) { unkeyed = e; }
    const unkeyedSeen = await (await fetch(`${server}/__log/${id2}`)).json();
    await client.close();
    return Response.json({
      result: out,
      attempts: seen.length,
      keys: seen.map((r) => r.headers['idempotency-key']),
      sameBody: seen.length === 2 && seen[0].body === seen[1].body,
      userAgent: seen[0]?.headers['user-agent'],
      unkeyedError: unkeyed && { name: unkeyed.name, isServerError: unkeyed instanceof ServerError, attempts: unkeyed.attempts },
      unkeyedAttempts: unkeyedSeen.length,
      moduleScopeClient: String(moduleScopeClient),
    });
  },
};
