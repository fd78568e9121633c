// Several bot instances behind a load balancer share one PostgreSQL: a real server (a temporary
// cluster) and two bot processes on two ports. A Direct Line conversation started on one continues
// on the other (state and activities shared), and staff-side changes made through one instance's store
// reach the other's through LISTEN/NOTIFY.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openPostgresStore } from '../bot/storage/postgres.js';
import { HANDOVER_CHANNEL } from '../bot/handover/notices.js';
import type { PadomsStore } from '../bot/storage/store.js';
import { silentLogger } from '../bot/log.js';
import { directLine, hasPostgres, spawnBot, startPostgres, type BotProcess, type DlActivity, type PgCluster } from './support/postgres.js';

const TOKEN_SECRET = 'multi-instance-test-secret-0123456789abcdef';

describe.skipIf(!hasPostgres && !process.env['CI'])('two instances, one PostgreSQL', () => {
  let cluster: PgCluster;
  let url: string;
  let a: BotProcess;
  let b: BotProcess;
  let dataDir: string;

  beforeAll(async () => {
    const started = Date.now();
    cluster = await startPostgres();
    url = await cluster.createDatabase('padoms');
    dataDir = mkdtempSync(path.join(tmpdir(), 'padoms-multi-'));
    const env = { DATABASE_URL: url, DIRECTLINE_TOKEN_SECRET: TOKEN_SECRET, DATA_DIR: dataDir };
    const botsStarted = Date.now();
    [a, b] = await Promise.all([spawnBot(env), spawnBot(env)]);
    console.info(
      `[multi-instance] PostgreSQL cluster ready in ${cluster.startupMs} ms; two bot processes ready in ${Date.now() - botsStarted} ms; setup ${Date.now() - started} ms`,
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await cluster?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('a Direct Line conversation started on A continues on B: state and activities are shared', async () => {
    const c = await directLine.start(a.origin);
    const greeting = await directLine.read(a.origin, c);
    expect(greeting.activities[0]?.text).toContain('Datu valsts inspekcijas');

    // The question goes to A; the answer carries "did it help?" buttons and leaves lastEntryId in state.
    expect((await directLine.send(a.origin, c, { type: 'message', text: 'Kā atsaukt piekrišanu datu apstrādei?' })).status).toBe(200);
    const answered = await directLine.read(a.origin, c, greeting.watermark);
    const yes = answered.activities.flatMap((x: DlActivity) => x.suggestedActions?.actions ?? []).find((action) => action.title === 'Jā');
    expect(yes).toBeDefined();

    // B sees the same activities, from the same watermarks.
    expect(await directLine.read(b.origin, c)).toEqual(await directLine.read(a.origin, c));

    // "Yes" goes to B: B can only thank for it if it reads the state A wrote.
    expect((await directLine.send(b.origin, c, { type: 'message', text: String(yes!.text ?? yes!.title), value: yes!.value })).status).toBe(200);
    const thanked = await directLine.read(a.origin, c, answered.watermark);
    expect(thanked.activities.map((x) => x.text)).toContain('Paldies par atsauksmi!');
    expect(thanked.watermark).toBeGreaterThan(answered.watermark);

    // A token refresh on B, a poll on A: the signing key is shared.
    const refreshed = await fetch(`${b.origin}/v3/directline/tokens/refresh`, { method: 'POST', headers: { authorization: `Bearer ${c.token}` } });
    expect(refreshed.status).toBe(200);
    const { token } = (await refreshed.json()) as { token: string };
    expect((await directLine.read(a.origin, { ...c, token })).activities.length).toBe(thanked.watermark);
  });

  it('a stream open on B pushes the reply to a message posted to A (the news travels by NOTIFY)', async () => {
    const c = await directLine.start(a.origin);
    const reconnect = await fetch(`${b.origin}/v3/directline/conversations/${c.conversationId}`, { headers: { authorization: `Bearer ${c.token}` } });
    const { streamUrl } = (await reconnect.json()) as { streamUrl: string };
    expect(new URL(streamUrl).host).toBe(new URL(b.origin).host);
    const socket = new WebSocket(streamUrl);
    const pushed: DlActivity[] = [];
    socket.on('message', (data) => {
      if (String(data) !== '') pushed.push(...(JSON.parse(String(data)) as { activities: DlActivity[] }).activities);
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    try {
      await expect.poll(() => pushed.length).toBe(1); // the greeting
      const posted = await directLine.send(a.origin, c, { type: 'message', text: 'Kā atsaukt piekrišanu datu apstrādei?' });
      const { id } = (await posted.json()) as { id: string };
      await expect.poll(() => pushed.some((x) => x.replyToId === id), { timeout: 5_000 }).toBe(true);
      expect(pushed).toEqual((await directLine.read(a.origin, c)).activities.slice(0, pushed.length));
    } finally {
      socket.close();
    }
  });

  it("a staff-side change published through instance A's store is heard by instance B through LISTEN/NOTIFY", async () => {
    // Who wins an accept across instances is the ticket's version (test/handover.postgres.test.ts).
    const storeA: PadomsStore = openPostgresStore({ url, log: silentLogger, defaultAgency: 'dvi' });
    const storeB: PadomsStore = openPostgresStore({ url, log: silentLogger, defaultAgency: 'dvi' });
    try {
      const heard: string[] = [];
      const unsubscribe = await storeB.subscribe(HANDOVER_CHANNEL, (n) => {
        if (n.kind === 'message') heard.push(n.payload);
      });
      const signal = JSON.stringify({ kind: 'queue' });
      await storeA.publish(HANDOVER_CHANNEL, signal);
      await expect.poll(() => heard, { timeout: 5_000 }).toEqual([signal]);
      await unsubscribe();
    } finally {
      await Promise.all([storeA.close(), storeB.close()]);
    }
  });

  it('an instance refuses to start with DATABASE_URL but no shared DIRECTLINE_TOKEN_SECRET', async () => {
    const lonely = await spawnBot({ DATABASE_URL: url, DATA_DIR: dataDir }, { waitReady: false });
    expect(await lonely.exited).toBe(1);
    expect(lonely.stderr()).toMatch(/DIRECTLINE_TOKEN_SECRET=unset: required with DATABASE_URL/);
    expect(lonely.stderr()).not.toContain(url);
  });
});
