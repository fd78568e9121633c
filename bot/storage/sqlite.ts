// The embedded default store: one SQLite file under DATA_DIR (WAL); the schema's one migration
// list (migrations.ts) runs at start. Holds bot state (botbuilder Storage with eTags), redacted transcripts, the turn
// records, Direct Line conversations, and the handover tables.
import { ensurePrivateDir, ensurePrivateFile } from './private-files.js';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Activity, PagedResult, Storage, StoreItems, TranscriptInfo, TranscriptStore } from 'botbuilder';
import {
  COUNTED_RECORD_TABLES,
  RECORD_TABLES,
  WORDED_COLUMNS,
  WORDED_RECORD_TABLES,
  erasedConversationId,
  unansweredFromRow,
  type UnansweredRow,
} from './kept-records.js';
import type { CitizenText, ClarifyChoice, Feedback, PeriodRecords, Rating, TurnOutcome, TurnRecords, UnansweredQuestion } from '../records.js';
import type { LanguageCode } from '../../knowledge/schema.js';
import { activityTime, redactActivity, toJsonText } from './activity.js';
import { prepared } from './prepared.js';
import { StorageConflictError, guardSqlite } from './errors.js';
import { LocalBus, TRANSCRIPT_PAGE_SIZE, newETag } from './memory.js';
import { conversationIdOfStateKey, emptyCounts, type PadomsStore, type PurgeCutoffs, type RemovedCounts } from './store.js';
import { NOTHING_LEFT_OF_CONVERSATION, adoptRecords, assertAgency, perAgency, purgeSteps, sqliteStep } from './agencies.js';
import { SqliteDirectLineStore } from './directline-sql-store.js';
import { HANDOVER_TRACK_OFFSET, SQLITE_MIGRATIONS } from './migrations.js';
import { sqliteBatches, type SqliteWrite } from './commit.js';
import type { TurnBatches } from './turn-batch.js';
import { silentLogger, type Logger } from '../log.js';

export function openDatabase(dataDir: string, file = 'padoms.sqlite'): Database.Database {
  ensurePrivateDir(dataDir);
  const dbFile = path.join(dataDir, file);
  ensurePrivateFile(dbFile);
  const db = new Database(dbFile);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a committed transaction survives a crash of the process (kill -9); only an
  // operating-system crash or power loss may lose the last ones.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  // A deleted conversation's rows are zeroed where that costs no extra I/O: what a citizen asked us
  // to delete does not linger in the file's pages (free-list pages are not rewritten).
  db.pragma('secure_delete = FAST');
  migrate(db);
  reusePreparedStatements(db);
  return db;
}

/**
 * Every statement here is a fixed string (or one of a few shapes), and preparing costs more than
 * running one: the connection keeps each prepared statement for reuse (about 5% of a turn's CPU).
 */
function reusePreparedStatements(db: Database.Database): void {
  const prepare = db.prepare.bind(db);
  const prepared = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let statement = prepared.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      prepared.set(sql, statement);
    }
    return statement;
  }) as typeof db.prepare;
}

export function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  adoptHandoverTrack(db);
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  SQLITE_MIGRATIONS.forEach((sql, i) => {
    const version = i + 1;
    if (applied.has(version)) return;
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, new Date().toISOString());
    })();
  });
}

/** A database from before the one list: the staff side's versions move into schema_migrations. */
function adoptHandoverTrack(db: Database.Database): void {
  const legacy = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'handover_migrations'").get();
  if (legacy === undefined) return;
  db.transaction(() => {
    db.prepare('INSERT OR IGNORE INTO schema_migrations (version, applied_at) SELECT version + ?, applied_at FROM handover_migrations').run(
      HANDOVER_TRACK_OFFSET,
    );
    db.exec('DROP TABLE handover_migrations');
  })();
}

/**
 * botbuilder Storage on SQLite. A write whose eTag is not the stored one is refused (the whole
 * batch); a write without an eTag, or with '*', overwrites. Inside a turn the write is committed with
 * the turn's other writes: if another turn changed the same key in between, this turn's change is
 * dropped (the first to commit wins) and a warning says so.
 */
export class SqliteStorage implements Storage {
  private readonly select: Database.Statement<[string], { etag: string; doc: string }>;
  private readonly upsert: Database.Statement<[string, string | null, string, string, string]>;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date = () => new Date(),
    private readonly writes: TurnBatches<SqliteWrite> = sqliteBatches(db),
    private readonly log: Logger = silentLogger,
  ) {
    this.select = db.prepare('SELECT etag, doc FROM state WHERE key = ?');
    this.upsert = db.prepare(
      'INSERT INTO state (key, conversation_id, etag, doc, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET etag = excluded.etag, doc = excluded.doc, updated_at = excluded.updated_at',
    );
  }

  async read(keys: string[]): Promise<StoreItems> {
    return guardSqlite(() => {
      const items: StoreItems = {};
      for (const key of keys) {
        const row = this.select.get(key);
        if (row) items[key] = { ...(JSON.parse(row.doc) as object), eTag: row.etag };
      }
      return items;
    });
  }

  async write(changes: StoreItems): Promise<void> {
    const at = this.now().toISOString();
    const rows = Object.entries(changes).map(([key, item]) => {
      const { eTag, ...doc } = (item ?? {}) as { eTag?: string };
      return { key, eTag: eTag !== undefined && eTag !== '' && eTag !== '*' ? eTag : undefined, json: toJsonText(doc) };
    });
    const stale = (row: { key: string; eTag: string | undefined }) => {
      const current = this.select.get(row.key);
      return current !== undefined && row.eTag !== undefined && row.eTag !== current.etag;
    };
    const conflict = guardSqlite(() => rows.find(stale));
    if (conflict !== undefined) throw new StorageConflictError(conflict.key);
    await this.writes.write(conversationIdOfStateKey(rows[0]?.key ?? ''), () => {
      if (rows.some(stale)) {
        this.log.warn({ keys: rows.map((r) => r.key) }, "state: changed by another turn since this one read it; this turn's change is dropped");
        return;
      }
      for (const row of rows) this.upsert.run(row.key, conversationIdOfStateKey(row.key), newETag(), row.json, at);
    });
  }

  async delete(keys: string[]): Promise<void> {
    const del = prepared(this.db, 'DELETE FROM state WHERE key = ?');
    await this.writes.write(conversationIdOfStateKey(keys[0] ?? ''), () => keys.forEach((k) => del.run(k)));
  }
}

/** One agency's records: every row written carries the agency, every read sees only its rows. */
export class SqliteRecords implements TurnRecords {
  constructor(
    private readonly db: Database.Database,
    private readonly agency: string,
    private readonly writes: TurnBatches<SqliteWrite> = sqliteBatches(db),
  ) {}

  async outcome(o: TurnOutcome): Promise<void> {
    await this.writes.write(o.conversationId, () => {
      prepared(
        this.db,
        'INSERT INTO outcomes (agency, conversation_id, channel, language, kind, entry_id, authority_ids, other_agency, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(
        this.agency,
        o.conversationId,
        o.channel,
        o.language,
        o.kind,
        o.entryId ?? null,
        JSON.stringify(o.authorityIds),
        o.otherAgency ?? null,
        o.at.toISOString(),
      );
    });
  }

  async feedback(f: Feedback): Promise<void> {
    await this.writes.write(f.conversationId, () => {
      prepared(this.db, 'INSERT INTO feedback (agency, conversation_id, entry_id, helpful, at) VALUES (?, ?, ?, ?, ?)').run(
        this.agency,
        f.conversationId,
        f.entryId,
        f.helpful ? 1 : 0,
        f.at.toISOString(),
      );
    });
  }

  async unanswered(u: UnansweredQuestion): Promise<void> {
    await this.writes.write(u.conversationId, () => {
      prepared(this.db, 'INSERT INTO unanswered (agency, conversation_id, text, reason, language, entry_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        this.agency,
        u.conversationId,
        u.text,
        u.reason,
        u.language,
        u.entryId ?? null,
        u.at.toISOString(),
      );
    });
  }

  async clarifyChoice(c: ClarifyChoice): Promise<void> {
    await this.writes.write(c.conversationId, () => {
      prepared(this.db, 'INSERT INTO clarify_choices (agency, conversation_id, chosen_id, offered_ids, at) VALUES (?, ?, ?, ?, ?)').run(
        this.agency,
        c.conversationId,
        c.chosenId,
        JSON.stringify(c.offeredIds),
        c.at.toISOString(),
      );
    });
  }

  async rating(r: Rating): Promise<void> {
    await this.writes.write(r.conversationId, () => {
      prepared(this.db, 'INSERT INTO ratings (agency, conversation_id, language, score, at) VALUES (?, ?, ?, ?, ?)').run(
        this.agency,
        r.conversationId,
        r.language,
        r.score,
        r.at.toISOString(),
      );
    });
  }

  async ratingComment(c: { conversationId: string; comment: string; at: Date }): Promise<void> {
    await this.writes.write(c.conversationId, () => {
      prepared(
        this.db,
        'UPDATE ratings SET comment = ? WHERE id = (SELECT id FROM ratings WHERE conversation_id = ? AND agency = ? ORDER BY id DESC LIMIT 1)',
      ).run(c.comment, c.conversationId, this.agency);
    });
  }

  async suggestion(s: CitizenText): Promise<void> {
    await this.writes.write(s.conversationId, () => {
      prepared(this.db, 'INSERT INTO suggestions (agency, conversation_id, text, at) VALUES (?, ?, ?, ?)').run(
        this.agency,
        s.conversationId,
        s.text,
        s.at.toISOString(),
      );
    });
  }

  async listUnanswered(since: Date): Promise<UnansweredQuestion[]> {
    const rows = guardSqlite(
      () =>
        prepared(this.db, 'SELECT conversation_id, text, reason, language, entry_id, at FROM unanswered WHERE agency = ? AND at >= ? ORDER BY at').all(
          this.agency,
          since.toISOString(),
        ) as UnansweredRow[],
    );
    return rows.map(unansweredFromRow);
  }

  async period(from: Date, to: Date): Promise<PeriodRecords> {
    const range = [this.agency, from.toISOString(), to.toISOString()];
    return guardSqlite(() => {
      const outcomes = prepared(
        this.db,
        'SELECT conversation_id, channel, language, kind, entry_id, authority_ids, other_agency, at FROM outcomes WHERE agency = ? AND at >= ? AND at < ? ORDER BY at',
      ).all(...range) as {
        conversation_id: string;
        channel: string;
        language: string;
        kind: string;
        entry_id: string | null;
        authority_ids: string;
        other_agency: string | null;
        at: string;
      }[];
      const feedback = prepared(this.db, 'SELECT conversation_id, entry_id, helpful, at FROM feedback WHERE agency = ? AND at >= ? AND at < ?').all(
        ...range,
      ) as {
        conversation_id: string;
        entry_id: string;
        helpful: number;
        at: string;
      }[];
      const ratings = prepared(this.db, 'SELECT conversation_id, language, score, at FROM ratings WHERE agency = ? AND at >= ? AND at < ?').all(...range) as {
        conversation_id: string;
        language: string;
        score: number;
        at: string;
      }[];
      const unanswered = prepared(
        this.db,
        'SELECT conversation_id, text, reason, language, entry_id, at FROM unanswered WHERE agency = ? AND at >= ? AND at < ?',
      ).all(...range) as UnansweredRow[];
      return {
        outcomes: outcomes.map((r) => ({
          conversationId: r.conversation_id,
          channel: r.channel,
          language: r.language as LanguageCode,
          kind: r.kind as TurnOutcome['kind'],
          ...(r.entry_id === null ? {} : { entryId: r.entry_id }),
          authorityIds: JSON.parse(r.authority_ids) as string[],
          ...(r.other_agency === null ? {} : { otherAgency: r.other_agency }),
          at: new Date(r.at),
        })),
        feedback: feedback.map((r) => ({ conversationId: r.conversation_id, entryId: r.entry_id, helpful: r.helpful === 1, at: new Date(r.at) })),
        ratings: ratings.map((r) => ({ conversationId: r.conversation_id, language: r.language as LanguageCode, score: r.score, at: new Date(r.at) })),
        unanswered: unanswered.map(unansweredFromRow),
      };
    });
  }
}

/**
 * botbuilder TranscriptStore on SQLite; activities are redacted before they are written. Direct Line
 * rows are written by its store (directline-sql-store.ts); rows kept for delivery only are not read.
 */
export class SqliteTranscripts implements TranscriptStore {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date = () => new Date(),
    private readonly writes: TurnBatches<SqliteWrite> = sqliteBatches(db),
  ) {}

  async logActivity(activity: Activity): Promise<void> {
    const { channelId, conversation } = activity;
    if (!channelId || !conversation?.id) throw new Error('transcript: activity without channelId or conversation.id');
    const at = activityTime(activity, this.now()).toISOString();
    const json = toJsonText(redactActivity(activity));
    await this.writes.write(conversation.id, () => {
      prepared(this.db, 'INSERT INTO transcripts (channel_id, conversation_id, activity_id, at, activity) VALUES (?, ?, ?, ?, ?)').run(
        channelId,
        conversation.id,
        activity.id ?? null,
        at,
        json,
      );
    });
  }

  async getTranscriptActivities(channelId: string, conversationId: string, continuationToken?: string, startDate?: Date): Promise<PagedResult<Activity>> {
    const rows = guardSqlite(
      () =>
        prepared(
          this.db,
          'SELECT id, activity FROM transcripts WHERE conversation_id = ? AND channel_id = ? AND id > ? AND at >= ? AND delivery_only = 0 ORDER BY id LIMIT ?',
        ).all(conversationId, channelId, Number(continuationToken || 0), (startDate ?? new Date(0)).toISOString(), TRANSCRIPT_PAGE_SIZE + 1) as {
          id: number;
          activity: string;
        }[],
    );
    const page = rows.slice(0, TRANSCRIPT_PAGE_SIZE);
    return {
      items: page.map((r) => JSON.parse(r.activity) as Activity),
      continuationToken: rows.length > page.length ? String(page.at(-1)!.id) : '',
    };
  }

  async listTranscripts(channelId: string, continuationToken?: string): Promise<PagedResult<TranscriptInfo>> {
    const rows = guardSqlite(
      () =>
        prepared(
          this.db,
          'SELECT conversation_id, MIN(at) AS created FROM transcripts WHERE channel_id = ? AND conversation_id > ? AND delivery_only = 0 GROUP BY conversation_id ORDER BY conversation_id LIMIT ?',
        ).all(channelId, continuationToken ?? '', TRANSCRIPT_PAGE_SIZE + 1) as { conversation_id: string; created: string }[],
    );
    const page = rows.slice(0, TRANSCRIPT_PAGE_SIZE);
    return {
      items: page.map((r) => ({ channelId, id: r.conversation_id, created: new Date(r.created) })),
      continuationToken: rows.length > page.length ? page.at(-1)!.conversation_id : '',
    };
  }

  async deleteTranscript(channelId: string, conversationId: string): Promise<void> {
    guardSqlite(() => prepared(this.db, 'DELETE FROM transcripts WHERE conversation_id = ? AND channel_id = ?').run(conversationId, channelId));
  }
}

export interface SqliteStoreOptions {
  dataDir: string;
  file?: string;
  now?: () => Date;
  log?: Logger;
  /** The installation's default agency: records from before agencies are adopted as its own, and Direct Line conversations from before are read as its (directline-sql-store.ts). */
  defaultAgency: string;
}

export function openSqliteStore(options: SqliteStoreOptions): PadomsStore {
  const now = options.now ?? (() => new Date());
  const db = openDatabase(options.dataDir, options.file);
  const defaultAgency = assertAgency(options.defaultAgency);
  db.transaction(() => adoptRecords('?').forEach((sql) => db.prepare(sql).run(defaultAgency)))();
  const bus = new LocalBus();
  const writes = sqliteBatches(db);
  const directLine = new SqliteDirectLineStore(db, now, writes, options.defaultAgency);

  const deleteEverywhere = db.transaction((conversationId: string): RemovedCounts => {
    const byConversation = (table: string) => prepared(db, `DELETE FROM ${table} WHERE conversation_id = ?`).run(conversationId).changes;
    const erased = erasedConversationId();
    const unlink = (table: (typeof COUNTED_RECORD_TABLES)[number]) => {
      const clear = WORDED_COLUMNS[table] ? `, ${WORDED_COLUMNS[table]} = NULL` : '';
      return prepared(db, `UPDATE ${table} SET conversation_id = ?${clear} WHERE conversation_id = ?`).run(erased, conversationId).changes;
    };
    byConversation('conversation_agencies'); // its home agency: no content, not counted
    return {
      state: byConversation('state'),
      transcripts: byConversation('transcripts'),
      records: WORDED_RECORD_TABLES.reduce((n, table) => n + byConversation(table), 0),
      unlinked: COUNTED_RECORD_TABLES.reduce((n, table) => n + unlink(table), 0),
      handover: 0,
      cases: byConversation('cases'),
    };
  });

  const purgeEverywhere = db.transaction((cutoffs: PurgeCutoffs): RemovedCounts => {
    const counts = emptyCounts();
    for (const step of purgeSteps(cutoffs)) {
      const { params, agency, home } = sqliteStep(step);
      const remove = (table: string, where: string) => prepared(db, `DELETE FROM ${table} WHERE ${where}`).run(params).changes;
      const ofConversations = (table: string, column: string, extra = '') =>
        remove(table, `${column} < @before${extra} AND ${home(`${table}.conversation_id`)}`);
      directLine.purgeNow(step.before, { where: home('dl_conversations.id'), params });
      counts.state += ofConversations('state', 'updated_at');
      counts.transcripts += ofConversations('transcripts', 'at');
      // Open cases are still being worked on: their clock starts when they are closed.
      counts.cases += ofConversations('cases', 'closed_at', " AND state = 'closed'");
      counts.records += RECORD_TABLES.reduce((n, table) => n + remove(table, `${agency} AND at < @before`), 0);
      remove('conversation_agencies', `${agency} AND at < @before AND ${NOTHING_LEFT_OF_CONVERSATION}`);
    }
    return counts;
  });

  return {
    kind: 'sqlite',
    sqlite: db,
    state: new SqliteStorage(db, now, writes, options.log),
    transcripts: new SqliteTranscripts(db, now, writes),
    recordsOf: perAgency((agency) => new SqliteRecords(db, agency, writes)),
    directLine,
    turns: writes,
    subscribe: (channel, listener) => bus.subscribe(channel, listener),
    publish: (channel, payload) => bus.publish(channel, payload),
    async recordHomeAgency(conversationId, agency, at) {
      await writes.write(conversationId, () => {
        prepared(db, 'INSERT INTO conversation_agencies (conversation_id, agency, at) VALUES (?, ?, ?) ON CONFLICT (conversation_id) DO NOTHING').run(
          conversationId,
          agency,
          at.toISOString(),
        );
      });
    },
    async agencyOfConversation(conversationId) {
      const row = guardSqlite(() => prepared(db, 'SELECT agency FROM conversation_agencies WHERE conversation_id = ?').get(conversationId)) as
        { agency: string } | undefined;
      return row?.agency;
    },
    async deleteConversation(conversationId) {
      return guardSqlite(() => deleteEverywhere(conversationId));
    },
    async purge(cutoffs) {
      return guardSqlite(() => purgeEverywhere(cutoffs));
    },
    async ping() {
      guardSqlite(() => prepared(db, 'SELECT 1').get());
    },
    async close() {
      bus.close();
      if (db.open) db.close();
    },
  };
}
