// The Latvian Hunspell dictionary with its diacritics taken off, so that one check answers "is this
// word, typed without its marks, a Latvian word?". Asking the dictionary itself meant trying every
// spelling the marks allow ("sudzibu": sūdzību, sudzību, …, 2^n of them); a typo, which no spelling
// matches, cost all of them, up to 5 ms a word, and set the matcher's slowest searches.
//
// Folding the word list and the affix rules gives a dictionary that accepts the folded form of every
// word the original accepts: a form is a stem with a suffix's strip and add, and folding is letter by
// letter. A rule's condition is widened where folding merges letters: "[^ā]" (any letter but ā) must
// now let "a" through, since "a" may stand for ā's neighbour a. The folded dictionary so accepts a
// few folded strings no real word has (measured on the project's words: test/latvian-words.test.ts).
// Flags, counts and the rest of the files stay as they are.

// The marks Latvian letters carry, the ones a citizen leaves out: ā ē ī ū, č š ž, ģ ķ ļ ņ. Other
// languages' marks stay (the dictionary's "Hélène" is not folded, nor a citizen's "está").
const MARKED = 'āēīūčšžģķļņĀĒĪŪČŠŽĢĶĻŅ';
const PLAIN = 'aeiucszgklnAEIUCSZGKLN';
const MARKED_LETTER = new RegExp(`[${MARKED}]`, 'gu');
/** A word's flags with a marked letter: folding would make it another flag. */
const MARKED_FLAGS = new RegExp(`/[^\\s/]*[${MARKED}]`, 'u');

/** Text with its Latvian letters' marks taken off ("sūdzība" → "sudziba"); case is kept. */
export function foldMarks(text: string): string {
  return text.normalize('NFC').replace(MARKED_LETTER, (letter) => PLAIN[MARKED.indexOf(letter)]!);
}

/** The letters that fold to a letter: "a" stands for a and ā. */
const FOLDING_TO = new Map([...PLAIN].map((plain, i) => [plain, [plain, MARKED[i]!]]));
const lettersFoldingTo = (plain: string): string[] => FOLDING_TO.get(plain) ?? [plain];

// What the folding does not read: a dictionary using these (or indenting its rules) would be folded
// wrong, words refused or taken silently, so it is refused at load instead.
const UNFOLDED_DIRECTIVES = /^[ \t]*(?:IGNORE|ICONV|OCONV|FORBIDDENWORD|COMPOUNDRULE|COMPOUNDFLAG|COMPOUNDBEGIN|AF|AM)\b|^[ \t]+(?:SFX|PFX)\b/mu;

export interface HunspellFiles {
  aff: Uint8Array;
  dic: Uint8Array;
}

/** Both files of a UTF-8 Hunspell dictionary, folded. */
export function foldedDictionary({ aff, dic }: HunspellFiles): HunspellFiles {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const encoder = new TextEncoder();
  const affText = decoder.decode(aff);
  const unread = UNFOLDED_DIRECTIVES.exec(affText);
  if (unread) throw new Error(`the dictionary's affix file uses "${unread[0].trim()}", which folding does not handle`);
  return { aff: encoder.encode(foldAffixes(affText)), dic: encoder.encode(foldWords(decoder.decode(dic))) };
}

/**
 * Each affix rule's strip, add and condition folded: `SFX flag strip add[/flags] condition [morphology]`
 * (the same for PFX). A rule's header (`SFX flag Y count`) and every other line are left alone.
 */
export function foldAffixes(aff: string): string {
  return aff
    .split('\n')
    .map((line) => {
      const parts = line.split(/(\s+)/);
      const [kind, , , , strip, , add, , condition] = parts;
      if ((kind !== 'SFX' && kind !== 'PFX') || strip === undefined || add === undefined || condition === undefined) return line;
      const slash = add.indexOf('/');
      parts[4] = foldMarks(strip);
      parts[6] = slash < 0 ? foldMarks(add) : foldMarks(add.slice(0, slash)) + add.slice(slash);
      parts[8] = foldCondition(condition);
      return parts.join('');
    })
    .join('\n');
}

/**
 * A condition ("[^āēī]t", "[ģ]ist", "ēt", ".") folded so that it holds for the folded form of every
 * stem it held for. A letter folds; a class folds its letters; a negated class keeps a folded letter
 * only if it excluded every letter that folds to it (else one of those may be what the stem had).
 */
export function foldCondition(condition: string): string {
  return condition.replace(/\[(\^?)([^\]]*)\]|./gu, (whole, negated: string | undefined, members: string | undefined) => {
    if (members === undefined) return foldMarks(whole);
    const letters = [...members.normalize('NFC')];
    const folded = new Set(
      negated === '^' ? letters.filter((l) => lettersFoldingTo(foldMarks(l)).every((m) => letters.includes(m))).map(foldMarks) : letters.map(foldMarks),
    );
    if (negated === '^' && folded.size === 0) return '.';
    return `[${negated ?? ''}${[...folded].join('')}]`;
  });
}

/**
 * The word list with each word folded: the word is what comes before its flags ("/") or fields.
 * Flags of Latin letters and signs (as dictionary-lv's) do not fold, nor does folding a morphological
 * field change a check, so the text is folded whole (three times faster than word by word).
 */
export function foldWords(dic: string): string {
  if (!MARKED_FLAGS.test(dic)) return foldMarks(dic);
  return dic.replace(/^[^/\s]+/gmu, foldMarks);
}
