// The intent vote: a naive Bayes over character n-grams and words, learnt from labelled messages
// (knowledge/vote/examples.yaml) with the agency's own questions as "other"; and how decide.ts
// takes its second opinion (only on messages the knowledge base left open, or when very sure).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IntentVote, loadVoteExamples, VOTE_LABELS, type IntentVoter, type VoteExample, type VoteLabel } from '../knowledge/intent-vote.js';
import { decide, type DecisionContext } from '../knowledge/decide.js';
import type { InProcessBot } from '../bot/cli/in-process.js';
import { demoBot } from './support/bot.js';

const examples = loadVoteExamples('knowledge/vote/examples.yaml');

describe('the labelled messages', () => {
  it('cover every label the vote decides, with a source, and a malformed file is refused', () => {
    for (const label of VOTE_LABELS.filter((l) => l !== 'other')) expect(examples.filter((e) => e.label === label).length).toBeGreaterThanOrEqual(150);
    const dir = mkdtempSync(path.join(tmpdir(), 'padoms-vote-'));
    try {
      writeFileSync(path.join(dir, 'bad.yaml'), 'handover: [ok]\nabuse: [not a label]\n');
      expect(() => loadVoteExamples(path.join(dir, 'bad.yaml'))).toThrow(/source|abuse/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the vote', () => {
  // Every fifth message is held out; the vote learns from the rest.
  const heldOut = examples.filter((_, i) => i % 5 === 0);
  const learnt = examples.filter((_, i) => i % 5 !== 0);

  it('recognises the kind of message it has not seen (held-out fifth of the examples)', () => {
    const vote = new IntentVote(learnt);
    for (const label of ['handover', 'conduct', 'protected'] as const) {
      const mine = heldOut.filter((e) => e.label === label);
      const right = mine.filter((e) => vote.vote(e.text).label === label).length;
      expect(right / mine.length, label).toBeGreaterThanOrEqual(0.6);
    }
  });

  it("keeps only the labelled intents' grams: the agency's questions do not grow it", () => {
    const others = Array.from({ length: 2000 }, (_, i) => `Kā pieteikt pakalpojumu numur ${i} tiešsaistē, ja dzīvoju Rīgā?`);
    expect(new IntentVote(learnt, others).size).toBe(new IntentVote(learnt).size);
    // A message sharing nothing with the labelled intents is "other", not a guess.
    expect(new IntentVote(learnt).vote('qqqqq zzzzz')).toEqual({ label: 'other', p: 1 });
  });

  it('gives a probability: a long message is not more certain for being long', () => {
    const vote = new IntentVote(learnt);
    for (const e of heldOut.slice(0, 40)) {
      const { p } = vote.vote(e.text);
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThanOrEqual(1);
    }
  });
});

describe('decide takes the vote as a second opinion', () => {
  let bot: InProcessBot | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  const fixed = (label: VoteLabel, p: number): IntentVoter => ({ vote: () => ({ label, p }) });
  function context(voter: IntentVoter, detected = 'lv'): DecisionContext {
    bot ??= demoBot();
    return {
      knowledge: { ...bot.app.knowledge.current, vote: voter },
      offeredLanguages: ['lv', 'en'],
      conversationLanguage: 'lv',
      detectLanguage: () => ({ language: detected, reliable: true }),
      requestedLanguage: () => null,
      toneOf: () => 'calm',
      framesOf: () => [],
    };
  }

  it('decides a message the knowledge base could not place when it is sure enough', () => {
    expect(decide('asdf qwerty zxcv', context(fixed('other', 1))).decision.kind).toBe('fallback');
    expect(decide('asdf qwerty zxcv', context(fixed('handover', 0.8))).decision.kind).toBe('handover');
    expect(decide('asdf qwerty zxcv', context(fixed('conduct', 0.8))).decision.kind).toBe('conduct');
    expect(decide('asdf qwerty zxcv', context(fixed('protected', 0.65))).decision.kind).toBe('fallback');
    // Upset and off-topic are not decisions of the vote: the tone and the knowledge base say those.
    expect(decide('asdf qwerty zxcv', context(fixed('upset', 0.99))).decision.kind).toBe('fallback');
  });

  it('turns an answer or a clarifying question only into a handover, only when nearly certain, and never a language decision', () => {
    const question = 'Kā iesniegt sūdzību par personas datu apstrādi?';
    expect(decide(question, context(fixed('handover', 0.9))).decision.kind).toBe('answer');
    expect(decide(question, context(fixed('handover', 0.99))).decision.kind).toBe('handover');
    const camera = 'Kā iesniegt sūdzību par kaimiņa videokameru?';
    expect(decide(camera, context(fixed('protected', 0.95))).decision.kind).toBe('clarify');
    // A fair question is never warned or refused on the vote's word, however sure it is.
    expect(decide(question, context(fixed('conduct', 1))).decision.kind).toBe('answer');
    expect(decide(camera, context(fixed('protected', 1))).decision.kind).toBe('clarify');
    const address = 'kada ir jusu adrese';
    expect(decide(address, context(new IntentVote(examples))).decision.kind).toBe('answer');
    expect(decide('Wie kann ich mich beschweren?', context(fixed('handover', 0.99), 'de')).decision.kind).toBe('language');
  });

  it('lets an answer or a clarifying question fall back only when very sure the message asks nothing of the agency', () => {
    const question = 'Kā iesniegt sūdzību par personas datu apstrādi?';
    expect(decide(question, context(fixed('offtopic', 0.85))).decision.kind).toBe('answer');
    expect(decide(question, context(fixed('offtopic', 0.95))).decision.kind).toBe('fallback');
    const camera = 'Kā iesniegt sūdzību par kaimiņa videokameru?';
    expect(decide(camera, context(fixed('offtopic', 0.85))).decision.kind).toBe('clarify');
    expect(decide(camera, context(fixed('offtopic', 0.95))).decision.kind).toBe('fallback');
    // A referral stays: the message asks something of another authority.
    expect(decide('Mani atlaida no darba bez uzteikuma termiņa', context(fixed('offtopic', 1))).decision.kind).toBe('refer');
  });

  it('with the real examples, the knowledge base still answers its own questions', () => {
    const voter = new IntentVote(examples as VoteExample[]);
    for (const q of [
      'Kā iesniegt sūdzību par personas datu apstrādi?',
      'Vai kaimiņš drīkst filmēt manu pagalmu?',
      'Kas ir personas dati?',
      'DVI tālruņa numurs',
      'kada ir jusu adrese',
    ]) {
      expect(decide(q, context(voter)).decision.kind, q).toBe('answer');
    }
  });
});
