// `npm run eval [-- --verbose] [--phrasings 3,5,full] [set …]`: answer quality on the labelled sets in
// test/eval/, beside a plain character n-gram ranker over the same knowledge (knowledge/yardstick.ts).
// `tune` and `dev` are for development; `heldout` is never tuned on (see test/eval/README.md).
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { createInProcessBot } from './in-process.js';
import { parseArgs } from 'node:util';
import { toAskAnswer, type AskAnswer } from './ask.js';
import { withPhrasingsCut } from '../../knowledge/ablation.js';
import type { Knowledge } from '../../knowledge/knowledge.js';
import { NgramYardstick } from '../../knowledge/yardstick.js';
import { terms } from '../../knowledge/normalise.js';

export interface Labelled {
  q: string;
  kind: string;
  entryId?: string | string[];
  authorityId?: string | string[];
  referrals?: string[];
  language?: string;
  /** How the question is written (keywords, story, letter, ru-lv, business, english, colloquial). */
  voice?: string;
}

export interface Score {
  set: string;
  total: number;
  correct: number;
  byKind: Record<string, { total: number; correct: number }>;
  /** Questions expecting an entry: the right entry answered. */
  rightEntry: { total: number; correct: number };
  /** … the right entry answered or offered in a clarifying question. */
  answeredOrOffered: { total: number; correct: number };
  /** … a clarifying question asked although its first offer was the right entry (a needless question). */
  clarifiedFirstRight: number;
  /** Any question answered or referred with the wrong entry or authority. */
  confidentlyWrong: number;
  /** Questions expecting a referral: the right authority. */
  rightAuthority: { total: number; correct: number };
  /** Questions within competence sent away to another authority. */
  wronglyReferred: { total: number; count: number };
  failures: { item: Labelled; got: AskAnswer }[];
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** An entry was answered: a topic's answer or a small-talk entry's. */
const answeredWith = (got: AskAnswer) => got.kind === 'answer' || got.kind === 'smalltalk';

export function isCorrect(item: Labelled, got: AskAnswer): boolean {
  switch (item.kind) {
    case '!conduct':
      return got.kind !== 'conduct';
    case 'answer':
    case 'smalltalk': {
      // The entry is what counts: a set may label a greeting or a thanks entry "answer".
      if (!answeredWith(got) || !list(item.entryId).includes(got.entryId ?? '')) return false;
      return (item.referrals ?? []).every((r) => got.referrals.includes(r));
    }
    case 'refer':
      return got.kind === 'refer' && list(item.authorityId).includes(got.authorityId ?? '');
    case 'protected':
      return got.decision === 'protected';
    case 'language':
      return got.kind === 'language' && got.language === item.language;
    default:
      return got.kind === item.kind;
  }
}

export function score(set: string, items: Labelled[], answers: AskAnswer[]): Score {
  const s: Score = {
    set,
    total: items.length,
    correct: 0,
    byKind: {},
    rightEntry: { total: 0, correct: 0 },
    answeredOrOffered: { total: 0, correct: 0 },
    clarifiedFirstRight: 0,
    confidentlyWrong: 0,
    rightAuthority: { total: 0, correct: 0 },
    wronglyReferred: { total: 0, count: 0 },
    failures: [],
  };
  items.forEach((item, i) => {
    const got = answers[i]!;
    const ok = isCorrect(item, got);
    const k = (s.byKind[item.kind] ??= { total: 0, correct: 0 });
    k.total++;
    if (ok) {
      s.correct++;
      k.correct++;
    } else s.failures.push({ item, got });
    const expected = list(item.entryId);
    if (item.kind === 'answer') {
      s.rightEntry.total++;
      s.answeredOrOffered.total++;
      s.wronglyReferred.total++;
      if (answeredWith(got) && expected.includes(got.entryId ?? '')) s.rightEntry.correct++;
      if ((answeredWith(got) && expected.includes(got.entryId ?? '')) || got.candidates.some((c) => expected.includes(c))) s.answeredOrOffered.correct++;
      if (got.kind === 'clarify' && expected.includes(got.candidates[0] ?? '')) s.clarifiedFirstRight++;
      if (got.kind === 'refer') s.wronglyReferred.count++;
    }
    if (item.kind === 'refer') {
      s.rightAuthority.total++;
      if (got.kind === 'refer' && list(item.authorityId).includes(got.authorityId ?? '')) s.rightAuthority.correct++;
    }
    const committed = got.kind === 'answer' || got.kind === 'refer' || got.kind === 'smalltalk';
    if (committed && !ok && item.kind !== '!conduct') {
      const sameTarget =
        (got.kind === item.kind || (answeredWith(got) && item.kind === 'answer')) &&
        (expected.includes(got.entryId ?? '') || list(item.authorityId).includes(got.authorityId ?? ''));
      if (!sameTarget) s.confidentlyWrong++;
    }
  });
  return s;
}

const pct = (a: number, b: number) => (b === 0 ? '   -  ' : `${((100 * a) / b).toFixed(1).padStart(5)}%`);

export function formatScore(s: Score): string {
  const lines = [
    `${s.set}: ${s.correct}/${s.total} as expected (${pct(s.correct, s.total).trim()})`,
    ...Object.entries(s.byKind).map(([k, v]) => `  ${k.padEnd(10)} ${pct(v.correct, v.total)}  (${v.correct}/${v.total})`),
    `  right entry answered              ${pct(s.rightEntry.correct, s.rightEntry.total)}  (${s.rightEntry.correct}/${s.rightEntry.total})`,
    `  right entry answered or offered   ${pct(s.answeredOrOffered.correct, s.answeredOrOffered.total)}  (${s.answeredOrOffered.correct}/${s.answeredOrOffered.total})`,
    `  asked back, first offer right     ${pct(s.clarifiedFirstRight, s.rightEntry.total)}  (${s.clarifiedFirstRight}/${s.rightEntry.total})`,
    `  confidently wrong                 ${pct(s.confidentlyWrong, s.total)}  (${s.confidentlyWrong}/${s.total})`,
    `  right authority                   ${pct(s.rightAuthority.correct, s.rightAuthority.total)}  (${s.rightAuthority.correct}/${s.rightAuthority.total})`,
    `  in competence, wrongly referred   ${pct(s.wronglyReferred.count, s.wronglyReferred.total)}  (${s.wronglyReferred.count}/${s.wronglyReferred.total})`,
  ];
  return lines.join('\n');
}

export function readSet(file: string): Labelled[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as Labelled;
      } catch {
        throw new Error(`${file}:${i + 1}: not JSON`);
      }
    });
}

export const EVAL_DIR = path.resolve('test/eval');
export const DEFAULT_SETS = ['dev', 'tune', 'heldout', 'blind', 'blind2'];

/** What the bot chose first: the entry answered, the authority referred to, or the first offer. */
function firstChoice(got: AskAnswer): string | undefined {
  if (answeredWith(got)) return got.entryId ?? undefined;
  if (got.kind === 'refer') return got.authorityId ?? undefined;
  return got.kind === 'clarify' ? got.candidates[0] : undefined;
}

/**
 * On the questions that expect an entry or an authority: how often the bot's first choice is right
 * (a fallback chooses nothing), how often the matcher's ranking alone puts the right one first
 * (`rankFirst`: intents left out, no thresholds: the same task as the yardstick's), and how often the
 * n-gram yardstick ranks the right one first, over the same knowledge.
 */
export function againstYardstick(
  items: Labelled[],
  answers: AskAnswer[],
  yardstick: NgramYardstick,
  rankFirst: (question: string) => string | undefined = () => undefined,
): { total: number; matcher: number; ranking: number; yardstick: number } {
  const counts = { total: 0, matcher: 0, ranking: 0, yardstick: 0 };
  items.forEach((item, i) => {
    if (item.kind !== 'answer' && item.kind !== 'refer') return;
    const expected = item.kind === 'answer' ? list(item.entryId) : list(item.authorityId);
    counts.total++;
    if (expected.includes(firstChoice(answers[i]!) ?? '')) counts.matcher++;
    if (expected.includes(rankFirst(item.q) ?? '')) counts.ranking++;
    if (expected.includes(yardstick.best(item.q) ?? '')) counts.yardstick++;
  });
  return counts;
}

/** Share of questions as expected, per voice (sets that label voices): where a method is weak, without reading a miss. */
export function byVoice(items: Labelled[], answers: AskAnswer[]): { voice: string; total: number; correct: number }[] {
  const counts = new Map<string, { total: number; correct: number }>();
  items.forEach((item, i) => {
    if (item.voice === undefined) return;
    const c = counts.get(item.voice) ?? { total: 0, correct: 0 };
    c.total++;
    if (isCorrect(item, answers[i]!)) c.correct++;
    counts.set(item.voice, c);
  });
  return [...counts].map(([voice, c]) => ({ voice, ...c }));
}

/**
 * Of the questions expecting an entry or an authority: how many share at least one topic stem with
 * the right one's phrasings and keywords. A method that reads only the knowledge base's words can
 * reach no further; the rest need knowledge the phrasings do not carry (synonyms, a paraphrase).
 */
export function lexicalReach(items: Labelled[], knowledge: Pick<Knowledge, 'entries' | 'authorities'>): { total: number; reachable: number } {
  const stemsOf = new Map<string, Set<string>>();
  for (const d of [...knowledge.entries.values(), ...knowledge.authorities.values()]) {
    const texts = [...Object.values(d.questions), ...Object.values(d.keywords ?? {})].flatMap((v) => v ?? []);
    stemsOf.set(d.id, new Set(texts.flatMap((t) => terms(t))));
  }
  const counts = { total: 0, reachable: 0 };
  for (const item of items) {
    const ids = item.kind === 'answer' ? list(item.entryId) : item.kind === 'refer' ? list(item.authorityId) : [];
    if (ids.length === 0) continue;
    counts.total++;
    const question = terms(item.q);
    if (ids.some((id) => question.some((t) => stemsOf.get(id)?.has(t)))) counts.reachable++;
  }
  return counts;
}

function yardstickOf(knowledge: Knowledge): NgramYardstick {
  const allOf = (l: Partial<Record<string, string[]>> | undefined) => Object.values(l ?? {}).flatMap((v) => v ?? []);
  return new NgramYardstick(
    [...knowledge.entries.values(), ...knowledge.authorities.values()].map((d) => ({ id: d.id, phrasings: [...allOf(d.questions), ...allOf(d.keywords)] })),
  );
}

/** `--phrasings 3,5,full`: the knowledge sizes to evaluate at (`full`: as written). */
function parseSizes(value: string | undefined): (number | 'full')[] {
  if (value === undefined) return ['full'];
  return value.split(',').map((v) => {
    if (v === 'full') return 'full';
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--phrasings takes whole numbers ≥ 1 or "full", comma-separated (got "${v}")`);
    return n;
  });
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { verbose: { type: 'boolean', short: 'v', default: false }, phrasings: { type: 'string' } },
    allowPositionals: true,
  });
  for (const size of parseSizes(values.phrasings)) {
    const bot = createInProcessBot(process.env, size === 'full' ? {} : { knowledgeShape: (files) => withPhrasingsCut(files, size) });
    const yardstick = yardstickOf(bot.app.knowledge.current);
    console.log(`=== knowledge: ${size === 'full' ? 'full (as written)' : `${size} phrasings and ${size} keywords per entry, authority and language`} ===\n`);
    for (const set of positionals.length ? positionals : DEFAULT_SETS) {
      const file = existsSync(set) ? set : path.join(EVAL_DIR, `${set}.jsonl`);
      const items = readSet(file);
      const answers: AskAnswer[] = [];
      for (const item of items) answers.push(toAskAnswer(item.q, await bot.say(item.q)));
      const s = score(path.basename(set, '.jsonl'), items, answers);
      console.log(formatScore(s));
      const index = bot.app.knowledge.current.index;
      const rankFirst = (q: string) => index.search(q).results.find((r) => r.kind !== 'intent')?.id;
      const y = againstYardstick(items, answers, yardstick, rankFirst);
      if (y.total > 0) {
        console.log(
          `  first choice right (answer, refer)  matcher ${pct(y.matcher, y.total)} | n-gram yardstick ${pct(y.yardstick, y.total)}  (${y.matcher} vs ${y.yardstick} of ${y.total})`,
        );
        console.log(
          `  ranked first (no thresholds)        matcher ${pct(y.ranking, y.total)} | n-gram yardstick ${pct(y.yardstick, y.total)}  (${y.ranking} vs ${y.yardstick} of ${y.total})`,
        );
        const reach = lexicalReach(items, bot.app.knowledge.current);
        console.log(
          `  shares a word with the right one     ${pct(reach.reachable, reach.total)}  (${reach.reachable}/${reach.total}: as far as the phrasings' words reach)`,
        );
      }
      const voices = byVoice(items, answers);
      if (voices.length > 0) console.log(`  by voice: ${voices.map((v) => `${v.voice} ${pct(v.correct, v.total)}`).join(' | ')}`);
      if (values.verbose) {
        for (const { item, got } of s.failures) {
          const want = [item.kind, ...list(item.entryId), ...list(item.authorityId), ...(item.referrals ?? []), item.language].filter(Boolean).join(' ');
          const gotText = [got.kind, got.entryId, got.authorityId, ...got.referrals, ...got.candidates, got.kind === 'language' ? got.language : '']
            .filter(Boolean)
            .join(' ');
          console.log(`    ✗ ${item.q}\n        want ${want} | got ${gotText}`);
        }
      }
      console.log('');
    }
    await bot.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
