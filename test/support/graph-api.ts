// A Graph API stand-in on loopback (a real HTTP server) for the Messenger channel's tests. It checks
// each request against Messenger's documented shapes and limits (independently of bot/messenger/,
// so a formatting bug shows here as a violation), answers like the Graph API, and fails on demand.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  at: number;
}

export type Failure =
  /** HTTP 500 with Graph error code 2 ("unexpected error, retry later"). */
  | { kind: 'server-error' }
  /** Graph error code 613 (rate limit), optionally with Retry-After seconds. */
  | { kind: 'rate-limit'; retryAfterSeconds?: number; code?: 4 | 32 | 613 }
  /** Code 10 / subcode 2018278: "This message is sent outside of allowed window." */
  | { kind: 'outside-window' };

export interface SendBody {
  recipient: { id: string };
  messaging_type?: string;
  message?: {
    text?: string;
    quick_replies?: { content_type: string; title: string; payload: string }[];
    attachment?: { type: string; payload: TemplatePayload };
  };
  sender_action?: string;
}

export interface TemplatePayload {
  template_type: string;
  text?: string;
  elements?: { title: string; subtitle?: string; image_url?: string; buttons?: Button[] }[];
  buttons?: Button[];
}

export interface Button {
  type: string;
  title: string;
  url?: string;
  payload?: string;
}

export interface GraphStandIn {
  /** For FACEBOOK_GRAPH_API_URL. */
  url: string;
  version: string;
  token: string;
  requests: RecordedRequest[];
  /** Shape or limit problems found, with the request path; tests expect none. */
  violations: string[];
  /** The latest messenger_profile body accepted. */
  profile: unknown;
  /** Fails the next matching request (default: the next message, not a sender action). */
  failNext(failure: Failure, match?: (body: SendBody) => boolean): void;
  /** Message requests the stand-in accepted (200), optionally for one recipient. */
  delivered(recipient?: string): SendBody[];
  close(): Promise<void>;
}

const isMessage = (b: SendBody) => b.message !== undefined;

/** `pageTokens`: further Pages' tokens it accepts (one app serving several Pages). */
export async function startGraphApi(options: { version?: string; token?: string; pageTokens?: string[] } = {}): Promise<GraphStandIn> {
  const version = options.version ?? 'v21.0';
  const token = options.token ?? 'test-page-access-token';
  const accepted = new Set([token, ...(options.pageTokens ?? [])]);
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const failures: { failure: Failure; match: (b: SendBody) => boolean }[] = [];
  let profile: unknown;
  let messageCounter = 0;

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://graph.local');
    const text = await readBody(req);
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      status: 0,
      at: Date.now(),
    };
    requests.push(record);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', ...headers });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, code: number, message: string, subcode?: number, headers?: Record<string, string>) =>
      reply(
        status,
        { error: { message, type: 'OAuthException', code, ...(subcode === undefined ? {} : { error_subcode: subcode }), fbtrace_id: 'AbCdEf' } },
        headers,
      );
    const problem = (what: string) => {
      violations.push(`${url.pathname}: ${what}`);
      error(400, 100, `(#100) ${what}`);
    };

    if (req.method !== 'POST') return problem(`method ${req.method ?? ''}`);
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return problem('Content-Type must be application/json');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return problem('body is not JSON');
    }
    record.body = body;
    if (!accepted.has(url.searchParams.get('access_token') ?? '')) return error(400, 190, 'Invalid OAuth access token.');

    if (url.pathname === `/${version}/me/messages`) {
      const problems = checkSend(body);
      if (problems.length > 0) return problem(problems.join('; '));
      const send = body as SendBody;
      const index = failures.findIndex((f) => f.match(send));
      const failure = index >= 0 ? failures.splice(index, 1)[0]?.failure : undefined;
      if (failure !== undefined) {
        switch (failure.kind) {
          case 'server-error':
            return error(500, 2, 'An unexpected error has occurred. Please retry your request later.');
          case 'rate-limit':
            return error(
              400,
              failure.code ?? 613,
              'Calls to this api have exceeded the rate limit.',
              undefined,
              failure.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(failure.retryAfterSeconds) },
            );
          case 'outside-window':
            return error(400, 10, '(#10) This message is sent outside of allowed window.', 2018278);
        }
      }
      if (send.sender_action !== undefined) return reply(200, { recipient_id: send.recipient.id });
      messageCounter += 1;
      return reply(200, { recipient_id: send.recipient.id, message_id: `m_${messageCounter}` });
    }
    if (url.pathname === `/${version}/me/messenger_profile`) {
      const problems = checkProfile(body);
      if (problems.length > 0) return problem(problems.join('; '));
      profile = body;
      return reply(200, { result: 'success' });
    }
    return problem('unknown path');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    version,
    token,
    requests,
    violations,
    get profile() {
      return profile;
    },
    failNext(failure, match = isMessage) {
      failures.push({ failure, match });
    },
    delivered(recipient) {
      return requests
        .filter((r) => r.path === `/${version}/me/messages` && r.status === 200)
        .map((r) => r.body as SendBody)
        .filter((b) => b.message !== undefined && (recipient === undefined || b.recipient.id === recipient));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const len = (s: string) => Array.from(s).length;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The Send API request, as documented:
 * https://developers.facebook.com/docs/messenger-platform/reference/send-api/
 */
export function checkSend(body: unknown): string[] {
  const p: string[] = [];
  if (!isObject(body)) return ['body must be an object'];
  const recipient = body['recipient'];
  if (!isObject(recipient) || typeof recipient['id'] !== 'string' || recipient['id'] === '') p.push('recipient.id is required');
  if (body['sender_action'] !== undefined) {
    // Sender actions go alone: only recipient and sender_action.
    if (!['typing_on', 'typing_off', 'mark_seen'].includes(String(body['sender_action']))) p.push('unknown sender_action');
    const extra = Object.keys(body).filter((k) => k !== 'recipient' && k !== 'sender_action');
    if (extra.length > 0) p.push(`sender_action must be sent alone (also: ${extra.join(', ')})`);
    return p;
  }
  if (body['messaging_type'] !== 'RESPONSE') p.push('messaging_type must be RESPONSE');
  if (body['tag'] !== undefined) p.push('message tags are not used');
  const message = body['message'];
  if (!isObject(message)) return [...p, 'message is required'];
  const text = message['text'];
  const attachment = message['attachment'];
  if ((text === undefined) === (attachment === undefined)) p.push('message needs exactly one of text and attachment');
  if (text !== undefined) {
    if (typeof text !== 'string' || text.trim() === '') p.push('text must be a non-empty string');
    else if (len(text) > 2000) p.push(`text longer than 2000 (${len(text)})`);
  }
  if (attachment !== undefined) p.push(...checkAttachment(attachment));
  const quick = message['quick_replies'];
  if (quick !== undefined) {
    if (!Array.isArray(quick) || quick.length === 0) p.push('quick_replies must be a non-empty array');
    else {
      if (quick.length > 13) p.push(`more than 13 quick replies (${quick.length})`);
      for (const q of quick as unknown[]) {
        if (!isObject(q) || q['content_type'] !== 'text') p.push('quick reply content_type must be text');
        else {
          if (typeof q['title'] !== 'string' || q['title'] === '' || len(q['title']) > 20)
            p.push(`quick reply title must be 1–20 characters: ${JSON.stringify(q['title'])}`);
          if (typeof q['payload'] !== 'string' || q['payload'] === '' || len(q['payload']) > 1000) p.push('quick reply payload must be 1–1000 characters');
        }
      }
    }
  }
  return p;
}

function checkAttachment(attachment: unknown): string[] {
  if (!isObject(attachment) || attachment['type'] !== 'template' || !isObject(attachment['payload'])) return ['attachment must be a template'];
  const payload = attachment['payload'];
  const p: string[] = [];
  if (payload['template_type'] === 'generic') {
    const elements = payload['elements'];
    if (!Array.isArray(elements) || elements.length === 0 || elements.length > 10) return ['generic template needs 1–10 elements'];
    for (const e of elements as unknown[]) {
      if (!isObject(e) || typeof e['title'] !== 'string' || e['title'] === '' || len(e['title']) > 80) p.push('element title must be 1–80 characters');
      else {
        if (e['subtitle'] !== undefined && (typeof e['subtitle'] !== 'string' || len(e['subtitle']) > 80)) p.push('element subtitle longer than 80');
        if (e['subtitle'] === undefined && e['image_url'] === undefined && e['buttons'] === undefined && e['default_action'] === undefined)
          p.push('element needs one property besides title');
        if (e['buttons'] !== undefined) p.push(...checkButtons(e['buttons']));
      }
    }
  } else if (payload['template_type'] === 'button') {
    const text = payload['text'];
    if (typeof text !== 'string' || text.trim() === '' || len(text) > 640) p.push('button template text must be 1–640 characters');
    p.push(...checkButtons(payload['buttons']));
  } else {
    p.push(`unexpected template_type ${String(payload['template_type'])}`);
  }
  return p;
}

/** https://developers.facebook.com/docs/messenger-platform/send-messages/buttons */
function checkButtons(buttons: unknown): string[] {
  if (!Array.isArray(buttons) || buttons.length === 0 || buttons.length > 3) return ['1–3 buttons'];
  const p: string[] = [];
  for (const b of buttons as unknown[]) {
    if (!isObject(b)) {
      p.push('button must be an object');
      continue;
    }
    if (typeof b['title'] !== 'string' || b['title'] === '' || len(b['title']) > 20)
      p.push(`button title must be 1–20 characters: ${JSON.stringify(b['title'])}`);
    switch (b['type']) {
      case 'web_url':
        if (typeof b['url'] !== 'string' || !/^(https?|mailto):/.test(b['url'])) p.push('web_url needs a url');
        break;
      case 'phone_number':
        if (typeof b['payload'] !== 'string' || !/^\+\d{8,15}$/.test(b['payload']))
          p.push(`phone_number payload must be +<country><number>: ${JSON.stringify(b['payload'])}`);
        break;
      case 'postback':
        if (typeof b['payload'] !== 'string' || b['payload'] === '' || len(b['payload']) > 1000) p.push('postback payload must be 1–1000 characters');
        break;
      default:
        p.push(`unexpected button type ${String(b['type'])}`);
    }
  }
  return p;
}

/** https://developers.facebook.com/docs/messenger-platform/reference/messenger-profile-api/persistent-menu */
export function checkProfile(body: unknown): string[] {
  if (!isObject(body)) return ['body must be an object'];
  const p: string[] = [];
  const started = body['get_started'];
  if (!isObject(started) || typeof started['payload'] !== 'string' || started['payload'] === '' || len(started['payload']) > 1000)
    p.push('get_started.payload must be 1–1000 characters');
  const menus = body['persistent_menu'];
  if (!Array.isArray(menus) || menus.length === 0) return [...p, 'persistent_menu must be a non-empty array'];
  const locales = (menus as unknown[]).map((m) => (isObject(m) ? m['locale'] : undefined));
  if (!locales.includes('default')) p.push('one menu must have locale "default"');
  if (new Set(locales).size !== locales.length) p.push('locales must be distinct');
  for (const m of menus as unknown[]) {
    if (!isObject(m) || !Array.isArray(m['call_to_actions'])) {
      p.push('menu needs call_to_actions');
      continue;
    }
    if (typeof m['locale'] !== 'string' || !/^(default|[a-z]{2}_[A-Z]{2})$/.test(m['locale'])) p.push(`bad locale ${String(m['locale'])}`);
    const items = m['call_to_actions'] as unknown[];
    if (items.length === 0 || items.length > 20) p.push('1–20 menu items');
    for (const item of items) {
      if (!isObject(item) || typeof item['title'] !== 'string' || item['title'] === '' || len(item['title']) > 30)
        p.push('menu item title must be 1–30 characters');
      else if (item['type'] === 'postback') {
        if (typeof item['payload'] !== 'string' || item['payload'] === '' || len(item['payload']) > 1000)
          p.push('menu postback payload must be 1–1000 characters');
      } else if (item['type'] !== 'web_url') p.push(`unexpected menu item type ${String(item['type'])}`);
    }
  }
  return p;
}
