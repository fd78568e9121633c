// The bot under fuzzing: a real process (`node --import tsx bot/main.ts`, as test/support/postgres.ts
// spawnBot starts it) on a free loopback port with its own DATA_DIR, both output streams captured
// line by line, each line tagged with the probe that was in flight; restarted after a crash.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../support/postgres.js';

export interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
  /** The probe in flight when the line arrived (0: while the process was starting). */
  probe: number;
  /** Which start of the process wrote it (1 = first). */
  life: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface FuzzServer {
  readonly name: string;
  readonly port: number;
  readonly origin: string;
  readonly dataDir: string;
  /** Every line either stream wrote, over all lives. */
  readonly lines: LogLine[];
  /** The probe that later lines belong to. */
  currentProbe: number;
  readonly life: number;
  alive(): boolean;
  /** How the current life ended, once it has. */
  exit(): Exit | undefined;
  /** Resolves when the process has ended or after `ms`, whichever is first. */
  waitExit(ms: number): Promise<Exit | undefined>;
  /** Starts the process again (same port, data and secrets) and waits until it is ready. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface ServerOptions {
  name: string;
  /** The checkout to run (its bot/main.ts, with node_modules reachable from it). */
  appDir: string;
  env: Record<string, string>;
  /** Runs once with the data directory before the first start (e.g. to add a staff account). */
  prepare?: (dataDir: string) => Promise<void>;
  readyTimeoutMs?: number;
}

export async function startFuzzServer(options: ServerOptions): Promise<FuzzServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), `padoms-fuzz-${options.name}-`));
  await options.prepare?.(dataDir);
  const lines: LogLine[] = [];
  let child: ChildProcess | undefined;
  let exited: Exit | undefined;
  let exitPromise: Promise<Exit> = Promise.resolve({ code: null, signal: null });
  let life = 0;
  let starting = false;

  const server: FuzzServer = {
    name: options.name,
    port,
    origin: `http://127.0.0.1:${port}`,
    dataDir,
    lines,
    currentProbe: 0,
    get life() {
      return life;
    },
    alive: () => child !== undefined && exited === undefined,
    exit: () => exited,
    async waitExit(ms) {
      if (exited) return exited;
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([exitPromise, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]);
      clearTimeout(timer);
      return result;
    },
    restart: () => launch(),
    async stop() {
      if (child && exited === undefined) {
        child.kill('SIGTERM');
        const ended = await server.waitExit(5_000);
        if (!ended) child.kill('SIGKILL');
        await exitPromise;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };

  const capture = (stream: 'stdout' | 'stderr', source: NodeJS.ReadableStream, thisLife: number) => {
    let pending = '';
    source.setEncoding('utf8');
    source.on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const text of parts) lines.push({ stream, text, probe: starting ? 0 : server.currentProbe, life: thisLife });
    });
    source.on('end', () => {
      if (pending !== '') lines.push({ stream, text: pending, probe: starting ? 0 : server.currentProbe, life: thisLife });
    });
  };

  async function launch(): Promise<void> {
    if (child && exited === undefined) {
      child.kill('SIGKILL');
      await exitPromise;
    }
    life += 1;
    exited = undefined;
    const thisLife = life;
    const started = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], {
      cwd: options.appDir,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...options.env, DATA_DIR: dataDir, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    capture('stdout', started.stdout!, thisLife);
    capture('stderr', started.stderr!, thisLife);
    // 'close' rather than 'exit': by then both output streams are read to the end.
    exitPromise = new Promise<Exit>((resolve) =>
      started.once('close', (code, signal) => {
        if (child === started) exited = { code, signal };
        resolve({ code, signal });
      }),
    );
    starting = true;
    try {
      await waitReady(server, options.readyTimeoutMs ?? 60_000);
    } finally {
      starting = false;
    }
  }

  await launch();
  return server;
}

async function waitReady(server: FuzzServer, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!server.alive()) throw new Error(`${server.name}: the bot ended before it was ready:\n${tail(server)}`);
    try {
      if ((await fetch(`${server.origin}/readyz`, { signal: AbortSignal.timeout(2_000) })).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${server.name}: the bot was not ready after ${timeoutMs} ms:\n${tail(server)}`);
}

function tail(server: FuzzServer): string {
  return server.lines
    .slice(-20)
    .map((l) => l.text)
    .join('\n');
}
