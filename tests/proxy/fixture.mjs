// The one proxy configuration every runtime serves in the conformance run (Node, Deno,
// workerd), so the same hostile requests meet the same rules everywhere.
export const SERVER_KEY = 'server-secret-key-0123456789abcdef';
export const ALLOWED_ORIGIN = 'https://allowed.example';
export const MAX_BODY = 4096;
// The app's sessions: a cookie names the session, the server knows who it is.
export const SESSIONS = { 's-alice': 'user-alice', 's-bob': 'user-bob' };

/** `createProxy` from the package under test, pointed at the recording upstream. */
export function makeProxy(createProxy, upstreamUrl, extra = {}) {
  return createProxy({
    baseUrl: upstreamUrl,
    apiKey: SERVER_KEY,
    basePath: '/vnoir',
    allowedOrigins: [ALLOWED_ORIGIN],
    maxBodyBytes: MAX_BODY,
    timeout: 1,
    onBehalfOf(request) {
      const sid = /(?:^|;\s*)sid=([^;]+)/.exec(request.headers.get('cookie') ?? '')?.[1];
      if (sid === 'expired') return new Response('{"detail":"log in again"}', { status: 401, headers: { 'content-type': 'application/json' } });
      return SESSIONS[sid] ?? null;
    },
    ...extra,
  });
}
