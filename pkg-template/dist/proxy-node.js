// vclient/proxy for node:http: turns a fetch handler `(Request) => Promise<Response>` (such as
// createProxy's) into a `(req, res)` listener. Node 20+. It imports no node: module, so
// proxy.js re-exports it and still loads in Workers and Deno.
//
//   import http from 'node:http';
//   import { createProxy, toNodeListener } from 'vclient/proxy';
//   http.createServer(toNodeListener(createProxy({ ... }))).listen(8080);
import { problem } from './proxy-problem.js';

// Dot segments, raw or encoded, before the URL parser folds them away: refused outright so a
// path never means something else than it says.
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;
// Methods the fetch Request constructor refuses to hold.
const FORBIDDEN_METHOD = /^(?:CONNECT|TRACE|TRACK)$/i;

/** An IncomingMessage as a web stream, with back-pressure both ways. */
function bodyOf(req) {
  return new ReadableStream({
    start(ctl) {
      let open = true;
      const finish = (e) => {
        if (!open) return;
        open = false;
        if (e) ctl.error(e);
        else ctl.close();
      };
      req.on('data', (chunk) => {
        if (!open) return;
        ctl.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if (ctl.desiredSize <= 0) req.pause();
      });
      req.once('end', () => finish());
      req.once('error', (e) => finish(e));
      req.once('close', () => { if (!req.complete) finish(new Error('request aborted')); });
    },
    pull() { req.resume(); },
    // Cancelled (e.g. over the size cap): discard the rest so the answer can still be sent;
    // the connection is closed once it is (see toNodeListener).
    cancel() { req.removeAllListeners('data'); req.resume(); },
  });
}

async function send(res, response) {
  const headers = {};
  response.headers.forEach((v, k) => { headers[k] = v; });
  res.writeHead(response.status, response.statusText || undefined, headers);
  if (!response.body) { res.end(); return; }
  const reader = response.body.getReader();
  // The client went away: stop reading from the API.
  const stop = () => { reader.cancel().catch(() => {}); };
  res.once('close', stop);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise((r) => { res.once('drain', r); res.once('close', r); });
      if (res.destroyed) return;
    }
    res.end();
  } catch {
    res.destroy();
  } finally {
    res.off('close', stop);
  }
}

/**
 * A node:http request listener running `handler`. The request's URL is rebuilt from the Host
 * header and `req.url`, which must be origin-form (`/path?query`): absolute-form targets
 * (`GET http://other/...`) and dot segments are refused before the handler sees them.
 */
export function toNodeListener(handler) {
  if (typeof handler !== 'function') throw new TypeError('toNodeListener: handler must be a function (request) => Promise<Response>');
  return async (req, res) => {
    try {
      const raw = req.url ?? '';
      const rawPath = raw.split('?')[0];
      if (!raw.startsWith('/') || raw.startsWith('//') || DOT_SEGMENT.test(rawPath)) {
        await send(res, problem(400, 'Bad Request', 'The request target must be a plain path without dot segments.', { code: 'proxy_path' }));
        return;
      }
      if (FORBIDDEN_METHOD.test(req.method)) {
        await send(res, problem(405, 'Method Not Allowed', 'This method is not forwarded.', { code: 'proxy_method' }));
        return;
      }
      const host = /^[A-Za-z0-9.:[\]-]{1,255}$/.test(req.headers.host ?? '') ? req.headers.host : 'localhost';
      const scheme = req.socket.encrypted ? 'https' : 'http';
      // An unread remainder (a refused or capped body) must not be parsed as a next request.
      res.once('finish', () => { if (!req.complete) req.destroy(); });
      const ctl = new AbortController();
      res.once('close', () => { if (!res.writableFinished) ctl.abort(); });
      const headers = new Headers();
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const request = new Request(`${scheme}://${host}${raw}`, {
        method: req.method,
        headers,
        body: hasBody ? bodyOf(req) : undefined,
        duplex: hasBody ? 'half' : undefined,
        signal: ctl.signal,
      });
      await send(res, await handler(request));
    } catch {
      if (!res.headersSent) await send(res, problem(500, 'Internal Server Error', 'The proxy failed.', { code: 'proxy_internal' }));
      else res.destroy();
    }
  };
}
