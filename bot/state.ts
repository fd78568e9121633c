// Every piece of bot state, declared once. State is plain JSON; accessors are created once in the
// composition root and passed down.
import type { ConversationState, StatePropertyAccessor } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import type { LanguageCode } from '../knowledge/schema.js';

export const STATE_PROPERTIES = {
  dialog: 'dialogState',
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
}

export const newConversationData = (): ConversationData => ({ language: 'lv', greeted: false });

export interface StateAccessors {
  conversationState: ConversationState;
  dialogState: StatePropertyAccessor<DialogState>;
  conversationData: StatePropertyAccessor<ConversationData>;
}

export function createStateAccessors(conversationState: ConversationState): StateAccessors {
  return {
    conversationState,
    dialogState: conversationState.createProperty<DialogState>(STATE_PROPERTIES.dialog),
    conversationData: conversationState.createProperty<ConversationData>(STATE_PROPERTIES.conversation),
  };
}
