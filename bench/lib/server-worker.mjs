// Runs on a worker thread of the benchmark process, so the servers get the second vCPU
// and the clients keep the main thread. Starts:
//  - tests/server (the Valentina imitation) with keep-alive and a rate limiter that never
//    runs dry: GET /api/v1/health for the throughput runs;
//  - a small keep-alive server for GET /api/v1/companies over 1,000 items (lib/pages.mjs).
// Posts { api, pages } (base URLs) to the parent; closes both on the message 'close'.
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { startServer } from '../../tests/server/server.mjs';
import { pageBody } from './pages.mjs';

const api = await startServer({
  port: 0, cors: false, maxSeconds: 0, apiKey: workerData.apiKey, keepAlive: true,
  burst: 1e12, refillPerSecond: 1e12, writeDelayMs: 0,
});

let n = 0;
const pages = http.createServer((req, res) => {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const body = path === '/api/v1/companies' && req.headers['x-api-key'] === workerData.apiKey
    ? pageBody(q < 0 ? '' : req.url.slice(q + 1)) : null;
  if (body === null) {
    res.writeHead(path === '/api/v1/companies' ? 400 : 404, { 'content-type': 'application/problem+json' });
    res.end('{"title":"Bad Request","status":400}');
    return;
  }
  res.writeHead(200, {
    'content-type': 'application/json', 'content-length': Buffer.byteLength(body),
    'x-request-id': `req_${(++n).toString(36).padStart(20, '0')}`,
  });
  res.end(body);
});
pages.keepAliveTimeout = 30_000;
await new Promise((r) => pages.listen(0, '127.0.0.1', r));

parentPort.postMessage({ api: api.url, pages: `http://127.0.0.1:${pages.address().port}` });
parentPort.on('message', async (m) => {
  if (m !== 'close') return;
  pages.closeAllConnections();
  await Promise.all([api.close(), new Promise((r) => pages.close(r))]);
  parentPort.close();
});
