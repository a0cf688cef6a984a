// The proxy's own refusals as RFC 9457 problem details, shared by proxy.js and proxy-node.js.

/** An RFC 9457 body for the proxy's own refusals; the client turns it into a typed error. */
export function problem(status, title, detail, extra = {}) {
  const headers = new Headers({
    'content-type': 'application/problem+json',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...extra.headers,
  });
  const body = new TextEncoder().encode(JSON.stringify(
    { type: 'about:blank', title, status, detail, code: extra.code ?? 'proxy_refused' }));
  // A declared length frames the answer exactly: without it a Node server sends it chunked,
  // and Chromium then at times reports the finished load as aborted (ERR_ABORTED).
  headers.set('content-length', String(body.byteLength));
  return new Response(body, { status, headers });
}
