// The matcher on a handful of documents, one behaviour per test: what a citizen types fast must
// still meet what the knowledge keepers wrote.
import { describe, expect, it } from 'vitest';
import { MatchIndex, type MatchDocument } from '../knowledge/matcher.js';
import { containsWords, terms } from '../knowledge/normalise.js';

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
