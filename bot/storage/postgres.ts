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
import { conversationIdOfStateKey, emptyCounts, type PadomsStore, type PurgeCutoffs, type RemovedCounts } from './store.js';
import { NOTHING_LEFT_OF_CONVERSATION, adoptRecords, assertAgency, perAgency, postgresStep, purgeSteps } from './agencies.js';
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

/** One agency's records: every row written carries the agency, every read sees only its rows. */
export class PostgresRecords implements TurnRecords {
  constructor(
    private readonly db: PgDatabase,
    private readonly agency: string,
    private readonly writes: TurnBatches<PostgresWrite> = postgresBatches(db),
  ) {}

  async outcome(o: TurnOutcome): Promise<void> {
    await this.writes.write(o.conversationId, (q) =>
      q.query(
        'INSERT INTO outcomes (conversation_id, channel, language, kind, entry_id, authority_ids, at, agency, other_agency) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9)',
        [o.conversationId, o.channel, o.language, o.kind, o.entryId ?? null, JSON.stringify(o.authorityIds), o.at, this.agency, o.otherAgency ?? null],
      ),
    );
  }

  async feedback(f: Feedback): Promise<void> {
    await this.writes.write(f.conversationId, (q) =>
      q.query('INSERT INTO feedback (conversation_id, entry_id, helpful, at, agency) VALUES ($1, $2, $3, $4, $5)', [
        f.conversationId,
        f.entryId,
        f.helpful,
        f.at,
        this.agency,
      ]),
    );
  }

  async unanswered(u: UnansweredQuestion): Promise<void> {
    await this.writes.write(u.conversationId, (q) =>
      q.query('INSERT INTO unanswered (conversation_id, text, reason, language, entry_id, at, agency) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        u.conversationId,
        withoutNul(u.text),
        u.reason,
        u.language,
        u.entryId ?? null,
        u.at,
        this.agency,
      ]),
    );
  }

  async clarifyChoice(c: ClarifyChoice): Promise<void> {
    await this.writes.write(c.conversationId, (q) =>
      q.query('INSERT INTO clarify_choices (conversation_id, chosen_id, offered_ids, at, agency) VALUES ($1, $2, $3::jsonb, $4, $5)', [
        c.conversationId,
        c.chosenId,
        JSON.stringify(c.offeredIds),
        c.at,
        this.agency,
      ]),
    );
  }

  async rating(r: Rating): Promise<void> {
    await this.writes.write(r.conversationId, (q) =>
      q.query('INSERT INTO ratings (conversation_id, language, score, at, agency) VALUES ($1, $2, $3, $4, $5)', [
        r.conversationId,
        r.language,
        r.score,
        r.at,
        this.agency,
      ]),
    );
  }

  async ratingComment(c: { conversationId: string; comment: string; at: Date }): Promise<void> {
    await this.writes.write(c.conversationId, (q) =>
      q.query('UPDATE ratings SET comment = $1 WHERE id = (SELECT id FROM ratings WHERE conversation_id = $2 AND agency = $3 ORDER BY id DESC LIMIT 1)', [
        withoutNul(c.comment),
        c.conversationId,
        this.agency,
      ]),
    );
  }

  async suggestion(s: CitizenText): Promise<void> {
    await this.writes.write(s.conversationId, (q) =>
      q.query('INSERT INTO suggestions (conversation_id, text, at, agency) VALUES ($1, $2, $3, $4)', [s.conversationId, withoutNul(s.text), s.at, this.agency]),
    );
  }

  async listUnanswered(since: Date): Promise<UnansweredQuestion[]> {
    const { rows } = await this.db.query<UnansweredRow>(
      'SELECT conversation_id, text, reason, language, entry_id, at FROM unanswered WHERE agency = $1 AND at >= $2 ORDER BY at, id',
      [this.agency, since],
    );
    return rows.map(unansweredFromRow);
  }

  async period(from: Date, to: Date): Promise<PeriodRecords> {
    const range = [this.agency, from, to];
    const [outcomes, feedback, ratings, unanswered] = await Promise.all([
      this.db.query<{
        conversation_id: string;
        channel: string;
        language: string;
        kind: string;
        entry_id: string | null;
        authority_ids: string[];
        other_agency: string | null;
        at: Date;
      }>(
        'SELECT conversation_id, channel, language, kind, entry_id, authority_ids, other_agency, at FROM outcomes WHERE agency = $1 AND at >= $2 AND at < $3 ORDER BY at',
        range,
      ),
      this.db.query<{ conversation_id: string; entry_id: string; helpful: boolean; at: Date }>(
        'SELECT conversation_id, entry_id, helpful, at FROM feedback WHERE agency = $1 AND at >= $2 AND at < $3',
        range,
      ),
      this.db.query<{ conversation_id: string; language: string; score: number; at: Date }>(
        'SELECT conversation_id, language, score, at FROM ratings WHERE agency = $1 AND at >= $2 AND at < $3',
        range,
      ),
      this.db.query<UnansweredRow>(
        'SELECT conversation_id, text, reason, language, entry_id, at FROM unanswered WHERE agency = $1 AND at >= $2 AND at < $3',
        range,
      ),
    ]);
    return {
      outcomes: outcomes.rows.map((r) => ({
        conversationId: r.conversation_id,
        channel: r.channel,
        language: r.language as LanguageCode,
        kind: r.kind as TurnOutcome['kind'],
        ...(r.entry_id === null ? {} : { entryId: r.entry_id }),
        authorityIds: typeof r.authority_ids === 'string' ? JSON.parse(r.authority_ids) : r.authority_ids,
        ...(r.other_agency === null ? {} : { otherAgency: r.other_agency }),
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
  /**
   * The installation's default agency: records from before agencies are adopted as its own, and
   * Direct Line conversations from before are read as its (directline-sql-store.ts).
   */
  defaultAgency: string;
  now?: () => Date;
  maxConnections?: number;
  connectTimeoutMs?: number;
}

async function deleteEverywhere(q: Queryable, conversationId: string): Promise<RemovedCounts> {
  const byConversation = async (table: string) => (await q.query(`DELETE FROM ${table} WHERE conversation_id = $1`, [conversationId])).rowCount;
  let records = 0;
  for (const table of WORDED_RECORD_TABLES) records += await byConversation(table);
  const erased = erasedConversationId();
  await byConversation('conversation_agencies'); // its home agency: no content, not counted
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

async function purgeEverywhere(q: Queryable, cutoffs: PurgeCutoffs): Promise<RemovedCounts> {
  const counts = emptyCounts();
  for (const step of purgeSteps(cutoffs)) {
    const { params, agency, home } = postgresStep(step);
    const remove = async (table: string, where: string) => (await q.query(`DELETE FROM ${table} WHERE ${where}`, [...params])).rowCount;
    const ofConversations = (table: string, column: string, extra = '') => remove(table, `${column} < $1${extra} AND ${home(`${table}.conversation_id`)}`);
    for (const table of RECORD_TABLES) counts.records += await remove(table, `${agency} AND at < $1`);
    await PostgresDirectLineStore.purgeIn(q, step.before, { where: home('dl_conversations.id'), params: params.slice(1) });
    counts.state += await ofConversations('state', 'updated_at');
    counts.transcripts += await ofConversations('transcripts', 'at');
    // Open cases are still being worked on: their clock starts when they are closed.
    counts.cases += await ofConversations('cases', 'closed_at', " AND state = 'closed'");
    await remove('conversation_agencies', `${agency} AND at < $1 AND ${NOTHING_LEFT_OF_CONVERSATION}`);
  }
  return counts;
}

/**
 * Built synchronously (the app factory is synchronous); migrations run before the first query and
 * are retried while the database is unreachable, so an instance started during an outage reports
 * "not ready" and recovers by itself.
 */
export function openPostgresStore(options: PostgresStoreOptions): PadomsStore {
  const now = options.now ?? (() => new Date());
  const defaultAgency = assertAgency(options.defaultAgency);
  const db = new PgDatabase({
    url: options.url,
    migrations: POSTGRES_MIGRATIONS,
    adopt: POSTGRES_ADOPT_HANDOVER_TRACK,
    afterMigrations: async (q) => {
      for (const sql of adoptRecords('$1')) await q.query(sql, [defaultAgency]);
    },
    log: options.log,
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
  });
  const writes = postgresBatches(db);
  return {
    kind: 'postgres',
    state: new PostgresStorage(db, now, writes, options.log),
    transcripts: new PostgresTranscripts(db, now, writes),
    recordsOf: perAgency((agency) => new PostgresRecords(db, agency, writes)),
    async recordHomeAgency(conversationId, agency, at) {
      await writes.write(conversationId, (q) =>
        q.query('INSERT INTO conversation_agencies (conversation_id, agency, at) VALUES ($1, $2, $3) ON CONFLICT (conversation_id) DO NOTHING', [
          conversationId,
          agency,
          at,
        ]),
      );
    },
    async agencyOfConversation(conversationId) {
      const { rows } = await db.query<{ agency: string }>('SELECT agency FROM conversation_agencies WHERE conversation_id = $1', [conversationId]);
      return rows[0]?.agency;
    },
    directLine: new PostgresDirectLineStore(db, now, writes, options.defaultAgency),
    turns: writes,
    subscribe: (channel, listener) => db.listen(channel, listener),
    publish: (channel, payload) => db.notify(channel, payload),
    deleteConversation: (conversationId) => db.transaction((q) => deleteEverywhere(q, conversationId)),
    purge: (cutoffs) => db.transaction((q) => purgeEverywhere(q, cutoffs)),
    ping: () => db.ping(),
    close: () => db.close(),
  };
}
