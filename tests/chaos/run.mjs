// The chaos run: thousands of logical operations through the wasm build, in Node, against the
// fault-injecting loopback server (server.mjs), then assertions on what the server recorded.
//
//   node tests/chaos/run.mjs [--ops 10000] [--concurrency 32] [--seed 1] [--max-seconds 240]
//                            [--in-flight conflict|wait|none] [--examples 5] [--rate kind=p ...]
//
// Exit 0 when every assertion holds, 1 otherwise (2 for bad arguments or a missing build).
// Stops by itself: after --max-seconds the client is closed, the server is closed and the
// summary is printed with the run marked failed.
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { startChaosServer, TOO_LONG_SECONDS } from './server.mjs';

// ---- arguments --------------------------------------------------------------------------
let args;
try {
  const { values } = parseArgs({
    options: {
      ops: { type: 'string', default: '10000' },
      concurrency: { type: 'string', default: '32' },
      seed: { type: 'string', default: '1' },
      'max-seconds': { type: 'string', default: '240' },
      'in-flight': { type: 'string', default: 'none' },
      examples: { type: 'string', default: '5' },
      rate: { type: 'string', multiple: true, default: [] },
    },
    strict: true,
  });
  const int = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got '${values[name]}'`);
    return n;
  };
  args = {
    ops: int('ops', 1),
    concurrency: int('concurrency', 1),
    seed: int('seed', 0),
    maxSeconds: int('max-seconds', 1),
    inFlight: values['in-flight'],
    examples: int('examples', 0),
    rates: {},
  };
  for (const r of values.rate) {
    const m = /^([a-z0-9-]+)=([0-9.]+)$/.exec(r);
    if (!m || !(Number(m[2]) <= 1)) throw new Error(`--rate must be kind=probability, got '${r}'`);
    args.rates[m[1]] = Number(m[2]);
  }
  if (!['conflict', 'wait', 'none'].includes(args.inFlight)) throw new Error('--in-flight must be conflict, wait or none');
} catch (e) {
  process.stderr.write(`chaos: ${e.message}\n`);
  process.exit(2);
}

// ---- the build (retried once: the package may be rebuilt under us) ------------------------
async function importBuild() {
  const node = new URL('../../target/npm/dist/node.js', import.meta.url);
  const core = new URL('../../target/npm/dist/core.js', import.meta.url);
  for (let i = 0; ; i++) {
    try {
      const pkg = await import(node.href);
      const { initSync } = await import(core.href);
      return { pkg, initSync };
    } catch (e) {
      if (i >= 1) throw e;
      await new Promise((r) => setTimeout(r, 3000));
    }
  }
}
let pkg;
let initSync;
try {
  ({ pkg, initSync } = await importBuild());
} catch (e) {
  process.stderr.write(`chaos: cannot load target/npm/dist (build it first): ${e.message}\n`);
  process.exit(2);
}
const {
  VClient, VClientError, APIError, ValidationError, AuthenticationError, NotFoundError,
  ConflictError, RateLimitError, ServerError, NetworkError, TimeoutError, AbortError,
  ClientClosedError, ResponseValidationError,
} = pkg;
const wasmExports = initSync();
if (!(wasmExports?.memory instanceof WebAssembly.Memory)) {
  process.stderr.write('chaos: initSync() did not return the initialised wasm exports\n');
  process.exit(2);
}
const wasmBytes = () => wasmExports.memory.buffer.byteLength;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
function heapUsed() {
  gc();
  return process.memoryUsage().heapUsed;
}

// ---- settings ---------------------------------------------------------------------------
const CLIENT = {
  timeout: 0.5, // per attempt
  totalTimeout: 6,
  maxRetries: 4,
  retryDelay: 0.01,
  maxRetryDelay: 2,
  jitter: 'additive',
  autoIdempotencyKeys: true,
};
const MAX_ATTEMPTS = CLIENT.maxRetries + 1;
/** Timers and the event loop under load (2 cores, client and server in one process). */
const SLACK_MS = 250;
/** An operation not settled this long after its deadline is reported and left behind. */
const WATCHDOG_MS = 10_000;
const SIGNAL_SHARE = 0.08; // ops with their own AbortSignal.timeout(150..3000 ms)
const WARMUP_OPS = Math.min(1000, Math.floor(args.ops / 2));
const PAGE = 65536;
const KEYED = new Set(['POST', 'PUT', 'PATCH']);

// ---- the run ----------------------------------------------------------------------------
const t0 = performance.now();
const server = await startChaosServer({
  seed: args.seed,
  maxSeconds: args.maxSeconds + 30,
  attemptTimeoutMs: CLIENT.timeout * 1000,
  inFlight: args.inFlight,
  rates: args.rates,
});
const logCounts = {};
const client = new VClient({
  baseUrl: server.url,
  apiKey: server.apiKey,
  ...CLIENT,
  logLevel: 'info',
  logger: (_level, message) => { logCounts[message] = (logCounts[message] ?? 0) + 1; },
});
let stopping = false;
let timedOut = false;
const globalTimer = setTimeout(() => {
  timedOut = true;
  stopping = true;
  process.stderr.write(`chaos: --max-seconds ${args.maxSeconds} reached, closing the client\n`);
  client.close();
}, args.maxSeconds * 1000);
// The last resort, should even the summary never come: the process ends regardless.
setTimeout(() => {
  process.stderr.write('chaos: no summary 60 s after --max-seconds; exiting\n');
  process.exit(1);
}, (args.maxSeconds + 60) * 1000).unref();
// A pre-warm that is not part of the run: JIT-compiles the client and server paths, so the
// first operations do not time out in a start-up stall (clean requests, no x-chaos-op).
await Promise.all(Array.from({ length: args.concurrency }, () => client.request('GET', '/api/v1/items', {
  query: { limit: 5 }, headers: { 'x-chaos-clean': '1' },
}).catch(() => {})));
const attemptsBefore = server.stats().requests;

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
// Event-loop stalls: client and server share one thread, on a machine that may be busy. A
// response sent while the client's loop is blocked can lose the race with its attempt timer;
// the checks below accept that only with a recorded stall as evidence (and count it).
const STALL_MS = 60;
const stalls = []; // [from, to] in performance.now() ms
let tick = performance.now();
const stallTimer = setInterval(() => {
  const now = performance.now();
  if (now - tick > STALL_MS) stalls.push([tick, now]);
  tick = now;
}, 10);
/** ms of recorded stall inside [a, b]. */
function stalledWithin(a, b) {
  let ms = 0;
  for (const [x, y] of stalls) ms += Math.max(0, Math.min(b, y) - Math.max(a, x));
  return ms;
}


// Deterministic choices (the interleaving is not: faults are keyed by op and attempt instead).
let s = (args.seed ^ 0x9e3779b9) >>> 0;
function rnd() {
  s = (s + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const pool = []; // item ids no operation is using
function checkout() {
  if (pool.length === 0) return null;
  const i = Math.floor(rnd() * pool.length);
  const id = pool[i];
  pool[i] = pool[pool.length - 1];
  pool.pop();
  return id;
}

function planOp(id) {
  const r = rnd();
  let method;
  let item = null;
  if (r < 0.15) method = 'GET-LIST';
  else if (r < 0.45) method = 'POST';
  else {
    item = checkout();
    if (item === null) method = 'POST';
    else if (r < 0.60) method = 'GET';
    else if (r < 0.72) method = 'PUT';
    else if (r < 0.87) method = 'PATCH';
    else method = 'DELETE';
  }
  const op = { id, kind: method, method: method === 'GET-LIST' ? 'GET' : method, item, options: {} };
  op.path = item ? `/api/v1/items/${item}` : '/api/v1/items';
  if (method === 'GET-LIST') op.options.query = { limit: 1 + Math.floor(rnd() * 20) };
  if (method === 'POST') op.options.json = { name: `item ${id}`, email: `op${id}@example.test` };
  if (method === 'PUT') op.options.json = { name: `renamed by ${id}`, email: `put${id}@example.test` };
  if (method === 'PATCH') op.options.json = { increment: 1 + Math.floor(rnd() * 3) };
  op.options.headers = { 'x-chaos-op': String(id) };
  op.signalMs = rnd() < SIGNAL_SHARE ? Math.round(150 + rnd() * 2850) : null;
  op.deadlineMs = Math.min(CLIENT.totalTimeout * 1000, op.signalMs ?? Infinity);
  return op;
}

const ops = [];
const memSamples = [];
let completed = 0;
let warm = null;
let nextOp = 0;
const growthEvents = [];
let lastBytes = wasmBytes();

async function runOp(op) {
  if (op.signalMs !== null) {
    op.signal = AbortSignal.timeout(op.signalMs);
    op.options.signal = op.signal;
  }
  op.t0 = performance.now();
  const p = client.request(op.method, op.path, op.options).then(
    (value) => { op.t1 = performance.now(); op.ok = true; op.value = value; },
    (error) => { op.t1 = performance.now(); op.ok = false; op.error = error; },
  );
  let timer;
  const watchdog = new Promise((r) => { timer = setTimeout(r, op.deadlineMs + WATCHDOG_MS); });
  await Promise.race([p, watchdog]);
  clearTimeout(timer);
  if (op.t1 === undefined) {
    op.unsettled = true; // reported; the promise keeps running and is noted if it ever settles
    p.then(() => { op.lateSettleMs = op.t1 - op.t0; });
    return;
  }
  op.elapsed = op.t1 - op.t0;
  const bytes = wasmBytes();
  if (bytes !== lastBytes) {
    growthEvents.push({ completed, bytes, op: op.id, kind: op.kind, outcome: op.ok ? 'resolved' : op.error?.name, inFlight: nextOp - completed });
    lastBytes = bytes;
  }
  // Give items back to the pool unless their state is now unknown or gone.
  if (op.item && op.ok && op.method !== 'DELETE') pool.push(op.item);
  if (op.method === 'POST' && op.ok && op.value?.id) pool.push(op.value.id);
}

async function worker() {
  while (!stopping && nextOp < args.ops) {
    const op = planOp(nextOp++);
    ops.push(op);
    await runOp(op);
    completed++;
    if (completed % 1000 === 0 || completed === WARMUP_OPS) {
      const sample = { ops: completed, wasm: wasmBytes(), heap: process.memoryUsage().heapUsed, t: (performance.now() - t0) / 1000 };
      memSamples.push(sample);
      if (completed === WARMUP_OPS) warm = { ...sample, heap: heapUsed() };
    }
  }
}

await Promise.all(Array.from({ length: args.concurrency }, worker));
const runSeconds = (performance.now() - t0) / 1000;
loop.disable();
clearInterval(stallTimer);
const attemptsDuringRun = server.stats().requests - attemptsBefore;

// The client still works: one clean request.
let after = { ok: false };
if (!timedOut) {
  const ta = performance.now();
  try {
    const page = await client.request('GET', '/api/v1/items', {
      query: { limit: 1 }, headers: { 'x-chaos-clean': '1' }, signal: AbortSignal.timeout(5000),
    });
    after = { ok: Array.isArray(page?.items), ms: performance.now() - ta, total: page?.total };
  } catch (e) {
    after = { ok: false, error: `${e.name}: ${e.message}` };
  }
}
await new Promise((r) => setTimeout(r, 50)); // let the last attempt's guards drop
const end = { wasm: wasmBytes(), heap: heapUsed() };
clearTimeout(globalTimer);

// ---- checks -----------------------------------------------------------------------------
const results = [];
function check(name, pass, detail, examples = []) {
  results.push({ name, pass, detail, examples });
}
const fmtRec = (r) => `#${r.attempt} ${r.method} ${r.path}${r.query ? `?${r.query}` : ''} key=${r.key ? r.key.slice(-8) : '-'} `
  + `fault=${r.fault ?? '-'}${r.voided ? ` (voided ${r.voided})` : ''} outcome=${r.outcome ?? '-'} status=${r.status ?? '-'} `
  + `visible=${r.visible} t=${r.tStart.toFixed(0)}..${r.tEnd === null ? 'open' : r.tEnd.toFixed(0)}ms`;
function describeOp(op) {
  const recs = server.recordsByOp.get(String(op.id)) ?? [];
  const e = op.error;
  const got = op.unsettled ? 'UNSETTLED'
    : op.ok ? `resolved ${JSON.stringify(op.value)?.slice(0, 120)}`
      : `${e?.name}: ${String(e?.message).slice(0, 200)} {status:${e?.status}, attempts:${e?.attempts}, total:${e?.total}, `
        + `retryAfter:${e?.retryAfter}, method:${e?.method}, url:${e?.url}, key:${e?.idempotencyKey ? e.idempotencyKey.slice(-8) : '-'}${e?.cause ? `, cause:${e.cause.name}` : ''}}`;
  return [
    `op ${op.id} ${op.kind} ${op.path} deadline=${op.deadlineMs}ms${op.signalMs !== null ? ` (signal ${op.signalMs}ms)` : ''} `
      + `elapsed=${op.elapsed?.toFixed(0) ?? '-'}ms start=${(op.t0 - t0).toFixed(0)}ms -> ${got}`,
    ...recs.map((r) => `    server ${fmtRec(r)}`),
  ].join('\n');
}

// When the client's pacing hold, as of time `at`, ends at the latest: each response with an
// exhausted policy (r=0;t=1) holds the client for 1 s from when it was sent.
const r0Sent = server.records.filter((r) => r.fault === '429-ratelimit-policies' && r.tEnd !== null)
  .map((r) => server.startedAt + r.tEnd);
function holdEndAt(at) {
  let end = -Infinity;
  for (const sent of r0Sent) if (sent <= at + 5) end = Math.max(end, sent + 1000);
  return end;
}

const STATUS_CLASS = { 400: ValidationError, 401: AuthenticationError, 404: NotFoundError, 409: ConflictError, 429: RateLimitError };
function expectedClass(status) {
  if (STATUS_CLASS[status]) return STATUS_CLASS[status];
  if (status >= 500) return ServerError;
  return APIError;
}

/** Why `e` is the wrong error for `op`, or null. */
function wrongError(op, e, final) {
  if (!(e instanceof VClientError)) return `not a VClientError: ${e?.name}`;
  if (e.name === 'RetryBudgetExhaustedError') {
    if (!(e.cause instanceof VClientError)) return 'RetryBudgetExhaustedError without a VClientError cause';
    return wrongError(op, e.cause, final);
  }
  if (e instanceof AbortError) return op.signal?.aborted ? null : 'AbortError but the caller\'s signal did not fire';
  if (e instanceof ClientClosedError) return stopping ? null : 'ClientClosedError but the client was not closed';
  if (e instanceof TimeoutError && e.total === true) {
    if (op.elapsed >= CLIENT.totalTimeout * 1000 - 50) return null;
    // Pacing fails at once when a RateLimit hold would outlast totalTimeout.
    if (holdEndAt(op.t1) >= op.t0 + CLIENT.totalTimeout * 1000 - 50) return null;
    return `TimeoutError(total) after only ${op.elapsed.toFixed(0)} ms, with no RateLimit hold reaching past totalTimeout`;
  }
  if (!final) return 'the server saw no attempt';
  if (e instanceof TimeoutError && e.total === false && final.visible !== 'timeout' && raceLostInStall(final)) {
    excused.timeout.push(op);
    return null;
  }
  switch (final.visible) {
    case 'status': {
      const cls = expectedClass(final.status);
      if (!(e instanceof cls)) return `final attempt answered ${final.status}: expected ${cls.name}`;
      if (e.status !== final.status) return `status ${e.status} but the server answered ${final.status}`;
      if (final.fault === '429-hint-too-long' && e.retryAfter !== TOO_LONG_SECONDS) return `retryAfter ${e.retryAfter}, expected ${TOO_LONG_SECONDS}`;
      return null;
    }
    case 'network': return e instanceof NetworkError ? null : `final attempt ${final.fault}: expected NetworkError`;
    case 'timeout':
      return e instanceof TimeoutError && e.total === false ? null : `final attempt ${final.fault}: expected TimeoutError(total=false)`;
    case 'badjson': return e instanceof ResponseValidationError ? null : `final attempt ${final.fault}: expected ResponseValidationError`;
    case 'ok': return `final attempt was a clean ${final.status}${final.fault ? ` (${final.fault})` : ''}: expected success`;
    default: return `final attempt visible=${final.visible}`;
  }
}

const abs = (t) => server.startedAt + t;
/** The attempt `rec` was answered, but a stall of >= 100 ms in the client's loop between its
 *  start and the moment the answer was out can have let its attempt timer fire first. */
function raceLostInStall(rec) {
  if (rec.tEnd === null) return false;
  return stalledWithin(abs(rec.tStart) - CLIENT.timeout * 1000, abs(rec.tEnd) + 100) >= 100;
}
const excused = { timeout: [], late: [], hint: [] };

const settled = ops.filter((op) => !op.unsettled);
const unsettled = ops.filter((op) => op.unsettled);
const late = settled.filter((op) => {
  const over = op.elapsed - op.deadlineMs - SLACK_MS;
  if (over <= 0) return false;
  // Nothing settles while the loop is blocked: a stall around the deadline excuses its length.
  if (over <= stalledWithin(op.t0 + op.deadlineMs - SLACK_MS, op.t1)) {
    excused.late.push(op);
    return false;
  }
  return true;
});
const outcomes = {};
const wrongClass = [];
const wrongSuccess = [];
const wrongValue = [];
const keyProblems = [];
const attemptMismatch = [];
const missingFields = [];
const missingByClass = {};
const overBound = [];
let budgetErrors = 0;
const budgetCauses = {};
let maxAttemptsSeen = 0;
const postResolved = { n: 0, created1: 0, bad: [] };
const postFailed = { n: 0, created0: 0, created1: 0, bad: [] };
let deleteOwn404 = 0;
const unexpected404 = [];
const keysSeen = new Map();
const hintViolations = [];
let hintsHonored = 0;
const hintMargins = []; // ms a hinted retry came after its hint
const HINT_EPSILON_MS = 5;

for (const op of settled) {
  const recs = server.recordsByOp.get(String(op.id)) ?? [];
  const final = recs[recs.length - 1];
  maxAttemptsSeen = Math.max(maxAttemptsSeen, recs.length);
  if (recs.length > MAX_ATTEMPTS) overBound.push(op);
  const label = op.ok ? 'resolved' : (op.error?.name ?? String(op.error));
  outcomes[label] = (outcomes[label] ?? 0) + 1;

  // Keys: one per keyed call, on every attempt, unique across calls; none on GET/DELETE.
  const keys = new Set(recs.map((r) => r.key));
  const hashes = new Set(recs.map((r) => r.bodyHash));
  if (KEYED.has(op.method)) {
    const k = recs[0]?.key;
    if (recs.length === 0) {
      // Never sent (aborted in a pacing hold): the error still names the key it made.
      if (op.ok || typeof op.error?.idempotencyKey !== 'string') keyProblems.push(op);
    } else if (!k || keys.size !== 1 || hashes.size > 1) keyProblems.push(op);
    else if (keysSeen.has(k)) keyProblems.push(op);
    else keysSeen.set(k, op.id);
  } else if (recs.some((r) => r.key)) keyProblems.push(op);

  if (op.ok) {
    if (!final || final.visible !== 'ok') wrongSuccess.push(op);
    else if (op.method === 'DELETE' ? op.value !== undefined
      : op.kind === 'GET-LIST' ? !Array.isArray(op.value?.items)
        : op.method === 'POST' ? typeof op.value?.id !== 'string' : op.value?.id !== op.item) wrongValue.push(op);
  } else {
    const e = op.error;
    if (e?.name === 'RetryBudgetExhaustedError') {
      budgetErrors++;
      budgetCauses[e.cause?.name] = (budgetCauses[e.cause?.name] ?? 0) + 1;
    }
    const why = wrongError(op, e, final);
    if (why) wrongClass.push({ op, why });
    const inner = e?.name === 'RetryBudgetExhaustedError' ? e.cause : e;
    const interrupted = inner instanceof AbortError || inner instanceof ClientClosedError
      || (inner instanceof TimeoutError && inner.total === true);
    // README: every call error carries method, url, attempts and idempotencyKey.
    const k = KEYED.has(op.method) ? recs[0]?.key : undefined;
    if (e instanceof VClientError && (typeof e.method !== 'string' || typeof e.url !== 'string'
      || typeof e.attempts !== 'number' || (k && e.idempotencyKey !== k))) {
      missingFields.push(op);
      missingByClass[e.name] = (missingByClass[e.name] ?? 0) + 1;
    } else if (!interrupted && e instanceof VClientError && e.attempts !== recs.length) attemptMismatch.push(op);
    if (inner instanceof NotFoundError) {
      const ownDelete = op.method === 'DELETE' && recs.some((r) => r.outcome === 'ran' && r.status === 204);
      if (ownDelete) deleteOwn404++;
      else unexpected404.push(op);
    }
  }

  // Server hints are a floor: the next attempt comes no sooner; a hint beyond the cap ends it.
  for (let i = 0; i + 1 < recs.length; i++) {
    const h = recs[i].hintMs;
    if (h === undefined) continue;
    const gap = recs[i + 1].tStart - recs[i].tEnd;
    if ((h === Infinity || gap < h - HINT_EPSILON_MS) && raceLostInStall(recs[i])) excused.hint.push(op);
    else if (h === Infinity || gap < h - HINT_EPSILON_MS) hintViolations.push({ ...op, why: `after ${recs[i].fault} (hint ${h === Infinity ? 'beyond maxRetryDelay' : `${h.toFixed(0)} ms`}) the next attempt came ${gap.toFixed(0)} ms later` });
    else {
      hintsHonored++;
      hintMargins.push(gap - h);
    }
  }

  if (op.method === 'POST') {
    const k = recs[0]?.key;
    const created = k ? (server.createdByKey.get(k) ?? []) : [];
    if (op.ok) {
      postResolved.n++;
      if (created.length === 1 && created[0] === op.value?.id) postResolved.created1++;
      else postResolved.bad.push(op);
    } else {
      postFailed.n++;
      if (created.length === 0) postFailed.created0++;
      else if (created.length === 1) postFailed.created1++;
      else postFailed.bad.push(op);
    }
  }
}

// A key whose handler ran twice. For PUT that is no duplicated side effect: the same body
// sets the same state (and the client retries PUT after a timeout by design); for POST and
// PATCH it is.
const repeated = [...server.runsByKey].filter(([, n]) => n > 1)
  .map(([k]) => ops.find((op) => (server.recordsByOp.get(String(op.id)) ?? [])[0]?.key === k));
const dupOps = repeated.filter((op) => op?.kind !== 'PUT');
const putReruns = repeated.length - dupOps.length;
const stats = server.stats();

check('duplicated side effects: none (no POST or PATCH key ran its handler twice)', dupOps.length === 0,
  `${stats.keysWritten} keys wrote, ${dupOps.length} POST/PATCH keys ran more than once; ${putReruns} PUT keys ran twice (same body, same state)`, dupOps.filter(Boolean));
check('every resolved POST created exactly one item (the one it returned)', postResolved.bad.length === 0,
  `${postResolved.created1}/${postResolved.n}`, postResolved.bad);
check('every failed POST created 0 or 1 item', postFailed.bad.length === 0,
  `${postFailed.n} failed: ${postFailed.created0} created nothing, ${postFailed.created1} created one (the write happened, the answer was lost)`, postFailed.bad);
check('every operation ran (not cut by --max-seconds)', !timedOut && ops.length === args.ops,
  `${ops.length}/${args.ops} started${timedOut ? ', stopped by --max-seconds' : ''}`);
check(`every promise settled within its deadline (+${SLACK_MS} ms)`, late.length === 0 && unsettled.length === 0,
  `${late.length} late, ${unsettled.length} unsettled after deadline + ${WATCHDOG_MS / 1000} s`, [...unsettled, ...late]);
check('every failure is a VClientError of the right class for what the server did', wrongClass.length === 0,
  `${settled.length - (outcomes.resolved ?? 0)} failures, ${wrongClass.length} wrong`, wrongClass.map((w) => ({ ...w.op, why: w.why })));
check('every success followed a clean 2xx on its final attempt, with the right value', wrongSuccess.length === 0 && wrongValue.length === 0,
  `${wrongSuccess.length} resolved on a broken response, ${wrongValue.length} with a wrong value`, [...wrongSuccess, ...wrongValue]);
check('a NotFoundError only where the op\'s own earlier attempt deleted the item', unexpected404.length === 0,
  `${deleteOwn404} DELETE retries found their own delete done, ${unexpected404.length} unexpected`, unexpected404);
check('idempotency keys: one per POST/PUT/PATCH, same key and body on every attempt, unique; none on GET/DELETE', keyProblems.length === 0,
  `${keysSeen.size} keys, ${keyProblems.length} problems`, keyProblems);
check(`total attempts within ops x (maxRetries + 1) = ${args.ops * MAX_ATTEMPTS}`, attemptsDuringRun <= args.ops * MAX_ATTEMPTS && overBound.length === 0,
  `${attemptsDuringRun} attempts, ${(attemptsDuringRun / Math.max(1, ops.length)).toFixed(3)}/op, max ${maxAttemptsSeen} for one op`, overBound);
check('every call error carries method, url, attempts and (keyed calls) its idempotencyKey', missingFields.length === 0,
  `${missingFields.length} without${missingFields.length ? ` (${JSON.stringify(missingByClass)})` : ''}`, missingFields);
check('error.attempts equals the attempts the server saw (not counting aborts, close, total timeout)', attemptMismatch.length === 0,
  `${attemptMismatch.length} mismatches`, attemptMismatch);
check('server hints are a floor: no retry sooner than Retry-After / retry_after / RateLimit t, none after a hint beyond maxRetryDelay',
  hintViolations.length === 0, `${hintsHonored} retries after a hinted 429 waited long enough`
    + `${hintMargins.length ? ` (${Math.min(...hintMargins).toFixed(0)} ms past the hint at the closest)` : ''}, ${hintViolations.length} did not`, hintViolations);
// wasm memory only grows, by 64 KiB pages, when the allocator's high-water mark rises: a burst
// of concurrent large bodies can raise it once, after the warm-up too. A leak keeps raising it:
// one leaked allocation per operation (talc's smallest chunk, CHUNK_UNIT, is 16 B on wasm32) over the ops after the
// warm-up would grow it by more than the one page allowed here once those ops are >= 8192.
const growth = warm ? end.wasm - warm.wasm : NaN;
const postWarm = ops.length - (warm?.ops ?? 0);
check('no growth of wasm memory after the warm-up (at most one page: a high-water mark, not a leak)', warm !== null && growth <= PAGE,
  warm ? `${warm.wasm} B after ${warm.ops} ops, ${end.wasm} B at the end (${growth >= 0 ? '+' : ''}${growth} B); `
    + `a leak above ~${Math.ceil((2 * PAGE) / Math.max(1, postWarm))} B/op over the ${postWarm} later ops would fail this` : 'no warm-up sample');
check('the client is still usable (one clean request)', after.ok,
  after.ok ? `GET /api/v1/items resolved in ${after.ms.toFixed(0)} ms (total ${after.total} items)` : (after.error ?? 'not run'));

// ---- report -----------------------------------------------------------------------------
const out = [];
const pct = (n, d) => `${((100 * n) / Math.max(1, d)).toFixed(2)}%`;
out.push(`chaos run: seed ${args.seed}, ${args.ops} ops, concurrency ${args.concurrency}, in-flight duplicates: ${args.inFlight}`);
out.push(`client: ${JSON.stringify(CLIENT)}`);
out.push(`server: ${server.url}, slow faults ${JSON.stringify(server.slow)}`);
out.push('');
out.push(`faults (per attempt; ${stats.requests} attempts, ${stats.faultyRequests} faulty = ${pct(stats.faultyRequests, stats.requests)}):`);
out.push(`  ${'kind'.padEnd(26)}${'phase'.padEnd(8)}${'rate'.padStart(7)}${'count'.padStart(7)}${'seen'.padStart(8)}${'voided'.padStart(8)}  client sees`);
for (const [kind, f] of Object.entries(server.faults)) {
  out.push(`  ${kind.padEnd(26)}${f.phase.padEnd(8)}${`${(f.rate * 100).toFixed(1)}%`.padStart(7)}${String(stats.faults[kind]).padStart(7)}`
    + `${pct(stats.faults[kind], stats.requests).padStart(8)}${String(stats.voided[kind]).padStart(8)}  ${f.visible}`);
}
out.push(`server: ${stats.handlerRuns} handler runs, ${stats.created} items created, ${stats.replays} replays, `
  + `${stats.conflictInFlight} in-flight 409s, ${stats.conflictMismatch} body-mismatch 409s, ${stats.items} items left`);
out.push('');
const byKind = {};
for (const op of settled) {
  const b = (byKind[op.kind] ??= { n: 0, ok: 0 });
  b.n++;
  if (op.ok) b.ok++;
}
out.push(`operations: ${Object.entries(byKind).map(([k, b]) => `${k} ${b.n} (${b.ok} ok)`).join(', ')}; ${ops.filter((o) => o.signalMs !== null).length} with their own signal`);
out.push(`outcomes: ${Object.entries(outcomes).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
out.push(`retry budget: ${budgetErrors} RetryBudgetExhaustedError${budgetErrors ? ` (causes ${JSON.stringify(budgetCauses)})` : ''}`
  + `${'RetryBudgetExhaustedError' in pkg ? '' : ' (class not in this build)'}`);
out.push(`client log (info and above): ${Object.entries(logCounts).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
{
  // Pacing: attempts that reached the server inside a hold (more than PACING_GRACE_MS after an
  // r=0;t=1 response left it, so the client had seen it, and before the second was over).
  const PACING_GRACE_MS = 150;
  const r0 = server.records.filter((r) => r.fault === '429-ratelimit-policies' && r.tEnd !== null).map((r) => r.tEnd);
  let inside = 0;
  for (const r of server.records) {
    if (r.op !== null && r0.some((t) => r.tStart > t + PACING_GRACE_MS && r.tStart < t + 1000 - HINT_EPSILON_MS)) inside++;
  }
  out.push(`pacing: ${r0.length} response(s) with an exhausted RateLimit policy (r=0;t=1); ${inside} attempts arrived inside a hold (from ${PACING_GRACE_MS} ms after such a response to 1 s)`);
}
out.push(`attempts: ${attemptsDuringRun} for ${ops.length} ops = ${(attemptsDuringRun / Math.max(1, ops.length)).toFixed(3)}/op, max ${maxAttemptsSeen}, bound ${args.ops * MAX_ATTEMPTS}`);
const el = settled.map((o) => o.elapsed).sort((a, b) => a - b);
const q = (p) => (el.length ? el[Math.min(el.length - 1, Math.floor(p * el.length))].toFixed(0) : '-');
const over = settled.reduce((m, o) => Math.max(m, o.elapsed - o.deadlineMs), -Infinity);
out.push(`settle time: p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, p99 ${q(0.99)} ms, max ${q(1 - 1e-12)} ms; closest to deadline: ${over.toFixed(0)} ms past`
  + ` (slack ${SLACK_MS}); event loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms, max ${(loop.max / 1e6).toFixed(0)} ms`);
out.push(`event-loop stalls > ${STALL_MS} ms: ${stalls.length}, longest ${stalls.reduce((m, [a, b]) => Math.max(m, b - a), 0).toFixed(0)} ms, `
  + `${stalls.reduce((m, [a, b]) => m + b - a, 0).toFixed(0)} ms in all; accepted because of one: ${excused.timeout.length} attempt timeouts on an answered attempt, `
  + `${excused.late.length} late settles, ${excused.hint.length} early retries after a 429 the client never read`);
for (const [what, list] of Object.entries(excused)) {
  for (const op of list.slice(0, Math.min(2, args.examples))) out.push(`  excused (${what}): ${describeOp(op).replace(/\n/g, '\n  ')}`);
}
out.push(`wasm memory: ${memSamples.map((m) => `${m.ops}:${m.wasm / 65536}p`).join(' ')} end:${end.wasm / 65536}p (pages of 64 KiB)`);
out.push(`wasm memory grew: ${growthEvents.map((g) => `at ${g.completed} ops to ${g.bytes / 65536}p (op ${g.op} ${g.kind} ${g.outcome})`).join('; ') || 'never'}`);
out.push(`JS heap after gc: ${warm ? (warm.heap / 1048576).toFixed(1) : '-'} MiB after warm-up, ${(end.heap / 1048576).toFixed(1)} MiB at the end `
  + `(includes the server's ${server.records.length} request records)`);
out.push(`time: ${runSeconds.toFixed(1)} s for the ops, ${((performance.now() - t0) / 1000).toFixed(1)} s in all`);
out.push('');
for (const r of results) {
  out.push(`${r.pass ? 'PASS' : 'FAIL'}  ${r.name}: ${r.detail}`);
  if (!r.pass) {
    for (const ex of r.examples.slice(0, args.examples)) {
      out.push(`      ${ex.why ? `[${ex.why}] ` : ''}${describeOp(ex).replace(/\n/g, '\n      ')}`);
    }
    if (r.examples.length > args.examples) out.push(`      … ${r.examples.length - args.examples} more`);
  }
}
const passed = results.filter((r) => r.pass).length;
const failed = results.length - passed;
out.push('');
out.push(`${passed} passed, ${failed} failed`);
process.stdout.write(`${out.join('\n')}\n`);

client.close();
await server.close();
process.exitCode = failed ? 1 : 0;
// Everything started here is closed; if some handle still keeps the process alive, say so.
setTimeout(() => {
  process.stderr.write(`chaos: still alive 5 s after the end: ${process.getActiveResourcesInfo().join(', ')}\n`);
  process.exit(failed ? 1 : 3);
}, 5000).unref();
