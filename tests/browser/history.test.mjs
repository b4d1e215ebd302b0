// History on the dashboard: the overview's uptime bars and sparklines, a subject's latency chart,
// uptime windows and incidents show what /api/v1/overview, /history, /uptime and /incidents say.
// A hale whose history endpoints answer 404 gets a dashboard that says it has no history (and
// still shows the probes' recent latencies) instead of breaking.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHale, targetServer, launchBrowser, openPage, until, cleanup, sleep } from './harness.mjs';

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
groups = ["ready"]
`);
  browser = await launchBrowser();
  // One incident: down for a few probes, then back.
  await until('web ok', async () => (await hale.api('/api/v1/checks/web')).body.status === 'ok', 15000);
  await target.stop();
  await until('web fail', async () => (await hale.api('/api/v1/checks/web')).body.status === 'fail', 15000);
  await sleep(1500);
  await target.start();
  await until('web ok again', async () => (await hale.api('/api/v1/checks/web')).body.status === 'ok', 15000);
});

after(async () => {
  if (browser) await browser.close();
  if (hale) await hale.stop();
  if (target) await target.stop();
  cleanup();
});

function pctText(u) {
  // The dashboard's own rounding (dom.js pct): floor, never up to 100 %.
  if (u == null) return 'no data';
  if (u >= 1) return '100 %';
  const digits = u < 0.99 ? 2 : 3;
  const f = 10 ** digits;
  return `${(Math.floor(u * 100 * f) / f).toFixed(digits)} %`;
}

// What the dashboard shows when the history endpoints answer 404.
async function expectNoHistory(page, row) {
  await until('the note', async () => /no history yet/.test(await page.locator('#summary').textContent()));
  assert.equal(await row.locator('canvas.uptime').getAttribute('aria-label'), 'Uptime over 90 days: no history');
  // The sparkline falls back to the probes' recent latencies.
  await until('recent latencies', async () => /^Latency of the last \d+ probes/.test(await row.locator('canvas.spark').getAttribute('aria-label')));
  await page.goto(hale.url('/#/check/web'));
  await until('uptime says none', async () => /No uptime history yet/.test(await page.locator('#uptime').textContent()));
  await until('incidents say none', async () => /No incident history yet/.test(await page.locator('#incidents').textContent()));
  await until('the chart shows the recent probes', async () => /the last \d+ probes/.test(await page.locator('#latency-caption').textContent()));
  assert.equal(await page.locator('#latency-chart .uplot').count(), 1);
}

test('the overview and the subject page show what the history endpoints say (or that there is none)', async () => {
  const overview = await hale.api('/api/v1/overview');
  const { page, errors, context } = await openPage(browser);
  await page.goto(hale.url('/'));
  const row = page.locator('.row[data-key="check/web"]');
  await row.waitFor();
  if (overview.status === 404) {
    console.log('this hale has no history endpoints (404): checking the dashboard says so');
    await expectNoHistory(page, row);
  } else {
    assert.equal(overview.status, 200);
    const mine = overview.body.subjects.find((s) => s.kind === 'check' && s.name === 'web');
    assert.ok(mine, 'the overview lists web');
    const known = mine.daily_uptime.filter((u) => u != null);
    await until('the uptime bar label', async () => /^Uptime over \d+ days: /.test(await row.locator('canvas.uptime').getAttribute('aria-label')));
    const label = await row.locator('canvas.uptime').getAttribute('aria-label');
    if (known.length) assert.doesNotMatch(label, /no history/);
    // Uptime windows: each cell says the figure of the answer the page got (a second read would
    // differ: the windows move with every probe, and under a sanitizer the reads are seconds apart).
    const uptimeAnswer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/uptime/web');
    await page.goto(hale.url('/#/check/web'));
    const uptime = await (await uptimeAnswer).json();
    await page.locator('#uptime .uptime-cell').first().waitFor();
    for (const w of ['24h', '7d', '30d', '90d', '365d']) {
      if (!uptime.windows[w]) continue;
      const cell = page.locator(`#uptime .uptime-cell[data-window="${w}"] .v`);
      assert.equal(await cell.textContent(), pctText(uptime.windows[w].uptime), `window ${w}`);
    }
    // Incidents: as many as the API lists, the newest first.
    const incidents = (await hale.api('/api/v1/incidents?name=web&limit=20')).body.incidents.filter((i) => i.kind === 'check');
    console.log(`history endpoints answer: ${known.length} days of uptime in the overview, uptime 24h ${uptime.windows['24h'] && uptime.windows['24h'].uptime}, ${incidents.length} incidents`);
    await until('the incidents', async () => (await page.locator('#incidents li.incident').count()) === incidents.length);
    if (incidents.length) {
      assert.equal(await page.locator('#incidents li.incident').first().getAttribute('data-id'), String(incidents[0].id));
      const detail = (await hale.api(`/api/v1/incidents/${incidents[0].id}`)).body.incident;
      await page.locator('#incidents li.incident').first().locator('button[aria-expanded]').click();
      await until('its timeline', async () => (await page.locator('#incidents li.incident').first().locator('ol.timeline li').count()) === detail.timeline.length);
    }
    // The latency chart reads the history.
    await until('the chart caption', async () => /Latency over the last 24 hours|No latency recorded/.test(await page.locator('#latency-caption').textContent()));
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('a hale whose history endpoints answer 404 gets a dashboard that says it has none', async () => {
  const { page, errors, context } = await openPage(browser);
  // Whatever this hale answers, the page sees what a hale without history answers.
  await page.route(/\/api\/v1\/(overview|history\/|uptime\/|incidents)/, (route) =>
    route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":{"code":"not_found","message":"no endpoint"}}' }));
  await page.goto(hale.url('/'));
  const row = page.locator('.row[data-key="check/web"]');
  await row.waitFor();
  await expectNoHistory(page, row);
  assert.deepEqual(errors, []);
  await context.close();
});
