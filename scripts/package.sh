#!/usr/bin/env bash
# Assembles the npm package from one `--target web` build (scripts/build.sh) and
# pkg-template/, then packs it: target/npm/ and target/vclient-<version>.tgz.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
VERSION=$(awk -F'"' '/^version = /{print $2; exit}' Cargo.toml)
OUT=target/npm
rm -rf "$OUT" && mkdir -p "$OUT"
cp -r pkg-template/. "$OUT/"
sed -i "s/__VERSION__/$VERSION/" "$OUT/package.json"
cp README.md "$OUT/"
cp target/pkg-web/vclient.js "$OUT/dist/core.js"
cp target/pkg-web/vclient.d.ts "$OUT/dist/core.d.ts"
cp target/pkg-web/vclient.d.ts "$OUT/dist/core.d.cts"
cp target/pkg-web/vclient_bg.wasm "$OUT/dist/"
cp -r target/pkg-web/snippets "$OUT/dist/"
# vclient/slim: one guard per function the glue exports, so a call before init() throws a
# ConfigurationError (the glue's functions, the registry's and the service factories).
sed -n 's/^export function \([A-Za-z0-9_]*\).*/export const \1 = guardFunction(api.\1);/p' \
  "$OUT/dist/core.js" "$OUT/dist/registry.js" "$OUT/dist/services/factories.js" >> "$OUT/dist/slim.js"
# The declarations for require(): the same, over the CommonJS core declarations.
for d in services registry; do sed "s#'./core.js'#'./core.cjs'#g" "$OUT/dist/$d.d.ts" > "$OUT/dist/$d.d.cts"; done
# require() on Node versions without require(esm): one CommonJS bundle of the Node entry.
# --keep-names: bundling renames clashing names (the registry's VClient would be "VClient2").
tools/node_modules/.bin/esbuild "$OUT/dist/node.js" --bundle --format=cjs --platform=node --keep-names \
  --define:import.meta.url=__vclient_url --inject:scripts/cjs-url-shim.js \
  --outfile="$OUT/dist/node.cjs" --log-level=warning
# Last, after everything above that reads the JS: minify each file in place, with a .map.
node scripts/minify.mjs "$OUT/dist"
(cd target && npm pack ./npm --silent >/dev/null)
TGZ=target/vclient-$VERSION.tgz
echo "packed $TGZ: $(stat -c %s "$TGZ") B; files: $(tar tzf "$TGZ" | wc -l)"
