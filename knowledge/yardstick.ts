// A plain ranker to measure the matcher against (`npm run eval` prints both): character 3–5-grams
// of each folded word with word-boundary marks, TF-IDF with sublinear term frequency, cosine
// against every phrasing and keyword, an entry or authority scored by its best phrasing. No stems,
// no stopwords, no thresholds: what any team would get in an afternoon. The matcher must beat it.
import { charGrams as grams } from './grams.js';

type Vector = Map<string, number>;

export class NgramYardstick {
  private readonly idf = new Map<string, number>();
  private readonly phrasings: { id: string; vector: Vector }[];

  constructor(documents: readonly { id: string; phrasings: readonly string[] }[]) {
    const counted = documents.flatMap((d) => d.phrasings.map((p) => ({ id: d.id, counts: grams(p) })));
    const df = new Map<string, number>();
    for (const { counts } of counted) for (const gram of counts.keys()) df.set(gram, (df.get(gram) ?? 0) + 1);
    for (const [gram, n] of df) this.idf.set(gram, Math.log((1 + counted.length) / (1 + n)) + 1);
    this.phrasings = counted.map(({ id, counts }) => ({ id, vector: this.weigh(counts) }));
  }

  /** The id whose best phrasing is closest to the question, or undefined when nothing shares a gram. */
  best(question: string): string | undefined {
    const q = this.weigh(grams(question));
    let bestId: string | undefined;
    let bestScore = 0;
    for (const { id, vector } of this.phrasings) {
      let dot = 0;
      for (const [gram, w] of q) dot += w * (vector.get(gram) ?? 0);
      if (dot > bestScore) [bestId, bestScore] = [id, dot];
    }
    return bestId;
  }

  /** Sublinear TF times IDF, normalised to unit length (so the dot product is the cosine). */
  private weigh(counts: Map<string, number>): Vector {
    const vector: Vector = new Map();
    let norm = 0;
    for (const [gram, tf] of counts) {
      const w = (1 + Math.log(tf)) * (this.idf.get(gram) ?? 0);
      if (w === 0) continue;
      vector.set(gram, w);
      norm += w * w;
    }
    for (const [gram, w] of vector) vector.set(gram, w / Math.sqrt(norm));
    return vector;
  }
}
