// Splits a Markdown file into its fenced code blocks, with the `<!-- readme: ... -->` markers
// written directly above each one (blank lines between are allowed). Pure: no I/O.
//
// Markers (README "### Tests" documents them for authors):
//   <!-- readme: prelude -->        this js block runs before every other js block run in Node
//                                   (not Workers, servers or Deno); its top-level names become
//                                   globals there
//   <!-- readme: skip <reason> -->  not run; the reason is required and shown
//   <!-- readme: serves <path> -->  a server: run with PORT set; passes once GET <path> is 2xx
//   <!-- readme: request <path> --> a Worker module (`export default { fetch }`): the path of
//                                   the Request its fetch() gets (default /api/v1/health)
//   <!-- readme: deno -->           run this js or ts block in Deno (with `serves` too)

const MARKER_RE = /^\s*<!--\s*readme:\s*(.*?)\s*-->\s*$/;
const FENCE_RE = /^(\s*)(`{3,}|~{3,})\s*([^\s`~]*)[^`]*$/;
const MARKERS = {
  prelude: { args: 'none' },
  skip: { args: 'required' },
  serves: { args: 'path' },
  request: { args: 'path' },
  deno: { args: 'none' },
};

/** One marker's text (after `readme:`) as { key, arg } or { error }. */
export function parseMarker(text) {
  const m = /^([a-z-]+)(?:\s+(.*))?$/.exec(text);
  const key = m?.[1];
  const arg = m?.[2]?.trim() ?? '';
  const spec = key && MARKERS[key];
  if (!spec) return { error: `unknown marker '${text}' (known: ${Object.keys(MARKERS).join(', ')})` };
  if (spec.args === 'none' && arg) return { error: `marker '${key}' takes no argument, got '${arg}'` };
  if (spec.args === 'required' && !arg) return { error: `marker '${key}' needs a reason: <!-- readme: ${key} <why> -->` };
  if (spec.args === 'path' && !/^\/\S*$/.test(arg)) return { error: `marker '${key}' needs a path starting with '/', got '${arg}'` };
  return { key, arg };
}

/**
 * The fenced blocks of `markdown`: [{ line, lang, code, heading, markers: {key: arg} }], and
 * the problems found: [{ line, message }] (bad or dangling markers, an unclosed fence).
 */
export function parseBlocks(markdown) {
  const lines = markdown.split(/\r?\n/);
  const blocks = [];
  const problems = [];
  let heading = '';
  let pending = []; // markers waiting for the next block
  const drop = (why) => {
    for (const p of pending) problems.push({ line: p.line, message: `marker '${p.key}' ${why}` });
    pending = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const marker = MARKER_RE.exec(line);
    if (marker) {
      const parsed = parseMarker(marker[1]);
      if (parsed.error) problems.push({ line: i + 1, message: parsed.error });
      else pending.push({ ...parsed, line: i + 1 });
      continue;
    }
    const fence = FENCE_RE.exec(line);
    if (fence) {
      const [, indent, open, lang] = fence;
      const close = new RegExp(`^\\s*${open[0] === '`' ? '`' : '~'}{${open.length},}\\s*$`);
      let end = i + 1;
      while (end < lines.length && !close.test(lines[end])) end++;
      if (end >= lines.length) problems.push({ line: i + 1, message: 'a fence that is never closed' });
      const body = lines.slice(i + 1, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()));
      const markers = {};
      for (const p of pending) {
        if (p.key in markers) problems.push({ line: p.line, message: `marker '${p.key}' given twice` });
        markers[p.key] = p.arg;
      }
      pending = [];
      blocks.push({ line: i + 1, lang: lang.toLowerCase(), code: body.join('\n') + '\n', heading, markers });
      i = end;
      continue;
    }
    if (line.trim() === '') continue;
    drop('is not directly above a code block');
    const h = /^#{1,6}\s+(.*)$/.exec(line);
    if (h) heading = h[1].trim();
  }
  drop('is not directly above a code block');
  return { blocks, problems };
}

/**
 * The names a prelude declares at its top level (`const a = …`, `const { b, c: { d } } = …`,
 * `let`, `var`, `function f`, `class C`), to be copied onto globalThis. A pattern must open
 * and close on its line.
 */
export function topLevelNames(code) {
  const names = [];
  for (const line of code.split('\n')) {
    let m = /^(?:export\s+)?(?:async\s+)?(?:function\*?|class)\s+([A-Za-z_$][\w$]*)/.exec(line);
    if (m) { names.push(m[1]); continue; }
    m = /^(?:export\s+)?(?:const|let|var)\s+(.*)$/.exec(line);
    if (!m) continue;
    const rest = m[1];
    if (!/^[{[]/.test(rest)) {
      const name = /^([A-Za-z_$][\w$]*)/.exec(rest)?.[1];
      if (name) names.push(name);
      continue;
    }
    // A destructuring pattern: up to its closing bracket; defaults dropped, `key:` skipped.
    let depth = 0;
    let end = 0;
    for (; end < rest.length; end++) {
      if ('{['.includes(rest[end])) depth++;
      if ('}]'.includes(rest[end]) && --depth === 0) break;
    }
    const pattern = rest.slice(0, end + 1).replace(/=[^,}\]]*/g, '');
    for (const b of pattern.matchAll(/([A-Za-z_$][\w$]*)\s*(:?)/g)) if (!b[2]) names.push(b[1]);
  }
  return names;
}
