// Storage failures normalised at one boundary: every store turns "the database cannot be reached"
// into StorageUnavailableError, so the bot can tell the citizen "temporarily unavailable" (with the
// agency's contacts) instead of a generic error, and /readyz can name the failing check.

/** The database could not be reached or went away (connection refused, shut down, I/O failure). */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
  /**
   * Read by restify when a route handler fails with this error (e.g. Direct Line while the database
   * is down): the client gets 503, which it retries, instead of 500.
   */
  readonly statusCode = 503;
  readonly body = { code: 'ServiceUnavailable', message: 'temporarily unavailable' };
  constructor(
    readonly backend: 'sqlite' | 'postgres' | 'memory',
    options?: { cause?: unknown },
  ) {
    // The cause's message stays on `cause`: driver messages may quote SQL parameters.
    super(`storage unavailable (${backend})`, options);
  }
}

/** A botbuilder Storage write carried an eTag that is no longer current. */
export class StorageConflictError extends Error {
  override readonly name = 'StorageConflictError';
  constructor(readonly key: string) {
    super(`Storage: eTag conflict for key ${key}`);
  }
}

/** True for a StorageUnavailableError anywhere in the `cause` chain (botbuilder may wrap errors). */
export function isStorageUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    if (e instanceof StorageUnavailableError || (e instanceof Error && e.name === 'StorageUnavailableError')) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

// SQLSTATE classes and codes that mean "no usable connection": 08 connection exception,
// 57P01–57P03 shutdown / cannot connect now, 53300 too many connections.
// https://www.postgresql.org/docs/current/errcodes-appendix.html
const PG_UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOENT']);
// node-postgres reports pool/socket trouble as plain Errors without a code.
const PG_CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|Client was closed|Cannot use a pool after calling end/i;

export function isPostgresConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (PG_UNAVAILABLE_SQLSTATE.test(code) || SOCKET_CODES.has(code))) return true;
  if (err instanceof AggregateError) return err.errors.some(isPostgresConnectionError);
  return PG_CONNECTION_MESSAGES.test(err.message);
}

// better-sqlite3 codes for a database that is locked, read-only, full or failing on disk.
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|NOTADB|CORRUPT)/;

export function isSqliteUnavailableError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && SQLITE_UNAVAILABLE.test(code)) return true;
  return /database connection is not open/i.test(err.message);
}

/** Runs a better-sqlite3 call, turning "cannot use the database" into StorageUnavailableError. */
export function guardSqlite<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isSqliteUnavailableError(err)) throw new StorageUnavailableError('sqlite', { cause: err });
    throw err;
  }
}
