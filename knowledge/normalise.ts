// Text normalisation for matching: what a citizen types fast ("sudzibu", "Sūdzības!") and what the
// knowledge keepers wrote ("sūdzība") must meet on the same terms.

/**
 * Lower case, no diacritics, letters and digits only, single spaces. A single letter joined by a
 * hyphen stays one word: "e-adrese" is the official e-address, not an "adrese" ("eadrese").
 */
export function fold(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/(?<![\p{L}\p{N}])(\p{L})[-‐‑–]\s?(?=\p{L})/gu, '$1')
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
  'ajiem',
  'ajam',
  'ajai',
  'ajos',
  'ajas',
  'ties',
  'iem',
  'aja',
  'ais',
  'sim',
  'siet',
  'tos',
  'ot',
  'am',
  'em',
  'im',
  'um',
  'ai',
  'ei',
  'us',
  'as',
  'es',
  'os',
  'is',
  'ie',
  'at',
  'it',
  'et',
  'u',
  'a',
  'i',
  'e',
  'o',
  's',
  't',
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
// Not "jūsu" / "your": said to the agency's bot they mean the agency ("jūsu adrese" is its address).
const STOPWORDS = new Set(
  // Latvian
  (
    'ka kas ko kam kur kad kapec kads kada kadi kadas kadu kuru kurs kura kuri kuras cik vai un ar par uz no pie pa ' +
    'pec lai ja bet ari vel tikai ir nav bija bus tiek tika tiks var varu vari varam varat varetu vajag vajadzetu ' +
    'jabut drikst es tu vins vina mes jus man tev mums jums mani tevi mus jus mans mana manu manas mani manus musu ' +
    'tavs tava savu sava savs savas tas ta to tie tas sis si so sie sos sim seit tur tagad te ludzu gribu gribetu ' +
    'velos velejos butu kaut kaa lai ne nu jau tad tadu tada tads tik cits cita citu kas ' +
    'jo esmu esam esat biju bijis bijusi butu nebija nebus vins vina vini vinas vinu vinam vinai viniem vinam ' +
    'sis sie sai saja sada sados tads tada taja tajos kurs kura kuru kura kuriem kurai kuram kaut kads kada ' +
    'visi visas viss visu vienmer kadreiz tomer tacu gan jeb nekas neko nevienu neviens loti diezgan vairak ' +
    'pat tiesi talak atkal vel joprojam tos tajas sos sis ' +
    'isti vispar principa parasti laikam varbut protams vienkarsi tiesam ' +
    // inflected forms, listed because stems are never filtered ("kas" is also the stem of "kase")
    'kados kadus kadam kadiem kadai kurus kuros manam maniem manai manos tavam taviem tavai tavu tavas tavi ' +
    'savam saviem savai savos savus savas cikos cikiem drikstu tikt vairakas tam tai tiem ' +
    // English
    'a an the is are was were be been do does did i me my mine you we our us it its this that these those to of ' +
    'in on at for from by with about how what when where why which who can could would should will shall may might ' +
    'must have has had am and or but if so not no please there here any some ' +
    'im ive id ill dont doesnt didnt cant cannot wont isnt arent wasnt werent hasnt havent ' +
    'he she him her his hers they them their theirs we us ours yours myself yourself itself ' +
    'as into out up down over under again further then once than too very just also only own same such ' +
    'because while until against between through during before after above below off ' +
    'all both each few more most other others another someone something somebody anyone anything ' +
    'being having doing get gets got getting think know want wants wanted need needs like really ' +
    'still even already yet ever never one ones hi hello ' +
    'exactly actually precisely basically generally usually probably maybe perhaps anyway simply certainly definitely'
  ).split(' '),
);

export function isStopword(foldedWord: string): boolean {
  return STOPWORDS.has(foldedWord);
}

/**
 * Topic stems of a text, in order (duplicates kept): stopwords and single letters dropped. Stems are
 * never filtered themselves: "kas" is a stopword and also the stem of "kase" (cash desk).
 */
export function terms(text: string): string[] {
  return termsOfWords(words(text));
}

/** The same, of a text's folded words (`words`): for a caller that needs the words as well. */
export function termsOfWords(folded: readonly string[]): string[] {
  return folded.filter((w) => w.length > 1 && !isStopword(w)).map(stem);
}

/**
 * Whether the words of a phrase occur together, in order, among a text's folded words, each as
 * written or in the plural. For signals that must be certain in languages the light stemmer
 * serves poorly: "fire" must not match "fired", nor "accident" "accidentally".
 */
export function containsWords(textWords: readonly string[], phrase: string): boolean {
  const wanted = phraseWords(phrase);
  if (wanted.length === 0) return false;
  for (let start = 0; start + wanted.length <= textWords.length; start++) {
    let all = true;
    for (let i = 0; all && i < wanted.length; i++) all = sameOrPlural(textWords[start + i]!, wanted[i]!);
    if (all) return true;
  }
  return false;
}

/** `word` is `w`, `w` + "s" or `w` + "es". Compared in place: this runs for every keyword on every message. */
function sameOrPlural(word: string, w: string): boolean {
  if (!word.startsWith(w)) return false;
  const rest = word.length - w.length;
  return rest === 0 || (rest === 1 && word.endsWith('s')) || (rest === 2 && word.endsWith('es'));
}

const PHRASE_CACHE_LIMIT = 5_000;

/**
 * `split`, remembered per phrase: for the knowledge base's own phrases (keywords), a bounded set
 * checked against every message. A reloaded knowledge base brings new phrases; past the limit all
 * are forgotten at once, the old ones are not worth tracking one by one.
 */
function remembered(split: (text: string) => string[]): (phrase: string) => string[] {
  const cache = new Map<string, string[]>();
  return (phrase) => {
    let found = cache.get(phrase);
    if (found === undefined) {
      if (cache.size >= PHRASE_CACHE_LIMIT) cache.clear();
      cache.set(phrase, (found = split(phrase)));
    }
    return found;
  };
}

/** The folded words of a phrase, remembered. */
const phraseWords = remembered(words);
/** The topic stems of a phrase, remembered. */
export const phraseTerms = remembered(terms);
