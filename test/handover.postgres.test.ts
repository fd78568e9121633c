// The staff side on PostgreSQL (a temporary cluster; skipped where Debian's postgresql is missing):
// migrations next to the storage layer's, accounts and sessions, the race for a conversation
// between two instances, presence, cases with their outbox, two agencies on two instances.
import { readFileSync } from 'node:fs';
import type { ConversationAccount } from 'botbuilder';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testConfig } from '../bot/config.js';
import { silentLogger } from '../bot/log.js';
import { createHandover, oneAgency, type Handover } from '../bot/handover/index.js';
import type { MailSender } from '../bot/handover/mail.js';
import type { StaffAgencies } from '../bot/handover/staff-side.js';
import type { ConsoleSignal, HandoverEvent } from '../bot/handover/types.js';
import { openPostgresStore } from '../bot/storage/postgres.js';
import type { PadomsStore } from '../bot/storage/store.js';
import { agencyProfile } from '../knowledge/schema.js';
import { hasPostgres, startPostgres, type PgCluster } from './support/postgres.js';

const dvi = agencyProfile.parse(parseYaml(readFileSync('knowledge/agencies/dvi/profile.yaml', 'utf8')));
const fixture = (id: string) => agencyProfile.parse(parseYaml(readFileSync(`test/fixtures/knowledge/agencies/${id}/profile.yaml`, 'utf8')));
const library = fixture('library');
const archive = fixture('archive');
const twoAgencies: StaffAgencies = {
  ids: () => ['library', 'archive'],
  profile: (id) => (id === 'library' ? library : id === 'archive' ? archive : undefined),
  defaultId: 'library',
};
const clock = { t: Date.parse('2026-11-16T11:30:00Z') };
const now = () => new Date(clock.t);

let cluster: PgCluster | undefined;
let url = '';
const opened: { handover: Handover; store: PadomsStore }[] = [];
const sent: string[] = [];

async function instance(agencies: StaffAgencies = oneAgency(dvi)): Promise<Handover & { events: HandoverEvent[] }> {
  const store = openPostgresStore({ url, log: silentLogger, now, defaultAgency: 'dvi' });
  const mailSender: MailSender = { send: async (m) => void sent.push(m.subject), close: () => {} };
  const handover = createHandover({
    config: testConfig({ DATABASE_URL: url, DIRECTLINE_TOKEN_SECRET: 'x'.repeat(32) }),
    store,
    agencies,
    log: silentLogger,
    now,
    mailSender,
    timers: false,
  });
  await handover.ready;
  opened.push({ handover, store });
  const events: HandoverEvent[] = [];
  handover.subscribe((e) => events.push(e)); // every agency's
  return Object.assign(handover, { events });
}

describe.skipIf(!hasPostgres && !process.env['CI'])('handover on PostgreSQL', () => {
  beforeAll(async () => {
    cluster = await startPostgres();
    url = await cluster.createDatabase();
  }, 120_000);
  afterAll(async () => {
    for (const { handover, store } of opened) {
      await handover.close();
      await store.close();
    }
    await cluster?.destroy();
  });

  it('two instances: one staff member each, one conversation, exactly one claim', async () => {
    const a = await instance();
    const b = await instance();
    const anna = await a.directory.add({ name: 'Anna Bērziņa', login: 'anna', languages: ['lv', 'en'], role: 'staff', password: 'correct horse battery' });
    const janis = await b.directory.add({ name: 'Jānis Kalniņš', login: 'janis', languages: ['lv'], role: 'admin', password: 'correct horse battery' });
    if (!anna.ok || !janis.ok) throw new Error('accounts');
    expect(await b.directory.authenticate('anna', 'correct horse battery')).toMatchObject({ languages: ['lv', 'en'] });
    await a.service.seen(anna.value);
    await b.service.seen(janis.value);
    expect(await b.service.availability('en')).toMatchObject({ staffOnline: true, onlineLanguages: ['lv', 'en'] });
    expect(await b.service.refreshStaffLanguages()).toEqual(['lv', 'en']);

    const { ticket, position } = await a.service.enqueue({
      conversationId: 'pg-conv',
      channel: 'directline',
      language: 'lv',
      reason: 'asked',
      reference: { channelId: 'directline', conversation: { id: 'pg-conv' } as ConversationAccount },
      transcript: [{ type: 'message', from: { id: 'u', name: '', role: 'user' }, text: 'Palīdzību, lūdzu' }],
    });
    expect(position).toBe(1);
    const results = await Promise.all([a.service.accept(anna.value, ticket.id), b.service.accept(janis.value, ticket.id)]);
    expect(results.map((r) => r.kind).sort()).toEqual(['accepted', 'taken']);
    expect([...a.events, ...b.events].filter((e) => e.type === 'accepted')).toHaveLength(1);
    expect((await b.service.lines({ ticketId: ticket.id })).map((l) => l.author)).toEqual(['citizen', 'system']);
  });

  it('sessions, cases and the outbox', async () => {
    const a = await instance();
    const member = await a.repo.staffByLogin('anna');
    await a.repo.createSession({ tokenHash: 'h'.repeat(64), staffId: member!.id, createdAt: now(), expiresAt: new Date(clock.t + 3_600_000) });
    expect((await a.repo.findSession('h'.repeat(64), now()))?.staff.login).toBe('anna');
    expect(await a.repo.findSession('h'.repeat(64), new Date(clock.t + 7_200_000))).toBeUndefined();

    const { id, dueBy } = await a.service.registerCase({
      conversationId: 'pg-case',
      channel: 'directline',
      language: 'lv',
      contact: { phone: '+37120000000' },
      question: 'Lūdzu atzvaniet',
      transcript: [{ type: 'message', from: { id: 'u', name: '', role: 'user' }, text: 'Lūdzu atzvaniet' }],
    });
    // Monday + 2 working days: Tuesday, (Wednesday 18 November is a holiday), Thursday.
    expect(dueBy).toEqual(new Date('2026-11-19T21:59:59.999Z'));
    expect(await a.outbox.deliverDue()).toEqual({ sent: 1, failed: 0 });
    expect(sent).toHaveLength(1);
    expect((await a.service.caseById(id))?.contact).toEqual({ phone: '+37120000000' });
    expect(await a.service.cases.close(member!, id)).toEqual({ kind: 'ok' });
    expect(await a.directory.remove('anna')).toMatchObject({ ok: false, code: 'in-use' });
  });

  it("two instances, two agencies: one agency's service cannot take another's conversation; signals cross instances with their agency", async () => {
    const a = await instance(twoAgencies);
    const b = await instance(twoAgencies);
    const added = await a.directory.add({
      name: 'Arta Arhīvāre',
      login: 'arta',
      languages: ['lv'],
      role: 'staff',
      password: 'correct horse battery',
      agencies: [{ agency: 'archive', role: 'staff' }],
    });
    if (!added.ok) throw new Error(added.message);
    const arta = added.value;
    const heardInLibrary: ConsoleSignal[] = [];
    const heardInArchive: ConsoleSignal[] = [];
    b.side.service('library').onSignal((s) => heardInLibrary.push(s));
    b.side.service('archive').onSignal((s) => heardInArchive.push(s));
    const { ticket } = await a.side.service('archive').enqueue({
      conversationId: 'pg-arc',
      channel: 'directline',
      language: 'lv',
      reason: 'asked',
      reference: { channelId: 'directline', conversation: { id: 'pg-arc' } as ConversationAccount },
      transcript: [{ type: 'message', from: { id: 'u', name: '', role: 'user' }, text: 'Arhīva jautājums' }],
    });
    // The other instance's archive console hears of it over LISTEN/NOTIFY; its library console does not.
    await vi.waitFor(() => expect(heardInArchive).toContainEqual({ kind: 'queue', agency: 'archive' }));
    expect(heardInLibrary.filter((s) => s.agency === 'archive')).toEqual([]);
    expect(await b.side.service('library').accept(arta, ticket.id)).toEqual({ kind: 'not-found' });
    expect(await b.side.service('library').ticket(ticket.id)).toBeUndefined();
    expect((await b.side.service('archive').accept(arta, ticket.id)).kind).toBe('accepted');
    expect([...a.events, ...b.events].filter((e) => e.type === 'accepted')).toEqual([expect.objectContaining({ agency: 'archive', conversationId: 'pg-arc' })]);
    expect(await a.countsByAgency()).toMatchObject({ queued: new Map() });
  });
});
