// Which words are Latvian words, from the maintained Latvian Hunspell dictionary (npm
// `dictionary-lv`, LGPL-2.1) run by `hunspell-asm` (Hunspell compiled to WebAssembly): about 0.2 s
// to load, +19 MB RSS, ~150,000 checks a second (see DEVELOPERS.md). A home-made stemmer says what a
// word's stem might be; the dictionary says whether the word exists at all, so a real word the
// knowledge base does not use ("banānā") is not mistaken for a typo of one it does ("banner").
import { readFileSync } from 'node:fs';
import { loadModule } from 'hunspell-asm';

// Hunspell needs the dictionary's two files only while it reads them into its own tables. dictionary-lv's
// default export would hold them (1.9 MB) for the life of the process, so they are read here, from beside
// its entry (its index.js reads the same two files), and their copies in the WebAssembly file system go too.
const dictionaryDir = new URL('.', import.meta.resolve('dictionary-lv'));
const factory = await loadModule();
const affFile = factory.mountBuffer(readFileSync(new URL('index.aff', dictionaryDir)), 'lv.aff');
const dicFile = factory.mountBuffer(readFileSync(new URL('index.dic', dictionaryDir)), 'lv.dic');
const speller = factory.create(affFile, dicFile);
factory.unmount(affFile);
factory.unmount(dicFile);

// Citizens often type without diacritics: each of these letters may stand for its long or soft
// form. Words with more of them than this are not restored: 2^n spellings to check, and a
// misspelled word takes Hunspell about 15 µs each (5 letters: at most 0.5 ms a word).
const PLAIN_TO_MARKED: Record<string, string> = { a: 'ā', e: 'ē', i: 'ī', u: 'ū', c: 'č', s: 'š', z: 'ž', g: 'ģ', k: 'ķ', l: 'ļ', n: 'ņ' };
const MAX_RESTORED_LETTERS = 5;
const MIN_LENGTH = 3;
const CACHE_LIMIT = 20_000;
const cache = new Map<string, boolean>();

/** Every spelling of a word with diacritics added to the letters that may lack them. */
function spellings(word: string): string[] {
  let out = [''];
  for (const letter of word) {
    const marked = PLAIN_TO_MARKED[letter];
    out = marked === undefined ? out.map((s) => s + letter) : out.flatMap((s) => [s + letter, s + marked]);
  }
  return out;
}

/**
 * Whether a lower-case (folded) word is Latvian as written, or once its missing diacritics are restored
 * ("sudzibu" → "sūdzību"). Short words and words with digits say nothing and count as not known.
 */
export function isLatvianWord(word: string): boolean {
  if (word.length < MIN_LENGTH || /[^\p{L}]/u.test(word)) return false;
  const known = cache.get(word);
  if (known !== undefined) return known;
  const plainLetters = [...word].filter((c) => c in PLAIN_TO_MARKED).length;
  const result = speller.spell(word) || (plainLetters <= MAX_RESTORED_LETTERS && /^[a-z]+$/.test(word) && spellings(word).some((s) => speller.spell(s)));
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(word, result);
  return result;
}
