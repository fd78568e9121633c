// What `npm run tune` and `npm run fit:gate` share: the TUNING sets (never a held-out one) and the
// tuning sets' questions decided in process, read as eval reads a bot's answers.
import path from 'node:path';
import { readSet, EVAL_DIR, type Labelled } from '../bot/cli/eval.js';
import type { AskAnswer } from '../bot/cli/ask.js';
import type { InProcessBot } from '../bot/cli/in-process.js';
import { decide, type DecisionContext, type DecisionResult } from '../knowledge/decide.js';
import type { Knowledge } from '../knowledge/knowledge.js';

export const TUNING_SETS = ['tune', 'dev', 'blind3', 'intents3', 'blind4', 'blind5', 'blind6', 'blind7'];

export const tuningItems = (): Labelled[] => TUNING_SETS.flatMap((set) => readSet(path.join(EVAL_DIR, `${set}.jsonl`)));

/** A message decided with this knowledge and these settings or gate, as the bot's turn decides it. */
export function decideWith(
  bot: InProcessBot,
  knowledge: Knowledge,
  options: Pick<DecisionContext, 'settings' | 'answerGate'>,
): (text: string) => DecisionResult {
  const deps = bot.app.turnDeps;
  const ctx: DecisionContext = {
    knowledge,
    offeredLanguages: deps.offeredLanguages(),
    conversationLanguage: 'lv',
    ...deps.languages,
    ...deps.conduct,
    ...options,
  };
  return (text) => decide(text, ctx);
}

/** Each item decided so, read as eval reads a bot's answer. */
export function decideItems(
  items: readonly Labelled[],
  bot: InProcessBot,
  knowledge: Knowledge,
  options: Pick<DecisionContext, 'settings' | 'answerGate'>,
): AskAnswer[] {
  const decided = decideWith(bot, knowledge, options);
  return items.map((item) => {
    const { decision: d, detected } = decided(item.q);
    return {
      text: item.q,
      kind: d.kind === 'switch-language' ? 'language' : d.kind,
      decision: d.kind,
      entryId: d.kind === 'answer' || d.kind === 'smalltalk' ? d.entry.id : null,
      authorityId: d.kind === 'refer' ? d.authority.id : null,
      referrals: d.kind === 'refer' || d.kind === 'answer' ? d.referrals.map((a) => a.id) : [],
      candidates: d.kind === 'clarify' ? d.candidates.map((c) => (c.kind === 'entry' ? c.entry.id : c.authority.id)) : [],
      language: d.kind === 'language' ? d.detected : detected,
      reply: '',
    };
  });
}
