// Compiled (not run) against the installed tarball: CommonJS consumers resolve dist/index.d.cts.
import vclient = require('vclient');
const c: vclient.VClient = new vclient.VClient({ baseUrl: 'https://x', apiKey: 'k' });
const isServer = (e: unknown) => e instanceof vclient.ServerError;
void c; void isServer;
