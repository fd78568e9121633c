// Which words are Latvian words, from the maintained Latvian Hunspell dictionary (npm
// `dictionary-lv`, LGPL-2.1) run by `hunspell-asm` (Hunspell compiled to WebAssembly): about 0.3 s
// to fold and load, +19 MB RSS, ~150,000 checks a second (see DEVELOPERS.md). A home-made stemmer says what a
// word's stem might be; the dictionary says whether the word exists at all, so a real word the
// knowledge base does not use ("banānā") is not mistaken for a typo of one it does ("banner").
import { readFileSync } from 'node:fs';
import { loadModule } from 'hunspell-asm';
import { foldMarks, foldedDictionary } from './folded-dictionary.js';

// Citizens often type without diacritics, so the dictionary is asked in folded form: one check per
// word, whatever marks it lacks ("sudzibu" is "sūdzību"), instead of one per spelling the marks allow.
// Hunspell needs the files only while it reads them into its own tables. dictionary-lv's default
// export would hold them (1.9 MB) for the life of the process, so they are read here, from beside
// its entry (its index.js reads the same two files), and their copies in the WebAssembly file
// system go too.
const dictionaryDir = new URL('.', import.meta.resolve('dictionary-lv'));
const folded = foldedDictionary({ aff: readFileSync(new URL('index.aff', dictionaryDir)), dic: readFileSync(new URL('index.dic', dictionaryDir)) });
const factory = await loadModule();
const affFile = factory.mountBuffer(folded.aff, 'lv-folded.aff');
const dicFile = factory.mountBuffer(folded.dic, 'lv-folded.dic');
const speller = factory.create(affFile, dicFile);
factory.unmount(affFile);
factory.unmount(dicFile);

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
