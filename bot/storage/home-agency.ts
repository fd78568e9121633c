// A conversation's home agency, the one it began with, as the recording middleware records it: with
// the turn's other writes, and once per conversation and process rather than on every turn (the
// store keeps the first one recorded; later writes of it change nothing and only cost a statement).
import type { TurnContext } from 'botbuilder';
import { errorFields, type Logger } from '../log.js';
import { activityTime } from './activity.js';
import type { PadomsStore } from './store.js';
import type { TurnTransactions } from './turn-batch.js';

/** Conversations remembered at most; beyond it the longest remembered is forgotten (its next turn writes again). */
const REMEMBERED = 10_000;
/**
 * How long a conversation stays remembered. Far shorter than any retention limit (a day at least),
 * so a conversation that comes back after retention removed its home agency, or after it was deleted
 * on another instance, has it recorded again.
 */
const REMEMBERED_MS = 60 * 60 * 1000;

export interface HomeAgencyDeps {
  store: Pick<PadomsStore, 'recordHomeAgency'> & { turns: Pick<TurnTransactions, 'afterCommit'> };
  log: Logger;
  now: () => Date;
}

export class HomeAgencies {
  /** Conversation id → when its home agency was committed; in that order (a Map keeps insertion order). */
  private readonly recorded = new Map<string, number>();

  constructor(private readonly deps: HomeAgencyDeps) {}

  /** At the start of the conversation's turn: written with the turn's writes, unless written lately. */
  async record(context: TurnContext, conversationId: string, agency: string): Promise<void> {
    const now = this.deps.now();
    const since = this.recorded.get(conversationId);
    if (since !== undefined && now.getTime() - since < REMEMBERED_MS) return;
    try {
      await this.deps.store.recordHomeAgency(conversationId, agency, beganAt(context, now));
      // Remembered once committed: if the turn's commit fails, the next turn writes it again.
      await this.deps.store.turns.afterCommit(conversationId, async () => this.remember(conversationId, now.getTime()));
    } catch (err) {
      // Outside a turn's transaction the write is made on the spot; its failure must not cost the
      // citizen the answer (retention then treats the conversation as one with no home agency).
      this.deps.log.warn({ err: errorFields(err), conversationId }, 'home agency not recorded');
    }
  }

  /** After the conversation was deleted (its home agency with it): its next turn records it again. */
  forget(conversationId: string): void {
    this.recorded.delete(conversationId);
  }

  private remember(conversationId: string, at: number): void {
    this.recorded.delete(conversationId);
    this.recorded.set(conversationId, at);
    const oldest = this.recorded.keys().next();
    if (this.recorded.size > REMEMBERED && !oldest.done) this.recorded.delete(oldest.value);
  }
}

/**
 * When the conversation began, as far as its rows go: the time its transcript gives the turn's
 * activity, so the home agency is never younger than the rows retention removes by it (see
 * agencies.ts); never later than now, so a channel's clock ahead of ours cannot delay the purge.
 */
function beganAt(context: TurnContext, now: Date): Date {
  const at = activityTime(context.activity, now);
  return at < now ? at : now;
}
