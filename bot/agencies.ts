// The agencies one installation serves: every folder under knowledge/agencies/ (or those AGENCIES
// lists), each with its own knowledge, reloaded when its files change. A folder that fails
// validation is refused with its problems while the others keep serving; a folder that appears is
// taken in, one that is removed stops being served. Nothing here knows what an agency says: that is
// its profile and entries.
import { existsSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { agencyDir, formatProblem, loadSharedFiles, type KnowledgeFiles, type NamedEntry, type SharedFiles } from '../knowledge/load.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import { AGENCY_FOLDER, type AgencyProfile } from '../knowledge/schema.js';
import { SharedAnalysis } from '../knowledge/shared.js';
import { KnowledgeLoadError, KnowledgeSource } from '../knowledge/source.js';
import type { Logger } from './log.js';

/** What the channels and the staff side read of the registry: live, since agencies come and go. */
export interface AgencyDirectory {
  readonly defaultId: string;
  /** The agencies served now, in folder-name order. */
  ids(): string[];
  has(id: string): boolean;
  profile(id: string): AgencyProfile | undefined;
}

export interface AgencyRegistryOptions {
  knowledgeDir: string;
  /** The default agency: the one a channel that names none speaks for. */
  defaultId: string;
  /** Serve only these folders (AGENCIES); default: every folder under agencies/. */
  only?: readonly string[];
  now: () => Date;
  /** What is built from each agency's files (eval's `--phrasings N`). */
  shape?: (files: KnowledgeFiles) => KnowledgeFiles;
  log: Logger;
}

export type AgencyChange = { kind: 'added' | 'removed' | 'reloaded'; id: string };

/** How long a served agency's folder must stay gone before the agency stops being served. */
const REMOVAL_PAUSE_MS = 2_000;

export class AgencyRegistry implements AgencyDirectory {
  private readonly served = new Map<string, KnowledgeSource>();
  /**
   * The files every agency shares, read once for all of them and again when one changes, and what
   * is built from them alike (a match layer, the vote's basis), built once: an agency costs only
   * what its own entries do (measured with 50 generated agencies of 30 entries: see bench/kb-agencies.ts).
   */
  private sharedFiles: SharedFiles;
  readonly sharedAnalysis = new SharedAnalysis();
  /** Folders that failed validation, with their problems (shown by /readyz and the log). */
  readonly refused = new Map<string, string[]>();
  private readonly listeners = new Set<(change: AgencyChange) => void>();
  /** Agencies whose folder went missing, waiting to be sure it stays gone. */
  private readonly removals = new Map<string, NodeJS.Timeout>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Folders whose files changed since the last reload; `*`: a shared file (authorities, intents…). */
  private readonly dirty = new Set<string>();
  /**
   * The entries each agency published in the knowledge studio, where it has: they replace its
   * entries folder (its profile still comes from the folder).
   */
  private readonly published = new Map<string, readonly NamedEntry[]>();

  /** Loads every agency; throws KnowledgeLoadError when not one of them can be served. */
  constructor(private readonly options: AgencyRegistryOptions) {
    this.sharedFiles = loadSharedFiles(options.knowledgeDir);
    const problems = [];
    for (const id of this.folders()) {
      const loaded = this.load(id);
      if (loaded !== undefined) problems.push(...loaded.problems);
    }
    if (this.served.size === 0) throw new KnowledgeLoadError(problems);
    if (!this.served.has(options.defaultId)) {
      options.log.error({ agency: options.defaultId }, 'the default agency is not served: channels that name no agency are refused until it is');
    }
  }

  /**
   * The configured default agency, served or not: a channel that names no agency must never get
   * another agency's bot, and rows from before agencies are adopted by it alone.
   */
  get defaultId(): string {
    return this.options.defaultId;
  }

  ids(): string[] {
    return [...this.served.keys()].sort();
  }

  has(id: string): boolean {
    return this.served.has(id);
  }

  /** The agency's knowledge now, or undefined when it is not served. */
  knowledge(id: string): Knowledge | undefined {
    return this.served.get(id)?.current;
  }

  profile(id: string): AgencyProfile | undefined {
    return this.knowledge(id)?.profile;
  }

  /**
   * The agency's published entries from the studio's store (undefined: none, its files' entries
   * serve): the agency is rebuilt from them now, conversations under way keep going. Returns
   * whether the agency now serves them; on problems it keeps its previous knowledge.
   */
  usePublished(id: string, entries: readonly NamedEntry[] | undefined): boolean {
    if (entries === undefined) this.published.delete(id);
    else this.published.set(id, entries);
    if (!this.wanted(id)) return false;
    const source = this.served.get(id);
    if (source === undefined) {
      // A folder refused for its files' entries may be served from the published ones.
      if (!existsSync(agencyDir(this.options.knowledgeDir, id)) || this.load(id) !== undefined) return false;
      this.emit({ kind: 'added', id });
      return true;
    }
    const reloaded = source.reload();
    if (reloaded) this.emit({ kind: 'reloaded', id });
    return reloaded;
  }

  /** The shared files as last read for every agency (authorities, intents, the vote's examples). */
  shared(): SharedFiles {
    return this.sharedFiles;
  }

  /** Whether the agency answers from the studio's published entries rather than its entries folder. */
  servesPublished(id: string): boolean {
    return this.published.has(id);
  }

  /** Told when an agency is taken in, reloaded or stops being served. Returns an unsubscribe function. */
  onChange(listener: (change: AgencyChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Watches the knowledge folder once for every agency. An edit in an agency's folder reloads that
   * agency; an edit of the shared files (authorities, intents, conduct, frames) reloads all of them;
   * bursts of events (editors save in steps) reload once.
   */
  watch(debounceMs = 250): void {
    if (this.watcher) return;
    this.watcher = watch(this.options.knowledgeDir, { recursive: true }, (_event, file) => {
      if (!file) return;
      const parts = String(file).split(path.sep);
      if (parts[0] === 'agencies') {
        const id = parts[1];
        // The folder itself (created, renamed, removed) or a YAML file in it.
        if (id === undefined || (parts.length > 2 && !/\.ya?ml$/.test(String(file)))) return;
        this.dirty.add(id);
      } else if (/\.ya?ml$/.test(String(file))) {
        this.dirty.add('*');
      } else {
        return;
      }
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.reloadDirty(), debounceMs);
    });
  }

  /** Reloads what changed on disk since the last time. */
  private reloadDirty(): void {
    const shared = this.dirty.has('*');
    const ids = shared ? new Set([...this.served.keys(), ...this.folders()]) : new Set(this.dirty);
    this.dirty.clear();
    // Read once for every agency; each then keeps its last knowledge if they are now invalid.
    if (shared) this.sharedFiles = loadSharedFiles(this.options.knowledgeDir);
    for (const id of ids) this.refresh(id);
  }

  close(): void {
    clearTimeout(this.timer);
    for (const timer of this.removals.values()) clearTimeout(timer);
    this.removals.clear();
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** The folders that may be served: those under agencies/, less any AGENCIES leaves out. */
  private folders(): string[] {
    const root = path.join(this.options.knowledgeDir, 'agencies');
    const present = existsSync(root)
      ? readdirSync(root, { withFileTypes: true })
          .filter((d) => d.isDirectory() && AGENCY_FOLDER.test(d.name))
          .map((d) => d.name)
      : [];
    // A listed agency without a folder is named as refused, not silently skipped.
    return this.options.only === undefined ? present.sort() : [...this.options.only];
  }

  private wanted(id: string): boolean {
    return this.options.only === undefined ? AGENCY_FOLDER.test(id) : this.options.only.includes(id);
  }

  /** Takes an agency in; on problems it is refused. Returns the error when refused. */
  private load(id: string): KnowledgeLoadError | undefined {
    try {
      const source = new KnowledgeSource(
        {
          knowledgeDir: this.options.knowledgeDir,
          agency: id,
          now: this.options.now,
          ...(this.options.shape ? { shape: this.options.shape } : {}),
          sharedFiles: () => this.sharedFiles,
          sharedAnalysis: this.sharedAnalysis,
          published: () => this.published.get(id),
        },
        this.options.log.child({ agency: id }),
      );
      this.served.set(id, source);
      this.refused.delete(id);
      return undefined;
    } catch (err) {
      if (!(err instanceof KnowledgeLoadError)) throw err;
      const problems = err.problems.filter((p) => p.severity === 'error').map(formatProblem);
      this.refused.set(id, problems);
      // Problems name files and fields of the knowledge folder, never anything a citizen wrote.
      this.options.log.error({ agency: id, problems }, 'agency refused: its knowledge is invalid; the other agencies keep serving');
      return err;
    }
  }

  private refresh(id: string): void {
    if (!this.wanted(id)) return;
    const source = this.served.get(id);
    const folderExists = existsSync(agencyDir(this.options.knowledgeDir, id));
    if (source !== undefined && !folderExists) {
      // A deploy may delete a folder and copy it back: only a folder still gone after a pause is
      // taken away (its widget stops then; its stored conversations and records are left to retention).
      if (this.removals.has(id)) return;
      const timer = setTimeout(() => {
        this.removals.delete(id);
        if (existsSync(agencyDir(this.options.knowledgeDir, id)) || !this.served.has(id)) return;
        this.served.delete(id);
        this.options.log.warn({ agency: id }, 'agency folder removed: no longer served');
        this.emit({ kind: 'removed', id });
      }, REMOVAL_PAUSE_MS);
      timer.unref();
      this.removals.set(id, timer);
    } else if (source !== undefined) {
      if (source.reload()) this.emit({ kind: 'reloaded', id });
    } else if (folderExists && this.load(id) === undefined) {
      this.options.log.info({ agency: id }, 'agency taken in');
      this.emit({ kind: 'added', id });
    } else if (!folderExists) {
      this.refused.delete(id);
    }
  }

  private emit(change: AgencyChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
