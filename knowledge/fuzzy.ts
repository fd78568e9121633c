// Which vocabulary terms a typo may stand for, before Fuse scores them: the vocabulary of one initial
// letter with a bigram index, and a lossless q-gram filter over it. A vocabulary may come in layers
// (an agency's own terms, then the terms of the documents every agency shares): the candidates are
// then those of one bucket of every term in the layers' union, in the union's order, as if the
// layers were one vocabulary.

/**
 * The vocabulary of one initial letter, with a bigram index: which terms contain each pair of
 * letters. Fuse then only scores the terms that can be within its error threshold.
 */
export interface FuzzyBucket {
  terms: string[];
  /** None for a small bucket: its terms are read one by one (the same hits, without the index). */
  bigrams: Map<string, number[]> | undefined;
  /** Scratch: bigram hits per term for the current lookup (left all zero after each). */
  hits: Int32Array;
}

/**
 * Buckets of fewer terms are read term by term: an agency's own 30 entries have about 35 terms a
 * letter, and their bigram indexes were 380 KB of its 2.4 MB of heap; reading 64 terms costs a
 * typo (once: resolutions are cached) some microseconds.
 */
const BIGRAM_INDEX_MIN = 64;

export function fuzzyBucket(terms: string[]): FuzzyBucket {
  if (terms.length < BIGRAM_INDEX_MIN) return { terms, bigrams: undefined, hits: new Int32Array(terms.length) };
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

/** At most this many vocabulary terms are scored by Fuse for one typo. */
const FUZZY_CANDIDATES_MAX = 24;

/**
 * Terms of the bucket that Fuse could match with at most k = ⌊threshold · |term|⌋ errors, in bucket
 * order (so Fuse breaks score ties as it would over the whole bucket). Lossless q-gram filter: a
 * string matched with k edits (anywhere in a longer text, too) keeps at least |term| − 1 − 2k of
 * the term's bigram positions (one edit destroys at most two). Below that bound every term is kept.
 * Over layers (each one's bucket of the letter), the union's order is layer by layer, each in its
 * own order, less the terms an earlier layer has (`earlier`: the union has them in that layer's place).
 */
export function fuzzyCandidates(
  layers: readonly (FuzzyBucket | undefined)[],
  term: string,
  threshold: number,
  earlier: (term: string, layer: number) => boolean = () => false,
): string[] {
  const k = Math.floor(threshold * term.length + 1e-9);
  const need = term.length - 1 - 2 * k;
  if (need <= 0) {
    if (layers.length === 1) return layers[0]?.terms ?? [];
    return layers.flatMap((bucket, l) => (bucket === undefined ? [] : l === 0 ? bucket.terms : bucket.terms.filter((t) => !earlier(t, l))));
  }
  const near: { layer: number; i: number; shared: number }[] = [];
  layers.forEach((bucket, layer) => {
    if (bucket === undefined) return;
    const { hits, bigrams, terms } = bucket;
    const touched: number[] = [];
    // A term's hits: the positions of the term looked up whose bigram the vocabulary term contains.
    const hit = (i: number) => {
      if (hits[i] === 0) touched.push(i);
      hits[i]! += 1;
    };
    for (let j = 0; j + 2 <= term.length; j++) {
      const bigram = term.slice(j, j + 2);
      // Index loops, not iterators: every typo of a new word comes through here, for every layer.
      if (bigrams === undefined) {
        for (let i = 0; i < terms.length; i++) if (terms[i]!.includes(bigram)) hit(i);
      } else {
        const having = bigrams.get(bigram);
        if (having !== undefined) for (let k = 0; k < having.length; k++) hit(having[k]!);
      }
    }
    for (const i of touched) {
      if (hits[i]! >= need && (layer === 0 || !earlier(terms[i]!, layer))) near.push({ layer, i, shared: hits[i]! });
      hits[i] = 0;
    }
  });
  // Common Latvian letter pairs ("is", "ar", "oj", "um") let a long word through to hundreds of
  // terms; the word meant shares the most pairs, so Fuse scores only the closest few.
  const inOrder = (a: { layer: number; i: number }, b: { layer: number; i: number }) => a.layer - b.layer || a.i - b.i;
  if (near.length > FUZZY_CANDIDATES_MAX) near.sort((a, b) => b.shared - a.shared || inOrder(a, b)).length = FUZZY_CANDIDATES_MAX;
  return near.sort(inOrder).map((n) => layers[n.layer]!.terms[n.i]!);
}
