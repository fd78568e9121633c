// The real knowledge and the questions the knowledge benchmarks ask (bench/kb.ts, bench/kb-agencies.ts):
// the dvi knowledge's phrasings and words, Latvian-like pseudo-words, and real questions altered the way
// citizens type. Everything comes from a seeded PRNG: the same questions on every run.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKnowledgeFiles, formatProblem, type KnowledgeFiles } from '../knowledge/load.js';
import { buildKnowledge } from '../knowledge/knowledge.js';
import type { MatchDocument } from '../knowledge/matcher.js';
import { fold, isStopword } from '../knowledge/normalise.js';
import { prng } from '../test/support/prng.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The timed questions and the warm-up's (another seed, so the timed run does not find every typo cached). */
export const QUERY_SEED = 20260401;
export const WARMUP_SEED = 777;
export const QUERY_COUNT = 2_000;
export const WARMUP_COUNT = 200;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness (prng from test/support/prng.ts)

export type Rand = () => number;
export const int = (rand: Rand, n: number): number => Math.floor(rand() * n);
export function pick<T>(rand: Rand, list: readonly T[]): T {
  const item = list[int(rand, list.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}
export function shuffle<T>(rand: Rand, list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = int(rand, i + 1);
    [list[i], list[j]] = [list[j] as T, list[i] as T];
  }
  return list;
}

// ---------------------------------------------------------------------------------------------
// The real knowledge

export interface RealKnowledge {
  /** The MatchDocuments the bot builds from the files (same as buildKnowledge). */
  entries: MatchDocument[];
  /** Authorities and intents: always in the index, whatever the number of entries. */
  others: MatchDocument[];
  /** Real question phrasings by language: templates for synthetic entries, sources for queries. */
  phrasings: { lv: string[]; en: string[] };
  /** Real content words (surface forms) by language. */
  vocabulary: { lv: string[]; en: string[] };
}

export const allOf = (list: Partial<Record<string, string[]>> | undefined): string[] => Object.values(list ?? {}).flatMap((v) => v ?? []);

/** `build`: also build the knowledge, as the bot does at start (fails loudly if the files and the matcher disagree). */
export function loadReal({ build = true } = {}): RealKnowledge {
  const loaded = loadKnowledgeFiles({ knowledgeDir: path.join(ROOT, 'knowledge'), agency: 'dvi', today: new Date() });
  if (!loaded.ok) throw new Error(`knowledge does not load:\n${loaded.problems.map(formatProblem).join('\n')}`);
  const files: KnowledgeFiles = loaded.files;
  if (build) buildKnowledge(files);

  // The same documents buildKnowledge gives the MatchIndex (knowledge/knowledge.ts).
  const entries: MatchDocument[] = files.entries.map((e) => ({ kind: 'entry', id: e.id, phrasings: allOf(e.questions), keywords: allOf(e.keywords) }));
  const others: MatchDocument[] = [
    ...files.authorities.map((a): MatchDocument => ({
      kind: 'authority',
      id: a.id,
      phrasings: allOf(a.questions),
      keywords: [...allOf(a.keywords), ...Object.values(a.name).filter((v): v is string => v !== undefined)],
    })),
    ...files.intents.map((i): MatchDocument => ({ kind: 'intent', id: i.id, phrasings: allOf(i.questions), keywords: allOf(i.keywords) })),
  ];

  const phrasings = { lv: [] as string[], en: [] as string[] };
  const keywords = { lv: [] as string[], en: [] as string[] };
  for (const item of [...files.entries, ...files.authorities, ...files.intents]) {
    phrasings.lv.push(...(item.questions.lv ?? []));
    phrasings.en.push(...(item.questions.en ?? []));
    keywords.lv.push(...(item.keywords?.lv ?? []));
    keywords.en.push(...(item.keywords?.en ?? []));
  }
  const contentWords = (texts: string[]) =>
    [
      ...new Set(
        texts
          .flatMap((t) => t.split(/\s+/))
          .map((w) => core(w).word)
          .filter((w) => w.length >= 4 && !isStopword(fold(w))),
      ),
    ].sort();
  return {
    entries,
    others,
    phrasings,
    vocabulary: { lv: contentWords([...phrasings.lv, ...keywords.lv]), en: contentWords([...phrasings.en, ...keywords.en]) },
  };
}

/** A token split into its word and the punctuation around it ("datus?" → "datus" + "?"). */
export function core(token: string): { before: string; word: string; after: string } {
  const m = /^([^\p{L}\p{N}]*)([\p{L}\p{N}][\p{L}\p{N}'’-]*[\p{L}\p{N}]|[\p{L}\p{N}])?(.*)$/u.exec(token);
  return { before: m?.[1] ?? '', word: m?.[2] ?? '', after: m?.[3] ?? token };
}

export const isContent = (word: string) => word.length >= 4 && !isStopword(fold(word)) && !/\d/.test(word);

// ---------------------------------------------------------------------------------------------
// Synthetic entries

const ONSETS = [
  'k',
  'p',
  't',
  'v',
  'm',
  'n',
  'r',
  'l',
  's',
  'd',
  'g',
  'b',
  'z',
  'j',
  'c',
  'š',
  'ž',
  'č',
  'ķ',
  'ļ',
  'ņ',
  'ģ',
  'st',
  'sk',
  'pr',
  'tr',
  'kr',
  'dr',
  'gr',
  'br',
  'sv',
  'pl',
];
const NUCLEI = ['a', 'e', 'i', 'u', 'o', 'ā', 'ē', 'ī', 'ū', 'ie', 'ai', 'au', 'a', 'e', 'i'];
const CODAS = ['', '', '', 'r', 'l', 'n', 's', 'k', 't', 'm'];
/** Latvian declension-like ending classes: a lemma is stem + class, each use picks one form. */
const ENDING_CLASSES: readonly (readonly string[])[] = [
  ['a', 'as', 'u', 'ai', 'ā', 'ām'],
  ['s', 'a', 'am', 'u', 'i', 'us'],
  ['is', 'a', 'im', 'i', 'us'],
  ['ība', 'ības', 'ību', 'ībai'],
  ['šana', 'šanas', 'šanu', 'šanai'],
  ['e', 'es', 'i', 'ei'],
];

export interface PseudoWord {
  stem: string;
  endings: readonly string[];
}

export function pseudoWord(rand: Rand): PseudoWord {
  let stem = '';
  const syllables = 2 + int(rand, 2);
  for (let s = 0; s < syllables; s++) stem += pick(rand, ONSETS) + pick(rand, NUCLEI) + (s === syllables - 1 ? pick(rand, CODAS) : '');
  return { stem, endings: pick(rand, ENDING_CLASSES) };
}

export const inflect = (rand: Rand, w: PseudoWord) => w.stem + pick(rand, w.endings);
/** English text names a Latvian thing in its base form without diacritics, as people do. */
export const englishForm = (w: PseudoWord) => fold(w.stem + (w.endings[0] ?? ''));
// ---------------------------------------------------------------------------------------------
// Queries

const UNRELATED = [
  'Kāds rīt būs laiks Rīgā?',
  'Kur var nopirkt lētas aviobiļetes uz Londonu?',
  'Cikos sākas hokeja spēle?',
  'recepte pankūkām ar biezpienu',
  'Kā nomainīt riepas uz ziemas riepām?',
  'Vai jūs pārdodat velosipēdus?',
  'Kāds ir eiro kurss pret dolāru?',
  'Kur atrodas tuvākā aptieka?',
  'vai suns drīkst ēst šokolādi',
  'Cik maksā benzīns šodien?',
  'Ieteiciet labu grāmatu vasarai',
  'Kā uzlabot Wi-Fi signālu mājās?',
  "What's the weather like tomorrow?",
  'Who won the football match yesterday?',
  'best pizza in Riga old town',
  'How do I bake sourdough bread?',
  "Translate 'good morning' to Japanese",
  'what is the meaning of life',
  'Is the ferry to Stockholm running today?',
  'recommend a good laptop under 800 euros',
];

export type Alteration = 'exact' | 'typo' | 'no-diacritics' | 'inflected' | 'truncated' | 'typo+no-diacritics' | 'unrelated';
/** The query mix: share of each alteration. */
const MIX: readonly [Alteration, number][] = [
  ['exact', 0.1],
  ['typo', 0.25],
  ['no-diacritics', 0.18],
  ['inflected', 0.15],
  ['truncated', 0.15],
  ['typo+no-diacritics', 0.07],
  ['unrelated', 0.1],
];

export const stripDiacritics = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .normalize('NFC');

/** Alters 1–2 content words of a text with `change`; other tokens are kept as typed. */
function alterWords(rand: Rand, text: string, change: (word: string) => string, minLength = 5): string {
  const tokens = text.split(/\s+/).filter(Boolean);
  const candidates = tokens.map((t, i) => (core(t).word.length >= minLength && isContent(core(t).word) ? i : -1)).filter((i) => i >= 0);
  if (candidates.length === 0) return text;
  const times = Math.min(candidates.length, 1 + (rand() < 0.3 ? 1 : 0));
  for (const i of shuffle(rand, candidates).slice(0, times)) {
    const { before, word, after } = core(tokens[i] ?? '');
    tokens[i] = before + change(word) + after;
  }
  return tokens.join(' ');
}

/** Swaps two neighbouring letters or drops one (not the first: people rarely miss that one). */
function typo(rand: Rand, word: string): string {
  const chars = [...word];
  const i = 1 + int(rand, chars.length - 2);
  if (rand() < 0.5) [chars[i], chars[i + 1]] = [chars[i + 1] ?? '', chars[i] ?? ''];
  else chars.splice(i, 1);
  return chars.join('');
}

const LV_ENDING_SWAPS: readonly [string, string[]][] = [
  ['ības', ['ību', 'ībai', 'ība']],
  ['ību', ['ības', 'ība']],
  ['ība', ['ības', 'ību']],
  ['šanu', ['šanas', 'šana']],
  ['šanas', ['šanu', 'šana']],
  ['šana', ['šanas', 'šanu']],
  ['iem', ['us', 'u', 'i']],
  ['ām', ['as', 'a', 'u']],
  ['as', ['u', 'ām', 'a']],
  ['us', ['i', 'iem', 's']],
  ['is', ['a', 'im']],
  ['a', ['u', 'as', 'ai']],
  ['u', ['a', 'as', 'us']],
  ['s', ['a', 'am', 'u']],
  ['i', ['us', 'iem']],
  ['e', ['es', 'i']],
  ['t', ['šana', 'ot']],
];
const EN_ENDING_SWAPS: readonly [string, string[]][] = [
  ['ing', ['ed', 'e']],
  ['ed', ['ing', 's']],
  ['ies', ['y']],
  ['s', ['']],
  ['', ['s']],
];

/** Another form of the word: a different Latvian case ending, or an English plural/tense. */
function reinflect(rand: Rand, word: string, lang: 'lv' | 'en'): string {
  for (const [ending, others] of lang === 'lv' ? LV_ENDING_SWAPS : EN_ENDING_SWAPS) {
    if (word.endsWith(ending) && word.length - ending.length >= 3) return word.slice(0, word.length - ending.length) + pick(rand, others);
  }
  return word;
}

export interface Query {
  text: string;
  alteration: Alteration;
}

export function queriesFor(seed: number, count: number, real: RealKnowledge): Query[] {
  const rand = prng(seed);
  const queries: Query[] = [];
  for (const [alteration, share] of MIX) {
    const n = Math.round(share * count);
    for (let i = 0; i < n; i++) {
      if (alteration === 'unrelated') {
        // Mostly the list; a few pure gibberish lines of pseudo-words.
        const text = rand() < 0.8 ? pick(rand, UNRELATED) : Array.from({ length: 3 }, () => inflect(rand, pseudoWord(rand))).join(' ');
        queries.push({ text, alteration });
        continue;
      }
      const lang = rand() < 0.65 ? 'lv' : 'en';
      const base = pick(rand, real.phrasings[lang]);
      let text = base;
      switch (alteration) {
        case 'exact':
          break;
        case 'typo':
          text = alterWords(rand, base, (w) => typo(rand, w));
          break;
        case 'no-diacritics':
          text = stripDiacritics(base);
          if (rand() < 0.5) text = text.toLowerCase();
          break;
        case 'inflected':
          text = alterWords(rand, base, (w) => reinflect(rand, w, lang), 4);
          break;
        case 'truncated': {
          const tokens = base.split(/\s+/);
          text = tokens.slice(0, Math.max(1, Math.ceil(tokens.length / 2))).join(' ');
          break;
        }
        case 'typo+no-diacritics':
          text = stripDiacritics(alterWords(rand, base, (w) => typo(rand, w))).toLowerCase();
          break;
      }
      queries.push({ text, alteration });
    }
  }
  return shuffle(rand, queries);
}

// ---------------------------------------------------------------------------------------------
// Measuring

export const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect) {
    collect();
    collect();
  }
};

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

export const hrMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

export const f = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
