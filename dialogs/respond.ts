// One citizen turn, dispatched to the flows (dialogs/flows/): a flow that holds the conversation
// (the silence after an abusive one), the flow that owns the button pressed, a flow waiting for the
// message typed, else a decision worded by the flow that owns its kind; then sent and recorded.
import { MessageFactory, type TurnContext } from 'botbuilder';
import { decide, type DecisionContext, type DecisionResult, type DecisionSettings } from '../knowledge/decide.js';
import type { Tone } from '../knowledge/conduct.js';
import type { FrameName } from '../knowledge/frames.js';
import type { LanguageCode } from '../knowledge/schema.js';
import { redact, withoutRedactions } from '../bot/privacy/redact.js';
import { buttonValue, type ButtonAction, type ButtonOf } from './button-value.js';
import {
  oneOwner,
  replyContext,
  startTurn,
  type ButtonHandler,
  type DecisionHandler,
  type DecisionKind,
  type DecisionOf,
  type Flow,
  type FlowDeps,
  type Said,
  type Turn,
} from './flow.js';
import type { Reply } from './replies.js';
import { newConversationData, type ConversationData, type StateAccessors } from './state.js';
import { answering } from './flows/answering.js';
import { leavingAQuestion } from './flows/case.js';
import { complaint } from './flows/complaint.js';
import { conduct, heardFirst } from './flows/conduct.js';
import { deletion } from './flows/deletion.js';
import { arrived, forwarding, lastMove, movedAway, settleGoneAgency, undoLastMove, welcomeBack, withWayBack } from './flows/forwarding.js';
import { greetOnce, greetingOf } from './flows/greeting.js';
import { handover } from './flows/handover.js';
import { language } from './flows/language.js';
import { rating } from './flows/rating.js';
import { referral } from './flows/referral.js';

export interface LanguageTools {
  detectLanguage: (text: string) => { language: string; reliable: boolean };
  requestedLanguage: (text: string) => string | null;
}

export interface ConductTools {
  toneOf: (text: string) => Tone;
  framesOf: (text: string) => FrameName[];
}

export interface TurnDeps extends FlowDeps {
  /** Forwarding, with the turn dependencies of the agency a conversation continues with. */
  forwarding?: FlowDeps['forwarding'] & { depsOf(agency: string): TurnDeps | undefined };
  state: StateAccessors;
  languages: LanguageTools;
  conduct: ConductTools;
  decisionSettings?: DecisionSettings;
  /** Longest message read; longer ones are asked to be shortened. */
  maxMessageLength: number;
  /** Told of every decision with its turn: `npm run ask` and metrics listen here. */
  onDecision?: (d: DecisionResult, context: TurnContext) => void;
}

/** Every action has exactly one flow (a compile error otherwise: see `oneOwner`). */
const BUTTONS: { [A in ButtonAction]: ButtonHandler<ConversationData, A> } = oneOwner(
  answering.buttons,
  handover.buttons,
  leavingAQuestion.buttons,
  rating.buttons,
  deletion.buttons,
  language.buttons,
  complaint.buttons,
  forwarding.buttons,
);

/** Every decision kind has exactly one flow. */
const DECISIONS: { [K in DecisionKind]: DecisionHandler<ConversationData, K> } = oneOwner(
  answering.decisions,
  referral.decisions,
  handover.decisions,
  rating.decisions,
  deletion.decisions,
  conduct.decisions,
  language.decisions,
  complaint.decisions,
);

/**
 * Flows that may be waiting for the citizen's next message, in this order: a person has the
 * conversation (or is about to take it); the citizen is leaving a question; the bot asked for a
 * suggestion or a comment on the rating.
 */
const WAITING: readonly Required<Pick<Flow<ConversationData>, 'takesMessage'>>[] = [handover, leavingAQuestion, rating];

export async function greet(context: TurnContext, deps: TurnDeps): Promise<void> {
  const data = await deps.state.conversationData.get(context, newConversationData());
  await send(context, greetOnce(startTurn(context, deps, data)));
}

export async function respond(context: TurnContext, deps: TurnDeps): Promise<void> {
  const data = await deps.state.conversationData.get(context, newConversationData());
  const turn = startTurn(context, deps, data);
  settleGoneAgency(turn);
  const silenced = await conduct.takesTurn(turn);
  if (silenced) return send(context, silenced);
  const value = buttonValue(context.activity.value);
  if (value) {
    const replies = await press(turn, value.action, value);
    return send(context, movedAway(turn) ? [...replies, ...(await arrival(context, deps, data))] : withWayBackWhileForwarded(turn, deps, replies));
  }
  await send(context, withWayBackWhileForwarded(turn, deps, await replyToText(turn, deps)));
}

/** The replies to what the citizen typed: a flow waiting for it, else a decision. */
async function replyToText(turn: Turn<ConversationData>, deps: TurnDeps): Promise<Reply[]> {
  const raw = (turn.context.activity.text ?? '').trim();
  if (raw === '') return [MessageFactory.text(turn.replyContext().t('error.notText'))];
  if (raw.length > deps.maxMessageLength) return [MessageFactory.text(turn.replyContext().t('error.tooLong', { max: deps.maxMessageLength }))];
  const { text, found } = redact(raw);
  for (const flow of WAITING) {
    const taken = await flow.takesMessage(turn, text);
    if (taken) return taken;
  }
  const out: Reply[] = found.length > 0 ? [MessageFactory.text(turn.replyContext().t('privacy.redacted'))] : [];
  out.push(...(await decided(turn, deps, text)));
  return out;
}

/** While a conversation is with the agency it was forwarded to, every turn's last reply offers the way back. */
function withWayBackWhileForwarded(turn: Turn<ConversationData>, deps: TurnDeps, replies: Reply[]): Reply[] {
  // Not while a person has the conversation or one is being asked for: it stays with this agency.
  const back = turn.data.handoverFlow === undefined ? turn.data.trail?.at(-1) : undefined;
  const to = back === undefined ? undefined : deps.forwarding?.depsOf(back);
  return to === undefined ? replies : withWayBack(replies, turn.replyContext(), replyContext(to, turn.data.language));
}

/**
 * What a turn decides a message with: the agency's knowledge now, its offered languages, the
 * language and conduct tools. Also the staff console's preview ("how would the bot answer this?",
 * bot/staff/routes/studio.ts), through app.ts, so the preview cannot drift from the bot.
 */
export function decisionContext(deps: TurnDeps, conversationLanguage: LanguageCode): DecisionContext {
  return {
    knowledge: deps.knowledge(),
    offeredLanguages: deps.offeredLanguages(),
    conversationLanguage,
    ...deps.languages,
    ...deps.conduct,
    ...(deps.decisionSettings ? { settings: deps.decisionSettings } : {}),
  };
}

/** A (redacted) question decided and worded: the replies, the outcome recorded. */
async function decided(turn: Turn<ConversationData>, deps: TurnDeps, text: string): Promise<Reply[]> {
  const { context, data } = turn;
  const result = decide(withoutRedactions(text), decisionContext(deps, data.language));
  deps.onDecision?.(result, context);
  const { decision } = result;
  data.language = result.language;
  const out: Reply[] = result.upset ? [heardFirst(turn.replyContext())] : [];
  out.push(...(await word(turn, decision.kind, decision, { text, upset: result.upset })));
  await turn.record(decision.kind, decision);
  return out;
}

/**
 * The conversation has just moved to another agency of the installation (a forward, or back): that
 * agency takes the rest of the turn in its own words. Forwarded, it greets (saying it is an
 * automated program) and answers the question already asked; back, it says so.
 */
async function arrival(context: TurnContext, from: TurnDeps, data: ConversationData): Promise<Reply[]> {
  const to = data.agency === undefined ? undefined : from.forwarding?.depsOf(data.agency);
  const left = replyContext(from, data.language);
  if (to === undefined) {
    // Gone between the press and now (its folder removed): the conversation stays where it was.
    undoLastMove(data);
    return [MessageFactory.text(left.t('forward.unavailable'))];
  }
  const turn = startTurn(context, to, data);
  if (lastMove(data)?.back) return welcomeBack(turn.replyContext());
  await turn.record('forwarded', undefined, left.knowledge.profile.id);
  const question = data.forwardQuestion;
  delete data.forwardQuestion;
  const replies = [arrived(turn.replyContext(), left), ...greetingOf(turn), ...(question === undefined ? [] : await decided(turn, to, question))];
  return withWayBack(replies, turn.replyContext(), left);
}

// The action (or kind) is passed apart from its value, so that TypeScript knows the table's handler
// takes that value (a correlated union).
function press<A extends ButtonAction>(turn: Turn<ConversationData>, action: A, value: ButtonOf<A>) {
  return BUTTONS[action](turn, value);
}

function word<K extends DecisionKind>(turn: Turn<ConversationData>, kind: K, decision: DecisionOf<K>, said: Said) {
  return DECISIONS[kind](turn, decision, said);
}

async function send(context: TurnContext, out: Reply[]): Promise<void> {
  if (out.length > 0) await context.sendActivities(out);
}
