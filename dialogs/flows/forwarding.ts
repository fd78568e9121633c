// Forwarding (R2, R8): when a question belongs to a body that this installation also serves, its
// referral offers to continue the conversation with it here. Nothing passes before the citizen
// presses the offer; then the same chat continues with that agency, which greets, says it is an
// automated program, and answers the question already asked (respond.ts runs its arrival). The
// citizen can go back. Both agencies record the forward, out and in, for their reports.
import { MessageFactory } from 'botbuilder';
import type { Authority } from '../../knowledge/schema.js';
import { forwardableAgency } from '../authorities.js';
import type { Flow, Turn } from '../flow.js';
import { agencyName, button, pick, type Reply, type ReplyContext } from '../replies.js';

export interface ForwardingState {
  /** The agency the conversation continues with (a folder name); unset: the channel's own. */
  agency?: string;
  /** The agency it was forwarded from: where "back" returns to. */
  forwardedFrom?: string;
  /** When the citizen agreed (ISO time). */
  forwardedAt?: string;
  /** The citizen's press that agreed (its activity id): the new agency's staff see what came after it. */
  forwardedAfter?: string;
  /** The question last referred to an agency the conversation may continue with (redacted): what it answers on arrival. */
  forwardQuestion?: string;
}

/** Keeps the question for the agencies a referral offers to continue with; forgets it otherwise. */
export function rememberForForwarding(turn: Turn<ForwardingState>, authorities: readonly Authority[], question: string | undefined): void {
  const ctx = turn.replyContext();
  if (question !== undefined && authorities.some((a) => forwardableAgency(ctx, a) !== undefined)) turn.data.forwardQuestion = question;
  else delete turn.data.forwardQuestion;
}

/** Whether the last button press moved the conversation to another agency (its arrival is due). */
export function movedAway(turn: Turn<ForwardingState>): boolean {
  return turn.data.agency !== undefined && turn.data.agency !== turn.deps.knowledge().profile.id;
}

/** The first words of the agency the conversation arrives at, before its greeting. */
export function arrived(ctx: ReplyContext, from: ReplyContext): Reply {
  return MessageFactory.text(ctx.t('forward.arrived', { agency: agencyName(ctx), from: agencyName(from) }));
}

/** The conversation back where it was: said by the agency it returns to. */
export function welcomeBack(ctx: ReplyContext): Reply[] {
  return [MessageFactory.text(ctx.t('forward.welcomeBack', { agency: agencyName(ctx) }))];
}

/** Offers the way back on the last reply's buttons (the ones a chat shows), worded by the new agency. */
export function withWayBack(replies: Reply[], ctx: ReplyContext, from: ReplyContext): Reply[] {
  const last = replies.at(-1);
  if (last === undefined) return replies;
  const { shortName, name } = from.knowledge.profile;
  const back = button(ctx.t('forward.back', { agency: pick(shortName ?? name, ctx.language) }), { action: 'forward-back' });
  last.suggestedActions = { to: [], actions: [...(last.suggestedActions?.actions ?? []), back] };
  return replies;
}

export const forwarding = {
  buttons: {
    forward: async (turn, value) => {
      const { data, deps } = turn;
      const ctx = turn.replyContext();
      // The offer may be old: the agency may no longer be served, or the conversation is with it already.
      if (!ctx.canForwardTo?.(value.agency)) return [MessageFactory.text(ctx.t('forward.unavailable'))];
      const authority = [...ctx.knowledge.authorities.values()].find((a) => a.agency === value.agency);
      await turn.record('forward', undefined, value.agency);
      data.forwardedFrom = ctx.knowledge.profile.id;
      data.forwardedAt = deps.now().toISOString();
      // An activity, not a time: the transcript's times are too coarse to cut it between two of them.
      const pressed = turn.context.activity.id;
      if (pressed === undefined) delete data.forwardedAfter;
      else data.forwardedAfter = pressed;
      data.agency = value.agency;
      return [MessageFactory.text(ctx.t('forward.done', { authority: authority ? pick(authority.name, data.language) : value.agency }))];
    },
    'forward-back': async (turn) => {
      const { data } = turn;
      const ctx = turn.replyContext();
      const from = data.forwardedFrom;
      if (from === undefined || !ctx.canForwardTo?.(from)) return [MessageFactory.text(ctx.t('forward.unavailable'))];
      await turn.record('forward', undefined, from);
      data.agency = from;
      delete data.forwardedFrom;
      delete data.forwardedAt;
      delete data.forwardedAfter;
      delete data.forwardQuestion;
      return [MessageFactory.text(ctx.t('forward.backDone'))];
    },
  },
} satisfies Flow<ForwardingState>;
