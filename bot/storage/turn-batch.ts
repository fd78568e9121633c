// One transaction per turn. What a turn asks a store to write (the citizen's activity, the replies,
// the transcript, the state, the outcome records) is queued while the turn runs and committed
// together when it ends, before the channel acknowledges the citizen's message. A turn is async and
// others interleave with it, so a database transaction cannot stay open across it; the writes wait
// in memory instead, queued under the turn's conversation (every one of them names it), and the store
// commits them at once. Writes for a conversation with no turn running (the staff side, retention,
// tools) are committed on the spot.
//
// Why by conversation and not by async context (AsyncLocalStorage): on Node 20 an async context
// puts a hook on every promise in the process; measured, it tripled the cost of an await, about a
// tenth of a turn's CPU. Two turns of one conversation at the same time (the citizen's and a staff
// member's message) share one batch, committed when the last of them ends.
export interface TurnTransactions {
  /**
   * Runs a turn of the conversation. What is written for it meanwhile is committed in one
   * transaction when the turn ends, also when it throws (the citizen's message stays kept); then
   * the steps queued with `afterCommit` run, in order. A turn of the same conversation already
   * running takes this one into its batch.
   */
  inTurn<T>(conversationId: string | undefined, turn: () => Promise<T>): Promise<T>;
  /**
   * Commits what the conversation's running turn has written so far, and runs the steps waiting for
   * it; the turn's later writes are committed at its end. For a turn that deletes its conversation:
   * the deletion must come after everything the turn wrote.
   */
  flush(conversationId: string): Promise<void>;
  /** While a turn of the conversation runs: `step` runs once its writes are committed. Otherwise: now. */
  afterCommit(conversationId: string, step: () => Promise<void>): Promise<void>;
}

interface Batch<Write> {
  writes: Write[];
  after: (() => Promise<void>)[];
  /** Turns of the conversation running in it. */
  turns: number;
  /** Settles when the batch is committed (its last turn waits for it, the others too). */
  committed: Promise<void>;
  commit: () => void;
  fail: (err: unknown) => void;
}

export class TurnBatches<Write> implements TurnTransactions {
  private readonly open = new Map<string, Batch<Write>>();

  /** `commit` writes the given writes, in order, in one transaction. */
  constructor(private readonly commit: (writes: readonly Write[]) => Promise<void>) {}

  /** Queues the write for the conversation's running turn, or commits it now when there is none. */
  async write(conversationId: string | null | undefined, write: Write): Promise<void> {
    const batch = conversationId == null ? undefined : this.open.get(conversationId);
    if (batch === undefined) await this.commit([write]);
    else batch.writes.push(write);
  }

  /** Whether a turn of the conversation is running: its writes are not yet visible to reads. */
  inBatch(conversationId: string | null | undefined): boolean {
    return conversationId != null && this.open.has(conversationId);
  }

  async inTurn<T>(conversationId: string | undefined, turn: () => Promise<T>): Promise<T> {
    if (conversationId === undefined) return turn();
    let batch = this.open.get(conversationId);
    if (batch === undefined) {
      let commit!: () => void;
      let fail!: (err: unknown) => void;
      const committed = new Promise<void>((resolve, reject) => ((commit = resolve), (fail = reject)));
      // Nobody may be waiting when it fails (a turn that threw first): the failure is theirs to see.
      committed.catch(() => undefined);
      batch = { writes: [], after: [], turns: 0, committed, commit, fail };
      this.open.set(conversationId, batch);
    }
    batch.turns++;
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await turn() };
    } catch (error) {
      outcome = { ok: false, error };
    }
    if (--batch.turns === 0) {
      this.open.delete(conversationId);
      try {
        await this.commitBatch(batch);
        batch.commit();
      } catch (err) {
        batch.fail(err);
      }
    }
    await batch.committed;
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  async flush(conversationId: string): Promise<void> {
    const batch = this.open.get(conversationId);
    if (batch !== undefined) await this.commitBatch(batch);
  }

  async afterCommit(conversationId: string, step: () => Promise<void>): Promise<void> {
    const batch = this.open.get(conversationId);
    if (batch === undefined) await step();
    else batch.after.push(step);
  }

  private async commitBatch(batch: Batch<Write>): Promise<void> {
    const writes = batch.writes.splice(0);
    const after = batch.after.splice(0);
    if (writes.length > 0) await this.commit(writes);
    for (const step of after) await step();
  }
}

/** For stores with nothing to commit and for tests: a turn's writes are made as they come. */
export const IMMEDIATE: TurnTransactions = {
  inTurn: (_conversationId, turn) => turn(),
  flush: async () => {},
  afterCommit: (_conversationId, step) => step(),
};
