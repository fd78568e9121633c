// Text normalisation for matching: what a citizen types fast ("sudzibu", "Sūdzības!") and what the
// knowledge keepers wrote ("sūdzība") must meet on the same terms.

/** Lower case, no diacritics, letters and digits only, single spaces. */
export function fold(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function words(text: string): string[] {
  const folded = fold(text);
  return folded === '' ? [] : folded.split(' ');
}

// Latvian inflection endings after folding, longest first. The list follows the light stemmer of
// Savoy / Lucene's LatvianStemmer, plus verb endings (infinitive -t, reflexive -ties, -ties/-as).
const LATVIAN_ENDINGS = [
  'ajiem', 'ajam', 'ajai', 'ajos', 'ajas', 'ties', 'iem', 'aja', 'ais', 'sim', 'siet', 'tos', 'ot', 'am', 'em', 'im', 'um',
  'ai', 'ei', 'us', 'as', 'es', 'os', 'is', 'ie', 'at', 'it', 'et', 'u', 'a', 'i', 'e', 'o', 's', 't',
].sort((a, b) => b.length - a.length);

// English: enough to join plural and verb forms ("complaints", "complaining", "deleted").
const ENGLISH_ENDINGS = ['ing', 'ies', 'ied', 'ed', 'es', 's', 'e', 'y'];

const MIN_STEM = 3;

/**
 * A light stem for a folded word. One ending is removed, never leaving fewer than three letters.
 * The same function serves Latvian and English: the two endings lists rarely collide, and a
 * knowledge entry holds both languages side by side.
 */
export function stem(word: string): string {
  if (/\d/.test(word) || word.length <= MIN_STEM) return word;
  for (const ending of LATVIAN_ENDINGS) {
    if (word.endsWith(ending) && word.length - ending.length >= MIN_STEM) return word.slice(0, -ending.length);
  }
  for (const ending of ENGLISH_ENDINGS) {
    if (word.endsWith(ending) && word.length - ending.length >= MIN_STEM) return word.slice(0, -ending.length);
  }
  return word;
}

// Words that carry no topic: question words, pronouns, auxiliaries, politeness. Folded forms.
const STOPWORDS = new Set(
  (
    // Latvian
    'ka kas ko kam kur kad kapec kads kada kadi kadas kadu kuru kurs kura kuri kuras cik vai un ar par uz no pie pa ' +
    'pec lai ja bet ari vel tikai ir nav bija bus tiek tika tiks var varu vari varam varat varetu vajag vajadzetu ' +
    'jabut drikst es tu vins vina mes jus man tev mums jums mani tevi mus jus mans mana manu manas mani manus musu ' +
    'jusu tavs tava savu sava savs savas tas ta to tie tas sis si so sie sos sim seit tur tagad te ludzu gribu gribetu ' +
    'velos velejos butu kaut kaa lai ne nu jau tad tadu tada tads tik cits cita citu kas ' +
    // English
    'a an the is are was were be been do does did i me my mine you your we our us it its this that these those to of ' +
    'in on at for from by with about how what when where why which who can could would should will shall may might ' +
    'must have has had am and or but if so not no please there here any some'
  ).split(' '),
);

export function isStopword(foldedWord: string): boolean {
  return STOPWORDS.has(foldedWord);
}

/** Folded, stopword-free stems of a text, in order (duplicates kept). */
export function terms(text: string): string[] {
  return words(text)
    .filter((w) => !isStopword(w))
    .map(stem)
    .filter((t) => !isStopword(t));
}
