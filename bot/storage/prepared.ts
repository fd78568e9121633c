// Prepared statements, remembered per connection and SQL text: preparing a statement costs about
// half as much as running a small one, and a turn runs a dozen.
import type Database from 'better-sqlite3';

const byConnection = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/**
 * db.prepare(sql), once per connection. The statement is shared: callers must not change its mode
 * (pluck, raw, expand); prepare those themselves.
 */
export function prepared(db: Database.Database, sql: string): Database.Statement {
  let statements = byConnection.get(db);
  if (statements === undefined) byConnection.set(db, (statements = new Map()));
  let statement = statements.get(sql);
  if (statement === undefined) statements.set(sql, (statement = db.prepare(sql)));
  return statement;
}
