// The Messenger channel with the real app over HTTP on loopback: Meta's webhook handshake, signed
// deliveries, retried deliveries processed once, and a whole conversation with the real bot whose
// replies go to a Graph API stand-in that checks every Send API request's shape and limits.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MessageFactory, TurnContext } from 'botbuilder';
import { startApp, type RunningApp } from './support/app.js';
import { startGraphApi, type GraphStandIn, type SendBody } from './support/graph-api.js';
import { ConfigError, loadConfig } from '../bot/config.js';
import type { MessengerChannel } from '../bot/messenger/routes.js';
import { signBody } from '../bot/messenger/signature.js';
import { deliveryResults, type DeliveryResult } from '../bot/messenger/adapter.js';
import { runMessengerSetup } from '../bot/cli/messenger-setup.js';
import type { Translate } from '../bot/i18n.js';

const APP_SECRET = 'test-app-secret-0123456789abcdef';
const VERIFY_TOKEN = 'test-verify-token';
const PAGE_ID = '104000000000001';
const HOUR = 60 * 60 * 1000;

let graph: GraphStandIn;
let site: RunningApp;
let channel: MessengerChannel;
let lv: Translate;
const clock = { now: new Date('2026-03-02T10:00:00Z') };
let counter = 0;

const facebookEnv = () => ({
  FACEBOOK_APP_SECRET: APP_SECRET,
  FACEBOOK_VERIFY_TOKEN: VERIFY_TOKEN,
  FACEBOOK_PAGE_ACCESS_TOKEN: graph.token,
  FACEBOOK_GRAPH_API_URL: graph.url,
  FACEBOOK_GRAPH_API_VERSION: graph.version,
});

beforeAll(async () => {
  graph = await startGraphApi();
  site = await startApp(facebookEnv(), { now: () => clock.now });
  channel = site.app.messenger!;
  lv = site.app.texts.forLanguage('lv');
});
afterAll(async () => {
  await channel?.idle();
  await site?.stop();
  await graph?.close();
});
afterEach(() => {
  expect(graph.violations).toEqual([]);
});

// --- Meta's side of the webhook ---------------------------------------------------------------

/** JSON as Meta sends it: non-ASCII characters \u-escaped (the signature is over these bytes). */
function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

type Event = Record<string, unknown>;

function delivery(...events: Event[]): string {
  return metaJson({ object: 'page', entry: [{ id: PAGE_ID, time: clock.now.getTime(), messaging: events }] });
}

function message(psid: string, text: string, quickReplyPayload?: string): Event {
  counter += 1;
  return {
    sender: { id: psid },
    recipient: { id: PAGE_ID },
    timestamp: clock.now.getTime(),
    message: { mid: `m_in_${counter}`, text, ...(quickReplyPayload === undefined ? {} : { quick_reply: { payload: quickReplyPayload } }) },
  };
}

function postback(psid: string, title: string, payload: unknown): Event {
  counter += 1;
  return {
    sender: { id: psid },
    recipient: { id: PAGE_ID },
    timestamp: clock.now.getTime(),
    postback: { mid: `m_pb_${counter}`, title, payload: JSON.stringify(payload) },
  };
}

async function post(body: string, signature: string | null = signBody(body, APP_SECRET)): Promise<Response> {
  return fetch(`${site.origin}/api/messenger`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(signature === null ? {} : { 'X-Hub-Signature-256': signature }) },
    body,
  });
}

/** Delivers events as Meta does, waits until they are processed, returns the messages sent since. */
async function send(psid: string, ...events: Event[]): Promise<SendBody[]> {
  const before = graph.delivered(psid).length;
  const res = await post(delivery(...events));
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('EVENT_RECEIVED');
  await channel.idle();
  return graph.delivered(psid).slice(before);
}

const textOf = (bodies: SendBody[]) => bodies.map((b) => b.message?.text ?? b.message?.attachment?.payload.text ?? '').join('\n');
const quickReplies = (bodies: SendBody[]) => bodies.flatMap((b) => b.message?.quick_replies ?? []);
const privacyNoticeStart = () => lv('messenger.privacyNotice', { contacts: '' }).slice(0, 50);

// --- tests --------------------------------------------------------------------------------------

describe('webhook verification (GET /api/messenger)', () => {
  const verify = (params: Record<string, string>) => fetch(`${site.origin}/api/messenger?${new URLSearchParams(params).toString()}`);

  it('answers the challenge as text/plain when the verify token matches', async () => {
    const res = await verify({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1158201444' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('1158201444');
  });

  it('refuses a wrong token, another mode or a missing challenge with 403', async () => {
    expect((await verify({ 'hub.mode': 'subscribe', 'hub.verify_token': 'wrong', 'hub.challenge': '1' })).status).toBe(403);
    expect((await verify({ 'hub.mode': 'unsubscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1' })).status).toBe(403);
    expect((await verify({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN })).status).toBe(403);
    expect((await verify({})).status).toBe(403);
  });
});

describe('signed deliveries (POST /api/messenger)', () => {
  it('refuses a missing, wrong or stale signature with 403 and processes nothing', async () => {
    const psid = 'P-unsigned';
    const body = delivery(message(psid, 'Kā iesniegt sūdzību?'));
    const before = graph.requests.length;
    expect((await post(body, null)).status).toBe(403);
    expect((await post(body, 'sha256=' + '0'.repeat(64))).status).toBe(403);
    expect((await post(body, signBody(body, 'another-secret'))).status).toBe(403);
    expect((await post(body, signBody(body, APP_SECRET).replace('sha256=', 'sha1='))).status).toBe(403);
    // Signed for one body, sent with another.
    expect((await post(delivery(message(psid, 'Cits teksts')), signBody(body, APP_SECRET))).status).toBe(403);
    await channel.idle();
    expect(graph.requests.length).toBe(before);
  });

  it('accepts a body signed over its raw UTF-8 bytes as well as the \\u-escaped form', async () => {
    const psid = 'P-utf8';
    const raw = JSON.stringify({ object: 'page', entry: [{ id: PAGE_ID, time: 1, messaging: [message(psid, 'Kā sazināties ar inspekciju?')] }] });
    const res = await post(raw);
    expect(res.status).toBe(200);
    await channel.idle();
    expect(graph.delivered(psid).length).toBeGreaterThan(0);
  });

  it('processes a delivery Meta retries only once', async () => {
    const psid = 'P-retried';
    const body = delivery(message(psid, 'Kā atsaukt piekrišanu datu apstrādei?'));
    expect((await post(body)).status).toBe(200);
    await channel.idle();
    const once = graph.delivered(psid).length;
    expect(once).toBeGreaterThan(0);
    expect((await post(body)).status).toBe(200);
    expect((await post(body)).status).toBe(200);
    await channel.idle();
    expect(graph.delivered(psid).length).toBe(once);
  });

  it('ignores echoes of our own messages, deliveries and reads', async () => {
    const psid = 'P-echo';
    const before = graph.requests.length;
    const echo = { sender: { id: PAGE_ID }, recipient: { id: psid }, timestamp: 1, message: { mid: 'm_echo', text: 'x', is_echo: true } };
    const read = { sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: 1, read: { watermark: 1 } };
    const res = await post(delivery(echo, read));
    expect(res.status).toBe(200);
    await channel.idle();
    expect(graph.requests.length).toBe(before);
  });
});

describe('a conversation on Messenger with the real bot', () => {
  const psid = 'P-conversation';

  it('greets on Get Started, then shows the privacy notice once', async () => {
    const before = graph.requests.length;
    const sent = await send(psid, postback(psid, 'Get Started', { action: 'get-started' }));
    const agency = site.app.knowledge.current.profile.nameGenitive?.lv ?? '';
    expect(sent[0]?.message?.text).toContain(lv('greeting.hello', { agency }));
    expect(sent.at(-1)?.message?.text).toContain(privacyNoticeStart());
    expect(sent.at(-1)?.message?.text).toContain(site.app.knowledge.current.profile.contacts.email!);
    // The typing indicator went first, on its own.
    const first = graph.requests.slice(before).find((r) => (r.body as SendBody).recipient.id === psid);
    expect(first?.body).toEqual({ recipient: { id: psid }, sender_action: 'typing_on' });
    expect(first?.query['access_token']).toBe(graph.token);
    // Every message is a RESPONSE to the person, without tags.
    expect(sent.every((b) => b.messaging_type === 'RESPONSE' && b.recipient.id === psid)).toBe(true);
    // The greeting's language buttons arrive as quick replies carrying the button value.
    const english = quickReplies(sent).find((q) => JSON.parse(q.payload).to === 'en');
    expect(JSON.parse(english!.payload)).toEqual({ action: 'language', to: 'en' });
  });

  it('answers a Latvian question with plain text links and feedback quick replies', async () => {
    const sent = await send(psid, message(psid, 'Kā atsaukt piekrišanu datu apstrādei?'));
    const entry = site.app.knowledge.current.entries.get('dvi.consent')!;
    expect(textOf(sent)).toContain(entry.answer.lv.slice(0, 60));
    expect(textOf(sent)).not.toMatch(/\]\(/);
    expect(textOf(sent)).not.toContain(privacyNoticeStart());
    const values = quickReplies(sent).map((q) => JSON.parse(q.payload) as { action: string });
    expect(values).toContainEqual({ action: 'feedback', entryId: 'dvi.consent', helpful: true });
  });

  it('asks a clarifying question as quick replies, and a tapped quick reply answers it', async () => {
    const asked = await send(psid, message(psid, 'dati'));
    expect(textOf(asked)).toContain(lv('clarify.ask'));
    const options = quickReplies(asked);
    expect(options.length).toBeGreaterThanOrEqual(2);
    expect(options.length).toBeLessThanOrEqual(13);
    expect(JSON.parse(options.at(-1)!.payload)).toMatchObject({ action: 'none-of-these' });
    const chosen = options[0]!;
    const value = JSON.parse(chosen.payload) as { action: string; kind: string; id: string };
    expect(value).toMatchObject({ action: 'choose', kind: 'entry' });
    // Long questions are shortened on the buttons and listed in full in the message.
    const entry = site.app.knowledge.current.entries.get(value.id)!;
    expect(textOf(asked)).toContain(entry.questions.lv[0]);

    const answered = await send(psid, message(psid, chosen.title, chosen.payload));
    expect(textOf(answered)).toContain(entry.answer.lv.slice(0, 40));
    expect(textOf(answered)).toContain(lv('feedback.ask'));
    expect(site.app.records).toBeDefined();
  });

  it('refers a question outside competence with the authority as a button template', async () => {
    const sent = await send(psid, message(psid, 'Kā iesniegt gada ienākumu deklarāciju?'));
    const template = sent.find((b) => b.message?.attachment !== undefined)?.message?.attachment;
    expect(template?.type).toBe('template');
    expect(template?.payload.template_type).toBe('button');
    expect(template?.payload.text).toContain('Valsts ieņēmumu dienests');
    expect(template?.payload.buttons).toEqual([
      { type: 'web_url', title: lv('refer.website'), url: 'https://www.vid.gov.lv' },
      { type: 'phone_number', title: expect.any(String), payload: '+37167120000' },
      { type: 'web_url', title: lv('refer.email'), url: 'mailto:vid@vid.gov.lv' },
    ]);
    expect(textOf(sent)).toContain(
      lv('refer.outside', { agency: site.app.knowledge.current.profile.nameGenitive?.lv ?? '', authority: 'Valsts ieņēmumu dienests' }),
    );
  });

  it('understands the persistent menu: contacts, and starting over greets again without a second notice', async () => {
    const contacts = await send(psid, postback(psid, lv('messenger.menu.contacts'), { action: 'entry', id: 'dvi.contacts' }));
    expect(textOf(contacts)).toContain(site.app.knowledge.current.entries.get('dvi.contacts')!.answer.lv.slice(0, 40));

    const again = await send(psid, postback(psid, lv('messenger.menu.restart'), { action: 'restart' }));
    expect(textOf(again)).toContain(lv('greeting.topics', { topics: '' }).slice(0, 30));
    expect(textOf(again)).not.toContain(privacyNoticeStart());
    const notices = graph.delivered(psid).filter((b) => b.message?.text?.includes(privacyNoticeStart()));
    expect(notices).toHaveLength(1);
  });

  it('"talk to a staff member" from the menu offers a person: consent to hand over, or (nobody online, this clock is real) leaving the question', async () => {
    const sent = await send(psid, postback(psid, lv('messenger.menu.staff'), { action: 'handover', reason: 'asked' }));
    const text = textOf(sent);
    expect(text.includes(lv('handover.consent')) || text.startsWith('Šobrīd neviens darbinieks nav pieejams')).toBe(true);
  });

  it('greets a person who writes without Get Started before answering', async () => {
    const newcomer = 'P-newcomer';
    const sent = await send(newcomer, message(newcomer, 'Kā atsaukt piekrišanu datu apstrādei?'));
    const agency = site.app.knowledge.current.profile.nameGenitive?.lv ?? '';
    expect(sent[0]?.message?.text).toContain(lv('greeting.hello', { agency }));
    expect(textOf(sent)).toContain(privacyNoticeStart());
    expect(textOf(sent)).toContain(site.app.knowledge.current.entries.get('dvi.consent')!.answer.lv.slice(0, 60));
  });
});

describe('Graph API failures', () => {
  const psid = 'P-failures';
  beforeAll(async () => {
    await send(psid, postback(psid, 'Get Started', { action: 'get-started' }));
  });

  it('retries a message after a 500 and delivers it once', async () => {
    const before = graph.requests.length;
    graph.failNext({ kind: 'server-error' });
    const sent = await send(psid, message(psid, 'Kā atsaukt piekrišanu datu apstrādei?'));
    const attempts = graph.requests.slice(before).filter((r) => (r.body as SendBody).message !== undefined);
    expect(attempts[0]?.status).toBe(500);
    expect(attempts[1]?.status).toBe(200);
    expect(attempts[1]?.body).toEqual(attempts[0]?.body);
    expect(textOf(sent)).toContain(site.app.knowledge.current.entries.get('dvi.consent')!.answer.lv.slice(0, 60));
  });

  it('waits as long as Retry-After says after a rate limit (613), then delivers', async () => {
    const before = graph.requests.length;
    graph.failNext({ kind: 'rate-limit', code: 613, retryAfterSeconds: 1 });
    const sent = await send(psid, message(psid, 'Kā atsaukt piekrišanu datu apstrādei?'));
    const attempts = graph.requests.slice(before).filter((r) => (r.body as SendBody).message !== undefined);
    expect(attempts[0]?.status).toBe(400);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(sent.length).toBeGreaterThan(0);
  });

  it('outside the 24-hour window (Meta says so): a typed result, kept in the outbox, not retried', async () => {
    graph.failNext({ kind: 'outside-window' });
    const before = graph.requests.length;
    const results = await channel.adapter.sendProactive(psid, PAGE_ID, [MessageFactory.text('Darbinieka atbilde uz jūsu jautājumu.')]);
    expect(results).toEqual([{ delivered: false, reason: 'outside-24h-window', outboxIds: [expect.any(String)], messageIds: [] }]);
    expect(graph.requests.slice(before)).toHaveLength(1);
    const kept = await channel.outbox.get((results[0] as { outboxIds: string[] }).outboxIds[0]!);
    expect(kept).toMatchObject({ recipientId: psid, reason: 'outside-24h-window', error: { code: 10, subcode: 2018278 } });
    expect(kept?.request).toMatchObject({ messaging_type: 'RESPONSE', message: { text: 'Darbinieka atbilde uz jūsu jautājumu.' } });
  });

  it('outside the 24-hour window (our own record): no request at all, same typed result', async () => {
    const saved = clock.now;
    clock.now = new Date(saved.getTime() + 25 * HOUR);
    try {
      const before = graph.requests.length;
      const results = await channel.adapter.sendProactive(psid, PAGE_ID, [MessageFactory.text('Vēlāka atbilde')]);
      expect(results[0]).toMatchObject({ delivered: false, reason: 'outside-24h-window' });
      expect(graph.requests.length).toBe(before);
    } finally {
      clock.now = saved;
    }
  });

  it('continueConversationAsync sends a proactive message (a staff reply) inside the window', async () => {
    let results: DeliveryResult[] = [];
    await channel.adapter.continueConversationAsync('', channel.adapter.conversationReference(psid, PAGE_ID), async (context: TurnContext) => {
      await context.sendActivity('Labdien! Esmu inspekcijas darbinieks.');
      results = deliveryResults(context);
    });
    expect(results).toEqual([{ delivered: true, messageIds: [expect.stringMatching(/^m_/)] }]);
    expect(graph.delivered(psid).at(-1)).toEqual({
      recipient: { id: psid },
      messaging_type: 'RESPONSE',
      message: { text: 'Labdien! Esmu inspekcijas darbinieks.' },
    });
  });

  it('a message that finally fails is kept in the outbox and can be redelivered', async () => {
    for (let i = 0; i < 4; i++) graph.failNext({ kind: 'server-error' });
    const [result] = await channel.adapter.sendProactive(psid, PAGE_ID, [MessageFactory.text('Atbilde, kas jāsūta vēlreiz')]);
    expect(result).toMatchObject({ delivered: false, reason: 'unavailable' });
    const id = (result as { outboxIds: string[] }).outboxIds[0]!;
    expect(await channel.outbox.get(id)).toBeDefined();
    expect(await channel.adapter.redeliver(id)).toMatchObject({ delivered: true });
    expect(await channel.outbox.get(id)).toBeUndefined();
  });
});

describe('configuration', () => {
  it('is off without the FACEBOOK_* secrets: no webhook route', async () => {
    const plain = await startApp();
    try {
      expect(plain.app.messenger).toBeUndefined();
      const res = await fetch(`${plain.origin}/api/messenger?hub.mode=subscribe`);
      expect(res.status).toBe(404);
    } finally {
      await plain.stop();
    }
  });

  it('refuses a partial configuration, naming what is missing and hiding secrets', () => {
    let error: unknown;
    try {
      loadConfig({ FACEBOOK_APP_SECRET: 'very-secret-value' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/FACEBOOK_VERIFY_TOKEN=unset/);
    expect(problems).toMatch(/FACEBOOK_PAGE_ACCESS_TOKEN=unset/);
    expect(problems).not.toContain('very-secret-value');
    expect(() => loadConfig({ ...facebookEnv(), FACEBOOK_GRAPH_API_VERSION: '21' })).toThrow(/FACEBOOK_GRAPH_API_VERSION/);
  });
});

describe('npm run messenger:setup', () => {
  it('sets Get Started and the persistent menu: Latvian by default, English for en locales', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runMessengerSetup({ ...facebookEnv(), LOG_LEVEL: 'silent' }, [], { out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const profile = graph.profile as {
      get_started: { payload: string };
      persistent_menu: { locale: string; call_to_actions: { title: string; payload: string }[] }[];
    };
    expect(JSON.parse(profile.get_started.payload)).toEqual({ action: 'get-started' });
    const byLocale = new Map(profile.persistent_menu.map((m) => [m.locale, m.call_to_actions]));
    expect(byLocale.get('default')?.map((i) => i.title)).toEqual([lv('messenger.menu.contacts'), lv('messenger.menu.staff'), lv('messenger.menu.restart')]);
    expect(byLocale.get('default')?.map((i) => JSON.parse(i.payload))).toEqual([
      { action: 'entry', id: 'dvi.contacts' },
      { action: 'handover', reason: 'asked' },
      { action: 'restart' },
    ]);
    const en = site.app.texts.forLanguage('en');
    expect(byLocale.get('en_US')?.map((i) => i.title)).toEqual([en('messenger.menu.contacts'), en('messenger.menu.staff'), en('messenger.menu.restart')]);
    expect([...byLocale.keys()].sort()).toEqual(['default', 'en_GB', 'en_US']);
  });

  it('fails clearly without the FACEBOOK_* variables', async () => {
    const err: string[] = [];
    const code = await runMessengerSetup({ LOG_LEVEL: 'silent' }, [], { out: () => undefined, err: (l) => err.push(l) });
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/FACEBOOK_APP_SECRET.*FACEBOOK_VERIFY_TOKEN.*FACEBOOK_PAGE_ACCESS_TOKEN/);
  });
});

describe('handover on Messenger', () => {
  const psid = 'P-handover';

  it('a staff reply reaches the citizen on Messenger; outside the 24-hour window the console is told instead', async () => {
    const saved = clock.now;
    clock.now = new Date('2026-03-02T11:30:00Z'); // Monday 13:30 in Riga: within the demo profile's hours
    try {
      const added = await site.app.handover.directory.add({
        name: 'Jānis',
        login: 'janis-m',
        languages: ['lv'],
        role: 'staff',
        password: 'correct horse battery',
      });
      if (!added.ok) throw new Error(added.message);
      const janis = added.value;
      await site.app.handover.service.seen(janis);

      await send(psid, postback(psid, 'Get Started', { action: 'get-started' }));
      await send(psid, postback(psid, lv('messenger.menu.staff'), { action: 'handover', reason: 'asked' }));
      const queued = await send(psid, message(psid, lv('handover.consentYes'), JSON.stringify({ action: 'handover-consent', agree: true, reason: 'asked' })));
      expect(textOf(queued)).toContain(lv('handover.queued', { position: 1 }));

      const ticket = (await site.app.handover.service.active(psid))!;
      expect((await site.app.handover.service.accept(janis, ticket.id)).kind).toBe('accepted');
      await site.app.handover.service.sendStaffMessage(janis, ticket.id, 'Labdien, te Jānis.');
      await expect.poll(() => textOf(graph.delivered(psid))).toContain('Labdien, te Jānis.');

      clock.now = new Date(clock.now.getTime() + 25 * HOUR);
      await site.app.handover.service.seen(janis);
      const before = graph.delivered(psid).length;
      await site.app.handover.service.sendStaffMessage(janis, ticket.id, 'Vēlāka atbilde');
      await expect
        .poll(async () => (await site.app.handover.service.lines({ ticketId: ticket.id })).some((l) => l.author === 'system' && l.text.includes('24 stundu')))
        .toBe(true);
      expect(
        graph
          .delivered(psid)
          .slice(before)
          .map((b) => b.message?.text),
      ).not.toContain('Vēlāka atbilde');
    } finally {
      clock.now = saved;
    }
  });
});
