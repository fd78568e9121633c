// A citizen's request to delete this conversation, made by a turn and carried out once the turn is
// over (after its replies, state and transcript are written, which would otherwise bring parts of it
// back): the recording middleware asks `deletionRequested` (bot/storage/recording.ts, wired by the app).
import type { Activity, TurnContext } from 'botbuilder';

const DELETE_REQUESTED = Symbol('padoms.deleteConversation');

/** Deletes the conversation from every store once this turn is over; then `farewell` is sent, unrecorded. */
export function requestConversationDeletion(context: TurnContext, farewell: Partial<Activity>[]): void {
  context.turnState.set(DELETE_REQUESTED, farewell);
}

/** The farewell of a deletion this turn asked for, or undefined. */
export function deletionRequested(context: TurnContext): Partial<Activity>[] | undefined {
  return context.turnState.get(DELETE_REQUESTED) as Partial<Activity>[] | undefined;
}
