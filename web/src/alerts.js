// Alerts (deliveries and notifiers, GET /api/v1/alerts) and silences (GET/POST /api/v1/silences,
// DELETE /api/v1/silences/ID; the maintenance windows of the config are listed with them).
import { h, clear, badge, time, num } from './dom.js';
import { getJSON, mutate, errorText } from './api.js';
import { onEvent } from './store.js';

function table(caption, headers, rows) {
  return h('table', null, h('caption', { class: 'sr-only' }, caption),
    h('thead', null, h('tr', null, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', null, rows.map((r) => h('tr', null, r.map((c) => h('td', null, c))))));
}

const DELIVERY_CAT = { sent: 'ok', accepted: 'ok', pending: 'unknown', failed: 'fail', silenced: 'off', dropped: 'off', recorded: 'off' };

export function mountAlerts(main) {
  const box = h('div', { id: 'alerts' }, h('p', { class: 'loading' }, 'Loading…'));
  main.append(h('h1', { tabindex: '-1' }, 'Alerts'), box);
  let disposed = false;

  async function load() {
    try {
      const j = await getJSON('/api/v1/alerts');
      if (disposed) return;
      clear(box);
      const state = [];
      state.push(j.durable ? 'Deliveries are committed to the outbox before they are tried.' : 'Deliveries are held in memory only: the outbox cannot be written.');
      if (j.outbox_error) state.push(`Outbox error: ${j.outbox_error}`);
      box.append(h('p', { class: j.durable ? 'note' : 'error-text' }, state.join(' ')));
      box.append(h('h2', null, 'Notifiers'));
      box.append((j.notifiers || []).length
        ? table('Notifiers', ['Name', 'Type', 'Sent', 'Failed', 'Retries', 'Silenced', 'Pending', 'Failures in a row'],
          j.notifiers.map((n) => [n.name, n.type || 'not configured any more', num(n.sent), num(n.failed), num(n.retries), num(n.silenced), num(n.pending), num(n.consecutive_failures)]))
        : h('p', { class: 'empty' }, 'No notifier is configured.'));
      box.append(h('h2', null, 'Deliveries'));
      const ds = j.deliveries || [];
      box.append(ds.length
        ? table('Deliveries, pending first, then the most recent', ['Created', 'Subject', 'Status', 'Notifier', 'State', 'Attempts', 'Message', 'Last error'],
          ds.map((d) => [time(d.created_at), d.subject, h('span', null, d.resolved ? 'resolved' : d.status, d.flapping ? ' (flapping)' : ''), d.notifier,
            badge(DELIVERY_CAT[d.state] || 'unknown', d.state), num(d.attempts), d.message, d.last_error || '']))
        : h('p', { class: 'empty' }, 'No alert has been sent.'));
    } catch (e) {
      if (!disposed) clear(box).append(h('p', { class: 'error-text' }, `Could not read the alerts: ${e.message}`));
    }
  }
  load();
  let t = null;
  const off = onEvent((type) => {
    if (type !== 'alert' && type !== 'reset') return;
    clearTimeout(t);
    t = setTimeout(load, 300);
  });
  return { unmount() { disposed = true; off(); clearTimeout(t); } };
}

export function mountSilences(main) {
  const status = h('p', { role: 'status', id: 'silence-status', class: 'action-status' });
  const listBox = h('div', { id: 'silences' }, h('p', { class: 'loading' }, 'Loading…'));
  const windowsBox = h('div');
  let disposed = false;

  const matchers = h('div', { class: 'matchers' });
  function addMatcher(name = 'subject', value = '') {
    const n = matchers.children.length + 1;
    const sel = h('select', { name: 'mname', 'aria-label': `Matcher ${n}: field` },
      ['subject', 'kind', 'status', 'key'].map((x) => h('option', { value: x }, x)));
    sel.value = name;
    const input = h('input', { name: 'mvalue', required: true, placeholder: 'a glob, e.g. check/db*', 'aria-label': `Matcher ${n}: value` });
    input.value = value;
    matchers.append(h('div', { class: 'matcher' }, sel, input));
  }
  addMatcher();
  const durationInput = h('input', { name: 'duration', value: '2h', required: true });
  const comment = h('input', { name: 'comment', required: true, placeholder: 'why the alerts are muted' });
  const author = h('input', { name: 'author', placeholder: 'who' });
  const form = h('form', { class: 'silence-form', 'aria-labelledby': 'h-new-silence' },
    h('fieldset', { style: 'border:0;padding:0;margin:0' }, h('legend', null, 'Matchers (all must match)'), matchers,
      h('button', { type: 'button', onclick: () => addMatcher() }, 'Add a matcher')),
    h('label', null, 'Duration', durationInput),
    h('label', null, 'Comment', comment),
    h('label', null, 'Author', author),
    h('div', null, h('button', { type: 'submit', class: 'primary' }, 'Create silence')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {
      matchers: Array.from(matchers.children).map((m) => ({ name: m.querySelector('select').value, value: m.querySelector('input').value })),
      duration: durationInput.value.trim(),
      comment: comment.value.trim(),
    };
    if (author.value.trim()) body.author = author.value.trim();
    status.textContent = 'Creating the silence…';
    const r = await mutate('POST', '/api/v1/silences', body);
    if (r.cancelled) status.textContent = 'Cancelled: no token given.';
    else if (r.ok) {
      status.textContent = `Silence ${r.body && r.body.id ? r.body.id : ''} created.`;
      comment.value = '';
      load();
    } else status.textContent = `The silence was not created: ${errorText(r)}`;
  });

  main.append(h('h1', { tabindex: '-1' }, 'Silences'), status, listBox,
    h('h2', { id: 'h-new-silence' }, 'New silence'), form,
    h('h2', null, 'Maintenance windows (from the config)'), windowsBox);

  async function remove(id) {
    status.textContent = `Deleting silence ${id}…`;
    const r = await mutate('DELETE', `/api/v1/silences/${encodeURIComponent(id)}`);
    if (r.cancelled) status.textContent = 'Cancelled: no token given.';
    else if (r.ok) {
      status.textContent = `Silence ${id} deleted.`;
      load();
    } else status.textContent = `Silence ${id} was not deleted: ${errorText(r)}`;
  }

  async function load() {
    try {
      const j = await getJSON('/api/v1/silences');
      if (disposed) return;
      const ss = j.silences || [];
      clear(listBox).append(ss.length
        ? table('Silences', ['State', 'Matchers', 'Starts', 'Ends', 'Comment', 'Author', ''],
          ss.map((s) => [badge(s.state === 'active' ? 'off' : 'unknown', s.state),
            h('code', null, s.matchers.map((m) => `${m.name}=${m.value}`).join(' ')),
            time(s.starts_at), time(s.ends_at), s.comment, s.author || '',
            h('button', { type: 'button', onclick: () => remove(s.id), 'aria-label': `Delete silence ${s.id}` }, 'Delete')]))
        : h('p', { class: 'empty' }, 'No silence.'));
      const ws = j.windows || [];
      clear(windowsBox).append(ws.length
        ? table('Maintenance windows', ['Match', 'Kinds', 'Schedule', 'Duration', 'Next start', 'Comment'],
          ws.map((w) => [h('code', null, w.match), (w.kind || []).join(', '), `${w.schedule} (${w.tz})`, w.duration, time(w.starts_at), w.comment || '']))
        : h('p', { class: 'empty' }, 'No maintenance window is configured.'));
    } catch (e) {
      if (!disposed) clear(listBox).append(h('p', { class: 'error-text' }, `Could not read the silences: ${e.message}`));
    }
  }
  load();
  return { unmount() { disposed = true; } };
}
