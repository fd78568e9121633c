// The studio's unanswered inbox in real Chromium: an agency's administrator (an editor) sees the
// groups with their examples and the closest entry preselected, marks one as another authority's by
// keyboard alone, and the group leaves the page with the focus on the next; the impact view answers
// for no drafts. WCAG 2.1 AA (axe), no CSP violation or console error; staff see the inbox without
// the actions.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startAgenciesSite, type AgenciesSite } from './support/agencies-site.js';
import { describeViolations, hasChromium, launchBrowser, runAxe, watchPage } from './support/browser.js';

const focused = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const active = (globalThis as unknown as { document: { activeElement: { id: string; textContent: string | null } | null } }).document.activeElement;
    return `${active?.id ?? ''}|${active?.textContent ?? ''}`;
  });

describe.skipIf(!hasChromium && !process.env['CI'])('the unanswered inbox in a browser', () => {
  let browser: Browser;
  let site: AgenciesSite;

  beforeAll(async () => {
    [browser, site] = await Promise.all([launchBrowser(), startAgenciesSite()]);
    await site.staff('redaktore', ['lv'], [{ agency: 'library', role: 'admin' }]);
    await site.staff('ilze', ['lv'], [{ agency: 'library', role: 'staff' }]);
    const records = site.store.recordsOf('library');
    const ago = (h: number) => new Date(site.clock.t - h * 3_600_000);
    await records.unanswered({ conversationId: 'b1', text: 'Vai jūs pieņemat dāvinātas grāmatas?', reason: 'fallback', language: 'lv', at: ago(5) });
    await records.unanswered({
      conversationId: 'b2',
      text: 'Vai pieņemat dāvinātas grāmatas bibliotēkai?',
      reason: 'none-of-these',
      language: 'lv',
      at: ago(4),
    });
    await records.unanswered({ conversationId: 'b3', text: 'Kā pagarināt lasītāja karti internetā?', reason: 'not-helpful', language: 'lv', at: ago(3) });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });

  const axeClean = async (page: Page) => {
    const violations = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);
  };
  const login = async (page: Page, who: string) => {
    await page.goto(`${site.origin}/staff`);
    await page.getByLabel('Lietotājvārds', { exact: true }).fill(who);
    await page.getByLabel('Parole', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Parole', { exact: true }).press('Enter');
    await page.getByRole('heading', { name: 'Rinda' }).waitFor();
    await page.goto(`${site.origin}/staff/studio?agency=library`);
  };

  it("an editor marks a group as another authority's by keyboard; it leaves, the focus goes on", async () => {
    const context = await browser.newContext({ locale: 'lv-LV' });
    const page = await context.newPage();
    const problems = await watchPage(page);
    await login(page, 'redaktore');

    const groups = page.locator('#inbox-groups > li');
    await expect.poll(() => groups.count()).toBe(2);
    expect(await page.locator('#inbox-summary').textContent()).toBe('3 neatbildēti jautājumi 2 grupās.');
    const gifts = groups.filter({ has: page.getByRole('heading', { name: /dāvinātas/ }) });
    expect(await gifts.locator('h4').textContent()).toBe('2 jautājumi: „Vai pieņemat dāvinātas grāmatas bibliotēkai?”');
    expect(await gifts.locator('.examples li').count()).toBe(2);
    expect(await gifts.textContent()).toContain('„neviens no šiem” 1');
    // The closest entry is preselected for "add as a phrasing".
    const card = groups.filter({ has: page.getByRole('heading', { name: /pagarināt lasītāja karti/ }) });
    const closest = await card.locator('p.hint code').first().textContent();
    expect(await card.getByLabel('Ieraksts, kam pievienot formulējumu').inputValue()).toBe(closest);
    await axeClean(page);

    // By keyboard: the first action's radio, arrow keys to "another authority's", the authority chosen, Enter.
    const first = gifts.getByLabel('Pievienot kā formulējumu ierakstam');
    await first.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await gifts.getByLabel('Citas iestādes jautājums').isChecked()).toBe(true);
    const authority = gifts.getByLabel('Iestāde', { exact: true });
    await authority.focus();
    await authority.selectOption({ label: 'Valsts ieņēmumu dienests' });
    await gifts.getByRole('button', { name: 'Apstiprināt' }).press('Enter');

    await expect.poll(() => groups.count()).toBe(1);
    expect(await page.locator('#inbox-summary').textContent()).toBe('Atzīmēts kā citas iestādes jautājums. 2 jautājumi vairs nav iesūtnē.');
    expect(await focused(page)).toContain('jautājums: „Kā pagarināt lasītāja karti internetā?”');
    // Counted for the authority, as the server keeps it.
    await page.reload();
    await page.locator('#inbox-handled').getByText('Valsts ieņēmumu dienests: 2 jautājumi (1 grupa)').waitFor();
    expect(await groups.count()).toBe(1);
    await axeClean(page);

    // The impact view, with no drafts: nothing would change.
    await page.getByRole('button', { name: 'Pārbaudīt' }).press('Enter');
    await expect.poll(() => page.locator('#impact-summary').textContent()).toMatch(/atbilde mainītos 0 jautājumiem\.$/);
    expect(await focused(page)).toMatch(/^impact-title\|/);
    await axeClean(page);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('staff see the groups, not the actions', async () => {
    const context = await browser.newContext({ locale: 'lv-LV' });
    const page = await context.newPage();
    const problems = await watchPage(page);
    await login(page, 'ilze');
    await expect.poll(() => page.locator('#inbox-groups > li').count()).toBe(1);
    expect(await page.locator('#inbox-groups form').count()).toBe(0);
    expect(await page.locator('#impact').isHidden()).toBe(true);
    await axeClean(page);
    expect(problems).toEqual([]);
    await context.close();
  });
});
