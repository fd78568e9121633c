// Faults: the bot process killed with SIGKILL mid-conversation (SQLite) loses nothing it had
// acknowledged; the database going away (PostgreSQL stopped) makes /readyz say so and the citizen
// hear "temporarily unavailable" with the agency's contacts, and the bot recovers by itself when
// the database returns.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../bot/directline/tokens.js';
import type { Notification } from '../bot/storage/store.js';
import { PgDatabase } from '../bot/storage/postgres-pool.js';
import { silentLogger } from '../bot/log.js';
import { startApp, type RunningApp } from './support/app.js';
import {
  channelActivity,
  directLine,
  fakeConnector,
  hasPostgres,
  spawnBot,
  startPostgres,
  type BotProcess,
  type DlActivity,
  type PgCluster,
} from './support/postgres.js';

const TOKEN_SECRET = 'faults-test-secret-0123456789abcdefghij';

describe('kill -9 mid-conversation (SQLite)', () => {
  let dataDir: string;
  let bot: BotProcess | undefined;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'padoms-faults-'));
  });
  afterAll(async () => {
    await bot?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('after a restart, state, transcript and Direct Line activities are intact up to the last acknowledged message', async () => {
    const env = { DATA_DIR: dataDir, DIRECTLINE_TOKEN_SECRET: TOKEN_SECRET };
    bot = await spawnBot(env);
    const c = await directLine.start(bot.origin);
    expect((await directLine.send(bot.origin, c, { type: 'message', text: 'Kā iesniegt sūdzību par nelikumīgu personas datu apstrādi?' })).status).toBe(200);
    expect((await directLine.send(bot.origin, c, { type: 'message', text: 'Mans kods 150575-12341. Kā atsaukt piekrišanu datu apstrādei?' })).status).toBe(200);
    const acknowledged = await directLine.read(bot.origin, c);
    const yes = acknowledged.activities
      .flatMap((a: DlActivity) => a.suggestedActions?.actions ?? [])
      .filter((a) => a.title === 'Jā')
      .at(-1);
    expect(yes).toBeDefined();

    // A third message is in flight when the process dies: nothing is flushed, nothing closed.
    void directLine.send(bot.origin, c, { type: 'message', text: 'Un vēl viens jautājums' }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 5));
    await bot.kill();
    expect(bot.child.signalCode).toBe('SIGKILL');

    const file = path.join(dataDir, 'padoms.sqlite');
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const transcript = (db.prepare('SELECT activity FROM transcripts WHERE conversation_id = ? ORDER BY id').pluck().all(c.conversationId) as string[]).map(
        (json) => JSON.parse(json) as DlActivity,
      );
      const citizen = transcript.filter((a) => a.from.role === 'user' && a.type === 'message').map((a) => a.text);
      expect(citizen.slice(0, 2)).toEqual([
        'Kā iesniegt sūdzību par nelikumīgu personas datu apstrādi?',
        'Mans kods [personas kods]. Kā atsaukt piekrišanu datu apstrādei?',
      ]);
      // Every bot message the client had received is in the transcript too.
      const botTexts = transcript.filter((a) => a.from.role === 'bot').map((a) => a.text);
      for (const a of acknowledged.activities.filter((x) => x.from.role === 'bot' && x.text)) expect(botTexts).toContain(a.text);
      expect(db.prepare('SELECT COUNT(*) FROM state WHERE conversation_id = ?').pluck().get(c.conversationId)).toBe(1);
    } finally {
      db.close();
    }

    // Restarted on the same data: the same token works, and everything acknowledged is there.
    bot = await spawnBot(env);
    const after = await directLine.read(bot.origin, c);
    expect(after.activities.slice(0, acknowledged.activities.length)).toEqual(acknowledged.activities);

    // State survived: "yes" to the answer given before the crash is understood and thanked for.
    expect((await directLine.send(bot.origin, c, { type: 'message', text: String(yes!.text ?? yes!.title), value: yes!.value })).status).toBe(200);
    const thanked = await directLine.read(bot.origin, c, after.watermark);
    expect(thanked.activities.map((a) => a.text)).toContain('Paldies par atsauksmi!');
  });
});

describe.skipIf(!hasPostgres && !process.env['CI'])('the database goes away (PostgreSQL stopped) and comes back', () => {
  let cluster: PgCluster;
  let site: RunningApp;
  let connector: Awaited<ReturnType<typeof fakeConnector>>;
  beforeAll(async () => {
    cluster = await startPostgres();
    const url = await cluster.createDatabase('padoms');
    site = await startApp({ DATABASE_URL: url, DIRECTLINE_TOKEN_SECRET: TOKEN_SECRET });
    connector = await fakeConnector();
  }, 60_000);
  afterAll(async () => {
    await site?.stop();
    await connector?.close();
    await cluster?.destroy();
  });

  /** Sends one message the way Azure Bot Service would and returns the bot's replies. */
  async function ask(conversationId: string, text: string, locale = 'lv-LV'): Promise<string[]> {
    const before = connector.replies.length;
    const res = await fetch(`${site.origin}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...channelActivity(connector.serviceUrl, conversationId, text), locale }),
    });
    expect(res.status).toBeLessThan(300);
    return connector.replies
      .slice(before)
      .filter((r) => r.type === 'message')
      .map((r) => r.text ?? '');
  }

  const readyz = async () => {
    const res = await fetch(`${site.origin}/readyz`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('/readyz names the failing check, the citizen gets "temporarily unavailable" with contacts, and all recovers', async () => {
    const phone = site.app.knowledge.current.profile.contacts.phone!;
    const unavailable = (lng: string) => site.app.texts.forLanguage(lng)('error.unavailable', { contacts: '§' }).split('§')[0]!;
    const notifications: Notification[] = [];
    // Any channel will do: the staff side's signals ride on the same LISTEN connection.
    const channel = 'padoms_outage_probe';
    await site.app.store.subscribe(channel, (n) => notifications.push(n));

    expect((await readyz()).status).toBe(200);
    const normal = await ask('outage-1', 'Kā atsaukt piekrišanu datu apstrādei?');
    expect(normal.join('\n')).toContain(site.app.knowledge.current.entries.get('dvi.consent')!.answer.lv.trim().slice(0, 30));

    const stopped = Date.now();
    await cluster.stop();
    const down = await readyz();
    expect(down).toEqual({
      status: 503,
      body: { status: 'not ready', checks: { knowledge: true, storage: false }, failing: ['storage'], agencies: ['dvi'], refused: [] },
    });

    const apology = await ask('outage-1', 'Kā iesniegt sūdzību?');
    expect(apology).toHaveLength(1);
    expect(apology[0]).toContain(unavailable('lv'));
    expect(apology[0]).toContain(phone);
    // A citizen whose conversation state cannot be read is answered in their client's language, if offered.
    const english = await ask('outage-2', 'How do I complain?', 'en-GB');
    expect(english[0]).toContain(unavailable('en'));
    // Direct Line keeps its conversations in the database: it answers 503 (Web Chat retries), not 500.
    const dl = await fetch(`${site.origin}/v3/directline/conversations/abcdefghijklmnopqrstuv/activities`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${issueToken({ conversationId: 'abcdefghijklmnopqrstuv', userId: 'dl_abcdefghij', agency: 'dvi' }, Buffer.from(TOKEN_SECRET), new Date()).token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ type: 'message', text: 'Labdien' }),
    });
    expect(dl.status).toBe(503);
    expect(await dl.json()).toMatchObject({ error: { code: 'ServiceUnavailable' } });
    const downFor = Date.now() - stopped;

    await cluster.start();
    await expect.poll(async () => (await readyz()).status, { timeout: 15_000, interval: 200 }).toBe(200);
    const recovered = await ask('outage-1', 'Kā atsaukt piekrišanu datu apstrādei?');
    expect(recovered.join('\n')).not.toContain(unavailable('lv'));
    expect(recovered.join('\n')).toContain(site.app.knowledge.current.entries.get('dvi.consent')!.answer.lv.trim().slice(0, 30));

    // LISTEN reconnects by itself and says so (subscribers re-read what they may have missed) …
    await expect.poll(() => notifications.some((n) => n.kind === 'resync'), { timeout: 15_000 }).toBe(true);
    // … and hears changes again.
    await site.app.store.publish(channel, 'after-outage');
    await expect.poll(() => notifications.filter((n) => n.kind === 'message').length, { timeout: 5_000 }).toBe(1);
    expect(downFor).toBeLessThan(15_000); // the outage answers came quickly, not after timeouts
  });
});

describe.skipIf(!hasPostgres && !process.env['CI'])('a connection lost in the middle of a transaction', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await cluster?.destroy();
  });

  // The pool hears a connection's errors only while it is idle there: without a listener of our own,
  // the server ending a connection between two statements of a transaction stopped the process.
  it('fails that transaction and leaves the process running; the next one works', async () => {
    const url = await cluster.createDatabase('faults_tx');
    const db = new PgDatabase({ url, migrations: [], log: silentLogger, maxConnections: 2 });
    const admin = new PgDatabase({ url, migrations: [], log: silentLogger, maxConnections: 1 });
    try {
      const failed = db.transaction(async (q) => {
        const { rows } = await q.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        // The connection's end arrives while no statement of ours is running.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await q.query('SELECT 1');
      });
      await expect(failed).rejects.toThrow();
      expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
      await admin.close();
    }
  });
});
