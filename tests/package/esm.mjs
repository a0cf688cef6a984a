// Node ESM through the package's exports map (condition node → import/module-sync).
import { createRequire } from 'node:module';
import * as pkg from 'vclient';
import { namesKept, renamedExports, retriedPost, report } from './common.mjs';
const { VClient, ServerError } = pkg;
const server = process.argv[2];
const checks = await retriedPost(VClient, ServerError, server, 'esm');
const required = createRequire(import.meta.url)('vclient');
checks.push(['esm: require() and import share one instance (module-sync)', required.VClient === VClient]);
const slim = await import('vclient/slim');
const fromSlim = new slim.VClient({ baseUrl: server, apiKey: 'pkg-key', setAsDefault: false });
checks.push(['esm: vclient/slim shares the module the main entry loaded', fromSlim instanceof VClient && !fromSlim.isClosed]);
checks.push(...await namesKept(pkg, 'esm'));
const slimRenamed = renamedExports(slim);
checks.push([`esm: vclient/slim's exports and guards keep their names (renamed: ${slimRenamed.join(', ') || 'none'})`, slimRenamed.length === 0]);
report('package (node esm)', checks);
