// How each database commits a turn's writes (see turn-batch.ts): SQLite's synchronously, in one
// transaction of its one connection; PostgreSQL's on one client of the pool.
import type Database from 'better-sqlite3';
import { guardSqlite } from './errors.js';
import type { PgDatabase, Queryable } from './postgres-pool.js';
import { TurnBatches } from './turn-batch.js';

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
