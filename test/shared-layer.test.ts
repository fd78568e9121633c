// The documents every agency shares are analysed once and searched beside each agency's own: an
// index over a shared layer, and a vote over a shared basis, must give every score and every
// probability bit for bit as the one index and the one vote over all of it would (they are what
// the knowledge was before agencies shared anything). Checked on every third question of the eval
// sets (all of them, at 3, 5 and all phrasings, when the layers were made: 18,912 searches).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withPhrasingsCut } from '../knowledge/ablation.js';
import { IntentVote, VoteBasis, type VoteExample } from '../knowledge/intent-vote.js';
import { buildKnowledge } from '../knowledge/knowledge.js';
import { isLatvianWord } from '../knowledge/latvian-words.js';
import { loadKnowledgeFiles, type KnowledgeFiles } from '../knowledge/load.js';
import { DEFAULT_MATCHER_SETTINGS, MatchIndex, MatchLayer } from '../knowledge/matcher.js';

const EVAL_DIR = 'test/eval';
const questions = readdirSync(EVAL_DIR)
  .filter((f) => f.endsWith('.jsonl'))
  .sort()
  .flatMap((f) =>
    readFileSync(path.join(EVAL_DIR, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { q: string }).q),
  )
  .filter((_, i) => i % 3 === 0);

const loaded = loadKnowledgeFiles({ knowledgeDir: 'knowledge', agency: 'dvi', today: new Date('2026-12-01') });
if (!loaded.ok) throw new Error('the demo knowledge must load');
const sizes: [string, KnowledgeFiles][] = [
  ['full', loaded.files],
  ['3 phrasings', withPhrasingsCut(loaded.files, 3)],
];

describe('an index over a shared layer', () => {
  it.each(sizes)(
    'scores every eval question as one index over all the documents would, bit for bit (%s)',
    (_, files) => {
      // The documents as the bot indexes them: the agency's entries first, then the shared ones.
      const documents = buildKnowledge(files).index.documents;
      const own = documents.filter((d) => d.kind === 'entry');
      const shared = documents.filter((d) => d.kind !== 'entry');
      const one = new MatchIndex(documents, DEFAULT_MATCHER_SETTINGS, isLatvianWord);
      const layered = new MatchIndex(own, DEFAULT_MATCHER_SETTINGS, isLatvianWord, [
        new MatchLayer(shared, MatchIndex.layerSettings(DEFAULT_MATCHER_SETTINGS)),
      ]);
      expect(questions.length).toBeGreaterThan(2000);
      const differ = questions.filter((q) => {
        const a = layered.search(q);
        const b = one.search(q);
        return JSON.stringify(a) !== JSON.stringify(b) || a.analysis.terms.some((t) => layered.entriesUsing(t) !== one.entriesUsing(t));
      });
      expect(differ).toEqual([]);
      // (JSON keeps a double's every digit: equal strings are equal scores.)
      expect(layered.search('Kā iesniegt sūdzību par datu apstrādi?').results[0]?.score).toBe(
        one.search('Kā iesniegt sūdzību par datu apstrādi?').results[0]?.score,
      );
    },
    120_000,
  );

  it('refuses a shared layer analysed for other settings', () => {
    const layer = new MatchLayer([], { minSharedPrefix: 5, grams: true });
    expect(() => new MatchIndex([], DEFAULT_MATCHER_SETTINGS, () => false, [layer])).toThrow(/other matcher settings/);
  });
});

describe('a vote over a shared basis', () => {
  it('gives every eval question the label and the probability of one vote over all the examples and questions', () => {
    const files = loaded.files;
    const examples: VoteExample[] = files.voteExamples ?? [];
    const all = (list: Partial<Record<string, string[]>>) => Object.values(list).flatMap((v) => v ?? []);
    const own = files.entries.flatMap((e) => all(e.questions));
    const shared = files.authorities.flatMap((a) => all(a.questions));
    const one = new IntentVote(examples, [...own, ...shared]);
    const layered = new IntentVote(new VoteBasis(examples, shared), own);
    expect(examples.length).toBeGreaterThan(500);
    expect(questions.filter((q) => JSON.stringify(layered.vote(q)) !== JSON.stringify(one.vote(q)))).toEqual([]);
    expect(layered.size).toBe(one.size);
  }, 60_000);
});
