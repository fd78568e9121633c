// Deleting the conversation at the citizen's request: asked for, confirmed (it cannot be undone),
// and carried out once the turn is over, after its replies, state and transcript are written, which
// would otherwise bring parts of it back. The recording middleware asks `deletionRequested`
// (bot/storage/recording.ts, wired by the app).
import { MessageFactory, type Activity, type TurnContext } from 'botbuilder';
import type { Flow } from '../flow.js';
import { button, type Reply, type ReplyContext } from '../replies.js';

const DELETE_REQUESTED = Symbol('padoms.deleteConversation');

/** Deletes the conversation from every store once this turn is over; then `farewell` is sent, unrecorded. */
export function requestConversationDeletion(context: TurnContext, farewell: Partial<Activity>[]): void {
  context.turnState.set(DELETE_REQUESTED, farewell);
}

/** The farewell of a deletion this turn asked for, or undefined. */
export function deletionRequested(context: TurnContext): Partial<Activity>[] | undefined {
  return context.turnState.get(DELETE_REQUESTED) as Partial<Activity>[] | undefined;
}

/** Deleting the conversation asks first: it cannot be undone. */
function confirmDeletion({ t }: ReplyContext): Reply[] {
  const reply = MessageFactory.text(t('privacy.deleteConfirm'));
  reply.suggestedActions = {
    to: [],
    actions: [
      button(t('privacy.deleteYes'), { action: 'delete-conversation', confirm: true }),
      button(t('privacy.deleteNo'), { action: 'delete-conversation', confirm: false }),
    ],
  };
  return [reply];
}

export const deletion = {
  buttons: {
    'delete-conversation': (turn, value) => {
      const { t } = turn.replyContext();
      if (!value.confirm) return [MessageFactory.text(t('privacy.deleteKept'))];
      // Runs after this turn, once its state and transcript are written (they would otherwise bring
      // parts of the conversation back); the confirmation goes out after the deletion.
      requestConversationDeletion(turn.context, [MessageFactory.text(t('privacy.deleted'))]);
      return [];
    },
  },
  decisions: {
    'delete-conversation': (turn) => confirmDeletion(turn.replyContext()),
  },
} satisfies Flow<object>;
