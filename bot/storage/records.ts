// What the bot records about its own work, for the agency's knowledge keepers and reports:
// the outcome of each turn, "did it help" answers, and questions it could not answer.
// Citizens' words are stored only in `unanswered`, and only after redaction.
import type { LanguageCode } from '../../knowledge/schema.js';

export type OutcomeKind =
  | 'answer' | 'smalltalk' | 'clarify' | 'refer' | 'fallback' | 'handover' | 'conduct' | 'language' | 'switch-language' | 'error';

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

export interface TurnRecords {
  outcome(o: TurnOutcome): Promise<void>;
  feedback(f: Feedback): Promise<void>;
  unanswered(u: UnansweredQuestion): Promise<void>;
  clarifyChoice(c: ClarifyChoice): Promise<void>;
  listUnanswered(since: Date): Promise<UnansweredQuestion[]>;
}

/** Records kept in memory: for tests and `npm run ask`, which must not write the agency's data. */
export class MemoryRecords implements TurnRecords {
  readonly outcomes: TurnOutcome[] = [];
  readonly feedbacks: Feedback[] = [];
  readonly questions: UnansweredQuestion[] = [];
  readonly choices: ClarifyChoice[] = [];
  async outcome(o: TurnOutcome) { this.outcomes.push(o); }
  async feedback(f: Feedback) { this.feedbacks.push(f); }
  async unanswered(u: UnansweredQuestion) { this.questions.push(u); }
  async clarifyChoice(c: ClarifyChoice) { this.choices.push(c); }
  async listUnanswered(since: Date) { return this.questions.filter((q) => q.at >= since); }

  /** Removes the conversation's records; how many. */
  deleteConversation(conversationId: string): number {
    return this.removeWhere((r) => r.conversationId === conversationId);
  }

  /** Removes records older than `before`; how many. */
  purge(before: Date): number {
    return this.removeWhere((r) => r.at < before);
  }

  private removeWhere(drop: (r: { conversationId: string; at: Date }) => boolean): number {
    let removed = 0;
    for (const list of [this.outcomes, this.feedbacks, this.questions, this.choices] as { conversationId: string; at: Date }[][]) {
      const kept = list.filter((r) => !drop(r));
      removed += list.length - kept.length;
      list.splice(0, list.length, ...kept);
    }
    return removed;
  }
}
