// Injected into dist/node.cjs by esbuild: CommonJS has no import.meta.url.
export const __vclient_url = require('node:url').pathToFileURL(__filename).href;
