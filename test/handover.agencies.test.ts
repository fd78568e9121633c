// The staff side's repository by agency, on memory, SQLite and PostgreSQL (a temporary cluster;
// skipped where Debian's postgresql is missing, never in CI): every read names its agency and sees
// only its rows, a write out of scope changes nothing, an agency's slice stamps what it stores,
// memberships and presence per agency, retention per agency, deletion across agencies. And the
// rules of roles.ts, which the directory and the console apply.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../bot/log.js';
import { agencyRepository } from '../bot/handover/agency-repository.js';
import { EVERY_AGENCY, MemoryHandoverRepository, type HandoverRepository, type StaffMember, type TicketRecord } from '../bot/handover/repository.js';
import { administers, agenciesServed, grantable, managesAccount, serves } from '../bot/handover/roles.js';
import { SqlHandoverRepository, postgresRunner, sqliteRunner } from '../bot/handover/sql-repository.js';
import { languagesByAgency } from '../bot/handover/roster.js';
import { POSTGRES_MIGRATIONS } from '../bot/storage/migrations.js';
import { PgDatabase } from '../bot/storage/postgres-pool.js';
import { openDatabase } from '../bot/storage/sqlite.js';
import { hasPostgres, startPostgres, type PgCluster } from './support/postgres.js';

const at = new Date('2026-11-16T11:30:00Z');
const DAY = 86_400_000;
let counter = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

const ticket = (agency: string, conversationId: string, patch: Partial<TicketRecord> = {}): TicketRecord => ({
  id: uuid(),
  agency,
  conversationId,
  channel: 'directline',
  language: 'lv',
  reason: 'asked',
  state: 'queued',
  createdAt: at,
  queuedAt: at,
  updatedAt: at,
  version: 1,
  ...patch,
});

const member = (login: string, agencies: StaffMember['agencies'], role: StaffMember['role'] = 'staff'): StaffMember => ({
  id: `s-${login}`,
  login,
  name: login,
  languages: ['lv'],
  role,
  agencies,
  passwordHash: 'x',
  createdAt: at,
});

interface Backend {
  name: string;
  open(): Promise<HandoverRepository>;
  skip?: string;
}

let cluster: PgCluster | undefined;
const dirs: string[] = [];
const backends: Backend[] = [
  { name: 'memory', open: async () => new MemoryHandoverRepository() },
  {
    name: 'SQLite',
    open: async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'padoms-agencies-repo-'));
      dirs.push(dir);
      return new SqlHandoverRepository(sqliteRunner(openDatabase(dir)));
    },
  },
  {
    name: 'PostgreSQL',
    ...(!hasPostgres && !process.env['CI'] ? { skip: 'PostgreSQL is not installed (apt-get install -y postgresql)' } : {}),
    open: async () => {
      cluster ??= await startPostgres();
      const url = await cluster.createDatabase();
      return new SqlHandoverRepository(postgresRunner(new PgDatabase({ url, migrations: POSTGRES_MIGRATIONS, log: silentLogger }), true));
    },
  },
];

afterAll(async () => {
  await cluster?.destroy();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.each(backends)('the repository by agency ($name)', (backend) => {
  let repo: HandoverRepository;
  beforeAll(async () => {
    if (backend.skip === undefined) repo = await backend.open();
  }, 120_000);
  afterAll(async () => {
    await repo?.close();
  });

  describe.skipIf(backend.skip !== undefined)(backend.skip ?? 'scoped', () => {
    it("reads see only the agency's tickets, lines and notes; EVERY_AGENCY sees all", async () => {
      const lib = ticket('library', 'c-lib');
      const arc = ticket('archive', 'c-arc');
      await repo.insertTicket(lib, [{ agency: 'library', conversationId: 'c-lib', ticketId: lib.id, at, author: 'citizen', text: 'bibliotēka' }]);
      await repo.insertTicket(arc, [{ agency: 'archive', conversationId: 'c-arc', ticketId: arc.id, at, author: 'citizen', text: 'arhīvs' }]);
      await repo.addNote({ agency: 'archive', conversationId: 'c-arc', ticketId: arc.id, staffId: 's', staffName: 'S', at, text: 'piezīme' });

      expect((await repo.tickets('library', ['queued'])).map((t) => t.id)).toEqual([lib.id]);
      expect((await repo.tickets(EVERY_AGENCY, ['queued'])).map((t) => t.id).sort()).toEqual([lib.id, arc.id].sort());
      expect(await repo.ticket('library', arc.id)).toBeUndefined();
      expect(await repo.ticket('archive', arc.id)).toMatchObject({ agency: 'archive', conversationId: 'c-arc' });
      expect(await repo.ticketOf('library', 'c-arc', ['queued'])).toBeUndefined();
      expect(await repo.ticketOf(EVERY_AGENCY, 'c-arc', ['queued'])).toMatchObject({ id: arc.id });
      expect(await repo.lines('library', { ticketId: arc.id })).toEqual([]);
      const [line] = await repo.lines('archive', { ticketId: arc.id });
      expect(line).toMatchObject({ agency: 'archive', text: 'arhīvs' });
      expect(await repo.line('library', line!.id)).toBeUndefined();
      expect(await repo.line('archive', line!.id)).toMatchObject({ text: 'arhīvs' });
      expect(await repo.notes('library', { ticketId: arc.id })).toEqual([]);
      expect(await repo.notes('archive', { ticketId: arc.id })).toMatchObject([{ agency: 'archive', text: 'piezīme' }]);
    });

    it('a write out of scope changes nothing', async () => {
      const arc = ticket('archive', 'c-arc-w');
      await repo.insertTicket(arc);
      const line = { agency: 'library', conversationId: 'c-arc-w', ticketId: arc.id, at, author: 'system' as const, text: 'x' };
      expect(await repo.updateTicket('library', { ...arc, state: 'closed', agency: 'library' }, 1, [line])).toBeUndefined();
      await repo.setLastPosition('library', arc.id, 9);
      expect(await repo.ticket('archive', arc.id)).toMatchObject({ state: 'queued', version: 1 });
      expect((await repo.ticket('archive', arc.id))?.lastPosition).toBeUndefined();
      expect(await repo.lines(EVERY_AGENCY, { ticketId: arc.id })).toEqual([]);
      // In scope it applies, and the ticket's agency stays its own whatever the record says.
      expect(await repo.updateTicket('archive', { ...arc, state: 'closed', agency: 'library', closedAt: at }, 1)).toEqual([]);
      expect(await repo.ticket('archive', arc.id)).toMatchObject({ state: 'closed', version: 2, agency: 'archive' });
    });

    it("cases and their mail belong to the case's agency", async () => {
      const base = { conversationId: 'c-case', language: 'lv' as const, state: 'open' as const, question: 'Q', contact: { email: 'a@example.lv' } };
      await repo.registerCase({ ...base, id: 'P-20261116-AAAAA1', agency: 'archive', createdAt: at, dueAt: at }, [], {
        id: 'mail-arc',
        caseId: 'P-20261116-AAAAA1',
        purpose: 'agency',
        to: 'info@archive.example.lv',
        subject: 'S',
        text: 'T',
        html: 'H',
        createdAt: at,
        nextAttemptAt: at,
      });
      await repo.registerCase({ ...base, id: 'P-20261116-AAAAA2', agency: 'library', createdAt: at, dueAt: at }, [], undefined);
      expect((await repo.cases('library', 'open')).map((c) => c.id)).toEqual(['P-20261116-AAAAA2']);
      expect((await repo.cases(EVERY_AGENCY, 'open')).map((c) => c.id).sort()).toEqual(['P-20261116-AAAAA1', 'P-20261116-AAAAA2']);
      expect(await repo.caseById('library', 'P-20261116-AAAAA1')).toBeUndefined();
      expect(await repo.mailOf('library', 'P-20261116-AAAAA1')).toEqual([]);
      expect(await repo.mailOf('archive', 'P-20261116-AAAAA1')).toMatchObject([{ id: 'mail-arc' }]);
      expect(await repo.closeCase('library', 'P-20261116-AAAAA1', 's', at)).toBe(false);
      await repo.cancelMailOf('library', 'P-20261116-AAAAA1', at);
      expect((await repo.mailOf('archive', 'P-20261116-AAAAA1'))[0]?.cancelledAt).toBeUndefined();
      expect(await repo.caseById('archive', 'P-20261116-AAAAA1')).toMatchObject({ agency: 'archive', state: 'open' });
      // The outbox is the installation's: it sends every agency's mail.
      expect((await repo.dueMail(at, 10)).map((m) => m.id)).toContain('mail-arc');
    });

    it("an agency's slice stamps what it stores and reads only its own", async () => {
      const library = agencyRepository(repo, 'library');
      const t = ticket('archive', 'c-slice'); // a record naming another agency is stored as the slice's
      await library.insertTicket(t, [{ conversationId: 'c-slice', ticketId: t.id, at, author: 'citizen', text: 'sveiki' }]);
      expect(await repo.ticket('library', t.id)).toMatchObject({ agency: 'library' });
      expect(await repo.ticket('archive', t.id)).toBeUndefined();
      expect(await library.lines({ ticketId: t.id })).toMatchObject([{ agency: 'library', text: 'sveiki' }]);
      expect(await agencyRepository(repo, 'archive').ticket(t.id)).toBeUndefined();
    });

    it('memberships are stored with the account, replaced as a whole, gone with it', async () => {
      const anna = member('anna', [
        { agency: 'library', role: 'admin' },
        { agency: 'archive', role: 'staff' },
      ]);
      expect(await repo.createStaff(anna)).toBe('created');
      expect((await repo.staffByLogin('anna'))?.agencies).toEqual(expect.arrayContaining(anna.agencies));
      await repo.updateStaff(anna.id, { agencies: [{ agency: 'archive', role: 'admin' }] });
      expect((await repo.staffById(anna.id))?.agencies).toEqual([{ agency: 'archive', role: 'admin' }]);
      await repo.createSession({ tokenHash: 'a'.repeat(64), staffId: anna.id, createdAt: at, expiresAt: new Date(at.getTime() + DAY) });
      expect((await repo.findSession('a'.repeat(64), at))?.staff.agencies).toEqual([{ agency: 'archive', role: 'admin' }]);
      expect((await repo.listStaff()).find((s) => s.login === 'anna')?.agencies).toEqual([{ agency: 'archive', role: 'admin' }]);
      expect(await repo.removeStaff(anna.id)).toBe('removed');
      await repo.createStaff({ ...anna, agencies: [] });
      expect((await repo.staffById(anna.id))?.agencies).toEqual([]);
    });

    it('presence is per agency; signing off reaches every agency', async () => {
      const janis = member('janis', [
        { agency: 'library', role: 'staff' },
        { agency: 'archive', role: 'staff' },
      ]);
      await repo.createStaff(janis);
      await repo.setPresence(janis.id, 'library', 'online', at);
      await repo.setPresence(janis.id, 'archive', 'away', at);
      expect(await repo.listPresence('library')).toMatchObject([{ staffId: janis.id, agency: 'library', status: 'online' }]);
      expect((await repo.listPresence(EVERY_AGENCY)).filter((p) => p.staffId === janis.id)).toHaveLength(2);
      const later = new Date(at.getTime() + 120_000);
      await repo.touchPresence(janis.id, 'library', later);
      expect(await repo.expirePresence(janis.id, 'archive', new Date(at.getTime() + 60_000), later)).toBe(true);
      expect(await repo.expirePresence(janis.id, 'library', new Date(at.getTime() + 60_000), later)).toBe(false);
      expect((await repo.listPresence('archive')).find((p) => p.staffId === janis.id)?.status).toBe('offline');
      await repo.setPresence(janis.id, EVERY_AGENCY, 'offline', later);
      expect((await repo.listPresence(EVERY_AGENCY)).filter((p) => p.staffId === janis.id).map((p) => p.status)).toEqual(['offline', 'offline']);
    });

    it("retention purges each agency's finished handovers by its own cutoff; deletion reaches every agency", async () => {
      const closed = (agency: string, conversationId: string, daysAgo: number) =>
        ticket(agency, conversationId, { state: 'closed', closedAt: new Date(at.getTime() - daysAgo * DAY) });
      const libOld = closed('library', 'p-lib', 40);
      const arcOld = closed('archive', 'p-arc', 40);
      const dviOld = closed('dvi', 'p-dvi', 100);
      for (const t of [libOld, arcOld, dviOld])
        await repo.insertTicket(t, [{ agency: t.agency, conversationId: t.conversationId, ticketId: t.id, at, author: 'citizen', text: 'x' }]);
      // The library keeps 30 days, the archive 60, everyone else 90.
      const cutoffs = {
        byAgency: new Map([
          ['library', new Date(at.getTime() - 30 * DAY)],
          ['archive', new Date(at.getTime() - 60 * DAY)],
        ]),
        otherwise: new Date(at.getTime() - 90 * DAY),
      };
      expect(await repo.purge(cutoffs)).toBe(4); // two tickets and their lines
      expect(await repo.ticket(EVERY_AGENCY, libOld.id)).toBeUndefined();
      expect(await repo.ticket(EVERY_AGENCY, arcOld.id)).toBeDefined();
      expect(await repo.ticket(EVERY_AGENCY, dviOld.id)).toBeUndefined();
      expect(await repo.lines(EVERY_AGENCY, { ticketId: libOld.id })).toEqual([]);

      await repo.insertTicket(ticket('library', 'same-conversation'));
      await repo.insertTicket(ticket('archive', 'same-conversation'));
      expect(await repo.deleteConversation('same-conversation')).toBe(2);
      expect(await repo.ticketOf(EVERY_AGENCY, 'same-conversation', ['queued'])).toBeUndefined();
    });
  });
});

describe('roles', () => {
  const root = member('root', [], 'admin');
  const libAdmin = member('libadmin', [{ agency: 'library', role: 'admin' }]);
  const shared = member('shared', [
    { agency: 'library', role: 'staff' },
    { agency: 'archive', role: 'staff' },
  ]);
  const lib = member('lib', [{ agency: 'library', role: 'staff' }]);

  it('an installation administrator serves and administers every agency', () => {
    expect(serves(root, 'anything')).toBe(true);
    expect(administers(root, 'anything')).toBe(true);
    expect(agenciesServed(root, ['library', 'archive'])).toEqual(['library', 'archive']);
    expect(grantable(root)).toBeUndefined();
  });

  it('an agency administrator administers their agencies only; staff administer none', () => {
    expect(administers(libAdmin, 'library')).toBe(true);
    expect(administers(libAdmin, 'archive')).toBe(false);
    expect(serves(lib, 'library')).toBe(true);
    expect(administers(lib, 'library')).toBe(false);
    expect(grantable(libAdmin)?.('library')).toBe(true);
    expect(grantable(libAdmin)?.('archive')).toBe(false);
    expect(agenciesServed(shared, ['archive', 'library', 'dvi'])).toEqual(['archive', 'library']);
  });

  it('a whole account is managed only if it serves no agency the administrator does not administer', () => {
    expect(managesAccount(libAdmin, lib)).toBe(true);
    expect(managesAccount(libAdmin, shared)).toBe(false);
    expect(managesAccount(libAdmin, root)).toBe(false);
    expect(managesAccount(root, shared)).toBe(true);
    expect(managesAccount(undefined, root)).toBe(true); // the operator at the CLI
  });

  it("the offered languages are each agency's own staff's; an installation administrator without a membership counts for none", () => {
    const en = { ...member('en', [{ agency: 'archive', role: 'staff' }]), languages: ['lv' as const, 'en' as const] };
    const off = { ...member('off', [{ agency: 'library', role: 'staff' }]), languages: ['lv' as const, 'de' as const], disabledAt: at };
    const admin = { ...root, languages: ['lv' as const, 'ru' as const] };
    const byAgency = languagesByAgency([en, off, admin]);
    expect(byAgency.get('archive')).toEqual(['lv', 'en']);
    expect(byAgency.get('library')).toEqual(['lv']);
    expect(byAgency.has('dvi')).toBe(false);
  });
});
