// Everything in this process, nothing on disk: for tests, `npm run ask` and `npm run chat`, which
// must not write the agency's records. Behaves like the SQL stores (the contract tests check it).
import { EventEmitter } from 'node:events';
import type { Activity, PagedResult, Storage, StoreItems, TranscriptInfo, TranscriptStore } from 'botbuilder';
import { randomBytes } from 'node:crypto';
import { MemoryRecords } from './kept-records.js';
import { MemoryDirectLineStore } from './directline-store.js';
import { activityTime, asJson, redactActivity } from './activity.js';
import { StorageConflictError } from './errors.js';
import { assertChannel, conversationIdOfStateKey, emptyCounts, type Notification, type PadomsStore, type RemovedCounts, type Unsubscribe } from './store.js';
import { cutoffFor, perAgency } from './agencies.js';
import { IMMEDIATE } from './turn-batch.js';

export const TRANSCRIPT_PAGE_SIZE = 100;

export const newETag = (): string => randomBytes(8).toString('hex');

/** botbuilder Storage in a Map, with the same eTag rules as the SQL stores. */
export class MemoryStateStorage implements Storage {
  private readonly items = new Map<string, { eTag: string; doc: string; updatedAt: Date }>();
  constructor(private readonly now: () => Date) {}

  async read(keys: string[]): Promise<StoreItems> {
    const out: StoreItems = {};
    for (const key of keys) {
      const item = this.items.get(key);
      if (item) out[key] = { ...(JSON.parse(item.doc) as object), eTag: item.eTag };
    }
    return out;
  }

  async write(changes: StoreItems): Promise<void> {
    // Checked first, written after: a batch with one stale item writes nothing (like the SQL stores).
    for (const [key, item] of Object.entries(changes)) {
      const eTag = (item as { eTag?: string } | undefined)?.eTag;
      const current = this.items.get(key);
      if (current && eTag !== undefined && eTag !== '' && eTag !== '*' && eTag !== current.eTag) throw new StorageConflictError(key);
    }
    for (const [key, item] of Object.entries(changes)) {
      const { eTag: _ignored, ...doc } = (item ?? {}) as { eTag?: string };
      this.items.set(key, { eTag: newETag(), doc: JSON.stringify(doc), updatedAt: this.now() });
    }
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) this.items.delete(key);
  }

  deleteConversation(conversationId: string): number {
    return this.removeWhere((key) => conversationIdOfStateKey(key) === conversationId);
  }

  /** Removes what was last written before its conversation's cutoff (keys of no conversation: `null`'s). */
  purge(cutoffOf: (conversationId: string | null) => Date): number {
    return this.removeWhere((key, updatedAt) => updatedAt < cutoffOf(conversationIdOfStateKey(key)));
  }

  /** Whether anything of the conversation is kept. */
  holds(conversationId: string): boolean {
    for (const key of this.items.keys()) if (conversationIdOfStateKey(key) === conversationId) return true;
    return false;
  }

  private removeWhere(drop: (key: string, updatedAt: Date) => boolean): number {
    let removed = 0;
    for (const [key, item] of this.items) {
      if (drop(key, item.updatedAt)) {
        this.items.delete(key);
        removed++;
      }
    }
    return removed;
  }
}

interface TranscriptRow {
  channelId: string;
  conversationId: string;
  at: Date;
  activity: Activity;
}

/** botbuilder TranscriptStore in an array. Activities arrive redacted (RedactingTranscriptLogger). */
export class MemoryTranscripts implements TranscriptStore {
  private rows: TranscriptRow[] = [];
  constructor(private readonly now: () => Date) {}

  async logActivity(activity: Activity): Promise<void> {
    const { channelId, conversation } = activity;
    if (!channelId || !conversation?.id) throw new Error('transcript: activity without channelId or conversation.id');
    // Redacted here too: a store used without the logger must not keep personal codes either.
    this.keep(asJson(redactActivity(activity)));
  }

  /** An activity a channel's store keeps (already redacted as it stores it, and plain JSON). */
  keep(activity: Partial<Activity>): void {
    const { channelId, conversation } = activity;
    if (!channelId || !conversation?.id) return;
    this.rows.push({ channelId, conversationId: conversation.id, at: activityTime(activity, this.now()), activity: activity as Activity });
  }

  async getTranscriptActivities(channelId: string, conversationId: string, continuationToken?: string, startDate?: Date): Promise<PagedResult<Activity>> {
    const all = this.rows.filter((r) => r.channelId === channelId && r.conversationId === conversationId && (startDate === undefined || r.at >= startDate));
    const start = continuationToken ? Number(continuationToken) : 0;
    const page = all.slice(start, start + TRANSCRIPT_PAGE_SIZE);
    const more = start + page.length < all.length;
    return { items: page.map((r) => asJson(r.activity)), continuationToken: more ? String(start + page.length) : '' };
  }

  async listTranscripts(channelId: string, continuationToken?: string): Promise<PagedResult<TranscriptInfo>> {
    const first = new Map<string, Date>();
    for (const r of this.rows) if (r.channelId === channelId && !first.has(r.conversationId)) first.set(r.conversationId, r.at);
    const ids = [...first.keys()].sort().filter((id) => continuationToken === undefined || continuationToken === '' || id > continuationToken);
    const page = ids.slice(0, TRANSCRIPT_PAGE_SIZE);
    return {
      items: page.map((id) => ({ channelId, id, created: first.get(id)! })),
      continuationToken: ids.length > page.length ? page.at(-1)! : '',
    };
  }

  async deleteTranscript(channelId: string, conversationId: string): Promise<void> {
    this.rows = this.rows.filter((r) => !(r.channelId === channelId && r.conversationId === conversationId));
  }

  deleteConversation(conversationId: string): number {
    return this.removeWhere((r) => r.conversationId === conversationId);
  }

  /** Removes activities older than their conversation's cutoff. */
  purge(cutoffOf: (conversationId: string) => Date): number {
    return this.removeWhere((r) => r.at < cutoffOf(r.conversationId));
  }

  /** Whether any activity of the conversation is kept. */
  holds(conversationId: string): boolean {
    return this.rows.some((r) => r.conversationId === conversationId);
  }

  private removeWhere(drop: (r: TranscriptRow) => boolean): number {
    const before = this.rows.length;
    this.rows = this.rows.filter((r) => !drop(r));
    return before - this.rows.length;
  }
}

/** In-process notifications: with one process, every subscriber is here. */
export class LocalBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async subscribe(channel: string, listener: (n: Notification) => void): Promise<Unsubscribe> {
    assertChannel(channel);
    const handler = (payload: string) => listener({ kind: 'message', payload });
    this.emitter.on(channel, handler);
    return async () => {
      this.emitter.off(channel, handler);
    };
  }

  async publish(channel: string, payload: string): Promise<void> {
    assertChannel(channel);
    // Delivered after the caller's change, like NOTIFY after COMMIT; a failing listener stays its own problem.
    setImmediate(() => {
      for (const listener of this.emitter.listeners(channel)) {
        try {
          (listener as (p: string) => void)(payload);
        } catch {
          // A subscriber's bug must not break the publisher.
        }
      }
    });
  }

  close(): void {
    this.emitter.removeAllListeners();
  }
}

/** A store in memory: tests read what an agency recorded from its lists. */
export type MemoryStore = Omit<PadomsStore, 'recordsOf'> & { recordsOf(agency: string): MemoryRecords };

/**
 * Nothing in memory is from before agencies, so there is nothing to adopt: unlike the SQL stores,
 * this one needs no default agency.
 */
export function createMemoryStore(options: { now?: () => Date } = {}): MemoryStore {
  const now = options.now ?? (() => new Date());
  const bus = new LocalBus();
  const state = new MemoryStateStorage(now);
  const transcripts = new MemoryTranscripts(now);
  const recordsByAgency = new Map<string, MemoryRecords>();
  const recordsOf = perAgency((agency) => {
    const records = new MemoryRecords();
    recordsByAgency.set(agency, records);
    return records;
  });
  const homes = new Map<string, { agency: string; at: Date }>();
  // Age is the retention purge's business, as in the SQL stores; the count cap still bounds memory.
  // What Direct Line keeps joins the transcript as stored (one object, not a second copy), as the
  // SQL stores write one row for both.
  const directLine = new MemoryDirectLineStore({ now, idleMs: 366 * 24 * 60 * 60 * 1000, record: (activity) => transcripts.keep(activity) });
  return {
    kind: 'memory',
    state,
    transcripts,
    recordsOf,
    directLine,
    // Nothing to commit: every write is made as it comes.
    turns: IMMEDIATE,
    subscribe: (channel, listener) => bus.subscribe(channel, listener),
    publish: (channel, payload) => bus.publish(channel, payload),
    async recordHomeAgency(conversationId, agency, at) {
      if (!homes.has(conversationId)) homes.set(conversationId, { agency, at });
    },
    async agencyOfConversation(conversationId) {
      return homes.get(conversationId)?.agency;
    },
    async deleteConversation(conversationId) {
      // Direct Line's own list holds the same activities, for polling: emptied, not counted twice.
      await directLine.deleteConversation(conversationId);
      homes.delete(conversationId);
      let [records, unlinked] = [0, 0];
      for (const kept of recordsByAgency.values()) {
        const done = kept.deleteConversation(conversationId);
        records += done.removed;
        unlinked += done.unlinked;
      }
      const counts: RemovedCounts = {
        state: state.deleteConversation(conversationId),
        transcripts: transcripts.deleteConversation(conversationId),
        records,
        unlinked,
        handover: 0,
        cases: 0,
      };
      return counts;
    },
    async purge(cutoffs) {
      const cutoffOf = (conversationId: string | null) => cutoffFor(cutoffs, conversationId === null ? undefined : homes.get(conversationId)?.agency);
      await directLine.purge(cutoffOf);
      const counts: RemovedCounts = { ...emptyCounts(), state: state.purge(cutoffOf), transcripts: transcripts.purge(cutoffOf) };
      for (const [agency, records] of recordsByAgency) counts.records += records.purge(cutoffFor(cutoffs, agency));
      // As in the SQL stores: a home agency goes with the last of its conversation.
      for (const [conversationId, home] of homes) {
        const gone = !state.holds(conversationId) && !transcripts.holds(conversationId) && (await directLine.getConversation(conversationId)) === undefined;
        if (gone && home.at < cutoffFor(cutoffs, home.agency)) homes.delete(conversationId);
      }
      return counts;
    },
    async ping() {},
    async close() {
      bus.close();
    },
  };
}
