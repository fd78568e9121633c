// A staff-side change told to the citizen, in the conversation's own language, outside their turn.
import type { TurnContext } from 'botbuilder';
import type { HandoverEvent } from '../bot/handover/types.js';
import { newConversationData } from '../bot/state.js';
import type { TurnDeps } from './respond.js';
import { describeEvent } from './handover.js';
import { DELIVERY_RESULTS_KEY, type DeliveryResult } from '../bot/messenger/adapter.js';

export async function tellCitizen(
  context: TurnContext,
  deps: TurnDeps,
  event: HandoverEvent,
  onUndelivered?: (conversationId: string, reason: string) => Promise<void>,
): Promise<void> {
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
  // A channel that could not deliver (Messenger outside its 24-hour window) leaves its results on
  // the turn: the staff member must hear that the citizen did not get the message.
  const results = context.turnState.get(DELIVERY_RESULTS_KEY) as DeliveryResult[] | undefined;
  const failed = results?.find((r) => !r.delivered);
  if (failed && !failed.delivered && event.type === 'staff-message') await onUndelivered?.(event.conversationId, failed.reason);
}
