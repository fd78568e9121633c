// The unanswered inbox's memory of what staff did with a group (issue 22): the group handled (how,
// by whom, when) and the questions it covered, so those leave the inbox. Kept in the store's
// database (studio_inbox_handled and _questions, bot/storage/migrations.ts) on SQLite and PostgreSQL,
// or in memory beside a memory store. Nothing here holds a question's words: a question is named by
// `questionId` (bot/studio/inbox.ts), and its mark goes with retention as its record does.
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import { postgresRunner, sqliteRunner, type SqlRunner } from '../handover/sql-repository.js';
import type { Logger } from '../log.js';
import { openDatabase } from '../storage/sqlite.js';
import { POSTGRES_ADOPT_HANDOVER_TRACK, POSTGRES_MIGRATIONS } from '../storage/migrations.js';
import { PgDatabase } from '../storage/postgres-pool.js';
import type { PadomsStore, PurgeCutoffs } from '../storage/store.js';
import type { Author } from './drafts.js';

export const INBOX_ACTIONS = ['phrasing', 'new-entry', 'authority', 'dismiss'] as const;
export type InboxAction = (typeof INBOX_ACTIONS)[number];

export interface HandledGroupInput {
  /** The group's key as the inbox showed it (bot/studio/inbox.ts `groupKey`). */
  key: string;
  action: InboxAction;
  /** The entry the phrasing went to, or the new entry's id. */
  entryId?: string;
  /** The authority the questions are for (action `authority`). */
  authorityId?: string;
}

export interface HandledGroup extends HandledGroupInput {
  id: string;
  /** How many questions it covered. */
  questions: number;
  staff: Author;
  at: Date;
}

/** A question the group covered: its id and when it was asked (retention removes the mark with the question). */
export interface HandledQuestion {
  id: string;
  at: Date;
}

export type RecordHandled = { ok: true; group: HandledGroup } | { ok: false; reason: 'already-handled' };

export interface InboxHandled {
  /** The agency's questions asked since `since` that a handled group covered, by question id. */
  handledSince(agency: string, since: Date): Promise<Map<string, HandledGroup>>;
  /** Records the group and its questions, all or nothing; refused when another member handled one of them first. */
  record(agency: string, group: HandledGroupInput, questions: readonly HandledQuestion[], staff: Author, at: Date): Promise<RecordHandled>;
  /** Groups handled in [from, to), newest first: the work done, with no question's words. */
  groups(agency: string, from: Date, to: Date): Promise<HandledGroup[]>;
  /** Removes the marks of questions older than their agency's cutoff (their records are purged too). */
  purge(cutoffs: PurgeCutoffs): Promise<number>;
  close(): Promise<void>;
}

const cutoffOf = (cutoffs: PurgeCutoffs, agency: string): Date => cutoffs.byAgency.get(agency) ?? cutoffs.otherwise;

export class MemoryInboxHandled implements InboxHandled {
  private readonly handled: (HandledGroup & { agency: string })[] = [];
  private readonly marks = new Map<string, { agency: string; question: string; group: HandledGroup; at: Date }>();

  async handledSince(agency: string, since: Date) {
    const found = new Map<string, HandledGroup>();
    for (const m of this.marks.values()) if (m.agency === agency && m.at >= since) found.set(m.question, m.group);
    return found;
  }
  async record(agency: string, input: HandledGroupInput, questions: readonly HandledQuestion[], staff: Author, at: Date): Promise<RecordHandled> {
    if (questions.some((q) => this.marks.has(`${agency}\n${q.id}`))) return { ok: false, reason: 'already-handled' };
    const group: HandledGroup = { ...input, id: randomUUID(), questions: questions.length, staff, at };
    this.handled.push({ ...group, agency });
    for (const q of questions) this.marks.set(`${agency}\n${q.id}`, { agency, question: q.id, group, at: q.at });
    return { ok: true, group };
  }
  async groups(agency: string, from: Date, to: Date) {
    return this.handled
      .filter((g) => g.agency === agency && g.at >= from && g.at < to)
      .map(({ agency: _agency, ...g }) => g)
      .reverse();
  }
  async purge(cutoffs: PurgeCutoffs) {
    let removed = 0;
    for (const [key, m] of this.marks) {
      if (m.at < cutoffOf(cutoffs, m.agency)) {
        this.marks.delete(key);
        removed++;
      }
    }
    return removed;
  }
  async close() {}
}

interface HandledRow {
  id: string;
  group_key: string;
  action: InboxAction;
  entry_id: string | null;
  authority_id: string | null;
  questions: number | string;
  staff_id: string;
  staff_name: string;
  at: string;
}

const toGroup = (r: HandledRow): HandledGroup => ({
  id: r.id,
  key: r.group_key,
  action: r.action,
  ...(r.entry_id === null ? {} : { entryId: r.entry_id }),
  ...(r.authority_id === null ? {} : { authorityId: r.authority_id }),
  questions: Number(r.questions),
  staff: { id: r.staff_id, name: r.staff_name },
  at: new Date(r.at),
});

/** A primary key already taken: another member marked one of the questions first. */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export class SqlInboxHandled implements InboxHandled {
  constructor(private readonly sql: SqlRunner) {}

  async handledSince(agency: string, since: Date) {
    const rows = await this.sql.all<HandledRow & { question: string }>(
      `SELECT q.question, h.* FROM studio_inbox_handled_questions q JOIN studio_inbox_handled h ON h.id = q.handled_id
       WHERE q.agency = ? AND q.asked_at >= ?`,
      [agency, since],
    );
    const groups = new Map<string, HandledGroup>();
    const found = new Map<string, HandledGroup>();
    for (const row of rows) {
      let group = groups.get(row.id);
      if (group === undefined) groups.set(row.id, (group = toGroup(row)));
      found.set(row.question, group);
    }
    return found;
  }

  async record(agency: string, input: HandledGroupInput, questions: readonly HandledQuestion[], staff: Author, at: Date): Promise<RecordHandled> {
    const id = randomUUID();
    try {
      await this.sql.batch([
        {
          sql: `INSERT INTO studio_inbox_handled (id, agency, group_key, action, entry_id, authority_id, questions, staff_id, staff_name, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          params: [id, agency, input.key, input.action, input.entryId ?? null, input.authorityId ?? null, questions.length, staff.id, staff.name, at],
        },
        ...questions.map((q) => ({
          sql: 'INSERT INTO studio_inbox_handled_questions (agency, question, handled_id, asked_at) VALUES (?, ?, ?, ?)',
          params: [agency, q.id, id, q.at],
        })),
      ]);
    } catch (err) {
      if (isUniqueViolation(err)) return { ok: false, reason: 'already-handled' };
      throw err;
    }
    return { ok: true, group: { ...input, id, questions: questions.length, staff, at } };
  }

  async groups(agency: string, from: Date, to: Date) {
    const rows = await this.sql.all<HandledRow>('SELECT * FROM studio_inbox_handled WHERE agency = ? AND at >= ? AND at < ? ORDER BY at DESC, id', [
      agency,
      from,
      to,
    ]);
    return rows.map(toGroup);
  }

  async purge(cutoffs: PurgeCutoffs) {
    const agencies = [...cutoffs.byAgency.keys()];
    let removed = 0;
    for (const [agency, before] of cutoffs.byAgency) {
      removed += await this.sql.run('DELETE FROM studio_inbox_handled_questions WHERE agency = ? AND asked_at < ?', [agency, before]);
    }
    const others = agencies.length === 0 ? '' : `agency NOT IN (${agencies.map(() => '?').join(', ')}) AND `;
    removed += await this.sql.run(`DELETE FROM studio_inbox_handled_questions WHERE ${others}asked_at < ?`, [...agencies, cutoffs.otherwise]);
    return removed;
  }

  async close() {
    await this.sql.close();
  }
}

/** The inbox's table next to the store: the store's own SQLite connection, the same PostgreSQL database (a small pool of its own), or memory. */
export function openInboxHandled(store: Pick<PadomsStore, 'kind' | 'sqlite'>, config: Pick<Config, 'DATA_DIR' | 'DATABASE_URL'>, log: Logger): InboxHandled {
  switch (store.kind) {
    case 'memory':
      return new MemoryInboxHandled();
    case 'sqlite':
      return new SqlInboxHandled(store.sqlite ? sqliteRunner(store.sqlite, { shared: true }) : sqliteRunner(openDatabase(config.DATA_DIR)));
    case 'postgres': {
      if (config.DATABASE_URL === undefined) throw new Error('studio inbox: postgres needs DATABASE_URL');
      const db = new PgDatabase({ url: config.DATABASE_URL, migrations: POSTGRES_MIGRATIONS, adopt: POSTGRES_ADOPT_HANDOVER_TRACK, log, maxConnections: 2 });
      return new SqlInboxHandled(postgresRunner(db, true));
    }
  }
}
