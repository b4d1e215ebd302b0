// hale's dashboard (SPEC §10, docs/dashboard.md): hash routes, the theme, the event stream.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { clear, h } from './dom.js';
import { loadAll, connect, onEvent } from './store.js';
import { mountOverview } from './overview.js';
import { mountSubject } from './subject.js';
import { mountAlerts, mountSilences } from './alerts.js';
import { themeChanged } from './charts.js';
import { announce } from './live.js';

// What the browser tests read: when the overview first showed rows (ms since navigation).
const probe = (window.__hale = { firstFrameMs: null, routes: 0 });

const main = document.getElementById('main');
let current = null;
let firstRoute = true;

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map((p) => {
    try { return decodeURIComponent(p); } catch (_) { return p; }
  });
  return { parts, params: new URLSearchParams(query || '') };
}

function setNav(which) {
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === which) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function route() {
  const { parts, params } = parseHash();
  if (current && current.unmount) current.unmount();
  current = null;
  clear(main);
  main.className = '';
  const [first, ...rest] = parts;
  document.body.classList.toggle('fill', !first);
  if (!first) {
    setNav('overview');
    document.title = 'hale — overview';
    current = mountOverview(main, params, { onFirstRows });
  } else if ((first === 'check' || first === 'service' || first === 'heartbeat') && rest.length) {
    setNav(null);
    current = mountSubject(main, first, rest.join('/'));
  } else if (first === 'alerts') {
    setNav('alerts');
    document.title = 'hale — alerts';
    current = mountAlerts(main);
  } else if (first === 'silences') {
    setNav('silences');
    document.title = 'hale — silences';
    current = mountSilences(main);
  } else {
    setNav(null);
    document.title = 'hale — not found';
    main.append(h('h1', { tabindex: '-1' }, 'Not found'), h('p', null, 'No such page. ', h('a', { href: '#/' }, 'Back to the overview.')));
  }
  probe.routes++;
  // A new page moves focus to its heading (a screen reader then reads where it is); the first
  // page keeps the browser's own start.
  if (!firstRoute) {
    const heading = main.querySelector('h1');
    if (heading) heading.focus({ preventScroll: true });
  }
  firstRoute = false;
}

// ---- theme: the system's, or the one chosen with the button (kept in localStorage) ------------

const THEMES = ['system', 'light', 'dark'];
const toggle = document.getElementById('theme-toggle');
function applyTheme(theme) {
  if (theme === 'system') document.documentElement.removeAttribute('data-theme');
  else document.documentElement.setAttribute('data-theme', theme);
  toggle.textContent = `Theme: ${theme}`;
  toggle.setAttribute('aria-label', `Theme: ${theme}. Change the theme`);
  themeChanged();
  if (current && current.redraw) current.redraw();
}
let theme = localStorage.getItem('hale.theme');
if (!THEMES.includes(theme)) theme = 'system';
applyTheme(theme);
toggle.addEventListener('click', () => {
  theme = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length];
  if (theme === 'system') localStorage.removeItem('hale.theme');
  else localStorage.setItem('hale.theme', theme);
  applyTheme(theme);
});
window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => applyTheme(theme));

// ---- connection and live announcements ------------------------------------------------------

const conn = document.getElementById('connection');
onEvent((type, data) => {
  if (type === 'connection') {
    const live = data.state === 'live';
    conn.textContent = live ? 'Live' : data.state === 'closed' ? 'Disconnected' : 'Reconnecting…';
    conn.className = `connection ${live ? 'live' : 'down'}`;
    return;
  }
  if ((type === 'check' || type === 'service' || type === 'heartbeat') && data.event) {
    const e = data.event;
    announce(`${type} ${e.name} is now ${e.to}${e.reason && e.to !== 'ok' ? `: ${e.reason}` : ''}`);
  } else if (type === 'alert' && data.event) {
    announce(`Alert ${data.event.state}: ${data.event.message}`);
  } else if (type === 'drill' && data.event) {
    announce(`Drill ${data.event.drill} ${data.event.state}`);
  }
});

// The first frame of the overview with rows (ms since navigation): the rows are in the DOM at
// the render, painted by the end of the next animation frame.
function onFirstRows() {
  if (probe.firstFrameMs != null) return;
  requestAnimationFrame(() => requestAnimationFrame(() => {
    if (probe.firstFrameMs == null) probe.firstFrameMs = performance.now();
  }));
}

window.addEventListener('hashchange', route);
connect();
loadAll();
route();
