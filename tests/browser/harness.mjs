// What every browser test shares: the real hale binary on a free loopback port with a config of
// the test's, Debian's chromium driven by playwright-core (installed by the build's npm ci), a
// TMPDIR of the run's own, console and page errors collected, bounded waits, cleanup.
//
// Environment (tests/browser/CMakeLists.txt sets it): HALE_BINARY, HALE_WEB_NODE_MODULES,
// HALE_CHROMIUM, HALE_BROWSER_OUT (screenshots and figures), HALE_SANITIZED (1 under ASan/TSan).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const sanitized = process.env.HALE_SANITIZED === '1';
// The daemon under a sanitizer is several times slower: waits stretch, figures are not judged.
export const slow = sanitized ? 4 : 1;

function required(name, what) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (${what}): run the browser tests through ctest (ctest -L browser)`);
  return v;
}

export const haleBinary = required('HALE_BINARY', 'the hale executable');
const nodeModules = required('HALE_WEB_NODE_MODULES', "the build's web/node_modules");
export const chromiumPath = process.env.HALE_CHROMIUM || '/usr/bin/chromium';
export const outDir = process.env.HALE_BROWSER_OUT || process.cwd();

if (!fs.existsSync(haleBinary)) throw new Error(`no hale binary at ${haleBinary}: build first`);
if (!fs.existsSync(chromiumPath)) {
  throw new Error(`no chromium at ${chromiumPath}: the browser tests need Debian's chromium (scripts/install-deps.sh installs it)`);
}
if (!fs.existsSync(path.join(nodeModules, 'playwright-core'))) {
  throw new Error(`no playwright-core under ${nodeModules}: the build's npm ci installs it (build the hale target first)`);
}
// playwright-core is CommonJS; ES modules ignore NODE_PATH, so it is required from its folder.
const requireWeb = createRequire(path.join(nodeModules, 'hale-browser-tests.cjs'));
const { chromium } = requireWeb('playwright-core');

// The folder of a package of the build's node_modules (axe-core, say).
export function webModule(name) {
  return path.dirname(requireWeb.resolve(`${name}/package.json`));
}

// One temporary directory for the run: chromium leaves /tmp/org.chromium.* behind, and
// playwright its profile; all of it goes with the directory.
export const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hale-browser-'));
process.env.TMPDIR = tmp;

export function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

// Polls `fn` until it returns a truthy value; throws with `what` after `ms`.
export async function until(what, fn, ms = 10000) {
  const deadline = Date.now() + ms * slow;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms * slow} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await sleep(100);
  }
}

// A loopback port nothing listens on (bound, then closed).
export async function closedPort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

// A local HTTP server a check probes: 200 "ok" on every path; stop() closes it and its
// connections, start() listens again on the same port.
export async function targetServer() {
  let server = null;
  let port = 0;
  const sockets = new Set();
  const start = async () => {
    server = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', Connection: 'close' });
      res.end('ok\n');
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    port = server.address().port;
  };
  await start();
  return {
    get port() { return port; },
    url: (p = '/') => `http://127.0.0.1:${port}${p}`,
    start,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

// hale run -c <config> in a directory of its own; `config` is the TOML after [server] (whose
// listen = "127.0.0.1:0" and state_dir are set here), and `server` adds [server] keys.
export async function startHale(config, { server = '', name = 'hale' } = {}) {
  const dir = fs.mkdtempSync(path.join(tmp, `${name}-`));
  const file = path.join(dir, 'hale.toml');
  fs.writeFileSync(file, `[server]\nlisten = "127.0.0.1:0"\nstate_dir = "${path.join(dir, 'state')}"\n${server}\n${config}`);
  const child = spawn(haleBinary, ['run', '-c', file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let port = null;
  const onData = (chunk) => {
    log += chunk.toString();
    if (port == null) {
      for (const line of log.split('\n')) {
        if (!line.includes('"started"')) continue;
        try {
          const j = JSON.parse(line);
          if (j.port) port = j.port;
        } catch (_) { /* a partial line */ }
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  const deadline = Date.now() + 30000 * slow;
  while (port == null) {
    if (exited) throw new Error(`hale exited (${JSON.stringify(exited)}) before it listened: ${log.slice(-2000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`hale did not log "started" with its port within ${30 * slow} s: ${log.slice(-2000)}`);
    }
    await sleep(50);
  }
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    port,
    dir,
    log: () => log,
    url: (p = '/') => base + p,
    async api(p, init) {
      const r = await fetch(base + p, init);
      const text = await r.text();
      let body = null;
      try { body = JSON.parse(text); } catch (_) { body = text; }
      return { status: r.status, headers: r.headers, body };
    },
    // SIGTERM, and hale must exit 0 (under ASan a leak found at exit makes it fail).
    async stop() {
      if (exited) throw new Error(`hale had exited before the end of the test (${JSON.stringify(exited)}): ${log.slice(-2000)}`);
      child.kill('SIGTERM');
      const deadline = Date.now() + 20000 * slow;
      while (!exited && Date.now() < deadline) await sleep(50);
      if (!exited) {
        child.kill('SIGKILL');
        while (!exited) await sleep(20);
        throw new Error(`hale did not exit within ${20 * slow} s of SIGTERM: ${log.slice(-2000)}`);
      }
      if (exited.code !== 0) throw new Error(`hale exited with ${JSON.stringify(exited)} after SIGTERM: ${log.slice(-3000)}`);
    },
  };
}

// Chromium, headless, and a page whose console errors and uncaught exceptions are collected.
export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
    env: { ...process.env, TMPDIR: tmp },
    timeout: 60000,
  });
}

// The history endpoints answer 404 until hale keeps history (the dashboard then shows none), and
// Chromium logs every 404 a fetch gets as a console error: those, and only those, are expected.
const HISTORY = /\/api\/v1\/(overview|history\/|uptime\/|incidents)/;
export function historyNotFound(text, url) {
  return /status of 404/.test(text) && HISTORY.test(new URL(url, 'http://x').pathname);
}

// `allowed(text, url)`: console errors a test expects (a refused token's 401, say).
export async function openPage(browser, {
  colorScheme = 'light', viewport = { width: 1280, height: 800 }, allowed = historyNotFound, bypassCSP = false,
} = {}) {
  const context = await browser.newContext({ colorScheme, viewport, reducedMotion: 'reduce', bypassCSP });
  const page = await context.newPage();
  page.setDefaultTimeout(15000 * slow);
  const errors = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = (m.location() && m.location().url) || '';
    if (allowed(m.text(), url)) return;
    errors.push(`console error: ${m.text()} (${url})`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // A request cut short by a navigation (the event stream, a list still arriving) is not a
    // failure of the page.
    const why = (r.failure() && r.failure().errorText) || '';
    if (!r.url().endsWith('/api/v1/events') && why !== 'net::ERR_ABORTED') errors.push(`request failed: ${r.url()} ${why}`);
  });
  return { context, page, errors };
}

export function screenshotPath(name) {
  fs.mkdirSync(outDir, { recursive: true });
  return path.join(outDir, name);
}

export function cleanup() {
  fs.rmSync(tmp, { recursive: true, force: true });
}

// The figures of a run, one JSON file a test, for docs/dashboard.md.
export function recordFigure(name, value) {
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, 'figures.json');
  let all = {};
  try { all = JSON.parse(fs.readFileSync(file, 'utf8')); } catch (_) { /* first */ }
  all[name] = value;
  fs.writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}
