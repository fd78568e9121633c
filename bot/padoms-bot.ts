// The bot: greets when a citizen joins, answers every message (dialogs/respond.ts), and turns a
// failed turn into an apology with the agency's contacts instead of silence. One bot serves every
// agency of the installation: each turn runs with the dependencies of the agency it speaks for.
import { ActivityHandler, MessageFactory, type TurnContext } from 'botbuilder';
import { greet, respond, type TurnDeps } from '../dialogs/respond.js';
import { apology, contactLine } from '../dialogs/replies.js';
import { newConversationData, STATE_PROPERTIES, type ConversationData } from '../dialogs/state.js';
import { isStorageUnavailable } from './storage/errors.js';
import { errorFields, type Logger } from './log.js';

/** Conversation state is the installation's, whichever agency a turn speaks for. */
type SharedState = Pick<TurnDeps, 'state'>;

export class PadomsBot extends ActivityHandler {
  constructor(
    /** The dependencies of the agency this turn speaks for; undefined: an agency no longer served. */
    private readonly depsOf: (context: TurnContext) => Promise<TurnDeps | undefined>,
    private readonly shared: SharedState,
    private readonly log: Logger,
    /** Told how long each turn took, for metrics. */
    private readonly onTurnDone: (seconds: number, type: string) => void = () => {},
  ) {
    super();
    this.onMembersAdded(async (context, next) => {
      const joined = (context.activity.membersAdded ?? []).some((m) => m.id !== context.activity.recipient.id);
      const deps = joined ? await this.depsOf(context) : undefined;
      if (deps) await greet(context, deps);
      await next();
    });
    this.onMessage(async (context, next) => {
      const deps = await this.depsOf(context);
      // The channels refuse an agency they do not serve; one removed mid-conversation says nothing.
      if (deps) await respond(context, deps);
      else this.log.warn({ conversationId: context.activity.conversation?.id }, 'a turn for an agency not served: no reply');
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    const started = Date.now();
    try {
      await super.run(context);
    } catch (err) {
      await this.apologise(context, err);
    } finally {
      try {
        await this.shared.state.conversationState.saveChanges(context, false);
      } catch (err) {
        this.log.error({ err: errorFields(err), conversationId: context.activity.conversation?.id }, 'saving conversation state failed');
      }
      const ms = Date.now() - started;
      this.onTurnDone(ms / 1000, context.activity.type);
      this.log.debug({ type: context.activity.type, channel: context.activity.channelId, ms }, 'turn');
    }
  }

  private async apologise(context: TurnContext, err: unknown): Promise<void> {
    const storageUnavailable = isStorageUnavailable(err);
    const deps = await this.depsOf(context);
    // Never the message text: the activity's id and type are enough to find the turn.
    this.log.error(
      {
        err: errorFields(err),
        storageUnavailable,
        activityId: context.activity.id,
        conversationId: context.activity.conversation?.id,
        type: context.activity.type,
      },
      'turn failed',
    );
    if (deps === undefined) return;
    try {
      if (storageUnavailable) {
        // The database is down: state can be neither read nor cleared. Use the language this turn
        // already loaded, else the client's locale if offered, else Latvian; the agency's contacts
        // come from the knowledge base in memory, so the citizen still learns where to turn.
        const cached = deps.state.conversationState.get(context)?.[STATE_PROPERTIES.conversation] as ConversationData | undefined;
        const locale = context.activity.locale?.slice(0, 2).toLowerCase();
        const language = cached?.language ?? deps.offeredLanguages().find((l) => l === locale) ?? 'lv';
        const t = deps.texts.forLanguage(language);
        const knowledge = deps.knowledge();
        await context.sendActivity(MessageFactory.text(t('error.unavailable', { contacts: contactLine({ knowledge, t, language }) })));
        return;
      }
      const data = await deps.state.conversationData.get(context, newConversationData());
      const knowledge = deps.knowledge();
      const [reply] = apology({ knowledge, t: deps.texts.forLanguage(data.language), language: data.language });
      await context.sendActivity(reply ?? MessageFactory.text(''));
    } catch (inner) {
      this.log.error({ err: errorFields(inner) }, 'apology failed');
    }
  }
}
