// Language detection, explicit language requests, and the `language` i18n namespace (rule R3).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { DETECTABLE_LANGUAGES, detectLanguage } from '../bot/language/detect.js';
import { ELD_VERSION, SUBSET_LANGUAGES, ngramsData } from '../bot/language/eld-subset/ngrams.js';
import { requestedLanguage } from '../bot/language/request.js';
import { loadEldMedium, subsetNgrams } from '../scripts/build-eld-subset.js';
import { LANGUAGE_SAMPLES, type LanguageSample } from './language-samples.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EVAL_FILE = path.join(root, 'test/eval/languages.jsonl');
const LATVIAN_DIACRITICS = /[āčēģīķļņšūž]/iu;

describe('detectLanguage', () => {
  it.each([
    ['Kā iesniegt sūdzību par datu apstrādi?', 'lv'],
    ['Vai dokumentam jābūt latviešu valodā?', 'lv'],
    ['How do I file a complaint about data processing?', 'en'],
    ['Как подать жалобу на обработку персональных данных?', 'ru'],
    ['Як подати скаргу на обробку персональних даних?', 'uk'],
    ['Wie kann ich eine Beschwerde über die Datenverarbeitung einreichen?', 'de'],
    ['Kaip pateikti skundą dėl duomenų tvarkymo?', 'lt'],
    ['Kuidas esitada kaebust andmete töötlemise kohta?', 'et'],
    ['Jak złożyć skargę na przetwarzanie danych osobowych?', 'pl'],
    ['Comment déposer une plainte concernant le traitement de mes données ?', 'fr'],
  ])('%s → %s (reliable)', (text, language) => {
    expect(detectLanguage(text)).toEqual({ language, reliable: true });
  });

  // eld alone takes several of these for Lithuanian or Estonian.
  it.each([
    'ka iesniegt sudzibu par datu apstradi',
    'kada ir jusu adrese',
    'kada ir jusu e-pasta adrese',
    'kads ir jusu talrunis',
    'kur jus atrodaties',
    'kas ir jusu vaditajs',
    'kada ir kartiba',
    'kad jus stradajat',
    'ka sauc jusu vaditaju',
    'kada ir jusu majaslapa',
    'vai sodien strada klientu apkalposana',
  ])('Latvian without diacritics stays Latvian: %s', (text) => {
    expect(detectLanguage(text).language).toBe('lv');
  });

  it.each([
    ['koks yra jusu adresas', 'lt'],
    ['kaip susisiekti su duomenu apsaugos pareigunu', 'lt'],
    ['mis on teie aadress', 'et'],
    ['kus asub teie kontor', 'et'],
  ])('Lithuanian and Estonian without diacritics are not pulled into Latvian: %s → %s', (text, language) => {
    expect(detectLanguage(text).language).toBe(language);
  });

  it.each([
    ['Яка ваша адреса?', 'uk'], // no і/ї/є: "яка" decides
    ['Какой у вас адрес?', 'ru'], // no ы/э/ъ/ё: "какой" decides
    ['Сусід встановив камеру, яка знімає мій двір.', 'uk'],
    ['Вы работаете в субботу?', 'ru'],
    ["Як зв'язатися з вами?", 'uk'],
    ['Где находится ваш офис?', 'ru'],
  ])('Cyrillic: %s → %s', (text, language) => {
    expect(detectLanguage(text)).toEqual({ language, reliable: true });
  });

  it.each([
    'Labdien!',
    'Paldies',
    'ok thanks',
    'Привет',
    'Ja',
    'kur ir ieeja', // three words, but only ten letters
    'lapa nestrada',
    '',
    '12345',
    '🙂',
    'https://www.dvi.gov.lv',
  ])('too short to rely on: %j', (text) => {
    const detected = detectLanguage(text);
    expect(detected.reliable).toBe(false);
    expect(detected.language).toMatch(/^[a-z]{2}$/);
  });

  it("uses eld's medium database cut to exactly these languages (else: node --import tsx scripts/build-eld-subset.ts)", async () => {
    const { data, version } = await loadEldMedium();
    expect(ELD_VERSION).toBe(version);
    expect([...SUBSET_LANGUAGES].sort()).toEqual([...DETECTABLE_LANGUAGES].sort());
    expect(ngramsData).toEqual(subsetNgrams(data, DETECTABLE_LANGUAGES));
  });

  it('ignores addresses, e-mails and numbers', () => {
    expect(detectLanguage('mans e-pasts ir janis@example.com, ludzu atbildiet uz 29123456')).toEqual({
      language: 'lv',
      reliable: true,
    });
  });
});

describe('requestedLanguage', () => {
  it.each([
    ['English please', 'en'],
    ['in English', 'en'],
    ['can we speak English', 'en'],
    ['Do you speak English?', 'en'],
    ['switch to English', 'en'],
    ['EN', 'en'],
    ['latviski', 'lv'],
    ['latviešu valodā', 'lv'],
    ['runāsim latviski', 'lv'],
    ['Vai varam runāt latviski?', 'lv'],
    ['Vai jūs runājat angliski?', 'en'],
    ['pāriesim uz angļu valodu, lūdzu', 'en'],
    ['можно по-русски?', 'ru'],
    ['по-русски', 'ru'],
    ['Можно на русском языке?', 'ru'],
    ['Можете ответить на английском?', 'en'],
    ['auf Deutsch bitte', 'de'],
    ['Können wir Deutsch sprechen?', 'de'],
    ['po polsku', 'pl'],
    ['Czy możemy rozmawiać po polsku?', 'pl'],
    ['lietuviškai', 'lt'],
    ['Ar galime kalbėti lietuviškai?', 'lt'],
    ['eesti keeles', 'et'],
    ['Kas saame rääkida eesti keeles?', 'et'],
    ['українською', 'uk'],
    ['Чи можна українською?', 'uk'],
    ['en français', 'fr'],
    ["s'il vous plaît, en français", 'fr'],
  ])('%s → %s', (text, language) => {
    expect(requestedLanguage(text)).toBe(language);
  });

  it.each([
    'vai dokumentam jābūt latviešu valodā?',
    'Vai iesniegumu var rakstīt krieviski?',
    'Kur var iegūt tulkojumu angļu valodā?',
    'Is the form available in English?',
    'Is it in English?',
    'How do I say this in Latvian?',
    'not in English',
    "I don't speak Latvian",
    'Es nerunāju latviski',
    'Я не говорю по-латышски',
    'English or Russian?',
    'Прошу перевести документ на английский',
    'Muss die Übersetzung auf Deutsch sein?',
    'polish the text please',
    'Hello',
    'Labdien, kā iesniegt sūdzību?',
    '',
  ])('not a request: %j', (text) => {
    expect(requestedLanguage(text)).toBeNull();
  });
});

describe('locales/<lng>/language.json', () => {
  type Tree = { [key: string]: string | Tree };
  const read = (lng: string): Tree =>
    JSON.parse(readFileSync(path.join(root, 'locales', lng, 'language.json'), 'utf8')) as Tree;
  const keys = (tree: Tree, prefix = ''): string[] =>
    Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [prefix + k] : keys(v, `${prefix}${k}.`)));
  const lvKeys = keys(read('lv'));

  it('the lv file names every language and every button', () => {
    for (const code of DETECTABLE_LANGUAGES) expect(lvKeys).toEqual(expect.arrayContaining([`names.${code}`, `button.${code}`]));
    expect(lvKeys).toEqual(expect.arrayContaining(['notOffered', 'notOffered_latvianOnly', 'switched']));
  });

  it.each(DETECTABLE_LANGUAGES)('%s has every key of the lv file, each non-empty', (lng) => {
    const texts = read(lng);
    expect(keys(texts).sort()).toEqual([...lvKeys].sort());
    for (const key of lvKeys) {
      const value = key.split('.').reduce<string | Tree | undefined>((t, k) => (typeof t === 'object' ? t[k] : undefined), texts);
      expect(typeof value === 'string' && value.trim() !== '', `${lng}: ${key}`).toBe(true);
    }
  });

  it.each(DETECTABLE_LANGUAGES)('%s: buttons carry the same endonyms as lv; only notOffered interpolates {{others}}', (lng) => {
    const texts = read(lng);
    expect(texts['button']).toEqual(read('lv')['button']);
    expect(texts['notOffered']).toContain('{{others}}');
    expect(texts['notOffered_latvianOnly']).not.toContain('{{');
    expect(texts['switched']).not.toContain('{{');
  });

  it('works through i18next: interpolation and the latvianOnly context', async () => {
    const instance = i18next.createInstance();
    await instance.init({
      resources: Object.fromEntries(DETECTABLE_LANGUAGES.map((lng) => [lng, { language: read(lng) }])),
      lng: 'lv',
      fallbackLng: false,
      ns: ['language'],
      defaultNS: 'language',
      interpolation: { escapeValue: false },
    });
    // The `language` namespace is untyped on purpose (bot/i18n.ts types only `translation`; this
    // test checks the keys), so its translators are typed as plain string lookups.
    type Lookup = (key: string, options?: Record<string, unknown>) => string;
    const untyped = instance as unknown as { getFixedT(lng: string, ns: string): Lookup };
    const ru = untyped.getFixedT('ru', 'language');
    const others = new Intl.ListFormat('ru', { type: 'conjunction' }).format([ru('names.en'), ru('names.uk')]);
    expect(ru('notOffered', { others })).toBe(
      'К сожалению, мы не можем проконсультировать вас на русском языке. ' +
        'Мы консультируем на государственном языке – латышском, а также по-английски и по-украински.',
    );
    expect(ru('notOffered', { context: 'latvianOnly' })).toBe(ru('notOffered_latvianOnly'));
    expect(untyped.getFixedT('en', 'language')('button.lv')).toBe('Latviešu');
  });
});

describe('accuracy over message sets (3+ words)', () => {
  const evalSet: LanguageSample[] = existsSync(EVAL_FILE)
    ? readFileSync(EVAL_FILE, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as LanguageSample)
    : [];
  const sets: ReadonlyArray<{ name: string; samples: readonly LanguageSample[] }> = [
    { name: 'test/language-samples.ts', samples: LANGUAGE_SAMPLES },
    ...(evalSet.length > 0 ? [{ name: 'test/eval/languages.jsonl', samples: evalSet }] : []),
  ];

  it.each(sets)('$name: ≥ 97% overall, and Latvian without diacritics is always Latvian', ({ name, samples }) => {
    const eligible = samples.filter((s) => (s.q.match(/\p{L}+/gu) ?? []).length >= 3);
    const perLanguage = new Map<string, { right: number; total: number }>();
    const wrong: string[] = [];
    for (const { q, language } of eligible) {
      const group = language === 'lv' && !LATVIAN_DIACRITICS.test(q) ? 'lv (no diacritics)' : language;
      const tally = perLanguage.get(group) ?? { right: 0, total: 0 };
      const detected = detectLanguage(q).language;
      tally.total += 1;
      if (detected === language) tally.right += 1;
      else wrong.push(`${language}→${detected}: ${q}`);
      perLanguage.set(group, tally);
    }
    const right = [...perLanguage.values()].reduce((n, t) => n + t.right, 0);
    const accuracy = right / eligible.length;
    const figures = [...perLanguage].map(([lng, t]) => `${lng} ${t.right}/${t.total}`).join(', ');
    console.log(`${name}: ${(accuracy * 100).toFixed(1)}% of ${eligible.length} (${figures})`);
    if (wrong.length > 0) console.log(`  wrong: ${wrong.join(' | ')}`);

    expect(eligible.length).toBeGreaterThan(0);
    expect(accuracy).toBeGreaterThanOrEqual(0.97);
    const plainLatvian = eligible.filter((s) => s.language === 'lv' && !LATVIAN_DIACRITICS.test(s.q));
    expect(plainLatvian.filter((s) => detectLanguage(s.q).language !== 'lv').map((s) => s.q)).toEqual([]);
  });
});
