// The greeting when a citizen joins: the agency, what it can help with, privacy, and the other
// languages offered, each titled in its own language. Said once per conversation.
import { MessageFactory } from 'botbuilder';
import type { LanguageCode } from '../../knowledge/schema.js';
import type { FlowDeps, Turn } from '../flow.js';
import { agencyName, button, pickList, type Reply, type ReplyContext } from '../replies.js';

export interface GreetingState {
  greeted: boolean;
}

export function greeting(ctx: ReplyContext, otherLanguages: { code: LanguageCode; title: string }[]): Reply[] {
  const { t, knowledge, language } = ctx;
  const topics = pickList(knowledge.profile.topics, language).join('; ');
  const text = [t('greeting.hello', { agency: agencyName(ctx, 'genitive') }), t('greeting.topics', { topics }), t('greeting.privacy')].join('\n\n');
  const reply = MessageFactory.text(text);
  if (otherLanguages.length > 0) {
    reply.suggestedActions = { to: [], actions: otherLanguages.map((l) => button(l.title, { action: 'language', to: l.code })) };
  }
  return [reply];
}

/** The greeting, unless this conversation has had it. */
export function greetOnce(turn: Turn<GreetingState>): Reply[] {
  if (turn.data.greeted) return [];
  turn.data.greeted = true;
  return greetingOf(turn);
}

/** The greeting of the turn's agency, whatever was said before (a conversation forwarded to it). */
export function greetingOf(turn: Turn<GreetingState>): Reply[] {
  return greeting(turn.replyContext(), otherLanguages(turn.deps, turn.data.language));
}

/** The other offered languages, each titled in its own language. */
function otherLanguages(deps: FlowDeps, current: LanguageCode): { code: LanguageCode; title: string }[] {
  return deps
    .offeredLanguages()
    .filter((l) => l !== current)
    .map((code) => ({ code, title: deps.texts.languageTexts(code)(`button.${code}`) }));
}
