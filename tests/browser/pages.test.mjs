// Every page of the dashboard loads in Chromium with no console error and no page error, the
// overview shows what the API says, light and dark both render, the keyboard reaches the filter
// and the rows, and the assets are served as they should be. Screenshots go to the build dir.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startHale, targetServer, closedPort, launchBrowser, openPage, until, screenshotPath, cleanup,
} from './harness.mjs';

let hale, target, browser;

before(async () => {
  target = await targetServer();
  const closed = await closedPort();
  hale = await startHale(`
[groups.frontend]
[groups.backend]

[defaults]
interval = "1s"
timeout = "1s"
failure_threshold = 1

[checks.web]
type = "http"
url = "${target.url('/status')}"
groups = ["ready", "frontend"]

[checks.api-latency]
type = "http"
url = "${target.url('/api')}"
groups = ["ready"]

[checks.cache]
type = "tcp"
target = "127.0.0.1:${closed}"
critical = false
groups = ["backend"]

[services.sleeper]
command = ["sleep", "1000"]

[heartbeats.backup]
period = "1h"
grace = "10m"

[notifiers.hook]
type = "webhook"
url = "${target.url('/hook')}"

[[alerts]]
match = ["*"]
notify = ["hook"]
`);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (hale) await hale.stop();
  if (target) await target.stop();
  cleanup();
});

// Waits until the API says web is ok and cache is fail, so the pages show settled states.
async function settled() {
  await until('web ok and cache fail in /api/v1/checks', async () => {
    const { body } = await hale.api('/api/v1/checks');
    const by = Object.fromEntries(body.checks.map((c) => [c.name, c.status]));
    return by.web === 'ok' && by['api-latency'] === 'ok' && by.cache === 'fail';
  }, 20000);
}

async function rowOf(page, key) {
  return page.locator(`.row[data-key="${key}"]`);
}

test('GET / is the dashboard, its assets are served with their types, unknown assets are 404', async () => {
  const index = await hale.api('/');
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /^text\/html/);
  assert.match(index.headers.get('content-security-policy'), /default-src 'self'/);
  assert.match(index.body, /<link rel="icon" href="data:,">/);
  const js = index.body.match(/\/assets\/(app\.[0-9a-f]+\.js)/);
  const css = index.body.match(/\/assets\/(app\.[0-9a-f]+\.css)/);
  assert.ok(js && css, 'the page names its hashed script and style sheet');
  const script = await hale.api(`/assets/${js[1]}`);
  assert.equal(script.status, 200);
  assert.match(script.headers.get('content-type'), /^text\/javascript/);
  assert.match(script.headers.get('etag'), /^"[0-9a-f]+"$/);
  assert.equal(script.headers.get('x-content-type-options'), 'nosniff');
  const style = await hale.api(`/assets/${css[1]}`);
  assert.equal(style.status, 200);
  assert.match(style.headers.get('content-type'), /^text\/css/);
  // Bundle sizes stay in the tens of KB.
  assert.ok(script.body.length < 200 * 1024, `app.js is ${script.body.length} bytes`);
  assert.equal((await hale.api('/assets/nope.js')).status, 404);
  assert.equal((await hale.api('/assets/index.html')).status, 404);
  assert.equal((await hale.api('/assets/', { method: 'POST' })).status, 405);
});

test('the overview shows every subject with the status the API gives it', async () => {
  await settled();
  const { page, errors, context } = await openPage(browser);
  await page.goto(hale.url('/'));
  const checks = (await hale.api('/api/v1/checks')).body.checks;
  const services = (await hale.api('/api/v1/services')).body.services;
  const heartbeats = (await hale.api('/api/v1/heartbeats')).body.heartbeats;
  const expected = [
    ...checks.map((c) => [`check/${c.name}`, c.status]),
    ...services.map((s) => [`service/${s.name}`, s.state]),
    ...heartbeats.map((b) => [`heartbeat/${b.name}`, b.state]),
  ];
  assert.equal(expected.length, 5);
  for (const [key, word] of expected) {
    const row = await rowOf(page, key);
    await until(`row ${key} shows "${word}"`, async () => (await row.locator('.badge').textContent()) === word);
  }
  // Status is said in words and shapes, not colour alone: each badge has its text.
  assert.equal(await (await rowOf(page, 'check/cache')).locator('.badge').getAttribute('class'), 'badge fail');
  assert.match(await (await rowOf(page, 'check/cache')).locator('.detail').textContent(), /refused|connect/i);
  // The summary counts them.
  assert.match(await page.locator('#summary').textContent(), /5 subjects: 1 failing/);
  // Text alternatives of the pictures.
  const label = await (await rowOf(page, 'check/web')).locator('canvas.uptime').getAttribute('aria-label');
  assert.match(label, /^Uptime over 90 days/);
  assert.match(await (await rowOf(page, 'check/web')).locator('canvas.spark').getAttribute('aria-label'), /^Latency/);
  // Filters: by status, by group, by name.
  await page.selectOption('#f-status', 'fail');
  await until('only cache left', async () => (await page.locator('.row').count()) === 1);
  assert.equal(await page.locator('.row .name').textContent(), 'cache');
  assert.match(page.url(), /status=fail/);
  await page.selectOption('#f-status', '');
  await page.selectOption('#f-group', 'ready');
  await until('the ready group', async () => (await page.locator('.row').count()) === 2);
  await page.selectOption('#f-group', '');
  await page.fill('#f-name', 'SLEEP');
  await until('the name filter', async () => (await page.locator('.row').count()) === 1);
  assert.equal(await page.locator('.row .name').textContent(), 'sleeper');
  await page.fill('#f-name', '');
  await until('every row back', async () => (await page.locator('.row').count()) === 5);
  // Worst first: the failing check on top (rows are placed by their position in the list).
  const firstRow = () => page.evaluate(() => {
    const rows = [...document.querySelectorAll('#subjects .row')];
    rows.sort((a, b) => Number(a.getAttribute('aria-posinset')) - Number(b.getAttribute('aria-posinset')));
    return rows[0].dataset.key;
  });
  assert.equal(await firstRow(), 'check/api-latency');
  await page.selectOption('#f-sort', 'status');
  await until('cache first', async () => (await firstRow()) === 'check/cache');
  await page.selectOption('#f-sort', 'name');
  await until('by name again', async () => (await firstRow()) === 'check/api-latency');
  await until('the sparklines', async () => !/no data/.test(await (await rowOf(page, 'check/web')).locator('canvas.spark').getAttribute('aria-label')));
  await page.screenshot({ path: screenshotPath('dashboard-overview.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('every page loads with no console error and no page error', async () => {
  await settled();
  const { page, errors, context } = await openPage(browser);
  const pages = [
    ['#/', '#subjects .row'],
    ['#/check/web', '#latency-caption:not(:empty)'],
    ['#/check/cache', 'dl.facts'],
    ['#/service/sleeper', 'button[data-action="stop"]'],
    ['#/heartbeat/backup', 'button[data-action="pause"]'],
    ['#/alerts', '#alerts h2'],
    ['#/silences', '#silences :is(table, p.empty)'],
    ['#/nowhere', 'h1'],
  ];
  await page.goto(hale.url('/'));
  for (const [hash, ready] of pages) {
    await page.evaluate((h) => { location.hash = h; }, hash);
    await page.waitForSelector(ready);
    // Every part of the page has its answer (uptime, incidents, history: no "Loading…" left).
    await page.waitForFunction(() => !document.querySelector('main .loading'));
    await page.waitForTimeout(200);
  }
  // A fresh load of a subject page too (not only through the router).
  await page.goto(hale.url('/#/check/web'));
  await page.waitForSelector('#subject-title');
  await page.waitForSelector('#latency-chart :is(.uplot, p.empty)');
  assert.equal(await page.locator('#subject-title').textContent(), 'web');
  await until('the page says ok', async () => (await page.locator('.subject-head .badge').textContent()) === 'ok');
  await page.screenshot({ path: screenshotPath('dashboard-subject.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('the alerts page lists the deliveries /api/v1/alerts has', async () => {
  await settled();
  const api = await until('a delivery about cache', async () => {
    const { body } = await hale.api('/api/v1/alerts');
    return body.deliveries.some((d) => /cache/.test(d.subject)) && body;
  }, 30000);
  const { page, errors, context } = await openPage(browser);
  await page.goto(hale.url('/#/alerts'));
  await page.waitForSelector('#alerts table');
  const notifiers = page.locator('#alerts table').first().locator('tbody tr');
  assert.equal(await notifiers.count(), api.notifiers.length);
  assert.equal(await notifiers.first().locator('td').first().textContent(), 'hook');
  const deliveries = page.locator('#alerts table').nth(1).locator('tbody tr');
  await until('the deliveries', async () => (await deliveries.count()) >= api.deliveries.length);
  const text = await page.locator('#alerts table').nth(1).textContent();
  for (const d of api.deliveries) assert.ok(text.includes(d.subject), `${d.subject} is listed`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('light and dark both render; the toggle overrides the system theme', async () => {
  const bg = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await openPage(browser, { colorScheme: 'light' });
  await light.page.goto(hale.url('/'));
  await light.page.waitForSelector('#subjects .row');
  assert.equal(await bg(light.page), 'rgb(255, 255, 255)');
  const dark = await openPage(browser, { colorScheme: 'dark' });
  await dark.page.goto(hale.url('/'));
  await dark.page.waitForSelector('#subjects .row');
  assert.equal(await bg(dark.page), 'rgb(13, 17, 23)');
  await dark.page.screenshot({ path: screenshotPath('dashboard-dark.png') });
  // system -> light -> dark, kept across a reload
  await light.page.click('#theme-toggle');
  assert.equal(await light.page.locator('#theme-toggle').textContent(), 'Theme: light');
  await light.page.click('#theme-toggle');
  assert.equal(await light.page.locator('#theme-toggle').textContent(), 'Theme: dark');
  assert.equal(await bg(light.page), 'rgb(13, 17, 23)');
  await light.page.reload();
  await light.page.waitForSelector('#subjects .row');
  assert.equal(await bg(light.page), 'rgb(13, 17, 23)');
  // The subject page's chart follows the theme too.
  await light.page.goto(hale.url('/#/check/web'));
  await light.page.waitForSelector('#latency-chart :is(.uplot, p.empty)');
  assert.deepEqual([...light.errors, ...dark.errors], []);
  await light.context.close();
  await dark.context.close();
});

test('keyboard: Tab reaches the filter and the rows, arrows move between rows, Enter opens one', async () => {
  const { page, errors, context } = await openPage(browser);
  await page.goto(hale.url('/'));
  await page.waitForSelector('#subjects .row');
  const focused = () => page.evaluate(() => {
    const e = document.activeElement;
    return e ? (e.id || e.textContent || e.tagName) : null;
  });
  // Skip link, brand, the three nav links, the theme button, then the filters.
  let seen = [];
  for (let i = 0; i < 12 && !seen.includes('f-name'); i++) {
    await page.keyboard.press('Tab');
    seen.push(await focused());
  }
  assert.ok(seen.includes('f-name'), `Tab reached ${seen.join(', ')}`);
  // On through the other filters to the first row (one tab stop for the whole list).
  for (let i = 0; i < 6 && (await focused()) !== 'api-latency'; i++) await page.keyboard.press('Tab');
  assert.equal(await focused(), 'api-latency');
  const visible = await page.evaluate(() => {
    const r = document.activeElement.getBoundingClientRect();
    return r.height > 0 && getComputedStyle(document.activeElement).outlineStyle !== 'none';
  });
  assert.ok(visible, 'the focused row is visible and has a focus outline');
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'backup');
  await page.keyboard.press('End');
  assert.equal(await focused(), 'web');
  await page.keyboard.press('Home');
  assert.equal(await focused(), 'api-latency');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#subject-title');
  assert.equal(await page.locator('#subject-title').textContent(), 'backup');
  // The new page's heading has the focus, for screen readers.
  assert.equal(await focused(), 'subject-title');
  assert.deepEqual(errors, []);
  await context.close();
});
