// `npm run report -- --from YYYY-MM-DD --to YYYY-MM-DD [--csv]`: the agency's service-quality
// report for a period (both days included), from the configured store (SQLite or PostgreSQL).
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { openStore } from '../storage/open.js';
import { KnowledgeSource } from '../../knowledge/source.js';
import { buildReport, formatReport, handoverRows, periodOfDays, reportCsv } from '../service-report.js';
import { localDay } from '../handover/calendar.js';
import { agencyRepository } from '../handover/agency-repository.js';
import { createHandover, oneAgency } from '../handover/index.js';

/** `--from`/`--to` as days in the agency's time zone (default: this month so far). */
export function parsePeriod(args: string[], now: Date, timeZone: string): { from: Date; to: Date } {
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const day = (flag: string, fallback: string) => {
    const v = value(flag) ?? fallback;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw new Error(`${flag} must be a date as YYYY-MM-DD, got "${v}"`);
    return v;
  };
  const today = localDay(now, timeZone);
  const first = day('--from', `${today.slice(0, 8)}01`);
  const last = day('--to', today);
  if (last < first) throw new Error('--to must not be before --from');
  return periodOfDays(first, last, timeZone);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const now = new Date();
  const config = loadConfig({ LOG_LEVEL: 'error', ...process.env });
  const log = createLogger(config.LOG_LEVEL, 2);
  const knowledge = new KnowledgeSource({ knowledgeDir: config.KNOWLEDGE_DIR, agency: config.AGENCY, now: () => now }, log);
  const period = parsePeriod(args, now, knowledge.current.profile.timeZone);
  const store = openStore(config, { log, defaultAgency: config.AGENCY });
  try {
    const records = await store.recordsOf(config.AGENCY).period(period.from, period.to);
    const handover = createHandover({ config, store, agencies: oneAgency(() => knowledge.current.profile), log, now: () => now, timers: false });
    await handover.ready; // rows from before agencies are the default agency's once adopted
    const staffSide = await handoverRows(agencyRepository(handover.repo, config.AGENCY), period.from, period.to).finally(() => handover.close());
    const report = buildReport({ ...records, ...staffSide }, { ...period, now }, knowledge.current);
    console.log(args.includes('--csv') ? reportCsv(report) : formatReport(report));
  } finally {
    await store.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
