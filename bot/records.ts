// What a turn records about the bot's own work, for the agency's knowledge keepers and reports:
// the outcome of each turn, "did it help" answers, clarifying choices, ratings, and the questions it
// could not answer. The conversation (dialogs/) writes these through `TurnRecords`, which storage
// implements (bot/storage/); neither knows the other. Citizens' words are recorded only in
// `unanswered`, suggestions and rating comments, and only after redaction.
import type { LanguageCode } from '../knowledge/schema.js';

export type OutcomeKind =
  | 'answer'
  | 'smalltalk'
  | 'clarify'
  | 'refer'
  | 'fallback'
  | 'handover'
  | 'conduct'
  | 'language'
  | 'switch-language'
  | 'error'
  | 'protected'
  | 'complaint'
  | 'suggestion'
  | 'silenced'
  | 'delete-conversation'
  /** The citizen agreed to continue with another agency of the installation (recorded by the one left). */
  | 'forward'
  /** A conversation that came from another agency (recorded by the one it came to). */
  | 'forwarded'
  /** The citizen went back to the agency the conversation was forwarded from (recorded by the one left). */
  | 'returned';

export interface TurnOutcome {
  conversationId: string;
  channel: string;
  language: LanguageCode;
  kind: OutcomeKind;
  entryId?: string;
  /** Authorities referred to in the reply (R2 reporting: referrals by authority). */
  authorityIds: string[];
  /** For a forward: the agency the conversation went to, or came from (a folder name). */
  otherAgency?: string;
  at: Date;
}

export type UnansweredReason = 'fallback' | 'none-of-these' | 'not-helpful';

export interface UnansweredQuestion {
  conversationId: string;
  /** Already redacted. */
  text: string;
  reason: UnansweredReason;
  language: LanguageCode;
  /** The entry the bot offered or answered, when there was one. */
  entryId?: string;
  at: Date;
}

export interface Feedback {
  conversationId: string;
  entryId: string;
  helpful: boolean;
  at: Date;
}

export interface ClarifyChoice {
  conversationId: string;
  /** The entry or authority chosen, or null for "none of these". */
  chosenId: string | null;
  offeredIds: string[];
  at: Date;
}

/** R12: satisfaction with the conversation, 1 (poor) to 5 (very good). */
export interface Rating {
  conversationId: string;
  language: LanguageCode;
  score: number;
  at: Date;
}

/** An optional comment on the rating, or a suggestion; already redacted. */
export interface CitizenText {
  conversationId: string;
  text: string;
  at: Date;
}

export interface TurnRecords {
  outcome(o: TurnOutcome): Promise<void>;
  feedback(f: Feedback): Promise<void>;
  unanswered(u: UnansweredQuestion): Promise<void>;
  clarifyChoice(c: ClarifyChoice): Promise<void>;
  rating(r: Rating): Promise<void>;
  /** Attaches a comment to the conversation's latest rating. */
  ratingComment(c: { conversationId: string; comment: string; at: Date }): Promise<void>;
  suggestion(s: CitizenText): Promise<void>;
  listUnanswered(since: Date): Promise<UnansweredQuestion[]>;
  /** Everything recorded in [from, to), for the agency's report. */
  period(from: Date, to: Date): Promise<PeriodRecords>;
}

export interface PeriodRecords {
  outcomes: TurnOutcome[];
  feedback: Feedback[];
  ratings: Rating[];
  unanswered: UnansweredQuestion[];
}
