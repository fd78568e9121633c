// `npm run kb:unanswered [-- --days 30]`: what citizens asked that the bot could not answer
// (fallbacks, "none of these", "did not help"), grouped by similarity with counts and the closest
// existing entry, so knowledge keepers see what to add. Texts were redacted before storing.
import { loadConfig } from '../config.js';
import { openStore } from '../storage/open.js';
import { KnowledgeSource } from '../../knowledge/source.js';
import { groupUnanswered } from '../../knowledge/unanswered.js';
import { createLogger } from '../log.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const daysArg = args[args.indexOf('--days') + 1];
  const days = args.includes('--days') ? Number(daysArg) : 30;
  if (!Number.isInteger(days) || days <= 0) throw new Error(`--days must be a positive whole number, got "${daysArg}"`);
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  const knowledge = new KnowledgeSource({ knowledgeDir: config.KNOWLEDGE_DIR, agency: config.AGENCY, now: () => new Date() }, createLogger('warn', 2));
  // The configured store: SQLite under DATA_DIR, or PostgreSQL when DATABASE_URL is set.
  const store = openStore(config, { log: createLogger('warn', 2), defaultAgency: config.AGENCY });
  const since = new Date(Date.now() - days * 86_400_000);
  const questions = await store
    .recordsOf(config.AGENCY)
    .listUnanswered(since)
    .finally(() => store.close());
  const groups = groupUnanswered(questions, knowledge.current);
  if (groups.length === 0) {
    console.log(`No unanswered questions in the last ${days} days.`);
    return;
  }
  console.log(`Unanswered questions in the last ${days} days: ${questions.length}, in ${groups.length} groups.\n`);
  for (const g of groups) {
    const reasons = Object.entries(g.reasons)
      .map(([r, n]) => `${r} ${n}`)
      .join(', ');
    console.log(`${String(g.count).padStart(4)} × "${g.example}"`);
    console.log(`       closest entry: ${g.closestEntryId ?? '(none)'}${g.closestScore ? ` (${g.closestScore.toFixed(2)})` : ''}; ${reasons}`);
    for (const other of g.others.slice(0, 3)) console.log(`       also: "${other}"`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
