// Character n-grams of words: evidence that survives what word stems do not — compounds
// ("datuaizsardzība"), derivations the light stemmer leaves apart ("apstrāde"/"apstrādātājs"), a
// Russian speaker's endings, two typos in one word. Each folded word with boundary marks gives its
// 3–5-grams ("<dat", "datu>"); a text is their TF-IDF vector (sublinear TF), unit length.
import { GramLayer, GramTable, MAX_GRAM, MIN_GRAM, packedGram, tfWeight, unitLengths, type Texts } from './gram-layer.js';
import { words } from './normalise.js';

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
 * Scratch space for scoring, one for the process (the grams' slots in a question's vector, and
 * the units' dot products): a search is synchronous, so no two indexes ever use it at once, and an
 * agency's index need not carry 160 KB of its own. A slot is valid only where its stamp is the
 * current one, so nothing is cleared between questions; it grows to the largest index.
 */
const scratch = {
  stamp: 0,
  gramSlot: new Int32Array(0),
  gramStamps: new Int32Array(0),
  unitDot: new Float64Array(0),
  unitStamps: new Int32Array(0),
  unitTouched: new Int32Array(0),
};

/** A new stamp for the scratch, which is then at least this large; after 2^31 - 1 stamps they start over. */
function scratchFor(grams: number, units: number): number {
  if (scratch.gramSlot.length < grams) {
    scratch.gramSlot = new Int32Array(grams);
    scratch.gramStamps = new Int32Array(grams);
  }
  if (scratch.unitDot.length < units) {
    scratch.unitDot = new Float64Array(units);
    scratch.unitStamps = new Int32Array(units);
    scratch.unitTouched = new Int32Array(units);
  }
  if (scratch.stamp === 0x7fffffff) {
    scratch.stamp = 0;
    scratch.gramStamps.fill(0);
    scratch.unitStamps.fill(0);
  }
  return ++scratch.stamp;
}

/**
 * Adds one gram's postings (from … to - 1) to the units' dot products in the scratch; returns how
 * many units are touched now. Each posting's weight is the one it would carry stored in a one-layer
 * index: rounded to 32 bits as stored there, so the scores are the same as ever. (One function for
 * the own and the shared postings, its count in a local: the closure it replaced kept the count in a
 * context, and scoring took 12 % longer at 1,000 entries.)
 */
function walk(
  units: number,
  stamp: number,
  postingUnits: ArrayLike<number>,
  postingTf: ArrayLike<number>,
  from: number,
  to: number,
  unitBase: number,
  lengths: Float64Array,
  w: number,
  idf: number,
): number {
  const { unitDot, unitStamps, unitTouched } = scratch;
  for (let at = from; at < to; at++) {
    const own = postingUnits[at]!;
    const add = w * Math.fround((tfWeight(postingTf[at]!) * idf) / lengths[own]!);
    const u = unitBase + own;
    if (unitStamps[u] !== stamp) {
      unitStamps[u] = stamp;
      unitDot[u] = add;
      unitTouched[units++] = u;
    } else unitDot[u]! += add;
  }
  return units;
}

/** A shared layer as one index sees it: where its units and documents start, its units' lengths here. */
interface SharedGrams {
  layer: GramLayer;
  unitBase: number;
  docBase: number;
  /** Each unit's vector length under this index's IDF. */
  lengths: Float64Array;
  /**
   * The own grams this layer is the first to know, by its id (ascending), and their own ids: the
   * own index keeps no string of a gram a shared layer has (an agency's own grams were 0.7 MB of
   * its heap as a map of strings; four fifths of them are the shared documents' too).
   */
  sharedIds: Indexes;
  ownIds: Indexes;
}

/**
 * An inverted index from grams to the phrasings and keywords using them, in flat typed arrays
 * (compressed sparse rows): a Map per phrasing costs about 60 bytes a gram, these 8. A document is
 * as close as its closest phrasing or keyword (measured on the tuning set: better than one vector
 * of all of a document's texts, which blurs an entry's different questions together).
 *
 * Its own documents come first; shared layers (analysed once, for every agency) follow, as if their
 * documents were listed after its own: the same IDF over every unit (n and df of the union), the
 * same weights, the same order. Its own postings carry their final weights (as ever); a shared
 * layer's are worked out as they are walked (they depend on this index's IDF, and 4 bytes a posting
 * for every agency is what sharing saves).
 */
export class GramIndex {
  /** The own grams no shared layer has, with their own ids. */
  private readonly ownOnly: GramTable;
  /** The own grams' df over every unit of the index. */
  private readonly unionDf: Indexes;
  private readonly offsets: Indexes;
  /**
   * Postings of gram g: units offsets[g] … offsets[g + 1] - 1, with the gram's count there; the
   * weight is worked out as a posting is walked, from the count, the gram's IDF and the unit's
   * length, as a shared layer's is (3 bytes a posting instead of 8: the postings were two fifths
   * of an agency's memory).
   */
  private readonly postingUnits: Uint16Array | Int32Array;
  private readonly postingTf: Uint8Array | Uint32Array;
  /** Each own unit's vector length. */
  private readonly ownLengths: Float64Array;
  private readonly shared: SharedGrams[];
  /** Units in all: the own, then each shared layer's. */
  private readonly unitCount: number;
  /** A unit is one phrasing or keyword; unitDoc says whose (over the own and the shared documents). */
  private readonly unitDoc: Indexes;
  private readonly similarities: Float64Array;
  private readonly stamps: Int32Array;
  private readonly touched: Int32Array;
  private stamp = 0;
  // The vector of the current question: per slot the gram's id in the own grams and in each shared
  // layer (-1: not there), its count, df, IDF and weight.
  private readonly ownGrams: number;
  private vectorOwn = new Int32Array(256);
  private vectorShared: Int32Array[];
  private vectorTf = new Float64Array(256);
  private vectorDf = new Float64Array(256);
  private vectorIdf = new Float64Array(256);
  private vectorWeights = new Float64Array(256);

  constructor(documents: readonly Texts[], shared: readonly GramLayer[] = []) {
    const own = new GramLayer(documents);
    let unitCount = own.units;
    let docCount = documents.length;
    this.shared = shared.map((layer) => {
      const part = { layer, unitBase: unitCount, docBase: docCount, lengths: new Float64Array(0), sharedIds: new Int32Array(0), ownIds: new Int32Array(0) };
      unitCount += layer.units;
      docCount += layer.documents;
      return part;
    });
    this.unitCount = unitCount;
    const idfOf = (df: number) => Math.log((1 + unitCount) / (1 + df)) + 1;

    // Every gram's df over every unit: the own grams' (each looked up in the shared layers), and
    // the shared layers' (theirs, plus the own units' and the other layers').
    const unionDf = Int32Array.from(own.df);
    const sharedDf = this.shared.map(({ layer }) => Int32Array.from(layer.df));
    const ownOnly: [string, number][] = [];
    const firstKnown = this.shared.map(() => [] as [number, number][]);
    for (const [gram, g] of own.gramIds) {
      let first = -1;
      this.shared.forEach(({ layer }, l) => {
        const id = layer.gramIds.get(gram);
        if (id === undefined) return;
        unionDf[g]! += layer.df[id]!;
        sharedDf[l]![id]! += own.df[g]!;
        if (first < 0) firstKnown[(first = l)]!.push([id, g]);
      });
      if (first < 0) ownOnly.push([gram, g]);
    }
    this.ownOnly = new GramTable(ownOnly);
    this.shared.forEach((part, l) => {
      const pairs = firstKnown[l]!.sort((a, b) => a[0] - b[0]);
      part.sharedIds = compact(pairs.map((p) => p[0]));
      part.ownIds = compact(pairs.map((p) => p[1]));
      // Grams of two shared layers (none with the one shared layer of an installation).
      this.shared.forEach((other, m) => {
        if (m === l) return;
        for (const [gram, g] of part.layer.gramIds) {
          const id = other.layer.gramIds.get(gram);
          if (id !== undefined) sharedDf[l]![g]! += other.layer.df[id]!;
        }
      });
    });
    this.unionDf = compact(unionDf);
    const idf = Float64Array.from(unionDf, idfOf);
    // The own postings with their weights (each unit's vector: sublinear TF times IDF, unit length),
    // but only of the grams a question walks: a common gram's are never read (score), and were
    // a tenth of an agency's (their df and IDF still count in every vector's length).
    const walked = (g: number) => unionDf[g]! <= maxPostingsOf(unitCount);
    this.ownLengths = unitLengths(own, idf);
    const offsets = new Int32Array(own.offsets.length);
    for (let g = 0; g + 1 < own.offsets.length; g++) offsets[g + 1] = offsets[g]! + (walked(g) ? own.df[g]! : 0);
    this.offsets = compact(offsets);
    const postings = offsets[offsets.length - 1]!;
    this.postingUnits = own.units <= 0xffff ? new Uint16Array(postings) : new Int32Array(postings);
    this.postingTf = own.postingTf.every((tf) => tf <= 0xff) ? new Uint8Array(postings) : new Uint32Array(postings);
    for (let g = 0; g + 1 < own.offsets.length; g++) {
      if (!walked(g)) continue;
      for (let at = own.offsets[g]!, to = this.offsets[g]!; at < own.offsets[g + 1]!; at++, to++) {
        this.postingUnits[to] = own.postingUnits[at]!;
        this.postingTf[to] = own.postingTf[at]!;
      }
    }
    // Each shared layer's units' lengths under this index's IDF.
    this.shared.forEach((part, l) => {
      part.lengths = unitLengths(part.layer, Float64Array.from(sharedDf[l]!, idfOf));
    });

    const unitDoc = new Int32Array(unitCount);
    unitDoc.set(own.unitDoc);
    for (const { layer, unitBase, docBase } of this.shared) {
      for (let u = 0; u < layer.units; u++) unitDoc[unitBase + u] = docBase + layer.unitDoc[u]!;
    }
    this.unitDoc = compact(unitDoc);
    this.similarities = new Float64Array(docCount);
    this.stamps = new Int32Array(docCount);
    this.touched = new Int32Array(docCount);
    this.ownGrams = own.df.length;
    this.vectorShared = this.shared.map(() => new Int32Array(256));
  }

  /**
   * Scores the question (its folded words: normalise.ts `words`) against every document sharing a
   * gram with it (one pass over the grams' postings); `similarity(d)` then gives each document's
   * cosine, until the next question.
   */
  score(questionWords: readonly string[]): GramMatches {
    if (this.stamp === 0x7fffffff) {
      this.stamp = 0;
      this.stamps.fill(0);
    }
    const stamp = ++this.stamp;
    let units = 0;
    const maxPostings = maxPostingsOf(this.unitCount);
    const grams = this.vectorOf(questionWords);
    const unitStamp = scratchFor(0, this.unitCount);
    for (let k = 0; k < grams; k++) {
      const w = this.vectorWeights[k]!;
      // A gram in more than one text of twenty ("<pa", "as>") says little and costs the most.
      if (this.vectorDf[k]! > maxPostings) continue;
      // The gram's IDF over every unit of the index (newSlot): for an own gram, the one its weights were made with.
      const idf = this.vectorIdf[k]!;
      const g = this.vectorOwn[k]!;
      if (g >= 0) units = walk(units, unitStamp, this.postingUnits, this.postingTf, this.offsets[g]!, this.offsets[g + 1]!, 0, this.ownLengths, w, idf);
      for (let l = 0; l < this.shared.length; l++) {
        const id = this.vectorShared[l]![k]!;
        if (id < 0) continue;
        const { layer, unitBase, lengths } = this.shared[l]!;
        units = walk(units, unitStamp, layer.postingUnits, layer.postingTf, layer.offsets[id]!, layer.offsets[id + 1]!, unitBase, lengths, w, idf);
      }
    }
    const { unitDot, unitTouched } = scratch;
    let count = 0;
    for (let k = 0; k < units; k++) {
      const u = unitTouched[k]!;
      const d = this.unitDoc[u]!;
      const v = unitDot[u]!;
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
   * The question's vector over the known grams, in the order they first occur: sublinear TF times
   * IDF, unit length (so dot products are cosines), left in the vector arrays; returns its length.
   * Counted straight into arrays by gram id: no map of the text's grams is made (the vector is made
   * for every question).
   */
  private vectorOf(textWords: readonly string[]): number {
    const ownStamp = scratchFor(this.ownGrams, 0);
    const { gramSlot: ownSlot, gramStamps: ownStamps } = scratch;
    const sharedStamps = this.shared.map(({ layer }) => layer.nextQueryStamp());
    let n = 0;
    for (const word of textWords) {
      const marked = `<${word}>`;
      for (let size = MIN_GRAM; size <= MAX_GRAM; size++) {
        for (let i = 0; i + size <= marked.length; i++) {
          const code = packedGram(marked, i, size);
          const gram = code < 0 ? marked.slice(i, i + size) : '';
          // The first shared layer that has it, and its own id (there, or among the own-only grams).
          let l = -1;
          let id = -1;
          for (let k = 0; k < this.shared.length && l < 0; k++) {
            const found = this.shared[k]!.layer.idOf(code, gram);
            if (found >= 0) {
              l = k;
              id = found;
            }
          }
          const g = l >= 0 ? ownIdOf(this.shared[l]!, id) : this.ownOnly.idOf(code, gram);
          let slot: number;
          if (g >= 0) {
            if (ownStamps[g] === ownStamp) slot = ownSlot[g]!;
            else {
              ownStamps[g] = ownStamp;
              slot = ownSlot[g] = this.newSlot(n++, g, code, gram, l, id);
            }
          } else if (l >= 0) {
            const layer = this.shared[l]!.layer;
            if (layer.queryStamps[id] === sharedStamps[l]) slot = layer.querySlot[id]!;
            else {
              layer.queryStamps[id] = sharedStamps[l]!;
              slot = layer.querySlot[id] = this.newSlot(n++, -1, code, gram, l, id);
            }
          } else continue;
          this.vectorTf[slot]!++;
        }
      }
    }
    let norm = 0;
    for (let k = 0; k < n; k++) {
      const w = (1 + Math.log(this.vectorTf[k]!)) * this.vectorIdf[k]!;
      this.vectorWeights[k] = w;
      norm += w * w;
    }
    const length = Math.sqrt(norm);
    for (let k = 0; k < n; k++) this.vectorWeights[k]! /= length;
    return n;
  }

  /**
   * Slot k of the vector for a gram met for the first time in this text: its own id (-1: none),
   * its id in each shared layer (`first` is the first to have it, with `id`; -1: none), its df and
   * IDF over the whole index. The gram is `code` when it packs, else `gram` (idOf).
   */
  private newSlot(k: number, own: number, code: number, gram: string, first: number, id: number): number {
    if (k === this.vectorOwn.length) this.growVector();
    this.vectorOwn[k] = own;
    this.vectorTf[k] = 0;
    let df = own >= 0 ? this.unionDf[own]! : 0;
    for (let l = 0; l < this.shared.length; l++) {
      const { layer } = this.shared[l]!;
      const there = first < 0 || l < first ? -1 : l === first ? id : layer.idOf(code, gram);
      this.vectorShared[l]![k] = there;
      if (own < 0 && there >= 0) df += layer.df[there]!;
    }
    this.vectorDf[k] = df;
    this.vectorIdf[k] = Math.log((1 + this.unitCount) / (1 + df)) + 1;
    return k;
  }

  private growVector(): void {
    const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(a.length * 2);
      b.set(a);
      return b;
    };
    const ints = (n: number) => new Int32Array(n);
    const floats = (n: number) => new Float64Array(n);
    this.vectorOwn = grow(this.vectorOwn, ints);
    this.vectorShared = this.vectorShared.map((a) => grow(a, ints));
    this.vectorTf = grow(this.vectorTf, floats);
    this.vectorDf = grow(this.vectorDf, floats);
    this.vectorIdf = grow(this.vectorIdf, floats);
    this.vectorWeights = grow(this.vectorWeights, floats);
  }
}

/** Ids, counts and offsets of an index: most are below 65,536, and then take half the memory. */
type Indexes = Uint16Array | Int32Array;

/** The values (none negative) in the smallest array that holds them all. */
function compact(values: ArrayLike<number>): Indexes {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max <= 0xffff ? Uint16Array.from(values) : Int32Array.from(values);
}

/** The own id of a shared layer's gram, or -1. */
function ownIdOf({ sharedIds, ownIds }: SharedGrams, id: number): number {
  let lo = 0;
  let hi = sharedIds.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = sharedIds[mid]!;
    if (at === id) return ownIds[mid]!;
    if (at < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The most postings a gram of a question may have to be looked up, in an index of this many units. */
function maxPostingsOf(units: number): number {
  return Math.max(COMMON_GRAM_MIN, Math.min(COMMON_GRAM_MAX, COMMON_GRAM_SHARE * units));
}
