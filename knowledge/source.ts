// The knowledge an agency answers from right now. A reload after an edit (the agency registry,
// bot/agencies.ts, watches the folder) takes effect without a restart; an invalid edit keeps the
// previous knowledge running and says why in the log.
import { loadKnowledgeFiles, formatProblem, type KnowledgeFiles, type LoadOptions, type NamedEntry, type Problem, type SharedFiles } from './load.js';
import { buildKnowledge, type Knowledge } from './knowledge.js';
import { DEFAULT_MATCHER_SETTINGS } from './matcher.js';
import type { SharedAnalysis } from './shared.js';

export class KnowledgeLoadError extends Error {
  constructor(readonly problems: Problem[]) {
    super(
      `Knowledge base is invalid:\n  ${problems
        .filter((p) => p.severity === 'error')
        .map(formatProblem)
        .join('\n  ')}`,
    );
    this.name = 'KnowledgeLoadError';
  }
}

export interface KnowledgeLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class KnowledgeSource {
  private knowledge: Knowledge;

  /** Loads the knowledge or throws KnowledgeLoadError listing every problem. */
  constructor(
    private readonly options: Omit<LoadOptions, 'today' | 'shared' | 'entries'> & {
      now: () => Date;
      /** What is built from the files as loaded (eval's ablation cuts the phrasings); default: all of them. */
      shape?: (files: KnowledgeFiles) => KnowledgeFiles;
      /**
       * The files every agency shares, as last read for all of them (the registry's); default: read
       * with the agency's, on every load.
       */
      sharedFiles?: () => SharedFiles;
      /** Where what every agency builds alike from them is kept; default: built for this agency alone. */
      sharedAnalysis?: SharedAnalysis;
      /**
       * The agency's entries as published in the knowledge studio's store, read at every load;
       * undefined (or none given): the entries folder's.
       */
      published?: () => readonly NamedEntry[] | undefined;
    },
    private readonly log: KnowledgeLog,
  ) {
    const loaded = this.load();
    if (!loaded.ok) throw new KnowledgeLoadError(loaded.problems);
    this.knowledge = loaded.knowledge;
  }

  get current(): Knowledge {
    return this.knowledge;
  }

  /** Reloads from disk; on problems keeps the running knowledge. Returns whether it changed. */
  reload(): boolean {
    const loaded = this.load();
    if (!loaded.ok) {
      this.log.error(
        { problems: loaded.problems.filter((p) => p.severity === 'error').map(formatProblem) },
        'knowledge edit rejected; the previous knowledge stays in use',
      );
      return false;
    }
    this.knowledge = loaded.knowledge;
    this.log.info({ entries: loaded.knowledge.entries.size, authorities: loaded.knowledge.authorities.size }, 'knowledge reloaded');
    return true;
  }

  private load(): { ok: true; knowledge: Knowledge } | { ok: false; problems: Problem[] } {
    const { knowledgeDir, agency, now, shape, sharedFiles, sharedAnalysis, published } = this.options;
    const entries = published?.();
    const result = loadKnowledgeFiles({
      knowledgeDir,
      agency,
      today: now(),
      ...(sharedFiles ? { shared: sharedFiles() } : {}),
      ...(entries === undefined ? {} : { entries }),
    });
    if (!result.ok) return result;
    for (const p of result.problems) this.log.warn({ problem: formatProblem(p) }, 'knowledge warning');
    return { ok: true, knowledge: buildKnowledge(shape?.(result.files) ?? result.files, DEFAULT_MATCHER_SETTINGS, sharedAnalysis) };
  }
}
