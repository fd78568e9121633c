// Which words are Latvian words, from the maintained Latvian Hunspell dictionary (npm
// `dictionary-lv`, LGPL-2.1) run by `hunspell-asm` (Hunspell compiled to WebAssembly): about 0.2 s
// to load, +19 MB RSS, ~150,000 checks a second (see DEVELOPERS.md). A home-made stemmer says what a
// word's stem might be; the dictionary says whether the word exists at all, so a real word the
// knowledge base does not use ("banānā") is not mistaken for a typo of one it does ("banner").
import dictionary from 'dictionary-lv';
import { loadModule } from 'hunspell-asm';
import { foldMarks, foldedDictionary } from './folded-dictionary.js';

// Citizens often type without diacritics, so the dictionary is asked in folded form: one check per
// word, whatever marks it lacks ("sudzibu" is "sūdzību"), instead of one per spelling the marks allow.
const folded = foldedDictionary(dictionary);
const factory = await loadModule();
const speller = factory.create(factory.mountBuffer(folded.aff, 'lv-folded.aff'), factory.mountBuffer(folded.dic, 'lv-folded.dic'));

const MIN_LENGTH = 3;
// A misspelled word still takes Hunspell up to about 0.2 ms: the answers are kept.
const CACHE_LIMIT = 20_000;
const cache = new Map<string, boolean>();

/**
 * Whether a lower-case word is Latvian as written, or once its missing diacritics are restored
 * ("sudzibu" → "sūdzību"); a word with a wrong mark counts as that word. Short words and words with
 * digits say nothing and count as not known.
 */
export function isLatvianWord(word: string): boolean {
  if (word.length < MIN_LENGTH || /[^\p{L}]/u.test(word)) return false;
  const known = cache.get(word);
  if (known !== undefined) return known;
  const result = speller.spell(foldMarks(word));
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(word, result);
  return result;
}
