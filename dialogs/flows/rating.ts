// What the citizen thinks of the service, recorded for the agency: a rating (R12) with an optional
// comment, and suggestions. A comment and a suggestion are both the next message the citizen types.
import { MessageFactory } from 'botbuilder';
import type { Flow, Turn } from '../flow.js';
import { button, type Reply, type ReplyContext } from '../replies.js';

export interface RatingState {
  /** A message the bot asked for: the next text is taken as such. */
  awaiting?: 'suggestion' | 'rating-comment';
}

/** R12: satisfaction, 1 (poor) to 5 (very good). */
export function ratingPrompt({ t }: ReplyContext): Reply[] {
  const reply = MessageFactory.text(t('rating.ask'));
  reply.suggestedActions = { to: [], actions: [1, 2, 3, 4, 5].map((score) => button(String(score), { action: 'rate', score })) };
  return [reply];
}

function ratingThanks({ t }: ReplyContext): Reply[] {
  const reply = MessageFactory.text(t('rating.thanks'));
  reply.suggestedActions = { to: [], actions: [button(t('rating.addComment'), { action: 'comment' })] };
  return [reply];
}

/** A message the citizen was asked for (a suggestion, a comment on the rating) is taken as such. */
async function awaited(turn: Turn<RatingState>, text: string): Promise<Reply[] | undefined> {
  const { data, deps } = turn;
  const base = { conversationId: turn.conversationId, language: data.language, at: deps.now() };
  const awaiting = data.awaiting;
  delete data.awaiting;
  if (awaiting !== 'suggestion' && awaiting !== 'rating-comment') return undefined;
  const { t } = turn.replyContext();
  if (awaiting === 'suggestion') await deps.records.suggestion({ ...base, text });
  else await deps.records.ratingComment({ ...base, comment: text });
  return [MessageFactory.text(t(awaiting === 'suggestion' ? 'suggestion.thanks' : 'rating.commentThanks'))];
}

export const rating = {
  buttons: {
    rate: async (turn, value) => {
      await turn.deps.records.rating({ conversationId: turn.conversationId, at: turn.deps.now(), language: turn.data.language, score: value.score });
      return ratingThanks(turn.replyContext());
    },
    comment: (turn) => {
      turn.data.awaiting = 'rating-comment';
      return [MessageFactory.text(turn.replyContext().t('rating.commentInvite'))];
    },
  },
  takesMessage: awaited,
  decisions: {
    suggestion: (turn) => {
      turn.data.awaiting = 'suggestion';
      return [MessageFactory.text(turn.replyContext().t('suggestion.invite'))];
    },
  },
} satisfies Flow<RatingState>;
