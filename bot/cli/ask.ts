// `npm run ask -- [--json] "question"`: how the bot would answer one message (see README).
// With no question argument, reads one question per line from standard input.
import { createInterface } from 'node:readline';
import { createInProcessBot, replyText, buttonTitles, type TurnResult } from './in-process.js';
import type { Decision } from '../../knowledge/decide.js';

export interface AskAnswer {
  text: string;
  kind: string;
  /** The decision behind `kind` (`protected` is ask's `conduct`; `complaint` its `clarify`). */
  decision: Decision['kind'] | 'none';
  entryId: string | null;
  authorityId: string | null;
  referrals: string[];
  candidates: string[];
  language: string;
  reply: string;
}

/**
 * The ask contract's kinds for our decisions. Refusing protected information is conduct (R6); "I
 * want to complain" is a clarifying question (service or decision?); a suggestion invitation and a
 * language switch are small talk and language.
 */
const ASK_KIND: Record<Decision['kind'], string> = {
  answer: 'answer',
  smalltalk: 'smalltalk',
  clarify: 'clarify',
  refer: 'refer',
  fallback: 'fallback',
  handover: 'handover',
  conduct: 'conduct',
  protected: 'conduct',
  complaint: 'clarify',
  suggestion: 'smalltalk',
  'delete-conversation': 'smalltalk',
  language: 'language',
  'switch-language': 'language',
};

export function toAskAnswer(text: string, { decision, replies }: TurnResult): AskAnswer {
  const d = decision?.decision;
  const kind = !d ? 'fallback' : ASK_KIND[d.kind];
  return {
    text,
    kind,
    decision: d?.kind ?? 'none',
    entryId: d && (d.kind === 'answer' || d.kind === 'smalltalk') ? d.entry.id : null,
    authorityId: d?.kind === 'refer' ? d.authority.id : null,
    referrals: d?.kind === 'refer' || d?.kind === 'answer' ? d.referrals.map((a) => a.id) : [],
    candidates:
      d?.kind === 'clarify'
        ? d.candidates.map((c) => (c.kind === 'entry' ? c.entry.id : c.authority.id))
        : d?.kind === 'complaint'
          ? ['complaint.service', 'complaint.appeal', ...d.related.map((e) => e.id)]
          : [],
    language: d?.kind === 'language' ? d.detected : d?.kind === 'switch-language' ? d.to : (decision?.detected ?? 'lv'),
    reply: replyText(replies),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const explain = args.includes('--explain');
  const questions = args.filter((a) => a !== '--json' && a !== '--explain');
  const bot = createInProcessBot();
  const answer = async (q: string) => {
    const result = await bot.say(q);
    const a = toAskAnswer(q, result);
    if (json) process.stdout.write(`${JSON.stringify(a)}\n`);
    else {
      const detail = a.entryId ?? a.authorityId ?? (a.candidates.length ? a.candidates.join(', ') : '');
      process.stdout.write(
        `${a.kind}${detail ? ` ${detail}` : ''} [${a.language}]${a.referrals.length ? ` referrals: ${a.referrals.join(', ')}` : ''}\n${a.reply}\n`,
      );
      const buttons = buttonTitles(result.replies);
      if (buttons.length) process.stdout.write(`buttons: ${buttons.map((b) => `[${b}]`).join(' ')}\n`);
      if (explain) {
        // For knowledge keepers: which entries came close, and on which words.
        const { analysis, results } = bot.app.knowledge.current.index.search(q, 6);
        process.stdout.write(`terms: ${analysis.terms.join(' ')}${analysis.unknown.length ? ` (unknown: ${analysis.unknown.join(' ')})` : ''}\n`);
        for (const r of results) process.stdout.write(`  ${r.score.toFixed(3)} p=${r.confidence.toFixed(2)} ${r.kind} ${r.id}  [${r.matched.join(' ')}]\n`);
      }
      process.stdout.write('\n');
    }
  };
  if (questions.length > 0) {
    for (const q of questions) await answer(q);
  } else {
    for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
      if (line.trim() !== '') await answer(line);
      else if (json) process.stdout.write(`${JSON.stringify(toAskAnswer(line, { decision: undefined, replies: [] }))}\n`);
    }
  }
  await bot.close();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
