// The staff side's repository on SQL: the same queries on SQLite (better-sqlite3) and PostgreSQL
// (pg). It uses the storage layer's staff_accounts, staff_sessions and cases tables and its own
// `handover_*` and `staff_agencies` tables, all created by the one migration list
// (bot/storage/migrations.ts). Every read a console makes carries its agency in the WHERE clause.
// Timestamps in our own tables are ISO text in both databases; values read back are normalised (pg returns Date and parsed JSON, SQLite strings).
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { LanguageCode } from '../../knowledge/schema.js';
import { toJsonText } from '../storage/activity.js';
import type { PgDatabase, Queryable } from '../storage/postgres-pool.js';
import { prepared } from '../storage/prepared.js';
import type { HandoverState, HandoverReason } from './types.js';
import {
  EVERY_AGENCY,
  contactFromText,
  contactToText,
  type AgencyMembership,
  type AgencyScope,
  type CaseRecord,
  type HandoverRepository,
  type LineRef,
  type NewLine,
  type NewNote,
  type NewOutboxMail,
  type Note,
  type OutboxMail,
  type Presence,
  type PresenceStatus,
  type RetentionCutoffs,
  type StaffMember,
  type StaffSessionRecord,
  type TicketRecord,
  type TranscriptLine,
} from './repository.js';

export type Param = string | number | null | Date | undefined;
export interface Statement {
  sql: string;
  params?: Param[];
  /** Run only if the statement at this index of the batch returned a row (a version-checked update did apply). */
  ifRowsFrom?: number;
}

/** The little the repository needs of a database: `?` placeholders in every dialect. */
export interface SqlRunner {
  readonly dialect: 'sqlite' | 'postgres';
  all<R extends object>(sql: string, params?: Param[]): Promise<R[]>;
  /** Rows changed. */
  run(sql: string, params?: Param[]): Promise<number>;
  /** All statements or none; the rows each returned (RETURNING), in order. */
  batch(statements: Statement[]): Promise<object[][]>;
  close(): Promise<void>;
}

// ---- runners ----

function sqliteParam(p: Param): string | number | null {
  if (p === undefined) return null;
  return p instanceof Date ? p.toISOString() : p;
}

/**
 * A runner on a better-sqlite3 connection opened by `openDatabase` (which applies the migrations,
 * ours included). A shared connection (the store's) is left open by close(): its owner closes it.
 */
export function sqliteRunner(db: Database.Database, options: { shared?: boolean } = {}): SqlRunner {
  const prepare = (sql: string) => prepared(db, sql);
  return {
    dialect: 'sqlite',
    async all<R extends object>(sql: string, params: Param[] = []) {
      return prepare(sql).all(...params.map(sqliteParam)) as R[];
    },
    async run(sql, params = []) {
      return prepare(sql).run(...params.map(sqliteParam)).changes;
    },
    async batch(list) {
      return db.transaction(() => {
        const rows: object[][] = [];
        for (const s of list) {
          if (s.ifRowsFrom !== undefined && (rows[s.ifRowsFrom]?.length ?? 0) === 0) {
            rows.push([]);
            continue;
          }
          const statement = prepare(s.sql);
          const params = (s.params ?? []).map(sqliteParam);
          if (statement.reader) rows.push(statement.all(...params) as object[]);
          else rows.push((statement.run(...params), []));
        }
        return rows;
      })();
    },
    async close() {
      if (db.open && !options.shared) db.close();
    },
  };
}

function pgParam(p: Param): string | number | null {
  if (p === undefined) return null;
  return p instanceof Date ? p.toISOString() : p;
}

/** `?` → `$1, $2, …` (our statements have no `?` inside literals). */
function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

/** A runner on a PostgreSQL pool whose migrations (bot/storage/migrations.ts) include our tables. */
export function postgresRunner(db: PgDatabase, ownsDb: boolean): SqlRunner {
  const exec = async <R extends object>(q: Queryable, sql: string, params: Param[]) => q.query<R>(numbered(sql), params.map(pgParam));
  return {
    dialect: 'postgres',
    async all<R extends object>(sql: string, params: Param[] = []) {
      return (await exec<R>(db, sql, params)).rows;
    },
    async run(sql, params = []) {
      return (await exec(db, sql, params)).rowCount;
    },
    async batch(list) {
      return db.transaction(async (q) => {
        const rows: object[][] = [];
        for (const s of list) {
          const skip = s.ifRowsFrom !== undefined && (rows[s.ifRowsFrom]?.length ?? 0) === 0;
          rows.push(skip ? [] : (await exec(q, s.sql, s.params ?? [])).rows);
        }
        return rows;
      });
    },
    async close() {
      if (ownsDb) await db.close();
    },
  };
}

// ---- row mapping ----

type Raw = string | number | Date | null;
const toDate = (v: Raw | undefined): Date | undefined => (v === null || v === undefined ? undefined : v instanceof Date ? v : new Date(v));
const must = (v: Raw | undefined): Date => toDate(v) ?? new Date(0);
const jsonOf = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

interface StaffRow {
  id: string;
  username: string;
  display_name: string;
  languages: unknown;
  role: 'staff' | 'admin';
  password_hash: string;
  created_at: Raw;
  disabled_at: Raw;
}
interface MembershipRow {
  staff_id: string;
  agency: string;
  role: AgencyMembership['role'];
}
const toStaff = (r: StaffRow, memberships: readonly MembershipRow[]): StaffMember => ({
  id: r.id,
  login: r.username,
  name: r.display_name,
  languages: jsonOf<LanguageCode[]>(r.languages),
  role: r.role,
  agencies: memberships.filter((m) => m.staff_id === r.id).map((m): AgencyMembership => ({ agency: m.agency, role: m.role })),
  passwordHash: r.password_hash,
  createdAt: must(r.created_at),
  ...(r.disabled_at === null ? {} : { disabledAt: must(r.disabled_at) }),
});

interface TicketRow {
  id: string;
  agency: string | null;
  conversation_id: string;
  channel: string;
  language: string;
  reason: string;
  state: string;
  created_at: Raw;
  queued_at: Raw;
  accepted_at: Raw;
  staff_id: string | null;
  staff_name: string | null;
  closed_at: Raw;
  reference: string | null;
  updated_at: Raw;
  version: number | string;
  last_position: number | string | null;
}
const toTicket = (r: TicketRow): TicketRecord => ({
  id: r.id,
  agency: r.agency ?? '',
  conversationId: r.conversation_id,
  channel: r.channel,
  language: r.language as LanguageCode,
  state: r.state as HandoverState,
  reason: r.reason as HandoverReason,
  createdAt: must(r.created_at),
  updatedAt: must(r.updated_at),
  version: Number(r.version),
  ...(r.queued_at === null ? {} : { queuedAt: must(r.queued_at) }),
  ...(r.accepted_at === null ? {} : { acceptedAt: must(r.accepted_at) }),
  ...(r.staff_id === null ? {} : { staffId: r.staff_id }),
  ...(r.staff_name === null ? {} : { staffName: r.staff_name }),
  ...(r.closed_at === null ? {} : { closedAt: must(r.closed_at) }),
  ...(r.last_position === null ? {} : { lastPosition: Number(r.last_position) }),
  ...(r.reference === null ? {} : { reference: jsonOf<NonNullable<TicketRecord['reference']>>(r.reference) }),
});

interface LineRow {
  id: number | string;
  agency: string | null;
  conversation_id: string;
  ticket_id: string | null;
  case_id: string | null;
  at: Raw;
  author: string;
  author_name: string | null;
  text: string;
}
const toLine = (r: LineRow): TranscriptLine => ({
  id: Number(r.id),
  agency: r.agency ?? '',
  conversationId: r.conversation_id,
  at: must(r.at),
  author: r.author as TranscriptLine['author'],
  text: r.text,
  ...(r.ticket_id === null ? {} : { ticketId: r.ticket_id }),
  ...(r.case_id === null ? {} : { caseId: r.case_id }),
  ...(r.author_name === null ? {} : { authorName: r.author_name }),
});

interface NoteRow extends Omit<LineRow, 'author' | 'author_name'> {
  staff_id: string;
  staff_name: string;
}
const toNote = (r: NoteRow): Note => ({
  id: Number(r.id),
  agency: r.agency ?? '',
  conversationId: r.conversation_id,
  staffId: r.staff_id,
  staffName: r.staff_name,
  at: must(r.at),
  text: r.text,
  ...(r.ticket_id === null ? {} : { ticketId: r.ticket_id }),
  ...(r.case_id === null ? {} : { caseId: r.case_id }),
});

interface CaseRow {
  id: string;
  agency: string | null;
  conversation_id: string;
  language: string;
  state: 'open' | 'closed';
  summary: string;
  contact: string | null;
  created_at: Raw;
  due_at: Raw;
  closed_at: Raw;
  closed_by: string | null;
}
const toCase = (r: CaseRow): CaseRecord => ({
  id: r.id,
  agency: r.agency ?? '',
  conversationId: r.conversation_id,
  language: r.language as LanguageCode,
  state: r.state,
  question: r.summary,
  contact: contactFromText(r.contact),
  createdAt: must(r.created_at),
  dueAt: must(r.due_at),
  ...(r.closed_at === null ? {} : { closedAt: must(r.closed_at) }),
  ...(r.closed_by === null ? {} : { closedBy: r.closed_by }),
});

interface MailRow {
  id: string;
  case_id: string;
  purpose: string;
  recipient: string;
  reply_to: string | null;
  staff_id: string | null;
  subject: string;
  text_body: string;
  html_body: string;
  created_at: Raw;
  attempts: number | string;
  next_attempt_at: Raw;
  sent_at: Raw;
  last_error: string | null;
  cancelled_at: Raw;
  rejected_at: Raw;
}
const toMail = (r: MailRow): OutboxMail => ({
  id: r.id,
  caseId: r.case_id,
  purpose: r.purpose === 'citizen' ? 'citizen' : 'agency',
  to: r.recipient,
  ...(r.reply_to === null ? {} : { replyTo: r.reply_to }),
  ...(r.staff_id === null ? {} : { staffId: r.staff_id }),
  subject: r.subject,
  text: r.text_body,
  html: r.html_body,
  createdAt: must(r.created_at),
  attempts: Number(r.attempts),
  nextAttemptAt: must(r.next_attempt_at),
  ...(r.sent_at === null ? {} : { sentAt: must(r.sent_at) }),
  ...(r.last_error === null ? {} : { lastError: r.last_error }),
  ...(r.cancelled_at === null ? {} : { cancelledAt: must(r.cancelled_at) }),
  ...(r.rejected_at === null ? {} : { rejectedAt: must(r.rejected_at) }),
});

const mailInsert = (m: NewOutboxMail): Statement => ({
  sql: `INSERT INTO handover_outbox (id, case_id, purpose, recipient, reply_to, staff_id, subject, text_body, html_body, created_at, attempts, next_attempt_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`,
  params: [m.id, m.caseId, m.purpose, m.to, m.replyTo, m.staffId, m.subject, m.text, m.html, m.createdAt, m.nextAttemptAt],
});

/** Still to be sent: not sent, cancelled or refused. */
const WAITING = 'sent_at IS NULL AND cancelled_at IS NULL AND rejected_at IS NULL';

const lineInsert = (l: NewLine): Statement => ({
  sql: 'INSERT INTO handover_lines (agency, conversation_id, ticket_id, case_id, at, author, author_name, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  params: [l.agency, l.conversationId, l.ticketId, l.caseId, l.at, l.author, l.authorName, l.text],
});
const refWhere = (ref: LineRef): [string, string] => ('ticketId' in ref ? ['ticket_id = ?', ref.ticketId] : ['case_id = ?', ref.caseId]);
const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** The agency condition of a scoped read (`column` qualified where a query joins). */
function scoped(scope: AgencyScope, column = 'agency'): { where: string; params: Param[] } {
  return scope === EVERY_AGENCY ? { where: '1 = 1', params: [] } : { where: `${column} = ?`, params: [scope] };
}

export class SqlHandoverRepository implements HandoverRepository {
  constructor(private readonly sql: SqlRunner) {}

  async adoptAgencyless(defaultAgency: string) {
    const rows = await this.sql.batch([
      ...['handover_tickets', 'cases', 'handover_lines', 'handover_notes'].map((table) => ({
        sql: `UPDATE ${table} SET agency = ? WHERE agency IS NULL RETURNING 1 AS n`,
        params: [defaultAgency],
      })),
      // A membership or a presence the account already has for the default agency wins over the adopted one.
      ...['staff_agencies', 'handover_presence'].flatMap((table) => [
        {
          sql: `DELETE FROM ${table} WHERE agency = '' AND EXISTS (SELECT 1 FROM ${table} t WHERE t.staff_id = ${table}.staff_id AND t.agency = ?) RETURNING 1 AS n`,
          params: [defaultAgency],
        },
        { sql: `UPDATE ${table} SET agency = ? WHERE agency = '' RETURNING 1 AS n`, params: [defaultAgency] },
      ]),
    ]);
    return rows.reduce((sum, r) => sum + r.length, 0);
  }

  async createStaff(m: StaffMember) {
    if ((await this.staffByLogin(m.login)) !== undefined) return 'login-taken' as const;
    try {
      await this.sql.batch([
        {
          sql: 'INSERT INTO staff_accounts (id, username, display_name, languages, role, password_hash, created_at, disabled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          params: [m.id, m.login, m.name, JSON.stringify(m.languages), m.role, m.passwordHash, m.createdAt, m.disabledAt],
        },
        ...membershipInserts(m.id, m.agencies),
      ]);
    } catch (err) {
      if (/unique/i.test((err as Error).message)) return 'login-taken' as const;
      throw err;
    }
    return 'created' as const;
  }
  async staffById(id: string) {
    const [row] = await this.sql.all<StaffRow>('SELECT * FROM staff_accounts WHERE id = ?', [id]);
    return row && toStaff(row, await this.membershipsOf(row.id));
  }
  async staffByLogin(login: string) {
    const [row] = await this.sql.all<StaffRow>('SELECT * FROM staff_accounts WHERE username = ?', [login]);
    return row && toStaff(row, await this.membershipsOf(row.id));
  }
  async listStaff() {
    const rows = await this.sql.all<StaffRow>('SELECT * FROM staff_accounts ORDER BY username');
    const memberships = await this.sql.all<MembershipRow>('SELECT * FROM staff_agencies ORDER BY agency');
    return rows.map((r) => toStaff(r, memberships));
  }
  async updateStaff(id: string, patch: Parameters<HandoverRepository['updateStaff']>[1]) {
    const sets: string[] = [];
    const params: Param[] = [];
    const set = (column: string, value: Param) => (sets.push(`${column} = ?`), params.push(value));
    if (patch.name !== undefined) set('display_name', patch.name);
    if (patch.languages !== undefined) set('languages', JSON.stringify(patch.languages));
    if (patch.role !== undefined) set('role', patch.role);
    if (patch.passwordHash !== undefined) set('password_hash', patch.passwordHash);
    if (patch.disabledAt !== undefined) set('disabled_at', patch.disabledAt);
    if ((await this.staffById(id)) === undefined) return false;
    const statements: Statement[] = [];
    if (sets.length > 0) statements.push({ sql: `UPDATE staff_accounts SET ${sets.join(', ')} WHERE id = ?`, params: [...params, id] });
    if (patch.agencies !== undefined)
      statements.push({ sql: 'DELETE FROM staff_agencies WHERE staff_id = ?', params: [id] }, ...membershipInserts(id, patch.agencies));
    if (statements.length > 0) await this.sql.batch(statements);
    return true;
  }
  async removeStaff(id: string) {
    if ((await this.staffById(id)) === undefined) return 'not-found' as const;
    const [used] = await this.sql.all<{ n: number | string }>('SELECT COUNT(*) AS n FROM cases WHERE closed_by = ?', [id]);
    if (Number(used?.n ?? 0) > 0) return 'in-use' as const;
    await this.sql.batch([
      { sql: 'DELETE FROM staff_sessions WHERE staff_id = ?', params: [id] },
      { sql: 'DELETE FROM handover_presence WHERE staff_id = ?', params: [id] },
      { sql: 'DELETE FROM staff_agencies WHERE staff_id = ?', params: [id] },
      { sql: 'DELETE FROM staff_accounts WHERE id = ?', params: [id] },
    ]);
    return 'removed' as const;
  }

  private membershipsOf(staffId: string): Promise<MembershipRow[]> {
    return this.sql.all<MembershipRow>('SELECT * FROM staff_agencies WHERE staff_id = ? ORDER BY agency', [staffId]);
  }

  async createSession(s: StaffSessionRecord) {
    await this.sql.run('INSERT INTO staff_sessions (token_hash, staff_id, created_at, expires_at) VALUES (?, ?, ?, ?)', [
      s.tokenHash,
      s.staffId,
      s.createdAt,
      s.expiresAt,
    ]);
  }
  async findSession(tokenHash: string, now: Date) {
    const [row] = await this.sql.all<StaffRow & { token_hash: string; staff_id: string; session_created_at: Raw; expires_at: Raw }>(
      `SELECT a.*, s.token_hash, s.staff_id, s.created_at AS session_created_at, s.expires_at FROM staff_sessions s
       JOIN staff_accounts a ON a.id = s.staff_id WHERE s.token_hash = ? AND s.expires_at > ? AND a.disabled_at IS NULL`,
      [tokenHash, now],
    );
    if (!row) return undefined;
    return {
      session: { tokenHash: row.token_hash, staffId: row.staff_id, createdAt: must(row.session_created_at), expiresAt: must(row.expires_at) },
      staff: toStaff(row, await this.membershipsOf(row.staff_id)),
    };
  }
  async deleteSession(tokenHash: string) {
    await this.sql.run('DELETE FROM staff_sessions WHERE token_hash = ?', [tokenHash]);
  }
  async deleteSessionsOf(staffId: string) {
    await this.sql.run('DELETE FROM staff_sessions WHERE staff_id = ?', [staffId]);
  }
  async deleteExpiredSessions(now: Date) {
    return this.sql.run('DELETE FROM staff_sessions WHERE expires_at <= ?', [now]);
  }

  async setPresence(staffId: string, scope: AgencyScope, status: PresenceStatus, at: Date) {
    if (scope === EVERY_AGENCY) {
      await this.sql.run('UPDATE handover_presence SET status = ?, last_seen_at = ? WHERE staff_id = ?', [status, at, staffId]);
      return;
    }
    await this.sql.run(
      `INSERT INTO handover_presence (staff_id, agency, status, last_seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (staff_id, agency) DO UPDATE SET status = excluded.status, last_seen_at = excluded.last_seen_at`,
      [staffId, scope, status, at],
    );
  }
  async touchPresence(staffId: string, agency: string, at: Date) {
    await this.sql.run('UPDATE handover_presence SET last_seen_at = ? WHERE staff_id = ? AND agency = ? AND last_seen_at < ?', [at, staffId, agency, at]);
  }
  async listPresence(scope: AgencyScope): Promise<Presence[]> {
    const { where, params } = scoped(scope);
    const rows = await this.sql.all<{ staff_id: string; agency: string; status: PresenceStatus; last_seen_at: Raw }>(
      `SELECT * FROM handover_presence WHERE ${where}`,
      params,
    );
    return rows.map((r) => ({ staffId: r.staff_id, agency: r.agency, status: r.status, lastSeenAt: must(r.last_seen_at) }));
  }
  async expirePresence(staffId: string, agency: string, staleBefore: Date, at: Date) {
    return (
      (await this.sql.run(
        "UPDATE handover_presence SET status = 'offline', last_seen_at = ? WHERE staff_id = ? AND agency = ? AND status <> 'offline' AND last_seen_at < ?",
        [at, staffId, agency, staleBefore],
      )) > 0
    );
  }

  async insertTicket(t: TicketRecord, lines: NewLine[] = []) {
    await this.sql.batch([
      {
        sql: `INSERT INTO handover_tickets (id, agency, conversation_id, channel, language, reason, state, created_at, queued_at, accepted_at, staff_id,
                staff_name, closed_at, reference, last_position, updated_at, version) VALUES (${placeholders(17)})`,
        params: [
          t.id,
          t.agency,
          t.conversationId,
          t.channel,
          t.language,
          t.reason,
          t.state,
          t.createdAt,
          t.queuedAt,
          t.acceptedAt,
          t.staffId,
          t.staffName,
          t.closedAt,
          t.reference === undefined ? null : toJsonText(t.reference),
          t.lastPosition,
          t.updatedAt,
          t.version,
        ],
      },
      ...lines.map(lineInsert),
    ]);
  }
  async ticket(scope: AgencyScope, id: string) {
    const { where, params } = scoped(scope);
    const [row] = await this.sql.all<TicketRow>(`SELECT * FROM handover_tickets WHERE id = ? AND ${where}`, [id, ...params]);
    return row && toTicket(row);
  }
  async ticketOf(scope: AgencyScope, conversationId: string, states: readonly HandoverState[]) {
    if (states.length === 0) return undefined;
    const { where, params } = scoped(scope);
    const [row] = await this.sql.all<TicketRow>(
      `SELECT * FROM handover_tickets WHERE conversation_id = ? AND ${where} AND state IN (${placeholders(states.length)}) ORDER BY created_at DESC LIMIT 1`,
      [conversationId, ...params, ...states],
    );
    return row && toTicket(row);
  }
  async tickets(scope: AgencyScope, states: readonly HandoverState[]) {
    if (states.length === 0) return [];
    const { where, params } = scoped(scope);
    const rows = await this.sql.all<TicketRow>(
      `SELECT * FROM handover_tickets WHERE ${where} AND state IN (${placeholders(states.length)}) ORDER BY COALESCE(queued_at, created_at), id`,
      [...params, ...states],
    );
    return rows.map(toTicket);
  }
  async updateTicket(scope: AgencyScope, t: TicketRecord, expectedVersion: number, lines: NewLine[] = []) {
    const { where, params } = scoped(scope);
    const [updated = [], ...inserted] = await this.sql.batch([
      {
        sql: `UPDATE handover_tickets SET state = ?, queued_at = ?, accepted_at = ?, staff_id = ?, staff_name = ?, closed_at = ?, updated_at = ?, version = ?
              WHERE id = ? AND version = ? AND ${where} RETURNING id`,
        params: [t.state, t.queuedAt, t.acceptedAt, t.staffId, t.staffName, t.closedAt, t.updatedAt, expectedVersion + 1, t.id, expectedVersion, ...params],
      },
      // Written only if this update applied (not whenever the version matches: a concurrent one may have set it).
      ...lines.map(lineInsert).map((insert) => ({ ...insert, sql: `${insert.sql} RETURNING *`, ifRowsFrom: 0 })),
    ]);
    if (updated.length === 0) return undefined;
    return inserted.flat().map((row) => toLine(row as LineRow));
  }
  async setLastPosition(scope: AgencyScope, ticketId: string, position: number) {
    const { where, params } = scoped(scope);
    await this.sql.run(`UPDATE handover_tickets SET last_position = ? WHERE id = ? AND ${where}`, [position, ticketId, ...params]);
  }

  async addLines(lines: NewLine[]) {
    const added: TranscriptLine[] = [];
    for (const l of lines) {
      const s = lineInsert(l);
      const [row] = await this.sql.all<LineRow>(`${s.sql} RETURNING *`, s.params);
      if (row) added.push(toLine(row));
    }
    return added;
  }
  async lines(scope: AgencyScope, ref: LineRef) {
    const [column, value] = refWhere(ref);
    const { where, params } = scoped(scope);
    return (await this.sql.all<LineRow>(`SELECT * FROM handover_lines WHERE ${column} AND ${where} ORDER BY id`, [value, ...params])).map(toLine);
  }
  async line(scope: AgencyScope, id: number) {
    const { where, params } = scoped(scope);
    const [row] = await this.sql.all<LineRow>(`SELECT * FROM handover_lines WHERE id = ? AND ${where}`, [id, ...params]);
    return row && toLine(row);
  }
  async addNote(n: NewNote) {
    const [row] = await this.sql.all<NoteRow>(
      'INSERT INTO handover_notes (agency, conversation_id, ticket_id, case_id, staff_id, staff_name, at, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *',
      [n.agency, n.conversationId, n.ticketId, n.caseId, n.staffId, n.staffName, n.at, n.text],
    );
    return toNote(row!);
  }
  async notes(scope: AgencyScope, ref: LineRef) {
    const [column, value] = refWhere(ref);
    const { where, params } = scoped(scope);
    return (await this.sql.all<NoteRow>(`SELECT * FROM handover_notes WHERE ${column} AND ${where} ORDER BY id`, [value, ...params])).map(toNote);
  }

  async registerCase(c: CaseRecord, lines: NewLine[], mail: NewOutboxMail | undefined) {
    const statements: Statement[] = [
      {
        sql: 'INSERT INTO cases (id, agency, conversation_id, language, state, summary, contact, created_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        params: [c.id, c.agency, c.conversationId, c.language, c.state, c.question, contactToText(c.contact), c.createdAt, c.dueAt],
      },
      ...lines.map(lineInsert),
    ];
    if (mail) statements.push(mailInsert(mail));
    await this.sql.batch(statements);
  }
  async caseById(scope: AgencyScope, id: string) {
    const { where, params } = scoped(scope);
    const [row] = await this.sql.all<CaseRow>(`SELECT * FROM cases WHERE id = ? AND ${where}`, [id, ...params]);
    return row && toCase(row);
  }
  async cases(scope: AgencyScope, state: CaseRecord['state'] | 'any') {
    const { where, params } = scoped(scope);
    const rows =
      state === 'any'
        ? await this.sql.all<CaseRow>(`SELECT * FROM cases WHERE ${where} ORDER BY due_at, created_at`, params)
        : await this.sql.all<CaseRow>(`SELECT * FROM cases WHERE ${where} AND state = ? ORDER BY due_at, created_at`, [...params, state]);
    return rows.map(toCase);
  }
  async closeCase(scope: AgencyScope, id: string, staffId: string, at: Date) {
    const { where, params } = scoped(scope);
    return (
      (await this.sql.run(`UPDATE cases SET state = 'closed', closed_at = ?, closed_by = ? WHERE id = ? AND state = 'open' AND ${where}`, [
        at,
        staffId,
        id,
        ...params,
      ])) > 0
    );
  }
  async queueReply(line: NewLine, mail: NewOutboxMail) {
    await this.sql.batch([lineInsert(line), mailInsert(mail)]);
  }

  async dueMail(now: Date, limit: number) {
    const rows = await this.sql.all<MailRow>(`SELECT * FROM handover_outbox WHERE ${WAITING} AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`, [
      now,
      limit,
    ]);
    return rows.map(toMail);
  }
  async leaseMail(id: string, expected: Date, until: Date) {
    return (
      (await this.sql.run(`UPDATE handover_outbox SET next_attempt_at = ? WHERE id = ? AND next_attempt_at = ? AND ${WAITING}`, [until, id, expected])) > 0
    );
  }
  async mailSent(id: string, at: Date) {
    await this.sql.batch([
      { sql: 'UPDATE handover_outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?', params: [at, id] },
      {
        sql: `UPDATE cases SET state = 'closed', closed_at = ?, closed_by = (SELECT staff_id FROM handover_outbox WHERE id = ?)
              WHERE state = 'open' AND id = (SELECT case_id FROM handover_outbox WHERE id = ? AND purpose = 'citizen' AND staff_id IS NOT NULL)`,
        params: [at, id, id],
      },
    ]);
  }
  async mailFailed(id: string, attempts: number, nextAttemptAt: Date, error: string) {
    await this.sql.run('UPDATE handover_outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?', [
      attempts,
      nextAttemptAt,
      error.slice(0, 500),
      id,
    ]);
  }
  async mailRejected(id: string, at: Date, error: string) {
    await this.sql.run('UPDATE handover_outbox SET attempts = attempts + 1, rejected_at = ?, last_error = ? WHERE id = ?', [at, error.slice(0, 500), id]);
  }
  async cancelMailOf(scope: AgencyScope, caseId: string, at: Date) {
    const { where, params } = scoped(scope);
    await this.sql.run(
      `UPDATE handover_outbox SET cancelled_at = ? WHERE case_id = ? AND purpose = 'agency' AND ${WAITING}
       AND case_id IN (SELECT id FROM cases WHERE ${where})`,
      [at, caseId, ...params],
    );
  }
  async mailOf(scope: AgencyScope, caseId: string) {
    const { where, params } = scoped(scope, 'c.agency');
    const rows = await this.sql.all<MailRow>(
      `SELECT o.* FROM handover_outbox o JOIN cases c ON c.id = o.case_id WHERE o.case_id = ? AND ${where} ORDER BY o.created_at`,
      [caseId, ...params],
    );
    return rows.map(toMail);
  }
  async nextMailAt() {
    const [row] = await this.sql.all<{ next: Raw }>(`SELECT MIN(next_attempt_at) AS next FROM handover_outbox WHERE ${WAITING}`);
    return toDate(row?.next);
  }

  async deleteConversation(conversationId: string) {
    const tables = ['handover_lines', 'handover_notes', 'handover_tickets'];
    let removed = 0;
    for (const table of tables) removed += await this.sql.run(`DELETE FROM ${table} WHERE conversation_id = ?`, [conversationId]);
    return removed;
  }
  async purge(cutoffs: RetentionCutoffs) {
    // One pass per agency with a retention of its own, then one for every other agency.
    const agencies = [...cutoffs.byAgency.keys()];
    const passes: { where: string; params: Param[] }[] = [
      ...[...cutoffs.byAgency].map(([agency, before]) => ({ where: 'agency = ? AND closed_at < ?', params: [agency, before] as Param[] })),
      {
        where: `${agencies.length === 0 ? '1 = 1' : `(agency IS NULL OR agency NOT IN (${placeholders(agencies.length)}))`} AND closed_at < ?`,
        params: [...agencies, cutoffs.otherwise],
      },
    ];
    let removed = 0;
    for (const { where, params } of passes) {
      const finished = `SELECT id FROM handover_tickets WHERE closed_at IS NOT NULL AND ${where}`;
      removed += await this.sql.run(`DELETE FROM handover_lines WHERE ticket_id IN (${finished})`, params);
      removed += await this.sql.run(`DELETE FROM handover_notes WHERE ticket_id IN (${finished})`, params);
      removed += await this.sql.run(`DELETE FROM handover_tickets WHERE closed_at IS NOT NULL AND ${where}`, params);
    }
    return removed;
  }
  async close() {
    await this.sql.close();
  }
}

const membershipInserts = (staffId: string, memberships: readonly AgencyMembership[]): Statement[] =>
  memberships.map((m) => ({ sql: 'INSERT INTO staff_agencies (staff_id, agency, role) VALUES (?, ?, ?)', params: [staffId, m.agency, m.role] }));

export const newCaseId = (at: Date): string =>
  `P-${at.toISOString().slice(0, 10).replaceAll('-', '')}-${randomUUID().replaceAll('-', '').slice(0, 6).toUpperCase()}`;
