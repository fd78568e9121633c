// A fixed set of strings (character n-grams, words, folded phrasings) with a number each, in flat
// arrays: the strings written one after another in one string, found through an open-addressing
// table of their hashes. An agency's own grams were its largest single structure as a Map (about
// 60 bytes a gram, the string included); here they take about 20, and its words and phrasings
// likewise.

/** FNV-1a over the UTF-16 code units of text[from … to). */
function hashOf(text: string, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class StringTable {
  private readonly text: string;
  /** String k is text[starts[k] … starts[k + 1]), with the value values[k]. */
  private readonly starts: Int32Array;
  private readonly values: Int32Array;
  /** Per slot the gram k + 1 placed there (0: empty); as many slots as a power of two ≥ 2 × grams. */
  private readonly slots: Int32Array;

  constructor(entries: Iterable<readonly [string, number]>) {
    const grams: string[] = [];
    const values: number[] = [];
    for (const [gram, value] of entries) {
      // -1 is what get() says of a string it does not have.
      if (value === -1) throw new RangeError('a StringTable value cannot be -1');
      grams.push(gram);
      values.push(value);
    }
    this.text = grams.join('');
    this.starts = new Int32Array(grams.length + 1);
    grams.forEach((g, k) => (this.starts[k + 1] = this.starts[k]! + g.length));
    this.values = Int32Array.from(values);
    let size = 2;
    while (size < grams.length * 2) size *= 2;
    this.slots = new Int32Array(size);
    const mask = size - 1;
    for (let k = 0; k < grams.length; k++) {
      let slot = hashOf(this.text, this.starts[k]!, this.starts[k + 1]!) & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = k + 1;
    }
  }

  get size(): number {
    return this.values.length;
  }

  /** The string's value, or -1 when the table does not have it. */
  get(gram: string): number {
    const mask = this.slots.length - 1;
    for (let slot = hashOf(gram, 0, gram.length) & mask; ; slot = (slot + 1) & mask) {
      const k = this.slots[slot]! - 1;
      if (k < 0) return -1;
      if (this.holds(k, gram)) return this.values[k]!;
    }
  }

  has(text: string): boolean {
    return this.get(text) !== -1;
  }

  private holds(k: number, gram: string): boolean {
    const start = this.starts[k]!;
    if (this.starts[k + 1]! - start !== gram.length) return false;
    for (let i = 0; i < gram.length; i++) if (this.text.charCodeAt(start + i) !== gram.charCodeAt(i)) return false;
    return true;
  }
}

/**
 * A fixed set of positive integers (packed n-grams) with a number each: an open-addressing table
 * of two flat arrays. Looking a number up hashes no string: a question's grams are looked up here
 * without being cut out of its text.
 */
export class IntTable {
  /** Per slot the key placed there (0: empty) and its value; a power of two ≥ 2 × keys of slots. */
  private readonly keys: Int32Array;
  private readonly values: Int32Array;
  private readonly shift: number;

  constructor(entries: Iterable<readonly [number, number]>) {
    const list = [...entries];
    let bits = 1;
    while (1 << bits < list.length * 2) bits++;
    this.keys = new Int32Array(1 << bits);
    this.values = new Int32Array(1 << bits);
    this.shift = 32 - bits;
    const mask = (1 << bits) - 1;
    for (const [key, value] of list) {
      if (!(key > 0 && key <= 0x7fffffff && Number.isInteger(key))) throw new RangeError('an IntTable key is a positive 31-bit integer');
      // -1 is what get() says of a key it does not have.
      if (value === -1) throw new RangeError('an IntTable value cannot be -1');
      let slot = this.slotOf(key);
      while (this.keys[slot] !== 0 && this.keys[slot] !== key) slot = (slot + 1) & mask;
      this.keys[slot] = key;
      this.values[slot] = value;
    }
  }

  /** The key's value, or -1 when the table does not have it. */
  get(key: number): number {
    const mask = this.keys.length - 1;
    for (let slot = this.slotOf(key); ; slot = (slot + 1) & mask) {
      const at = this.keys[slot]!;
      if (at === key) return this.values[slot]!;
      if (at === 0) return -1;
    }
  }

  /** Fibonacci hashing: packed grams differ in their low bits first, the product spreads them. */
  private slotOf(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }
}
