// `npm run eval [-- --verbose] [set …]`: answer quality on the labelled sets in test/eval/.
// `tune` and `dev` are for development; `heldout` is never tuned on (see test/eval/README.md).
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { createInProcessBot } from './in-process.js';
import { toAskAnswer, type AskAnswer } from './ask.js';

export interface Labelled {
  q: string;
  kind: string;
  entryId?: string | string[];
  authorityId?: string | string[];
  referrals?: string[];
  language?: string;
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
  /** Any question answered or referred with the wrong entry or authority. */
  confidentlyWrong: number;
  /** Questions expecting a referral: the right authority. */
  rightAuthority: { total: number; correct: number };
  /** Questions within competence sent away to another authority. */
  wronglyReferred: { total: number; count: number };
  failures: { item: Labelled; got: AskAnswer }[];
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function isCorrect(item: Labelled, got: AskAnswer): boolean {
  switch (item.kind) {
    case '!conduct':
      return got.kind !== 'conduct';
    case 'answer':
    case 'smalltalk': {
      if (got.kind !== item.kind || !list(item.entryId).includes(got.entryId ?? '')) return false;
      return (item.referrals ?? []).every((r) => got.referrals.includes(r));
    }
    case 'refer':
      return got.kind === 'refer' && list(item.authorityId).includes(got.authorityId ?? '');
    case 'language':
      return got.kind === 'language' && got.language === item.language;
    default:
      return got.kind === item.kind;
  }
}

export function score(set: string, items: Labelled[], answers: AskAnswer[]): Score {
  const s: Score = {
    set, total: items.length, correct: 0, byKind: {}, rightEntry: { total: 0, correct: 0 }, answeredOrOffered: { total: 0, correct: 0 },
    confidentlyWrong: 0, rightAuthority: { total: 0, correct: 0 }, wronglyReferred: { total: 0, count: 0 }, failures: [],
  };
  items.forEach((item, i) => {
    const got = answers[i]!;
    const ok = isCorrect(item, got);
    const k = (s.byKind[item.kind] ??= { total: 0, correct: 0 });
    k.total++;
    if (ok) { s.correct++; k.correct++; } else s.failures.push({ item, got });
    const expected = list(item.entryId);
    if (item.kind === 'answer') {
      s.rightEntry.total++;
      s.answeredOrOffered.total++;
      s.wronglyReferred.total++;
      if (got.kind === 'answer' && expected.includes(got.entryId ?? '')) s.rightEntry.correct++;
      if ((got.kind === 'answer' && expected.includes(got.entryId ?? '')) || got.candidates.some((c) => expected.includes(c))) s.answeredOrOffered.correct++;
      if (got.kind === 'refer') s.wronglyReferred.count++;
    }
    if (item.kind === 'refer') {
      s.rightAuthority.total++;
      if (got.kind === 'refer' && list(item.authorityId).includes(got.authorityId ?? '')) s.rightAuthority.correct++;
    }
    const committed = got.kind === 'answer' || got.kind === 'refer' || got.kind === 'smalltalk';
    if (committed && !ok && item.kind !== '!conduct') {
      const sameTarget = got.kind === item.kind && (expected.includes(got.entryId ?? '') || list(item.authorityId).includes(got.authorityId ?? ''));
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

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const verbose = args.includes('--verbose') || args.includes('-v');
  const sets = args.filter((a) => !a.startsWith('-'));
  const bot = createInProcessBot();
  for (const set of sets.length ? sets : DEFAULT_SETS) {
    const file = existsSync(set) ? set : path.join(EVAL_DIR, `${set}.jsonl`);
    const items = readSet(file);
    const answers: AskAnswer[] = [];
    for (const item of items) answers.push(toAskAnswer(item.q, await bot.say(item.q)));
    const s = score(path.basename(set, '.jsonl'), items, answers);
    console.log(formatScore(s));
    if (verbose) {
      for (const { item, got } of s.failures) {
        const want = [item.kind, ...list(item.entryId), ...list(item.authorityId), ...(item.referrals ?? []), item.language].filter(Boolean).join(' ');
        const gotText = [got.kind, got.entryId, got.authorityId, ...got.referrals, ...got.candidates, got.kind === 'language' ? got.language : ''].filter(Boolean).join(' ');
        console.log(`    ✗ ${item.q}\n        want ${want} | got ${gotText}`);
      }
    }
    console.log('');
  }
  await bot.close();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
