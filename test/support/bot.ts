// A fresh in-process bot per test, built by the same factory as production, plus conversation helpers.
import type { Activity, CardAction } from 'botbuilder';
import { createInProcessBot, type InProcessBot } from '../../bot/cli/in-process.js';
import type { AppDeps } from '../../bot/app.js';

export const FIXTURE_KNOWLEDGE = 'test/fixtures/knowledge';

export function demoBot(deps: AppDeps = {}, env: Record<string, string> = {}): InProcessBot {
  return createInProcessBot({ LOG_LEVEL: 'silent', AGENCY: 'dvi', KNOWLEDGE_DIR: './knowledge', ...env }, deps);
}

export function libraryBot(deps: AppDeps = {}): InProcessBot {
  return createInProcessBot({ LOG_LEVEL: 'silent', AGENCY: 'library', KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE }, deps);
}

export function buttons(replies: Partial<Activity>[]): CardAction[] {
  return replies.flatMap((a) => a.suggestedActions?.actions ?? []);
}

/** Presses a suggested action the way Web Chat does for messageBack. */
export function press(bot: InProcessBot, action: CardAction, conversationId: string) {
  return bot.send({ type: 'message', text: String(action.text ?? action.title), value: action.value }, conversationId);
}

export const texts = (replies: Partial<Activity>[]) => replies.map((r) => r.text ?? '').join('\n');
