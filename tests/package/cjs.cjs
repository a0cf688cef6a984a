// Node require(): with require(esm) (module-sync → node.js), or, when run with
// --no-experimental-require-module, the esbuild-made node.cjs.
const { VClient, ServerError } = require('vclient');
(async () => {
  const { retriedPost, report } = await import('./common.mjs');
  const tag = process.execArgv.includes('--no-experimental-require-module') ? 'cjs-bundle' : 'cjs';
  report(`package (node ${tag})`, await retriedPost(VClient, ServerError, process.argv[2], tag));
})();
