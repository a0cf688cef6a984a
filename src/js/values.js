// Reading JS argument values for messages and for the engine: shared by the readers of
// `request()` (call.js), the paging calls (listing.js) and `new VClient()` (options.js).

/** `typeof`, with `null` and arrays called out, for messages. */
export function typeName(v) {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/** `s` in double quotes, `"`, `\` and control characters escaped (as src/policy/text.rs). */
export function quoted(s) {
  let out = '"';
  for (const c of s) {
    const n = c.codePointAt(0);
    if (c === '"' || c === '\\') out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (n < 0x20 || (n >= 0x7f && n < 0xa0)) out += `\\u{${n.toString(16)}}`;
    else out += c;
  }
  return out + '"';
}

/**
 * `o[key]`, read once; a getter's exception becomes `invalid(field, message, exception)`, the
 * message naming the property's `path`, so a caller's getter runs once and its throw is reported.
 */
export function readOnce(o, key, field, path, invalid) {
  try {
    return o[key];
  } catch (e) {
    throw invalid(field, `could not be read: the getter of \`${path}\` threw (see this error's cause)`, e);
  }
}

export const isHeaders = (v) => typeof Headers === 'function' && v instanceof Headers;
/** An object whose own properties are its content (read key by key, once). */
export const isRecord = (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && !isHeaders(v);

/**
 * Header pairs from a plain object, a `Headers` or an array of `[name, value]`, pushed onto `out`
 * as name, value, …; `invalid(field, message)` makes the error a bad one throws.
 */
export function headerPairs(h, out, invalid) {
  if (h == null) return;
  let pairs;
  if (Array.isArray(h)) pairs = h;
  else if (isHeaders(h)) pairs = [...h];
  else if (typeof h === 'object') pairs = Object.entries(h);
  else throw invalid('headers', `must be an object, a Headers instance or an array of [name, value] pairs, got ${typeName(h)}`);
  for (const pair of pairs) {
    if (!Array.isArray(pair)) throw invalid('headers', 'must hold [name, value] pairs');
    const [name, v] = pair;
    if (typeof name !== 'string') throw invalid('headers', 'has a header name that is not a string');
    const value = typeof v === 'string' ? v : Number.isFinite(v) ? String(v) : undefined;
    if (value === undefined) {
      throw invalid('headers', `has a value for ${quoted(name)} that is not a string (${typeName(v)})`);
    }
    out.push(name, value);
  }
}

/** The services' response hook in a raw call's options (a symbol key: no option can collide). */
export const HOOK_KEY = Symbol.for('vclient.responseHook');

/** `s` as a field of a packed string (src/js/packed.rs): its UTF-16 length, `:`, itself. */
export const packField = (s) => `${s.length}:${s}`;
