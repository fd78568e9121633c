// The knowledge studio in real Chromium, on an installation of two agencies (the library with one
// entry past its review date): a member logs in, the console says how many entries are overdue and
// links to them; the studio lists them flagged, searches, follows the agency; the preview says how
// the bot would answer and which entries came closest. Everything by keyboard, WCAG 2.1 AA (axe),
// no CSP violation or console error; the preview's text never reaches the address.
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, knowledgeReviewedOn, startAgenciesSite, type AgenciesSite } from './support/agencies-site.js';
import { describeViolations, hasChromium, launchBrowser, runAxe, watchPage } from './support/browser.js';

/** The id of the focused element (the callback runs in the page). */
const focusedId = (page: Page): Promise<string> =>
  page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id ?? '');

describe.skipIf(!hasChromium && !process.env['CI'])('the knowledge studio in a browser', () => {
  let browser: Browser;
  let site: AgenciesSite;
  let knowledgeDir: string;

  beforeAll(async () => {
    knowledgeDir = knowledgeReviewedOn({ 'library/library.renew': '2025-01-15' });
    [browser, site] = await Promise.all([launchBrowser(), startAgenciesSite({ knowledgeDir })]);
    await site.staff(
      'ilze',
      ['lv'],
      [
        { agency: 'library', role: 'staff' },
        { agency: 'archive', role: 'staff' },
      ],
    );
    const at = new Date(site.clock.t - 86_400_000);
    await site.store
      .recordsOf('library')
      .outcome({ conversationId: 'b1', channel: 'directline', language: 'lv', kind: 'answer', entryId: 'library.card', authorityIds: [], at });
    await site.store.recordsOf('library').feedback({ conversationId: 'b1', entryId: 'library.card', helpful: true, at });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
    if (knowledgeDir) rmSync(knowledgeDir, { recursive: true, force: true });
  });

  const axeClean = async (page: Page) => {
    const violations = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);
  };
  const rows = (page: Page) => page.locator('#entries tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-entry') ?? ''));

  it('the reminder on login, the overdue entries flagged, a search, a preview: all by keyboard', async () => {
    const context = await browser.newContext({ locale: 'lv-LV' });
    const page = await context.newPage();
    const problems = await watchPage(page);

    await page.goto(`${site.origin}/staff`);
    await page.getByLabel('Lietotājvārds', { exact: true }).fill('ilze');
    await page.getByLabel('Parole', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Parole', { exact: true }).press('Enter');
    await page.getByRole('heading', { name: 'Rinda' }).waitFor();

    // On login: the library's overdue entries, and a link to them.
    const reminder = page.locator('#review-reminder');
    await reminder.waitFor();
    expect(await reminder.textContent()).toContain('1 ierakstam nokavēta pārskatīšana');
    await axeClean(page);
    const link = reminder.getByRole('link', { name: 'Skatīt ierakstus, kas jāpārskata' });
    await link.focus();
    await link.press('Enter');
    await page.getByRole('heading', { name: /Zināšanu bāze — Pilsētas bibliotēka/ }).waitFor();
    expect(new URL(page.url()).search).toBe('?agency=library&overdue=1');

    // Only the overdue entry, flagged.
    await expect.poll(() => rows(page)).toEqual(['library.renew']);
    const renew = page.locator('#entries tr[data-entry="library.renew"]');
    expect(await renew.getByText('Nokavēta pārskatīšana').count()).toBe(1);
    expect(await renew.locator('th').textContent()).toContain('Kā pagarināt grāmatu?');
    expect(await renew.textContent()).toContain('Lasītāju apkalpošana');
    expect(await page.locator('#entries-summary').textContent()).toContain('Atrasti: 1 no 3.');
    await axeClean(page);

    // The filter off by keyboard: every entry, only the overdue one flagged, the counts of the last 30 days.
    const overdue = page.getByLabel('Tikai tie, kam nokavēta pārskatīšana');
    await overdue.focus();
    await overdue.press('Space');
    await expect.poll(() => rows(page)).toEqual(['library.card', 'library.renew', 'smalltalk.greeting']);
    expect(await page.locator('#entries .badge').count()).toBe(1);
    const card = page.locator('#entries tr[data-entry="library.card"]');
    const [answered, helped] = await card.locator('td.number').allTextContents();
    expect(answered).toBe('1');
    expect(helped).toMatch(/^100\s?% \(1 no 1\)$/);
    expect(new URL(page.url()).search).toBe('?agency=library');

    // A search, from the keyboard: no diacritics needed.
    const search = page.getByLabel('Meklēt ierakstos');
    await search.focus();
    await search.fill('lasitaja');
    await search.press('Enter');
    await expect.poll(() => rows(page)).toEqual(['library.card']);
    expect(new URL(page.url()).search).toBe('?agency=library&q=lasitaja');

    // The preview: typed, tried with Ctrl+Enter; the focus goes to the decision.
    const text = page.getByLabel('Jautājums, kā to rakstītu iedzīvotājs');
    await text.focus();
    await text.fill('Kā pagarināt grāmatu?');
    await text.press('Control+Enter');
    await page.locator('#preview-result').waitFor();
    expect(await focusedId(page)).toBe('decision-title');
    expect(await page.locator('#decision').textContent()).toContain('atbildētu ar ierakstu');
    expect(await page.locator('#decision').textContent()).toContain('library.renew');
    const closest = page.locator('#closest tr').first();
    expect(await closest.getAttribute('data-candidate')).toBe('library.renew');
    expect(await closest.textContent()).toContain('Kā pagarināt grāmatu?');
    expect(await closest.locator('td').last().textContent()).not.toBe('—'); // the matched words
    expect(page.url()).not.toContain('pagar');
    await axeClean(page);

    // Every control is reached with Tab, in order.
    await page.locator('#main').focus();
    const reached: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      reached.push(await focusedId(page));
    }
    const order = ['agency', 'q', 'overdue', 'preview-text'].map((id) => reached.indexOf(id));
    expect(
      order.every((i) => i >= 0),
      reached.join(' '),
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);

    // The other agency, by keyboard: its own entries, none overdue; the preview answers from its knowledge.
    const choice = page.getByLabel('Iestāde', { exact: true });
    await choice.focus();
    await choice.selectOption('archive');
    await page.getByRole('heading', { name: /Pilsētas arhīvs/ }).waitFor();
    await search.fill('');
    await search.press('Enter');
    await expect.poll(() => rows(page)).toEqual(['archive.certificate', 'archive.copies', 'smalltalk.greeting']);
    expect(await page.locator('#entries .badge').count()).toBe(0);
    await text.fill('Kā saņemt arhīva izziņu?');
    await page.getByRole('button', { name: 'Izmēģināt' }).press('Enter');
    await expect.poll(() => page.locator('#closest tr').first().getAttribute('data-candidate')).toBe('archive.certificate');

    // An empty text is said, not sent.
    await text.fill('');
    await text.press('Control+Enter');
    await page.getByRole('alert').filter({ hasText: 'Ierakstiet jautājumu' }).waitFor();
    await axeClean(page);

    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
