// A small view layer: h() builds elements, the formatters turn API values into text.

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const k in props) {
      const v = props[k];
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// The status word of each kind of subject -> one of five categories, which decide the badge
// and the filters: ok, degraded, fail, unknown, off (stopped or paused on purpose).
const SERVICE = {
  running: 'ok', ready: 'ok', stopped: 'off', starting: 'unknown', stopping: 'degraded',
  unhealthy: 'degraded', backoff: 'degraded', failed: 'fail', exited: 'fail',
};
const HEARTBEAT = { new: 'unknown', up: 'ok', running: 'ok', late: 'degraded', down: 'fail', paused: 'off' };
const HEALTH = { ok: 'ok', degraded: 'degraded', fail: 'fail', unknown: 'unknown' };

export function category(kind, word) {
  if (kind === 'service' && word in SERVICE) return SERVICE[word];
  if (kind === 'heartbeat' && word in HEARTBEAT) return HEARTBEAT[word];
  return HEALTH[word] || SERVICE[word] || HEARTBEAT[word] || 'unknown';
}

export const CATEGORY_LABEL = { ok: 'OK', degraded: 'Degraded', fail: 'Failing', unknown: 'Unknown', off: 'Stopped or paused' };
export const CATEGORY_RANK = { fail: 0, degraded: 1, unknown: 2, off: 3, ok: 4 };

export function badge(cat, word) {
  return h('span', { class: `badge ${cat}` }, word || cat);
}

const nf = new Intl.NumberFormat('en');
export function num(n) { return nf.format(n); }

export function pct(u, digits = 2) {
  if (u == null || Number.isNaN(u)) return 'no data';
  if (u >= 1) return '100 %';
  // Never round 99.996 up to 100: a window with downtime does not show as perfect.
  const f = 10 ** digits;
  return `${(Math.floor(u * 100 * f) / f).toFixed(digits)} %`;
}

export function ms(v) {
  if (v == null) return '–';
  if (v >= 10000) return `${(v / 1000).toFixed(1)} s`;
  return `${Math.round(v)} ms`;
}

export function duration(seconds) {
  if (seconds == null) return '–';
  let s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const d = Math.floor(s / 86400); s -= d * 86400;
  const hh = Math.floor(s / 3600); s -= hh * 3600;
  const mm = Math.floor(s / 60); s -= mm * 60;
  if (d) return `${d} d ${hh} h`;
  if (hh) return `${hh} h ${mm} min`;
  return `${mm} min ${s} s`;
}

function pad(n) { return String(n).padStart(2, '0'); }

// "2026-04-18 17:59:30" in the browser's zone; the ISO time stays in the element's datetime.
export function when(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function time(iso) {
  return iso ? h('time', { datetime: iso }, when(iso)) : '–';
}

export function ago(iso, now = Date.now()) {
  if (!iso) return '';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '';
  const s = (now - t) / 1000;
  return s >= 0 ? `${duration(s)} ago` : `in ${duration(-s)}`;
}

export function facts(pairs) {
  const dl = h('dl', { class: 'facts' });
  for (const [k, v] of pairs) {
    if (v == null || v === '') continue;
    dl.append(h('dt', null, k), h('dd', null, v));
  }
  return dl;
}
