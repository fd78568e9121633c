// Latvian word knowledge from the Hunspell dictionary (knowledge/latvian-words.ts), and what the
// matcher does with it: a real word it does not know is another word, not a typo of one it does.
import { describe, expect, it } from 'vitest';
import { isLatvianWord } from '../knowledge/latvian-words.js';
import { MatchIndex, type MatchDocument } from '../knowledge/matcher.js';

describe('isLatvianWord', () => {
  it('knows inflected words as written and with their diacritics missing', () => {
    for (const word of ['sūdzību', 'sudzibu', 'dzēst', 'dzest', 'ģimene', 'gimene']) expect(isLatvianWord(word), word).toBe(true);
  });

  it('does not know typos, foreign words, numbers or fragments', () => {
    for (const word of ['sudzbu', 'kamreu', 'datenschutz', 'beschwerde', 'lv1050', 'ab']) expect(isLatvianWord(word), word).toBe(false);
  });
});

describe('typo matches and real words', () => {
  const documents: MatchDocument[] = [
    { kind: 'entry', id: 'cookies', phrasings: ['Sīkdatņu baneris vietnē', 'What is a cookie banner?'], keywords: ['banner'] },
  ];

  it('a misspelling still meets the word it misspells; a real word the knowledge does not use does not', () => {
    const withDictionary = new MatchIndex(documents, undefined, isLatvianWord);
    const withoutDictionary = new MatchIndex(documents);
    // "banānā" (in a banana) is close to "banner" in letters: only the dictionary tells the two apart.
    expect(withoutDictionary.search('banānā').results[0]?.matched).toEqual(['banan']);
    expect(withDictionary.search('banānā').results[0]?.matched ?? []).toEqual([]);
    expect(withDictionary.search('bannner').results[0]?.id).toBe('cookies');
  });
});
