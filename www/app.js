// The vclient demo page: connect, browse companies → users → characters, create and edit
// campaigns with idempotency keys, inject faults, and watch every attempt in the timeline.
// Plain ES modules, no framework: the package's browser entry is imported as is.
import { $, h, fill, shortId } from './dom.js';
import { createTimeline } from './timeline.js';
import { createFaultPanel } from './faults.js';

const banner = $('#banner');
let pkg;
try {
  pkg = await import('/vclient/web.js');
} catch (e) {
  banner.hidden = false;
  banner.textContent = `Cannot load the package from /vclient/web.js (${e.message}). Build it with: bash scripts/package.sh`;
  throw e;
}
const { VClient } = pkg;

// ---- state ---------------------------------------------------------------------------
let client = null;
let company = null; // { id, name }
let user = null; // { id, name }
let editing = null; // the campaign being edited, or null
let last = null; // { action: 'create' | 'update', id, key }: what "Retry same key" repeats

// The page holds no API key: it talks to the demo server's proxy (/vnoir), which adds it.
const timeline = createTimeline($('#timeline'));
// The double's fault queue, through the demo server (same origin).
const faults = createFaultPanel($('#faults'), { controlUrl: () => (client ? location.origin : '') });
$('#timeline-clear').addEventListener('click', () => timeline.clear());

// The fault queue drains as requests arrive: refresh its display after the client's events.
let refreshTimer = null;
function logger(level, message, fields) {
  timeline.logger(level, message, fields);
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => { if (client && !$('#faults').hidden) faults.refresh(); }, 150);
}

const oboId = () => $('#obo').value.trim() || undefined;
const pageSize = () => Number($('#page-size').value);

function errorText(e) {
  return `${e?.name ?? 'Error'}: ${e?.message ?? e}`;
}

function setStatus(el, state, text) {
  el.dataset.state = state;
  el.className = `status ${state}`;
  el.textContent = text;
}

// ---- a paginated list pane ------------------------------------------------------------
/**
 * createPager(el, { title, hint, load({limit, offset}), render(item) -> {label, sub},
 * onSelect(item), actions(item) -> [Node] }) -> { show(offset), reload(), reset(hint) }
 */
function createPager(el, { title, hint, load, render, onSelect, actions }) {
  let offset = 0;
  let token = 0;
  let selectedId = null;
  const count = h('span.pager-count.muted');
  const items = h('ul.items');
  const msg = h('p.pane-msg.muted', {}, hint);
  const prev = h('button.pager-prev.small', { type: 'button', disabled: true, onclick: () => show(Math.max(0, offset - pageSize())) }, '‹ Prev');
  const next = h('button.pager-next.small', { type: 'button', disabled: true }, 'Next ›');
  const info = h('span.pager-info.muted');
  let nextOffset = null;
  next.addEventListener('click', () => { if (nextOffset !== null) show(nextOffset); });
  fill(el, h('header.pane-head', {}, h('h3', {}, title), count), msg, items, h('footer.pager', {}, prev, info, next));
  el.dataset.state = 'idle';

  async function show(at = 0) {
    const my = ++token;
    const limit = pageSize();
    el.dataset.state = 'loading';
    msg.textContent = 'loading…';
    msg.hidden = false;
    prev.disabled = true;
    next.disabled = true;
    try {
      const page = await load({ limit, offset: at });
      if (my !== token) return;
      offset = page.offset;
      nextOffset = page.hasMore ? page.nextOffset : null;
      Object.assign(el.dataset, { state: 'ok', offset: String(page.offset), limit: String(page.limit), total: String(page.total), count: String(page.items.length) });
      fill(items, page.items.map((item) => {
        const { label, sub } = render(item);
        return h('li', { class: item.id === selectedId ? 'selected' : '' },
          h('button.item', {
            type: 'button', dataset: { id: item.id }, title: item.id,
            onclick: onSelect ? () => { selectedId = item.id; mark(); onSelect(item); } : undefined,
            disabled: !onSelect,
          }, h('span.item-label', {}, label), sub && h('small', {}, sub)),
          actions && actions(item));
      }));
      msg.hidden = page.items.length > 0;
      msg.textContent = page.items.length ? '' : 'nothing here';
      count.textContent = `${page.total}`;
      info.textContent = page.total === 0 ? '0 of 0' : `${page.offset + 1}–${page.offset + page.items.length} of ${page.total}`;
      prev.disabled = page.offset === 0;
      next.disabled = nextOffset === null;
    } catch (e) {
      if (my !== token) return;
      timeline.settle(e);
      el.dataset.state = 'error';
      fill(items);
      msg.hidden = false;
      msg.textContent = errorText(e);
      msg.className = 'pane-msg error';
      prev.disabled = offset === 0;
      return;
    }
    msg.className = 'pane-msg muted';
  }

  function mark() {
    for (const li of items.children) li.classList.toggle('selected', li.querySelector('.item')?.dataset.id === selectedId);
  }

  function reset(text) {
    token++;
    offset = 0;
    selectedId = null;
    fill(items);
    msg.hidden = false;
    msg.className = 'pane-msg muted';
    msg.textContent = text;
    count.textContent = '';
    info.textContent = '';
    prev.disabled = true;
    next.disabled = true;
    el.dataset.state = 'idle';
    for (const k of ['offset', 'limit', 'total', 'count']) delete el.dataset[k];
  }

  return { show, reload: () => show(offset), reset, select(id) { selectedId = id; mark(); } };
}

// ---- browse: companies → users → characters ------------------------------------------
const companies = createPager($('#companies-pane'), {
  title: 'Companies',
  hint: 'connect first',
  load: (page) => client.companies.getPage(page),
  render: (c) => ({ label: c.name, sub: c.email }),
  onSelect: (c) => selectCompany(c.id, c.name),
});
const users = createPager($('#users-pane'), {
  title: 'Users',
  hint: 'pick a company',
  load: (page) => client.users(oboId(), { companyId: company.id }).getPage(page),
  render: (u) => ({ label: `${u.name_first} ${u.name_last}`, sub: `@${u.username} · ${u.role}` }),
  onSelect: (u) => selectUser(u.id, `${u.name_first} ${u.name_last}`),
});
const characters = createPager($('#characters-pane'), {
  title: 'Characters',
  hint: 'pick a user',
  // Characters the user plays (the list's `user_player_id` filter).
  load: (page) => client.characters(oboId(), { companyId: company.id }).getPage({ ...page, user_player_id: user.id }),
  render: (c) => ({ label: c.name_full, sub: `${c.character_class} · ${c.status}` }),
});

function selectCompany(id, name) {
  company = { id, name: name ?? shortId(id) };
  user = null;
  companies.select(id);
  users.show(0);
  characters.reset('pick a user');
  $('#campaigns-company').textContent = `of ${company.name}`;
  campaigns.show(0);
  startNew();
}

function selectUser(id, name) {
  user = { id, name };
  characters.show(0);
}

$('#page-size').addEventListener('change', () => {
  if (!client) return;
  companies.show(0);
  if (company) { users.show(0); campaigns.show(0); }
  if (user) characters.show(0);
});

// ---- campaigns: list, create, edit ---------------------------------------------------
const campaignsSvc = () => client.campaigns(oboId(), { companyId: company.id });
const campaigns = createPager($('#campaigns-pane'), {
  title: 'Campaigns',
  hint: 'pick a company',
  load: (page) => campaignsSvc().getPage(page),
  render: (c) => ({ label: c.name, sub: `danger ${c.danger} · desperation ${c.desperation}` }),
  actions: (c) => h('button.edit.small', { type: 'button', dataset: { id: c.id }, onclick: () => startEdit(c) }, 'Edit'),
});

const form = $('#campaign-form');
const statusEl = $('#campaign-status');

function formBody(forUpdate) {
  const body = { name: $('#c-name').value.trim() };
  const description = $('#c-description').value.trim();
  if (description) body.description = description;
  for (const f of ['danger', 'desperation']) {
    const raw = $(`#c-${f}`).value;
    if (raw !== '') body[f] = Number(raw);
  }
  if (forUpdate && !body.name) delete body.name;
  return body;
}

function showKey(key, note) {
  $('#idem-key').textContent = key ?? 'none yet';
  $('#idem-key').title = key ?? '';
  $('#idem-note').textContent = note;
}

function startNew() {
  editing = null;
  last = null;
  form.reset();
  $('#form-title').textContent = 'New campaign';
  $('#create-btn').hidden = false;
  $('#save-btn').hidden = true;
  $('#retry-btn').disabled = true;
  showKey(null, '');
  setStatus(statusEl, 'idle', '');
}

function startEdit(c) {
  editing = c;
  last = null;
  $('#form-title').textContent = `Edit “${c.name}”`;
  $('#c-name').value = c.name;
  $('#c-description').value = c.description ?? '';
  $('#c-danger').value = c.danger;
  $('#c-desperation').value = c.desperation;
  $('#create-btn').hidden = true;
  $('#save-btn').hidden = false;
  $('#retry-btn').disabled = true;
  showKey(null, '');
  setStatus(statusEl, 'idle', '');
}

/**
 * Sends a create, or an update of campaign `id`, under `key`; `reused` says whether the key
 * was used before (by "Retry same key").
 */
async function send(action, id, key, reused) {
  if (!client || !company) {
    setStatus(statusEl, 'error', 'connect and pick a company first');
    return;
  }
  const body = formBody(action === 'update');
  const sent = { action, id, key };
  last = sent;
  showKey(key, reused ? '(reused: the same key as the last send)' : '(new for this send; reused by every retry)');
  $('#retry-btn').disabled = false;
  setStatus(statusEl, 'pending', action === 'create' ? 'creating…' : 'saving…');
  try {
    const svc = campaignsSvc();
    const result = action === 'create'
      ? await svc.create(body, { idempotencyKey: key })
      : await svc.update(id, body, { idempotencyKey: key });
    const attempts = timeline.callForKey(key)?.attempts ?? 1;
    const tries = attempts > 1 ? `${attempts} attempts, one key` : '1 attempt';
    setStatus(statusEl, 'ok', `✓ ${action === 'create' ? 'Created' : 'Saved'} “${result.name}” (id ${shortId(result.id)}) · ${tries}`);
    statusEl.dataset.id = result.id;
    if (action === 'create') sent.id = result.id;
    else editing = result;
    await (action === 'create' ? campaigns.show(0) : campaigns.reload());
    campaigns.select(result.id);
  } catch (e) {
    timeline.settle(e);
    setStatus(statusEl, 'error', `✗ ${errorText(e)}`);
  }
}

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (editing) send('update', editing.id, crypto.randomUUID(), false);
  else send('create', null, crypto.randomUUID(), false);
});
$('#save-btn').addEventListener('click', () => { if (editing && form.reportValidity()) send('update', editing.id, crypto.randomUUID(), false); });
// The last send again, under its key. After a create, that is still a create (`last.id` is
// only for display): the server replays the stored answer instead of creating a second one.
$('#retry-btn').addEventListener('click', () => {
  if (last) send(last.action, last.action === 'update' ? last.id : null, last.key, true);
});
$('#new-btn').addEventListener('click', startNew);

// ---- connect -------------------------------------------------------------------------
async function connect(ev) {
  ev?.preventDefault();
  const connStatus = $('#connect-status');
  const pill = $('#conn-state');
  if (client) {
    await client.close().catch(() => {});
    client = null;
  }
  const num = (sel) => Number($(sel).value);
  try {
    // No apiKey: in a page that means key-less, and "/vnoir" resolves against the page.
    client = new VClient({
      baseUrl: $('#base-url').value.trim(),
      defaultCompanyId: $('#company-id').value.trim() || undefined,
      timeout: num('#opt-timeout'),
      maxRetries: num('#opt-retries'),
      retryDelay: num('#opt-delay'),
      maxRetryDelay: 10,
      autoIdempotencyKeys: true,
      logger,
      logLevel: 'debug',
    });
  } catch (e) {
    setStatus(connStatus, 'error', errorText(e));
    return;
  }
  setStatus(connStatus, 'pending', 'connecting…');
  try {
    const health = await client.system.health();
    setStatus(connStatus, 'ok', `✓ API ${health.version}, database ${health.database_status}`);
    pill.textContent = `connected · ${client.baseUrl}`;
    pill.className = 'pill on';
    pill.dataset.state = 'on';
  } catch (e) {
    timeline.settle(e);
    setStatus(connStatus, 'error', errorText(e));
    pill.textContent = 'not connected';
    pill.className = 'pill off';
    pill.dataset.state = 'off';
    return;
  }
  if (!$('#faults').hidden) faults.refresh();
  await companies.show(0);
  const id = client.defaultCompanyId;
  if (id) selectCompany(id, $(`#companies-pane .item[data-id="${id}"] .item-label`)?.textContent);
}
$('#connect-form').addEventListener('submit', connect);

// Prefill from the demo server's /config.json (absent when the page is served elsewhere).
try {
  const r = await fetch('/config.json', { cache: 'no-store' });
  if (r.ok) {
    const cfg = await r.json();
    $('#base-url').value = cfg.baseUrl ?? '';
    $('#company-id').value = cfg.companyId ?? '';
    $('#obo').value = cfg.user ?? '';
    // Against a real server (serve.mjs --api) there is no fault queue.
    $('#faults').hidden = cfg.faults === false;
  }
} catch {
  // no config: fill the form by hand
}
document.body.dataset.ready = 'true';
