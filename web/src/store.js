// Every subject (check, service, heartbeat) as the API says it, kept current by the event stream.
import { getJSON } from './api.js';
import { category, when } from './dom.js';

// subject: {key, kind, name, status (the API's word), cat, groups, detail, uptime (90 days or
// null), spark (numbers or null), sparkFrom ('history'|'recent'), ver}
export const store = {
  subjects: new Map(),
  sorted: [], // every subject, by name then kind
  groups: new Set(),
  version: 0, // bumps on every change; views re-read what they show
  membership: 0, // bumps when subjects come or go
  history: null, // true once /api/v1/overview answered, false on its 404
  loaded: false,
  error: null,
  days: 90,
};

const listeners = new Set();
export function subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn); }

let scheduled = false;
function changed() {
  store.version++;
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    for (const fn of listeners) fn();
  });
}

const KIND_ORDER = { check: 0, service: 1, heartbeat: 2 };
let membershipDirty = false;

function upsert(kind, name) {
  const key = `${kind}/${name}`;
  let s = store.subjects.get(key);
  if (!s) {
    s = { key, kind, name, status: 'unknown', cat: 'unknown', groups: [], detail: '', uptime: null, spark: null, sparkFrom: null, ver: 0, gen: 0 };
    store.subjects.set(key, s);
    membershipDirty = true;
  }
  s.gen = generation;
  return s;
}

function setStatus(s, word, cat) {
  s.status = word;
  s.cat = cat || category(s.kind, word);
}

function resort() {
  if (!membershipDirty) return;
  membershipDirty = false;
  const all = Array.from(store.subjects.values());
  all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : KIND_ORDER[a.kind] - KIND_ORDER[b.kind]));
  store.sorted = all;
  store.groups = new Set();
  for (const s of all) for (const g of s.groups) store.groups.add(g);
  store.membership++;
}

function checkDetail(c) {
  if (c.status === 'ok' || c.status === 'unknown') {
    return c.latency_ms != null ? `${c.latency_ms} ms` : c.message || '';
  }
  return c.error || c.message || '';
}

export function applyCheck(c) {
  const s = upsert('check', c.name);
  setStatus(s, c.status);
  s.groups = c.groups || [];
  s.detail = checkDetail(c);
  if (c.drill) s.detail = `drill ${c.drill}: ${s.detail}`;
  if (Array.isArray(c.recent) && c.recent.length && s.sparkFrom !== 'history') {
    s.spark = c.recent.map((r) => r.latency_ms);
    s.sparkFrom = 'recent';
  }
  s.ver++;
  return s;
}

export function applyService(v) {
  const s = upsert('service', v.name);
  let cat;
  if (v.state === 'exited' && v.last_exit && v.last_exit.code === 0) cat = 'ok';
  setStatus(s, v.state, cat);
  s.detail = v.reason || (v.pid ? `pid ${v.pid}` : '');
  s.ver++;
  return s;
}

export function applyHeartbeat(b) {
  const s = upsert('heartbeat', b.name);
  // Its health (a non-critical `down` only degrades) and its state word.
  const cat = b.state === 'paused' ? 'off' : b.state === 'new' ? 'unknown' : category('check', b.status);
  setStatus(s, b.state, cat);
  s.groups = b.groups || s.groups;
  s.detail = b.error || b.reason || (b.next_expected ? `next ping expected ${when(b.next_expected)}` : '');
  s.ver++;
  return s;
}

function applyOverview(o) {
  store.history = true;
  if (o.days) store.days = o.days;
  for (const x of o.subjects || []) {
    const s = upsert(x.kind, x.name);
    setStatus(s, x.status);
    if (Array.isArray(x.groups)) s.groups = x.groups;
    if (Array.isArray(x.daily_uptime)) s.uptime = x.daily_uptime;
    // Hourly medians once there are two of them (a line); until then the sparkline shows the
    // probes' recent latencies.
    if (Array.isArray(x.latency_ms) && x.latency_ms.filter((v) => v != null).length >= 2) {
      s.spark = x.latency_ms;
      s.sparkFrom = 'history';
    }
    s.ver++;
  }
}

// Resolves once what was rendered has been painted (two animation frames; a hidden tab, which
// runs none, gets a timeout).
function afterPaint() {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 200);
    requestAnimationFrame(() => requestAnimationFrame(() => {
      clearTimeout(timer);
      resolve();
    }));
  });
}

let loading = null;
let generation = 0;

// Reads everything: the overview (history: uptime bars and sparklines; 404 on a hale without
// it) and the three lists (reasons, details), each shown as soon as it arrives.
export function loadAll() {
  if (loading) return loading;
  const gen = ++generation;
  const pending = [];
  const take = (promise, apply) => promise.then((j) => {
    if (gen !== generation) return;
    if (j) apply(j);
    resort();
    changed();
  });
  // The overview first, alone: at 10,000 checks it is what the first frame needs, and the full
  // list of checks (megabytes, and time on the daemon's one loop) would only delay it. The
  // checks' details come after it has been shown (at once when there is no overview).
  let sawOverview = false;
  const checks = take(getJSON('/api/v1/overview', { allow404: true }), (j) => {
    sawOverview = true;
    applyOverview(j);
  }).catch(() => {}).then(() => {
    if (!sawOverview) store.history = false;
    return afterPaint();
  }).then(() => take(getJSON('/api/v1/checks'), (j) => j.checks.forEach(applyCheck)));
  pending.push(checks);
  pending.push(take(getJSON('/api/v1/services'), (j) => j.services.forEach(applyService)));
  pending.push(take(getJSON('/api/v1/heartbeats'), (j) => j.heartbeats.forEach(applyHeartbeat)));
  loading = Promise.allSettled(pending).then((results) => {
    loading = null;
    const failed = results.find((r) => r.status === 'rejected');
    store.error = failed ? String((failed.reason && failed.reason.message) || failed.reason) : null;
    if (!failed) {
      // Gone since the last read (a reload removed them).
      for (const [key, s] of store.subjects) {
        if (s.gen !== gen) {
          store.subjects.delete(key);
          membershipDirty = true;
        }
      }
      resort();
    }
    store.loaded = true;
    changed();
  });
  return loading;
}

// Event stream (SPEC §7): transitions as they happen; `reset` means read everything again.
const handlers = new Set();
export function onEvent(fn) { handlers.add(fn); return () => handlers.delete(fn); }

function emit(type, data) { for (const fn of handlers) fn(type, data); }

const refetchQueue = new Map();
let refetchTimer = null;
// A service's or heartbeat's event says its new state; its details (reason, pid, health) are
// read again, a few at a time, at most once a second.
function refetch(kind, name) {
  refetchQueue.set(`${kind}/${name}`, [kind, name]);
  if (refetchTimer) return;
  refetchTimer = setTimeout(async () => {
    refetchTimer = null;
    const items = Array.from(refetchQueue.values()).slice(0, 20);
    for (const [k, n] of items) refetchQueue.delete(`${k}/${n}`);
    await Promise.all(items.map(async ([k, n]) => {
      try {
        const j = await getJSON(`/api/v1/${k}s/${encodeURIComponent(n)}`);
        if (k === 'service') applyService(j);
        else if (k === 'heartbeat') applyHeartbeat(j);
        else applyCheck(j);
        resort();
        changed();
      } catch (_) { /* gone with a reload: the next reset says so */ }
    }));
    if (refetchQueue.size) refetch(...refetchQueue.values().next().value);
  }, 1000);
}

export function applyTransition(type, e) {
  const s = store.subjects.get(`${type}/${e.name}`);
  if (!s) {
    // New since the last read (a reload adds subjects after a reset, but be safe).
    refetch(type, e.name);
    return null;
  }
  setStatus(s, e.to);
  if (type === 'check') {
    s.detail = e.to === 'ok' ? '' : e.reason || '';
    if (e.drill) s.detail = `drill ${e.drill}: ${s.detail}`;
  } else {
    s.detail = e.reason || s.detail;
    refetch(type, e.name);
  }
  s.ver++;
  changed();
  return s;
}

export const connection = { state: 'connecting', since: null };

export function connect() {
  const es = new EventSource('/api/v1/events');
  const setState = (state) => {
    connection.state = state;
    emit('connection', connection);
  };
  es.addEventListener('open', () => setState('live'));
  es.addEventListener('error', () => setState(es.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting'));
  for (const type of ['check', 'service', 'heartbeat']) {
    es.addEventListener(type, (m) => {
      let e;
      try { e = JSON.parse(m.data); } catch (_) { return; }
      const run = () => {
        const s = applyTransition(type, e);
        emit(type, { event: e, subject: s });
      };
      if (loading) loading.then(run);
      else run();
    });
  }
  for (const type of ['alert', 'drill']) {
    es.addEventListener(type, (m) => {
      let e;
      try { e = JSON.parse(m.data); } catch (_) { return; }
      emit(type, { event: e });
    });
  }
  es.addEventListener('reset', () => {
    loadAll();
    emit('reset', {});
  });
  return es;
}
