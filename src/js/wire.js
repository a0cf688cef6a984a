// The buffers the engine's raw exports read their input from and write their answer to
// (src/js/steps.rs): number slots and UTF-8 text in wasm memory, so a step is one call of a
// plain `(u32, u32) -> u32` export, with no glue, string conversion or allocation on the way.

import { VClientError } from './errors.js';

// The .wasm's side (`connect`): one instance per copy of this module.
export let wasm;
let memory;
let slotsAt = 0;
/** The number slots (a view made anew when wasm memory grows). */
export let slots;
let bytes = new Uint8Array(0);
// The text buffer's address, as the engine last gave it (a detached view's own reads 0).
let textAt = 0;
const SLOTS = 24;
const SIZE = 22;
const LENGTH = 23;
// What a step answers, in the first number slot (src/js/answer.rs has the same list).
export const SEND = 1;
export const SLEEP = 2;
export const DONE = 3;
export const FAILED = 4;
export const ERROR = 5;
export const INVALID = 6;
export const STATE = 7;
export const PAGING_ERROR = 8;
export const ENVELOPE_ERROR = 9;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Views of the number slots and of the text buffer at `at`, made anew when wasm memory
 * grew (the old buffer is then detached and its views read as empty; `memory.buffer` itself
 * is a slow getter) or the text buffer moved.
 */
function views(at) {
  textAt = at;
  if (slots.length === 0) slots = new Float64Array(memory.buffer, slotsAt, SLOTS);
  const size = slots[SIZE];
  if (bytes.length !== size || bytes.byteOffset !== at) bytes = new Uint8Array(memory.buffer, at, size);
}

/** The server's page limits: the usual one and the reference catalogues' (src/policy/pagination.rs). */
export let pageLimits;

/** The .wasm's exports and memory, and the page limits (src/js/client.rs, before its first client). */
export function connect(exports, mem, maxLimit, referenceLimit) {
  pageLimits = [maxLimit, referenceLimit];
  wasm = exports;
  memory = mem;
  slotsAt = wasm.vclient_slots();
  slots = new Float64Array(memory.buffer, slotsAt, SLOTS);
  views(wasm.vclient_text(1024));
}

/**
 * Writes `text` into the text buffer (grown first when it may not fit) and returns its length
 * in bytes. Write the slots after this: it may make their view anew.
 */
export function put(text) {
  // UTF-8 takes at most 3 bytes per UTF-16 unit.
  const most = text.length * 3;
  views(most > bytes.length ? wasm.vclient_text(most) : textAt);
  // encodeInto beats a copy loop in JS from about 20 characters on (Node 20: 31 ns for 33
  // ASCII characters against 76), and ties below.
  return encoder.encodeInto(text, bytes).written;
}

/**
 * What the engine answered: its first 9 numbers (a plain array: `slice` of a typed array over
 * wasm memory costs some 600 ns in Node 20, the literal 11) and its text, read before
 * anything else can run.
 */
export function answer(at) {
  if (at === 0) throw new VClientError('This VClient was freed; create a new client to make more requests');
  views(at);
  const s = slots;
  const length = s[LENGTH];
  return {
    n: [s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8]],
    // The decoder beats `String.fromCharCode` over the bytes even for short ASCII.
    text: length === 0 ? '' : decoder.decode(bytes.subarray(0, length)),
  };
}
