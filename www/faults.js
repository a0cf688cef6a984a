// The fault panel: buttons that queue steps on the test double's fault queue
// (POST <double>/__faults {"next":[Step,…]} replaces the queue, so a click appends to what
// is still queued). Each later /api/v1 request takes the next step instead of the real
// answer; `pass` steps let it through and answer late. See tests/server/README.md.
import { h, fill } from './dom.js';

const problem = (status, title, detail, extra = {}) => ({
  status,
  headers: { 'content-type': 'application/problem+json' },
  body: { status, title, detail, ...extra },
});
const RATE_LIMITED = 'You are being rate limited.';

// [group, [id, label, explanation, () => step]]
export const FAULTS = [
  ['Server errors (retried: backoff)', [
    ['503', '503', 'Service Unavailable, problem+json body', () => problem(503, 'Service Unavailable', 'The database is restarting.')],
    ['500', '500', 'Internal Server Error, the API\'s fallback body', () => ({ status: 500, body: { status_code: 500, detail: 'Internal Server Error' } })],
    ['502', '502', 'Bad Gateway with an HTML body, as a proxy sends it', () => ({
      status: 502, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
    })],
  ]],
  ['Rate limits (429: the hint sets the wait)', [
    ['429-retry-after', '429 Retry-After: 1', '429 with `Retry-After: 1` (seconds)', () => ({ ...problem(429, 'Too Many Requests', RATE_LIMITED), headers: { 'content-type': 'application/problem+json', 'retry-after': '1' } })],
    ['429-date', '429 Retry-After: date', '429 with `Retry-After` as an HTTP-date 3 s after the click', () => ({
      ...problem(429, 'Too Many Requests', RATE_LIMITED),
      headers: { 'content-type': 'application/problem+json', 'retry-after': new Date(Date.now() + 3000).toUTCString() },
    })],
    ['429-ratelimit', '429 RateLimit t=2', '429 with `RateLimit: "burst";r=0;t=2` and `RateLimit-Policy`', () => ({
      ...problem(429, 'Too Many Requests', RATE_LIMITED),
      headers: { 'content-type': 'application/problem+json', ratelimit: '"burst";r=0;t=2', 'ratelimit-policy': '"burst";q=30;w=60' },
    })],
    ['429-body', '429 body retry_after', '429 whose problem body says `retry_after: 1.5` (the real server\'s exact wait)', () => problem(429, 'Too Many Requests', RATE_LIMITED, { retry_after: 1.5 })],
    ['429-none', '429 no hint', '429 with no hint at all: plain backoff', () => problem(429, 'Too Many Requests', RATE_LIMITED)],
  ]],
  ['Slow and broken connections', [
    ['slow', 'slow 1.5 s', 'A real answer, 1.5 s late (under the timeout)', () => ({ action: 'pass', delayMs: 1500 })],
    ['too-slow', 'slow 4 s', 'A real answer 4 s late: the attempt times out after the server did the work. A GET or PUT is retried; a POST or PATCH is not (the server has no in-flight lock), and the error names its key: “Retry same key” then gets the stored answer', () => ({ action: 'pass', delayMs: 4000 })],
    ['slow-body', 'slow body', 'Headers at once, the body in 4 chunks 1 s apart: the timeout covers the body read', () => ({
      status: 200, action: 'slow-body', bodyDelayMs: 1000, body: { note: 'never read in full' },
    })],
    ['reset', 'drop connection', 'The socket is closed with no answer (a network error)', () => ({ action: 'reset' })],
    ['cut', 'cut mid-body', 'Headers and half the body, then the socket closes', () => ({
      status: 200, action: 'reset-after-headers', body: { note: 'half of this arrives' },
    })],
    ['hang', 'hang', 'Never answers: the attempt timeout fires', () => ({ action: 'hang' })],
  ]],
];

/** A short name for a queued step. */
export function describeStep(step) {
  const a = step.action ?? 'respond';
  if (a === 'pass') return `slow ${(step.delayMs ?? 0) / 1000} s`;
  if (a === 'hang') return 'hang';
  if (a === 'reset') return 'drop';
  if (a === 'reset-after-headers') return 'cut body';
  if (a === 'slow-body') return 'slow body';
  const status = step.status ?? 200;
  if (status !== 429) return String(status);
  const hd = Object.fromEntries(Object.entries(step.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  if (hd['retry-after']) return /^\d+$/.test(hd['retry-after']) ? `429 Retry-After ${hd['retry-after']}` : '429 Retry-After date';
  if (hd.ratelimit) return '429 RateLimit';
  if (step.body?.retry_after !== undefined) return '429 body retry_after';
  return '429';
}

/**
 * createFaultPanel(root, { controlUrl }) -> { refresh, push(id), clear }
 *   controlUrl(): where /__faults lives (the demo server, which forwards it to the double), or ''
 *   when not connected.
 */
export function createFaultPanel(root, { controlUrl }) {
  const queueEl = root.querySelector('.fault-queue');
  const statusEl = root.querySelector('.fault-status');
  const byId = new Map();
  let chain = Promise.resolve(); // one queue update at a time: clicks never lose a step

  const buttons = root.querySelector('.fault-buttons');
  for (const [group, faults] of FAULTS) {
    buttons.append(h('div.fault-group', {},
      h('h3', {}, group),
      h('div.fault-row', {}, faults.map(([id, label, explanation, step]) => {
        byId.set(id, step);
        return h('button.fault', {
          type: 'button', title: explanation, dataset: { fault: id },
          onclick: () => push(id),
        }, label);
      }))));
  }

  async function control(method, body) {
    const base = controlUrl();
    if (!base) throw new Error('connect first');
    const r = await fetch(`${base}/__faults`, {
      method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    if (!r.ok) throw new Error(`${base}/__faults: HTTP ${r.status} (is this the test double?)`);
    return r.json();
  }

  function show(steps) {
    fill(queueEl, steps.length === 0
      ? h('span.muted', {}, 'none: requests get real answers')
      : steps.map((s, i) => h('span.chip', { dataset: { index: String(i) } }, describeStep(s))));
    root.dataset.queued = String(steps.length);
  }

  function run(task) {
    chain = chain.then(task).then(() => { statusEl.textContent = ''; }, (e) => { statusEl.textContent = e.message; });
    return chain;
  }

  function push(id) {
    return run(async () => {
      const queued = await control('GET');
      await control('POST', { next: [...queued, byId.get(id)()] });
      show(await control('GET'));
    });
  }

  function clear() {
    return run(async () => {
      await control('POST', { next: [] });
      show([]);
    });
  }

  function refresh() {
    return run(async () => show(await control('GET')));
  }

  root.querySelector('.fault-clear').addEventListener('click', clear);
  return { push, clear, refresh };
}
