#!/usr/bin/env bash
# Builds the wasm package once (`--target web`, which every runtime can load), optimises it
# with npm binaryen's wasm-opt, and prints its size raw and gzipped.
# Output: target/pkg-web/ (vclient.js glue, vclient_bg.wasm, snippets/, .d.ts).
# `scripts/build.sh core` lays out the core-only variant (engine, request(), pagination; no
# services) in target/npm-core/, to measure what the services cost: the same .wasm (the
# services are JS, pkg-template/dist/services/), without the services' JS.
set -euo pipefail
cd "$(dirname "$0")/.."
# A fresh clone has no target/ yet, and the wasm-pack log below is written before anything
# else would create it.
mkdir -p target
OUT=target/pkg-web
if [ "${1:-}" = core ]; then OUT=target/pkg-core; fi
# wasm-pack leaves files of earlier builds (a snippet since removed) in place.
rm -rf "$OUT"
wasm-pack build --mode no-install --release --target web --out-dir "$OUT" --out-name vclient . >/dev/null 2>target/wasm-pack.log \
  || { cat target/wasm-pack.log; exit 1; }
# Rust's float formatting costs ~20 KB of wasm; it creeps in through `{}`/`{:?}` on an f64
# or f64::clamp with non-constant bounds (see src/policy/text.rs). Names are still present
# before wasm-opt, so look for it there.
if grep -q "flt2dec" "$OUT/vclient_bg.wasm"; then
  echo "float formatting reached the .wasm (+20 KB): look for {} / {:?} / clamp on an f64" >&2
  exit 1
fi
# The same for float parsing (`str::parse::<f64>`, ~12 KB of tables) and Unicode case
# mapping (`char::to_uppercase`, ~8 KB): parse integers, map ASCII.
if grep -qE "dec2flt|unicode_data..conversions" "$OUT/vclient_bg.wasm"; then
  echo "float parsing or Unicode case tables reached the .wasm: parse integers / use to_ascii_uppercase" >&2
  exit 1
fi
# wasm-bindgen 0.2.130 names a snippet once per directly imported function in the glue's import
# object: the same key several times, which bundlers warn about (esbuild: duplicate-object-key).
# The values are the same module, so keep each key's first line and drop the now unused imports.
awk '
  match($0, /^ +"\.\/snippets\/[^"]+": import[0-9]+,$/) {
    key = $1; if (seen[key]++) { split($2, v, ","); dropped[v[1]] = 1; next }
  }
  { lines[++n] = $0 }
  END {
    for (i = 1; i <= n; i++) {
      if (match(lines[i], /^import \* as import[0-9]+ from /)) { split(lines[i], w, " "); if (w[4] in dropped) continue }
      print lines[i]
    }
  }' "$OUT/vclient.js" > "$OUT/vclient.dedup.js"
mv "$OUT/vclient.dedup.js" "$OUT/vclient.js"
if grep -E '^ +"\./snippets/[^"]+": import[0-9]+,$' "$OUT/vclient.js" | awk '{print $1}' | sort | uniq -d | grep -q .; then
  echo "duplicate snippet keys left in the glue's import object" >&2; exit 1
fi
tools/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-reference-types --enable-multivalue --enable-sign-ext \
  "$OUT/vclient_bg.wasm" -o "$OUT/vclient_bg.opt.wasm"
mv "$OUT/vclient_bg.opt.wasm" "$OUT/vclient_bg.wasm"
rm -f "$OUT/.gitignore" "$OUT/package.json" "$OUT/README.md"
# wasm-bindgen types re-exported imports as `unknown` (types cannot skip_typescript yet);
# the error classes and the Paginator are declared properly in src/js/errors.rs and
# src/js/listing.rs, so drop the placeholders.
sed -i -E '/^export let ([A-Za-z]+Error|CALL_OPTION_KNOBS|Paginator): unknown;$/d' "$OUT/vclient.d.ts"
if grep -qE '^export let .*: unknown;$' "$OUT/vclient.d.ts"; then echo "unexpected unknown export in vclient.d.ts" >&2; exit 1; fi
# No wasm-bindgen internals in the public types (pkg-template/dist/surface.js removes them
# from the classes): no `free()`; sync disposal closes a client; the loaders return nothing
# instead of the module's raw exports (`InitOutput`).
perl -0pi -e '
  s/\n    free\(\): void;//g;
  s/(export class VClient \{\n)    \[Symbol\.dispose\]\(\): void;/$1    \/** `using client = new VClient(...)` closes the client at the end of the block (as `close()`). *\/\n    [Symbol.dispose](): void;/;
  s/\nexport interface InitOutput \{.*?\n\}\n//s;
  s/\nexport function initSync\(module: \{ module: SyncInitInput \} \| SyncInitInput\): InitOutput;/\nexport function initSync(module: { module: SyncInitInput }): void;/;
  s/\nexport default function __wbg_init \(module_or_path: .*?\): Promise<InitOutput>;/\nexport default function init(module_or_path?: { module_or_path: InitInput | Promise<InitInput> }): Promise<void>;/s;
  s/ \* \@returns \{(Promise<)?InitOutput>?\}\n//g;
' "$OUT/vclient.d.ts"
if grep -qE 'InitOutput|free\(\): void' "$OUT/vclient.d.ts"; then echo "wasm-bindgen internals left in vclient.d.ts" >&2; exit 1; fi
raw=$(stat -c %s "$OUT/vclient_bg.wasm")
gz=$(gzip -9c "$OUT/vclient_bg.wasm" | wc -c)
glue=$(stat -c %s "$OUT/vclient.js")
gluegz=$(gzip -9c "$OUT/vclient.js" | wc -c)
echo "built $OUT: vclient_bg.wasm $raw B raw, $gz B gzip -9; vclient.js $glue B raw, $gluegz B gzip -9"
# The core-only variant is laid out like the package's dist/ (browser and Node entries), so
# bench/ can measure it side by side with the full package.
if [ "$OUT" = target/pkg-core ]; then
  CORE=target/npm-core/dist
  rm -rf target/npm-core && mkdir -p "$CORE"
  cp "$OUT/vclient.js" "$CORE/core.js"
  cp "$OUT/vclient_bg.wasm" "$CORE/"
  cp -r "$OUT/snippets" "$CORE/"
  cp pkg-template/dist/{web,node,loading,registry}.js "$CORE/"
  # surface.js without its services block.
  sed '/^\/\/ services:begin/,/^\/\/ services:end/d' pkg-template/dist/surface.js >"$CORE/surface.js"
  if grep -q services "$CORE/surface.js"; then echo "the core layout still loads the services" >&2; exit 1; fi
  # Minified as the package is (scripts/package.sh), so bench/ compares like with like.
  node scripts/minify.mjs "$CORE"
fi
