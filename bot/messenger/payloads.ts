// Button payloads on Messenger. A quick reply or postback carries the JSON of the button's value
// (dialogs/button-value.ts) and comes back as `activity.value`. A few payloads belong to
// the channel itself: Get Started, "start over", and "talk to a person" from the persistent menu.
export const CHANNEL_ACTIONS = {
  /** The Get Started button on the welcome screen: the bot greets. */
  getStarted: { action: 'get-started' },
  /** "Sākt no jauna": the conversation starts afresh (language kept) and the bot greets again. */
  restart: { action: 'restart' },
  /** "Runāt ar darbinieku": the bot's own handover button (consent first, then queue or case). */
  handover: { action: 'handover', reason: 'asked' },
} as const;

/** Messenger's payload limit for quick replies, postback buttons and menu items. */
export const MAX_PAYLOAD_LENGTH = 1000;

/**
 * The payload for a button value: its JSON. Our values are well under the limit; a value that is
 * not (an extreme `offeredIds` list) loses that list, which only feeds analytics, and failing that
 * becomes `null`, so the tap arrives as the title's text: still understood, never rejected by the
 * Send API.
 */
export function encodePayload(value: unknown): string {
  const json = JSON.stringify(value ?? null);
  if (json.length <= MAX_PAYLOAD_LENGTH) return json;
  if (isRecord(value) && Array.isArray(value['offeredIds'])) {
    const shorter = JSON.stringify({ ...value, offeredIds: [] });
    if (shorter.length <= MAX_PAYLOAD_LENGTH) return shorter;
  }
  return 'null';
}

/** What a payload carries: a value object, a text (imBack-style string values), or nothing. */
export function decodePayload(payload: string): { value?: Record<string, unknown>; text?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    // Not ours (set by another tool on the page): hand over the raw string as text.
    return payload.trim() === '' ? {} : { text: payload };
  }
  if (isRecord(parsed)) return { value: parsed };
  if (typeof parsed === 'string') return { text: parsed };
  return {};
}

export function isChannelAction(value: Record<string, unknown> | undefined, action: { action: string }): boolean {
  return value !== undefined && value['action'] === action.action && Object.keys(value).length === 1;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
