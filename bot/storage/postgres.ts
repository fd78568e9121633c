// The scale-out store: PostgreSQL (chosen by DATABASE_URL), shared by every bot instance behind a
// load balancer. Same contract as the SQLite store; queue changes are broadcast with LISTEN/NOTIFY.
import type { Activity, PagedResult, Storage, StoreItems, TranscriptInfo, TranscriptStore } from 'botbuilder';
import { COUNTED_RECORD_TABLES, RECORD_TABLES, WORDED_COLUMNS, WORDED_RECORD_TABLES, erasedConversationId } from './records.js';
import type { CitizenText, ClarifyChoice, Feedback, PeriodRecords, Rating, TurnOutcome, TurnRecords, UnansweredQuestion } from './records.js';
import type { LanguageCode } from '../../knowledge/schema.js';
import type { Logger } from '../log.js';
import { activityTime, redactActivity, toJsonText, withoutNul } from './activity.js';
import { StorageConflictError } from './errors.js';
import { QUEUE_CHANNEL, type ClaimResult, type HandoverQueue, type NewQueueEntry, type QueueEntry, type QueueState } from './handover.js';
import { TRANSCRIPT_PAGE_SIZE, newETag, queueEvent } from './memory.js';
import { PgDatabase, type Queryable } from './pg.js';
import { conversationIdOfStateKey, type PadomsStore, type RemovedCounts } from './store.js';
import { PostgresDirectLineStore } from './directline-sql-store.js';
import { POSTGRES_ADOPT_HANDOVER_TRACK, POSTGRES_MIGRATIONS } from './migrations.js';

/** Applied in order, once each, under an advisory lock; never edit one that has shipped. */


/** botbuilder Storage on PostgreSQL: the eTag check and the write are one statement per key. */
export class PostgresStorage implements Storage {
  constructor(private readonly db: PgDatabase, private readonly now: () => Date = () => new Date()) {}

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
    await this.db.transaction(async (q) => {
      for (const [key, item] of entries) {
        const { eTag, ...doc } = (item ?? {}) as { eTag?: string };
        const checked = eTag !== undefined && eTag !== '' && eTag !== '*';
        // With an eTag, the update applies only if the stored eTag is still that one; a key that
        // does not exist yet is written (as botbuilder's MemoryStorage does).
        const { rowCount } = await q.query(
          `INSERT INTO state (key, conversation_id, etag, doc, updated_at) VALUES ($1, $2, $3, $4::jsonb, $5)
           ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, doc = excluded.doc, updated_at = excluded.updated_at
           ${checked ? 'WHERE state.etag = $6' : ''}`,
          [key, conversationIdOfStateKey(key), newETag(), toJsonText(doc), this.now(), ...(checked ? [eTag] : [])],
        );
        if (rowCount === 0) throw new StorageConflictError(key);
      }
    });
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.db.query('DELETE FROM state WHERE key = ANY($1)', [keys]);
  }
}

export class PostgresRecords implements TurnRecords {
  constructor(private readonly db: PgDatabase) {}

  async outcome(o: TurnOutcome): Promise<void> {
    await this.db.query('INSERT INTO outcomes (conversation_id, channel, language, kind, entry_id, authority_ids, at) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)', [
      o.conversationId, o.channel, o.language, o.kind, o.entryId ?? null, JSON.stringify(o.authorityIds), o.at,
    ]);
  }

  async feedback(f: Feedback): Promise<void> {
    await this.db.query('INSERT INTO feedback (conversation_id, entry_id, helpful, at) VALUES ($1, $2, $3, $4)', [f.conversationId, f.entryId, f.helpful, f.at]);
  }

  async unanswered(u: UnansweredQuestion): Promise<void> {
    await this.db.query('INSERT INTO unanswered (conversation_id, text, reason, language, entry_id, at) VALUES ($1, $2, $3, $4, $5, $6)', [
      u.conversationId, withoutNul(u.text), u.reason, u.language, u.entryId ?? null, u.at,
    ]);
  }

  async clarifyChoice(c: ClarifyChoice): Promise<void> {
    await this.db.query('INSERT INTO clarify_choices (conversation_id, chosen_id, offered_ids, at) VALUES ($1, $2, $3::jsonb, $4)', [
      c.conversationId, c.chosenId, JSON.stringify(c.offeredIds), c.at,
    ]);
  }

  async rating(r: Rating): Promise<void> {
    await this.db.query('INSERT INTO ratings (conversation_id, language, score, at) VALUES ($1, $2, $3, $4)', [r.conversationId, r.language, r.score, r.at]);
  }

  async ratingComment(c: { conversationId: string; comment: string; at: Date }): Promise<void> {
    await this.db.query('UPDATE ratings SET comment = $1 WHERE id = (SELECT id FROM ratings WHERE conversation_id = $2 ORDER BY id DESC LIMIT 1)', [
      withoutNul(c.comment), c.conversationId,
    ]);
  }

  async suggestion(s: CitizenText): Promise<void> {
    await this.db.query('INSERT INTO suggestions (conversation_id, text, at) VALUES ($1, $2, $3)', [s.conversationId, withoutNul(s.text), s.at]);
  }

  async listUnanswered(since: Date): Promise<UnansweredQuestion[]> {
    const { rows } = await this.db.query<{ conversation_id: string; text: string; reason: UnansweredQuestion['reason']; language: string; entry_id: string | null; at: Date }>(
      'SELECT conversation_id, text, reason, language, entry_id, at FROM unanswered WHERE at >= $1 ORDER BY at, id',
      [since],
    );
    return rows.map((r) => ({
      conversationId: r.conversation_id,
      text: r.text,
      reason: r.reason,
      language: r.language as LanguageCode,
      ...(r.entry_id === null ? {} : { entryId: r.entry_id }),
      at: r.at,
    }));
  }

  async period(from: Date, to: Date): Promise<PeriodRecords> {
    const range = [from, to];
    const [outcomes, feedback, ratings, unanswered] = await Promise.all([
      this.db.query<{ conversation_id: string; channel: string; language: string; kind: string; entry_id: string | null; authority_ids: string[]; at: Date }>(
        'SELECT conversation_id, channel, language, kind, entry_id, authority_ids, at FROM outcomes WHERE at >= $1 AND at < $2 ORDER BY at', range),
      this.db.query<{ conversation_id: string; entry_id: string; helpful: boolean; at: Date }>('SELECT conversation_id, entry_id, helpful, at FROM feedback WHERE at >= $1 AND at < $2', range),
      this.db.query<{ conversation_id: string; language: string; score: number; at: Date }>('SELECT conversation_id, language, score, at FROM ratings WHERE at >= $1 AND at < $2', range),
      this.db.query<{ conversation_id: string; text: string; reason: UnansweredQuestion['reason']; language: string; entry_id: string | null; at: Date }>(
        'SELECT conversation_id, text, reason, language, entry_id, at FROM unanswered WHERE at >= $1 AND at < $2', range),
    ]);
    return {
      outcomes: outcomes.rows.map((r) => ({
        conversationId: r.conversation_id, channel: r.channel, language: r.language as LanguageCode, kind: r.kind as TurnOutcome['kind'],
        ...(r.entry_id === null ? {} : { entryId: r.entry_id }), authorityIds: typeof r.authority_ids === 'string' ? JSON.parse(r.authority_ids) : r.authority_ids, at: r.at,
      })),
      feedback: feedback.rows.map((r) => ({ conversationId: r.conversation_id, entryId: r.entry_id, helpful: Boolean(r.helpful), at: r.at })),
      ratings: ratings.rows.map((r) => ({ conversationId: r.conversation_id, language: r.language as LanguageCode, score: r.score, at: r.at })),
      unanswered: unanswered.rows.map((r) => ({
        conversationId: r.conversation_id, text: r.text, reason: r.reason, language: r.language as LanguageCode,
        ...(r.entry_id === null ? {} : { entryId: r.entry_id }), at: r.at,
      })),
    };
  }
}

export class PostgresTranscripts implements TranscriptStore {
  constructor(private readonly db: PgDatabase, private readonly now: () => Date = () => new Date()) {}

  async logActivity(activity: Activity): Promise<void> {
    const { channelId, conversation } = activity;
    if (!channelId || !conversation?.id) throw new Error('transcript: activity without channelId or conversation.id');
    await this.db.query('INSERT INTO transcripts (channel_id, conversation_id, activity_id, at, activity) VALUES ($1, $2, $3, $4, $5::jsonb)', [
      channelId, conversation.id, activity.id ?? null, activityTime(activity, this.now()), toJsonText(redactActivity(activity)),
    ]);
  }

  async getTranscriptActivities(channelId: string, conversationId: string, continuationToken?: string, startDate?: Date): Promise<PagedResult<Activity>> {
    const { rows } = await this.db.query<{ id: string; activity: Activity }>(
      'SELECT id, activity FROM transcripts WHERE conversation_id = $1 AND channel_id = $2 AND id > $3 AND at >= $4 ORDER BY id LIMIT $5',
      [conversationId, channelId, continuationToken || '0', startDate ?? new Date(0), TRANSCRIPT_PAGE_SIZE + 1],
    );
    const page = rows.slice(0, TRANSCRIPT_PAGE_SIZE);
    return { items: page.map((r) => r.activity), continuationToken: rows.length > page.length ? page.at(-1)!.id : '' };
  }

  async listTranscripts(channelId: string, continuationToken?: string): Promise<PagedResult<TranscriptInfo>> {
    const { rows } = await this.db.query<{ conversation_id: string; created: Date }>(
      'SELECT conversation_id, MIN(at) AS created FROM transcripts WHERE channel_id = $1 AND conversation_id > $2 GROUP BY conversation_id ORDER BY conversation_id LIMIT $3',
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

interface QueueRow {
  conversation_id: string;
  channel_id: string;
  language: string;
  state: QueueState;
  reference: QueueEntry['reference'] | null;
  created_at: Date;
  claimed_by: string | null;
  claimed_at: Date | null;
  closed_at: Date | null;
}

function toQueueEntry(r: QueueRow): QueueEntry {
  return {
    conversationId: r.conversation_id,
    channelId: r.channel_id,
    language: r.language as LanguageCode,
    state: r.state,
    createdAt: r.created_at,
    ...(r.reference === null ? {} : { reference: r.reference }),
    ...(r.claimed_by === null ? {} : { claimedBy: r.claimed_by }),
    ...(r.claimed_at === null ? {} : { claimedAt: r.claimed_at }),
    ...(r.closed_at === null ? {} : { closedAt: r.closed_at }),
  };
}

/** The queue; every change is NOTIFYed in its own transaction, so listeners hear only committed changes. */
export class PostgresQueue implements HandoverQueue {
  constructor(private readonly db: PgDatabase, private readonly now: () => Date) {}

  async enqueue(e: NewQueueEntry): Promise<QueueEntry> {
    return this.db.transaction(async (q) => {
      // Inserts, or re-opens a closed entry; a waiting or claimed one is left as it is.
      const { rows } = await q.query<QueueRow>(
        `INSERT INTO handover_queue (conversation_id, channel_id, language, state, reference, created_at) VALUES ($1, $2, $3, 'waiting', $4::jsonb, $5)
         ON CONFLICT (conversation_id) DO UPDATE SET channel_id = excluded.channel_id, language = excluded.language, state = 'waiting',
           reference = excluded.reference, created_at = excluded.created_at, claimed_by = NULL, claimed_at = NULL, closed_at = NULL
         WHERE handover_queue.state = 'closed'
         RETURNING *`,
        [e.conversationId, e.channelId, e.language, e.reference === undefined ? null : toJsonText(e.reference), this.now()],
      );
      if (rows[0] !== undefined) {
        await this.db.notify(QUEUE_CHANNEL, queueEvent({ kind: 'enqueued', conversationId: e.conversationId }), q);
        return toQueueEntry(rows[0]);
      }
      const current = await q.query<QueueRow>('SELECT * FROM handover_queue WHERE conversation_id = $1', [e.conversationId]);
      return toQueueEntry(current.rows[0]!);
    });
  }

  async get(conversationId: string): Promise<QueueEntry | undefined> {
    const { rows } = await this.db.query<QueueRow>('SELECT * FROM handover_queue WHERE conversation_id = $1', [conversationId]);
    return rows[0] === undefined ? undefined : toQueueEntry(rows[0]);
  }

  async list(states: readonly QueueState[] = ['waiting', 'claimed']): Promise<QueueEntry[]> {
    const { rows } = await this.db.query<QueueRow>('SELECT * FROM handover_queue WHERE state = ANY($1) ORDER BY created_at, conversation_id', [[...states]]);
    return rows.map(toQueueEntry);
  }

  async claim(conversationId: string, staffId: string): Promise<ClaimResult> {
    return this.db.transaction(async (q) => {
      // Under READ COMMITTED a concurrent UPDATE of the same row waits for the first to commit,
      // then re-checks `state = 'waiting'`, finds it false and updates nothing: one winner.
      const { rows } = await q.query<QueueRow>(
        "UPDATE handover_queue SET state = 'claimed', claimed_by = $2, claimed_at = $3 WHERE conversation_id = $1 AND state = 'waiting' RETURNING *",
        [conversationId, staffId, this.now()],
      );
      if (rows[0] !== undefined) {
        await this.db.notify(QUEUE_CHANNEL, queueEvent({ kind: 'claimed', conversationId, staffId }), q);
        return { kind: 'claimed', entry: toQueueEntry(rows[0]) } as const;
      }
      const current = await q.query<QueueRow>('SELECT * FROM handover_queue WHERE conversation_id = $1', [conversationId]);
      return current.rows[0] === undefined ? ({ kind: 'not-found' } as const) : ({ kind: 'taken', entry: toQueueEntry(current.rows[0]) } as const);
    });
  }

  async close(conversationId: string): Promise<boolean> {
    return this.db.transaction(async (q) => {
      const { rowCount } = await q.query("UPDATE handover_queue SET state = 'closed', closed_at = $2 WHERE conversation_id = $1 AND state <> 'closed'", [
        conversationId, this.now(),
      ]);
      if (rowCount > 0) await this.db.notify(QUEUE_CHANNEL, queueEvent({ kind: 'closed', conversationId }), q);
      return rowCount > 0;
    });
  }
}

export interface PostgresStoreOptions {
  url: string;
  log: Logger;
  now?: () => Date;
  maxConnections?: number;
  connectTimeoutMs?: number;
}

async function deleteEverywhere(q: Queryable, db: PgDatabase, conversationId: string): Promise<RemovedCounts> {
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
    directLine: await PostgresDirectLineStore.deleteConversationIn(q, conversationId),
    queue: await byConversation('handover_queue'),
    cases: await byConversation('cases'),
  };
  if (counts.queue > 0) await db.notify(QUEUE_CHANNEL, queueEvent({ kind: 'deleted', conversationId }), q);
  return counts;
}

async function purgeEverywhere(q: Queryable, before: Date): Promise<RemovedCounts> {
  const olderThan = async (table: string, column: string, extra = '') => (await q.query(`DELETE FROM ${table} WHERE ${column} < $1${extra}`, [before])).rowCount;
  let records = 0;
  for (const table of RECORD_TABLES) records += await olderThan(table, 'at');
  return {
    state: await olderThan('state', 'updated_at'),
    transcripts: await olderThan('transcripts', 'at'),
    records,
    directLine: await PostgresDirectLineStore.purgeIn(q, before),
    queue: await olderThan('handover_queue', 'created_at'),
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
  return {
    kind: 'postgres',
    state: new PostgresStorage(db, now),
    transcripts: new PostgresTranscripts(db, now),
    records: new PostgresRecords(db),
    directLine: new PostgresDirectLineStore(db, now),
    queue: new PostgresQueue(db, now),
    subscribe: (channel, listener) => db.listen(channel, listener),
    publish: (channel, payload) => db.notify(channel, payload),
    deleteConversation: (conversationId) => db.transaction((q) => deleteEverywhere(q, db, conversationId)),
    purge: (before) => db.transaction((q) => purgeEverywhere(q, before)),
    ping: () => db.ping(),
    close: () => db.close(),
  };
}
