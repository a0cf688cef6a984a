// Minifies the JavaScript of a package layout in place, file by file, with the pinned
// esbuild (tools/): no bundling, so file names, relative imports, `import.meta.url`, top-level
// await and `new URL('./vclient_bg.wasm', import.meta.url)` (which Vite and webpack look for)
// stay as they are. Each X.js gets an X.js.map with the original text (sourcesContent), so
// stack traces (`node --enable-source-maps`) and debuggers show the unminified code.
//
//   node scripts/minify.mjs <dir>      (scripts/package.sh: target/npm/dist; build.sh core)
//
// Names: an ES module keeps its format as written (no `format`), so esbuild renames only what
// the module does not export: `export class RequestValidationError` and `export function
// defaultClient` keep their `.name`, which users see in `constructor.name`, consoles and the
// slim guards' messages. `--keep-names` would keep every name, for +2.3 KiB gzipped and ES2022
// class static blocks (Safari 16.4) the unminified files do not need. The one .cjs, node.cjs,
// is esbuild's bundle, whose names are all module-local: package.sh bundles it with
// --keep-names, and those name calls survive minifying.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const esbuild = createRequire(path.join(root, 'tools/package.json'))('esbuild');

const dir = process.argv[2];
if (!dir || !fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
  console.error(`minify: expected a directory to minify in place, got ${dir === undefined ? 'nothing' : `"${dir}"`}`);
  process.exit(2);
}

const walk = (d) => fs.readdirSync(d, { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));

let before = 0;
let after = 0;
const files = walk(dir).filter((f) => f.endsWith('.js') || f.endsWith('.cjs'));
// A second run would map the minified text to itself.
const done = files.find((f) => fs.readFileSync(f, 'utf8').includes('\n//# sourceMappingURL='));
if (done) {
  console.error(`minify: ${done} is minified already (it names a source map); rebuild the layout first`);
  process.exit(1);
}
for (const file of files) {
  const name = path.basename(file);
  const source = fs.readFileSync(file, 'utf8');
  const cjs = file.endsWith('.cjs');
  const { code, map } = await esbuild.transform(source, {
    minify: true,
    platform: 'neutral',
    charset: 'utf8',
    sourcemap: 'external',
    sourcesContent: true,
    sourcefile: name,
    ...(cjs ? { format: 'cjs' } : {}),
  });
  const out = `${code}//# sourceMappingURL=${name}.map\n`;
  fs.writeFileSync(file, out);
  fs.writeFileSync(`${file}.map`, JSON.stringify({ ...JSON.parse(map), file: name }));
  before += Buffer.byteLength(source);
  after += Buffer.byteLength(out);
}
console.log(`minified ${files.length} files in ${dir}: ${before} B -> ${after} B (+ .map each)`);
