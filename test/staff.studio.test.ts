// The knowledge studio's routes (bot/staff/routes/studio.ts) over HTTP on loopback. On the two
// fixture agencies (the library with one entry past its review date): the entries list counts the
// answers and "did it help" of the last 30 days from the agency's own records only, flags the
// overdue entry, searches ids, questions and answers; the reminders count the overdue entries. In the
// real app (createApp, both agencies): the preview's decision is `decide`'s, with the context a turn
// of that agency decides with, differs between the agencies as their knowledge does, masks personal
// data as a turn does, and its text reaches neither the log nor the store; it needs the CSRF header.
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionContext } from '../dialogs/respond.js';
import { decide } from '../knowledge/decide.js';
import { redact, withoutRedactions } from '../bot/privacy/redact.js';
import type { TurnOutcome } from '../bot/records.js';
import type { PreviewResponse, StudioEntriesResponse, StudioEntry, StudioReminders } from '../bot/staff/routes/studio.js';
import { PASSWORD, knowledgeReviewedOn, startAgenciesSite, type AgenciesSite, type Session } from './support/agencies-site.js';
import { startApp, type RunningApp } from './support/app.js';
import { FIXTURE_KNOWLEDGE } from './support/bot.js';

const DAY = 86_400_000;
const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;
const api = (agency: string, rest: string) => `/staff/api/agencies/${agency}${rest}`;

describe('the entries list and the reminders', () => {
  let site: AgenciesSite;
  let knowledgeDir: string;
  let lib: Session;
  let arc: Session;

  beforeAll(async () => {
    // Monday 16 November 2026; every 365 days: due by 15 January 2026, so overdue.
    knowledgeDir = knowledgeReviewedOn({ 'library/library.renew': '2025-01-15' });
    site = await startAgenciesSite({ knowledgeDir });
    await site.staff('lib', ['lv'], [{ agency: 'library', role: 'staff' }]);
    await site.staff('arc', ['lv'], [{ agency: 'archive', role: 'staff' }]);
    [lib, arc] = await Promise.all([site.login('lib'), site.login('arc')]);

    const now = site.clock.t;
    const ago = (days: number) => new Date(now - days * DAY);
    const outcome = (agency: string, kind: TurnOutcome['kind'], at: Date, entryId?: string) =>
      site.store.recordsOf(agency).outcome({
        conversationId: `c-${agency}-${at.getTime()}-${Math.random()}`,
        channel: 'directline',
        language: 'lv',
        kind,
        authorityIds: [],
        at,
        ...(entryId ? { entryId } : {}),
      });
    const feedback = (agency: string, entryId: string, helpful: boolean, at: Date) =>
      site.store.recordsOf(agency).feedback({ conversationId: `f-${agency}-${Math.random()}`, entryId, helpful, at });

    // The library, in the last 30 days: library.card answered 3 times (2 helped, 1 did not),
    // library.renew once, the greeting once; a clarifying question and a fallback count for none.
    for (const days of [1, 5, 29]) await outcome('library', 'answer', ago(days), 'library.card');
    await outcome('library', 'answer', ago(2), 'library.renew');
    await outcome('library', 'smalltalk', ago(3), 'smalltalk.greeting');
    await outcome('library', 'clarify', ago(3));
    await outcome('library', 'fallback', ago(4));
    await feedback('library', 'library.card', true, ago(1));
    await feedback('library', 'library.card', true, ago(5));
    await feedback('library', 'library.card', false, ago(6));
    // Older than 30 days: not counted.
    await outcome('library', 'answer', ago(31), 'library.card');
    await feedback('library', 'library.card', false, ago(31));
    // The archive's records, some naming the library's entry ids: never the library's counts.
    for (const days of [1, 2, 3, 4, 5]) await outcome('archive', 'answer', ago(days), 'library.card');
    for (const days of [1, 2]) await outcome('archive', 'answer', ago(days), 'archive.certificate');
    await feedback('archive', 'library.card', false, ago(1));
    await feedback('archive', 'library.renew', true, ago(1));
    await feedback('archive', 'archive.certificate', true, ago(1));
  }, 60_000);
  afterAll(async () => {
    await site?.stop();
    if (knowledgeDir) rmSync(knowledgeDir, { recursive: true, force: true });
  });

  const entries = async (agency: string, s: Session, query = '') =>
    json<StudioEntriesResponse>(await site.call('GET', api(agency, `/studio/entries${query}`), s));
  const byId = (list: StudioEntry[]) => Object.fromEntries(list.map((e) => [e.id, e]));

  it("counts each entry's answers and its 'did it help' over the last 30 days, from the agency's own records", async () => {
    const library = await entries('library', lib);
    expect(library.agency).toEqual({ id: 'library', name: 'Pilsētas bibliotēka' });
    expect([library.total, library.overdue, library.reviewIntervalDays]).toEqual([3, 1, 365]);
    expect(library.period).toEqual({ from: new Date(site.clock.t - 30 * DAY).toISOString(), to: new Date(site.clock.t).toISOString() });
    const rows = byId(library.entries);
    expect(library.entries.map((e) => e.id)).toEqual(['library.card', 'library.renew', 'smalltalk.greeting']);
    expect(rows['library.card']).toEqual({
      id: 'library.card',
      kind: 'topic',
      title: 'Kā saņemt lasītāja karti?',
      owner: 'Lasītāju apkalpošana',
      reviewed: '2026-10-01',
      reviewDueBy: '2027-10-01',
      status: 'published',
      lastChange: null,
      overdue: false,
      answered: 3,
      helpful: { yes: 2, no: 1 },
      helpedRatio: 2 / 3,
    });
    expect(rows['library.renew']).toMatchObject({
      answered: 1,
      helpful: { yes: 0, no: 0 },
      helpedRatio: null,
      overdue: true,
      reviewed: '2025-01-15',
      reviewDueBy: '2026-01-15',
    });
    expect(rows['smalltalk.greeting']).toMatchObject({ kind: 'smalltalk', answered: 1, overdue: false });

    const archive = await entries('archive', arc);
    expect(archive.entries.map((e) => e.id)).toEqual(['archive.certificate', 'archive.copies', 'smalltalk.greeting']);
    expect(byId(archive.entries)['archive.certificate']).toMatchObject({ answered: 2, helpful: { yes: 1, no: 0 }, helpedRatio: 1 });
    expect(JSON.stringify(archive)).not.toContain('library.card');
    expect(archive.overdue).toBe(0);
  });

  it('searches ids, questions in every language and answers, without case or diacritics; filters the overdue', async () => {
    const ids = async (query: string) => (await entries('library', lib, query)).entries.map((e) => e.id);
    expect(await ids('?q=pagarināt')).toEqual(['library.renew']);
    expect(await ids('?q=PAGARINAT')).toEqual(['library.renew']);
    expect(await ids('?q=library.card')).toEqual(['library.card']);
    expect(await ids(`?q=${encodeURIComponent("reader's card")}`)).toEqual(['library.card']);
    expect(await ids(`?q=${encodeURIComponent('personu apliecinošu')}`)).toEqual(['library.card']); // the answer's words
    expect(await ids('?q=nekas-tāds')).toEqual([]);
    expect(await ids('?overdue=1')).toEqual(['library.renew']);
    expect(await ids('?overdue=1&q=karte')).toEqual([]);
    const found = await entries('library', lib, '?q=karte');
    expect([found.total, found.overdue]).toEqual([3, 1]); // the agency's, whatever the search
    expect((await site.call('GET', api('library', `/studio/entries?q=${'x'.repeat(201)}`), lib)).status).toBe(400);
  });

  it("the reminders count the agency's entries past their review date, and name the member's own", async () => {
    expect(await json<StudioReminders>(await site.call('GET', api('library', '/studio/reminders'), lib))).toEqual({
      entries: 3,
      overdue: 1,
      reviewIntervalDays: 365,
      yours: [],
    });
    expect(await json<StudioReminders>(await site.call('GET', api('archive', '/studio/reminders'), arc))).toEqual({
      entries: 3,
      overdue: 0,
      reviewIntervalDays: 365,
      yours: [],
    });
    // A year on, every fixture entry is due.
    const then = site.clock.t;
    site.clock.t = Date.parse('2027-10-02T09:00:00Z');
    try {
      const later = await site.login('arc'); // the first session has expired by then
      expect((await json<StudioReminders>(await site.call('GET', api('archive', '/studio/reminders'), later))).overdue).toBe(3);
      // An entry's owner naming a member (here by login, without diacritics) is theirs on login.
      await site.staff('lasitava', ['lv'], [{ agency: 'archive', role: 'staff' }]);
      const owner = await site.login('lasitava');
      const theirs = await json<StudioReminders>(await site.call('GET', api('archive', '/studio/reminders'), owner));
      expect(theirs.yours.map((e) => e.id)).toEqual(['archive.copies']);
      expect((await json<StudioReminders>(await site.call('GET', api('archive', '/studio/reminders'), later))).yours).toEqual([]);
    } finally {
      site.clock.t = then;
    }
  });

  it('is for staff with a session; the page sends others to the login', async () => {
    expect((await site.call('GET', api('library', '/studio/entries'))).status).toBe(401);
    expect((await site.call('GET', '/staff/studio')).status).toBe(303);
    const page = await site.call('GET', '/staff/studio', lib);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script src="/staff/studio.js" defer></script>');
  });
});

describe('the preview in the real app', () => {
  let running: RunningApp;
  let session: Session;
  const lines: string[] = [];
  const SECRET = 'Slepenā Frāze Septiņi';

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    running = await startApp(
      { KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE, AGENCY: 'library', AGENCIES: 'library,archive', COOKIE_SECURE: 'false' },
      { log: pino({ level: 'debug' }, sink) },
    );
    await running.app.handover.ready;
    const added = await running.app.handover.directory.add({
      name: 'Ilze Tests',
      login: 'ilze',
      languages: ['lv'],
      role: 'staff',
      password: PASSWORD,
      agencies: [
        { agency: 'library', role: 'staff' },
        { agency: 'archive', role: 'staff' },
      ],
    });
    if (!added.ok) throw new Error(added.message);
    const res = await fetch(`${running.origin}/staff/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: running.origin },
      body: JSON.stringify({ login: 'ilze', password: PASSWORD }),
    });
    session = { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]!, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  }, 60_000);
  afterAll(async () => {
    await running?.stop();
  });

  const post = (agency: string, body: unknown, headers: Record<string, string> = { 'x-csrf-token': session.csrf }) =>
    fetch(`${running.origin}${api(agency, '/studio/preview')}`, {
      method: 'POST',
      headers: { cookie: session.cookie, origin: running.origin, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const previewOf = async (agency: string, text: string) => {
    const res = await post(agency, { text });
    expect(res.status).toBe(200);
    return json<PreviewResponse>(res);
  };
  /** What a turn of the agency decides for the text (redacted as a turn does), as the preview says it. */
  const decided = (agency: string, text: string) => {
    const result = decide(withoutRedactions(redact(text).text), decisionContext(running.app.turnDepsOf(agency)!, 'lv'));
    const d = result.decision;
    return {
      kind: d.kind,
      entryId: d.kind === 'answer' || d.kind === 'smalltalk' ? d.entry.id : d.kind === 'refer' ? (d.answer?.id ?? null) : null,
      authorityId: d.kind === 'refer' ? d.authority.id : null,
      language: result.language,
      upset: result.upset,
    };
  };

  const QUESTIONS = [
    'Kā pagarināt grāmatu?',
    'Kā saņemt arhīva izziņu?',
    'Cik maksā dokumenta kopija?',
    'lasitaja karte',
    'Labdien',
    'Gribu runāt ar darbinieku',
    'Kāds šodien laiks?',
    'Mans personas kods 150575-12341, kā pagarināt grāmatu?',
  ];

  it("decides as `decide` does with the agency's turn context, for every question and both agencies", async () => {
    for (const agency of ['library', 'archive'])
      for (const text of QUESTIONS) {
        const p = await previewOf(agency, text);
        expect(
          { kind: p.decision.kind, entryId: p.decision.entryId, authorityId: p.decision.authorityId, language: p.language, upset: p.upset },
          `${agency}: ${text}`,
        ).toEqual(decided(agency, text));
      }
  });

  it("answers from each agency's own knowledge, with the closest entries and the words they matched", async () => {
    const library = await previewOf('library', 'Kā pagarināt grāmatu?');
    const archive = await previewOf('archive', 'Kā pagarināt grāmatu?');
    expect(library.decision).toMatchObject({ kind: 'answer', entryId: 'library.renew' });
    expect(archive.decision.entryId).not.toBe('library.renew');
    expect(archive.explain.closest.map((c) => c.id)).not.toContain('library.renew');
    const closest = library.explain.closest[0]!;
    expect(closest).toMatchObject({ kind: 'entry', id: 'library.renew', title: 'Kā pagarināt grāmatu?' });
    expect(closest.score).toBeGreaterThan(0);
    expect(closest.matched.length).toBeGreaterThan(0);
    expect(library.explain.terms.length).toBeGreaterThan(0);
    // The same list `npm run ask --explain` prints.
    const search = running.app.agencies.knowledge('library')!.index.search('Kā pagarināt grāmatu?', 6);
    expect(library.explain.closest.map((c) => [c.id, c.score, c.matched])).toEqual(search.results.map((r) => [r.id, r.score, r.matched]));

    const certificate = await previewOf('archive', 'Kā saņemt arhīva izziņu?');
    expect(certificate.decision).toMatchObject({ kind: 'answer', entryId: 'archive.certificate' });
    expect((await previewOf('library', 'Kā saņemt arhīva izziņu?')).decision.entryId).not.toBe('archive.certificate');
  });

  it('masks personal data as a turn does, and never logs or stores the text', async () => {
    const p = await previewOf('library', `${SECRET}: mans personas kods 150575-12341, kā pagarināt grāmatu?`);
    expect(p.redacted).toBe(true);
    expect(JSON.stringify(p)).not.toContain('150575');
    const log = lines.join('');
    expect(log).toContain('"msg":"preview"');
    for (const secret of [SECRET, 'Slepen', '150575', 'pagarināt']) expect(log).not.toContain(secret);
    // Nothing recorded: no outcome, no unanswered question.
    const records = await running.app.store.recordsOf('library').period(new Date(0), new Date(Date.now() + DAY));
    expect([records.outcomes.length, records.unanswered.length, records.feedback.length]).toEqual([0, 0, 0]);
  });

  it('is a POST with the CSRF header and a text of 1–2000 characters', async () => {
    expect((await post('library', { text: 'Kā pagarināt grāmatu?' }, { 'x-csrf-token': '' })).status).toBe(403);
    expect((await post('library', { text: '' })).status).toBe(400);
    expect((await post('library', { text: 'x'.repeat(2001) })).status).toBe(400);
    expect((await post('library', { text: 'Labdien', language: 'xx' })).status).toBe(400);
    const bad = await post('library', {});
    expect(await bad.text()).not.toContain('text":');
    expect((await post('nowhere', { text: 'Labdien' })).status).toBe(404);
    const anonymous = await fetch(`${running.origin}${api('library', '/studio/preview')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"x"}',
    });
    expect(anonymous.status).toBe(401);
  });
});
