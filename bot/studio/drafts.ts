// The knowledge studio's drafts (issue 22): entries as agency staff edit them, before they are
// published. A draft is one entry of one agency, a change to a published entry (or its removal),
// or a new one. The editor, the import and the unanswered inbox all make drafts; only publishing
// turns drafts into the knowledge the bot answers with. This file is the contract they share.
import type { KnowledgeEntry } from '../../knowledge/schema.js';

/** The staff member who made a change, as the audit shows it. */
export interface Author {
  id: string;
  name: string;
}

/** Where a draft came from: the editor, a row or element of an imported file, an inbox group. */
export type DraftOrigin = { kind: 'editor' } | { kind: 'import'; file: string; where: string } | { kind: 'inbox'; group: string };

export interface EntryDraft {
  agency: string;
  entryId: string;
  /**
   * The entry as edited. A draft may be saved before it validates (the editor shows kb:check's
   * problems beside the fields); publishing refuses one that does not.
   */
  entry: unknown;
  /** Publishing removes the entry. */
  remove: boolean;
  /** The published version the draft was started from; null for a new entry. */
  baseVersion: number | null;
  origin: DraftOrigin;
  author: Author;
  /** ISO time of the last save. */
  updatedAt: string;
}

export interface DraftInput {
  entryId: string;
  entry: unknown;
  remove?: boolean;
  baseVersion: number | null;
  origin: DraftOrigin;
}

/** An agency's drafts, kept in the store: every instance sees the same. */
export interface KnowledgeDrafts {
  list(agency: string): Promise<EntryDraft[]>;
  get(agency: string, entryId: string): Promise<EntryDraft | undefined>;
  /** Saves (replaces) the entry's draft. */
  save(agency: string, draft: DraftInput, author: Author, at: Date): Promise<EntryDraft>;
  /** Saves every draft or none (an import is never half done). */
  saveAll(agency: string, drafts: readonly DraftInput[], author: Author, at: Date): Promise<EntryDraft[]>;
  /** Drops the entry's draft; false when it had none. */
  discard(agency: string, entryId: string, author: Author, at: Date): Promise<boolean>;
}

/** The published entries with the agency's drafts applied: what the knowledge would be after publishing. */
export function withDrafts(published: readonly KnowledgeEntry[], drafts: readonly EntryDraft[]): unknown[] {
  const byId = new Map<string, unknown>(published.map((e) => [e.id, e]));
  for (const draft of drafts) {
    if (draft.remove) byId.delete(draft.entryId);
    else byId.set(draft.entryId, draft.entry);
  }
  return [...byId.values()];
}
