// Citizen-facing texts: i18next with one shared, read-only instance; every turn takes its own
// fixed translator (getFixedT) so two conversations in two languages never share a language.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import i18next, { type i18n, type Resource, type ResourceKey, type TFunction } from 'i18next';
import type lvTranslation from '../locales/lv/translation.json';
import { localClock } from './handover/calendar.js';

export const NAMESPACES = ['translation', 'language'] as const;

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof lvTranslation };
  }
}

export type Translate = TFunction<'translation'>;

export interface Texts {
  /** A translator fixed to one language for one turn. */
  forLanguage(language: string): Translate;
  /**
   * The few messages of the `language` namespace (R3), which exist in more languages than the rest:
   * "we consult in Latvian", language names, switch confirmations.
   */
  languageTexts(language: string): (key: string, options?: Record<string, unknown>) => string;
  /** Whether the `language` namespace has this key in exactly this language (no fallback). */
  hasLanguageText(language: string, key: string): boolean;
  /** Languages that have the full citizen-facing texts (the translation namespace). */
  languagesWithTexts: string[];
  i18n: i18n;
}

export function loadTexts(localesDir: string): Texts {
  const languages = readdirSync(localesDir).filter((d) => /^[a-z]{2}$/.test(d));
  const resources: Resource = {};
  for (const lng of languages) {
    resources[lng] = {};
    for (const ns of NAMESPACES) {
      const file = path.join(localesDir, lng, `${ns}.json`);
      if (existsSync(file)) resources[lng]![ns] = JSON.parse(readFileSync(file, 'utf8')) as ResourceKey;
    }
  }
  const instance = i18next.createInstance();
  void instance.init({
    resources,
    lng: 'lv',
    fallbackLng: 'lv',
    ns: [...NAMESPACES],
    defaultNS: 'translation',
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  // One fixed translator per language, made once: every reply of every turn asks for one.
  const fixed = new Map<string, Translate>();
  return {
    forLanguage: (language) => {
      let t = fixed.get(language);
      if (t === undefined) fixed.set(language, (t = instance.getFixedT(language, 'translation') as Translate));
      return t;
    },
    languageTexts: (language) => {
      // The namespace is untyped on purpose: its keys are checked by test/language.test.ts.
      const untyped = instance as unknown as { t: (key: string, options: Record<string, unknown>) => string };
      return (key, options) => untyped.t(key, { ...options, lng: language, ns: 'language' });
    },
    hasLanguageText: (language, key) => instance.getResource(language, 'language', key) !== undefined,
    languagesWithTexts: languages.filter((l) => resources[l]?.['translation'] !== undefined),
    i18n: instance,
  };
}

/** BCP 47 locales for Intl formatting of the languages we have texts in. */
const INTL_LOCALES: Record<string, string> = {
  lv: 'lv-LV',
  en: 'en-GB',
  ru: 'ru-RU',
  uk: 'uk-UA',
  de: 'de-DE',
  lt: 'lt-LT',
  et: 'et-EE',
  pl: 'pl-PL',
  fr: 'fr-FR',
};

export function intlLocale(language: string): string {
  return INTL_LOCALES[language] ?? language;
}

// Latvian says when something happens with the locative: "ceturtdien, 3. decembrī". Intl (CLDR)
// has only the nominative and genitive forms ("ceturtdiena", "decembris"), so these are written here.
const LV_WEEKDAY_WHEN = ['svētdien', 'pirmdien', 'otrdien', 'trešdien', 'ceturtdien', 'piektdien', 'sestdien'];
const LV_MONTH_WHEN = ['janvārī', 'februārī', 'martā', 'aprīlī', 'maijā', 'jūnijā', 'jūlijā', 'augustā', 'septembrī', 'oktobrī', 'novembrī', 'decembrī'];
// "līdz" takes the dative: "līdz ceturtdienai, 3. decembrim".
const LV_WEEKDAY_UNTIL = ['svētdienai', 'pirmdienai', 'otrdienai', 'trešdienai', 'ceturtdienai', 'piektdienai', 'sestdienai'];
const LV_MONTH_UNTIL = [
  'janvārim',
  'februārim',
  'martam',
  'aprīlim',
  'maijam',
  'jūnijam',
  'jūlijam',
  'augustam',
  'septembrim',
  'oktobrim',
  'novembrim',
  'decembrim',
];

/** The agency's calendar day of `at`: weekday 0–6 (Sunday first), month 1–12, day of month. */
function localDate(at: Date, timeZone: string): { weekday: number; month: number; date: number } {
  const day = localClock(at, timeZone).day;
  const [, month, date] = day.split('-').map(Number) as [number, number, number];
  return { weekday: new Date(`${day}T00:00:00Z`).getUTCDay(), month, date };
}

/**
 * The day something is done by, to follow "līdz" / "by": "ceturtdienai, 3. decembrim",
 * "Thursday, 3 December".
 */
export function formatUntil(at: Date, language: string, timeZone: string): string {
  if (language === 'lv') {
    const d = localDate(at, timeZone);
    return `${LV_WEEKDAY_UNTIL[d.weekday]}, ${d.date}. ${LV_MONTH_UNTIL[d.month - 1]}`;
  }
  return new Intl.DateTimeFormat(intlLocale(language), { timeZone, weekday: 'long', day: 'numeric', month: 'long' }).format(at);
}

/**
 * On which day, for a letter that is read later ("13. novembrī", "13 November 2026"): no "today",
 * no weekday, with the year in other languages as letters write it.
 */
export function formatDayWhen(at: Date, language: string, timeZone: string): string {
  if (language === 'lv') {
    const d = localDate(at, timeZone);
    return `${d.date}. ${LV_MONTH_WHEN[d.month - 1]}`;
  }
  return new Intl.DateTimeFormat(intlLocale(language), { timeZone, day: 'numeric', month: 'long', year: 'numeric' }).format(at);
}

/**
 * When something will happen, as people say it: "šodien plkst. 13.00", "rīt plkst. 9.00",
 * "ceturtdien, 3. decembrī, plkst. 9.00" ("today at 13:00", "on Thursday, 3 December, at 9:00").
 * Relative to `now`, in the agency's time zone.
 */
export function formatWhen(at: Date, now: Date, language: string, timeZone: string): string {
  const locale = intlLocale(language);
  const [a, n] = [localClock(at, timeZone), localClock(now, timeZone)];
  const midnight = (day: string) => new Date(`${day}T00:00:00Z`);
  const daysAhead = Math.round((midnight(a.day).getTime() - midnight(n.day).getTime()) / 86_400_000);
  const lv = language === 'lv';
  const clock = `${Math.floor(a.minutes / 60)}.${String(a.minutes % 60).padStart(2, '0')}`;
  const time = lv ? `plkst. ${clock}` : new Intl.DateTimeFormat(locale, { timeZone, hour: 'numeric', minute: '2-digit' }).format(at);
  if (daysAhead === 0 || daysAhead === 1) {
    // "šodien", "rīt", "today", "tomorrow", "сегодня" … from Intl.
    const day = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(daysAhead, 'day');
    return lv ? `${day} ${time}` : language === 'en' ? `${day} at ${time}` : `${day}, ${time}`;
  }
  if (lv) {
    const d = localDate(at, timeZone);
    return `${LV_WEEKDAY_WHEN[d.weekday]}, ${d.date}. ${LV_MONTH_WHEN[d.month - 1]}, ${time}`;
  }
  const date = new Intl.DateTimeFormat(locale, { timeZone, weekday: 'long', day: 'numeric', month: 'long' }).format(at);
  return language === 'en' ? `on ${date}, at ${time}` : `${date}, ${time}`;
}
