// Handover in real Chromium. The staff console alone: login by keyboard, WCAG 2.1 AA (axe), no CSP
// violation, citizen text shown as text, live updates without reload. Then two browser contexts, a
// citizen in Web Chat and a staff member in the console, through a whole handover and back to the bot.
import { readFileSync } from 'node:fs';
import type { ConversationAccount } from 'botbuilder';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandoverEvent } from '../bot/handover/types.js';
import { startApp, type RunningApp } from './support/app.js';
import { describeViolations, hasChromium, launchBrowser, runAxe, watchPage as watch } from './support/browser.js';

/** Monday 16 November 2026, 13:30 in Riga: within DVI's hours. */
const clock = { t: Date.parse('2026-11-16T11:30:00Z') };
const PASSWORD = 'correct horse battery staple';
const XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>';
const lv = JSON.parse(readFileSync('locales/lv/translation.json', 'utf8')) as { handover: Record<string, string> };
const say = (key: string, values: Record<string, string | number> = {}) =>
  (lv.handover[key] ?? key).replace(/\{\{(\w+)\}\}/g, (_m, name: string) => String(values[name] ?? ''));

async function staffLogin(context: BrowserContext, origin: string, login: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems = await watch(page);
  await page.goto(`${origin}/staff`);
  await page.getByLabel('Lietotājvārds', { exact: true }).fill(login);
  await page.getByLabel('Parole', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Parole', { exact: true }).press('Enter');
  await page.getByRole('heading', { name: 'Rinda' }).waitFor();
  return { page, problems };
}

const line = (page: Page, text: string): Locator => page.locator('#transcript .text').filter({ hasText: text }).first();

describe.skipIf(!hasChromium && !process.env['CI'])('handover in a browser', () => {
  let browser: Browser;
  let site: RunningApp;
  const events: HandoverEvent[] = [];

  beforeAll(async () => {
    [browser, site] = await Promise.all([launchBrowser(), startApp({}, { now: () => new Date(clock.t) })]);
    await site.app.handover.ready;
    site.app.handover.service.subscribe((e) => events.push(e));
    for (const [login, name] of [
      ['anna', 'Anna Bērziņa'],
      ['janis', 'Jānis Kalniņš'],
    ] as const) {
      const added = await site.app.handover.directory.add({ name, login, languages: ['lv', 'en'], role: 'staff', password: PASSWORD });
      if (!added.ok) throw new Error(added.message);
    }
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });

  it('the console: keyboard login (with the default Secure cookie on localhost), axe, text stays text, live updates', async () => {
    const context = await browser.newContext({ locale: 'lv-LV' });
    const page = await context.newPage();
    const problems = await watch(page);
    await page.goto(`${site.origin}/staff`);
    await page.getByRole('heading', { name: 'Pieslēgties' }).waitFor();
    const loginViolations = await runAxe(page);
    expect(loginViolations, describeViolations(loginViolations)).toEqual([]);

    await page.getByLabel('Lietotājvārds', { exact: true }).fill('anna');
    await page.getByLabel('Parole', { exact: true }).fill('wrong password, surely');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'Nepareizs lietotājvārds vai parole' }).waitFor();
    await page.getByLabel('Parole', { exact: true }).fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Rinda' }).waitFor();
    const cookies = await context.cookies();
    expect(cookies).toContainEqual(expect.objectContaining({ name: '__Host-padoms-staff', httpOnly: true, secure: true, sameSite: 'Strict' }));

    const { ticket } = await site.app.handover.service.enqueue({
      conversationId: 'browser-xss',
      channel: 'directline',
      language: 'lv',
      reason: 'asked',
      reference: { channelId: 'directline', conversation: { id: 'browser-xss' } as ConversationAccount },
      transcript: [{ type: 'message', from: { id: 'u', name: '', role: 'user' }, text: XSS }],
    });
    const row = page.locator('#queue tr').first();
    await row.getByRole('button', { name: 'Pieņemt' }).waitFor(); // arrived over SSE, no reload
    // The row says what the citizen asked (as text) and how long they have waited.
    expect(await row.locator('td.question').textContent()).toBe(XSS);
    expect(await row.locator('time[data-waited]').textContent()).toBe('tikko');
    const consoleViolations = await runAxe(page);
    expect(consoleViolations, describeViolations(consoleViolations)).toEqual([]);

    await row.getByRole('button', { name: 'Pieņemt' }).click();
    await expect.poll(() => line(page, XSS).textContent()).toBe(XSS);
    expect(await page.locator('#transcript script, #transcript img').count()).toBe(0);

    await site.app.handover.service.citizenMessage('browser-xss', 'Vai jūs mani dzirdat?');
    await line(page, 'Vai jūs mani dzirdat?').waitFor();
    expect(await page.locator('#transcript-log').getAttribute('aria-live')).toBe('polite');

    await page.getByLabel('Atbilde iedzīvotājam').fill('Labdien! Dzirdu.');
    await page.getByLabel('Atbilde iedzīvotājam').press('Control+Enter');
    await line(page, 'Labdien! Dzirdu.').waitFor();
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'staff-message', conversationId: 'browser-xss', text: 'Labdien! Dzirdu.', staffName: 'Anna' }),
    );
    const chatViolations = await runAxe(page);
    expect(chatViolations, describeViolations(chatViolations)).toEqual([]);

    await page.getByRole('button', { name: 'Atdot botam' }).click();
    await expect.poll(() => site.app.handover.service.ticket(ticket.id).then((t) => t?.state)).toBe('back-to-bot');
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  it('cases in the console without SMTP: says mail is not set up, never "waiting to send"; a call-back is recorded', async () => {
    const context = await browser.newContext({ locale: 'lv-LV' });
    const { page, problems } = await staffLogin(context, site.origin, 'janis');
    const written = await site.app.handover.service.registerCase({
      conversationId: 'browser-case-mail',
      channel: 'directline',
      language: 'lv',
      contact: { email: 'a@example.lv' },
      question: 'Kā dzēst datus?',
      transcript: [],
    });
    const phoned = await site.app.handover.service.registerCase({
      conversationId: 'browser-case-phone',
      channel: 'directline',
      language: 'lv',
      contact: { phone: '+37120000000' },
      question: 'Piezvaniet',
      transcript: [],
    });
    const row = (id: string) => page.locator('#cases tr').filter({ hasText: id });
    await row(written.id).waitFor();
    expect(await row(written.id).textContent()).toContain('e-pasts nav iestatīts');
    expect(await page.locator('#cases').textContent()).not.toContain('gaida sūtīšanu');

    await row(written.id).getByRole('button', { name: 'Atvērt' }).click();
    await page.getByText('E-pasta sūtīšana nav iestatīta').waitFor();
    expect(await page.locator('#case-reply-form').isVisible()).toBe(false);
    const violations = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);

    await row(phoned.id).getByRole('button', { name: 'Atvērt' }).click();
    await page.getByLabel('Ko zvanā norunājāt').fill('Izskaidroju sūdzības kārtību.');
    await page.getByRole('button', { name: /Atzvanīju/ }).click();
    await line(page, 'Atzvanīts: Izskaidroju sūdzības kārtību.').waitFor();
    await expect.poll(() => site.app.handover.service.caseById(phoned.id).then((c) => c?.state)).toBe('closed');
    await expect.poll(() => row(phoned.id).count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  it('a citizen in Web Chat and a staff member in the console', async () => {
    const citizenContext = await browser.newContext({ locale: 'lv-LV' });
    const staffContext = await browser.newContext({ locale: 'lv-LV' });
    const citizen = await citizenContext.newPage();
    const citizenProblems = await watch(citizen);
    const { page: staff, problems: staffProblems } = await staffLogin(staffContext, site.origin, 'janis');
    // The console reports its staff member present once its stream is open: until then the bot
    // rightly says nobody is there. Under load that can take a moment.
    await expect.poll(async () => (await site.app.handover.service.availability('lv')).staffOnline, { timeout: 20_000 }).toBe(true);

    await citizen.goto(`${site.origin}/`);
    await citizen.getByRole('button', { name: 'Jautāt čatbotam' }).click();
    const chat = citizen.getByRole('dialog', { name: 'Čatbots' });
    const bubble = (text: string) => chat.locator('p').filter({ hasText: text }).first();
    const sendBox = chat.getByRole('textbox');
    await sendBox.waitFor({ timeout: 20_000 });
    await sendBox.fill('Gribu runāt ar darbinieku');
    await sendBox.press('Enter');
    await chat
      .getByRole('button', { name: say('consentYes') })
      .first()
      .click({ timeout: 20_000 });
    await bubble(say('queued', { position: 1 })).waitFor({ timeout: 20_000 });

    const row = staff.locator('#queue tr').first();
    await row.getByRole('button', { name: 'Pieņemt' }).click({ timeout: 20_000 });
    await bubble(say('accepted', { name: 'Jānis' })).waitFor({ timeout: 20_000 });
    await line(staff, 'Gribu runāt ar darbinieku').waitFor();

    await staff.getByLabel('Atbilde iedzīvotājam').fill('Labdien! Esmu Jānis. Kā varu palīdzēt?');
    await staff.getByRole('button', { name: 'Sūtīt' }).click();
    await bubble('Labdien! Esmu Jānis. Kā varu palīdzēt?').waitFor({ timeout: 20_000 });
    // A person's message is headed with their name and the agency, in a card unlike the bot's bubbles.
    const staffCard = chat.locator('.ac-adaptiveCard').filter({ hasText: 'Labdien! Esmu Jānis.' });
    await staffCard.getByText('Jānis · Datu valsts inspekcija').waitFor();

    await sendBox.fill('Paldies, man vajag izdzēst datus');
    await sendBox.press('Enter');
    await line(staff, 'Paldies, man vajag izdzēst datus').waitFor({ timeout: 20_000 });

    await staff.getByRole('button', { name: 'Atdot botam' }).click();
    await bubble(say('handedBack')).waitFor({ timeout: 20_000 });

    // Back with the bot: it answers again.
    await sendBox.fill('Kā atsaukt piekrišanu datu apstrādei?');
    await sendBox.press('Enter');
    const consent = site.app.knowledge.current.entries.get('dvi.consent')!;
    await chat
      .getByText(
        consent.answer.lv
          .trim()
          .split('\n')[0]!
          .replace(/^\d+\.\s*/, '')
          .slice(0, 40),
      )
      .first()
      .waitFor({ timeout: 20_000 });

    const violations = await runAxe(citizen);
    expect(violations, describeViolations(violations)).toEqual([]);
    expect([...citizenProblems, ...staffProblems]).toEqual([]);
    await citizenContext.close();
    await staffContext.close();
  }, 120_000);
});
