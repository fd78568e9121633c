// The matcher on a handful of documents, one behaviour per test: what a citizen types fast must
// still meet what the knowledge keepers wrote.
import { describe, expect, it } from 'vitest';
import { GramIndex } from '../knowledge/grams.js';
import { MatchIndex, type MatchDocument } from '../knowledge/matcher.js';
import { containsWords, terms, words } from '../knowledge/normalise.js';

const doc = (id: string, phrasings: string[], keywords: string[] = []): MatchDocument => ({ kind: 'entry', id, phrasings, keywords });

const index = new MatchIndex([
  doc('erasure', ['Kā dzēst savus personas datus?', 'Lūdzu izdzēst manus datus', 'How do I delete my data?'], ['dzēšana', 'delete']),
  doc('complaint', ['Kā iesniegt sūdzību?', 'Gribu sūdzēties par datu apstrādi'], ['sūdzība']),
  doc('cash', ['Kur ir kase?', 'Kases darba laiks'], ['kase']),
  doc('help', ['ko tu vari'], []),
]);
const best = (question: string) => index.search(question).results[0]?.id;

describe('MatchIndex', () => {
  it('meets inflected forms and missing diacritics', () => {
    expect(best('sudzibas iesniegsana')).toBe('complaint');
    expect(best('dzēšanu datiem')).toBe('erasure');
  });

  it('forgives a typo in a longer word', () => {
    expect(best('sūdzbu')).toBe('complaint');
  });

  it('reads the Latvian debitive and negation as the verb itself', () => {
    // "jāiesniedz" (must submit) and "neizdzēsa" (did not delete) are not in any phrasing.
    expect(best('vai man jāiesniedz')).toBe('complaint');
    expect(best('veikals neizdzēsa')).toBe('erasure');
  });

  it('never drops a topic word whose stem looks like a stopword ("kase" stems to "kas")', () => {
    expect(terms('Kur ir kase?')).toEqual(['kas']);
    expect(best('kase')).toBe('cash');
  });

  it('returns at most `limit` results, the best first, and refuses a limit that is not a whole number ≥ 0', () => {
    const all = index.search('sūdzība par datu dzēšanu', 8).results;
    expect(all.length).toBeGreaterThan(1);
    expect(index.search('sūdzība par datu dzēšanu', 1).results).toEqual(all.slice(0, 1));
    expect(index.search('sūdzība par datu dzēšanu', 0).results).toEqual([]);
    for (const bad of [-1, 2.5, Infinity]) expect(() => index.search('sūdzība', bad)).toThrow(RangeError);
  });

  it('a message of nothing but stopwords is found verbatim, and otherwise finds nothing', () => {
    expect(best('Ko tu vari?')).toBe('help');
    expect(index.search('ko tu').results).toEqual([]);
  });

  it('knows which of a message’s words it uses in some form (familiar share)', () => {
    expect(index.search('sūdzība par datiem').analysis.familiar).toBe(1);
    expect(index.search('Kaip pateikti skundą').analysis.familiar).toBe(0);
  });
});

describe('containsWords (signals that must be certain)', () => {
  const words = (text: string) => text.toLowerCase().split(/\W+/).filter(Boolean);
  it('matches the phrase word for word, plurals allowed, and nothing merely starting the same', () => {
    expect(containsWords(words('There were two car accidents'), 'car accident')).toBe(true);
    expect(containsWords(words('We accidentally sent it'), 'accident')).toBe(false);
    expect(containsWords(words('I was fired'), 'fire')).toBe(false);
    expect(containsWords(words('the car, an accident'), 'car accident')).toBe(false);
  });
});

describe('GramIndex (character n-grams)', () => {
  const grams = new GramIndex([
    { phrasings: ['Kā iesniegt sūdzību par datu apstrādi?'], keywords: ['datu aizsardzība'] },
    { phrasings: ['Kur ir kase?', 'Kases darba laiks'], keywords: [] },
  ]);
  const similarities = (question: string) => {
    const { docs, count } = grams.score(words(question));
    return Object.fromEntries([...docs.subarray(0, count)].map((d) => [d, grams.similarity(d)]));
  };

  it('finds a compound and a derivation that share no stem with the phrasings', () => {
    // "datuaizsardzības" is one word, "apstrādātājs" another derivation: no stem of theirs is in
    // the phrasings, their letters are.
    const found = similarities('datuaizsardzības apstrādātājs');
    expect(found[0]).toBeGreaterThan(0.3);
    expect(found[0]).toBeGreaterThan(found[1] ?? 0);
  });

  it('gives 1 for a phrasing itself, and nothing for letters no text uses', () => {
    expect(similarities('Kur ir kase?')[1]).toBeCloseTo(1, 5);
    expect(grams.score(words('qqqq zzzz')).count).toBe(0);
    // Each question starts afresh: the last one's similarities are gone.
    expect(grams.similarity(1)).toBe(0);
  });
});
