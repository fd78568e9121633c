// Where Direct Line conversations and their activities live between the bot's turn and the
// client's next poll. The interface is small and async so SQLite/PostgreSQL can implement it.
import type { Activity } from 'botbuilder';
import { activityTime, asJson, directLineRecord } from './activity.js';

export interface StoredConversation {
  id: string;
  /** The `dl_…` user id the conversation's tokens carry. */
  userId: string;
  /**
   * The agency whose conversation it is (a folder name under knowledge/agencies/): only that
   * agency's tokens open it, and its turns are that agency's.
   */
  agency: string;
  /** BCP 47 locale the client asked for when starting, if any. */
  locale?: string;
  /** ISO 8601. */
  createdAt: string;
}

/** Activities after a watermark, and the watermark to ask from next time. */
export interface ActivitySlice {
  activities: readonly Activity[];
  watermark: number;
}

export interface AppendOptions {
  /**
   * Kept only so the client's next poll gets it, not as part of the conversation's record (staff do
   * not see it): what is sent after a deletion the citizen asked for.
   */
  deliveryOnly?: boolean;
}

/**
 * Append-only per conversation: every appended activity gets the next watermark (1, 2, 3, …).
 * An updated activity is appended again under its old id, so pollers see the new version; nothing
 * is rewritten in place. Activities are stored as JSON (dates become ISO strings).
 */
export interface DirectLineStore {
  /** Creates the conversation; `false` if one with this id exists already (it is left untouched). */
  createConversation(conversation: StoredConversation): Promise<boolean>;
  getConversation(id: string): Promise<StoredConversation | undefined>;
  /**
   * Appends the activity under the conversation's next watermark. Inside a turn it is committed with
   * the turn (see turn-batch.ts). An unknown conversation's activity is dropped: no client could poll it.
   */
  appendActivity(conversationId: string, activity: Partial<Activity>, options?: AppendOptions): Promise<void>;
  /** At most `limit` activities with a watermark above `after`, oldest first; `undefined` if unknown. */
  listActivities(conversationId: string, after: number, limit: number): Promise<ActivitySlice | undefined>;
}

export interface MemoryDirectLineStoreOptions {
  /** Conversations without a new activity for this long are dropped. Default 24 h. */
  idleMs?: number;
  /** Beyond this many conversations the least recently active are dropped. Default 10,000. */
  maxConversations?: number;
  /** Only the newest this-many activities of a conversation are kept. Default 1,000. */
  maxActivitiesPerConversation?: number;
  now?: () => Date;
  /**
   * Told of every appended activity that is part of the conversation's record (as stored): the
   * memory store's transcript, which in the SQL stores is the same table.
   */
  record?: (activity: Partial<Activity>) => void;
}

interface MemoryConversation {
  conversation: StoredConversation;
  /** Kept activities; the first has watermark `firstWatermark`. */
  activities: Partial<Activity>[];
  firstWatermark: number;
  lastActiveMs: number;
}

/**
 * One process, no persistence. Bounded: idle conversations expire, the total count is capped, and
 * each conversation keeps only its newest activities. A Map keeps insertion order, and every write
 * re-inserts its conversation at the end, so the least recently active are always at the front and
 * pruning costs only what it removes.
 */
export class MemoryDirectLineStore implements DirectLineStore {
  private readonly conversations = new Map<string, MemoryConversation>();
  private readonly idleMs: number;
  private readonly maxConversations: number;
  private readonly maxActivities: number;
  private readonly now: () => Date;
  private readonly record: (activity: Partial<Activity>) => void;

  constructor(options: MemoryDirectLineStoreOptions = {}) {
    this.idleMs = options.idleMs ?? 24 * 60 * 60 * 1000;
    this.maxConversations = options.maxConversations ?? 10_000;
    this.maxActivities = options.maxActivitiesPerConversation ?? 1_000;
    this.now = options.now ?? (() => new Date());
    this.record = options.record ?? (() => {});
    if (!(this.idleMs > 0 && this.maxConversations >= 1 && this.maxActivities >= 1)) {
      throw new Error('MemoryDirectLineStore: idleMs, maxConversations and maxActivitiesPerConversation must be positive');
    }
  }

  /** How many conversations are held (for tests and metrics). */
  get size(): number {
    return this.conversations.size;
  }

  async createConversation(conversation: StoredConversation): Promise<boolean> {
    const nowMs = this.now().getTime();
    this.prune(nowMs);
    if (this.conversations.has(conversation.id)) return false;
    while (this.conversations.size >= this.maxConversations) this.dropOldest();
    this.conversations.set(conversation.id, {
      conversation: { ...conversation },
      activities: [],
      firstWatermark: 1,
      lastActiveMs: nowMs,
    });
    return true;
  }

  async getConversation(id: string): Promise<StoredConversation | undefined> {
    const entry = this.live(id);
    return entry === undefined ? undefined : { ...entry.conversation };
  }

  async appendActivity(conversationId: string, activity: Partial<Activity>, options: AppendOptions = {}): Promise<void> {
    const entry = this.live(conversationId);
    if (entry === undefined) return;
    // A JSON copy: later changes by the caller cannot alter what clients receive, and this store
    // behaves like the SQL ones (dates come back as strings). The citizen's own words are redacted
    // like everywhere else they are kept; the bot's replies are what the citizen must read.
    const stored = asJson(directLineRecord(activity));
    entry.activities.push(stored);
    if (options.deliveryOnly !== true) this.record(stored);
    if (entry.activities.length > this.maxActivities) {
      const excess = entry.activities.length - this.maxActivities;
      entry.activities.splice(0, excess);
      entry.firstWatermark += excess;
    }
    entry.lastActiveMs = this.now().getTime();
    this.conversations.delete(conversationId);
    this.conversations.set(conversationId, entry);
  }

  async listActivities(conversationId: string, after: number, limit: number): Promise<ActivitySlice | undefined> {
    const entry = this.live(conversationId);
    if (entry === undefined) return undefined;
    const last = entry.firstWatermark + entry.activities.length - 1;
    const start = Math.max(0, after + 1 - entry.firstWatermark);
    const activities = entry.activities.slice(start, start + Math.max(0, limit)) as Activity[];
    const watermark = activities.length === 0 ? Math.min(Math.max(after, 0), last) : entry.firstWatermark + start + activities.length - 1;
    return { activities, watermark };
  }

  /** The activities go, the conversation stays known with its watermark (as in the SQL stores). */
  async deleteConversation(conversationId: string): Promise<number> {
    const entry = this.conversations.get(conversationId);
    if (entry === undefined) return 0;
    const removed = entry.activities.length;
    entry.firstWatermark += removed;
    entry.activities = [];
    return removed;
  }

  /** Forgets what is older than `before`, or than each conversation's own cutoff (retention by its agency). */
  async purge(before: Date | ((conversationId: string) => Date)): Promise<number> {
    let removed = 0;
    for (const [id, entry] of this.conversations) {
      const cutoff = typeof before === 'function' ? before(id) : before;
      if (entry.lastActiveMs < cutoff.getTime()) {
        removed += entry.activities.length;
        this.conversations.delete(id);
        continue;
      }
      const old = entry.activities.findIndex((a) => activityTime(a, new Date(entry.lastActiveMs)) >= cutoff);
      const excess = old === -1 ? entry.activities.length : old;
      entry.activities.splice(0, excess);
      entry.firstWatermark += excess;
      removed += excess;
    }
    return removed;
  }

  /** The entry if it exists and has not been idle too long (an idle one is dropped on the spot). */
  private live(id: string): MemoryConversation | undefined {
    const entry = this.conversations.get(id);
    if (entry === undefined) return undefined;
    if (this.now().getTime() - entry.lastActiveMs > this.idleMs) {
      this.conversations.delete(id);
      return undefined;
    }
    return entry;
  }

  private prune(nowMs: number): void {
    for (const [id, entry] of this.conversations) {
      if (nowMs - entry.lastActiveMs <= this.idleMs) break;
      this.conversations.delete(id);
    }
  }

  private dropOldest(): void {
    const oldest = this.conversations.keys().next();
    if (!oldest.done) this.conversations.delete(oldest.value);
  }
}
