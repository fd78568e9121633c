// The studio's import in real Chromium, with the studio's real drafts store: an editor chooses a
// DOCX, then an XLSX, by keyboard; the page says how many drafts each made and lists them, the
// focus on the result; a bad file lists its problems and makes none. WCAG 2.1 AA (axe), no CSP
// violation or console error.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Document, HeadingLevel, Packer, Paragraph } from 'docx';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import writeXlsxFile from 'write-excel-file/node';
import { PASSWORD, startAgenciesSite, type AgenciesSite } from './support/agencies-site.js';
import { describeViolations, hasChromium, launchBrowser, runAxe, watchPage } from './support/browser.js';

const focusedId = (page: Page): Promise<string> =>
  page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id ?? '');

describe.skipIf(!hasChromium && !process.env['CI'])('the studio’s import in a browser', () => {
  let browser: Browser;
  let site: AgenciesSite;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'padoms-import-files-'));
    const docx = await Packer.toBuffer(
      new Document({
        sections: [
          {
            children: [
              new Paragraph({ text: 'Kā pieteikt grāmatu rezervāciju?', heading: HeadingLevel.HEADING_2 }),
              new Paragraph({ text: 'Katalogā vai pa tālruni.' }),
              new Paragraph({ text: 'Cik grāmatas var paņemt?', heading: HeadingLevel.HEADING_2 }),
              new Paragraph({ text: 'Līdz desmit vienlaikus.' }),
            ],
          },
        ],
      }),
    );
    writeFileSync(path.join(dir, 'BUJ.docx'), docx);
    writeFileSync(
      path.join(dir, 'BUJ.xlsx'),
      Buffer.from(
        await writeXlsxFile([
          ['Jautājums', 'Atbilde'],
          ['Vai bibliotēka strādā svētdienās?', 'Nē, svētdienās slēgts.'],
        ]).toBuffer(),
      ),
    );
    writeFileSync(path.join(dir, 'slikts.csv'), 'Jautājums;Atbilde\nKur atrodas bibliotēka?;\n');
    [browser, site] = await Promise.all([launchBrowser(), startAgenciesSite()]);
    await site.staff('redaktore', ['lv'], [{ agency: 'library', role: 'editor' }]);
    await site.staff('lasitaja', ['lv'], [{ agency: 'library', role: 'staff' }]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const axeClean = async (page: Page) => {
    const violations = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);
  };

  it('imports a DOCX and an XLSX by keyboard, and lists a bad file’s problems', async () => {
    const context = await browser.newContext({ locale: 'lv-LV' });
    const page = await context.newPage();
    const problems = await watchPage(page);
    await page.goto(`${site.origin}/staff`);
    await page.getByLabel('Lietotājvārds', { exact: true }).fill('redaktore');
    await page.getByLabel('Parole', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Parole', { exact: true }).press('Enter');
    await page.getByRole('heading', { name: 'Rinda' }).waitFor();
    await page.goto(`${site.origin}/staff/studio?agency=library`);
    await page.getByRole('heading', { name: /Zināšanu bāze — Pilsētas bibliotēka/ }).waitFor();
    await axeClean(page);

    const input = page.getByLabel('Fails ar jautājumiem un atbildēm');
    const send = page.getByRole('button', { name: 'Importēt' });
    const importFile = async (name: string) => {
      await input.setInputFiles(path.join(dir, name));
      await send.focus();
      await send.press('Enter');
      await page.locator('#import-result-title').waitFor();
      expect(await focusedId(page)).toBe('import-result-title');
    };

    await importFile('BUJ.docx');
    expect(await page.locator('#import-result-title').textContent()).toBe('Izveidoti 2 melnraksti no faila „BUJ.docx”');
    expect(await page.locator('#import-result li code').allTextContents()).toEqual(['library.pieteikt-gramatu-rezervaciju', 'library.gramatas-panemt']);
    // The entries list shows them at once, as new drafts.
    const row = page.locator('#entries tr[data-entry="library.gramatas-panemt"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('jauns (melnraksts)');
    await axeClean(page);

    await importFile('BUJ.xlsx');
    expect(await page.locator('#import-result-title').textContent()).toBe('Izveidots 1 melnraksts no faila „BUJ.xlsx”');
    expect(await page.locator('#import-result li code').allTextContents()).toEqual(['library.biblioteka-strada-svetdienas']);

    await importFile('slikts.csv');
    expect(await page.locator('#import-result-title').textContent()).toBe('Failu nevar importēt');
    expect(await page.locator('#import-result li').allTextContents()).toEqual(['2. rinda: ir jautājums, bet nav atbildes latviešu valodā.']);
    await axeClean(page);

    // No file chosen: said beside the field, the focus on it.
    await input.setInputFiles([]);
    await send.focus();
    await send.press('Enter');
    await expect.poll(() => page.locator('#import-error').textContent()).toBe('Izvēlieties failu.');
    expect(await focusedId(page)).toBe('import-file');

    const listed = (await (await site.call('GET', '/staff/api/agencies/library/studio/drafts', await site.login('redaktore'))).json()) as {
      drafts: { entryId: string }[];
    };
    expect(listed.drafts.map((d) => d.entryId).sort()).toEqual([
      'library.biblioteka-strada-svetdienas',
      'library.gramatas-panemt',
      'library.pieteikt-gramatu-rezervaciju',
    ]);
    // The bad file's 400 is the one failed request Chromium reports: it is the refusal shown.
    expect(problems.filter((p) => !/status of 400 \(Bad Request\)/.test(p))).toEqual([]);
    await context.close();
  });

  it('is not offered to a member who may not edit the agency’s knowledge', async () => {
    const context = await browser.newContext({ locale: 'lv-LV' });
    const page = await context.newPage();
    await page.goto(`${site.origin}/staff`);
    await page.getByLabel('Lietotājvārds', { exact: true }).fill('lasitaja');
    await page.getByLabel('Parole', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Parole', { exact: true }).press('Enter');
    await page.getByRole('heading', { name: 'Rinda' }).waitFor();
    await page.goto(`${site.origin}/staff/studio?agency=library`);
    await page.getByRole('heading', { name: /Zināšanu bāze — Pilsētas bibliotēka/ }).waitFor();
    expect(await page.locator('#import-section').count()).toBe(1);
    await expect.poll(() => page.locator('#import-section').isHidden()).toBe(true);
    await context.close();
  });
});
