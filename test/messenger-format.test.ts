// The Messenger channel's pure parts alone: activity → Send API messages within Messenger's limits,
// button payloads, webhook signatures and parsing, and the Graph API client's retry rules.
import { describe, expect, it } from 'vitest';
import { ActionTypes, CardFactory, MessageFactory, type CardAction } from 'botbuilder';
import {
  cardMessages,
  internationalNumber,
  LATVIAN_NUMBERS,
  quickReplies,
  shorten,
  splitText,
  spellOutLinks,
  toMessengerMessages,
} from '../bot/messenger/format.js';
import { decodePayload, encodePayload } from '../bot/messenger/payloads.js';
import { signBody, signatureMatches } from '../bot/messenger/signature.js';
import { parseWebhook } from '../bot/messenger/webhook.js';
import { GraphApiClient, retryAfterMs } from '../bot/messenger/graph-api.js';
import { BoundedMap, RecentIds } from '../bot/messenger/bounded.js';
import { checkSend } from './support/graph-api.js';

const button = (title: string, value: unknown): CardAction => ({ type: ActionTypes.MessageBack, title, text: title, displayText: title, value });

describe('text', () => {
  it('spells out Markdown links', () => {
    expect(spellOutLinks('Skatiet [DVI tīmekļvietni](https://www.dvi.gov.lv) un [https://x.lv](https://x.lv).')).toBe(
      'Skatiet DVI tīmekļvietni: https://www.dvi.gov.lv un https://x.lv.',
    );
  });

  it('splits text over 2,000 characters at sentence boundaries, losing nothing', () => {
    const sentence = 'Šis ir teikums par personas datu aizsardzību, kas atkārtojas vairākas reizes. ';
    const text = sentence.repeat(70).trim(); // about 5,500 characters, no paragraph breaks
    const chunks = splitText(text);
    expect(chunks.length).toBe(3);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(2000);
      expect(c.endsWith('.')).toBe(true);
    }
    expect(chunks.join(' ')).toBe(text);
  });

  it('prefers paragraph breaks, and cuts a text without any break anyway', () => {
    const text = `${'a'.repeat(1500)}.\n\n${'b '.repeat(600)}`;
    expect(splitText(text)[0]).toBe(`${'a'.repeat(1500)}.`);
    const solid = 'x'.repeat(4500);
    expect(splitText(solid).map((c) => c.length)).toEqual([2000, 2000, 500]);
  });

  it('shortens at a word with an ellipsis, counting characters not bytes', () => {
    expect(shorten('Kā iesniegt sūdzību par datu apstrādi?', 20)).toBe('Kā iesniegt sūdzību…');
    expect(Array.from(shorten('Kā iesniegt sūdzību par datu apstrādi?', 20)).length).toBeLessThanOrEqual(20);
    expect(shorten('Neviens no šiem', 20)).toBe('Neviens no šiem');
    expect(shorten('Pārāksaliktsvārdsbezatstarpēm', 20)).toBe('Pārāksaliktsvārdsbe…');
  });
});

describe('suggested actions → quick replies', () => {
  it('keeps short titles and the button value as the payload', () => {
    const { replies, list } = quickReplies([button('Jā', { action: 'feedback', entryId: 'e', helpful: true })]);
    expect(list).toBe('');
    expect(replies).toEqual([{ content_type: 'text', title: 'Jā', payload: '{"action":"feedback","entryId":"e","helpful":true}' }]);
  });

  it('numbers the buttons and lists full titles when one must be shortened; at most 13', () => {
    const actions = Array.from({ length: 15 }, (_, i) => button(`Garš jautājums numur ${i + 1} par datu apstrādi?`, { action: 'entry', id: `e${i}` }));
    const reply = MessageFactory.text('Vai jūs domājāt kādu no šiem jautājumiem?');
    reply.suggestedActions = { to: [], actions };
    const [message] = toMessengerMessages(reply);
    expect(message && 'text' in message ? message.text : '').toContain('1. Garš jautājums numur 1 par datu apstrādi?');
    expect(message?.quick_replies).toHaveLength(13);
    expect(message?.quick_replies?.every((q) => Array.from(q.title).length <= 20)).toBe(true);
    expect(message?.quick_replies?.[12]?.title.startsWith('13.')).toBe(true);
    expect(JSON.parse(message!.quick_replies![0]!.payload)).toEqual({ action: 'entry', id: 'e0' });
    expect(checkSend({ recipient: { id: '1' }, messaging_type: 'RESPONSE', message })).toEqual([]);
  });

  it('puts quick replies on the last part of a long text', () => {
    const reply = MessageFactory.text('Teikums. '.repeat(400));
    reply.suggestedActions = { to: [], actions: [button('Jā', { action: 'x' })] };
    const messages = toMessengerMessages(reply);
    expect(messages.length).toBe(2);
    expect(messages[0]?.quick_replies).toBeUndefined();
    expect(messages[1]?.quick_replies).toHaveLength(1);
  });
});

describe('payloads', () => {
  it('round-trip the button value, and stay under 1,000 characters', () => {
    const value = { action: 'choose', kind: 'entry', id: 'dvi.contacts', offeredIds: ['a', 'b'] };
    expect(decodePayload(encodePayload(value))).toEqual({ value });
    const huge = { action: 'none-of-these', offeredIds: Array.from({ length: 10 }, (_, i) => `${'x'.repeat(150)}${i}`) };
    const encoded = encodePayload(huge);
    expect(encoded.length).toBeLessThanOrEqual(1000);
    expect(decodePayload(encoded)).toEqual({ value: { action: 'none-of-these', offeredIds: [] } });
    expect(decodePayload('SOME_OTHER_TOOL')).toEqual({ text: 'SOME_OTHER_TOOL' });
  });
});

describe('hero cards → templates', () => {
  const buttons: CardAction[] = [
    { type: ActionTypes.OpenUrl, title: 'Tīmekļvietne', value: 'https://www.vid.gov.lv' },
    { type: ActionTypes.Call, title: 'Zvanīt 67120000', value: 'tel:67120000' },
    { type: ActionTypes.OpenUrl, title: 'Rakstīt e-pastu', value: 'mailto:vid@vid.gov.lv' },
    { type: ActionTypes.OpenUrl, title: 'Ceturtā poga', value: 'https://example.lv' },
  ];

  it('without an image: a button template with at most three buttons', () => {
    const card = CardFactory.heroCard('Valsts ieņēmumu dienests', 'Tālrunis: 67120000\n\nE-pasts: vid@vid.gov.lv', undefined, buttons).content;
    const [message] = cardMessages(card);
    expect(message).toEqual({
      attachment: {
        type: 'template',
        payload: {
          template_type: 'button',
          text: 'Valsts ieņēmumu dienests\nTālrunis: 67120000\nE-pasts: vid@vid.gov.lv',
          buttons: [
            { type: 'web_url', title: 'Tīmekļvietne', url: 'https://www.vid.gov.lv' },
            { type: 'phone_number', title: 'Zvanīt 67120000', payload: '+37167120000' },
            { type: 'web_url', title: 'Rakstīt e-pastu', url: 'mailto:vid@vid.gov.lv' },
          ],
        },
      },
    });
  });

  it('with an image: a generic template, long text sent in full first', () => {
    const long = 'Adrese: Talejas iela 1, Rīga, LV-1978. Darba laiks: darba dienās no 8.30 līdz 17.00, piektdienās līdz 15.00.';
    const card = CardFactory.heroCard('Valsts ieņēmumu dienests', long, ['https://www.vid.gov.lv/logo.png'], buttons.slice(0, 1)).content;
    const messages = cardMessages(card);
    expect(messages[0]).toEqual({ text: `Valsts ieņēmumu dienests\n${long}` });
    const generic = messages[1];
    expect(generic && 'attachment' in generic ? generic.attachment.payload.template_type : undefined).toBe('generic');
    for (const m of messages) expect(checkSend({ recipient: { id: '1' }, messaging_type: 'RESPONSE', message: m })).toEqual([]);
  });

  it('phone numbers: +371 for Latvian national numbers; short numbers get no call button', () => {
    expect(internationalNumber('tel:67223131', LATVIAN_NUMBERS)).toBe('+37167223131');
    expect(internationalNumber('tel:+37167686768', LATVIAN_NUMBERS)).toBe('+37167686768');
    expect(internationalNumber('0037167686768', LATVIAN_NUMBERS)).toBe('+37167686768');
    expect(internationalNumber('tel:112', LATVIAN_NUMBERS)).toBeUndefined();
  });
});

describe('webhook signatures and bodies', () => {
  it('accepts only the HMAC-SHA256 of the exact bytes with the app secret', () => {
    const body = Buffer.from('{"object":"page","entry":[]}');
    const header = signBody(body, 'secret');
    expect(signatureMatches(body, header, 'secret')).toBe(true);
    expect(signatureMatches(body, header.toUpperCase().replace('SHA256=', 'sha256='), 'secret')).toBe(true);
    expect(signatureMatches(body, header, 'other')).toBe(false);
    expect(signatureMatches(Buffer.from('{"object":"page","entry":[] }'), header, 'secret')).toBe(false);
    expect(signatureMatches(body, undefined, 'secret')).toBe(false);
    expect(signatureMatches(body, 'sha256=abc', 'secret')).toBe(false);
  });

  it('keeps messages and postbacks, drops echoes and other events', () => {
    const now = new Date('2026-03-02T10:00:00Z');
    const raw = Buffer.from(
      JSON.stringify({
        object: 'page',
        entry: [
          {
            id: 'PAGE',
            messaging: [
              { sender: { id: 'U' }, recipient: { id: 'PAGE' }, timestamp: now.getTime() - 1000, message: { mid: 'm1', text: 'Sveiki' } },
              { sender: { id: 'U' }, recipient: { id: 'PAGE' }, timestamp: 1, message: { mid: 'm2', text: 'Jā', quick_reply: { payload: '{"a":1}' } } },
              { sender: { id: 'U' }, recipient: { id: 'PAGE' }, timestamp: 1, postback: { title: 'Sākt', payload: '{"action":"get-started"}' } },
              { sender: { id: 'PAGE' }, recipient: { id: 'U' }, timestamp: 1, message: { mid: 'm3', text: 'echo', is_echo: true } },
              { sender: { id: 'U' }, recipient: { id: 'PAGE' }, timestamp: 1, delivery: { mids: ['m3'] } },
            ],
          },
        ],
      }),
    );
    const parsed = parseWebhook(raw, now);
    expect(parsed.ok && parsed.events.map((e) => e.kind)).toEqual(['message', 'message', 'postback']);
    expect(parsed.ok && parsed.ignored).toBe(2);
    expect(parsed.ok && parsed.events[0]?.at.getTime()).toBe(now.getTime() - 1000);
    expect(parsed.ok && parsed.events[1]).toMatchObject({ dedupeKey: 'm:m2', quickReplyPayload: '{"a":1}' });
    // A postback without mid (older API versions) still has a stable key.
    const again = parseWebhook(raw, now);
    expect(again.ok && again.events[2]?.dedupeKey).toBe(parsed.ok ? parsed.events[2]?.dedupeKey : '');
  });
});

describe('bounded memory', () => {
  it('forgets the oldest beyond the cap and everything after the TTL', () => {
    const clock = { t: 0 };
    const ids = new RecentIds({ maxEntries: 2, ttlMs: 1000, now: () => clock.t });
    expect(ids.firstSighting('a')).toBe(true);
    expect(ids.firstSighting('a')).toBe(false);
    ids.firstSighting('b');
    ids.firstSighting('c');
    expect(ids.firstSighting('a')).toBe(true); // evicted by size
    clock.t = 5000;
    expect(ids.firstSighting('c')).toBe(true); // expired
    const map = new BoundedMap<number>({ maxEntries: 10, ttlMs: 10, now: () => clock.t });
    map.set('x', 1);
    expect(map.get('x')).toBe(1);
  });
});

describe('Graph API client retry rules', () => {
  type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | 'network-error';

  function client(replies: Reply[], options: { maxDelayMs?: number } = {}) {
    const waits: number[] = [];
    let calls = 0;
    const fake: typeof fetch = async () => {
      const reply = replies[calls++] ?? { status: 200, body: {} };
      if (reply === 'network-error') throw new TypeError('fetch failed');
      return new Response(JSON.stringify(reply.body ?? {}), { status: reply.status, headers: reply.headers ?? {} });
    };
    const graph = new GraphApiClient({
      graphApiUrl: 'http://graph.invalid',
      graphApiVersion: 'v21.0',
      pageAccessToken: 't',
      fetch: fake,
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: () => 1,
      baseDelayMs: 100,
      ...options,
    });
    return { graph, waits, calls: () => calls };
  }
  const fbError = (code: number, subcode?: number) => ({ error: { message: 'x', code, ...(subcode ? { error_subcode: subcode } : {}) } });

  it('retries 5xx and network errors with growing backoff', async () => {
    const { graph, waits } = client([{ status: 500, body: fbError(2) }, 'network-error', { status: 200, body: { message_id: 'm' } }]);
    const result = await graph.post('me/messages', {});
    expect(result).toMatchObject({ ok: true, attempts: 3 });
    expect(waits).toEqual([100, 200]);
  });

  it('honours Retry-After and the business use case usage header on rate limits (4, 32, 613)', async () => {
    const usage = JSON.stringify({ PAGE: [{ type: 'messenger', call_count: 100, estimated_time_to_regain_access: 0.05 }] });
    const { graph, waits } = client([
      { status: 400, body: fbError(613), headers: { 'Retry-After': '2' } },
      { status: 400, body: fbError(32), headers: { 'X-Business-Use-Case-Usage': usage } },
      { status: 400, body: fbError(4) },
      { status: 200 },
    ]);
    expect((await graph.post('me/messages', {})).ok).toBe(true);
    expect(waits).toEqual([2000, 3000, 400]);
  });

  it('gives up at once when asked to wait longer than it holds a message', async () => {
    const { graph, calls } = client([{ status: 429, body: fbError(613), headers: { 'Retry-After': '3600' } }], { maxDelayMs: 30_000 });
    expect(await graph.post('me/messages', {})).toMatchObject({ ok: false, reason: 'rate-limited', attempts: 1 });
    expect(calls()).toBe(1);
  });

  it('does not retry outside the 24-hour window or a bad request', async () => {
    const window = client([{ status: 400, body: fbError(10, 2018278) }]);
    expect(await window.graph.post('me/messages', {})).toEqual({
      ok: false,
      reason: 'outside-24h-window',
      error: { status: 400, code: 10, subcode: 2018278 },
      attempts: 1,
    });
    const bad = client([{ status: 400, body: fbError(100) }]);
    expect(await bad.graph.post('me/messages', {})).toMatchObject({ ok: false, reason: 'rejected', attempts: 1 });
  });

  it('stops after the last attempt with the reason of the last failure', async () => {
    const { graph, calls } = client(Array.from({ length: 10 }, () => ({ status: 503 })));
    expect(await graph.post('me/messages', {})).toMatchObject({ ok: false, reason: 'unavailable', attempts: 4 });
    expect(calls()).toBe(4);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-03-02T10:00:00Z');
    expect(retryAfterMs(new Headers({ 'Retry-After': '5' }), now)).toBe(5000);
    expect(retryAfterMs(new Headers({ 'Retry-After': 'Mon, 02 Mar 2026 10:00:10 GMT' }), now)).toBe(10_000);
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });
});
