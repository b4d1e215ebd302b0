// The JSON API: reads, and mutating calls with the admin token (asked once, kept in
// sessionStorage, asked again when the server refuses it).

const TOKEN_KEY = 'hale.admin_token';

export class HttpError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function errorOf(r) {
  let message = `${r.status} ${r.statusText}`;
  let code;
  try {
    const j = await r.json();
    if (j && j.error) {
      message = j.error.message || message;
      code = j.error.code;
    }
  } catch (_) { /* not JSON */ }
  return new HttpError(r.status, message, code);
}

// GET a JSON document; null when the endpoint does not exist (404): a hale without history
// answers the history endpoints so.
export async function getJSON(path, { allow404 = false, signal } = {}) {
  const r = await fetch(path, { headers: { Accept: 'application/json' }, signal });
  if (r.status === 404 && allow404) return null;
  if (!r.ok) throw await errorOf(r);
  return r.json();
}

let dialogOpen = null;

// Asks for the token in the page's <dialog>; resolves to the token, or null when cancelled.
export function askToken(message, refused = false) {
  if (dialogOpen) return dialogOpen;
  const dialog = document.getElementById('token-dialog');
  const input = document.getElementById('token-input');
  const text = document.getElementById('token-message');
  text.textContent = message || "This action needs hale's admin token (server.admin_token).";
  text.classList.toggle('refused', refused);
  input.value = '';
  dialogOpen = new Promise((resolve) => {
    const done = () => {
      dialog.removeEventListener('close', done);
      dialogOpen = null;
      const token = dialog.returnValue === 'ok' ? input.value.trim() : '';
      input.value = '';
      resolve(token ? token : null);
    };
    dialog.addEventListener('close', done);
  });
  dialog.returnValue = '';
  dialog.showModal();
  input.focus();
  return dialogOpen;
}

export function forgetToken() { sessionStorage.removeItem(TOKEN_KEY); }

// A mutating call (POST, DELETE). Resolves to {ok, status, body} or {cancelled: true} when the
// person cancelled the token dialog. A 401 or 403 forgets the token and asks again, saying why.
export async function mutate(method, path, body) {
  let message = null;
  for (let attempt = 0; attempt < 10; attempt++) {
    let token = sessionStorage.getItem(TOKEN_KEY);
    if (!token || message) {
      token = await askToken(message, message != null);
      if (token == null) return { cancelled: true };
      sessionStorage.setItem(TOKEN_KEY, token);
    }
    const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (r.status === 401 || r.status === 403) {
      forgetToken();
      const e = await errorOf(r);
      message = r.status === 401
        ? `The token was refused (${r.status}: ${e.message}). Enter the admin token again.`
        : `hale refused the call (${r.status}: ${e.message}). Enter a token to try again, or cancel.`;
      continue;
    }
    let parsed = null;
    try { parsed = await r.json(); } catch (_) { /* empty or not JSON */ }
    return { ok: r.ok, status: r.status, body: parsed };
  }
  return { cancelled: true };
}

export function errorText(result) {
  if (result.body && result.body.error) return `${result.status}: ${result.body.error.message}`;
  return `HTTP ${result.status}`;
}
