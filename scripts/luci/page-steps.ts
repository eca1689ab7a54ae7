/** Browser steps both LuCI page checks take on the flowsieve views (playwright-core). */
import type { Page } from 'playwright-core';
import { sleep } from '../../test/helpers/lab.js';

export type Shot = (name: string) => Promise<void>;

/** A view's form is drawn once its first section is. */
export async function openView(page: Page, base: string, view: string): Promise<void> {
  await page.goto(`${base}/${view}`);
  await page.waitForSelector('.cbi-section', { timeout: 15000 });
  await sleep(500);
}

/** Adds the action `games_night` through the actions form, up to its modal's Save. */
export async function addAction(page: Page, shot: Shot): Promise<void> {
  await page.locator('.cbi-section-create-name').pressSequentially('games_night');
  await page.click('.cbi-section-create .cbi-button-add');
  await page.waitForSelector('.modal', { timeout: 5000 });
  const crit = page.locator('.modal [data-name="criteria"] input[type="text"], .modal .cbi-dynlist input[type="text"]').first();
  await crit.fill("category == 'games' && other_port == 443;");
  await crit.press('Enter');
  await sleep(1500); // the daemon's `check` answers the criteria
  await shot('actions-edit');
  // targets: a MultiValue dropdown
  await page.locator('.modal [data-name="target"] .cbi-dropdown, .modal .cbi-dropdown').first().click();
  await page.locator('.modal li[data-value="log_matches"]').first().click();
  await page.locator('.modal h4').first().click();
  await sleep(300);
  await shot('actions-edit-target');
  await page.locator('.modal .cbi-button-positive').first().click();
  await sleep(800);
}

/** The views after the actions one, each screenshotted. */
export async function shootOtherViews(page: Page, base: string, shot: Shot): Promise<void> {
  for (const v of ['targets', 'exemptions', 'settings']) {
    await openView(page, base, v);
    await sleep(300);
    await shot(v);
  }
}
