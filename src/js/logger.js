// Log events for the user's logger, built in JS: an event's fields reach here as plain values
// in one crossing (set field by field from wasm, an event took some 25).

import { unpack } from './errors.js';

// Every field an event may have, in the order they appear in its object (src/engine/log.rs
// `Fields`); `true` marks the numbers, the others are strings.
const FIELDS = [
  ['method', false], ['url', false], ['status', true], ['attempt', true], ['maxAttempts', true],
  ['delayMs', true], ['retryAfterMs', true], ['reason', false], ['idempotencyKey', false],
  ['requestId', false], ['elapsedMs', true], ['error', false], ['retryBudget', true], ['callId', true],
];

/**
 * Sends one event to `target`: a function `(level, message, fields)`, or a console-like object
 * whose `level` method (else `log`) gets `(message, fields)`. A throwing logger never breaks a
 * request.
 */
export function emitLog(target, level, message, fields) {
  try {
    if (typeof target === 'function') {
      target(level, message, fields);
      return;
    }
    const method = typeof target[level] === 'function' ? target[level] : target.log;
    if (typeof method === 'function') method.call(target, message, fields);
  } catch {
    // The logger's own failure is not the call's.
  }
}

/**
 * An engine event: `text` the string fields present, packed (src/js/packed.rs), `nums` the
 * numbers, NaN where absent, each in FIELDS order; absent fields are left out.
 */
export function logEvent(target, level, message, text, nums) {
  const strings = unpack(text);
  const fields = {};
  let s = 0;
  let n = 0;
  for (const [name, number] of FIELDS) {
    if (number) {
      const v = nums[n++];
      if (!Number.isNaN(v)) fields[name] = v;
    } else {
      const v = strings[s++];
      if (v) fields[name] = v.slice(1);
    }
  }
  emitLog(target, level, message, fields);
}
