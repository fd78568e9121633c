// How each database commits a turn's writes (see turn-batch.ts): SQLite's synchronously, in one
// transaction of its one connection; PostgreSQL's on one client of the pool.
import type Database from 'better-sqlite3';
import { guardSqlite } from './errors.js';
import type { PgDatabase, Queryable } from './postgres-pool.js';
import { TurnBatches } from './turn-batch.js';

/** A write to SQLite: synchronous, made inside the commit's transaction. */
export type SqliteWrite = () => void;

export function sqliteBatches(db: Database.Database): TurnBatches<SqliteWrite> {
  const group = groupCommit(db);
  return new TurnBatches<SqliteWrite>((writes) => group(writes));
}

/** The turns waiting for the next commit, by database (every store of one database shares them). */
const groups = new WeakMap<Database.Database, Pending[]>();

interface Pending {
  writes: readonly SqliteWrite[];
  done: () => void;
  fail: (err: unknown) => void;
}

/**
 * Group commit: the turns that end in the same tick of the event loop are committed in one
 * transaction, each in a savepoint of its own (a turn whose writes fail rolls back alone). A commit
 * writes every page it touched to the write-ahead log; turns of one moment touch the same pages
 * (the transcript's, its indexes', the state's), so ten of them cost little more than one. Each
 * turn is still acknowledged only after the transaction holding its writes is committed.
 */
/** The error the store would have thrown for a write that failed on its own. */
function guardError(err: unknown): unknown {
  try {
    guardSqlite(() => {
      throw err;
    });
  } catch (guarded) {
    return guarded;
  }
  return err;
}

function groupCommit(db: Database.Database): (writes: readonly SqliteWrite[]) => Promise<void> {
  const commitGroup = (): void => {
    const pending = groups.get(db) ?? [];
    groups.delete(db);
    const failed = new Map<Pending, unknown>();
    try {
      guardSqlite(() =>
        db.transaction(() => {
          if (pending.length === 1) {
            for (const write of pending[0]!.writes) write();
            return;
          }
          for (const p of pending) {
            db.exec('SAVEPOINT turn');
            try {
              for (const write of p.writes) write();
              db.exec('RELEASE turn');
            } catch (err) {
              db.exec('ROLLBACK TO turn');
              db.exec('RELEASE turn');
              failed.set(p, err);
            }
          }
        })(),
      );
    } catch (err) {
      for (const p of pending) p.fail(err);
      return;
    }
    for (const p of pending) {
      const err = failed.get(p);
      if (err === undefined) p.done();
      else p.fail(guardError(err));
    }
  };
  return (writes) =>
    new Promise<void>((done, fail) => {
      let pending = groups.get(db);
      if (pending === undefined) {
        groups.set(db, (pending = []));
        setImmediate(commitGroup);
      }
      pending.push({ writes, done, fail });
    });
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
