// The fuzz run: starts the bot (twice: rate limits off so inputs reach the handlers, and with the
// default limits), sends every group's generated probes, judges each answer (no 5xx, no crash, no
// hang, nothing forbidden in the log), then shrinks each distinct failure to a small input that
// still shows it, and reports. Deterministic per seed: a failure's run can be replayed by its path.
import { spawn } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import fc from 'fast-check';
import { startGraphApi } from '../support/graph-api.js';
import { directLine } from '../support/postgres.js';
import { fuzzGroups, type Group, type ServerName } from './endpoints.js';
import { execute, type Context, type Conversation, type ProbeRun } from './execute.js';
import { fold, logViolations, parseJsonLine, shorten, type LogViolation } from './logcheck.js';
import { endpointOf, routeOf, showProbe, type Probe } from './probes.js';
import { startFuzzServer, type FuzzServer, type LogLine } from './server.js';
import { exchange, requestBytes } from './wire.js';

export interface FuzzOptions {
  seed: number;
  /** Probes over all groups (each group gets its weight's share, and at least its examples). */
  runs: number;
  /** Time for sending probes (shrinking has its own budget). */
  seconds: number;
  /** A request not answered within this is a hang. */
  timeoutMs: number;
  /** Only these groups (default: all). */
  groups?: string[];
  /** The checkout whose bot/main.ts is fuzzed (default: this one). */
  appDir?: string;
  /** Attempts per failure to find a smaller input that still fails. */
  shrinkSteps: number;
  shrinkSeconds: number;
  /** A group stops after this many crashes (each costs a restart). */
  crashesPerGroup: number;
  logLevel?: string;
  /** Replay one run of one group (a failure's `replay` path) and print everything about it. */
  replay?: { group: string; path: string };
  /** Progress lines. */
  print?: (line: string) => void;
}

export type FailureKind = '5xx' | 'crash' | 'hang' | 'log' | 'protocol' | 'health';

type Observed = Pick<FailureRecord, 'kind' | 'signature' | 'endpoint' | 'detail'>;

export interface FailureRecord {
  kind: FailureKind;
  signature: string;
  endpoint: string;
  /** Status, body or log excerpt: what was seen the first time. */
  detail: string;
  count: number;
  groups: Set<string>;
  /** Every endpoint it was seen on. */
  endpoints: Set<string>;
  /** The probe that first showed it (undefined: at start-up or after the run). */
  first?: Seen;
  minimal?: { probe: Probe; path: string; shrinks: number };
  /** false: replaying the first probe did not show it again (timing or state). */
  reproduced?: boolean;
}

export interface GroupStats {
  name: string;
  server: ServerName;
  probes: number;
  requests: number;
  statuses: Map<string, number>;
  fiveXx: number;
  crashes: number;
  hangs: number;
  logViolations: number;
  protocol: number;
  stopped?: string;
}

export interface FuzzReport {
  seed: number;
  marker: string;
  options: FuzzOptions;
  groups: GroupStats[];
  failures: FailureRecord[];
  health: { server: string; ok: boolean; detail: string }[];
  restarts: number;
  shrinkProbes: number;
  graphApi: { requests: number; violations: string[] };
  elapsedMs: number;
  ok: boolean;
}

const TOKEN_SECRET = 'fuzz-directline-token-secret-0123456789abcdef';
const DIRECTLINE_SECRET = 'fuzz-directline-secret-0123456789';
const APP_SECRET = 'fuzz-facebook-app-secret';
const VERIFY_TOKEN = 'fuzz-verify-token';
const METRICS_TOKEN = 'fuzz-metrics-token-0123456789';
const STAFF_LOGIN = 'fuzz';
const STAFF_PASSWORD = 'fuzz-staff-password-0123';
const REPO = path.resolve(import.meta.dirname, '../..');

/** The marker planted in requests: derived from the seed, so a replay plants the same one. */
export function markerFor(seed: number): string {
  return `fzq${(seed >>> 0).toString(36)}mk`;
}

export interface Seen {
  group: string;
  runIndex: number;
  probe: Probe;
  /** One of the group's hand-written examples (those are not shrunk: they are small already). */
  example: boolean;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const print = options.print ?? (() => undefined);
  const marker = markerFor(options.seed);
  const all = fuzzGroups(marker);
  const wanted = options.replay ? [options.replay.group] : options.groups;
  const groups = wanted === undefined ? all : all.filter((g) => wanted.includes(g.name));
  if (groups.length === 0) throw new Error(`no such group: ${wanted?.join(', ')} (groups: ${all.map((g) => g.name).join(', ')})`);
  const appDir = options.appDir ?? REPO;

  const graph = await startGraphApi();
  const connector = await startConnector();
  const env = (limits: boolean): Record<string, string> => ({
    LOG_LEVEL: options.logLevel ?? 'info',
    KNOWLEDGE_HOT_RELOAD: 'false',
    DIRECTLINE_TOKEN_SECRET: TOKEN_SECRET,
    DIRECTLINE_SECRET,
    METRICS_TOKEN,
    FACEBOOK_APP_SECRET: APP_SECRET,
    FACEBOOK_VERIFY_TOKEN: VERIFY_TOKEN,
    FACEBOOK_PAGE_ACCESS_TOKEN: graph.token,
    FACEBOOK_GRAPH_API_URL: graph.url,
    FACEBOOK_GRAPH_API_VERSION: graph.version,
    ...(limits ? {} : { RATE_LIMIT_IP_PER_MINUTE: '0', RATE_LIMIT_CHANNEL_IP_PER_MINUTE: '0', RATE_LIMIT_CONVERSATION_PER_MINUTE: '0' }),
  });
  const needed = new Set(groups.map((g) => g.server));
  print(`fuzz: seed ${options.seed}, marker ${marker}, ${options.runs} runs, ${options.seconds} s, app ${appDir}`);
  const servers = new Map<ServerName, FuzzServer>();
  const contexts = new Map<ServerName, Context>();
  const report: FuzzReport = {
    seed: options.seed,
    marker,
    options,
    groups: [],
    failures: [],
    health: [],
    restarts: 0,
    shrinkProbes: 0,
    graphApi: { requests: 0, violations: [] },
    elapsedMs: 0,
    ok: false,
  };
  try {
    await Promise.all(
      [...needed].map(async (name) => {
        const server = await startFuzzServer({
          name,
          appDir,
          env: env(name === 'limits'),
          ...(name === 'main' ? { prepare: (dir: string) => addStaff(appDir, dir) } : {}),
        });
        servers.set(name, server);
        contexts.set(name, await contextFor(server, connector.url, name === 'main'));
      }),
    );
    print(`fuzz: ${[...servers.values()].map((s) => `${s.name} on ${s.origin}`).join(', ')}`);
    const fuzz = new Fuzzing(options, marker, servers, contexts, report, print);
    if (options.replay) {
      await fuzz.replay(groups[0]!, options.replay.path);
    } else {
      await fuzz.explore(groups);
      await fuzz.shrinkAll(groups);
    }
    fuzz.scanLogs(true);
    for (const server of servers.values()) {
      const health = await healthOf(server, options.timeoutMs);
      report.health.push(health);
      if (!health.ok)
        fuzz.fail(
          { kind: 'health', signature: `/healthz not healthy after the run (${server.name})`, endpoint: 'GET /healthz', detail: health.detail },
          undefined,
        );
    }
    fuzz.scanLogs(true);
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    await graph.close();
    await connector.close();
  }
  report.graphApi = { requests: graph.requests.length, violations: graph.violations.slice(0, 20) };
  report.elapsedMs = Date.now() - started;
  report.ok = report.failures.length === 0;
  return report;
}

class Fuzzing {
  private sequence = 0;
  /** The last probes sent, by sequence number: log lines name the probe they arrived during. */
  private readonly recent = new Map<number, Seen>();
  private readonly scanned = new Map<FuzzServer, number>();
  private readonly byGroup = new Map<string, GroupStats>();
  private readonly failures = new Map<string, FailureRecord>();
  private readonly knownHangs = new Map<string, number>();
  private readonly groupOf = new Map<number, string>();
  private shrinking = false;
  /** Time spent restarting after crashes, per group. */
  private readonly restartMs = new Map<string, number>();

  constructor(
    private readonly options: FuzzOptions,
    private readonly marker: string,
    private readonly servers: Map<ServerName, FuzzServer>,
    private readonly contexts: Map<ServerName, Context>,
    private readonly report: FuzzReport,
    private readonly print: (line: string) => void,
  ) {}

  private stats(group: Group): GroupStats {
    let s = this.byGroup.get(group.name);
    if (s === undefined) {
      s = {
        name: group.name,
        server: group.server,
        probes: 0,
        requests: 0,
        statuses: new Map(),
        fiveXx: 0,
        crashes: 0,
        hangs: 0,
        logViolations: 0,
        protocol: 0,
      };
      this.byGroup.set(group.name, s);
      this.report.groups.push(s);
    }
    return s;
  }

  fail(observed: Observed, seen: Seen | undefined): FailureRecord {
    let record = this.failures.get(observed.signature);
    if (record === undefined) {
      record = { ...observed, count: 0, groups: new Set(), endpoints: new Set(), ...(seen ? { first: seen } : {}) };
      this.failures.set(observed.signature, record);
      this.report.failures.push(record);
      if (!this.shrinking) this.print(`fuzz:   new failure [${record.kind}] ${record.signature}`);
    }
    record.count += 1;
    record.endpoints.add(observed.endpoint);
    if (seen) record.groups.add(seen.group);
    return record;
  }

  async explore(groups: Group[]): Promise<void> {
    const totalWeight = groups.reduce((sum, g) => sum + g.weight, 0);
    const endAt = Date.now() + this.options.seconds * 1_000;
    for (const [i, group] of groups.entries()) {
      const share = group.weight / totalWeight;
      const numRuns = Math.max(group.examples.length, Math.round(this.options.runs * share));
      // A group that finishes early leaves its time to the groups after it.
      const remainingWeight = groups.slice(i).reduce((sum, g) => sum + g.weight, 0);
      const groupEnd = Date.now() + Math.max(0, endAt - Date.now()) * (group.weight / remainingWeight);
      const stats = this.stats(group);
      const groupStart = Date.now();
      this.restartMs.set(group.name, 0);
      let index = 0;
      this.print(`fuzz: ${group.name}: up to ${numRuns} probes, ${Math.round((groupEnd - Date.now()) / 1000)} s (${group.about})`);
      await fc.check(
        fc.asyncProperty(group.arbitrary, async (probe) => {
          const runIndex = index++;
          // The examples always run, even past the time budget: they are the known failures.
          if (stats.stopped !== undefined || (Date.now() > groupEnd && runIndex >= group.examples.length)) return true;
          const observed = await this.send(group, probe, runIndex, 'explore');
          // Each crash costs a restart: a group stops after its crash budget, or when restarts ate a third of its time.
          if (observed.crashed && (stats.crashes >= this.options.crashesPerGroup || this.restartMs.get(group.name)! > (groupEnd - groupStart) / 3)) {
            stats.stopped = `stopped after ${stats.crashes} crash${stats.crashes === 1 ? '' : 'es'}`;
          }
          return true;
        }),
        { seed: this.options.seed, numRuns, examples: group.examples.map((e) => [e] as [Probe]) },
      );
      if (stats.stopped === undefined && stats.probes < numRuns) stats.stopped = `time budget used after ${stats.probes} probes`;
      this.print(
        `fuzz: ${group.name}: ${stats.probes} probes, ${stats.requests} requests, ${stats.fiveXx} 5xx, ${stats.crashes} crashes, ${stats.hangs} hangs, ${stats.logViolations} log violations`,
      );
    }
  }

  /** Each failure's first probe replayed and shrunk while it still shows the same failure. */
  async shrinkAll(groups: Group[]): Promise<void> {
    const endAt = Date.now() + this.options.shrinkSeconds * 1_000;
    this.shrinking = true;
    const queue = [...this.report.failures];
    for (const [i, failure] of queue.entries()) {
      const group = groups.find((g) => g.name === failure.first?.group);
      // Examples are small already (and cannot shrink: fast-check shrinks what it generated).
      if (failure.first === undefined || group === undefined || failure.first.example) continue;
      const now = Date.now();
      if (now >= endAt) break;
      const failureEnd = Math.min(endAt, now + Math.max(4_000, (endAt - now) / (queue.length - i)));
      let steps = 0;
      let shrinks = -1;
      const details = await fc.check(
        fc.asyncProperty(group.arbitrary, async (probe) => {
          if (steps >= this.options.shrinkSteps || Date.now() > failureEnd) return true;
          steps += 1;
          const observed = await this.send(group, probe, -1, 'shrink');
          const still = observed.signatures.has(failure.signature);
          if (still) shrinks += 1;
          return !still;
        }),
        { seed: this.options.seed, path: String(failure.first.runIndex), numRuns: 1, examples: group.examples.map((e) => [e] as [Probe]) },
      );
      failure.reproduced = details.failed;
      if (details.failed && details.counterexample !== null && details.counterexamplePath !== null) {
        failure.minimal = { probe: details.counterexample[0], path: details.counterexamplePath, shrinks: Math.max(0, shrinks) };
      }
    }
    this.shrinking = false;
  }

  async replay(group: Group, runPath: string): Promise<void> {
    await fc.check(
      fc.asyncProperty(group.arbitrary, async (probe) => {
        this.print(`fuzz: replaying ${group.name} run ${runPath}:\n${showProbe(probe)}`);
        const server = this.servers.get(group.server)!;
        const from = server.lines.length;
        const observed = await this.send(group, probe, Number(runPath.split(':')[0]), 'shrink');
        for (const r of observed.run.requests) this.print(`fuzz:   ${r.endpoint}: ${describeOutcome(r.outcome)}`);
        for (const p of observed.run.problems) this.print(`fuzz:   problem: ${p.problem}`);
        for (const line of server.lines.slice(from)) this.print(`fuzz:   log (${line.stream}): ${shorten(line.text, 300)}`);
        return true;
      }),
      { seed: this.options.seed, path: runPath, numRuns: 1, examples: group.examples.map((e) => [e] as [Probe]) },
    );
  }

  /** Sends one probe and judges it; returns the failure signatures it showed. */
  private async send(
    group: Group,
    probe: Probe,
    runIndex: number,
    mode: 'explore' | 'shrink',
  ): Promise<{ signatures: Set<string>; crashed: boolean; run: ProbeRun }> {
    const server = this.servers.get(group.server)!;
    const ctx = this.contexts.get(group.server)!;
    if (!server.alive()) await this.restart(server);
    const seq = ++this.sequence;
    const seen: Seen = { group: group.name, runIndex, probe, example: runIndex >= 0 && runIndex < group.examples.length };
    this.recent.set(seq, seen);
    this.groupOf.set(seq, group.name);
    this.recent.delete(seq - 64);
    server.currentProbe = seq;
    const lineStart = server.lines.length;
    const run = await execute(probe, ctx, {
      timeoutMs: this.options.timeoutMs,
      // A raw-socket shape that is known to hang is not waited for in full again.
      deadlineFor: (key) => (probe.kind === 'raw' && (this.knownHangs.get(key) ?? 0) >= 1 ? 300 : this.options.timeoutMs),
    });
    // Work a response only starts (Messenger events are processed after the 200) logs a little later.
    if (group.settleMs !== undefined && run.requests.some((r) => r.outcome.kind === 'response' && r.outcome.status === 200))
      await new Promise((r) => setTimeout(r, group.settleMs));
    const signatures = new Set<string>();
    const stats = mode === 'explore' ? this.stats(group) : undefined;
    const record = (observed: Observed) => {
      signatures.add(observed.signature);
      this.fail(observed, seen);
    };
    if (stats) stats.probes += 1;
    else this.report.shrinkProbes += 1;

    // A crash shows as connections closed or refused; the process's end follows within moments.
    const suspicious = run.requests.some((r) => r.outcome.kind !== 'response');
    const exit = server.alive() ? await server.waitExit(suspicious ? 250 : probe.kind === 'stream' || probe.kind === 'churn' ? 60 : 0) : server.exit();
    if (mode === 'shrink') await new Promise((r) => setTimeout(r, 120)); // late log lines
    const probeLines = server.lines.slice(lineStart).filter((l) => l.probe === seq);

    for (const r of run.requests) {
      const o = r.outcome;
      if (stats) {
        stats.requests += 1;
        const key = o.kind === 'response' ? String(o.status) : o.kind;
        stats.statuses.set(key, (stats.statuses.get(key) ?? 0) + 1);
      }
      if (o.kind === 'response' && o.status >= 500) {
        if (stats) stats.fiveXx += 1;
        // Named by the response alone (log lines may arrive a little later on a replay).
        const hint = bodyHint(o.body);
        const logged = errorHint(probeLines);
        // Malformed framing that still reaches a handler fails like a well-formed request there.
        const route = probe.kind === 'raw' && probe.route !== '' ? routeOf('POST', probe.route) : r.endpoint;
        record({
          kind: '5xx',
          signature: `${o.status} on ${route}${hint ? ` (${hint})` : ''}`,
          endpoint: r.endpoint,
          detail: `status ${o.status}, body ${JSON.stringify(shorten(o.body.toString('utf8'), 300))}${logged ? `; ${logged}` : ''}`,
        });
      }
      if (o.kind === 'timeout' && exit === undefined) {
        if (stats) stats.hangs += 1;
        this.knownHangs.set(r.key, (this.knownHangs.get(r.key) ?? 0) + 1);
        // A malformation hangs wherever it is sent: one failure per shape, its routes listed.
        const where = probe.kind === 'raw' ? `raw ${probe.shape}` : r.endpoint;
        record({
          kind: 'hang',
          signature: `no answer within ${this.options.timeoutMs} ms: ${where}`,
          endpoint: r.endpoint,
          detail: `${o.bytes} bytes received in ${o.ms} ms`,
        });
      }
    }
    for (const p of run.problems) {
      const hang = p.problem.startsWith('hang:');
      if (stats && hang) stats.hangs += 1;
      else if (stats) stats.protocol += 1;
      record({ kind: hang ? 'hang' : 'protocol', signature: `${p.problem} on ${p.endpoint}`, endpoint: p.endpoint, detail: p.problem });
    }
    let crashed = false;
    if (exit !== undefined) {
      crashed = true;
      if (stats) stats.crashes += 1;
      const endpoint = endpointOf(probe);
      const cause = crashCause(server.lines, server.life) ?? `exit code ${exit.code} signal ${exit.signal}`;
      record({ kind: 'crash', signature: `process ended: ${fold(cause)}`, endpoint, detail: `exit code ${exit.code}, signal ${exit.signal}; ${cause}` });
    }
    // Log lines: this probe's (for shrinking), and everything new (for the run).
    if (mode === 'shrink') {
      for (const v of logViolations(probeLines, this.marker)) signatures.add(v.signature);
    }
    this.scanLogs(false);
    if (exit !== undefined) {
      const restartStarted = Date.now();
      await this.restart(server);
      this.restartMs.set(group.name, (this.restartMs.get(group.name) ?? 0) + Date.now() - restartStarted);
    }
    return { signatures, crashed, run };
  }

  private async restart(server: FuzzServer): Promise<void> {
    this.report.restarts += 1;
    const started = Date.now();
    await server.restart();
    if (!this.shrinking) this.print(`fuzz:   restarted ${server.name} in ${Date.now() - started} ms (life ${server.life})`);
  }

  /** New log lines checked; a trailing non-JSON run waits for the rest of its stack trace unless `final`. */
  scanLogs(final: boolean): void {
    for (const server of this.servers.values()) {
      const from = this.scanned.get(server) ?? 0;
      let to = server.lines.length;
      if (!final) while (to > from && parseJsonLine(server.lines[to - 1]!.text) === undefined) to -= 1;
      if (to <= from) continue;
      this.scanned.set(server, to);
      for (const v of logViolations(server.lines.slice(from, to), this.marker)) this.logFailure(server, v);
    }
  }

  private logFailure(server: FuzzServer, v: LogViolation): void {
    const groupName = this.groupOf.get(v.probe);
    const seen = this.recent.get(v.probe);
    const stats = groupName === undefined || this.shrinking ? undefined : this.byGroup.get(groupName);
    if (stats) stats.logViolations += 1;
    const where = v.probe === 0 ? `at start-up of ${server.name}` : (groupName ?? server.name);
    this.fail({ kind: 'log', signature: v.signature, endpoint: seen ? endpointOf(seen.probe) : where, detail: v.excerpt }, seen);
  }
}

/** The error a crashed process printed last: the line above its stack frames, or its last fatal log line. */
function crashCause(lines: readonly LogLine[], life: number): string | undefined {
  const fatal = lines
    .filter((l) => l.life === life)
    .map((l) => parseJsonLine(l.text))
    .filter((j): j is Record<string, unknown> => j !== undefined && typeof j['level'] === 'number' && j['level'] >= 60)
    .at(-1);
  if (fatal !== undefined) {
    const err = fatal['err'] as { name?: unknown } | undefined;
    return `log: "${String(fatal['msg'] ?? '')}"${typeof err?.name === 'string' ? ` (${err.name})` : ''}`;
  }
  const own = lines.filter((l) => l.life === life && l.stream === 'stderr');
  const isFrame = (l: LogLine | undefined) => l !== undefined && /^\s+at /.test(l.text);
  if (!own.some(isFrame)) return [...own].reverse().find((l) => /Error|Exception|Uncaught/.test(l.text))?.text;
  // Up from the end: past the trailing lines ("Node.js v20…"), past the last block's frames, to its header.
  let i = own.length - 1;
  while (i >= 0 && !isFrame(own[i])) i--;
  while (i >= 0 && isFrame(own[i])) i--;
  return i >= 0 ? `${own[i]!.text.trim()} ${own[i + 1]?.text.trim() ?? ''}` : undefined;
}

function errorHint(lines: readonly LogLine[]): string | undefined {
  for (const line of lines) {
    const json = parseJsonLine(line.text);
    if (json !== undefined && typeof json['level'] === 'number' && json['level'] >= 50) {
      const err = json['err'] as { name?: unknown } | undefined;
      return `log: "${String(json['msg'] ?? '')}"${typeof err?.name === 'string' ? ` ${err.name}` : ''}`;
    }
  }
  const header = lines.find((l) => l.stream === 'stderr' && parseJsonLine(l.text) === undefined && /Error|Exception/.test(l.text) && !/^\s+at /.test(l.text));
  return header ? `stderr: ${fold(header.text)}` : undefined;
}

function bodyHint(body: Buffer): string | undefined {
  const text = body.toString('utf8');
  const json = parseJsonLine(text);
  const code = (json?.['error'] as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return `error code ${code}`;
  // CloudAdapter's own error bodies: { code, message } with the exception's message.
  if (typeof json?.['code'] === 'string') return `${json['code']}: ${fold(String(json['message'] ?? '')).slice(0, 80)}`;
  return text === '' ? undefined : `body ${JSON.stringify(fold(text).slice(0, 80))}`;
}

export function describeOutcome(o: ProbeRun['requests'][number]['outcome']): string {
  switch (o.kind) {
    case 'response':
      return `${o.status} in ${o.ms} ms${o.streaming ? ' (stream)' : ''}: ${JSON.stringify(shorten(o.body.toString('utf8'), 200))}`;
    case 'closed':
      return `connection closed without an answer after ${o.ms} ms (${o.bytes} bytes)`;
    case 'timeout':
      return `no answer within ${o.ms} ms (${o.bytes} bytes)`;
    case 'refused':
      return `connection refused (${o.error})`;
  }
}

// ---- set-up ----

async function addStaff(appDir: string, dataDir: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'bot/cli/staff.ts',
        'add',
        '--name',
        'Fuzz Tester',
        '--login',
        STAFF_LOGIN,
        '--languages',
        'lv,en',
        '--role',
        'admin',
        '--password-stdin',
      ],
      {
        cwd: appDir,
        env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stdin.end(`${STAFF_PASSWORD}\n`);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`staff add failed (${code}): ${output}`))));
  });
}

async function contextFor(server: FuzzServer, connectorUrl: string, withStaff: boolean): Promise<Context> {
  const ctx: Context = {
    port: server.port,
    conv: await conversation(server.origin),
    other: await conversation(server.origin),
    tokenKey: TOKEN_SECRET,
    directLineSecret: DIRECTLINE_SECRET,
    verifyToken: VERIFY_TOKEN,
    appSecret: APP_SECRET,
    metricsToken: METRICS_TOKEN,
    connectorUrl,
  };
  if (withStaff) {
    const res = await fetch(`${server.origin}/staff/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: STAFF_LOGIN, password: STAFF_PASSWORD }),
    });
    if (res.status !== 200) throw new Error(`staff login failed: ${res.status} ${await res.text()}`);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    ctx.staff = { cookie, token: cookie.split('=')[1] ?? '', csrf: csrfToken };
  }
  return ctx;
}

/** A started conversation, and the user its token names (fuzzed activities may claim another). */
async function conversation(origin: string): Promise<Conversation> {
  const started = await directLine.start(origin);
  const claims = JSON.parse(Buffer.from(started.token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { user: string };
  return { id: started.conversationId, token: started.token, userId: claims.user };
}

/** Where CloudAdapter posts the bot's replies to /api/messages activities: accepts everything. */
async function startConnector(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"fuzz-reply"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function healthOf(server: FuzzServer, timeoutMs: number): Promise<{ server: string; ok: boolean; detail: string }> {
  if (!server.alive()) return { server: server.name, ok: false, detail: `the process has ended (${JSON.stringify(server.exit())})` };
  const o = await exchange({
    port: server.port,
    chunks: [
      requestBytes(
        'GET',
        '/healthz',
        [
          ['Host', `127.0.0.1:${server.port}`],
          ['Connection', 'close'],
        ],
        undefined,
      ),
    ],
    timeoutMs,
    method: 'GET',
  });
  if (o.kind !== 'response') return { server: server.name, ok: false, detail: describeOutcome(o) };
  const body = o.body.toString('utf8');
  const ok = o.status === 200 && parseJsonLine(body)?.['status'] === 'ok';
  return { server: server.name, ok, detail: `${o.status} ${shorten(body, 100)}` };
}

// ---- the report ----

export function formatReport(report: FuzzReport): string {
  const out: string[] = [];
  const o = report.options;
  out.push(
    `seed ${report.seed} · marker ${report.marker} · ${o.runs} runs / ${o.seconds} s budget · hang timeout ${o.timeoutMs} ms · ${Math.round(report.elapsedMs / 1000)} s elapsed`,
  );
  out.push('');
  const rows = [['group', 'server', 'probes', 'requests', '5xx', 'crashes', 'hangs', 'log', 'protocol', 'status codes']];
  for (const g of report.groups) {
    const statuses = [...g.statuses.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}:${v}`)
      .join(' ');
    rows.push([
      g.name,
      g.server,
      String(g.probes),
      String(g.requests),
      String(g.fiveXx),
      String(g.crashes),
      String(g.hangs),
      String(g.logViolations),
      String(g.protocol),
      statuses + (g.stopped ? ` (${g.stopped})` : ''),
    ]);
  }
  const total = (pick: (g: GroupStats) => number) => String(report.groups.reduce((sum, g) => sum + pick(g), 0));
  rows.push([
    'total',
    '',
    total((g) => g.probes),
    total((g) => g.requests),
    total((g) => g.fiveXx),
    total((g) => g.crashes),
    total((g) => g.hangs),
    total((g) => g.logViolations),
    total((g) => g.protocol),
    '',
  ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (i === rows[0]!.length - 1 ? 0 : r[i]!.length))));
  for (const [i, r] of rows.entries()) {
    out.push(r.map((cell, c) => (c === r.length - 1 ? cell : c >= 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  '));
    if (i === 0 || i === rows.length - 2) out.push(widths.map((w, c) => '-'.repeat(c === widths.length - 1 ? 12 : w)).join('  '));
  }
  out.push('');
  out.push(
    `restarts after crashes: ${report.restarts} · probes replayed while shrinking: ${report.shrinkProbes} · Graph API stand-in: ${report.graphApi.requests} requests, ${report.graphApi.violations.length} shape violations`,
  );
  out.push(`health after: ${report.health.map((h) => `${h.server} ${h.ok ? 'ok' : `NOT OK (${h.detail})`}`).join(', ')}`);
  out.push('');
  if (report.failures.length === 0) {
    out.push('no failures');
    return out.join('\n');
  }
  out.push(`${report.failures.length} distinct failure${report.failures.length === 1 ? '' : 's'}:`);
  for (const [i, f] of report.failures.entries()) {
    out.push('');
    out.push(`${i + 1}. [${f.kind}] ${f.signature}`);
    const endpoints = [...f.endpoints];
    out.push(
      `   seen ${f.count}× in ${[...f.groups].join(', ') || '(no probe: start-up or shutdown)'}${endpoints.length > 1 ? ` on ${endpoints.slice(0, 6).join(', ')}${endpoints.length > 6 ? ', …' : ''}` : ''}`,
    );
    out.push(`   first: ${shorten(f.detail, 500).replace(/\n/g, '\n   ')}`);
    const shown = f.minimal?.probe ?? f.first?.probe;
    if (shown !== undefined) {
      const how =
        f.reproduced === false
          ? 'input (did not fail again on replay: timing or state)'
          : f.first?.example
            ? 'input (a hand-written example)'
            : f.minimal
              ? `smallest input found (${f.minimal.shrinks} shrink${f.minimal.shrinks === 1 ? '' : 's'})`
              : 'input (not shrunk: no time left)';
      out.push(`   ${how}:`);
      out.push(showProbe(shown).replace(/^/gm, '     '));
      const runPath = f.minimal?.path ?? (f.first ? String(f.first.runIndex) : undefined);
      if (f.first && f.first.runIndex < 0) out.push('   (found while shrinking another failure: no replay path)');
      else if (runPath !== undefined && f.first) out.push(`   replay: npm run fuzz -- --seed ${report.seed} --group ${f.first.group} --replay ${runPath}`);
    }
  }
  return out.join('\n');
}
