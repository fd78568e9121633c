// The Messenger webhook (/api/messenger): Meta's verification handshake, signed event deliveries
// answered at once and processed after, each delivery once, one person's events in order.
// https://developers.facebook.com/docs/messenger-platform/webhooks
import type restify from 'restify';
import type { TurnContext } from 'botbuilder';
import { errorFields, type Logger } from '../log.js';
import type { Texts } from '../i18n.js';
import type { StateAccessors } from '../../dialogs/state.js';
import type { Knowledge } from '../../knowledge/knowledge.js';
import { MessengerAdapter } from './adapter.js';
import { RecentIds } from './bounded.js';
import { withFirstContact } from './first-contact.js';
import { GraphApiClient, type GraphApiOptions } from './graph-api.js';
import { MemoryOutbox, type MessengerOutbox } from './outbox.js';
import { pageToken, recipientHasher, type MessengerSettings } from './settings.js';
import { setTurnAgency, turnAgency } from '../turn-agency.js';
import { rawBodyBytes, secretEquals, SIGNATURE_HEADER, signatureMatches } from './signature.js';
import { parseWebhook } from './webhook.js';
import type { TurnTransactions } from '../storage/turn-batch.js';
import { sendFailure } from '../http/errors.js';

export const MESSENGER_PATH = '/api/messenger';

export interface MessengerDeps {
  settings: MessengerSettings;
  /** The bot's turn (app.logic). */
  logic: (context: TurnContext) => Promise<void>;
  state: StateAccessors;
  texts: Texts;
  /**
   * The agency whose Page this is (the profile's `facebookPage`), or undefined for a Page no agency
   * of the installation names: its events are ignored.
   */
  agencyOfPage: (pageId: string) => string | undefined;
  /** An agency's knowledge. */
  knowledge: (agency: string) => Knowledge;
  log: Logger;
  now?: () => Date;
  outbox?: MessengerOutbox;
  /** Graph API client tuning (tests: fetch, sleep, delays). */
  graph?: Partial<Omit<GraphApiOptions, 'graphApiUrl' | 'graphApiVersion' | 'pageAccessToken'>>;
  /** Events accepted but not yet processed; beyond this the webhook answers 503 and Meta retries. */
  maxPending?: number;
  /**
   * Charges an event to its sender's conversation budget (app: the per-conversation rate limit),
   * only once the delivery's signature checked out. An event over the budget is dropped: Meta must
   * not retry the whole delivery, which carries other people's events too.
   */
  admitConversation?: (key: string) => { ok: boolean };
  /** The store's turn transactions: each event's turn is committed as one. */
  turns?: TurnTransactions;
}

export interface MessengerChannel {
  adapter: MessengerAdapter;
  outbox: MessengerOutbox;
  /** Resolves when every accepted event has been processed (tests, graceful stop). */
  idle(): Promise<void>;
}

export function mountMessenger(server: restify.Server, deps: MessengerDeps): MessengerChannel {
  const { settings, log } = deps;
  const now = deps.now ?? (() => new Date());
  const outbox = deps.outbox ?? new MemoryOutbox({ now, log });
  // One client per Page token: each Page's messages go out with its own token.
  const graphs = new Map<string, GraphApiClient>();
  const graph = (pageId: string): GraphApiClient | undefined => {
    const token = pageToken(settings.pages, pageId);
    if (token === undefined) return undefined;
    let client = graphs.get(token);
    if (client === undefined) {
      client = new GraphApiClient({
        ...deps.graph,
        log: log.child({ component: 'graph-api' }),
        graphApiUrl: settings.graphApiUrl,
        graphApiVersion: settings.graphApiVersion,
        pageAccessToken: token,
      });
      graphs.set(token, client);
    }
    return client;
  };
  const hashRecipient = recipientHasher(settings.appSecret);
  const adapter = new MessengerAdapter({ graph, outbox, hashRecipient, now, log, ...(deps.turns === undefined ? {} : { turns: deps.turns }) });
  const firstContact = withFirstContact({
    logic: deps.logic,
    state: deps.state,
    texts: deps.texts,
    // Every Messenger turn is marked with its Page's agency before it runs (below).
    knowledge: (context) => deps.knowledge(turnAgency(context)!),
    now,
  });
  /** The turns of one Page speak for its agency. */
  const logicOf = (agency: string) => (context: TurnContext) => {
    setTurnAgency(context, agency);
    return firstContact(context);
  };
  // Meta retries a delivery it thinks failed; a retried event has the same message id.
  const seen = new RecentIds({ maxEntries: 10_000, ttlMs: 24 * 60 * 60 * 1000, now: () => now().getTime() });
  const queue = new PerKeyQueue((err) => log.error({ err: errorFields(err) }, 'event processing failed'));
  const maxPending = deps.maxPending ?? 1_000;

  // Verification handshake when the webhook is set up in the App Dashboard.
  // https://developers.facebook.com/docs/messenger-platform/webhook
  server.get(MESSENGER_PATH, async function messengerVerify(req: restify.Request, res: restify.Response) {
    const query = (req.query ?? {}) as Record<string, unknown>;
    const mode = query['hub.mode'];
    const token = query['hub.verify_token'];
    const challenge = query['hub.challenge'];
    if (
      mode === 'subscribe' &&
      typeof token === 'string' &&
      secretEquals(token, settings.verifyToken) &&
      typeof challenge === 'string' &&
      /^[\w.~-]{1,512}$/.test(challenge)
    ) {
      log.info('webhook verified');
      res.sendRaw(200, challenge, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      return;
    }
    // What was asked for, never the caller's words: a mode other than subscribe is just 'other'.
    log.warn({ mode: mode === 'subscribe' ? mode : 'other' }, 'webhook verification refused');
    sendFailure(res, { status: 403, code: 'Forbidden', message: 'verification failed' });
  });

  // Event notifications: verify, answer 200 at once, then process. Meta times a webhook out after
  // 20 seconds and retries what was not answered 200 (https://developers.facebook.com/docs/messenger-platform/faq).
  server.post(MESSENGER_PATH, async function messengerWebhook(req: restify.Request, res: restify.Response) {
    const raw = rawBodyBytes((req as { rawBody?: unknown }).rawBody);
    if (raw === undefined || !signatureMatches(raw, req.header(SIGNATURE_HEADER, ''), settings.appSecret)) {
      log.warn({ signature: req.header(SIGNATURE_HEADER, '') === '' ? 'missing' : 'wrong' }, 'webhook delivery refused');
      sendFailure(res, { status: 403, code: 'Forbidden', message: 'missing or invalid X-Hub-Signature-256' });
      return;
    }
    const parsed = parseWebhook(raw, now());
    if (!parsed.ok) {
      // Signed by Meta, so a retry would bring the same body: acknowledge it and say so in the log.
      log.warn({ problem: parsed.problem }, 'signed delivery not understood; ignored');
      res.sendRaw(200, 'EVENT_RECEIVED', { 'Content-Type': 'text/plain; charset=utf-8' });
      return;
    }
    if (queue.size + parsed.events.length > maxPending) {
      log.warn({ pending: queue.size }, 'too many events pending; asking Meta to retry later');
      sendFailure(res, { status: 503, code: 'Busy', message: 'try again later' });
      return;
    }
    res.sendRaw(200, 'EVENT_RECEIVED', { 'Content-Type': 'text/plain; charset=utf-8' });
    let duplicates = 0;
    let overLimit = 0;
    let otherPages = 0;
    for (const event of parsed.events) {
      if (!seen.firstSighting(event.dedupeKey)) {
        duplicates += 1;
        continue;
      }
      const agency = deps.agencyOfPage(event.pageId);
      if (agency === undefined) {
        otherPages += 1;
        continue;
      }
      if (deps.admitConversation?.(`fb:${event.senderId}`).ok === false) {
        overLimit += 1;
        continue;
      }
      queue.push(event.senderId, () => adapter.processEvent(event, logicOf(agency)));
    }
    // A Page subscribed to the app that no agency's profile names (or one whose agency went).
    if (otherPages > 0) log.warn({ events: parsed.events.length, otherPages }, 'events for a Page no agency serves ignored');
    if (overLimit > 0) log.warn({ events: parsed.events.length, overLimit }, 'events over the conversation rate limit dropped');
    if (duplicates > 0 || parsed.ignored > 0) log.debug({ events: parsed.events.length, duplicates, ignored: parsed.ignored }, 'delivery');
  });

  // Stopping the server stops waiting on retries; what is left goes to the outbox.
  server.on('close', () => adapter.shutdown());

  const channel: MessengerChannel = { adapter, outbox, idle: () => queue.idle() };
  log.info({ path: MESSENGER_PATH, graphApiVersion: settings.graphApiVersion }, 'channel on');
  return channel;
}

/**
 * Runs tasks one after another per key (one person's events in order) and keys side by side.
 * Memory is bounded by the webhook's maxPending check.
 */
export class PerKeyQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private pending = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly onError: (err: unknown) => void) {}

  get size(): number {
    return this.pending;
  }

  push(key: string, task: () => Promise<void>): void {
    this.pending += 1;
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(task).catch(this.onError);
    this.tails.set(key, run);
    void run.then(() => {
      if (this.tails.get(key) === run) this.tails.delete(key);
      this.pending -= 1;
      if (this.pending === 0) {
        const waiters = this.waiters;
        this.waiters = [];
        for (const resolve of waiters) resolve();
      }
    });
  }

  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
