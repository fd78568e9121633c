// Messages to a citizen outside their own turn (a staff member's reply, a queue update): through
// the adapter of the channel the citizen is on, with the conversation's state loaded and saved.
import type { BotAdapter, ConversationReference, TurnContext } from 'botbuilder';
import { errorFields, type Logger } from './log.js';

export interface ChannelAdapters {
  /** Adapters by Bot Framework channel id; anything else goes to `fallback` (Azure Bot Service). */
  byChannel: Record<string, BotAdapter | undefined>;
  fallback: BotAdapter;
  /** The bot's app id for Azure's continueConversationAsync (empty when self-hosted). */
  appId: string;
}

export function proactiveSender(adapters: ChannelAdapters, log: Logger) {
  return async (reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> => {
    const adapter = (reference.channelId && adapters.byChannel[reference.channelId]) || adapters.fallback;
    try {
      await adapter.continueConversationAsync(adapters.appId, reference, logic);
    } catch (err) {
      // Never the message text: which channel and why is enough to follow up.
      log.error({ err: errorFields(err), channel: reference.channelId }, 'proactive message not delivered');
    }
  };
}
