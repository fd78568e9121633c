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

export class IntentVote implements IntentVoter {
  /** Row of each gram the labelled intents use in `likelihood`. */
  private readonly rows = new Map<string, number>();
  /** log P(gram | label), one row of VOTE_LABELS.length slots per gram (one flat array: 20,000 small arrays cost 4× as much). */
  private readonly likelihood: Float32Array;
  private readonly prior = new Float64Array(VOTE_LABELS.length);

  /**
   * `examples`: the labelled messages; `others`: the agency's own questions (its entries' and the
   * authorities' phrasings), which are what "other" looks like here. Only grams of the labelled
   * intents are kept, so the model's size does not grow with the knowledge base (21,000 grams).
   */
  constructor(examples: readonly VoteExample[], others: readonly string[] = []) {
    const width = VOTE_LABELS.length;
    const index = new Map(VOTE_LABELS.map((l, i) => [l, i]));
    // The vocabulary first, so counts go straight into one flat array (no map of small arrays:
    // they would be garbage by the end, and the process's memory keeps the high-water mark).
    for (const e of examples) {
      if (e.label === 'other') continue;
      for (const g of features(e.text).keys()) if (!this.rows.has(g)) this.rows.set(g, this.rows.size);
    }
    const counts = new Float64Array(this.rows.size * width);
    const totals = new Float64Array(width);
    const docs = new Float64Array(width);
    const count = (text: string, i: number) => {
      docs[i]!++;
      for (const [g, n] of features(text)) {
        // Sublinear counts: a word typed twice is not twice the evidence.
        const weight = Math.log1p(n);
        totals[i]! += weight;
        const row = this.rows.get(g);
        if (row !== undefined) counts[row * width + i]! += weight;
      }
    };
    for (const e of examples) count(e.text, index.get(e.label)!);
    for (const text of others) count(text, index.get('other')!);
    const all = examples.length + others.length;
    for (let i = 0; i < width; i++) this.prior[i] = Math.log(Math.max(docs[i]!, 1) / Math.max(all, 1));
    const vocabulary = this.rows.size;
    this.likelihood = Float32Array.from(counts, (c, k) => Math.log((c + SMOOTHING) / (totals[k % width]! + SMOOTHING * vocabulary)));
  }

  /** Grams kept (the model's size). */
  get size(): number {
    return this.rows.size;
  }

  /** The most likely label and its posterior probability (0–1). */
  vote(text: string): { label: VoteLabel; p: number } {
    const score = Float64Array.from(this.prior);
    let known = 0;
    for (const [g, n] of features(text)) {
      const row = this.rows.get(g);
      if (row === undefined) continue;
      known++;
      const weight = Math.log1p(n);
      for (let i = 0; i < score.length; i++) score[i]! += weight * this.likelihood[row * score.length + i]!;
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
