// What every adapter records: the turn's activities as a redacted transcript (botbuilder's
// TranscriptLoggerMiddleware, for channels that keep no record of their own), written with the
// turn, the conversation's home agency, and a conversation deleted at the citizen's request once
// its turn is over.
import {
  ActivityTypes,
  TranscriptLoggerMiddleware,
  type Activity,
  type BotAdapter,
  type Middleware,
  type TranscriptLogger,
  type TurnContext,
} from 'botbuilder';
import { errorFields, type Logger } from '../log.js';
import { redactActivity } from './activity.js';
import { HomeAgencies } from './home-agency.js';
import type { PadomsStore } from './store.js';
import type { TurnTransactions } from './turn-batch.js';

/** Not part of a conversation's record: typing indicators, delays, Emulator traces. */
const NOT_RECORDED = new Set<string>([ActivityTypes.Typing, 'delay', ActivityTypes.Trace]);

/**
 * Redacts every activity before it reaches the store, and keeps track of writes in flight:
 * TranscriptLoggerMiddleware does not await them, but a crash right after the citizen's message
 * was acknowledged must not lose it.
 */
export class RedactingTranscriptLogger implements TranscriptLogger {
  private readonly pending = new Map<string, Set<Promise<void>>>();
  /** Conversations just deleted: the farewell sent after the deletion is not recorded again. */
  readonly unrecorded = new Set<string>();

  constructor(
    private readonly store: TranscriptLogger,
    private readonly log: Logger,
  ) {}

  logActivity(activity: Partial<Activity>): Promise<void> {
    if (activity.type !== undefined && NOT_RECORDED.has(activity.type)) return Promise.resolve();
    const conversationId = activity.conversation?.id ?? '';
    if (this.unrecorded.has(conversationId)) return Promise.resolve();
    const write = (async () => {
      try {
        await this.store.logActivity(redactActivity(activity) as Activity);
      } catch (err) {
        // Logged without the activity (it is the citizen's text) and not rethrown: a transcript
        // failure must not cost the citizen the answer.
        this.log.error({ err: errorFields(err), conversationId, type: activity.type }, 'transcript write failed');
      }
    })();
    const set = this.pending.get(conversationId) ?? new Set();
    set.add(write);
    this.pending.set(conversationId, set);
    void write.finally(() => {
      set.delete(write);
      if (set.size === 0 && this.pending.get(conversationId) === set) this.pending.delete(conversationId);
    });
    return write;
  }

  /** Resolves when every write for this conversation started so far has finished. */
  async settle(conversationId: string): Promise<void> {
    await Promise.all(this.pending.get(conversationId) ?? []);
  }
}

/**
 * A channel that keeps every activity of its conversations itself, as their one record (Direct Line:
 * the client polls them from the transcript's rows), so the transcript logger would write each twice.
 * It shows the citizen their own message only once it comes back from the server (Web Chat marks a
 * message unsent after 20 s without its echo, and holds a reply to it for 5 s). Deletion removes the
 * echo of the confirming message before the client may have read it, so the channel is asked to
 * deliver it again, ahead of the farewell; both are kept for delivery only (see `afterDeletion`).
 */
export interface KeepingAdapter {
  echoAgain(context: TurnContext): Promise<void>;
}

const keepsItsRecord = (adapter: unknown): adapter is KeepingAdapter => typeof (adapter as Partial<KeepingAdapter>).echoAgain === 'function';

const AFTER_DELETION = Symbol('padoms.afterDeletion');

/** Whether the conversation was deleted in this turn: what is sent now is not part of any record. */
export function afterDeletion(context: TurnContext): boolean {
  return context.turnState.get(AFTER_DELETION) === true;
}

export interface RecordingDeps {
  store: Pick<PadomsStore, 'transcripts' | 'deleteConversation' | 'recordHomeAgency'> & { turns: Pick<TurnTransactions, 'flush' | 'afterCommit'> };
  log: Logger;
  /**
   * Whose conversation the turn is (the agency the channel marked it with, or the default): the
   * first turn's is the conversation's home agency, by which retention keeps it.
   */
  agencyOf: (context: TurnContext) => string;
  now?: () => Date;
  /**
   * Whether the turn asked for its conversation to be deleted once it is over, and the farewell to
   * send after (dialogs/flows/deletion.ts; the conversation layer's, so passed in).
   */
  deletionRequested: (context: TurnContext) => Partial<Activity>[] | undefined;
}

/** Adds transcript recording (redacted) and deferred deletion to any adapter; returns the adapter. */
export function useRecordingMiddleware<A extends BotAdapter>(adapter: A, deps: RecordingDeps): A {
  const logger = new RedactingTranscriptLogger(deps.store.transcripts, deps.log);
  const homes = new HomeAgencies({ store: deps.store, log: deps.log, now: deps.now ?? (() => new Date()) });
  const deleteNow = async (context: TurnContext, conversationId: string, farewell: Partial<Activity>[]) => {
    const removed = await deps.store.deleteConversation(conversationId);
    homes.forget(conversationId);
    deps.log.info({ conversationId, removed }, "conversation deleted at the citizen's request");
    logger.unrecorded.add(conversationId);
    context.turnState.set(AFTER_DELETION, true);
    try {
      if (keepsItsRecord(context.adapter)) await context.adapter.echoAgain(context);
      if (farewell.length > 0) await context.sendActivities(farewell);
    } finally {
      logger.unrecorded.delete(conversationId);
    }
  };
  const afterTurn: Middleware = {
    async onTurn(context, next) {
      const conversationId = context.activity.conversation?.id ?? '';
      try {
        await next();
      } finally {
        // Once the turn ran, so the channel has marked it wherever it does; with the turn's writes,
        // even when it failed (they are kept); before a deletion, which removes it.
        if (conversationId !== '') await homes.record(context, conversationId, deps.agencyOf(context));
        await logger.settle(conversationId);
        const farewell = deps.deletionRequested(context);
        if (farewell !== undefined && conversationId !== '') {
          // After the turn's writes are committed: they would otherwise bring parts of it back.
          await deps.store.turns.flush(conversationId);
          await deleteNow(context, conversationId, farewell);
        }
      }
    },
  };
  // Registered first, so it runs around the transcript middleware and sees its writes started.
  adapter.use(afterTurn);
  if (!keepsItsRecord(adapter)) adapter.use(new TranscriptLoggerMiddleware(logger));
  return adapter;
}
