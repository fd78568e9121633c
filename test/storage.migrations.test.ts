// One migration list for both dialects (bot/storage/migrations.ts), recorded in one table. A database
// made before it — the store's versions in schema_migrations and the staff side's in a table of its
// own, handover_migrations — is upgraded at start with its data: on SQLite and on PostgreSQL. So is
// one of the last release: its records learn their agency, its staff side's rows are adopted by the
// default agency, its staff accounts serve it, and its administrators become the installation's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../bot/log.js';
import { HANDOVER_TRACK_OFFSET, MIGRATIONS, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from '../bot/storage/migrations.js';
import { openPostgresStore } from '../bot/storage/postgres.js';
import { SqliteTranscripts, openDatabase, openSqliteStore } from '../bot/storage/sqlite.js';
import { SqliteDirectLineStore } from '../bot/storage/directline-sql-store.js';
import type { ManagedDirectLineStore, PadomsStore } from '../bot/storage/store.js';
import { RECORD_TABLES } from '../bot/storage/kept-records.js';
import type { TranscriptStore } from 'botbuilder';
import { SqlHandoverRepository, postgresRunner, sqliteRunner } from '../bot/handover/sql-repository.js';
import { PgDatabase } from '../bot/storage/postgres-pool.js';
import { hasPostgres, startPostgres, type PgCluster } from './support/postgres.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** How a database of the last stop kept its versions: the store's three, and the staff side's `handover` of its own. */
const STORE_STEPS = HANDOVER_TRACK_OFFSET;
const at = '2026-11-20T10:00:00.000Z';
const OLD_TICKET = '00000000-0000-4000-8000-0000000000aa';
// A case with its mail to the agency, as the staff side wrote them before replies by e-mail existed.
const oldRows = [
  `INSERT INTO cases (id, conversation_id, language, state, summary, contact, created_at, due_at) VALUES ('P-20261120-AAAAAA', 'conv-old', 'lv', 'open', 'Kā dzēst datus?', 'email:a@example.lv', '${at}', '${at}')`,
  `INSERT INTO handover_lines (conversation_id, case_id, at, author, text) VALUES ('conv-old', 'P-20261120-AAAAAA', '${at}', 'citizen', 'Kā dzēst datus?')`,
  `INSERT INTO handover_outbox (id, case_id, recipient, subject, text_body, html_body, created_at, attempts, next_attempt_at) VALUES ('m-old', 'P-20261120-AAAAAA', 'pasts@dvi.gov.lv', 'S', 'T', 'H', '${at}', 0, '${at}')`,
  // A Direct Line conversation as it was kept before the transcript was its one record: each activity twice.
  `INSERT INTO dl_conversations (id, user_id, locale, created_at, last_active_at, last_watermark) VALUES ('dl-old', 'dl_user0001', NULL, '${at}', '${at}', 2)`,
  ...[1, 2].map(
    (n) =>
      `INSERT INTO dl_activities (conversation_id, watermark, at, activity) VALUES ('dl-old', ${n}, '${at}', '{"id":"a${n}","type":"message","text":"teksts ${n}"}')`,
  ),
  ...[1, 2].map(
    (n) =>
      `INSERT INTO transcripts (channel_id, conversation_id, activity_id, at, activity) VALUES ('directline', 'dl-old', 'a${n}', '${at}', '{"id":"a${n}","type":"message","text":"teksts ${n}"}')`,
  ),
  // Staff from before agencies: a member online in a conversation, and an administrator.
  `INSERT INTO staff_accounts (id, username, display_name, languages, role, password_hash, created_at) VALUES ('s-anna', 'anna', 'Anna Bērziņa', '["lv","en"]', 'staff', 'x', '${at}')`,
  `INSERT INTO staff_accounts (id, username, display_name, languages, role, password_hash, created_at) VALUES ('s-boss', 'boss', 'Jānis Boss', '["lv"]', 'admin', 'x', '${at}')`,
  `INSERT INTO handover_presence (staff_id, status, last_seen_at) VALUES ('s-anna', 'online', '${at}')`,
  `INSERT INTO handover_tickets (id, conversation_id, channel, language, reason, state, created_at, queued_at, accepted_at, staff_id, staff_name, updated_at, version)
     VALUES ('${OLD_TICKET}', 'conv-live', 'directline', 'lv', 'asked', 'with-staff', '${at}', '${at}', '${at}', 's-anna', 'Anna', '${at}', 2)`,
  `INSERT INTO handover_lines (conversation_id, ticket_id, at, author, text) VALUES ('conv-live', '${OLD_TICKET}', '${at}', 'citizen', 'Sveiki')`,
  `INSERT INTO handover_notes (conversation_id, ticket_id, staff_id, staff_name, at, text) VALUES ('conv-live', '${OLD_TICKET}', 's-anna', 'Anna Bērziņa', '${at}', 'piezīme')`,
];

/** The step that taught records their agency; the database of the last release has every step before it. */
const AGENCY_STEP = MIGRATIONS.findIndex((m) => m.about === 'records and conversations know their agency');
const DEFAULT_AGENCY = 'library';
/** One record in each record table, as the last release kept them: with no agency. */
const recordRows = [
  `INSERT INTO outcomes (conversation_id, channel, language, kind, entry_id, authority_ids, at) VALUES ('conv-old', 'directline', 'lv', 'answer', 'dvi.consent', '[]', '${at}')`,
  `INSERT INTO feedback (conversation_id, entry_id, helpful, at) VALUES ('conv-old', 'dvi.consent', true, '${at}')`,
  `INSERT INTO unanswered (conversation_id, text, reason, language, entry_id, at) VALUES ('conv-old', 'nezinu', 'fallback', 'lv', NULL, '${at}')`,
  `INSERT INTO clarify_choices (conversation_id, chosen_id, offered_ids, at) VALUES ('conv-old', NULL, '["a","b"]', '${at}')`,
  `INSERT INTO ratings (conversation_id, language, score, comment, at) VALUES ('conv-old', 'lv', 4, 'labi', '${at}')`,
  `INSERT INTO suggestions (conversation_id, text, at) VALUES ('conv-old', 'vairāk valodu', '${at}')`,
];

/** The step that taught memberships the knowledge roles (editor, publisher). */
const ROLES_STEP = MIGRATIONS.findIndex((m) => m.about.startsWith('knowledge roles in an agency'));
/** Two accounts with a membership each, as the release before knowledge roles kept them. */
const membershipRows = [
  `INSERT INTO staff_accounts (id, username, display_name, languages, role, password_hash, created_at) VALUES ('s-anna', 'anna', 'Anna Bērziņa', '["lv"]', 'staff', 'x', '${at}')`,
  `INSERT INTO staff_accounts (id, username, display_name, languages, role, password_hash, created_at) VALUES ('s-boss', 'boss', 'Jānis Boss', '["lv"]', 'staff', 'x', '${at}')`,
  `INSERT INTO staff_agencies (staff_id, agency, role) VALUES ('s-anna', 'library', 'staff')`,
  `INSERT INTO staff_agencies (staff_id, agency, role) VALUES ('s-boss', 'library', 'admin')`,
];
const KEPT_MEMBERSHIPS = [
  { staff_id: 's-anna', agency: 'library', role: 'staff' },
  { staff_id: 's-boss', agency: 'library', role: 'admin' },
];
const EDITOR_ROW = `INSERT INTO staff_agencies (staff_id, agency, role) VALUES ('s-anna', 'archive', 'editor')`;

/** Each record table's agencies, by row. */
async function agenciesOfRecords(query: (sql: string) => Promise<{ agency: string }[]>): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of RECORD_TABLES) out[table] = (await query(`SELECT agency FROM ${table} ORDER BY id`)).map((r) => r.agency);
  return out;
}
const everyTable = (agency: string) => Object.fromEntries(RECORD_TABLES.map((table) => [table, [agency]]));

/** The old records are the default agency's, and no other agency's; older conversations have no home agency. */
async function expectAdopted(store: PadomsStore): Promise<void> {
  const period = [new Date(0), new Date(Date.parse(at) + 1)] as const;
  expect(await store.recordsOf(DEFAULT_AGENCY).period(...period)).toMatchObject({
    outcomes: [{ conversationId: 'conv-old', entryId: 'dvi.consent' }],
    feedback: [{ conversationId: 'conv-old', helpful: true }],
    ratings: [{ conversationId: 'conv-old', score: 4 }],
    unanswered: [{ conversationId: 'conv-old', text: 'nezinu' }],
  });
  expect(await store.recordsOf('archive').period(...period)).toEqual({ outcomes: [], feedback: [], ratings: [], unanswered: [] });
  expect(await store.agencyOfConversation('conv-old')).toBeUndefined();
  // The comment stayed on the rating, which is found in its agency.
  await store.recordsOf(DEFAULT_AGENCY).ratingComment({ conversationId: 'conv-old', comment: 'ļoti labi', at: new Date(at) });
}

/**
 * The client's poll still gets the old activities at their watermarks, staff see each once, and new
 * ones follow; the old conversation is the default agency's, and a new one keeps its own.
 */
async function expectActivitiesKept(directLine: ManagedDirectLineStore, transcripts: TranscriptStore): Promise<void> {
  expect(await directLine.getConversation('dl-old')).toEqual({ id: 'dl-old', userId: 'dl_user0001', agency: DEFAULT_AGENCY, createdAt: at });
  const archive = { id: 'dl-new-archive', userId: 'dl_user0002', agency: 'archive', createdAt: at, locale: 'lv-LV' };
  expect(await directLine.createConversation(archive)).toBe(true);
  expect(await directLine.getConversation(archive.id)).toEqual(archive);
  expect(await directLine.listActivities('dl-old', 0, 10)).toMatchObject({ watermark: 2, activities: [{ id: 'a1' }, { id: 'a2' }] });
  expect((await transcripts.getTranscriptActivities('directline', 'dl-old')).items.map((a) => a.id)).toEqual(['a1', 'a2']);
  const conversation = { id: 'dl-old', isGroup: false, name: '', conversationType: 'personal' };
  await directLine.appendActivity('dl-old', { id: 'a3', type: 'message', text: 'teksts 3', channelId: 'directline', conversation });
  expect(await directLine.listActivities('dl-old', 2, 10)).toMatchObject({ watermark: 3, activities: [{ id: 'a3' }] });
  expect((await transcripts.getTranscriptActivities('directline', 'dl-old')).items.map((a) => a.id)).toEqual(['a1', 'a2', 'a3']);
}

async function expectUpgraded(repo: SqlHandoverRepository, versions: number[]): Promise<void> {
  expect(versions).toEqual(MIGRATIONS.map((_, i) => i + 1));
  // Before the staff side adopts them, rows from before agencies are no agency's.
  expect(await repo.caseById('dvi', 'P-20261120-AAAAAA')).toBeUndefined();
  // The start adopts them for the default agency, once.
  expect(await repo.adoptAgencyless('dvi')).toBeGreaterThan(0);
  expect(await repo.adoptAgencyless('dvi')).toBe(0);
  expect(await repo.caseById('dvi', 'P-20261120-AAAAAA')).toMatchObject({
    agency: 'dvi',
    state: 'open',
    question: 'Kā dzēst datus?',
    contact: { email: 'a@example.lv' },
  });
  expect(await repo.caseById('library', 'P-20261120-AAAAAA')).toBeUndefined();
  expect(await repo.lines('dvi', { caseId: 'P-20261120-AAAAAA' })).toMatchObject([{ agency: 'dvi', author: 'citizen', text: 'Kā dzēst datus?' }]);
  // The conversation under way stays with its member, in the default agency, with its line and note.
  expect(await repo.ticket('dvi', OLD_TICKET)).toMatchObject({ agency: 'dvi', state: 'with-staff', staffId: 's-anna', version: 2 });
  expect(await repo.ticket('library', OLD_TICKET)).toBeUndefined();
  expect(await repo.lines('dvi', { ticketId: OLD_TICKET })).toMatchObject([{ agency: 'dvi', text: 'Sveiki' }]);
  expect(await repo.notes('dvi', { ticketId: OLD_TICKET })).toMatchObject([{ agency: 'dvi', text: 'piezīme' }]);
  expect(await repo.listPresence('dvi')).toMatchObject([{ staffId: 's-anna', agency: 'dvi', status: 'online' }]);
  // Staff serve the default agency; an administrator becomes the installation's, and keeps administering it.
  expect(await repo.staffByLogin('anna')).toMatchObject({ role: 'staff', agencies: [{ agency: 'dvi', role: 'staff' }] });
  expect(await repo.staffByLogin('boss')).toMatchObject({ role: 'admin', agencies: [{ agency: 'dvi', role: 'admin' }] });
  // The mail written before the outbox knew purposes is the agency's, and the new columns work.
  expect(await repo.mailOf('dvi', 'P-20261120-AAAAAA')).toMatchObject([{ id: 'm-old', purpose: 'agency', attempts: 0 }]);
  expect(await repo.mailOf('library', 'P-20261120-AAAAAA')).toEqual([]);
  await repo.queueReply(
    { agency: 'dvi', conversationId: 'conv-old', caseId: 'P-20261120-AAAAAA', at: new Date(at), author: 'staff', authorName: 'Anna', text: 'Atbilde' },
    {
      id: 'm-new',
      caseId: 'P-20261120-AAAAAA',
      purpose: 'citizen',
      to: 'a@example.lv',
      staffId: 's1',
      subject: 'S',
      text: 'T',
      html: 'H',
      createdAt: new Date(at),
      nextAttemptAt: new Date(at),
    },
  );
  expect((await repo.mailOf('dvi', 'P-20261120-AAAAAA')).map((m) => m.purpose)).toEqual(['agency', 'citizen']);
}

describe('SQLite', () => {
  it('a database of the last stop (staff side at its version 1, before replies) is upgraded with its data', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'padoms-schema-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const old = new Database(path.join(dataDir, 'padoms.sqlite'));
    old.pragma('foreign_keys = ON');
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    old.exec('CREATE TABLE handover_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    SQLITE_MIGRATIONS.slice(0, STORE_STEPS).forEach((sql, i) => {
      old.exec(sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?)').run(i + 1, at);
    });
    old.exec(SQLITE_MIGRATIONS[STORE_STEPS]!);
    old.prepare('INSERT INTO handover_migrations VALUES (1, ?)').run(at);
    for (const row of oldRows) old.exec(row);
    old.close();

    const db = openDatabase(dataDir);
    const repo = new SqlHandoverRepository(sqliteRunner(db));
    cleanups.push(() => repo.close());
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[];
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'handover_migrations'").get()).toBeUndefined();
    await expectUpgraded(repo, versions);
    await expectActivitiesKept(new SqliteDirectLineStore(db, undefined, undefined, DEFAULT_AGENCY), new SqliteTranscripts(db));
    // Opened without a default agency (a tool that serves no Direct Line), it knows no conversation from before agencies.
    expect(await new SqliteDirectLineStore(db).getConversation('dl-old')).toBeUndefined();
  });

  it("a database of the last release, with records: they get agency '', then are the default agency's once the store opens", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'padoms-schema-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const old = new Database(path.join(dataDir, 'padoms.sqlite'));
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    SQLITE_MIGRATIONS.slice(0, AGENCY_STEP).forEach((sql, i) => {
      old.exec(sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?)').run(i + 1, at);
    });
    for (const row of recordRows) old.exec(row);
    old.close();

    const migrated = openDatabase(dataDir); // migrates, adopts nothing
    const rowsOf = (db: Database.Database) => (sql: string) => Promise.resolve(db.prepare(sql).all() as { agency: string }[]);
    expect(await agenciesOfRecords(rowsOf(migrated))).toEqual(everyTable(''));
    migrated.close();

    const store = openSqliteStore({ dataDir, defaultAgency: DEFAULT_AGENCY });
    cleanups.push(() => store.close());
    expect(await agenciesOfRecords(rowsOf(store.sqlite!))).toEqual(everyTable(DEFAULT_AGENCY));
    await expectAdopted(store);
    expect(store.sqlite!.prepare('SELECT comment FROM ratings').pluck().all()).toEqual(['ļoti labi']);
    await store.close();
    // Only rows from before agencies are adopted: a start with another default agency changes nothing.
    const again = openSqliteStore({ dataDir, defaultAgency: 'archive' });
    cleanups.push(() => again.close());
    expect(await agenciesOfRecords(rowsOf(again.sqlite!))).toEqual(everyTable(DEFAULT_AGENCY));
  });

  it('memberships of a database before knowledge roles are kept, and take editor and publisher after', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'padoms-schema-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const old = new Database(path.join(dataDir, 'padoms.sqlite'));
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    SQLITE_MIGRATIONS.slice(0, ROLES_STEP).forEach((sql, i) => {
      old.exec(sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?)').run(i + 1, at);
    });
    for (const row of membershipRows) old.exec(row);
    expect(() => old.exec(EDITOR_ROW)).toThrow(/CHECK/);
    old.close();

    const db = openDatabase(dataDir);
    cleanups.push(() => void db.close());
    expect(db.prepare('SELECT staff_id, agency, role FROM staff_agencies ORDER BY staff_id').all()).toEqual(KEPT_MEMBERSHIPS);
    db.exec(EDITOR_ROW);
    expect(() => db.exec("UPDATE staff_agencies SET role = 'owner' WHERE staff_id = 's-anna'")).toThrow(/CHECK/);
    // Still cascades with its account.
    db.exec("DELETE FROM staff_accounts WHERE id = 's-boss'");
    expect(db.prepare('SELECT DISTINCT staff_id FROM staff_agencies').pluck().all()).toEqual(['s-anna']);
  });

  it('a new database gets every step, once', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'padoms-schema-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    openDatabase(dataDir).close();
    const db = openDatabase(dataDir); // a second start applies nothing again
    cleanups.push(() => void db.close());
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });
});

describe.skipIf(!hasPostgres && !process.env['CI'])('PostgreSQL', () => {
  let cluster: PgCluster | undefined;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await cluster?.destroy();
  });

  it('a database of the last stop (store version 1, staff side at version 1 of its own) is upgraded with its data', async () => {
    const url = await cluster!.createDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    await client.query('CREATE TABLE handover_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    await client.query(POSTGRES_MIGRATIONS[0]!);
    await client.query('INSERT INTO schema_migrations (version) VALUES (1)');
    await client.query(POSTGRES_MIGRATIONS[STORE_STEPS]!);
    await client.query('INSERT INTO handover_migrations (version) VALUES (1)');
    for (const row of oldRows) await client.query(row);
    await client.end();

    const store = openPostgresStore({ url, log: silentLogger, defaultAgency: DEFAULT_AGENCY });
    await store.ping();
    const repo = new SqlHandoverRepository(postgresRunner(new PgDatabase({ url, migrations: POSTGRES_MIGRATIONS, log: silentLogger }), true));
    cleanups.push(async () => {
      await repo.close();
      await store.close();
    });
    const check = new pg.Client({ connectionString: url });
    await check.connect();
    const versions = (await check.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version);
    const legacy = (await check.query<{ t: string | null }>("SELECT to_regclass('handover_migrations')::text AS t")).rows[0]?.t;
    await check.end();
    expect(legacy).toBeNull();
    await expectUpgraded(repo, versions);
    await expectActivitiesKept(store.directLine, store.transcripts);
  });

  it('memberships of a database before knowledge roles are kept, and take editor and publisher after', async () => {
    const url = await cluster!.createDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    for (const [i, sql] of POSTGRES_MIGRATIONS.slice(0, ROLES_STEP).entries()) {
      if (sql.trim() !== '') await client.query(sql);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [i + 1]);
    }
    for (const row of membershipRows) await client.query(row);
    await expect(client.query(EDITOR_ROW)).rejects.toThrow(/check/);
    const migrated = new PgDatabase({ url, migrations: POSTGRES_MIGRATIONS, log: silentLogger });
    await migrated.ping();
    await migrated.close();
    expect((await client.query('SELECT staff_id, agency, role FROM staff_agencies ORDER BY staff_id')).rows).toEqual(KEPT_MEMBERSHIPS);
    await client.query(EDITOR_ROW);
    await expect(client.query("UPDATE staff_agencies SET role = 'owner' WHERE staff_id = 's-anna'")).rejects.toThrow(/check/);
    await client.end();
  });

  it("a database of the last release, with records: they get agency '', then are the default agency's once the store opens", async () => {
    const url = await cluster!.createDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    for (const [i, sql] of POSTGRES_MIGRATIONS.slice(0, AGENCY_STEP).entries()) {
      if (sql.trim() !== '') await client.query(sql);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [i + 1]);
    }
    for (const row of recordRows) await client.query(row);
    const rowsOf = async (sql: string) => (await client.query<{ agency: string }>(sql)).rows;

    const migrated = new PgDatabase({ url, migrations: POSTGRES_MIGRATIONS, log: silentLogger }); // migrates, adopts nothing
    await migrated.ping();
    await migrated.close();
    expect(await agenciesOfRecords(rowsOf)).toEqual(everyTable(''));

    const store = openPostgresStore({ url, log: silentLogger, defaultAgency: DEFAULT_AGENCY });
    await expectAdopted(store);
    await store.close();
    expect(await agenciesOfRecords(rowsOf)).toEqual(everyTable(DEFAULT_AGENCY));
    expect((await client.query('SELECT comment FROM ratings')).rows).toEqual([{ comment: 'ļoti labi' }]);
    // Only rows from before agencies are adopted: a start with another default agency changes nothing.
    const again = openPostgresStore({ url, log: silentLogger, defaultAgency: 'archive' });
    await again.ping();
    await again.close();
    expect(await agenciesOfRecords(rowsOf)).toEqual(everyTable(DEFAULT_AGENCY));
    await client.end();
  });
});
