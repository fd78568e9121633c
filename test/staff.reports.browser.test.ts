// The console's report page in real Chromium: a staff member logs in, follows the console's link,
// and sees the seeded figures drawn as bar charts (SVG, one bar per figure, labels from the data);
// the period form works by keyboard; WCAG 2.1 AA (axe); no CSP violation or console error; a
// citizen's question is shown as text.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TurnOutcome } from '../bot/records.js';
import { startApp, type RunningApp } from './support/app.js';
import { describeViolations, hasChromium, launchBrowser, runAxe, watchPage as watch } from './support/browser.js';

/** Monday 16 November 2026, 13:30 in Riga: 2026 Q4. */
const clock = { t: Date.parse('2026-11-16T11:30:00Z') };
const PASSWORD = 'correct horse battery staple';
const XSS = '<img src=x onerror=alert(1)> kāpēc <b>nav</b> atbildes';

/** The bars of the chart in a section, as [label, value] from the SVG itself. */
function bars(page: Page, sectionTitle: string): Promise<[string, number][]> {
  return page
    .getByRole('region', { name: sectionTitle })
    .locator('svg rect.bar')
    .evaluateAll((rects) => rects.map((r) => [r.getAttribute('data-label') ?? '', Number(r.getAttribute('data-value'))] as [string, number]));
}

function svgLabels(page: Page, sectionTitle: string): Promise<string[]> {
  return page.getByRole('region', { name: sectionTitle }).locator('svg text.label').allTextContents();
}

describe.skipIf(!hasChromium && !process.env['CI'])('the report page in a browser', () => {
  let browser: Browser;
  let site: RunningApp;

  beforeAll(async () => {
    [browser, site] = await Promise.all([launchBrowser(), startApp({}, { now: () => new Date(clock.t) })]);
    await site.app.handover.ready;
    const added = await site.app.handover.directory.add({ name: 'Anna Bērziņa', login: 'anna', languages: ['lv'], role: 'staff', password: PASSWORD });
    if (!added.ok) throw new Error(added.message);

    // Seeded straight into the records the bot keeps: seven messages in 2026 Q4 (an answer, three
    // referrals — VID twice, PMLP once —, a fallback, a complaint, a handover), a complaint in Q3,
    // ratings 5, 4, 4, one "it helped" and one "it did not", one unanswered question.
    const records = site.app.records;
    const nov = (day: number) => new Date(Date.UTC(2026, 10, day, 9));
    const outcome = (conversationId: string, kind: TurnOutcome['kind'], at: Date, extra: Partial<TurnOutcome> = {}) =>
      records.outcome({ conversationId, channel: 'directline', language: 'lv', kind, authorityIds: [], at, ...extra });
    await outcome('r1', 'answer', nov(2), { entryId: 'dvi.consent' });
    await outcome('r1', 'refer', nov(2), { authorityIds: ['vid'] });
    await outcome('r2', 'refer', nov(3), { authorityIds: ['vid'] });
    await outcome('r2', 'refer', nov(3), { authorityIds: ['pmlp'] });
    await outcome('r2', 'fallback', nov(3));
    await outcome('r3', 'complaint', nov(4));
    await outcome('r3', 'handover', nov(4));
    await outcome('r4', 'complaint', new Date(Date.UTC(2026, 7, 10, 9)));
    for (const [conversationId, score] of [
      ['r1', 5],
      ['r2', 4],
      ['r3', 4],
    ] as const)
      await records.rating({ conversationId, language: 'lv', score, at: nov(5) });
    await records.feedback({ conversationId: 'r1', entryId: 'dvi.consent', helpful: true, at: nov(2) });
    await records.feedback({ conversationId: 'r2', entryId: 'dvi.consent', helpful: false, at: nov(3) });
    await records.unanswered({ conversationId: 'r2', text: XSS, reason: 'fallback', language: 'lv', at: nov(3) });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });

  it('log in, open the report, read the charts, change the period by keyboard', async () => {
    const context = await browser.newContext({ locale: 'lv-LV' });
    const page = await context.newPage();
    const problems = await watch(page);
    const authority = (id: string) => site.app.knowledge.current.authorities.get(id)!.name.lv;

    // Without a session the report page sends the browser to the console's login.
    await page.goto(`${site.origin}/staff/reports`);
    expect(new URL(page.url()).pathname).toBe('/staff');
    await page.getByLabel('Lietotājvārds', { exact: true }).fill('anna');
    await page.getByLabel('Parole', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Parole', { exact: true }).press('Enter');
    await page.getByRole('heading', { name: 'Rinda' }).waitFor();
    await page.getByRole('navigation', { name: 'Konsoles sadaļas' }).getByRole('link', { name: 'Pārskats' }).click();
    await page.getByRole('heading', { name: 'Pakalpojuma kvalitātes pārskats' }).waitFor();
    await page.locator('#shares-chart svg').waitFor();

    // The current quarter by default.
    expect(await page.getByLabel('No', { exact: true }).inputValue()).toBe('2026-10-01');
    expect(await page.getByLabel('Līdz (ieskaitot)').inputValue()).toBe('2026-12-31');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('01.10.2026–31.12.2026');

    // Shares of 7 messages, adding up: answered 1, clarified 1 (the complaint), referred 3, fallback 1,
    // asked for a person 1, nothing else.
    expect(await bars(page, 'Ko bots darīja ar ziņām')).toEqual([
      ['Atbildēja', 1 / 7],
      ['Uzdeva precizējošu jautājumu', 1 / 7],
      ['Pāradresēja citai iestādei', 3 / 7],
      ['Nesaprata jautājumu', 1 / 7],
      ['Lūdza darbinieku', 1 / 7],
      ['Cits (cita valoda, aizsargāta informācija, aizskaroša saruna, dzēšana)', 0],
    ]);
    const shares = page.getByRole('region', { name: 'Ko bots darīja ar ziņām' });
    const sharesImage = shares.getByRole('img');
    // The text alternative reads out every number, formatted for Latvian (decimal comma).
    const sharesLabel = (await sharesImage.getAttribute('aria-label')) ?? '';
    expect(sharesLabel).toMatch(/Pāradresēja citai iestādei — 42,9\s?%\s\(3\)/);
    expect(sharesLabel).toMatch(/Atbildēja — 14,3\s?%\s\(1\)/);
    expect(await shares.locator('figure figcaption').textContent()).toBe('Daļa no visām ziņām (7)');

    expect(await bars(page, 'Apmierinātība')).toEqual([
      ['1 – slikti', 0],
      ['2', 0],
      ['3', 0],
      ['4', 2],
      ['5 – ļoti labi', 1],
    ]);
    expect(await page.getByRole('region', { name: 'Apmierinātība' }).getByRole('img').getAttribute('aria-label')).toContain('vidēji 4,33');

    expect(await bars(page, 'Pāradresācijas pa iestādēm')).toEqual([
      [authority('vid'), 2],
      [authority('pmlp'), 1],
    ]);
    expect(await svgLabels(page, 'Pāradresācijas pa iestādēm')).toEqual([authority('vid'), authority('pmlp')]);
    expect(await bars(page, 'Sūdzības pa ceturkšņiem')).toEqual([['2026. gada 4. ceturksnis', 1]]);
    expect(await page.getByRole('region', { name: 'Sūdzības pa ceturkšņiem' }).locator('figcaption').textContent()).toBe('Kopā 1 sūdzība');

    // Tables: the citizen's words stay text.
    const unanswered = page.getByRole('region', { name: 'Biežākie neatbildētie jautājumi' });
    expect(await unanswered.locator('tbody tr').count()).toBe(1);
    expect(await unanswered.locator('.citizen-text').textContent()).toBe(XSS);
    expect(await unanswered.locator('img, b').count()).toBe(0);
    const helpful = page.getByRole('region', { name: '„Vai tas palīdzēja?”' });
    expect(await helpful.getByRole('row', { name: /^Jā/ }).textContent()).toMatch(/1\s\(50\s?%\)/);
    expect(
      await page
        .getByRole('region', { name: 'Nodošana darbiniekam' })
        .getByRole('row', { name: /Gaidīšanas laika mediāna/ })
        .textContent(),
    ).toContain('–');
    expect(await page.getByRole('link', { name: 'Lejupielādēt CSV' }).getAttribute('href')).toBe(
      '/staff/api/agencies/dvi/report?from=2026-10-01&to=2026-12-31&format=csv',
    );

    const violations = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);

    // A period ending before it starts: said, and the field marked, without asking the server.
    const from = page.getByLabel('No', { exact: true });
    await from.fill('2027-01-15');
    await from.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'Beigu datums nedrīkst būt pirms sākuma datuma' }).waitFor();
    expect(await page.getByLabel('Līdz (ieskaitot)').getAttribute('aria-invalid')).toBe('true');
    const errorViolations = await runAxe(page);
    expect(errorViolations, describeViolations(errorViolations)).toEqual([]);

    // Two quarters, by keyboard: the Q3 complaint joins the chart.
    await from.fill('2026-07-01');
    await from.press('Enter');
    await expect
      .poll(() => bars(page, 'Sūdzības pa ceturkšņiem'))
      .toEqual([
        ['2026. gada 3. ceturksnis', 1],
        ['2026. gada 4. ceturksnis', 1],
      ]);
    expect(new URL(page.url()).search).toBe('?agency=dvi&from=2026-07-01&to=2026-12-31');
    expect(await page.getByLabel('Līdz (ieskaitot)').getAttribute('aria-invalid')).toBeNull();
    expect(await page.locator('#period-error').textContent()).toBe('');

    // A reload keeps the period.
    await page.reload();
    await expect.poll(() => bars(page, 'Sūdzības pa ceturkšņiem').then((b) => b.length)).toBe(2);
    expect(await from.inputValue()).toBe('2026-07-01');

    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
