// A second opinion on what a message asks for, learnt from labelled messages rather than written
// as rules: a multinomial naive Bayes over the character n-grams and words of each message. The
// frames and word lists recognise the phrasings someone thought of; this recognises the kind of
// message from examples (measured on intents6, never trained on: a request for a person
// 69 → 83 %, abuse 74 → 77 %, protected information 45 → 63 %; blind4–6 one answer of 532 fewer).
// Decisions stay with decide.ts: the vote decides what the knowledge base could not place, and
// turns what it did place into a handover only when nearly certain (DecisionSettings.voteMin,
// voteSure), or into the fallback when very sure it asks nothing of the agency (voteOffTopic); it
// never warns or refuses a message the knowledge base could answer.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { charGrams } from './grams.js';
import { words } from './normalise.js';

export const VOTE_LABELS = ['handover', 'conduct', 'upset', 'protected', 'offtopic', 'other'] as const;
export type VoteLabel = (typeof VOTE_LABELS)[number];

export interface VoteExample {
  text: string;
  label: VoteLabel;
}

const messages = z.array(z.string().min(1)).default([]);
const examplesFile = z
  .object({ source: z.string().min(1), handover: messages, conduct: messages, upset: messages, protected: messages, offtopic: messages, other: messages })
  .strict();

/** The labelled messages of a vote file (knowledge/vote/examples.yaml); throws on a malformed file. */
export function loadVoteExamples(file: string): VoteExample[] {
  const parsed = examplesFile.parse(parseYaml(readFileSync(file, 'utf8')));
  return VOTE_LABELS.flatMap((label) => parsed[label].map((text) => ({ text, label })));
}

/** Additive smoothing of the gram counts (npm run tune range 0.1–1; 0.3 measured best on intents3–5). */
const SMOOTHING = 0.3;
/**
 * The posteriors are a softmax of the log-likelihoods divided by (known grams / TEMPERATURE):
 * naive Bayes multiplies one likelihood per gram, so a long message would otherwise always look
 * certain.
 */
const TEMPERATURE = 8;

function features(text: string): Map<string, number> {
  const f = charGrams(text);
  for (const w of words(text)) f.set(`w:${w}`, (f.get(`w:${w}`) ?? 0) + 1);
  return f;
}

/** What decide.ts asks of a vote. */
export interface IntentVoter {
  vote(text: string): { label: VoteLabel; p: number };
}

const WIDTH = VOTE_LABELS.length;
const OTHER = VOTE_LABELS.indexOf('other');

/**
 * ln(1 + n), a count's weight (sublinear: a word typed twice is not twice the evidence), from a
 * table for the counts texts have (the same values Math.log1p gives): counting an agency's vote
 * again is 190,000 of them.
 */
const LOG1P = Float64Array.from({ length: 64 }, (_, n) => Math.log1p(n));
const sublinear = (n: number): number => (n < 64 ? LOG1P[n]! : Math.log1p(n));

/**
 * Texts' features as the vote counts them, worked out once: in each text's order, each feature's
 * row (-1: not a gram of the labelled intents) and its count there. Counting them again adds the
 * same numbers in the same order as counting the texts themselves.
 */
interface CountedTexts {
  texts: number;
  rows: Int32Array;
  counts: Uint32Array;
}

function countedTexts(texts: readonly string[], rows: ReadonlyMap<string, number>): CountedTexts {
  const rowOf: number[] = [];
  const counts: number[] = [];
  for (const text of texts) {
    for (const [g, n] of features(text)) {
      rowOf.push(rows.get(g) ?? -1);
      counts.push(n);
    }
  }
  return { texts: texts.length, rows: Int32Array.from(rowOf), counts: Uint32Array.from(counts) };
}

/**
 * What every agency's vote learns alike, learnt once: the labelled messages (their grams are the
 * model's rows; every label but "other" is theirs alone), and the questions every agency counts as
 * "other" after its own (the authorities' and the other built-in intents'). An agency's vote adds
 * only its own questions to "other" (measured on dvi: the vote was 1.3 MB and 175 ms of every
 * agency's build; an agency's own part is one column of 21,000 floats).
 */
export class VoteBasis {
  /** Row of each gram the labelled intents use in `likelihood`. */
  readonly rows = new Map<string, number>();
  /** log P(gram | label), one row of VOTE_LABELS.length slots per gram; the "other" slots are each agency's. */
  readonly likelihood: Float32Array;
  /** Labelled messages per label. */
  readonly docs = new Float64Array(WIDTH);
  readonly examples: number;
  /** The labelled messages that are "other", and the shared questions, for each agency to count again. */
  readonly otherExamples: CountedTexts;
  readonly sharedOthers: CountedTexts;
  /** By row: the "other" count of the labelled "other" messages and the shared questions. */
  readonly sharedOtherCounts: Float64Array;

  /** `sharedOthers`: questions counted as "other" after each agency's own. */
  constructor(examples: readonly VoteExample[], sharedOthers: readonly string[] = []) {
    const index = new Map(VOTE_LABELS.map((l, i) => [l, i]));
    // The vocabulary first, so counts go straight into one flat array (no map of small arrays:
    // they would be garbage by the end, and the process's memory keeps the high-water mark).
    for (const e of examples) {
      if (e.label === 'other') continue;
      for (const g of features(e.text).keys()) if (!this.rows.has(g)) this.rows.set(g, this.rows.size);
    }
    const counts = new Float64Array(this.rows.size * WIDTH);
    const totals = new Float64Array(WIDTH);
    for (const e of examples) {
      const i = index.get(e.label)!;
      this.docs[i]!++;
      if (i === OTHER) continue;
      for (const [g, n] of features(e.text)) {
        const weight = sublinear(n);
        totals[i]! += weight;
        const row = this.rows.get(g);
        if (row !== undefined) counts[row * WIDTH + i]! += weight;
      }
    }
    this.examples = examples.length;
    const vocabulary = this.rows.size;
    this.likelihood = Float32Array.from(counts, (c, k) =>
      k % WIDTH === OTHER ? 0 : Math.log((c + SMOOTHING) / (totals[k % WIDTH]! + SMOOTHING * vocabulary)),
    );
    this.otherExamples = countedTexts(
      examples.filter((e) => e.label === 'other').map((e) => e.text),
      this.rows,
    );
    this.sharedOthers = countedTexts(sharedOthers, this.rows);
    // Counted in the order each agency's vote counts them, less its own questions in between: a
    // gram its own questions never use has exactly this count there.
    this.sharedOtherCounts = new Float64Array(this.rows.size);
    for (const { rows, counts } of [this.otherExamples, this.sharedOthers]) {
      for (let k = 0; k < rows.length; k++) if (rows[k]! >= 0) this.sharedOtherCounts[rows[k]!]! += sublinear(counts[k]!);
    }
  }
}

export class IntentVote implements IntentVoter {
  readonly basis: VoteBasis;
  /**
   * log P(gram | other), the agency's own questions in it: kept for the rows its questions use
   * (ascending), worked out from the shared counts for the others (a column of every row was
   * 84 KB of each agency's memory, most of it the same as every other agency's but for the total).
   */
  private readonly ownRows: Int32Array;
  private readonly ownOther: Float32Array;
  /** The other column's denominator: every "other" weight, and the smoothing of every row. */
  private readonly otherDenominator: number;
  private readonly prior = new Float64Array(WIDTH);

  /**
   * `examples`: the labelled messages (or what was learnt from them, shared by every agency);
   * `others`: the agency's own questions, which are what "other" looks like here, before the
   * basis's shared ones. Only grams of the labelled intents are kept, so the model's size does not
   * grow with the knowledge base (21,000 grams).
   */
  constructor(examples: readonly VoteExample[] | VoteBasis, others: readonly string[] = []) {
    const basis = examples instanceof VoteBasis ? examples : new VoteBasis(examples);
    this.basis = basis;
    const counts = new Float64Array(basis.rows.size);
    const own = new Uint8Array(basis.rows.size);
    let total = 0;
    const countAgain = ({ rows, counts: ns }: CountedTexts) => {
      for (let k = 0; k < rows.length; k++) {
        const weight = sublinear(ns[k]!);
        total += weight;
        if (rows[k]! >= 0) counts[rows[k]!]! += weight;
      }
    };
    // In the order one vote over all of them would count them: the labelled "other" messages, the
    // agency's questions, the shared ones.
    countAgain(basis.otherExamples);
    for (const text of others) {
      for (const [g, n] of features(text)) {
        const weight = sublinear(n);
        total += weight;
        const row = basis.rows.get(g);
        if (row !== undefined) {
          counts[row]! += weight;
          own[row] = 1;
        }
      }
    }
    countAgain(basis.sharedOthers);
    const otherQuestions = others.length + basis.sharedOthers.texts;
    const all = basis.examples + otherQuestions;
    for (let i = 0; i < WIDTH; i++) {
      const docs = basis.docs[i]! + (i === OTHER ? otherQuestions : 0);
      this.prior[i] = Math.log(Math.max(docs, 1) / Math.max(all, 1));
    }
    const vocabulary = basis.rows.size;
    this.otherDenominator = total + SMOOTHING * vocabulary;
    const ownRows: number[] = [];
    for (let row = 0; row < own.length; row++) if (own[row]) ownRows.push(row);
    this.ownRows = Int32Array.from(ownRows);
    this.ownOther = Float32Array.from(ownRows, (row) => Math.log((counts[row]! + SMOOTHING) / this.otherDenominator));
  }

  /** log P(gram | other) of a row, rounded to 32 bits as a stored column would be. */
  private otherLikelihood(row: number): number {
    let lo = 0;
    let hi = this.ownRows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = this.ownRows[mid]!;
      if (at === row) return this.ownOther[mid]!;
      if (at < row) lo = mid + 1;
      else hi = mid - 1;
    }
    return Math.fround(Math.log((this.basis.sharedOtherCounts[row]! + SMOOTHING) / this.otherDenominator));
  }

  /** Grams kept (the model's size). */
  get size(): number {
    return this.basis.rows.size;
  }

  /** The most likely label and its posterior probability (0–1). */
  vote(text: string): { label: VoteLabel; p: number } {
    const { rows, likelihood } = this.basis;
    const score = Float64Array.from(this.prior);
    let known = 0;
    for (const [g, n] of features(text)) {
      const row = rows.get(g);
      if (row === undefined) continue;
      known++;
      const weight = sublinear(n);
      const other = this.otherLikelihood(row);
      for (let i = 0; i < WIDTH; i++) score[i]! += weight * (i === OTHER ? other : likelihood[row * WIDTH + i]!);
    }
    if (known === 0) return { label: 'other', p: 1 };
    const scale = known / TEMPERATURE;
    const top = Math.max(...score);
    const exp = score.map((s) => Math.exp((s - top) / scale));
    const sum = exp.reduce((a, b) => a + b, 0);
    let best = 0;
    for (let i = 1; i < exp.length; i++) if (exp[i]! > exp[best]!) best = i;
    return { label: VOTE_LABELS[best]!, p: exp[best]! / sum };
  }
}
