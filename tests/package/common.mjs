// Shared by the package tests: a retried keyed POST against the loopback test server.
export async function retriedPost(VClient, ServerError, server, tag) {
  const id = `pkg-${tag}-${Math.random().toString(36).slice(2, 8)}`;
  const put = await fetch(`${server}/__scenario/${id}`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ steps: [{ status: 503 }, { status: 201, body: { id: `${tag}-1` } }] }),
  });
  if (!put.ok) throw new Error(`scenario: ${put.status}`);
  const client = new VClient({ baseUrl: server, apiKey: 'pkg-key', autoIdempotencyKeys: true, retryDelay: 0.02 });
  const out = await client.request('POST', `/s/${id}/companies`, { json: { name: tag } });
  const log = await (await fetch(`${server}/__log/${id}`)).json();
  await client.close();
  // No wasm-bindgen internals: no free(), and sync disposal (`using`) closes the client.
  const disposed = new VClient({ baseUrl: server, apiKey: 'pkg-key', setAsDefault: false });
  disposed[Symbol.dispose]();
  const after = await disposed.request('GET', '/api/v1/health').catch((e) => e);
  const checks = [
    [`${tag}: no free(); sync dispose closes, a later call is a ClientClosedError with its fields`,
      disposed.free === undefined && after?.name === 'ClientClosedError' && after.url === '/api/v1/health'],
    [`${tag}: one result after a retried POST`, out.id === `${tag}-1`],
    [`${tag}: same Idempotency-Key on both attempts`, log.length === 2 && log[0].headers['idempotency-key'] === log[1].headers['idempotency-key']],
    [`${tag}: error classes exported`, typeof ServerError === 'function' && new ServerError('x') instanceof Error],
  ];
  return checks;
}
// The shipped JS is minified (scripts/minify.mjs): what users see by name keeps its name.
export function renamedExports(mod) {
  return Object.entries(mod)
    .filter(([k, v]) => typeof v === 'function' && k !== 'default' && v.name !== k)
    .map(([k, v]) => `${k} is named "${v.name}"`);
}
export async function namesKept(pkg, tag) {
  const client = new pkg.VClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'pkg-key', setAsDefault: false });
  const err = await Promise.resolve().then(() => client.request('BAD', '/x')).catch((e) => e);
  await client.close();
  const renamed = renamedExports(pkg);
  return [
    [`${tag}: a bad method is a RequestValidationError (instanceof, name, constructor.name, toString)`,
      err instanceof pkg.RequestValidationError && err instanceof pkg.VClientError && err instanceof Error
        && err.name === 'RequestValidationError' && err.constructor.name === 'RequestValidationError'
        && String(err).startsWith('RequestValidationError: `method`')],
    [`${tag}: every exported class and function keeps its name (renamed: ${renamed.join(', ') || 'none'})`,
      renamed.length === 0 && pkg.VClient.name === 'VClient' && pkg.NotFoundError.name === 'NotFoundError'],
  ];
}
export function report(name, checks) {
  let failed = 0;
  for (const [what, ok] of checks) { console.log(`${ok ? 'ok' : 'not ok'} - ${what}`); if (!ok) failed++; }
  console.log(`${name}: ${checks.length - failed} passed, ${failed} failed`);
  if (failed) process.exitCode = 1;
}
