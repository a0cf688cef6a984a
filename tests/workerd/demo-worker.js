// The www/ demo as one Cloudflare Worker (run by tests/workerd/demo.mjs in workerd): the page
// and the package from disk services, and vclient/proxy at /vnoir with the key from a
// binding. The page never sees the key; the acting user comes from the session cookie.
import { createProxy } from 'vclient/proxy';

const TYPES = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', wasm: 'application/wasm', json: 'application/json' };
let proxy;

/** A file from a disk service, with the type a module script or the .wasm needs. */
async function file(service, path) {
  const res = await service.fetch(new Request(`http://files${path}`));
  if (!res.ok) return new Response('not found\n', { status: 404, headers: { 'content-type': 'text/plain' } });
  const type = TYPES[path.split('.').pop()] ?? 'application/octet-stream';
  return new Response(res.body, { headers: { 'content-type': type, 'cache-control': 'no-store' } });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const session = `vnoir_demo_sid=${env.DEMO_SESSION}`;
    if (url.pathname.startsWith('/vnoir/')) {
      proxy ??= createProxy({
        baseUrl: env.VALENTINA_CLIENT_BASE_URL,
        apiKey: env.VALENTINA_CLIENT_API_KEY,
        basePath: '/vnoir',
        onBehalfOf: (r) => ((r.headers.get('cookie') ?? '').split(/;\s*/).includes(session) ? env.DEMO_USER_ID : null),
      });
      return proxy(request);
    }
    if (url.pathname === '/config.json') {
      const config = { baseUrl: '/vnoir', companyId: env.DEMO_COMPANY_ID, user: env.DEMO_USER_ID, faults: true };
      return Response.json(config, { headers: { 'cache-control': 'no-store', 'set-cookie': `${session}; Path=/; HttpOnly; SameSite=Strict` } });
    }
    if (url.pathname === '/__faults') {
      // The double's fault queue (the demo's control panel), not part of the proxy.
      return fetch(`${env.VALENTINA_CLIENT_BASE_URL}/__faults`, { method: request.method, headers: { 'content-type': 'application/json' }, body: request.method === 'POST' ? await request.text() : undefined });
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
    if (url.pathname.startsWith('/vclient/')) return file(env.DIST, url.pathname.slice('/vclient'.length));
    if (url.pathname.endsWith('.mjs')) return new Response('not found\n', { status: 404 });
    return file(env.WWW, url.pathname === '/' ? '/index.html' : url.pathname);
  },
};
