// The analysis of a set of documents that does not depend on what else is indexed with them: each
// document's terms and phrasings, the postings, the vocabulary by prefix and by initial letter, the
// verbatim phrasings, the character n-grams. What does depend on the rest (the IDF, over every
// document of an index) is the MatchIndex's. So the documents every agency shares (authorities,
// built-in intents) are analysed once per installation and searched by every agency's index beside
// its own entries (measured on dvi: the shared documents were 5.7 MB of heap and 150 ms of every
// agency's build, its 28 entries 3.7 MB).
//
// Terms are numbered in the order of first use and kept in flat arrays, not in a map per document:
// an agency's own 30 entries took 1.2 MB of heap as maps and sets, 0.3 MB so.
import { fuzzyBucket, type FuzzyBucket } from './fuzzy.js';
import { GramLayer } from './gram-layer.js';
import { fold, terms as termsOf } from './normalise.js';
import { StringTable } from './string-table.js';

export type DocKind = 'entry' | 'authority' | 'intent';

export interface MatchDocument {
  kind: DocKind;
  id: string;
  /** Phrasings a citizen might use (every language). */
  phrasings: string[];
  /** Single words or short phrases that signal the document: synonyms, names. */
  keywords: string[];
}

/** What a layer is built for: the settings its analysis depends on. */
export interface LayerSettings {
  /** The prefix length the vocabulary is grouped by (MatcherSettings.minSharedPrefix). */
  minSharedPrefix: number;
  /** Whether the character n-grams are analysed too (MatcherSettings.gramShare > 0). */
  grams: boolean;
}

/**
 * A term used in one phrasing may be incidental; one used in several phrasings or listed as a
 * keyword is what the document is about. Keywords count as two phrasings.
 */
export function salience(occurrences: number): number {
  return Math.min(1, 0.55 + 0.15 * occurrences);
}

/** A vocabulary of fewer terms is searched for a prefix term by term (an agency's own has about 900). */
const PREFIX_INDEX_MIN = 2048;

export class MatchLayer {
  readonly documents: readonly MatchDocument[];
  /** The vocabulary, in the order of first use (document by document, phrasings before keywords). */
  readonly terms: string[] = [];
  /** Each term's id (its place in `terms`). */
  readonly termIds: StringTable;
  /**
   * The postings of term t: postingStart[t] … postingStart[t + 1] - 1, by ascending document, each
   * with the term's occurrences in the document (phrasings containing it; keywords count two) and
   * the document's phrasings containing it (withPhrasing[withStart[p] … withStart[p + 1] - 1]).
   */
  readonly postingStart: Int32Array;
  readonly postingDoc: Int32Array;
  readonly postingCount: Int32Array;
  readonly withStart: Int32Array;
  readonly withPhrasing: Int32Array;
  /** Sum of each document's occurrences. */
  readonly docTotal: Int32Array;
  /** The phrasings of document d: docPhrasingStart[d] … docPhrasingStart[d + 1] - 1, numbered over the layer. */
  readonly docPhrasingStart: Int32Array;
  /** Each phrasing's distinct terms, in order: phrasingTerms[phrasingTermStart[p] … phrasingTermStart[p + 1] - 1]. */
  readonly phrasingTermStart: Int32Array;
  readonly phrasingTerms: Int32Array;
  /**
   * Whole phrasings, folded, to their document (-n: n documents have it): "ko tu vari" is all
   * stopwords, yet unmistakable.
   */
  readonly verbatim: StringTable;
  /** Term ids by their first minSharedPrefix letters, in first-use order (none for a small vocabulary). */
  private readonly byPrefix: Map<string, number[]> | undefined;
  /** Terms by initial letter, in first-use order, for typos. */
  readonly fuzzyBuckets = new Map<string, FuzzyBucket>();
  readonly maxPhrasings: number;
  /** The documents' phrasings and keywords as character n-grams (only when built with grams). */
  readonly grams: GramLayer | undefined;

  constructor(
    documents: readonly MatchDocument[],
    readonly settings: LayerSettings,
  ) {
    this.documents = documents;
    // Maps while building; kept as flat tables (a Map of strings was a tenth of an agency's memory).
    const termIds = new Map<string, number>();
    const idOf = (term: string) => {
      let id = termIds.get(term);
      if (id === undefined) {
        termIds.set(term, (id = this.terms.length));
        this.terms.push(term);
      }
      return id;
    };
    // Per document: its terms with their occurrences, in first-use order, and for each its phrasings.
    const perDoc: { terms: number[]; counts: number[]; phrasings: number[][] }[] = [];
    const phrasingTermStart = [0];
    const phrasingTerms: number[] = [];
    const docPhrasingStart = [0];
    for (const doc of documents) {
      const at = new Map<number, number>();
      const mine = { terms: [] as number[], counts: [] as number[], phrasings: [] as number[][] };
      const add = (t: number, n: number, phrasing: number | undefined) => {
        let k = at.get(t);
        if (k === undefined) {
          at.set(t, (k = mine.terms.length));
          mine.terms.push(t);
          mine.counts.push(0);
          mine.phrasings.push([]);
        }
        mine.counts[k]! += n;
        if (phrasing !== undefined) mine.phrasings[k]!.push(phrasing);
      };
      doc.phrasings.forEach((p, i) => {
        for (const t of new Set(termsOf(p))) {
          const id = idOf(t);
          phrasingTerms.push(id);
          add(id, 1, i);
        }
        phrasingTermStart.push(phrasingTerms.length);
      });
      for (const k of doc.keywords) for (const t of new Set(termsOf(k))) add(idOf(t), 2, undefined);
      docPhrasingStart.push(phrasingTermStart.length - 1);
      perDoc.push(mine);
    }
    this.phrasingTermStart = Int32Array.from(phrasingTermStart);
    this.phrasingTerms = Int32Array.from(phrasingTerms);
    this.docPhrasingStart = Int32Array.from(docPhrasingStart);
    this.docTotal = Int32Array.from(perDoc, (d) => d.counts.reduce((a, b) => a + b, 0));
    this.maxPhrasings = Math.max(0, ...documents.map((d) => d.phrasings.length));

    // The postings, term by term, documents ascending.
    const df = new Int32Array(this.terms.length);
    for (const d of perDoc) for (const t of d.terms) df[t]!++;
    this.postingStart = new Int32Array(this.terms.length + 1);
    for (let t = 0; t < this.terms.length; t++) this.postingStart[t + 1] = this.postingStart[t]! + df[t]!;
    const postings = this.postingStart[this.terms.length]!;
    this.postingDoc = new Int32Array(postings);
    this.postingCount = new Int32Array(postings);
    const fill = this.postingStart.slice(0, this.terms.length);
    const withOf: number[][] = new Array<number[]>(postings);
    perDoc.forEach((d, doc) => {
      d.terms.forEach((t, k) => {
        const p = fill[t]!++;
        this.postingDoc[p] = doc;
        this.postingCount[p] = d.counts[k]!;
        withOf[p] = d.phrasings[k]!;
      });
    });
    this.withStart = new Int32Array(postings + 1);
    for (let p = 0; p < postings; p++) this.withStart[p + 1] = this.withStart[p]! + withOf[p]!.length;
    this.withPhrasing = Int32Array.from(withOf.flat());
    this.termIds = new StringTable(termIds);

    const verbatim = new Map<string, number>();
    documents.forEach((doc, i) => {
      const seen = new Set<string>(); // a document listing a phrasing twice is still one document
      for (const p of doc.phrasings) {
        const key = fold(p);
        if (seen.has(key)) continue;
        seen.add(key);
        const known = verbatim.get(key);
        verbatim.set(key, known === undefined ? i : known >= 0 ? -2 : known - 1);
      }
    });
    this.verbatim = new StringTable(verbatim);

    const min = settings.minSharedPrefix;
    this.byPrefix = this.terms.length < PREFIX_INDEX_MIN ? undefined : new Map();
    const buckets = new Map<string, string[]>();
    this.terms.forEach((term, id) => {
      if (this.byPrefix && term.length >= min) push(this.byPrefix, term.slice(0, min), id);
      push(buckets, term[0] ?? '', term);
    });
    for (const [letter, list] of buckets) this.fuzzyBuckets.set(letter, fuzzyBucket(list));
    this.grams = settings.grams ? new GramLayer(documents) : undefined;
  }

  get size(): number {
    return this.documents.length;
  }

  /** Documents using the term. */
  documentFrequency(term: number): number {
    return this.postingStart[term + 1]! - this.postingStart[term]!;
  }

  /** The posting of the term in document d (an index into the posting arrays), or -1. */
  posting(term: number, d: number): number {
    let lo = this.postingStart[term]!;
    let hi = this.postingStart[term + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const doc = this.postingDoc[mid]!;
      if (doc === d) return mid;
      if (doc < d) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** How many entries use the term. */
  entryUses(term: number): number {
    let n = 0;
    for (let p = this.postingStart[term]!; p < this.postingStart[term + 1]!; p++) if (this.documents[this.postingDoc[p]!]!.kind === 'entry') n++;
    return n;
  }

  /** The terms starting with a prefix of minSharedPrefix letters, in first-use order. */
  termsWithPrefix(prefix: string): readonly string[] {
    if (this.byPrefix) return (this.byPrefix.get(prefix) ?? []).map((id) => this.terms[id]!);
    return this.terms.filter((t) => t.length >= this.settings.minSharedPrefix && t.startsWith(prefix));
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
