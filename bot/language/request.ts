// Recognises an explicit request to switch the conversation's language ("English please", "по-русски?").
// Deliberately conservative: the message must consist of a language name plus words that only frame a
// request (please, can we speak, runāsim, можно, ...). "Vai dokumentam jābūt latviešu valodā?" mentions a
// language but asks about a document, so it is not a request.
// Type-only import: recognising a request must not load eld's n-gram database.
import type { NamedLanguage } from './detect.js';

/** Longer messages are questions that happen to mention a language, not requests to switch. */
const MAX_WORDS = 10;

// Every way of naming each target language in each of the nine languages, as it appears in a request
// ("in English", "latviešu valodā", "на русском языке", "auf Deutsch", "po polsku", "eesti keeles").
// Written in normalised form: lower case, Latin diacritics removed, ł → l; Cyrillic unchanged.
const RU_HYPHEN = '[- ]?';
const NAMES: Record<NamedLanguage, readonly string[]> = {
  lv: [
    'latviski', 'latviesu(?: valod[au])?', 'latvian', 'latvian language',
    `по${RU_HYPHEN}латышски`, '(?:на )?латышском(?: языке)?', 'латышский(?: язык)?',
    'латиською(?: мовою)?', 'латиська', `по${RU_HYPHEN}латиськи`,
    'lettisch', 'latviskai', 'latviu kalba', 'lati keel(?:es)?', 'po lotewsku', 'lotewski', 'letton',
  ],
  en: [
    'english', 'angliski', 'anglu(?: valod[au]| kalba)?', 'english language',
    `по${RU_HYPHEN}английски`, '(?:на )?английском(?: языке)?', 'английский(?: язык)?',
    'англійською(?: мовою)?', 'англійська', `по${RU_HYPHEN}англійськи`,
    'englisch', 'angliskai', 'inglise(?: keel(?:es)?)?', 'po angielsku', 'angielski', 'anglais',
  ],
  ru: [
    'krieviski', 'krievu(?: valod[au])?', 'russian', 'russian language',
    `по${RU_HYPHEN}русски`, '(?:на )?русском(?: языке)?', 'русский(?: язык)?',
    'російською(?: мовою)?', 'російська', `по${RU_HYPHEN}російськи`,
    'russisch', 'rusiskai', 'rusu kalba', 'vene(?: keel(?:es)?)?', 'po rosyjsku', 'rosyjski', 'russe',
  ],
  uk: [
    'ukrainiski', 'ukrainu(?: valod[au])?', 'ukrainian', 'ukrainian language',
    `по${RU_HYPHEN}украински`, '(?:на )?украинском(?: языке)?', 'украинский(?: язык)?',
    'українською(?: мовою)?', 'українська', `по${RU_HYPHEN}українськи`,
    'ukrainisch', 'ukrainietiskai', 'ukrainieciu kalba', 'ukraina keel(?:es)?', 'po ukrainsku', 'ukrainski',
    'ukrainien',
  ],
  de: [
    'vaciski', 'vacu(?: valod[au])?', 'german', 'german language',
    `по${RU_HYPHEN}немецки`, '(?:на )?немецком(?: языке)?', 'немецкий(?: язык)?',
    'німецькою(?: мовою)?', 'німецька', `по${RU_HYPHEN}німецьки`,
    'deutsch', 'vokiskai', 'vokieciu kalba', 'saksa keel(?:es)?', 'po niemiecku', 'niemiecki', 'allemand',
  ],
  lt: [
    'lietuviski', 'lietuviesu(?: valod[au])?', 'lithuanian', 'lithuanian language',
    `по${RU_HYPHEN}литовски`, '(?:на )?литовском(?: языке)?', 'литовский(?: язык)?',
    'литовською(?: мовою)?', 'литовська', `по${RU_HYPHEN}литовськи`,
    'litauisch', 'lietuviskai', 'lietuviu kalba', 'leedu keel(?:es)?', 'po litewsku', 'litewski', 'lituanien',
  ],
  et: [
    'igauniski', 'igaunu(?: valod[au])?', 'estonian', 'estonian language',
    `по${RU_HYPHEN}эстонски`, '(?:на )?эстонском(?: языке)?', 'эстонский(?: язык)?',
    'естонською(?: мовою)?', 'естонська', `по${RU_HYPHEN}естонськи`,
    'estnisch', 'estiskai', 'estu kalba', 'eesti(?: keel(?:es)?)?', 'po estonsku', 'estonski', 'estonien',
  ],
  pl: [
    'poliski', 'polu(?: valod[au])?', 'polish', 'polish language',
    `по${RU_HYPHEN}польски`, '(?:на )?польском(?: языке)?', 'польский(?: язык)?',
    'польською(?: мовою)?', 'польська', `по${RU_HYPHEN}польськи`,
    'polnisch', 'lenkiskai', 'lenku kalba', 'poola keel(?:es)?', 'po polsku', 'polski', 'w jezyku polskim',
    'polonais',
  ],
  fr: [
    'franciski', 'francu(?: valod[au])?', 'french', 'french language',
    `по${RU_HYPHEN}французски`, '(?:на )?французском(?: языке)?', 'французский(?: язык)?',
    'французькою(?: мовою)?', 'французька', `по${RU_HYPHEN}французьки`,
    'franzosisch', 'prancuziskai', 'prancuzu kalba', 'prantsuse(?: keel(?:es)?)?', 'po francusku', 'francuski',
    'francais',
  ],
};

/** A message that is nothing but a language code ("EN", "ru?") is a request too. */
const CODES = new Map<string, NamedLanguage>([
  ['lv', 'lv'], ['lat', 'lv'], ['en', 'en'], ['eng', 'en'], ['ru', 'ru'], ['rus', 'ru'], ['ua', 'uk'], ['ukr', 'uk'],
  ['de', 'de'], ['ger', 'de'], ['lt', 'lt'], ['lit', 'lt'], ['et', 'et'], ['ee', 'et'], ['est', 'et'], ['pl', 'pl'],
  ['fr', 'fr'], ['fra', 'fr'],
]);

// Words that only frame a request, in any of the nine languages (normalised as above). Negations ("not",
// "ne", "нет", "nicht") are absent on purpose: "not in English" must not switch to English.
const FRAME_WORDS = new Set(
  [
    // en
    'please', 'pls', 'plz', 'can', 'could', 'may', 'we', 'you', 'i', 'us', 'let', 'lets', 's', 'speak', 'talk',
    'write', 'answer', 'reply', 'respond', 'continue', 'switch', 'change', 'to', 'in', 'do', 'would', 'like', 'prefer',
    'rather', 'ok', 'okay', 'hi', 'hello', 'thanks', 'thank', 'yes', 'chat', 'me', 'language', 'is',
    'possible', 'someone', 'anyone', 'who', 'speaks', 'there', 'sorry', 'using', 'use', 'communicate',
    // lv
    'ludzu', 'lugums', 'vai', 'varam', 'varat', 'varu', 'var', 'runat', 'runasim', 'runajat', 'runajiet', 'runa',
    'rakstit', 'rakstisim', 'rakstiet', 'atbildet', 'atbildiet', 'turpinat', 'turpinasim', 'sarunaties', 'jus',
    'mes', 'es', 'ar', 'mani', 'man', 'labak', 'gribu', 'gribetu', 'velos', 'veletos', 'pariet', 'pariesim', 'parejam',
    'uz', 'valodu', 'labdien', 'sveiki', 'paldies', 'ja', 'kads', 'iespejams', 'ir',
    // ru
    'можно', 'пожалуйста', 'давайте', 'давай', 'говорить', 'говорите', 'поговорим', 'общаться', 'писать',
    'пишите', 'напишите', 'ответить', 'отвечать', 'ответьте', 'отвечайте', 'продолжим', 'продолжить', 'перейти', 'перейдем', 'перейдём',
    'я', 'мы', 'вы', 'вас', 'мне', 'нам', 'со', 'мной', 'с', 'хочу', 'хотел', 'хотела', 'бы', 'ли', 'а', 'можете',
    'могу', 'можем', 'здравствуйте', 'привет', 'спасибо', 'да', 'кто', 'нибудь', 'кто-нибудь', 'говорит', 'лучше',
    'язык', 'на', 'переключите', 'переключитесь', 'переходите',
    // uk
    'можна', 'будь', 'ласка', 'говорити', 'говоріть', 'розмовляти', 'розмовляєте', 'писати', 'пишіть',
    'відповісти', 'відповідати', 'відповідайте', 'продовжимо', 'перейдімо', 'ми', 'ви', 'мені', 'хотів', 'хотіла', 'б', 'би', 'чи', 'можу',
    'можете', 'можемо', 'привіт', 'дякую', 'так', 'мову', 'добрий', 'день', 'хтось', 'розмовляє',
    // de
    'bitte', 'auf', 'konnen', 'wir', 'sie', 'ich', 'sprechen', 'reden', 'schreiben', 'antworten', 'weiter', 'lieber',
    'gerne', 'gern', 'mochte', 'wurde', 'hallo', 'danke', 'geht', 'das', 'es', 'mit', 'mir', 'uns', 'kann', 'man',
    'guten', 'tag', 'sprache', 'jemand', 'spricht',
    // lt
    'prasau', 'galime', 'galite', 'galiu', 'kalbeti', 'kalbekime', 'kalbate', 'rasyti', 'rasykite', 'atsakykite',
    'teskime', 'as', 'labas', 'laba', 'diena', 'aciu', 'taip', 'noriu', 'noreciau', 'su', 'manimi', 'kas', 'nors',
    'kalba', 'kalbos',
    // et
    'palun', 'saame', 'saate', 'saan', 'raakida', 'raagime', 'raagite', 'kirjutada', 'kirjutage', 'vastake',
    'jatkame', 'ma', 'me', 'te', 'teie', 'mina', 'tere', 'aitah', 'jah', 'voiksime', 'voite', 'keelt', 'keegi',
    'raagib',
    // pl
    'prosze', 'czy', 'mozemy', 'mozesz', 'moze', 'mowic', 'rozmawiac', 'mowmy', 'porozmawiac', 'pisac', 'piszcie',
    'odpowiedziec', 'kontynuowac', 'ja', 'my', 'pan', 'pani', 'panstwo', 'dzien', 'dobry', 'czesc', 'dziekuje',
    'tak', 'chce', 'chcialbym', 'chcialabym', 'mowi', 'mowicie', 'ktos', 'jezyk',
    // fr
    'il', 'vous', 'plait', 'svp', 'pouvons', 'pouvez', 'peut', 'on', 'nous', 'je', 'j', 'parler', 'parlez',
    'parlons', 'ecrire', 'ecrivez', 'repondre', 'repondez', 'continuer', 'continuons', 'en', 'bonjour', 'merci',
    'oui', 'est', 'ce', 'que', 'possible', 'voudrais', 'prefere', 'prefererais', 'aimerais', 'quelqu', 'un',
    'langue',
  ].map(normalise),
);

const LETTER_BEFORE = '(?<![\\p{L}])';
const LETTER_AFTER = '(?![\\p{L}])';
const NAME_PATTERNS: ReadonlyArray<readonly [NamedLanguage, RegExp]> = Object.entries(NAMES).map(
  ([language, names]) =>
    [
      language as NamedLanguage,
      new RegExp(`${LETTER_BEFORE}(?:${names.map((name) => normalise(name)).join('|')})${LETTER_AFTER}`, 'gu'),
    ] as const,
);

export function requestedLanguage(text: string): string | null {
  const message = normalise(text)
    .replace(/[^\p{L}\s'-]/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  const words = message.split(/[\s'-]+/u).filter(Boolean);
  if (words.length === 0 || words.length > MAX_WORDS) return null;
  const [only] = words;
  if (words.length === 1 && only !== undefined && CODES.has(only)) return CODES.get(only) ?? null;

  let requested: NamedLanguage | null = null;
  let rest = message;
  for (const [language, pattern] of NAME_PATTERNS) {
    const without = rest.replace(pattern, ' ');
    if (without === rest) continue;
    if (requested !== null) return null; // two languages named: a comparison, not a request
    requested = language;
    rest = without;
  }
  if (requested === null) return null;

  const others = rest.split(/[\s'-]+/u).filter(Boolean);
  return others.every((word) => FRAME_WORDS.has(word)) ? requested : null;
}

/** Lower case, Latin diacritics removed (ā → a, ł → l), Cyrillic letters kept as they are (й, ї, ё). */
function normalise(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
    .normalize('NFC')
    .replace(/ł/gu, 'l')
    .replace(/ß/gu, 'ss')
    .replace(/[’ʼ]/gu, "'");
}
