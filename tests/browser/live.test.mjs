// Live updates: the overview follows the event stream. The local HTTP server a check probes
// stops; the row turns fail without a reload (and the aria-live region says so); it starts
// again and the row turns ok.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHale, targetServer, launchBrowser, openPage, until, cleanup } from './harness.mjs';

let hale, target, browser;

before(async () => {
  target = await targetServer();
  hale = await startHale(`
[checks.web]
type = "http"
url = "${target.url('/')}"
interval = "500ms"
timeout = "1s"
failure_threshold = 1
success_threshold = 1
`);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (hale) await hale.stop();
  if (target) await target.stop();
  cleanup();
});

test('a check that starts failing turns its row fail without a reload, and back', async () => {
  await until('web ok', async () => (await hale.api('/api/v1/checks/web')).body.status === 'ok', 15000);
  const { page, errors, context } = await openPage(browser);
  await page.goto(hale.url('/'));
  const badge = page.locator('.row[data-key="check/web"] .badge');
  await until('row web ok', async () => (await badge.textContent()) === 'ok');
  await until('the event stream connected', async () => (await page.locator('#connection').textContent()) === 'Live');
  // Count page loads: a reload would reset this.
  await page.evaluate(() => { window.__marker = 'same page'; });
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));

  const stoppedAt = Date.now();
  await target.stop();
  await until('row web fail', async () => (await badge.textContent()) === 'fail', 15000);
  const seconds = (Date.now() - stoppedAt) / 1000;
  console.log(`row turned fail ${seconds.toFixed(1)} s after the server stopped (interval 500ms, threshold 1)`);
  assert.equal(await page.evaluate(() => window.__marker), 'same page', 'no reload');
  assert.ok(!requests.includes('/api/v1/checks'), 'the list was not read again: the event said it');
  assert.match(await page.locator('.row[data-key="check/web"] .detail').textContent(), /refused|connect|couldn't/i);
  await until('the live region says it', async () => /check web is now fail/.test(await page.locator('#live').textContent()), 5000);
  assert.match(await page.locator('#summary').textContent(), /1 failing/);

  await target.start();
  await until('row web ok again', async () => (await badge.textContent()) === 'ok', 15000);
  assert.equal(await page.evaluate(() => window.__marker), 'same page');

  // The subject page follows the stream too.
  await page.evaluate(() => { location.hash = '#/check/web'; });
  await page.waitForSelector('#subject-title');
  const head = page.locator('.subject-head .badge');
  await until('subject page ok', async () => (await head.textContent()) === 'ok');
  await target.stop();
  await until('subject page fail', async () => (await head.textContent()) === 'fail', 15000);
  await target.start();
  assert.deepEqual(errors, []);
  await context.close();
});
