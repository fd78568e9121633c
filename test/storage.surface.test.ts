// The public surface around storage: security headers, rate limits (429 + Retry-After), readiness
// naming the failing check, configuration that refuses to run PostgreSQL without a shared token
// key, and deleting a conversation through the App.
import type { IncomingMessage } from 'node:http';
import { readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestAdapter } from 'botbuilder';
import { ConfigError, loadConfig, testConfig } from '../bot/config.js';
import { createApp } from '../bot/app.js';
import { silentLogger } from '../bot/log.js';
import { TokenBuckets, burstFor, channelConversationKey, clientIp } from '../bot/http/rate-limit.js';
import { createMemoryStore } from '../bot/storage/memory.js';
import { StorageUnavailableError } from '../bot/storage/errors.js';
import { useRecordingMiddleware } from '../bot/storage/recording.js';
import { deletionRequested, requestConversationDeletion } from '../dialogs/flows/deletion.js';
import { startApp, type RunningApp } from './support/app.js';
import { channelActivity, directLine, fakeConnector } from './support/postgres.js';

const running: RunningApp[] = [];
afterEach(async () => {
  for (const site of running.splice(0)) await site.stop();
});
async function site(overrides: Parameters<typeof startApp>[0] = {}, deps: Parameters<typeof startApp>[1] = {}): Promise<RunningApp> {
  const s = await startApp(overrides, deps);
  running.push(s);
  return s;
}

describe('security headers', () => {
  it('every API response, errors and 404s included, is nosniff, no-referrer and under a strict CSP', async () => {
    const s = await site();
    const responses = [
      await fetch(`${s.origin}/healthz`),
      await fetch(`${s.origin}/readyz`),
      await fetch(`${s.origin}/no/such/path`),
      await fetch(`${s.origin}/v3/directline/tokens/generate`, { method: 'POST' }),
      await fetch(`${s.origin}/v3/directline/conversations/xxxxxxxxxxxxxxxxxx/activities`),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 404, 200, 401]);
    for (const res of responses) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });

  it('the demo page keeps its own CSP and referrer policy', async () => {
    const s = await site();
    const page = await fetch(`${s.origin}/`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(page.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
  });
});

describe('rate limits', () => {
  it('token buckets allow a burst, then refill at the configured rate', () => {
    const clock = { ms: 0 };
    const buckets = new TokenBuckets({ perMinute: 60, burst: 3 }, () => clock.ms);
    expect([1, 2, 3].map(() => buckets.take('a').ok)).toEqual([true, true, true]);
    expect(buckets.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(buckets.take('b').ok).toBe(true); // per key
    clock.ms += 1000;
    expect(buckets.take('a').ok).toBe(true);
    expect(buckets.take('a').ok).toBe(false);
    expect(new TokenBuckets({ perMinute: 0, burst: 1 }).take('x').ok).toBe(true); // 0 = off
    expect(burstFor(600)).toBe(100);
    expect(burstFor(12)).toBe(10);
  });

  it('forgets idle keys instead of growing without bound', () => {
    const clock = { ms: 0 };
    const buckets = new TokenBuckets({ perMinute: 600, burst: 10 }, () => clock.ms, 100);
    for (let i = 0; i < 1000; i++) {
      buckets.take(`ip-${i}`);
      clock.ms += 10;
    }
    expect(buckets.size).toBeLessThanOrEqual(101);
  });

  it('the client address comes from the socket, or from X-Forwarded-For behind trusted proxies', () => {
    const req = (xff: string) =>
      ({ socket: { remoteAddress: '10.0.0.1' }, headers: xff === '' ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;
    expect(clientIp(req('203.0.113.7'), 0)).toBe('10.0.0.1');
    expect(clientIp(req('198.51.100.1, 203.0.113.7'), 1)).toBe('203.0.113.7'); // the leftmost is the client's own claim
    expect(clientIp(req('198.51.100.1, 203.0.113.7'), 2)).toBe('198.51.100.1');
    expect(channelConversationKey('/api/messages', { conversation: { id: 'c1' } })).toBe('bf:c1');
    expect(channelConversationKey('/api/messenger', { entry: [{ messaging: [{ sender: { id: 'psid' } }] }] })).toBe('fb:psid');
  });

  it('Direct Line: per address, 429 with Retry-After and the CORS header so the browser can read it', async () => {
    const s = await site({ RATE_LIMIT_IP_PER_MINUTE: '12' });
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${s.origin}/v3/directline/tokens/generate`, { method: 'POST' });
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited?.headers.get('access-control-allow-origin')).toBe('*');
    expect(await limited?.json()).toMatchObject({ error: { code: 'TooManyRequests' } });
    // Other endpoints are not counted against Direct Line's budget.
    expect((await fetch(`${s.origin}/healthz`)).status).toBe(200);
  });

  it('Direct Line: per conversation, polling one conversation too fast is limited, others are not', async () => {
    const s = await site({ RATE_LIMIT_CONVERSATION_PER_MINUTE: '12' });
    const a = await directLine.start(s.origin);
    const b = await directLine.start(s.origin);
    const poll = (c: typeof a) =>
      fetch(`${s.origin}/v3/directline/conversations/${c.conversationId}/activities`, { headers: { authorization: `Bearer ${c.token}` } });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await poll(a)).status);
    expect(statuses.filter((x) => x === 429).length).toBeGreaterThan(0);
    expect((await poll(b)).status).toBe(200);
  });

  it("/api/messages: per conversation (the address is the channel's, shared by everyone)", async () => {
    const connector = await fakeConnector();
    try {
      const s = await site({ RATE_LIMIT_CONVERSATION_PER_MINUTE: '12' });
      const post = (conversationId: string) =>
        fetch(`${s.origin}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...channelActivity(connector.serviceUrl, conversationId, 'x'), type: 'typing' }),
        });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await post('busy')).status);
      expect(statuses.slice(10)).toEqual([429, 429]);
      expect((await post('quiet')).status).not.toBe(429);
    } finally {
      await connector.close();
    }
  });
});

describe('readiness', () => {
  it('/readyz is 503 and names the failing check when the database cannot be reached', async () => {
    const store = createMemoryStore();
    store.ping = async () => {
      throw new StorageUnavailableError('postgres');
    };
    const s = await site({}, { store });
    const res = await fetch(`${s.origin}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'not ready',
      checks: { knowledge: true, storage: false },
      failing: ['storage'],
      agencies: ['dvi'],
      refused: [],
    });
  });
});

describe('configuration: secrets only from the environment, none by default', () => {
  const url = 'postgres://padoms:s3cret-password@db.example.lv/padoms';

  it('PostgreSQL without DIRECTLINE_TOKEN_SECRET is refused, naming the variable and why; the URL is not echoed', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: url });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/DIRECTLINE_TOKEN_SECRET=unset: required with DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: url, DIRECTLINE_TOKEN_SECRET: 'x'.repeat(32) })).not.toThrow();
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root:s3cret-password@x/y', DIRECTLINE_TOKEN_SECRET: 'x'.repeat(32) })).toThrow(/DATABASE_URL=\(hidden\)/);
    try {
      loadConfig({ DATABASE_URL: 'mysql://root:s3cret-password@x/y' });
    } catch (err) {
      expect((err as Error).message).not.toContain('s3cret');
    }
  });

  it('no database URL, no token secret and no app password by default', () => {
    const config = testConfig();
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.DIRECTLINE_TOKEN_SECRET).toBeUndefined();
    expect(config.MicrosoftAppPassword).toBe('');
  });

  it('createApp refuses a PostgreSQL store chosen in code without the shared token key', () => {
    expect(() => createApp(testConfig(), { storage: 'postgres', log: silentLogger })).toThrow(ConfigError);
  });
});

describe('deleting a conversation', () => {
  let s: RunningApp;
  beforeAll(async () => {
    s = await startApp();
  });
  afterAll(async () => s?.stop());

  it('app.deleteConversation removes a Direct Line conversation from every store', async () => {
    const c = await directLine.start(s.origin);
    await directLine.send(s.origin, c, { type: 'message', text: 'Kā iesniegt sūdzību?' });
    expect((await directLine.read(s.origin, c)).activities.length).toBeGreaterThan(1);

    const removed = await s.app.deleteConversation(c.conversationId);
    expect(removed.state).toBe(1);
    expect(removed.transcripts).toBeGreaterThan(1);
    // An answered question leaves no words of the citizen in the records, only its count, unlinked.
    expect(removed.records).toBe(0);
    expect(removed.unlinked).toBeGreaterThan(0);
    const poll = await fetch(`${s.origin}/v3/directline/conversations/${c.conversationId}/activities`, { headers: { authorization: `Bearer ${c.token}` } });
    expect(poll.status).toBe(200);
    expect(((await poll.json()) as { activities: unknown[] }).activities).toEqual([]);
    expect((await s.app.store.transcripts.getTranscriptActivities('directline', c.conversationId)).items).toEqual([]);
  });

  it('requestConversationDeletion deletes after the turn, so its own replies, state and transcript go too; the farewell follows', async () => {
    const store = createMemoryStore();
    const adapter = useRecordingMiddleware(
      new TestAdapter(async (context) => {
        await store.state.write({ [`test/conversations/${context.activity.conversation.id}/`]: { asked: true } });
        await context.sendActivity('Vai tiešām dzēst?');
        requestConversationDeletion(context, [{ type: 'message', text: 'Jūsu saruna ir dzēsta.' }]);
      }),
      { store, log: silentLogger, agencyOf: () => 'library', deletionRequested },
    );
    // The farewell comes after the deletion and is not recorded again.
    await adapter.send('Lūdzu, dzēsiet manu sarunu').assertReply('Vai tiešām dzēst?').assertReply('Jūsu saruna ir dzēsta.').startTest();
    const id = adapter.conversation.conversation.id;
    expect((await store.transcripts.getTranscriptActivities('test', id)).items).toEqual([]);
    expect(await store.state.read([`test/conversations/${id}/`])).toEqual({});
    expect(await store.agencyOfConversation(id)).toBeUndefined();
  });
});

describe('one SQLite connection per process', () => {
  it('the staff side uses the store’s connection: one open handle on the database file', async () => {
    // A second connection's write would wait for the first one's lock synchronously, on the event
    // loop; sharing one connection rules that out.
    const site = await startApp();
    try {
      const handles = readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === path.join(site.dataDir, 'padoms.sqlite');
        } catch {
          return false; // closed meanwhile
        }
      });
      expect(handles).toHaveLength(1);
    } finally {
      await site.stop();
    }
  });
});
