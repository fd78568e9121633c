// Latvian-aware retrieval over the knowledge base. Every document (a knowledge entry, an authority of
// the referral directory, a built-in intent) is a bag of light stems. A question is scored by how
// much of its informative weight (IDF) each document covers, with three grades of term match:
// exact stem, shared stem prefix (inflection and derivation: "sudzib"/"sudze"), and a fuzzy match
// by Fuse over the vocabulary (typos: "kamreu"). Fuse only ever sees the vocabulary bucket of one
// initial letter, never every question string, which is what keeps a query well under a millisecond.
import Fuse from 'fuse.js';
import { GramIndex } from './grams.js';
import { fold, phraseTerms, stem, terms as termsOf, words } from './normalise.js';

export type DocKind = 'entry' | 'authority' | 'intent';

export interface MatchDocument {
  kind: DocKind;
  id: string;
  /** Phrasings a citizen might use (every language). */
  phrasings: string[];
  /** Single words or short phrases that signal the document: synonyms, names. */
  keywords: string[];
}

export interface MatcherSettings {
  /** Similarity credited to a vocabulary term that shares a long prefix with the question's term. */
  prefixSimilarity: number;
  /** Minimum shared prefix for a prefix match, in letters. */
  minSharedPrefix: number;
  /** Fuse threshold for typo matches on single words (0 exact … 1 anything). */
  fuzzyThreshold: number;
  /** Similarity credited to the best fuzzy match is this times (1 - Fuse score). */
  fuzzyWeight: number;
  /** Shortest word length for which typos are considered. */
  fuzzyMinLength: number;
  /** Weight of a word the knowledge base has never seen, relative to the highest IDF. */
  unknownWordWeight: number;
  /** Share of the final score given to the best single phrasing (the rest is bag coverage). */
  phrasingShare: number;
  /** Additive smoothing of the naive Bayes confidence. */
  smoothing: number;
  /** Weight of the confidence against the coverage score in the ranking (0 … 1). */
  confidenceShare: number;
  /**
   * Share of the score given to the character n-gram similarity of the question with the whole
   * document (0 … 1; 0 leaves it out): word-level evidence alone needs many phrasings per entry.
   */
  gramShare: number;
  /**
   * How much informative weight a document must cover to fit a question fully, in units of the
   * highest IDF (0: all of the question's). A story or a letter around one question carries many
   * words no entry uses (names, places, the greeting); covering a few strong words is what fits.
   */
  fitTerms: number;
}

export const DEFAULT_MATCHER_SETTINGS: MatcherSettings = {
  prefixSimilarity: 0.7,
  minSharedPrefix: 4,
  fuzzyThreshold: 0.3,
  fuzzyWeight: 0.8,
  fuzzyMinLength: 5,
  // npm run tune, stop 30 (with blind4–7 among the tuning sets): a word the knowledge base does not
  // know weighs a little less, and the rank leans less on confidence, which the decision now asks
  // of an answer on its own (decide.ts).
  unknownWordWeight: 0.9,
  phrasingShare: 0.5,
  smoothing: 0.25,
  confidenceShare: 0.2,
  gramShare: 0.5,
  fitTerms: 2,
};

/** Most words of one message checked against the dictionary (see withoutRealWordTypos). */
const DICTIONARY_LOOKUPS = 8;

export interface ScoredDocument {
  kind: DocKind;
  id: string;
  /** 0…1: how well the document covers the question (absolute fit: guards against fallbacks). */
  score: number;
  /**
   * 0…1: how likely this document is the one meant, among the candidates (relative: a naive Bayes
   * posterior over the documents' phrasings). Sharp where the coverage scores of close documents
   * are not: a word used throughout one entry and once in another tells them apart.
   */
  confidence: number;
  /** What results are ordered by: coverage and confidence blended (geometric mean, weighted). */
  rank: number;
  /** Question terms (stems) this document matched. */
  matched: string[];
}

export interface QueryAnalysis {
  /** Folded, stopword-free stems of the question. */
  terms: string[];
  /** Terms the knowledge base does not know in any form. */
  unknown: string[];
  /** Sum of the terms' weights; 0 when the question has no informative word. */
  weight: number;
  /**
   * Share of the terms the knowledge base uses in some form, typos not counted (0 … 1; 0 without
   * terms). High means the message is in a language the knowledge base is written in.
   */
  familiar: number;
}

interface Resolution {
  term: string;
  similarity: number;
  /**
   * Found as a typo (fuzzy), not as the same word or another form of it. Always present: one
   * object shape keeps the scoring loops monomorphic (an optional field deoptimises them).
   */
  typo: boolean;
}

interface IndexedDocument {
  doc: MatchDocument;
  /** Term → salience (0…1): how central the term is to the document. */
  bag: Map<string, number>;
  /** Term → occurrences (phrasings containing it; keywords count two), for the confidence. */
  counts: Map<string, number>;
  /** Sum of counts. */
  total: number;
  phrasingBags: Set<string>[];
  /** Term → the phrasings (indices into phrasingBags) that contain it: bestPhrasing visits only those. */
  phrasingsWith: Map<string, number[]>;
  /** Per phrasing, the idf of all its terms together (filled in once the idf is known). */
  phrasingIdf: Float64Array;
}

interface Posting {
  doc: number;
  salience: number;
}

/**
 * A term used in one phrasing may be incidental; one used in several phrasings or listed as a
 * keyword is what the document is about. Keywords count as two phrasings.
 */
function salience(occurrences: number): number {
  return Math.min(1, 0.55 + 0.15 * occurrences);
}

const RESOLVE_CACHE_LIMIT = 5000;

export class MatchIndex {
  private readonly docs: IndexedDocument[];
  private readonly postings = new Map<string, Posting[]>();
  private readonly idf = new Map<string, number>();
  private readonly byPrefix = new Map<string, string[]>();
  private readonly fuzzyBuckets = new Map<string, FuzzyBucket>();
  private readonly resolveCache = new Map<string, Resolution[]>();
  /** Whole phrasings, folded, to their documents: "ko tu vari" is all stopwords, yet unmistakable. */
  private readonly verbatim = new Map<string, number[]>();
  private readonly maxIdf: number;
  private readonly grams: GramIndex | undefined;
  /** Term → how many entries use it. */
  private readonly entryUses = new Map<string, number>();
  // Scratch space for search(), one slot per document, reused by every query (search is synchronous,
  // so never shared by two queries). A slot is valid only when its stamp equals the current stamp:
  // nothing has to be cleared between queries.
  private readonly coverage: Float64Array;
  private readonly coverageStamp: Int32Array;
  private readonly credit: Float64Array;
  private readonly creditStamp: Int32Array;
  /** Documents touched by the current query, in first-touch order; then by the current term. */
  private readonly touched: Int32Array;
  private readonly termDocs: Int32Array;
  private stamp = 0;
  // Scratch space for bestPhrasing, per phrasing (× question term for the first two), reused likewise.
  private phrasingSim = new Float64Array(0);
  private phrasingHit: (string | undefined)[] = [];
  private readonly phrasingSeen: Uint8Array;
  private readonly phrasingTouched: Int32Array;
  private maxPhrasings = 0;
  private lastQuestion: string | undefined;
  private lastQuestionTerms: string[] = [];

  constructor(
    documents: readonly MatchDocument[],
    readonly settings: MatcherSettings = DEFAULT_MATCHER_SETTINGS,
    /**
     * Whether a folded word is a real word of the language (a dictionary's answer): a real word the
     * knowledge base does not use is a different word, never a typo of one it does.
     */
    private readonly isWord: (foldedWord: string) => boolean = () => false,
  ) {
    this.docs = documents.map((doc) => {
      const phrasingBags = doc.phrasings.map((p) => new Set(termsOf(p)));
      const counts = new Map<string, number>();
      for (const b of phrasingBags) for (const t of b) counts.set(t, (counts.get(t) ?? 0) + 1);
      for (const k of doc.keywords) for (const t of new Set(termsOf(k))) counts.set(t, (counts.get(t) ?? 0) + 2);
      const bag = new Map([...counts].map(([t, n]) => [t, salience(n)]));
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const phrasingsWith = new Map<string, number[]>();
      phrasingBags.forEach((b, p) => {
        for (const t of b) push(phrasingsWith, t, p);
      });
      return { doc, bag, counts, total, phrasingBags, phrasingsWith, phrasingIdf: new Float64Array(phrasingBags.length) };
    });
    this.docs.forEach(({ bag, doc }, i) => {
      for (const [term, w] of bag) {
        push(this.postings, term, { doc: i, salience: w });
        if (doc.kind === 'entry') this.entryUses.set(term, (this.entryUses.get(term) ?? 0) + 1);
      }
      for (const p of doc.phrasings) {
        const key = fold(p);
        const list = this.verbatim.get(key);
        if (!list) this.verbatim.set(key, [i]);
        else if (!list.includes(i)) list.push(i);
      }
    });
    const n = this.docs.length;
    let maxIdf = 0;
    const buckets = new Map<string, string[]>();
    for (const [term, list] of this.postings) {
      const idf = Math.log(1 + n / list.length);
      this.idf.set(term, idf);
      maxIdf = Math.max(maxIdf, idf);
      if (term.length >= settings.minSharedPrefix) push(this.byPrefix, term.slice(0, settings.minSharedPrefix), term);
      push(buckets, term[0] ?? '', term);
    }
    this.maxIdf = maxIdf || 1;
    for (const indexed of this.docs) {
      indexed.phrasingBags.forEach((b, p) => {
        for (const t of b) indexed.phrasingIdf[p]! += this.idf.get(t) ?? 0;
      });
      this.maxPhrasings = Math.max(this.maxPhrasings, indexed.phrasingBags.length);
    }
    this.phrasingSeen = new Uint8Array(this.maxPhrasings);
    this.phrasingTouched = new Int32Array(this.maxPhrasings);
    this.coverage = new Float64Array(n);
    this.coverageStamp = new Int32Array(n);
    this.credit = new Float64Array(n);
    this.creditStamp = new Int32Array(n);
    this.touched = new Int32Array(n);
    this.termDocs = new Int32Array(n);
    for (const [letter, list] of buckets) this.fuzzyBuckets.set(letter, fuzzyBucket(list));
    this.grams = settings.gramShare > 0 ? new GramIndex(documents) : undefined;
  }

  get size(): number {
    return this.docs.length;
  }

  /** The documents indexed, for building a variant of this index with other settings. */
  get documents(): MatchDocument[] {
    return this.docs.map((d) => d.doc);
  }

  /** Every document scored against the question, best first; documents with no match are left out. */
  search(question: string, limit = 8): { analysis: QueryAnalysis; results: ScoredDocument[] } {
    const scored = this.score(question, limit);
    // A question that is, word for word, a phrasing of exactly one document is that document; the
    // others keep their places behind it (a flow may offer related entries).
    const verbatim = this.verbatim.get(fold(question));
    if (verbatim?.length !== 1) return scored;
    const { doc } = this.docs[verbatim[0]!]!;
    const terms = scored.analysis.terms;
    return {
      analysis: { terms, unknown: [], weight: Math.max(1, scored.analysis.weight), familiar: 1 },
      results: [{ kind: doc.kind, id: doc.id, score: 1, confidence: 1, rank: 1, matched: terms }, ...scored.results.filter((r) => r.id !== doc.id)].slice(
        0,
        limit,
      ),
    };
  }

  /**
   * A typo match is dropped for a term the citizen wrote as a real word ("banānā" is not a typo of
   * "baneris"). Only words that have a typo match are looked up, at most DICTIONARY_LOOKUPS of them:
   * a dictionary check may try many spellings.
   */
  private withoutRealWordTypos(question: string, resolved: { term: string; resolutions: Resolution[] }[]): typeof resolved {
    const typoTerms = new Set(resolved.filter((r) => r.resolutions.some((x) => x.typo)).map((r) => r.term));
    if (typoTerms.size === 0) return resolved;
    const real = new Set(
      words(question)
        .filter((w) => typoTerms.has(stem(w)))
        .slice(0, DICTIONARY_LOOKUPS)
        .filter((w) => this.isWord(w))
        .map(stem),
    );
    return resolved.map((r) => (real.has(r.term) ? { term: r.term, resolutions: r.resolutions.filter((x) => !x.typo) } : r));
  }

  private score(question: string, limit: number): { analysis: QueryAnalysis; results: ScoredDocument[] } {
    const queryTerms = [...new Set(termsOf(question))];
    const resolved = this.withoutRealWordTypos(
      question,
      queryTerms.map((t) => ({ term: t, resolutions: this.resolve(t) })),
    );
    const unknown = resolved.filter((r) => r.resolutions.length === 0).map((r) => r.term);
    // A term's weight is its own IDF when the knowledge knows it as typed; only otherwise the best
    // of the forms it may stand for (a rarer inflected form must not inflate a common word).
    const weights = resolved.map((r) => {
      if (r.resolutions.length === 0) return this.maxIdf * this.settings.unknownWordWeight;
      const exact = r.resolutions.find((x) => x.similarity === 1);
      if (exact) return this.idf.get(exact.term) ?? 0;
      return Math.max(...r.resolutions.map((x) => (this.idf.get(x.term) ?? 0) * x.similarity));
    });
    const totalWeight = weights.reduce((a, b) => a + b, 0);
    const familiar = resolved.filter((r) => r.resolutions.some((x) => !x.typo)).length / Math.max(1, resolved.length);
    const analysis: QueryAnalysis = { terms: queryTerms, unknown, weight: totalWeight, familiar };
    if (totalWeight === 0) return { analysis, results: [] };

    // Bag coverage: for each question term, the best credit any of its resolutions gives each doc.
    // Typed arrays indexed by document, not Maps: a common word touches thousands of documents.
    const queryStamp = this.nextStamp();
    let touchedCount = 0;
    resolved.forEach(({ resolutions }, i) => {
      const termStamp = this.nextStamp();
      let termCount = 0;
      for (const { term: vocab, similarity } of resolutions) {
        const value = (this.idf.get(vocab) ?? 0) * similarity;
        for (const { doc: d, salience: w } of this.postings.get(vocab) ?? []) {
          const v = value * w;
          if (this.creditStamp[d] !== termStamp) {
            this.creditStamp[d] = termStamp;
            this.credit[d] = v;
            this.termDocs[termCount++] = d;
          } else if (this.credit[d]! < v) this.credit[d] = v;
        }
      }
      const w = weights[i] ?? 0;
      for (let k = 0; k < termCount; k++) {
        const d = this.termDocs[k]!;
        const add = Math.min(this.credit[d]!, w);
        if (this.coverageStamp[d] !== queryStamp) {
          this.coverageStamp[d] = queryStamp;
          this.coverage[d] = add;
          this.touched[touchedCount++] = d;
        } else this.coverage[d]! += add;
      }
    });

    // Documents sharing letters but no word with the question are candidates too: with the n-grams
    // on, a document is first judged by coverage and n-gram similarity together.
    const g = this.settings.gramShare;
    const gramMatches = this.grams?.score(question);
    // The best `keep` by that first judgement, ties in first-touch order (what a stable full sort
    // would give), kept in a small sorted array instead of sorting every touched document.
    const keep = Math.max(limit * 3, 24);
    const fitWeight = this.settings.fitTerms > 0 ? Math.min(totalWeight, this.settings.fitTerms * this.maxIdf) : totalWeight;
    const candidates: { d: number; c: number; gram: number; pre: number }[] = [];
    const consider = (d: number, c: number) => {
      const gram = this.grams?.similarity(d) ?? 0;
      const pre = (1 - g) * c + g * gram;
      if (candidates.length === keep && pre <= candidates[keep - 1]!.pre) return;
      let at = candidates.length;
      while (at > 0 && candidates[at - 1]!.pre < pre) at--;
      candidates.splice(at, 0, { d, c, gram, pre });
      if (candidates.length > keep) candidates.pop();
    };
    for (let k = 0; k < touchedCount; k++) {
      const d = this.touched[k]!;
      consider(d, Math.min(1, this.coverage[d]! / fitWeight));
    }
    if (gramMatches !== undefined) {
      for (let k = 0; k < gramMatches.count; k++) {
        const d = gramMatches.docs[k]!;
        if (this.coverageStamp[d] !== queryStamp) consider(d, 0);
      }
    }
    // The question terms each candidate matched (in question order), for the few kept.
    const matched = new Map<number, string[]>();
    for (const { d } of candidates) {
      const bag = this.docs[d]!.bag;
      matched.set(
        d,
        resolved.filter(({ resolutions }) => resolutions.some((r) => bag.has(r.term))).map((r) => r.term),
      );
    }

    const share = this.settings.phrasingShare;
    const logLikelihoods = candidates.map(({ d }) => this.logLikelihood(this.docs[d]!, resolved));
    const maxLog = Math.max(...logLikelihoods);
    const odds = logLikelihoods.map((l) => Math.exp(l - maxLog));
    const evidence = odds.reduce((a, b) => a + b, 0);
    const lambda = this.settings.confidenceShare;
    // The phrasing similarity is the costly part. It is at most the share of the question's weight
    // this document matches at all, which bounds the rank: a candidate that cannot reach the
    // `limit`-th best rank found so far is left out without computing it (it could not be returned).
    const termWeight = new Map(resolved.map(({ term }, i) => [term, weights[i] ?? 0]));
    const results: ScoredDocument[] = [];
    const kept: number[] = []; // ranks of the computed results, best first, at most `limit`
    candidates.forEach(({ d, c, gram }, i) => {
      const indexed = this.docs[d]!;
      const confidence = (odds[i] ?? 0) / evidence;
      const terms = matched.get(d) ?? [];
      let phrasingBound = 0;
      for (const t of terms) phrasingBound += termWeight.get(t) ?? 0;
      phrasingBound = Math.min(1, phrasingBound / totalWeight);
      const bound = ((1 - g) * ((1 - share) * c + share * phrasingBound) + g * gram) ** (1 - lambda) * confidence ** lambda;
      if (kept.length === limit && bound * (1 + 1e-9) < kept[limit - 1]!) return;
      const phrasing = terms.length === 0 ? 0 : this.bestPhrasing(indexed, resolved, weights, totalWeight);
      const score = (1 - g) * ((1 - share) * c + share * phrasing) + g * gram;
      const rank = score ** (1 - lambda) * confidence ** lambda;
      results.push({ kind: indexed.doc.kind, id: indexed.doc.id, score, confidence, rank, matched: terms });
      let at = kept.length;
      while (at > 0 && kept[at - 1]! < rank) at--;
      kept.splice(at, 0, rank);
      if (kept.length > limit) kept.pop();
    });
    results.sort((a, b) => b.rank - a.rank);
    return { analysis, results: results.slice(0, limit) };
  }

  /**
   * How many entries use a question term in some form (typos included, the most of its forms): a
   * word the agency's own entries use throughout cannot by itself send the citizen elsewhere.
   */
  entriesUsing(term: string): number {
    return Math.max(0, ...this.resolve(term).map((r) => this.entryUses.get(r.term) ?? 0));
  }

  /**
   * Whether the question contains every word of a phrase, inflected or not, typos excluded: for
   * signals that must be certain (emergencies), where a fuzzy guess is not good enough.
   */
  containsPhrase(question: string, phrase: string): boolean {
    const wanted = phraseTerms(phrase);
    if (wanted.length === 0) return false;
    // Callers test one question against many phrases (every emergency keyword): split it once.
    if (question !== this.lastQuestion) {
      this.lastQuestion = question;
      this.lastQuestionTerms = termsOf(question);
    }
    const present = this.lastQuestionTerms;
    const min = this.settings.minSharedPrefix;
    // Same stem, or one extends the other ("ugunsgrek" / "ugunsgreka"); never a mere shared start.
    const same = (a: string, b: string) => a === b || (Math.min(a.length, b.length) >= min && (a.startsWith(b) || b.startsWith(a)));
    return wanted.every((w) => present.some((p) => same(p, w)));
  }

  /** Multinomial naive Bayes log-likelihood of the question's known terms under a document. */
  private logLikelihood(indexed: IndexedDocument, resolved: { resolutions: Resolution[] }[]): number {
    const alpha = this.settings.smoothing;
    const denominator = Math.log(indexed.total + alpha * this.postings.size);
    let sum = 0;
    for (const { resolutions } of resolved) {
      if (resolutions.length === 0) continue;
      let count = 0;
      for (const r of resolutions) count = Math.max(count, (indexed.counts.get(r.term) ?? 0) * r.similarity);
      sum += Math.log(count + alpha) - denominator;
    }
    return sum;
  }

  /** Weighted soft Jaccard between the question and the document's closest phrasing. */
  private bestPhrasing(indexed: IndexedDocument, resolved: { term: string; resolutions: Resolution[] }[], weights: number[], totalWeight: number): number {
    const terms = resolved.length;
    const size = indexed.phrasingBags.length * terms;
    if (this.phrasingSim.length < size) {
      this.phrasingSim = new Float64Array(size);
      this.phrasingHit = new Array<string | undefined>(size);
    }
    const sim = this.phrasingSim.fill(0, 0, size);
    const hit = this.phrasingHit.fill(undefined, 0, size);
    const seen = this.phrasingSeen;
    const touched = this.phrasingTouched;
    let touchedCount = 0;
    // Only the phrasings that contain some resolution of some question term can share anything:
    // reached through the document's term → phrasings map instead of testing every phrasing.
    for (let i = 0; i < terms; i++) {
      for (const r of resolved[i]!.resolutions) {
        for (const p of indexed.phrasingsWith.get(r.term) ?? []) {
          const k = p * terms + i;
          if (r.similarity > sim[k]!) {
            sim[k] = r.similarity;
            hit[k] = r.term;
          }
          if (seen[p] === 0) {
            seen[p] = 1;
            touched[touchedCount++] = p;
          }
        }
      }
    }
    let best = 0;
    for (let n = 0; n < touchedCount; n++) {
      const p = touched[n]!;
      seen[p] = 0; // left clear for the next call
      const row = p * terms;
      let shared = 0;
      for (let i = 0; i < terms; i++) shared += (weights[i] ?? 0) * sim[row + i]!;
      // The phrasing's other terms only add to the union: it cannot beat the best so far.
      if (shared === 0 || shared / totalWeight <= best) continue;
      // Union: every question term's weight, and the idf of the phrasing's terms no question term hit.
      let union = totalWeight + indexed.phrasingIdf[p]!;
      for (let i = 0; i < terms; i++) {
        const h = hit[row + i];
        if (h === undefined) continue;
        let repeated = false;
        for (let j = 0; j < i && !repeated; j++) repeated = hit[row + j] === h;
        if (!repeated) union -= this.idf.get(h) ?? 0;
      }
      if (union > 0) best = Math.max(best, shared / union);
    }
    return best;
  }

  /** A new stamp for the scratch arrays; after 2^31 - 1 of them, the stamps start over. */
  private nextStamp(): number {
    if (this.stamp === 0x7fffffff) {
      this.stamp = 0;
      this.coverageStamp.fill(0);
      this.creditStamp.fill(0);
    }
    return ++this.stamp;
  }

  /** Vocabulary terms a question term stands for, with how sure we are. */
  private resolve(term: string): Resolution[] {
    const cached = this.resolveCache.get(term);
    if (cached) return cached;
    const found = this.resolveUncached(term);
    if (this.resolveCache.size >= RESOLVE_CACHE_LIMIT) this.resolveCache.clear();
    this.resolveCache.set(term, found);
    return found;
  }

  private resolveUncached(term: string): Resolution[] {
    const { minSharedPrefix, prefixSimilarity, fuzzyMinLength, fuzzyWeight } = this.settings;
    const out: Resolution[] = [];
    if (this.postings.has(term)) out.push({ term, similarity: 1, typo: false });
    if (term.length >= minSharedPrefix) {
      for (const other of this.byPrefix.get(term.slice(0, minSharedPrefix)) ?? []) {
        if (other !== term && sharesStem(term, other, minSharedPrefix)) out.push({ term: other, similarity: prefixSimilarity, typo: false });
      }
    }
    if (out.length === 0) {
      // Latvian puts the debitive and the negation in front of the verb: "jāiesniedz" (must submit),
      // "nesaņēmu" (did not get) are "iesniegt" and "saņemt" to the knowledge base.
      for (const prefix of VERB_PREFIXES) {
        if (!term.startsWith(prefix) || term.length - prefix.length < minSharedPrefix) continue;
        for (const r of this.resolve(term.slice(prefix.length))) {
          if (!r.typo) out.push({ term: r.term, similarity: r.similarity * VERB_PREFIX_SIMILARITY, typo: false });
        }
      }
    }
    if (out.length === 0 && term.length >= fuzzyMinLength && !/\d/.test(term)) {
      const bucket = this.fuzzyBuckets.get(term[0] ?? '');
      // Only words of about the same length can be the one meant (the length guard below); Fuse
      // never sees the others, so a long typo costs a fraction of a millisecond.
      const near = (bucket === undefined ? [] : fuzzyCandidates(bucket, term, this.settings.fuzzyThreshold)).filter(
        (t) => Math.abs(t.length - term.length) <= 2,
      );
      const fuse = new Fuse(near, { includeScore: true, threshold: this.settings.fuzzyThreshold, ignoreLocation: true, isCaseSensitive: true });
      for (const hit of near.length === 0 ? [] : fuse.search(term, { limit: 3 })) {
        const similarity = fuzzyWeight * (1 - (hit.score ?? 1));
        // Length guard: Fuse happily matches a short word inside a long one.
        if (Math.abs(hit.item.length - term.length) <= 2) out.push({ term: hit.item, similarity, typo: true });
      }
    }
    return out;
  }
}

/**
 * The vocabulary of one initial letter, with a bigram index: which terms contain each pair of
 * letters. Fuse then only scores the terms that can be within its error threshold.
 */
interface FuzzyBucket {
  terms: string[];
  bigrams: Map<string, number[]>;
  /** Scratch: bigram hits per term for the current lookup. */
  hits: Int32Array;
}

function fuzzyBucket(terms: string[]): FuzzyBucket {
  const bigrams = new Map<string, number[]>();
  terms.forEach((t, i) => {
    for (let j = 0; j + 2 <= t.length; j++) {
      const list = bigrams.get(t.slice(j, j + 2));
      if (list === undefined) bigrams.set(t.slice(j, j + 2), [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    }
  });
  return { terms, bigrams, hits: new Int32Array(terms.length) };
}

/**
 * Terms of the bucket that Fuse could match with at most k = ⌊threshold · |term|⌋ errors, in bucket
 * order (so Fuse breaks score ties as it would over the whole bucket). Lossless q-gram filter: a
 * string matched with k edits (anywhere in a longer text, too) keeps at least |term| − 1 − 2k of
 * the term's bigram positions (one edit destroys at most two). Below that bound every term is kept.
 */
function fuzzyCandidates(bucket: FuzzyBucket, term: string, threshold: number): string[] {
  const k = Math.floor(threshold * term.length + 1e-9);
  const need = term.length - 1 - 2 * k;
  if (need <= 0) return bucket.terms;
  const { hits, bigrams, terms } = bucket;
  const touched: number[] = [];
  for (let j = 0; j + 2 <= term.length; j++) {
    for (const i of bigrams.get(term.slice(j, j + 2)) ?? []) {
      if (hits[i] === 0) touched.push(i);
      hits[i]! += 1;
    }
  }
  const near: { i: number; shared: number }[] = [];
  for (const i of touched) {
    if (hits[i]! >= need) near.push({ i, shared: hits[i]! });
    hits[i] = 0;
  }
  // Common Latvian letter pairs ("is", "ar", "oj", "um") let a long word through to hundreds of
  // terms; the word meant shares the most pairs, so Fuse scores only the closest few.
  if (near.length > FUZZY_CANDIDATES_MAX) near.sort((a, b) => b.shared - a.shared || a.i - b.i).length = FUZZY_CANDIDATES_MAX;
  return near
    .map((n) => n.i)
    .sort((a, b) => a - b)
    .map((i) => terms[i]!);
}

/** Folded Latvian verb prefixes: debitive "jā-", negation "ne-". */
const VERB_PREFIXES = ['ja', 'ne'];
/** A verb found under its prefix is that verb, nearly: "nedrīkst" is not "drīkst". */
const VERB_PREFIX_SIMILARITY = 0.9;

/** At most this many vocabulary terms are scored by Fuse for one typo. */
const FUZZY_CANDIDATES_MAX = 24;

/** Two stems share a stem when one extends the other or they differ only in the last two letters. */
function sharesStem(a: string, b: string, minShared: number): boolean {
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  if (common < minShared) return false;
  const shorter = Math.min(a.length, b.length);
  return common === shorter || common >= shorter - 2;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
