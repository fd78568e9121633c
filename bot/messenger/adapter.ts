// The Messenger channel's BotAdapter: webhook events become Bot Framework turns, and what the bot
// sends goes to the Send API (https://developers.facebook.com/docs/messenger-platform/reference/send-api/).
// A message the Send API will not take ends in the outbox with a typed reason, never silently lost.
import {
  ActivityEventNames,
  ActivityTypes,
  RoleTypes,
  TurnContext,
  type Activity,
  type ChannelAccount,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder';
import { errorFields, silentLogger, type Logger } from '../log.js';
import { SelfHostedAdapter, type Logic } from '../self-hosted-adapter.js';
import type { TurnTransactions } from '../storage/turn-batch.js';
import { BoundedMap } from './bounded.js';
import { LATVIAN_NUMBERS, toMessengerMessages, type FormatOptions } from './format.js';
import type { GraphApiClient, SendRequest } from './graph-api.js';
import type { MessengerOutbox } from './outbox.js';
import type { GraphErrorSummary, UndeliveredReason } from './graph-api.js';
import { CHANNEL_ACTIONS, decodePayload, isChannelAction } from './payloads.js';
import type { InboundEvent } from './webhook.js';

export const FACEBOOK_CHANNEL_ID = 'facebook';
/** Replies are posted to the Graph API, not to a Bot Framework service URL; it must still parse. */
export const FACEBOOK_SERVICE_URL = 'urn:padoms:facebook';

/**
 * Meta's standard messaging window: a Page may answer within 24 hours of the person's last
 * message; later only with message tags, which this bot does not use.
 * https://developers.facebook.com/docs/messenger-platform/send-messages
 */
export const MESSAGING_WINDOW_MS = 24 * 60 * 60 * 1000;
/** A `delay` activity longer than this is shortened: it holds the person's queue. */
const MAX_DELAY_MS = 10_000;
/** turnState key under which sendActivities leaves the delivery results of the turn. */
export const DELIVERY_RESULTS_KEY = Symbol('messengerDeliveryResults');

/** What became of one activity the bot sent: a value the staff console can show. */
export type DeliveryResult =
  | { delivered: true; messageIds: string[] }
  | {
      delivered: false;
      reason: UndeliveredReason;
      /** Outbox entries holding what was not sent, in order. */
      outboxIds: string[];
      /** Messages of this activity that did go out before the failure (a long text's first part). */
      messageIds: string[];
    };

/** Set on a conversationUpdate from the persistent menu's "start over". */
export interface MessengerChannelData {
  restart?: boolean;
}

export interface MessengerAdapterOptions {
  /** The Graph API as one Page (its access token); undefined for a Page the installation has no token for. */
  graph: (pageId: string) => GraphApiClient | undefined;
  outbox: MessengerOutbox;
  /** Keyed hash of a PSID for logs (settings.ts recipientHasher). */
  hashRecipient: (psid: string) => string;
  bot?: { id?: string; name?: string };
  now?: () => Date;
  log?: Logger;
  format?: FormatOptions;
  /** Send `typing_on` before running a turn for a person's message (default true). */
  typingIndicator?: boolean;
  /** How many people's last-message times are kept (bounded; unknown means "ask Meta"). */
  maxContacts?: number;
  /** The store's turn transactions (default: each write on its own). */
  turns?: TurnTransactions;
}

export class MessengerAdapter extends SelfHostedAdapter {
  readonly bot: ChannelAccount;
  private readonly graph: (pageId: string) => GraphApiClient | undefined;
  private readonly outbox: MessengerOutbox;
  private readonly hashRecipient: (psid: string) => string;
  private readonly now: () => Date;
  private readonly log: Logger;
  private readonly format: FormatOptions;
  private readonly typingIndicator: boolean;
  /** When each person last wrote: our own record of the 24-hour window. */
  private readonly lastInbound: BoundedMap<number>;
  private readonly stopping = new AbortController();

  constructor(options: MessengerAdapterOptions) {
    super(options.turns);
    this.graph = options.graph;
    this.outbox = options.outbox;
    this.hashRecipient = options.hashRecipient;
    this.now = options.now ?? (() => new Date());
    this.log = options.log ?? silentLogger;
    this.format = options.format ?? LATVIAN_NUMBERS;
    this.typingIndicator = options.typingIndicator ?? true;
    this.bot = { id: options.bot?.id ?? 'padoms', name: options.bot?.name ?? 'Padoms', role: RoleTypes.Bot };
    // Kept a week (not 24 h) so that "older than 24 hours" can be known, not just "unknown".
    this.lastInbound = new BoundedMap<number>({ maxEntries: options.maxContacts ?? 100_000, ttlMs: 7 * MESSAGING_WINDOW_MS, now: () => this.now().getTime() });
  }

  /**
   * Runs the turns for one webhook event. A person this process has not heard from yet gets a
   * `conversationUpdate` first, so the bot introduces itself as an automated service at the start
   * of the conversation (Meta's disclosure rule, https://developers.facebook.com/docs/messenger-platform/send-messages);
   * the bot greets only once per conversation, so after a restart nobody is greeted twice.
   */
  async processEvent(event: InboundEvent, logic: Logic): Promise<void> {
    const known = this.lastInbound.get(event.senderId) !== undefined;
    this.lastInbound.set(event.senderId, event.at.getTime());
    const bot: ChannelAccount = { ...this.bot, id: event.pageId };
    const user: ChannelAccount = { id: event.senderId, name: '', role: RoleTypes.User };
    const base = {
      channelId: FACEBOOK_CHANNEL_ID,
      serviceUrl: FACEBOOK_SERVICE_URL,
      conversation: { id: event.senderId, isGroup: false, name: '', conversationType: 'personal' },
      from: user,
      recipient: bot,
      timestamp: event.at,
    };
    const joined = (channelData?: MessengerChannelData): Partial<Activity> => ({
      ...base,
      type: ActivityTypes.ConversationUpdate,
      id: `${event.dedupeKey}:join`,
      membersAdded: [user, bot],
      ...(channelData ? { channelData } : {}),
    });

    const turns: Partial<Activity>[] = [];
    const decoded =
      event.kind === 'postback' ? decodePayload(event.payload) : event.quickReplyPayload !== undefined ? decodePayload(event.quickReplyPayload) : {};
    if (event.kind === 'postback' && isChannelAction(decoded.value, CHANNEL_ACTIONS.getStarted)) {
      turns.push(joined());
    } else if (event.kind === 'postback' && isChannelAction(decoded.value, CHANNEL_ACTIONS.restart)) {
      turns.push(joined({ restart: true }));
    } else {
      if (!known) turns.push(joined());
      const title = event.kind === 'postback' ? event.title : event.text;
      turns.push({
        ...base,
        type: ActivityTypes.Message,
        id: event.mid ?? event.dedupeKey,
        // Messenger text is plain; a quick reply's or button's text is its title.
        text: decoded.value !== undefined ? title : (decoded.text ?? title),
        textFormat: 'plain',
        ...(decoded.value !== undefined ? { value: decoded.value } : {}),
      });
    }

    if (this.typingIndicator) await this.typing(event.senderId, event.pageId);
    for (const activity of turns) {
      try {
        await this.runTurn(new TurnContext(this, activity), logic);
      } catch (err) {
        this.log.error({ err: errorFields(err), recipient: this.hashRecipient(event.senderId), type: activity.type }, 'turn failed');
      }
    }
  }

  /** A reference for proactive messages (a staff member's reply during handover): the person on a Page. */
  conversationReference(psid: string, pageId: string): Partial<ConversationReference> {
    return {
      channelId: FACEBOOK_CHANNEL_ID,
      serviceUrl: FACEBOOK_SERVICE_URL,
      conversation: { id: psid, isGroup: false, name: '', conversationType: 'personal' },
      user: { id: psid, name: '', role: RoleTypes.User },
      bot: { ...this.bot, id: pageId },
    };
  }

  /**
   * Sends to the person in the conversation (its id is the PSID), in order. After one activity
   * fails, the rest of this call is kept in the outbox unsent, so the person never gets an answer
   * with its middle missing. Results per activity are left on the turn (see deliveryResults).
   */
  override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    const results = deliveryResults(context);
    context.turnState.set(DELIVERY_RESULTS_KEY, results);
    let held = firstFailure(results);
    for (const activity of activities) {
      const psid = activity.conversation?.id ?? context.activity.conversation?.id;
      if (psid === undefined) throw new Error('MessengerAdapter: activity has no conversation (PSID)');
      // The bot speaks as the Page the person wrote to: the turn's recipient, or the reference's bot.
      const pageId = activity.from?.id ?? context.activity.recipient?.id;
      if (pageId === undefined) throw new Error('MessengerAdapter: activity has no Page (from)');
      switch (activity.type) {
        case 'delay': {
          const ms = typeof activity.value === 'number' ? activity.value : 1000;
          await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(ms, 0), MAX_DELAY_MS)));
          responses.push({ id: '' });
          break;
        }
        case ActivityTypes.Typing:
          if (held === undefined) await this.typing(psid, pageId);
          responses.push({ id: '' });
          break;
        case ActivityTypes.Message: {
          const requests: SendRequest[] = toMessengerMessages(activity, this.format).map((message) => ({
            recipient: { id: psid },
            messaging_type: 'RESPONSE',
            message,
          }));
          const result = await this.deliver(psid, pageId, requests, held);
          if (!result.delivered) held ??= result.reason;
          results.push(result);
          responses.push({ id: result.messageIds[0] ?? '' });
          break;
        }
        // Traces and invoke responses are for the Emulator; events and the rest have no Messenger form.
        default:
          responses.push({ id: '' });
      }
    }
    return responses;
  }

  /** Sends activities to a person outside a turn (a staff reply) and says what became of each. */
  async sendProactive(psid: string, pageId: string, activities: Partial<Activity>[]): Promise<DeliveryResult[]> {
    let results: DeliveryResult[] = [];
    await this.continueConversation(this.conversationReference(psid, pageId), async (context) => {
      await context.sendActivities(activities);
      results = deliveryResults(context);
    });
    return results;
  }

  /** Tries an outbox entry again; removed from the outbox once delivered. */
  async redeliver(outboxId: string): Promise<DeliveryResult | undefined> {
    const entry = await this.outbox.get(outboxId);
    if (entry === undefined) return undefined;
    await this.outbox.remove(outboxId);
    return this.deliver(entry.recipientId, entry.pageId, [entry.request], undefined);
  }

  override async updateActivity(): Promise<void> {
    throw new Error('MessengerAdapter.updateActivity: Messenger messages cannot be edited');
  }

  override async deleteActivity(): Promise<void> {
    throw new Error('MessengerAdapter.deleteActivity: Messenger messages cannot be deleted by the Page');
  }

  override async continueConversation(reference: Partial<ConversationReference>, logic: Logic): Promise<void> {
    const request = TurnContext.applyConversationReference(
      { type: ActivityTypes.Event, name: ActivityEventNames.ContinueConversation, timestamp: this.now() },
      { channelId: FACEBOOK_CHANNEL_ID, serviceUrl: FACEBOOK_SERVICE_URL, bot: this.bot, ...reference },
      true,
    );
    await this.runTurn(new TurnContext(this, request), logic);
  }

  /** Stops waiting between retries: what is still unsent goes to the outbox as `shutdown`. */
  shutdown(): void {
    this.stopping.abort();
  }

  /** When the person last wrote, if this process knows. */
  lastMessageAt(psid: string): Date | undefined {
    const at = this.lastInbound.get(psid);
    return at === undefined ? undefined : new Date(at);
  }

  private async deliver(psid: string, pageId: string, requests: SendRequest[], held: UndeliveredReason | undefined): Promise<DeliveryResult> {
    const recipient = this.hashRecipient(psid);
    const messageIds: string[] = [];
    if (requests.length === 0) return { delivered: true, messageIds };
    let reason = held;
    let error: GraphErrorSummary = {};
    let failedAt = 0;
    if (reason === undefined) {
      const last = this.lastInbound.get(psid);
      if (last !== undefined && this.now().getTime() - last > MESSAGING_WINDOW_MS) reason = 'outside-24h-window';
    }
    const graph = this.graph(pageId);
    if (reason === undefined && graph !== undefined) {
      for (const [i, request] of requests.entries()) {
        const result = await graph.post<{ message_id?: string }>('me/messages', request, { recipient, signal: this.stopping.signal });
        if (result.ok) {
          messageIds.push(result.body.message_id ?? '');
          continue;
        }
        reason = result.reason;
        error = result.error;
        failedAt = i;
        break;
      }
      if (reason === undefined) return { delivered: true, messageIds };
    }
    // No token for the Page (it left the configuration): kept, to be sent once it is back.
    reason ??= 'rejected';
    const outboxIds: string[] = [];
    for (const request of requests.slice(failedAt)) {
      outboxIds.push((await this.outbox.add({ recipientId: psid, pageId, request, reason, ...(Object.keys(error).length > 0 ? { error } : {}) })).id);
    }
    this.log.error({ recipient, reason, ...error, outboxIds, held: held !== undefined }, 'message not delivered; kept in the outbox');
    return { delivered: false, reason, outboxIds, messageIds };
  }

  /** One try, no outbox: a typing indicator is worth nothing late. */
  private async typing(psid: string, pageId: string): Promise<void> {
    const graph = this.graph(pageId);
    if (graph === undefined) return;
    const result = await graph.post('me/messages', { recipient: { id: psid }, sender_action: 'typing_on' } satisfies SendRequest, {
      recipient: this.hashRecipient(psid),
      signal: this.stopping.signal,
      maxAttempts: 1,
    });
    if (!result.ok) this.log.debug({ recipient: this.hashRecipient(psid), reason: result.reason }, 'typing indicator not shown');
  }
}

/** The delivery results of the turn so far (one per message activity sent). */
export function deliveryResults(context: TurnContext): DeliveryResult[] {
  const results = context.turnState.get(DELIVERY_RESULTS_KEY) as DeliveryResult[] | undefined;
  return results ?? [];
}

/** The reason the first undelivered message of these was not delivered, if one was not. */
export function firstFailure(results: readonly DeliveryResult[]): UndeliveredReason | undefined {
  for (const r of results) if (!r.delivered) return r.reason;
  return undefined;
}
