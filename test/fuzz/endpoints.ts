// The fuzzer's inputs: one fast-check arbitrary per endpoint group (routes from bot/app.ts,
// bot/directline/routes.ts and stream.ts, bot/staff/routes/*.ts, bot/messenger/routes.ts,
// bot/web/routes.ts), with hand-written examples that always run first: the inputs known to have
// broken the server, and the shapes the brief names.
import fc from 'fast-check';
import { WS_KEY } from './wire.js';
import {
  renderJson,
  type Body,
  type BurstProbe,
  type ChurnProbe,
  type FrameTpl,
  type HttpProbe,
  type Payload,
  type Probe,
  type RawProbe,
  type StreamProbe,
  type Tpl,
  type TplObject,
} from './probes.js';

export type ServerName = 'main' | 'limits';

export interface Group {
  name: string;
  /** `main`: rate limits off, so inputs reach the handlers; `limits`: the default limits. */
  server: ServerName;
  /** Share of the run budget. */
  weight: number;
  about: string;
  arbitrary: fc.Arbitrary<Probe>;
  /** Run first, in this order (fast-check `examples`: replayable by path like the rest). */
  examples: Probe[];
  /** Wait this long after a 200, for the work it started to log (so log lines name the right probe). */
  settleMs?: number;
}

/** Strings that have broken parsers, decoders and templates before. */
const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\t\r\n',
  '\r\n\r\n',
  '\ud800',
  '\udfff',
  '\ufffe',
  '\uffff',
  '\u202e',
  '\u200b\u200d',
  '\ufeff',
  'ā',
  'Ž',
  'ķ',
  '𝕏',
  '😀',
  '👩‍👩‍👧',
  '..',
  '../..',
  '..\\..',
  '%',
  '%ZZ',
  '%FF',
  '%C0%AF',
  '%E2%82',
  '%00',
  '%2e%2e%2f',
  '<script>alert(1)</script>',
  "' OR 1=1--",
  '${jndi:ldap://x}',
  '{{7*7}}',
  '%s%s%n',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e999',
  '0x10',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'dl_',
  'dl_aaaaaaaa',
  'Bearer',
  'P-20261116-ABCDEF',
  '00000000-0000-4000-8000-000000000000',
  'x'.repeat(257),
  'ā'.repeat(2001),
];

/** Citizens' phrases that take the dialogs somewhere (handover, deletion, consent, personal data). */
const CITIZEN_PHRASES = [
  'Kā iesniegt sūdzību par datu apstrādi?',
  'gribu runāt ar cilvēku',
  'talk to a human',
  'Dzēst manu sarunu',
  'Jā',
  'Nē',
  'paldies',
  'Mans kods 150575-12341',
  'LV80BANK0000435195001',
  '4111 1111 1111 1111',
  'привет',
  'hello',
  'idiots',
  '1',
  '2',
  '3',
];

export interface Strings {
  marker: string;
  /** Any text, often with the marker in it. */
  text: fc.Arbitrary<string>;
  /** Short text for ids and keys. */
  short: fc.Arbitrary<string>;
  key: fc.Arbitrary<string>;
  json: fc.Arbitrary<Tpl>;
  headerValue: fc.Arbitrary<string>;
}

export function strings(marker: string, keys: readonly string[] = []): Strings {
  const marked = fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })).map(([a, b]) => `${a}${marker}${b}`);
  // Huge strings are rare per string: an activity has many strings, and one over the body limit
  // makes the whole request a 413 that reaches no handler.
  const text = fc.oneof(
    { weight: 20, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
    { weight: 10, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
    { weight: 15, arbitrary: fc.constantFrom(...ODD_STRINGS) },
    { weight: 20, arbitrary: marked },
    { weight: 15, arbitrary: fc.constantFrom(...CITIZEN_PHRASES).map((t) => `${t} ${marker}`) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom('a', 'ā', '😀', '\u0000', '%', '\\'), fc.integer({ min: 1_000, max: 80_000 })).map(([c, n]) => c.repeat(n)),
    },
  );
  const short = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...ODD_STRINGS.slice(0, 30)), marked);
  const key = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...keys, '__proto__', 'constructor', 'prototype', '', ' ', '$where', 'text', 'type') },
    { weight: 1, arbitrary: short },
  );
  const leaf: fc.Arbitrary<Tpl> = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(
      { $num: '1e999' },
      { $num: '-0' },
      { $num: '1e-400' },
      { $num: '123456789012345678901234567890' },
      { $num: '9007199254740993' },
      { $num: '-1' },
    ),
    text,
  );
  // Mostly shallow enough to fit the body limit (30,000 nested arrays are 60 KB, objects 150 KB).
  const depth = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 100 }) },
    { weight: 3, arbitrary: fc.integer({ min: 100, max: 5_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: 5_000, max: 30_000 }) },
  );
  const deep: fc.Arbitrary<Tpl> = fc.record({ $deep: depth, shape: fc.constantFrom<'array' | 'object'>('array', 'array', 'object') });
  const json = fc.letrec<{ value: Tpl; array: Tpl[]; object: TplObject }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 6, arbitrary: leaf },
      { weight: 2, arbitrary: tie('array') },
      { weight: 2, arbitrary: tie('object') },
      { weight: 1, arbitrary: deep },
    ),
    array: fc.array(tie('value'), { maxLength: 4 }),
    object: fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map(($o) => ({ $o })),
  })).value;
  const headerValue = fc.oneof(
    // oxlint-disable-next-line no-control-regex -- a header value cannot carry these: they are replaced
    { weight: 6, arbitrary: text.map((t) => t.replace(/[\r\n\u0000]/g, ' ').slice(0, 2_000)) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\u0000', 'a\r\nX-Injected: 1', '\u00ff\u00fe', 'é', '😀', '\t') },
  );
  return { marker, text, short, key, json, headerValue };
}

/** An object template with these optional fields (fc.record shrinks by dropping fields). */
function obj(fields: Record<string, fc.Arbitrary<Tpl>>, extra?: fc.Arbitrary<[string, Tpl]>): fc.Arbitrary<Tpl> {
  const record = fc.record(fields, { requiredKeys: [] });
  const entries = (r: Partial<Record<string, Tpl>>): [string, Tpl][] => Object.entries(r).filter((e): e is [string, Tpl] => e[1] !== undefined);
  if (extra === undefined) return record.map((r) => ({ $o: entries(r) }));
  return fc.tuple(record, fc.array(extra, { maxLength: 2 })).map(([r, more]) => ({ $o: [...entries(r), ...more] }));
}

function arr(item: fc.Arbitrary<Tpl>, maxLength = 4): fc.Arbitrary<Tpl> {
  return fc.array(item, { maxLength });
}

const json = (t: Tpl): Body => ({ json: t });
const o = (...entries: [string, Tpl][]): TplObject => ({ $o: entries });

/** Bodies: mostly the given shape, sometimes any JSON, sometimes not JSON at all. */
function bodies(s: Strings, shaped: fc.Arbitrary<Tpl>): fc.Arbitrary<Body> {
  const malformed = fc.oneof(
    fc.constantFrom(
      '{',
      '}',
      '{"type":"message",}',
      '{"type":"message"',
      "{'type':'message'}",
      'nul',
      '',
      ' ',
      '\ufeff{"type":"message"}',
      '{"type":"message","type":"event"}',
      '{"__proto__":{"polluted":1},"type":"message"}',
      '{"constructor":{"prototype":{"polluted":1}},"type":"message"}',
      '{"type":"message","text":"\\ud800"}',
      '{"type":"message","text":"\\u0000"}',
      '[]',
      '"message"',
      '1e999',
      'true',
      '{"type":"message"}garbage',
      '{"a":1}{"b":2}',
      'type=message&text=hi',
      '\u0000\u0000',
      `${'['.repeat(100_000)}`,
      `{"type":"message","value":${'['.repeat(60_000)}`,
    ),
    shaped.map((t) => renderJson(t)).chain((text) => fc.nat({ max: Math.max(0, text.length - 1) }).map((n) => text.slice(0, n))),
    s.text,
  );
  return fc.oneof(
    { weight: 16, arbitrary: shaped.map(json) },
    { weight: 2, arbitrary: s.json.map(json) },
    { weight: 2, arbitrary: malformed.map((text): Body => ({ text })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b): Body => ({ hex: Buffer.from(b).toString('hex') })) },
  );
}

const CONTENT_TYPES = [
  'application/json; charset=utf-8',
  'application/vnd.api+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/jsonx',
  'application/json, text/plain',
  'application/octet-stream',
  'text/json',
];

function contentType(s: Strings): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 30, arbitrary: fc.constant('application/json') },
    { weight: 3, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
    { weight: 1, arbitrary: s.headerValue },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/** Authorization for Direct Line calls: mostly the conversation's token, else every wrong kind. */
function directLineAuth(s: Strings, usual = 'Bearer {{token}}'): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 30, arbitrary: fc.constant(usual) },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        undefined,
        '',
        'Bearer',
        'Bearer ',
        'bearer {{token}}',
        'BEARER\t{{token}}',
        'Bearer  {{token}}',
        'Basic dXNlcjpwYXNz',
        'Bearer {{otherToken}}',
        'Bearer {{expiredToken}}',
        'Bearer {{ghostToken}}',
        'Bearer {{streamToken}}',
        'Bearer {{noneAlgToken}}',
        'Bearer {{secret}}',
        'Bearer {{token}}x',
        'Bearer {{token}} {{token}}',
        'Token {{token}}',
        'Bearer {{token}}.',
        'Bearer a.b.c',
        'Bearer ....',
        `Bearer ${'A'.repeat(9_000)}`,
      ),
    },
    { weight: 2, arbitrary: s.headerValue.map((v) => `Bearer ${v}`) },
    { weight: 1, arbitrary: s.headerValue },
  );
}

/** Headers every group may add: forwarding, origin, encodings, anything. */
function extraHeaders(s: Strings): fc.Arbitrary<[string, string][]> {
  const xff = fc.oneof(
    fc.constantFrom(
      '1.2.3.4',
      '1.2.3.4, 5.6.7.8',
      ', ,',
      '::1',
      '::ffff:zz',
      'unknown',
      '999.999.999.999',
      '127.0.0.1',
      `${'1.1.1.1, '.repeat(2_000)}1.1.1.1`,
      '\u0000',
    ),
    s.headerValue,
  );
  const header: fc.Arbitrary<[string, string]> = fc.oneof(
    { weight: 3, arbitrary: fc.tuple(fc.constant('X-Forwarded-For'), xff) },
    { weight: 1, arbitrary: fc.tuple(fc.constant('X-Forwarded-Proto'), fc.oneof(fc.constantFrom('https', 'http', 'wss', 'https, http', ''), s.headerValue)) },
    { weight: 1, arbitrary: fc.tuple(fc.constant('Content-Encoding'), fc.constantFrom('gzip', 'identity', 'br', 'deflate', 'deflate, gzip', 'x', '')) },
    {
      weight: 2,
      arbitrary: fc.tuple(
        fc.constant('Origin'),
        fc.oneof(fc.constantFrom('http://{{host}}', 'null', 'https://evil.example', 'http://localhost', ''), s.headerValue),
      ),
    },
    {
      weight: 4,
      arbitrary: fc.tuple(
        fc.constantFrom('Accept', 'Accept-Language', 'Accept-Encoding', 'User-Agent', 'Cookie', 'x-ms-bot-agent', 'X-Requested-With', 'Range', 'If-None-Match'),
        s.headerValue,
      ),
    },
    { weight: 1, arbitrary: fc.tuple(fc.constant('Expect'), fc.constantFrom('100-continue', 'garbage')) },
    {
      weight: 3,
      arbitrary: fc.tuple(
        s.short.map((n) => n.replace(/[^!#$%&'*+.^_`|~0-9A-Za-z-]/g, '') || 'X-Fuzz'),
        s.headerValue,
      ),
    },
  );
  return fc.array(header, { maxLength: 2 });
}

function headers(...parts: [string, string | undefined][]): [string, string][] {
  return parts.filter((p): p is [string, string] => p[1] !== undefined);
}

/** A path segment: percent-encoded, raw, or one of the escapes decoders choke on. */
function segment(s: Strings, usual: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 30, arbitrary: fc.constant(usual) },
    {
      weight: 2,
      arbitrary: fc.constantFrom('{{other}}', '', '.', '..', '%2e%2e', `${usual}%2F..`, `${usual}x`, 'A'.repeat(65), 'A'.repeat(16), 'A'.repeat(15)),
    },
    { weight: 2, arbitrary: fc.constantFrom(...BAD_ESCAPES) },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_ESCAPES).map((e) => `${usual}${e}`) },
    { weight: 2, arbitrary: s.short.map(encoded) },
    { weight: 1, arbitrary: s.short.map((t) => t.replace(/[\s?#/]/g, '')) },
  );
}

const BAD_ESCAPES = [
  '%',
  '%Z',
  '%ZZ',
  '%FF',
  '%C0%AF',
  '%E2%82',
  '%2',
  '%%',
  '%u0041',
  '%00',
  '%2F',
  '..%2f..',
  '%ED%A0%80',
  '%F4%90%80%80',
  '%c3%28',
  '%0d%0a',
];

function watermark(s: Strings): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: fc.nat({ max: 50 }).map(String) },
    {
      weight: 2,
      arbitrary: fc.constantFrom('', '-1', '1e3', '0x1', '999999999999999', '9999999999999999', '01', ' 1', '1.5', 'NaN', '1&watermark=2', '%', '%ZZ'),
    },
    { weight: 1, arbitrary: s.short.map(encoded) },
  );
}

/** `?a=b&…`: the given pairs (each usually present), then random or badly escaped ones; duplicates allowed. */
function query(s: Strings, pairs: fc.Arbitrary<[string, string]>[]): fc.Arbitrary<string> {
  const random: fc.Arbitrary<[string, string]> = fc.tuple(s.short, s.short).map(([k, v]) => [encoded(k), encoded(v)]);
  const rawBad: fc.Arbitrary<[string, string]> = fc.tuple(fc.constantFrom('a', 'hub.mode', 'watermark', 't'), fc.constantFrom(...BAD_ESCAPES));
  return fc.tuple(fc.tuple(...pairs.map((p) => maybe(p, 5))), fc.array(fc.oneof(random, rawBad), { maxLength: 2 })).map(([fixed, more]) => {
    const present = [...fixed.filter((x): x is [string, string] => x !== undefined), ...more];
    return present.length === 0 ? '' : `?${present.map(([k, v]) => `${k}=${v}`).join('&')}`;
  });
}

/** Percent-encoded (lone surrogates, which encodeURIComponent refuses, replaced first). */
function encoded(text: string): string {
  return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, 'x'));
}

function http(
  method: fc.Arbitrary<string>,
  target: fc.Arbitrary<string>,
  hs: fc.Arbitrary<[string, string][]>,
  body: fc.Arbitrary<Body | undefined>,
): fc.Arbitrary<HttpProbe> {
  return fc
    .record({ method, target, headers: hs, body })
    .map((p): HttpProbe =>
      p.body === undefined ? { kind: 'http', method: p.method, target: p.target, headers: p.headers } : { kind: 'http', ...p, body: p.body },
    );
}

function withHeaders(s: Strings, auth: fc.Arbitrary<string | undefined>, ct: fc.Arbitrary<string | undefined>): fc.Arbitrary<[string, string][]> {
  return fc.tuple(auth, ct, extraHeaders(s)).map(([a, c, extra]) => [...headers(['Authorization', a], ['Content-Type', c]), ...extra]);
}

const maybe = <T>(a: fc.Arbitrary<T>, freq = 3): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined, freq });

// ---- Direct Line ----

const DL = '/v3/directline';

function directLineActivity(s: Strings): fc.Arbitrary<Tpl> {
  const t = fc.oneof({ weight: 4, arbitrary: s.text }, { weight: 1, arbitrary: s.json });
  return obj(
    {
      type: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom('message', 'message', 'message', 'event', 'typing', 'messageReaction') },
        { weight: 1, arbitrary: fc.constantFrom('conversationUpdate', 'invoke', 'endOfConversation', 'handoff', 'MESSAGE', '', 'trace', 'delete') },
        { weight: 1, arbitrary: s.json },
      ),
      text: t,
      value: s.json,
      name: fc.oneof(fc.constantFrom('webchat/join', 'startConversation', 'handoff.status', 'webchat/exit'), t),
      locale: fc.oneof(fc.constantFrom('lv-LV', 'en-US', 'ru', 'lt', 'xx-YY', 'lv-LV-x-private', 'a', '-', ''), t),
      from: fc.oneof(obj({ id: t, name: t, role: fc.constantFrom('user', 'bot', 'skill', 'x') }), s.json),
      channelData: fc.oneof(obj({ clientActivityID: t, postBack: fc.boolean(), postback: fc.boolean() }, fc.tuple(s.key, s.json)), s.json),
      entities: fc.oneof(
        arr(obj({ type: fc.oneof(fc.constantFrom('ClientCapabilities', 'mention', ''), t), requiresBotState: fc.boolean(), text: t }), 25),
        s.json,
      ),
      textFormat: fc.oneof(fc.constantFrom('plain', 'markdown', 'xml', 'html'), s.json),
      valueType: t,
      replyToId: t,
      reactionsAdded: fc.oneof(arr(obj({ type: fc.oneof(fc.constantFrom('like', 'plusOne'), t) }), 12), s.json),
      reactionsRemoved: fc.oneof(arr(obj({ type: t }), 12), s.json),
      localTimestamp: t,
      localTimezone: t,
      attachments: fc.oneof(
        arr(obj({ contentType: t, contentUrl: fc.constantFrom('http://127.0.0.1:1/x', 'file:///etc/passwd', 'data:,x'), content: s.json })),
        s.json,
      ),
      suggestedActions: s.json,
      conversation: obj({ id: t }),
      recipient: obj({ id: t, role: t }),
      serviceUrl: t,
      id: t,
      timestamp: t,
      channelId: t,
    },
    fc.tuple(s.key, s.json),
  );
}

/**
 * An activity a Direct Line client could send, with one or two odd values: most of these pass the
 * schema and reach the bot's turn (the fully random ones mostly stop at validation).
 */
function plausibleActivity(s: Strings): fc.Arbitrary<Tpl> {
  return fc
    .tuple(
      fc.constantFrom('message', 'message', 'message', 'event', 'typing', 'messageReaction'),
      fc.oneof({ weight: 5, arbitrary: s.text.map((t) => t.slice(0, 5_000)) }, { weight: 1, arbitrary: fc.constantFrom(...CITIZEN_PHRASES) }),
      maybe(s.json, 2),
      maybe(fc.constantFrom('lv-LV', 'en-US', 'ru-RU', 'lv'), 2),
      maybe(obj({ clientActivityID: s.short, postBack: fc.boolean() }, fc.tuple(s.key, s.json)), 2),
      maybe(fc.constantFrom('webchat/join', 'webchat/exit', 'startConversation'), 2),
      fc.array(fc.tuple(s.key, s.json), { maxLength: 1 }),
    )
    .map(([type, text, value, locale, channelData, name, extra]) => ({
      $o: [
        ['type', type],
        ['text', text],
        ...(value === undefined ? [] : ([['value', value]] as [string, Tpl][])),
        ...(locale === undefined ? [] : ([['locale', locale]] as [string, Tpl][])),
        ...(channelData === undefined ? [] : ([['channelData', channelData]] as [string, Tpl][])),
        ...(name === undefined ? [] : ([['name', name]] as [string, Tpl][])),
        [
          'from',
          {
            $o: [
              ['id', 'ignored'],
              ['name', text.slice(0, 100)],
            ],
          },
        ],
        ...extra,
      ],
    }));
}

function directLineTokens(s: Strings): Group {
  const generateBody = obj({
    user: fc.oneof(
      obj({ id: fc.oneof(fc.constantFrom('dl_abcdefgh12', 'dl_', 'dl_a b c d e f', `dl_${'a'.repeat(65)}`), s.text, s.json), name: s.text }),
      s.json,
    ),
    trustedOrigin: s.text,
    agency: fc.oneof(fc.constantFrom('dvi', 'nosuch', '', 'DVI', '../dvi'), s.text, s.json),
  });
  const generate = http(
    fc.constant('POST'),
    fc.constantFrom(
      `${DL}/tokens/generate`,
      `${DL}/tokens/generate/`,
      `${DL}/tokens/generate?x=1`,
      `${DL}/tokens/generate?agency=dvi`,
      `${DL}/tokens/generate?agency=nosuch`,
      `${DL}/tokens/generate?agency=dvi&agency=dvi`,
      `${DL}/tokens/generate?agency=%FF`,
      `${DL}/tokens/generate?agency[x]=1`,
    ),
    withHeaders(
      s,
      fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        { weight: 3, arbitrary: fc.constant('Bearer {{secret}}') },
        { weight: 2, arbitrary: directLineAuth(s) },
      ),
      contentType(s),
    ),
    maybe(bodies(s, generateBody)),
  );
  const refresh = http(
    fc.constant('POST'),
    fc.constant(`${DL}/tokens/refresh`),
    withHeaders(s, directLineAuth(s), contentType(s)),
    maybe(bodies(s, s.json), 2),
  );
  const otherMethods = http(
    fc.constantFrom('GET', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH'),
    fc.constantFrom(`${DL}/tokens/generate`, `${DL}/tokens/refresh`, `${DL}/tokens`, DL),
    withHeaders(s, directLineAuth(s), contentType(s)),
    maybe(bodies(s, s.json), 2),
  );
  return {
    name: 'dl-tokens',
    server: 'main',
    weight: 6,
    about: 'POST /v3/directline/tokens/generate and /tokens/refresh',
    arbitrary: fc.oneof({ weight: 4, arbitrary: generate }, { weight: 3, arbitrary: refresh }, { weight: 1, arbitrary: otherMethods }),
    examples: [
      {
        kind: 'http',
        method: 'POST',
        target: `${DL}/tokens/generate`,
        headers: [
          ['Authorization', 'Bearer {{secret}}'],
          ['Content-Type', 'application/json'],
        ],
        body: json(o(['user', o(['id', { $deep: 2_500, shape: 'array' }])])),
      },
      { kind: 'http', method: 'POST', target: `${DL}/tokens/refresh`, headers: [['Authorization', 'Bearer {{streamToken}}']] },
    ],
  };
}

function directLineConversations(s: Strings): Group {
  const startBody = obj(
    { locale: fc.oneof(fc.constantFrom('lv-LV', 'en', 'xx'), s.text, s.json), user: fc.oneof(obj({ id: s.text, name: s.text }), s.json), bot: s.json },
    fc.tuple(s.key, s.json),
  );
  const start = http(
    fc.constant('POST'),
    fc.constantFrom(`${DL}/conversations`, `${DL}/conversations/`),
    withHeaders(s, fc.oneof({ weight: 3, arbitrary: directLineAuth(s) }, { weight: 1, arbitrary: fc.constant('Bearer {{secret}}') }), contentType(s)),
    maybe(bodies(s, startBody)),
  );
  const reconnect = fc
    .tuple(
      segment(s, '{{conv}}'),
      watermark(s),
      fc.oneof({ weight: 3, arbitrary: directLineAuth(s) }, { weight: 1, arbitrary: fc.constant('Bearer {{secret}}') }),
      extraHeaders(s),
    )
    .map(([id, wm, auth, extra]): HttpProbe => ({
      kind: 'http',
      method: 'GET',
      target: `${DL}/conversations/${id}${wm === undefined ? '' : `?watermark=${wm}`}`,
      headers: [...headers(['Authorization', auth]), ...extra],
    }));
  return {
    name: 'dl-conversations',
    server: 'main',
    weight: 6,
    about: 'POST /v3/directline/conversations, GET /v3/directline/conversations/:id',
    arbitrary: fc.oneof(start, reconnect),
    examples: [
      { kind: 'http', method: 'GET', target: `${DL}/conversations/%`, headers: [['Authorization', 'Bearer {{token}}']] },
      {
        kind: 'http',
        method: 'POST',
        target: `${DL}/conversations`,
        headers: [
          ['Authorization', 'Bearer {{token}}'],
          ['Content-Type', 'application/json'],
        ],
        body: json(o(['locale', { $deep: 2_500, shape: 'array' }])),
      },
    ],
  };
}

function directLineActivities(s: Strings): Group {
  const activity = fc.oneof({ weight: 3, arbitrary: plausibleActivity(s) }, { weight: 2, arbitrary: directLineActivity(s) });
  const path = (id: string, rest = '/activities') => `${DL}/conversations/${id}${rest}`;
  const post = fc
    .tuple(
      segment(s, '{{conv}}'),
      fc.oneof(
        { weight: 20, arbitrary: fc.constant('/activities') },
        { weight: 1, arbitrary: fc.constantFrom('/activities/', '/upload', '/activities/x', '/activities%2f') },
      ),
      withHeaders(s, directLineAuth(s), contentType(s)),
      bodies(s, activity),
    )
    .map(([id, rest, hs, body]): HttpProbe => ({ kind: 'http', method: 'POST', target: path(id, rest), headers: hs, body }));
  const get = fc
    .tuple(segment(s, '{{conv}}'), watermark(s), withHeaders(s, directLineAuth(s), fc.constant(undefined)))
    .map(([id, wm, hs]): HttpProbe => ({ kind: 'http', method: 'GET', target: `${path(id)}${wm === undefined ? '' : `?watermark=${wm}`}`, headers: hs }));
  const activityPost = (body: Body): HttpProbe => ({
    kind: 'http',
    method: 'POST',
    target: path('{{conv}}'),
    headers: [
      ['Authorization', 'Bearer {{token}}'],
      ['Content-Type', 'application/json'],
    ],
    body,
  });
  return {
    name: 'dl-activities',
    server: 'main',
    weight: 16,
    about: 'GET and POST /v3/directline/conversations/:id/activities',
    arbitrary: fc.oneof({ weight: 4, arbitrary: post }, { weight: 1, arbitrary: get }),
    examples: [
      activityPost(json(o(['type', 'message']))),
      activityPost(json(o(['type', 'message'], ['text', 'labdien'], ['value', { $deep: 2_500, shape: 'array' }]))),
      activityPost(json(o(['type', 'message'], ['text', 'labdien'], ['channelData', { $deep: 2_500, shape: 'object' }]))),
      activityPost(json(o(['type', 'event'], ['name', 'webchat/join'], ['value', { $deep: 2_500, shape: 'array' }]))),
      activityPost(json(o(['type', 'message'], ['text', `${'ā'.repeat(4_999)}`]))),
      activityPost({ text: `{"type":"message","text":"${'x'.repeat(70_000)}"}` }),
      { kind: 'http', method: 'GET', target: `${path('{{conv}}')}?watermark=1&watermark=2`, headers: [['Authorization', 'Bearer {{token}}']] },
    ],
  };
}

// ---- the stream ----

function upgradeHeaders(s: Strings): fc.Arbitrary<[string, string][]> {
  const usual = (v: string, odd: string[]) =>
    fc.oneof(
      { weight: 10, arbitrary: fc.constant<string | undefined>(v) },
      { weight: 2, arbitrary: fc.constantFrom<string | undefined>(undefined, ...odd) },
      { weight: 1, arbitrary: s.headerValue },
    );
  return fc
    .tuple(
      usual('websocket', ['WebSocket', 'h2c', '', 'websocket, h2c']),
      usual('Upgrade', ['keep-alive, Upgrade', 'close', 'upgrade', '']),
      usual(WS_KEY, ['', 'short', '!!!!', 'A'.repeat(200)]),
      usual('13', ['8', '14', '', 'x', '13, 8']),
      fc.oneof({ weight: 6, arbitrary: fc.constant<string | undefined>(undefined) }, { weight: 1, arbitrary: directLineAuth(s) }),
      fc.oneof(
        { weight: 6, arbitrary: fc.constant<string | undefined>(undefined) },
        { weight: 1, arbitrary: fc.constantFrom('permessage-deflate', 'permessage-deflate; client_max_window_bits=1', 'x') },
      ),
      extraHeaders(s),
    )
    .map(([upgrade, connection, key, version, auth, ext, extra]) => [
      ...headers(
        ['Upgrade', upgrade],
        ['Connection', connection],
        ['Sec-WebSocket-Key', key],
        ['Sec-WebSocket-Version', version],
        ['Authorization', auth],
        ['Sec-WebSocket-Extensions', ext],
      ),
      ...extra,
    ]);
}

function streamUpgrade(s: Strings): Group {
  const t = fc.oneof(
    { weight: 8, arbitrary: fc.constant('{{streamToken}}') },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '',
        '{{token}}',
        '{{expiredStream}}',
        '{{otherStream}}',
        '{{noneAlgToken}}',
        '{{secret}}',
        '{{streamToken}}x',
        'a.b.c',
        '%',
        '%ZZ',
        '%FF',
      ),
    },
    { weight: 1, arbitrary: s.short.map(encoded) },
  );
  const q = query(s, [t.map((v): [string, string] => ['t', v]), watermark(s).map((v): [string, string] => ['watermark', v ?? '0'])]);
  const target = fc.oneof(
    {
      weight: 10,
      arbitrary: fc
        .tuple(segment(s, '{{conv}}'), fc.constantFrom('/stream', '/stream', '/stream', '/stream/', '/streamx', '/stream/x'), q)
        .map(([id, rest, qs]) => `${DL}/conversations/${id}${rest}${qs}`),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('/', '/staff', `${DL}/conversations/{{conv}}/activities`, '/api/messages', '/%', `${DL}/conversations/%/streamx`, '*', '//'),
    },
  );
  const upgrade = http(
    fc.oneof({ weight: 10, arbitrary: fc.constant('GET') }, { weight: 1, arbitrary: fc.constantFrom('POST', 'HEAD', 'OPTIONS') }),
    target,
    upgradeHeaders(s),
    fc.constant(undefined),
  );
  const valid: [string, string][] = [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', WS_KEY],
    ['Sec-WebSocket-Version', '13'],
  ];
  const example = (target: string): HttpProbe => ({ kind: 'http', method: 'GET', target, headers: valid });
  return {
    name: 'stream-upgrade',
    server: 'main',
    weight: 8,
    about: 'WebSocket upgrade of /v3/directline/conversations/:id/stream: paths, escapes, t=, headers',
    arbitrary: upgrade,
    examples: [
      example(`${DL}/conversations/{{conv}}/stream?t={{streamToken}}`),
      example(`${DL}/conversations/%/stream`),
      example(`${DL}/conversations/%ZZ/stream?t={{streamToken}}`),
      example(`${DL}/conversations/%FF/stream`),
      example(`${DL}/conversations/%C0%AF/stream`),
      example(`${DL}/conversations/{{conv}}%E2%82/stream?t={{streamToken}}`),
      example(`${DL}/conversations/{{conv}}/stream?t=`),
      example(`${DL}/conversations/{{conv}}/stream`),
      example(`${DL}/conversations/{{conv}}/stream?t=%`),
    ],
  };
}

function payloadArb(s: Strings): fc.Arbitrary<Payload> {
  return fc.oneof(
    { weight: 3, arbitrary: s.text.map((text): Payload => ({ text })) },
    { weight: 1, arbitrary: fc.constantFrom<Payload>({ text: '' }, { text: '{"type":"message","text":"hi"}' }, { text: '{"activities":[],"watermark":"1"}' }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 70_000 }).map((times): Payload => ({ repeat: 'x', times })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b): Payload => ({ hex: Buffer.from(b).toString('hex') })) },
  );
}

function frameArb(s: Strings): fc.Arbitrary<FrameTpl> {
  const payload = payloadArb(s);
  const small = fc.uint8Array({ maxLength: 200 }).map((b): Payload => ({ hex: Buffer.from(b).toString('hex') }));
  const frame = (op: number, p: fc.Arbitrary<Payload>) => p.map((pl): FrameTpl => ({ op, fin: true, rsv: 0, masked: true, payload: pl }));
  return fc.oneof(
    { weight: 4, arbitrary: frame(1, payload) },
    { weight: 2, arbitrary: frame(2, payload) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(9, 10), small).map(([op, pl]): FrameTpl => ({ op, fin: true, rsv: 0, masked: true, payload: pl })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.oneof(fc.constantFrom(1000, 1001, 1005, 1006, 1011, 999, 2999, 4000, 4999, 65535), fc.nat({ max: 65535 })),
          fc.oneof(s.short, fc.constant('\ud800')),
        )
        .map(([closeCode, reason]): FrameTpl => ({ op: 8, fin: true, rsv: 0, masked: true, payload: { closeCode, reason } })),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({
          op: fc.integer({ min: 0, max: 15 }),
          fin: fc.boolean(),
          rsv: fc.integer({ min: 0, max: 7 }),
          masked: fc.boolean(),
          payload: small,
          declared: maybe(fc.oneof(fc.integer({ min: 0, max: 70_000 }), fc.constantFrom(2 ** 32, 2 ** 53 - 1)), 2),
        })
        .map((f): FrameTpl =>
          f.declared === undefined ? { op: f.op, fin: f.fin, rsv: f.rsv, masked: f.masked, payload: f.payload } : { ...f, declared: f.declared },
        ),
    },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b): FrameTpl => ({ garbage: Buffer.from(b).toString('hex') })) },
  );
}

function streamFrames(s: Strings): Group {
  const probe = fc
    .record({
      watermark: maybe(fc.oneof(fc.nat({ max: 20 }).map(String), fc.constantFrom('999999999999999'))),
      frames: fc.array(frameArb(s), { maxLength: 6 }),
      pauseMs: fc.constantFrom(0, 0, 0, 10, 40),
      finish: fc.constantFrom<StreamProbe['finish']>('close', 'fin', 'destroy'),
    })
    .map((p): StreamProbe =>
      p.watermark === undefined ? { kind: 'stream', frames: p.frames, pauseMs: p.pauseMs, finish: p.finish } : { kind: 'stream', ...p, watermark: p.watermark },
    );
  const churn = fc
    .record({ opens: fc.integer({ min: 2, max: 12 }), how: fc.constantFrom<ChurnProbe['how']>('close', 'terminate', 'abort-handshake', 'concurrent') })
    .map((c): ChurnProbe => ({ kind: 'churn', ...c }));
  const text = (t: string): FrameTpl => ({ op: 1, fin: true, rsv: 0, masked: true, payload: { text: t } });
  return {
    name: 'stream-frames',
    server: 'main',
    weight: 6,
    about: 'after a valid stream open: binary, huge, garbage and invalid frames; fast open/close (ws client)',
    arbitrary: fc.oneof({ weight: 4, arbitrary: probe }, { weight: 1, arbitrary: churn }),
    examples: [
      { kind: 'stream', frames: [text('')], pauseMs: 0, finish: 'close' },
      { kind: 'stream', frames: [{ op: 2, fin: true, rsv: 0, masked: true, payload: { hex: 'deadbeef' } }], pauseMs: 0, finish: 'close' },
      { kind: 'stream', frames: [{ op: 1, fin: true, rsv: 0, masked: true, payload: { repeat: 'x', times: 70_000 } }], pauseMs: 0, finish: 'close' },
      { kind: 'stream', frames: [{ garbage: 'ffffffffffffffffffff' }], pauseMs: 0, finish: 'fin' },
      { kind: 'stream', frames: [{ op: 1, fin: true, rsv: 0, masked: false, payload: { text: 'x' } }], pauseMs: 0, finish: 'fin' },
      { kind: 'stream', frames: [{ op: 1, fin: true, rsv: 0, masked: true, payload: { text: 'x' }, declared: 1_000 }], pauseMs: 0, finish: 'fin' },
      { kind: 'churn', opens: 10, how: 'terminate' },
      { kind: 'churn', opens: 8, how: 'concurrent' },
    ],
  };
}

// ---- Bot Framework channel ----

function botFrameworkActivity(s: Strings): fc.Arbitrary<Tpl> {
  const t = fc.oneof({ weight: 4, arbitrary: s.text }, { weight: 1, arbitrary: s.json });
  const account = obj({
    id: fc.oneof(fc.constantFrom('citizen-1', 'citizen-2', 'padoms'), t),
    name: t,
    role: fc.oneof(fc.constantFrom('user', 'bot'), t),
    aadObjectId: t,
  });
  return obj(
    {
      type: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom('message', 'message', 'conversationUpdate', 'event', 'invoke', 'messageReaction', 'typing') },
        {
          weight: 2,
          arbitrary: fc.constantFrom('endOfConversation', 'installationUpdate', 'handoff', 'delete', 'messageUpdate', 'trace', '', 'MESSAGE', 'command'),
        },
        { weight: 1, arbitrary: s.json },
      ),
      id: t,
      timestamp: fc.oneof(fc.constantFrom('2026-11-16T10:00:00.000Z', 'yesterday', ''), t),
      localTimestamp: t,
      serviceUrl: fc.oneof(
        { weight: 6, arbitrary: fc.constant('{{connector}}') },
        { weight: 1, arbitrary: fc.constantFrom('http://127.0.0.1:1/', '', 'not a url', 'file:///etc/passwd', 'http://[::1') },
        { weight: 1, arbitrary: t },
      ),
      channelId: fc.oneof(fc.constantFrom('emulator', 'msteams', 'directline', 'facebook', 'webchat', ''), t),
      from: fc.oneof({ weight: 4, arbitrary: account }, { weight: 1, arbitrary: s.json }),
      conversation: fc.oneof(
        {
          weight: 4,
          arbitrary: obj({
            id: fc.oneof(fc.constantFrom('fuzz-conv-1', 'fuzz-conv-2', 'fuzz-conv-3'), t),
            isGroup: fc.boolean(),
            conversationType: t,
            tenantId: t,
          }),
        },
        { weight: 1, arbitrary: s.json },
      ),
      recipient: fc.oneof(account, s.json),
      text: t,
      locale: fc.oneof(fc.constantFrom('lv-LV', 'en-US', 'xx'), t),
      value: s.json,
      name: t,
      entities: fc.oneof(arr(obj({ type: t, text: t })), s.json),
      channelData: s.json,
      membersAdded: fc.oneof(arr(account), s.json),
      membersRemoved: fc.oneof(arr(account), s.json),
      attachments: fc.oneof(arr(obj({ contentType: t, contentUrl: t, content: s.json })), s.json),
      replyToId: t,
      relatesTo: s.json,
      textFormat: t,
      reactionsAdded: fc.oneof(arr(obj({ type: t })), s.json),
    },
    fc.tuple(s.key, s.json),
  );
}

function botFrameworkMessages(s: Strings): Group {
  const auth = fc.oneof(
    { weight: 6, arbitrary: fc.constant<string | undefined>(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('Bearer ', 'Bearer a.b.c', 'Bearer eyJhbGciOiJub25lIn0.e30.', 'Basic Og==') },
    { weight: 1, arbitrary: s.headerValue },
  );
  const post = http(
    fc.constant('POST'),
    fc.constantFrom('/api/messages', '/api/messages', '/api/messages/', '/api/messages?x=1'),
    withHeaders(s, auth, contentType(s)),
    bodies(s, botFrameworkActivity(s)),
  );
  const other = http(
    fc.constantFrom('GET', 'PUT', 'OPTIONS', 'DELETE'),
    fc.constant('/api/messages'),
    withHeaders(s, auth, contentType(s)),
    maybe(bodies(s, s.json)),
  );
  const message = (...entries: [string, Tpl][]): HttpProbe => ({
    kind: 'http',
    method: 'POST',
    target: '/api/messages',
    headers: [['Content-Type', 'application/json']],
    body: json(o(...entries)),
  });
  const full = (more: [string, Tpl][]): HttpProbe =>
    message(
      ['type', 'message'],
      ['id', 'm1'],
      ['channelId', 'emulator'],
      ['serviceUrl', '{{connector}}'],
      ['from', o(['id', 'citizen-1'], ['role', 'user'])],
      ['recipient', o(['id', 'padoms'])],
      ['conversation', o(['id', 'fuzz-conv-1'])],
      ['locale', 'lv-LV'],
      ...more,
    );
  return {
    name: 'bf-messages',
    server: 'main',
    weight: 10,
    about: 'POST /api/messages (Bot Framework activities; loopback-only with no MicrosoftAppId)',
    arbitrary: fc.oneof({ weight: 6, arbitrary: post }, { weight: 1, arbitrary: other }),
    examples: [
      message(['type', 'message']),
      message(),
      full([['text', 'labdien']]),
      full([
        ['text', 'labdien'],
        ['value', { $deep: 2_500, shape: 'array' }],
      ]),
      message(['type', 'conversationUpdate'], ['serviceUrl', '{{connector}}'], ['conversation', o(['id', 'fuzz-conv-2'])]),
      message(['type', 'message'], ['text', 'x'], ['serviceUrl', '{{connector}}'], ['conversation', o(['id', 'fuzz-conv-3'])], ['from', 'not an object']),
      // An Accept header restify has no formatter for, on an error answer.
      {
        ...message(['type', 'message'], ['text', `labdien ${s.marker}`]),
        headers: [
          ['Content-Type', 'application/json'],
          ['Accept', 'text/x-fuzz'],
        ],
      },
      full([
        ['type', 'invoke'],
        ['name', 'fuzz/invoke'],
      ]),
    ],
  };
}

// ---- Messenger ----

function messenger(s: Strings): Group {
  const t = fc.oneof({ weight: 4, arbitrary: s.text }, { weight: 1, arbitrary: s.json });
  const psid = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('1000001', '1000002', '1000003') }, { weight: 1, arbitrary: t });
  const event = obj(
    {
      sender: fc.oneof(obj({ id: psid, user_ref: t }), s.json),
      recipient: fc.oneof(obj({ id: fc.constantFrom('9000001') }), s.json),
      // Meta's events carry the time they happened; older than 24 hours and the bot may not answer.
      timestamp: fc.oneof(
        { weight: 6, arbitrary: fc.constant<Tpl>({ $num: '{{nowMs}}' }) },
        { weight: 1, arbitrary: fc.constantFrom<Tpl>(0, -1, 1e300) },
        { weight: 1, arbitrary: s.json },
      ),
      message: fc.oneof(obj({ mid: fc.oneof(s.short, t), text: t, is_echo: fc.boolean(), quick_reply: obj({ payload: t }), attachments: s.json }), s.json),
      postback: fc.oneof(obj({ mid: s.short, title: t, payload: fc.oneof(fc.constantFrom('GET_STARTED', 'LANG_en', 'MENU_HUMAN'), t) }), s.json),
      read: s.json,
      delivery: s.json,
    },
    fc.tuple(s.key, s.json),
  );
  const webhook = obj(
    {
      object: fc.oneof({ weight: 4, arbitrary: fc.constant<Tpl>('page') }, { weight: 1, arbitrary: t }),
      entry: fc.oneof(
        { weight: 4, arbitrary: arr(obj({ id: s.short, time: fc.integer(), messaging: fc.oneof(arr(event, 3), s.json) }), 3) },
        { weight: 1, arbitrary: s.json },
      ),
    },
    fc.tuple(s.key, s.json),
  );
  const signature = fc.oneof(
    { weight: 8, arbitrary: fc.constant<string | undefined>('{{sig}}') },
    {
      weight: 2,
      arbitrary: fc.constantFrom<string | undefined>(
        undefined,
        '',
        'sha256=',
        `sha256=${'0'.repeat(64)}`,
        'sha1=0000',
        '{{sig}}0',
        'SHA256=abc',
        `sha256=${'z'.repeat(64)}`,
      ),
    },
    { weight: 1, arbitrary: s.headerValue },
  );
  const post = fc.tuple(signature, contentType(s), extraHeaders(s), bodies(s, webhook)).map(([sig, ct, extra, body]): HttpProbe => ({
    kind: 'http',
    method: 'POST',
    target: '/api/messenger',
    headers: [...headers(['X-Hub-Signature-256', sig], ['Content-Type', ct]), ...extra],
    body,
  }));
  const verify = fc
    .tuple(
      query(s, [
        fc.oneof(fc.constant('subscribe'), s.short.map(encoded)).map((v): [string, string] => ['hub.mode', v]),
        fc.oneof(fc.constant('{{verify}}'), s.short.map(encoded)).map((v): [string, string] => ['hub.verify_token', v]),
        fc
          .oneof(fc.constantFrom('1158201444', 'x'.repeat(600), '', '<b>', '%', '%ZZ'), s.short.map(encoded))
          .map((v): [string, string] => ['hub.challenge', v]),
      ]),
      extraHeaders(s),
    )
    .map(([qs, extra]): HttpProbe => ({ kind: 'http', method: 'GET', target: `/api/messenger${qs}`, headers: extra }));
  const delivery = (text: string): HttpProbe => ({
    kind: 'http',
    method: 'POST',
    target: '/api/messenger',
    headers: [
      ['X-Hub-Signature-256', '{{sig}}'],
      ['Content-Type', 'application/json'],
    ],
    body: json(
      o(
        ['object', 'page'],
        [
          'entry',
          [
            o(
              ['id', '9000001'],
              ['time', 1],
              [
                'messaging',
                [
                  o(
                    ['sender', o(['id', '1000009'])],
                    ['recipient', o(['id', '9000001'])],
                    ['timestamp', { $num: '{{nowMs}}' }],
                    ['message', o(['mid', `m-${text.length}`], ['text', text])],
                  ),
                ],
              ],
            ),
          ],
        ],
      ),
    ),
  });
  return {
    name: 'messenger',
    server: 'main',
    weight: 8,
    about: 'GET /api/messenger (verify) and POST /api/messenger (signed and unsigned deliveries)',
    settleMs: 60,
    arbitrary: fc.oneof({ weight: 3, arbitrary: post }, { weight: 1, arbitrary: verify }),
    examples: [
      { kind: 'http', method: 'GET', target: `/api/messenger?hub.mode=${s.marker}&hub.verify_token=x&hub.challenge=1`, headers: [] },
      { kind: 'http', method: 'GET', target: '/api/messenger?hub.mode=subscribe&hub.mode=subscribe&hub.verify_token={{verify}}&hub.challenge=1', headers: [] },
      delivery(`labdien ${s.marker}`),
      {
        kind: 'http',
        method: 'POST',
        target: '/api/messenger',
        headers: [
          ['X-Hub-Signature-256', '{{sig}}'],
          ['Content-Type', 'application/json'],
        ],
        body: json(o(['object', 'page'], ['entry', { $deep: 2_500, shape: 'array' }])),
      },
    ],
  };
}

// ---- staff console ----

type StaffBody = 'login' | 'status' | 'languages' | 'text' | 'account' | 'role' | 'draft' | 'publish' | 'rollback' | 'inbox' | 'impact' | 'none';
/** An agency's console API (bot/staff/api.ts): `:agency` is mostly the default agency's, sometimes another or none. */
const A = '/staff/api/agencies/:agency';
const STAFF_ROUTES: [string, string, StaffBody][] = [
  ['POST', '/staff/api/login', 'login'],
  ['GET', '/staff/api/me', 'none'],
  ['GET', `${A}/state`, 'none'],
  ['POST', `${A}/status`, 'status'],
  ['POST', '/staff/api/languages', 'languages'],
  ['GET', `${A}/tickets/:ticket`, 'none'],
  ['POST', `${A}/tickets/:ticket/accept`, 'none'],
  ['POST', `${A}/tickets/:ticket/messages`, 'text'],
  ['POST', `${A}/tickets/:ticket/hand-back`, 'none'],
  ['POST', `${A}/tickets/:ticket/close`, 'none'],
  ['POST', `${A}/tickets/:ticket/notes`, 'text'],
  ['GET', `${A}/tickets/:ticket/transcript`, 'none'],
  ['GET', `${A}/cases/:case`, 'none'],
  ['POST', `${A}/cases/:case/close`, 'none'],
  ['POST', `${A}/cases/:case/notes`, 'text'],
  ['GET', `${A}/cases/:case/transcript`, 'none'],
  ['GET', `${A}/events`, 'none'],
  ['GET', `${A}/report`, 'none'],
  ['GET', `${A}/accounts`, 'none'],
  ['POST', `${A}/accounts`, 'account'],
  ['POST', `${A}/accounts/:login/role`, 'role'],
  ['POST', `${A}/accounts/:login/disable`, 'none'],
  ['POST', `${A}/accounts/:login/enable`, 'none'],
  ['GET', '/staff/reports', 'none'],
  ['GET', `${A}/studio/entries`, 'none'],
  ['GET', `${A}/studio/reminders`, 'none'],
  ['POST', `${A}/studio/preview`, 'text'],
  ['GET', `${A}/studio/entries/:entry`, 'none'],
  ['PUT', `${A}/studio/entries/:entry/draft`, 'draft'],
  ['DELETE', `${A}/studio/entries/:entry/draft`, 'none'],
  ['GET', `${A}/studio/drafts`, 'none'],
  ['POST', `${A}/studio/publish`, 'publish'],
  ['GET', `${A}/studio/entries/:entry/versions`, 'none'],
  ['GET', `${A}/studio/entries/:entry/diff`, 'none'],
  ['POST', `${A}/studio/entries/:entry/rollback`, 'rollback'],
  ['GET', `${A}/studio/inbox`, 'none'],
  ['POST', `${A}/studio/inbox/handle`, 'inbox'],
  ['POST', `${A}/studio/impact`, 'impact'],
  ['GET', '/staff/studio', 'none'],
  ['GET', '/staff/studio-editor.js', 'none'],
  ['POST', '/staff/api/logout', 'none'],
];

function staff(s: Strings): Group {
  const t = fc.oneof({ weight: 4, arbitrary: s.text }, { weight: 1, arbitrary: s.json });
  const shapes: Record<StaffBody, fc.Arbitrary<Tpl>> = {
    login: obj(
      { login: fc.oneof(fc.constantFrom('fuzz', 'FUZZ ', 'admin', ''), t), password: fc.oneof(fc.constantFrom('wrong-password-1', ''), t) },
      fc.tuple(s.key, s.json),
    ),
    status: obj({ status: fc.oneof(fc.constantFrom('online', 'away', 'offline'), t) }),
    languages: obj({ languages: fc.oneof(arr(fc.oneof(fc.constantFrom('lv', 'en', 'ru', 'xx', ''), t), 25), t) }),
    text: obj({ text: t }),
    account: obj({
      name: fc.oneof(fc.constantFrom('Fuzz Tests', ''), t),
      login: fc.oneof(fc.constantFrom('fuzz2', 'FUZZ ', ''), t),
      languages: fc.oneof(arr(fc.oneof(fc.constantFrom('lv', 'xx'), t), 25), t),
      role: fc.oneof(fc.constantFrom('staff', 'admin', 'root'), t),
      password: fc.oneof(fc.constantFrom('wrong-password-1', ''), t),
    }),
    role: obj({ role: fc.oneof(fc.constantFrom('staff', 'editor', 'publisher', 'admin', 'none', 'installation-admin'), t) }),
    // The studio's drafts: an entry (any JSON, deep or not an object), a removal, a base version.
    draft: obj({
      entry: fc.oneof(
        s.json,
        obj({ id: fc.oneof(fc.constantFrom('dvi.consent', 'fuzz.new', ''), t), questions: obj({ lv: arr(t, 5) }), answer: obj({ lv: t }) }),
      ),
      remove: fc.oneof(fc.constantFrom(true, false), t),
      baseVersion: fc.oneof(fc.constantFrom(null, 1, 2, 0, -1, 1.5), t),
    }),
    publish: obj({ ids: fc.oneof(arr(fc.oneof(fc.constantFrom('dvi.consent', 'fuzz.new', ''), t), 5), t) }),
    rollback: obj({ version: fc.oneof(fc.constantFrom(1, 2, 0, -1, 1e308), t) }),
    // The inbox's actions on a group, and the impact's drafts.
    inbox: obj({
      key: fc.oneof(fc.constantFrom('0'.repeat(32), 'f'.repeat(32), ''), t),
      through: fc.oneof(fc.constantFrom('2026-11-16T09:00:00.000Z', '9999-99-99T00:00:00Z', ''), t),
      days: fc.oneof(fc.constantFrom(30, 0, 367, -1, 1.5), t),
      action: fc.oneof(fc.constantFrom('phrasing', 'new-entry', 'authority', 'dismiss', 'delete'), t),
      entryId: fc.oneof(fc.constantFrom('dvi.contacts', 'Not An Id', ''), t),
      authorityId: fc.oneof(fc.constantFrom('vid', 'nowhere'), t),
      example: fc.oneof(fc.constantFrom(0, 4, 21, -1), t),
    }),
    impact: obj({
      drafts: fc.oneof(
        arr(obj({ entryId: fc.oneof(fc.constantFrom('dvi.contacts', 'dvi.new', 'X'), t), entry: fc.oneof(s.json, t), remove: fc.oneof(fc.boolean(), t) }), 5),
        t,
      ),
    }),
    none: s.json,
  };
  // The route's own body shape mostly, sometimes another route's.
  const bodyFor = (shape: StaffBody) =>
    fc.oneof(
      { weight: 4, arbitrary: bodies(s, shapes[shape]) },
      { weight: 1, arbitrary: bodies(s, fc.oneof(shapes.login, shapes.status, shapes.languages, shapes.text)) },
    );
  const id = (kind: 'ticket' | 'case') =>
    fc.oneof(
      { weight: 3, arbitrary: kind === 'ticket' ? fc.uuid().map(String) : fc.constantFrom('P-20261116-ABCDEF', 'P-20260101-000000') },
      { weight: 1, arbitrary: fc.constantFrom(...BAD_ESCAPES) },
      { weight: 1, arbitrary: s.short.map(encoded) },
    );
  const agency = fc.oneof(
    { weight: 6, arbitrary: fc.constant('dvi') },
    { weight: 1, arbitrary: fc.constantFrom('library', 'nowhere', '', '..', 'DVI', '-') },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_ESCAPES) },
    { weight: 1, arbitrary: s.short.map(encoded) },
  );
  const account = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('fuzz', 'fuzz2', 'admin') }, { weight: 1, arbitrary: s.short.map(encoded) });
  const entry = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('dvi.consent', 'fuzz.new', 'smalltalk.greeting') },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_ESCAPES) },
    { weight: 1, arbitrary: s.short.map(encoded) },
  );
  const reportQuery = query(s, [
    fc.oneof(fc.constantFrom('2026-01-01', '9999-99-99', '', '2026-02-30', '1970-01-01'), s.short.map(encoded)).map((v): [string, string] => ['from', v]),
    fc.oneof(fc.constantFrom('2026-12-31', '0000-00-00', ''), s.short.map(encoded)).map((v): [string, string] => ['to', v]),
    fc.constantFrom('json', 'csv', 'xml', '').map((v): [string, string] => ['format', v]),
    // The studio's entries list: its search and filter.
    fc.oneof(fc.constantFrom('karte', '', 'x'.repeat(201)), s.short.map(encoded)).map((v): [string, string] => ['q', v]),
    fc.constantFrom('1', 'true', '', '0').map((v): [string, string] => ['overdue', v]),
    // A diff's two versions.
    fc.oneof(fc.constantFrom('1', '2', '0', '-1', 'x', ''), s.short.map(encoded)).map((v): [string, string] => ['from', v]),
    fc.oneof(fc.constantFrom('1', '2', 'draft', ''), s.short.map(encoded)).map((v): [string, string] => ['to', v]),
    // The inbox's period.
    fc.oneof(fc.constantFrom('30', '0', '367', '1.5', ''), s.short.map(encoded)).map((v): [string, string] => ['days', v]),
  ]);
  const cookie = fc.oneof(
    { weight: 12, arbitrary: fc.constant<string | undefined>('{{session}}') },
    {
      weight: 2,
      arbitrary: fc.constantFrom<string | undefined>(
        undefined,
        '__Host-padoms-staff=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        '__Host-padoms-staff=',
        'padoms-staff={{sessionToken}}',
        '{{session}}; {{session}}',
        `a=${'b'.repeat(8_000)}`,
        '=;=;=',
        '__Host-padoms-staff=%ZZ',
      ),
    },
    { weight: 1, arbitrary: s.headerValue },
  );
  const csrf = fc.oneof(
    { weight: 12, arbitrary: fc.constant<string | undefined>('{{csrf}}') },
    { weight: 2, arbitrary: fc.constant<string | undefined>(undefined) },
    { weight: 1, arbitrary: s.headerValue },
  );
  const origin = fc.oneof(
    { weight: 4, arbitrary: fc.constant<string | undefined>(undefined) },
    { weight: 2, arbitrary: fc.constant<string | undefined>('http://{{host}}') },
    { weight: 1, arbitrary: fc.constantFrom<string | undefined>('null', 'https://evil.example', 'http://[', '') },
  );
  const fetchSite = fc.oneof(
    { weight: 4, arbitrary: fc.constant<string | undefined>(undefined) },
    { weight: 1, arbitrary: fc.constantFrom<string | undefined>('same-origin', 'cross-site', 'none', 'same-site', '') },
  );
  const api = fc
    .constantFrom(...STAFF_ROUTES)
    .chain((route) =>
      fc.tuple(
        fc.constant(route),
        id('ticket'),
        id('case'),
        fc.tuple(agency, account, entry),
        reportQuery,
        cookie,
        csrf,
        origin,
        fetchSite,
        contentType(s),
        maybe(bodyFor(route[2]), 4),
        extraHeaders(s),
      ),
    )
    .map(([[method, template], ticket, kase, [where, who, what], qs, c, x, or, site, ct, b, extra]): HttpProbe => {
      // Logging out with the fuzzer's own session, or disabling its account, would end it for every later probe.
      const endsSession = template === '/staff/api/logout' || (template.endsWith('/disable') && who === 'fuzz');
      const ownSession = endsSession && c?.includes('{{session') ? undefined : c;
      const target =
        template.replace(':agency', where).replace(':ticket', ticket).replace(':case', kase).replace(':login', who).replace(':entry', what) +
        (template.endsWith('/report') || template.endsWith('/studio/entries') || template.endsWith('/diff') || template.endsWith('/studio/inbox') ? qs : '');
      const hs = [
        ...headers(['Cookie', ownSession], ['X-CSRF-Token', x], ['Origin', or], ['Sec-Fetch-Site', site], ['Content-Type', method === 'GET' ? undefined : ct]),
        ...extra,
      ];
      return b === undefined || method === 'GET' ? { kind: 'http', method, target, headers: hs } : { kind: 'http', method, target, headers: hs, body: b };
    });
  const form = fc
    .tuple(
      fc.constantFrom('/staff/api/login', '/staff/api/agencies/dvi/status', '/staff/api/agencies/dvi/tickets/00000000-0000-4000-8000-000000000000/messages'),
      s.short,
      s.short,
    )
    .map(([target, a, b]): HttpProbe => ({
      kind: 'http',
      method: 'POST',
      target,
      headers: [
        ['Content-Type', 'application/x-www-form-urlencoded'],
        ['Cookie', '{{session}}'],
        ['X-CSRF-Token', '{{csrf}}'],
      ],
      body: { text: `login=${encoded(a)}&password=${encoded(b)}` },
    }));
  const login = (b: Body, extra: [string, string][] = []): HttpProbe => ({
    kind: 'http',
    method: 'POST',
    target: '/staff/api/login',
    headers: [['Content-Type', 'application/json'], ...extra],
    body: b,
  });
  return {
    name: 'staff',
    server: 'main',
    weight: 10,
    about: "/staff console API: login, session and CSRF checks, agencies, ids, bodies, the report, an agency's staff",
    arbitrary: fc.oneof({ weight: 6, arbitrary: api }, { weight: 1, arbitrary: form }),
    examples: [
      login(json(o(['login', `fuzz${s.marker}`], ['password', `wrong ${s.marker}`]))),
      login(json(o(['login', { $deep: 2_500, shape: 'array' }]))),
      {
        kind: 'http',
        method: 'POST',
        target: '/staff/api/agencies/dvi/status',
        headers: [
          ['Cookie', '{{session}}'],
          ['Content-Type', 'application/json'],
        ],
        body: json(o(['status', 'away'])),
      },
      {
        kind: 'http',
        method: 'POST',
        target: '/staff/api/agencies/dvi/tickets/00000000-0000-4000-8000-000000000000/notes',
        headers: [
          ['Cookie', '{{session}}'],
          ['X-CSRF-Token', '{{csrf}}'],
          ['Content-Type', 'application/json'],
        ],
        body: json(o(['text', s.marker])),
      },
      { kind: 'http', method: 'GET', target: `/staff/api/agencies/dvi/report?from=${s.marker}&to=2026-12-31`, headers: [['Cookie', '{{session}}']] },
      {
        kind: 'http',
        method: 'GET',
        target: '/staff/api/agencies/dvi/report?from=0001-01-01&to=9999-12-31&format=csv',
        headers: [['Cookie', '{{session}}']],
      },
    ],
  };
}

// ---- static pages, health, metrics ----

const STATIC_PATHS = [
  '/',
  // An agency's page, and one not served.
  '/dvi/',
  '/nosuch/',
  '/widget.js',
  '/widget.css',
  '/assets/page.css',
  '/webchat/webchat.js',
  '/webchat/webchat.js?v=4.18.1',
  '/staff',
  '/staff/',
  '/staff/console.js',
  '/staff/console.css',
  '/staff/dom.js',
  '/staff/reports.js',
  '/staff/reports.css',
  '/healthz',
  '/readyz',
  '/metrics',
  '/favicon.ico',
  '/robots.txt',
];
const TRAVERSALS = [
  '/..%2f..%2fpackage.json',
  '/webchat/..%2f..%2f..%2fetc%2fpasswd',
  '/assets/%2e%2e/%2e%2e/package.json',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/..\\..\\package.json',
  '/webchat/%252e%252e/%252e%252e/package.json',
  '/assets/..%c0%af..%c0%afpackage.json',
  '/staff/..%2f..%2fbot%2fconfig.ts',
  '/webchat/....//....//package.json',
  '/assets/%2e%2e%5c%2e%2e%5cpackage.json',
  '/widget.js/..%2f..%2fpackage.json',
  '/assets/page.css%00.js',
  '//etc/passwd',
  '/./healthz',
  '/healthz/../metrics',
];

function staticPages(s: Strings): Group {
  const suffix = fc.constantFrom(
    '',
    '',
    '',
    '/',
    '%2f',
    '/..',
    '/%2e%2e/',
    '%00',
    '%',
    '%ZZ',
    '%FF',
    '%C0%AF',
    '//',
    '/./',
    '?%',
    '?%ZZ=1',
    '#frag',
    ';x=1',
    '?v=%',
    '.bak',
    '~',
  );
  const target = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...STATIC_PATHS), suffix).map(([p, x]) => p + x) },
    { weight: 3, arbitrary: fc.constantFrom(...TRAVERSALS) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('a', '/', '/a', '%2e', 'ā'), fc.constantFrom(100, 1_000, 8_000, 17_000, 70_000))
        .map(([unit, n]) => `/${unit.repeat(Math.ceil(n / unit.length))}`),
    },
    { weight: 1, arbitrary: fc.constantFrom('*', 'http://127.0.0.1/healthz', 'http://evil.example/', 'healthz', '', '/\u0000', '/ä', '/%20', '/a b') },
    { weight: 2, arbitrary: s.short.map((v) => `/${encoded(v)}`) },
  );
  const method = fc.oneof(
    { weight: 8, arbitrary: fc.constant('GET') },
    { weight: 3, arbitrary: fc.constantFrom('HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH', 'TRACE', 'PROPFIND', 'get', 'GÉT') },
  );
  const auth = fc.oneof(
    { weight: 6, arbitrary: fc.constant<string | undefined>(undefined) },
    { weight: 1, arbitrary: fc.constantFrom<string | undefined>('Bearer {{metricsToken}}', 'Bearer wrong', 'Bearer ', 'Basic Og==') },
    { weight: 1, arbitrary: s.headerValue },
  );
  const ct = fc.oneof({ weight: 4, arbitrary: fc.constant<string | undefined>(undefined) }, { weight: 1, arbitrary: contentType(s) });
  const body = fc.oneof({ weight: 5, arbitrary: fc.constant<Body | undefined>(undefined) }, { weight: 1, arbitrary: bodies(s, s.json) });
  const probe = http(method, target, withHeaders(s, auth, ct), body);
  const get = (target: string, hs: [string, string][] = []): HttpProbe => ({ kind: 'http', method: 'GET', target, headers: hs });
  return {
    name: 'static',
    server: 'main',
    weight: 8,
    about: 'static pages, /healthz, /readyz, /metrics: traversal, overlong and badly escaped paths, methods',
    arbitrary: probe,
    examples: [
      get('/', [
        ['Content-Type', 'application/json'],
        ['Content-Encoding', 'gzip'],
      ]),
      {
        kind: 'http',
        method: 'POST',
        target: '/api/messages',
        headers: [
          ['Content-Type', 'application/json'],
          ['Content-Encoding', 'deflate'],
          ['Content-Length', '0'],
        ],
      },
      get('/..%2f..%2fpackage.json'),
      get('/%'),
      get('/webchat/%FF'),
      get(`/${'a'.repeat(70_000)}`),
      get('/webchat/webchat.js', [
        ['Accept-Encoding', 'gzip;q=x, *;q=-1'],
        ['If-None-Match', '*'],
      ]),
      get('/metrics', [['Authorization', `Bearer ${s.marker}`]]),
    ],
  };
}

// ---- malformed HTTP on raw sockets ----

const RAW_ROUTES = [
  '/v3/directline/conversations/{{conv}}/activities',
  '/api/messages',
  '/api/messenger',
  '/staff/api/login',
  '/v3/directline/tokens/generate',
  '/healthz',
  '/',
];

function rawHttp(s: Strings): Group {
  const route = fc.constantFrom(...RAW_ROUTES);
  const shortBody = fc.constantFrom('{"type":"message","text":"hi"}', '{}', '', 'x');
  const post = (path: string, more: string, body: string) => `POST ${path} HTTP/1.1\r\nHost: {{host}}\r\nAuthorization: Bearer {{token}}\r\n${more}\r\n${body}`;
  const raw = (shape: string, r: string, bytes: string, halfClose = false): RawProbe => ({ kind: 'raw', shape, route: r, bytes, halfClose });
  const clOver = fc
    .tuple(
      route,
      fc.oneof(fc.integer({ min: 65_537, max: 2 ** 31 }).map(String), fc.constantFrom('99999999999999999999', '100000000000', '1000000')),
      shortBody,
    )
    .map(([r, cl, b]) => raw('Content-Length above the body limit, short body', r, post(r, `Content-Type: application/json\r\nContent-Length: ${cl}\r\n`, b)));
  const clBad = fc
    .tuple(route, fc.constantFrom('-1', '1,1', ' 5', '0x10', '5, 6', '+5', '', 'abc', '5\r\nContent-Length: 6', '1e3'), shortBody)
    .map(([r, cl, b]) => raw('bad Content-Length', r, post(r, `Content-Type: application/json\r\nContent-Length: ${cl}\r\n`, b), true));
  const clUnder = fc
    .tuple(route, fc.integer({ min: 1, max: 4_000 }), shortBody)
    .map(([r, extra, b]) =>
      raw(
        'Content-Length above the body sent (below the limit), then EOF',
        r,
        post(r, `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(b) + extra}\r\n`, b),
        true,
      ),
    );
  const clShort = fc
    .tuple(
      route,
      shortBody.filter((b) => b.length > 2),
      fc.constantFrom('GARBAGE / HTTP/1.1\r\n\r\n', '\u0000\u0001', 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'),
    )
    .map(([r, b, tail]) => raw('Content-Length below the body sent', r, post(r, `Content-Type: application/json\r\nContent-Length: 2\r\n`, b + tail), true));
  const chunks = fc.constantFrom(
    '1e\r\n{"type":"message","text":"hi"}\r\n0\r\n\r\n',
    'zz\r\n{}\r\n0\r\n\r\n',
    '2;ext=1\r\n{}\r\n0\r\n\r\n',
    '2\r\n{}\r\n',
    '2\r\n{}',
    '-2\r\n{}\r\n0\r\n\r\n',
    'ffffffffffffffff\r\n{}\r\n0\r\n\r\n',
    '2\r\n{}\r\n0\r\nTrailer: x\r\n\r\n',
    `${(70_000).toString(16)}\r\n${'x'.repeat(70_000)}\r\n0\r\n\r\n`,
    '2\n{}\n0\n\n',
  );
  const te = fc
    .tuple(
      route,
      fc.constantFrom(
        'chunked',
        'chunked',
        'gzip, chunked',
        'chunked, identity',
        ' chunked',
        'CHUNKED',
        'identity',
        'x',
        'chunked\r\nTransfer-Encoding: chunked',
        'chunked\r\nContent-Length: 5',
      ),
      chunks,
    )
    .map(([r, value, body]) => raw('Transfer-Encoding', r, post(r, `Content-Type: application/json\r\nTransfer-Encoding: ${value}\r\n`, body), true));
  const line = fc
    .constantFrom(
      'GET',
      'GET /',
      'GET / HTTP/1.1',
      'GET / HTTP/9.9\r\n\r\n',
      'GET / HTTP/1.1\n\n',
      '\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
      'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
      'GET / HTTP/1.0\r\n\r\n',
      'GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n',
      'G E T / HTTP/1.1\r\nHost: x\r\n\r\n',
      'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\n\r\n',
      '\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003',
      'GET /healthz HTTP/1.1\r\n\r\n',
      'GET /healthz HTTP/1.1\r\nHost: {{host}}\r\nHost: other\r\n\r\n',
      `GET /${'%'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    )
    .map((bytes) => raw('bad request line or framing', '', bytes, true));
  const header = fc
    .tuple(
      route,
      fc.constantFrom(
        `X-Big: ${'a'.repeat(17_000)}\r\n`,
        `${'X-Many: 1\r\n'.repeat(2_500)}`,
        'NoColonHere\r\n',
        'X-Fold: a\r\n  folded\r\n',
        'X-Nul: a\u0000b\r\n',
        'Host : x\r\n',
        'Expect: 100-continue\r\n',
        'Expect: garbage\r\n',
        `Authorization: Bearer ${'A'.repeat(10_000)}\r\n`,
        'Authorization: Basic !!!\r\n',
        `X-Forwarded-For: ${s.marker}, 1.1.1.1, , ;;, ::ffff:zz\r\n`,
        'Content-Type: \u00ff\u00fe/json\r\n',
        `Cookie: ${'c=1; '.repeat(2_000)}\r\n`,
        'Content-Type:\r\n',
        'Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n',
        `X-Marker-${s.marker}: 1\r\n`,
      ),
      shortBody,
    )
    .map(([r, h, b]) =>
      raw('odd headers', r, post(r, `${h}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(b)}\r\nConnection: close\r\n`, b)),
    );
  const slow = fc.tuple(route, fc.integer({ min: 1, max: 40 }), shortBody).map(([r, pieces, b]): HttpProbe => ({
    kind: 'http',
    method: 'POST',
    target: r,
    headers: [
      ['Authorization', 'Bearer {{token}}'],
      ['Content-Type', 'application/json'],
    ],
    body: { text: b },
    pieces,
  }));
  return {
    name: 'http-malformed',
    server: 'main',
    weight: 8,
    about: 'raw sockets: Content-Length and Transfer-Encoding tricks, bad request lines, odd headers, slow senders',
    arbitrary: fc.oneof(clOver, clBad, clUnder, clShort, te, line, header, slow),
    examples: [
      raw(
        'Content-Length above the body limit, short body',
        RAW_ROUTES[0]!,
        post(RAW_ROUTES[0]!, 'Content-Type: application/json\r\nContent-Length: 1000000000\r\n', '{}'),
      ),
      raw(
        'Content-Length above the body limit, short body',
        '/api/messages',
        post('/api/messages', 'Content-Type: application/json\r\nContent-Length: 1000000000\r\n', '{}'),
      ),
      raw(
        'Transfer-Encoding',
        RAW_ROUTES[0]!,
        post(
          RAW_ROUTES[0]!,
          'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n',
          `${(70_000).toString(16)}\r\n${'x'.repeat(70_000)}\r\n0\r\n\r\n`,
        ),
        true,
      ),
    ],
  };
}

// ---- default rate limits ----

function rateLimits(s: Strings): Group {
  const templates: HttpProbe[] = [
    { kind: 'http', method: 'POST', target: `${DL}/tokens/generate`, headers: [] },
    { kind: 'http', method: 'GET', target: `${DL}/conversations/{{conv}}/activities?watermark=0`, headers: [['Authorization', 'Bearer {{token}}']] },
    {
      kind: 'http',
      method: 'POST',
      target: `${DL}/conversations/{{conv}}/activities`,
      headers: [
        ['Authorization', 'Bearer {{token}}'],
        ['Content-Type', 'application/json'],
      ],
      body: json(o(['type', 'message'], ['text', `labdien ${s.marker}`])),
    },
    {
      kind: 'http',
      method: 'POST',
      target: '/api/messages',
      headers: [['Content-Type', 'application/json']],
      body: json(o(['type', 'typing'], ['serviceUrl', '{{connector}}'], ['conversation', o(['id', 'fuzz-limits'])], ['from', o(['id', 'c'])])),
    },
    {
      kind: 'http',
      method: 'POST',
      target: '/api/messenger',
      headers: [
        ['Content-Type', 'application/json'],
        ['X-Hub-Signature-256', 'sha256=00'],
      ],
      body: json(o(['object', 'page'])),
    },
    {
      kind: 'http',
      method: 'GET',
      target: `${DL}/conversations/{{conv}}/stream?t={{streamToken}}`,
      headers: [
        ['Upgrade', 'websocket'],
        ['Connection', 'Upgrade'],
        ['Sec-WebSocket-Key', WS_KEY],
        ['Sec-WebSocket-Version', '13'],
      ],
    },
    { kind: 'http', method: 'GET', target: '/healthz', headers: [] },
    {
      kind: 'http',
      method: 'POST',
      target: '/staff/api/login',
      headers: [['Content-Type', 'application/json']],
      body: json(o(['login', 'fuzz'], ['password', 'wrong-password-1'])),
    },
  ];
  const burst = fc
    .record({ requests: fc.subarray(templates, { minLength: 1, maxLength: 3 }), copies: fc.integer({ min: 5, max: 120 }) })
    .map((b): BurstProbe => ({ kind: 'burst', ...b }));
  return {
    name: 'rate-limits',
    server: 'limits',
    weight: 2,
    about: 'bursts against a server with the default rate limits (429 is fine, 5xx and silence are not)',
    arbitrary: burst,
    examples: [{ kind: 'burst', requests: [templates[0]!, templates[5]!], copies: 150 }],
  };
}

/** Every group, built around the run's marker string. */
export function fuzzGroups(marker: string): Group[] {
  const activityKeys = ['type', 'text', 'value', 'from', 'channelData', 'entities', 'locale', 'name', 'conversation', 'serviceUrl', 'id', 'attachments'];
  const s = strings(marker, activityKeys);
  return [
    directLineTokens(s),
    directLineConversations(s),
    directLineActivities(s),
    streamUpgrade(s),
    streamFrames(s),
    botFrameworkMessages(s),
    messenger(s),
    staff(s),
    staticPages(s),
    rawHttp(s),
    rateLimits(s),
  ];
}
