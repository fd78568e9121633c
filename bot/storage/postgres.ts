// The scale-out store: PostgreSQL (chosen by DATABASE_URL), shared by every bot instance behind a
// load balancer. Same contract as the SQLite store; notifications go to every instance with LISTEN/NOTIFY.
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
import { silentLogger, type Logger } from '../log.js';
import { postgresBatches, type PostgresWrite } from './commit.js';
import type { TurnBatches } from './turn-batch.js';
import { activityTime, redactActivity, toJsonText, withoutNul } from './activity.js';
import { StorageConflictError } from './errors.js';
import { TRANSCRIPT_PAGE_SIZE, newETag } from './memory.js';
import { PgDatabase, type Queryable } from './postgres-pool.js';
import { conversationIdOfStateKey, type PadomsStore, type RemovedCounts } from './store.js';
import { PostgresDirectLineStore } from './directline-sql-store.js';
import { POSTGRES_ADOPT_HANDOVER_TRACK, POSTGRES_MIGRATIONS } from './migrations.js';

/** Applied in order, once each, under an advisory lock; never edit one that has shipped. */

/**
 * botbuilder Storage on PostgreSQL: the eTag check and the write are one statement per key. Inside a
 * turn the write is committed with the turn's other writes; if another turn (on any instance) changed
 * the key in between, this turn's change is dropped (the first to commit wins) and a warning says so.
 */
export class PostgresStorage implements Storage {
  constructor(
    private readonly db: PgDatabase,
    private readonly now: () => Date = () => new Date(),
    private readonly writes: TurnBatches<PostgresWrite> = postgresBatches(db),
    private readonly log: Logger = silentLogger,
  ) {}

  async read(keys: string[]): Promise<StoreItems> {
    if (keys.length === 0) return {};
    const { rows } = await this.db.query<{ key: string; etag: string; doc: object }>('SELECT key, etag, doc FROM state WHERE key = ANY($1)', [keys]);
    const items: StoreItems = {};
    for (const row of rows) items[row.key] = { ...row.doc, eTag: row.etag };
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    const entries = Object.entries(changes);
    if (entries.length === 0) return;
    const conversationId = conversationIdOfStateKey(entries[0]![0]);
    const inTurn = this.writes.inBatch(conversationId);
    const at = this.now();
    await this.writes.write(conversationId, async (q) => {
      for (const [key, item] of entries) {
        const { eTag, ...doc } = (item ?? {}) as { eTag?: string };
        const checked = eTag !== undefined && eTag !== '' && eTag !== '*';
        // With an eTag, the update applies only if the stored eTag is still that one; a key that
        // does not exist yet is written (as botbuilder's MemoryStorage does).
        const { rowCount } = await q.query(
          `INSERT INTO state (key, conversation_id, etag, doc, updated_at) VALUES ($1, $2, $3, $4::jsonb, $5)
           ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, doc = excluded.doc, updated_at = excluded.updated_at
           ${checked ? 'WHERE state.etag = $6' : ''}`,
          [key, conversationIdOfStateKey(key), newETag(), toJsonText(doc), at, ...(checked ? [eTag] : [])],
        );
        if (rowCount > 0) continue;
        if (!inTurn) throw new StorageConflictError(key);
        this.log.warn({ key }, "state: changed by another turn since this one read it; this turn's change is dropped");
      }
    });
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.writes.write(conversationIdOfStateKey(keys[0]!), (q) => q.query('DELETE FROM state WHERE key = ANY($1)', [keys]));
  }
}

export class PostgresRecords implements TurnRecords {
  constructor(
    private readonly db: PgDatabase,
    private readonly writes: TurnBatches<PostgresWrite> = postgresBatches(db),
  ) {}

  async outcome(o: TurnOutcome): Promise<void> {
    await this.writes.write(o.conversationId, (q) =>
      q.query('INSERT INTO outcomes (conversation_id, channel, language, kind, entry_id, authority_ids, at) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)', [
        o.conversationId,
        o.channel,
        o.language,
        o.kind,
        o.entryId ?? null,
        JSON.stringify(o.authorityIds),
        o.at,
      ]),
    );
  }

  async feedback(f: Feedback): Promise<void> {
    await this.writes.write(f.conversationId, (q) =>
      q.query('INSERT INTO feedback (conversation_id, entry_id, helpful, at) VALUES ($1, $2, $3, $4)', [f.conversationId, f.entryId, f.helpful, f.at]),
    );
  }

  async unanswered(u: UnansweredQuestion): Promise<void> {
    await this.writes.write(u.conversationId, (q) =>
      q.query('INSERT INTO unanswered (conversation_id, text, reason, language, entry_id, at) VALUES ($1, $2, $3, $4, $5, $6)', [
        u.conversationId,
        withoutNul(u.text),
        u.reason,
        u.language,
        u.entryId ?? null,
        u.at,
      ]),
    );
  }

  async clarifyChoice(c: ClarifyChoice): Promise<void> {
    await this.writes.write(c.conversationId, (q) =>
      q.query('INSERT INTO clarify_choices (conversation_id, chosen_id, offered_ids, at) VALUES ($1, $2, $3::jsonb, $4)', [
        c.conversationId,
        c.chosenId,
        JSON.stringify(c.offeredIds),
        c.at,
      ]),
    );
  }

  async rating(r: Rating): Promise<void> {
    await this.writes.write(r.conversationId, (q) =>
      q.query('INSERT INTO ratings (conversation_id, language, score, at) VALUES ($1, $2, $3, $4)', [r.conversationId, r.language, r.score, r.at]),
    );
  }

  async ratingComment(c: { conversationId: string; comment: string; at: Date }): Promise<void> {
    await this.writes.write(c.conversationId, (q) =>
      q.query('UPDATE ratings SET comment = $1 WHERE id = (SELECT id FROM ratings WHERE conversation_id = $2 ORDER BY id DESC LIMIT 1)', [
        withoutNul(c.comment),
        c.conversationId,
      ]),
    );
  }

  async suggestion(s: CitizenText): Promise<void> {
    await this.writes.write(s.conversationId, (q) =>
      q.query('INSERT INTO suggestions (conversation_id, text, at) VALUES ($1, $2, $3)', [s.conversationId, withoutNul(s.text), s.at]),
    );
  }

  async listUnanswered(since: Date): Promise<UnansweredQuestion[]> {
    const { rows } = await this.db.query<UnansweredRow>(
      'SELECT conversation_id, text, reason, language, entry_id, at FROM unanswered WHERE at >= $1 ORDER BY at, id',
      [since],
    );
    return rows.map(unansweredFromRow);
  }

  async period(from: Date, to: Date): Promise<PeriodRecords> {
    const range = [from, to];
    const [outcomes, feedback, ratings, unanswered] = await Promise.all([
      this.db.query<{ conversation_id: string; channel: string; language: string; kind: string; entry_id: string | null; authority_ids: string[]; at: Date }>(
        'SELECT conversation_id, channel, language, kind, entry_id, authority_ids, at FROM outcomes WHERE at >= $1 AND at < $2 ORDER BY at',
        range,
      ),
      this.db.query<{ conversation_id: string; entry_id: string; helpful: boolean; at: Date }>(
        'SELECT conversation_id, entry_id, helpful, at FROM feedback WHERE at >= $1 AND at < $2',
        range,
      ),
      this.db.query<{ conversation_id: string; language: string; score: number; at: Date }>(
        'SELECT conversation_id, language, score, at FROM ratings WHERE at >= $1 AND at < $2',
        range,
      ),
      this.db.query<UnansweredRow>('SELECT conversation_id, text, reason, language, entry_id, at FROM unanswered WHERE at >= $1 AND at < $2', range),
    ]);
    return {
      outcomes: outcomes.rows.map((r) => ({
        conversationId: r.conversation_id,
        channel: r.channel,
        language: r.language as LanguageCode,
        kind: r.kind as TurnOutcome['kind'],
        ...(r.entry_id === null ? {} : { entryId: r.entry_id }),
        authorityIds: typeof r.authority_ids === 'string' ? JSON.parse(r.authority_ids) : r.authority_ids,
        at: r.at,
      })),
      feedback: feedback.rows.map((r) => ({ conversationId: r.conversation_id, entryId: r.entry_id, helpful: Boolean(r.helpful), at: r.at })),
      ratings: ratings.rows.map((r) => ({ conversationId: r.conversation_id, language: r.language as LanguageCode, score: r.score, at: r.at })),
      unanswered: unanswered.rows.map(unansweredFromRow),
    };
  }
}

export class PostgresTranscripts implements TranscriptStore {
  constructor(
    private readonly db: PgDatabase,
    private readonly now: () => Date = () => new Date(),
    private readonly writes: TurnBatches<PostgresWrite> = postgresBatches(db),
  ) {}

  async logActivity(activity: Activity): Promise<void> {
    const { channelId, conversation } = activity;
    if (!channelId || !conversation?.id) throw new Error('transcript: activity without channelId or conversation.id');
    const row = [channelId, conversation.id, activity.id ?? null, activityTime(activity, this.now()), toJsonText(redactActivity(activity))];
    await this.writes.write(conversation.id, (q) =>
      q.query('INSERT INTO transcripts (channel_id, conversation_id, activity_id, at, activity) VALUES ($1, $2, $3, $4, $5::jsonb)', row),
    );
  }

  async getTranscriptActivities(channelId: string, conversationId: string, continuationToken?: string, startDate?: Date): Promise<PagedResult<Activity>> {
    const { rows } = await this.db.query<{ id: string; activity: Activity }>(
      'SELECT id, activity FROM transcripts WHERE conversation_id = $1 AND channel_id = $2 AND id > $3 AND at >= $4 AND delivery_only = 0 ORDER BY id LIMIT $5',
      [conversationId, channelId, continuationToken || '0', startDate ?? new Date(0), TRANSCRIPT_PAGE_SIZE + 1],
    );
    const page = rows.slice(0, TRANSCRIPT_PAGE_SIZE);
    return { items: page.map((r) => r.activity), continuationToken: rows.length > page.length ? page.at(-1)!.id : '' };
  }

  async listTranscripts(channelId: string, continuationToken?: string): Promise<PagedResult<TranscriptInfo>> {
    const { rows } = await this.db.query<{ conversation_id: string; created: Date }>(
      'SELECT conversation_id, MIN(at) AS created FROM transcripts WHERE channel_id = $1 AND conversation_id > $2 AND delivery_only = 0 GROUP BY conversation_id ORDER BY conversation_id LIMIT $3',
      [channelId, continuationToken ?? '', TRANSCRIPT_PAGE_SIZE + 1],
    );
    const page = rows.slice(0, TRANSCRIPT_PAGE_SIZE);
    return {
      items: page.map((r) => ({ channelId, id: r.conversation_id, created: r.created })),
      continuationToken: rows.length > page.length ? page.at(-1)!.conversation_id : '',
    };
  }

  async deleteTranscript(channelId: string, conversationId: string): Promise<void> {
    await this.db.query('DELETE FROM transcripts WHERE conversation_id = $1 AND channel_id = $2', [conversationId, channelId]);
  }
}

export interface PostgresStoreOptions {
  url: string;
  log: Logger;
  now?: () => Date;
  maxConnections?: number;
  connectTimeoutMs?: number;
  /** The default agency: Direct Line conversations from before agencies are its (directline-sql-store.ts). */
  defaultAgency?: string;
}

async function deleteEverywhere(q: Queryable, conversationId: string): Promise<RemovedCounts> {
  const byConversation = async (table: string) => (await q.query(`DELETE FROM ${table} WHERE conversation_id = $1`, [conversationId])).rowCount;
  let records = 0;
  for (const table of WORDED_RECORD_TABLES) records += await byConversation(table);
  const erased = erasedConversationId();
  let unlinked = 0;
  for (const table of COUNTED_RECORD_TABLES) {
    const clear = WORDED_COLUMNS[table] ? `, ${WORDED_COLUMNS[table]} = NULL` : '';
    unlinked += (await q.query(`UPDATE ${table} SET conversation_id = $1${clear} WHERE conversation_id = $2`, [erased, conversationId])).rowCount;
  }
  const counts: RemovedCounts = {
    state: await byConversation('state'),
    transcripts: await byConversation('transcripts'),
    records,
    unlinked,
    handover: 0,
    cases: await byConversation('cases'),
  };
  return counts;
}

async function purgeEverywhere(q: Queryable, before: Date): Promise<RemovedCounts> {
  const olderThan = async (table: string, column: string, extra = '') =>
    (await q.query(`DELETE FROM ${table} WHERE ${column} < $1${extra}`, [before])).rowCount;
  let records = 0;
  for (const table of RECORD_TABLES) records += await olderThan(table, 'at');
  await PostgresDirectLineStore.purgeIn(q, before);
  return {
    state: await olderThan('state', 'updated_at'),
    transcripts: await olderThan('transcripts', 'at'),
    records,
    handover: 0,
    // Open cases are still being worked on: their clock starts when they are closed.
    cases: await olderThan('cases', 'closed_at', " AND state = 'closed'"),
  };
}

/**
 * Built synchronously (the app factory is synchronous); migrations run before the first query and
 * are retried while the database is unreachable, so an instance started during an outage reports
 * "not ready" and recovers by itself.
 */
export function openPostgresStore(options: PostgresStoreOptions): PadomsStore {
  const now = options.now ?? (() => new Date());
  const db = new PgDatabase({
    url: options.url,
    migrations: POSTGRES_MIGRATIONS,
    adopt: POSTGRES_ADOPT_HANDOVER_TRACK,
    log: options.log,
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
  });
  const writes = postgresBatches(db);
  return {
    kind: 'postgres',
    state: new PostgresStorage(db, now, writes, options.log),
    transcripts: new PostgresTranscripts(db, now, writes),
    records: new PostgresRecords(db, writes),
    directLine: new PostgresDirectLineStore(db, now, writes, options.defaultAgency),
    turns: writes,
    subscribe: (channel, listener) => db.listen(channel, listener),
    publish: (channel, payload) => db.notify(channel, payload),
    deleteConversation: (conversationId) => db.transaction((q) => deleteEverywhere(q, conversationId)),
    purge: (before) => db.transaction((q) => purgeEverywhere(q, before)),
    ping: () => db.ping(),
    close: () => db.close(),
  };
}
