// What an attacker or a crash found on the real server over loopback, each checked here: a bad
// escape in a stream URL, a restart under the default configuration, the staff login throttle, a
// proxy taken for loopback, a citizen muted by someone without a token, and the smaller ones.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_KEY_FILE } from '../bot/app.js';
import { startApp, type RunningApp } from './support/app.js';
import { upgradeStatus } from './support/directline.js';
import { channelActivity, directLine, fakeConnector, spawnBot, type BotProcess } from './support/postgres.js';

/** Writes `request` on a raw socket and returns what came back before the server closed (or `waitMs` passed). */
function rawHttp(origin: string, request: string, waitMs = 3_000): Promise<string> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(answer);
    }, waitMs);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      if (answer !== '') resolve(answer);
      else reject(err);
    });
    socket.write(request);
  });
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);

function upgradeRequest(pathAndQuery: string): string {
  return `GET ${pathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
}

async function streamUrlOf(origin: string, c: { token: string; conversationId: string }): Promise<string> {
  const res = await fetch(`${origin}/v3/directline/conversations/${c.conversationId}`, { headers: { authorization: `Bearer ${c.token}` } });
  return ((await res.json()) as { streamUrl: string }).streamUrl;
}

describe('one request cannot take the service down', () => {
  let site: RunningApp;
  beforeAll(async () => {
    site = await startApp({ RATE_LIMIT_IP_PER_MINUTE: '0' });
  });
  afterAll(async () => site?.stop());

  it.each(['%', '%ZZ', '%FF', '%C0%AF', 'abc%E2%82', '%%%', 'a%2fb'])(
    'a stream upgrade to conversations/%s/stream is refused, and the server lives on',
    async (id) => {
      const answer = await rawHttp(site.origin, upgradeRequest(`/v3/directline/conversations/${id}/stream?t=x`));
      expect(statusOf(answer)).toBe(404);
      expect((await fetch(`${site.origin}/healthz`)).status).toBe(200);
    },
  );

  it('a body nested 2,500 levels deep gets 400, not 500', async () => {
    const c = await directLine.start(site.origin);
    const deep = `${'['.repeat(2500)}${']'.repeat(2500)}`;
    const res = await fetch(`${site.origin}/v3/directline/conversations/${c.conversationId}/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
      body: `{"type":"message","from":{"id":"x"},"text":"sveiki","value":${deep}}`,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BadArgument');
  });

  it('a Content-Length far above the limit is refused before the body arrives', async () => {
    // Only the head and 10 bytes are sent: the answer must come without waiting for the rest.
    const started = Date.now();
    const answer = await rawHttp(
      site.origin,
      'POST /v3/directline/tokens/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{"a":"bcd"',
    );
    expect(statusOf(answer)).toBe(413);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('a compressed request without a body gets 415, and the server lives on', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const answer = await rawHttp(
        site.origin,
        `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Encoding: ${encoding}\r\nConnection: close\r\n\r\n`,
      );
      expect(statusOf(answer), encoding).toBe(415);
    }
    expect((await fetch(`${site.origin}/healthz`)).status).toBe(200);
  });

  it('a stream URL opens one socket; the second use is refused', async () => {
    const c = await directLine.start(site.origin);
    const url = await streamUrlOf(site.origin, c);
    expect(await upgradeStatus(url)).toBe(101);
    expect(await upgradeStatus(url)).toBe(403);
    // A fresh URL for the same conversation opens again.
    expect(await upgradeStatus(await streamUrlOf(site.origin, c))).toBe(101);
  });
});

describe('/api/messages while authentication is off', () => {
  let site: RunningApp;
  let connector: Awaited<ReturnType<typeof fakeConnector>>;
  beforeAll(async () => {
    connector = await fakeConnector();
    site = await startApp({ TRUST_PROXY_HOPS: '1' });
  });
  afterAll(async () => {
    await site?.stop();
    await connector?.close();
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${site.origin}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('{"type":"message"} gets 400 with a JSON error, not 500 with botbuilder\'s text', async () => {
    const res = await post({ type: 'message' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BadArgument');
  });

  it.each([
    ['an invoke, which Padoms does not answer', { type: 'invoke', name: 'x' }],
    ['no sender', { from: undefined }],
    ['a sender that is not an account', { from: 'citizen' }],
    ['attachments that are not a list', { attachments: { prototype: true } }],
    ['text that is not text', { text: { a: 1 } }],
    ['a conversation id with control characters', { conversation: { id: 'c\u0001d' } }],
  ])('%s gets 400, not 500', async (_what, change) => {
    const res = await post({ ...channelActivity(connector.serviceUrl, 'conv-shape', 'Labdien'), ...change });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BadArgument');
  });

  it('a request through a proxy on this host is not loopback, whatever X-Forwarded-For says', async () => {
    for (const forwarded of ['203.0.113.9', '127.0.0.1']) {
      const res = await post(channelActivity(connector.serviceUrl, 'conv-proxy', 'Labdien'), { 'x-forwarded-for': forwarded });
      expect(res.status).toBe(403);
      expect((await fetch(`${site.origin}/metrics`, { headers: { 'x-forwarded-for': forwarded } })).status).toBe(403);
    }
    expect((await fetch(`${site.origin}/metrics`)).status).toBe(200);
    expect(connector.replies).toHaveLength(0);
  });

  it('never POSTs to a serviceUrl the configuration does not allow', async () => {
    const elsewhere = await post(channelActivity('http://203.0.113.9:8080/', 'conv-ssrf', 'Labdien'));
    expect(elsewhere.status).toBe(403);
    const allowed = await post(channelActivity(connector.serviceUrl, 'conv-ok', 'Labdien'));
    expect(allowed.status).toBe(200);
    await expect.poll(() => connector.replies.length).toBeGreaterThan(0);
  });

  it('cannot drive a Direct Line conversation by its id', async () => {
    const victim = await directLine.start(site.origin);
    const before = (await directLine.read(site.origin, victim)).activities.length;
    const res = await post({ ...channelActivity(connector.serviceUrl, victim.conversationId, 'dzēst manu sarunu'), channelId: 'directline' });
    expect(res.status).toBe(403);
    expect((await directLine.read(site.origin, victim)).activities).toHaveLength(before);
  });
});

describe('a citizen cannot be muted by someone without their token', () => {
  let site: RunningApp;
  beforeAll(async () => {
    // Addresses are not limited here, so only the per-conversation limit (120 a minute, burst 20) is at play.
    site = await startApp({ RATE_LIMIT_IP_PER_MINUTE: '0' });
  });
  afterAll(async () => site?.stop());

  it('40 unauthenticated reads and stream opens on the conversation leave the citizen able to send', async () => {
    const c = await directLine.start(site.origin);
    const base = `${site.origin}/v3/directline/conversations/${c.conversationId}`;
    for (let i = 0; i < 40; i++) {
      expect((await fetch(`${base}/activities`, { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(403);
      expect(await upgradeStatus(`${base.replace('http', 'ws')}/stream?t=not-a-token`)).toBe(403);
    }
    expect((await directLine.send(site.origin, c, { type: 'message', text: 'Labdien' })).status).toBe(200);
  });
});

describe('staff login throttle', () => {
  let site: RunningApp;
  const PASSWORD = 'correct horse battery staple';
  beforeAll(async () => {
    site = await startApp({ COOKIE_SECURE: 'false', TRUST_PROXY_HOPS: '1', RATE_LIMIT_IP_PER_MINUTE: '6000' });
    await site.app.handover.ready;
    for (const login of ['owner', 'other']) {
      const added = await site.app.handover.directory.add({ name: login, login, languages: ['lv'], role: 'staff', password: PASSWORD });
      if (!added.ok) throw new Error(added.message);
    }
  });
  afterAll(async () => site?.stop());

  const login = (name: string, password: string, from: string) =>
    fetch(`${site.origin}/staff/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: site.origin, 'x-forwarded-for': from },
      body: JSON.stringify({ login: name, password }),
    });

  it("failures from an attacker's address do not lock the owner out at theirs", async () => {
    for (let i = 0; i < 5; i++) expect((await login('owner', `wrong ${i}`, '203.0.113.66')).status).toBe(401);
    expect((await login('owner', PASSWORD, '203.0.113.66')).status).toBe(429);
    expect((await login('owner', PASSWORD, '198.51.100.10')).status).toBe(200);
  });

  it('a spread-out attack on one login stops new addresses, never one the owner signed in from', async () => {
    expect((await login('owner', PASSWORD, '198.51.100.20')).status).toBe(200);
    for (let i = 0; i < 60; i++) await login('owner', `guess ${i}`, `192.0.2.${i + 1}`);
    expect((await login('owner', PASSWORD, '192.0.2.200')).status).toBe(429);
    expect((await login('owner', PASSWORD, '198.51.100.20')).status).toBe(200);
  });

  it('100 parallel wrong passwords from one address: at most 5 are checked', async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => login('other', `parallel ${i}`, '203.0.113.77')));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(95);
  });

  it('the console is under the general rate limiter', async () => {
    const limited = await startApp({ RATE_LIMIT_IP_PER_MINUTE: '60' });
    try {
      const statuses = await Promise.all(Array.from({ length: 30 }, () => fetch(`${limited.origin}/staff/api/me`).then((r) => r.status)));
      expect(statuses).toContain(429);
    } finally {
      await limited.stop();
    }
  });
});

describe('a restart under the default configuration', () => {
  let dataDir: string;
  let bot: BotProcess | undefined;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'padoms-restart-'));
  });
  afterAll(async () => {
    await bot?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps every citizen's token and conversation across kill -9, and keeps its files private", async () => {
    // No DIRECTLINE_TOKEN_SECRET: the default a new installation runs with.
    bot = await spawnBot({ DATA_DIR: dataDir });
    const c = await directLine.start(bot.origin);
    expect((await directLine.send(bot.origin, c, { type: 'message', text: 'Kā iesniegt sūdzību?' })).status).toBe(200);
    const before = await directLine.read(bot.origin, c);
    await bot.kill();

    bot = await spawnBot({ DATA_DIR: dataDir });
    const after = await directLine.read(bot.origin, c);
    expect(after.activities.map((a) => a.id)).toEqual(before.activities.map((a) => a.id));
    expect((await directLine.send(bot.origin, c, { type: 'message', text: 'Paldies' })).status).toBe(200);
    await expect.poll(async () => (await directLine.read(bot!.origin, c)).activities.length).toBeGreaterThan(before.activities.length + 1);

    for (const file of [TOKEN_KEY_FILE, 'padoms.sqlite', 'padoms.sqlite-wal']) {
      expect((statSync(path.join(dataDir, file)).mode & 0o777).toString(8), file).toBe('600');
    }
  });
});

describe('what an error leaves in the log', () => {
  it("its name, code and place, never its message or the stack's first line", async () => {
    const { errorFields, loggableId } = await import('../bot/log.js');
    const err = Object.assign(new TypeError('Cannot read "150575-12341" of undefined'), { code: 'ERR_X' });
    const fields = errorFields(err);
    expect(fields).toMatchObject({ name: 'TypeError', code: 'ERR_X' });
    expect(fields.at).toMatch(/^test\/safety\.test\.ts:\d+:\d+$/);
    expect(JSON.stringify(fields)).not.toContain('150575');
    // Our own ids stay readable; anyone else's is a stable hash.
    expect(loggableId('AbCdEfGhIjKlMnOpQrStUv')).toBe('AbCdEfGhIjKlMnOpQrStUv');
    expect(loggableId('Jānis 150575-12341')).toMatch(/^#[0-9a-f]{12}$/);
    expect(loggableId('Jānis 150575-12341')).toBe(loggableId('Jānis 150575-12341'));
  });
});

describe('a proactive message that fails', () => {
  it("is logged by the error's name and place, not by its message (which may quote the citizen)", async () => {
    const { proactiveSender } = await import('../bot/proactive.js');
    const logged: unknown[] = [];
    const log = { error: (fields: unknown) => void logged.push(fields) } as unknown as import('../bot/log.js').Logger;
    const failing = { continueConversationAsync: () => Promise.reject(new Error('could not deliver "Mans personas kods ir 150575-12341"')) };
    const send = proactiveSender({ byChannel: {}, fallback: failing as never, appId: '' }, log);
    await send({ channelId: 'directline' }, async () => undefined);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ err: { name: 'Error' }, channel: 'directline' });
    expect(JSON.stringify(logged)).not.toContain('150575');
  });
});
