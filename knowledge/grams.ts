// Character n-grams of words: evidence that survives what word stems do not — compounds
// ("datuaizsardzība"), derivations the light stemmer leaves apart ("apstrāde"/"apstrādātājs"), a
// Russian speaker's endings, two typos in one word. Each folded word with boundary marks gives its
// 3–5-grams ("<dat", "datu>"); a text is their TF-IDF vector (sublinear TF), unit length.
import { words } from './normalise.js';

const MIN_GRAM = 3;
const MAX_GRAM = 5;
/**
 * Grams used by more than this share of the phrasings are not looked up: at 1,000 entries, skipping
 * them cut the matcher's p99 from 1.05 to 0.79 ms; the tuning set's figures did not move (one
 * answer of 104 became a clarifying question at 5 phrasings). The query vector's length still
 * counts them, so similarities stay comparable between questions.
 */
const COMMON_GRAM_SHARE = 0.05;
/** … and never grams of fewer texts than this: in a small knowledge base every gram is cheap. */
const COMMON_GRAM_MIN = 100;
/**
 * … and always grams of more texts than this: at 20,000 entries (243,000 texts) one in twenty still
 * let a question walk a million postings (p99 9.5 ms); capped, 1 % of the texts is the most a gram
 * may cost. Knowledge bases up to about 3,000 entries are not affected.
 */
const COMMON_GRAM_MAX = 2_500;

/** The 3–5-grams of each folded word of a text, with their counts. */
export function charGrams(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of words(text)) {
    const marked = `<${word}>`;
    for (let n = MIN_GRAM; n <= MAX_GRAM; n++) {
      for (let i = 0; i + n <= marked.length; i++) {
        const gram = marked.slice(i, i + n);
        counts.set(gram, (counts.get(gram) ?? 0) + 1);
      }
    }
  }
  return counts;
}

/** The documents sharing a gram with the last question scored, in first-touch order: the first `count`. */
export interface GramMatches {
  readonly docs: Int32Array;
  readonly count: number;
}

/**
 * An inverted index from grams to the phrasings and keywords using them, in flat typed arrays
 * (compressed sparse rows): a Map per phrasing costs about 60 bytes a gram, these 8. A document is
 * as close as its closest phrasing or keyword (measured on the tuning set: better than one vector
 * of all of a document's texts, which blurs an entry's different questions together).
 */
export class GramIndex {
  private readonly gramIds = new Map<string, number>();
  private readonly idf: Float64Array;
  private readonly offsets: Int32Array;
  /** Postings of gram g: units offsets[g] … offsets[g + 1] - 1, with their weights. */
  private readonly postingUnits: Int32Array;
  private readonly postingWeights: Float32Array;
  /** A unit is one phrasing or keyword; unitDoc says whose. */
  private readonly unitDoc: Int32Array;
  private readonly unitDot: Float64Array;
  private readonly unitStamps: Int32Array;
  private readonly unitTouched: Int32Array;
  private readonly similarities: Float64Array;
  private readonly stamps: Int32Array;
  private readonly touched: Int32Array;
  private stamp = 0;
  // Scratch space for vectorOf: each gram's count in the current text (valid where its stamp is
  // current), and the text's vector.
  private readonly gramTf: Float64Array;
  private readonly gramStamps: Int32Array;
  private gramStamp = 0;
  private vectorIds = new Int32Array(256);
  private vectorWeights = new Float64Array(256);

  constructor(documents: readonly { phrasings: readonly string[]; keywords: readonly string[] }[]) {
    const unitDoc: number[] = [];
    documents.forEach((d, i) => {
      for (let k = d.phrasings.length + d.keywords.length; k > 0; k--) unitDoc.push(i);
    });
    const units = unitDoc.length;
    // Two passes over the texts (document frequencies, then the weighted postings): holding every
    // phrasing's gram map at once would take gigabytes at 20,000 entries.
    const df: number[] = [];
    for (const d of documents) {
      for (const text of [...d.phrasings, ...d.keywords]) {
        for (const gram of charGrams(text).keys()) {
          let id = this.gramIds.get(gram);
          if (id === undefined) this.gramIds.set(gram, (id = df.length));
          df[id] = (df[id] ?? 0) + 1;
        }
      }
    }
    this.idf = Float64Array.from(df, (f) => Math.log((1 + units) / (1 + f)) + 1);
    this.offsets = new Int32Array(df.length + 1);
    for (let g = 0; g < df.length; g++) this.offsets[g + 1] = this.offsets[g]! + df[g]!;
    this.postingUnits = new Int32Array(this.offsets[df.length]!);
    this.postingWeights = new Float32Array(this.offsets[df.length]!);
    const fill = this.offsets.slice(0, df.length);
    this.gramTf = new Float64Array(df.length);
    this.gramStamps = new Int32Array(df.length);
    let unit = 0;
    for (const d of documents) {
      for (const text of [...d.phrasings, ...d.keywords]) {
        const n = this.vectorOf(text);
        for (let k = 0; k < n; k++) {
          const at = fill[this.vectorIds[k]!]!++;
          this.postingUnits[at] = unit;
          this.postingWeights[at] = this.vectorWeights[k]!;
        }
        unit++;
      }
    }
    this.unitDoc = Int32Array.from(unitDoc);
    this.unitDot = new Float64Array(units);
    this.unitStamps = new Int32Array(units);
    this.unitTouched = new Int32Array(units);
    this.similarities = new Float64Array(documents.length);
    this.stamps = new Int32Array(documents.length);
    this.touched = new Int32Array(documents.length);
  }

  /**
   * Scores the question against every document sharing a gram with it (one pass over the grams'
   * postings); `similarity(d)` then gives each document's cosine, until the next question.
   */
  score(question: string): GramMatches {
    if (this.stamp === 0x7fffffff) {
      this.stamp = 0;
      this.stamps.fill(0);
      this.unitStamps.fill(0);
    }
    const stamp = ++this.stamp;
    let units = 0;
    const maxPostings = Math.max(COMMON_GRAM_MIN, Math.min(COMMON_GRAM_MAX, COMMON_GRAM_SHARE * this.unitDoc.length));
    const grams = this.vectorOf(question);
    for (let k = 0; k < grams; k++) {
      const g = this.vectorIds[k]!;
      const w = this.vectorWeights[k]!;
      // A gram in more than one text of twenty ("<pa", "as>") says little and costs the most.
      if (this.offsets[g + 1]! - this.offsets[g]! > maxPostings) continue;
      for (let at = this.offsets[g]!, end = this.offsets[g + 1]!; at < end; at++) {
        const u = this.postingUnits[at]!;
        const add = w * this.postingWeights[at]!;
        if (this.unitStamps[u] !== stamp) {
          this.unitStamps[u] = stamp;
          this.unitDot[u] = add;
          this.unitTouched[units++] = u;
        } else this.unitDot[u]! += add;
      }
    }
    let count = 0;
    for (let k = 0; k < units; k++) {
      const u = this.unitTouched[k]!;
      const d = this.unitDoc[u]!;
      const v = this.unitDot[u]!;
      if (this.stamps[d] !== stamp) {
        this.stamps[d] = stamp;
        this.similarities[d] = v;
        this.touched[count++] = d;
      } else if (this.similarities[d]! < v) this.similarities[d] = v;
    }
    return { docs: this.touched, count };
  }

  /** The last question's cosine with document d (0 … 1). */
  similarity(d: number): number {
    return this.stamps[d] === this.stamp ? this.similarities[d]! : 0;
  }

  /**
   * The text's vector over the known grams, in the order they first occur: sublinear TF times IDF,
   * unit length (so dot products are cosines), left in vectorIds/vectorWeights; returns its length.
   * Counted straight into arrays by gram id: no map of the text's grams is made (the vector is made
   * for every question, and twice for every phrasing when the index is built).
   */
  private vectorOf(text: string): number {
    if (++this.gramStamp === 0x7fffffff) {
      this.gramStamp = 1;
      this.gramStamps.fill(0);
    }
    const stamp = this.gramStamp;
    let n = 0;
    for (const word of words(text)) {
      const marked = `<${word}>`;
      for (let size = MIN_GRAM; size <= MAX_GRAM; size++) {
        for (let i = 0; i + size <= marked.length; i++) {
          const g = this.gramIds.get(marked.slice(i, i + size));
          if (g === undefined) continue;
          if (this.gramStamps[g] !== stamp) {
            this.gramStamps[g] = stamp;
            this.gramTf[g] = 1;
            if (n === this.vectorIds.length) this.growVector();
            this.vectorIds[n++] = g;
          } else this.gramTf[g]!++;
        }
      }
    }
    let norm = 0;
    for (let k = 0; k < n; k++) {
      const g = this.vectorIds[k]!;
      const w = (1 + Math.log(this.gramTf[g]!)) * this.idf[g]!;
      this.vectorWeights[k] = w;
      norm += w * w;
    }
    const length = Math.sqrt(norm);
    for (let k = 0; k < n; k++) this.vectorWeights[k]! /= length;
    return n;
  }

  private growVector(): void {
    const ids = new Int32Array(this.vectorIds.length * 2);
    ids.set(this.vectorIds);
    const weights = new Float64Array(this.vectorWeights.length * 2);
    weights.set(this.vectorWeights);
    this.vectorIds = ids;
    this.vectorWeights = weights;
  }
}
