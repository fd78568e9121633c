// Language detection, explicit language requests, and the `language` i18n namespace (rule R3).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { DETECTABLE_LANGUAGES, NAMED_LANGUAGES, detectLanguage } from '../bot/language/detect.js';
import { ELD_VERSION, SUBSET_LANGUAGES, ngramsData } from '../bot/language/eld-subset/ngrams.js';
import { requestedLanguage } from '../bot/language/request.js';
import { loadEldDatabase, subsetNgrams } from '../scripts/build-eld-subset.js';
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

  it("uses eld's database with every language it knows (else: node --import tsx scripts/build-eld-subset.ts)", async () => {
    const { data, version } = await loadEldDatabase();
    expect([...DETECTABLE_LANGUAGES].sort()).toEqual(Object.values(data.languages).sort());
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
  const read = (lng: string): Tree => JSON.parse(readFileSync(path.join(root, 'locales', lng, 'language.json'), 'utf8')) as Tree;
  const keys = (tree: Tree, prefix = ''): string[] =>
    Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [prefix + k] : keys(v, `${prefix}${k}.`)));
  const lvKeys = keys(read('lv'));

  it('the lv file names every language and every button', () => {
    for (const code of NAMED_LANGUAGES) expect(lvKeys).toEqual(expect.arrayContaining([`names.${code}`, `button.${code}`]));
    expect(lvKeys).toEqual(expect.arrayContaining(['notOffered', 'notOffered_latvianOnly', 'switched']));
  });

  it.each(NAMED_LANGUAGES)('%s has every key of the lv file, each non-empty', (lng) => {
    const texts = read(lng);
    expect(keys(texts).sort()).toEqual([...lvKeys].sort());
    for (const key of lvKeys) {
      const value = key.split('.').reduce<string | Tree | undefined>((t, k) => (typeof t === 'object' ? t[k] : undefined), texts);
      expect(typeof value === 'string' && value.trim() !== '', `${lng}: ${key}`).toBe(true);
    }
  });

  it.each(NAMED_LANGUAGES)('%s: buttons carry the same endonyms as lv; only notOffered interpolates {{others}}', (lng) => {
    const texts = read(lng);
    expect(texts['button']).toEqual(read('lv')['button']);
    expect(texts['notOffered']).toContain('{{others}}');
    expect(texts['notOffered_latvianOnly']).not.toContain('{{');
    expect(texts['switched']).not.toContain('{{');
  });

  it('works through i18next: interpolation and the latvianOnly context', async () => {
    const instance = i18next.createInstance();
    await instance.init({
      resources: Object.fromEntries(NAMED_LANGUAGES.map((lng) => [lng, { language: read(lng) }])),
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

// Questions a foreigner might send, in languages the agency does not offer and the bot has no texts
// for: each must be recognised as its own language, never as Latvian (a detector that knew only nine
// languages took Spanish and Italian for Latvian).
const NOT_OFFERED: readonly [string, string][] = [
  ['es', '¿Cómo puedo presentar una queja sobre el uso de mis datos personales?'],
  ['es', 'como puedo borrar mis datos de una tienda online'],
  ['it', 'Come posso presentare un reclamo sul trattamento dei miei dati personali?'],
  ['it', 'il mio vicino ha messo una telecamera che riprende il mio giardino'],
  ['pt', 'Como posso apresentar uma reclamação sobre os meus dados pessoais?'],
  ['ro', 'Cum pot depune o plângere privind prelucrarea datelor mele personale?'],
  ['nl', 'Hoe kan ik een klacht indienen over het gebruik van mijn persoonsgegevens?'],
  ['sv', 'Hur kan jag klaga på hur ett företag behandlar mina personuppgifter?'],
  ['no', 'Hvordan kan jeg klage på at et firma deler opplysningene mine?'],
  ['da', 'Hvordan kan jeg klage over at en virksomhed deler mine oplysninger?'],
  ['fi', 'Miten voin tehdä valituksen henkilötietojeni käsittelystä?'],
  ['cs', 'Jak mohu podat stížnost na zpracování mých osobních údajů?'],
  ['sk', 'Ako môžem podať sťažnosť na spracúvanie mojich osobných údajov?'],
  ['hu', 'Hogyan tehetek panaszt a személyes adataim kezelése miatt?'],
  ['tr', 'Kişisel verilerimin işlenmesiyle ilgili nasıl şikayette bulunabilirim?'],
  ['el', 'Πώς μπορώ να υποβάλω καταγγελία για τα προσωπικά μου δεδομένα;'],
  ['bg', 'Как мога да подам жалба за обработването на личните ми данни?'],
  ['hr', 'Kako mogu podnijeti pritužbu zbog obrade mojih osobnih podataka?'],
  ['sl', 'Kako lahko vložim pritožbo glede obdelave mojih osebnih podatkov?'],
  ['sq', 'Si mund të bëj një ankesë për përpunimin e të dhënave të mia personale?'],
  ['ca', 'Com puc presentar una queixa sobre el tractament de les meves dades personals?'],
  ['zh', '我怎样才能投诉公司滥用我的个人数据？'],
  ['ja', '個人データの取り扱いについて苦情を申し立てるにはどうすればよいですか？'],
  ['ar', 'كيف يمكنني تقديم شكوى بشأن معالجة بياناتي الشخصية؟'],
  ['hi', 'मैं अपने व्यक्तिगत डेटा के दुरुपयोग की शिकायत कैसे कर सकता हूँ?'],
  ['vi', 'Làm thế nào để tôi khiếu nại về việc xử lý dữ liệu cá nhân của mình?'],
  ['he', 'איך אני יכול להגיש תלונה על השימוש בנתונים האישיים שלי?'],
  ['ko', '개인정보 처리에 대해 어떻게 불만을 제기할 수 있나요?'],
  // Written without spaces between words, like Chinese: the characters count, not the words.
  ['th', 'ฉันจะร้องเรียนเรื่องข้อมูลส่วนตัวได้อย่างไร'],
];

describe('languages the bot has no texts for', () => {
  // Danish and Norwegian Bokmål are close enough to be told apart only on longer texts.
  const SAME_FAMILY: Record<string, readonly string[]> = { no: ['no', 'da'], da: ['da', 'no'] };

  it.each(NOT_OFFERED)('%s: %s', (language, text) => {
    const detected = detectLanguage(text);
    expect(SAME_FAMILY[language] ?? [language]).toContain(detected.language);
    expect(detected.reliable).toBe(true);
  });

  it('are answered in English and in Latvian, with the offered languages to choose from', async () => {
    const { createInProcessBot } = await import('../bot/cli/in-process.js');
    const bot = createInProcessBot({ LOG_LEVEL: 'silent' });
    try {
      const { decision, replies } = await bot.say(NOT_OFFERED[0]![1], 'c-es');
      expect(decision?.decision).toEqual({ kind: 'language', detected: 'es' });
      const text = String(replies[0]?.text ?? '');
      expect(text).toContain(
        String((JSON.parse(readFileSync(path.join(root, 'locales/en/language.json'), 'utf8')) as { notOffered: string }).notOffered.split('.')[0]),
      );
      expect(text).toContain(
        String((JSON.parse(readFileSync(path.join(root, 'locales/lv/language.json'), 'utf8')) as { notOffered: string }).notOffered.split(' – ')[0]),
      );
      expect(replies[0]?.suggestedActions?.actions.map((a) => (a.value as { to?: string }).to)).toEqual(expect.arrayContaining(['lv']));
    } finally {
      await bot.close();
    }
  });
});

describe('an agency whose staff speak only Latvian', () => {
  it('takes English for English although the shared directory has English questions (R3)', async () => {
    const { createInProcessBot } = await import('../bot/cli/in-process.js');
    // VISC's staff consult in Latvian only; the directory's English phrasings make English words familiar.
    const bot = createInProcessBot({ LOG_LEVEL: 'silent', AGENCY: 'visc' });
    try {
      expect(bot.app.knowledge.current.profile.staffLanguages).toEqual(['lv']);
      const { decision } = await bot.say('How can I get a duplicate of my centralised exam certificate?', 'c-en');
      expect(decision?.decision).toEqual({ kind: 'language', detected: 'en' });
      // Latvian without diacritics is still Latvian.
      const latvian = await bot.say('ka sanemt centralizeta eksamena sertifikata dublikatu', 'c-lv');
      expect(latvian.decision?.decision.kind).not.toBe('language');
    } finally {
      await bot.close();
    }
  });
});
