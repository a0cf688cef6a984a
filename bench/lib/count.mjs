// Counts JS↔wasm crossings: `countCrossings()` replaces `WebAssembly.Instance` so that every
// function the .wasm imports (JS called from wasm) and every function it exports (wasm called
// from JS: the glue's helpers such as `__wbindgen_malloc` and closure invokers included) is
// wrapped with a counter. Call it before the package loads (the glue instantiates with
// `new WebAssembly.Instance`, reads `instance.exports` once and calls everything through it).
export function countCrossings() {
  const counts = new Map(); // "import:name" / "export:name" -> calls
  let on = false;
  let instances = 0;
  const counted = (key, f) => function wrapped(...args) {
    if (on) counts.set(key, (counts.get(key) ?? 0) + 1);
    return f.apply(this, args);
  };
  const wrap = (obj, prefix) => Object.fromEntries(Object.entries(obj ?? {}).map(([name, v]) =>
    [name, typeof v === 'function' ? counted(`${prefix}:${name}`, v) : v]));
  const Original = WebAssembly.Instance;
  // A constructor that returns an object makes `new WebAssembly.Instance()` yield it.
  function CountingInstance(module, imports) {
    instances++;
    const wrapped = Object.fromEntries(Object.entries(imports ?? {}).map(([m, fns]) => [m, wrap(fns, 'import')]));
    const real = new Original(module, wrapped);
    return { exports: Object.freeze(wrap(real.exports, 'export')), __proto__: Original.prototype };
  }
  CountingInstance.prototype = Original.prototype;
  WebAssembly.Instance = CountingInstance;
  return {
    /** How many instances were made (the package makes one). */
    get instances() { return instances; },
    /** Runs `fn` (awaited) and returns its crossings: total, imports, exports, byKey. */
    async during(fn) {
      counts.clear();
      on = true;
      try { await fn(); } finally { on = false; }
      let imports = 0, exports = 0;
      for (const [k, n] of counts) if (k.startsWith('import:')) imports += n; else exports += n;
      const byKey = Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
      return { total: imports + exports, imports, exports, byKey };
    },
  };
}
