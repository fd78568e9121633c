// The bot side of our self-hosted Direct Line: turns client activities into turns, and stores what
// the bot sends so the client's next poll (GET …/activities?watermark=) picks it up.
import { randomBytes } from 'node:crypto';
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
import { z } from 'zod';
import { errorFields, silentLogger, type Logger } from '../log.js';
import { SelfHostedAdapter, type Logic } from '../self-hosted-adapter.js';
import type { TurnTransactions } from '../storage/turn-batch.js';
import type { AppendOptions, DirectLineStore, StoredConversation } from '../storage/directline-store.js';
import { afterDeletion, type KeepingAdapter } from '../storage/recording.js';
import { setTurnAgency } from '../turn-agency.js';

export const DIRECTLINE_CHANNEL_ID = 'directline';
/** Where replies "go": nothing dereferences it (replies are stored, not posted), but it must parse. */
export const DEFAULT_SERVICE_URL = 'urn:padoms:directline';

/** A `delay` activity longer than this is shortened: it holds the client's POST open. */
const MAX_DELAY_MS = 10_000;

const localeSchema = z.string().regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$/, 'a BCP 47 language tag');
const jsonObject = z.record(z.string(), z.unknown());

/**
 * What a Direct Line client may send. Unknown fields are dropped, and so are fields the channel
 * owns (id, timestamp, conversation, recipient, serviceUrl, channelId): the adapter sets those.
 * Attachments are dropped too: uploads are not supported, and a bot must not be steered into
 * fetching URLs a citizen supplied.
 */
export const clientActivitySchema = z.object({
  type: z.enum([ActivityTypes.Message, ActivityTypes.Event, ActivityTypes.Typing, ActivityTypes.MessageReaction]),
  text: z.string().max(5_000).optional(),
  textFormat: z.enum(['plain', 'markdown', 'xml']).optional(),
  locale: localeSchema.optional(),
  localTimestamp: z.string().max(64).optional(),
  localTimezone: z.string().max(64).optional(),
  entities: z
    .array(z.object({ type: z.string().max(256) }).catchall(z.unknown()))
    .max(20)
    .optional(),
  channelData: jsonObject.optional(),
  value: z.unknown().optional(),
  valueType: z.string().max(256).optional(),
  name: z.string().max(256).optional(),
  replyToId: z.string().max(256).optional(),
  reactionsAdded: z
    .array(z.object({ type: z.string().max(64) }))
    .max(10)
    .optional(),
  reactionsRemoved: z
    .array(z.object({ type: z.string().max(64) }))
    .max(10)
    .optional(),
  // Only the display name is taken; the id always comes from the token.
  from: z.object({ name: z.string().max(100).optional() }).optional(),
});
export type ClientActivity = z.infer<typeof clientActivitySchema>;

export interface DirectLineAdapterOptions {
  store: DirectLineStore;
  bot?: { id: string; name: string };
  serviceUrl?: string;
  now?: () => Date;
  newActivityId?: () => string;
  log?: Logger;
  /** Told after each activity is stored, so streams can push it (see stream.ts). */
  onAppend?: (conversationId: string) => void;
  /** The store's turn transactions (default: each write on its own). */
  turns?: TurnTransactions;
}

export type StartResult =
  | { kind: 'started'; conversation: StoredConversation }
  | { kind: 'existing'; conversation: StoredConversation }
  /** The conversation exists but belongs to another user. */
  | { kind: 'forbidden' }
  /** The conversation exists but is another agency's. */
  | { kind: 'other-agency' };

export type ReceiveResult =
  | { kind: 'accepted'; id: string }
  | { kind: 'not-found' }
  | { kind: 'forbidden' }
  /** The conversation is another agency's than the caller's. */
  | { kind: 'other-agency' }
  /** Stored, but the turn threw and no onTurnError handled it. */
  | { kind: 'bot-error'; id: string };

export class DirectLineAdapter extends SelfHostedAdapter implements KeepingAdapter {
  readonly store: DirectLineStore;
  readonly bot: ChannelAccount;
  readonly serviceUrl: string;
  private readonly now: () => Date;
  private readonly newActivityId: () => string;
  private readonly log: Logger;
  private readonly onAppend: (conversationId: string) => void;

  constructor(options: DirectLineAdapterOptions) {
    super(options.turns);
    this.store = options.store;
    this.bot = { id: options.bot?.id ?? 'padoms', name: options.bot?.name ?? 'Padoms', role: RoleTypes.Bot };
    this.serviceUrl = options.serviceUrl ?? DEFAULT_SERVICE_URL;
    this.now = options.now ?? (() => new Date());
    this.newActivityId = options.newActivityId ?? (() => randomBytes(12).toString('base64url'));
    this.log = options.log ?? silentLogger;
    this.onAppend = options.onAppend ?? (() => {});
  }

  /**
   * Creates the conversation in its agency and runs one `conversationUpdate` turn with the user and
   * the bot in `membersAdded`, so the bot greets once. Starting an existing conversation again is
   * harmless: no second greeting.
   */
  async startConversation(start: { conversationId: string; userId: string; agency: string; locale?: string }, logic: Logic): Promise<StartResult> {
    const conversation: StoredConversation = {
      id: start.conversationId,
      userId: start.userId,
      agency: start.agency,
      createdAt: this.now().toISOString(),
      ...(start.locale === undefined ? {} : { locale: start.locale }),
    };
    if (!(await this.store.createConversation(conversation))) {
      const existing = await this.store.getConversation(start.conversationId);
      if (existing === undefined) return { kind: 'forbidden' }; // vanished in between: treat as unusable
      if (existing.agency !== start.agency) return { kind: 'other-agency' };
      return existing.userId === start.userId ? { kind: 'existing', conversation: existing } : { kind: 'forbidden' };
    }
    const user = userAccount(conversation.userId);
    // Direct Line does not show conversationUpdate to clients, so it is not stored.
    const update: Partial<Activity> = {
      type: ActivityTypes.ConversationUpdate,
      id: this.newActivityId(),
      timestamp: this.now(),
      channelId: DIRECTLINE_CHANNEL_ID,
      serviceUrl: this.serviceUrl,
      conversation: { id: conversation.id, isGroup: false, name: '', conversationType: 'personal' },
      from: user,
      recipient: this.bot,
      membersAdded: [user, this.bot],
      ...(conversation.locale === undefined ? {} : { locale: conversation.locale }),
    };
    try {
      await this.runTurn(agencyTurn(new TurnContext(this, update), conversation), logic);
    } catch (err) {
      // The conversation exists either way; the citizen can still write.
      this.log.error({ err: errorFields(err), conversationId: conversation.id }, 'greeting turn failed');
    }
    this.log.info({ conversationId: conversation.id }, 'conversation started');
    return { kind: 'started', conversation };
  }

  /**
   * Stores the client's activity (clients wait for their own message to come back by polling) and
   * runs the bot's turn. The user id is the one the conversation was started with, never the
   * client's `from.id`. `caller.userId` is the token's user, undefined for a caller holding the
   * Direct Line secret; `caller.agency` the agency it speaks for, which must be the conversation's.
   */
  async receiveActivity(
    conversationId: string,
    caller: { userId: string | undefined; agency: string },
    incoming: ClientActivity,
    logic: Logic,
  ): Promise<ReceiveResult> {
    const conversation = await this.store.getConversation(conversationId);
    if (conversation === undefined) return { kind: 'not-found' };
    if (conversation.agency !== caller.agency) return { kind: 'other-agency' };
    if (caller.userId !== undefined && conversation.userId !== caller.userId) return { kind: 'forbidden' };
    const userId = conversation.userId;

    const { from, localTimestamp, ...fields } = incoming;
    const id = this.newActivityId();
    const activity: Partial<Activity> = {
      ...fields,
      // Kept as the client's string: it carries the citizen's UTC offset, which a Date would lose.
      // (botframework-schema types it as Date, but on the wire it is a string everywhere.)
      ...(localTimestamp === undefined ? {} : { localTimestamp: localTimestamp as unknown as Date }),
      id,
      timestamp: this.now(),
      channelId: DIRECTLINE_CHANNEL_ID,
      serviceUrl: this.serviceUrl,
      conversation: { id: conversationId, isGroup: false, name: '', conversationType: 'personal' },
      from: { ...userAccount(userId), ...(from?.name === undefined ? {} : { name: from.name }) },
      recipient: this.bot,
      ...(fields.locale === undefined && conversation.locale !== undefined ? { locale: conversation.locale } : {}),
    };
    // The citizen's activity, the replies and what the turn records are committed together before
    // the POST is answered; a failed commit fails the request, and the client sends again. Typing is
    // not kept (Direct Line delivers it over WebSocket only); everything else is echoed.
    let failed = false;
    await this.turns.inTurn(conversationId, async () => {
      if (activity.type !== ActivityTypes.Typing) await this.keep(conversationId, activity);
      try {
        await this.runMiddleware(agencyTurn(new TurnContext(this, activity), conversation), logic);
      } catch (err) {
        failed = true;
        this.log.error({ err: errorFields(err), conversationId, activityType: activity.type }, 'turn failed');
      }
    });
    if (failed) return { kind: 'bot-error', id };
    return { kind: 'accepted', id };
  }

  /**
   * The turn's incoming activity stored again, unchanged: after a deletion, the client still gets the
   * echo it waits for (see KeepingAdapter). What remains is the confirming message and the farewell,
   * for delivery only.
   */
  async echoAgain(context: TurnContext): Promise<void> {
    const conversationId = context.activity.conversation?.id;
    if (conversationId === undefined || context.activity.type === ActivityTypes.Typing) return;
    await this.keep(conversationId, context.activity, { deliveryOnly: true });
  }

  /** A reference for proactive messages (a staff member's reply), or undefined if unknown. */
  async conversationReference(conversationId: string): Promise<Partial<ConversationReference> | undefined> {
    const conversation = await this.store.getConversation(conversationId);
    if (conversation === undefined) return undefined;
    return {
      channelId: DIRECTLINE_CHANNEL_ID,
      serviceUrl: this.serviceUrl,
      conversation: { id: conversation.id, isGroup: false, name: '', conversationType: 'personal' },
      user: userAccount(conversation.userId),
      bot: this.bot,
      ...(conversation.locale === undefined ? {} : { locale: conversation.locale }),
    };
  }

  override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      switch (activity.type) {
        case 'delay': {
          const ms = typeof activity.value === 'number' ? activity.value : 1000;
          await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(ms, 0), MAX_DELAY_MS)));
          responses.push({ id: '' });
          break;
        }
        // Not for the client: invoke responses have no HTTP request to answer here, traces are
        // for the Emulator only.
        case ActivityTypes.InvokeResponse:
        case ActivityTypes.Trace:
          responses.push({ id: '' });
          break;
        default: {
          const id = this.newActivityId();
          if (activity.type !== ActivityTypes.Typing) await this.append(context, { ...activity, id });
          responses.push({ id });
        }
      }
    }
    return responses;
  }

  /** Appends the new version under the same id: the client's next poll replaces the old one. */
  override async updateActivity(context: TurnContext, activity: Partial<Activity>): Promise<ResourceResponse | void> {
    if (activity.id === undefined || activity.id === '') throw new Error('DirectLineAdapter.updateActivity: activity.id is required');
    await this.append(context, activity);
    return { id: activity.id };
  }

  /** Appends a `messageDelete` marker; Web Chat does not render it, a transcript keeps the trace. */
  override async deleteActivity(context: TurnContext, reference: Partial<ConversationReference>): Promise<void> {
    if (reference.activityId === undefined) throw new Error('DirectLineAdapter.deleteActivity: reference.activityId is required');
    await this.append(context, {
      type: ActivityTypes.MessageDelete,
      id: reference.activityId,
      ...(reference.conversation === undefined ? {} : { conversation: reference.conversation }),
    });
  }

  /** A turn outside the citizen's (a staff member's reply), as the conversation's agency. */
  override async continueConversation(reference: Partial<ConversationReference>, logic: Logic): Promise<void> {
    const request = TurnContext.applyConversationReference(
      { type: ActivityTypes.Event, name: ActivityEventNames.ContinueConversation, id: this.newActivityId(), timestamp: this.now() },
      { channelId: DIRECTLINE_CHANNEL_ID, serviceUrl: this.serviceUrl, bot: this.bot, ...reference },
      true,
    );
    const conversationId = request.conversation?.id;
    const conversation = conversationId === undefined ? undefined : await this.store.getConversation(conversationId);
    const context = new TurnContext(this, request);
    await this.runTurn(conversation === undefined ? context : agencyTurn(context, conversation), logic);
  }

  /** Stores the activity and tells the streams once it is committed. */
  private async keep(conversationId: string, activity: Partial<Activity>, options: AppendOptions = {}): Promise<void> {
    await this.store.appendActivity(conversationId, activity, options);
    await this.turns.afterCommit(conversationId, async () => this.onAppend(conversationId));
  }

  private async append(context: TurnContext, activity: Partial<Activity>): Promise<void> {
    const conversationId = activity.conversation?.id ?? context.activity.conversation?.id;
    if (conversationId === undefined) throw new Error('DirectLineAdapter: activity has no conversation id');
    const stored: Partial<Activity> = {
      ...activity,
      timestamp: this.now(),
      channelId: DIRECTLINE_CHANNEL_ID,
      serviceUrl: this.serviceUrl,
      conversation: { isGroup: false, name: '', conversationType: 'personal', ...activity.conversation, id: conversationId },
      from: { ...this.bot, ...activity.from, role: activity.from?.role ?? RoleTypes.Bot },
      ...(activity.recipient === undefined && context.activity.from !== undefined ? { recipient: context.activity.from } : {}),
    };
    await this.keep(conversationId, stored, { deliveryOnly: afterDeletion(context) });
  }
}

/**
 * The turn marked as its conversation's agency's, before any middleware or the bot reads it: the
 * bot answers from that agency's knowledge (bot/turn-agency.ts).
 */
function agencyTurn(context: TurnContext, conversation: StoredConversation): TurnContext {
  setTurnAgency(context, conversation.agency);
  return context;
}

function userAccount(userId: string): ChannelAccount {
  return { id: userId, name: '', role: RoleTypes.User };
}
