// Proof that the packaged build (target/pkg-web, `--target web`) runs in Deno: a POST that
// fails with 503 is retried with the same Idempotency-Key and the caller sees one result.
// Run: deno run --allow-read=target/pkg-web --allow-net=127.0.0.1 tests/deno/smoke.mjs <server>
import { initSync, VClient, ServerError, APIError } from '../../target/pkg-web/vclient.js';

const server = Deno.args[0] ?? 'http://127.0.0.1:8765';
initSync({ module: await Deno.readFile(new URL('../../target/pkg-web/vclient_bg.wasm', import.meta.url)) });

async function scenario(steps) {
  const id = `deno-${crypto.randomUUID().slice(0, 8)}`;
  const r = await fetch(`${server}/__scenario/${id}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ steps }),
  });
  if (!r.ok) throw new Error(`scenario: ${r.status}`);
  return id;
}
const log = async (id) => (await fetch(`${server}/__log/${id}`)).json();
let passed = 0;
const check = (cond, what) => { if (!cond) throw new Error(`deno smoke: ${what}`); passed++; console.log(`ok - ${what}`); };

const client = new VClient({ baseUrl: server, apiKey: 'deno-key', autoIdempotencyKeys: true, retryDelay: 0.05 });
const id = await scenario([{ status: 503 }, { status: 201, body: { id: 'd-1' } }]);
const out = await client.request('POST', `/s/${id}/companies`, { json: { name: 'Deno Co' } });
const seen = await log(id);
check(out.id === 'd-1', 'one result after a retried POST');
check(seen.length === 2, 'two attempts reached the server');
check(seen[0].headers['idempotency-key'] === seen[1].headers['idempotency-key'], 'same Idempotency-Key on the retry');
check(seen[0].body === seen[1].body, 'same body bytes on the retry');

const id2 = await scenario([{ status: 503 }]);
const e = await client.request('POST', `/s/${id2}/x`, { json: {}, idempotencyKey: undefined })
  .then(() => null, (err) => err);
check(e instanceof ServerError && e instanceof APIError && e.attempts === 4, 'keyed POST exhausts retries with a ServerError');
await client.close();
check(client.isClosed, 'closed');
console.log(`deno smoke: ${passed} passed, 0 failed`);
