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
const SLOTS = 24;
const SIZE = 22;
const LENGTH = 23;
/** Text up to this long (in UTF-16 units or bytes) is copied in JS when it is ASCII. */
const SHORT = 256;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Views of the number slots and of the text buffer at `textAt`, made anew when wasm memory grew or the buffer moved. */
function views(textAt) {
  const buffer = memory.buffer;
  if (slots.buffer !== buffer) slots = new Float64Array(buffer, slotsAt, SLOTS);
  const size = slots[SIZE];
  if (bytes.buffer !== buffer || bytes.byteOffset !== textAt || bytes.length !== size) {
    bytes = new Uint8Array(buffer, textAt, size);
  }
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
  const n = text.length;
  const most = n * 3;
  views(most > bytes.length ? wasm.vclient_text(most) : bytes.byteOffset);
  // Short ASCII (a call's path and headers, an attempt's outcome) is copied here: a call into
  // the encoder costs more than the copy.
  if (n <= SHORT) {
    let i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) break;
      bytes[i] = c;
    }
    if (i === n) return n;
  }
  return encoder.encodeInto(text, bytes).written;
}

/** What the engine answered: its first 9 numbers and its text, read before anything else can run. */
export function answer(textAt) {
  if (textAt === 0) throw new VClientError('This VClient was freed; create a new client to make more requests');
  views(textAt);
  return { n: slots.slice(0, 9), text: read(slots[LENGTH]) };
}

/** The first `length` bytes of the text buffer as a string; short ASCII without the decoder. */
function read(length) {
  if (length === 0) return '';
  if (length <= SHORT) {
    let ascii = true;
    for (let i = 0; i < length; i++) {
      if (bytes[i] > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, bytes.subarray(0, length));
  }
  return decoder.decode(bytes.subarray(0, length));
}
