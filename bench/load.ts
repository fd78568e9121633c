// `npm run bench`: load test of the real server over its Direct Line 3.0 endpoint (simulated citizens
// at 10, 100 and 500 concurrent conversations), next to two yardsticks: a bare restify echo server
// (the machine's ceiling for one HTTP request), and the "floor", our restify server and Direct Line
// routes with a bot that only echoes on the in-memory store (what botbuilder and the channel cost
// before the bot does anything).
//
// Processes: this process is the orchestrator AND the load generator; each server under test runs in
// its own child process (child_process.fork, same node options), so the client never shares an event
// loop with the server. The server child samples its own RSS every 100 ms and reports the peak (and
// VmHWM) per level over IPC.
//
// A simulated citizen (one per concurrency slot, back to back until the level ends):
//   POST tokens/generate → POST conversations (Bearer token) → open the WebSocket stream at the
//   streamUrl it returns and wait for the greeting → MESSAGES_PER_CONVERSATION times: POST activities
//   (one question), then wait until the bot's reply to that message (replyToId = the id the POST
//   returned) arrives on the stream. Latency = from sending the message until its reply arrived
//   (which may be before the POST has returned).
// --read poll: no stream; GET activities?watermark= with exponential backoff starting at 0 ms: the
// first GET goes out as soon as the POST returns, then again after setImmediate (0 ms), 1, 2, 4, 8,
// 16, 32, 50, 50 … ms. Our POST returns after the bot's turn, so the first GET normally finds the
// reply (polls/wait shows it).
// HTTP: node:http with a keep-alive http.Agent per level (maxSockets = concurrency), no retries; the
// citizens of a level start spread over its first second (RAMP_MS), as people do, not all at once
// (with --think, over one conversation's length).
// Rate limits stay on, as in production behind one reverse proxy: the server runs with
// TRUST_PROXY_HOPS=1 and each simulated citizen (each conversation) sends its own X-Forwarded-For
// address, so the per-address and per-conversation buckets see one citizen each, not all of them
// as 127.0.0.1 (which would be refused with 429 after 100 requests).
// Questions: 40 `q` values of test/eval/tune.jsonl, picked evenly by kind (answers, referrals, small
// talk, fallbacks, a handover, other languages; Latvian and English); what the bot actually does
// with each (answer / clarify / refer …) is printed before the run, from the in-process bot.
//
// Servers run as in production: the project is compiled with tsc into $TMPDIR/padoms-bench-build-*/dist
// (beside links to the project's folders) and the children run plain `node --expose-gc` on the JavaScript, without
// tsx's loader thread (~35 MB RSS) and on-the-fly transforms. --tsx runs them from the sources instead;
// a failing compile falls back to that, with a note.
// Storage (--storage sqlite,postgres,postgres-2; default all three where PostgreSQL is installed, else
// sqlite with a note): `sqlite` is one server with SQLite in a temporary DATA_DIR; `postgres` one server
// on a temporary PostgreSQL cluster started as the tests start it (test/support/postgres.ts: initdb and
// pg_ctl from /usr/lib/postgresql/*/bin, as the postgres OS user when root); `postgres-2` two servers
// sharing one database, each citizen sending its requests to them in turn (round robin per request, a
// load balancer without session affinity), so every conversation moves between instances. Each
// PostgreSQL mode gets a fresh database on the one cluster; both instances share DIRECTLINE_TOKEN_SECRET,
// so either accepts the other's tokens. The cluster is destroyed at the end, on failure and on Ctrl-C.
// With two instances, server CPU and GC time are summed and memory is the larger instance's (the RSS
// target is per process), with the sum beside it. PostgreSQL's own processes are not in "srv CPU".
// --pg-seconds sets the time per level for the PostgreSQL modes (default: --seconds).
// Options: --profile writes a V8 CPU profile of the Padoms server child to $TMPDIR/padoms-bench-profiles/ (--cpu-prof);
// --levels 10,100 and --seconds 15 change the levels and the time per level; --think 2000 makes each
// citizen pause 0.5–1.5× that long after every reply (default: none).
// --agencies 1,50 runs instead one SQLite server per count, each serving that many generated agencies
// of 30 entries (bench/agencies.ts), the citizens spread over them: start time, heap per agency, RSS,
// and turns/s against the first count's, in the same run: --rounds 3 (the default) runs every count
// three times, in alternating order, and gives the median of the rounds' ratios.
// Note: with citizens back to back, latency = concurrency ÷ throughput (Little's law), so p99 < 20 ms at
// 100 conversations needs > 5,000 turns/s; --think measures latency at a person's pace instead.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, mkdirSync, symlinkSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { PgCluster } from '../test/support/postgres.js';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import WebSocket from 'ws';

const HERE = fileURLToPath(import.meta.url);
/** The project (knowledge, locales, test sets); a compiled copy of this file is told where it is. */
const ROOT = process.env['PADOMS_BENCH_ROOT'] ?? path.resolve(path.dirname(HERE), '..');

const argValue = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
};

const LEVELS = (argValue('--levels') ?? '10,100,500').split(',').map(Number);
/** Time per level for Padoms; the echo server needs less to settle. */
const LEVEL_SECONDS = Number(argValue('--seconds') ?? 15);
/**
 * Time per level for the PostgreSQL modes (--pg-seconds; default: --seconds). At 15 s the default run
 * (three modes, three levels, echo, compile, cluster start) took about 3 minutes on 2 busy cores;
 * each level can overrun by at most one turn's timeouts, so it stays under 6.
 */
const PG_LEVEL_SECONDS = Number(argValue('--pg-seconds') ?? LEVEL_SECONDS);
const ECHO_SECONDS = 5;
const WARMUP_SECONDS = 3;
/** Upper bound on turns per level, whatever the time. */
const MAX_TURNS_PER_LEVEL = 100_000;
const MESSAGES_PER_CONVERSATION = 8;
/**
 * Pause of a citizen after reading a reply (--think <ms>; default 0: back to back, as the brief asks).
 * Back to back, latency is concurrency ÷ throughput (Little's law); with a think time closer to a
 * person's (5–30 s), latency shows the service time at a realistic request rate.
 */
const THINK_MS = Number(argValue('--think') ?? 0);
/**
 * How a citizen reads replies (--read stream|poll): over the WebSocket stream, as Web Chat does
 * (default), or by polling GET activities, as clients without WebSockets do.
 */
const READ = ((): 'stream' | 'poll' => {
  const read = argValue('--read') ?? 'stream';
  if (read !== 'stream' && read !== 'poll') throw new Error('--read: stream or poll');
  return read;
})();
/** Any single HTTP request, and any reply wait, longer than this is an error. */
const REQUEST_TIMEOUT_MS = 10_000;
const REPLY_TIMEOUT_MS = 10_000;
const BACKOFF_MS = [0, 1, 2, 4, 8, 16, 32, 50];
/** Citizens of a level start spread over this long (included in the level's time). */
const RAMP_MS = 1_000;
const QUESTION_QUOTA: Record<string, number> = { answer: 22, refer: 8, smalltalk: 4, fallback: 3, language: 2, handover: 1 };
const PROFILE_DIR = path.join(tmpdir(), 'padoms-bench-profiles');
/** --agencies 1,50: the agency counts to compare (issue 20's targets), instead of the storage modes. */
const AGENCY_COUNTS = argValue('--agencies')
  ?.split(',')
  .map((n) => Number(n.trim()));
if (AGENCY_COUNTS?.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--agencies: whole numbers ≥ 1, comma-separated (e.g. 1,50)');
/** Issue 20: 50 agencies start within 10 s, stay under 300 MB RSS, and serve within 10 % of one agency's turns/s. */
const AGENCY_TARGETS = { startS: 10, rssMB: 300, turnsShare: 0.9 };
/** --rounds 3: how often every count is run (compareAgencyCounts). */
const AGENCY_ROUNDS = Number(argValue('--rounds') ?? 3);
if (!Number.isInteger(AGENCY_ROUNDS) || AGENCY_ROUNDS < 1) throw new Error('--rounds: a whole number ≥ 1');

/** Targets from the brief. */
/**
 * Issue 18's targets, against the floor measured in the same run (the echo server is a yardstick only:
 * the stack itself reaches a few per cent of it). Back to back: server CPU per turn at most twice the
 * floor's, turns/s at least half the floor's. At a person's pace (--think): p99 and errors. Always: RSS.
 */
const TARGETS = { cpuToFloor: 2, turnsToFloor: 0.5, thinkP99Ms: 100, errors: 0, rssMB: 250 };

// ---------------------------------------------------------------------------------------------
// IPC between the orchestrator and a server child

type ServerKind = 'padoms' | 'floor' | 'echo';
/** Where the Padoms server keeps its data, and how many instances share it. */
type Storage = 'sqlite' | 'postgres' | 'postgres-2';
const STORAGES: readonly Storage[] = ['sqlite', 'postgres', 'postgres-2'];
/**
 * How the orchestrator tells a Padoms child to use PostgreSQL (environment, not argv: the URL holds a
 * password). Unset: SQLite. The child turns them into DATABASE_URL and DIRECTLINE_TOKEN_SECRET.
 */
const ENV_DATABASE_URL = 'PADOMS_BENCH_DATABASE_URL';
const ENV_TOKEN_SECRET = 'PADOMS_BENCH_TOKEN_SECRET';
/** Generated agencies for the Padoms child (--agencies): their knowledge folder and folder names. */
const ENV_KNOWLEDGE_DIR = 'PADOMS_BENCH_KNOWLEDGE_DIR';
const ENV_AGENCIES = 'PADOMS_BENCH_AGENCIES';
type ToServer = { type: 'level-start' } | { type: 'level-end' } | { type: 'stop' };
type FromServer =
  | {
      type: 'ready';
      port: number;
      /** From the start of building the app to listening. */
      startMs: number;
      /** heapUsed after a full GC once listening: what the server holds before any citizen. */
      heapAtStartMB: number;
    }
  | {
      type: 'level';
      peakRssMB: number;
      peakHeapMB: number;
      /** heapUsed right after a full GC at the end of the level: what the level left behind. */
      heapAfterGcMB: number;
      hwmMB: number;
      cpuMs: number;
      /** Event-loop delay (perf_hooks.monitorEventLoopDelay): how long the server could not react. */
      loopP99Ms: number;
      loopMaxMs: number;
      /** Garbage collection during the level: total pause time and the longest pause. */
      gcMs: number;
      gcMaxMs: number;
    };

// ---------------------------------------------------------------------------------------------
// The server child

/** VmHWM (peak resident set over the process's life) from /proc, in MB; NaN where unavailable. */
function vmHwmMB(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function runServer(kind: ServerKind): Promise<void> {
  const started = performance.now();
  let close: () => Promise<void>;
  let server: http.Server | { address(): AddressInfo | string | null };
  if (kind === 'padoms') {
    // The production factory with SQLite in a temporary DATA_DIR (or PostgreSQL when the orchestrator
    // passes a database), logging off.
    const { createApp } = await import('../bot/app.js');
    const { testConfig } = await import('../bot/config.js');
    const { silentLogger } = await import('../bot/log.js');
    const dataDir = mkdtempSync(path.join(tmpdir(), 'padoms-bench-'));
    const databaseUrl = process.env[ENV_DATABASE_URL];
    // With PostgreSQL the token secret is required, and the same on every instance: a token one issued
    // must be accepted by the other.
    const postgres = databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl, DIRECTLINE_TOKEN_SECRET: process.env[ENV_TOKEN_SECRET] ?? '' };
    // Generated agencies (--agencies): every one served, the first the default.
    const generated = process.env[ENV_AGENCIES]?.split(',');
    const agencies =
      generated === undefined ? {} : { KNOWLEDGE_DIR: process.env[ENV_KNOWLEDGE_DIR] ?? '', AGENCIES: generated.join(','), AGENCY: generated[0]! };
    const app = createApp(
      testConfig({
        DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        KNOWLEDGE_DIR: path.join(ROOT, 'knowledge'),
        LOCALES_DIR: path.join(ROOT, 'locales'),
        // One trusted proxy: rate limits apply per simulated citizen (X-Forwarded-For), see above.
        TRUST_PROXY_HOPS: '1',
        ...postgres,
        ...agencies,
      }),
      { log: silentLogger },
    );
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', () => resolve()));
    server = app.server;
    close = async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    };
  } else if (kind === 'floor') {
    // What the stack itself costs: the same restify server and Direct Line routes, with a bot that
    // only echoes, on the in-memory Direct Line store (no state, no transcripts, no matching).
    const { createServer } = await import('../bot/server.js');
    const { mountInMemoryDirectLine } = await import('../test/support/directline.js');
    const { silentLogger } = await import('../bot/log.js');
    const { ActivityHandler } = await import('botbuilder');
    const bot = new ActivityHandler();
    bot.onMembersAdded(async (context, next) => {
      await context.sendActivity('Sveiki!');
      await next();
    });
    bot.onMessage(async (context, next) => {
      await context.sendActivity(context.activity.text ?? '');
      await next();
    });
    const floor = createServer({ maxBodyBytes: 64 * 1024, log: silentLogger });
    mountInMemoryDirectLine(floor, (context) => bot.run(context));
    await new Promise<void>((resolve) => floor.listen(0, '127.0.0.1', () => resolve()));
    server = floor;
    close = async () => {
      floor.close();
    };
  } else {
    // The yardstick: bare restify 11, one POST route that returns the JSON body.
    const { default: restify } = await import('restify');
    const echo = restify.createServer({ name: 'echo', handleUncaughtExceptions: false });
    echo.use(restify.plugins.bodyParser({ mapParams: false }));
    echo.post('/echo', (req: { body?: unknown }, res: { send(code: number, body: unknown): void }, next: () => void) => {
      res.send(200, req.body);
      next();
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', () => resolve()));
    server = echo;
    close = async () => {
      echo.close();
    };
  }

  // Peak RSS, sampled every 100 ms; reset at the start of each level.
  let peak = 0;
  let peakHeap = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage.rss());
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  };
  const sampler = setInterval(sample, 100);
  let cpuAtStart = process.cpuUsage();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let gcMs = 0;
  let gcMaxMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration;
      gcMaxMs = Math.max(gcMaxMs, entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });

  const send = (m: FromServer) => process.send?.(m);
  let closing: Promise<void> | undefined;
  const shutdown = (code: number) => {
    closing ??= close();
    void closing.finally(() => process.exit(code));
  };
  process.on('message', (m: ToServer) => {
    if (m.type === 'level-start') {
      peak = 0;
      peakHeap = 0;
      sample();
      cpuAtStart = process.cpuUsage();
      loopDelay.reset();
      gcMs = 0;
      gcMaxMs = 0;
    } else if (m.type === 'level-end') {
      sample();
      const cpu = process.cpuUsage(cpuAtStart);
      const loopP99Ms = loopDelay.percentile(99) / 1e6;
      const loopMaxMs = loopDelay.max / 1e6;
      const gc = { gcMs, gcMaxMs };
      (globalThis as { gc?: () => void }).gc?.();
      send({
        type: 'level',
        peakRssMB: peak / 2 ** 20,
        peakHeapMB: peakHeap / 2 ** 20,
        heapAfterGcMB: process.memoryUsage().heapUsed / 2 ** 20,
        hwmMB: vmHwmMB(),
        cpuMs: (cpu.user + cpu.system) / 1000,
        loopP99Ms,
        loopMaxMs,
        ...gc,
      });
    } else if (m.type === 'stop') {
      clearInterval(sampler);
      // process.exit, not a natural end: open keep-alive sockets would hold the loop; --cpu-prof
      // still writes its profile on exit.
      shutdown(0);
    }
  });
  // The orchestrator is gone (killed, crashed): do not linger on the port, remove the data folder.
  process.once('disconnect', () => shutdown(1));
  // Ctrl-C in a terminal reaches the whole process group, this child included: close as on 'stop'
  // (the data folder removed, database connections ended) rather than die where it stands.
  process.once('SIGINT', () => shutdown(130));
  const port = (server.address() as AddressInfo).port;
  const startMs = performance.now() - started;
  (globalThis as { gc?: () => void }).gc?.();
  send({ type: 'ready', port, startMs, heapAtStartMB: process.memoryUsage().heapUsed / 2 ** 20 });
}

/** How server children are started: this file compiled to JavaScript, or this file under tsx. */
interface ServerEntry {
  mode: 'compiled' | 'tsx';
  file: string;
  execArgv: string[];
}

/** Compiles the project into a temporary folder; on failure the servers run under tsx. */
function serverEntry(): ServerEntry {
  const underTsx: ServerEntry = { mode: 'tsx', file: HERE, execArgv: process.execArgv };
  if (process.argv.includes('--tsx')) return underTsx;
  // A stand-in for the project (its top-level entries linked) whose dist/ gets the compiled server,
  // so it runs as `npm start` runs it, and files the code finds relative to dist/ are found.
  const buildDir = mkdtempSync(path.join(tmpdir(), 'padoms-bench-build-'));
  // Removed however the run ends (Ctrl-C included: see main).
  process.once('exit', () => rmSync(buildDir, { recursive: true, force: true }));
  for (const name of readdirSync(ROOT)) {
    if (name !== 'dist' && name !== '.git') symlinkSync(path.join(ROOT, name), path.join(buildDir, name));
  }
  const outDir = path.join(buildDir, 'dist');
  const tsc = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.json'), '--outDir', outDir],
    {
      encoding: 'utf8',
    },
  );
  const compiled = path.join(outDir, 'bench', 'load.js');
  if (tsc.status !== 0 || !existsSync(compiled)) {
    rmSync(buildDir, { recursive: true, force: true });
    console.log(`note: tsc failed (${(tsc.stdout + tsc.stderr).split('\n')[0] ?? ''}); servers run under tsx`);
    return underTsx;
  }
  // --no-deprecation: restify's process.binding('http_parser') warning, once per child.
  // The heap flags of `npm start` (package.json), so memory is measured as the server runs.
  return { mode: 'compiled', file: compiled, execArgv: ['--expose-gc', '--no-deprecation', ...startHeapFlags()] };
}

/** The --max-…-space-size flags of the `start` script in package.json. */
function startHeapFlags(): string[] {
  const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['start'] ?? '';
  return start.match(/--max-[a-z-]+-space-size=\d+/g) ?? [];
}

/** How long a server child may take to stop cleanly before it is killed. */
const STOP_TIMEOUT_MS = 10_000;

class ServerProcess {
  /** Children not yet stopped: on failure or Ctrl-C they go before the database they use. */
  static readonly live = new Set<ServerProcess>();

  private constructor(
    readonly kind: ServerKind,
    private readonly child: ChildProcess,
    readonly port: number,
    readonly ready: Extract<FromServer, { type: 'ready' }>,
  ) {}

  static start(kind: ServerKind, entry: ServerEntry, profile: boolean, env: Record<string, string> = {}): Promise<ServerProcess> {
    const execArgv = [...entry.execArgv, ...(profile ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : [])];
    if (profile) mkdirSync(PROFILE_DIR, { recursive: true });
    const child = fork(entry.file, ['--server', kind], {
      execArgv,
      env: { ...process.env, ...env, PADOMS_BENCH_ROOT: ROOT },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code} before it was ready`)));
      child.once('message', (m: FromServer) => {
        if (m.type !== 'ready') return;
        const server = new ServerProcess(kind, child, m.port, m);
        ServerProcess.live.add(server);
        resolve(server);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  levelStart(): void {
    if (this.child.connected) this.child.send({ type: 'level-start' } satisfies ToServer);
  }

  levelEnd(): Promise<Extract<FromServer, { type: 'level' }>> {
    return new Promise((resolve, reject) => {
      // Died during the level (its 'exit' already went by): fail the run instead of waiting forever.
      if (!this.child.connected) return reject(new Error(`${this.kind} server (pid ${this.pid ?? '?'}) ended during the level`));
      const onExit = (code: number | null) => reject(new Error(`${this.kind} server exited with ${code} during the level`));
      const onMessage = (m: FromServer) => {
        if (m.type !== 'level') return;
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        resolve(m);
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send({ type: 'level-end' } satisfies ToServer);
    });
  }

  /** A clean stop (the child removes its data folder); killed if it takes longer than STOP_TIMEOUT_MS. */
  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.child.removeAllListeners('exit');
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        ServerProcess.live.delete(this);
        return resolve();
      }
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      this.child.once('exit', () => {
        clearTimeout(timer);
        ServerProcess.live.delete(this);
        resolve();
      });
      if (this.child.connected) this.child.send({ type: 'stop' } satisfies ToServer);
      else this.child.kill('SIGTERM');
    });
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP client

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

class HttpError extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

interface CallOptions {
  token?: string;
  body?: unknown;
  /** The simulated citizen's address, as a reverse proxy would pass it on. */
  forwardedFor?: string;
}

/** "POST activities", "GET activities", "POST tokens/generate"…: which request failed, without ids. */
function endpoint(method: string, urlPath: string): string {
  const name = urlPath
    .split('?')[0]!
    .replace(/^\/v3\/directline\//, '')
    .replace(/conversations\/[^/]+\/activities/, 'activities');
  return `${method} ${name}`;
}

function call(agent: http.Agent, port: number, method: 'GET' | 'POST', urlPath: string, { token, body, forwardedFor }: CallOptions = {}): Promise<Reply> {
  const where = endpoint(method, urlPath);
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: http.OutgoingHttpHeaders = { Accept: 'application/json' };
    if (token !== undefined) headers['Authorization'] = `Bearer ${token}`;
    if (forwardedFor !== undefined) headers['X-Forwarded-For'] = forwardedFor;
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => reject(new HttpError('network', err.message)));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: Record<string, unknown> = {};
        try {
          parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
        } catch {
          return reject(new HttpError(`bad-json ${status} ${where}`, 'response is not JSON'));
        }
        if (status < 200 || status >= 300) return reject(new HttpError(`http ${status} ${where}`, `${method} ${urlPath}: ${status}`));
        resolve({ status, body: parsed });
      });
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new HttpError(`timeout ${where}`, `${method} ${urlPath}: no response in ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (err) =>
      reject(err instanceof HttpError ? err : new HttpError(`network ${(err as NodeJS.ErrnoException).code ?? err.name} ${where}`, err.message)),
    );
    req.end(payload);
  });
}

/**
 * A citizen's Direct Line stream: what the server pushed, each activity with the moment it arrived
 * (a reply may arrive before the POST that caused it has returned).
 */
class StreamReader {
  private readonly socket: WebSocket;
  private arrived: { activity: Activity; at: number }[] = [];
  private waiter: { found: (a: Activity) => boolean; resolve: (at: number) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | undefined;
  private failure: Error | undefined;

  private constructor(url: string, forwardedFor: string) {
    // The citizen's address, as for its HTTP requests: the upgrade counts against its rate limit.
    this.socket = new WebSocket(url, { perMessageDeflate: false, headers: { 'X-Forwarded-For': forwardedFor } });
    this.socket.on('message', (data: Buffer) => {
      if (data.length === 0) return; // keep-alive
      const at = performance.now();
      for (const activity of (JSON.parse(data.toString('utf8')) as { activities: Activity[] }).activities) this.arrived.push({ activity, at });
      this.check();
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      this.check();
    };
    this.socket.on('error', (err) => fail(new HttpError(`ws ${(err as NodeJS.ErrnoException).code ?? err.name}`, err.message)));
    this.socket.on('close', (code) => fail(new HttpError(`ws closed ${code}`, 'the stream closed')));
  }

  static open(url: string, forwardedFor: string): Promise<StreamReader> {
    const reader = new StreamReader(url, forwardedFor);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new HttpError('timeout ws open', 'the stream did not open')), REQUEST_TIMEOUT_MS);
      reader.socket.once('open', () => {
        clearTimeout(timer);
        resolve(reader);
      });
      reader.socket.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        reject(new HttpError(`ws http ${res.statusCode ?? 0}`, 'upgrade refused'));
      });
      reader.socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new HttpError(`ws ${(err as NodeJS.ErrnoException).code ?? err.name}`, err.message));
      });
    });
  }

  /** When the first activity `found` accepts arrived (waiting for it if need be); earlier ones are dropped. */
  next(found: (a: Activity) => boolean): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new HttpError('reply-timeout', 'no reply'));
      }, REPLY_TIMEOUT_MS);
      this.waiter = { found, resolve, reject, timer };
      this.check();
    });
  }

  close(): void {
    this.socket.removeAllListeners('close');
    this.socket.on('error', () => {});
    this.socket.terminate();
  }

  private check(): void {
    const waiter = this.waiter;
    if (waiter === undefined) return;
    const at = this.arrived.findIndex((x) => waiter.found(x.activity));
    if (at < 0 && this.failure === undefined) return;
    this.waiter = undefined;
    clearTimeout(waiter.timer);
    if (at < 0) return waiter.reject(this.failure!);
    waiter.resolve(this.arrived[at]!.at);
    this.arrived = this.arrived.slice(at + 1);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => (ms <= 0 ? setImmediate(resolve) : setTimeout(resolve, ms)));

// ---------------------------------------------------------------------------------------------
// Load generator

interface LevelStats {
  turns: number;
  requests: number;
  polls: number;
  conversations: number;
  latenciesMs: number[];
  /** How long opening each conversation's stream took: what a citizen arriving at a busy moment waits first. */
  streamOpensMs: number[];
  errors: Map<string, number>;
  elapsedS: number;
  clientCpuMs: number;
}

const newStats = (): LevelStats => ({
  turns: 0,
  requests: 0,
  polls: 0,
  conversations: 0,
  latenciesMs: [],
  streamOpensMs: [],
  errors: new Map(),
  elapsedS: 0,
  clientCpuMs: 0,
});

function countError(stats: LevelStats, err: unknown): void {
  const kind = err instanceof HttpError ? err.kind : err instanceof Error ? err.name : 'unknown';
  stats.errors.set(kind, (stats.errors.get(kind) ?? 0) + 1);
}

interface Activity {
  id?: string;
  type?: string;
  replyToId?: string;
  from?: { id?: string; role?: string };
}

/** Runs `slot` in `concurrency` parallel loops until the deadline or the turn cap. */
async function drive(
  concurrency: number,
  seconds: number,
  slot: (agent: http.Agent, stats: LevelStats, active: () => boolean) => Promise<void>,
): Promise<LevelStats> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const stats = newStats();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const active = () => performance.now() < deadline && stats.turns < MAX_TURNS_PER_LEVEL;
  const cpu = process.cpuUsage();
  // Citizens arrive over RAMP_MS, not in one millisecond: 500 simultaneous TCP connects to a busy
  // server overflow its accept queue, and the SYN retransmits (1 s, 3 s, 7 s) then look like slow turns.
  // At a person's pace they arrive over one conversation's length (its messages and pauses), as
  // people do: 1,000 concurrent conversations of 40 s each are 25 new ones a second, not 1,000 in
  // the first (a burst of greetings and first questions the steady load never has).
  const ramp = Math.max(RAMP_MS, THINK_MS * MESSAGES_PER_CONVERSATION);
  const arrival = (i: number) => (ramp * i) / concurrency;
  await Promise.all(Array.from({ length: concurrency }, (_, i) => sleep(arrival(i)).then(() => slot(agent, stats, active))));
  stats.elapsedS = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  stats.clientCpuMs = (used.user + used.system) / 1000;
  agent.destroy();
  return stats;
}

/** Addresses for simulated citizens: 10.0.0.1, 10.0.0.2, … one per conversation, unique per run. */
let citizenCount = 0;
const nextCitizenAddress = () => {
  const n = ++citizenCount;
  return `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
};

/**
 * One simulated citizen slot against Padoms: conversation after conversation. With several instances
 * (`ports`), each request goes to the next one, as a load balancer without session affinity sends
 * them: the poll after a POST reaches the other instance, which must find the reply in the database.
 * Citizens start on different instances (by seed), so the load is even from the first request.
 */
/** `agencies`: the agencies the citizens are spread over, one per citizen in turn (none: the default). */
function citizen(ports: readonly number[], questions: readonly string[], seed: number, agencies: readonly string[] = []) {
  let next = seed;
  let request = seed;
  const port = () => ports[request++ % ports.length]!;
  const tokenPath = agencies.length === 0 ? '/tokens/generate' : `/tokens/generate?agency=${agencies[seed % agencies.length]!}`;
  const question = () => questions[(next = (next * 1103515245 + 12345) >>> 0) % questions.length] ?? '';
  const base = '/v3/directline';

  return async (agent: http.Agent, stats: LevelStats, active: () => boolean): Promise<void> => {
    let forwardedFor = nextCitizenAddress();
    const get = async (path: string, token: string) => {
      stats.requests++;
      return call(agent, port(), 'GET', path, { token, forwardedFor });
    };
    const post = async (path: string, token: string | undefined, body: unknown) => {
      stats.requests++;
      return call(agent, port(), 'POST', path, { ...(token === undefined ? {} : { token }), body, forwardedFor });
    };
    /** Polls with backoff until `found` says the new activities hold what we wait for. */
    const pollUntil = async (conversationId: string, token: string, watermark: string, found: (a: Activity) => boolean) => {
      const until = performance.now() + REPLY_TIMEOUT_MS;
      let w = watermark;
      for (let attempt = 0; ; attempt++) {
        const { body } = await get(`${base}/conversations/${conversationId}/activities?watermark=${w}`, token);
        stats.polls++;
        const activities = (body['activities'] as Activity[] | undefined) ?? [];
        w = typeof body['watermark'] === 'string' ? body['watermark'] : w;
        if (activities.some(found)) return w;
        if (performance.now() > until) throw new HttpError('reply-timeout', 'no reply');
        await sleep(BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)] ?? 50);
      }
    };

    let stream: StreamReader | undefined;
    while (active()) {
      forwardedFor = nextCitizenAddress();
      try {
        const generated = await post(`${base}${tokenPath}`, undefined, undefined);
        const token = String(generated.body['token']);
        const conversationId = String(generated.body['conversationId']);
        const started = await post(`${base}/conversations`, token, { locale: 'lv-LV' });
        stats.conversations++;
        const isBot = (a: Activity) => a.type === 'message' && a.from?.role !== 'user';
        const streamUrl = started.body['streamUrl'];
        if (READ === 'stream' && typeof streamUrl !== 'string') throw new HttpError('no streamUrl', 'POST conversations gave no streamUrl');
        const opening = performance.now();
        stream = READ === 'stream' ? await StreamReader.open(String(streamUrl), forwardedFor) : undefined;
        if (stream) stats.streamOpensMs.push(performance.now() - opening);
        let watermark = stream ? '' : await pollUntil(conversationId, token, '', isBot);
        if (stream) await stream.next(isBot);
        for (let m = 0; m < MESSAGES_PER_CONVERSATION && active(); m++) {
          const sent = performance.now();
          const { body } = await post(`${base}/conversations/${conversationId}/activities`, token, {
            type: 'message',
            text: question(),
            locale: 'lv-LV',
            from: { name: 'Bench' },
          });
          const id = String(body['id']);
          const isReply = (a: Activity) => a.replyToId === id && isBot(a);
          if (stream) stats.latenciesMs.push((await stream.next(isReply)) - sent);
          else {
            watermark = await pollUntil(conversationId, token, watermark, isReply);
            stats.latenciesMs.push(performance.now() - sent);
          }
          stats.turns++;
          if (THINK_MS > 0) await sleep(THINK_MS * (0.5 + Math.random()));
        }
      } catch (err) {
        countError(stats, err);
        await sleep(10); // a failed citizen does not retry in a tight loop
      } finally {
        stream?.close();
        stream = undefined;
      }
    }
  };
}

/** One slot against the echo server: POSTs back to back. */
function echoClient(port: number, questions: readonly string[], seed: number) {
  let i = seed;
  return async (agent: http.Agent, stats: LevelStats, active: () => boolean): Promise<void> => {
    while (active()) {
      const sent = performance.now();
      try {
        stats.requests++;
        await call(agent, port, 'POST', '/echo', {
          body: { type: 'message', text: questions[i++ % questions.length], locale: 'lv-LV', from: { name: 'Bench' } },
        });
        stats.latenciesMs.push(performance.now() - sent);
        stats.turns++;
      } catch (err) {
        countError(stats, err);
        await sleep(10);
      }
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Questions

interface Labelled {
  q: string;
  kind: string;
}

/** QUESTION_QUOTA questions per kind, spread evenly over each kind's items in the file. */
function pickQuestions(): Labelled[] {
  const items = readFileSync(path.join(ROOT, 'test', 'eval', 'tune.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Labelled);
  return Object.entries(QUESTION_QUOTA).flatMap(([kind, quota]) => {
    const ofKind = items.filter((i) => i.kind === kind);
    return Array.from({ length: Math.min(quota, ofKind.length) }, (_, n) => ofKind[Math.floor((n * ofKind.length) / quota)]).filter(
      (x): x is Labelled => x !== undefined,
    );
  });
}

/** The real bot in this process, over the project's knowledge and texts, its records in memory. */
async function benchBot() {
  const { createInProcessBot } = await import('../bot/cli/in-process.js');
  return createInProcessBot({ LOG_LEVEL: 'silent', KNOWLEDGE_DIR: path.join(ROOT, 'knowledge'), LOCALES_DIR: path.join(ROOT, 'locales') });
}

/** What the bot does with each question (fresh conversation each), from the in-process bot. */
async function classify(questions: readonly Labelled[]): Promise<Map<string, number>> {
  const bot = await benchBot();
  const kinds = new Map<string, number>();
  for (const { q } of questions) {
    const { decision } = await bot.say(q);
    const kind = decision?.decision.kind ?? 'none';
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  await bot.close();
  return kinds;
}

// ---------------------------------------------------------------------------------------------
// Report

type ServerLevel = Extract<FromServer, { type: 'level' }>;

/** One level's server figures over all instances of a run. */
interface Measured extends Omit<ServerLevel, 'type'> {
  instances: number;
  /** Peak RSS of all instances added up (each instance's own peak: an upper bound of the joint peak). */
  peakRssSumMB: number;
}

/**
 * Memory per instance is the larger instance's (the RSS target is per process); CPU and GC time are
 * summed (the work the level cost); loop delay and the longest GC pause are the worse instance's.
 */
function combine(levels: readonly ServerLevel[]): Measured {
  const max = (pick: (l: ServerLevel) => number) => Math.max(...levels.map(pick));
  const sum = (pick: (l: ServerLevel) => number) => levels.reduce((total, l) => total + pick(l), 0);
  return {
    instances: levels.length,
    peakRssMB: max((l) => l.peakRssMB),
    peakRssSumMB: sum((l) => l.peakRssMB),
    peakHeapMB: max((l) => l.peakHeapMB),
    heapAfterGcMB: max((l) => l.heapAfterGcMB),
    hwmMB: max((l) => l.hwmMB),
    cpuMs: sum((l) => l.cpuMs),
    loopP99Ms: max((l) => l.loopP99Ms),
    loopMaxMs: max((l) => l.loopMaxMs),
    gcMs: sum((l) => l.gcMs),
    gcMaxMs: max((l) => l.gcMaxMs),
  };
}

interface Row {
  server: ServerKind;
  /** What the table's first column says: padoms/sqlite, padoms/postgres-2, echo. */
  label: string;
  level: number;
  stats: LevelStats;
  server_: Measured;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none, or if any is NaN. */
function median(values: readonly number[]): number {
  if (values.some(Number.isNaN)) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length === 0 ? NaN : sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const f = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const errorText = (errors: Map<string, number>) => {
  const total = [...errors.values()].reduce((a, b) => a + b, 0);
  return total === 0 ? '0' : `${total} (${[...errors].map(([k, v]) => `${k}: ${v}`).join(', ')})`;
};

function rowCells(r: Row): string[] {
  const sorted = [...r.stats.latenciesMs].sort((a, b) => a - b);
  const opens = [...r.stats.streamOpensMs].sort((a, b) => a - b);
  const s = r.stats;
  return [
    r.label,
    String(r.level),
    f(s.turns / s.elapsedS, 0),
    f(s.requests / s.elapsedS, 0),
    f(percentile(sorted, 0.5), 2),
    f(percentile(sorted, 0.95), 2),
    f(percentile(sorted, 0.99), 2),
    f(sorted[sorted.length - 1] ?? NaN, 1),
    errorText(s.errors),
    r.server !== 'echo' ? String(s.conversations) : '',
    r.server !== 'echo' ? f(s.polls / Math.max(1, s.turns + s.conversations), 2) : '',
    opens.length > 0 ? `${f(percentile(opens, 0.5), 0)}/${f(percentile(opens, 0.99), 0)}` : '',
    `${f((100 * r.server_.cpuMs) / (1000 * s.elapsedS), 0)}%`,
    f(r.server_.cpuMs / Math.max(1, s.turns), 2),
    `${f((100 * s.clientCpuMs) / (1000 * s.elapsedS), 0)}%`,
    r.server_.instances > 1 ? `${f(r.server_.peakRssMB, 0)} (Σ ${f(r.server_.peakRssSumMB, 0)})` : f(r.server_.peakRssMB, 0),
    f(r.server_.peakHeapMB, 0),
    f(r.server_.heapAfterGcMB, 0),
    `${f(r.server_.loopP99Ms, 0)}/${f(r.server_.loopMaxMs, 0)}`,
    `${f((100 * r.server_.gcMs) / (1000 * s.elapsedS), 0)}%/${f(r.server_.gcMaxMs, 0)}`,
  ];
}

// ---------------------------------------------------------------------------------------------
// Orchestration

/** One run of the levels: which server, how many instances, what they are told, how long per level. */
interface Target {
  kind: ServerKind;
  label: string;
  instances: number;
  env: Record<string, string>;
  seconds: number;
  /** Generated agencies the citizens are spread over (--agencies). */
  agencies?: readonly string[];
}

async function runLevels(
  target: Target,
  entry: ServerEntry,
  questions: readonly string[],
  profile: boolean,
  onReady: (ready: ServerProcess['ready']) => void = () => {},
): Promise<Row[]> {
  const { kind, label, seconds } = target;
  const servers = await Promise.all(Array.from({ length: target.instances }, () => ServerProcess.start(kind, entry, profile && kind === 'padoms', target.env)));
  for (const server of servers) onReady(server.ready);
  const ports = servers.map((server) => server.port);
  const slot = (n: number) => (kind === 'echo' ? echoClient(ports[0]!, questions, n) : citizen(ports, questions, n + 1, target.agencies));
  const slots = () => {
    let n = 0;
    return (agent: http.Agent, stats: LevelStats, active: () => boolean) => slot(n++)(agent, stats, active);
  };
  // The warm-up also applies the PostgreSQL migrations (run before a store's first query).
  process.stdout.write(`  ${label}: warm-up ${WARMUP_SECONDS} s at 20…`);
  await drive(20, WARMUP_SECONDS, slots());
  process.stdout.write(' done\n');
  const rows: Row[] = [];
  for (const level of LEVELS) {
    process.stdout.write(`  ${label}: ${level} concurrent for ${seconds} s…`);
    for (const server of servers) server.levelStart();
    const stats = await drive(level, seconds, slots());
    const serverStats = combine(await Promise.all(servers.map((server) => server.levelEnd())));
    rows.push({ server: kind, label, level, stats, server_: serverStats });
    process.stdout.write(` ${f(stats.turns / stats.elapsedS, 0)} ${kind === 'echo' ? 'requests' : 'turns'}/s\n`);
  }
  const hwm = rows.at(-1)?.server_.hwmMB ?? NaN;
  const pids = servers.map((server) => server.pid ?? '?').join(', ');
  process.stdout.write(`  ${label}: VmHWM over the whole run ${f(hwm, 0)} MB${servers.length > 1 ? ' (the larger instance)' : ''} (pid ${pids})\n`);
  await Promise.all(servers.map((server) => server.stop()));
  return rows;
}

// ---- Storage modes and the PostgreSQL cluster

const NO_POSTGRES = 'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; apt-get install -y postgresql)';

/** The modes to run, in the usual order: --storage, else all three where PostgreSQL is installed. */
function storageModes(postgresInstalled: boolean): Storage[] {
  const asked = argValue('--storage');
  if (asked === undefined) {
    if (postgresInstalled) return [...STORAGES];
    console.log(`note: ${NO_POSTGRES}: storage sqlite only`);
    return ['sqlite'];
  }
  const modes = asked.split(',').map((m) => m.trim());
  const unknown = modes.filter((m) => !(STORAGES as readonly string[]).includes(m));
  if (unknown.length > 0) throw new Error(`--storage: unknown ${unknown.join(', ')}; one or more of ${STORAGES.join(', ')}, comma-separated`);
  if (!postgresInstalled && modes.some((m) => m !== 'sqlite')) throw new Error(`--storage ${asked}: ${NO_POSTGRES}`);
  return STORAGES.filter((m) => modes.includes(m));
}

const describeStorage: Record<Storage, string> = {
  sqlite: 'one server, SQLite in a temporary DATA_DIR',
  postgres: 'one server, a temporary PostgreSQL cluster',
  'postgres-2':
    'two servers sharing one PostgreSQL database, each citizen sending its requests to them in turn; srv CPU and GC time summed, memory the larger instance (Σ both)',
};

/**
 * Work to undo however the run ends (normal end, failure, Ctrl-C): server children first (they hold
 * connections to the database), then the registered steps, newest first. Runs once; later calls
 * wait for the same run, so a signal and a failing main do not race each other.
 */
const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all([...ServerProcess.live].map((server) => server.stop()));
    for (const undo of cleanups.reverse()) {
      await undo().catch((err: unknown) => console.error(`cleanup failed: ${err instanceof Error ? err.message : String(err)}`));
    }
  })();
  return cleaning;
}

/**
 * A temporary cluster, started as the tests start theirs (test/support/postgres.ts), destroyed by
 * cleanUp. Imported here, not at the top: server children load this file too, and must not pay for
 * pg and the helpers in their RSS when they run on SQLite.
 */
async function startCluster(): Promise<PgCluster> {
  const { startPostgres, postgresBinDir } = await import('../test/support/postgres.js');
  process.stdout.write(`  PostgreSQL: temporary cluster from ${postgresBinDir ?? '?'}…`);
  const cluster = await startPostgres();
  cleanups.push(() => cluster.destroy());
  process.stdout.write(` ready in ${cluster.startupMs} ms (port ${cluster.port})\n`);
  return cluster;
}

/** Runs the PostgreSQL modes on one cluster, each on a fresh database (the next does not start on the last one's rows). */
async function runPostgresModes(modes: readonly Storage[], entry: ServerEntry, questions: readonly string[], profile: boolean): Promise<Map<Storage, Row[]>> {
  const results = new Map<Storage, Row[]>();
  if (modes.length === 0) return results;
  const cluster = await startCluster();
  // One secret for every instance: a token issued by one is accepted by the other.
  const tokenSecret = randomBytes(32).toString('base64url');
  for (const storage of modes) {
    const url = await cluster.createDatabase(`bench_${storage.replace('-', '_')}`);
    const env = { [ENV_DATABASE_URL]: url, [ENV_TOKEN_SECRET]: tokenSecret };
    const instances = storage === 'postgres-2' ? 2 : 1;
    results.set(storage, await runLevels({ kind: 'padoms', label: `padoms/${storage}`, instances, env, seconds: PG_LEVEL_SECONDS }, entry, questions, profile));
  }
  return results;
}

// ---- Report

const p99Of = (r: Row) =>
  percentile(
    [...r.stats.latenciesMs].sort((a, b) => a - b),
    0.99,
  );
const errorsOf = (r: Row) => [...r.stats.errors.values()].reduce((a, b) => a + b, 0);

function printTargets(ours: readonly Row[], echo: readonly Row[], floor: readonly Row[], decisionMs: number | undefined): void {
  const check = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  const turnsPerS = (r: Row) => r.stats.turns / r.stats.elapsedS;
  const cpuPerTurn = (r: Row) => r.server_.cpuMs / Math.max(1, r.stats.turns);
  const levels = LEVELS.flatMap((level) => {
    const o = ours.find((r) => r.level === level);
    const fl = floor.find((r) => r.level === level);
    return o && fl ? [{ level, o, fl }] : [];
  });
  if (THINK_MS > 0) {
    // At a person's pace the load is what the citizens ask for: latency and errors are the measure.
    const rows = levels.map(({ level, o, fl }) => {
      const p99 = p99Of(o);
      const errors = errorsOf(o);
      return [
        String(level),
        f(turnsPerS(o), 0),
        f(turnsPerS(fl), 0),
        `${f(p99, 2)} ms (< ${TARGETS.thinkP99Ms}) ${check(p99 < TARGETS.thinkP99Ms)}`,
        `${f(p99Of(fl), 2)} ms`,
        `${errors} (= 0) ${check(errors === TARGETS.errors)}`,
      ];
    });
    console.log(table(['conc', 'our turns/s', 'floor turns/s', 'our p99', 'floor p99', 'errors'], rows));
  } else {
    const rows = levels.map(({ level, o, fl }) => {
      const turns = turnsPerS(o) / turnsPerS(fl);
      const cpu = cpuPerTurn(o) / cpuPerTurn(fl);
      return [
        String(level),
        f(turnsPerS(o), 0),
        f(turnsPerS(fl), 0),
        `${f(100 * turns, 1)}% (≥ ${100 * TARGETS.turnsToFloor}%) ${check(turns >= TARGETS.turnsToFloor)}`,
        f(cpuPerTurn(o), 2),
        f(cpuPerTurn(fl), 2),
        `${f(cpu, 2)}× (≤ ${TARGETS.cpuToFloor}×) ${check(cpu <= TARGETS.cpuToFloor)}`,
        `${f(p99Of(o), 2)} ms`,
        String(errorsOf(o)),
      ];
    });
    console.log(
      table(['conc', 'our turns/s', 'floor turns/s', 'turns/s ÷ floor', 'our CPU ms/turn', 'floor CPU ms/turn', 'CPU ÷ floor', 'p99', 'errors'], rows),
    );
  }
  // The yardsticks themselves: what the stack allows any bot on it, and the machine's bare HTTP.
  const yardsticks = levels.flatMap(({ level, fl }) => {
    const e = echo.find((r) => r.level === level);
    return e
      ? [`${level}: floor ${f(turnsPerS(fl), 0)} turns/s = ${f((100 * turnsPerS(fl)) / turnsPerS(e), 1)}% of the bare echo's ${f(turnsPerS(e), 0)} req/s`]
      : [];
  });
  if (yardsticks.length > 0) console.log(`floor: an echo bot on the same restify + Direct Line + botbuilder, in memory; ${yardsticks.join(' · ')}`);
  if (decisionMs !== undefined && THINK_MS === 0) {
    const shares = levels.map(
      ({ level, fl }) => `${level}: ${f(decisionMs / cpuPerTurn(fl), 2)}× the floor's turn, floor + decision ${f(1 + decisionMs / cpuPerTurn(fl), 2)}×`,
    );
    console.log(`the decision alone (knowledge/decide.ts, same questions, one process, no I/O): ${f(decisionMs, 3)} ms CPU per message; ${shares.join(' · ')}`);
  }
  const peakRss = Math.max(...ours.map((r) => r.server_.peakRssMB));
  const instances = ours[0]?.server_.instances ?? 1;
  const both = instances > 1 ? ` per instance (the larger; all ${instances} together ${f(Math.max(...ours.map((r) => r.server_.peakRssSumMB)), 0)} MB)` : '';
  console.log(`peak server RSS (100 ms samples, all levels): ${f(peakRss, 0)} MB${both} (< ${TARGETS.rssMB}) ${check(peakRss < TARGETS.rssMB)}`);
}

/**
 * --agencies: one SQLite server per count, serving that many generated agencies of 30 entries (the
 * same generator for every count, so only their number differs), citizens spread over them in turn.
 * Start time, heap per agency (the heap at start beyond the first count's, per further agency),
 * peak RSS, and turns/s beside the first count's.
 *
 * Turns/s moved by more than 10 % from one run to the next on this 2-core machine, as much as the
 * target allows, so the counts are run in rounds (--rounds, default 3), in turn and in alternating
 * order (1, 50 · 50, 1 · 1, 50): each round gives each count's ratio to that round's run of the
 * first count, minutes apart, and the median of the rounds' ratios is reported (the drift of the
 * machine cancels out; one bad run does not decide).
 */
async function compareAgencyCounts(counts: readonly number[], entry: ServerEntry, questions: readonly string[], profile: boolean): Promise<void> {
  const { generateAgencies } = await import('./agencies.js');
  type Run = { count: number; startMs: number; heapMB: number; rows: Row[] };
  const generated = counts.map((count) => generateAgencies({ agencies: count }));
  for (const g of generated) cleanups.push(async () => g.remove());
  const rounds: Run[][] = [];
  for (let round = 0; round < AGENCY_ROUNDS; round++) {
    const order = counts.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    const runs: Run[] = [];
    for (const i of order) {
      const count = counts[i]!;
      const { knowledgeDir, ids } = generated[i]!;
      console.log(`  round ${round + 1}/${AGENCY_ROUNDS}: ${count} agenc${count === 1 ? 'y' : 'ies'}`);
      let ready: ServerProcess['ready'] | undefined;
      const env = { [ENV_KNOWLEDGE_DIR]: knowledgeDir, [ENV_AGENCIES]: ids.join(',') };
      const target: Target = { kind: 'padoms', label: `padoms/sqlite, ${count} agencies`, instances: 1, env, seconds: LEVEL_SECONDS, agencies: ids };
      const rows = await runLevels(target, entry, questions, profile, (r) => (ready = r));
      runs[i] = { count, startMs: ready?.startMs ?? NaN, heapMB: ready?.heapAtStartMB ?? NaN, rows };
    }
    rounds.push(runs);
  }
  for (const g of generated) g.remove();
  const check = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  const rate = (row: Row | undefined) => (row === undefined ? NaN : row.stats.turns / row.stats.elapsedS);
  const first = counts[0]!;
  const several = rounds.length > 1;
  console.log(
    `\nagencies of 30 entries each (bench/agencies.ts), citizens spread over them; beside ${first} agenc${first === 1 ? 'y' : 'ies'}` +
      (several
        ? `, ${rounds.length} rounds: turns/s and p99 are the rounds' medians; the share is the median of each round's ratio to that round's run of ${first} ` +
          `(each round's in brackets), so the two need not divide; start and peak RSS are the worst round's`
        : ''),
  );
  counts.forEach((count, i) => {
    const runs = rounds.map((r) => r[i]!);
    const startS = Math.max(...runs.map((r) => r.startMs / 1000));
    const heapMB = median(runs.map((r) => r.heapMB));
    const firstHeapMB = median(rounds.map((r) => r[0]!.heapMB));
    const perAgency = i === 0 ? '' : `, heap per further agency ${f((heapMB - firstHeapMB) / (count - first), 2)} MB`;
    const peakRss = Math.max(...runs.flatMap((r) => r.rows.map((row) => row.server_.peakRssMB)));
    const turns = runs[0]!.rows.map(({ level }) => {
      const at = (run: Run) => run.rows.find((row) => row.level === level);
      const shares = rounds.map((r) => rate(at(r[i]!)) / rate(at(r[0]!)));
      const share = median(shares);
      const p99 = median(runs.map((r) => (at(r) === undefined ? NaN : p99Of(at(r)!))));
      const each = several && i > 0 ? ` [${shares.map((x) => f(100 * x, 0)).join(', ')}]` : '';
      return `${level}: ${f(median(runs.map((r) => rate(at(r)))), 0)} turns/s (${f(100 * share, 0)} %${each}${i === 0 ? '' : ` ${check(share >= AGENCY_TARGETS.turnsShare)}`}), p99 ${f(p99, 1)} ms`;
    });
    console.log(
      `  ${String(count).padStart(3)} agenc${count === 1 ? 'y' : 'ies'}: start ${f(startS, 2)} s (≤ ${AGENCY_TARGETS.startS}) ${check(startS <= AGENCY_TARGETS.startS)}; ` +
        `heap at start ${f(heapMB, 0)} MB${perAgency}; peak RSS ${f(peakRss, 0)} MB (≤ ${AGENCY_TARGETS.rssMB}) ${check(peakRss <= AGENCY_TARGETS.rssMB)}; ${turns.join(' · ')}`,
    );
  });
}

/** turns/s and p99 of every mode at 100 concurrent conversations (or the level nearest to it). */
function comparison(results: ReadonlyMap<Storage, readonly Row[]>): string {
  const level = LEVELS.reduce((best, l) => (Math.abs(l - 100) < Math.abs(best - 100) ? l : best));
  const parts = [...results].map(([storage, rows]) => {
    const r = rows.find((row) => row.level === level);
    return r === undefined ? `${storage} –` : `${storage} ${f(r.stats.turns / r.stats.elapsedS, 0)} turns/s, p99 ${f(p99Of(r), 2)} ms`;
  });
  return `comparison at ${level} concurrent: ${parts.join(' · ')}`;
}

async function main(): Promise<void> {
  // Ctrl-C / kill: stop the servers and destroy the PostgreSQL cluster, then exit through
  // process.exit, so the 'exit' cleanup (build folder) runs too. A second signal exits at once
  // (test/support/postgres.ts still stops a cluster left running, on 'exit').
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.once(signal, () => process.exit(130));
      void cleanUp().finally(() => process.exit(130));
    });
  }
  const profile = process.argv.includes('--profile');
  const { hasPostgres } = await import('../test/support/postgres.js');
  const modes = storageModes(hasPostgres);
  const labelled = pickQuestions();
  const questions = labelled.map((l) => l.q);
  const labels = new Map<string, number>();
  for (const l of labelled) labels.set(l.kind, (labels.get(l.kind) ?? 0) + 1);
  const actual = await classify(labelled);
  console.log(
    `Direct Line load test — node ${process.version}, ${MESSAGES_PER_CONVERSATION} messages per conversation, keep-alive http.Agent, server in a forked child`,
  );
  console.log(
    `questions: ${questions.length} from test/eval/tune.jsonl, labelled ${[...labels].map(([k, v]) => `${k} ${v}`).join(', ')}; the bot gives ${[...actual].map(([k, v]) => `${k} ${v}`).join(', ')}`,
  );
  if (THINK_MS > 0) console.log(`think time: ${THINK_MS} ms × 0.5–1.5 after every reply`);
  console.log(
    READ === 'stream'
      ? `replies read from the WebSocket stream (--read poll to poll instead); timeouts ${REQUEST_TIMEOUT_MS / 1000} s per request and per reply`
      : `polling: GET right after the POST returns, then backoff ${BACKOFF_MS.join(', ')} ms (0 = setImmediate); timeouts ${REQUEST_TIMEOUT_MS / 1000} s per request and per reply`,
  );
  const pgModes = modes.filter((m) => m !== 'sqlite');
  const seconds = [
    ...(modes.includes('sqlite') ? [`${LEVEL_SECONDS} s sqlite`] : []),
    ...(pgModes.length > 0 ? [`${PG_LEVEL_SECONDS} s ${pgModes.join(', ')}`] : []),
    `${THINK_MS > 0 ? LEVEL_SECONDS : ECHO_SECONDS} s floor and echo`,
  ];
  console.log(
    AGENCY_COUNTS === undefined
      ? `storage: ${modes.join(', ')}; time per level: ${seconds.join(', ')}\n`
      : `storage: sqlite, one server per count of agencies (${AGENCY_COUNTS.join(', ')}); time per level: ${LEVEL_SECONDS} s\n`,
  );

  console.log(
    `machine: ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at start (other processes skew every figure)`,
  );
  const entry = serverEntry();
  const decisionMs = measureDecision(entry, questions);
  console.log(
    `servers: ${entry.mode === 'compiled' ? `compiled with tsc, plain node (${path.relative(ROOT, entry.file) || entry.file})` : 'TypeScript sources under tsx'}`,
  );
  if (AGENCY_COUNTS !== undefined) return compareAgencyCounts(AGENCY_COUNTS, entry, questions, profile);
  const results = new Map<Storage, Row[]>();
  if (modes.includes('sqlite')) {
    results.set(
      'sqlite',
      await runLevels({ kind: 'padoms', label: 'padoms/sqlite', instances: 1, env: {}, seconds: LEVEL_SECONDS }, entry, questions, profile),
    );
  }
  // At a person's pace the citizens arrive over a conversation's length: the yardsticks need as long.
  const yardstickSeconds = THINK_MS > 0 ? LEVEL_SECONDS : ECHO_SECONDS;
  const floor = await runLevels({ kind: 'floor', label: 'floor', instances: 1, env: {}, seconds: yardstickSeconds }, entry, questions, false);
  const echo = await runLevels({ kind: 'echo', label: 'echo', instances: 1, env: {}, seconds: yardstickSeconds }, entry, questions, false);
  // PostgreSQL last: its cluster runs only while it is measured.
  for (const [storage, rows] of await runPostgresModes(pgModes, entry, questions, profile)) results.set(storage, rows);

  console.log();
  console.log('"turns/s" is citizen turns (message → reply read) for padoms and the floor, requests for echo; "req/s" is every HTTP request;');
  console.log(
    '"polls/wait" GETs per awaited reply (greeting or answer); "stream open" from creating a conversation\'s WebSocket until it is open; "srv CPU ms/turn" server CPU time per turn (conversation starts and polls included): less sensitive to other load on the machine than turns/s.',
  );
  console.log('"srv CPU" is the Padoms server process(es) only: PostgreSQL\'s own processes, on the same machine, are not counted.');
  for (const [storage, ours] of results) {
    console.log();
    console.log(`storage ${storage}: ${describeStorage[storage]}; ${storage === 'sqlite' ? LEVEL_SECONDS : PG_LEVEL_SECONDS} s per level`);
    console.log(
      table(
        [
          'server',
          'conc',
          'turns/s',
          'req/s',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'max ms',
          'errors',
          'convs',
          'polls/wait',
          'stream open p50/p99 ms',
          'srv CPU',
          'srv CPU ms/turn',
          'client CPU',
          'peak RSS MB',
          'peak heap MB',
          'heap after GC',
          'loop delay p99/max ms',
          'GC time/max ms',
        ],
        [...ours, ...floor, ...echo].map(rowCells),
      ),
    );
    console.log();
    printTargets(ours, echo, floor, decisionMs);
  }
  console.log();
  console.log(comparison(results));
  console.log(
    `machine load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  if (profile) console.log(`CPU profile of the padoms server${results.has('postgres-2') ? 's (one file per process)' : ''}: ${PROFILE_DIR}/`);
}

/**
 * CPU of the decision alone (knowledge/decide.ts: emergencies, conduct, frames, language, matcher,
 * vote) per message over the questions, no I/O, median of 7 rounds of 10 passes: the part of a turn no channel
 * or storage work can remove. Printed beside the floor's whole turn.
 */
async function decisionCost(questions: readonly string[]): Promise<number> {
  const { decide } = await import('../knowledge/decide.js');
  const bot = await benchBot();
  const deps = bot.app.turnDeps;
  const knowledge = deps.knowledge();
  const round = () => {
    for (const q of questions)
      decide(q, { knowledge, offeredLanguages: deps.offeredLanguages(), conversationLanguage: 'lv', ...deps.languages, ...deps.conduct });
  };
  // Warm, as a server is after its first minutes: the JIT has compiled the hot paths.
  for (let i = 0; i < 50; i++) round();
  const rounds: number[] = [];
  for (let i = 0; i < 7; i++) {
    const start = process.cpuUsage();
    for (let k = 0; k < 10; k++) round();
    const used = process.cpuUsage(start);
    rounds.push((used.user + used.system) / 1000 / (10 * questions.length));
  }
  await bot.close();
  return rounds.sort((a, b) => a - b)[3]!;
}

/** decisionCost in a child run as the servers are (compiled when they are). */
function measureDecision(entry: ServerEntry, questions: readonly string[]): number | undefined {
  const child = spawnSync(process.execPath, [...entry.execArgv, entry.file, '--decision-cost'], {
    input: JSON.stringify(questions),
    encoding: 'utf8',
    env: { ...process.env, PADOMS_BENCH_ROOT: ROOT },
  });
  const ms = Number(child.stdout.trim().split('\n').at(-1));
  if (child.status === 0 && Number.isFinite(ms)) return ms;
  console.log(`note: the decision's own cost was not measured (exit ${child.status}: ${child.stderr.trim().split('\n').at(-1)?.slice(0, 200) ?? ''})`);
  return undefined;
}

const serverAt = process.argv.indexOf('--server');
if (process.argv.includes('--decision-cost')) {
  console.log(await decisionCost(JSON.parse(readFileSync(0, 'utf8')) as string[]));
  process.exit(0);
} else if (serverAt >= 0) {
  const kind = process.argv[serverAt + 1];
  if (kind !== 'padoms' && kind !== 'floor' && kind !== 'echo') throw new Error('usage: bench/load.ts --server padoms|floor|echo');
  await runServer(kind);
} else {
  try {
    await main();
  } finally {
    // Also on failure: no cluster or server child outlives the run.
    await cleanUp();
  }
  process.exit(0);
}
