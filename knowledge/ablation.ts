// The knowledge base at the size staff really write: every entry and authority cut to its first N
// phrasings and N keywords per language (`npm run eval -- --phrasings N`). Intents and the conduct
// lexicon stay as they are: they are the product's, not each agency's.
import type { KnowledgeFiles } from './load.js';

type Localized = Partial<Record<string, string[]>>;

function firstOf(list: Localized, n: number): Localized {
  return Object.fromEntries(Object.entries(list).map(([language, items]) => [language, (items ?? []).slice(0, n)]));
}

export function withPhrasingsCut(files: KnowledgeFiles, n: number): KnowledgeFiles {
  const cut = <T extends { questions: Localized; keywords?: Localized | undefined }>(item: T): T => ({
    ...item,
    questions: firstOf(item.questions, n),
    ...(item.keywords === undefined ? {} : { keywords: firstOf(item.keywords, n) }),
  });
  return { ...files, entries: files.entries.map(cut), authorities: files.authorities.map(cut) };
}
