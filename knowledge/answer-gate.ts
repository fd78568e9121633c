// Whether the best entry is answered outright: a logistic model over features of the result list
// that mean the same whatever the knowledge base's size (shares, ratios, the matcher's confidence)
// plus the size itself. Thresholds on raw coverage do not carry over between sizes: with 5
// phrasings per entry every score is lower, and the matcher's first choice went unanswered while
// right (issue 16). The weights are data, refitted by `npm run fit:gate` (bench/fit-gate.ts).
import type { Knowledge } from './knowledge.js';
import type { QueryAnalysis, ScoredDocument } from './matcher.js';
import type { VoteLabel } from './intent-vote.js';
import { ANSWER_GATE_MODEL } from './answer-gate.model.js';

export const GATE_FEATURES = [
  'score',
  'confidence',
  'rank',
  'rankLead',
  'runnerUpShare',
  'scoreLead',
  'confidenceLead',
  'candidates',
  'terms',
  'unknownShare',
  'matchedShare',
  'familiar',
  'authorityShare',
  'intentShare',
  'phrasings',
  'ordinary',
  'open',
  'ruled',
] as const;
export type GateFeature = (typeof GATE_FEATURES)[number];
export type GateFeatures = Record<GateFeature, number>;
export type Vote = { label: VoteLabel; p: number };

export interface AnswerGateModel {
  /** Weights on the raw features (standardisation folded in), and the intercept. */
  weights: GateFeatures;
  bias: number;
  /**
   * The best entry is answered at this probability or above: one bar where the thresholds answer it
   * (below it, the gate overrules them), another where they do not.
   */
  answerAt: { ruled: number; unruled: number };
}

/** What the decision knows when it weighs answering its best entry. */
export interface GateInput {
  /** The intent vote on the whole message (once a message: the vote costs a quarter of a search). */
  vote: () => Vote | undefined;
  /** The entry the gate weighs answering … */
  best: ScoredDocument;
  /** … among every entry found, best first. */
  entries: readonly ScoredDocument[];
  /** Every result, intents and authorities included. */
  results: readonly ScoredDocument[];
  /** The best authority by a word of its own, if any. */
  authority: ScoredDocument | undefined;
  analysis: QueryAnalysis;
  knowledge: Knowledge;
  /** Whether the hand-set thresholds (DecisionSettings) weigh it at all (it is above the fallback line) … */
  open: boolean;
  /** … and answer it: features like the others. */
  ruled: boolean;
  /** The message is one clause of a longer one. */
  clause: boolean;
}

// Per knowledge (a reload builds a new one): counting every entry's phrasings per message would cost
// more than the gate itself.
const phrasingsOf = new WeakMap<Knowledge, number>();

/** Phrasings per entry, all languages: what the scores' scale depends on. */
function phrasingsPerEntry(knowledge: Knowledge): number {
  let known = phrasingsOf.get(knowledge);
  if (known === undefined) {
    let count = 0;
    for (const entry of knowledge.entries.values()) count += Object.values(entry.questions).reduce((n, list) => n + (list?.length ?? 0), 0);
    known = count / Math.max(1, knowledge.entries.size);
    phrasingsOf.set(knowledge, known);
  }
  return known;
}

export function gateFeatures({ vote: voteOf, best, entries, results, authority, analysis, knowledge, open, ruled }: GateInput): GateFeatures {
  const others = entries.filter((r) => r !== best);
  const next = others[0];
  const rank = Math.max(best.rank, 1e-6);
  const terms = analysis.terms.length;
  const intent = results.find((r) => r.kind === 'intent');
  // The intent vote's word that this is an ordinary question, not a request for a person, abuse or off-topic.
  const vote = voteOf();
  return {
    score: best.score,
    confidence: best.confidence,
    rank: best.rank,
    rankLead: best.rank - (next?.rank ?? 0),
    runnerUpShare: (next?.rank ?? 0) / rank,
    scoreLead: best.score - Math.max(0, ...others.map((r) => r.score)),
    confidenceLead: best.confidence - (next?.confidence ?? 0),
    candidates: Math.log1p(entries.length),
    terms: Math.log1p(terms),
    unknownShare: terms === 0 ? 0 : analysis.unknown.length / terms,
    matchedShare: terms === 0 ? 0 : Math.min(1, best.matched.length / terms),
    familiar: analysis.familiar,
    authorityShare: (authority?.rank ?? 0) / rank,
    intentShare: (intent?.rank ?? 0) / rank,
    phrasings: Math.log(Math.max(1, phrasingsPerEntry(knowledge))),
    ordinary: vote === undefined ? 1 : vote.label === 'other' ? vote.p : 1 - vote.p,
    open: open ? 1 : 0,
    ruled: ruled ? 1 : 0,
  };
}

export function answerProbability(model: AnswerGateModel, features: GateFeatures): number {
  let z = model.bias;
  for (const name of GATE_FEATURES) z += model.weights[name] * features[name];
  return 1 / (1 + Math.exp(-z));
}

/** The decision asks the gate; the fitting script hands in one that records what it was asked. */
export interface AnswerGate {
  answers(input: GateInput): boolean;
  /** How likely the best entry is the one meant (0 … 1), where the gate can tell. */
  probability?(input: GateInput): number;
}

/**
 * The bar a message must pass, or undefined when the gate may not answer it: a single word the
 * thresholds do not answer ("deklarācija": the income tax return or the declaration of residence)
 * is asked back. The sets fitted on have no such question labelled, and the model answered them.
 */
export function answerBar(model: AnswerGateModel, features: GateFeatures): number | undefined {
  if (features.ruled === 1) return model.answerAt.ruled;
  return features.terms < Math.log1p(2) ? undefined : model.answerAt.unruled;
}

export const modelGate = (model: AnswerGateModel): AnswerGate => ({
  answers: (input) => {
    const features = gateFeatures(input);
    const bar = answerBar(model, features);
    return bar !== undefined && answerProbability(model, features) >= bar;
  },
  probability: (input) => answerProbability(model, gateFeatures(input)),
});

/** The hand-set thresholds alone, as before the gate. */
export const THRESHOLDS_GATE: AnswerGate = { answers: (input) => input.ruled };

/** The fitted model (`npm run fit:gate`). */
export const FITTED_ANSWER_GATE: AnswerGateModel = ANSWER_GATE_MODEL;

export const DEFAULT_ANSWER_GATE: AnswerGate = modelGate(FITTED_ANSWER_GATE);
