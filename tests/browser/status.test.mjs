// The public status page (SPEC §10, docs/status-page.md) in a real browser: it loads with no
// console error, shows the subjects [status_page] names with what /status.json says (status,
// 90 daily bars with their text alternative, the incident), and no reason, target, error or
// private name anywhere a visitor can read or select (the rendered text, the titles of the bars,
// the page's source). Light and dark render; the screenshot goes in docs/img.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHale, targetServer, closedPort, launchBrowser, openPage, until, screenshotPath, cleanup } from './harness.mjs';

let hale, target, browser, privatePort;

before(async () => {
  target = await targetServer();
  privatePort = await closedPort();
  hale = await startHale(`
[checks.api]
type = "http"
url = "${target.url('/')}"
interval = "300ms"
timeout = "1s"
failure_threshold = 1

[checks.website]
type = "http"
url = "${target.url('/')}"
interval = "300ms"
timeout = "1s"
failure_threshold = 1

[checks.ledger-db]
type = "tcp"
target = "127.0.0.1:${privatePort}"
interval = "300ms"
failure_threshold = 1

[status_page]
title = "Acme status"
description = "Our API and website"
match = ["api", "website"]

[[announcements]]
message = "Database upgrade on Saturday, 02:00 to 04:00 UTC"
level = "maintenance"
`);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (hale) await hale.stop();
  if (target) await target.stop();
  cleanup();
});

test('the status page shows what /status.json says and never a reason, target or private name', async () => {
  await until('api ok', async () => (await hale.api('/api/v1/checks/api')).body.status === 'ok', 15000);
  // api fails with a reason that must never reach the public, then recovers: an incident.
  await target.stop();
  for (const name of ['api', 'website']) {
    await until(`${name} fail`, async () => (await hale.api(`/api/v1/checks/${name}`)).body.status === 'fail', 15000);
  }
  await target.start();
  for (const name of ['api', 'website']) {
    await until(`${name} ok again`, async () => (await hale.api(`/api/v1/checks/${name}`)).body.status === 'ok', 15000);
  }
  // Both shown checks probe that server: an incident of each (more if one flapped on a slow
  // machine), all of them over.
  await until('the incidents are kept', async () => {
    const incidents = (await hale.api('/status.json')).body.incidents;
    const names = new Set(incidents.map((i) => i.name));
    return names.has('api') && names.has('website') && incidents.every((i) => i.status === 'resolved');
  }, 15000);
  const json = (await hale.api('/status.json')).body;

  for (const scheme of ['light', 'dark']) {
    const { page, errors, context } = await openPage(browser, { colorScheme: scheme, viewport: { width: 1000, height: 900 } });
    const response = await page.goto(hale.url('/status'));
    assert.equal(response.status(), 200);
    assert.equal(await page.title(), 'Acme status');
    const text = await page.locator('body').innerText();
    // What the JSON says, the page shows.
    for (const s of json.subjects) {
      assert.ok(text.includes(s.name), `${s.name} shown`);
      assert.ok(text.includes(s.status), `${s.name}'s status "${s.status}" shown`);
    }
    assert.match(text, /All systems operational/);
    assert.match(text, /Database upgrade on Saturday/);
    assert.match(text, /Incidents, last 30 days/);
    assert.match(text, /resolved after/);
    const bars = page.locator('svg[role="img"]');
    assert.equal(await bars.count(), 2, 'one 90-day bar per shown subject');
    assert.match(await bars.first().getAttribute('aria-label'), /uptime over 90 days/);
    assert.equal(await page.locator('svg[role="img"]').first().locator('rect').count(), 90);
    // Nothing private, anywhere: the text, the bars' titles, the source.
    const source = await page.content();
    for (const leak of ['ledger-db', 'refused', 'connect', target.url('/'), `127.0.0.1:${privatePort}`, String(target.port)]) {
      assert.ok(!text.includes(leak), `the page shows "${leak}"`);
      assert.ok(!source.includes(leak), `the page's source holds "${leak}"`);
    }
    assert.equal(await page.locator('script').count(), 0, 'a page without script');
    if (scheme === 'light') await page.screenshot({ path: screenshotPath('status-page.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  }
  // A badge of a shown subject renders as an image; a private one is the same 404 as none.
  const { page, errors, context } = await openPage(browser, { allowed: (t) => /status of 404/.test(t) });
  await page.setContent(`<img id="a" src="${hale.url('/badge/api/status.svg')}"><img id="b" src="${hale.url('/badge/api/uptime/24h.svg')}">`);
  await until('badges loaded', async () => page.evaluate(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0)));
  assert.equal((await hale.api('/badge/ledger-db/status.svg')).status, 404);
  assert.deepEqual(errors, []);
  await context.close();
});
