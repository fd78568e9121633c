// The shape of a conversation flow (dialogs/flows/) and the turn it is given. A flow is a plain
// module: the buttons whose actions it owns, a message it may be waiting for, the decisions it words,
// and its own slice of conversation state. respond.ts dispatches a turn to them.
import type { Activity, TurnContext } from 'botbuilder';
import type { Decision } from '../knowledge/decide.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { LanguageCode } from '../knowledge/schema.js';
import type { Texts } from '../bot/i18n.js';
import type { HandoverService } from '../bot/handover/types.js';
import type { OutcomeKind, TurnRecords } from '../bot/records.js';
import type { ButtonAction, ButtonOf } from './button-value.js';
import type { Reply, ReplyContext } from './replies.js';

export interface HandoverDeps {
  service: HandoverService;
  /** The conversation so far (redacted), oldest first, without the current turn's message. */
  transcript(context: TurnContext): Promise<Partial<Activity>[]>;
}

/** The other agencies of the installation a conversation may continue with. */
export interface Forwarding {
  /** Whether the installation serves this agency now. */
  hosts(agency: string): boolean;
}

/** What a flow may use. Storage and the staff side are reached only through these. */
export interface FlowDeps {
  knowledge: () => Knowledge;
  texts: Texts;
  records: TurnRecords;
  /** Languages the agency offers now: staff languages that also have texts. Latvian first. */
  offeredLanguages: () => LanguageCode[];
  now: () => Date;
  /** Handing over to a person; absent when the agency has no staff side configured. */
  handover?: HandoverDeps;
  /** Forwarding to another agency of the installation; absent when it serves one agency. */
  forwarding?: Forwarding;
}

/** The conversation's language: every flow speaks it; the decision, a language switch and a handover in Latvian change it. */
export interface ConversationLanguage {
  language: LanguageCode;
}

/** One turn as a flow sees it. `S` is the slice of conversation state the flow reads and writes. */
export interface Turn<S extends object = object> {
  readonly context: TurnContext;
  readonly deps: FlowDeps;
  /** Saved when the turn ends. */
  readonly data: S & ConversationLanguage;
  readonly conversationId: string;
  /** The words of the conversation's language as it is now (a flow may just have changed it). */
  replyContext(): ReplyContext;
  /** The turn's outcome, for the reports, in the conversation's language as it is now; a forward names the other agency. */
  record(kind: OutcomeKind, decision?: Decision, otherAgency?: string): Promise<void>;
}

/** What the citizen typed (redacted) and how it sounded, given with the decision on it. */
export interface Said {
  text: string;
  upset: boolean;
}

export type DecisionKind = Decision['kind'];
export type DecisionOf<K extends DecisionKind> = Extract<Decision, { kind: K }>;

export type Replies = Reply[] | Promise<Reply[]>;
export type ButtonHandler<S extends object, A extends ButtonAction> = (turn: Turn<S>, value: ButtonOf<A>) => Replies;
export type DecisionHandler<S extends object, K extends DecisionKind> = (turn: Turn<S>, decision: DecisionOf<K>, said: Said) => Replies;
/** The replies when the flow takes the message (or the turn), none to take it silently; undefined lets it pass on. */
export type Taken = Promise<Reply[] | undefined>;

export interface Flow<S extends object> {
  /** The actions this flow owns; every action has exactly one owner (respond.ts). */
  buttons?: { [A in ButtonAction]?: ButtonHandler<S, A> };
  /** A typed message the flow is waiting for (a step it asked for), taken before any decision. */
  takesMessage?: (turn: Turn<S>, text: string) => Taken;
  /** The whole turn, buttons included, while the flow holds the conversation. */
  takesTurn?: (turn: Turn<S>) => Taken;
  /** The decision kinds this flow words; every kind has exactly one owner (respond.ts). */
  decisions?: { [K in DecisionKind]?: DecisionHandler<S, K> };
}

type ClaimedTwice<T extends readonly object[], Seen = never> = T extends readonly [infer H extends object, ...infer R extends readonly object[]]
  ? (keyof H & Seen) | ClaimedTwice<R, Seen | keyof H>
  : never;
type Merged<T extends readonly object[]> = T extends readonly [infer H, ...infer R extends readonly object[]] ? H & Merged<R> : unknown;

/**
 * One table from the flows' own tables of buttons or decisions. A key two flows claim is a compile
 * error naming it (a spread would silently keep the last); a key no flow claims fails where the
 * table is given its full type.
 */
export function oneOwner<const T extends readonly object[]>(
  ...tables: T & ([ClaimedTwice<T>] extends [never] ? unknown : { claimedTwice: ClaimedTwice<T> })
): Merged<T> {
  return Object.assign({}, ...tables) as Merged<T>;
}

export function replyContext(deps: FlowDeps, language: LanguageCode): ReplyContext {
  return {
    knowledge: deps.knowledge(),
    t: deps.texts.forLanguage(language),
    language,
    staffSpeak: deps.offeredLanguages().includes(language),
    canHandOver: deps.handover !== undefined,
    canForwardTo: (agency) => agency !== deps.knowledge().profile.id && (deps.forwarding?.hosts(agency) ?? false),
  };
}

export function startTurn<S extends object>(context: TurnContext, deps: FlowDeps, data: S & ConversationLanguage): Turn<S> {
  return {
    context,
    deps,
    data,
    // Read when asked: a greeting, which never needs it, does not depend on it.
    get conversationId() {
      return context.activity.conversation.id;
    },
    replyContext: () => replyContext(deps, data.language),
    record: async (kind, decision, otherAgency) => {
      const entryId = decision?.kind === 'answer' || decision?.kind === 'smalltalk' ? decision.entry.id : undefined;
      const authorityIds = decision?.kind === 'refer' || decision?.kind === 'answer' ? decision.referrals.map((a) => a.id) : [];
      await deps.records.outcome({
        conversationId: context.activity.conversation.id,
        channel: context.activity.channelId,
        language: data.language,
        kind,
        ...(entryId ? { entryId } : {}),
        authorityIds,
        ...(otherAgency ? { otherAgency } : {}),
        at: deps.now(),
      });
    },
  };
}
