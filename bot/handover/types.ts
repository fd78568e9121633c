// The handover contract between the conversation (dialogs/) and the staff side (bot/handover/,
// the staff console). The dialog side asks and tells the citizen; the service owns queue, routing,
// staff, cases and the console. Events flow back to the dialog side, which words them for the
// citizen in the conversation's language.
import type { Activity, ConversationReference } from 'botbuilder';
import type { LanguageCode } from '../../knowledge/schema.js';

/**
 * bot → awaiting-consent → queued → with-staff → back-to-bot | closed;
 * (out of hours or nobody with the language online) → offline-case → answered.
 */
export type HandoverState = 'awaiting-consent' | 'queued' | 'with-staff' | 'back-to-bot' | 'closed' | 'offline-case' | 'answered';

export type HandoverReason = 'asked' | 'not-helped' | 'entry-offers-staff';

export interface Availability {
  /** When it was checked (the service's clock). */
  at: Date;
  /** Within the agency's working hours (profile, Latvian public holidays and moved days). */
  inHours: boolean;
  /** At least one staff member who speaks the language is online now. */
  staffOnline: boolean;
  /** The next start of working hours, when out of hours. */
  nextOpening?: Date;
  /** Languages some online staff member speaks now (to offer Latvian instead, R3). */
  onlineLanguages: LanguageCode[];
}

export interface HandoverTicket {
  id: string;
  conversationId: string;
  channel: string;
  language: LanguageCode;
  state: HandoverState;
  reason: HandoverReason;
  createdAt: Date;
  acceptedAt?: Date;
  staffId?: string;
  /** First name or display name of the staff member, as the citizen may see it. */
  staffName?: string;
}

export interface HandoverRequest {
  conversationId: string;
  channel: string;
  language: LanguageCode;
  reason: HandoverReason;
  /** Where the citizen is: for messages sent from the console. */
  reference: Partial<ConversationReference>;
  /** The conversation so far, redacted, including the message that triggered the handover. */
  transcript: Partial<Activity>[];
}

export interface CaseRequest {
  conversationId: string;
  channel: string;
  language: LanguageCode;
  /** E-mail for a written reply, or a Latvian phone number for a callback (R5). */
  contact: { email: string } | { phone: string };
  /** The citizen's question in their words, redacted. */
  question: string;
  transcript: Partial<Activity>[];
}

export interface RegisteredCase {
  id: string;
  /** The date by which the citizen is answered: N working days (profile, R4). */
  dueBy: Date;
}

/**
 * What happens on the staff side that the citizen must be told of. Every event carries where the
 * citizen is (the reference given to `enqueue`), so any instance can deliver it, and whose
 * conversation it is (the agency), so it is worded in that agency's name.
 */
export type HandoverEvent = { conversationId: string; reference: Partial<ConversationReference>; agency: string } & (
  | { type: 'position'; position: number }
  | { type: 'accepted'; staffName: string }
  | { type: 'staff-message'; text: string; staffName: string }
  | { type: 'handed-back' }
  | { type: 'closed' }
  /** The staff member went offline mid-conversation: the citizen is back in the queue. */
  | { type: 'requeued'; position: number }
);

export interface HandoverService {
  availability(language: LanguageCode): Promise<Availability>;
  /** Puts the conversation in the queue (in hours, staff online). Returns its 1-based position. */
  enqueue(request: HandoverRequest): Promise<{ ticket: HandoverTicket; position: number }>;
  /** The citizen cancels while queued, or leaves: back to the bot. */
  cancel(conversationId: string): Promise<void>;
  /** The live handover of a conversation (queued or with staff), if any. */
  active(conversationId: string): Promise<HandoverTicket | undefined>;
  /** The queue position of a queued conversation. */
  position(conversationId: string): Promise<number | undefined>;
  /** A citizen's message while queued or with staff: shown in the console (text already redacted). */
  citizenMessage(conversationId: string, text: string): Promise<void>;
  /** Registers a left question: stored, mailed to the agency (R14 structure), retried until sent. */
  registerCase(request: CaseRequest): Promise<RegisteredCase>;
  /** Staff-side changes the citizen must hear about. Returns an unsubscribe function. */
  subscribe(listener: (event: HandoverEvent) => void): () => void;
  /**
   * Languages at least one enabled staff member speaks, Latvian first (the profile's staffLanguages
   * while no staff accounts exist): the foreign languages the bot may offer (R3). Synchronous: read
   * from a cache the service refreshes when accounts change.
   */
  staffLanguages?(): LanguageCode[];
}

/**
 * Notifications between instances (and to this instance's consoles): what changed, for the console
 * to re-read, and in which agency (none: every console re-reads, e.g. after staff accounts changed).
 */
export type ConsoleSignal = { agency?: string } & (
  | { kind: 'queue' }
  | { kind: 'cases' }
  | { kind: 'staff' }
  | { kind: 'line'; lineId: number }
  | { kind: 'notes'; ticketId?: string; caseId?: string }
  | { kind: 'ticket'; ticketId: string; state: HandoverState; staffId?: string }
);
