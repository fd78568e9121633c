// One transaction per turn. What a turn asks a store to write (the citizen's activity, the replies,
// the transcript, the state, the outcome records) is queued while the turn runs and committed
// together when it ends, before the channel acknowledges the citizen's message. A turn is async and
// others interleave with it, so a database transaction cannot stay open across it; the writes wait
// in memory instead, in the turn's own async context (AsyncLocalStorage), and the store commits them
// at once. Writes made outside a turn (the staff side, retention, tools) are committed on the spot.
import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';
import { guardSqlite } from './errors.js';
import type { PgDatabase, Queryable } from './pg.js';

export interface TurnTransactions {
  /**
   * Runs a turn. What is written to the store meanwhile is committed in one transaction when the turn
   * ends, also when it throws (the citizen's message stays kept); then the steps queued with
   * `afterCommit` run, in order. A turn started inside another is part of it.
   */
  inTurn<T>(turn: () => Promise<T>): Promise<T>;
  /**
   * Commits what the running turn has written so far, and runs the steps waiting for it; the turn's
   * later writes are committed at its end. For a turn that deletes its conversation: the deletion
   * must come after everything the turn wrote.
   */
  flush(): Promise<void>;
  /** Inside a turn: runs `step` once the turn's writes are committed. Outside one: now. */
  afterCommit(step: () => Promise<void>): Promise<void>;
}

interface Batch<Write> {
  writes: Write[];
  after: (() => Promise<void>)[];
  /** Committed: a write that comes later (work the turn left running) is made on its own. */
  closed: boolean;
}

export class TurnBatches<Write> implements TurnTransactions {
  private readonly current = new AsyncLocalStorage<Batch<Write>>();

  /** `commit` writes the given writes, in order, in one transaction. */
  constructor(private readonly commit: (writes: readonly Write[]) => Promise<void>) {}

  /** Queues the write for the running turn, or commits it now when there is none. */
  async write(write: Write): Promise<void> {
    const batch = this.open();
    if (batch === undefined) await this.commit([write]);
    else batch.writes.push(write);
  }

  /** Whether a turn is running here: its writes are not yet visible to reads. */
  get inBatch(): boolean {
    return this.open() !== undefined;
  }

  async inTurn<T>(turn: () => Promise<T>): Promise<T> {
    if (this.open() !== undefined) return turn();
    const batch: Batch<Write> = { writes: [], after: [], closed: false };
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await this.current.run(batch, turn) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    batch.closed = true;
    await this.commitBatch(batch);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  async flush(): Promise<void> {
    const batch = this.open();
    if (batch !== undefined) await this.commitBatch(batch);
  }

  async afterCommit(step: () => Promise<void>): Promise<void> {
    const batch = this.open();
    if (batch === undefined) await step();
    else batch.after.push(step);
  }

  private async commitBatch(batch: Batch<Write>): Promise<void> {
    const writes = batch.writes.splice(0);
    const after = batch.after.splice(0);
    if (writes.length > 0) await this.commit(writes);
    for (const step of after) await step();
  }

  private open(): Batch<Write> | undefined {
    const batch = this.current.getStore();
    return batch === undefined || batch.closed ? undefined : batch;
  }
}

/** For stores with nothing to commit and for tests: a turn's writes are made as they come. */
export const IMMEDIATE: TurnTransactions = {
  inTurn: (turn) => turn(),
  flush: async () => {},
  afterCommit: (step) => step(),
};

/** A write to SQLite: synchronous, made inside the commit's transaction. */
export type SqliteWrite = () => void;

export function sqliteBatches(db: Database.Database): TurnBatches<SqliteWrite> {
  return new TurnBatches<SqliteWrite>(async (writes) =>
    guardSqlite(() =>
      db.transaction(() => {
        for (const write of writes) write();
      })(),
    ),
  );
}

/** A write to PostgreSQL, given the commit's transaction. */
export type PostgresWrite = (q: Queryable) => Promise<unknown>;

export function postgresBatches(db: PgDatabase): TurnBatches<PostgresWrite> {
  return new TurnBatches<PostgresWrite>((writes) =>
    db.transaction(async (q) => {
      for (const write of writes) await write(q);
    }),
  );
}
