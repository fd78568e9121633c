// The demo page and the embedded widget in real Chromium: open the widget, talk to the bot through
// the real Web Chat over our Direct Line, and check WCAG 2.1 AA with axe-core while it is open. Then
// one installation serving two agencies (the real app): each page's widget answers from its own agency's knowledge, keeps
// its own conversation, and an agency not served shows a clear message rather than a broken chat.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityHandler, type TurnContext } from 'botbuilder';
import type { Browser, Locator, Page } from 'playwright-core';
import type restify from 'restify';
import { createServer } from '../bot/server.js';
import { silentLogger } from '../bot/log.js';
import { mountWebChat } from '../bot/web/routes.js';
import { agencyProfile } from '../knowledge/schema.js';
import { describeViolations, hasChromium, launchBrowser, runAxe } from './support/browser.js';
import { mountInMemoryDirectLine } from './support/directline.js';
import { FIXTURE_KNOWLEDGE } from './support/bot.js';
import { startApp, type RunningApp } from './support/app.js';

const QUESTION = 'Kā iesniegt sūdzību?';
const GREETING = 'Labdien! Esmu Testa inspekcijas čatbots. Uzdodiet jautājumu.';

// The callbacks given to addInitScript/evaluate run in Chromium, not in Node; the tests are not
// compiled with the DOM library, so the page globals they touch are declared here, for this module only.
interface SecurityPolicyViolationEvent {
  violatedDirective: string;
  blockedURI: string;
  sourceFile: string;
  lineNumber: number;
}
declare const document: {
  readonly activeElement: unknown;
  addEventListener(type: 'securitypolicyviolation', listener: (e: SecurityPolicyViolationEvent) => void): void;
};
declare const window: unknown;

const profile = agencyProfile.parse({
  id: 'tvi',
  name: { lv: 'Testa valsts inspekcija' },
  competence: { lv: 'Testa valsts inspekcija uzrauga testu kvalitāti Latvijā. Tā izskata sūdzības un sniedz konsultācijas.' },
  topics: { lv: ['sūdzības iesniegšana', 'konsultācijas pa tālruni', 'dokumentu paraugi'] },
  contacts: {
    website: 'https://www.example.lv',
    phone: '67000000',
    email: 'pasts@example.lv',
    address: 'Testa iela 1, Rīga, LV-1000',
    hours: { lv: 'Darba dienās no 8.30 līdz 17.00.' },
    sources: ['https://www.example.lv/kontakti'],
    verified: '2026-01-15',
  },
  staffLanguages: ['lv'],
  chatHours: { hours: { mon: [['08:30', '17:00']] }, source: 'https://www.example.lv/kontakti' },
  complaints: { service: { lv: 'Rakstiet vadītājam.' }, appeal: { lv: 'Lēmumu var pārsūdzēt tiesā.' }, sources: ['https://www.example.lv/sudzibas'] },
});

/** The default test bot; the real app's logic can be passed to startSite instead. */
function greetAndEcho(): (context: TurnContext) => Promise<void> {
  const bot = new ActivityHandler()
    .onMembersAdded(async (context, next) => {
      for (const member of context.activity.membersAdded ?? []) {
        if (member.id !== context.activity.recipient.id) await context.sendActivity(GREETING);
      }
      await next();
    })
    .onMessage(async (context, next) => {
      await context.sendActivity(`Jūs jautājāt: ${context.activity.text ?? ''}`);
      await next();
    });
  return (context) => bot.run(context);
}

async function startSite(logic: (context: TurnContext) => Promise<void>): Promise<{ server: restify.Server; origin: string }> {
  const server = createServer({ maxBodyBytes: 64 * 1024, log: silentLogger });
  mountInMemoryDirectLine(server, logic, { has: (id) => id === profile.id, defaultId: profile.id });
  mountWebChat(server, {
    agencies: { ids: () => [profile.id], profile: (id) => (id === profile.id ? profile : undefined) },
    log: silentLogger,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Records CSP violations and page errors from the first script on. */
async function watch(page: Page): Promise<{ problems: string[] }> {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  await page.exposeFunction('__reportCsp', (text: string) => problems.push(`csp: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __reportCsp(t: string): void }).__reportCsp(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  return { problems };
}

/** A message as shown in the transcript (Web Chat also keeps hidden copies for screen readers). */
const bubble = (scope: Locator, text: string) => scope.locator('p').filter({ hasText: text }).first();

async function openWidgetAndAsk(page: Page): Promise<void> {
  const launcher = page.getByRole('button', { name: 'Jautāt čatbotam' });
  await launcher.click();
  await expect.poll(() => launcher.getAttribute('aria-expanded')).toBe('true');
  const dialog = page.getByRole('dialog', { name: 'Čatbots' });
  await bubble(dialog, GREETING).waitFor({ timeout: 20_000 });
  const sendBox = dialog.getByRole('textbox');
  await expect.poll(() => sendBox.evaluate((el) => el === document.activeElement)).toBe(true);
  await sendBox.fill(QUESTION);
  await sendBox.press('Enter');
  await bubble(dialog, `Jūs jautājāt: ${QUESTION}`).waitFor({ timeout: 20_000 });
}

// Skipped only on a machine without Chromium, never in CI (.ci/run installs it and sets CI).
describe.skipIf(!hasChromium && !process.env['CI'])('web chat widget in Chromium', () => {
  let browser: Browser;
  let site: { server: restify.Server; origin: string };

  beforeAll(async () => {
    [browser, site] = await Promise.all([launchBrowser(), startSite(greetAndEcho())]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    site?.server.close();
  });

  it('serves an agency page, answers through Web Chat, and has no WCAG 2.1 AA violations with the widget open', async () => {
    const context = await browser.newContext({ locale: 'lv-LV' });
    const page = await context.newPage();
    const { problems } = await watch(page);
    // Replies come over the WebSocket stream: no activity polls.
    const streams: string[] = [];
    const polls: string[] = [];
    page.on('websocket', (socket) => streams.push(new URL(socket.url()).pathname));
    page.on('request', (request) => {
      if (request.method() === 'GET' && /\/activities(\?|$)/.test(request.url())) polls.push(request.url());
    });

    const response = await page.goto(`${site.origin}/`);
    const headers = response?.headers() ?? {};
    expect(headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(headers['content-security-policy']).not.toMatch(/unsafe-eval|unsafe-inline/);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('lv');
    await page.getByRole('heading', { level: 1, name: profile.name.lv }).waitFor();
    expect(await page.locator('script').count()).toBe(1);

    await openWidgetAndAsk(page);
    expect(streams).toEqual([expect.stringMatching(/^\/v3\/directline\/conversations\/[\w-]+\/stream$/)]);
    expect(polls).toEqual([]);

    const violations = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    expect(problems).toEqual([]);

    // Escape closes the panel and gives focus back to the launcher.
    await page.keyboard.press('Escape');
    const launcher = page.getByRole('button', { name: 'Jautāt čatbotam' });
    await expect.poll(() => launcher.getAttribute('aria-expanded')).toBe('false');
    await expect.poll(() => launcher.evaluate((el) => el === document.activeElement)).toBe(true);

    // The conversation survives moving to another page of the site (sessionStorage, same tab).
    await page.reload();
    await page.getByRole('button', { name: 'Jautāt čatbotam' }).click();
    await bubble(page.getByRole('dialog', { name: 'Čatbots' }), `Jūs jautājāt: ${QUESTION}`).waitFor({ timeout: 20_000 });
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  it('embeds on another origin with one script tag', async () => {
    const agencyPage = `<!doctype html><html lang="lv"><head><meta charset="utf-8"><title>Cita vietne</title></head>
<body><main><h1>Iestādes vietne citā domēnā</h1></main><script src="${site.origin}/widget.js" defer></script></body></html>`;
    const foreign = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(agencyPage);
    });
    await new Promise<void>((resolve) => foreign.listen(0, 'localhost', () => resolve()));
    try {
      const context = await browser.newContext({ locale: 'lv-LV' });
      const page = await context.newPage();
      const { problems } = await watch(page);
      await page.goto(`http://localhost:${(foreign.address() as AddressInfo).port}/`);
      await openWidgetAndAsk(page);
      expect(problems).toEqual([]);
      await context.close();
    } finally {
      foreign.close();
    }
  }, 90_000);

  it('serves Web Chat compressed and cacheable', async () => {
    const url = `${site.origin}/webchat/webchat.js?v=4.18.1`;
    const first = await fetch(url, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-encoding')).toBe('gzip');
    expect(first.headers.get('cache-control')).toMatch(/max-age=31536000/);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).not.toBe('');
    const text = await first.text();
    expect(text.length).toBeGreaterThan(1_000_000);
    const again = await fetch(url, { headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    // Only the gzipped bytes are held: a client without gzip gets them unzipped, with the same headers.
    const plain = await fetch(url, { headers: { 'Accept-Encoding': 'identity' } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('vary')).toBe('Accept-Encoding');
    expect(plain.headers.get('etag')).toBe(etag.replace(/-gz"$/, '"'));
    expect(Number(plain.headers.get('content-length'))).toBe(Buffer.byteLength(text));
    expect(await plain.text()).toBe(text);
    const plainAgain = await fetch(url, { headers: { 'Accept-Encoding': 'identity', 'If-None-Match': plain.headers.get('etag') ?? '' } });
    expect(plainAgain.status).toBe(304);
  });
});

/**
 * One installation, two agencies: the real app over a writable copy of the fixture knowledge
 * (library and archive), hot reload on, so an agency's folder can be removed while it serves.
 */
async function startAgenciesSite(): Promise<{ origin: string; app: RunningApp['app']; removeFolder(id: string): Promise<void>; close(): Promise<void> }> {
  const knowledgeDir = mkdtempSync(path.join(tmpdir(), 'padoms-webchat-agencies-'));
  cpSync(FIXTURE_KNOWLEDGE, knowledgeDir, { recursive: true });
  const running = await startApp({ KNOWLEDGE_DIR: knowledgeDir, AGENCY: 'library', AGENCIES: 'library,archive', KNOWLEDGE_HOT_RELOAD: 'true' });
  return {
    origin: running.origin,
    app: running.app,
    async removeFolder(id) {
      rmSync(path.join(knowledgeDir, 'agencies', id), { recursive: true, force: true });
      await expect.poll(() => running.app.agencies.has(id), { timeout: 10_000 }).toBe(false);
    },
    async close() {
      await running.stop();
      rmSync(knowledgeDir, { recursive: true, force: true });
    },
  };
}

/** Opens the page's widget, waits for the bot's greeting, and returns the panel. */
async function openWidget(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Jautāt čatbotam' }).click();
  const dialog = page.getByRole('dialog', { name: 'Čatbots' });
  await bubble(dialog, 'virtuālais asistents').waitFor({ timeout: 20_000 });
  return dialog;
}

async function ask(dialog: Locator, question: string, answerOpening: string): Promise<void> {
  const sendBox = dialog.getByRole('textbox');
  await sendBox.fill(question);
  await sendBox.press('Enter');
  await bubble(dialog, answerOpening).waitFor({ timeout: 20_000 });
}

describe.skipIf(!hasChromium && !process.env['CI'])('one site, two agencies, in Chromium', () => {
  let browser: Browser;
  let site: Awaited<ReturnType<typeof startAgenciesSite>>;

  beforeAll(async () => {
    [browser, site] = await Promise.all([launchBrowser(), startAgenciesSite()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('the front page lists both; each agency page answers from its own knowledge and resumes only its own conversation', async () => {
    const context = await browser.newContext({ locale: 'lv-LV' });
    const page = await context.newPage();
    const { problems } = await watch(page);

    const front = await page.goto(`${site.origin}/`);
    expect(front?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    const links = page.getByRole('main').getByRole('link');
    expect(await links.count()).toBe(2);
    expect(await page.getByRole('link', { name: 'Pilsētas bibliotēka' }).getAttribute('href')).toBe('/library/');
    expect(await page.getByRole('link', { name: 'Pilsētas arhīvs' }).getAttribute('href')).toBe('/archive/');
    const listViolations = await runAxe(page);
    expect(listViolations, describeViolations(listViolations)).toEqual([]);

    await page.getByRole('link', { name: 'Pilsētas bibliotēka' }).click();
    await page.getByRole('heading', { level: 1, name: 'Pilsētas bibliotēka' }).waitFor();
    expect(await page.locator('script[data-agency]').getAttribute('data-agency')).toBe('library');
    const library = await openWidget(page);
    await bubble(library, 'Pilsētas bibliotēka').waitFor();
    await ask(library, 'Kā saņemt lasītāja karti?', 'Lasītāja karti izsniedz uz vietas');

    // The archive's page in the same tab (one sessionStorage): a conversation of its own.
    await page.goto(`${site.origin}/archive/`);
    await page.getByRole('heading', { level: 1, name: 'Pilsētas arhīvs' }).waitFor();
    const archive = await openWidget(page);
    await bubble(archive, 'Pilsētas arhīvs').waitFor();
    expect(await archive.getByText('Kā saņemt lasītāja karti?').count(), "the library's conversation resumed on the archive's page").toBe(0);
    await ask(archive, 'Kā saņemt arhīva izziņu?', 'Arhīva izziņu pasūta ar iesniegumu');
    const violations = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);

    // Back on the library's page, the library's conversation goes on.
    await page.goto(`${site.origin}/library/`);
    await page.getByRole('button', { name: 'Jautāt čatbotam' }).click();
    const again = page.getByRole('dialog', { name: 'Čatbots' });
    await bubble(again, 'Lasītāja karti izsniedz uz vietas').waitFor({ timeout: 20_000 });
    expect(await again.getByText('Kā saņemt arhīva izziņu?').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('an agency not served: its page is a 404 page, and a widget naming it (or one removed while its page was open) says so in Latvian and English', async () => {
    const context = await browser.newContext({ locale: 'lv-LV' });
    const page = await context.newPage();
    const { problems } = await watch(page);

    const missing = await page.goto(`${site.origin}/nosuch/`);
    expect(missing?.status()).toBe(404);
    expect(missing?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    await page.getByRole('heading', { level: 1, name: 'Iestāde nav atrasta' }).waitFor();
    expect(await page.locator('script').count()).toBe(0);

    // A site embedding the widget for an agency this installation does not serve.
    const foreign = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="lv"><head><meta charset="utf-8"><title>Cita vietne</title></head>
<body><main><h1>Cita iestāde</h1></main><script src="${site.origin}/widget.js" data-agency="nosuch" defer></script></body></html>`);
    });
    await new Promise<void>((resolve) => foreign.listen(0, 'localhost', () => resolve()));
    try {
      await page.goto(`http://localhost:${(foreign.address() as AddressInfo).port}/`);
      await expectUnavailable(page);
    } finally {
      foreign.close();
    }

    // An agency removed while its page is open.
    await page.goto(`${site.origin}/archive/`);
    await page.getByRole('heading', { level: 1, name: 'Pilsētas arhīvs' }).waitFor();
    await site.removeFolder('archive');
    await expectUnavailable(page);
    expect((await page.goto(`${site.origin}/archive/`))?.status()).toBe(404);
    // The refused token requests are logged by Chromium as failed resources; nothing else went wrong.
    expect(problems.filter((p) => !/status of 404/.test(p))).toEqual([]);
    await context.close();
  }, 90_000);
});

async function expectUnavailable(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Jautāt čatbotam' }).click();
  const dialog = page.getByRole('dialog', { name: 'Čatbots' });
  const status = dialog.getByRole('status');
  await status.getByText('Šīs iestādes čats šeit nav pieejams.').waitFor({ timeout: 20_000 });
  expect(await status.locator('[lang="en"]').innerText()).toContain("This agency's chat is not available here.");
  // No chat to type into, and no retry that could not help.
  expect(await dialog.getByRole('textbox').count()).toBe(0);
  expect(await dialog.getByRole('button', { name: 'Mēģināt vēlreiz' }).isVisible()).toBe(false);
  const violations = await runAxe(page);
  expect(violations, describeViolations(violations)).toEqual([]);
}
