// Messages the Send API did not take, kept so none is silently lost: the staff console (later) can
// show them and resend. Memory for now; the storage issue implements MessengerOutbox durably.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import type { GraphErrorSummary, SendRequest, UndeliveredReason } from './graph-api.js';

export interface OutboxEntry {
  id: string;
  /** The PSID, needed to resend. */
  recipientId: string;
  /** The Page it was to be sent from (its token sends it again). */
  pageId: string;
  /** The exact Send API request that was refused. */
  request: SendRequest;
  reason: UndeliveredReason;
  error?: GraphErrorSummary;
  createdAt: string;
}

export type NewOutboxEntry = Omit<OutboxEntry, 'id' | 'createdAt'>;

export interface MessengerOutbox {
  add(entry: NewOutboxEntry): Promise<OutboxEntry>;
  list(): Promise<OutboxEntry[]>;
  get(id: string): Promise<OutboxEntry | undefined>;
  remove(id: string): Promise<boolean>;
}

export interface MemoryOutboxOptions {
  /** Beyond this the oldest entry is dropped, with an error log naming it. */
  maxEntries?: number;
  now?: () => Date;
  newId?: () => string;
  log: Logger;
}

export class MemoryOutbox implements MessengerOutbox {
  private readonly entries = new Map<string, OutboxEntry>();
  private readonly maxEntries: number;
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly log: Logger;

  constructor(options: MemoryOutboxOptions) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
    this.log = options.log;
  }

  async add(entry: NewOutboxEntry): Promise<OutboxEntry> {
    const stored: OutboxEntry = { ...entry, id: this.newId(), createdAt: this.now().toISOString() };
    this.entries.set(stored.id, stored);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.values().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value.id);
      this.log.error(
        { outboxId: oldest.value.id, reason: oldest.value.reason, createdAt: oldest.value.createdAt },
        'outbox full, oldest undelivered message dropped',
      );
    }
    return stored;
  }

  async list(): Promise<OutboxEntry[]> {
    return [...this.entries.values()];
  }

  async get(id: string): Promise<OutboxEntry | undefined> {
    return this.entries.get(id);
  }

  async remove(id: string): Promise<boolean> {
    return this.entries.delete(id);
  }
}
