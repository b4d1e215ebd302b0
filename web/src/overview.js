// The overview: every check, service and heartbeat, filtered by status, kind, group and name. A
// virtual list: only the rows on screen exist (10,000 subjects are 10,000 objects, not 10,000
// rows of DOM), rows are reused as the list scrolls, and one row at a time is in the tab order
// (arrow keys, Page Up/Down, Home/End move between rows; Enter opens one).
import { h, clear, badge, num, CATEGORY_LABEL, CATEGORY_RANK } from './dom.js';
import { store, subscribe } from './store.js';
import { drawUptime, drawSpark, uptimeLabel, sparkLabel, UPTIME_W, UPTIME_H, SPARK_W, SPARK_H } from './charts.js';

export const ROW_H = 40;
const OVERSCAN = 6;

// Filters live in the URL (#/?status=fail&group=ready&q=api), so a filtered view can be linked.
const filters = { status: '', kind: '', group: '', q: '', sort: 'name' };

export function subjectHref(s) {
  return `#/${s.kind}/${encodeURIComponent(s.name)}`;
}

function matches(s, f, q) {
  if (f.status && s.cat !== f.status) return false;
  if (f.kind && s.kind !== f.kind) return false;
  if (f.group && !s.groups.includes(f.group)) return false;
  if (q && !s.name.toLowerCase().includes(q)) return false;
  return true;
}

export function mountOverview(main, params, hooks = {}) {
  for (const k of Object.keys(filters)) filters[k] = params.get(k) || (k === 'sort' ? 'name' : '');
  main.classList.add('overview-main');

  const statusSel = h('select', { id: 'f-status' },
    h('option', { value: '' }, 'All'),
    ['fail', 'degraded', 'unknown', 'off', 'ok'].map((c) => h('option', { value: c }, CATEGORY_LABEL[c])));
  const kindSel = h('select', { id: 'f-kind' },
    h('option', { value: '' }, 'All'),
    h('option', { value: 'check' }, 'Checks'),
    h('option', { value: 'service' }, 'Services'),
    h('option', { value: 'heartbeat' }, 'Heartbeats'));
  const groupSel = h('select', { id: 'f-group' }, h('option', { value: '' }, 'All'));
  const search = h('input', { id: 'f-name', type: 'search', placeholder: 'Filter by name', autocomplete: 'off', spellcheck: 'false' });
  const sortSel = h('select', { id: 'f-sort' },
    h('option', { value: 'name' }, 'Name'),
    h('option', { value: 'status' }, 'Worst first'));
  statusSel.value = filters.status;
  kindSel.value = filters.kind;
  search.value = filters.q;
  sortSel.value = filters.sort;

  const summary = h('p', { class: 'summary', id: 'summary', role: 'status', 'aria-live': 'off' });
  const head = h('div', { class: 'list-head', 'aria-hidden': 'true' },
    h('span', null, 'Status'), h('span', null, 'Name'), h('span', { class: 'c-kind' }, 'Kind'),
    h('span', { class: 'c-groups' }, 'Groups'), h('span', null, `Uptime, ${store.days} days`),
    h('span', { class: 'c-spark' }, 'Latency'), h('span', null, 'Detail'));
  const space = h('div', { class: 'vspace' });
  const list = h('div', { class: 'vlist', id: 'subjects', role: 'list', 'aria-label': 'Checks, services and heartbeats' }, space);
  const empty = h('p', { class: 'empty', hidden: true });

  main.append(
    h('h1', { class: 'sr-only', tabindex: '-1' }, 'Overview'),
    h('form', { class: 'toolbar', role: 'search', 'aria-label': 'Filter subjects', onsubmit: (e) => e.preventDefault() },
      h('label', null, 'Name', search),
      h('label', null, 'Status', statusSel),
      h('label', null, 'Kind', kindSel),
      h('label', null, 'Group', groupSel),
      h('label', null, 'Sort', sortSel)),
    summary, head, list, empty);

  let view = []; // the subjects that pass the filters, in order
  let viewVersion = -1;
  let viewMembership = -1;
  let groupsMembership = -1;
  let active = 0; // index in view of the row in the tab order
  let activeKey = null;
  const rows = new Map(); // key -> row element on screen

  function syncUrl() {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v && !(k === 'sort' && v === 'name')) p.set(k, v);
    const qs = p.toString();
    const hash = qs ? `#/?${qs}` : '#/';
    if (location.hash !== hash && !(hash === '#/' && location.hash === '')) history.replaceState(null, '', hash);
  }

  function refreshGroups() {
    if (groupsMembership === store.membership) return;
    groupsMembership = store.membership;
    const keep = filters.group;
    clear(groupSel).append(h('option', { value: '' }, 'All'));
    for (const g of Array.from(store.groups).sort()) groupSel.append(h('option', { value: g }, g));
    if (keep && !store.groups.has(keep)) groupSel.append(h('option', { value: keep }, keep));
    groupSel.value = keep;
  }

  function rebuildView() {
    const q = filters.q.trim().toLowerCase();
    const f = filters;
    view = [];
    const counts = { ok: 0, degraded: 0, fail: 0, unknown: 0, off: 0 };
    for (const s of store.sorted) {
      counts[s.cat]++;
      if (matches(s, f, q)) view.push(s);
    }
    if (f.sort === 'status') {
      view.sort((a, b) => CATEGORY_RANK[a.cat] - CATEGORY_RANK[b.cat]);  // stable: by name within
    }
    viewVersion = store.version;
    viewMembership = store.membership;
    if (activeKey) {
      const i = view.findIndex((s) => s.key === activeKey);
      if (i >= 0) active = i;
    }
    active = Math.max(0, Math.min(active, view.length - 1));
    const total = store.sorted.length;
    clear(summary);
    if (!store.loaded && total === 0) {
      summary.append('Loading…');
    } else {
      summary.append(h('strong', null, num(total)), ` ${total === 1 ? 'subject' : 'subjects'}: `,
        `${num(counts.fail)} failing, ${num(counts.degraded)} degraded, ${num(counts.unknown)} unknown, `,
        `${num(counts.off)} stopped or paused, ${num(counts.ok)} ok`);
      if (view.length !== total) summary.append(` — ${num(view.length)} shown`);
      if (store.history === false) summary.append(h('span', { class: 'note' }, ' (no history yet: uptime bars and sparklines fill in once hale keeps history)'));
    }
    if (store.error) summary.append(h('span', { class: 'error-text' }, ` Could not read everything: ${store.error}`));
    space.style.height = `${view.length * ROW_H}px`;
    empty.hidden = !(store.loaded && view.length === 0);
    empty.textContent = total === 0 ? 'hale watches nothing yet: add checks, services or heartbeats to its config.' : 'No subject matches the filters.';
  }

  function fillRow(row, s, i) {
    row._key = s.key;
    row._ver = s.ver;
    row.className = `row ${s.cat}`;
    row.setAttribute('aria-posinset', String(i + 1));
    row.setAttribute('aria-setsize', String(view.length));
    row.dataset.key = s.key;
    const [st, link, kind, groups, up, spark, detail] = row._cells;
    clear(st).append(badge(s.cat, s.status));
    link.textContent = s.name;
    link.href = subjectHref(s);
    kind.textContent = s.kind;
    groups.textContent = s.groups.length ? s.groups.join(', ') : '';
    groups.title = groups.textContent;
    drawUptime(up, s.uptime, store.days);
    up.setAttribute('aria-label', uptimeLabel(s.uptime, store.days));
    drawSpark(spark, s.spark);
    spark.setAttribute('aria-label', sparkLabel(s.spark, s.sparkFrom));
    detail.textContent = s.detail || '';
    detail.title = s.detail || '';
  }

  function makeRow() {
    const st = h('span', { class: 'st' });
    const link = h('a', { class: 'name', tabindex: '-1' });
    const kind = h('span', { class: 'kind' });
    const groups = h('span', { class: 'groups' });
    const up = h('canvas', { class: 'uptime', role: 'img', width: UPTIME_W, height: UPTIME_H });
    const spark = h('canvas', { class: 'spark', role: 'img', width: SPARK_W, height: SPARK_H });
    const detail = h('span', { class: 'detail' });
    const row = h('div', { class: 'row', role: 'listitem' }, st, link, kind, groups, up, spark, detail);
    row._cells = [st, link, kind, groups, up, spark, detail];
    row.addEventListener('click', (e) => {
      if (e.target === link) return;
      location.hash = link.getAttribute('href');
    });
    return row;
  }

  let lastFocusWanted = false;
  let reportedRows = false;
  function render() {
    if (!main.isConnected) return;
    refreshGroups();
    if (viewVersion !== store.version || viewMembership !== store.membership) rebuildView();
    const height = list.clientHeight || 600;
    const first = Math.max(0, Math.floor(list.scrollTop / ROW_H) - OVERSCAN);
    const last = Math.min(view.length - 1, Math.ceil((list.scrollTop + height) / ROW_H) + OVERSCAN);
    const wanted = new Map();
    for (let i = first; i <= last; i++) wanted.set(view[i].key, i);
    // Rows that left the screen go back to the pool.
    const pool = [];
    for (const [key, row] of rows) {
      if (!wanted.has(key)) {
        rows.delete(key);
        pool.push(row);
      }
    }
    let child = 0;
    for (let i = first; i <= last; i++) {
      const s = view[i];
      let row = rows.get(s.key);
      if (!row) {
        row = pool.pop() || makeRow();
        rows.set(s.key, row);
        row._ver = -1;
      }
      if (row._ver !== s.ver || row._pos !== i || row.getAttribute('aria-setsize') !== String(view.length)) fillRow(row, s, i);
      if (row._pos !== i) {
        row._pos = i;
        row.style.transform = `translateY(${i * ROW_H}px)`;
      }
      const isActive = i === active;
      row.classList.toggle('active', isActive && list.contains(document.activeElement));
      row._cells[1].tabIndex = isActive ? 0 : -1;
      // DOM order follows the screen, for screen readers' reading order.
      if (space.children[child] !== row) space.insertBefore(row, space.children[child] || null);
      child++;
    }
    for (const row of pool) row.remove();
    if (lastFocusWanted) {
      lastFocusWanted = false;
      const row = view[active] && rows.get(view[active].key);
      if (row) row._cells[1].focus({ preventScroll: true });
    }
    if (!reportedRows && rows.size) {
      reportedRows = true;
      if (hooks.onFirstRows) hooks.onFirstRows();
    }
  }

  let frame = 0;
  function schedule() {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      render();
    });
  }

  function moveTo(i) {
    if (!view.length) return;
    active = Math.max(0, Math.min(view.length - 1, i));
    activeKey = view[active].key;
    const top = active * ROW_H;
    if (top < list.scrollTop) list.scrollTop = top;
    else if (top + ROW_H > list.scrollTop + list.clientHeight) list.scrollTop = top + ROW_H - list.clientHeight;
    lastFocusWanted = true;
    render();
  }

  list.addEventListener('keydown', (e) => {
    const page = Math.max(1, Math.floor(list.clientHeight / ROW_H) - 1);
    const keys = { ArrowDown: active + 1, ArrowUp: active - 1, PageDown: active + page, PageUp: active - page, Home: 0, End: view.length - 1 };
    if (e.key in keys && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      moveTo(keys[e.key]);
    }
  });
  list.addEventListener('focusin', (e) => {
    const row = e.target.closest && e.target.closest('.row');
    if (row && row._pos != null) {
      active = row._pos;
      activeKey = row._key;
    }
    schedule();
  });
  list.addEventListener('focusout', schedule);
  list.addEventListener('scroll', schedule, { passive: true });
  const ro = new ResizeObserver(schedule);
  ro.observe(list);

  const onFilter = () => {
    filters.status = statusSel.value;
    filters.kind = kindSel.value;
    filters.group = groupSel.value;
    filters.q = search.value;
    filters.sort = sortSel.value;
    viewVersion = -1;
    list.scrollTop = 0;
    active = 0;
    activeKey = null;
    syncUrl();
    schedule();
  };
  search.addEventListener('input', onFilter);
  for (const sel of [statusSel, kindSel, groupSel, sortSel]) sel.addEventListener('change', onFilter);

  const unsubscribe = subscribe(schedule);
  refreshGroups();
  groupSel.value = filters.group;
  if (filters.group && groupSel.value !== filters.group) {
    groupSel.append(h('option', { value: filters.group }, filters.group));
    groupSel.value = filters.group;
  }
  render();

  return {
    unmount() {
      unsubscribe();
      ro.disconnect();
      if (frame) cancelAnimationFrame(frame);
      main.classList.remove('overview-main');
    },
    redraw() {
      for (const row of rows.values()) row._ver = -1;
      schedule();
    },
  };
}
