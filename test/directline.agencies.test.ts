// One installation, two agencies, over real HTTP and WebSocket on loopback: a token names its
// agency, its conversation is that agency's, and nothing of one agency's conversation opens to a
// token (or the Direct Line secret) of another; an agency not served, or removed while running,
// gets UnknownAgency and never another agency's bot. Every turn knows its agency.
import { createHmac, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ActivityTypes, type Activity, type TurnContext } from 'botbuilder';
import type restify from 'restify';
import WebSocket from 'ws';
import { createServer } from '../bot/server.js';
import { silentLogger } from '../bot/log.js';
import { DirectLineAdapter } from '../bot/directline/adapter.js';
import { MemoryDirectLineStore } from '../bot/storage/directline-store.js';
import { mountDirectLine } from '../bot/directline/routes.js';
import { CLOSE_NOT_FOUND, STREAM_TOKEN_TTL_SECONDS, mountDirectLineStream, type DirectLineStream } from '../bot/directline/stream.js';
import { issueToken, verifyToken, type TokenSubject } from '../bot/directline/tokens.js';
import { turnAgency } from '../bot/turn-agency.js';
import { upgradeStatus } from './support/directline.js';

const SECRET = 'test-directline-secret-0123456789';
const LIBRARY = 'library';
const ARCHIVE = 'archive';

interface Turn {
  conversationId: string;
  type: string;
  agency: string | undefined;
}

interface Site {
  origin: string;
  base: string;
  server: restify.Server;
  stream: DirectLineStream;
  store: MemoryDirectLineStore;
  adapter: DirectLineAdapter;
  tokenKey: Buffer;
  /** The agencies served; tests remove one to see it stop being served. */
  served: Set<string>;
  turns: Turn[];
}

async function startSite(): Promise<Site> {
  const served = new Set([LIBRARY, ARCHIVE]);
  const agencies = { has: (id: string) => served.has(id), defaultId: LIBRARY };
  const turns: Turn[] = [];
  // Greets on start and echoes, noting the agency each turn was marked with.
  const logic = async (context: TurnContext) => {
    const { activity } = context;
    turns.push({ conversationId: activity.conversation.id, type: activity.type, agency: turnAgency(context) });
    if (activity.type === ActivityTypes.ConversationUpdate) await context.sendActivity(`Sveiki no ${turnAgency(context) ?? '?'}`);
    if (activity.type === ActivityTypes.Message) await context.sendActivity(`Jūs rakstījāt: ${activity.text ?? ''}`);
  };
  const server = createServer({ maxBodyBytes: 64 * 1024, log: silentLogger });
  const store = new MemoryDirectLineStore();
  const tokenKey = randomBytes(32);
  const stream = mountDirectLineStream(server, {
    store,
    agencies,
    tokenKey,
    directLineSecret: SECRET,
    trustProxyHops: 0,
    log: silentLogger,
    // Often, so that a test sees the sockets of an agency removed while running closed.
    limits: { heartbeatMs: 100 },
  });
  const adapter = new DirectLineAdapter({ store, log: silentLogger, onAppend: (conversationId) => stream.news(conversationId) });
  mountDirectLine(server, { adapter, agencies, logic, tokenKey, directLineSecret: SECRET, log: silentLogger, stream });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, base: `${origin}/v3/directline`, server, stream, store, adapter, tokenKey, served, turns };
}

interface Json {
  status: number;
  body: Record<string, unknown>;
}

async function call(method: string, url: string, options: { token?: string; body?: unknown } = {}): Promise<Json> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers['Authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(url, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** What a token says, read as a client would (it is a JWT). */
function claimsOf(token: string): { conv: string; user: string; agency?: string } {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { conv: string; user: string; agency?: string };
}

interface Opened {
  token: string;
  conversationId: string;
  userId: string;
  streamUrl: string;
}

/** A token for the agency (none: the widget names none), and its conversation started. */
async function open(site: Site, agency?: string): Promise<Opened> {
  const query = agency === undefined ? '' : `?agency=${agency}`;
  const generated = await call('POST', `${site.base}/tokens/generate${query}`);
  expect(generated.status).toBe(200);
  const token = generated.body['token'] as string;
  const started = await call('POST', `${site.base}/conversations`, { token, body: { locale: 'lv-LV' } });
  expect(started.status).toBe(201);
  return { token, conversationId: started.body['conversationId'] as string, userId: claimsOf(token).user, streamUrl: started.body['streamUrl'] as string };
}

const unknownAgency = { error: { code: 'UnknownAgency', message: expect.any(String) } };
const otherAgency = { error: { code: 'Forbidden', message: 'the conversation belongs to another agency' } };

describe('Direct Line by agency', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startSite();
  });
  afterAll(async () => {
    await site.stream.close();
    site.server.close();
  });
  afterEach(() => {
    site.served.add(LIBRARY).add(ARCHIVE);
  });

  it('a token request names its agency (query or body; none is the default), the conversation is created in it, refresh keeps it', async () => {
    const byDefault = await open(site);
    expect(claimsOf(byDefault.token).agency).toBe(LIBRARY);
    expect(await site.store.getConversation(byDefault.conversationId)).toMatchObject({ agency: LIBRARY });

    const archive = await open(site, ARCHIVE);
    expect(claimsOf(archive.token).agency).toBe(ARCHIVE);
    expect(await site.store.getConversation(archive.conversationId)).toMatchObject({ agency: ARCHIVE, userId: archive.userId });
    // The stream URL's token is the archive's too.
    expect(claimsOf(new URL(archive.streamUrl).searchParams.get('t') ?? '').agency).toBe(ARCHIVE);

    const inBody = await call('POST', `${site.base}/tokens/generate`, { body: { agency: ARCHIVE } });
    expect(claimsOf(inBody.body['token'] as string).agency).toBe(ARCHIVE);
    // A browser may not name the user: only a server holding the secret may.
    expect(
      claimsOf((await call('POST', `${site.base}/tokens/generate`, { body: { user: { id: 'dl_chosen-by-page' } } })).body['token'] as string).user,
    ).not.toBe('dl_chosen-by-page');
    const differing = await call('POST', `${site.base}/tokens/generate?agency=${LIBRARY}`, { body: { agency: ARCHIVE } });
    expect(differing.status).toBe(400);
    expect(differing.body).toMatchObject({ error: { code: 'BadArgument' } });

    const refreshed = await call('POST', `${site.base}/tokens/refresh`, { token: archive.token });
    expect(refreshed.status).toBe(200);
    const fresh = refreshed.body['token'] as string;
    expect(verifyToken(fresh, site.tokenKey, new Date())).toMatchObject({ kind: 'valid', claims: { agency: ARCHIVE, conversationId: archive.conversationId } });
    expect((await call('GET', `${site.base}/conversations/${archive.conversationId}/activities`, { token: fresh })).status).toBe(200);
  });

  it('an agency not served gets 404 UnknownAgency, on token requests and, once removed while running, everywhere', async () => {
    for (const url of [`${site.base}/tokens/generate?agency=nosuch`, `${site.base}/tokens/generate?agency=${'x'.repeat(99)}`]) {
      const refused = await call('POST', url);
      expect(refused.status).toBe(404);
      expect(refused.body).toEqual(unknownAgency);
    }
    expect((await call('POST', `${site.base}/tokens/generate`, { body: { agency: 'nosuch' } })).body).toEqual(unknownAgency);
    expect((await call('POST', `${site.base}/tokens/generate`, { token: SECRET, body: { agency: 'nosuch' } })).body).toEqual(unknownAgency);

    const archive = await open(site, ARCHIVE);
    const socket = new WebSocket(archive.streamUrl);
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const turnsBefore = site.turns.length;

    site.served.delete(ARCHIVE);
    const url = `${site.base}/conversations/${archive.conversationId}`;
    const answers = [
      await call('GET', url, { token: archive.token }),
      await call('GET', `${url}/activities`, { token: archive.token }),
      await call('POST', `${url}/activities`, { token: archive.token, body: { type: 'message', text: 'Vai esat tur?' } }),
      await call('POST', `${site.base}/conversations`, { token: archive.token }),
      await call('POST', `${site.base}/tokens/refresh`, { token: archive.token }),
      await call('GET', `${url}/activities?agency=${ARCHIVE}`, { token: SECRET }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual(unknownAgency);
    }
    expect(site.turns.length, 'no bot answered for the removed agency').toBe(turnsBefore);
    // The open stream is closed within a heartbeat; a new one is refused before the upgrade.
    expect(await closed).toBe(CLOSE_NOT_FOUND);
    const reopen = issueToken(
      { conversationId: archive.conversationId, userId: archive.userId, agency: ARCHIVE },
      site.tokenKey,
      new Date(),
      STREAM_TOKEN_TTL_SECONDS,
      'stream',
    ).token;
    expect(await upgradeStatus(`${url.replace('http', 'ws')}/stream?t=${reopen}`)).toBe(404);

    // Served again, its conversation opens again: nothing was lost.
    site.served.add(ARCHIVE);
    expect((await call('GET', `${url}/activities`, { token: archive.token })).status).toBe(200);
  });

  it("a token of one agency neither reads nor posts in another agency's conversation: every route, and the stream", async () => {
    const archive = await open(site, ARCHIVE);
    // The same conversation and user, but the library's: a token no route hands out, made with the
    // key, so that only the agency differs.
    const subject: TokenSubject = { conversationId: archive.conversationId, userId: archive.userId, agency: LIBRARY };
    const libraryToken = issueToken(subject, site.tokenKey, new Date()).token;
    const url = `${site.base}/conversations/${archive.conversationId}`;
    const before = await site.store.listActivities(archive.conversationId, 0, 100);
    const turnsBefore = site.turns.length;

    const answers = {
      reconnect: await call('GET', url, { token: libraryToken }),
      poll: await call('GET', `${url}/activities`, { token: libraryToken }),
      post: await call('POST', `${url}/activities`, { token: libraryToken, body: { type: 'message', text: 'Kā saņemt lasītāja karti?' } }),
      start: await call('POST', `${site.base}/conversations`, { token: libraryToken }),
    };
    for (const [route, answer] of Object.entries(answers)) {
      expect(answer.status, route).toBe(403);
      expect(answer.body, route).toEqual(otherAgency);
      expect(answer.body, route).not.toHaveProperty('activities');
      expect(answer.body, route).not.toHaveProperty('token');
    }
    // Uploads are refused before anyone's token is read, for every agency.
    const upload = await fetch(`${url}/upload?userId=${archive.userId}`, { method: 'POST', headers: { Authorization: `Bearer ${libraryToken}` }, body: 'x' });
    expect(upload.status).toBe(415);
    expect(await site.store.listActivities(archive.conversationId, 0, 100)).toEqual(before);
    expect(site.turns.length, 'no turn ran').toBe(turnsBefore);

    // The stream: neither the library's stream token nor its conversation token opens it.
    const streamUrl = `${url.replace('http', 'ws')}/stream`;
    const libraryStreamToken = issueToken(subject, site.tokenKey, new Date(), STREAM_TOKEN_TTL_SECONDS, 'stream').token;
    expect(await upgradeStatus(`${streamUrl}?t=${libraryStreamToken}`)).toBe(403);
    expect(await upgradeStatus(streamUrl, { authorization: `Bearer ${libraryToken}` })).toBe(403);
    expect(await upgradeStatus(archive.streamUrl)).toBe(101);

    // The secret serves every agency, but only the one a request names (none: the default).
    expect(await call('GET', `${url}/activities`, { token: SECRET })).toMatchObject({ status: 403, body: otherAgency });
    expect(await call('POST', `${url}/activities`, { token: SECRET, body: { type: 'message', text: 'x' } })).toMatchObject({ status: 403, body: otherAgency });
    expect(await upgradeStatus(streamUrl, { authorization: `Bearer ${SECRET}` })).toBe(403);
    const named = await call('GET', `${url}?agency=${ARCHIVE}`, { token: SECRET });
    expect(named.status).toBe(200);
    expect(claimsOf(named.body['token'] as string).agency).toBe(ARCHIVE);
    expect(await upgradeStatus(`${streamUrl}?agency=${ARCHIVE}`, { authorization: `Bearer ${SECRET}` })).toBe(101);
  });

  it("a token of one agency cannot start a conversation in another's", async () => {
    const generated = await call('POST', `${site.base}/tokens/generate?agency=${LIBRARY}`);
    const token = generated.body['token'] as string;
    const conversationId = generated.body['conversationId'] as string;
    for (const attempt of [
      call('POST', `${site.base}/conversations?agency=${ARCHIVE}`, { token }),
      call('POST', `${site.base}/conversations`, { token, body: { agency: ARCHIVE } }),
    ]) {
      const refused = await attempt;
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({ error: { code: 'Forbidden', message: 'the token is for another agency' } });
    }
    expect(await site.store.getConversation(conversationId)).toBeUndefined();

    // Nor join an existing conversation of the archive under the library's name: no second greeting.
    const archive = await open(site, ARCHIVE);
    const greetings = () => site.turns.filter((t) => t.conversationId === archive.conversationId && t.type === ActivityTypes.ConversationUpdate).length;
    const joining = issueToken({ conversationId: archive.conversationId, userId: archive.userId, agency: LIBRARY }, site.tokenKey, new Date()).token;
    expect(await call('POST', `${site.base}/conversations`, { token: joining })).toMatchObject({ status: 403, body: otherAgency });
    expect(greetings()).toBe(1);
    expect(await site.store.getConversation(archive.conversationId)).toMatchObject({ agency: ARCHIVE });

    // The secret starts one in the agency it names.
    const started = await call('POST', `${site.base}/conversations`, { token: SECRET, body: { agency: ARCHIVE } });
    expect(started.status).toBe(201);
    expect(await site.store.getConversation(started.body['conversationId'] as string)).toMatchObject({ agency: ARCHIVE });
  });

  it("every turn Direct Line runs is marked with its conversation's agency: the greeting, messages, and a staff member's proactive turn", async () => {
    const library = await open(site);
    const archive = await open(site, ARCHIVE);
    for (const c of [library, archive]) {
      const posted = await call('POST', `${site.base}/conversations/${c.conversationId}/activities`, {
        token: c.token,
        body: { type: 'message', text: 'Labdien' },
      });
      expect(posted.status).toBe(200);
    }
    const reference = await site.adapter.conversationReference(archive.conversationId);
    let proactive: string | undefined;
    await site.adapter.continueConversation(reference ?? {}, async (context) => {
      proactive = turnAgency(context);
    });

    const of = (id: string) => site.turns.filter((t) => t.conversationId === id).map((t) => [t.type, t.agency]);
    expect(of(library.conversationId)).toEqual([
      ['conversationUpdate', LIBRARY],
      ['message', LIBRARY],
    ]);
    expect(of(archive.conversationId)).toEqual([
      ['conversationUpdate', ARCHIVE],
      ['message', ARCHIVE],
    ]);
    expect(proactive).toBe(ARCHIVE);
    const greeting = (await call('GET', `${site.base}/conversations/${archive.conversationId}/activities`, { token: archive.token })).body[
      'activities'
    ] as Activity[];
    expect(greeting[0]?.text).toBe(`Sveiki no ${ARCHIVE}`);
  });

  it('a token from before agencies (no agency claim) is the default agency’s, so a widget open across the upgrade goes on', async () => {
    const now = Math.floor(Date.now() / 1000);
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const conversationId = randomBytes(16).toString('base64url');
    const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iss: 'padoms-directline', conv: conversationId, user: 'dl_before-agencies', iat: now, exp: now + 600 })}`;
    const token = `${input}.${createHmac('sha256', site.tokenKey).update(input).digest('base64url')}`;

    const started = await call('POST', `${site.base}/conversations`, { token });
    expect(started.status).toBe(201);
    expect(await site.store.getConversation(conversationId)).toMatchObject({ agency: LIBRARY });
    expect((await call('GET', `${site.base}/conversations/${conversationId}/activities`, { token })).status).toBe(200);
    // Its refresh names the agency from then on.
    const refreshed = await call('POST', `${site.base}/tokens/refresh`, { token });
    expect(claimsOf(refreshed.body['token'] as string).agency).toBe(LIBRARY);
    // Never another agency's conversation.
    const archive = await open(site, ARCHIVE);
    const old = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iss: 'padoms-directline', conv: archive.conversationId, user: archive.userId, iat: now, exp: now + 600 })}`;
    const oldForArchive = `${old}.${createHmac('sha256', site.tokenKey).update(old).digest('base64url')}`;
    expect(await call('GET', `${site.base}/conversations/${archive.conversationId}/activities`, { token: oldForArchive })).toMatchObject({
      status: 403,
      body: otherAgency,
    });
  });
});
