// Every piece of conversation state, declared once: each flow declares its own slice (dialogs/flows/)
// and the conversation's data is their sum. State is plain JSON under one property of botbuilder's
// conversation state; the field names are those of stored conversations, which must survive an
// upgrade. Accessors are created once in the composition root and passed down.
import type { ConversationState, StatePropertyAccessor } from 'botbuilder';
import type { ConversationLanguage } from './flow.js';
import type { AnsweringState } from './flows/answering.js';
import type { ConductState } from './flows/conduct.js';
import type { ForwardingState } from './flows/forwarding.js';
import type { GreetingState } from './flows/greeting.js';
import type { HandoverState } from './flows/handover.js';
import type { RatingState } from './flows/rating.js';

export const STATE_PROPERTIES = {
  conversation: 'conversationData',
} as const;

export interface ConversationData extends ConversationLanguage, GreetingState, AnsweringState, HandoverState, RatingState, ConductState, ForwardingState {}

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
