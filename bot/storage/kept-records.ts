// How storage keeps what a turn records (the contract is bot/records.ts): the record tables and
// what a deletion at the citizen's request does to each, rows read back, and records in memory.
import { randomUUID } from 'node:crypto';
import type { LanguageCode } from '../../knowledge/schema.js';
import type {
  CitizenText,
  ClarifyChoice,
  Feedback,
  PeriodRecords,
  Rating,
  TurnOutcome,
  TurnRecords,
  UnansweredQuestion,
  UnansweredReason,
} from '../records.js';

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

/**
 * One agency's records kept in memory (the memory store keeps one of these per agency): for tests
 * and `npm run ask`, which must not write the agency's data.
 */
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
