// Forwarding (R2, R8): when a question belongs to a body that this installation also serves, its
// referral offers to continue the conversation with it here. Nothing passes before the citizen
// presses the offer; then the same chat continues with that agency, which greets, says it is an
// automated program, and answers the question offered to it (respond.ts runs its arrival). The
// citizen can go back, one agency at a time. Each agency's staff see only the parts of the
// conversation held with it (`partOf`), and each agency's report counts the forwards out and in.
import { MessageFactory, type Activity } from 'botbuilder';
import type { Authority } from '../../knowledge/schema.js';
import { forwardableAgency } from '../authorities.js';
import type { Flow, Turn } from '../flow.js';
import { agencyName, button, pick, type Reply, type ReplyContext } from '../replies.js';
import type { HandoverState } from './handover.js';

/** One move of the conversation between agencies: after which press of the citizen, and when. */
export interface AgencyMove {
  from: string;
  to: string;
  /** The activity id of the citizen's press that moved it (undefined where the channel gives none). */
  after?: string;
  /** ISO time of the move: where the press is not in the transcript, the cut falls here. */
  at: string;
  /** A return to where the conversation was forwarded from. */
  back: boolean;
}

export interface ForwardingState {
  /** The agency the conversation is with, once it has moved (a folder name); unset: the channel's own. */
  agency?: string;
  /** Where "back" returns to: the agencies the conversation was forwarded from, the latest last. */
  trail?: string[];
  /** Every move, in order: what each agency's staff may see is cut by them. */
  moves?: AgencyMove[];
  /** The question last referred to agencies the conversation may continue with, and which (redacted). */
  forwardOffer?: { question: string; agencies: string[] };
  /** The question the agency arriving now answers first, taken from the offer it was pressed for. */
  forwardQuestion?: string;
}

type State = ForwardingState & HandoverState;

/** Keeps the question for the agencies a referral offers to continue with; forgets it otherwise. */
export function rememberForForwarding(turn: Turn<ForwardingState>, authorities: readonly Authority[], question: string | undefined): void {
  const ctx = turn.replyContext();
  const agencies = authorities.map((a) => forwardableAgency(ctx, a)).filter((a): a is string => a !== undefined);
  if (question !== undefined && agencies.length > 0) turn.data.forwardOffer = { question, agencies };
  else delete turn.data.forwardOffer;
}

/** Whether the last button press moved the conversation to another agency (its arrival is due). */
export function movedAway(turn: Turn<ForwardingState>): boolean {
  return turn.data.agency !== undefined && turn.data.agency !== turn.deps.knowledge().profile.id;
}

/** The last move, when it is the one this turn made. */
export function lastMove(data: ForwardingState): AgencyMove | undefined {
  return data.moves?.at(-1);
}

/** Takes back the last move (the agency it went to is gone): the conversation stays where it was. */
export function undoLastMove(data: ForwardingState): void {
  const move = data.moves?.pop();
  if (move === undefined) return;
  data.agency = move.from;
  if (move.back) data.trail = [...(data.trail ?? []), move.to];
  else data.trail?.pop();
}

/**
 * The conversation is here although its state says another agency has it: that agency is no longer
 * served (its folder removed) and the channel's own took the turn. Nothing is left to go back to.
 */
export function settleGoneAgency(turn: Turn<ForwardingState>): void {
  const here = turn.deps.knowledge().profile.id;
  if (turn.data.agency === undefined || turn.data.agency === here) return;
  turn.data.agency = here;
  delete turn.data.trail;
  delete turn.data.forwardQuestion;
}

/** The first words of the agency the conversation arrives at, before its greeting. */
export function arrived(ctx: ReplyContext, from: ReplyContext): Reply {
  return MessageFactory.text(ctx.t('forward.arrived', { agency: agencyName(ctx), from: agencyName(from) }));
}

/** The conversation back where it was: said by the agency it returns to. */
export function welcomeBack(ctx: ReplyContext): Reply[] {
  return [MessageFactory.text(ctx.t('forward.welcomeBack', { agency: agencyName(ctx) }))];
}

/** Offers the way back on the last reply's buttons (the ones a chat shows), worded by the agency the conversation is with. */
export function withWayBack(replies: Reply[], ctx: ReplyContext, to: ReplyContext): Reply[] {
  const last = replies.at(-1);
  if (last === undefined) return replies;
  const { shortName, name } = to.knowledge.profile;
  const back = button(ctx.t('forward.back', { agency: pick(shortName ?? name, ctx.language) }), { action: 'forward-back' });
  last.suggestedActions = { to: [], actions: [...(last.suggestedActions?.actions ?? []), back] };
  return replies;
}

/**
 * The part of a conversation's transcript an agency may see: what was said while it had the
 * conversation, the press that moved it away included. A move is found by the press's activity id;
 * where the transcript does not hold it (a write that failed), by its time. With no moves, all of it.
 */
export function partOf(agency: string, transcript: readonly Partial<Activity>[], moves: readonly AgencyMove[]): Partial<Activity>[] {
  const first = moves[0];
  if (first === undefined) return [...transcript];
  const ids = new Set(transcript.map((a) => a.id).filter((id): id is string => id !== undefined));
  let holder = first.from;
  let next = 0;
  const out: Partial<Activity>[] = [];
  for (const activity of transcript) {
    // A move whose press is missing takes effect at the first activity after its time.
    while (next < moves.length && !(moves[next]!.after !== undefined && ids.has(moves[next]!.after!)) && timeOf(activity) > Date.parse(moves[next]!.at)) {
      holder = moves[next++]!.to;
    }
    if (holder === agency) out.push(activity);
    if (next < moves.length && activity.id !== undefined && activity.id === moves[next]!.after) holder = moves[next++]!.to;
  }
  return out;
}

function timeOf(activity: Partial<Activity>): number {
  return activity.timestamp === undefined ? Number.NEGATIVE_INFINITY : new Date(activity.timestamp).getTime();
}

/** A person has the conversation, or the citizen is on the way to one or to leaving a question: it stays where it is. */
async function busy(turn: Turn<State>): Promise<boolean> {
  if (turn.data.handoverFlow !== undefined) return true;
  return (await turn.deps.handover?.service.active(turn.conversationId)) !== undefined;
}

export const forwarding = {
  buttons: {
    forward: async (turn, value) => {
      const { data, deps } = turn;
      const ctx = turn.replyContext();
      // The offer may be old: the agency may no longer be served, or the conversation is with it already.
      if (!ctx.canForwardTo?.(value.agency)) return [MessageFactory.text(ctx.t('forward.unavailable'))];
      if (await busy(turn)) return [MessageFactory.text(ctx.t('forward.busy'))];
      const here = ctx.knowledge.profile.id;
      const authority = [...ctx.knowledge.authorities.values()].find((a) => a.agency === value.agency);
      await turn.record('forward', undefined, value.agency);
      // Only the question offered to this agency goes with the citizen (R8).
      const offer = data.forwardOffer;
      if (offer?.agencies.includes(value.agency)) data.forwardQuestion = offer.question;
      else delete data.forwardQuestion;
      delete data.forwardOffer;
      data.trail = [...(data.trail ?? []), here];
      data.moves = [...(data.moves ?? []), { from: here, to: value.agency, ...pressed(turn), at: deps.now().toISOString(), back: false }];
      data.agency = value.agency;
      return [MessageFactory.text(ctx.t('forward.done', { authority: authority ? pick(authority.name, data.language) : value.agency }))];
    },
    'forward-back': async (turn) => {
      const { data, deps } = turn;
      const ctx = turn.replyContext();
      const to = data.trail?.at(-1);
      if (to === undefined || !ctx.canForwardTo?.(to)) return [MessageFactory.text(ctx.t('forward.unavailable'))];
      if (await busy(turn)) return [MessageFactory.text(ctx.t('forward.busy'))];
      await turn.record('returned', undefined, to);
      const here = ctx.knowledge.profile.id;
      data.trail = data.trail!.slice(0, -1);
      data.moves = [...(data.moves ?? []), { from: here, to, ...pressed(turn), at: deps.now().toISOString(), back: true }];
      data.agency = to;
      delete data.forwardOffer;
      delete data.forwardQuestion;
      return [MessageFactory.text(ctx.t('forward.backDone'))];
    },
  },
} satisfies Flow<State>;

/** The citizen's press, by its activity id: the transcript is cut after it, not at a time two activities may share. */
function pressed(turn: Turn): { after?: string } {
  const id = turn.context.activity.id;
  return id === undefined ? {} : { after: id };
}
