// JS helpers for the wasm tests: talking to the loopback test server and poking at values.
export function parse(text) { return JSON.parse(text); }
export function stringify(v) { return JSON.stringify(v); }
export function now() { return Date.now(); }
export function uniqueId(prefix) { return `${prefix}-${Math.random().toString(36).slice(2, 10)}`; }
export async function setScenario(server, id, steps) {
  const r = await fetch(`${server}/__scenario/${id}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ steps }),
  });
  if (!r.ok) throw new Error(`scenario ${id}: ${r.status} ${await r.text()}`);
}
export async function getLog(server, id) {
  const r = await fetch(`${server}/__log/${id}`);
  return r.json();
}
export function abortAfter(ms, reason) {
  const c = new AbortController();
  setTimeout(() => c.abort(reason), ms);
  return c.signal;
}
export function errorText(e) {
  return [String(e), e && e.message, e && e.stack, JSON.stringify(e)].join('\n');
}
export function recorder() {
  const events = [];
  const fn = (level, message, fields) => events.push({ level, message, fields });
  return { fn, events };
}
export function bytes(text) { return new TextEncoder().encode(text); }
export function window(text, from, to) {
  // A DataView over part of a larger buffer: only [from, to) must be uploaded.
  const all = new TextEncoder().encode(text);
  return new DataView(all.buffer, from, to - from);
}
export function blob(text, type) { return new Blob([text], { type }); }
export function bytesText(u8) { return new TextDecoder().decode(u8); }
export function inBrowser() {
  return typeof document !== 'undefined' || (typeof importScripts === 'function' && typeof navigator !== 'undefined');
}
export async function asyncDispose(client) {
  if (typeof Symbol.asyncDispose !== 'symbol') return 'no Symbol.asyncDispose here';
  await client[Symbol.asyncDispose]();
  return client.isClosed ? 'disposed' : 'still open';
}
export async function collect(iterable) {
  const out = [];
  for await (const item of iterable) out.push(item);
  return out;
}
export async function takeConcurrently(paginator, n) {
  return Promise.all(Array.from({ length: n }, () => paginator.next()));
}
export async function breakAfter(iterable, n) {
  const out = [];
  for await (const item of iterable) { out.push(item); if (out.length >= n) break; }
  return out;
}
