// Publishing in the knowledge studio (issue 22): an agency's drafts become versions of its entries,
// checked first by kb:check's own code (knowledge/load.ts), and every instance then rebuilds the
// agency's knowledge from the store's latest versions. An agency whose store holds no versions
// serves its files; its first publish seeds version 1 of every entry of the files, so history
// starts from them. A rollback is a new version equal to an older one.
import { loadKnowledgeFiles, type LoadResult, type NamedEntry, type Problem, type SharedFiles } from '../../knowledge/load.js';
import type { KnowledgeEntry } from '../../knowledge/schema.js';
import type { Author, EntryDraft, KnowledgeDrafts } from './drafts.js';
import { VersionConflictError, type EntryVersion, type KnowledgeVersions, type VersionToWrite } from './store.js';

/** Where publishing announces "this agency's knowledge changed": every instance listens. */
export const KNOWLEDGE_CHANNEL = 'knowledge_published';

/** An entry as served now: its content and version (the files' entries count as version 1, as their seed will be). */
export interface PublishedEntry {
  entry: KnowledgeEntry | unknown;
  version: number;
}

export interface PublishedKnowledge {
  /** The store holds versions for the agency (else its files serve). */
  fromStore: boolean;
  /** Entries served, by id (removed ones left out). */
  entries: Map<string, PublishedEntry>;
  /** The latest version of every entry ever published, removals included (empty for files). */
  latest: Map<string, number>;
  /** The store's revision of the agency's knowledge when it was read (a publish checked against it writes only if it is still the latest). */
  revision: number;
  /**
   * The agency's files do not load (a bad edit; the registry serves what it served before): their
   * problems. Nothing is published or seeded from them until they are fixed, or the first publish
   * would seed no entries and serve the agency from the drafts alone.
   */
  refused?: Problem[];
}

export type PublishResult =
  | { kind: 'published'; versions: EntryVersion[] }
  /** Nothing to publish: no drafts (or none of those named). */
  | { kind: 'nothing' }
  /** The knowledge would not validate: kb:check's problems, by entry and field. */
  | { kind: 'invalid'; problems: Problem[] }
  /** These entries changed since their drafts were started (or another publish came first): reload, save again, publish. */
  | { kind: 'conflict'; entryIds: string[] }
  | { kind: 'not-found' };

export interface StudioPublishingDeps {
  store: KnowledgeDrafts & KnowledgeVersions;
  knowledgeDir: string;
  /** The shared files as the registry last read them (authorities, intents: ids an entry must not take). */
  sharedFiles: () => SharedFiles;
  /** Serves the agency from these published entries (undefined: from its files); the registry's usePublished. */
  serve: (agency: string, entries: readonly NamedEntry[] | undefined) => void;
  /** Tells every other instance that the agency's knowledge changed (the store's publish). */
  announce: (agency: string) => Promise<void>;
  now: () => Date;
}

export class StudioPublishing {
  constructor(private readonly deps: StudioPublishingDeps) {}

  /** The agency's knowledge as published: the store's latest versions, or its files'. */
  async published(agency: string): Promise<PublishedKnowledge> {
    // The revision before the versions: a publish in between makes this one's write conflict, never
    // pass against versions older than the revision it names.
    const revision = await this.deps.store.revision(agency);
    const latest = await this.deps.store.latest(agency);
    if (latest.length > 0) {
      return {
        fromStore: true,
        entries: new Map(latest.filter((v) => v.entry !== null).map((v) => [v.entryId, { entry: v.entry, version: v.version }])),
        latest: new Map(latest.map((v) => [v.entryId, v.version])),
        revision,
      };
    }
    const files = loadKnowledgeFiles({ knowledgeDir: this.deps.knowledgeDir, agency, today: this.deps.now(), shared: this.deps.sharedFiles() });
    if (!files.ok) return { fromStore: false, entries: new Map(), latest: new Map(), revision, refused: files.problems.filter((p) => p.severity === 'error') };
    return { fromStore: false, entries: new Map(files.files.entries.map((e) => [e.id, { entry: e, version: 1 }])), latest: new Map(), revision };
  }

  /** Checks the agency's knowledge made of these entries, as kb:check checks its files. */
  check(agency: string, entries: readonly NamedEntry[]): Problem[] {
    const result = loadKnowledgeFiles({ knowledgeDir: this.deps.knowledgeDir, agency, today: this.deps.now(), shared: this.deps.sharedFiles(), entries });
    return result.problems;
  }

  /** The published entries with the drafts applied, as named entries (what publishing them would serve). */
  static applied(published: PublishedKnowledge, drafts: readonly Pick<EntryDraft, 'entryId' | 'entry' | 'remove'>[]): NamedEntry[] {
    const byId = new Map<string, unknown>([...published.entries].map(([id, p]) => [id, p.entry]));
    for (const d of drafts) {
      if (d.remove) byId.delete(d.entryId);
      else byId.set(d.entryId, d.entry);
    }
    return [...byId].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, entry]) => ({ id, entry }));
  }

  /** The agency's knowledge files with every draft of it published (what the preview decides with against drafts), or their problems. */
  async withDrafts(agency: string): Promise<LoadResult> {
    const [published, drafts] = await Promise.all([this.published(agency), this.deps.store.list(agency)]);
    const entries = StudioPublishing.applied(published, drafts);
    return loadKnowledgeFiles({ knowledgeDir: this.deps.knowledgeDir, agency, today: this.deps.now(), shared: this.deps.sharedFiles(), entries });
  }

  /** Publishes the agency's drafts (those of `ids`, or all), or says why not. */
  async publish(agency: string, ids: readonly string[] | undefined, author: Author): Promise<PublishResult> {
    const all = await this.deps.store.list(agency);
    const drafts = ids === undefined ? all : all.filter((d) => ids.includes(d.entryId));
    if (drafts.length === 0) return { kind: 'nothing' };
    const published = await this.published(agency);
    if (published.refused) return { kind: 'invalid', problems: published.refused };
    // A draft started from a version someone has since replaced would undo their change unseen; a
    // draft of a "new" entry whose id has come to exist meanwhile, likewise.
    const stale = drafts.filter((d) => d.baseVersion !== this.after(published, d.entryId)).map((d) => d.entryId);
    if (stale.length > 0) return { kind: 'conflict', entryIds: stale };
    const problems = this.check(agency, StudioPublishing.applied(published, drafts)).filter((p) => p.severity === 'error');
    if (problems.length > 0) return { kind: 'invalid', problems };
    const removedUnknown = drafts.filter((d) => d.remove && !published.entries.has(d.entryId));
    const versions: VersionToWrite[] = [
      ...this.seed(published),
      ...drafts
        // Removing an entry that is not served is only dropping the draft.
        .filter((d) => !removedUnknown.includes(d))
        .map((d) => ({
          entryId: d.entryId,
          entry: d.remove ? null : d.entry,
          after: this.after(published, d.entryId),
          action: 'published' as const,
          draftSavedAt: d.updatedAt,
        })),
    ];
    return this.write(agency, versions, author, published.revision, async () => {
      for (const d of removedUnknown) await this.deps.store.discard(agency, d.entryId, author, this.deps.now());
    });
  }

  /** A new version of the entry equal to an older one (a removal when that one was). */
  async rollback(agency: string, entryId: string, toVersion: number, author: Author): Promise<PublishResult> {
    const published = await this.published(agency);
    const target = published.fromStore ? (await this.deps.store.versions(agency, entryId)).find((v) => v.version === toVersion) : undefined;
    if (target === undefined) return { kind: 'not-found' };
    const entries = StudioPublishing.applied(published, [{ entryId, entry: target.entry, remove: target.entry === null }]);
    const problems = this.check(agency, entries).filter((p) => p.severity === 'error');
    if (problems.length > 0) return { kind: 'invalid', problems };
    return this.write(agency, [{ entryId, entry: target.entry, after: this.after(published, entryId), action: 'rolled-back' }], author, published.revision);
  }

  /** Serves the agency from the store's latest versions (or its files, when it has none): at start, and when told of a publish. */
  async refresh(agency: string): Promise<void> {
    const latest = await this.deps.store.latest(agency);
    this.deps.serve(agency, latest.length === 0 ? undefined : latest.filter((v) => v.entry !== null).map((v) => ({ id: v.entryId, entry: v.entry })));
  }

  private async write(agency: string, versions: VersionToWrite[], author: Author, revision: number, after?: () => Promise<void>): Promise<PublishResult> {
    let written: EntryVersion[];
    try {
      written = await this.deps.store.write(agency, versions, author, this.deps.now(), revision);
    } catch (err) {
      if (err instanceof VersionConflictError) return { kind: 'conflict', entryIds: err.entryIds };
      throw err;
    }
    await after?.();
    // Live here before the answer; every other instance when it hears.
    await this.refresh(agency);
    await this.deps.announce(agency);
    return { kind: 'published', versions: written.filter((v) => v.author.id === author.id) };
  }

  /** The version a new one of the entry follows: the store's latest; 1 for a files entry about to be seeded. */
  private after(published: PublishedKnowledge, entryId: string): number | null {
    if (published.fromStore) return published.latest.get(entryId) ?? null;
    return published.entries.has(entryId) ? 1 : null;
  }

  /** At an agency's first publish: version 1 of every entry of its files, written by "files". */
  private seed(published: PublishedKnowledge): VersionToWrite[] {
    if (published.fromStore) return [];
    return [...published.entries].map(([entryId, { entry }]) => ({ entryId, entry, after: null, action: 'seeded' as const }));
  }
}
