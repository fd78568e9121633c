// One installation, two agencies (the fixtures library and archive), the real console routes over
// HTTP on loopback: on every route, a member of the library is refused the archive's queue,
// tickets, messages, hand-back, close, notes, cases, case replies, transcripts, event stream,
// presence, reports and the knowledge studio (entries, reminders, preview, the editor's drafts, publishing, versions, diffs, rollback, the unanswered inbox and its actions, impact) — by the archive's path
// (403) and by an archive id on the library's path (404) — with nothing of the archive in the answer, while the archive's staff get their own. Also:
// a queue per agency, presence and offered languages per agency, switching agency with one login,
// each agency's mailbox, agencies added and removed while running, and what an agency's
// administrator may and may not do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffMember } from '../bot/handover/repository.js';
import type { ConsoleState } from '../bot/handover/console-view.js';
import type { ReportResponse } from '../bot/staff/routes/reports.js';
import type { PreviewResponse, StudioEntriesResponse, StudioReminders } from '../bot/staff/routes/studio.js';
import { PASSWORD, handoverRequest, readEvents, startAgenciesSite, type AgenciesSite, type HttpMethod, type Session } from './support/agencies-site.js';

let site: AgenciesSite;
const staff: Record<string, StaffMember> = {};
const sessions: Record<string, Session> = {};
const api = (agency: string, rest = '') => `/staff/api/agencies/${agency}${rest}`;

beforeAll(async () => {
  site = await startAgenciesSite({ mailbox: 'lietas@library.example.lv' });
  const people: [string, StaffMember['languages'], StaffMember['agencies'], StaffMember['role']?][] = [
    ['lib', ['lv', 'en'], [{ agency: 'library', role: 'staff' }]],
    ['arc', ['lv', 'ru'], [{ agency: 'archive', role: 'staff' }]],
    [
      'both',
      ['lv'],
      [
        { agency: 'library', role: 'staff' },
        { agency: 'archive', role: 'staff' },
      ],
    ],
    ['libadmin', ['lv'], [{ agency: 'library', role: 'admin' }]],
    ['root', ['lv'], [], 'admin'],
  ];
  for (const [login, languages, agencies, role] of people) staff[login] = await site.staff(login, languages, agencies, role);
  for (const login of Object.keys(staff)) sessions[login] = await site.login(login);
}, 60_000);
afterAll(async () => {
  await site?.stop();
});

const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;

/** A refusal with the status given and nothing of what was asked for in it. */
async function expectRefused(res: Response, status: 403 | 404, secrets: readonly string[]): Promise<void> {
  expect(res.status).toBe(status);
  const body = await res.text();
  for (const secret of secrets) expect(body).not.toContain(secret);
}

describe('presence and offered languages are per agency', () => {
  it("a member online for the library is not online for the archive; the library's staff cannot set a status there", async () => {
    const library = site.handover.side.service('library');
    const archive = site.handover.side.service('archive');
    expect((await library.availability('lv')).staffOnline).toBe(false);
    expect((await site.call('GET', api('library', '/state'), sessions['lib'])).status).toBe(200);
    expect((await library.availability('lv')).staffOnline).toBe(true);
    expect((await archive.availability('lv')).staffOnline).toBe(false);
    await expectRefused(await site.call('POST', api('archive', '/status'), sessions['lib'], { status: 'online' }), 403, []);
    expect((await archive.availability('lv')).staffOnline).toBe(false);
    expect(await archive.statusOf(staff['lib']!.id)).toBe('offline');
  });

  it('each agency offers the languages of its own staff (R3)', async () => {
    expect(site.handover.forAgency('library').staffLanguages()).toEqual(['lv', 'en']);
    expect(site.handover.forAgency('archive').staffLanguages()).toEqual(['lv', 'ru']);
  });

  it('a member serving both agencies switches between them with one login, and logging out ends both', async () => {
    const me = await json<{ agencies: { id: string; name: string; role: string }[] }>(await site.call('GET', '/staff/api/me', sessions['both']));
    expect(me.agencies).toEqual([
      { id: 'library', name: 'Pilsētas bibliotēka', role: 'staff' },
      { id: 'archive', name: 'Pilsētas arhīvs', role: 'staff' },
    ]);
    expect((await json<{ agencies: { id: string }[] }>(await site.call('GET', '/staff/api/me', sessions['lib']))).agencies.map((a) => a.id)).toEqual([
      'library',
    ]);
    expect((await json<{ agencies: { role: string }[] }>(await site.call('GET', '/staff/api/me', sessions['root']))).agencies).toEqual([
      expect.objectContaining({ id: 'library', role: 'installation-admin' }),
      expect.objectContaining({ id: 'archive', role: 'installation-admin' }),
    ]);
    const session = await site.login('both');
    const library = await json<ConsoleState>(await site.call('GET', api('library', '/state'), session));
    const archive = await json<ConsoleState>(await site.call('GET', api('archive', '/state'), session));
    expect([library.agency, archive.agency]).toEqual([
      { id: 'library', name: 'Pilsētas bibliotēka' },
      { id: 'archive', name: 'Pilsētas arhīvs' },
    ]);
    expect(await site.handover.side.service('archive').statusOf(staff['both']!.id)).toBe('online');
    expect((await site.call('POST', '/staff/api/logout', session)).status).toBe(204);
    expect(await site.handover.side.service('library').statusOf(staff['both']!.id)).toBe('offline');
    expect(await site.handover.side.service('archive').statusOf(staff['both']!.id)).toBe('offline');
  });
});

describe('a queue per agency', () => {
  it('places count within each agency; accepting in one moves only its own citizens up', async () => {
    const library = site.handover.side.service('library');
    const archive = site.handover.side.service('archive');
    const first = await library.enqueue(handoverRequest('q-lib-1', 'Pirmais bibliotēkā'));
    site.clock.t += 1000;
    const other = await archive.enqueue(handoverRequest('q-arc-1', 'Pirmais arhīvā'));
    site.clock.t += 1000;
    const second = await library.enqueue(handoverRequest('q-lib-2', 'Otrais bibliotēkā'));
    expect([first.position, other.position, second.position]).toEqual([1, 1, 2]);
    // What /metrics reads, by agency.
    expect((await site.handover.countsByAgency()).queued).toEqual(
      new Map([
        ['library', 2],
        ['archive', 1],
      ]),
    );
    const libState = await json<ConsoleState>(await site.call('GET', api('library', '/state'), sessions['lib']));
    expect(libState.queue.map((q) => [q.conversationId, q.position])).toEqual([
      ['q-lib-1', 1],
      ['q-lib-2', 2],
    ]);
    const arcState = await json<ConsoleState>(await site.call('GET', api('archive', '/state'), sessions['arc']));
    expect(arcState.queue.map((q) => [q.conversationId, q.position])).toEqual([['q-arc-1', 1]]);

    site.events.length = 0;
    expect((await site.call('POST', api('library', `/tickets/${first.ticket.id}/accept`), sessions['lib'])).status).toBe(200);
    expect(site.events.filter((e) => e.type === 'position')).toEqual([expect.objectContaining({ conversationId: 'q-lib-2', position: 1, agency: 'library' })]);
    expect(site.events.find((e) => e.type === 'accepted')).toMatchObject({ conversationId: 'q-lib-1', agency: 'library' });
    expect(await archive.position('q-arc-1')).toBe(1);
    // One agency's service does not know another's conversations at all.
    expect(await archive.active('q-lib-2')).toBeUndefined();
    expect(await library.position('q-arc-1')).toBeUndefined();
    for (const id of ['q-lib-1', 'q-lib-2']) await library.cancel(id);
    await archive.cancel('q-arc-1');
  });
});

describe("another agency's conversation, route by route", () => {
  /** The archive's conversation: with `arc` once accepted. */
  let ticket = '';
  /** A second one, left waiting, to be closed from the queue. */
  let waiting = '';
  const secret = 'Arhīva noslēpums 42';

  beforeAll(async () => {
    const archive = site.handover.side.service('archive');
    ticket = (await archive.enqueue(handoverRequest('conv-arc', secret))).ticket.id;
    site.clock.t += 1000; // places follow the time a citizen joined the queue
    waiting = (await archive.enqueue(handoverRequest('conv-arc-2', `${secret} (otrs)`))).ticket.id;
  });

  /** The library's member by the archive's path (403), then by the archive's id on the library's path (404); a member of both too. */
  async function crossings(method: 'GET' | 'POST', rest: (id: string) => string, id: string, body?: unknown): Promise<void> {
    const secrets = [secret, 'conv-arc'];
    await expectRefused(await site.call(method, api('archive', rest(id)), sessions['lib'], body), 403, secrets);
    await expectRefused(await site.call(method, api('library', rest(id)), sessions['lib'], body), 404, secrets);
    await expectRefused(await site.call(method, api('library', rest(id)), sessions['both'], body), 404, secrets);
  }

  it('the queue (state): each agency sees its own', async () => {
    const library = await json<ConsoleState>(await site.call('GET', api('library', '/state'), sessions['lib']));
    expect(library.queue.map((q) => q.ticketId)).not.toContain(ticket);
    expect(JSON.stringify(library)).not.toContain(secret);
    await expectRefused(await site.call('GET', api('archive', '/state'), sessions['lib']), 403, [secret]);
    const archive = await json<ConsoleState>(await site.call('GET', api('archive', '/state'), sessions['arc']));
    expect(archive.queue.map((q) => q.ticketId)).toEqual([ticket, waiting]);
  });

  it('the ticket', async () => {
    await crossings('GET', (id) => `/tickets/${id}`, ticket);
    const res = await site.call('GET', api('archive', `/tickets/${ticket}`), sessions['arc']);
    expect(res.status).toBe(200);
    expect((await json<{ lines: { text: string }[] }>(res)).lines.map((l) => l.text)).toContain(secret);
  });

  it('accept', async () => {
    await crossings('POST', (id) => `/tickets/${id}/accept`, ticket);
    expect((await site.handover.side.service('archive').ticket(ticket))?.state).toBe('queued');
    expect((await site.call('POST', api('archive', `/tickets/${ticket}/accept`), sessions['arc'])).status).toBe(200);
  });

  it('messages', async () => {
    await crossings('POST', (id) => `/tickets/${id}/messages`, ticket, { text: 'Ielaužos' });
    expect((await site.call('POST', api('archive', `/tickets/${ticket}/messages`), sessions['arc'], { text: 'Labdien no arhīva' })).status).toBe(201);
    const lines = await site.handover.side.service('archive').lines({ ticketId: ticket });
    expect(lines.map((l) => l.text)).not.toContain('Ielaužos');
    expect(site.events).toContainEqual(expect.objectContaining({ type: 'staff-message', agency: 'archive', text: 'Labdien no arhīva' }));
  });

  it('notes', async () => {
    await crossings('POST', (id) => `/tickets/${id}/notes`, ticket, { text: 'Svešā piezīme' });
    expect((await site.call('POST', api('archive', `/tickets/${ticket}/notes`), sessions['arc'], { text: 'Arhīva piezīme' })).status).toBe(201);
    expect((await site.handover.side.service('archive').notes({ ticketId: ticket })).map((n) => n.text)).toEqual(['Arhīva piezīme']);
  });

  it('the transcript', async () => {
    await crossings('GET', (id) => `/tickets/${id}/transcript?format=text`, ticket);
    const res = await site.call('GET', api('archive', `/tickets/${ticket}/transcript?format=text`), sessions['arc']);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('Pilsētas arhīvs');
    expect(text).toContain(secret);
  });

  it('hand-back', async () => {
    await crossings('POST', (id) => `/tickets/${id}/hand-back`, ticket);
    expect((await site.handover.side.service('archive').ticket(ticket))?.state).toBe('with-staff');
    expect((await site.call('POST', api('archive', `/tickets/${ticket}/hand-back`), sessions['arc'])).status).toBe(200);
  });

  it('close', async () => {
    await crossings('POST', (id) => `/tickets/${id}/close`, waiting);
    expect((await site.handover.side.service('archive').ticket(waiting))?.state).toBe('queued');
    expect((await site.call('POST', api('archive', `/tickets/${waiting}/close`), sessions['arc'])).status).toBe(200);
  });
});

describe("another agency's case, route by route", () => {
  let written = '';
  let phoned = '';
  const secret = 'Arhīva lietas jautājums 7';

  beforeAll(async () => {
    const archive = site.handover.side.service('archive');
    const at = { channel: 'directline', language: 'lv' as const, transcript: [] };
    written = (await archive.registerCase({ ...at, conversationId: 'case-arc-1', contact: { email: 'a@example.lv' }, question: secret })).id;
    phoned = (await archive.registerCase({ ...at, conversationId: 'case-arc-2', contact: { phone: '+37120000000' }, question: `${secret} (zvans)` })).id;
  });

  async function crossings(method: 'GET' | 'POST', rest: (id: string) => string, id: string, body?: unknown): Promise<void> {
    const secrets = [secret, 'a@example.lv', 'case-arc'];
    await expectRefused(await site.call(method, api('archive', rest(id)), sessions['lib'], body), 403, secrets);
    await expectRefused(await site.call(method, api('library', rest(id)), sessions['lib'], body), 404, secrets);
    await expectRefused(await site.call(method, api('library', rest(id)), sessions['both'], body), 404, secrets);
  }

  it("is mailed to its own agency's mailbox (AGENCY_MAILBOX is the default agency's only)", async () => {
    await site.handover.side.service('library').registerCase({
      conversationId: 'case-lib-1',
      channel: 'directline',
      language: 'lv',
      contact: { email: 'b@example.lv' },
      question: 'Bibliotēkas jautājums',
      transcript: [],
    });
    await site.handover.outbox.deliverDue();
    const to = (id: string) => site.sent.find((m) => m.subject.includes(id))?.to;
    expect(to(written)).toBe('info@archive.example.lv');
    expect(site.sent.find((m) => m.subject.includes(written))?.text).toContain('/staff?agency=archive');
    expect(site.sent.find((m) => m.text.includes('Bibliotēkas jautājums'))?.to).toBe('lietas@library.example.lv');
  });

  it("the case list: each agency's console lists its own", async () => {
    const library = await json<ConsoleState>(await site.call('GET', api('library', '/state'), sessions['lib']));
    expect(library.cases.map((c) => c.conversationId)).toEqual(['case-lib-1']);
    const archive = await json<ConsoleState>(await site.call('GET', api('archive', '/state'), sessions['arc']));
    expect(archive.cases.map((c) => c.id).sort()).toEqual([written, phoned].sort());
  });

  it('counts overdue cases by agency (for /metrics)', async () => {
    const later = site.clock.t;
    site.clock.t = Date.parse('2026-12-01T10:00:00Z');
    try {
      const { overdueCases } = await site.handover.countsByAgency();
      expect(overdueCases.get('archive')).toBe(2);
      expect(overdueCases.get('library')).toBe(1);
    } finally {
      site.clock.t = later;
    }
  });

  it('the case', async () => {
    await crossings('GET', (id) => `/cases/${id}`, written);
    const res = await site.call('GET', api('archive', `/cases/${written}`), sessions['arc']);
    expect(res.status).toBe(200);
    expect(await json<{ case: { question: string }; mail: { agency: { status: string } } }>(res)).toMatchObject({
      case: { question: secret },
      mail: { agency: { status: 'sent' } },
    });
  });

  it('notes', async () => {
    await crossings('POST', (id) => `/cases/${id}/notes`, written, { text: 'Svešā piezīme' });
    expect((await site.call('POST', api('archive', `/cases/${written}/notes`), sessions['arc'], { text: 'Arhīva piezīme' })).status).toBe(201);
  });

  it('the transcript', async () => {
    await crossings('GET', (id) => `/cases/${id}/transcript?format=html`, written);
    const res = await site.call('GET', api('archive', `/cases/${written}/transcript?format=html`), sessions['arc']);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(secret);
  });

  it('a reply by e-mail', async () => {
    const sent = site.sent.length;
    await crossings('POST', (id) => `/cases/${id}/reply`, written, { text: 'Sveša atbilde' });
    expect(site.sent).toHaveLength(sent);
    expect((await site.handover.side.service('archive').caseById(written))?.state).toBe('open');
    expect((await site.call('POST', api('archive', `/cases/${written}/reply`), sessions['arc'], { text: 'Arhīva atbilde' })).status).toBe(202);
    await site.handover.outbox.deliverDue();
    expect(site.sent.at(-1)).toMatchObject({ to: 'a@example.lv', replyTo: 'info@archive.example.lv' });
  });

  it('a call-back', async () => {
    await crossings('POST', (id) => `/cases/${id}/callback`, phoned, { text: 'Svešs zvans' });
    expect((await site.handover.side.service('archive').caseById(phoned))?.state).toBe('open');
    expect((await site.call('POST', api('archive', `/cases/${phoned}/callback`), sessions['arc'], { text: 'Atzvanīju' })).status).toBe(202);
  });

  it('close', async () => {
    const archive = site.handover.side.service('archive');
    const { id } = await archive.registerCase({
      conversationId: 'case-arc-3',
      channel: 'directline',
      language: 'lv',
      contact: { email: 'c@example.lv' },
      question: secret,
      transcript: [],
    });
    await crossings('POST', (x) => `/cases/${x}/close`, id);
    expect((await archive.caseById(id))?.state).toBe('open');
    expect((await site.call('POST', api('archive', `/cases/${id}/close`), sessions['arc'])).status).toBe(200);
  });
});

describe('the event stream', () => {
  it("a library console hears the library's lines, never the archive's lines or notes; the archive's stream is refused", async () => {
    const library = site.handover.side.service('library');
    const archive = site.handover.side.service('archive');
    await library.enqueue(handoverRequest('ev-lib', 'Bibliotēkas rinda'));
    const arcTicket = (await archive.enqueue(handoverRequest('ev-arc', 'Arhīva rinda'))).ticket;
    expect((await archive.accept(staff['arc']!, arcTicket.id)).kind).toBe('accepted');
    const heard = await readEvents(
      site,
      'library',
      sessions['lib']!,
      (list) => list.some((e) => e.event === 'line' && (e.data as { text: string }).text === 'Bibliotēkas ziņa'),
      async () => {
        // The archive's changes first: if they were to reach this stream they would be there by the library's line.
        await archive.citizenMessage('ev-arc', 'Arhīva ziņa');
        await archive.sendStaffMessage(staff['arc']!, arcTicket.id, 'Arhīva atbilde');
        await archive.addNote(staff['arc']!, { ticketId: arcTicket.id }, 'Arhīva piezīme');
        await library.citizenMessage('ev-lib', 'Bibliotēkas ziņa');
      },
    );
    expect(heard.some((e) => e.event === 'line' && (e.data as { text: string }).text === 'Bibliotēkas ziņa')).toBe(true);
    const all = JSON.stringify(heard);
    for (const text of ['Arhīva', arcTicket.id, 'ev-arc']) expect(all).not.toContain(text);
    expect(heard.filter((e) => e.event === 'notes')).toEqual([]);

    const refused = await fetch(`${site.origin}${api('archive', '/events')}`, { headers: { cookie: sessions['lib']!.cookie } });
    await expectRefused(refused, 403, ['Arhīva']);
    await library.cancel('ev-lib');
    await archive.closeTicket(staff['arc']!, arcTicket.id);
  });
});

describe('an open event stream', () => {
  it('ends once its member no longer serves the agency', async () => {
    const member = await site.staff(
      'leaving',
      ['lv'],
      [
        { agency: 'archive', role: 'staff' },
        { agency: 'library', role: 'staff' },
      ],
    );
    const session = await site.login(member.login);
    const res = await fetch(`${site.origin}${api('archive', '/events')}`, { headers: { cookie: session.cookie } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read(); // the stream is open
    expect(await site.handover.directory.setRoleIn(member.login, 'archive', undefined, staff['root'])).toMatchObject({ ok: true });
    const ended = (async () => {
      for (;;) if ((await reader.read()).done) return true;
    })();
    expect(await Promise.race([ended, new Promise((resolve) => setTimeout(() => resolve(false), 3_000))])).toBe(true);
    await expectRefused(await site.call('GET', api('archive', '/state'), session), 403, []);
    expect((await site.call('GET', api('library', '/state'), session)).status).toBe(200);
  });
});

describe('reports', () => {
  it("each agency's report and CSV count its own; the library's staff are refused the archive's", async () => {
    const arcJson = await site.call('GET', api('archive', '/report?from=2026-11-01&to=2026-11-30'), sessions['arc']);
    expect(arcJson.status).toBe(200);
    const archive = await json<ReportResponse>(arcJson);
    const library = await json<ReportResponse>(await site.call('GET', api('library', '/report?from=2026-11-01&to=2026-11-30'), sessions['lib']));
    // The archive: conv-arc, conv-arc-2, q-arc-1, ev-arc; and its cases case-arc-1..3. The library: q-lib-1, q-lib-2, ev-lib; case-lib-1.
    expect([archive.handovers.count, archive.cases.count]).toEqual([4, 3]);
    expect([library.handovers.count, library.cases.count]).toEqual([3, 1]);
    await expectRefused(await site.call('GET', api('archive', '/report?from=2026-11-01&to=2026-11-30'), sessions['lib']), 403, ['handovers']);
    await expectRefused(await site.call('GET', api('archive', '/report?format=csv'), sessions['lib']), 403, ['section,key,value']);
    const csv = await site.call('GET', api('archive', '/report?from=2026-11-01&to=2026-11-30&format=csv'), sessions['arc']);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toContain('padoms-parskats-archive-');
    expect(await csv.text()).toContain('handovers,count,4');
    expect((await site.call('GET', api('nowhere', '/report'), sessions['root'])).status).toBe(404);
    expect((await site.call('GET', api('archive', '/report'))).status).toBe(401);
  });
});

describe('the knowledge studio', () => {
  /** What the archive's knowledge holds and the library's does not. */
  const archiveOnly = ['archive.certificate', 'archive.copies', 'Izziņu nodaļa', 'arhīva izziņ', 'Pilsētas arhīvs'];

  it("each agency's staff list, count and try their own entries; the library's staff are refused the archive's", async () => {
    for (const rest of ['/studio/entries', '/studio/entries?q=izzi%C5%86a', '/studio/reminders'])
      await expectRefused(await site.call('GET', api('archive', rest), sessions['lib']), 403, archiveOnly);
    await expectRefused(await site.call('POST', api('archive', '/studio/preview'), sessions['lib'], { text: 'Kā saņemt arhīva izziņu?' }), 403, archiveOnly);
    // The unanswered inbox and "what a change would move": the library's members, even its administrator, are refused the archive's.
    await site.store.recordsOf('archive').unanswered({
      conversationId: 'arc-unanswered',
      text: 'Kur ir arhīva izziņu nodaļa naktī?',
      reason: 'fallback',
      language: 'lv',
      at: new Date(site.clock.t - 3_600_000),
    });
    const archiveInbox = await json<{ groups: { key: string; through: string }[] }>(await site.call('GET', api('archive', '/studio/inbox'), sessions['arc']));
    const group = archiveInbox.groups[0]!;
    for (const login of ['lib', 'libadmin']) {
      await expectRefused(await site.call('GET', api('archive', '/studio/inbox'), sessions[login]), 403, [...archiveOnly, 'naktī', group.key]);
      await expectRefused(await site.call('GET', api('archive', '/studio/inbox?days=7'), sessions[login]), 403, [...archiveOnly, 'naktī']);
      await expectRefused(
        await site.call('POST', api('archive', '/studio/inbox/handle'), sessions[login], { key: group.key, through: group.through, action: 'dismiss' }),
        403,
        [...archiveOnly, 'naktī'],
      );
      await expectRefused(await site.call('POST', api('archive', '/studio/impact'), sessions[login], {}), 403, [...archiveOnly, 'naktī']);
    }
    // Nor by the library's path: the archive's group is not the library's, its questions are not there.
    const libraryInbox = await site.call('GET', api('library', '/studio/inbox'), sessions['libadmin']);
    expect(await libraryInbox.text()).not.toContain('naktī');
    const wrongPath = await site.call('POST', api('library', '/studio/inbox/handle'), sessions['libadmin'], {
      key: group.key,
      through: group.through,
      action: 'dismiss',
    });
    expect(wrongPath.status).toBe(409);
    expect((await json<{ groups: unknown[] }>(await site.call('GET', api('archive', '/studio/inbox'), sessions['arc']))).groups).toHaveLength(1);
    // The library's own path never reaches the archive's entries, whatever is asked.
    const library = await json<StudioEntriesResponse>(await site.call('GET', api('library', '/studio/entries?q=izzi%C5%86a'), sessions['both']));
    expect(library.entries).toEqual([]);
    const previewed = await json<PreviewResponse>(
      await site.call('POST', api('library', '/studio/preview'), sessions['lib'], { text: 'Kā saņemt arhīva izziņu?' }),
    );
    expect(previewed.explain.closest.map((c) => c.id)).not.toContain('archive.certificate');
    expect(previewed.decision.entryId).not.toBe('archive.certificate');

    const archive = await json<StudioEntriesResponse>(await site.call('GET', api('archive', '/studio/entries'), sessions['arc']));
    expect(archive.entries.map((e) => e.id)).toEqual(['archive.certificate', 'archive.copies', 'smalltalk.greeting']);
    expect((await json<StudioReminders>(await site.call('GET', api('archive', '/studio/reminders'), sessions['arc']))).entries).toBe(3);
    const answer = await json<PreviewResponse>(
      await site.call('POST', api('archive', '/studio/preview'), sessions['arc'], { text: 'Kā saņemt arhīva izziņu?' }),
    );
    expect(answer.decision).toMatchObject({ kind: 'answer', entryId: 'archive.certificate' });

    // A POST without the CSRF header, and no session at all.
    const noCsrf = await site.call('POST', api('archive', '/studio/preview'), { ...sessions['arc']!, csrf: '' }, { text: 'Labdien' });
    expect(noCsrf.status).toBe(403);
    expect((await site.call('GET', api('archive', '/studio/entries'))).status).toBe(401);
    expect((await site.call('GET', api('nowhere', '/studio/entries'), sessions['root'])).status).toBe(404);
    expect((await site.call('POST', api('nowhere', '/studio/preview'), sessions['root'], { text: 'Labdien' })).status).toBe(404);
  });
});

describe("the knowledge studio's editor, route by route", () => {
  /** What the archive's drafts and versions hold. */
  const secret = 'Arhīva melnraksta atbilde 9';
  let arcpub: Session;
  let libpub: Session;
  const certificate = async () =>
    (await json<{ published: { entry: Record<string, unknown> } }>(await site.call('GET', api('archive', '/studio/entries/archive.certificate'), arcpub)))
      .published.entry;

  beforeAll(async () => {
    await site.staff('arcpub', ['lv'], [{ agency: 'archive', role: 'publisher' }]);
    await site.staff('libpub', ['lv'], [{ agency: 'library', role: 'publisher' }]);
    [arcpub, libpub] = await Promise.all([site.login('arcpub'), site.login('libpub')]);
    // The archive publishes once (versions to roll back to), then keeps a draft.
    const entry = await certificate();
    const draftPath = api('archive', '/studio/entries/archive.copies/draft');
    const copies = (
      await json<{ published: { entry: Record<string, unknown> } }>(await site.call('GET', api('archive', '/studio/entries/archive.copies'), arcpub))
    ).published.entry;
    expect((await site.call('PUT', draftPath, arcpub, { entry: { ...copies, owner: 'Arhīva kopiju nodaļa' }, baseVersion: 1 })).status).toBe(200);
    expect((await site.call('POST', api('archive', '/studio/publish'), arcpub, {})).status).toBe(200);
    const saved = await site.call('PUT', api('archive', '/studio/entries/archive.certificate/draft'), arcpub, {
      entry: { ...entry, answer: { ...(entry['answer'] as object), lv: secret } },
      baseVersion: 1,
    });
    expect(saved.status).toBe(200);
  });

  /** Every editor route: [method, path under the agency, body]. */
  const routes: [HttpMethod, string, unknown?][] = [
    ['GET', '/studio/entries/archive.certificate'],
    ['PUT', '/studio/entries/archive.certificate/draft', { entry: { id: 'archive.certificate' }, baseVersion: 1 }],
    ['DELETE', '/studio/entries/archive.certificate/draft'],
    ['GET', '/studio/drafts'],
    ['POST', '/studio/publish', {}],
    ['GET', '/studio/entries/archive.copies/versions'],
    ['GET', '/studio/entries/archive.copies/diff?from=1&to=2'],
    ['GET', '/studio/entries/archive.certificate/diff?from=1&to=draft'],
    ['POST', '/studio/entries/archive.copies/rollback', { version: 1 }],
    ['POST', '/studio/preview', { text: 'Kā saņemt arhīva izziņu?', drafts: true }],
  ];

  it("refuses every route to another agency's publisher (403), and an archive entry by the library's path is none of the library's (404)", async () => {
    const secrets = [secret, 'Arhīva kopiju nodaļa', 'Izziņu nodaļa'];
    for (const [method, rest, body] of routes) {
      await expectRefused(await site.call(method, api('archive', rest), libpub, body), 403, secrets);
      await expectRefused(await site.call(method, api('archive', rest), sessions['lib'], body), 403, secrets);
    }
    for (const [method, rest, body] of routes.filter(([m, r]) => r.includes('/entries/') && m !== 'PUT'))
      await expectRefused(await site.call(method, api('library', rest), libpub, body), 404, secrets);
    // The library's lists never show the archive's drafts.
    const drafts = await site.call('GET', api('library', '/studio/drafts'), libpub);
    expect(await drafts.text()).not.toContain(secret);
    // Nothing of the archive's changed: its draft, its versions.
    expect(
      (await json<{ draft: { entry: { answer: { lv: string } } } }>(await site.call('GET', api('archive', '/studio/entries/archive.certificate'), arcpub)))
        .draft.entry.answer.lv,
    ).toBe(secret);
    const versions = await json<{ versions: unknown[] }>(await site.call('GET', api('archive', '/studio/entries/archive.copies/versions'), arcpub));
    expect(versions.versions).toHaveLength(2);
  });

  it("the archive's own publisher uses every route", async () => {
    const diff = await json<{ changes: { field: string }[] }>(
      await site.call('GET', api('archive', '/studio/entries/archive.copies/diff?from=1&to=2'), arcpub),
    );
    expect(diff.changes.map((c) => c.field)).toEqual(['owner']);
    const preview = await json<PreviewResponse>(
      await site.call('POST', api('archive', '/studio/preview'), arcpub, { text: 'Kā saņemt arhīva izziņu?', drafts: true }),
    );
    expect(preview.decision).toMatchObject({ kind: 'answer', entryId: 'archive.certificate' });
    expect((await site.call('POST', api('archive', '/studio/entries/archive.copies/rollback'), arcpub, { version: 1 })).status).toBe(200);
    expect((await site.call('DELETE', api('archive', '/studio/entries/archive.certificate/draft'), arcpub)).status).toBe(200);
  });
});

describe('agencies come and go while running', () => {
  it('an unknown agency is not found; a removed one is gone from every route and from /me, and comes back', async () => {
    expect((await site.call('GET', api('nowhere', '/state'), sessions['root'])).status).toBe(404);
    expect((await site.call('GET', '/staff/api/agencies/..%2Farchive/state', sessions['root'])).status).toBe(404);
    site.served.delete('archive');
    try {
      expect((await site.call('GET', api('archive', '/state'), sessions['arc'])).status).toBe(404);
      expect((await site.call('GET', api('archive', '/report'), sessions['arc'])).status).toBe(404);
      expect((await site.call('GET', api('archive', '/studio/entries'), sessions['arc'])).status).toBe(404);
      expect((await site.call('POST', api('archive', '/studio/preview'), sessions['arc'], { text: 'Labdien' })).status).toBe(404);
      expect((await site.call('GET', api('archive', '/studio/inbox'), sessions['arc'])).status).toBe(404);
      expect((await site.call('POST', api('archive', '/studio/inbox/handle'), sessions['root'], { action: 'dismiss' })).status).toBe(404);
      expect((await site.call('POST', api('archive', '/studio/impact'), sessions['root'], {})).status).toBe(404);
      expect((await json<{ agencies: unknown[] }>(await site.call('GET', '/staff/api/me', sessions['arc']))).agencies).toEqual([]);
    } finally {
      site.served.add('archive');
    }
    expect((await site.call('GET', api('archive', '/state'), sessions['arc'])).status).toBe(200);
  });
});

describe("an agency's administrator", () => {
  interface Account {
    login: string;
    roleHere: string | null;
    installationAdmin: boolean;
    agencies: { agency: string; role: string }[];
  }
  const accounts = async (agency: string, s: Session | undefined) =>
    (await json<{ accounts: Account[] }>(await site.call('GET', api(agency, '/accounts'), s))).accounts;

  it("lists and manages the agency's staff; plain staff may not", async () => {
    await expectRefused(await site.call('GET', api('library', '/accounts'), sessions['lib']), 403, ['libadmin']);
    const listed = await accounts('library', sessions['libadmin']);
    expect(listed.map((a) => a.login)).toEqual(expect.arrayContaining(['both', 'lib', 'libadmin']));
    // Neither the archive's own staff nor the installation's administrators.
    expect(listed.map((a) => a.login)).not.toContain('arc');
    expect(listed.map((a) => a.login)).not.toContain('root');
    expect(listed.find((a) => a.login === 'libadmin')?.roleHere).toBe('admin');
    // A member of the archive too: the library's administrator sees only the library among their agencies.
    expect(listed.find((a) => a.login === 'both')?.agencies).toEqual([{ agency: 'library', role: 'staff' }]);
    expect((await accounts('archive', sessions['root'])).find((a) => a.login === 'both')?.agencies).toHaveLength(2);
    await expectRefused(await site.call('GET', api('archive', '/accounts'), sessions['libadmin']), 403, ['arc']);
    // The installation's administrator sees any agency's staff.
    expect((await accounts('archive', sessions['root'])).map((a) => a.login)).toEqual(expect.arrayContaining(['arc', 'both', 'root']));
  });

  it("adds the agency's staff and administrators, and serves them only the agency", async () => {
    const added = await site.call('POST', api('library', '/accounts'), sessions['libadmin'], {
      name: 'Jauna Darbiniece',
      login: 'newbie',
      languages: ['lv'],
      role: 'admin',
      password: PASSWORD,
    });
    expect(added.status).toBe(201);
    expect(await site.handover.repo.staffByLogin('newbie')).toMatchObject({ role: 'staff', agencies: [{ agency: 'library', role: 'admin' }] });
    // …and nowhere else, whatever the body says: the agency is the path's.
    const elsewhere = await site.call('POST', api('archive', '/accounts'), sessions['libadmin'], {
      name: 'Nav',
      login: 'sneaky',
      languages: ['lv'],
      role: 'staff',
      password: PASSWORD,
    });
    expect(elsewhere.status).toBe(403);
    expect(await site.handover.repo.staffByLogin('sneaky')).toBeUndefined();
  });

  it("changes roles in the agency (a member of another agency may be brought in), never an installation administrator's", async () => {
    expect((await site.call('POST', api('library', '/accounts/arc/role'), sessions['libadmin'], { role: 'staff' })).status).toBe(200);
    expect((await site.handover.repo.staffByLogin('arc'))?.agencies).toEqual([
      { agency: 'archive', role: 'staff' },
      { agency: 'library', role: 'staff' },
    ]);
    expect((await site.call('POST', api('library', '/accounts/arc/role'), sessions['libadmin'], { role: 'none' })).status).toBe(200);
    expect((await site.handover.repo.staffByLogin('arc'))?.agencies).toEqual([{ agency: 'archive', role: 'staff' }]);
    await expectRefused(await site.call('POST', api('library', '/accounts/root/role'), sessions['libadmin'], { role: 'staff' }), 403, []);
    expect((await site.call('POST', api('library', '/accounts/lib/role'), sessions['lib'], { role: 'admin' })).status).toBe(403);
    expect((await site.handover.repo.staffByLogin('lib'))?.agencies).toEqual([{ agency: 'library', role: 'staff' }]);
  });

  it('grants the knowledge roles (editor, publisher) in the agency it administers only; the studio follows them', async () => {
    const put = (s: Session) =>
      site.call('PUT', api('library', '/studio/entries/library.roles/draft'), s, { entry: { id: 'library.roles' }, baseVersion: null });
    expect((await put(sessions['lib']!)).status).toBe(403);
    expect((await site.call('POST', api('library', '/accounts/lib/role'), sessions['libadmin'], { role: 'editor' })).status).toBe(200);
    expect((await site.handover.repo.staffByLogin('lib'))?.agencies).toEqual([{ agency: 'library', role: 'editor' }]);
    expect((await put(sessions['lib']!)).status).toBe(200);
    expect((await site.call('POST', api('library', '/studio/publish'), sessions['lib'], { ids: ['library.roles'] })).status).toBe(403);
    expect((await site.call('POST', api('library', '/accounts/lib/role'), sessions['libadmin'], { role: 'publisher' })).status).toBe(200);
    // A publisher is an editor too; the draft does not validate, so publishing says why.
    expect((await site.call('POST', api('library', '/studio/publish'), sessions['lib'], { ids: ['library.roles'] })).status).toBe(422);
    expect((await site.call('DELETE', api('library', '/studio/entries/library.roles/draft'), sessions['lib'])).status).toBe(200);
    // Not in another agency, not a role that does not exist.
    await expectRefused(await site.call('POST', api('archive', '/accounts/arc/role'), sessions['libadmin'], { role: 'editor' }), 403, []);
    expect((await site.call('POST', api('library', '/accounts/lib/role'), sessions['libadmin'], { role: 'owner' })).status).toBe(400);
    expect((await site.call('POST', api('library', '/accounts/lib/role'), sessions['libadmin'], { role: 'staff' })).status).toBe(200);
    expect((await site.handover.repo.staffByLogin('lib'))?.agencies).toEqual([{ agency: 'library', role: 'staff' }]);
  });

  it("disables only accounts that serve no other agency than the administrator's", async () => {
    expect((await site.call('POST', api('library', '/accounts/both/disable'), sessions['libadmin'])).status).toBe(403);
    expect((await site.handover.repo.staffByLogin('both'))?.disabledAt).toBeUndefined();
    expect((await site.call('POST', api('library', '/accounts/lib/disable'), sessions['libadmin'])).status).toBe(200);
    expect((await site.call('GET', '/staff/api/me', sessions['lib'])).status).toBe(401);
    expect((await site.call('POST', api('library', '/accounts/lib/enable'), sessions['libadmin'])).status).toBe(200);
    sessions['lib'] = await site.login('lib');
  });

  it('the directory itself refuses what the console would not offer (the rules are not the page’s)', async () => {
    const { directory } = site.handover;
    const by = staff['libadmin']!;
    const newcomer = { name: 'X Y', login: 'xy', languages: ['lv'], password: PASSWORD };
    expect(await directory.add({ ...newcomer, role: 'admin' }, by)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await directory.add({ ...newcomer, role: 'staff', agencies: [{ agency: 'archive', role: 'staff' }] }, by)).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
    expect(await directory.add({ ...newcomer, role: 'staff' }, by)).toMatchObject({ ok: false, code: 'bad-agencies' });
    expect(await directory.add({ ...newcomer, role: 'staff', agencies: [{ agency: 'library', role: 'staff' }] }, staff['lib'])).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
    // Changing a shared member's agencies keeps those the administrator does not administer.
    expect(await directory.setAgencies('both', [{ agency: 'library', role: 'admin' }], by)).toMatchObject({ ok: true });
    expect((await site.handover.repo.staffByLogin('both'))?.agencies).toEqual(
      expect.arrayContaining([
        { agency: 'archive', role: 'staff' },
        { agency: 'library', role: 'admin' },
      ]),
    );
    expect(await directory.setAgencies('arc', [{ agency: 'archive', role: 'admin' }], by)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await directory.resetPassword('both', 'another long passphrase', by)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await directory.remove('arc', by)).toMatchObject({ ok: false, code: 'forbidden' });
    expect((await directory.list(by)).map((m) => m.login)).not.toContain('arc');
    expect((await directory.list(by)).find((m) => m.login === 'both')?.agencies).toEqual([{ agency: 'library', role: 'admin' }]);
    // An installation administrator may do all of it.
    expect(
      await directory.setAgencies(
        'both',
        [
          { agency: 'library', role: 'staff' },
          { agency: 'archive', role: 'staff' },
        ],
        staff['root'],
      ),
    ).toMatchObject({
      ok: true,
    });
  });
});
