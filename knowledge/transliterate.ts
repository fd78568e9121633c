// Russian written in Latin letters ("poshli vy", "zhdite gostej"): people on a Latvian keyboard
// spell the same Cyrillic word several ways (ж as zh or z, х as h, kh or x, я as ja, ya or a). A
// word list kept in Cyrillic is given every such spelling, so nobody writes the Latin lists by hand
// and no spelling is forgotten. Transliteration libraries (npm `transliteration`,
// `cyrillic-to-translit-js`) give one standard spelling; chat spelling is not one standard.

/** The Latin spellings of each Cyrillic letter, the most common first. */
const SPELLINGS: Readonly<Record<string, readonly string[]>> = {
  а: ['a'],
  б: ['b'],
  в: ['v'],
  г: ['g'],
  д: ['d'],
  е: ['e', 'je'],
  ё: ['e', 'jo', 'yo'],
  ж: ['zh', 'z', 'j'],
  з: ['z'],
  и: ['i'],
  й: ['j', 'i', 'y'],
  к: ['k'],
  л: ['l'],
  м: ['m'],
  н: ['n'],
  о: ['o'],
  п: ['p'],
  р: ['r'],
  с: ['s'],
  т: ['t'],
  у: ['u'],
  ф: ['f'],
  х: ['h', 'kh', 'x'],
  ц: ['c', 'ts'],
  ч: ['ch', 'c'],
  ш: ['sh', 's'],
  щ: ['sch', 'sh', 'shch'],
  ъ: [''],
  ы: ['y', 'i'],
  ь: ['', 'j'],
  э: ['e'],
  ю: ['ju', 'yu', 'u'],
  я: ['ja', 'ya', 'a'],
  і: ['i'],
  ї: ['i', 'ji'],
  є: ['e', 'je'],
  ґ: ['g'],
};

/** Enough for every common spelling of a stem; a long word's rarer combinations are left out. */
const MAX_SPELLINGS = 24;

export const hasCyrillic = (text: string): boolean => /\p{Script=Cyrillic}/u.test(text);

/**
 * The Latin spellings of a Cyrillic word or phrase, most common first (lower case; other characters
 * kept as they are). "жопа" → "zhopa", "zopa", "jopa".
 */
export function latinSpellings(cyrillic: string): string[] {
  let spellings = [''];
  // Another concept named in a frame cue ("=его @privateDetail") keeps its name as written:
  // lower-cased, it would name no concept, and the spelled cue would never match.
  for (const part of cyrillic.split(/(@\S+)/u)) {
    if (part.startsWith('@')) {
      spellings = spellings.map((s) => s + part);
      continue;
    }
    for (const letter of part.toLowerCase()) {
      const options = SPELLINGS[letter] ?? [letter];
      const next: string[] = [];
      // Breadth first, so the cap drops the combinations of the rarest spellings.
      for (const option of options) for (const s of spellings) next.push(s + option);
      spellings = next.slice(0, MAX_SPELLINGS);
    }
  }
  return [...new Set(spellings)];
}

/**
 * An entry and, when it is Cyrillic, its Latin spellings, less those that spell a word of another
 * language, every word of it (`isOtherWord`: "гады" spelled "gadi" is Latvian for "years", "дура"
 * spelled "dura" is "dūra").
 * Marks around the words ("=", "~", a trailing "*") are kept.
 */
export function withLatinSpellings(entry: string, isOtherWord: (word: string) => boolean = () => false): string[] {
  if (!hasCyrillic(entry)) return [entry];
  const collides = (spelling: string) => spelling.split(/\s+/).every((w) => isOtherWord(w.replace(/^[=~]|\*$/g, '')));
  return [entry, ...latinSpellings(entry).filter((s) => !collides(s))];
}
