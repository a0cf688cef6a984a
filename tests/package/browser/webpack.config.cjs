// webpack 5 production build of the same page as the Vite one: `vclient` through the
// browser condition; the .wasm behind new URL(..., import.meta.url) becomes an asset.
const path = require('node:path');
module.exports = {
  mode: 'production',
  target: 'web',
  entry: path.resolve(__dirname, 'vite/main.js'),
  output: { path: path.resolve(__dirname, '../webpack-dist'), filename: 'main.js', publicPath: 'auto', clean: true },
  experiments: { topLevelAwait: true },
  performance: { hints: false },
};
