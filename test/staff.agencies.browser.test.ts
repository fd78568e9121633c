// The console of an installation serving two agencies, in real Chromium: a member of both chooses
// the agency by keyboard and sees only its queue; the address keeps the choice; an agency's
// administrator manages its staff from the console; the report page follows the agency. WCAG 2.1
// AA (axe) and no CSP violation throughout.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, handoverRequest, startAgenciesSite, type AgenciesSite } from './support/agencies-site.js';
import { describeViolations, hasChromium, launchBrowser, runAxe, watchPage } from './support/browser.js';

describe.skipIf(!hasChromium && !process.env['CI'])('two agencies in a browser', () => {
  let browser: Browser;
  let site: AgenciesSite;

  beforeAll(async () => {
    [browser, site] = await Promise.all([launchBrowser(), startAgenciesSite()]);
    await site.staff(
      'boss',
      ['lv'],
      [
        { agency: 'library', role: 'admin' },
        { agency: 'archive', role: 'staff' },
      ],
    );
    await site.staff('lib', ['lv'], [{ agency: 'library', role: 'staff' }]);
    await site.handover.side.service('library').enqueue(handoverRequest('b-lib', 'Bibliotēkas jautājums'));
    await site.handover.side.service('archive').enqueue(handoverRequest('b-arc', 'Arhīva jautājums'));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });

  const axeClean = async (page: Page) => {
    const violations = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);
  };
  const questions = (page: Page) => page.locator('#queue td.question').allTextContents();

  it('a member of both switches agency by keyboard; each shows only its queue; an administrator adds staff', async () => {
    const context = await browser.newContext({ locale: 'lv-LV' });
    const page = await context.newPage();
    const problems = await watchPage(page);
    await page.goto(`${site.origin}/staff`);
    await page.getByLabel('Lietotājvārds', { exact: true }).fill('boss');
    await page.getByLabel('Parole', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Parole', { exact: true }).press('Enter');
    await page.getByRole('heading', { name: 'Rinda' }).waitFor();

    // The first agency the member serves, with its staff: the member administers it.
    await expect.poll(() => questions(page)).toEqual(['Bibliotēkas jautājums']);
    await page.getByRole('heading', { name: 'Iestādes darbinieki' }).waitFor();
    expect(new URL(page.url()).search).toBe('?agency=library');
    await axeClean(page);

    const choice = page.getByLabel('Iestāde', { exact: true });
    await choice.focus();
    await choice.selectOption('archive');
    await expect.poll(() => questions(page)).toEqual(['Arhīva jautājums']);
    expect(new URL(page.url()).search).toBe('?agency=archive');
    // In the archive the member is staff: no staff management there.
    expect(await page.locator('#accounts').isVisible()).toBe(false);
    expect(await page.getByRole('link', { name: 'Pārskats' }).getAttribute('href')).toBe('/staff/reports?agency=archive');
    await axeClean(page);

    // A reload keeps the agency.
    await page.reload();
    await expect.poll(() => questions(page)).toEqual(['Arhīva jautājums']);

    await choice.selectOption('library');
    await page.getByRole('heading', { name: 'Iestādes darbinieki' }).waitFor();
    await page.getByLabel('Vārds un uzvārds').fill('Jauns Lasītājs');
    await page.getByLabel('Jaunā darbinieka lietotājvārds').fill('jauns');
    await page.getByLabel('Valodas, kurās konsultē').fill('lv,en');
    await page.getByLabel('Sākotnējā parole').fill(PASSWORD);
    await page.getByLabel('Sākotnējā parole').press('Enter');
    const row = page.locator('#account-rows tr').filter({ hasText: 'jauns' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Pilsētas bibliotēka (darbinieks)');
    expect(await site.handover.repo.staffByLogin('jauns')).toMatchObject({ agencies: [{ agency: 'library', role: 'staff' }] });
    await axeClean(page);

    await page.getByRole('link', { name: 'Pārskats' }).click();
    await page.getByRole('heading', { name: /Pakalpojuma kvalitātes pārskats — Pilsētas bibliotēka/ }).waitFor();
    await page.getByRole('heading', { name: 'Kopsavilkums' }).waitFor();
    await page.getByLabel('Iestāde', { exact: true }).selectOption('archive');
    await page.getByRole('heading', { name: /Pilsētas arhīvs/ }).waitFor();
    await expect
      .poll(async () => page.getByRole('link', { name: 'Lejupielādēt CSV' }).getAttribute('href'))
      .toMatch(/^\/staff\/api\/agencies\/archive\/report\?/);
    await axeClean(page);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('a member of one agency gets no choice, and is refused another agency asked for in the address', async () => {
    const context = await browser.newContext({ locale: 'lv-LV' });
    const page = await context.newPage();
    const problems = await watchPage(page);
    await page.goto(`${site.origin}/staff?agency=archive`);
    await page.getByLabel('Lietotājvārds', { exact: true }).fill('lib');
    await page.getByLabel('Parole', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Parole', { exact: true }).press('Enter');
    await page.getByRole('heading', { name: 'Rinda' }).waitFor();
    await expect.poll(() => questions(page)).toEqual(['Bibliotēkas jautājums']);
    expect(await page.locator('#agency-choice').isVisible()).toBe(false);
    expect(await page.locator('#agency-name').textContent()).toBe('Pilsētas bibliotēka');
    expect(new URL(page.url()).search).toBe('?agency=library');
    await axeClean(page);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
