// Repositories for handing a conversation over to staff: the queue (implemented here for every
// backend, with an atomic claim), and the shapes of cases, staff accounts and staff sessions, whose
// tables exist already and whose implementations come with the handover console.
import { z } from 'zod';
import type { ConversationReference } from 'botbuilder';
import type { LanguageCode } from '../../knowledge/schema.js';

export type QueueState = 'waiting' | 'claimed' | 'closed';

/** One conversation waiting for (or being served by) a staff member. One entry per conversation. */
export interface QueueEntry {
  conversationId: string;
  channelId: string;
  /** The conversation's language: only staff who speak it should claim it. */
  language: LanguageCode;
  state: QueueState;
  /** Where staff replies go (proactive messages). */
  reference?: Partial<ConversationReference>;
  createdAt: Date;
  claimedBy?: string;
  claimedAt?: Date;
  closedAt?: Date;
}

export interface NewQueueEntry {
  conversationId: string;
  channelId: string;
  language: LanguageCode;
  reference?: Partial<ConversationReference>;
}

export type ClaimResult =
  | { kind: 'claimed'; entry: QueueEntry }
  /** Someone else (or the same person) claimed it first, or it was closed. */
  | { kind: 'taken'; entry: QueueEntry }
  | { kind: 'not-found' };

export interface HandoverQueue {
  /**
   * Puts the conversation in the queue as `waiting`. A conversation already waiting or claimed
   * keeps its entry (returned as is); a closed one is queued afresh.
   */
  enqueue(entry: NewQueueEntry): Promise<QueueEntry>;
  get(conversationId: string): Promise<QueueEntry | undefined>;
  /** Entries in the given states (default: waiting and claimed), oldest first. */
  list(states?: readonly QueueState[]): Promise<QueueEntry[]>;
  /** Atomically takes a waiting entry: of any number of concurrent callers exactly one wins. */
  claim(conversationId: string, staffId: string): Promise<ClaimResult>;
  /** Marks the entry closed (the conversation goes back to the bot). False if there was none. */
  close(conversationId: string): Promise<boolean>;
}

/** Notifications about queue changes, on QUEUE_CHANNEL, across all instances. */
export const QUEUE_CHANNEL = 'padoms_queue';

export const queueEventSchema = z.object({
  kind: z.enum(['enqueued', 'claimed', 'closed', 'deleted']),
  conversationId: z.string(),
  staffId: z.string().optional(),
});
export type QueueEvent = z.infer<typeof queueEventSchema>;

// ---- Cases and staff: tables exist (migrations), implementations come with the handover issue. ----

export type CaseState = 'open' | 'closed';

/** A question left for staff to answer within the agency's working days (R4). */
export interface Case {
  id: string;
  conversationId: string;
  language: LanguageCode;
  state: CaseState;
  /** What the citizen asked, redacted. */
  summary: string;
  /** How the citizen wants the answer (e-mail or phone), if given: personal data, purged with the case. */
  contact?: string;
  createdAt: Date;
  dueAt: Date;
  closedAt?: Date;
  closedBy?: string;
}

export interface CaseStore {
  open(c: Omit<Case, 'id' | 'state' | 'createdAt' | 'closedAt' | 'closedBy'>): Promise<Case>;
  get(id: string): Promise<Case | undefined>;
  list(state?: CaseState): Promise<Case[]>;
  close(id: string, staffId: string): Promise<boolean>;
}

export type StaffRole = 'staff' | 'admin';

export interface StaffAccount {
  id: string;
  username: string;
  displayName: string;
  /** Languages the staff member serves citizens in. */
  languages: LanguageCode[];
  role: StaffRole;
  /** A password hash (scrypt or argon2 string), never the password. */
  passwordHash: string;
  createdAt: Date;
  disabledAt?: Date;
}

export interface StaffSession {
  /** SHA-256 of the session token: a database leak does not hand out sessions. */
  tokenHash: string;
  staffId: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface StaffStore {
  createAccount(account: Omit<StaffAccount, 'createdAt'>): Promise<StaffAccount>;
  findByUsername(username: string): Promise<StaffAccount | undefined>;
  createSession(session: StaffSession): Promise<void>;
  findSession(tokenHash: string, now: Date): Promise<StaffSession | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
}
