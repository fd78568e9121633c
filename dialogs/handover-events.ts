// A staff-side change told to the citizen, in the conversation's own language, outside their turn.
import type { TurnContext } from 'botbuilder';
import type { HandoverEvent } from '../bot/handover/types.js';
import { newConversationData } from './state.js';
import type { TurnDeps } from './respond.js';
import { describeEvent } from './flows/handover.js';

/**
 * What the channel says of its delivery in this turn: a channel that could not deliver (Messenger
 * outside its 24-hour window) gives the reason, and the staff member must hear that the citizen did
 * not get the message. Given by the app, which knows the channels.
 */
export interface DeliveryReport {
  failure(context: TurnContext): string | undefined;
  undelivered(conversationId: string, reason: string): Promise<void>;
}

export async function tellCitizen(context: TurnContext, deps: TurnDeps, event: HandoverEvent, delivery?: DeliveryReport): Promise<void> {
  const data = await deps.state.conversationData.get(context, newConversationData());
  const ctx = {
    knowledge: deps.knowledge(),
    t: deps.texts.forLanguage(data.language),
    language: data.language,
    canHandOver: true,
  };
  const replies = describeEvent(ctx, event);
  if (replies.length > 0) await context.sendActivities(replies);
  await deps.state.conversationState.saveChanges(context, false);
  const failure = delivery?.failure(context);
  if (failure !== undefined && event.type === 'staff-message') await delivery?.undelivered(event.conversationId, failure);
}
