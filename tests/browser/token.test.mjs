// The admin token: asked once in a dialog, kept for the tab, asked again with a clear message
// when hale refuses it. A real supervised process (sleep) is stopped and started from the page;
// a heartbeat is paused and resumed with the remembered token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHale, launchBrowser, openPage, until, cleanup, historyNotFound } from './harness.mjs';

const TOKEN = 'browser-test-token-4f1c9a';
let hale, browser;

before(async () => {
  hale = await startHale(`
[services.sleeper]
command = ["sleep", "1000"]

[heartbeats.nightly]
period = "1d"
`, { server: `admin_token = "${TOKEN}"` });
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (hale) await hale.stop();
  cleanup();
});

const state = async (kind, name) => (await hale.api(`/api/v1/${kind}/${name}`)).body.state;

test('a wrong token is refused and asked again; the right one stops the service', async () => {
  await until('sleeper running', async () => (await state('services', 'sleeper')) === 'running', 15000);
  const pid = (await hale.api('/api/v1/services/sleeper')).body.pid;
  assert.ok(pid > 0);
  const { page, errors, context } = await openPage(browser, {
    // The refused call's 401 is what this test asks for.
    allowed: (text, url) => historyNotFound(text, url) || (/status of 401/.test(text) && /\/api\/v1\/services\/sleeper\/stop$/.test(url)),
  });
  await page.goto(hale.url('/#/service/sleeper'));
  await page.waitForSelector('button[data-action="stop"]');
  await until('the page says running', async () => (await page.locator('.subject-head .badge').textContent()) === 'running');

  await page.click('button[data-action="stop"]');
  const dialog = page.locator('#token-dialog');
  await dialog.waitFor({ state: 'visible' });
  // The dialog has the focus in its field.
  assert.equal(await page.evaluate(() => document.activeElement.id), 'token-input');
  await page.fill('#token-input', 'wrong-token');
  await page.click('#token-dialog button[value="ok"]');
  // Refused: asked again, saying why.
  await until('the dialog again with the refusal', async () =>
    (await dialog.isVisible()) && /refused/.test(await page.locator('#token-message').textContent()));
  assert.match(await page.locator('#token-message').textContent(), /401/);
  assert.equal(await state('services', 'sleeper'), 'running', 'a wrong token changed nothing');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('hale.admin_token')), null, 'the refused token is forgotten');

  await page.fill('#token-input', TOKEN);
  await page.click('#token-dialog button[value="ok"]');
  await dialog.waitFor({ state: 'hidden' });
  await until('sleeper stopped (API)', async () => (await state('services', 'sleeper')) === 'stopped', 15000);
  await until('the page says stopped', async () => (await page.locator('.subject-head .badge').textContent()) === 'stopped');
  assert.match(await page.locator('#action-status').textContent(), /Stop: done/);
  // The process is gone.
  assert.throws(() => process.kill(pid, 0));

  // The token is remembered for the tab: Start asks nothing.
  await page.click('button[data-action="start"]');
  await until('sleeper running again', async () => (await state('services', 'sleeper')) === 'running', 15000);
  assert.equal(await dialog.isVisible(), false);
  await until('the page says running', async () => (await page.locator('.subject-head .badge').textContent()) === 'running');

  // Heartbeats: pause and resume with the same token.
  await page.goto(hale.url('/#/heartbeat/nightly'));
  await page.waitForSelector('button[data-action="pause"]:not([disabled])');
  await page.click('button[data-action="pause"]');
  await until('nightly paused', async () => (await state('heartbeats', 'nightly')) === 'paused', 10000);
  await until('the page says paused', async () => (await page.locator('.subject-head .badge').textContent()) === 'paused');
  await page.waitForSelector('button[data-action="resume"]:not([disabled])');
  await page.click('button[data-action="resume"]');
  await until('nightly resumed', async () => (await state('heartbeats', 'nightly')) !== 'paused', 10000);
  assert.deepEqual(errors, []);
  await context.close();
});

test('cancelling the dialog sends nothing', async () => {
  const { page, errors, context } = await openPage(browser);
  await page.goto(hale.url('/#/service/sleeper'));
  await page.waitForSelector('button[data-action="restart"]');
  await page.click('button[data-action="restart"]');
  await page.locator('#token-dialog').waitFor({ state: 'visible' });
  await page.keyboard.press('Escape');
  await until('cancelled', async () => /cancelled/.test(await page.locator('#action-status').textContent()));
  assert.equal(await state('services', 'sleeper'), 'running');
  assert.deepEqual(errors, []);
  await context.close();
});

test('silences: created from the form with the token, listed, deleted', async () => {
  const { page, errors, context } = await openPage(browser);
  await page.goto(hale.url('/#/silences'));
  await page.waitForSelector('#silences p.empty');
  await page.fill('input[name="mvalue"]', 'check/*');
  await page.fill('input[name="comment"]', 'browser test maintenance');
  await page.fill('input[name="duration"]', '30m');
  await page.click('form.silence-form button[type="submit"]');
  // A new tab: the token is asked for once.
  const dialog = page.locator('#token-dialog');
  await dialog.waitFor({ state: 'visible' });
  await page.fill('#token-input', TOKEN);
  await page.click('#token-dialog button[value="ok"]');
  await until('the silence in the API', async () => (await hale.api('/api/v1/silences')).body.silences.length === 1);
  const silence = (await hale.api('/api/v1/silences')).body.silences[0];
  assert.deepEqual(silence.matchers, [{ name: 'subject', value: 'check/*' }]);
  assert.equal(silence.comment, 'browser test maintenance');
  await until('the silence on the page', async () => /browser test maintenance/.test(await page.locator('#silences').textContent()));
  assert.match(await page.locator('#silences').textContent(), /subject=check\/\*/);
  await page.click(`button[aria-label="Delete silence ${silence.id}"]`);
  await until('gone from the API', async () => (await hale.api('/api/v1/silences')).body.silences.every((s) => s.state !== 'active'), 10000);
  await until('the page says deleted', async () => /deleted/.test(await page.locator('#silence-status').textContent()));
  assert.deepEqual(errors, []);
  await context.close();
});
