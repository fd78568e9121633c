// A staff-side change told to the citizen, in the conversation's own language, outside their turn.
import type { TurnContext } from 'botbuilder';
import type { HandoverEvent } from '../bot/handover/types.js';
import { newConversationData } from '../bot/state.js';
import type { TurnDeps } from './respond.js';
import { describeEvent } from './handover.js';

export async function tellCitizen(context: TurnContext, deps: TurnDeps, event: HandoverEvent): Promise<void> {
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
}
