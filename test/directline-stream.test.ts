// The Direct Line WebSocket stream of the real app (SQLite, loopback): replies are pushed as they are
// stored, exactly as a poller would read them, and every way in without the right token is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { issueToken, tokenKeyFrom } from '../bot/directline/tokens.js';
import { STREAM_TOKEN_TTL_SECONDS } from '../bot/directline/stream.js';
import { startApp, type RunningApp } from './support/app.js';
import { upgradeStatus } from './support/directline.js';
import { directLine, type DlActivity } from './support/postgres.js';

const TOKEN_SECRET = 'stream-test-secret-0123456789abcdefghij';

interface Opened {
  conversationId: string;
  token: string;
  streamUrl: string;
}

async function open(origin: string): Promise<Opened> {
  const generated = (await (await fetch(`${origin}/v3/directline/tokens/generate`, { method: 'POST' })).json()) as { token: string; conversationId: string };
  const started = await fetch(`${origin}/v3/directline/conversations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${generated.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ locale: 'lv-LV' }),
  });
  expect(started.status).toBe(201);
  const body = (await started.json()) as { streamUrl?: string };
  expect(body.streamUrl).toBeTypeOf('string');
  return { ...generated, streamUrl: body.streamUrl! };
}

/** A connected socket and everything it has been sent, parsed; empty messages are keep-alives. */
async function listen(url: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(url, { headers });
  const sets: { activities: DlActivity[]; watermark: string }[] = [];
  socket.on('message', (data) => {
    const text = String(data);
    if (text !== '') sets.push(JSON.parse(text) as (typeof sets)[number]);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const activities = () => sets.flatMap((s) => s.activities);
  return { socket, sets, activities };
}

describe('Direct Line WebSocket stream', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp({ DIRECTLINE_TOKEN_SECRET: TOKEN_SECRET });
  });
  afterAll(async () => {
    await running.stop();
  });

  it("pushes the greeting, the citizen's own message (redacted) and the reply, as a poller reads them", async () => {
    const c = await open(running.origin);
    const url = new URL(c.streamUrl);
    expect(url.protocol).toBe('ws:');
    expect(url.host).toBe(new URL(running.origin).host);
    expect(url.pathname).toBe(`/v3/directline/conversations/${c.conversationId}/stream`);

    const stream = await listen(c.streamUrl);
    await expect.poll(() => stream.activities().length).toBeGreaterThan(0);
    expect(stream.activities()[0]?.text).toContain('Datu valsts inspekcijas');

    const posted = await directLine.send(running.origin, c, { type: 'message', text: 'Mans personas kods ir 010190-12349, kā atsaukt piekrišanu?' });
    expect(posted.status).toBe(200);
    const { id } = (await posted.json()) as { id: string };
    // The POST returns after the turn, by which time the reply is on its way: no poll is needed.
    await expect.poll(() => stream.activities().some((a) => a.replyToId === id)).toBe(true);
    const own = stream.activities().find((a) => a.id === id);
    expect(own?.text).toBe('Mans personas kods ir [personas kods], kā atsaukt piekrišanu?');

    // The same activities, in the same order, with the same final watermark as polling gives.
    const polled = await directLine.read(running.origin, c);
    await expect.poll(() => stream.activities().length).toBe(polled.activities.length);
    expect(stream.activities()).toEqual(polled.activities);
    expect(Number(stream.sets.at(-1)?.watermark)).toBe(polled.watermark);
    stream.socket.close();
  });

  it('a reconnect gets a fresh streamUrl from its watermark, and the stream sends only what came after', async () => {
    const c = await open(running.origin);
    const first = await directLine.read(running.origin, c);
    await directLine.send(running.origin, c, { type: 'message', text: 'Kā iesniegt sūdzību?' });
    const reconnect = await fetch(`${running.origin}/v3/directline/conversations/${c.conversationId}?watermark=${first.watermark}`, {
      headers: { authorization: `Bearer ${c.token}` },
    });
    expect(reconnect.status).toBe(200);
    const { streamUrl } = (await reconnect.json()) as { streamUrl: string };
    expect(new URL(streamUrl).searchParams.get('watermark')).toBe(String(first.watermark));

    const stream = await listen(streamUrl);
    const all = await directLine.read(running.origin, c);
    await expect.poll(() => stream.activities().length).toBe(all.activities.length - first.activities.length);
    expect(stream.activities()).toEqual(all.activities.slice(first.activities.length));
    stream.socket.close();
  });

  it('refuses an upgrade without the right token, for another conversation, or with a bad watermark', async () => {
    const c = await open(running.origin);
    const other = await open(running.origin);
    const base = c.streamUrl.split('?')[0]!;
    const key = tokenKeyFrom(TOKEN_SECRET);
    const claims = JSON.parse(Buffer.from(c.token.split('.')[1]!, 'base64url').toString()) as { user: string; agency: string };
    expect(claims.agency).toBe('dvi'); // the default agency: the widget named none
    const subject = { conversationId: c.conversationId, userId: claims.user, agency: claims.agency };
    const streamToken = (now: Date, agency = subject.agency) => issueToken({ ...subject, agency }, key, now, STREAM_TOKEN_TTL_SECONDS, 'stream').token;

    expect(await upgradeStatus(base)).toBe(401);
    expect(await upgradeStatus(`${base}?t=not-a-token`)).toBe(403);
    // A conversation token is not a stream token, and the other way round.
    expect(await upgradeStatus(`${base}?t=${c.token}`)).toBe(403);
    const asBearer = await fetch(`${running.origin}/v3/directline/conversations/${c.conversationId}/activities`, {
      headers: { authorization: `Bearer ${streamToken(new Date())}` },
    });
    expect(asBearer.status).toBe(403);
    // Another conversation's stream token.
    expect(await upgradeStatus(other.streamUrl.replace(other.conversationId, c.conversationId))).toBe(403);
    // A minute old: expired.
    expect(await upgradeStatus(`${base}?t=${streamToken(new Date(Date.now() - (STREAM_TOKEN_TTL_SECONDS + 5) * 1000))}`)).toBe(403);
    expect(await upgradeStatus(`${base}?watermark=abc&t=${streamToken(new Date())}`)).toBe(400);
    // A token of an agency this installation does not serve opens nothing.
    expect(await upgradeStatus(`${base}?t=${streamToken(new Date(), 'archive')}`)).toBe(404);
    // A server-side client may use its conversation token in the Authorization header instead.
    expect(await upgradeStatus(base, { authorization: `Bearer ${c.token}` })).toBe(101);
    expect(await upgradeStatus(c.streamUrl)).toBe(101);
    // Nothing else on this server upgrades.
    expect(await upgradeStatus(`${running.origin.replace('http', 'ws')}/staff/events`)).toBe(404);
  });

  it('holds at most four streams per conversation', async () => {
    const c = await open(running.origin);
    const reconnectUrl = async () => {
      const r = await fetch(`${running.origin}/v3/directline/conversations/${c.conversationId}`, { headers: { authorization: `Bearer ${c.token}` } });
      return ((await r.json()) as { streamUrl: string }).streamUrl;
    };
    const openStreams = () => running.app.metrics.sources.directLineStreams?.();
    const before = openStreams() ?? 0;
    const streams = await Promise.all([c.streamUrl, await reconnectUrl(), await reconnectUrl(), await reconnectUrl()].map((url) => listen(url)));
    // The metric counts them (padoms_directline_streams).
    await expect.poll(openStreams).toBe(before + 4);
    expect(await upgradeStatus(await reconnectUrl())).toBe(429);
    streams[0]!.socket.close();
    await expect.poll(async () => upgradeStatus(await reconnectUrl())).toBe(101);
    for (const s of streams) s.socket.close();
  });

  it("opening streams counts against the address's Direct Line rate limit, with Retry-After", async () => {
    const limited = await startApp({ DIRECTLINE_TOKEN_SECRET: TOKEN_SECRET, RATE_LIMIT_IP_PER_MINUTE: '12' });
    try {
      const c = await open(limited.origin); // two requests of the burst of ten
      const refusals: { status: number; retryAfter: string | undefined }[] = [];
      for (let i = 0; i < 10; i++) {
        refusals.push(
          await new Promise((resolve) => {
            const socket = new WebSocket(`${c.streamUrl.split('?')[0]}?t=not-a-token`);
            socket.once('unexpected-response', (_req, res) => {
              resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
              res.resume();
              socket.terminate();
            });
            socket.once('error', () => {});
          }),
        );
      }
      expect(refusals.slice(0, 8).map((r) => r.status)).toEqual(Array(8).fill(403));
      expect(refusals.slice(8)).toEqual([
        { status: 429, retryAfter: expect.stringMatching(/^\d+$/) },
        { status: 429, retryAfter: expect.stringMatching(/^\d+$/) },
      ]);
    } finally {
      await limited.stop();
    }
  });

  it('closes open streams with 1001 (going away) when the app stops', async () => {
    const other = await startApp({ DIRECTLINE_TOKEN_SECRET: TOKEN_SECRET });
    const c = await open(other.origin);
    const stream = await listen(c.streamUrl);
    const closed = new Promise<number>((resolve) => stream.socket.once('close', (code) => resolve(code)));
    await other.stop();
    expect(await closed).toBe(1001);
  });
});
