// What Meta posts to the webhook, parsed at the boundary: page entries with `messaging` events.
// Only what the bot reads is kept: messages (text, quick-reply payload) and postbacks (buttons,
// Get Started, persistent menu). Echoes, deliveries, reads, reactions and the like are ignored.
// https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages
// https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messaging_postbacks
import { createHash } from 'node:crypto';
import { z } from 'zod';

const id = z.string().min(1).max(128);

const messagingEvent = z.object({
  // Chat-plugin events may carry `user_ref` instead of `id`: those cannot be answered via PSID.
  sender: z.object({ id: id.optional() }),
  recipient: z.object({ id: id.optional() }),
  timestamp: z.number().optional(),
  message: z
    .object({
      mid: z.string().min(1).max(512),
      text: z.string().max(20_000).optional(),
      is_echo: z.boolean().optional(),
      quick_reply: z.object({ payload: z.string().max(2_000) }).optional(),
      attachments: z.array(z.unknown()).max(100).optional(),
    })
    .optional(),
  postback: z
    .object({
      // `mid` on postbacks since Graph API v11.0.
      mid: z.string().min(1).max(512).optional(),
      title: z.string().max(1_000).optional(),
      payload: z.string().max(2_000).optional(),
    })
    .optional(),
});

const webhookBody = z.object({
  object: z.string(),
  entry: z.array(z.object({ id: id.optional(), time: z.number().optional(), messaging: z.array(z.unknown()).max(1_000).optional() })).max(1_000),
});

interface EventBase {
  /** Retried deliveries carry the same message id: processed once. */
  dedupeKey: string;
  /** Page-scoped id (PSID) of the person: the conversation id on this channel. */
  senderId: string;
  pageId: string;
  /** When the person acted (Meta's timestamp), else when we received it. */
  at: Date;
}

export type InboundEvent =
  | (EventBase & { kind: 'message'; mid: string; text: string; quickReplyPayload?: string })
  | (EventBase & { kind: 'postback'; mid?: string; title: string; payload: string });

export type WebhookParse = { ok: true; pageObject: boolean; events: InboundEvent[]; ignored: number } | { ok: false; problem: string };

/** Parses a verified webhook body; events the bot does not act on are counted, not returned. */
export function parseWebhook(raw: Buffer, receivedAt: Date): WebhookParse {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, problem: 'not JSON' };
  }
  const body = webhookBody.safeParse(json);
  if (!body.success) return { ok: false, problem: 'not a webhook body' };
  if (body.data.object !== 'page') return { ok: true, pageObject: false, events: [], ignored: 0 };
  const events: InboundEvent[] = [];
  let ignored = 0;
  for (const entry of body.data.entry) {
    for (const item of entry.messaging ?? []) {
      const event = toInboundEvent(item, entry.id, receivedAt);
      if (event) events.push(event);
      else ignored += 1;
    }
  }
  return { ok: true, pageObject: true, events, ignored };
}

function toInboundEvent(item: unknown, entryId: string | undefined, receivedAt: Date): InboundEvent | undefined {
  const parsed = messagingEvent.safeParse(item);
  if (!parsed.success) return undefined;
  const { sender, recipient, timestamp, message, postback } = parsed.data;
  const senderId = sender.id;
  const pageId = recipient.id ?? entryId;
  if (senderId === undefined || pageId === undefined) return undefined;
  // A timestamp from the future (clock skew) counts as now.
  const at = timestamp !== undefined && timestamp <= receivedAt.getTime() ? new Date(timestamp) : receivedAt;
  if (message) {
    if (message.is_echo) return undefined; // our own messages, echoed back
    return {
      kind: 'message',
      dedupeKey: `m:${message.mid}`,
      senderId,
      pageId,
      at,
      mid: message.mid,
      text: message.text ?? '',
      // Attachments (images, stickers) are not read: the turn gets empty text and the bot asks
      // for words.
      ...(message.quick_reply ? { quickReplyPayload: message.quick_reply.payload } : {}),
    };
  }
  if (postback) {
    const payload = postback.payload ?? '';
    // Older API versions send postbacks without `mid`: the same tap retried has the same
    // sender, timestamp and payload.
    const dedupeKey = postback.mid
      ? `p:${postback.mid}`
      : `p:${createHash('sha256')
          .update(`${senderId}\n${timestamp ?? ''}\n${payload}`)
          .digest('hex')}`;
    return {
      kind: 'postback',
      dedupeKey,
      senderId,
      pageId,
      at,
      ...(postback.mid ? { mid: postback.mid } : {}),
      title: postback.title ?? '',
      payload,
    };
  }
  return undefined;
}
