// The knowledge studio's store (issue 22): each agency's drafts, the published versions of its
// entries and the audit of every change, in the tables of bot/storage/migrations.ts, with the same
// SQL on SQLite and PostgreSQL (through the staff side's runner, bot/handover/sql-repository.ts).
// Entries are kept as JSON text, as written: a version comes back with its keys in their order.
import type { SqlRunner, Statement } from '../handover/sql-repository.js';
import type { Author, DraftInput, DraftOrigin, EntryDraft, KnowledgeDrafts } from './drafts.js';

/** One published version of an entry: `entry` null is a removal (the entry is no longer served). */
export interface EntryVersion {
  agency: string;
  entryId: string;
  /** 1, 2, … per entry. */
  version: number;
  entry: unknown;
  author: Author;
  /** ISO time of publishing. */
  at: string;
}

export type AuditAction = 'draft-saved' | 'draft-discarded' | 'published' | 'rolled-back' | 'seeded';

/** One change to an agency's knowledge, as the audit keeps it. */
export interface AuditEvent {
  agency: string;
  entryId: string;
  action: AuditAction;
  /** The version a publish, rollback or seed wrote. */
  version: number | null;
  author: Author;
  at: string;
}

/** A version to write: the entry (null: a removal), and the version it must follow (null: the entry has none yet). */
export interface VersionToWrite {
  entryId: string;
  entry: unknown;
  after: number | null;
  action: Extract<AuditAction, 'published' | 'rolled-back' | 'seeded'>;
  /** The draft this version publishes, dropped in the same transaction (as last saved, so a later save stays). */
  draftSavedAt?: string;
}

/** Why a publish did not write: another publish wrote a version of one of the entries first. */
export class VersionConflictError extends Error {
  constructor(readonly entryIds: string[]) {
    super('a newer version was published meanwhile');
    this.name = 'VersionConflictError';
  }
}

/** The versions and audit side of the studio's store (the drafts are the shared contract, drafts.ts). */
export interface KnowledgeVersions {
  /** The agencies whose store holds published versions. */
  publishedAgencies(): Promise<string[]>;
  /** The latest version of each of the agency's entries (removals included), in id order. */
  latest(agency: string): Promise<EntryVersion[]>;
  /** Every version of one entry, oldest first. */
  versions(agency: string, entryId: string): Promise<EntryVersion[]>;
  /**
   * Writes the versions, each following the one named (else VersionConflictError, nothing written),
   * drops the drafts they publish and records each in the audit: all in one transaction.
   */
  write(agency: string, versions: readonly VersionToWrite[], author: Author, at: Date, revision?: number): Promise<EntryVersion[]>;
  /**
   * How many writes the agency's knowledge has had. A write given the revision it was checked at
   * fails (VersionConflictError) when another came first, whichever entries it changed: two
   * publishes each valid alone (one removes an entry the other's follow-up names) cannot both land.
   */
  revision(agency: string): Promise<number>;
  /** The audit of the agency, newest first; of one entry when named. */
  audit(agency: string, entryId?: string, limit?: number): Promise<AuditEvent[]>;
  /** The last change to each of the agency's entries (what the entries list shows). */
  lastChanges(agency: string): Promise<Map<string, AuditEvent>>;
}

type Raw = string | number | Date | null;
const iso = (v: Raw): string => (v instanceof Date ? v.toISOString() : String(v));
const json = (v: Raw): unknown => (v === null ? null : JSON.parse(String(v)));

interface DraftRow {
  agency: string;
  entry_id: string;
  entry: Raw;
  removal: number | boolean;
  base_version: number | null;
  origin: Raw;
  author_id: string;
  author_name: string;
  updated_at: Raw;
}
interface VersionRow {
  agency: string;
  entry_id: string;
  version: number | string;
  entry: Raw;
  author_id: string;
  author_name: string;
  at: Raw;
}
interface AuditRow {
  agency: string;
  entry_id: string;
  action: AuditAction;
  version: number | string | null;
  author_id: string;
  author_name: string;
  at: Raw;
}

const toDraft = (r: DraftRow): EntryDraft => ({
  agency: r.agency,
  entryId: r.entry_id,
  entry: json(r.entry),
  remove: Boolean(r.removal),
  baseVersion: r.base_version === null ? null : Number(r.base_version),
  origin: json(r.origin) as DraftOrigin,
  author: { id: r.author_id, name: r.author_name },
  updatedAt: iso(r.updated_at),
});
const toVersion = (r: VersionRow): EntryVersion => ({
  agency: r.agency,
  entryId: r.entry_id,
  version: Number(r.version),
  entry: json(r.entry),
  author: { id: r.author_id, name: r.author_name },
  at: iso(r.at),
});
const toAudit = (r: AuditRow): AuditEvent => ({
  agency: r.agency,
  entryId: r.entry_id,
  action: r.action,
  version: r.version === null ? null : Number(r.version),
  author: { id: r.author_id, name: r.author_name },
  at: iso(r.at),
});

const auditInsert = (agency: string, entryId: string, action: AuditAction, version: number | null, author: Author, at: string): Statement => ({
  sql: 'INSERT INTO knowledge_audit (agency, entry_id, action, version, author_id, author_name, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  params: [agency, entryId, action, version, author.id, author.name, at],
});

/** A primary key taken by a concurrent writer, in either dialect. */
const isKeyConflict = (err: unknown): boolean => {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return code === '23505' || (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT'));
};

export class SqlKnowledgeStore implements KnowledgeDrafts, KnowledgeVersions {
  constructor(private readonly sql: SqlRunner) {}

  async list(agency: string): Promise<EntryDraft[]> {
    return (await this.sql.all<DraftRow>('SELECT * FROM knowledge_drafts WHERE agency = ? ORDER BY entry_id', [agency])).map(toDraft);
  }

  async get(agency: string, entryId: string): Promise<EntryDraft | undefined> {
    const [row] = await this.sql.all<DraftRow>('SELECT * FROM knowledge_drafts WHERE agency = ? AND entry_id = ?', [agency, entryId]);
    return row && toDraft(row);
  }

  async save(agency: string, draft: DraftInput, author: Author, at: Date): Promise<EntryDraft> {
    const [saved] = await this.saveAll(agency, [draft], author, at);
    return saved!;
  }

  async saveAll(agency: string, drafts: readonly DraftInput[], author: Author, at: Date): Promise<EntryDraft[]> {
    const when = at.toISOString();
    const statements = drafts.flatMap((d): Statement[] => [
      { sql: 'DELETE FROM knowledge_drafts WHERE agency = ? AND entry_id = ?', params: [agency, d.entryId] },
      {
        sql: `INSERT INTO knowledge_drafts (agency, entry_id, entry, removal, base_version, origin, author_id, author_name, updated_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        params: [
          agency,
          d.entryId,
          d.remove ? null : JSON.stringify(d.entry ?? null),
          d.remove ? 1 : 0,
          d.baseVersion,
          JSON.stringify(d.origin),
          author.id,
          author.name,
          when,
        ],
      },
      auditInsert(agency, d.entryId, 'draft-saved', null, author, when),
    ]);
    if (statements.length > 0) await this.sql.batch(statements);
    return drafts.map((d) => ({
      agency,
      entryId: d.entryId,
      entry: d.remove ? null : (d.entry ?? null),
      remove: d.remove ?? false,
      baseVersion: d.baseVersion,
      origin: d.origin,
      author,
      updatedAt: when,
    }));
  }

  async discard(agency: string, entryId: string, author: Author, at: Date): Promise<boolean> {
    const [deleted] = await this.sql.batch([
      { sql: 'DELETE FROM knowledge_drafts WHERE agency = ? AND entry_id = ? RETURNING entry_id', params: [agency, entryId] },
      { ...auditInsert(agency, entryId, 'draft-discarded', null, author, at.toISOString()), ifRowsFrom: 0 },
    ]);
    return (deleted?.length ?? 0) > 0;
  }

  async publishedAgencies(): Promise<string[]> {
    return (await this.sql.all<{ agency: string }>('SELECT DISTINCT agency FROM knowledge_versions ORDER BY agency')).map((r) => r.agency);
  }

  async latest(agency: string): Promise<EntryVersion[]> {
    const rows = await this.sql.all<VersionRow>(
      `SELECT v.* FROM knowledge_versions v WHERE v.agency = ?
         AND v.version = (SELECT MAX(w.version) FROM knowledge_versions w WHERE w.agency = v.agency AND w.entry_id = v.entry_id)
       ORDER BY v.entry_id`,
      [agency],
    );
    return rows.map(toVersion);
  }

  async versions(agency: string, entryId: string): Promise<EntryVersion[]> {
    const rows = await this.sql.all<VersionRow>('SELECT * FROM knowledge_versions WHERE agency = ? AND entry_id = ? ORDER BY version', [agency, entryId]);
    return rows.map(toVersion);
  }

  async revision(agency: string): Promise<number> {
    const [row] = await this.sql.all<{ revision: number }>('SELECT revision FROM knowledge_heads WHERE agency = ?', [agency]);
    return row === undefined ? 0 : Number(row.revision);
  }

  async write(agency: string, versions: readonly VersionToWrite[], author: Author, at: Date, revision?: number): Promise<EntryVersion[]> {
    if (versions.length === 0) return [];
    const when = at.toISOString();
    // Each version must follow the entry's latest, counting those written before it here (a seed, then its first edit).
    const current = new Map<string, number | null>((await this.latest(agency)).map((v) => [v.entryId, v.version]));
    const stale: string[] = [];
    for (const v of versions) {
      if ((current.get(v.entryId) ?? null) !== v.after) stale.push(v.entryId);
      current.set(v.entryId, (v.after ?? 0) + 1);
    }
    if (stale.length > 0) throw new VersionConflictError(stale);
    const written = versions.map((v): EntryVersion => ({
      agency,
      entryId: v.entryId,
      version: (v.after ?? 0) + 1,
      entry: v.entry,
      author: v.action === 'seeded' ? FILES_AUTHOR : author,
      at: when,
    }));
    // The agency's head first: a row another write inserted or moved since `revision` fails the
    // insert (a key conflict) or matches no row (RETURNING none), and then nothing is written.
    const head: Statement[] =
      revision === undefined
        ? []
        : [
            revision === 0
              ? { sql: 'INSERT INTO knowledge_heads (agency, revision) VALUES (?, 1) RETURNING agency', params: [agency] }
              : { sql: 'UPDATE knowledge_heads SET revision = revision + 1 WHERE agency = ? AND revision = ? RETURNING agency', params: [agency, revision] },
          ];
    const statements = versions.flatMap((v, i): Statement[] => {
      const version = written[i]!;
      return [
        // A concurrent publish of the same entry takes the same key first: this whole transaction fails.
        {
          sql: 'INSERT INTO knowledge_versions (agency, entry_id, version, entry, author_id, author_name, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          params: [agency, v.entryId, version.version, v.entry === null ? null : JSON.stringify(v.entry), version.author.id, version.author.name, when],
        },
        ...(v.draftSavedAt === undefined
          ? []
          : [{ sql: 'DELETE FROM knowledge_drafts WHERE agency = ? AND entry_id = ? AND updated_at = ?', params: [agency, v.entryId, v.draftSavedAt] }]),
        auditInsert(agency, v.entryId, v.action, version.version, version.author, when),
      ];
    });
    try {
      const rows = await this.sql.batch([...head, ...statements.map((s) => (head.length > 0 ? { ...s, ifRowsFrom: 0 } : s))]);
      if (head.length > 0 && rows[0]!.length === 0) throw new VersionConflictError(versions.map((v) => v.entryId));
    } catch (err) {
      if (isKeyConflict(err)) throw new VersionConflictError(versions.map((v) => v.entryId));
      throw err;
    }
    return written;
  }

  async audit(agency: string, entryId?: string, limit = 100): Promise<AuditEvent[]> {
    const rows =
      entryId === undefined
        ? await this.sql.all<AuditRow>('SELECT * FROM knowledge_audit WHERE agency = ? ORDER BY id DESC LIMIT ?', [agency, limit])
        : await this.sql.all<AuditRow>('SELECT * FROM knowledge_audit WHERE agency = ? AND entry_id = ? ORDER BY id DESC LIMIT ?', [agency, entryId, limit]);
    return rows.map(toAudit);
  }

  async lastChanges(agency: string): Promise<Map<string, AuditEvent>> {
    const rows = await this.sql.all<AuditRow>(
      `SELECT a.* FROM knowledge_audit a WHERE a.agency = ?
         AND a.id = (SELECT MAX(b.id) FROM knowledge_audit b WHERE b.agency = a.agency AND b.entry_id = a.entry_id)`,
      [agency],
    );
    return new Map(rows.map((r) => [r.entry_id, toAudit(r)]));
  }

  async close(): Promise<void> {
    await this.sql.close();
  }
}

/** Who wrote the versions seeded from an agency's files at its first publish. */
export const FILES_AUTHOR: Author = { id: 'files', name: 'files' };
