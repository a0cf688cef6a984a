#!/usr/bin/env bash
# Installs the packed tarball into a scratch project and uses it from Node ESM, Node
# require() (both ways), Deno, strict tsc, headless Chromium (a plain page, a Vite and a
# webpack build) and a wrangler dry-run. Usage: tests/package/run.sh <test-server-url>
set -euo pipefail
cd "$(dirname "$0")/../.."
SERVER=${1:-http://127.0.0.1:8765}
TGZ=$(ls target/vclient-*.tgz | head -1)
DIR=target/pkgtest
rm -rf "$DIR" && mkdir -p "$DIR"
cp tests/package/*.mjs tests/package/*.cjs tests/package/*.mts tests/package/*.cts "$DIR/"
cp -r tests/package/browser "$DIR/browser"
cp tests/package/browser/page.html "$DIR/page.html"
cp -r tests/package/wrangler "$DIR/wrangler"
echo '{ "name": "pkgtest", "private": true, "type": "module" }' > "$DIR/package.json"
echo '{ "nodeModulesDir": "manual" }' > "$DIR/deno.json"
(cd "$DIR" && npm install --no-audit --no-fund --silent "../$(basename "$TGZ")")
node "$DIR/esm.mjs" "$SERVER"
node "$DIR/testing.mjs"
node "$DIR/proxy.mjs"
node "$DIR/minified.mjs"
node "$DIR/cjs.cjs" "$SERVER"
node --no-experimental-require-module "$DIR/cjs.cjs" "$SERVER"
(cd "$DIR" && ../../tools/node_modules/.bin/deno run --allow-net=127.0.0.1 deno.mjs "$SERVER")
(cd "$DIR" && ../../tools/node_modules/.bin/tsc --noEmit --strict --target es2022 \
  --lib es2022,dom,esnext.disposable,esnext.asynciterable --module nodenext --moduleResolution nodenext \
  types.mts types.cts) && echo "package types (strict tsc, ESM and CJS consumers): 1 passed, 0 failed"
# Browsers: a plain import-map page and a Vite production build, in headless Chromium.
(cd "$DIR" && ../../tools/node_modules/.bin/vite build browser/vite --outDir ../../vite-dist \
  --emptyOutDir --base ./ --logLevel warn)
(cd "$DIR" && ../../tools/node_modules/.bin/webpack --config browser/webpack.config.cjs --no-stats \
  && cp browser/webpack.html webpack-dist/index.html)
(cd "$DIR" && node browser/run.mjs "$SERVER" "$PWD/../../tools/node_modules/playwright-core/index.mjs")
# Cloudflare: wrangler resolves the workerd entry and must upload the .wasm as a module.
(cd "$DIR/wrangler" && WRANGLER_SEND_METRICS=false WRANGLER_LOG=warn ../../../tools/node_modules/.bin/wrangler deploy \
  --dry-run --outdir out >/dev/null && node check.mjs out)
