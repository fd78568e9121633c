// What the bot records about its own work, for the agency's knowledge keepers and reports:
// the outcome of each turn, "did it help" answers, and questions it could not answer.
// Citizens' words are stored only in `unanswered`, and only after redaction.
import { randomUUID } from 'node:crypto';
import type { LanguageCode } from '../../knowledge/schema.js';

/**
 * Record tables by what a deletion at the citizen's request does to them. Counted records hold no
 * words of the citizen (what the bot did, "did it help", a score): the standards require counting
 * them, so they stay, unlinked from the conversation. Records with the citizen's words go.
 */
export const COUNTED_RECORD_TABLES = ['outcomes', 'feedback', 'clarify_choices', 'ratings'] as const;
export const WORDED_RECORD_TABLES = ['unanswered', 'suggestions'] as const;
export const RECORD_TABLES = [...COUNTED_RECORD_TABLES, ...WORDED_RECORD_TABLES] as const;
/** Columns of counted tables that may still hold the citizen's words, cleared when unlinked. */
export const WORDED_COLUMNS: Partial<Record<(typeof COUNTED_RECORD_TABLES)[number], string>> = { ratings: 'comment' };

/**
 * The id counted records of a deleted conversation carry: new for each deletion, so they still
 * count as one conversation in reports, yet nothing leads from them to the citizen or the channel.
 */
export const erasedConversationId = (): string => `erased:${randomUUID()}`;

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
  | 'delete-conversation';

export interface TurnOutcome {
  conversationId: string;
  channel: string;
  language: LanguageCode;
  kind: OutcomeKind;
  entryId?: string;
  /** Authorities referred to in the reply (R2 reporting: referrals by authority). */
  authorityIds: string[];
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

/** An `unanswered` row as either database returns it (SQLite's times are ISO text, PostgreSQL's Dates). */
export interface UnansweredRow {
  conversation_id: string;
  text: string;
  reason: UnansweredReason;
  language: string;
  entry_id: string | null;
  at: string | Date;
}

export function unansweredFromRow(r: UnansweredRow): UnansweredQuestion {
  return {
    conversationId: r.conversation_id,
    text: r.text,
    reason: r.reason,
    language: r.language as LanguageCode,
    ...(r.entry_id === null ? {} : { entryId: r.entry_id }),
    at: r.at instanceof Date ? r.at : new Date(r.at),
  };
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

/** Records kept in memory: for tests and `npm run ask`, which must not write the agency's data. */
export class MemoryRecords implements TurnRecords {
  readonly outcomes: TurnOutcome[] = [];
  readonly feedbacks: Feedback[] = [];
  readonly questions: UnansweredQuestion[] = [];
  readonly choices: ClarifyChoice[] = [];
  readonly ratings: (Rating & { comment?: string })[] = [];
  readonly suggestions: CitizenText[] = [];
  async outcome(o: TurnOutcome) {
    this.outcomes.push(o);
  }
  async feedback(f: Feedback) {
    this.feedbacks.push(f);
  }
  async unanswered(u: UnansweredQuestion) {
    this.questions.push(u);
  }
  async clarifyChoice(c: ClarifyChoice) {
    this.choices.push(c);
  }
  async rating(r: Rating) {
    this.ratings.push(r);
  }
  async ratingComment({ conversationId, comment }: { conversationId: string; comment: string; at: Date }) {
    const latest = this.ratings.filter((r) => r.conversationId === conversationId).at(-1);
    if (latest) latest.comment = comment;
  }
  async suggestion(s: CitizenText) {
    this.suggestions.push(s);
  }
  async listUnanswered(since: Date) {
    return this.questions.filter((q) => q.at >= since);
  }
  async period(from: Date, to: Date): Promise<PeriodRecords> {
    const within = <T extends { at: Date }>(list: T[]) => list.filter((r) => r.at >= from && r.at < to);
    return { outcomes: within(this.outcomes), feedback: within(this.feedbacks), ratings: within(this.ratings), unanswered: within(this.questions) };
  }

  /** Removes the conversation's worded records and unlinks its counted ones; how many of each. */
  deleteConversation(conversationId: string): { removed: number; unlinked: number } {
    const ours = (r: { conversationId: string }) => r.conversationId === conversationId;
    const removed = this.removeWhere(ours, [this.questions, this.suggestions]);
    const erased = erasedConversationId();
    let unlinked = 0;
    for (const list of [this.outcomes, this.feedbacks, this.choices, this.ratings] as { conversationId: string; comment?: string }[][]) {
      for (const r of list.filter(ours)) {
        r.conversationId = erased;
        delete r.comment;
        unlinked++;
      }
    }
    return { removed, unlinked };
  }

  /** Removes records older than `before`; how many. */
  purge(before: Date): number {
    return this.removeWhere((r) => r.at < before);
  }

  private removeWhere(
    drop: (r: { conversationId: string; at: Date }) => boolean,
    lists = [this.outcomes, this.feedbacks, this.questions, this.choices, this.ratings, this.suggestions] as { conversationId: string; at: Date }[][],
  ): number {
    let removed = 0;
    for (const list of lists as { conversationId: string; at: Date }[][]) {
      const kept = list.filter((r) => !drop(r));
      removed += list.length - kept.length;
      list.splice(0, list.length, ...kept);
    }
    return removed;
  }
}
