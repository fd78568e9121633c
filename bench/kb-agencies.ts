// `npm run bench:kb -- --agencies N[,M…] [--entries E] [--runs R]`: what agencies cost in one process.
// N generated agencies of E entries (bench/agencies.ts, default 30) are built by the agency registry
// the bot uses (bot/agencies.ts), beside one agency of the same kind in the same run:
// - build: the registry's constructor, every agency loaded and built, in a fresh process (what a
//   start costs; the dictionary is loaded before, as at a real start);
// - heap per agency: heapUsed after building minus before, both after global.gc(), over N; and the
//   same of arrayBuffers (typed arrays of more than a few bytes live outside the heap);
// - RSS: the process after building, and after the questions (the matchers' caches filled);
// - p50/p99 per question: the bench's 2,000 questions (bench/kb-corpus.ts), question i asked of
//   agency i mod N, after a warm-up on 200 others (the same as bench/kb.ts's).
// Each (agencies, run) is its own child process; medians over the runs are shown (the machine is
// shared: one run's figure says little).
import { fork } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { AgencyRegistry } from '../bot/agencies.js';
import { createLogger } from '../bot/log.js';
import { isLatvianWord } from '../knowledge/latvian-words.js';
import { generateAgencies } from './agencies.js';
import { QUERY_COUNT, QUERY_SEED, WARMUP_COUNT, WARMUP_SEED, f, gc, loadReal, percentile, queriesFor, table } from './kb-corpus.js';

const LIMIT = 8;
const REWARM_COUNT = 100;
export const DEFAULT_RUNS = 3;
/** The targets: for 50 agencies of 30 entries, start ≤ 10 s, RSS ≤ 300 MB, matcher p99 ≤ 1 ms. */
const TARGETS = { buildMs: 10_000, rssMB: 300, p99: 1 } as const;

interface AgenciesResult {
  agencies: number;
  buildMs: number;
  heapPerAgencyMB: number;
  buffersPerAgencyMB: number;
  rssBuiltMB: number;
  rssLoadedMB: number;
  p50: number;
  p99: number;
  max: number;
}

/** One measurement, in this (fresh) process: the first `agencies` agencies of the folder. */
function measure(knowledgeDir: string, ids: string[]): AgenciesResult {
  const real = loadReal({ build: false });
  const queries = queriesFor(QUERY_SEED, QUERY_COUNT, real).map((q) => q.text);
  const warmup = queriesFor(WARMUP_SEED, WARMUP_COUNT, real).map((q) => q.text);
  isLatvianWord('sūdzība'); // the dictionary is loaded at import; one look-up, as the first question would
  gc();
  const before = process.memoryUsage();
  const start = process.hrtime.bigint();
  const registry = new AgencyRegistry({ knowledgeDir, defaultId: ids[0]!, only: ids, now: () => new Date(), log: createLogger('silent') });
  const buildMs = Number(process.hrtime.bigint() - start) / 1e6;
  gc();
  const built = process.memoryUsage();
  if (registry.ids().length !== ids.length) throw new Error(`served ${registry.ids().length} of ${ids.length}: ${[...registry.refused.keys()].join(', ')}`);

  const indexes = ids.map((id) => registry.knowledge(id)!.index);
  let sink = 0;
  warmup.forEach((q, i) => (sink += indexes[i % indexes.length]!.search(q, LIMIT).results.length));
  gc();
  // A few searches after the forced GC, which leaves stalls of its own behind (bench/kb.ts, header).
  for (let i = 0; i < REWARM_COUNT; i++) sink += indexes[i % indexes.length]!.search(warmup[i % warmup.length]!, LIMIT).results.length;
  const times = new Float64Array(queries.length);
  queries.forEach((q, i) => {
    const t0 = process.hrtime.bigint();
    sink += indexes[i % indexes.length]!.search(q, LIMIT).results.length;
    times[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  });
  if (sink < 0) console.log(sink); // keeps the results alive
  const loaded = process.memoryUsage();
  registry.close();
  times.sort();
  return {
    agencies: ids.length,
    buildMs,
    heapPerAgencyMB: (built.heapUsed - before.heapUsed) / ids.length / 2 ** 20,
    buffersPerAgencyMB: (built.arrayBuffers - before.arrayBuffers) / ids.length / 2 ** 20,
    rssBuiltMB: built.rss / 2 ** 20,
    rssLoadedMB: loaded.rss / 2 ** 20,
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
    max: times[times.length - 1] ?? NaN,
  };
}

function inChild(knowledgeDir: string, ids: string[]): Promise<AgenciesResult> {
  return new Promise((resolve, reject) => {
    // Same node options as this process (--expose-gc --import tsx).
    const child = fork(fileURLToPath(import.meta.url), ['--measure', knowledgeDir, ids.join(',')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: AgenciesResult | undefined;
    child.on('message', (m) => {
      result = m as AgenciesResult;
    });
    child.on('error', reject);
    child.on('exit', (code) => (result && code === 0 ? resolve(result) : reject(new Error(`${ids.length} agencies: child exited with ${code}`))));
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export async function agenciesBench({ counts, entries, runs }: { counts: number[]; entries: number; runs: number }): Promise<void> {
  const sizes = [...new Set([1, ...counts])].sort((a, b) => a - b);
  const most = sizes[sizes.length - 1]!;
  const made = generateAgencies({ agencies: most, entries });
  try {
    console.log(`Agencies in one process: ${sizes.join(', ')} generated agencies of ${entries} entries (bench/agencies.ts), ${runs} runs each, medians`);
    console.log(
      `machine: ${cpus().length} CPUs, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} at start; node ${process.version}\n`,
    );
    const rows: AgenciesResult[] = [];
    for (const n of sizes) {
      const results: AgenciesResult[] = [];
      for (let r = 0; r < runs; r++) {
        process.stdout.write(`  measuring ${n} agencies, run ${r + 1}/${runs}…\n`);
        results.push(await inChild(made.knowledgeDir, made.ids.slice(0, n)));
      }
      const m = (key: keyof AgenciesResult) => median(results.map((x) => x[key]));
      rows.push({
        agencies: n,
        buildMs: m('buildMs'),
        heapPerAgencyMB: m('heapPerAgencyMB'),
        buffersPerAgencyMB: m('buffersPerAgencyMB'),
        rssBuiltMB: m('rssBuiltMB'),
        rssLoadedMB: m('rssLoadedMB'),
        p50: m('p50'),
        p99: m('p99'),
        max: m('max'),
      });
    }
    console.log();
    console.log(
      table(
        ['agencies', 'build ms', 'ms/agency', 'heap MB/agency', 'buffers MB/agency', 'RSS MB built', 'RSS MB asked', 'p50 ms', 'p99 ms', 'max ms'],
        rows.map((r) => [
          String(r.agencies),
          f(r.buildMs, 0),
          f(r.buildMs / r.agencies, 0),
          f(r.heapPerAgencyMB, 2),
          f(r.buffersPerAgencyMB, 2),
          f(r.rssBuiltMB, 0),
          f(r.rssLoadedMB, 0),
          f(r.p50, 3),
          f(r.p99, 3),
          f(r.max, 2),
        ]),
      ),
    );
    console.log(
      `\nmachine load average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    console.log(
      `RSS: the whole process (the dictionary, about 19 MB, and node's own included); p99 of ${QUERY_COUNT} is the ${QUERY_COUNT / 100}th slowest search`,
    );
    const at50 = rows.find((r) => r.agencies === 50);
    if (at50 !== undefined && entries === 30) {
      const misses = [
        at50.buildMs > TARGETS.buildMs ? `build ${f(at50.buildMs / 1000, 1)} s > ${TARGETS.buildMs / 1000} s` : '',
        at50.rssLoadedMB > TARGETS.rssMB ? `RSS ${f(at50.rssLoadedMB, 0)} MB > ${TARGETS.rssMB} MB` : '',
        at50.p99 > TARGETS.p99 ? `p99 ${f(at50.p99, 2)} ms > ${TARGETS.p99} ms` : '',
      ].filter(Boolean);
      console.log(misses.length === 0 ? '50 agencies: all targets met' : `50 agencies: targets missed: ${misses.join('; ')}`);
    }
  } finally {
    made.remove();
  }
}

if (process.argv[2] === '--measure') {
  const [knowledgeDir, ids] = process.argv.slice(3);
  const result = measure(knowledgeDir!, ids!.split(','));
  if (process.send) process.send(result);
  else console.log(JSON.stringify(result, null, 2));
}
