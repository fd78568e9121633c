// Latvian grammar done right: i18next plural forms through Intl rules, and dates per locale.
import { describe, expect, it } from 'vitest';
import { formatUntil, formatWhen, loadTexts } from '../bot/i18n.js';

const texts = loadTexts('locales');

describe('plural forms', () => {
  it('Latvian uses zero / one / other as Intl.PluralRules("lv") says', () => {
    const t = texts.forLanguage('lv');
    expect(t('time.withinWorkingDays', { count: 1 })).toBe('1 darba dienas laikā');
    expect(t('time.withinWorkingDays', { count: 21 })).toBe('21 darba dienas laikā');
    expect(t('time.withinWorkingDays', { count: 2 })).toBe('2 darba dienu laikā');
    expect(t('time.withinWorkingDays', { count: 11 })).toBe('11 darba dienu laikā');
    expect(t('time.withinWorkingDays', { count: 10 })).toBe('10 darba dienu laikā');
  });

  it('English uses one / other', () => {
    const t = texts.forLanguage('en');
    expect(t('time.withinWorkingDays', { count: 1 })).toBe('within 1 working day');
    expect(t('time.withinWorkingDays', { count: 2 })).toBe('within 2 working days');
  });
});

describe('dates', () => {
  const date = new Date('2026-11-24T11:30:00Z');
  it('say by when as Latvian does after "līdz" (the dative), in the agency time zone', () => {
    expect(formatUntil(date, 'lv', 'Europe/Riga')).toBe('otrdienai, 24. novembrim');
    expect(formatUntil(new Date('2026-12-03T22:30:00Z'), 'lv', 'Europe/Riga')).toBe('piektdienai, 4. decembrim'); // already Friday in Riga
    expect(formatUntil(date, 'en', 'Europe/Riga')).toMatch(/^Tuesday,? 24 November$/);
  });

  it('say when, as people do: today, tomorrow, or the weekday and date in the locative', () => {
    const now = new Date('2026-12-01T09:00:00Z'); // Tuesday, 11:00 in Riga
    const when = (at: string, language: string) => formatWhen(new Date(at), now, language, 'Europe/Riga');
    expect(when('2026-12-01T11:00:00Z', 'lv')).toBe('šodien plkst. 13.00');
    expect(when('2026-12-02T07:00:00Z', 'lv')).toBe('rīt plkst. 9.00');
    expect(when('2026-12-03T07:30:00Z', 'lv')).toBe('ceturtdien, 3. decembrī, plkst. 9.30');
    expect(when('2026-12-01T11:00:00Z', 'en')).toBe('today at 13:00');
    expect(when('2026-12-02T07:00:00Z', 'en')).toBe('tomorrow at 9:00');
    expect(when('2026-12-03T07:30:00Z', 'en')).toMatch(/^on Thursday,? 3 December, at 9:30$/);
    // 23:30 UTC is already the next day in Riga.
    expect(formatWhen(new Date('2026-12-01T23:30:00Z'), new Date('2026-12-01T20:00:00Z'), 'lv', 'Europe/Riga')).toBe('rīt plkst. 1.30');
  });
});

describe('translations are complete', () => {
  it('English has every Latvian key (plural suffixes aside)', () => {
    const keys = (o: object, prefix = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`.replace(/_(zero|one|other|few|many)$/, '')],
      );
    const lv = new Set(keys(texts.i18n.getResourceBundle('lv', 'translation') as object));
    const en = new Set(keys(texts.i18n.getResourceBundle('en', 'translation') as object));
    expect([...lv].filter((k) => !en.has(k))).toEqual([]);
  });
});
