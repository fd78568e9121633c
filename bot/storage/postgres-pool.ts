// A PostgreSQL connection pool for the stores: migrations applied before the first query (and
// retried while the database is down), errors normalised, transactions, and LISTEN/NOTIFY on one
// dedicated connection that reconnects by itself.
import pg from 'pg';
import { errorFields, type Logger } from '../log.js';
import { StorageUnavailableError, isPostgresConnectionError } from './errors.js';
import { assertChannel, type Notification, type Unsubscribe } from './store.js';

export interface Queryable {
  query<R extends object = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[]; rowCount: number }>;
}

export interface PgDatabaseOptions {
  url: string;
  /** SQL scripts, applied in order once each; version = index + 1 (an empty one is only recorded). */
  migrations: readonly string[];
  /** Run first, in the same transaction: brings an older database's bookkeeping into schema_migrations. */
  adopt?: string;
  /**
   * Run after the migrations, in the same transaction, at every start: what depends on this
   * instance's configuration (the default agency adopting records from before agencies).
   */
  afterMigrations?: (q: Queryable) => Promise<void>;
  log: Logger;
  /** Connections per instance. */
  maxConnections?: number;
  /** How long a query waits for a connection before the database counts as unreachable. */
  connectTimeoutMs?: number;
}

// Any constant shared by all instances: only one of them migrates at a time.
const MIGRATION_LOCK_KEY = 4_711_001;
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5_000;

export class PgDatabase implements Queryable {
  readonly pool: pg.Pool;
  private migrated: Promise<void> | undefined;
  private closed = false;
  private readonly listeners = new Map<string, Set<(n: Notification) => void>>();
  private listenClient: Promise<pg.Client> | undefined;
  private current: pg.Client | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay = RECONNECT_MIN_MS;

  constructor(private readonly options: PgDatabaseOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 3_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      // A query that hangs (a network black hole) fails instead of holding the citizen's turn.
      query_timeout: 15_000,
      application_name: 'padoms',
    });
    // Idle connections die when the server restarts; without a listener that would crash the
    // process. The pool drops them and opens new ones on the next query.
    this.pool.on('error', (err) => options.log.warn({ err: errorFields(err) }, 'idle connection lost'));
  }

  async query<R extends object = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<{ rows: R[]; rowCount: number }> {
    await this.ensureMigrated();
    return this.raw<R>(this.pool, text, params);
  }

  /** Runs `fn` in one transaction (READ COMMITTED); rolled back if it throws. */
  async transaction<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    await this.ensureMigrated();
    const client = await this.connect();
    let broken = false;
    try {
      await this.raw(client, 'BEGIN');
      const result = await fn({ query: (text, params = []) => this.raw(client, text, params) });
      await this.raw(client, 'COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection is gone: do not give it back to the pool
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async notify(channel: string, payload: string, q: Queryable = this): Promise<void> {
    assertChannel(channel);
    await q.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  /** LISTEN on the shared listening connection; resolves once the server confirmed it. */
  async listen(channel: string, listener: (n: Notification) => void): Promise<Unsubscribe> {
    assertChannel(channel);
    const set = this.listeners.get(channel) ?? new Set();
    const first = set.size === 0;
    set.add(listener);
    this.listeners.set(channel, set);
    try {
      const client = await this.listenConnection();
      if (first) await this.raw(client, `LISTEN "${channel}"`);
    } catch (err) {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(channel);
      throw err;
    }
    return async () => {
      set.delete(listener);
      if (set.size > 0 || this.listeners.get(channel) !== set) return;
      this.listeners.delete(channel);
      const client = await this.listenClient?.catch(() => undefined);
      await client?.query(`UNLISTEN "${channel}"`).catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = await this.listenClient?.catch(() => undefined);
    this.listenClient = undefined;
    await client?.end().catch(() => undefined);
    await this.pool.end();
  }

  /** Applies pending migrations once; a failure (database down) is retried by the next caller. */
  private ensureMigrated(): Promise<void> {
    this.migrated ??= this.migrate().catch((err: unknown) => {
      this.migrated = undefined;
      throw err;
    });
    return this.migrated;
  }

  private async migrate(): Promise<void> {
    const client = await this.connect();
    let broken = false;
    try {
      await this.raw(client, 'BEGIN');
      await this.raw(client, 'SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await this.raw(client, 'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      if (this.options.adopt) await this.raw(client, this.options.adopt);
      const { rows } = await this.raw<{ version: number }>(client, 'SELECT version FROM schema_migrations');
      const applied = new Set(rows.map((r) => r.version));
      for (const [i, sql] of this.options.migrations.entries()) {
        if (applied.has(i + 1)) continue;
        if (sql.trim() !== '') await this.raw(client, sql);
        await this.raw(client, 'INSERT INTO schema_migrations (version) VALUES ($1)', [i + 1]);
        this.options.log.info({ version: i + 1 }, 'migration applied');
      }
      await this.options.afterMigrations?.({ query: (text, params = []) => this.raw(client, text, params) });
      await this.raw(client, 'COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /**
   * A client of the pool, for a transaction. The pool listens for a connection's errors only while
   * the client is idle in it: a server gone between two statements of a transaction would emit an
   * 'error' nobody hears, and that stops the process. Until its release the client has a listener
   * here; the statement that fails next says what happened.
   */
  private async connect(): Promise<pg.PoolClient> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw normalise(err);
    }
    const lost = (err: Error) => this.options.log.warn({ err: errorFields(err) }, 'connection lost in a transaction');
    client.on('error', lost);
    const release = client.release.bind(client);
    client.release = (broken?: boolean | Error) => {
      client.removeListener('error', lost);
      release(broken);
    };
    return client;
  }

  private async raw<R extends object = Record<string, unknown>>(
    target: pg.Pool | pg.PoolClient | pg.Client,
    text: string,
    params: unknown[] = [],
  ): Promise<{ rows: R[]; rowCount: number }> {
    try {
      const result = await target.query<R>(text, params);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } catch (err) {
      throw normalise(err);
    }
  }

  private listenConnection(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new StorageUnavailableError('postgres'));
    this.listenClient ??= this.openListenConnection().catch((err: unknown) => {
      this.listenClient = undefined;
      throw normalise(err);
    });
    return this.listenClient;
  }

  private async openListenConnection(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.options.url,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 3_000,
      keepAlive: true,
      application_name: 'padoms-listen',
    });
    let connected = false;
    let dropped = false;
    const drop = (err?: Error) => {
      // Before connect() resolved, its rejection reports the failure.
      if (!connected || dropped) return;
      dropped = true;
      if (err) this.options.log.warn({ err: errorFields(err) }, 'listening connection lost');
      void client.end().catch(() => undefined);
      if (this.current === client) {
        this.current = undefined;
        this.listenClient = undefined;
      }
      this.scheduleReconnect();
    };
    client.on('notification', (msg) => {
      const payload = msg.payload ?? '';
      for (const listener of this.listeners.get(msg.channel) ?? []) deliver(listener, { kind: 'message', payload });
    });
    client.on('error', (err) => drop(err));
    client.on('end', () => drop());
    try {
      await client.connect();
      for (const channel of this.listeners.keys()) await client.query(`LISTEN "${channel}"`);
    } catch (err) {
      void client.end().catch(() => undefined);
      throw err;
    }
    connected = true;
    this.current = client;
    return client;
  }

  /** After a lost connection: reconnect with backoff, re-LISTEN, and tell subscribers to re-read. */
  private scheduleReconnect(): void {
    if (this.closed || this.listeners.size === 0 || this.reconnectTimer !== undefined) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.listeners.size === 0) return;
      this.listenConnection().then(
        () => {
          this.reconnectDelay = RECONNECT_MIN_MS;
          this.options.log.info('listening again');
          for (const set of this.listeners.values()) for (const listener of set) deliver(listener, { kind: 'resync' });
        },
        () => {
          this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
          this.scheduleReconnect();
        },
      );
    }, this.reconnectDelay);
    this.reconnectTimer.unref();
  }
}

function deliver(listener: (n: Notification) => void, n: Notification): void {
  try {
    listener(n);
  } catch {
    // A subscriber's bug must not stop the others.
  }
}

function normalise(err: unknown): unknown {
  return isPostgresConnectionError(err) ? new StorageUnavailableError('postgres', { cause: err }) : err;
}
