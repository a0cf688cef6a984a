// The mocked fetch: answers at once with a fresh, ready Response (a small JSON body, like
// GET /api/v1/health), so only the client's own work is timed. `pagesFetch` answers
// /api/v1/companies?limit&offset from lib/pages.mjs the same way.
import { pageBody } from './pages.mjs';

export const BODY = JSON.stringify({
  database_status: 'online', cache_status: 'online', database_latency_ms: 1.2,
  cache_latency_ms: 0.4, uptime: '0:00:42', version: '0.27.0',
});
// As the real API answers (api-contract §A6): a request id and two rate-limit policies with
// units left on every response.
const RESP_HEADERS = [
  ['content-type', 'application/json'], ['x-request-id', 'req_0123456789abcdefghijkl'],
  ['ratelimit-policy', '"hourly";q=1000;w=3704, "burst";q=30;w=60'],
  ['ratelimit', '"hourly";r=999;t=0, "burst";r=29;t=0'],
];
// With its Content-Length, as a server sends it (the test server and the real API do): a
// client may read a body whose length is declared differently from one streamed without.
const withLength = (body) => [...RESP_HEADERS, ['content-length', String(Buffer.byteLength(body))]];
const HEALTH_HEADERS = withLength(BODY);

export const mockFetch = async () => new Response(BODY, { status: 200, headers: HEALTH_HEADERS });

export const pagesFetch = async (input) => {
  const url = typeof input === 'string' ? input : input.url ?? String(input);
  const q = url.indexOf('?');
  const body = pageBody(q < 0 ? '' : url.slice(q + 1));
  if (body === null) return new Response('{"title":"Bad Request","status":400}', { status: 400, headers: [['content-type', 'application/problem+json']] });
  return new Response(body, { status: 200, headers: withLength(body) });
};
