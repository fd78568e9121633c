// `npm run fuzz [-- --runs 20000 --seconds 600 --seed 42 --group dl-activities --replay 3:1:0]`:
// generated bad input to every public endpoint of a real bot process; a table, the distinct
// failures with their smallest inputs, exit 1 on any failure.
import { formatReport, runFuzz, type FuzzOptions } from './runner.js';

const USAGE = `usage: npm run fuzz -- [options]
  --runs N            probes over all groups (default 2000)
  --seconds S         time for sending probes (default 120)
  --seed N            fast-check seed (default: random, printed)
  --group a,b         only these groups
  --replay PATH       with one --group: replay that run (a failure's replay path) and print everything
  --timeout-ms N      a request not answered within this is a hang (default 5000)
  --shrink-steps N    attempts per failure to shrink it (default 60)
  --shrink-seconds S  time for shrinking all failures (default 90)
  --crashes N         a group stops after N crashes, or when restarts took a third of its time (default 25)
  --app-dir DIR       fuzz another checkout (its bot/main.ts; default this one)
  --log-level L       the bot's LOG_LEVEL (default info)
Environment: FUZZ_RUNS, FUZZ_SECONDS, FUZZ_SEED as defaults for the flags.`;

function parse(argv: readonly string[]): FuzzOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}\n${USAGE}`);
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value\n${USAGE}`);
    flags.set(name, value);
  }
  const number = (name: string, env: string | undefined, fallback: number): number => {
    const raw = flags.get(name) ?? (env === undefined ? undefined : process.env[env]);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, not ${raw}`);
    return n;
  };
  const known = new Set(['runs', 'seconds', 'seed', 'group', 'replay', 'timeout-ms', 'shrink-steps', 'shrink-seconds', 'crashes', 'app-dir', 'log-level']);
  for (const name of flags.keys()) if (!known.has(name)) throw new Error(`unknown option --${name}\n${USAGE}`);
  const groups = flags
    .get('group')
    ?.split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  const replay = flags.get('replay');
  if (replay !== undefined && groups?.length !== 1) throw new Error('--replay needs exactly one --group');
  const appDir = flags.get('app-dir');
  const logLevel = flags.get('log-level');
  return {
    seed: Math.trunc(number('seed', 'FUZZ_SEED', Math.floor(Math.random() * 2 ** 31))),
    runs: number('runs', 'FUZZ_RUNS', 2_000),
    seconds: number('seconds', 'FUZZ_SECONDS', 120),
    timeoutMs: number('timeout-ms', undefined, 5_000),
    shrinkSteps: number('shrink-steps', undefined, 60),
    shrinkSeconds: number('shrink-seconds', undefined, 90),
    crashesPerGroup: number('crashes', undefined, 25),
    ...(groups ? { groups } : {}),
    ...(replay !== undefined && groups ? { replay: { group: groups[0]!, path: replay } } : {}),
    ...(appDir ? { appDir } : {}),
    ...(logLevel ? { logLevel } : {}),
    print: (line) => console.error(line),
  };
}

let options: FuzzOptions;
try {
  options = parse(process.argv.slice(2));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
const report = await runFuzz(options);
console.log(formatReport(report));
process.exit(report.ok ? 0 : 1);
