// Direct Line conversations and activities in the database, so a restart keeps them (SQLite) and any
// instance can serve any conversation (PostgreSQL). A conversation is a row of dl_conversations; its
// activities are rows of the transcript, the one record of the conversation that staff, retention and
// deletion read as well, each with its watermark. Watermarks come from a per-conversation counter
// updated in the same transaction as the insert, so concurrent appends from several instances never
// share one. Each conversation belongs to one agency; a row from before agencies has none, and is
// read as the default agency's (see defaultAgency below).
import type { Activity } from 'botbuilder';
import type Database from 'better-sqlite3';
import type { ActivitySlice, AppendOptions, StoredConversation } from './directline-store.js';
import type { ManagedDirectLineStore } from './store.js';
import type { PgDatabase, Queryable } from './postgres-pool.js';
import { activityTime, directLineRecord, toJsonText } from './activity.js';
import { prepared } from './prepared.js';
import { guardSqlite } from './errors.js';
import { postgresBatches, sqliteBatches, type PostgresWrite, type SqliteWrite } from './commit.js';
import type { TurnBatches } from './turn-batch.js';

/** What is stored for an activity: the citizen's words redacted, as JSON. */
function storedJson(activity: Partial<Activity>): string {
  return toJsonText(directLineRecord(activity));
}

/** The transcript row's columns besides the conversation and the watermark. */
function transcriptColumns(activity: Partial<Activity>, now: Date, options: AppendOptions) {
  return {
    channelId: activity.channelId ?? 'directline',
    activityId: activity.id ?? null,
    at: activityTime(activity, now),
    json: storedJson(activity),
    deliveryOnly: options.deliveryOnly === true ? 1 : 0,
  };
}

/** The watermark to return when nothing new is there (same rule as the memory store). */
function emptyWatermark(after: number, last: number): number {
  return Math.min(Math.max(after, 0), last);
}

interface ConversationRow {
  id: string;
  user_id: string;
  agency: string | null;
  locale: string | null;
  created_at: string | Date;
}

/**
 * The conversation of a row; a row without an agency is the default agency's. It is read so, not
 * written: during a rolling upgrade on PostgreSQL an instance of the last release still inserts
 * rows without one, and the tokens it issued carry none either (they too are the default's, see
 * verifyToken), so both follow the same rule. A store opened without a default agency (a tool
 * that serves no Direct Line) knows no such conversation.
 */
function toConversation(row: ConversationRow, defaultAgency: string | undefined): StoredConversation | undefined {
  const agency = row.agency ?? defaultAgency;
  if (agency === undefined) return undefined;
  return {
    id: row.id,
    userId: row.user_id,
    agency,
    createdAt: row.created_at instanceof Date ? row.created_at.toISOString() : row.created_at,
    ...(row.locale === null ? {} : { locale: row.locale }),
  };
}

export class SqliteDirectLineStore implements ManagedDirectLineStore {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date = () => new Date(),
    private readonly writes: TurnBatches<SqliteWrite> = sqliteBatches(db),
    /** Whose the conversations from before agencies are: the installation's default agency. */
    private readonly defaultAgency?: string,
  ) {}

  async createConversation(c: StoredConversation): Promise<boolean> {
    return guardSqlite(() => {
      const at = this.now().toISOString();
      const result = prepared(
        this.db,
        'INSERT INTO dl_conversations (id, user_id, agency, locale, created_at, last_active_at, last_watermark) VALUES (?, ?, ?, ?, ?, ?, 0) ON CONFLICT (id) DO NOTHING',
      ).run(c.id, c.userId, c.agency, c.locale ?? null, c.createdAt, at);
      return result.changes === 1;
    });
  }

  async getConversation(id: string): Promise<StoredConversation | undefined> {
    return guardSqlite(() => {
      const row = prepared(this.db, 'SELECT id, user_id, agency, locale, created_at FROM dl_conversations WHERE id = ?').get(id) as ConversationRow | undefined;
      return row === undefined ? undefined : toConversation(row, this.defaultAgency);
    });
  }

  async appendActivity(conversationId: string, activity: Partial<Activity>, options: AppendOptions = {}): Promise<void> {
    const now = this.now();
    const c = transcriptColumns(activity, now, options);
    await this.writes.write(conversationId, () => {
      const row = prepared(
        this.db,
        'UPDATE dl_conversations SET last_watermark = last_watermark + 1, last_active_at = ? WHERE id = ? RETURNING last_watermark',
      ).get(now.toISOString(), conversationId) as { last_watermark: number } | undefined;
      if (row === undefined) return;
      prepared(
        this.db,
        'INSERT INTO transcripts (channel_id, conversation_id, activity_id, at, activity, watermark, delivery_only) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(c.channelId, conversationId, c.activityId, c.at.toISOString(), c.json, row.last_watermark, c.deliveryOnly);
    });
  }

  async listActivities(conversationId: string, after: number, limit: number): Promise<ActivitySlice | undefined> {
    return guardSqlite(() => {
      const conversation = prepared(this.db, 'SELECT last_watermark FROM dl_conversations WHERE id = ?').get(conversationId) as
        { last_watermark: number } | undefined;
      if (conversation === undefined) return undefined;
      const rows = prepared(this.db, 'SELECT watermark, activity FROM transcripts WHERE conversation_id = ? AND watermark > ? ORDER BY watermark LIMIT ?').all(
        conversationId,
        after,
        Math.max(0, limit),
      ) as { watermark: number; activity: string }[];
      return {
        activities: rows.map((r) => JSON.parse(r.activity) as Activity),
        watermark: rows.length === 0 ? emptyWatermark(after, conversation.last_watermark) : rows.at(-1)!.watermark,
      };
    });
  }

  async purge(before: Date): Promise<number> {
    return guardSqlite(() => this.purgeNow(before));
  }

  /**
   * Conversations idle since `before` (their activities go with the transcript's retention). A
   * conversation deleted at the citizen's request keeps its row (ids, times, the last watermark:
   * nothing the citizen said), so the widget's next poll gets an empty page rather than 404.
   * `only` narrows them (retention's: those of one home agency): a condition on `id`, with named
   * parameters besides `@before`.
   */
  purgeNow(before: Date, only?: { where: string; params: Record<string, string> }): number {
    const where = only === undefined ? '' : ` AND ${only.where}`;
    return prepared(this.db, `DELETE FROM dl_conversations WHERE last_active_at < @before${where}`).run({ ...only?.params, before: before.toISOString() })
      .changes;
  }
}

export class PostgresDirectLineStore implements ManagedDirectLineStore {
  constructor(
    private readonly db: PgDatabase,
    private readonly now: () => Date = () => new Date(),
    private readonly writes: TurnBatches<PostgresWrite> = postgresBatches(db),
    /** Whose the conversations from before agencies are: the installation's default agency. */
    private readonly defaultAgency?: string,
  ) {}

  async createConversation(c: StoredConversation): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'INSERT INTO dl_conversations (id, user_id, agency, locale, created_at, last_active_at, last_watermark) VALUES ($1, $2, $3, $4, $5, $6, 0) ON CONFLICT (id) DO NOTHING',
      [c.id, c.userId, c.agency, c.locale ?? null, c.createdAt, this.now()],
    );
    return rowCount === 1;
  }

  async getConversation(id: string): Promise<StoredConversation | undefined> {
    const { rows } = await this.db.query<ConversationRow>('SELECT id, user_id, agency, locale, created_at FROM dl_conversations WHERE id = $1', [id]);
    return rows[0] === undefined ? undefined : toConversation(rows[0], this.defaultAgency);
  }

  async appendActivity(conversationId: string, activity: Partial<Activity>, options: AppendOptions = {}): Promise<void> {
    // The UPDATE locks the conversation's row until the INSERT is committed, so the next append
    // (from any instance) waits and gets the next number, and readers never see a gap that fills in
    // later.
    const now = this.now();
    const c = transcriptColumns(activity, now, options);
    await this.writes.write(conversationId, async (q) => {
      await q.query(
        `WITH c AS (
           UPDATE dl_conversations SET last_watermark = last_watermark + 1, last_active_at = $3
           WHERE id = $1 RETURNING id, last_watermark)
         INSERT INTO transcripts (channel_id, conversation_id, activity_id, at, activity, watermark, delivery_only)
         SELECT $4, id, $5, $6, $2::jsonb, last_watermark, $7 FROM c`,
        [conversationId, c.json, now, c.channelId, c.activityId, c.at, c.deliveryOnly],
      );
    });
  }

  async listActivities(conversationId: string, after: number, limit: number): Promise<ActivitySlice | undefined> {
    const { rows } = await this.db.query<{ last_watermark: number; watermark: number | null; activity: Activity | null }>(
      `SELECT c.last_watermark, a.watermark, a.activity
       FROM dl_conversations c
       LEFT JOIN LATERAL (
         SELECT watermark, activity FROM transcripts
         WHERE conversation_id = c.id AND watermark > $2 ORDER BY watermark LIMIT $3) a ON true
       WHERE c.id = $1
       ORDER BY a.watermark`,
      [conversationId, after, Math.max(0, limit)],
    );
    const first = rows[0];
    if (first === undefined) return undefined;
    const found = rows.filter((r): r is { last_watermark: number; watermark: number; activity: Activity } => r.watermark !== null && r.activity !== null);
    return {
      activities: found.map((r) => r.activity),
      watermark: found.length === 0 ? emptyWatermark(after, first.last_watermark) : found.at(-1)!.watermark,
    };
  }

  async purge(before: Date): Promise<number> {
    return PostgresDirectLineStore.purgeIn(this.db, before);
  }

  /** Conversations idle since `before` (see SqliteDirectLineStore.purgeNow); `only`'s condition on `id` numbers its parameters from `$2`. */
  static async purgeIn(q: Queryable, before: Date, only?: { where: string; params: readonly unknown[] }): Promise<number> {
    const where = only === undefined ? '' : ` AND ${only.where}`;
    const { rowCount } = await q.query(`DELETE FROM dl_conversations WHERE last_active_at < $1${where}`, [before, ...(only?.params ?? [])]);
    return rowCount;
  }
}
