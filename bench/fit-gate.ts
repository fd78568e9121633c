// `npm run fit:gate`: fits the answer gate (knowledge/answer-gate.ts) on the TUNING sets only, the
// same as `npm run tune` reads, at 3 and 5 phrasings per entry and at the knowledge as written,
// together: one model for every size staff may write. Each question the decision weighs answering
// is an example: positive when its best entry is the one expected, negative otherwise (a question
// expecting a referral, a fallback or a person must not be answered). The bars answer the most
// rightly while, at each size, no more of these questions are answered wrongly, and none fewer
// rightly, than the hand-set thresholds answer today. Writes knowledge/answer-gate.model.ts and
// prints the decisions' figures before and after, per size.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { createInProcessBot, type InProcessBot } from '../bot/cli/in-process.js';
import { withPhrasingsCut } from '../knowledge/ablation.js';
import { score, type Labelled } from '../bot/cli/eval.js';
import {
  answerBar,
  answerProbability,
  gateFeatures,
  GATE_FEATURES,
  modelGate,
  THRESHOLDS_GATE,
  type AnswerGate,
  type AnswerGateModel,
  type GateFeatures,
} from '../knowledge/answer-gate.js';
import type { AskAnswer } from '../bot/cli/ask.js';
import { decideItems, decideWith, tuningItems, TUNING_SETS } from './tuning.js';

const SIZES = [3, 5, 'full'] as const;
/** L2 penalty on the standardised weights: a few thousand examples, a dozen features. */
const RIDGE = 1;

const items: Labelled[] = tuningItems();
const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function run(bot: InProcessBot, gate: AnswerGate): AskAnswer[] {
  return decideItems(items, bot, bot.app.turnDeps.knowledge(), { answerGate: gate });
}

interface Example {
  size: (typeof SIZES)[number];
  features: GateFeatures;
  right: boolean;
}

/** The whole message's question to the gate, item by item (its clauses are asked after it). */
function examples(bot: InProcessBot, size: Example['size']): Example[] {
  const found: Example[] = [];
  const asked: { features: GateFeatures; best: string }[] = [];
  const recorder: AnswerGate = {
    answers(input) {
      if (!input.clause) asked.push({ features: gateFeatures(input), best: input.best.id });
      return input.ruled;
    },
  };
  const decided = decideWith(bot, bot.app.turnDeps.knowledge(), { answerGate: recorder });
  for (const item of items) {
    asked.length = 0;
    decided(item.q);
    // An upset citizen's message may be answered with anything: no label.
    const whole = asked[0];
    if (!whole || item.kind === '!conduct') continue;
    const expectsEntry = item.kind === 'answer' || item.kind === 'smalltalk';
    found.push({ size, features: whole.features, right: expectsEntry && list(item.entryId).includes(whole.best) });
  }
  return found;
}

/** Solves A x = b (Gaussian elimination, partial pivoting); A is small and positive definite. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let sum = m[r]![n]!;
    for (let k = r + 1; k < n; k++) sum -= m[r]![k]! * x[k]!;
    x[r] = sum / m[r]![r]!;
  }
  return x;
}

/** Ridge logistic regression by Newton's method on standardised features; weights returned on the raw ones. */
function fit(data: Example[]): Omit<AnswerGateModel, 'answerAt'> {
  const d = GATE_FEATURES.length;
  const mean = GATE_FEATURES.map((f) => data.reduce((s, e) => s + e.features[f], 0) / data.length);
  const sd = GATE_FEATURES.map((f, j) => Math.sqrt(data.reduce((s, e) => s + (e.features[f] - mean[j]!) ** 2, 0) / data.length) || 1);
  const rows = data.map((e) => [1, ...GATE_FEATURES.map((f, j) => (e.features[f] - mean[j]!) / sd[j]!)]);
  const y = data.map((e) => (e.right ? 1 : 0));
  let w = new Array<number>(d + 1).fill(0);
  for (let iter = 0; iter < 50; iter++) {
    const grad = w.map((wj, j) => (j === 0 ? 0 : RIDGE * wj));
    const hess = w.map((_, i) => w.map((__, j) => (i === j && i > 0 ? RIDGE : 0)));
    rows.forEach((x, n) => {
      const p = 1 / (1 + Math.exp(-x.reduce((s, xj, j) => s + xj * w[j]!, 0)));
      const q = p * (1 - p);
      for (let i = 0; i <= d; i++) {
        grad[i]! += (p - y[n]!) * x[i]!;
        for (let j = 0; j <= d; j++) hess[i]![j]! += q * x[i]! * x[j]!;
      }
    });
    const step = solve(hess, grad);
    w = w.map((wj, j) => wj - step[j]!);
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  const weights = Object.fromEntries(GATE_FEATURES.map((f, j) => [f, w[j + 1]! / sd[j]!])) as GateFeatures;
  const bias = w[0]! - GATE_FEATURES.reduce((s, f, j) => s + (w[j + 1]! * mean[j]!) / sd[j]!, 0);
  return { weights, bias };
}

/**
 * The two bars (knowledge/answer-gate.ts) that answer the most examples rightly while no size answers
 * more of its examples wrongly, or fewer rightly, than the thresholds do; of equals, the one with
 * fewer wrong. Without the second condition the bars traded right answers at full knowledge for
 * fewer wrong ones (a different bargain from the one asked for).
 */
function answerAt(model: Omit<AnswerGateModel, 'answerAt'>, data: Example[]): AnswerGateModel['answerAt'] {
  const gated = data.map((e) => ({ ...e, p: answerProbability({ ...model, answerAt: { ruled: 1, unruled: 1 } }, e.features) }));
  const today = (size: Example['size'], right: boolean) => gated.filter((e) => e.size === size && e.features.ruled === 1 && e.right === right).length;
  const allowed = new Map(SIZES.map((size) => [size, { wrong: today(size, false), right: today(size, true) }]));
  let best = { right: -1, wrong: Infinity, at: { ruled: 0.5, unruled: 1 } };
  for (let ruled = 0; ruled < 1; ruled += 0.02) {
    for (let unruled = 0.3; unruled < 1; unruled += 0.01) {
      const answered = gated.filter((e) => {
        const bar = answerBar({ ...model, answerAt: { ruled, unruled } }, e.features);
        return bar !== undefined && e.p >= bar;
      });
      const wrong = SIZES.map((size) => answered.filter((e) => e.size === size && !e.right).length);
      const rightBySize = SIZES.map((size) => answered.filter((e) => e.size === size && e.right).length);
      if (SIZES.some((size, i) => wrong[i]! > allowed.get(size)!.wrong || rightBySize[i]! < allowed.get(size)!.right)) continue;
      const right = rightBySize.reduce((a, b) => a + b, 0);
      const wrongs = wrong.reduce((a, b) => a + b, 0);
      if (right > best.right || (right === best.right && wrongs < best.wrong)) best = { right, wrong: wrongs, at: { ruled, unruled } };
    }
  }
  return best.at;
}

const bots = SIZES.map((size) => ({
  size,
  bot: createInProcessBot({ LOG_LEVEL: 'silent' }, size === 'full' ? {} : { knowledgeShape: (files) => withPhrasingsCut(files, size) }),
}));
const data = bots.flatMap(({ size, bot }) => examples(bot, size));
const fitted = fit(data);
const model: AnswerGateModel = { ...fitted, answerAt: answerAt(fitted, data) };

const pct = (a: number, b: number) => `${((100 * a) / Math.max(1, b)).toFixed(1)}%`;
const summary = (answers: AskAnswer[]) => {
  const s = score('tuning', items, answers);
  return `entry ${pct(s.rightEntry.correct, s.rightEntry.total)} offered ${pct(s.answeredOrOffered.correct, s.answeredOrOffered.total)} asked-back-first-right ${pct(s.clarifiedFirstRight, s.rightEntry.total)} wrong ${s.confidentlyWrong} (${pct(s.confidentlyWrong, s.total)}) authority ${pct(s.rightAuthority.correct, s.rightAuthority.total)}`;
};
console.log(
  `${data.length} examples (${data.filter((e) => e.right).length} right), answered at ${model.answerAt.ruled.toFixed(2)} / ${model.answerAt.unruled.toFixed(2)}`,
);
for (const { size, bot } of bots) {
  console.log(`${String(size).padStart(4)} thresholds: ${summary(run(bot, THRESHOLDS_GATE))}`);
  console.log(`${String(size).padStart(4)} gate:       ${summary(run(bot, modelGate(model)))}`);
}
for (const f of GATE_FEATURES) console.log(`  ${f.padEnd(16)} ${model.weights[f].toFixed(4)}`);
console.log(`  ${'bias'.padEnd(16)} ${model.bias.toFixed(4)}`);

const file = path.resolve('knowledge/answer-gate.model.ts');
const round = (x: number) => Number(x.toPrecision(6));
const source = `// Generated by \`npm run fit:gate\` (bench/fit-gate.ts) on ${TUNING_SETS.join(', ')} at ${SIZES.join(', ')} phrasings: do not edit by hand.
// Plain data: knowledge/answer-gate.ts checks its shape (AnswerGateModel).
export const ANSWER_GATE_MODEL = ${JSON.stringify({ weights: Object.fromEntries(GATE_FEATURES.map((f) => [f, round(model.weights[f])])), bias: round(model.bias), answerAt: { ruled: round(model.answerAt.ruled), unruled: round(model.answerAt.unruled) } })};
`;
writeFileSync(file, await format(source, { ...(await resolveConfig(file)), filepath: file }));
console.log(`wrote ${path.relative(process.cwd(), file)}`);
await Promise.all(bots.map(({ bot }) => bot.close()));
