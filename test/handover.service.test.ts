// The staff side through HandoverService with a pinned clock: offered languages (R3), availability
// and routing by language, queue positions, the live relay, hand-back and close, cases with
// working-day deadlines and overdue flags (R4, R15), deletion of a conversation's records (R8).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConversationAccount } from 'botbuilder';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { testConfig } from '../bot/config.js';
import { silentLogger } from '../bot/log.js';
import { createHandover, oneAgency, type Handover } from '../bot/handover/index.js';
import type { MailSender } from '../bot/handover/mail.js';
import { MemoryHandoverRepository, type HandoverRepository, type StaffMember } from '../bot/handover/repository.js';
import { SqlHandoverRepository, sqliteRunner } from '../bot/handover/sql-repository.js';
import type { ConsoleSignal } from '../bot/handover/types.js';
import { questionOf } from '../bot/handover/transcript.js';
import type { HandoverEvent, HandoverRequest } from '../bot/handover/types.js';
import { createMemoryStore } from '../bot/storage/memory.js';
import { openDatabase, openSqliteStore } from '../bot/storage/sqlite.js';
import type { PadomsStore } from '../bot/storage/store.js';
import { agencyProfile, type AgencyProfile, type LanguageCode } from '../knowledge/schema.js';

const dvi = agencyProfile.parse(parseYaml(readFileSync('knowledge/agencies/dvi/profile.yaml', 'utf8')));
/** Monday 16 November 2026, 13:30 in Riga. */
const MONDAY_IN_HOURS = Date.parse('2026-11-16T11:30:00Z');
/** Friday 13 November 2026, 15:30 in Riga: after hours. */
const FRIDAY_AFTER_HOURS = Date.parse('2026-11-13T13:30:00Z');

interface Rig extends Handover {
  events: HandoverEvent[];
  signals: ConsoleSignal[];
  sent: Parameters<MailSender['send']>[0][];
  clock: { t: number };
  store: PadomsStore;
  staff(name: string, login: string, languages: LanguageCode[], online?: boolean): Promise<StaffMember>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function rig(kind: 'memory' | 'sqlite', options: { t?: number; profile?: AgencyProfile; mailbox?: string; staffHours?: 'always' } = {}): Promise<Rig> {
  const dir = mkdtempSync(path.join(tmpdir(), 'padoms-handover-'));
  const clock = { t: options.t ?? MONDAY_IN_HOURS };
  const now = () => new Date(clock.t);
  const store = kind === 'memory' ? createMemoryStore({ now }) : openSqliteStore({ dataDir: dir, now, defaultAgency: 'dvi' });
  const repo: HandoverRepository = kind === 'memory' ? new MemoryHandoverRepository() : new SqlHandoverRepository(sqliteRunner(openDatabase(dir)));
  const sent: Parameters<MailSender['send']>[0][] = [];
  const mailSender: MailSender = { send: async (m) => void sent.push(m), close: () => {} };
  const handover = createHandover({
    config: testConfig({
      DATA_DIR: dir,
      ...(options.mailbox ? { AGENCY_MAILBOX: options.mailbox } : {}),
      ...(options.staffHours ? { STAFF_HOURS: options.staffHours } : {}),
    }),
    store,
    agencies: oneAgency(() => options.profile ?? dvi),
    log: silentLogger,
    now,
    repo,
    mailSender,
    timers: false,
  });
  await handover.ready;
  const events: HandoverEvent[] = [];
  const signals: ConsoleSignal[] = [];
  handover.service.subscribe((e) => events.push(e));
  handover.service.onSignal((s) => signals.push(s));
  cleanups.push(async () => {
    await handover.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    ...handover,
    events,
    signals,
    sent,
    clock,
    store,
    async staff(name, login, languages, online = true) {
      const added = await handover.directory.add({ name, login, languages, role: 'staff', password: 'correct horse battery' });
      if (!added.ok) throw new Error(added.message);
      if (online) await handover.service.seen(added.value);
      return added.value;
    },
  };
}

const request = (conversationId: string, language: LanguageCode = 'lv', text = 'Gribu runāt ar cilvēku'): HandoverRequest => ({
  conversationId,
  channel: 'directline',
  language,
  reason: 'not-helped',
  reference: { channelId: 'directline', conversation: { id: conversationId } as ConversationAccount, serviceUrl: 'http://127.0.0.1' },
  transcript: [
    { type: 'message', from: { id: 'u1', name: '', role: 'user' }, text, timestamp: new Date(MONDAY_IN_HOURS - 20_000) },
    { type: 'message', from: { id: 'bot', name: 'Padoms', role: 'bot' }, text: 'Vai savienot ar darbinieku?', timestamp: new Date(MONDAY_IN_HOURS - 10_000) },
    { type: 'typing', from: { id: 'bot', name: 'Padoms', role: 'bot' } },
  ],
});

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('offered languages (R3)', () => {
  it('follow the profile while there are no staff accounts, then the enabled staff', async () => {
    const h = await rig('memory');
    expect(h.staffLanguages()).toEqual(['lv', 'en']);
    await h.staff('Anna Bērziņa', 'anna', ['lv', 'ru']);
    await h.service.refreshStaffLanguages();
    expect(h.staffLanguages()).toEqual(['lv', 'ru']);
    await h.staff('John Smith', 'john', ['en']);
    await h.service.refreshStaffLanguages();
    expect(h.staffLanguages()).toEqual(['lv', 'en', 'ru']);
  });

  it('removing or disabling the last English speaker stops English being offered', async () => {
    const h = await rig('sqlite');
    await h.staff('Anna Bērziņa', 'anna', ['lv']);
    await h.staff('John Smith', 'john', ['lv', 'en']);
    await h.staff('Mary Jones', 'mary', ['en']);
    await h.service.refreshStaffLanguages();
    expect(h.staffLanguages()).toContain('en');
    expect((await h.directory.remove('john')).ok).toBe(true);
    await h.service.refreshStaffLanguages();
    expect(h.staffLanguages()).toContain('en');
    expect((await h.directory.disable('mary')).ok).toBe(true);
    await h.service.refreshStaffLanguages();
    expect(h.staffLanguages()).toEqual(['lv']);
  });

  it('a directory change refreshes the offered languages by itself', async () => {
    const h = await rig('memory');
    await h.staff('Anna Bērziņa', 'anna', ['lv', 'en']);
    await h.directory.setLanguages('anna', ['lv', 'de']);
    await flush();
    await flush();
    expect(h.staffLanguages()).toEqual(['lv', 'de']);
  });
});

describe('availability and routing', () => {
  it('in hours with someone online who speaks the language', async () => {
    const h = await rig('memory');
    await h.staff('John Smith', 'john', ['lv', 'en']);
    expect(await h.service.availability('en')).toEqual({ at: expect.any(Date), inHours: true, staffOnline: true, onlineLanguages: ['lv', 'en'] });
    expect(await h.service.availability('ru')).toMatchObject({ inHours: true, staffOnline: false });
  });

  it('away, gone silent, or disabled staff are not online', async () => {
    const h = await rig('memory');
    const john = await h.staff('John Smith', 'john', ['lv', 'en']);
    await h.service.setStatus(john, 'away');
    expect((await h.service.availability('en')).staffOnline).toBe(false);
    await h.service.setStatus(john, 'online');
    expect((await h.service.availability('en')).staffOnline).toBe(true);
    h.clock.t += 61_000;
    expect((await h.service.availability('en')).staffOnline).toBe(false);
    await h.service.seen(john);
    await h.directory.disable('john');
    expect((await h.service.availability('en')).staffOnline).toBe(false);
  });

  it('out of hours: says so, with the next opening (after the weekend)', async () => {
    const h = await rig('memory', { t: FRIDAY_AFTER_HOURS });
    await h.staff('Anna Bērziņa', 'anna', ['lv']);
    expect(await h.service.availability('lv')).toEqual({
      at: expect.any(Date),
      inHours: false,
      staffOnline: true,
      onlineLanguages: ['lv'],
      nextOpening: new Date('2026-11-16T11:00:00Z'),
    });
  });

  it('STAFF_HOURS=always (trying it on a laptop): in hours at any hour, the calendar otherwise the same', async () => {
    const h = await rig('memory', { t: FRIDAY_AFTER_HOURS, staffHours: 'always' });
    await h.staff('Anna Bērziņa', 'anna', ['lv']);
    expect(await h.service.availability('lv')).toEqual({ at: expect.any(Date), inHours: true, staffOnline: true, onlineLanguages: ['lv'] });
    // Deadlines of left questions still count the agency's working days.
    expect(h.service.calendar().isWorkingDay('2026-11-14')).toBe(false);
  });

  it('a waiting conversation is shown only to staff who speak its language, and only they may accept it', async () => {
    const h = await rig('memory');
    const anna = await h.staff('Anna Bērziņa', 'anna', ['lv']);
    const john = await h.staff('John Smith', 'john', ['lv', 'en']);
    const { ticket } = await h.service.enqueue(request('c-en', 'en', 'I need a person'));
    expect((await h.service.consoleState(anna)).queue).toEqual([]);
    expect((await h.service.consoleState(john)).queue.map((q) => q.ticketId)).toEqual([ticket.id]);
    expect(await h.service.accept(anna, ticket.id)).toEqual({ kind: 'language' });
    expect((await h.service.accept(john, ticket.id)).kind).toBe('accepted');
  });
});

describe('the queue', () => {
  it('positions count per language, oldest first; enqueueing twice keeps one place', async () => {
    const h = await rig('memory');
    const a = await h.service.enqueue(request('c1'));
    h.clock.t += 1000;
    const b = await h.service.enqueue(request('c2'));
    h.clock.t += 1000;
    const c = await h.service.enqueue(request('c3', 'en'));
    expect([a.position, b.position, c.position]).toEqual([1, 2, 1]);
    expect(a.ticket.state).toBe('queued');
    const again = await h.service.enqueue(request('c2'));
    expect(again).toEqual({ ticket: b.ticket, position: 2 });
    expect(await h.service.active('c2')).toMatchObject({ id: b.ticket.id, state: 'queued' });
    expect(await h.service.position('c3')).toBe(1);
  });

  it('sends a position event whenever the queue ahead shrinks, and none to those not behind', async () => {
    const h = await rig('sqlite');
    const anna = await h.staff('Anna Bērziņa', 'anna', ['lv']);
    const first = await h.service.enqueue(request('c1'));
    h.clock.t += 1000;
    await h.service.enqueue(request('c2'));
    h.clock.t += 1000;
    await h.service.enqueue(request('c3'));
    await h.service.accept(anna, first.ticket.id);
    expect(h.events.filter((e) => e.type === 'position')).toEqual([
      expect.objectContaining({ conversationId: 'c2', position: 1 }),
      expect.objectContaining({ conversationId: 'c3', position: 2 }),
    ]);
    h.events.length = 0;
    await h.service.cancel('c2');
    expect(h.events).toEqual([expect.objectContaining({ type: 'position', conversationId: 'c3', position: 1 })]);
  });

  it('relays both ways while with staff, then hands back to the bot', async () => {
    const h = await rig('sqlite');
    const anna = await h.staff('Anna Bērziņa', 'anna', ['lv']);
    const { ticket } = await h.service.enqueue(request('c-live'));
    await h.service.citizenMessage('c-live', 'Vēl gaidu. Mans personas kods ir 321234-56789.');
    await h.service.accept(anna, ticket.id);
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'accepted', conversationId: 'c-live', staffName: 'Anna' }));
    expect(await h.service.sendStaffMessage(anna, ticket.id, 'Labdien! Kā varu palīdzēt?')).toMatchObject({ kind: 'ok' });
    expect(h.events).toContainEqual({
      type: 'staff-message',
      agency: 'dvi',
      conversationId: 'c-live',
      text: 'Labdien! Kā varu palīdzēt?',
      staffName: 'Anna',
      reference: expect.objectContaining({ conversation: { id: 'c-live' } }),
    });
    await h.service.citizenMessage('c-live', 'Paldies');
    const lines = await h.service.lines({ ticketId: ticket.id });
    expect(lines.map((l) => [l.author, l.text])).toEqual([
      ['citizen', 'Gribu runāt ar cilvēku'],
      ['bot', 'Vai savienot ar darbinieku?'],
      ['citizen', 'Vēl gaidu. Mans personas kods ir [personas kods].'],
      ['system', 'Anna Bērziņa pieņēma sarunu.'],
      ['staff', 'Labdien! Kā varu palīdzēt?'],
      ['citizen', 'Paldies'],
    ]);
    await flush();
    expect(h.signals.some((s) => s.kind === 'line')).toBe(true);
    expect((await h.service.handBack(anna, ticket.id)).kind).toBe('ok');
    expect(h.events.at(-1)).toMatchObject({ type: 'handed-back', conversationId: 'c-live' });
    expect(await h.service.active('c-live')).toBeUndefined();
    expect((await h.service.ticket(ticket.id))?.state).toBe('back-to-bot');
    // Over: no more messages either way.
    expect(await h.service.sendStaffMessage(anna, ticket.id, 'vēl')).toEqual({ kind: 'invalid', state: 'back-to-bot' });
  });

  it('only the staff member who has the conversation may write in it or hand it back; closing ends it', async () => {
    const h = await rig('memory');
    const anna = await h.staff('Anna Bērziņa', 'anna', ['lv']);
    const janis = await h.staff('Jānis Kalniņš', 'janis', ['lv']);
    const { ticket } = await h.service.enqueue(request('c-own'));
    await h.service.accept(anna, ticket.id);
    expect(await h.service.sendStaffMessage(janis, ticket.id, 'Sveiki')).toEqual({ kind: 'forbidden' });
    expect(await h.service.handBack(janis, ticket.id)).toEqual({ kind: 'forbidden' });
    expect(await h.service.sendStaffMessage(anna, ticket.id, '   ')).toEqual({ kind: 'empty' });
    expect((await h.service.closeTicket(anna, ticket.id)).kind).toBe('ok');
    expect(h.events.at(-1)).toMatchObject({ type: 'closed', conversationId: 'c-own' });
    expect((await h.service.ticket(ticket.id))?.state).toBe('closed');
  });

  it('a conversation waiting longer than one working day is overdue in the console (R15)', async () => {
    const h = await rig('memory');
    const anna = await h.staff('Anna Bērziņa', 'anna', ['lv']);
    await h.service.enqueue(request('c-slow'));
    expect((await h.service.consoleState(anna)).queue[0]).toMatchObject({ overdue: false, respondBy: '2026-11-17T21:59:59.999Z' });
    h.clock.t = Date.parse('2026-11-18T08:00:00Z');
    await h.service.seen(anna);
    const state = await h.service.consoleState(anna);
    expect(state.queue[0]?.overdue).toBe(true);
    expect(state.overdue.queue).toBe(1);
  });

  it('notes belong to the conversation and are kept apart from what the citizen sees', async () => {
    const h = await rig('sqlite');
    const anna = await h.staff('Anna Bērziņa', 'anna', ['lv']);
    const { ticket } = await h.service.enqueue(request('c-note'));
    const note = await h.service.addNote(anna, { ticketId: ticket.id }, 'Zvanīt atpakaļ rīt');
    expect(note).toMatchObject({ staffName: 'Anna Bērziņa', text: 'Zvanīt atpakaļ rīt', ticketId: ticket.id });
    expect(await h.service.notes({ ticketId: ticket.id })).toHaveLength(1);
    expect(h.events.some((e) => e.type === 'staff-message')).toBe(false);
  });
});

describe('cases', () => {
  it('registers a case due in N working days, mails it, shows it in the console (R4)', async () => {
    const h = await rig('sqlite', { t: FRIDAY_AFTER_HOURS });
    const anna = await h.staff('Anna Bērziņa', 'anna', ['lv']);
    const registered = await h.service.registerCase({
      conversationId: 'c-case',
      channel: 'directline',
      language: 'lv',
      contact: { email: 'iedzivotajs@example.lv' },
      question: 'Kā dzēst savus datus no veikala datubāzes?',
      transcript: request('c-case').transcript,
    });
    expect(registered.id).toMatch(/^P-20261113-[0-9A-F]{6}$/);
    expect(registered.dueBy).toEqual(new Date('2026-11-17T21:59:59.999Z'));
    await h.outbox.deliverDue();
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]).toMatchObject({ to: 'pasts@dvi.gov.lv', subject: `Iedzīvotāja jautājums ${registered.id}: atbildēt līdz 17.11.2026.` });
    const state = await h.service.consoleState(anna);
    expect(state.cases).toEqual([
      expect.objectContaining({
        id: registered.id,
        dueAt: '2026-11-17T21:59:59.999Z',
        pickUpBy: '2026-11-16T21:59:59.999Z',
        overdue: false,
        mail: 'sent',
        contact: { email: 'iedzivotajs@example.lv' },
      }),
    ]);
    expect((await h.service.lines({ caseId: registered.id })).map((l) => l.author)).toEqual(['citizen', 'bot']);
  });

  it('the console marks cases past their pick-up day and past their deadline', async () => {
    const h = await rig('memory', { t: FRIDAY_AFTER_HOURS });
    const anna = await h.staff('Anna Bērziņa', 'anna', ['lv']);
    await h.service.registerCase({
      conversationId: 'c1',
      channel: 'directline',
      language: 'en',
      contact: { phone: '+37120000000' },
      question: 'Call me',
      transcript: [],
    });
    h.clock.t = Date.parse('2026-11-17T10:00:00Z');
    expect((await h.service.consoleState(anna)).cases[0]).toMatchObject({ needsPickUp: true, overdue: false });
    h.clock.t = Date.parse('2026-11-19T10:00:00Z');
    await h.service.seen(anna);
    const state = await h.service.consoleState(anna);
    expect(state.cases[0]).toMatchObject({ needsPickUp: true, overdue: true });
    expect(state.overdue.cases).toBe(1);
  });

  it('answering a case closes it and cancels mail not yet sent', async () => {
    const h = await rig('memory', { mailbox: 'lietas@dvi.gov.lv' });
    const anna = await h.staff('Anna Bērziņa', 'anna', ['lv']);
    const { id } = await h.service.registerCase({
      conversationId: 'c1',
      channel: 'directline',
      language: 'lv',
      contact: { email: 'a@example.lv' },
      question: 'Jautājums',
      transcript: [],
    });
    expect((await h.repo.mailOf('dvi', id))[0]?.to).toBe('lietas@dvi.gov.lv');
    expect(await h.service.cases.close(anna, id)).toEqual({ kind: 'ok' });
    expect(await h.service.cases.close(anna, id)).toEqual({ kind: 'invalid' });
    await h.outbox.deliverDue();
    expect(h.sent).toHaveLength(0);
    expect((await h.service.consoleState(anna)).cases).toEqual([]);
  });

  it('leaving a question while queued takes the conversation out of the queue', async () => {
    const h = await rig('memory');
    const { ticket } = await h.service.enqueue(request('c-q'));
    await h.service.registerCase({
      conversationId: 'c-q',
      channel: 'directline',
      language: 'lv',
      contact: { email: 'a@example.lv' },
      question: 'Q',
      transcript: [],
    });
    expect((await h.service.ticket(ticket.id))?.state).toBe('offline-case');
    expect(await h.service.active('c-q')).toBeUndefined();
  });

  it('without a mailbox anywhere, the case is still stored and shown', async () => {
    const { mailbox: _m, ...contactsWithoutMail } = { mailbox: undefined, ...dvi.contacts, email: undefined };
    const profile = { ...dvi, contacts: contactsWithoutMail } as AgencyProfile;
    const h = await rig('memory', { profile });
    const anna = await h.staff('Anna Bērziņa', 'anna', ['lv']);
    const { id } = await h.service.registerCase({
      conversationId: 'c1',
      channel: 'directline',
      language: 'lv',
      contact: { email: 'a@example.lv' },
      question: 'Q',
      transcript: [],
    });
    expect((await h.service.consoleState(anna)).cases).toEqual([expect.objectContaining({ id, mail: 'none' })]);
  });
});

describe('deleting a conversation (R8)', () => {
  it('removes its tickets, lines and notes', async () => {
    const h = await rig('sqlite');
    const anna = await h.staff('Anna Bērziņa', 'anna', ['lv']);
    const { ticket } = await h.service.enqueue(request('c-del'));
    await h.service.addNote(anna, { ticketId: ticket.id }, 'piezīme');
    expect(await h.deleteConversation('c-del')).toBeGreaterThanOrEqual(4);
    expect(await h.service.ticket(ticket.id)).toBeUndefined();
    expect(await h.service.lines({ ticketId: ticket.id })).toEqual([]);
    expect(await h.service.notes({ ticketId: ticket.id })).toEqual([]);
  });

  it('purges finished handovers older than the retention limit', async () => {
    const h = await rig('memory');
    const anna = await h.staff('Anna Bērziņa', 'anna', ['lv']);
    const { ticket } = await h.service.enqueue(request('c-old'));
    await h.service.accept(anna, ticket.id);
    await h.service.closeTicket(anna, ticket.id);
    h.clock.t += 91 * 86_400_000;
    expect(await h.purge({ byAgency: new Map(), otherwise: new Date(h.clock.t - 90 * 86_400_000) })).toBeGreaterThan(0);
    expect(await h.service.ticket(ticket.id)).toBeUndefined();
  });
});

describe('the queue row', () => {
  it("shows the first line of the citizen's first message, shortened on a word boundary", () => {
    expect(
      questionOf([
        { author: 'bot', text: 'Labdien!' },
        { author: 'citizen', text: '\nKā dzēst datus?\nMani sauc Anna' },
        { author: 'citizen', text: 'Vēl' },
      ]),
    ).toBe('Kā dzēst datus?');
    const long = `${'vārds '.repeat(40)}beigas`;
    const shown = questionOf([{ author: 'citizen', text: long }])!;
    expect(shown.endsWith('…')).toBe(true);
    expect(shown.length).toBeLessThanOrEqual(121);
    expect(shown.slice(0, -1)).toMatch(/vārds$/);
    expect(questionOf([{ author: 'bot', text: 'Sveiki' }])).toBeUndefined();
  });
});
