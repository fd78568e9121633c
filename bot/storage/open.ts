// Chooses the store from configuration: PostgreSQL when DATABASE_URL is set, SQLite under DATA_DIR
// otherwise; memory only when asked for (tests, `npm run ask`).
import type { Logger } from '../log.js';
import { createMemoryStore } from './memory.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { PadomsStore, StorageKind } from './store.js';

export interface StoreConfig {
  DATA_DIR: string;
  DATABASE_URL?: string | undefined;
  /** The default agency: Direct Line conversations from before agencies are its. */
  AGENCY?: string | undefined;
}

export function storageKindFor(config: StoreConfig, requested?: StorageKind): StorageKind {
  return requested ?? (config.DATABASE_URL === undefined ? 'sqlite' : 'postgres');
}

/** `defaultAgency`: the installation's default agency, which adopts the records from before agencies. */
export function openStore(config: StoreConfig, options: { kind?: StorageKind; now?: () => Date; log: Logger; defaultAgency: string }): PadomsStore {
  const kind = storageKindFor(config, options.kind);
  const now = options.now ?? (() => new Date());
  const { log, defaultAgency } = options;
  switch (kind) {
    case 'memory':
      return createMemoryStore({ now });
    case 'sqlite':
      return openSqliteStore({ dataDir: config.DATA_DIR, now, log, defaultAgency });
    case 'postgres':
      if (config.DATABASE_URL === undefined) throw new Error('storage: postgres needs DATABASE_URL');
      return openPostgresStore({ url: config.DATABASE_URL, now, log, defaultAgency });
  }
}
