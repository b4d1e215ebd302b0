// A page per subject: its state and details, the operator's buttons (services: start, stop,
// restart; heartbeats: pause, resume), its latency chart (p50/p95, uPlot), uptime over each
// window and its incidents as timelines. History comes from /api/v1/history, /uptime and
// /incidents; a hale without them (404) still shows everything else.
import uPlot from 'uplot';
import { h, append, clear, badge, facts, time, when, ms, pct, duration, category, num } from './dom.js';
import { getJSON, mutate, errorText } from './api.js';
import { store, subscribe, onEvent, applyCheck, applyService, applyHeartbeat } from './store.js';
import { themeColors } from './charts.js';
import { announce } from './live.js';

const RANGES = [
  { id: '24h', label: '24 hours', seconds: 86400, step: 'minute' },
  { id: '7d', label: '7 days', seconds: 7 * 86400, step: 'hour' },
  { id: '30d', label: '30 days', seconds: 30 * 86400, step: 'hour' },
  { id: '90d', label: '90 days', seconds: 90 * 86400, step: 'day' },
  { id: '365d', label: '365 days', seconds: 365 * 86400, step: 'day' },
];
const WINDOWS = ['24h', '7d', '30d', '90d', '365d'];
const ACTIONS = { service: ['start', 'stop', 'restart'], heartbeat: ['pause', 'resume'] };
const ACTION_LABEL = { start: 'Start', stop: 'Stop', restart: 'Restart', pause: 'Pause', resume: 'Resume' };

function detailPath(kind, name) {
  return `/api/v1/${kind}s/${encodeURIComponent(name)}`;
}

function link(kind, name) {
  return h('a', { href: `#/${kind}/${encodeURIComponent(name)}` }, name);
}

function wordOf(kind, d) {
  return kind === 'check' ? d.status : d.state;
}

function catOf(kind, d) {
  if (kind === 'heartbeat') return d.state === 'paused' ? 'off' : d.state === 'new' ? 'unknown' : category('check', d.status);
  if (kind === 'service' && d.state === 'exited' && d.last_exit && d.last_exit.code === 0) return 'ok';
  return category(kind, wordOf(kind, d));
}

function reasonOf(kind, d) {
  if (kind === 'check') return d.status === 'ok' ? d.message : d.error || d.message;
  if (kind === 'service') return d.reason || d.status_text;
  return d.error || d.reason;
}

function checkFacts(d) {
  return facts([
    ['Type', d.type],
    ['Target', d.target ? h('code', null, d.target) : null],
    ['Groups', d.groups && d.groups.length ? d.groups.join(', ') : 'none'],
    ['Critical', d.critical ? 'yes' : 'no'],
    ['Latency', d.latency_ms != null ? ms(d.latency_ms) : null],
    ['Since', time(d.since)],
    ['Last probe', time(d.last_probe)],
    ['Last success', time(d.last_success)],
    ['Last failure', time(d.last_failure)],
    ['Next probe', time(d.next_check)],
    ['Failures in a row', d.consecutive_failures != null ? String(d.consecutive_failures) : null],
    ['Error code', d.error_code],
    ['Depends on', d.depends_on && d.depends_on.length ? d.depends_on.map((n, i) => [i ? ', ' : '', link('check', n)]).flat() : null],
    ['Blocked by', d.blocked_by ? link('check', d.blocked_by) : null],
    ['Drill', d.drill],
    ['Latency budget', d.latency_budget
      ? `p50 ${ms(d.latency_budget.p50_ms)}, p95 ${ms(d.latency_budget.p95_ms)} over ${d.latency_budget.window}; now p50 ${ms(d.latency_p50_ms)}, p95 ${ms(d.latency_p95_ms)}`
      : null],
  ]);
}

function serviceFacts(d) {
  const exit = d.last_exit
    ? `${d.last_exit.code != null ? `code ${d.last_exit.code}` : `signal ${d.last_exit.signal}`} at ${when(d.last_exit.at)}`
    : null;
  return facts([
    ['State', d.state],
    ['Wanted', d.wanted === 'start' ? 'running (started)' : 'stopped by an operator'],
    ['PID', d.pid != null ? String(d.pid) : null],
    ['Since', time(d.since)],
    ['Started', time(d.started_at)],
    ['Restarts', d.restarts != null ? String(d.restarts) : null],
    ['Last exit', exit],
    ['Next restart', d.next_restart_at ? time(d.next_restart_at) : null],
    ['Restart budget left', d.budget_left != null ? String(d.budget_left) : null],
    ['Liveness check', d.liveness ? link('check', d.liveness) : null],
    ['Readiness check', d.readiness ? link('check', d.readiness) : null],
    ['Status text', d.status_text],
    ['Requires', d.require ? d.require.join(', ') : null],
    ['Held', d.held],
  ]);
}

function heartbeatFacts(d) {
  return facts([
    ['State', d.state],
    ['Schedule', d.schedule],
    ['Grace', d.grace_seconds != null ? duration(d.grace_seconds) : null],
    ['Groups', d.groups && d.groups.length ? d.groups.join(', ') : 'none'],
    ['Critical', d.critical ? 'yes' : 'no'],
    ['Last ping', time(d.last_ping)],
    ['Next ping expected', time(d.next_expected)],
    ['Last success', time(d.last_success)],
    ['Running since', d.running_since ? time(d.running_since) : null],
    ['Failures in a row', d.consecutive_failures != null ? String(d.consecutive_failures) : null],
    ['Since', time(d.since)],
  ]);
}

function table(headers, rows, caption) {
  return h('table', null,
    caption ? h('caption', { class: 'sr-only' }, caption) : null,
    h('thead', null, h('tr', null, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', null, rows.map((r) => h('tr', null, r.map((c) => h('td', null, c))))));
}

function recentTable(d) {
  const recent = (d.recent || []).slice().reverse();
  if (!recent.length) return h('p', { class: 'empty' }, 'No probe result yet.');
  return table(['When', 'Verdict', 'Latency', 'Reason'],
    recent.map((r) => [time(r.at), r.verdict, ms(r.latency_ms), r.reason || '']), 'The last probe results, newest first');
}

function runsTable(runs) {
  if (!runs || !runs.length) return h('p', { class: 'empty' }, 'No run reported yet.');
  return table(['Ended', 'Duration', 'Exit code', 'Verdict', 'Output (end)'],
    runs.slice().reverse().map((r) => [time(r.ended || r.t), r.duration_ms != null ? ms(r.duration_ms) : '–',
      r.exit_code != null ? String(r.exit_code) : '–', r.verdict || (r.success === false ? 'failed' : r.success ? 'ok' : ''),
      r.output ? h('code', null, r.output.slice(-120)) : '']),
    'The last runs, newest first');
}

// ---- latency chart ------------------------------------------------------------------------

function chartOptions(width, series, unit = 'ms', xRange = null) {
  const c = themeColors();
  const axis = { stroke: c.muted, grid: { stroke: c.border, width: 1 }, ticks: { stroke: c.border, width: 1 } };
  return {
    width,
    height: 240,
    scales: {
      x: xRange ? { time: true, range: () => xRange } : { time: true },
      ...(unit === '%' ? { y: { range: () => [0, 100] } } : {}),
    },
    cursor: { drag: { x: true, y: false } },
    series: [
      {},
      ...series.map((s) => ({
        label: s.label,
        stroke: s.color === 'p95' ? c.p95 : c.line,
        width: 1.5,
        spanGaps: false,
        value: (u, v) => (v == null ? '–' : unit === '%' ? `${v.toFixed(2)} %` : ms(v)),
      })),
    ],
    axes: [axis, { ...axis, size: 64, values: (u, vals) => vals.map((v) => `${+v.toFixed(2)} ${unit}`) }],
  };
}

function summarize(values) {
  const v = values.filter((x) => x != null);
  if (!v.length) return null;
  const sorted = v.slice().sort((a, b) => a - b);
  return { min: sorted[0], max: sorted[sorted.length - 1], median: sorted[Math.floor(sorted.length / 2)] };
}

// ---- the page -------------------------------------------------------------------------------

export function mountSubject(main, kind, name) {
  const key = `${kind}/${name}`;
  let detail = null;
  let range = RANGES[0];
  let chart = null;
  let disposed = false;

  const head = h('div', { class: 'subject-head' });
  const reason = h('p', { class: 'reason' });
  const factsBox = h('div');
  const actionStatus = h('span', { class: 'action-status', role: 'status', id: 'action-status' });
  const actions = h('div', { class: 'actions', role: 'group', 'aria-label': `${kind} actions` });
  for (const a of ACTIONS[kind] || []) {
    actions.append(h('button', { type: 'button', 'data-action': a, onclick: () => act(a) }, ACTION_LABEL[a]));
  }
  if (ACTIONS[kind]) actions.append(actionStatus);

  const rangeButtons = RANGES.map((r) => h('button', { type: 'button', 'aria-pressed': String(r === range), onclick: () => setRange(r) }, r.label));
  const chartBox = h('div', { class: 'chart', id: 'latency-chart' });
  const chartCaption = h('p', { class: 'chart-caption', id: 'latency-caption' });
  const chartTable = h('div');
  const uptimeBox = h('div', { id: 'uptime' }, h('p', { class: 'loading' }, 'Loading…'));
  const incidentsBox = h('div', { id: 'incidents' }, h('p', { class: 'loading' }, 'Loading…'));
  const extraTitle = h('h2', null, kind === 'check' ? 'Recent results' : kind === 'heartbeat' ? 'Runs' : '');
  const extraBox = h('div');

  append(main, [
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, '← Overview')),
    head, reason, factsBox, ACTIONS[kind] ? actions : null,
    h('section', { 'aria-labelledby': 'h-latency' },
      h('h2', { id: 'h-latency' }, kind === 'check' ? 'Latency' : 'Availability'),
      h('div', { class: 'segmented', role: 'group', 'aria-label': 'Time range' }, rangeButtons),
      h('figure', { 'aria-labelledby': 'latency-caption', style: 'margin:0' }, chartBox, h('figcaption', null, chartCaption)),
      chartTable),
    h('section', { 'aria-labelledby': 'h-uptime' }, h('h2', { id: 'h-uptime' }, 'Uptime'), uptimeBox),
    h('section', { 'aria-labelledby': 'h-incidents' }, h('h2', { id: 'h-incidents' }, 'Incidents'), incidentsBox),
    kind !== 'service' ? h('section', null, extraTitle, extraBox) : null]);

  // The heading is made once: it has the focus after a navigation, and keeps it.
  const title = h('h1', { tabindex: '-1', id: 'subject-title' }, name);
  const headBadge = h('span');
  head.append(title, headBadge, h('span', { class: 'kind' }, kind));

  function renderHead() {
    const s = store.subjects.get(key);
    const word = detail ? wordOf(kind, detail) : s ? s.status : 'unknown';
    const cat = detail ? catOf(kind, detail) : s ? s.cat : 'unknown';
    clear(headBadge).append(badge(cat, word));
    document.title = `${name} (${word}) — hale`;
    const r = detail ? reasonOf(kind, detail) : s && s.detail;
    reason.textContent = r || '';
    reason.hidden = !r;
  }

  function renderDetail() {
    renderHead();
    if (!detail) return;
    clear(factsBox).append(kind === 'check' ? checkFacts(detail) : kind === 'service' ? serviceFacts(detail) : heartbeatFacts(detail));
    if (kind === 'check') clear(extraBox).append(recentTable(detail));
    if (kind === 'heartbeat') clear(extraBox).append(runsTable(detail.runs));
    for (const b of actions.querySelectorAll('button')) {
      const a = b.dataset.action;
      const up = ['running', 'ready', 'starting'].includes(detail.state);
      b.disabled = (kind === 'heartbeat' && ((a === 'pause' && detail.state === 'paused') || (a === 'resume' && detail.state !== 'paused')))
        || (kind === 'service' && ((a === 'start' && detail.wanted === 'start' && up) || (a === 'stop' && detail.state === 'stopped')));
    }
  }

  let historyMissing = false;

  async function loadDetail() {
    try {
      detail = await getJSON(detailPath(kind, name));
      if (disposed) return;
      const apply = { check: applyCheck, service: applyService, heartbeat: applyHeartbeat }[kind];
      apply(detail);
      renderDetail();
      if (historyMissing && kind === 'check') drawChart(null);
    } catch (e) {
      if (disposed) return;
      renderHead();
      clear(factsBox).append(h('p', { class: 'error-text' }, e.status === 404 ? `hale has no ${kind} named "${name}".` : `Could not read ${kind} ${name}: ${e.message}`));
    }
  }

  async function act(action) {
    for (const b of actions.querySelectorAll('button')) b.disabled = true;
    actionStatus.textContent = `${ACTION_LABEL[action]}: sending…`;
    try {
      const r = await mutate('POST', `${detailPath(kind, name)}/${action}`);
      if (r.cancelled) actionStatus.textContent = `${ACTION_LABEL[action]}: cancelled, no token given.`;
      else if (r.ok) {
        actionStatus.textContent = `${ACTION_LABEL[action]}: done, ${name} is ${r.body && r.body.state ? r.body.state : 'updated'}.`;
        announce(`${name}: ${action} done`);
      } else actionStatus.textContent = `${ACTION_LABEL[action]} failed: ${errorText(r)}`;
    } catch (e) {
      actionStatus.textContent = `${ACTION_LABEL[action]} failed: ${e.message}`;
    }
    await loadDetail();
    for (const b of actions.querySelectorAll('button')) b.disabled = false;
    renderDetail();
  }

  // history: {points:[...]}, or null (no history endpoint) for a check's recent results. A
  // check's chart is its latency (p50, p95); a service's or heartbeat's is its availability.
  function drawChart(history) {
    if (chart) {
      chart.destroy();
      chart = null;
    }
    clear(chartBox);
    clear(chartTable);
    let xs = [];
    let series;
    let caption;
    let unit = 'ms';
    if (history && kind === 'check') {
      const pts = history.points || [];
      xs = pts.map((p) => Date.parse(p.t) / 1000);
      series = [
        { label: 'p50', values: pts.map((p) => p.p50_ms ?? null) },
        { label: 'p95', values: pts.map((p) => p.p95_ms ?? null), color: 'p95' },
      ];
      const a = summarize(series[0].values);
      const b = summarize(series[1].values);
      caption = a
        ? `Latency over the last ${range.label}, one point per ${history.step || range.step}: median p50 ${ms(a.median)} (from ${ms(a.min)} to ${ms(a.max)}), highest p95 ${ms(b ? b.max : null)}.`
        : `No latency recorded over the last ${range.label}.`;
    } else if (history) {
      const pts = history.points || [];
      xs = pts.map((p) => Date.parse(p.t) / 1000);
      unit = '%';
      const share = (p) => {
        const known = (p.up_seconds || 0) + (p.down_seconds || 0);
        return known > 0 ? (100 * (p.up_seconds || 0)) / known : null;
      };
      series = [{ label: 'up', values: pts.map(share) }];
      const a = summarize(series[0].values);
      caption = a
        ? `Share of the time up over the last ${range.label}, one point per ${history.step || range.step}: lowest ${a.min.toFixed(2)} %.`
        : `Nothing recorded over the last ${range.label}.`;
    } else {
      const recent = (kind === 'check' && detail && detail.recent) || [];
      xs = recent.map((r) => Date.parse(r.at) / 1000);
      series = [{ label: 'latency', values: recent.map((r) => r.latency_ms) }];
      const a = summarize(series[0].values);
      caption = kind === 'check'
        ? `No history here yet (this hale answers no /api/v1/history): the chart shows the last ${recent.length} probes${a ? `, from ${ms(a.min)} to ${ms(a.max)}` : ''}.`
        : 'No history here yet (this hale answers no /api/v1/history).';
    }
    chartCaption.textContent = caption;
    if (!xs.length) {
      if (history || kind === 'check') chartBox.append(h('p', { class: 'empty' }, 'No data to chart.'));
      return;
    }
    const fmt = unit === '%' ? (v) => (v == null ? '–' : `${v.toFixed(2)} %`) : ms;
    const width = Math.max(300, chartBox.clientWidth || main.clientWidth - 40);
    // A history chart spans the whole range asked for, however little of it has data.
    const xRange = history ? [Date.parse(history.from) / 1000 || xs[0], Date.parse(history.to) / 1000 || xs[xs.length - 1]] : null;
    chart = new uPlot(chartOptions(width, series, unit, xRange), [xs, ...series.map((s) => s.values)], chartBox);
    // The same figures as a table, for screen readers and for copying.
    const rows = xs.map((x, i) => [when(new Date(x * 1000).toISOString()), ...series.map((s) => fmt(s.values[i]))]);
    const shown = rows.slice(-200).reverse();
    chartTable.append(h('details', null, h('summary', null, `Data table (${shown.length < rows.length ? `last ${shown.length} of ` : ''}${num(rows.length)} ${rows.length === 1 ? 'point' : 'points'})`),
      table(['Time', ...series.map((s) => s.label)], shown, 'Chart data, newest first')));
  }

  async function loadHistory() {
    const to = Math.floor(Date.now() / 1000);
    const from = to - range.seconds;
    try {
      const j = await getJSON(`/api/v1/history/${encodeURIComponent(name)}?from=${from}&to=${to}&step=${range.step}`, { allow404: true });
      if (disposed) return;
      historyMissing = !j;
      if (j && kind === 'heartbeat' && j.runs && j.runs.length) clear(extraBox).append(runsTable(j.runs));
      drawChart(j);
    } catch (e) {
      if (disposed) return;
      chartCaption.textContent = `Could not read the history: ${e.message}`;
    }
  }

  function setRange(r) {
    range = r;
    rangeButtons.forEach((b, i) => b.setAttribute('aria-pressed', String(RANGES[i] === r)));
    loadHistory();
  }

  async function loadUptime() {
    try {
      const j = await getJSON(`/api/v1/uptime/${encodeURIComponent(name)}`, { allow404: true });
      if (disposed) return;
      clear(uptimeBox);
      if (!j || !j.windows) {
        uptimeBox.append(h('p', { class: 'empty' }, 'No uptime history yet (this hale answers no /api/v1/uptime).'));
        return;
      }
      const grid = h('div', { class: 'uptime-grid', role: 'list' });
      for (const w of WINDOWS) {
        const x = j.windows[w];
        if (!x) continue;
        const parts = [`down ${duration(x.down_seconds)}`];
        if (x.maintenance_seconds) parts.push(`maintenance ${duration(x.maintenance_seconds)}`);
        if (x.unknown_seconds) parts.push(`unknown ${duration(x.unknown_seconds)}`);
        grid.append(h('div', { class: 'uptime-cell', role: 'listitem', 'data-window': w },
          h('div', { class: 'w' }, w), h('div', { class: 'v' }, pct(x.uptime, x.uptime != null && x.uptime < 0.99 ? 2 : 3)),
          h('div', { class: 's' }, parts.join(' · '))));
      }
      uptimeBox.append(grid, h('p', { class: 'note' }, 'Time under a silence or maintenance window and time when hale was not running are counted apart, never as downtime.'));
    } catch (e) {
      if (!disposed) clear(uptimeBox).append(h('p', { class: 'error-text' }, `Could not read the uptime: ${e.message}`));
    }
  }

  function incidentView(inc, spanFrom, spanTo) {
    const open = inc.status === 'open';
    const start = Date.parse(inc.started_at);
    const end = inc.resolved_at ? Date.parse(inc.resolved_at) : Date.now();
    const total = spanTo - spanFrom;
    const bar = h('div', { class: 'span-bar', role: 'img',
      'aria-label': `From ${when(inc.started_at)} to ${inc.resolved_at ? when(inc.resolved_at) : 'now'}` });
    const seg = h('div', { class: `seg${open ? '' : ' resolved'}` });
    seg.style.left = `${Math.max(0, ((start - spanFrom) / total) * 100)}%`;
    seg.style.width = `${Math.max(0.3, ((end - Math.max(start, spanFrom)) / total) * 100)}%`;
    bar.append(seg);
    const timelineId = `timeline-${inc.id}`;
    const timeline = h('div', { id: timelineId, hidden: true });
    const toggle = h('button', { type: 'button', 'aria-expanded': 'false', 'aria-controls': timelineId }, 'Show timeline');
    toggle.addEventListener('click', async () => {
      const expanded = toggle.getAttribute('aria-expanded') === 'true';
      toggle.setAttribute('aria-expanded', String(!expanded));
      toggle.textContent = expanded ? 'Show timeline' : 'Hide timeline';
      timeline.hidden = expanded;
      if (expanded || timeline.dataset.loaded) return;
      timeline.dataset.loaded = '1';
      timeline.append(h('p', { class: 'loading' }, 'Loading…'));
      try {
        const j = await getJSON(`/api/v1/incidents/${encodeURIComponent(inc.id)}`);
        const events = (j.incident && j.incident.timeline) || [];
        clear(timeline).append(events.length
          ? h('ol', { class: 'timeline' }, events.map((e) => h('li', null, time(e.at), h('span', { class: 'type' }, e.type), e.text)))
          : h('p', { class: 'empty' }, 'No event recorded.'));
      } catch (e) {
        clear(timeline).append(h('p', { class: 'error-text' }, `Could not read the incident: ${e.message}`));
        delete timeline.dataset.loaded;
      }
    });
    const durations = [];
    if (inc.time_to_detect_seconds != null) durations.push(`detected after ${duration(inc.time_to_detect_seconds)}`);
    if (inc.time_to_alert_seconds != null) durations.push(`alerted after ${duration(inc.time_to_alert_seconds)}`);
    if (inc.time_to_recover_seconds != null) durations.push(`recovered after ${duration(inc.time_to_recover_seconds)}`);
    return h('li', { class: 'incident', 'data-id': inc.id },
      h('div', { class: 'incident-head' },
        badge(open ? 'fail' : 'ok', open ? 'open' : 'resolved'),
        h('strong', null, inc.worst || ''),
        inc.drill ? h('span', { class: 'badge unknown' }, `drill ${inc.drill === true ? '' : inc.drill}`.trim()) : null,
        h('span', null, time(inc.started_at), ' → ', inc.resolved_at ? time(inc.resolved_at) : 'now')),
      inc.cause ? h('p', { class: 'reason' }, inc.cause) : null,
      bar,
      durations.length ? h('p', { class: 'note' }, durations.join(', ')) : null,
      toggle, timeline);
  }

  async function loadIncidents() {
    try {
      const j = await getJSON(`/api/v1/incidents?name=${encodeURIComponent(name)}&limit=20`, { allow404: true });
      if (disposed) return;
      clear(incidentsBox);
      if (!j) {
        incidentsBox.append(h('p', { class: 'empty' }, 'No incident history yet (this hale answers no /api/v1/incidents).'));
        return;
      }
      const list = (j.incidents || []).filter((i) => !i.kind || i.kind === kind);
      if (!list.length) {
        incidentsBox.append(h('p', { class: 'empty' }, 'No incident recorded.'));
        return;
      }
      const spanTo = Date.now();
      const earliest = Math.min(...list.map((i) => Date.parse(i.started_at)).filter((t) => !Number.isNaN(t)));
      const spanFrom = Math.min(earliest, spanTo - 86400e3);
      const openCount = list.filter((i) => i.status === 'open').length;
      incidentsBox.append(
        h('p', { class: 'note' }, `${list.length} ${list.length === 1 ? 'incident' : 'incidents'}${openCount ? `, ${openCount} open` : ''}, from ${when(new Date(spanFrom).toISOString())} to now; each bar shows when it ran.`),
        h('ol', { class: 'incidents', style: 'list-style:none;padding:0' }, list.map((i) => incidentView(i, spanFrom, spanTo))));
    } catch (e) {
      if (!disposed) clear(incidentsBox).append(h('p', { class: 'error-text' }, `Could not read the incidents: ${e.message}`));
    }
  }

  renderHead();
  loadDetail().then(() => loadHistory());
  loadUptime();
  loadIncidents();

  // Live: a transition of this subject re-reads it (and its incidents); others only repaint.
  let refresh = null;
  const offEvents = onEvent((type, data) => {
    if (type === 'reset' || (data && data.event && data.event.name === name && type === kind)) {
      clearTimeout(refresh);
      refresh = setTimeout(() => {
        loadDetail();
        loadIncidents();
      }, 300);
    }
  });
  const offStore = subscribe(() => {
    if (!detail) renderHead();
  });
  const ro = new ResizeObserver(() => {
    if (chart) chart.setSize({ width: Math.max(300, chartBox.clientWidth), height: 240 });
  });
  ro.observe(chartBox);

  return {
    unmount() {
      disposed = true;
      offEvents();
      offStore();
      ro.disconnect();
      clearTimeout(refresh);
      if (chart) chart.destroy();
    },
    redraw() {
      if (chart) loadHistory();
    },
  };
}
