// The live timeline: every event the client's `logger` reports, grouped by call.
//
// A call starts with `Send request` (debug) and ends with `Request complete` (2xx) or an
// error event (`Exhaust retries`, `Give up: …`, `Request failed`, `Return 404`, …). Between
// them come `Retry after server error | rate limit | network error | timeout` (warn), one
// per failed attempt, with the wait before the next one and its reason (`backoff`,
// `Retry-After`, `RateLimit`, `retry_after body`). Events without a method (`Initialize
// VClient`) go in a client row; messages this page does not know are shown generically.
// Fields with secrets never reach the page: the client never logs the API key, and this
// module drops key-like fields and masks any value containing a secret anyway.
import { h, fill, ms, shortId, shortPath } from './dom.js';

const KNOWN_FIELDS = new Set([
  'method', 'url', 'status', 'attempt', 'maxAttempts', 'delayMs', 'reason', 'idempotencyKey',
  'requestId', 'elapsedMs', 'error', 'callId',
]);
const SECRET_FIELD = /api.?key|authorization|secret|password|token|^headers$/i;
const FAILURE_END = new Set([
  'Exhaust retries', 'Request failed', 'Return 404', 'Return 409 conflict', 'Reject with validation error',
  'Reject with unprocessable entity error', 'Fail authentication', 'Deny authorization',
]);
const HINT_REASONS = new Set(['backoff', 'Retry-After', 'RateLimit', 'retry_after body']);
// What a call does, from its method and path (the first match wins).
const LABELS = [
  ['GET', /\/health$/, 'health check'],
  ['GET', /\/companies$/, 'list companies'],
  ['POST', /\/companies$/, 'create company'],
  ['GET', /\/companies\/[^/]+\/users$/, 'list users'],
  ['GET', /\/companies\/[^/]+\/characters$/, 'list characters'],
  ['GET', /\/companies\/[^/]+\/campaigns$/, 'list campaigns'],
  ['POST', /\/companies\/[^/]+\/campaigns$/, 'create campaign'],
  ['GET', /\/campaigns\/[^/]+$/, 'get campaign'],
  ['PATCH', /\/campaigns\/[^/]+$/, 'update campaign'],
  ['DELETE', /\/campaigns\/[^/]+$/, 'delete campaign'],
];

function labelOf(method, url) {
  const path = String(url ?? '').split('?')[0];
  return LABELS.find(([m, re]) => m === method && re.test(path))?.[2] ?? '';
}

function statusClass(status) {
  if (typeof status !== 'number') return 'st-none';
  if (status < 300) return 'st-ok';
  if (status === 429) return 'st-limit';
  if (status < 500) return 'st-client';
  return 'st-server';
}

/**
 * createTimeline(root, { secrets }) -> { logger, settle, clear, callForKey }
 *   secrets(): strings that must never be shown (the API key).
 */
export function createTimeline(root, { secrets = () => [] } = {}) {
  const list = root.querySelector('.tl-calls');
  const empty = root.querySelector('.tl-empty');
  let calls = []; // newest last
  let seq = 0;

  function mask(v) {
    if (typeof v !== 'string') return v;
    let out = v;
    for (const s of secrets()) if (s && s.length >= 4) out = out.split(s).join('•••');
    return out;
  }

  function safeFields(fields) {
    const out = {};
    for (const [k, v] of Object.entries(fields ?? {})) {
      if (SECRET_FIELD.test(k) && k !== 'idempotencyKey') continue;
      out[k] = typeof v === 'object' && v !== null ? mask(JSON.stringify(v)) : mask(v);
    }
    return out;
  }

  function newCall(method, url, key, now) {
    const call = {
      id: ++seq, method, url, key, start: now, sent: false, done: false,
      el: null, rows: null, outcome: null, attempts: 0,
    };
    const label = method ? labelOf(method, url) : 'client';
    call.outcome = method ? h('span.tl-outcome.pending', {}, 'in flight') : h('span.tl-outcome');
    call.rows = h('div.tl-rows');
    call.el = h('article.tl-call', { dataset: { call: String(call.id), method: method ?? '', url: url ?? '', key: key ?? '', state: 'pending' } },
      h('header.tl-head', {},
        method ? h('span.tl-method', { class: `tl-method m-${method}` }, method) : h('span.tl-method.m-client', {}, 'client'),
        h('span.tl-path', { title: url ?? '' }, url ? shortPath(url) : ''),
        label && h('span.tl-label', {}, label),
        call.outcome),
      call.rows);
    calls.push(call);
    empty.hidden = true;
    list.prepend(call.el);
    // Keep the page light: the oldest calls go once there are many.
    while (calls.length > 60) calls.shift().el.remove();
    return call;
  }

  function findOpen(method, url, key) {
    for (let i = calls.length - 1; i >= 0; i--) {
      const c = calls[i];
      if (!c.done && c.method === method && c.url === url && (!key || !c.key || c.key === key)) return c;
    }
    return null;
  }

  function finish(call, ok, text) {
    call.done = true;
    call.el.dataset.state = ok ? 'ok' : 'failed';
    call.outcome.className = `tl-outcome ${ok ? 'ok' : 'failed'}`;
    call.outcome.textContent = text;
    for (const bar of call.rows.querySelectorAll('.tl-bar.running')) bar.classList.replace('running', 'stopped');
  }

  function row(call, level, message, f, now) {
    const t = now - call.start;
    const extra = Object.entries(f).filter(([k]) => !KNOWN_FIELDS.has(k));
    const wait = typeof f.delayMs === 'number'
      ? h('span.tl-wait', {},
        h('span.tl-delay', {}, ms(f.delayMs)),
        f.reason && h('span.tl-reason', { class: `tl-reason r-${HINT_REASONS.has(f.reason) ? f.reason.replace(/[^A-Za-z]/g, '') : 'other'}` }, f.reason),
        h('span.tl-bar.running', {}, h('span.tl-fill', { style: { animationDuration: `${Math.max(0, f.delayMs)}ms` } })))
      : (f.reason ? h('span.tl-wait', {}, h('span.tl-reason.r-other', {}, f.reason)) : '');
    const status = typeof f.status === 'number' ? f.status : (f.error && /Network|Timeout/.test(f.error) ? '—' : '');
    return h('div.tl-row', {
      class: `tl-row lv-${level}`,
      dataset: {
        message, level,
        status: f.status ?? '', attempt: f.attempt ?? '', reason: f.reason ?? '', delay: f.delayMs ?? '',
        key: f.idempotencyKey ?? '', requestId: f.requestId ?? '', error: f.error ?? '',
      },
    },
    h('span.tl-t', { title: 'since the call started' }, `+${(t / 1000).toFixed(2)} s`),
    h('span.tl-msg', {}, message, f.error && h('span.tl-err', {}, f.error),
      extra.length > 0 && h('span.tl-extra', {}, extra.map(([k, v]) => `${k}=${v}`).join(' '))),
    h('span.tl-att', { title: 'attempt / max attempts' }, f.attempt ? `${f.attempt}/${f.maxAttempts ?? '?'}` : ''),
    h('span.tl-status', { class: `tl-status ${statusClass(f.status)}` }, String(status)),
    wait || h('span.tl-wait'),
    h('span.tl-key', { title: f.idempotencyKey ? `Idempotency-Key: ${f.idempotencyKey}` : '' }, f.idempotencyKey ? shortId(f.idempotencyKey, 8, 4) : ''),
    h('span.tl-rid', { title: f.requestId ? `request id: ${f.requestId}` : '' }, f.requestId ? shortId(f.requestId, 8, 3) : ''));
  }

  /** The `logger` option of `new VClient()`. */
  function logger(level, message, fields) {
    const now = performance.now();
    try {
      const f = safeFields(fields);
      const method = f.method;
      const url = f.url;
      const key = f.idempotencyKey;
      let call;
      if (method && typeof f.callId === 'number') {
        // The client numbers its calls: concurrent calls to one URL stay apart.
        call = calls.findLast((c) => c.id === f.callId && c.method === method);
        if (!call) call = Object.assign(newCall(method, url, key, now), { id: f.callId });
        call.sent = true;
      } else if (!method) {
        call = newCall(null, null, null, now);
        call.done = true;
        call.el.dataset.state = 'info';
      } else if (message === 'Send request') {
        // An event may come before `Send request` (pacing): it opened the call already.
        call = findOpen(method, url, key);
        if (!call || call.sent) call = newCall(method, url, key, now);
        call.sent = true;
      } else {
        call = findOpen(method, url, key) ?? newCall(method, url, key, now);
      }
      if (key && !call.key) {
        call.key = key;
        call.el.dataset.key = key;
      }
      if (typeof f.attempt === 'number') call.attempts = Math.max(call.attempts, f.attempt);
      call.rows.append(row(call, level, message, f, now));
      if (!method) return;
      const took = ms(typeof f.elapsedMs === 'number' ? f.elapsedMs : now - call.start);
      const att = call.attempts > 1 ? `${call.attempts} attempts` : '1 attempt';
      if (message === 'Request complete') finish(call, true, `✓ ${f.status ?? ''} · ${att} · ${took}`);
      else if (FAILURE_END.has(message) || message.startsWith('Give up') || level === 'error') {
        finish(call, false, `✗ ${f.error ?? message}${f.status ? ` ${f.status}` : ''} · ${att} · ${took}`);
      }
    } catch (e) {
      // The logger must never throw into the client.
      console.error('timeline', e);
    }
  }

  /** Marks the call an error belongs to as failed, for errors that end a call unlogged. */
  function settle(error) {
    if (!error || !error.method || !error.url) return;
    const call = findOpen(error.method, error.url, error.idempotencyKey);
    if (call) finish(call, false, `✗ ${error.name} · ${ms(performance.now() - call.start)}`);
  }

  function clear() {
    calls = [];
    fill(list);
    empty.hidden = false;
  }

  /** The newest call that used this idempotency key. */
  function callForKey(key) {
    for (let i = calls.length - 1; i >= 0; i--) if (calls[i].key === key) return calls[i];
    return null;
  }

  return { logger, settle, clear, callForKey };
}
