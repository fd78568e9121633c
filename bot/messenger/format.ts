// Bot Framework activities → Messenger Send API messages: plain text (Markdown links spelled
// out), quick replies for suggested actions, templates for hero cards, within Messenger's limits.
// Pure functions: tested alone in test/messenger-format.test.ts.
import { ActionTypes, CardFactory, type Activity, type CardAction, type HeroCard } from 'botbuilder';
import { encodePayload } from './payloads.js';

/** Messenger's documented limits. */
export const LIMITS = {
  /** https://developers.facebook.com/docs/messenger-platform/reference/send-api/ (message.text) */
  text: 2000,
  /** https://developers.facebook.com/docs/messenger-platform/send-messages/quick-replies */
  quickReplies: 13,
  quickReplyTitle: 20,
  /** https://developers.facebook.com/docs/messenger-platform/send-messages/buttons */
  buttonTitle: 20,
  buttons: 3,
  /** https://developers.facebook.com/docs/messenger-platform/send-messages/template/generic */
  elementTitle: 80,
  elementSubtitle: 80,
  /** https://developers.facebook.com/docs/messenger-platform/send-messages/template/button */
  buttonTemplateText: 640,
} as const;

export type MessengerButton =
  | { type: 'web_url'; title: string; url: string }
  | { type: 'phone_number'; title: string; payload: string }
  | { type: 'postback'; title: string; payload: string };

export interface QuickReply {
  content_type: 'text';
  title: string;
  payload: string;
}

export interface GenericElement {
  title: string;
  subtitle?: string;
  image_url?: string;
  default_action?: { type: 'web_url'; url: string };
  buttons?: MessengerButton[];
}

export type TemplatePayload = { template_type: 'generic'; elements: GenericElement[] } | { template_type: 'button'; text: string; buttons: MessengerButton[] };

export type MessengerMessage =
  { text: string; quick_replies?: QuickReply[] } | { attachment: { type: 'template'; payload: TemplatePayload }; quick_replies?: QuickReply[] };

export interface FormatOptions {
  /**
   * Calling code for national numbers: the call button wants +<country><number>
   * (https://developers.facebook.com/docs/messenger-platform/reference/buttons/call/).
   */
  callingCode: string;
  /** Length of a national number that gets the calling code (Latvia: 8 digits). */
  nationalNumberLength: number;
}

export const LATVIAN_NUMBERS: FormatOptions = { callingCode: '371', nationalNumberLength: 8 };

const HERO = CardFactory.contentTypes.heroCard;
const THUMBNAIL = CardFactory.contentTypes.thumbnailCard;
const REPLY_ACTIONS = new Set<string>([ActionTypes.MessageBack, ActionTypes.ImBack, ActionTypes.PostBack]);

/** The Send API messages for one message activity, in order; quick replies ride on the last one. */
export function toMessengerMessages(activity: Partial<Activity>, options: FormatOptions = LATVIAN_NUMBERS): MessengerMessage[] {
  let text = spellOutLinks(activity.text ?? '').trim();
  const suggested = quickReplies(activity.suggestedActions?.actions ?? []);
  if (suggested.list !== '') text = text === '' ? suggested.list : `${text}\n\n${suggested.list}`;
  if (suggested.links.length > 0) text = [text, ...suggested.links].filter((t) => t !== '').join('\n');

  const messages: MessengerMessage[] = splitText(text).map((chunk) => ({ text: chunk }));
  for (const attachment of activity.attachments ?? []) {
    if (attachment.contentType === HERO || attachment.contentType === THUMBNAIL) {
      messages.push(...cardMessages(attachment.content as HeroCard, options));
    }
    // Other attachment types (Adaptive Cards, files) are not sent by this bot; nothing to map.
  }
  if (suggested.replies.length > 0) {
    const last = messages.at(-1);
    if (last === undefined) messages.push({ text: '…', quick_replies: suggested.replies });
    else last.quick_replies = suggested.replies;
  }
  return messages;
}

/**
 * Suggested actions as quick replies (at most 13; titles at most 20 characters). When a title has
 * to be shortened, the full titles are listed in the message, numbered, and each button starts with
 * its number: "Kā iesniegt sūdzību…" alone would not tell two long questions apart. Actions that
 * open a URL or call cannot be quick replies; they are spelled out in the text instead.
 */
export function quickReplies(actions: CardAction[]): { replies: QuickReply[]; list: string; links: string[] } {
  const replyActions = actions.filter((a) => REPLY_ACTIONS.has(a.type)).slice(0, LIMITS.quickReplies);
  const links = actions
    .filter((a) => a.type === ActionTypes.OpenUrl || a.type === ActionTypes.Call)
    .map((a) => `${a.title}: ${String(a.value ?? '').replace(/^(tel|mailto):/i, '')}`);
  const titles = replyActions.map((a) => plain(a.title || String(a.text ?? a.value ?? '')));
  const numbered = titles.some((t) => Array.from(t).length > LIMITS.quickReplyTitle);
  const replies = replyActions.map((a, i) => {
    const title = titles[i] ?? '';
    const shown = numbered ? shorten(`${i + 1}. ${title}`, LIMITS.quickReplyTitle) : title;
    return { content_type: 'text' as const, title: shown === '' ? '…' : shown, payload: encodePayload(a.value ?? a.text ?? a.title) };
  });
  const list = numbered ? titles.map((t, i) => `${i + 1}. ${t}`).join('\n') : '';
  return { replies, list, links };
}

/**
 * A hero card as a template: the button template (text up to 640 characters) when it has no image,
 * the generic template (title and subtitle up to 80 characters each) when it has one. Text that
 * does not fit goes first as a plain message, so no contact detail is cut off.
 */
export function cardMessages(card: HeroCard, options: FormatOptions = LATVIAN_NUMBERS): MessengerMessage[] {
  const title = plain(card.title ?? '');
  const body = [card.subtitle, card.text]
    .map((t) => plain(t ?? ''))
    .filter((t) => t !== '')
    .join('\n');
  const buttons = (card.buttons ?? [])
    .map((b) => toButton(b, options))
    .filter((b): b is MessengerButton => b !== undefined)
    .slice(0, LIMITS.buttons);
  const image = card.images?.map((i) => i.url).find((u) => /^https:\/\//i.test(u));
  const whole = [title, body].filter((t) => t !== '').join('\n');

  if (image === undefined && buttons.length === 0) return splitText(whole).map((chunk) => ({ text: chunk }));

  if (image === undefined) {
    if (whole.length <= LIMITS.buttonTemplateText) return [{ attachment: { type: 'template', payload: { template_type: 'button', text: whole, buttons } } }];
    return [
      ...splitText(body).map((chunk) => ({ text: chunk })),
      { attachment: { type: 'template', payload: { template_type: 'button', text: shorten(title || body, LIMITS.buttonTemplateText), buttons } } },
    ];
  }

  const tap = card.tap?.type === ActionTypes.OpenUrl && typeof card.tap.value === 'string' && /^https?:\/\//i.test(card.tap.value) ? card.tap.value : undefined;
  const element: GenericElement = {
    title: shorten(title || body, LIMITS.elementTitle),
    ...(title !== '' && body !== '' ? { subtitle: shorten(body.replace(/\n/g, ' · '), LIMITS.elementSubtitle) } : {}),
    image_url: image,
    ...(tap ? { default_action: { type: 'web_url' as const, url: tap } } : {}),
    ...(buttons.length > 0 ? { buttons } : {}),
  };
  const cut = Array.from(title).length > LIMITS.elementTitle || Array.from(body).length > LIMITS.elementSubtitle;
  return [
    ...(cut ? splitText(whole).map((chunk) => ({ text: chunk })) : []),
    { attachment: { type: 'template', payload: { template_type: 'generic', elements: [element] } } },
  ];
}

/** openUrl → web_url (mailto included), call → phone_number, messageBack/postBack/imBack → postback. */
export function toButton(action: CardAction, options: FormatOptions = LATVIAN_NUMBERS): MessengerButton | undefined {
  const title = shorten(plain(action.title ?? ''), LIMITS.buttonTitle);
  const value = typeof action.value === 'string' ? action.value.trim() : undefined;
  switch (action.type) {
    case ActionTypes.OpenUrl:
      if (value === undefined || !/^(https?|mailto):/i.test(value)) return undefined;
      return { type: 'web_url', title: title || value, url: value };
    case ActionTypes.Call: {
      const phone = value === undefined ? undefined : internationalNumber(value, options);
      return phone === undefined ? undefined : { type: 'phone_number', title: title || phone, payload: phone };
    }
    case ActionTypes.MessageBack:
    case ActionTypes.PostBack:
    case ActionTypes.ImBack:
      return { type: 'postback', title: title || '…', payload: encodePayload(action.value ?? action.text ?? action.title) };
    default:
      return undefined;
  }
}

/**
 * "+37167223131" from "tel:67223131", "tel:+371 6722 3131" or "0037167223131"; undefined for
 * numbers Messenger cannot dial (short numbers such as 112, which the card's text still shows).
 */
export function internationalNumber(value: string, { callingCode, nationalNumberLength }: FormatOptions): string | undefined {
  const raw = value.replace(/^tel:/i, '').trim();
  const digits = raw.replace(/\D/g, '');
  let international: string;
  if (raw.startsWith('+')) international = digits;
  else if (digits.startsWith('00')) international = digits.slice(2);
  else if (digits.length === nationalNumberLength) international = `${callingCode}${digits}`;
  else return undefined;
  return /^\d{8,15}$/.test(international) ? `+${international}` : undefined;
}

/** Markdown links as Messenger shows nothing else: "[title](url)" → "title: url". */
export function spellOutLinks(text: string): string {
  return text.replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (_m, title: string, url: string) => (title.trim() === url ? url : `${title}: ${url}`));
}

function plain(text: string): string {
  return spellOutLinks(text)
    .replace(/\n{2,}/g, '\n')
    .trim();
}

/**
 * Shortens to at most `max` characters (code points), at a word boundary where one is near, with
 * an ellipsis. "Kā iesniegt sūdzību par datu apstrādi?" (20) → "Kā iesniegt sūdzību…".
 */
export function shorten(text: string, max: number): string {
  const chars = Array.from(text.trim());
  if (chars.length <= max) return chars.join('');
  const head = chars.slice(0, max - 1).join('');
  // The head ends a word when the next character is a space; else back to the last space.
  const space = /\s/.test(chars[max - 1] ?? '') ? head.length : head.lastIndexOf(' ');
  const cut = space >= Math.floor(head.length / 2) ? head.slice(0, space) : head;
  return `${cut.replace(/[\s,.;:!?–-]+$/u, '')}…`;
}

/**
 * Splits text into messages of at most `max` characters: at a paragraph break, else after a
 * sentence, else at a line break or space, else anywhere (never inside a surrogate pair).
 */
export function splitText(text: string, max: number = LIMITS.text): string[] {
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    const cut =
      lastBreak(window, /\n\s*\n/g, max) ??
      lastBreak(window, /[.!?…][)"'»”]?(?=\s)/g, max, true) ??
      lastBreak(window, /\n/g, max) ??
      lastBreak(window, /\s/g, max) ??
      (/[\uD800-\uDBFF]/.test(rest.charAt(max - 1)) ? max - 1 : max);
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest !== '') chunks.push(rest);
  return chunks;
}

/** Index to cut at for the last match ending within max, if past the middle (else the chunk is too small). */
function lastBreak(window: string, pattern: RegExp, max: number, keepMatch = false): number | undefined {
  let found: number | undefined;
  for (const m of window.matchAll(pattern)) {
    const cut = keepMatch ? m.index + m[0].length : m.index;
    if (cut <= max) found = cut;
  }
  return found !== undefined && found >= max / 2 ? found : undefined;
}
