// The storage contract: one object per backend (memory, SQLite, PostgreSQL) holding everything the
// bot keeps about conversations. The same contract tests run against every implementation.
import type Database from 'better-sqlite3';
import type { Storage, TranscriptStore } from 'botbuilder';
import type { TurnRecords } from '../records.js';
import type { DirectLineStore } from './directline-store.js';
import type { TurnTransactions } from './turn-batch.js';

export type StorageKind = 'memory' | 'sqlite' | 'postgres';

/**
 * A Direct Line store the app can also clean up. Its activities are the transcript's rows: deleting
 * or purging the transcript removes them. A conversation deleted at the citizen's request stays
 * known (no content), so a client polling it still gets an empty page and later activities.
 */
export interface ManagedDirectLineStore extends DirectLineStore {
  /** Forgets conversations with no activity since `before`; the number forgotten. */
  purge(before: Date): Promise<number>;
}

/**
 * The oldest moment each agency keeps. `otherwise` is for an agency not in the map and for
 * conversations with no home agency recorded.
 */
export interface PurgeCutoffs {
  byAgency: ReadonlyMap<string, Date>;
  otherwise: Date;
}

/** What a subscriber hears: a message, or "you may have missed messages" after a reconnect. */
export type Notification = { kind: 'message'; payload: string } | { kind: 'resync' };
export type Unsubscribe = () => Promise<void>;

/** Rows removed, by store; returned by purge and deleteConversation for logs and tests. */
export interface RemovedCounts {
  state: number;
  transcripts: number;
  records: number;
  /** Counted records kept without a link to the conversation (only on a deletion at the citizen's request). */
  unlinked?: number;
  /** The staff side's tickets, lines and notes (counted by the app; 0 from the store). */
  handover: number;
  cases: number;
}

export interface PadomsStore {
  readonly kind: StorageKind;
  /**
   * The SQLite connection (SQLite stores only), for the staff side's tables. One connection per
   * process: a second one's write would wait for this one's lock synchronously, on the event loop.
   */
  readonly sqlite?: Database.Database;
  /** Conversation (and user) state for botbuilder, with eTags. */
  readonly state: Storage;
  /**
   * The one record of each conversation's activities (redacted): written by the Direct Line store as
   * it keeps them for the client's poll, and by TranscriptLoggerMiddleware for the other channels
   * (see recording.ts).
   */
  readonly transcripts: TranscriptStore;
  /**
   * What turns record for one agency (a folder name under knowledge/agencies/): its writes carry the
   * agency, its reads see only that agency's rows.
   */
  recordsOf(agency: string): TurnRecords;
  /**
   * Records the agency the conversation began with, its home agency; the first one recorded stays.
   * Inside a turn it is committed with the turn.
   */
  recordHomeAgency(conversationId: string, agency: string, at: Date): Promise<void>;
  /** The conversation's home agency; undefined when none was recorded (older data, or a channel that marks none). */
  agencyOfConversation(conversationId: string): Promise<string | undefined>;
  readonly directLine: ManagedDirectLineStore;
  /** A turn's writes to all of the above, committed in one transaction (see turn-batch.ts). */
  readonly turns: TurnTransactions;
  /**
   * Listens on a channel (lower-case letters, digits, underscores). With PostgreSQL this is
   * LISTEN/NOTIFY, so every instance hears every other; elsewhere it is in-process.
   * Resolves once listening.
   */
  subscribe(channel: string, listener: (n: Notification) => void): Promise<Unsubscribe>;
  publish(channel: string, payload: string): Promise<void>;
  /** Removes the conversation from every store: state, transcripts, records, Direct Line, cases, its home agency. */
  deleteConversation(conversationId: string): Promise<RemovedCounts>;
  /**
   * Removes what is older than its agency's cutoff (the retention limit): a record by its own
   * agency, a conversation's state, transcript, Direct Line row and closed cases by its home
   * agency. Open cases are kept.
   */
  purge(cutoffs: PurgeCutoffs): Promise<RemovedCounts>;
  /** Throws (StorageUnavailableError) when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const CHANNEL_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertChannel(channel: string): void {
  if (!CHANNEL_PATTERN.test(channel)) throw new Error(`storage: bad channel name ${JSON.stringify(channel)}`);
}

/**
 * The conversation a botbuilder state key belongs to: ConversationState writes
 * `<channel>/conversations/<conversation id>/<namespace>`. Other keys (user state) belong to none.
 */
export function conversationIdOfStateKey(key: string): string | null {
  const match = /^[^/]+\/conversations\/(.+)\/[^/]*$/.exec(key);
  return match?.[1] ?? null;
}

export const emptyCounts = (): RemovedCounts => ({ state: 0, transcripts: 0, records: 0, handover: 0, cases: 0 });
