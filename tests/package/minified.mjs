// The installed package's JS ships minified (scripts/minify.mjs): every .js/.cjs is smaller
// than its source, names its X.map, whose sources carry the original text; with source maps
// on, a stack trace points at the original line of the code that threw.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { report } from './common.mjs';

const dist = path.join(path.dirname(createRequire(import.meta.url).resolve('vclient/package.json')), 'dist');
const walk = (d) => fs.readdirSync(d, { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
const files = walk(dist).filter((f) => f.endsWith('.js') || f.endsWith('.cjs'));

function problem(file) {
  const name = path.basename(file);
  const code = fs.readFileSync(file, 'utf8');
  const trailer = `\n//# sourceMappingURL=${name}.map\n`;
  if (!code.endsWith(trailer)) return 'no sourceMappingURL comment naming its .map';
  if (!fs.existsSync(`${file}.map`)) return `${name}.map is missing`;
  const map = JSON.parse(fs.readFileSync(`${file}.map`, 'utf8'));
  if (map.version !== 3 || map.file !== name || !map.mappings) return 'not a version 3 map of this file';
  const content = map.sourcesContent ?? [];
  if (!map.sources?.length || content.length !== map.sources.length) return 'sources without sourcesContent';
  if (!content.every((c) => typeof c === 'string' && c.length > 0)) return 'an empty source';
  if (code.length - trailer.length >= content.join('').length) return 'not smaller than its source: not minified';
  return null;
}
const bad = files.map((f) => [path.relative(dist, f), problem(f)]).filter(([, p]) => p);
const checks = [
  [`minified: every shipped .js/.cjs (${files.length}) minified with a map carrying its source${bad.length ? `: ${bad.map((b) => b.join(': ')).join('; ')}` : ''}`,
    files.length > 20 && bad.length === 0],
];

// vclient/slim before init() throws from loading.js; mapped, the frame is the `throw` line.
const loadingMap = path.join(dist, 'loading.js.map');
const loading = fs.existsSync(loadingMap) ? JSON.parse(fs.readFileSync(loadingMap, 'utf8')).sourcesContent?.[0] ?? '' : '';
const line = loading.split('\n').findIndex((l) => l.includes('throw new ConfigurationError(')) + 1;
const stack = execFileSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', `
  import * as slim from 'vclient/slim';
  try { new slim.VClient({}); } catch (e) { console.log(e.stack); }`], { cwd: import.meta.dirname, encoding: 'utf8' });
checks.push([`minified: with --enable-source-maps a stack frame is loading.js:${line} (the throw)`,
  line > 1 && stack.includes(`/dist/loading.js:${line}:`)]);
if (!checks.at(-1)[1]) console.log(stack);
report('package (minified JS, source maps)', checks);
