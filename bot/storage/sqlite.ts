// The embedded default store: one SQLite file under DATA_DIR (WAL), with versioned migrations
// that run at start. Holds bot state (botbuilder Storage with eTags) and the turn records.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Storage, StoreItems } from 'botbuilder';
import type { ClarifyChoice, Feedback, TurnOutcome, TurnRecords, UnansweredQuestion } from './records.js';
import type { LanguageCode } from '../../knowledge/schema.js';

const MIGRATIONS: string[] = [
  `CREATE TABLE state (key TEXT PRIMARY KEY, etag INTEGER NOT NULL, doc TEXT NOT NULL, updated_at TEXT NOT NULL);
   CREATE TABLE outcomes (id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, channel TEXT NOT NULL, language TEXT NOT NULL,
     kind TEXT NOT NULL, entry_id TEXT, authority_ids TEXT NOT NULL, at TEXT NOT NULL);
   CREATE INDEX outcomes_at ON outcomes(at);
   CREATE TABLE feedback (id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, entry_id TEXT NOT NULL, helpful INTEGER NOT NULL, at TEXT NOT NULL);
   CREATE TABLE unanswered (id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, text TEXT NOT NULL, reason TEXT NOT NULL,
     language TEXT NOT NULL, entry_id TEXT, at TEXT NOT NULL);
   CREATE INDEX unanswered_at ON unanswered(at);
   CREATE TABLE clarify_choices (id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, chosen_id TEXT, offered_ids TEXT NOT NULL, at TEXT NOT NULL);`,
];

export function openDatabase(dataDir: string, file = 'padoms.sqlite'): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, file));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  MIGRATIONS.forEach((sql, i) => {
    const version = i + 1;
    if (applied.has(version)) return;
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, new Date().toISOString());
    })();
  });
}

/** botbuilder Storage on SQLite. eTags are counters: a write with a stale eTag is refused. */
export class SqliteStorage implements Storage {
  private readonly select: Database.Statement<[string], { etag: number; doc: string }>;
  constructor(private readonly db: Database.Database) {
    this.select = db.prepare('SELECT etag, doc FROM state WHERE key = ?');
  }

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    for (const key of keys) {
      const row = this.select.get(key);
      if (row) items[key] = { ...JSON.parse(row.doc), eTag: String(row.etag) };
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const [key, item] of Object.entries(changes)) {
        const { eTag, ...doc } = (item ?? {}) as { eTag?: string };
        const current = this.select.get(key);
        if (current && eTag !== undefined && eTag !== '*' && eTag !== String(current.etag)) {
          throw new Error(`Storage: eTag conflict for key ${key}`);
        }
        const next = (current?.etag ?? 0) + 1;
        this.db
          .prepare('INSERT INTO state (key, etag, doc, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET etag = excluded.etag, doc = excluded.doc, updated_at = excluded.updated_at')
          .run(key, next, JSON.stringify(doc), now);
      }
    })();
  }

  async delete(keys: string[]): Promise<void> {
    const del = this.db.prepare('DELETE FROM state WHERE key = ?');
    this.db.transaction(() => keys.forEach((k) => del.run(k)))();
  }
}

export class SqliteRecords implements TurnRecords {
  constructor(private readonly db: Database.Database) {}

  async outcome(o: TurnOutcome): Promise<void> {
    this.db
      .prepare('INSERT INTO outcomes (conversation_id, channel, language, kind, entry_id, authority_ids, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(o.conversationId, o.channel, o.language, o.kind, o.entryId ?? null, JSON.stringify(o.authorityIds), o.at.toISOString());
  }

  async feedback(f: Feedback): Promise<void> {
    this.db
      .prepare('INSERT INTO feedback (conversation_id, entry_id, helpful, at) VALUES (?, ?, ?, ?)')
      .run(f.conversationId, f.entryId, f.helpful ? 1 : 0, f.at.toISOString());
  }

  async unanswered(u: UnansweredQuestion): Promise<void> {
    this.db
      .prepare('INSERT INTO unanswered (conversation_id, text, reason, language, entry_id, at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(u.conversationId, u.text, u.reason, u.language, u.entryId ?? null, u.at.toISOString());
  }

  async clarifyChoice(c: ClarifyChoice): Promise<void> {
    this.db
      .prepare('INSERT INTO clarify_choices (conversation_id, chosen_id, offered_ids, at) VALUES (?, ?, ?, ?)')
      .run(c.conversationId, c.chosenId, JSON.stringify(c.offeredIds), c.at.toISOString());
  }

  async listUnanswered(since: Date): Promise<UnansweredQuestion[]> {
    const rows = this.db
      .prepare('SELECT conversation_id, text, reason, language, entry_id, at FROM unanswered WHERE at >= ? ORDER BY at')
      .all(since.toISOString()) as { conversation_id: string; text: string; reason: UnansweredQuestion['reason']; language: string; entry_id: string | null; at: string }[];
    return rows.map((r) => ({
      conversationId: r.conversation_id,
      text: r.text,
      reason: r.reason,
      language: r.language as LanguageCode,
      ...(r.entry_id === null ? {} : { entryId: r.entry_id }),
      at: new Date(r.at),
    }));
  }
}
