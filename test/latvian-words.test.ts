// Latvian word knowledge from the Hunspell dictionary (knowledge/latvian-words.ts), and what the
// matcher does with it: a real word it does not know is another word, not a typo of one it does.
import { readFileSync, readdirSync } from 'node:fs';
import dictionary from 'dictionary-lv';
import { loadModule } from 'hunspell-asm';
import { describe, expect, it } from 'vitest';
import { foldAffixes, foldCondition, foldedDictionary, foldMarks, foldWords } from '../knowledge/folded-dictionary.js';
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

describe('the folded dictionary', () => {
  it('folds a condition so that it still holds for every stem it held for', () => {
    expect(foldCondition('ēt')).toBe('et');
    expect(foldCondition('[ģ]ist')).toBe('[g]ist');
    expect(foldCondition('[āēī]t')).toBe('[aei]t');
    // "[^ā]" let a plain a through; folded, "a" may be either, so the class lets every letter through.
    expect(foldCondition('[^ā]t')).toBe('.t');
    expect(foldCondition('[^aā]t')).toBe('[^a]t');
    expect(foldCondition('[^āēīoeū]t')).toBe('[^eo]t');
    expect(foldCondition('.')).toBe('.');
  });

  it('folds the strip, the add and the condition of a rule, and leaves flags, headers and fields alone', () => {
    expect(foldAffixes('SFX D t  ū    [^āēīoeū]t  is:1vpt0')).toBe('SFX D t  u    [^eo]t  is:1vpt0');
    expect(foldAffixes('PFX ]  0  jā/| .')).toBe('PFX ]  0  ja/| .');
    expect(foldAffixes('SFX Ā Y 3\nTRY ianseātum')).toBe('SFX Ā Y 3\nTRY ianseātum');
    expect(foldWords('66606\nābece/SsTt po:lietv5r\ngrīdceliņš//Oo\nĀbels/OoPp')).toBe('66606\nabece/SsTt po:lietv5r\ngridcelins//Oo\nAbels/OoPp');
    expect(foldMarks('Sūdzība, está')).toBe('Sudziba, está');
    // Flags with a marked letter are left as they are (folded, they would be other flags).
    expect(foldWords('2\nābols/ā\nčūska/Oo')).toBe('2\nabols/ā\ncuska/Oo');
  });

  it('refuses a dictionary whose affix file uses what the folding does not read', () => {
    const files = (aff: string) => ({ aff: new TextEncoder().encode(aff), dic: new TextEncoder().encode('1\nsuns/O') });
    expect(foldedDictionary(files('SET UTF-8\nSFX O Y 1\nSFX O s a s')).aff.length).toBeGreaterThan(0);
    expect(() => foldedDictionary(files('SET UTF-8\nICONV 1\nICONV ā a'))).toThrow(/ICONV/);
    expect(() => foldedDictionary(files('SET UTF-8\nSFX O Y 1\n  SFX O s ā s'))).toThrow(/SFX/);
  });

  // The words citizens wrote in the project's labelled sets, and the knowledge's own.
  const corpus = new Set<string>();
  const addWords = (text: string) => {
    for (const word of text.toLowerCase().split(/[^\p{L}]+/u)) if (word.length >= 3) corpus.add(word);
  };
  for (const file of readdirSync('test/eval').filter((f) => f.endsWith('.jsonl'))) addWords(readFileSync(`test/eval/${file}`, 'utf8'));
  for (const agency of readdirSync('knowledge/agencies')) {
    for (const file of readdirSync(`knowledge/agencies/${agency}`).filter((f) => f.endsWith('.yaml')))
      addWords(readFileSync(`knowledge/agencies/${agency}/${file}`, 'utf8'));
  }

  // The dictionary as it comes, with its marks: what the folded one is measured against.
  let loads = 0;
  const originalDictionary = async () => {
    const factory = await loadModule();
    loads++;
    return factory.create(factory.mountBuffer(dictionary.aff, `original${loads}.aff`), factory.mountBuffer(dictionary.dic, `original${loads}.dic`));
  };

  it('knows every word the dictionary knows, typed without its marks', async () => {
    const original = await originalDictionary();
    const known = [...corpus].filter((w) => original.spell(w));
    expect(known.length).toBeGreaterThan(5_000);
    expect(known.filter((w) => !isLatvianWord(foldMarks(w)))).toEqual([]);
    original.dispose();
  });

  it('takes few strings for words that no spelling with marks makes a word', async () => {
    const original = await originalDictionary();
    // Every spelling the missing marks allow, checked in the original: the old way, 2^n checks a word.
    const restorable = (word: string) => {
      let spellings = [''];
      for (const letter of word) {
        const marked = 'āēīūčšžģķļņ'['aeiucszgkln'.indexOf(letter)];
        spellings = marked === undefined ? spellings.map((s) => s + letter) : spellings.flatMap((s) => [s + letter, s + marked]);
      }
      return spellings.some((s) => original.spell(s));
    };
    const plain = [...corpus].filter((w) => /^[a-z]+$/.test(w) && (w.match(/[aeiucszgkln]/g) ?? []).length <= 6);
    const taken = plain.filter((w) => isLatvianWord(w));
    const wrongly = taken.filter((w) => !restorable(w));
    expect(plain.length).toBeGreaterThan(5_000);
    // Measured: 15 of the 3,133 plain words taken ("kaa", "taa": "[^ā]" widened lets a rule add "a" after an a).
    expect(wrongly.length / taken.length).toBeLessThan(0.01);
    original.dispose();
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
