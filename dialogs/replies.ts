// Wording every flow shares (dialogs/flows/ word their own replies): the reply context of a turn,
// localized picks, buttons, the agency's name and contacts, and the apology for a failed turn. Every
// citizen-facing word comes from locales/ or from the agency's own knowledge files; nothing here is
// agency-specific.
import { ActionTypes, MessageFactory, type Activity, type CardAction } from 'botbuilder';
import type { KnowledgeEntry, LanguageCode, Localized, LocalizedList } from '../knowledge/schema.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { Translate } from '../bot/i18n.js';
import type { ButtonValue } from './button-value.js';

export interface ReplyContext {
  knowledge: Knowledge;
  t: Translate;
  language: LanguageCode;
  /** Whether a staff member speaks the conversation's language (a person can be offered in it). */
  staffSpeak?: boolean;
  /** Whether handing over to a person is possible at all (a staff side is configured). */
  canHandOver?: boolean;
  /** Whether the conversation may continue with this agency of the installation (forwarding). */
  canForwardTo?: (agency: string) => boolean;
}

export type Reply = Partial<Activity>;

export function pick(text: Localized, language: string): string {
  return (text as Record<string, string | undefined>)[language] ?? text.lv;
}

export function pickList(list: LocalizedList, language: string): string[] {
  return (list as Record<string, string[] | undefined>)[language] ?? list.lv;
}

/** The entry's title for buttons: its first question in the language. */
export function entryTitle(entry: KnowledgeEntry, language: string): string {
  return pickList(entry.questions, language)[0] ?? entry.id;
}

export function button(title: string, value: ButtonValue): CardAction {
  return { type: ActionTypes.MessageBack, title, text: title, displayText: title, value };
}

/** The agency's contacts on one line, for fallbacks and apologies. */
export function contactLine({ knowledge, t }: ReplyContext): string {
  const c = knowledge.profile.contacts;
  return [
    c.phone && t('contacts.phone', { value: c.phone }),
    c.email && t('contacts.email', { value: c.email }),
    c.website && t('contacts.website', { value: c.website }),
  ]
    .filter(Boolean)
    .join(', ');
}

/** The agency's name; `genitive` for sentences that need it (Latvian declines names). */
export function agencyName({ knowledge, language }: ReplyContext, form: 'nominative' | 'genitive' = 'nominative'): string {
  const { name, nameGenitive } = knowledge.profile;
  return pick(form === 'genitive' && nameGenitive ? nameGenitive : name, language);
}

export function apology(ctx: ReplyContext): Reply[] {
  return [MessageFactory.text(ctx.t('error.turn', { contacts: contactLine(ctx) }))];
}
