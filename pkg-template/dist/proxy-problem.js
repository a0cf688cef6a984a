// The proxy's own refusals as RFC 9457 problem details, shared by proxy.js and proxy-node.js.

/** An RFC 9457 body for the proxy's own refusals; the client turns it into a typed error. */
export function problem(status, title, detail, extra = {}) {
  const headers = new Headers({
    'content-type': 'application/problem+json',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...extra.headers,
  });
  const body = { type: 'about:blank', title, status, detail, code: extra.code ?? 'proxy_refused' };
  return new Response(JSON.stringify(body), { status, headers });
}
