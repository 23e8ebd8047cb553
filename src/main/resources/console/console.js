// The operator console: a client of the admin API and Actuator on this port, nothing else.
//
// Every string that comes from the gateway (route ids, targets, client addresses, Pomelo route names,
// problem details) reaches the page through textContent or an attribute, never as markup. The
// Content-Security-Policy of this port also requires Trusted Types, so an innerHTML assignment would
// throw instead of rendering.

import { parse, Scrape, History, increase, key, quantile } from './prometheus.js';
import { LineChart } from './chart.js';

const INTERVAL_MS = 2000;
const WINDOW_MS = 5 * 60 * 1000;
const PAGE_SIZE = 10;
const POMELO_ROUTES_SHOWN = 50;

const $ = (id) => document.getElementById(id);

const state = {
  authorization: null,
  user: null,
  role: null,
  timer: null,
  generation: 0,
  routes: [],
  selectedRoute: null,
  sessions: [],
  sessionsPage: 0,
  pendingDelete: null,
  preview: null,
  history: new History(WINDOW_MS),
};

const connectionsChart = new LineChart($('chart-connections'), '', WINDOW_MS, true);
const latencyChart = new LineChart($('chart-latency'), ' ms', WINDOW_MS, false);

// ---- talking to the gateway ----

/** A refused or failed call, with the RFC 9457 problem body when the gateway sent one. */
class ApiError extends Error {
  constructor(status, problem, fallback) {
    super(describe(status, problem, fallback));
    this.status = status;
    this.problem = problem;
  }
}

function describe(status, problem, fallback) {
  if (problem && (problem.title || problem.detail)) {
    return `${status} ${problem.title || ''}${problem.detail ? ': ' + problem.detail : ''}`;
  }
  if (status === 401) return '401 Unauthorized: name or password not accepted';
  if (status === 403) return '403 Forbidden: your role may not do this (writes need admin)';
  return `${status} ${fallback || 'request failed'}`;
}

function basic(name, password) {
  const bytes = new TextEncoder().encode(`${name}:${password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return 'Basic ' + btoa(binary);
}

/**
 * One call with the signed-in user's credentials. They go in an explicit header and the browser is
 * told to add none of its own (credentials: 'omit'), so no cookie or cached password is ever involved.
 * X-Requested-With makes a 401 come without a Basic challenge, so the browser shows no password prompt.
 */
async function call(method, path, { json, body, authorization, ifMatch, accept } = {}) {
  const headers = {
    Authorization: authorization || state.authorization,
    'X-Requested-With': 'XMLHttpRequest',
    Accept: accept || 'application/json, application/problem+json;q=0.9',
  };
  if (ifMatch !== undefined) headers['If-Match'] = `"${ifMatch}"`;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body, credentials: 'omit', cache: 'no-store', redirect: 'error' });
  } catch (error) {
    throw new ApiError(0, null, `gateway not reachable (${error.message})`);
  }
  const type = response.headers.get('Content-Type') || '';
  const text = await response.text();
  let parsed = null;
  if (type.includes('json') && text) {
    try { parsed = JSON.parse(text); } catch (error) { parsed = null; }
  }
  if (!response.ok) throw new ApiError(response.status, parsed, response.statusText);
  return { status: response.status, etag: response.headers.get('ETag'), json: parsed, text };
}

// ---- rendering helpers: text only ----

function cell(row, text, className) {
  const td = document.createElement('td');
  if (className) td.className = className;
  if (text instanceof Node) td.append(text);
  else td.textContent = text === null || text === undefined ? '' : String(text);
  row.append(td);
  return td;
}

function button(label, onClick, className) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (className) b.className = className;
  b.addEventListener('click', onClick);
  return b;
}

function lines(texts) {
  const span = document.createElement('span');
  span.className = 'lines';
  for (const t of texts) {
    const line = document.createElement('span');
    line.textContent = t;
    span.append(line);
  }
  return span;
}

/** Shows a message: kind 'ok' or 'problem', with the problem's field errors listed under it. */
function message(element, kind, text, errors) {
  element.className = `message ${kind}`;
  const head = document.createElement('span');
  head.textContent = text;
  const parts = [head];
  if (errors && errors.length) {
    const list = document.createElement('ul');
    for (const e of errors) {
      const li = document.createElement('li');
      li.textContent = `${e.field}: ${e.message}`;
      list.append(li);
    }
    parts.push(list);
  }
  element.replaceChildren(...parts);
  element.hidden = false;
}

function refused(element, error) {
  message(element, 'problem', error.message, error.problem && error.problem.errors);
}

function number(n) {
  return Number(n).toLocaleString('en-US');
}

function ms(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '–';
  const v = seconds * 1000;
  return v < 10 ? v.toFixed(2) : v.toFixed(1);
}

function clock(t) {
  return new Date(t).toLocaleTimeString([], { hour12: false });
}

function when(openedAt) {
  const t = typeof openedAt === 'number' ? openedAt * 1000 : Date.parse(openedAt);
  return Number.isNaN(t) ? String(openedAt) : new Date(t).toLocaleString([], { hour12: false });
}

function windowLabel() {
  const h = state.history;
  if (h.scrapes.length < 2) return '(since now)';
  if (h.span() >= WINDOW_MS - INTERVAL_MS) return '(last 5 min)';
  return `(since ${clock(h.oldest().time)})`;
}

// ---- signing in and out ----

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = $('login-name').value;
  const authorization = basic(name, $('login-password').value);
  $('login-submit').disabled = true;
  $('login-error').hidden = true;
  try {
    const routes = await call('GET', '../admin/routes', { authorization });
    state.authorization = authorization;
    state.user = name;
    state.routes = routes.json;
    state.role = await roleOf(authorization);
    $('login-password').value = '';
    start();
  } catch (error) {
    const text = error.status === 401 ? 'Name or password not accepted.'
      : error.status === 404 ? 'The admin API is off: no user is configured (pomelo.gateway.admin.users).'
        : error.message;
    $('login-error').textContent = text;
    $('login-error').hidden = false;
  } finally {
    $('login-submit').disabled = false;
  }
});

/**
 * Which role the user has, from an Actuator endpoint that only admins may read; the console shows it
 * so a viewer knows why a change is refused. The gateway decides every call on its own either way.
 */
async function roleOf(authorization) {
  try {
    await call('GET', '../actuator/info', { authorization });
    return 'admin';
  } catch (error) {
    return error.status === 403 ? 'viewer' : 'unknown';
  }
}

$('sign-out').addEventListener('click', () => signOut());

function signOut(reason) {
  clearTimeout(state.timer);
  state.generation++;
  Object.assign(state, { authorization: null, user: null, role: null, routes: [], selectedRoute: null, sessions: [], preview: null });
  state.history.clear();
  connectionsChart.clear();
  latencyChart.clear();
  $('app').hidden = true;
  $('status').hidden = true;
  $('sessions').hidden = true;
  $('login').hidden = false;
  $('login-error').hidden = !reason;
  $('login-error').textContent = reason || '';
}

function start() {
  $('login').hidden = true;
  $('app').hidden = false;
  $('status').hidden = false;
  $('who').textContent = `${state.user} · ${state.role}${state.role === 'viewer' ? ' (read-only: changes are refused)' : ''}`;
  document.body.dataset.role = state.role;
  renderRoutes();
  tick(state.generation);
}

// ---- polling ----

async function tick(generation) {
  if (generation !== state.generation) return;
  const started = Date.now();
  const [routes, metrics, backends] = await Promise.allSettled([
    call('GET', '../admin/routes'),
    // The classic text format, which prometheus.js reads, rather than OpenMetrics.
    call('GET', '../actuator/prometheus', { accept: 'text/plain;version=0.0.4' }),
    call('GET', '../actuator/health/backends').catch((error) => {
      // DOWN is a 503 that still carries the details.
      if (error.status === 503) return { json: error.problem };
      throw error;
    }),
  ]);
  if (generation !== state.generation) return;
  if (routes.status === 'rejected' && routes.reason.status === 401) {
    signOut('The gateway no longer accepts your credentials; sign in again.');
    return;
  }
  const problems = [];
  if (routes.status === 'fulfilled') {
    state.routes = routes.value.json || [];
  } else {
    problems.push(`routes: ${routes.reason.message}`);
  }
  state.backends = backends.status === 'fulfilled' && backends.value.json ? backends.value.json.details || {} : null;
  if (metrics.status === 'fulfilled') {
    state.history.add(new Scrape(started, parse(metrics.value.text)));
  } else {
    problems.push(`metrics: ${metrics.reason.message}`);
  }
  if (state.selectedRoute) await loadSessions();
  if (generation !== state.generation) return;
  render(started);
  $('refresh').textContent = `updates every ${INTERVAL_MS / 1000} s · last ${clock(started)}`
    + (problems.length ? ` · failed: ${problems.join('; ')}` : '');
  $('refresh').classList.toggle('problem', problems.length > 0);
  state.timer = setTimeout(() => tick(generation), Math.max(0, INTERVAL_MS - (Date.now() - started)));
}

function render(now) {
  renderRoutes();
  renderCharts(now);
  renderFailures();
  renderPomeloRoutes();
  renderCounters();
  renderSessions();
  for (const label of document.querySelectorAll('.window-label')) label.textContent = windowLabel();
}

// ---- routes ----

function failuresByRoute() {
  const h = state.history;
  const result = new Map();
  if (!h.latest()) return result;
  const byReason = increase(h.scrapes.length > 1 ? h.oldest() : null, h.latest(),
    'pomelo_gateway_handshake_failures_total', ['route', 'reason']);
  for (const entry of byReason.values()) {
    if (entry.increase <= 0) continue;
    let r = result.get(entry.labels.route);
    if (!r) result.set(entry.labels.route, r = { total: 0, reasons: [] });
    r.total += entry.increase;
    r.reasons.push(`${entry.labels.reason} ${number(entry.increase)}`);
  }
  return result;
}

function targetsOf(route) {
  if (route.targets) return route.targets;
  return [`${route.scheme || 'ws'}://${route.host}:{${(route.ports || []).join(',')}}`];
}

function backendsOf(route) {
  const detail = state.backends && state.backends[route.id];
  if (!detail) return { text: 'unknown', className: '' };
  const status = String(detail.status || 'UNKNOWN');
  const texts = [status];
  if (detail.targets) for (const [target, result] of Object.entries(detail.targets)) texts.push(`${target} ${result}`);
  else if (detail.reason) texts.push(detail.reason);
  return { text: lines(texts), className: `health-${status.toLowerCase()}` };
}

function renderRoutes() {
  const failures = failuresByRoute();
  const body = $('routes').tBodies[0];
  const rows = [];
  for (const route of [...state.routes].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const row = document.createElement('tr');
    row.dataset.route = route.id;
    if (route.id === state.selectedRoute) row.className = 'selected';
    cell(row, route.id, 'route-id');
    cell(row, route.prefix);
    cell(row, route.source === 'dynamic' ? `dynamic v${route.version}` : route.source, `source-${route.source}`);
    cell(row, lines(targetsOf(route)));
    const health = backendsOf(route);
    cell(row, health.text, `backends ${health.className}`);
    cell(row, number(route.activeSessions), 'num live');
    const failed = failures.get(route.id);
    cell(row, failed ? lines([number(failed.total), ...failed.reasons]) : '0', `num failures${failed ? ' problem' : ''}`);
    const actions = cell(row, '', 'actions');
    actions.append(button('Sessions', () => selectRoute(route.id), 'show-sessions'));
    if (route.source === 'dynamic') {
      const confirming = state.pendingDelete === route.id;
      actions.append(button(confirming ? 'Confirm delete' : 'Delete', () => deleteRoute(route, confirming), 'delete-route danger'));
    }
    rows.push(row);
  }
  body.replaceChildren(...rows);
}

async function deleteRoute(route, confirmed) {
  if (!confirmed) {
    state.pendingDelete = route.id;
    renderRoutes();
    return;
  }
  state.pendingDelete = null;
  try {
    // The version the table showed: if someone changed the route since, the gateway answers 412.
    await call('DELETE', `../admin/routes/${encodeURIComponent(route.id)}`, { ifMatch: route.version });
    message($('routes-message'), 'ok', `Route ${route.id} deleted.`);
    state.routes = state.routes.filter((r) => r.id !== route.id);
  } catch (error) {
    refused($('routes-message'), error);
  }
  renderRoutes();
}

// ---- charts ----

function renderCharts(now) {
  const h = state.history;
  const latest = h.latest();
  if (!latest) return;
  for (const s of latest.series('pomelo_gateway_connections_active')) {
    connectionsChart.add(s.labels.route, latest.time, s.value);
  }
  const previous = h.previous();
  if (previous) {
    const counts = increase(previous, latest, 'pomelo_gateway_pomelo_request_duration_seconds_count', ['route']);
    const sums = increase(previous, latest, 'pomelo_gateway_pomelo_request_duration_seconds_sum', ['route']);
    for (const [k, c] of counts) {
      const s = sums.get(k);
      latencyChart.add(c.labels.route, latest.time, c.increase > 0 && s ? (s.increase / c.increase) * 1000 : null);
    }
  }
  connectionsChart.prune(now);
  latencyChart.prune(now);
  connectionsChart.draw(now);
  latencyChart.draw(now);
}

// ---- handshake failures, Pomelo routes, other counters ----

function emptyRow(body, columns, text) {
  const row = document.createElement('tr');
  const td = cell(row, text, 'muted');
  td.colSpan = columns;
  body.replaceChildren(row);
}

function renderFailures() {
  const h = state.history;
  const body = $('failures').tBodies[0];
  if (!h.latest()) return;
  const entries = [...increase(h.scrapes.length > 1 ? h.oldest() : null, h.latest(),
    'pomelo_gateway_handshake_failures_total', ['route', 'reason']).values()]
    .filter((e) => e.total > 0)
    .sort((a, b) => b.increase - a.increase || (a.labels.route + a.labels.reason < b.labels.route + b.labels.reason ? -1 : 1));
  if (!entries.length) { emptyRow(body, 4, 'no handshake has failed since the gateway started'); return; }
  body.replaceChildren(...entries.map((e) => {
    const row = document.createElement('tr');
    cell(row, e.labels.route);
    cell(row, e.labels.reason, 'reason');
    cell(row, number(e.increase), `num${e.increase > 0 ? ' problem' : ''}`);
    cell(row, number(e.total), 'num');
    return row;
  }));
}

function renderPomeloRoutes() {
  const h = state.history;
  const body = $('pomelo-routes').tBodies[0];
  const latest = h.latest();
  if (!latest) return;
  const from = h.scrapes.length > 1 ? h.oldest() : null;
  const base = 'pomelo_gateway_pomelo_request_duration_seconds';
  const by = ['route', 'pomelo_route'];
  const counts = increase(from, latest, `${base}_count`, by);
  const sums = increase(from, latest, `${base}_sum`, by);
  const buckets = increase(from, latest, `${base}_bucket`, [...by, 'le']);
  const bucketsOf = new Map();
  for (const b of buckets.values()) {
    const k = key(b.labels, by);
    if (!bucketsOf.has(k)) bucketsOf.set(k, new Map());
    bucketsOf.get(k).set(b.labels.le, from ? b.increase : b.total);
  }
  const rows = [...counts.entries()]
    .map(([k, c]) => {
      const n = from ? c.increase : c.total;
      const sum = sums.get(k);
      return { labels: c.labels, n, total: c.total, mean: n > 0 && sum ? (from ? sum.increase : sum.total) / n : null,
        p99: quantile(0.99, bucketsOf.get(k) || new Map()) };
    })
    .filter((r) => r.total > 0)
    .sort((a, b) => b.n - a.n || b.total - a.total || (a.labels.pomelo_route < b.labels.pomelo_route ? -1 : 1))
    .slice(0, POMELO_ROUTES_SHOWN);
  if (!rows.length) { emptyRow(body, 5, 'no Pomelo request answered yet'); return; }
  body.replaceChildren(...rows.map((r) => {
    const row = document.createElement('tr');
    cell(row, r.labels.route);
    cell(row, r.labels.pomelo_route, 'pomelo-route');
    cell(row, number(r.n), 'num');
    cell(row, ms(r.mean), 'num');
    cell(row, ms(r.p99), 'num');
    return row;
  }));
}

function renderCounters() {
  const h = state.history;
  const body = $('counters').tBodies[0];
  const latest = h.latest();
  if (!latest) return;
  const from = h.scrapes.length > 1 ? h.oldest() : null;
  const shown = new Set(['pomelo_gateway_handshake_failures_total', 'pomelo_gateway_pomelo_request_duration_seconds_count']);
  const names = latest.names().filter((n) => n.startsWith('pomelo_gateway_') && n.endsWith('_total') && !shown.has(n)).sort();
  if (!names.length) { emptyRow(body, 3, 'no gateway counters'); return; }
  body.replaceChildren(...names.map((name) => {
    const total = [...increase(from, latest, name, []).values()][0] || { increase: 0, total: 0 };
    const row = document.createElement('tr');
    cell(row, name);
    cell(row, number(total.increase), 'num');
    cell(row, number(total.total), 'num');
    return row;
  }));
}

// ---- sessions ----

async function selectRoute(id) {
  state.selectedRoute = id;
  state.sessionsPage = 0;
  $('sessions-message').hidden = true;
  $('sessions').hidden = false;
  await loadSessions();
  renderRoutes();
  renderSessions();
}

async function loadSessions() {
  const id = state.selectedRoute;
  try {
    const reply = await call('GET', `../admin/sessions?route=${encodeURIComponent(id)}`);
    if (id === state.selectedRoute) state.sessions = reply.json || [];
  } catch (error) {
    refused($('sessions-message'), error);
  }
}

function renderSessions() {
  if (!state.selectedRoute) return;
  $('sessions-route').textContent = state.selectedRoute;
  const pages = Math.max(1, Math.ceil(state.sessions.length / PAGE_SIZE));
  state.sessionsPage = Math.min(state.sessionsPage, pages - 1);
  const first = state.sessionsPage * PAGE_SIZE;
  const page = state.sessions.slice(first, first + PAGE_SIZE);
  const body = $('sessions-table').tBodies[0];
  if (!page.length) {
    emptyRow(body, 9, 'no live session on this route');
  } else {
    body.replaceChildren(...page.map((s) => {
      const row = document.createElement('tr');
      row.dataset.session = s.id;
      cell(row, s.id, 'session-id');
      cell(row, s.client);
      cell(row, s.backend);
      cell(row, when(s.openedAt));
      cell(row, number(s.framesUp), 'num');
      cell(row, number(s.bytesUp), 'num');
      cell(row, number(s.framesDown), 'num');
      cell(row, number(s.bytesDown), 'num');
      cell(row, button('Close', () => closeSession(s.id), 'close-session danger'), 'actions');
      return row;
    }));
  }
  $('sessions-page').textContent = state.sessions.length
    ? `${first + 1}–${first + page.length} of ${state.sessions.length} · page ${state.sessionsPage + 1} of ${pages}`
    : '0 sessions';
  $('sessions-prev').disabled = state.sessionsPage === 0;
  $('sessions-next').disabled = state.sessionsPage >= pages - 1;
}

$('sessions-prev').addEventListener('click', () => { state.sessionsPage--; renderSessions(); });
$('sessions-next').addEventListener('click', () => { state.sessionsPage++; renderSessions(); });
$('sessions-hide').addEventListener('click', () => {
  state.selectedRoute = null;
  $('sessions').hidden = true;
  renderRoutes();
});

async function closeSession(id) {
  try {
    await call('DELETE', `../admin/sessions/${encodeURIComponent(id)}`);
    message($('sessions-message'), 'ok', `Session ${id} closed with 4000 "closed by operator".`);
    await loadSessions();
    renderSessions();
  } catch (error) {
    refused($('sessions-message'), error);
  }
}

// ---- changing routes ----

$('create-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const route = {
    id: $('create-id').value.trim(),
    prefix: $('create-prefix').value.trim(),
    targets: $('create-targets').value.split(/[\s,]+/).filter((t) => t),
    onDelete: $('create-on-delete').value,
  };
  $('create-submit').disabled = true;
  try {
    const reply = await call('POST', '../admin/routes', { json: route });
    message($('create-message'), 'ok', `Route ${reply.json.id} created: ${reply.json.prefix} → ${targetsOf(reply.json).join(', ')} (version ${reply.json.version}).`);
    $('create-form').reset();
    state.routes = [...state.routes.filter((r) => r.id !== reply.json.id), reply.json];
    renderRoutes();
  } catch (error) {
    refused($('create-message'), error);
  } finally {
    $('create-submit').disabled = false;
  }
});

// ---- importing servers.json ----

$('import-file').addEventListener('change', async () => {
  const file = $('import-file').files[0];
  if (!file) return;
  $('import-text').value = await file.text();
  invalidatePreview();
});

$('import-text').addEventListener('input', invalidatePreview);
$('import-env').addEventListener('input', invalidatePreview);

/** Apply is offered only for the very text and environment whose preview is on screen. */
function invalidatePreview() {
  state.preview = null;
  $('import-apply').disabled = true;
}

async function runImport(dryRun) {
  const env = $('import-env').value.trim();
  const text = $('import-text').value;
  const path = `../admin/import/pomelo-servers?env=${encodeURIComponent(env)}&dryRun=${dryRun}`;
  $('import-preview').disabled = true;
  $('import-apply').disabled = true;
  try {
    const reply = await call('POST', path, { body: text });
    showDiff(reply.json);
    if (dryRun) {
      state.preview = { env, text };
      const changes = reply.json.added.length + reply.json.changed.length;
      message($('import-message'), 'ok', changes
        ? `Preview: ${reply.json.added.length} to add, ${reply.json.changed.length} to change, ${reply.json.unchanged.length} unchanged. Nothing is applied until you press Apply.`
        : 'Preview: every route is already as the file says; nothing to apply.');
    } else {
      state.preview = null;
      message($('import-message'), 'ok', `Applied: ${reply.json.added.length} added, ${reply.json.changed.length} changed, ${reply.json.unchanged.length} unchanged.`);
      const routes = await call('GET', '../admin/routes');
      state.routes = routes.json;
      renderRoutes();
    }
  } catch (error) {
    state.preview = null;
    $('import-result').hidden = true;
    refused($('import-message'), error);
  } finally {
    $('import-preview').disabled = false;
    $('import-apply').disabled = !(state.preview && state.preview.env === $('import-env').value.trim()
      && state.preview.text === $('import-text').value);
  }
}

function showDiff(result) {
  const rows = [];
  for (const [change, ids] of [['add', result.added], ['change', result.changed], ['unchanged', result.unchanged]]) {
    for (const id of ids) {
      const row = document.createElement('tr');
      row.className = `diff-${change}`;
      cell(row, change);
      cell(row, id, 'route-id');
      rows.push(row);
    }
  }
  const body = $('import-diff').tBodies[0];
  if (rows.length) body.replaceChildren(...rows);
  else emptyRow(body, 2, 'the file has no frontend server with a clientPort');
  $('import-result').hidden = false;
}

$('import-form').addEventListener('submit', (event) => {
  event.preventDefault();
  runImport(true);
});
$('import-apply').addEventListener('click', () => runImport(false));
