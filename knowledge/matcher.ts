// Latvian-aware retrieval over the knowledge base. Every document (a knowledge entry, an authority of
// the referral directory, a built-in intent) is a bag of light stems. A question is scored by how
// much of its informative weight (IDF) each document covers, with three grades of term match:
// exact stem, shared stem prefix (inflection and derivation: "sudzib"/"sudze"), and a fuzzy match
// by Fuse over the vocabulary (typos: "kamreu"). Fuse only ever sees the vocabulary bucket of one
// initial letter, never every question string, which is what keeps a query well under a millisecond.
//
// An index searches its own documents and, after them, shared layers: documents analysed once for
// every index that searches them (the authorities and intents every agency has, knowledge/
// match-layer.ts). What depends on all the documents together (the IDF: n and df over the union,
// the phrasings' IDF, the vocabulary's order) is worked out here, so an index over layers gives
// every score, bit for bit, that one index over the same documents in the same order would.
import Fuse from 'fuse.js';
import { BestOf } from './best-of.js';
import { fuzzyCandidates, type FuzzyBucket } from './fuzzy.js';
import type { GramLayer } from './gram-layer.js';
import { GramIndex } from './grams.js';
import { MatchLayer, salience, type DocKind, type MatchDocument } from './match-layer.js';
import { fold, phraseTerms, stem, terms as termsOf, termsOfWords } from './normalise.js';

export type { DocKind, MatchDocument } from './match-layer.js';
export { MatchLayer } from './match-layer.js';

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
  /** The vocabulary term's IDF over the index. */
  idf: number;
  /** Its id in each layer (-1: not used there). */
  ids: number[];
}

/** A document as one index sees it: in which layer, which there, and where its phrasings' IDF is. */
interface IndexedDocument {
  doc: MatchDocument;
  layer: MatchLayer;
  /** Its index in the layer, and its layer's index. */
  local: number;
  layerIndex: number;
  /** Sum of its terms' occurrences. */
  total: number;
  phrasings: number;
  /** Where its phrasings are in the layer's numbering, and their IDF in the index's phrasingIdf. */
  firstPhrasing: number;
  phrasingBase: number;
}

const RESOLVE_CACHE_LIMIT = 5000;

export class MatchIndex {
  private readonly docs: IndexedDocument[];
  /** The own documents' layer first, then the shared ones. */
  readonly layers: readonly MatchLayer[];
  /** Where each layer's documents start in docs. */
  private readonly docBase: number[];
  /** The vocabulary of each initial letter, layer by layer. */
  private readonly fuzzy = new Map<string, (FuzzyBucket | undefined)[]>();
  private readonly resolveCache = new Map<string, Resolution[]>();
  private readonly maxIdf: number;
  /** Distinct terms over every layer. */
  private readonly vocabularySize: number;
  /** Per phrasing of every document, the idf of all its terms together. */
  private readonly phrasingIdf: Float64Array;
  private readonly grams: GramIndex | undefined;
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
  // Scratch space for bestPhrasing, per phrasing (× question term for the first three), reused likewise.
  private phrasingSim = new Float64Array(0);
  private phrasingHit: (string | undefined)[] = [];
  private phrasingHitIdf = new Float64Array(0);
  private readonly phrasingSeen: Uint8Array;
  private readonly phrasingTouched: Int32Array;
  // Scratch space for score's candidates, reused likewise: the best by a first judgement, then per
  // candidate the question terms it matched, its odds and its score, and the best by rank.
  private readonly candidates = new BestOf();
  private matches = new Uint8Array(0);
  private odds = new Float64Array(0);
  private scores = new Float64Array(0);
  private readonly ranked = new BestOf();
  private lastQuestion: string | undefined;
  private lastQuestionTerms: string[] = [];

  /**
   * `documents`: this index's own; `shared`: layers analysed once (`new MatchLayer(documents,
   * MatchIndex.layerSettings(settings))`) and searched as if their documents followed the own ones.
   */
  constructor(
    documents: readonly MatchDocument[],
    readonly settings: MatcherSettings = DEFAULT_MATCHER_SETTINGS,
    /**
     * Whether a folded word is a real word of the language (a dictionary's answer): a real word the
     * knowledge base does not use is a different word, never a typo of one it does.
     */
    private readonly isWord: (foldedWord: string) => boolean = () => false,
    shared: readonly MatchLayer[] = [],
  ) {
    const layerSettings = MatchIndex.layerSettings(settings);
    for (const layer of shared) {
      if (layer.settings.minSharedPrefix !== layerSettings.minSharedPrefix || (layerSettings.grams && layer.grams === undefined)) {
        throw new Error('a shared layer was analysed for other matcher settings');
      }
    }
    // The own documents' n-grams are the GramIndex's: their weights are made for this index alone.
    this.layers = [new MatchLayer(documents, { ...layerSettings, grams: false }), ...shared];
    this.docBase = [];
    this.docs = [];
    let phrasings = 0;
    this.layers.forEach((layer, layerIndex) => {
      this.docBase.push(this.docs.length);
      layer.documents.forEach((doc, local) => {
        const firstPhrasing = layer.docPhrasingStart[local]!;
        this.docs.push({
          doc,
          layer,
          local,
          layerIndex,
          total: layer.docTotal[local]!,
          phrasings: layer.docPhrasingStart[local + 1]! - firstPhrasing,
          firstPhrasing,
          phrasingBase: phrasings + firstPhrasing,
        });
      });
      phrasings += layer.phrasingTermStart.length - 1;
    });
    const n = this.docs.length;
    // The IDF over the union: n documents, a term's df summed over the layers; the vocabulary in the
    // union's first-use order (the own layer's, then each shared layer's terms not met before).
    const idf = new Map<string, number>();
    let maxIdf = 0;
    this.layers.forEach((layer, l) => {
      for (const term of layer.terms) {
        if (l > 0 && this.knownBefore(term, l)) continue;
        const value = this.idfOf(term);
        idf.set(term, value);
        maxIdf = Math.max(maxIdf, value);
      }
    });
    this.vocabularySize = idf.size;
    this.maxIdf = maxIdf || 1;
    this.phrasingIdf = new Float64Array(phrasings);
    for (const { layer, firstPhrasing, phrasings: count, phrasingBase } of this.docs) {
      for (let p = 0; p < count; p++) {
        const { phrasingTermStart, phrasingTerms, terms } = layer;
        for (let k = phrasingTermStart[firstPhrasing + p]!; k < phrasingTermStart[firstPhrasing + p + 1]!; k++) {
          this.phrasingIdf[phrasingBase + p]! += idf.get(terms[phrasingTerms[k]!]!) ?? 0;
        }
      }
    }
    const maxPhrasings = Math.max(0, ...this.layers.map((l) => l.maxPhrasings));
    this.phrasingSeen = new Uint8Array(maxPhrasings);
    this.phrasingTouched = new Int32Array(maxPhrasings);
    this.coverage = new Float64Array(n);
    this.coverageStamp = new Int32Array(n);
    this.credit = new Float64Array(n);
    this.creditStamp = new Int32Array(n);
    this.touched = new Int32Array(n);
    this.termDocs = new Int32Array(n);
    // (No closure made here outlives the constructor: it would keep the constructor's scope, the
    // union's IDF map of 7,000 terms among it, alive; an agency's index was 0.2 MB larger so.)
    for (const layer of this.layers) for (const letter of layer.fuzzyBuckets.keys()) this.fuzzy.set(letter, []);
    for (const [letter, buckets] of this.fuzzy) for (const layer of this.layers) buckets.push(layer.fuzzyBuckets.get(letter));
    const sharedGrams = shared.map((l) => l.grams as GramLayer); // checked above
    this.grams = settings.gramShare > 0 ? new GramIndex(documents, sharedGrams) : undefined;
  }

  /** What a shared layer is analysed with for an index with these settings. */
  static layerSettings(settings: MatcherSettings): { minSharedPrefix: number; grams: boolean } {
    return { minSharedPrefix: settings.minSharedPrefix, grams: settings.gramShare > 0 };
  }

  /** The term's id in each layer (-1: not there). */
  private idsOf(term: string): number[] {
    return this.layers.map((layer) => layer.termIds.get(term));
  }

  /** Documents using a term, over every layer, from its ids there. */
  private documentFrequency(ids: readonly number[]): number {
    let df = 0;
    ids.forEach((id, l) => {
      if (id >= 0) df += this.layers[l]!.documentFrequency(id);
    });
    return df;
  }

  /** Whether a layer before layer l uses the term. */
  private knownBefore(term: string, l: number): boolean {
    for (let k = 0; k < l; k++) if (this.layers[k]!.termIds.has(term)) return true;
    return false;
  }

  private knows(term: string): boolean {
    for (const layer of this.layers) if (layer.termIds.has(term)) return true;
    return false;
  }

  /** A resolution of a question term to a vocabulary term, with the vocabulary term's ids. */
  private resolution(term: string, similarity: number, typo: boolean): Resolution {
    // The ids are looked up once, for the postings and the IDF: a question's new words make dozens
    // of these, the most of what a first search of a word costs.
    const ids = this.idsOf(term);
    return { term, similarity, typo, idf: this.idfFrom(ids), ids };
  }

  /** The posting of a resolution's term in a document (an index into its layer's posting arrays), or -1. */
  private postingIn(indexed: IndexedDocument, r: Resolution): number {
    const id = r.ids[indexed.layerIndex]!;
    return id < 0 ? -1 : indexed.layer.posting(id, indexed.local);
  }

  /** A vocabulary term's IDF over every document of every layer. */
  private idfOf(term: string): number {
    return this.idfFrom(this.idsOf(term));
  }

  private idfFrom(ids: readonly number[]): number {
    return Math.log(1 + this.docs.length / this.documentFrequency(ids));
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
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`search: limit ${limit} is not a whole number ≥ 0`);
    // Folded once: the terms, the dictionary checks and the n-grams all start from the words.
    const key = fold(question);
    const scored = this.score(key === '' ? [] : key.split(' '), limit);
    // A question that is, word for word, a phrasing of exactly one document is that document; the
    // others keep their places behind it (a flow may offer related entries).
    let verbatim = -1;
    let found = 0;
    for (let l = 0; l < this.layers.length; l++) {
      // A document's number, or -n when n documents have the phrasing (-1: none has it).
      const doc = this.layers[l]!.verbatim.get(key);
      if (doc === -1) continue;
      found += doc >= 0 ? 1 : -doc;
      verbatim = this.docBase[l]! + doc;
    }
    if (found !== 1) return scored;
    const { doc } = this.docs[verbatim]!;
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
  private withoutRealWordTypos(questionWords: readonly string[], resolved: { term: string; resolutions: Resolution[] }[]): typeof resolved {
    const typoTerms = new Set<string>();
    for (const { term, resolutions } of resolved) if (resolutions.some((x) => x.typo)) typoTerms.add(term);
    if (typoTerms.size === 0) return resolved;
    const real = new Set(
      questionWords
        .filter((w) => typoTerms.has(stem(w)))
        .slice(0, DICTIONARY_LOOKUPS)
        .filter((w) => this.isWord(w))
        .map(stem),
    );
    return resolved.map((r) => (real.has(r.term) ? { term: r.term, resolutions: r.resolutions.filter((x) => !x.typo) } : r));
  }

  /** `questionWords`: the question's folded words (normalise.ts `words`). */
  private score(questionWords: readonly string[], limit: number): { analysis: QueryAnalysis; results: ScoredDocument[] } {
    // Index loops and scratch arrays where the work is per term, per candidate or per posting: this
    // runs for every message, and every iterator, closure and intermediate array there is garbage
    // that a young-generation collection, in the middle of some later search, has to sweep (BestOf
    // says more). What is made once a search (two closures below, the typo check's sets) costs little.
    const queryTerms: string[] = [];
    const seen = new Set<string>();
    const found: { term: string; resolutions: Resolution[] }[] = [];
    for (const term of termsOfWords(questionWords)) {
      if (seen.has(term)) continue;
      seen.add(term);
      queryTerms.push(term);
      found.push({ term, resolutions: this.resolve(term) });
    }
    const resolved = this.withoutRealWordTypos(questionWords, found);
    const termCount = resolved.length;
    const unknown: string[] = [];
    // A term's weight is its own IDF when the knowledge knows it as typed; only otherwise the best
    // of the forms it may stand for (a rarer inflected form must not inflate a common word).
    const weights: number[] = [];
    let totalWeight = 0;
    let familiarTerms = 0;
    for (let i = 0; i < termCount; i++) {
      const { term, resolutions } = resolved[i]!;
      let exact = -1; // an IDF is always positive
      let strongest = -Infinity;
      let familiar = false;
      for (let k = 0; k < resolutions.length; k++) {
        const r = resolutions[k]!;
        if (!r.typo) familiar = true;
        if (exact < 0 && r.similarity === 1) exact = r.idf;
        strongest = Math.max(strongest, r.idf * r.similarity);
      }
      const weight = resolutions.length === 0 ? this.maxIdf * this.settings.unknownWordWeight : exact >= 0 ? exact : strongest;
      if (resolutions.length === 0) unknown.push(term);
      if (familiar) familiarTerms++;
      weights.push(weight);
      totalWeight += weight;
    }
    const analysis: QueryAnalysis = { terms: queryTerms, unknown, weight: totalWeight, familiar: familiarTerms / Math.max(1, termCount) };
    if (totalWeight === 0) return { analysis, results: [] };

    // Bag coverage: for each question term, the best credit any of its resolutions gives each doc.
    // Typed arrays indexed by document, not Maps: a common word touches thousands of documents.
    const queryStamp = this.nextStamp();
    let touchedCount = 0;
    for (let i = 0; i < termCount; i++) {
      const termStamp = this.nextStamp();
      let termDocCount = 0;
      const resolutions = resolved[i]!.resolutions;
      for (let r = 0; r < resolutions.length; r++) {
        const { similarity, idf, ids } = resolutions[r]!;
        const value = idf * similarity;
        for (let l = 0; l < this.layers.length; l++) {
          const id = ids[l]!;
          if (id < 0) continue;
          const base = this.docBase[l]!;
          const { postingStart, postingDoc, postingCount } = this.layers[l]!;
          for (let p = postingStart[id]!, end = postingStart[id + 1]!; p < end; p++) {
            const d = base + postingDoc[p]!;
            const v = value * salience(postingCount[p]!);
            if (this.creditStamp[d] !== termStamp) {
              this.creditStamp[d] = termStamp;
              this.credit[d] = v;
              this.termDocs[termDocCount++] = d;
            } else if (this.credit[d]! < v) this.credit[d] = v;
          }
        }
      }
      const w = weights[i]!;
      for (let k = 0; k < termDocCount; k++) {
        const d = this.termDocs[k]!;
        const add = Math.min(this.credit[d]!, w);
        if (this.coverageStamp[d] !== queryStamp) {
          this.coverageStamp[d] = queryStamp;
          this.coverage[d] = add;
          this.touched[touchedCount++] = d;
        } else this.coverage[d]! += add;
      }
    }

    // Documents sharing letters but no word with the question are candidates too: with the n-grams
    // on, a document is first judged by coverage and n-gram similarity together. The best `keep` by
    // that first judgement, ties in first-touch order (what a stable full sort would give).
    const g = this.settings.gramShare;
    const gramMatches = this.grams?.score(questionWords);
    const fitWeight = this.settings.fitTerms > 0 ? Math.min(totalWeight, this.settings.fitTerms * this.maxIdf) : totalWeight;
    const coverageOf = (d: number) => (this.coverageStamp[d] === queryStamp ? Math.min(1, this.coverage[d]! / fitWeight) : 0);
    const gramOf = (d: number) => this.grams?.similarity(d) ?? 0;
    const candidates = this.candidates.reset(Math.max(limit * 3, 24));
    for (let k = 0; k < touchedCount; k++) {
      const d = this.touched[k]!;
      candidates.offer(d, (1 - g) * coverageOf(d) + g * gramOf(d));
    }
    if (gramMatches !== undefined) {
      for (let k = 0; k < gramMatches.count; k++) {
        const d = gramMatches.docs[k]!;
        if (this.coverageStamp[d] !== queryStamp) candidates.offer(d, (1 - g) * coverageOf(d) + g * gramOf(d));
      }
    }
    const count = candidates.count;
    // Which question terms each candidate matched: matches[j * termCount + i] for candidate j, term i.
    if (this.matches.length < count * termCount) this.matches = new Uint8Array(count * termCount * 2);
    const matches = this.matches;
    // The naive Bayes odds of each candidate, relative to the likeliest.
    if (this.odds.length < count) this.odds = new Float64Array(count * 2);
    const odds = this.odds;
    let maxLog = -Infinity;
    for (let j = 0; j < count; j++) {
      const indexed = this.docs[candidates.ids[j]!]!;
      for (let i = 0; i < termCount; i++) {
        let matched = 0;
        const resolutions = resolved[i]!.resolutions;
        for (let k = 0; k < resolutions.length; k++) {
          if (this.postingIn(indexed, resolutions[k]!) >= 0) {
            matched = 1;
            break;
          }
        }
        matches[j * termCount + i] = matched;
      }
      odds[j] = this.logLikelihood(indexed, resolved);
      maxLog = Math.max(maxLog, odds[j]!);
    }
    let evidence = 0;
    for (let j = 0; j < count; j++) {
      odds[j] = Math.exp(odds[j]! - maxLog);
      evidence += odds[j]!;
    }

    const share = this.settings.phrasingShare;
    const lambda = this.settings.confidenceShare;
    // Only the `limit` best by rank become results, ties in candidate order (what a stable sort of
    // them all would give): `ranked` keeps their ranks, `scores` each computed candidate's score.
    // The phrasing similarity is the costly part. It is at most the share of the question's weight
    // this document matches at all, which bounds the rank: a candidate that cannot reach the
    // `limit`-th best rank found so far is left out without computing it (it could not be returned).
    if (this.scores.length < count) this.scores = new Float64Array(count * 2);
    const scores = this.scores;
    const ranked = this.ranked.reset(limit);
    for (let j = 0; j < count; j++) {
      const d = candidates.ids[j]!;
      const c = coverageOf(d);
      const gram = gramOf(d);
      const confidence = odds[j]! / evidence;
      let phrasingBound = 0;
      let matchedAny = false;
      for (let i = 0; i < termCount; i++) {
        if (matches[j * termCount + i] === 0) continue;
        phrasingBound += weights[i]!;
        matchedAny = true;
      }
      phrasingBound = Math.min(1, phrasingBound / totalWeight);
      const bound = ((1 - g) * ((1 - share) * c + share * phrasingBound) + g * gram) ** (1 - lambda) * confidence ** lambda;
      if (bound * (1 + 1e-9) < ranked.threshold) continue;
      const phrasing = matchedAny ? this.bestPhrasing(this.docs[d]!, resolved, weights, totalWeight) : 0;
      const score = (1 - g) * ((1 - share) * c + share * phrasing) + g * gram;
      const rank = score ** (1 - lambda) * confidence ** lambda;
      scores[j] = score;
      ranked.offer(j, rank);
    }
    const results: ScoredDocument[] = [];
    for (let k = 0; k < ranked.count; k++) {
      const j = ranked.ids[k]!;
      const { doc } = this.docs[candidates.ids[j]!]!;
      const matched: string[] = [];
      for (let i = 0; i < termCount; i++) if (matches[j * termCount + i] === 1) matched.push(resolved[i]!.term);
      results.push({ kind: doc.kind, id: doc.id, score: scores[j]!, confidence: odds[j]! / evidence, rank: ranked.scores[k]!, matched });
    }
    return { analysis, results };
  }

  /**
   * How many entries use a question term in some form (typos included, the most of its forms): a
   * word the agency's own entries use throughout cannot by itself send the citizen elsewhere.
   */
  entriesUsing(term: string): number {
    const uses = (r: Resolution) => this.layers.reduce((sum, layer, l) => sum + (r.ids[l]! < 0 ? 0 : layer.entryUses(r.ids[l]!)), 0);
    return Math.max(0, ...this.resolve(term).map(uses));
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
    const denominator = Math.log(indexed.total + alpha * this.vocabularySize);
    let sum = 0;
    for (let i = 0; i < resolved.length; i++) {
      const resolutions = resolved[i]!.resolutions;
      if (resolutions.length === 0) continue;
      let count = 0;
      for (let k = 0; k < resolutions.length; k++) {
        const r = resolutions[k]!;
        const p = this.postingIn(indexed, r);
        count = Math.max(count, (p < 0 ? 0 : indexed.layer.postingCount[p]!) * r.similarity);
      }
      sum += Math.log(count + alpha) - denominator;
    }
    return sum;
  }

  /** Weighted soft Jaccard between the question and the document's closest phrasing. */
  private bestPhrasing(indexed: IndexedDocument, resolved: { term: string; resolutions: Resolution[] }[], weights: number[], totalWeight: number): number {
    const terms = resolved.length;
    const size = indexed.phrasings * terms;
    if (this.phrasingSim.length < size) {
      this.phrasingSim = new Float64Array(size);
      this.phrasingHit = new Array<string | undefined>(size);
      this.phrasingHitIdf = new Float64Array(size);
    }
    const sim = this.phrasingSim.fill(0, 0, size);
    const hit = this.phrasingHit.fill(undefined, 0, size);
    const hitIdf = this.phrasingHitIdf;
    const seen = this.phrasingSeen;
    const touched = this.phrasingTouched;
    let touchedCount = 0;
    // Only the phrasings that contain some resolution of some question term can share anything:
    // reached through the document's term → phrasings map instead of testing every phrasing.
    for (let i = 0; i < terms; i++) {
      const resolutions = resolved[i]!.resolutions;
      for (let k = 0; k < resolutions.length; k++) {
        const r = resolutions[k]!;
        const posting = this.postingIn(indexed, r);
        if (posting < 0) continue;
        const { withStart, withPhrasing } = indexed.layer;
        for (let q = withStart[posting]!; q < withStart[posting + 1]!; q++) {
          const p = withPhrasing[q]!;
          const k = p * terms + i;
          if (r.similarity > sim[k]!) {
            sim[k] = r.similarity;
            hit[k] = r.term;
            hitIdf[k] = r.idf;
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
      let union = totalWeight + this.phrasingIdf[indexed.phrasingBase + p]!;
      for (let i = 0; i < terms; i++) {
        const h = hit[row + i];
        if (h === undefined) continue;
        let repeated = false;
        for (let j = 0; j < i && !repeated; j++) repeated = hit[row + j] === h;
        if (!repeated) union -= hitIdf[row + i]!;
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
    if (this.knows(term)) out.push(this.resolution(term, 1, false));
    if (term.length >= minSharedPrefix) {
      const prefix = term.slice(0, minSharedPrefix);
      this.layers.forEach((layer, l) => {
        for (const other of layer.termsWithPrefix(prefix)) {
          // The stems first: they are compared in place, an earlier layer is looked up.
          if (other === term || !sharesStem(term, other, minSharedPrefix) || (l > 0 && this.knownBefore(other, l))) continue;
          out.push(this.resolution(other, prefixSimilarity, false));
        }
      });
    }
    if (out.length === 0) {
      // Latvian puts the debitive and the negation in front of the verb: "jāiesniedz" (must submit),
      // "nesaņēmu" (did not get) are "iesniegt" and "saņemt" to the knowledge base.
      for (const prefix of VERB_PREFIXES) {
        if (!term.startsWith(prefix) || term.length - prefix.length < minSharedPrefix) continue;
        for (const r of this.resolve(term.slice(prefix.length))) {
          if (!r.typo) out.push({ term: r.term, similarity: r.similarity * VERB_PREFIX_SIMILARITY, typo: false, idf: r.idf, ids: r.ids });
        }
      }
    }
    if (out.length === 0 && term.length >= fuzzyMinLength && !/\d/.test(term)) {
      // Only words of about the same length can be the one meant (the length guard below); Fuse
      // never sees the others, so a long typo costs a fraction of a millisecond.
      const near = fuzzyCandidates(this.fuzzy.get(term[0] ?? '') ?? [], term, this.settings.fuzzyThreshold, (t, l) => this.knownBefore(t, l)).filter(
        (t) => Math.abs(t.length - term.length) <= 2,
      );
      const fuse = new Fuse(near, { includeScore: true, threshold: this.settings.fuzzyThreshold, ignoreLocation: true, isCaseSensitive: true });
      for (const hit of near.length === 0 ? [] : fuse.search(term, { limit: 3 })) {
        const similarity = fuzzyWeight * (1 - (hit.score ?? 1));
        // Length guard: Fuse happily matches a short word inside a long one.
        if (Math.abs(hit.item.length - term.length) <= 2) out.push(this.resolution(hit.item, similarity, true));
      }
    }
    return out;
  }
}

/** Folded Latvian verb prefixes: debitive "jā-", negation "ne-". */
const VERB_PREFIXES = ['ja', 'ne'];
/** A verb found under its prefix is that verb, nearly: "nedrīkst" is not "drīkst". */
const VERB_PREFIX_SIMILARITY = 0.9;

/** Two stems share a stem when one extends the other or they differ only in the last two letters. */
function sharesStem(a: string, b: string, minShared: number): boolean {
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  if (common < minShared) return false;
  const shorter = Math.min(a.length, b.length);
  return common === shorter || common >= shorter - 2;
}
