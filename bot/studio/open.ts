// Opens the knowledge studio's store beside the app's: on the store's own SQLite connection, on the
// same PostgreSQL database (a small pool of its own, as the staff side has), or, for a memory store,
// an SQLite database in memory with the same migrations, so that one implementation serves all three.
import Database from 'better-sqlite3';
import type { Logger } from '../log.js';
import { postgresRunner, sqliteRunner } from '../handover/sql-repository.js';
import { POSTGRES_ADOPT_HANDOVER_TRACK, POSTGRES_MIGRATIONS } from '../storage/migrations.js';
import { PgDatabase } from '../storage/postgres-pool.js';
import { migrate, openDatabase } from '../storage/sqlite.js';
import type { PadomsStore } from '../storage/store.js';
import { SqlKnowledgeStore } from './store.js';

export function openKnowledgeStore(
  store: Pick<PadomsStore, 'kind' | 'sqlite'>,
  config: { DATA_DIR: string; DATABASE_URL?: string | undefined },
  log: Logger,
): SqlKnowledgeStore {
  switch (store.kind) {
    case 'memory': {
      const db = new Database(':memory:');
      migrate(db);
      return new SqlKnowledgeStore(sqliteRunner(db));
    }
    case 'sqlite':
      return new SqlKnowledgeStore(store.sqlite ? sqliteRunner(store.sqlite, { shared: true }) : sqliteRunner(openDatabase(config.DATA_DIR)));
    case 'postgres': {
      if (config.DATABASE_URL === undefined) throw new Error('studio: postgres needs DATABASE_URL');
      const db = new PgDatabase({ url: config.DATABASE_URL, migrations: POSTGRES_MIGRATIONS, adopt: POSTGRES_ADOPT_HANDOVER_TRACK, log, maxConnections: 2 });
      return new SqlKnowledgeStore(postgresRunner(db, true));
    }
  }
}
