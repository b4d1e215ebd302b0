// Accessibility, checked by axe-core (the engine of browser accessibility checkers, from the same
// npm ci) on every page in light and dark: WCAG 2.1 A and AA rules, colour contrast included.
// Landmarks, names of controls and pictures, list structure, ARIA use: no violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  startHale, targetServer, closedPort, launchBrowser, openPage, until, cleanup, webModule,
} from './harness.mjs';

let hale, target, browser;
const axePath = path.join(webModule('axe-core'), 'axe.min.js');

before(async () => {
  target = await targetServer();
  const closed = await closedPort();
  hale = await startHale(`
[groups.frontend]

[checks.web]
type = "http"
url = "${target.url('/')}"
interval = "1s"
groups = ["ready", "frontend"]

[checks.cache]
type = "tcp"
target = "127.0.0.1:${closed}"
interval = "1s"
failure_threshold = 1
critical = false

[services.sleeper]
command = ["sleep", "1000"]

[heartbeats.backup]
period = "1h"

[heartbeats.paused-job]
period = "1h"
`, { server: 'admin_token = "a11y-test-token-123"' });
  browser = await launchBrowser();
  await until('cache fail', async () => (await hale.api('/api/v1/checks/cache')).body.status === 'fail', 15000);
  // A paused heartbeat: the "off" badge is checked too.
  const paused = await hale.api('/api/v1/heartbeats/paused-job/pause', { method: 'POST', headers: { Authorization: 'Bearer a11y-test-token-123' } });
  assert.equal(paused.status, 200);
});

after(async () => {
  if (browser) await browser.close();
  if (hale) await hale.stop();
  if (target) await target.stop();
  cleanup();
});

const PAGES = ['#/', '#/check/web', '#/check/cache', '#/service/sleeper', '#/heartbeat/backup', '#/heartbeat/paused-job', '#/alerts', '#/silences'];

for (const scheme of ['light', 'dark']) {
  test(`every page passes axe-core's WCAG 2.1 A and AA rules (${scheme})`, async () => {
    // axe is injected into the page: the page's own policy allows no script but its own.
    const { page, errors, context } = await openPage(browser, { colorScheme: scheme, bypassCSP: true });
    const found = [];
    for (const hash of PAGES) {
      await page.goto(hale.url(`/${hash}`));
      await page.waitForSelector('main h1');
      await page.waitForFunction(() => !document.querySelector('main .loading'));
      await page.waitForTimeout(300);
      await page.addScriptTag({ path: axePath });
      const violations = await page.evaluate(async () => {
        const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
        return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
      });
      for (const v of violations) found.push(`${hash}: ${v}`);
    }
    assert.deepEqual(found, [], found.join('\n'));
    assert.deepEqual(errors, []);
    await context.close();
  });
}
