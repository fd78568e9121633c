// The answer gate: features that mean the same at any knowledge base size, and the fitted model's
// two bars (where the thresholds answer, and where they do not).
import { describe, expect, it } from 'vitest';
import {
  answerProbability,
  FITTED_ANSWER_GATE as ANSWER_GATE_MODEL,
  gateFeatures,
  GATE_FEATURES,
  modelGate,
  THRESHOLDS_GATE,
  type AnswerGate,
  type AnswerGateModel,
  type GateFeatures,
  type Vote,
} from '../knowledge/answer-gate.js';

import { withPhrasingsCut } from '../knowledge/ablation.js';
import { decide, DEFAULT_DECISION_SETTINGS } from '../knowledge/decide.js';
import { buildKnowledge } from '../knowledge/knowledge.js';
import { loadKnowledgeFiles } from '../knowledge/load.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { QueryAnalysis, ScoredDocument } from '../knowledge/matcher.js';

const doc = (kind: ScoredDocument['kind'], id: string, score: number, confidence: number, rank: number, matched: string[] = ['a']): ScoredDocument => ({
  kind,
  id,
  score,
  confidence,
  rank,
  matched,
});

/** Knowledge with `n` entries of `phrasings` questions each: all the gate reads of it. */
const knowledgeOf = (n: number, phrasings: number): Knowledge =>
  ({
    entries: new Map(Array.from({ length: n }, (_, i) => [`e${i}`, { id: `e${i}`, questions: { lv: Array.from({ length: phrasings }, (__, j) => `q${j}`) } }])),
  }) as unknown as Knowledge;

const analysis: QueryAnalysis = { terms: ['a', 'b', 'c', 'd'], unknown: ['d'], weight: 4, familiar: 0.75 };

describe('gateFeatures', () => {
  const best = doc('entry', 'e0', 0.5, 0.8, 0.6, ['a', 'b']);
  const next = doc('entry', 'e1', 0.3, 0.1, 0.2);
  const input = {
    vote: () => undefined,
    best,
    entries: [best, next],
    results: [best, doc('intent', 'intent.handover', 0.2, 0.1, 0.3), next],
    authority: doc('authority', 'vid', 0.2, 0.1, 0.15),
    analysis,
    knowledge: knowledgeOf(4, 5),
    open: true,
    ruled: false,
    clause: false,
  };

  it('reads the lead over the runner-up as a difference and as a share of the best', () => {
    const f = gateFeatures(input);
    expect(f.rankLead).toBeCloseTo(0.4);
    expect(f.runnerUpShare).toBeCloseTo(0.2 / 0.6);
    expect(f.scoreLead).toBeCloseTo(0.2);
    expect(f.confidenceLead).toBeCloseTo(0.7);
    expect(f.authorityShare).toBeCloseTo(0.25);
    expect(f.intentShare).toBeCloseTo(0.5);
  });

  it('measures the question by shares of its terms, and the knowledge by phrasings per entry', () => {
    const f = gateFeatures(input);
    expect(f.unknownShare).toBeCloseTo(0.25);
    expect(f.matchedShare).toBeCloseTo(0.5);
    expect(f.phrasings).toBeCloseTo(Math.log(5));
    expect(f.ordinary).toBe(1);
    expect([f.open, f.ruled]).toEqual([1, 0]);
  });

  it('weighs the entry it is asked about against the others, wherever it stands', () => {
    // Below the fallback line the best entry found may not be the first entry above it.
    const f = gateFeatures({ ...input, best: next });
    expect(f.score).toBe(0.3);
    expect(f.rankLead).toBeCloseTo(0.2 - 0.6);
  });

  it('has no runner-up to lose to when one entry is found', () => {
    const f = gateFeatures({ ...input, entries: [best], results: [best], authority: undefined });
    expect([f.runnerUpShare, f.scoreLead, f.authorityShare, f.intentShare]).toEqual([0, 0.5, 0, 0]);
  });
});

describe('the fitted model', () => {
  it('weighs every feature and has two bars between 0 and 1', () => {
    for (const name of GATE_FEATURES) expect(Number.isFinite(ANSWER_GATE_MODEL.weights[name])).toBe(true);
    for (const bar of Object.values(ANSWER_GATE_MODEL.answerAt)) expect(bar > 0 && bar < 1).toBe(true);
  });

  it('answers a clearer lead more readily, all else alike', () => {
    const base = Object.fromEntries(GATE_FEATURES.map((f) => [f, 0.5])) as GateFeatures;
    expect(answerProbability(ANSWER_GATE_MODEL, { ...base, rankLead: 0.6 })).toBeGreaterThan(answerProbability(ANSWER_GATE_MODEL, { ...base, rankLead: 0.1 }));
  });
});

describe('modelGate', () => {
  // z = 2·score − 1: p = 0.5 at score 0.5.
  const weights = Object.fromEntries(GATE_FEATURES.map((f) => [f, f === 'score' ? 2 : 0])) as GateFeatures;
  const model: AnswerGateModel = { weights, bias: -1, answerAt: { ruled: 0.3, unruled: 0.7 } };
  const asked = (score: number, ruled: boolean) => {
    const best = doc('entry', 'e0', score, 0.5, 0.5);
    return {
      vote: () => undefined,
      best,
      entries: [best],
      results: [best],
      authority: undefined,
      analysis,
      knowledge: knowledgeOf(1, 3),
      open: true,
      ruled,
      clause: false,
    };
  };

  it('holds what the thresholds answer to the lower bar, the rest to the higher', () => {
    const gate = modelGate(model);
    expect(gate.answers(asked(0.5, true))).toBe(true);
    expect(gate.answers(asked(0.5, false))).toBe(false);
    expect(gate.answers(asked(1, false))).toBe(true);
  });

  it('asks back a single word the thresholds do not answer, however likely its best entry', () => {
    const oneWord = { ...asked(1, false), analysis: { ...analysis, terms: ['a'], unknown: [] } };
    expect(modelGate(model).answers(oneWord)).toBe(false);
    expect(modelGate(model).answers({ ...oneWord, ruled: true })).toBe(true);
  });

  it('answers as the thresholds do without a model', () => {
    expect([THRESHOLDS_GATE.answers(asked(0.1, true)), THRESHOLDS_GATE.answers(asked(1, false))]).toEqual([true, false]);
  });
});

describe('below the fallback line', () => {
  // Three phrasings per entry: the spam entry is first for this question, yet scores below the line.
  const loaded = loadKnowledgeFiles({ knowledgeDir: 'knowledge', agency: 'dvi', today: new Date('2026-12-01') });
  if (!loaded.ok) throw new Error('the knowledge base must load');
  const knowledge = buildKnowledge(withPhrasingsCut(loaded.files, 3));
  const question = 'Mani nemitīgi zvana telemārketinga firmas, kā to apturēt?';
  const decideWith = (answerGate: AnswerGate, text = question, vote?: Vote) =>
    decide(text, {
      knowledge: vote === undefined ? knowledge : { ...knowledge, vote: { vote: () => vote } },
      offeredLanguages: ['lv', 'en'],
      conversationLanguage: 'lv',
      detectLanguage: () => ({ language: 'lv', reliable: true }),
      requestedLanguage: () => null,
      toneOf: () => 'calm',
      framesOf: () => [],
      answerGate,
    }).decision;
  const sure = (p: number): AnswerGate => ({ answers: () => false, probability: () => p });

  it('the best entry is still first there, below the line', () => {
    const top = knowledge.index.search(question).results[0];
    expect(top).toMatchObject({ kind: 'entry', id: 'dvi.spam' });
    expect(top!.score).toBeLessThan(DEFAULT_DECISION_SETTINGS.clarifyMin);
  });

  it('asks back about it when the gate finds it likely enough, and falls back when not', () => {
    const offered = decideWith(sure(DEFAULT_DECISION_SETTINGS.offerMin));
    expect(offered.kind).toBe('clarify');
    expect(offered.kind === 'clarify' && offered.guess).toBe(true);
    expect(offered.kind === 'clarify' ? offered.candidates[0] : undefined).toMatchObject({ kind: 'entry', entry: { id: 'dvi.spam' } });
    expect(decideWith(sure(DEFAULT_DECISION_SETTINGS.offerMin - 0.01)).kind).toBe('fallback');
    // The thresholds alone can tell no probability: below the line they fall back, as before the gate.
    expect(decideWith(THRESHOLDS_GATE).kind).toBe('fallback');
  });

  it('leaves such a guess to the intent vote, as it leaves a fallback: off-topic at any lean, a person or protected data when sure', () => {
    expect(decideWith(sure(1), question, { label: 'other', p: 0.9 }).kind).toBe('clarify');
    expect(decideWith(sure(1), question, { label: 'offtopic', p: 0.4 }).kind).toBe('fallback');
    expect(decideWith(sure(1), question, { label: 'protected', p: DEFAULT_DECISION_SETTINGS.voteMin }).kind).toBe('protected');
    expect(decideWith(sure(1), question, { label: 'protected', p: DEFAULT_DECISION_SETTINGS.voteMin - 0.01 }).kind).toBe('clarify');
  });

  it('never offers what shares no word with the question, however sure the gate', () => {
    expect(decideWith(sure(1), 'asdf qwerty zxcv').kind).toBe('fallback');
  });
});
