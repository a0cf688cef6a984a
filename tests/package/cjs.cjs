// Node require(): with require(esm) (module-sync → node.js), or, when run with
// --no-experimental-require-module, the esbuild-made node.cjs.
const pkg = require('vclient');
(async () => {
  const { namesKept, retriedPost, report } = await import('./common.mjs');
  const tag = process.execArgv.includes('--no-experimental-require-module') ? 'cjs-bundle' : 'cjs';
  const checks = await retriedPost(pkg.VClient, pkg.ServerError, process.argv[2], tag);
  report(`package (node ${tag})`, [...checks, ...await namesKept(pkg, tag)]);
})();
