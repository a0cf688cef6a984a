// Runs in the browser page: a keyed POST that fails once with 503 is retried with the same
// Idempotency-Key; the outcome goes into #result for the test driver to read.
export async function check(VClient, ServerError, server, tag) {
  const id = `browser-${tag}-${Math.random().toString(36).slice(2, 8)}`;
  await fetch(`${server}/__scenario/${id}`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ steps: [{ status: 503 }, { status: 201, body: { id: `${tag}-1` } }] }),
  });
  const client = new VClient({ baseUrl: server, apiKey: 'browser-key', autoIdempotencyKeys: true, retryDelay: 0.02 });
  const out = await client.request('POST', `/s/${id}/companies`, { json: { name: tag } });
  const log = await (await fetch(`${server}/__log/${id}`)).json();
  await client.close();
  return {
    result: out.id,
    attempts: log.length,
    sameKey: log.length === 2 && !!log[0].headers['idempotency-key']
      && log[0].headers['idempotency-key'] === log[1].headers['idempotency-key'],
    errorClass: typeof ServerError === 'function' && new ServerError('x') instanceof Error,
    // The package's JS is minified; a bundler's own minifying may rename the class (not `name`).
    errorName: new ServerError('x').name,
    className: ServerError.name,
  };
}
export async function run(VClient, ServerError, tag) {
  const server = new URL(location.href).searchParams.get('server');
  const el = document.getElementById('result');
  try { el.textContent = JSON.stringify(await check(VClient, ServerError, server, tag)); }
  catch (e) { el.textContent = JSON.stringify({ error: String(e) }); }
}
