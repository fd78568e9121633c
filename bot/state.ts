// Every piece of bot state, declared once. State is plain JSON; accessors are created once in the
// composition root and passed down.
import type { ConversationState, StatePropertyAccessor } from 'botbuilder';
import type { LanguageCode } from '../knowledge/schema.js';
import type { HandoverReason } from './handover/types.js';

/** How a citizen who leaves a question wants the answer: the flow's own copy, kept in state. */
export type CaseContact = { email: string } | { phone: string };

/** Where a citizen is in the flow of handing over or leaving a question (dialogs/handover.ts). */
export type HandoverFlow =
  | { step: 'consent'; reason: HandoverReason }
  | { step: 'case-contact' }
  | { step: 'case-question'; contact: CaseContact }
  | { step: 'case-consent'; contact: CaseContact; question: string };

export const STATE_PROPERTIES = {
  conversation: 'conversationData',
} as const;

export interface ConversationData {
  language: LanguageCode;
  greeted: boolean;
  /** The last entry answered, for "did it help" and follow-ups. */
  lastEntryId?: string;
  /** Ids offered in the last clarifying question, to record the citizen's choice. */
  offeredIds?: string[];
  /** The last unanswerable question, redacted, kept until the citizen says "none of these". */
  pendingQuestion?: string;
  /** A message the bot asked for: the next text is taken as such. */
  awaiting?: 'suggestion' | 'rating-comment';
  /** Abusive messages warned about so far (R6). */
  abuseWarnings?: number;
  /** Until when the bot stays silent after ending an abusive conversation (ISO time). */
  silencedUntil?: string;
  /** The citizen was told, once, when they may write again. */
  silenceExplained?: boolean;
  /** Fallbacks and "did not help" in a row: two make the bot offer a person. */
  unhelped?: number;
  /** Where the citizen is in handing over or leaving a question. */
  handoverFlow?: HandoverFlow;
}

export const newConversationData = (): ConversationData => ({ language: 'lv', greeted: false });

export interface StateAccessors {
  conversationState: ConversationState;
  conversationData: StatePropertyAccessor<ConversationData>;
}

export function createStateAccessors(conversationState: ConversationState): StateAccessors {
  return {
    conversationState,
    conversationData: conversationState.createProperty<ConversationData>(STATE_PROPERTIES.conversation),
  };
}
