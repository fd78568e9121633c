// Channel rules around the bot's own turns on Messenger: the privacy notice on first contact, and
// "start over" from the persistent menu.
import { ActivityTypes, MessageFactory, type TurnContext } from 'botbuilder';
import type { Texts } from '../i18n.js';
import { newConversationData, type StateAccessors } from '../../dialogs/state.js';
import type { Knowledge } from '../../knowledge/knowledge.js';
import { contactLine } from '../../dialogs/replies.js';
import type { MessengerChannelData } from './adapter.js';

/**
 * Messenger's own state, beside the bot's (dialogs/state.ts) in the same conversation state. On this
 * channel the conversation id is the person's PSID, so conversation state is per person, and it
 * lives in the app's storage (SQLite by default): the notice is shown once per person, also across
 * restarts, with no separate store to bound. It goes when the conversation state is deleted
 * (retention), after which the person is told again, which is the safe direction.
 */
export const MESSENGER_STATE_PROPERTY = 'messengerData' as const;

export interface MessengerConversationData {
  /** When the privacy notice was shown (ISO time). */
  privacyNoticeAt?: string;
}

export interface FirstContactDeps {
  logic: (context: TurnContext) => Promise<void>;
  state: StateAccessors;
  texts: Texts;
  /** The knowledge of the agency the turn speaks for (its contacts end the notice). */
  knowledge: (context: TurnContext) => Knowledge;
  now: () => Date;
}

/**
 * Wraps the bot's logic for Messenger turns:
 * - "start over" clears the dialog and what the bot remembers of the conversation (keeping its
 *   language), so the conversationUpdate that follows greets again;
 * - the first turn from a person ends with the privacy notice (the conversation passes through
 *   Meta; personal matters belong in the website chat or official channels), in the language the
 *   turn ended in. The adapter makes that first turn the greeting, so the notice follows it.
 */
export function withFirstContact(deps: FirstContactDeps): (context: TurnContext) => Promise<void> {
  const messengerData = deps.state.conversationState.createProperty<MessengerConversationData>(MESSENGER_STATE_PROPERTY);
  return async (context) => {
    const { activity } = context;
    const fromPerson = activity.type === ActivityTypes.Message || activity.type === ActivityTypes.ConversationUpdate;
    if (activity.type === ActivityTypes.ConversationUpdate && (activity.channelData as MessengerChannelData | undefined)?.restart === true) {
      const previous = await deps.state.conversationData.get(context, newConversationData());
      await deps.state.conversationData.set(context, { ...newConversationData(), language: previous.language });
    }
    let notify = false;
    if (fromPerson) {
      const data = await messengerData.get(context, {});
      if (data.privacyNoticeAt === undefined) {
        // Marked before the turn, so the bot's own save at the end of the turn keeps it.
        data.privacyNoticeAt = deps.now().toISOString();
        notify = true;
      }
    }
    await deps.logic(context);
    if (notify) {
      const { language } = await deps.state.conversationData.get(context, newConversationData());
      const t = deps.texts.forLanguage(language);
      await context.sendActivity(
        MessageFactory.text(t('messenger.privacyNotice', { contacts: contactLine({ knowledge: deps.knowledge(context), t, language }) })),
      );
    }
    // The bot saves at the end of its turn; this only writes if something changed since.
    await deps.state.conversationState.saveChanges(context);
  };
}
