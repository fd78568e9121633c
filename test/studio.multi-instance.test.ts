// The knowledge studio on two instances sharing one PostgreSQL (a real temporary cluster, two bot
// processes): a publisher publishes a draft through instance A; a citizen on instance B gets the new
// answer within 5 seconds (B hears of it by LISTEN/NOTIFY and rebuilds the agency's knowledge, with
// no restart), and a rollback through B reaches A the same way. A third instance started afterwards
// answers from the store's versions, not its files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../bot/log.js';
import { SqlHandoverRepository, postgresRunner } from '../bot/handover/sql-repository.js';
import { StaffDirectory } from '../bot/handover/staff.js';
import { POSTGRES_MIGRATIONS } from '../bot/storage/migrations.js';
import { PgDatabase } from '../bot/storage/postgres-pool.js';
import { FIXTURE_KNOWLEDGE } from './support/bot.js';
import { PASSWORD } from './support/agencies-site.js';
import { directLine, hasPostgres, spawnBot, startPostgres, type BotProcess, type PgCluster } from './support/postgres.js';

const TOKEN_SECRET = 'studio-multi-instance-secret-0123456789abcdef';
const OLD_ANSWER = 'Lasītāja karti izsniedz uz vietas, uzrādot personu apliecinošu dokumentu.';
const NEW_ANSWER = 'Lasītāja karti var pieteikt arī tiešsaistē, bibliotēkas mājaslapā.';
const QUESTION = 'Kā saņemt lasītāja karti?';

/** What a citizen on `origin` is answered, in a conversation of its own. */
async function answerOn(origin: string): Promise<string> {
  const c = await directLine.start(origin);
  const greeting = await directLine.read(origin, c);
  expect((await directLine.send(origin, c, { type: 'message', text: QUESTION })).status).toBe(200);
  const replies = await directLine.read(origin, c, greeting.watermark);
  return replies.activities.map((a) => a.text ?? '').join('\n');
}

/** Asks until the answer holds `text`; the time it took, in milliseconds. */
async function untilAnswered(origin: string, text: string, withinMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if ((await answerOn(origin)).includes(text)) return Date.now() - started;
    if (Date.now() - started > withinMs) throw new Error(`${origin} did not answer with the new text within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!hasPostgres && !process.env['CI'])('publishing on one instance, answering on another', () => {
  let cluster: PgCluster;
  let a: BotProcess;
  let b: BotProcess;
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    cluster = await startPostgres();
    const url = await cluster.createDatabase('padoms');
    dataDir = mkdtempSync(path.join(tmpdir(), 'padoms-studio-multi-'));
    env = {
      DATABASE_URL: url,
      DIRECTLINE_TOKEN_SECRET: TOKEN_SECRET,
      DATA_DIR: dataDir,
      KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE,
      AGENCY: 'library',
      COOKIE_SECURE: 'false',
    };
    // The publisher's account, in the shared database.
    const repo = new SqlHandoverRepository(postgresRunner(new PgDatabase({ url, migrations: POSTGRES_MIGRATIONS, log: silentLogger }), true));
    const added = await new StaffDirectory(repo, { defaultAgency: 'library' }).add({
      name: 'Pēteris Publicētājs',
      login: 'peteris',
      languages: ['lv'],
      role: 'staff',
      password: PASSWORD,
      agencies: [{ agency: 'library', role: 'publisher' }],
    });
    await repo.close();
    if (!added.ok) throw new Error(added.message);
    [a, b] = await Promise.all([spawnBot(env), spawnBot(env)]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await cluster?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function signIn(origin: string): Promise<(method: string, p: string, body?: unknown) => Promise<Response>> {
    const res = await fetch(`${origin}/staff/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ login: 'peteris', password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    return (method, p, body) =>
      fetch(`${origin}/staff/api/agencies/library${p}`, {
        method,
        headers: { cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': csrfToken, origin, 'content-type': 'application/json' }) },
        ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
      });
  }

  it('a publish through A is answered on B within 5 s; a rollback through B on A; a new instance starts from the store', async () => {
    expect(await answerOn(b.origin)).toContain(OLD_ANSWER);
    const onA = await signIn(a.origin);
    const { published } = (await (await onA('GET', '/studio/entries/library.card')).json()) as { published: { entry: Record<string, unknown> } };
    const changed = { ...published.entry, answer: { ...(published.entry['answer'] as object), lv: NEW_ANSWER } };
    expect((await onA('PUT', '/studio/entries/library.card/draft', { entry: changed, baseVersion: 1 })).status).toBe(200);
    // B sees A's draft: the drafts are in the store.
    const onB = await signIn(b.origin);
    expect(((await (await onB('GET', '/studio/drafts')).json()) as { drafts: { entryId: string }[] }).drafts.map((d) => d.entryId)).toEqual(['library.card']);
    expect((await onA('POST', '/studio/publish', {})).status).toBe(200);
    expect(await answerOn(a.origin)).toContain(NEW_ANSWER);
    const tookMs = await untilAnswered(b.origin, NEW_ANSWER, 5_000);
    expect(tookMs).toBeLessThan(5_000);

    expect((await onB('POST', '/studio/entries/library.card/rollback', { version: 1 })).status).toBe(200);
    await untilAnswered(a.origin, OLD_ANSWER, 5_000);

    // Published again; an instance started now reads the store's versions at start.
    const { draft } = (await (await onB('PUT', '/studio/entries/library.card/draft', { entry: changed, baseVersion: 3 })).json()) as {
      draft: { problems: unknown[] };
    };
    expect(draft.problems).toEqual([]);
    expect((await onB('POST', '/studio/publish', {})).status).toBe(200);
    const c = await spawnBot(env);
    try {
      expect(await answerOn(c.origin)).toContain(NEW_ANSWER);
    } finally {
      await c.stop();
    }
    // Never a restart: the first instances are the same processes, still running.
    expect([a.child.exitCode, b.child.exitCode]).toEqual([null, null]);
  });
});
