// The real app over HTTP on loopback: health, readiness, the guarded Bot Framework endpoint, and a
// full Direct Line turn answered from the demo agency's knowledge.
import http from 'node:http';
import net, { type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from './support/app.js';

let site: RunningApp;
beforeAll(async () => {
  // Listen on every interface so the test can also arrive from a non-loopback address.
  site = await startApp({}, {}, '0.0.0.0');
});
afterAll(async () => site?.stop());

/** This machine's first non-loopback IPv4 address, if it has one. */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
}

describe('health and readiness', () => {
  it('/healthz says the process is alive; /readyz checks knowledge and storage', async () => {
    expect((await fetch(`${site.origin}/healthz`)).status).toBe(200);
    const ready = await fetch(`${site.origin}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { knowledge: true, storage: true }, agencies: ['dvi'], refused: [] });
  });
});

describe('/metrics for operators', () => {
  it('serves Prometheus metrics to loopback, counting turns by kind and agency', async () => {
    const dl = `${site.origin}/v3/directline`;
    const { token } = (await (await fetch(`${dl}/tokens/generate`, { method: 'POST' })).json()) as { token: string };
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const { conversationId } = (await (await fetch(`${dl}/conversations`, { method: 'POST', headers: auth })).json()) as { conversationId: string };
    await fetch(`${dl}/conversations/${conversationId}/activities`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ type: 'message', from: { id: 'x' }, text: 'Kā iesniegt gada ienākumu deklarāciju?' }),
    });
    const res = await fetch(`${site.origin}/metrics`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toMatch(/padoms_turns_total\{kind="refer",agency="dvi"\} [1-9]/);
    expect(body).toMatch(/padoms_turn_seconds_bucket/);
    expect(body).toMatch(/padoms_handover_queue_length/);
  });

  it('refuses other hosts without the token', async (ctx) => {
    const address = externalAddress();
    if (!address) return ctx.skip();
    const res = await fetch(`http://${address}:${new URL(site.origin).port}/metrics`);
    expect(res.status).toBe(403);
  });
});

describe('/api/messages with authentication disabled (empty MicrosoftAppId)', () => {
  const activity = {
    type: 'message',
    id: '1',
    text: 'Labdien',
    channelId: 'emulator',
    serviceUrl: 'http://127.0.0.1:9/',
    from: { id: 'user' },
    recipient: { id: 'bot' },
    conversation: { id: 'conv' },
  };

  it('refuses a client that is not on loopback', async (ctx) => {
    const address = externalAddress();
    if (!address) return ctx.skip();
    const port = new URL(site.origin).port;
    const res = await fetch(`http://${address}:${port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'Forbidden' } });
  });

  it('lets a loopback client through to the Bot Framework adapter', async () => {
    const res = await fetch(`${site.origin}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...activity, type: 'typing' }),
    });
    expect(res.status).not.toBe(403);
  });

  it('refuses multipart and compressed bodies', async () => {
    const multipart = await fetch(`${site.origin}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: '--x--',
    });
    expect(multipart.status).toBe(415);
  });
});

describe('a Direct Line conversation with the real bot', () => {
  it('greets in Latvian, then answers a Latvian question from the knowledge base', async () => {
    const dl = `${site.origin}/v3/directline`;
    const { token } = (await (await fetch(`${dl}/tokens/generate`, { method: 'POST' })).json()) as { token: string };
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const conversation = (await (await fetch(`${dl}/conversations`, { method: 'POST', headers: auth })).json()) as { conversationId: string };
    const url = `${dl}/conversations/${conversation.conversationId}/activities`;

    const read = async (watermark?: string) => {
      const res = await fetch(`${url}${watermark ? `?watermark=${watermark}` : ''}`, { headers: auth });
      return (await res.json()) as { activities: { from: { id: string }; text?: string }[]; watermark: string };
    };
    const greeting = await read();
    expect(greeting.activities[0]?.text).toContain('Datu valsts inspekcijas virtuālais asistents');

    const sent = await fetch(url, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ type: 'message', from: { id: 'x' }, text: 'Kā ziņot par personas datu aizsardzības pārkāpumu?' }),
    });
    expect(sent.status).toBe(200);
    const replies = await read(greeting.watermark);
    const entry = site.app.knowledge.current.entries.get('dvi.breach-notification')!;
    expect(replies.activities.map((a) => a.text).join('\n')).toContain(entry.answer.lv.trim().slice(0, 40));

    const other = (await (await fetch(`${dl}/tokens/generate`, { method: 'POST' })).json()) as { token: string };
    const forbidden = await fetch(url, { headers: { authorization: `Bearer ${other.token}` } });
    expect(forbidden.status).toBe(403);
  });
});

describe('shutdown (a deployment)', () => {
  it('closes kept-alive connections, so a client reaches the next instance instead of a closed database', async () => {
    const own = await startApp();
    const url = new URL(own.origin);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; connection: string | undefined; socket: Socket }>((resolve, reject) => {
        const req = http.get({ host: url.hostname, port: url.port, path: '/healthz', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, socket: req.socket! }));
        });
        req.on('error', reject);
      });
    const first = await get();
    expect(first.connection).toBe('keep-alive');
    const socketClosed = new Promise<void>((resolve) => first.socket.once('close', () => resolve()));
    await own.stop();
    // The idle connection was closed by the shutdown itself, not left for the client to reuse.
    await socketClosed;
    expect(first.socket.destroyed).toBe(true);
    await expect(get()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    agent.destroy();
  });

  it('a connection opened before the shutdown, its request sent after, is closed rather than answered by the closed instance', async () => {
    const own = await startApp();
    const url = new URL(own.origin);
    const socket = net.connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await own.stop();
    if (!socket.destroyed) socket.write(`GET /readyz HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    await closed;
    expect(received).toBe('');
  });
});

describe('the agencies the app serves (one, the default, until the agency registry)', () => {
  it("serves the default agency's page at / and /<agency>/, its tokens and conversations; another agency gets 404", async () => {
    const front = await (await fetch(`${site.origin}/`)).text();
    expect(front).toContain('data-agency="dvi"');
    const own = await fetch(`${site.origin}/dvi/`);
    expect(own.status).toBe(200);
    expect(await own.text()).toBe(front);
    expect((await fetch(`${site.origin}/library/`)).status).toBe(404);

    const dl = `${site.origin}/v3/directline`;
    const { token, conversationId } = (await (await fetch(`${dl}/tokens/generate?agency=dvi`, { method: 'POST' })).json()) as {
      token: string;
      conversationId: string;
    };
    const started = await fetch(`${dl}/conversations`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(started.status).toBe(201);
    expect(await site.app.store.directLine.getConversation(conversationId)).toMatchObject({ agency: 'dvi' });
    const refused = await fetch(`${dl}/tokens/generate?agency=library`, { method: 'POST' });
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({ error: { code: 'UnknownAgency' } });
  });
});
