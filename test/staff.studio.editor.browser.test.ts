// The knowledge studio's editor in real Chromium, on the real app (createApp, SQLite, the fixture
// library): a publisher opens an entry, changes its answer, sees a problem beside its field and fixes
// it, saves the draft, previews against the drafts, publishes; a citizen then asks in the library's
// widget and gets the new answer, with no restart. The versions show a diff; a rollback brings the old
// answer back to the widget. An editor sees no publish button. Axe-clean, no CSP violation or console error.
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from './support/agencies-site.js';
import { startApp, type RunningApp } from './support/app.js';
import { describeViolations, hasChromium, launchBrowser, runAxe, watchPage } from './support/browser.js';
import { FIXTURE_KNOWLEDGE } from './support/bot.js';

const OLD_ANSWER = 'Lasītāja karti izsniedz uz vietas';
const NEW_ANSWER = 'Lasītāja karti var pieteikt arī tiešsaistē, bibliotēkas mājaslapā.';
const QUESTION = 'Kā saņemt lasītāja karti?';

const bubble = (scope: Locator, text: string) => scope.locator('p').filter({ hasText: text }).first();

describe.skipIf(!hasChromium && !process.env['CI'])('the studio editor in a browser', () => {
  let browser: Browser;
  let running: RunningApp;

  beforeAll(async () => {
    [browser, running] = await Promise.all([
      launchBrowser(),
      startApp({ KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE, AGENCY: 'library', AGENCIES: 'library,archive', COOKIE_SECURE: 'false' }),
    ]);
    await running.app.handover.ready;
    for (const [login, role] of [
      ['pub', 'publisher'],
      ['edi', 'editor'],
    ] as const) {
      const added = await running.app.handover.directory.add({
        name: `${login} Tests`,
        login,
        languages: ['lv'],
        role: 'staff',
        password: PASSWORD,
        agencies: [{ agency: 'library', role }],
      });
      if (!added.ok) throw new Error(added.message);
    }
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  const axeClean = async (page: Page) => {
    const violations = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);
  };
  async function signIn(page: Page, login: string): Promise<void> {
    await page.goto(`${running.origin}/staff`);
    await page.getByLabel('Lietotājvārds', { exact: true }).fill(login);
    await page.getByLabel('Parole', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Parole', { exact: true }).press('Enter');
    await page.getByRole('heading', { name: 'Rinda' }).waitFor();
    await page.goto(`${running.origin}/staff/studio?agency=library`);
    await page.locator('#entries tr[data-entry="library.card"]').waitFor();
  }
  async function citizenAsks(page: Page, answer: string): Promise<void> {
    await page.goto(`${running.origin}/library/`);
    await page.getByRole('button', { name: 'Jautāt čatbotam' }).click();
    const dialog = page.getByRole('dialog', { name: 'Čatbots' });
    await bubble(dialog, 'virtuālais asistents').waitFor({ timeout: 20_000 });
    const sendBox = dialog.getByRole('textbox');
    await sendBox.fill(QUESTION);
    await sendBox.press('Enter');
    await bubble(dialog, answer).waitFor({ timeout: 20_000 });
  }

  it('edit → problem beside its field → preview against the draft → publish → the widget answers anew → diff → roll back', async () => {
    const context = await browser.newContext({ locale: 'lv-LV' });
    const page = await context.newPage();
    const problems = await watchPage(page);
    await signIn(page, 'pub');

    // Opened from the list, by keyboard.
    const open = page.locator('#entries tr[data-entry="library.card"] button[data-open]');
    await open.focus();
    await open.press('Enter');
    await page.getByRole('heading', { name: 'Ieraksts library.card' }).waitFor();
    expect(await page.locator('#editor-state').textContent()).toContain('Publicētā versija: 1.');
    const answer = page.getByLabel('Atbilde — latviešu (lv)');
    expect(await answer.inputValue()).toContain(OLD_ANSWER);
    // The follow-ups are chosen from the agency's entries.
    expect(await page.locator('#editor-followups option').evaluateAll((os) => os.map((o) => o.getAttribute('value')))).toEqual([
      'library.renew',
      'smalltalk.greeting',
    ]);
    await axeClean(page);

    // A draft that kb:check refuses: saved, with the problem beside the sources.
    await answer.fill(NEW_ANSWER);
    await page.getByLabel('Avoti (katrs savā rindā: URL vai dokumenta punkts)').fill('');
    await page.getByRole('button', { name: 'Saglabāt melnrakstu' }).press('Enter');
    await expect.poll(() => page.locator('#editor-status').textContent()).toContain('vēl nevar publicēt');
    expect(await page.locator('#err-sources').textContent()).not.toBe('');
    expect(await page.getByLabel('Avoti (katrs savā rindā: URL vai dokumenta punkts)').getAttribute('aria-invalid')).toBe('true');
    await axeClean(page);
    await page.getByRole('button', { name: 'Publicēt šo ierakstu' }).click();
    await expect.poll(() => page.locator('#editor-status').textContent()).toContain('Nepublicēts');
    expect(running.app.agencies.knowledge('library')!.entries.get('library.card')!.answer.lv).toContain(OLD_ANSWER);

    // Fixed and saved; the list says it is a draft.
    await page.getByLabel('Avoti (katrs savā rindā: URL vai dokumenta punkts)').fill('test fixture');
    await page.getByRole('button', { name: 'Saglabāt melnrakstu' }).click();
    await expect.poll(() => page.locator('#editor-status').textContent()).toBe('Melnraksts saglabāts.');
    expect(await page.locator('#err-sources').textContent()).toBe('');
    await expect.poll(() => page.locator('#entries tr[data-entry="library.card"]').textContent()).toContain('melnraksts');

    // The preview against the draft decides with the draft's knowledge (the same entry, now its new answer is what would be said).
    await page.getByRole('button', { name: 'Izmēģināt ar melnrakstu' }).click();
    expect(await page.getByLabel('Ar melnrakstiem (kā atbildētu pēc to publicēšanas)').isChecked()).toBe(true);
    await page.getByLabel('Jautājums, kā to rakstītu iedzīvotājs').fill(QUESTION);
    await page.getByRole('button', { name: 'Izmēģināt', exact: true }).click();
    await page.locator('#preview-result').waitFor();
    expect(await page.locator('#decision').textContent()).toContain('library.card');

    // Published; the citizen's widget answers with the new answer at once.
    await page.getByRole('button', { name: 'Publicēt šo ierakstu' }).click();
    await expect.poll(() => page.locator('#editor-status').textContent()).toContain('Publicēts: library.card v2');
    await axeClean(page);
    const citizen = await context.newPage();
    const citizenProblems = await watchPage(citizen);
    await citizenAsks(citizen, NEW_ANSWER);

    // The versions, a diff, and a rollback: the widget has the old answer again.
    await page.locator('#versions tr[data-version="2"]').waitFor();
    await page.getByRole('button', { name: 'Izmaiņas pret v1' }).click();
    await page.locator('#diff').waitFor();
    expect(await page.locator('#diff-list').textContent()).toContain('answer.lv');
    expect(await page.locator('#diff-list ins').first().textContent()).toContain(NEW_ANSWER);
    await axeClean(page);
    await page.getByRole('button', { name: 'Atjaunot v1' }).click();
    await expect.poll(() => page.locator('#editor-status').textContent()).toContain('Atjaunota v1 kā v3');
    const again = await context.newPage();
    await again.context().clearCookies();
    await citizenAsks(again, OLD_ANSWER);

    // The one refused publish shows in the console as the failed request it was; nothing else.
    expect(problems).toEqual([expect.stringContaining('status of 422')]);
    expect(citizenProblems).toEqual([]);
    await context.close();
  }, 120_000);

  it('an editor saves drafts but sees no publish button', async () => {
    const context = await browser.newContext({ locale: 'lv-LV' });
    const page = await context.newPage();
    const problems = await watchPage(page);
    await signIn(page, 'edi');
    expect(await page.getByRole('button', { name: 'Publicēt visus melnrakstus' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Jauns ieraksts' }).click();
    await page.getByLabel('Identifikators').fill('library.hours');
    await page.getByLabel('Jautājumi, kā tos uzdod iedzīvotāji — latviešu (lv)').fill('Kad bibliotēka strādā?');
    await page.getByLabel('Atbilde — latviešu (lv)').fill('Darbdienās no 9 līdz 18.');
    await page.getByLabel('Avoti (katrs savā rindā: URL vai dokumenta punkts)').fill('test fixture');
    await page.getByLabel('Atbildīgais').fill('Vadība');
    await page.getByRole('button', { name: 'Saglabāt melnrakstu' }).click();
    await expect.poll(() => page.locator('#editor-status').textContent()).toBe('Melnraksts saglabāts.');
    await expect.poll(() => page.locator('#entries tr[data-entry="library.hours"]').textContent()).toContain('jauns');
    expect(await page.getByRole('button', { name: 'Publicēt šo ierakstu' }).count()).toBe(0);
    await axeClean(page);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
