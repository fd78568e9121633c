// The self-hosted Direct Line 3.0 endpoint over real HTTP on loopback, with a small greeting/echo
// bot; and the official botframework-directlinejs client talking to it.
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ActivityHandler, type Activity, type TurnContext } from 'botbuilder';
import type restify from 'restify';
import { createServer } from '../bot/server.js';
import { silentLogger } from '../bot/log.js';
import { DirectLineAdapter } from '../bot/directline/adapter.js';
import { MemoryDirectLineStore } from '../bot/storage/directline-store.js';
import { mountDirectLine } from '../bot/directline/routes.js';
import { issueToken, signToken, verifyToken } from '../bot/directline/tokens.js';

const SECRET = 'test-directline-secret-0123456789';
const MAX_BODY = 4096;
const GREETING = 'Labdien! Esmu čatbots.';
/** The one agency served here (test/directline.agencies.test.ts serves two). */
const AGENCY = 'library';

/** Greets every added member other than itself, echoes messages, and fails on request. */
class EchoBot extends ActivityHandler {
  readonly seen: Partial<Activity>[] = [];
  constructor() {
    super();
    this.onTurn(async (context, next) => {
      this.seen.push({ ...context.activity });
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      for (const member of context.activity.membersAdded ?? []) {
        if (member.id !== context.activity.recipient.id) await context.sendActivity(GREETING);
      }
      await next();
    });
    this.onMessage(async (context, next) => {
      if (context.activity.text === 'kļūda') throw new Error('boom');
      await context.sendActivity(`Jūs rakstījāt: ${context.activity.text ?? ''}`);
      await next();
    });
  }
}

interface TestServer {
  base: string;
  adapter: DirectLineAdapter;
  bot: EchoBot;
  server: restify.Server;
  tokenKey: Buffer;
  clock: { now: Date };
}

async function startServer(): Promise<TestServer> {
  const clock = { now: new Date() };
  const now = () => clock.now;
  const server = createServer({ maxBodyBytes: MAX_BODY, log: silentLogger });
  const adapter = new DirectLineAdapter({ store: new MemoryDirectLineStore({ now }), now, log: silentLogger });
  const bot = new EchoBot();
  const tokenKey = randomBytes(32);
  const agencies = { has: (id: string) => id === AGENCY, defaultId: AGENCY };
  mountDirectLine(server, { adapter, agencies, logic: (context: TurnContext) => bot.run(context), tokenKey, directLineSecret: SECRET, log: silentLogger, now });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}/v3/directline`, adapter, bot, server, tokenKey, clock };
}

interface Json {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function call(
  method: string,
  url: string,
  options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Json> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers['Authorization'] = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['Content-Type'] ??= 'application/json';
  const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>), headers: response.headers };
}

const activitiesOf = (r: Json) => r.body['activities'] as Activity[];

/** A token, a started conversation, and the greeting already read. */
async function conversation(t: TestServer) {
  const generated = await call('POST', `${t.base}/tokens/generate`);
  const token = generated.body['token'] as string;
  const conversationId = generated.body['conversationId'] as string;
  const started = await call('POST', `${t.base}/conversations`, { token, body: { locale: 'lv-LV' } });
  return { token, conversationId, generated, started };
}

describe('Direct Line 3.0 over HTTP', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startServer();
  });
  afterAll(() => t.server.close());
  beforeEach(() => {
    t.clock.now = new Date();
  });

  it('generates a token, starts the conversation, greets once, echoes by watermark polling', async () => {
    const { token, conversationId, generated, started } = await conversation(t);
    expect(generated.status).toBe(200);
    expect(generated.body['expires_in']).toBe(1800);
    expect(generated.headers.get('cache-control')).toBe('no-store');
    const userId = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).user as string;
    expect(userId).toMatch(/^dl_/);

    expect(started.status).toBe(201);
    expect(started.body).toEqual({ conversationId, token, expires_in: 1800 });
    expect(started.body).not.toHaveProperty('streamUrl');

    const first = await call('GET', `${t.base}/conversations/${conversationId}/activities`, { token });
    expect(first.status).toBe(200);
    expect(activitiesOf(first).map((a) => a.text)).toEqual([GREETING]);
    expect(first.body['watermark']).toBe('1');
    const greeting = activitiesOf(first)[0];
    expect(greeting).toMatchObject({
      type: 'message',
      channelId: 'directline',
      conversation: { id: conversationId },
      from: { role: 'bot' },
      recipient: { id: userId },
    });
    expect(typeof greeting?.timestamp).toBe('string');

    // The client claims another user id: the turn must see the token's user.
    const sent = await call('POST', `${t.base}/conversations/${conversationId}/activities`, {
      token,
      body: { type: 'message', text: 'Kā iesniegt sūdzību?', from: { id: 'dl_someone-else', name: 'Anna' }, channelData: { clientActivityID: 'c1' } },
    });
    expect(sent.status).toBe(200);
    expect(typeof sent.body['id']).toBe('string');
    const turn = t.bot.seen.find((a) => a.id === sent.body['id']);
    expect(turn).toMatchObject({
      from: { id: userId, name: 'Anna', role: 'user' },
      channelId: 'directline',
      conversation: { id: conversationId },
      locale: 'lv-LV',
    });
    expect(turn?.recipient?.id).toBe(t.adapter.bot.id);
    expect(turn?.serviceUrl).toBe(t.adapter.serviceUrl);

    const next = await call('GET', `${t.base}/conversations/${conversationId}/activities?watermark=1`, { token });
    const [echo, reply] = activitiesOf(next);
    expect(echo).toMatchObject({
      id: sent.body['id'],
      text: 'Kā iesniegt sūdzību?',
      from: { id: userId, role: 'user' },
      channelData: { clientActivityID: 'c1' },
    });
    expect(reply).toMatchObject({ text: 'Jūs rakstījāt: Kā iesniegt sūdzību?', replyToId: sent.body['id'], from: { role: 'bot' } });
    expect(next.body['watermark']).toBe('3');

    const nothing = await call('GET', `${t.base}/conversations/${conversationId}/activities?watermark=3`, { token });
    expect(nothing.body).toEqual({ activities: [], watermark: '3' });

    // Starting again with the same token does not greet a second time.
    const again = await call('POST', `${t.base}/conversations`, { token });
    expect(again.status).toBe(200);
    const after = await call('GET', `${t.base}/conversations/${conversationId}/activities?watermark=3`, { token });
    expect(activitiesOf(after)).toEqual([]);
    expect(t.bot.seen.filter((a) => a.type === 'conversationUpdate' && a.conversation?.id === conversationId)).toHaveLength(1);
  });

  it('reconnects with GET conversations/:id and replays from the watermark', async () => {
    const { token, conversationId } = await conversation(t);
    const reconnect = await call('GET', `${t.base}/conversations/${conversationId}?watermark=0`, { token });
    expect(reconnect.status).toBe(200);
    expect(reconnect.body['conversationId']).toBe(conversationId);
    expect(reconnect.body['token']).toBe(token);
    expect(reconnect.body).not.toHaveProperty('streamUrl');
    const replay = await call('GET', `${t.base}/conversations/${conversationId}/activities?watermark=0`, { token });
    expect(activitiesOf(replay).map((a) => a.text)).toEqual([GREETING]);

    expect((await call('GET', `${t.base}/conversations/${conversationId}/activities?watermark=abc`, { token })).status).toBe(400);
  });

  it('refreshes a token for the same conversation; an expired token is refused with 403', async () => {
    const { token, conversationId } = await conversation(t);
    t.clock.now = new Date(t.clock.now.getTime() + 15 * 60_000);
    const refreshed = await call('POST', `${t.base}/tokens/refresh`, { token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body['conversationId']).toBe(conversationId);
    expect(refreshed.body['expires_in']).toBe(1800);
    const fresh = refreshed.body['token'] as string;
    expect(fresh).not.toBe(token);

    t.clock.now = new Date(t.clock.now.getTime() + 20 * 60_000); // the first token is now 35 min old
    expect((await call('GET', `${t.base}/conversations/${conversationId}/activities`, { token })).status).toBe(403);
    expect((await call('POST', `${t.base}/tokens/refresh`, { token })).status).toBe(403);
    const polled = await call('GET', `${t.base}/conversations/${conversationId}/activities`, { token: fresh });
    expect(polled.status).toBe(200);
    expect(activitiesOf(polled)).toHaveLength(1);
  });

  it('scopes tokens to one conversation and requires one', async () => {
    const a = await conversation(t);
    const b = await conversation(t);
    const url = `${t.base}/conversations/${a.conversationId}/activities`;

    const other = await call('GET', url, { token: b.token });
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ error: { code: 'Forbidden' } });
    expect((await call('POST', url, { token: b.token, body: { type: 'message', text: 'x' } })).status).toBe(403);
    expect((await call('GET', `${t.base}/conversations/${a.conversationId}`, { token: b.token })).status).toBe(403);

    const missing = await call('GET', url);
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ error: { code: 'MissingToken' } });
    expect((await call('GET', url, { headers: { Authorization: 'Basic abc' } })).status).toBe(401);
    expect((await call('GET', url, { token: 'not-a-token' })).status).toBe(403);

    // Same claims, wrong key; and a payload swapped under a valid signature.
    const forged = issueToken({ conversationId: a.conversationId, userId: 'dl_intruder-000', agency: AGENCY }, randomBytes(32), t.clock.now).token;
    expect((await call('GET', url, { token: forged })).status).toBe(403);
    const [h, , s] = b.token.split('.');
    const [, p] = a.token.split('.');
    expect((await call('GET', url, { token: `${h}.${p}.${s}` })).status).toBe(403);
  });

  it('refuses malformed and oversize bodies with JSON errors', async () => {
    const { token, conversationId } = await conversation(t);
    const url = `${t.base}/conversations/${conversationId}/activities`;

    const malformed = await call('POST', url, { token, raw: '{"type": "message", "text": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });

    for (const body of ['[]', '"hello"', '{"text":"no type"}', '{"type":"invoke","name":"x"}', '{"type":"message","text":42}']) {
      const r = await call('POST', url, { token, raw: body });
      expect(r.status, body).toBe(400);
      expect(r.body, body).toMatchObject({ error: { code: 'BadArgument' } });
    }
    expect((await call('POST', url, { token })).status).toBe(400);

    const oversize = await call('POST', url, { token, body: { type: 'message', text: 'ā'.repeat(MAX_BODY) } });
    expect(oversize.status).toBe(413);
    expect(oversize.body).toMatchObject({ error: { message: expect.stringContaining('exceeds') } });

    const start = await call('POST', `${t.base}/conversations`, { token, raw: '{bad' });
    expect(start.status).toBe(400);
  });

  it('answers uploads, multipart and compressed bodies with 415 instead of parsing them', async () => {
    const { token, conversationId } = await conversation(t);
    const form = new FormData();
    form.append('file', new Blob(['hello'], { type: 'text/plain' }), 'a.txt');
    const upload = await fetch(`${t.base}/conversations/${conversationId}/upload?userId=x`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: form,
    });
    expect(upload.status).toBe(415);
    expect(await upload.json()).toEqual({ error: { code: 'UploadNotSupported', message: 'uploads not supported' } });

    const multipart = await fetch(`${t.base}/conversations/${conversationId}/activities`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: form,
    });
    expect(multipart.status).toBe(415);
    const gzipped = await call('POST', `${t.base}/conversations/${conversationId}/activities`, { token, raw: '{}', headers: { 'Content-Encoding': 'gzip' } });
    expect(gzipped.status).toBe(415);
  });

  it('allows cross-origin calls (bearer tokens, no cookies) and answers preflight', async () => {
    const preflight = await fetch(`${t.base}/tokens/generate`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://agency.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const denied = await call('GET', `${t.base}/conversations/x/activities`, { headers: { Origin: 'https://agency.example' } });
    expect(denied.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('accepts the Direct Line secret from server-side clients, and refuses other bearers on tokens/generate', async () => {
    const generated = await call('POST', `${t.base}/tokens/generate`, { token: SECRET, body: { user: { id: 'dl_server-chosen-1' } } });
    expect(generated.status).toBe(200);
    expect(verifyToken(generated.body['token'] as string, t.tokenKey, t.clock.now)).toMatchObject({ kind: 'valid', claims: { userId: 'dl_server-chosen-1' } });
    expect((await call('POST', `${t.base}/tokens/generate`, { token: 'wrong-secret' })).status).toBe(403);

    const started = await call('POST', `${t.base}/conversations`, { token: SECRET });
    expect(started.status).toBe(201);
    const conversationId = started.body['conversationId'] as string;
    const polled = await call('GET', `${t.base}/conversations/${conversationId}/activities`, { token: SECRET });
    expect(activitiesOf(polled).map((a) => a.text)).toEqual([GREETING]);
    // The token handed out with it works too.
    const viaToken = await call('GET', `${t.base}/conversations/${conversationId}/activities`, { token: started.body['token'] as string });
    expect(viaToken.status).toBe(200);
  });

  it('returns 404 for a conversation that was never started', async () => {
    const generated = await call('POST', `${t.base}/tokens/generate`);
    const token = generated.body['token'] as string;
    const id = generated.body['conversationId'] as string;
    expect((await call('GET', `${t.base}/conversations/${id}/activities`, { token })).status).toBe(404);
    expect((await call('POST', `${t.base}/conversations/${id}/activities`, { token, body: { type: 'message', text: 'x' } })).status).toBe(404);
  });

  it('lets the bot send proactively, update and delete; a failing turn answers 502', async () => {
    const { token, conversationId } = await conversation(t);
    const reference = await t.adapter.conversationReference(conversationId);
    expect(reference).toBeDefined();
    let sentId = '';
    await t.adapter.continueConversationAsync('', reference ?? {}, async (context) => {
      sentId = (await context.sendActivity('Sveiki, šeit inspekcijas darbiniece.'))?.id ?? '';
    });
    await t.adapter.continueConversation(reference ?? {}, async (context) => {
      await context.updateActivity({ id: sentId, type: 'message', text: 'Sveiki, šeit Anna no inspekcijas.' });
      await context.deleteActivity(sentId);
    });
    const polled = activitiesOf(await call('GET', `${t.base}/conversations/${conversationId}/activities?watermark=1`, { token }));
    expect(polled.map((a) => [a.type, a.id, a.text])).toEqual([
      ['message', sentId, 'Sveiki, šeit inspekcijas darbiniece.'],
      ['message', sentId, 'Sveiki, šeit Anna no inspekcijas.'],
      ['messageDelete', sentId, undefined],
    ]);
    expect(polled[0]).toMatchObject({ recipient: { id: expect.stringMatching(/^dl_/) }, from: { role: 'bot' } });

    const failed = await call('POST', `${t.base}/conversations/${conversationId}/activities`, { token, body: { type: 'message', text: 'kļūda' } });
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ error: { code: 'BotError' } });
  });
});

describe('MemoryDirectLineStore', () => {
  const conv = (id: string) => ({ id, userId: 'dl_user-0001', agency: AGENCY, createdAt: '2026-01-01T00:00:00.000Z' });

  it('drops conversations idle for longer than the limit', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const store = new MemoryDirectLineStore({ idleMs: 60_000, now: () => now });
    await store.createConversation(conv('aaaaaaaaaaaaaaaaaaaa'));
    await store.createConversation(conv('bbbbbbbbbbbbbbbbbbbb'));
    now = new Date(now.getTime() + 30_000);
    await store.appendActivity('bbbbbbbbbbbbbbbbbbbb', { type: 'message', text: 'x' });
    now = new Date(now.getTime() + 40_000);
    expect(await store.getConversation('aaaaaaaaaaaaaaaaaaaa')).toBeUndefined();
    expect(await store.getConversation('bbbbbbbbbbbbbbbbbbbb')).toBeDefined();
    await store.createConversation(conv('cccccccccccccccccccc'));
    expect(store.size).toBe(2);
  });

  it('caps the number of conversations and the activities kept per conversation', async () => {
    const store = new MemoryDirectLineStore({ maxConversations: 2, maxActivitiesPerConversation: 3 });
    for (const id of ['aaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbb', 'cccccccccccccccccccc']) await store.createConversation(conv(id));
    expect(store.size).toBe(2);
    expect(await store.getConversation('aaaaaaaaaaaaaaaaaaaa')).toBeUndefined();
    for (let i = 1; i <= 5; i++) await store.appendActivity('cccccccccccccccccccc', { type: 'message', text: String(i) });
    const all = await store.listActivities('cccccccccccccccccccc', 0, 100);
    expect(all?.activities.map((a) => a.text)).toEqual(['3', '4', '5']);
    expect(all?.watermark).toBe(5);
    expect((await store.listActivities('cccccccccccccccccccc', 3, 1))?.activities.map((a) => a.text)).toEqual(['4']);
    expect(await store.listActivities('cccccccccccccccccccc', 9, 100)).toEqual({ activities: [], watermark: 5 });
  });
});

describe('tokens', () => {
  it('rejects a changed header even with a matching HMAC over it', () => {
    const key = randomBytes(32);
    const now = new Date();
    const { token } = issueToken({ conversationId: 'aaaaaaaaaaaaaaaaaaaa', userId: 'dl_user-0001', agency: AGENCY }, key, now);
    expect(verifyToken(token, key, now).kind).toBe('valid');
    const [, payload] = token.split('.');
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect(verifyToken(`${none}.${payload}.`, key, now).kind).toBe('invalid');
    expect(verifyToken(signToken({ conversationId: 'bad id!', userId: 'dl_user-0001', agency: AGENCY, issuedAt: 0, expiresAt: 9e9 }, key), key, now).kind).toBe(
      'invalid',
    );
  });
});

// The official client. It talks HTTP through rxjs 5's Observable.ajax, which needs XMLHttpRequest
// (absent in Node), so it gets a fetch-based `ajax` service; its protocol logic — start, poll by
// watermark, post, echo — is the library's own. The browser test covers the bundled client in Web Chat.
describe('botframework-directlinejs client', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startServer();
  });
  afterAll(() => t.server.close());

  it('starts a conversation, receives the greeting and the reply to its message', async () => {
    const require = createRequire(import.meta.url);
    const directLineModule = require('botframework-directlinejs') as typeof import('botframework-directlinejs');
    // The rxjs 5 instance the client itself uses (its operators are patched onto that prototype).
    type Subscriber = { next(value: unknown): void; error(error: unknown): void; complete(): void };
    const { Observable } = createRequire(require.resolve('botframework-directlinejs'))('rxjs/Observable') as {
      Observable: new (subscribe: (subscriber: Subscriber) => void) => unknown;
    };

    const ajax = (request: { url: string; method?: string; headers?: Record<string, string>; body?: unknown }) =>
      new Observable((subscriber) => {
        const init: RequestInit = { method: request.method ?? 'GET', headers: request.headers ?? {} };
        if (request.body !== undefined) init.body = JSON.stringify(request.body);
        fetch(request.url, init)
          .then(async (response) => {
            const text = await response.text();
            const body: unknown = text === '' ? null : JSON.parse(text);
            const result = { status: response.status, response: body, xhr: { getResponseHeader: (h: string) => response.headers.get(h) } };
            if (response.ok) {
              subscriber.next(result);
              subscriber.complete();
            } else subscriber.error(result);
          })
          .catch((err: unknown) => subscriber.error(err));
      });

    const generated = await call('POST', `${t.base}/tokens/generate`);
    const directLine = new directLineModule.DirectLine({
      token: generated.body['token'] as string,
      domain: t.base,
      webSocket: false,
      pollingInterval: 200,
      // Node 20 has no global WebSocket and the constructor touches it even with webSocket: false.
      ...({ ajax, WebSocket: class {} } as object),
    });
    try {
      const received: Activity[] = [];
      const subscription = directLine.activity$.subscribe((activity: unknown) => received.push(activity as Activity));
      await waitFor(() => received.some((a) => a.text === GREETING));

      const id = await new Promise<string>((resolve, reject) => {
        directLine.postActivity({ type: 'message', text: 'Sveiki!', from: { id: 'ignored' } } as never).subscribe({ next: resolve, error: reject });
      });
      expect(id).not.toBe('retry');
      await waitFor(() => received.some((a) => a.text === 'Jūs rakstījāt: Sveiki!'));
      expect(received.find((a) => a.id === id)).toMatchObject({ from: { role: 'user', id: expect.stringMatching(/^dl_/) } });
      subscription.unsubscribe();
    } finally {
      directLine.end();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
