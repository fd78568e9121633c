// The Page's Messenger profile: the Get Started button and the persistent menu, Latvian as the
// default locale plus one menu per offered language.
// https://developers.facebook.com/docs/messenger-platform/reference/messenger-profile-api/get-started-button/
// https://developers.facebook.com/docs/messenger-platform/reference/messenger-profile-api/persistent-menu
import type { Texts } from '../i18n.js';
import type { Knowledge } from '../../knowledge/knowledge.js';
import type { LanguageCode } from '../../knowledge/schema.js';
import type { ButtonValue } from '../../dialogs/button-value.js';
import { CHANNEL_ACTIONS, encodePayload } from './payloads.js';

/** Menu item titles: 30 characters at most. */
export const MENU_TITLE_LIMIT = 30;

/**
 * Messenger locales per language: a person whose Facebook is in one of them sees that menu.
 * https://developers.facebook.com/docs/messenger-platform/messenger-profile/supported-locales
 */
export const MESSENGER_LOCALES: Record<LanguageCode, string[]> = {
  lv: ['lv_LV'],
  en: ['en_US', 'en_GB'],
  ru: ['ru_RU'],
  uk: ['uk_UA'],
  de: ['de_DE'],
  lt: ['lt_LT'],
  et: ['et_EE'],
  pl: ['pl_PL'],
  fr: ['fr_FR'],
};

export interface MenuItem {
  type: 'postback';
  title: string;
  payload: string;
}

export interface MessengerProfile {
  get_started: { payload: string };
  persistent_menu: { locale: string; composer_input_disabled: false; call_to_actions: MenuItem[] }[];
}

/**
 * The profile body for POST /{version}/me/messenger_profile. `languages` are the offered ones
 * (staff languages with texts); Latvian is the default menu whatever the list says.
 */
export function messengerProfile(knowledge: Knowledge, texts: Texts, languages: readonly LanguageCode[]): MessengerProfile {
  const contacts = contactsEntryId(knowledge);
  const menu = (language: LanguageCode): MenuItem[] => {
    const t = texts.forLanguage(language);
    const item = (key: 'contacts' | 'staff' | 'restart', value: ButtonValue | { action: string }): MenuItem => ({
      type: 'postback',
      title: Array.from(t(`messenger.menu.${key}`))
        .slice(0, MENU_TITLE_LIMIT)
        .join(''),
      payload: encodePayload(value),
    });
    return [
      ...(contacts ? [item('contacts', { action: 'entry', id: contacts })] : []),
      item('staff', CHANNEL_ACTIONS.handover),
      item('restart', CHANNEL_ACTIONS.restart),
    ];
  };
  const others = languages.filter((l) => l !== 'lv');
  return {
    get_started: { payload: encodePayload(CHANNEL_ACTIONS.getStarted) },
    persistent_menu: [
      { locale: 'default', composer_input_disabled: false, call_to_actions: menu('lv') },
      ...others.flatMap((language) =>
        MESSENGER_LOCALES[language].map((locale) => ({ locale, composer_input_disabled: false as const, call_to_actions: menu(language) })),
      ),
    ],
  };
}

/** The agency's contacts entry: `<agency>.contacts` by convention (knowledge/agencies/dvi/entries/dvi.contacts.yaml). */
export function contactsEntryId(knowledge: Knowledge): string | undefined {
  const id = `${knowledge.profile.id}.contacts`;
  return knowledge.entries.has(id) ? id : undefined;
}
