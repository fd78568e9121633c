// Forwarding as a citizen sees it, end to end: one installation serving two agencies (the fixture
// library and archive), the library's page in real Chromium, a question for the archive referred
// with an offer to continue here, the offer pressed in Web Chat, the archive greeting and answering
// the question already asked, and the way back to the library.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { describeViolations, hasChromium, launchBrowser, runAxe } from './support/browser.js';
import { startApp, type RunningApp } from './support/app.js';
import { FIXTURE_KNOWLEDGE } from './support/bot.js';

const bubble = (scope: Locator, text: string) => scope.locator('p').filter({ hasText: text }).first();

async function openWidget(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Jautāt čatbotam' }).click();
  const dialog = page.getByRole('dialog', { name: 'Čatbots' });
  await bubble(dialog, 'virtuālais asistents').waitFor({ timeout: 20_000 });
  return dialog;
}

async function ask(dialog: Locator, question: string): Promise<void> {
  const sendBox = dialog.getByRole('textbox');
  await sendBox.fill(question);
  await sendBox.press('Enter');
}

describe.skipIf(!hasChromium && !process.env['CI'])('forwarding between two agencies, in Chromium', () => {
  let browser: Browser;
  let site: RunningApp;
  beforeAll(async () => {
    [browser, site] = await Promise.all([launchBrowser(), startApp({ KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE, AGENCY: 'library', AGENCIES: 'library,archive' })]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });

  it('the library refers to the archive with an offer; pressed, the archive greets and answers; back, the library answers again', async () => {
    const context = await browser.newContext({ locale: 'lv-LV' });
    const page = await context.newPage();
    await page.goto(`${site.origin}/library/`);
    const dialog = await openWidget(page);
    const lv = site.app.texts.forLanguage('lv');
    const answerOf = (agency: string, entry: string) => site.app.agencies.knowledge(agency)!.entries.get(entry)!.answer.lv.trim().slice(0, 40);

    await ask(dialog, 'Kā saņemt arhīva izziņu?');
    await dialog
      .getByText(lv('forward.offer', { authority: 'Pilsētas arhīvs' }).slice(0, 40))
      .first()
      .waitFor({ timeout: 20_000 });
    // Nothing has reached the archive before the citizen agreed.
    expect((await site.app.store.recordsOf('archive').period(new Date(0), new Date(Date.now() + 60_000))).outcomes).toEqual([]);
    const violations = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);

    await dialog
      .getByRole('button', { name: lv('forward.button') })
      .first()
      .click();
    await bubble(dialog, 'Esmu Pilsētas arhīvs virtuālais asistents').waitFor({ timeout: 20_000 });
    await bubble(dialog, answerOf('archive', 'archive.certificate')).waitFor({ timeout: 20_000 });

    await ask(dialog, 'Vai var saņemt dokumenta kopiju?');
    await bubble(dialog, answerOf('archive', 'archive.copies')).waitFor({ timeout: 20_000 });

    // The way back stays on offer while the archive has the conversation.
    await dialog
      .getByRole('button', { name: /^Atpakaļ/ })
      .last()
      .click();
    await bubble(dialog, lv('forward.welcomeBack', { agency: 'Pilsētas bibliotēka' })).waitFor({ timeout: 20_000 });
    await ask(dialog, 'Kā saņemt lasītāja karti?');
    await bubble(dialog, answerOf('library', 'library.card')).waitFor({ timeout: 20_000 });
    await context.close();
  }, 120_000);
});
