// `npm run tune`: searches the decision thresholds and matcher weights on the TUNING set only
// (test/eval/tune.jsonl + dev.jsonl) and prints the best settings found. The held-out set is never
// read here. Copy chosen values into DEFAULT_DECISION_SETTINGS / DEFAULT_MATCHER_SETTINGS by hand.
import path from 'node:path';
import { createInProcessBot } from '../bot/cli/in-process.js';
import { readSet, score, EVAL_DIR, type Labelled } from '../bot/cli/eval.js';
import { decide, DEFAULT_DECISION_SETTINGS, type DecisionSettings } from '../knowledge/decide.js';
import { DEFAULT_MATCHER_SETTINGS, MatchIndex, type MatcherSettings } from '../knowledge/matcher.js';
import type { AskAnswer } from '../bot/cli/ask.js';
import type { Knowledge } from '../knowledge/knowledge.js';

const items: Labelled[] = [...readSet(path.join(EVAL_DIR, 'tune.jsonl')), ...readSet(path.join(EVAL_DIR, 'dev.jsonl'))];
const bot = createInProcessBot({ LOG_LEVEL: 'silent' });
const deps = bot.app.turnDeps;
const base = deps.knowledge();
// The documents of the running index, so a matcher variant can be rebuilt without reading files.
const documents = (base.index as unknown as { docs: { doc: ConstructorParameters<typeof MatchIndex>[0][number] }[] }).docs.map((d) => d.doc);

function run(knowledge: Knowledge, settings: DecisionSettings): AskAnswer[] {
  return items.map((item) => {
    const { decision: d, detected } = decide(item.q, {
      knowledge, offeredLanguages: deps.offeredLanguages(), conversationLanguage: 'lv', ...deps.languages, isAbusive: deps.isAbusive, settings,
    });
    return {
      text: item.q,
      kind: d.kind === 'switch-language' ? 'language' : d.kind,
      entryId: d.kind === 'answer' || d.kind === 'smalltalk' ? d.entry.id : null,
      authorityId: d.kind === 'refer' ? d.authority.id : null,
      referrals: d.kind === 'refer' || d.kind === 'answer' ? d.referrals.map((a) => a.id) : [],
      candidates: d.kind === 'clarify' ? d.candidates.map((c) => (c.kind === 'entry' ? c.entry.id : c.authority.id)) : [],
      language: d.kind === 'language' ? d.detected : detected,
      reply: '',
    };
  });
}

/** Right answers count; confidently wrong answers and wrong referrals count against, heavily. */
function objective(answers: AskAnswer[]): { value: number; summary: string } {
  const s = score('tune', items, answers);
  const r = (x: { total: number; correct: number }) => x.correct / Math.max(1, x.total);
  const wrong = s.confidentlyWrong / s.total;
  const sentAway = s.wronglyReferred.count / Math.max(1, s.wronglyReferred.total);
  const value = r(s.rightEntry) + 0.5 * r(s.answeredOrOffered) + 0.5 * r(s.rightAuthority) + 0.3 * (s.correct / s.total) - 4 * wrong - 2 * sentAway;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return {
    value,
    summary: `all ${pct(s.correct / s.total)} entry ${pct(r(s.rightEntry))} offered ${pct(r(s.answeredOrOffered))} wrong ${pct(wrong)} authority ${pct(r(s.rightAuthority))} sent-away ${pct(sentAway)}`,
  };
}

const grid = <T>(values: T[]) => values;
let best = { value: -Infinity, summary: '', matcher: DEFAULT_MATCHER_SETTINGS, decision: DEFAULT_DECISION_SETTINGS };
const start = objective(run(base, DEFAULT_DECISION_SETTINGS));
console.log(`current defaults: ${start.value.toFixed(3)}  ${start.summary}`);

for (const phrasingShare of grid([0.2, 0.35, 0.5])) {
  for (const unknownWordWeight of grid([0.4, 0.6, 0.9])) {
    const matcher: MatcherSettings = { ...DEFAULT_MATCHER_SETTINGS, phrasingShare, unknownWordWeight };
    const knowledge: Knowledge = { ...base, index: new MatchIndex(documents, matcher) };
    for (const answerMin of grid([0.35, 0.4, 0.45, 0.5, 0.55])) {
      for (const answerMargin of grid([0.02, 0.05, 0.08, 0.12])) {
        for (const referMargin of grid([0.0, 0.05, 0.1, 0.15])) {
          for (const referMin of grid([0.35, 0.4, 0.45, 0.5])) {
            for (const clarifyMin of grid([0.2, 0.25, 0.3])) {
              const decision: DecisionSettings = { ...DEFAULT_DECISION_SETTINGS, answerMin, answerMargin, referMargin, referMin, clarifyMin };
              const o = objective(run(knowledge, decision));
              if (o.value > best.value) best = { ...o, matcher, decision };
            }
          }
        }
      }
    }
  }
}
console.log(`best found:       ${best.value.toFixed(3)}  ${best.summary}`);
console.log('matcher', JSON.stringify(best.matcher));
console.log('decision', JSON.stringify(best.decision));
await bot.close();
