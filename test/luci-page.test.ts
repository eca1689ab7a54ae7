/**
 * The overview in a real browser (Debian's chromium through playwright-core): the page
 * loads flowsieve/logic.js as LuCI loads a module, asks the daemon's object over LuCI's
 * JSON-RPC (answers recorded from the real daemon in the live lab), and draws the
 * applications and categories, queue health, flows and actions. With
 * UPDATE_SCREENSHOTS=1 it writes docs/luci/overview.png.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { answers, startLuciServer } from './helpers/luci-rpc-server.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

if (!existsSync(CHROMIUM)) {
  console.log(`luci-page: no browser at ${CHROMIUM} (scripts/setup-debian.sh installs Debian's chromium); left out`);
} else {
  test('overview: applications and categories as bars, queue health, flows with matched actions, action matches', async () => {
    const { server, url, calls } = await startLuciServer();
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      await page.waitForSelector('body[data-ready]', { timeout: 10_000 });
      assert.is(await page.getAttribute('body', 'data-ready'), '1', await page.textContent('#root') ?? '');
      assert.equal(errors, []);
      assert.equal(calls.map((c) => `${c.object}.${c.method}`).sort(), ['flowsieve.actions', 'flowsieve.apps', 'flowsieve.flows', 'flowsieve.status']);

      const rec = answers as { apps: { apps: { name: string }[]; categories: { name: string }[] }; flows: { flows: { app: string | null; protocol: string; actions: string[] }[] }; actions: { actions: { name: string }[] } };
      // one bar segment and one legend line per application and per category
      const charts = page.locator('.fs-chart');
      assert.is(await charts.count(), 2);
      assert.is(await charts.nth(0).locator('.fs-bar-part').count(), Math.min(8, rec.apps.apps.length));
      assert.equal(await charts.nth(1).locator('.fs-name').allTextContents(), rec.apps.categories.slice(0, 8).map((c) => c.name));
      const widths = await charts.nth(0).locator('.fs-bar-part').evaluateAll((els) => els.map((e) => (e as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect().width));
      for (let i = 1; i < widths.length; i++) assert.ok(widths[i - 1]! >= widths[i]! - 0.5, 'bars from largest to smallest');

      const flowRows = page.locator('table.fs-flows tr.tr:not(.table-titles)');
      assert.is(await flowRows.count(), rec.flows.flows.length);
      assert.is((await flowRows.nth(0).locator('td').nth(0).textContent()) ?? '', rec.flows.flows[0]!.app ?? rec.flows.flows[0]!.protocol);
      const matched = rec.flows.flows.filter((f) => f.actions.length > 0).length;
      const shownMatched = (await flowRows.locator('td:nth-child(6)').allTextContents()).filter((t) => t !== '').length;
      assert.is(shownMatched, matched);
      assert.equal(await page.locator('table.fs-actions tr.tr:not(.table-titles) td:nth-child(1)').allTextContents(), rec.actions.actions.map((a) => a.name));
      assert.match((await page.locator('table.fs-queues').textContent()) ?? '', /keeping up|waiting|dropped/);

      if (process.env.UPDATE_SCREENSHOTS) {
        mkdirSync(new URL('../docs/luci/', import.meta.url), { recursive: true });
        await page.screenshot({ path: new URL('../docs/luci/overview.png', import.meta.url).pathname, fullPage: true });
      }
    } finally {
      await browser.close();
      server.close();
    }
  });
}

test.run();
