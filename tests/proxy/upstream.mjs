// A recording stand-in for the Valentina API, for the proxy tests: it records every request
// exactly as it arrived (method, target, raw headers, body bytes, whether the body completed)
// and answers by the `reply` query parameter, so a test can check both what the proxy
// forwarded and that the answer came back faithfully. Loopback only; no dependencies.
import http from 'node:http';
import { gzipSync } from 'node:zlib';

export const UPSTREAM_KEY_HEADER = 'x-api-key';

/** Answers by `?reply=`: each a function (req, res, ctx). */
const REPLIES = {
  ok(req, res, { record }) {
    const body = JSON.stringify({ ok: true, path: record.path, query: record.query });
    res.writeHead(200, {
      'content-type': 'application/json', 'x-request-id': 'req_upstream_ok',
      'set-cookie': 'upstream=1; Path=/', server: 'upstream/1.0', 'x-powered-by': 'upstream',
      'ratelimit': '"burst";r=29;t=1', 'ratelimit-policy': '"burst";q=30;w=60',
    });
    res.end(body);
  },
  ratelimited(req, res) {
    res.writeHead(429, {
      'content-type': 'application/problem+json', 'retry-after': '1', 'x-request-id': 'req_upstream_429',
      ratelimit: '"burst";r=0;t=1', 'ratelimit-policy': '"burst";q=30;w=60',
    });
    res.end(JSON.stringify({ type: 'about:blank', title: 'Too Many Requests', status: 429, detail: 'Slow down', retry_after: 1, request_id: 'req_upstream_429' }));
  },
  redirect(req, res, { elsewhere }) {
    res.writeHead(302, { location: `${elsewhere}/steal`, 'content-type': 'text/plain' });
    res.end('moved');
  },
  gzip(req, res) {
    const body = gzipSync(Buffer.from(JSON.stringify({ zipped: 'x'.repeat(2000) })));
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(body.length) });
    res.end(body);
  },
  download(req, res) {
    res.writeHead(200, { 'content-type': 'application/zip', 'content-disposition': 'attachment; filename="logs.zip"' });
    res.end(Buffer.from('PK\x03\x04zip-bytes', 'latin1'));
  },
  empty(req, res) {
    res.writeHead(204, { 'x-request-id': 'req_upstream_204' });
    res.end();
  },
  hang() {},
  // The head and a first chunk at once, the rest 400 ms later: the proxy must stream it.
  slow(req, res) {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first-');
    setTimeout(() => res.end('last'), 400);
  },
};

/** Starts the recording upstream and a second "elsewhere" server a redirect points to. */
export async function startUpstream() {
  const records = [];
  const elsewhereHits = [];
  const elsewhere = http.createServer((req, res) => { elsewhereHits.push({ method: req.method, url: req.url, headers: req.headers }); res.end('stolen'); });
  await new Promise((r) => elsewhere.listen(0, '127.0.0.1', r));
  const elsewhereUrl = `http://127.0.0.1:${elsewhere.address().port}`;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://upstream');
    const record = {
      method: req.method, target: req.url, path: url.pathname, query: url.search,
      rawHeaders: req.rawHeaders, headers: req.headers, bytes: 0, body: '', complete: false,
    };
    records.push(record);
    req.on('data', (c) => { record.bytes += c.length; if (record.body.length < 4096) record.body += c.toString('latin1'); });
    req.on('end', () => {
      record.complete = true;
      const reply = REPLIES[url.searchParams.get('reply') ?? 'ok'] ?? REPLIES.ok;
      reply(req, res, { record, elsewhere: elsewhereUrl });
    });
    req.on('error', () => {});
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url, records, elsewhereHits,
    /** Forgets what was recorded. */
    reset() { records.length = 0; elsewhereHits.length = 0; },
    async close() {
      server.closeAllConnections?.();
      elsewhere.closeAllConnections?.();
      await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => elsewhere.close(r))]);
    },
  };
}
