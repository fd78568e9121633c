// The character n-grams of a set of documents' texts, analysed once: what of them does not depend
// on the other documents indexed with them (knowledge/grams.ts weighs them for one index).
import { words } from './normalise.js';
import { IntTable, StringTable } from './string-table.js';

export const MIN_GRAM = 3;
export const MAX_GRAM = 5;

export interface Texts {
  readonly phrasings: readonly string[];
  readonly keywords: readonly string[];
}

// A gram of the word marks and Latin letters and digits (nearly every gram: folded Latvian and
// English are plain Latin) packed into one number, 6 bits a character, 5 characters in 30 bits:
// a question's grams are then looked up without cutting each out of its text as a string.
const PACKED_ALPHABET = '<>abcdefghijklmnopqrstuvwxyz0123456789';
const SYMBOL = Int8Array.from({ length: 128 }, (_, c) => PACKED_ALPHABET.indexOf(String.fromCharCode(c)) + 1);

/** text[from … from + size) packed into a positive number, or -1 for a gram of other characters. */
export function packedGram(text: string, from: number, size: number): number {
  let code = 0;
  for (let i = from; i < from + size; i++) {
    const c = text.charCodeAt(i);
    const symbol = c < 128 ? SYMBOL[c]! : 0;
    if (symbol === 0) return -1;
    code = (code << 6) | symbol;
  }
  return code;
}

/** The number a gram packs into, or -1 (the gram as a whole). */
export function packed(gram: string): number {
  return gram.length <= MAX_GRAM ? packedGram(gram, 0, gram.length) : -1;
}

/** Grams with an id each: those that pack looked up by their number, the few others by their letters. */
export class GramTable {
  private readonly byCode: IntTable;
  private readonly byLetters: StringTable;

  constructor(entries: Iterable<readonly [string, number]>) {
    const codes: [number, number][] = [];
    const others: [string, number][] = [];
    for (const [gram, id] of entries) {
      const code = packed(gram);
      if (code >= 0) codes.push([code, id]);
      else others.push([gram, id]);
    }
    this.byCode = new IntTable(codes);
    this.byLetters = new StringTable(others);
  }

  /** A gram's id, or -1: by `code` when it packs (≥ 0; `gram` is then not read), else by `gram`. */
  idOf(code: number, gram: string): number {
    return code >= 0 ? this.byCode.get(code) : this.byLetters.get(gram);
  }
}

/** 1 + ln(tf), the sublinear TF, for the counts a text usually has (the same values Math.log gives). */
const TF_WEIGHT = Float64Array.from({ length: 64 }, (_, n) => 1 + Math.log(n));
export const tfWeight = (tf: number): number => (tf < 64 ? TF_WEIGHT[tf]! : 1 + Math.log(tf));

/**
 * The grams of a set of documents' texts as far as they do not depend on the other documents
 * indexed with them: which grams each text has, how often, and which texts use each gram. The
 * weights do depend on the others (the IDF counts every text of the index), so a GramIndex works
 * them out; a layer shared by many indexes (every agency's, for the authorities and intents) is
 * analysed once. A unit is one phrasing or keyword, document by document, phrasings first.
 */
export class GramLayer {
  readonly gramIds = new Map<string, number>();
  /** The same grams, the lookup a question's grams take (idOf). */
  private readonly ids: GramTable;
  /** Units using each gram. */
  readonly df: Int32Array;
  /** Postings of gram g: units offsets[g] … offsets[g + 1] - 1 (ascending), with the gram's count there. */
  readonly offsets: Int32Array;
  readonly postingUnits: Int32Array;
  readonly postingTf: Uint32Array;
  /** The grams of unit u, in the order they first occur in its text: unitGrams[unitStart[u] … unitStart[u + 1] - 1]. */
  readonly unitStart: Int32Array;
  readonly unitGrams: Int32Array;
  readonly unitTf: Uint32Array;
  readonly unitDoc: Int32Array;
  readonly documents: number;
  /**
   * Scratch for query vectors, shared by every index searching this layer (a search is synchronous,
   * so never by two at once): a gram's slot in the current vector, valid where its stamp is current.
   */
  readonly querySlot: Int32Array;
  readonly queryStamps: Int32Array;
  queryStamp = 0;

  constructor(documents: readonly Texts[]) {
    this.documents = documents.length;
    const unitDoc: number[] = [];
    const unitStart: number[] = [0];
    const unitGrams: number[] = [];
    const unitTf: number[] = [];
    const df: number[] = [];
    // Each gram's place among the current text's (valid where its stamp is the text's number): the
    // grams are counted straight into the unit's list, in the order they first occur, without a map
    // per text (charGrams makes one: in a profile of building 50 agencies, the largest single cost).
    let stamps: Int32Array = new Int32Array(1024);
    let places: Int32Array = new Int32Array(1024);
    let unit = 0;
    documents.forEach((d, i) => {
      for (const text of [...d.phrasings, ...d.keywords]) {
        unit++;
        for (const word of words(text)) {
          const marked = `<${word}>`;
          for (let n = MIN_GRAM; n <= MAX_GRAM; n++) {
            for (let j = 0; j + n <= marked.length; j++) {
              const gram = marked.slice(j, j + n);
              let id = this.gramIds.get(gram);
              if (id === undefined) {
                this.gramIds.set(gram, (id = df.length));
                df.push(0);
                if (id === stamps.length) [stamps, places] = [grown(stamps), grown(places)];
              }
              if (stamps[id] !== unit) {
                stamps[id] = unit;
                places[id] = unitGrams.length;
                unitGrams.push(id);
                unitTf.push(1);
                df[id]!++;
              } else unitTf[places[id]!]!++;
            }
          }
        }
        unitDoc.push(i);
        unitStart.push(unitGrams.length);
      }
    });
    this.df = Int32Array.from(df);
    this.unitDoc = Int32Array.from(unitDoc);
    this.unitStart = Int32Array.from(unitStart);
    this.unitGrams = Int32Array.from(unitGrams);
    this.unitTf = Uint32Array.from(unitTf);
    this.offsets = new Int32Array(df.length + 1);
    for (let g = 0; g < df.length; g++) this.offsets[g + 1] = this.offsets[g]! + df[g]!;
    this.postingUnits = new Int32Array(unitGrams.length);
    this.postingTf = new Uint32Array(unitGrams.length);
    const fill = this.offsets.slice(0, df.length);
    for (let u = 0; u < unitDoc.length; u++) {
      for (let k = this.unitStart[u]!; k < this.unitStart[u + 1]!; k++) {
        const at = fill[this.unitGrams[k]!]!++;
        this.postingUnits[at] = u;
        this.postingTf[at] = this.unitTf[k]!;
      }
    }
    this.querySlot = new Int32Array(df.length);
    this.queryStamps = new Int32Array(df.length);
    // Made with the layer, not at the first question (61 ms for the shared layer: a first reply's wait).
    this.ids = new GramTable(this.gramIds);
  }

  get units(): number {
    return this.unitDoc.length;
  }

  /**
   * A gram's id, or -1: by its packed number when it packs (`code` ≥ 0; `gram` is then not read),
   * else by the gram itself.
   */
  idOf(code: number, gram: string): number {
    return this.ids.idOf(code, gram);
  }

  /** A new stamp for the query scratch; after 2^31 - 1 of them, the stamps start over. */
  nextQueryStamp(): number {
    if (this.queryStamp === 0x7fffffff) {
      this.queryStamp = 0;
      this.queryStamps.fill(0);
    }
    return ++this.queryStamp;
  }
}

function grown(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** Each unit's vector length: the grams in the order they first occur in its text, sublinear TF times IDF. */
export function unitLengths(layer: GramLayer, idf: Float64Array): Float64Array {
  const lengths = new Float64Array(layer.units);
  for (let u = 0; u < layer.units; u++) {
    let norm = 0;
    for (let k = layer.unitStart[u]!; k < layer.unitStart[u + 1]!; k++) {
      const w = tfWeight(layer.unitTf[k]!) * idf[layer.unitGrams[k]!]!;
      norm += w * w;
    }
    lengths[u] = Math.sqrt(norm);
  }
  return lengths;
}
