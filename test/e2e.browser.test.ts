// End to end, as a citizen sees it: the demo agency page of the real app in real Chromium, the
// widget opened, a Latvian question typed into Web Chat, the Latvian answer read back; WCAG 2.1 AA.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { hasChromium, launchBrowser, runAxe, describeViolations } from './support/browser.js';
import { startApp, type RunningApp } from './support/app.js';

describe.skipIf(!hasChromium && !process.env['CI'])('the demo agency in a browser', () => {
  let browser: Browser;
  let site: RunningApp;
  beforeAll(async () => {
    [browser, site] = await Promise.all([launchBrowser(), startApp()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });

  it('answers a Latvian question in Latvian, and the page with the open widget passes axe', async () => {
    const context = await browser.newContext({ locale: 'lv-LV' });
    const page = await context.newPage();
    await page.goto(`${site.origin}/`);
    await page.getByRole('heading', { level: 1, name: 'Datu valsts inspekcija' }).waitFor();

    await page.getByRole('button', { name: 'Jautāt čatbotam' }).click();
    const dialog = page.getByRole('dialog', { name: 'Čatbots' });
    await dialog.locator('p').filter({ hasText: 'virtuālais asistents' }).first().waitFor({ timeout: 20_000 });

    const sendBox = dialog.getByRole('textbox');
    await sendBox.fill('Kā iesniegt sūdzību par personas datu apstrādi?');
    await sendBox.press('Enter');
    const entry = site.app.knowledge.current.entries.get('dvi.data-complaint')!;
    // The answer's first words as rendered (Markdown list numbers become <ol> items).
    const opening = entry.answer.lv.trim().split('\n')[0]!.replace(/^\d+\.\s*/, '').slice(0, 40);
    await dialog.getByText(opening).first().waitFor({ timeout: 20_000 });
    await dialog.getByRole('button', { name: 'Jā' }).first().waitFor();

    const violations = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await context.close();
  }, 90_000);
});
