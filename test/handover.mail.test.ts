// Case e-mail to a real SMTP server on loopback (smtp-server): the R14 structure, escaping, and
// delivery that fails first and is retried with backoff (the outbox is persisted: a restart retries
// too, and the case is never lost).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { testConfig } from '../bot/config.js';
import { silentLogger } from '../bot/log.js';
import { createHandover, oneAgency, type Handover } from '../bot/handover/index.js';
import { composeCaseMail, composeReplyMail, defaultBackoff, smtpSender } from '../bot/handover/mail.js';
import { loadTexts } from '../bot/i18n.js';
import { MemoryHandoverRepository, type HandoverRepository } from '../bot/handover/repository.js';
import { SqlHandoverRepository, sqliteRunner } from '../bot/handover/sql-repository.js';
import type { CaseRequest } from '../bot/handover/types.js';
import { createMemoryStore } from '../bot/storage/memory.js';
import { openDatabase, openSqliteStore } from '../bot/storage/sqlite.js';
import { agencyProfile } from '../knowledge/schema.js';
import { startSmtp, textOf, type TestSmtp } from './support/smtp.js';

const dvi = agencyProfile.parse(parseYaml(readFileSync('knowledge/agencies/dvi/profile.yaml', 'utf8')));
/** Friday 13 November 2026, 15:30 in Riga. */
const FRIDAY = Date.parse('2026-11-13T13:30:00Z');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function smtp(failFirst = 0, unknownMailboxes: string[] = []): Promise<TestSmtp> {
  const server = await startSmtp({ failFirst, unknownMailboxes });
  cleanups.push(() => server.stop());
  return server;
}

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'padoms-mail-'));
  cleanups.unshift(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function handover(options: { smtpUrl?: string; clock: { t: number }; dir?: string }): Promise<Handover> {
  const now = () => new Date(options.clock.t);
  const store = options.dir ? openSqliteStore({ dataDir: options.dir, now, defaultAgency: 'dvi' }) : createMemoryStore({ now });
  const repo: HandoverRepository = options.dir ? new SqlHandoverRepository(sqliteRunner(openDatabase(options.dir))) : new MemoryHandoverRepository();
  const config = testConfig({
    DATA_DIR: options.dir ?? '/nonexistent',
    ...(options.smtpUrl ? { SMTP_URL: options.smtpUrl, SMTP_FROM: 'Padoms <padoms@dvi.example>' } : {}),
  });
  const h = createHandover({ config, store, agencies: oneAgency(dvi), log: silentLogger, now, repo, timers: false });
  await h.ready;
  cleanups.push(async () => {
    await h.close();
    await store.close();
  });
  return h;
}

const caseRequest: CaseRequest = {
  conversationId: 'conv-1',
  channel: 'directline',
  language: 'lv',
  contact: { email: 'janis@example.lv' },
  question: 'Kā panākt, lai veikals izdzēš manus datus? <script>alert(1)</script>',
  transcript: [
    { type: 'message', from: { id: 'u', name: '', role: 'user' }, text: 'Veikals neizdzēš manus datus', timestamp: new Date(FRIDAY - 60_000) },
    {
      type: 'message',
      from: { id: 'bot', name: 'Padoms', role: 'bot' },
      text: 'Vai vēlaties atstāt jautājumu darbiniekam?',
      timestamp: new Date(FRIDAY - 30_000),
    },
  ],
};

describe('the case e-mail (R14)', () => {
  it('reaches a real SMTP server with greeting, question, transcript, what happens next and a signature', async () => {
    const server = await smtp();
    const clock = { t: FRIDAY };
    const h = await handover({ smtpUrl: server.url, clock });
    const registered = await h.service.registerCase(caseRequest);
    expect(await h.outbox.deliverDue()).toEqual({ sent: 1, failed: 0 });
    expect(server.received).toHaveLength(1);
    const mail = server.received[0]!;
    expect(mail.from).toBe('padoms@dvi.example');
    expect(mail.to).toEqual(['pasts@dvi.gov.lv']);
    const text = textOf(mail.raw);
    expect(text).toContain(`Message-ID: <`);
    const greeting = text.indexOf('Labdien!');
    const question = text.indexOf('Kā panākt, lai veikals izdzēš manus datus?');
    const transcript = text.indexOf('Sarunas pieraksts:');
    const next = text.indexOf('Kas notiek tālāk:');
    const signature = text.indexOf('Ar cieņu');
    expect([greeting, question, transcript, next, signature].every((i) => i >= 0)).toBe(true);
    expect(greeting < question && question < transcript && transcript < next && next < signature).toBe(true);
    expect(text).toContain(`Lietas numurs: ${registered.id}`);
    expect(text).toContain('Atbildēt līdz: 17.11.2026. (2 darba dienu laikā)');
    expect(text).toContain('rakstiska atbilde uz e-pastu janis@example.lv');
    expect(text).toContain('Iedzīvotājs: Veikals neizdzēš manus datus');
    expect(text).toContain('Padoms: Vai vēlaties atstāt jautājumu darbiniekam?');
    expect(text).toContain('Lūdzam lietu uzņemties līdz 16.11.2026.');
    for (const part of ['Datu valsts inspekcija', 'Tālrunis: 67223131', 'E-pasts: pasts@dvi.gov.lv', 'Tīmekļvietne: https://www.dvi.gov.lv'])
      expect(text).toContain(part);
    // The HTML part escapes the citizen's words.
    expect(text).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(text).not.toMatch(/<script>alert\(1\)<\/script>\s*<\/p>/);
  });

  it('composes the same structure without a server (pure function)', () => {
    const mail = composeCaseMail({
      record: {
        id: 'P-20261113-ABCDEF',
        agency: 'dvi',
        conversationId: 'c',
        language: 'en',
        state: 'open',
        question: 'Call me back',
        contact: { phone: '+37120000000' },
        createdAt: new Date(FRIDAY),
        dueAt: new Date('2026-11-17T21:59:59.999Z'),
      },
      channel: 'messenger',
      lines: [],
      profile: dvi,
      workingDays: 2,
      pickUpBy: new Date('2026-11-16T21:59:59.999Z'),
    });
    expect(mail.subject).toBe('Iedzīvotāja jautājums P-20261113-ABCDEF: atbildēt līdz 17.11.2026.');
    expect(mail.text).toContain('Sarunas valoda: angļu');
    expect(mail.text).toContain('atzvanīt uz tālruni +37120000000');
    expect(mail.html).toContain('<h2>Kas notiek tālāk</h2>');
  });
});

describe('delivery that fails', () => {
  it('a failing server first, then success: retried with backoff, the case is never lost', async () => {
    const server = await smtp(2);
    const clock = { t: FRIDAY };
    const h = await handover({ smtpUrl: server.url, clock, dir: tempDir() });
    const { id } = await h.service.registerCase(caseRequest);
    expect(await h.outbox.deliverDue()).toEqual({ sent: 0, failed: 1 });
    let [mail] = await h.repo.mailOf('dvi', id);
    expect(mail).toMatchObject({ attempts: 1, lastError: expect.stringContaining('451') });
    expect(mail?.nextAttemptAt).toEqual(new Date(FRIDAY + defaultBackoff(1)));
    // Not due yet: nothing is tried.
    expect(await h.outbox.deliverDue()).toEqual({ sent: 0, failed: 0 });
    clock.t += defaultBackoff(1);
    expect(await h.outbox.deliverDue()).toEqual({ sent: 0, failed: 1 });
    [mail] = await h.repo.mailOf('dvi', id);
    expect(mail?.nextAttemptAt).toEqual(new Date(clock.t + defaultBackoff(2)));
    expect(defaultBackoff(2)).toBe(2 * defaultBackoff(1));
    clock.t += defaultBackoff(2);
    expect(await h.outbox.deliverDue()).toEqual({ sent: 1, failed: 0 });
    expect(server.refused).toBe(2);
    expect(server.received).toHaveLength(1);
    [mail] = await h.repo.mailOf('dvi', id);
    expect(mail).toMatchObject({ attempts: 3, sentAt: new Date(clock.t) });
    // Sent once: later passes send nothing more.
    clock.t += 3_600_000;
    expect(await h.outbox.deliverDue()).toEqual({ sent: 0, failed: 0 });
    expect((await h.service.caseById(id))?.state).toBe('open');
  });

  it('a server that is down: the case waits in the database; a restarted bot sends it on start', async () => {
    const dir = tempDir();
    const clock = { t: FRIDAY };
    // Nothing listens on this port.
    const down = await handover({ smtpUrl: 'smtp://127.0.0.1:1', clock, dir });
    const { id } = await down.service.registerCase(caseRequest);
    expect(await down.outbox.deliverDue()).toEqual({ sent: 0, failed: 1 });
    await down.close();
    cleanups.splice(cleanups.length - 1, 1);

    const server = await smtp();
    clock.t += defaultBackoff(1);
    const restarted = await handover({ smtpUrl: server.url, clock, dir });
    expect((await restarted.service.caseById(id))?.question).toContain('Kā panākt');
    expect(await restarted.outbox.deliverDue()).toEqual({ sent: 1, failed: 0 });
    expect(server.received).toHaveLength(1);
  });

  it('two instances sharing the outbox send a mail once', async () => {
    const dir = tempDir();
    const server = await smtp();
    const clock = { t: FRIDAY };
    const a = await handover({ smtpUrl: server.url, clock, dir });
    const b = await handover({ smtpUrl: server.url, clock, dir });
    await a.service.registerCase(caseRequest);
    const results = await Promise.all([a.outbox.deliverDue(), b.outbox.deliverDue()]);
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(1);
    expect(server.received).toHaveLength(1);
  });

  it('the SMTP sender speaks to the test server directly too', async () => {
    const server = await smtp();
    const sender = smtpSender({ host: '127.0.0.1', port: server.port, from: 'padoms@dvi.example' });
    await sender.send({
      from: 'padoms@dvi.example',
      to: 'pasts@dvi.gov.lv',
      subject: 'Tests',
      text: 'Labdien!',
      html: '<p>Labdien!</p>',
      messageId: '<x@dvi.example>',
    });
    sender.close();
    expect(server.received[0]?.to).toEqual(['pasts@dvi.gov.lv']);
  });
});

describe('without SMTP', () => {
  it('stores the case, shows it in the console, and warns once', async () => {
    const warnings: string[] = [];
    const log = Object.assign(Object.create(silentLogger) as typeof silentLogger, { warn: (msg: unknown) => void warnings.push(String(msg)) });
    const clock = { t: FRIDAY };
    const store = createMemoryStore({ now: () => new Date(clock.t) });
    const h = createHandover({
      config: testConfig(),
      store,
      agencies: oneAgency(dvi),
      log,
      now: () => new Date(clock.t),
      repo: new MemoryHandoverRepository(),
      timers: false,
    });
    await h.ready;
    cleanups.push(async () => {
      await h.close();
      await store.close();
    });
    await h.service.registerCase(caseRequest);
    await h.service.registerCase({ ...caseRequest, conversationId: 'conv-2' });
    expect(warnings.filter((w) => /SMTP is not configured/.test(w))).toHaveLength(1);
    const added = await h.directory.add({ name: 'Anna Bērziņa', login: 'anna', languages: ['lv'], role: 'staff', password: 'correct horse battery' });
    if (!added.ok) throw new Error(added.message);
    const state = await h.service.consoleState(added.value);
    expect(state.cases).toHaveLength(2);
    // Nothing would send them: the console says so rather than "waiting to send".
    expect(state.cases.every((c) => c.mail === 'not-configured')).toBe(true);
    expect(state.mailConfigured).toBe(false);
    const [first] = state.cases;
    expect(await h.service.cases.reply(added.value, first!.id, 'Atbilde')).toEqual({ kind: 'mail-not-configured' });
    expect((await h.repo.caseById('dvi', first!.id))?.state).toBe('open');
  });
});

describe("a staff member's reply to the citizen (R14)", () => {
  async function staffMember(h: Handover, name = 'Anna Bērziņa') {
    const added = await h.directory.add({
      name,
      login: name.split(' ')[0]!.toLowerCase(),
      languages: ['lv', 'en'],
      role: 'staff',
      password: 'correct horse battery',
    });
    if (!added.ok) throw new Error(added.message);
    return added.value;
  }

  for (const kind of ['memory', 'sqlite'] as const) {
    it(`is mailed to the citizen with greeting, answer, what happens next and a signature; the case is answered once accepted (${kind})`, async () => {
      const server = await smtp();
      const clock = { t: FRIDAY };
      const h = await handover({ smtpUrl: server.url, clock, ...(kind === 'sqlite' ? { dir: tempDir() } : {}) });
      const anna = await staffMember(h);
      const { id } = await h.service.registerCase(caseRequest);
      await h.outbox.deliverDue(); // the case to the agency

      clock.t += 3_600_000;
      const answer = 'Veikalam jāatbild mēneša laikā.\n\nSkatiet https://www.dvi.gov.lv/lv/datu-subjekta-tiesibas.';
      expect(await h.service.cases.reply(anna, id, answer)).toEqual({ kind: 'ok' });
      let state = await h.service.consoleState(anna);
      expect(state.cases.find((c) => c.id === id)).toMatchObject({ mail: 'sent', reply: 'sending' });
      expect(await h.service.cases.reply(anna, id, 'Vēl viena')).toEqual({ kind: 'pending' });

      expect(await h.outbox.deliverDue()).toEqual({ sent: 1, failed: 0 });
      const mail = server.received[1]!;
      expect(mail.to).toEqual(['janis@example.lv']);
      const text = textOf(mail.raw).replace(/\r\n/g, '\n');
      expect(text).toMatch(/^Reply-To: pasts@dvi\.gov\.lv/im);
      expect(text).toContain(`Atbilde uz jūsu jautājumu Nr. ${id}`);
      const order = [
        'Labdien!',
        'Atbildam uz jautājumu, ko 13. novembrī atstājāt Datu valsts inspekcijas tērzēšanā:',
        '> Kā panākt',
        'Veikalam jāatbild mēneša laikā.',
        'Kas notiks tālāk:',
        'Ja neesat apmierināts ar apkalpošanu:',
        'Ar cieņu\nAnna Bērziņa\nDatu valsts inspekcija',
      ];
      const at = order.map((part) => text.indexOf(part));
      expect(at.every((i) => i >= 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      for (const part of ['Tālrunis: 67223131', 'E-pasts: pasts@dvi.gov.lv', 'Tīmekļvietne: https://www.dvi.gov.lv']) expect(text).toContain(part);
      // The HTML part links the source, and the citizen's words stay escaped.
      expect(text).toContain('<a href="https://www.dvi.gov.lv/lv/datu-subjekta-tiesibas">');
      expect(text).toContain('&#60;script&#62;');

      const record = await h.repo.caseById('dvi', id);
      expect(record).toMatchObject({ state: 'closed', closedBy: anna.id });
      expect((await h.service.lines({ caseId: id })).at(-1)).toMatchObject({ author: 'staff', authorName: 'Anna Bērziņa', text: answer });
      state = await h.service.consoleState(anna);
      expect(state.cases.map((c) => c.id)).not.toContain(id);
      expect(await h.service.cases.reply(anna, id, 'Vēlreiz')).toEqual({ kind: 'closed' });
    });
  }

  it("in the conversation's language: an English case gets an English frame", () => {
    const t = loadTexts('locales').forLanguage('en');
    const mail = composeReplyMail({
      record: { id: 'P-20261113-ABCDEF', question: 'How do I get my data deleted?', createdAt: new Date(FRIDAY), language: 'en' },
      body: 'Write to the shop first.',
      staffName: 'Anna Bērziņa',
      profile: dvi,
      t,
    });
    expect(mail.subject).toBe('Reply to your question no. P-20261113-ABCDEF');
    expect(mail.text).toContain('Hello,');
    expect(mail.text).toContain('in the chat of the Data State Inspectorate on 13 November 2026:');
    expect(mail.text).toContain('Kind regards,\nAnna Bērziņa\nData State Inspectorate');
    expect(mail.html).toContain('<html lang="en">');
  });

  it('an address the mail server refuses for good is not retried, and the case stays open', async () => {
    const server = await smtp(0, ['nav.tads@example.lv']);
    const clock = { t: FRIDAY };
    const h = await handover({ smtpUrl: server.url, clock });
    const anna = await staffMember(h);
    const { id } = await h.service.registerCase({ ...caseRequest, contact: { email: 'nav.tads@example.lv' } });
    await h.outbox.deliverDue();
    expect(await h.service.cases.reply(anna, id, 'Atbilde')).toEqual({ kind: 'ok' });
    expect(await h.outbox.deliverDue()).toEqual({ sent: 0, failed: 1 });
    const [reply] = (await h.repo.mailOf('dvi', id)).filter((m) => m.purpose === 'citizen');
    expect(reply).toMatchObject({ attempts: 1, lastError: expect.stringContaining('550') });
    expect(reply?.rejectedAt).toBeInstanceOf(Date);
    clock.t += 24 * 3_600_000;
    expect(await h.outbox.deliverDue()).toEqual({ sent: 0, failed: 0 });
    expect((await h.repo.caseById('dvi', id))?.state).toBe('open');
    expect((await h.service.consoleState(anna)).cases.find((c) => c.id === id)?.reply).toBe('rejected');
    // Staff may write again (a corrected address is a new case, but a second try is theirs to make).
    expect(await h.service.cases.reply(anna, id, 'Atbilde vēlreiz')).toEqual({ kind: 'ok' });
  });

  it('a case left with a phone number records the call-back and is answered; it cannot be mailed', async () => {
    const clock = { t: FRIDAY };
    const server = await smtp();
    const h = await handover({ smtpUrl: server.url, clock });
    const anna = await staffMember(h);
    const { id } = await h.service.registerCase({ ...caseRequest, contact: { phone: '+37120000000' } });
    expect(await h.service.cases.reply(anna, id, 'Atbilde')).toEqual({ kind: 'wrong-contact' });
    expect(await h.service.cases.recordCallback(anna, id, '  ')).toEqual({ kind: 'empty' });
    expect(await h.service.cases.recordCallback(anna, id, 'Izskaidroju, kā iesniegt sūdzību.')).toEqual({ kind: 'ok' });
    expect(await h.repo.caseById('dvi', id)).toMatchObject({ state: 'closed', closedBy: anna.id });
    expect((await h.service.lines({ caseId: id })).at(-1)).toMatchObject({ author: 'staff', text: 'Atzvanīts: Izskaidroju, kā iesniegt sūdzību.' });
    // The agency mail not yet sent is no longer needed.
    expect((await h.repo.mailOf('dvi', id)).every((m) => m.cancelledAt !== undefined)).toBe(true);
    expect(await h.service.cases.recordCallback(anna, id, 'Vēlreiz')).toEqual({ kind: 'closed' });
  });
});
