// Detects the language of a citizen's message among the languages an agency may meet (rule R3).
// eld with its 'extrasmall' database and every one of its 60 languages, stored as JSON by
// scripts/build-eld-subset.ts: 7.7 MB of heap once n-grams share equal scores (below). A database cut to the nine languages we have texts for made every other
// language look like one of the nine (Spanish and Italian were taken for Latvian).
import type { eld as EldEntry } from 'eld';
import { SUBSET_LANGUAGES, ngramsData, type EldNgramsData } from './eld-subset/ngrams.js';

/** ISO 639-1 codes the detector chooses among: every language eld knows. */
export const DETECTABLE_LANGUAGES: readonly string[] = SUBSET_LANGUAGES;

/** Languages the bot has texts for and whose names citizens may ask for ("vai var krieviski?"). */
export const NAMED_LANGUAGES = ['lv', 'en', 'ru', 'uk', 'de', 'lt', 'et', 'pl', 'fr'] as const;
export type NamedLanguage = (typeof NAMED_LANGUAGES)[number];

/** The state language: what we report (unreliably) when a message has nothing to detect. */
export const DEFAULT_LANGUAGE: NamedLanguage = 'lv';

export type Detected = { language: string; reliable: boolean };

type EldDetector = Pick<typeof EldEntry, 'detect' | 'setLanguageSubset'>;
/** eld's own factory (src/languageDetector.js), the one its entry files use; `loadData` is how they load a database. */
type CreateEld = () => { instance: EldDetector; loadData: (data: EldNgramsData) => string };

// eld's package exports offer only instances with a whole database built in, so its factory is imported from the
// file beside its entry point. eld is pinned in package.json; test/language.test.ts checks the subset against it.
const eldLoaderUrl = new URL('../languageDetector.js', import.meta.resolve('eld')); // entry: eld/src/entries/dynamic.js
const { createEld } = (await import(eldLoaderUrl.href)) as { createEld: CreateEld };

/**
 * Makes n-grams with the same scores share one scores object: 49,553 n-grams have only 12,588 distinct ones, and
 * each object costs more than its n-gram (heap 15.0 → 7.7 MB). eld only reads them, so results do not change.
 */
function shareIdenticalScores(data: EldNgramsData): EldNgramsData {
  const shared = new Map<string, Record<string, number>>();
  const { ngrams } = data;
  for (const ngram in ngrams) {
    const scores = ngrams[ngram]!;
    // Keys in eld's order (ascending language index), so equal scores make equal keys.
    let key = '';
    for (const language in scores) key += `${language}:${scores[language]},`;
    const first = shared.get(key);
    if (first === undefined) shared.set(key, scores);
    else ngrams[ngram] = first;
  }
  return data;
}

// An isolated instance with the subset database; the language subset also filters results as before.
const { instance: detector, loadData } = createEld();
if (!loadData(shareIdenticalScores(ngramsData))) throw new Error('eld: the language database did not load');
detector.setLanguageSubset([...DETECTABLE_LANGUAGES]);

/** Below these, any detector is guessing (eld gets ~25% of one-word messages wrong). */
const MIN_WORDS = 3;
const MIN_LETTERS = 12;
const MIN_UNSPACED = 6;
const UNSPACED_SCRIPTS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/gu;
/**
 * eld scores are 0..1; a smaller lead over the runner-up is a coin toss. (eld 2.1's own isReliable() means to check
 * this too, but compares the top score with the runner-up's language index, so we measure the margin ourselves.)
 */
const MIN_MARGIN = 0.03;
/**
 * Languages eld's scores often cannot tell apart on a short message. None has texts here, so which
 * of a family it is matters less than that it is not Latvian. Latvian's own neighbours are left out:
 * the Baltic evidence below decides those.
 */
const FAMILIES: readonly ReadonlySet<string>[] = [
  new Set(['da', 'no', 'sv']),
  // Cyrillic East and South Slavic: Russian and Ukrainian are told apart by their letters first (below).
  new Set(['bg', 'sr', 'ru', 'uk', 'be']),
  new Set(['hr', 'sr', 'sl']),
  new Set(['cs', 'sk']),
  new Set(['es', 'ca', 'pt']),
  new Set(['hi', 'mr']),
  new Set(['ms', 'tl']),
];

/** Latvian must score at least this fraction of the Lithuanian/Estonian winner to be reconsidered. */
const BALTIC_CLOSE = 0.75;
/** ...and this fraction for the reconsidered answer to count as reliable without Latvian evidence. */
const BALTIC_CLOSE_RELIABLE = 0.85;

export function detectLanguage(text: string): Detected {
  const clean = removeNonWords(text);
  const words = clean.toLowerCase().match(/\p{L}[\p{L}\p{M}]*(?:['’ʼ]\p{L}[\p{L}\p{M}]*)*/gu) ?? [];
  const letters = words.reduce((n, w) => n + (w.match(/\p{L}/gu)?.length ?? 0), 0);
  // Chinese, Japanese, Thai, Lao, Khmer and Burmese put no spaces between words: there, the characters count.
  const unspaced = clean.match(UNSPACED_SCRIPTS)?.length ?? 0;
  const longEnough = (words.length >= MIN_WORDS && letters >= MIN_LETTERS) || unspaced >= MIN_UNSPACED;
  if (words.length === 0) return { language: DEFAULT_LANGUAGE, reliable: false };

  const result = detector.detect(clean);
  const ranked = Object.entries(result.getScores()).sort((a, b) => b[1] - a[1]);
  const [first, second] = ranked;
  if (!first) return { language: DEFAULT_LANGUAGE, reliable: false };
  const [top, topScore] = first;

  // Short Russian and Ukrainian also score as Belarusian: the alphabet and function words decide
  // between the two we have texts for.
  if (CYRILLIC_LANGUAGES.has(top)) {
    const decided = cyrillicByEvidence(clean, words);
    if (decided) return { language: decided, reliable: longEnough };
  }

  // Russian scored as Bulgarian or Serbian: its own letters or words say so, where theirs do not.
  if ((top === 'bg' || top === 'sr') && russianNotSouthSlavic(clean, words)) return { language: 'ru', reliable: longEnough };

  if (top !== 'lv' && !NON_LATIN.test(clean)) {
    const lvScore = ranked.find(([lang]) => lang === 'lv')?.[1] ?? 0;
    const ratio = lvScore / topScore;
    if (ratio >= BALTIC_CLOSE) {
      const { latvian, other } = balticEvidence(words);
      // Lithuanian and Estonian look most like Latvian without diacritics: a tie goes to Latvian, and
      // so it does against any language Latvian scores nearly as high as. Otherwise Latvian evidence
      // must outweigh the other language's.
      if (isBalticRival(top) || ratio >= BALTIC_CLOSE_RELIABLE ? latvian >= other : latvian > other) {
        return { language: 'lv', reliable: longEnough && (latvian > other || ratio >= BALTIC_CLOSE_RELIABLE) };
      }
    }
  }

  // A close relative as runner-up (Danish and Norwegian, Hindi and Marathi) says which family the
  // message is in; the lead that counts is over the best language outside it.
  const family = FAMILIES.find((f) => f.has(top));
  const rival = family === undefined ? second : ranked.find(([lang]) => !family.has(lang));
  const margin = topScore - (rival?.[1] ?? 0);
  const clearLead = margin >= MIN_MARGIN || (top === 'lv' && isBalticRival(second?.[0]) && latvianWins(words));
  return { language: top, reliable: longEnough && result.isReliable() && clearLead };
}

/** URLs, e-mail addresses and codes with digits say nothing about the language and confuse n-grams. */
function removeNonWords(text: string): string {
  return text
    .replace(/\b(?:https?:\/\/|www\.)\S+/giu, ' ')
    .replace(/\S+@\S+\.\S+/gu, ' ')
    .replace(/\S*\d\S*/gu, ' ');
}

// ---- Russian vs Ukrainian ------------------------------------------------------------------------
// eld's ru and uk scores are often within 0.01 of each other, so the alphabet decides where it can:
// і ї є ґ (and an apostrophe inside a word, where Russian writes ъ) exist only in Ukrainian; ы э ъ ё only in Russian.
// Without any of those letters, frequent function words that differ between the two languages decide.

const UK_WORDS = new Set([
  'як',
  'яка',
  'який',
  'яке',
  'що',
  'це',
  'де',
  'коли',
  'чому',
  'якщо',
  'або',
  'чи',
  'треба',
  'вже',
  'мене',
  'будь',
  'дякую',
  'та',
  'й',
  'ми',
  'вона',
  'вони',
  'можна',
  'дуже',
  'його',
  'цей',
  'ця',
  'цю',
  'добрий',
  'щоб',
  'також',
  'зараз',
  'потрібен',
  'потрібна',
]);
const RU_WORDS = new Set([
  'как',
  'какой',
  'какая',
  'какое',
  'что',
  'это',
  'где',
  'когда',
  'почему',
  'если',
  'или',
  'надо',
  'уже',
  'меня',
  'мне',
  'пожалуйста',
  'спасибо',
  'здравствуйте',
  'мы',
  'она',
  'они',
  'можно',
  'нужно',
  'добрый',
  'есть',
  'только',
  'мой',
  'мое',
  'который',
  'которая',
  'которое',
  'которую',
  'которые',
  'он',
  'его',
  'ее',
  'ли',
  'нет',
  'да',
  'очень',
  'сколько',
  'чтобы',
  'также',
  'тоже',
  'сейчас',
  'здесь',
]);

function cyrillicByEvidence(text: string, words: readonly string[]): 'ru' | 'uk' | null {
  const lower = text.toLowerCase();
  const uk = (lower.match(/[іїєґ]|(?<=\p{Script=Cyrillic})['’ʼ](?=\p{Script=Cyrillic})/gu) ?? []).length;
  const ru = (lower.match(/[ыэъё]/gu) ?? []).length;
  if (uk > 0 && ru === 0) return 'uk';
  if (ru > 0 && uk === 0) return 'ru';
  if (uk > 0 || ru > 0) return null; // both alphabets: mixed or mistyped; leave it to eld
  const ukWords = words.filter((w) => UK_WORDS.has(w)).length;
  const ruWords = words.filter((w) => RU_WORDS.has(w)).length;
  if (ukWords > ruWords) return 'uk';
  if (ruWords > ukWords) return 'ru';
  return null;
}

/** Russian words that Bulgarian and Serbian do not share ("как", "да" they do). */
const RU_NOT_SOUTH_SLAVIC = new Set([...RU_WORDS].filter((w) => !['как', 'да', 'ли', 'мой', 'мое'].includes(w)));

function russianNotSouthSlavic(text: string, words: readonly string[]): boolean {
  const lower = text.toLowerCase();
  // Serbian ђ ј љ њ ћ џ; Bulgarian ъ as a vowel (Russian writes it only before е ё ю я).
  if (/[ђјљњћџ]|ъ(?![еёюя])/u.test(lower)) return false;
  return /[ыэё]/u.test(lower) || words.some((w) => RU_NOT_SOUTH_SLAVIC.has(w));
}

// ---- Latvian typed without diacritics --------------------------------------------------------------
// eld learned Latvian with its diacritics; "kada ir jusu adrese" loses them and then looks Lithuanian
// ("kada", "ir", "jūsų" are Lithuanian words too). When Lithuanian or Estonian wins only narrowly over
// Latvian, we weigh what each word says: Latvian-only function words and endings against letters that
// Latvian does not have and Lithuanian/Estonian-only function words. A tie goes to Latvian: it is the
// state language most clients write in, and answering a Lithuanian in Latvian costs less than telling a
// Latvian that the agency does not consult in Lithuanian.

/** Diacritic-free Latvian words that are not (common) words in Lithuanian or Estonian. */
const LV_WORDS = new Set([
  'vai',
  'un',
  'es',
  'nav',
  'var',
  'varu',
  'varat',
  'varam',
  'par',
  'lai',
  'pie',
  'pec',
  'bez',
  'ari',
  'tikai',
  'cik',
  'kapec',
  'ludzu',
  'lugums',
  'paldies',
  'labdien',
  'mans',
  'mana',
  'manu',
  'mani',
  'manus',
  'manas',
  'savu',
  'savus',
  'savas',
  'kads',
  'kadi',
  'kadu',
  'kadas',
  'kadus',
  'esmu',
  'esam',
  'esat',
  'vins',
  'vina',
  'vinu',
  'vajag',
  'nekas',
  'neviens',
  'gribu',
  'gribetu',
  'velos',
  'so',
  'sodien',
  'rit',
  'tiek',
  'tika',
  'bija',
  'kur',
  'kad',
  'kada',
  'jusu',
  'musu',
  'talak',
]);
/** Diacritic-free Lithuanian words that are not Latvian words. */
const LT_WORDS = new Set([
  'kaip',
  'koks',
  'kokia',
  'kokie',
  'kokios',
  'kokiu',
  'aciu',
  'prasau',
  'prasome',
  'labas',
  'nera',
  'apie',
  'noriu',
  'noreciau',
  'galiu',
  'galima',
  'reikia',
  'mano',
  'savo',
  'su',
  'is',
  'as',
  'kodel',
  'kiek',
  'buvo',
  'jis',
  'ji',
  'dabar',
  'taip',
  'per',
  'prie',
  'kuris',
  'kuria',
]);
/** Diacritic-free Estonian words that are not Latvian words. */
const ET_WORDS = new Set([
  'on',
  'ei',
  'mis',
  'kus',
  'kuidas',
  'ma',
  'mul',
  'teie',
  'minu',
  'oma',
  'palun',
  'tere',
  'aitah',
  'see',
  'et',
  'voi',
  'kui',
  'ning',
  'saan',
  'kohta',
  'pole',
  'mida',
  'millal',
  'miks',
  'olen',
  'tahan',
  'sa',
  'mina',
  'meie',
]);

/** Letters only Latvian has among lv/lt/et (š č ž ū are shared with Lithuanian). */
const LATVIAN_LETTERS = /[āēīģķļņ]/u;
/**
 * Letters and sequences native Latvian words never have: Lithuanian ą ę ė į ų y, uo; Estonian õ ä ö ü, long vowels;
 * the accents and letters of the other European languages (é, ñ, ç, å, ø, ß …).
 */
const NON_LATVIAN = /[qwxyąęėįųõäöüáàâãéèêëíìîïóòôúùûñçåæøßœőűăşţșțğıłńśźżřůěďťľĺŕ]|uo|aa|oo|uu|ii|(?<!i)ee/u;
/** A script other than Latin: Latvian evidence does not apply. */
const NON_LATIN = /[^\p{Script=Latin}\p{Script=Common}\p{Script=Inherited}]/u;
const CYRILLIC_LANGUAGES = new Set(['ru', 'uk', 'be']);
/**
 * Latvian endings that Lithuanian and Estonian words do not have: the masculine nominative -s straight after a
 * consonant (birojs, kads, lēmums) — but not -ks/-ts/-ps/-ss, which Estonian has — and the infinitive or
 * 2nd person plural in -t (iesniegt, varat), but not -st (the Estonian elative/partitive).
 */
const LATVIAN_ENDING = /(?:[bcdfghjlnrvz]s|ums|[aeiou]t|[aeiou][gr]t|ties)$/u;

function stripDiacritics(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '');
}

function isBalticRival(language: string | undefined): boolean {
  return language === 'lt' || language === 'et';
}

/** Latvian narrowly ahead of Lithuanian/Estonian: the same evidence (and tie rule) as above settles it. */
function latvianWins(words: readonly string[]): boolean {
  const { latvian, other } = balticEvidence(words);
  return latvian >= other;
}

function balticEvidence(words: readonly string[]): { latvian: number; other: number } {
  let latvian = 0;
  let other = 0;
  for (const word of words) {
    if (NON_LATVIAN.test(word)) {
      other += 2;
      continue;
    }
    if (LATVIAN_LETTERS.test(word)) {
      latvian += 2;
      continue;
    }
    const plain = stripDiacritics(word);
    if (LV_WORDS.has(plain)) latvian += 1;
    else if (LT_WORDS.has(plain) || ET_WORDS.has(plain)) other += 1;
    else if (plain.length >= 4 && LATVIAN_ENDING.test(plain)) latvian += 1;
  }
  return { latvian, other };
}
