// `vclient/proxy` through the package's exports map: the handler adds the server's key,
// drops the browser's, and refuses an admin route with a problem body.
import http from 'node:http';
import { createProxy } from 'vclient/proxy';
import { report } from './common.mjs';

const seen = [];
const upstream = http.createServer((req, res) => {
  seen.push({ url: req.url, key: req.headers['x-api-key'], cookie: req.headers.cookie });
  res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'r1' });
  res.end('{"status":"ok"}');
});
await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
const proxy = createProxy({ baseUrl: `http://127.0.0.1:${upstream.address().port}`, apiKey: 'server-key', basePath: '/vnoir' });
const ok = await proxy(new Request('http://app.example/vnoir/api/v1/health', { headers: { 'x-api-key': 'forged', cookie: 's=1' } }));
const admin = await proxy(new Request('http://app.example/vnoir/api/v1/admin/developers'));
const problem = await admin.json();
upstream.close();
report('package (vclient/proxy)', [
  ['proxy: a health call is forwarded and answered', ok.status === 200 && (await ok.json()).status === 'ok'],
  ["proxy: the server's key replaces the browser's; no cookie forwarded", seen.length === 1 && seen[0].key === 'server-key' && seen[0].cookie === undefined],
  ['proxy: an admin route is refused with a problem body, never forwarded', admin.status === 403 && typeof problem.detail === 'string' && seen.length === 1],
]);
