// Retention (R8): transcripts, records, Direct Line activities, queue entries and closed cases older
// than their agency's `retentionDays` are deleted by a purge that runs at start and then on a timer.
// Every instance may run it: the deletes are idempotent.
import { errorFields, type Logger } from './log.js';
import type { PadomsStore, PurgeCutoffs, RemovedCounts } from './storage/store.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How many days each agency keeps (its profile's `retentionDays`), and how many for what belongs to
 * no agency listed: an agency no longer served, a conversation with no home agency recorded.
 */
export interface RetentionDays {
  byAgency: ReadonlyMap<string, number>;
  otherwise: number;
}

export interface RetentionOptions {
  store: Pick<PadomsStore, 'purge'>;
  /** Read on every run: a knowledge reload may change them. */
  retentionDays: () => RetentionDays;
  intervalMs: number;
  log: Logger;
  now?: () => Date;
  /** Timers, injectable for tests. */
  setInterval?: (fn: () => void, ms: number) => { unref?: () => unknown };
  clearInterval?: (handle: ReturnType<NonNullable<RetentionOptions['setInterval']>>) => void;
}

export interface Retention {
  /** One purge now, after any run in progress; undefined if it failed (the next run retries). */
  runNow(): Promise<RemovedCounts | undefined>;
  stop(): void;
}

/** The oldest moment still kept. */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/** The oldest moment each agency still keeps. */
export function retentionCutoffs(now: Date, days: RetentionDays): PurgeCutoffs {
  return {
    byAgency: new Map([...days.byAgency].map(([agency, n]) => [agency, retentionCutoff(now, n)])),
    otherwise: retentionCutoff(now, days.otherwise),
  };
}

export function startRetention(options: RetentionOptions): Retention {
  const now = options.now ?? (() => new Date());
  const schedule = options.setInterval ?? ((fn, ms) => setInterval(fn, ms));
  const cancel = options.clearInterval ?? ((handle) => clearInterval(handle as NodeJS.Timeout));
  let running: Promise<RemovedCounts | undefined> | undefined;

  const purge = async (): Promise<RemovedCounts | undefined> => {
    const days = options.retentionDays();
    try {
      const removed = await options.store.purge(retentionCutoffs(now(), days));
      // Agency ids are folder names, not anything a citizen typed.
      options.log.info({ retentionDays: Object.fromEntries(days.byAgency), otherwiseDays: days.otherwise, removed }, 'purged');
      return removed;
    } catch (err) {
      // The next run retries; a database outage is reported by /readyz, not here.
      options.log.warn({ err: errorFields(err) }, 'purge failed');
      return undefined;
    }
  };

  const runNow = (): Promise<RemovedCounts | undefined> => {
    const run: Promise<RemovedCounts | undefined> = (running ?? Promise.resolve(undefined)).then(purge).finally(() => {
      if (running === run) running = undefined;
    });
    running = run;
    return run;
  };

  // A timer tick while a purge is still running is skipped: runs never pile up.
  const handle = schedule(() => void (running === undefined && runNow()), options.intervalMs);
  handle.unref?.(); // the purge alone must not keep the process alive
  void runNow();
  return { runNow, stop: () => cancel(handle) };
}
