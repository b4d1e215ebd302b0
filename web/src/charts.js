// The overview's small pictures, drawn on canvases (cheap for the few rows on screen), each with
// a text alternative: the 90-day uptime bar and the latency sparkline.
import { pct, ms } from './dom.js';

let colors = null;
export function themeColors() {
  if (!colors) {
    const cs = getComputedStyle(document.documentElement);
    const v = (n) => cs.getPropertyValue(n).trim();
    colors = {
      ok: v('--ok'), degraded: v('--degraded'), fail: v('--fail'), nodata: v('--nodata'),
      line: v('--chart-p50'), p95: v('--chart-p95'), muted: v('--muted'), border: v('--border'), fg: v('--fg'),
    };
  }
  return colors;
}
export function themeChanged() { colors = null; }

function prepare(canvas, w, hgt) {
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(hgt * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(hgt * dpr);
    canvas.style.width = `${w}px`;
    canvas.style.height = `${hgt}px`;
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, hgt);
  return ctx;
}

// Uptime of a day -> its bar's colour: 99.9 % and over ok, 99 % and over degraded, below fail.
function dayColor(u, c) {
  if (u == null) return c.nodata;
  if (u >= 0.999) return c.ok;
  if (u >= 0.99) return c.degraded;
  return c.fail;
}

export const UPTIME_W = 180;
export const UPTIME_H = 22;

export function drawUptime(canvas, days, count = 90) {
  const c = themeColors();
  const ctx = prepare(canvas, UPTIME_W, UPTIME_H);
  const step = UPTIME_W / count;
  const values = days || [];
  const offset = count - values.length;
  for (let i = 0; i < count; i++) {
    const u = i >= offset ? values[i - offset] : null;
    ctx.fillStyle = dayColor(u, c);
    const top = u == null ? UPTIME_H * 0.55 : 0;
    ctx.fillRect(i * step, top, Math.max(1, step - 0.6), UPTIME_H - top);
  }
}

export function uptimeLabel(days, count = 90) {
  const values = (days || []).filter((u) => u != null);
  if (!values.length) return `Uptime over ${count} days: no history`;
  const avg = values.reduce((a, b) => a + b, 0) / values.length;
  const below = values.filter((u) => u < 0.999).length;
  const missing = count - values.length;
  let text = `Uptime over ${count} days: ${pct(avg)} on average`;
  text += below ? `, ${below} ${below === 1 ? 'day' : 'days'} below 99.9 %` : ', no day below 99.9 %';
  if (missing) text += `, no data for ${missing} ${missing === 1 ? 'day' : 'days'}`;
  return text;
}

export const SPARK_W = 100;
export const SPARK_H = 22;

export function drawSpark(canvas, values) {
  const c = themeColors();
  const ctx = prepare(canvas, SPARK_W, SPARK_H);
  const pts = (values || []).map((v, i) => [i, v]).filter(([, v]) => v != null);
  if (pts.length === 0) {
    ctx.strokeStyle = c.nodata;
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(0, SPARK_H / 2);
    ctx.lineTo(SPARK_W, SPARK_H / 2);
    ctx.stroke();
    ctx.setLineDash([]);
    return;
  }
  const n = Math.max(2, values.length);
  let max = 0;
  for (const [, v] of pts) max = Math.max(max, v);
  max = max || 1;
  const x = (i) => 1 + (i / (n - 1)) * (SPARK_W - 2);
  const y = (v) => SPARK_H - 2 - (v / max) * (SPARK_H - 4);
  ctx.strokeStyle = c.line;
  ctx.lineWidth = 1.5;
  ctx.lineJoin = 'round';
  ctx.beginPath();
  pts.forEach(([i, v], k) => (k ? ctx.lineTo(x(i), y(v)) : ctx.moveTo(x(i), y(v))));
  ctx.stroke();
  const [li, lv] = pts[pts.length - 1];
  ctx.fillStyle = c.line;
  ctx.beginPath();
  ctx.arc(x(li), y(lv), 2, 0, Math.PI * 2);
  ctx.fill();
}

export function sparkLabel(values, from) {
  const pts = (values || []).filter((v) => v != null);
  const what = from === 'history' ? 'Latency over 24 hours (hourly median)' : `Latency of the last ${pts.length} probes`;
  if (!pts.length) return from === 'history' ? `${what}: no data` : 'Latency: no data';
  const min = Math.min(...pts);
  const max = Math.max(...pts);
  return `${what}: from ${ms(min)} to ${ms(max)}, last ${ms(pts[pts.length - 1])}`;
}
