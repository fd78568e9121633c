// The measuring tools of `npm run eval`: the knowledge cut to N phrasings, and the n-gram yardstick
// the matcher is compared with.
import { describe, expect, it } from 'vitest';
import { againstYardstick, byVoice, lexicalReach, score, type Labelled } from '../bot/cli/eval.js';
import type { AskAnswer } from '../bot/cli/ask.js';
import { withPhrasingsCut } from '../knowledge/ablation.js';
import { loadKnowledgeFiles } from '../knowledge/load.js';
import { NgramYardstick } from '../knowledge/yardstick.js';

/** What `npm run ask -- --json` gives for a message; a fallback unless told otherwise. */
const answer = (over: Partial<AskAnswer>): AskAnswer => ({
  text: '',
  kind: 'fallback',
  decision: 'fallback',
  entryId: null,
  authorityId: null,
  referrals: [],
  candidates: [],
  language: 'lv',
  reply: '',
  ...over,
});

describe('--phrasings N', () => {
  const loaded = loadKnowledgeFiles({ knowledgeDir: 'knowledge', agency: 'dvi', today: new Date('2026-12-01') });
  if (!loaded.ok) throw new Error('the knowledge base must load');
  const { files } = loaded;

  it('keeps the first N phrasings and keywords of every entry and authority, per language; intents as they are', () => {
    const cut = withPhrasingsCut(files, 3);
    for (const [before, after] of [
      ...files.entries.map((e, i) => [e, cut.entries[i]!] as const),
      ...files.authorities.map((a, i) => [a, cut.authorities[i]!] as const),
    ]) {
      for (const [language, list] of Object.entries(before.questions))
        expect(after.questions[language as 'lv'], `${before.id} ${language}`).toEqual(list!.slice(0, 3));
      for (const [language, list] of Object.entries(before.keywords ?? {})) expect(after.keywords?.[language as 'lv']).toEqual(list!.slice(0, 3));
    }
    expect(cut.intents).toBe(files.intents);
    // The files as loaded are left alone.
    expect(files.entries.some((e) => (e.questions.lv?.length ?? 0) > 3)).toBe(true);
  });
});

describe('n-gram yardstick', () => {
  const yardstick = new NgramYardstick([
    { id: 'spam', phrasings: ['Saņemu nevēlamas reklāmas e-pastā', 'spams'] },
    { id: 'camera', phrasings: ['Kaimiņš uzstādīja videokameru, kas filmē manu pagalmu'] },
  ]);

  it('ranks by character grams, so inflection and missing diacritics still meet', () => {
    expect(yardstick.best('kaimins filme ar videokamerām')).toBe('camera');
    expect(yardstick.best('nevelama reklama')).toBe('spam');
    expect(yardstick.best('xyzzy')).toBeUndefined();
  });

  it("is counted beside the matcher's first choice on answer and referral questions only", () => {
    const items: Labelled[] = [
      { q: 'kaimins filme', kind: 'answer', entryId: 'camera' },
      { q: 'spams', kind: 'answer', entryId: 'spam' },
      { q: 'labdien', kind: 'smalltalk', entryId: 'smalltalk.greeting' },
    ];
    const answers = [answer({ kind: 'clarify', candidates: ['camera', 'spam'] }), answer({ kind: 'answer', entryId: 'camera' }), answer({ kind: 'smalltalk' })];
    expect(againstYardstick(items, answers, yardstick)).toEqual({ total: 2, matcher: 1, ranking: 0, yardstick: 2 });
    // The matcher's ranking alone, counted apart from what the bot then did.
    expect(againstYardstick(items, answers, yardstick, (q) => (q.startsWith('spam') ? 'spam' : 'camera')).ranking).toBe(2);
  });
});

describe('scoring', () => {
  it('counts a small-talk entry answered as that entry answered, whatever kind the set labels it', () => {
    const items: Labelled[] = [
      { q: 'paldies, jūs palīdzējāt', kind: 'answer', entryId: 'smalltalk.thanks' },
      { q: 'labdien', kind: 'answer', entryId: 'smalltalk.greeting' },
    ];
    const s = score('t', items, [answer({ kind: 'smalltalk', entryId: 'smalltalk.thanks' }), answer({ kind: 'smalltalk', entryId: 'smalltalk.thanks' })]);
    expect(s.rightEntry).toEqual({ total: 2, correct: 1 });
    // The greeting answered with the thanks is a wrong entry, committed to.
    expect(s.confidentlyWrong).toBe(1);
  });
});

describe('what a set says beyond its totals', () => {
  const answer = (entryId: string | null): AskAnswer => ({
    text: '',
    kind: 'answer',
    decision: 'answer',
    entryId,
    authorityId: null,
    referrals: [],
    candidates: [],
    language: 'lv',
    reply: '',
  });

  it('splits the share as expected by voice', () => {
    const items: Labelled[] = [
      { q: 'a', kind: 'answer', entryId: 'x', voice: 'keywords' },
      { q: 'b', kind: 'answer', entryId: 'x', voice: 'keywords' },
      { q: 'c', kind: 'answer', entryId: 'x', voice: 'letter' },
      { q: 'd', kind: 'answer', entryId: 'x' },
    ];
    expect(byVoice(items, [answer('x'), answer('y'), answer('x'), answer('x')])).toEqual([
      { voice: 'keywords', total: 2, correct: 1 },
      { voice: 'letter', total: 1, correct: 1 },
    ]);
  });

  it('counts a question as within reach only if it shares a topic stem with the right entry', () => {
    const entry = (id: string, lv: string[]) => [id, { id, questions: { lv }, keywords: { lv: [] } }] as const;
    const knowledge = {
      entries: new Map([entry('spam', ['Saņemu nevēlamas reklāmas e-pastā']), entry('camera', ['Kaimiņš filmē manu pagalmu'])]),
      authorities: new Map(),
    } as unknown as Parameters<typeof lexicalReach>[1];
    const items: Labelled[] = [
      { q: 'kaimiņa kamera filmē', kind: 'answer', entryId: 'camera' },
      { q: 'man sūta reklāmu', kind: 'answer', entryId: 'spam' },
      { q: 'kaimiņš mani novēro', kind: 'answer', entryId: 'spam' },
      { q: 'Paldies', kind: 'fallback' },
    ];
    expect(lexicalReach(items, knowledge)).toEqual({ total: 3, reachable: 2 });
  });
});
