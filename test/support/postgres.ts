// A real PostgreSQL server for tests: Debian's `postgresql` package, a fresh cluster in a temporary
// directory (initdb, pg_ctl) on a free loopback port, password authentication, stopped and removed
// afterwards. When the tests run as root, the server runs as the `postgres` OS user (PostgreSQL
// refuses to run as root). Also: bot processes to run against it, and the clients the storage,
// multi-instance and fault tests talk to them with (Direct Line, a fake channel connector).
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** The newest /usr/lib/postgresql/<version>/bin with initdb, if the package is installed. */
export const postgresBinDir: string | undefined = (() => {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(root, versions[0], 'bin');
})();

/** False where PostgreSQL is missing (`apt-get install -y postgresql`); tests skip with a reason. */
export const hasPostgres = postgresBinDir !== undefined;

export interface PgCluster {
  port: number;
  /** Connection URL for a database (default: the maintenance database `postgres`). */
  url(database?: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (fast shutdown: open connections are cut, as in an outage). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops the server and deletes the cluster. */
  destroy(): Promise<void>;
  /** How long initdb + first start took. */
  startupMs: number;
}

const USER = 'padoms_test';

function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function run(binary: string, args: string[], owner: { uid: number; gid: number } | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(path.join(postgresBinDir!, binary), args, { ...owner, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${binary} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

let databases = 0;

export async function startPostgres(): Promise<PgCluster> {
  if (!hasPostgres) throw new Error('PostgreSQL is not installed (apt-get install -y postgresql)');
  const started = Date.now();
  const owner = runAs();
  const root = mkdtempSync(path.join(tmpdir(), 'padoms-pg-'));
  const dataDir = path.join(root, 'data');
  const password = randomBytes(12).toString('base64url');
  const pwfile = path.join(root, 'pw');
  writeFileSync(pwfile, `${password}\n`);
  if (owner) {
    chownSync(root, owner.uid, owner.gid);
    chownSync(pwfile, owner.uid, owner.gid);
  }
  chmodSync(root, 0o700);

  await run('initdb', ['-D', dataDir, '-U', USER, '--pwfile', pwfile, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync'], owner);
  const port = await freePort();
  // Sockets in our own directory (the default /var/run/postgresql may not exist); durability
  // settings off: these clusters hold test data only.
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  const start = () => run('pg_ctl', ['-D', dataDir, '-o', options, '-l', path.join(root, 'log'), '-w', '-t', '60', 'start'], owner).then(() => undefined);
  const stop = () => run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop'], owner).then(() => undefined);
  await start();

  const url = (database = 'postgres') => `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  // If the test process dies without afterAll, do not leave a server running.
  const onExit = () => {
    try {
      execFileSync(path.join(postgresBinDir!, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop'], { ...owner, stdio: 'ignore' });
    } catch {
      // already stopped
    }
  };
  process.once('exit', onExit);

  return {
    port,
    url,
    startupMs: Date.now() - started,
    async createDatabase(name = `t${process.pid}_${++databases}`) {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop,
    start,
    async destroy() {
      process.off('exit', onExit);
      await stop().catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

// ---- Bot processes to run against the cluster (or SQLite), and a small Direct Line client. ----

export interface BotProcess {
  origin: string;
  port: number;
  child: ChildProcess;
  /** What the process wrote to stdout (its JSON log). */
  stdout(): string;
  /** What the process wrote to stderr (configuration errors, crashes). */
  stderr(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /** SIGTERM and wait (a clean stop). */
  stop(): Promise<void>;
  /** SIGKILL and wait: a crash, nothing flushed or closed. */
  kill(): Promise<void>;
}

export interface SpawnOptions {
  waitReady?: boolean;
  /** The checkout to run (another one, to compare before a change); default: this project. */
  cwd?: string;
  /** `tsx`: bot/main.ts from the sources; `dist`: the compiled dist/bot/main.js (build first). */
  entry?: 'tsx' | 'dist';
}

/** Starts the bot (`node --import tsx bot/main.ts` by default) with `env` on a free port and waits for /readyz. */
export async function spawnBot(env: Record<string, string>, options: SpawnOptions = {}): Promise<BotProcess> {
  const port = await freePort();
  const args = options.entry === 'dist' ? ['dist/bot/main.js'] : ['--import', 'tsx', 'bot/main.ts'];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? path.resolve(import.meta.dirname, '../..'),
    // One agency (the default) unless the test names more, as testConfig: starts stay quick.
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '/tmp',
      LOG_LEVEL: 'warn',
      KNOWLEDGE_HOT_RELOAD: 'false',
      AGENCIES: env['AGENCY'] ?? 'dvi',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Chunks kept as bytes and decoded whole: a character split between two chunks stays intact.
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const origin = `http://127.0.0.1:${port}`;
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const bot: BotProcess = {
    origin,
    port,
    child,
    stdout: () => Buffer.concat(out).toString('utf8'),
    stderr: () => Buffer.concat(err).toString('utf8'),
    exited,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  };
  if (options.waitReady ?? true) await waitReady(bot);
  return bot;
}

async function waitReady(bot: BotProcess, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  void bot.exited.then(() => (ended = true));
  while (Date.now() < deadline) {
    if (ended) throw new Error(`bot process ended before it was ready:\n${bot.stderr()}`);
    try {
      if ((await fetch(`${bot.origin}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`bot process not ready after ${timeoutMs} ms:\n${bot.stderr()}`);
}

export interface DlActivity {
  id?: string;
  type: string;
  text?: string;
  from: { id: string; role?: string };
  replyToId?: string;
  value?: unknown;
  suggestedActions?: { actions: { title: string; value?: unknown; text?: string; type: string }[] };
}

/** The Direct Line 3.0 calls Web Chat makes, against any origin (a conversation may move between instances). */
export const directLine = {
  async start(origin: string): Promise<{ token: string; conversationId: string }> {
    const generated = (await (await fetch(`${origin}/v3/directline/tokens/generate`, { method: 'POST' })).json()) as { token: string; conversationId: string };
    const started = await fetch(`${origin}/v3/directline/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${generated.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ locale: 'lv-LV' }),
    });
    if (started.status !== 201) throw new Error(`start: ${started.status} ${await started.text()}`);
    return generated;
  },
  async send(origin: string, c: { token: string; conversationId: string }, activity: Record<string, unknown>): Promise<Response> {
    return fetch(`${origin}/v3/directline/conversations/${c.conversationId}/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: { id: 'ignored' }, ...activity }),
    });
  },
  async read(origin: string, c: { token: string; conversationId: string }, watermark = 0): Promise<{ activities: DlActivity[]; watermark: number }> {
    const res = await fetch(`${origin}/v3/directline/conversations/${c.conversationId}/activities?watermark=${watermark}`, {
      headers: { authorization: `Bearer ${c.token}` },
    });
    if (res.status !== 200) throw new Error(`read: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { activities: DlActivity[]; watermark: string };
    return { activities: body.activities, watermark: Number(body.watermark) };
  },
};

/**
 * A stand-in for a Bot Framework channel's connector: where CloudAdapter posts the bot's replies
 * (its serviceUrl). With an empty MicrosoftAppId no token is sent or needed.
 */
export async function fakeConnector(): Promise<{ serviceUrl: string; replies: DlActivity[]; close(): Promise<void> }> {
  const replies: DlActivity[] = [];
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      if (req.method === 'POST' && /\/v3\/conversations\/[^/]+\/activities/.test(req.url ?? '')) replies.push(JSON.parse(body) as DlActivity);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `r${replies.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { serviceUrl: `http://127.0.0.1:${port}/`, replies, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** An activity as a Bot Framework channel posts it to /api/messages. */
export function channelActivity(serviceUrl: string, conversationId: string, text: string): Record<string, unknown> {
  return {
    type: 'message',
    id: `m-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    text,
    locale: 'lv-LV',
    channelId: 'emulator',
    serviceUrl,
    timestamp: new Date().toISOString(),
    from: { id: 'citizen-1', name: 'Citizen', role: 'user' },
    recipient: { id: 'padoms', name: 'Padoms' },
    conversation: { id: conversationId },
  };
}
