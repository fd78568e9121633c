// The Direct Line WebSocket stream (GET …/conversations/:id/stream, upgraded): every activity is
// pushed to the client the moment it is stored, instead of the client polling for it. Web Chat and
// botframework-directlinejs use it by default. Wire format as Direct Line 3.0: every message is a
// JSON ActivitySet `{ activities, watermark }`; an empty message is a keep-alive. Clients send ""
// as pings, post their own activities over REST, and, when a socket closes, ask
// GET …/conversations/:id?watermark= for a fresh streamUrl.
// https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-direct-line-3-0-receive-activities
//
// Sockets read from the store, not from the turn: a socket is told "this conversation has news"
// (by this instance, or by another through the store's notifications) and sends what lies beyond
// its watermark. So it sees exactly what a poller sees (redacted, in watermark order), and any
// instance serves any conversation. A stream opens only for its conversation's agency, while that
// agency is served; the sockets of an agency removed while running are closed.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type restify from 'restify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Take } from '../http/rate-limit.js';
import { cameOverHttps } from '../http/scheme.js';
import { errorFields, type Logger } from '../log.js';
import type { DirectLineStore } from '../storage/directline-store.js';
import { OTHER_AGENCY, UNKNOWN_AGENCY, type ServedAgencies } from './agencies.js';
import { CONVERSATION_ID_PATTERN, bearerOf, identifyCaller, issueToken, type TokenSubject } from './tokens.js';
import { errorBody, type HttpFailure } from '../http/errors.js';

/** The store's notification channel on which an instance announces "this conversation has a new activity". */
export const DIRECTLINE_NEWS_CHANNEL = 'directline_news';
/** A stream token only has to last until the client connects. */
export const STREAM_TOKEN_TTL_SECONDS = 60;
/** Activities per message; a longer backlog goes in several. */
const ACTIVITIES_PER_MESSAGE = 100;
/** Clients only send empty pings; anything bigger is not a Direct Line client. */
const MAX_CLIENT_MESSAGE_BYTES = 1024;
/** How long clients get to answer the close handshake at shutdown. */
const CLOSE_GRACE_MS = 1_000;
/** Above this much unsent data the client is not reading: it is closed and reconnects. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/**
 * The close code of a socket whose conversation is gone (retention) or whose agency is no longer
 * served: the client's reconnect then gets 404 (NotFound, UnknownAgency) and ends, as a poller's would.
 */
export const CLOSE_NOT_FOUND = 4404;

export interface StreamLimits {
  /** Sockets one conversation may hold (a citizen with the chat open in a few tabs). */
  perConversation: number;
  /** Sockets in this process. */
  total: number;
  /** How often the server pings; a socket that did not answer the last ping is dropped. */
  heartbeatMs: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = { perConversation: 4, total: 5_000, heartbeatMs: 30_000 };

export interface StreamDeps {
  store: Pick<DirectLineStore, 'getConversation' | 'listActivities'>;
  /** Read live, as by the REST routes (routes.ts). */
  agencies: ServedAgencies;
  tokenKey: Buffer;
  /** If set, server-side clients may present it (Authorization: Bearer) instead of a token. */
  directLineSecret?: string;
  /**
   * Registers the listener for "this conversation has new activities" from other instances too;
   * called without a conversation when news may have been missed (a notification connection came
   * back). Without it, only `news` calls in this process wake the streams.
   */
  onNews?(listener: (conversationId?: string) => void): Promise<() => Promise<void>>;
  /** Rate limit for opening streams, per address: checked before anything else. */
  admit?: (req: IncomingMessage) => Take;
  /** The per-conversation rate limit: charged once the caller has shown a token for the conversation. */
  admitConversation?: (conversationId: string) => Take;
  /** Whether a proxy we trust tells us the client used https (X-Forwarded-Proto). */
  trustProxyHops: number;
  log: Logger;
  now?: () => Date;
  limits?: Partial<StreamLimits>;
}

export interface DirectLineStream {
  /** Takes the upgrade if it is for a stream URL; `false` leaves the socket to the caller. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** The URL the client opens for this conversation, on the host and scheme it reached us by. */
  streamUrl(req: IncomingMessage, subject: TokenSubject, watermark?: number): string | undefined;
  /** Wakes this process's streams of the conversation (undefined: of every conversation). */
  news(conversationId?: string): void;
  /** Open sockets, for metrics. */
  readonly connections: number;
  /** Ends every socket (1001, going away) and stops listening for news. */
  close(): Promise<void>;
}

const STREAM_PATH = /^\/v3\/directline\/conversations\/([^/?#]+)\/stream\/?$/;
/** Host header forms we put into a URL: a name or IPv4 address, or a bracketed IPv6 address, with an optional port. */
const HOST_PATTERN = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

type Rejection = HttpFailure & { status: 400 | 401 | 403 | 404 | 429 | 503 };

function tooManyRequests(retryAfterSeconds: number): Rejection {
  return { status: 429, code: 'TooManyRequests', message: `too many requests; retry after ${retryAfterSeconds} s`, retryAfterSeconds };
}

/**
 * Stream tokens already used in this process, until they expire. Kept per instance: behind several
 * instances a stream URL could open one socket on each, within its minute, for the same citizen.
 */
class UsedTokens {
  private readonly expiries = new Map<string, number>();
  private sweptAt = 0;

  /** Whether this is the token's first use; `expiresAt` in seconds since the epoch. */
  firstUse(token: string, expiresAt: number, now: Date): boolean {
    const nowSeconds = now.getTime() / 1000;
    // Tokens live a minute: forgetting the expired once a minute bounds the map by a minute's opens.
    if (nowSeconds - this.sweptAt >= STREAM_TOKEN_TTL_SECONDS) {
      for (const [used, expiry] of this.expiries) if (expiry <= nowSeconds) this.expiries.delete(used);
      this.sweptAt = nowSeconds;
    }
    if (this.expiries.has(token)) return false;
    this.expiries.set(token, expiresAt);
    return true;
  }
}

/** One client socket and how far it has read. */
class Reader {
  private sending = false;
  private again = false;
  alive = true;

  constructor(
    readonly socket: WebSocket,
    readonly conversationId: string,
    /** The conversation's agency, whose being served the socket depends on. */
    readonly agency: string,
    private watermark: number,
    private readonly store: StreamDeps['store'],
    private readonly agencies: ServedAgencies,
    private readonly log: Logger,
  ) {}

  /** Closes the socket if its agency is no longer served; whether it did. */
  closeIfNotServed(): boolean {
    if (this.agencies.has(this.agency)) return false;
    this.socket.close(CLOSE_NOT_FOUND, 'agency not served');
    return true;
  }

  /**
   * Sends everything beyond the watermark. News arriving while a send is under way is not lost:
   * the running send goes round once more, so activities leave in order and never twice.
   */
  async catchUp(): Promise<void> {
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = true;
    try {
      do {
        this.again = false;
        if (this.closeIfNotServed()) return;
        const slice = await this.store.listActivities(this.conversationId, this.watermark, ACTIVITIES_PER_MESSAGE);
        if (this.socket.readyState !== this.socket.OPEN) return;
        // The conversation expired (retention) while the socket was open: the client's reconnect
        // then gets 404 and ends the conversation, as a poller would.
        if (slice === undefined) return this.socket.close(CLOSE_NOT_FOUND, 'conversation not found');
        if (slice.activities.length === 0) continue;
        if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) return this.socket.close(4008, 'client not reading');
        this.socket.send(JSON.stringify({ activities: slice.activities, watermark: String(slice.watermark) }));
        this.watermark = slice.watermark;
        if (slice.activities.length === ACTIVITIES_PER_MESSAGE) this.again = true;
      } while (this.again);
    } catch (err) {
      // The store is down: close, so the client reconnects a few seconds later and reads on from its watermark.
      this.log.warn({ err: errorFields(err), conversationId: this.conversationId }, 'reading activities failed');
      this.socket.close(1011, 'try again later');
    } finally {
      this.sending = false;
    }
  }
}

export function createDirectLineStream(deps: StreamDeps): DirectLineStream {
  const limits = { ...DEFAULT_STREAM_LIMITS, ...deps.limits };
  const now = deps.now ?? (() => new Date());
  const { store, agencies, tokenKey, log } = deps;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES, perMessageDeflate: false });
  const readers = new Map<string, Set<Reader>>();
  const usedStreamTokens = new UsedTokens();
  let closing = false;

  const news = (conversationId?: string) => {
    const concerned = conversationId === undefined ? [...readers.values()].flatMap((set) => [...set]) : (readers.get(conversationId) ?? []);
    for (const reader of concerned) void reader.catchUp();
  };
  const unsubscribe = deps.onNews?.(news);

  const heartbeat = setInterval(() => {
    for (const set of readers.values()) {
      for (const reader of set) {
        if (!reader.alive) {
          reader.socket.terminate();
          continue;
        }
        // An agency removed while running: its sockets go within one heartbeat, news or not.
        if (reader.closeIfNotServed()) continue;
        reader.alive = false;
        reader.socket.ping();
      }
    }
  }, limits.heartbeatMs);
  heartbeat.unref();

  /** The caller, from `t=` (a stream token) or Authorization (a conversation token, or the secret). */
  /**
   * The caller, from `t=` (a stream token) or Authorization (a conversation token, or the secret
   * with the agency it names in `agency=`, else the default), and the agency it speaks for.
   */
  const authorize = async (req: IncomingMessage, conversationId: string, query: URLSearchParams): Promise<Rejection | { userId: string; agency: string }> => {
    if (closing) return { status: 503, code: 'ShuttingDown', message: 'the server is shutting down' };
    const streamToken = query.get('t');
    const credential = streamToken ?? bearerOf(req.headers.authorization);
    if (credential === undefined) return { status: 401, code: 'MissingToken', message: 'a stream token (t=) or Authorization: Bearer <token> is required' };
    const use = streamToken !== null ? 'stream' : 'conversation';
    const check = identifyCaller(credential, { key: tokenKey, now: now(), use, directLineSecret: deps.directLineSecret, defaultAgency: agencies.defaultId });
    if (!check.ok) return { status: 403, code: check.code, message: check.message };
    const { caller } = check;
    if (caller.kind === 'token' && caller.claims.conversationId !== conversationId)
      return { status: 403, code: 'Forbidden', message: 'the token is for another conversation' };
    const named = query.get('agency');
    if (caller.kind === 'token' && named !== null && named !== caller.claims.agency)
      return { status: 403, code: 'Forbidden', message: 'the token is for another agency' };
    const agency = caller.kind === 'token' ? caller.claims.agency : (named ?? agencies.defaultId);
    if (!agencies.has(agency)) return UNKNOWN_AGENCY;
    // A stream URL opens one socket: one that turns up again (a proxy log, a shared link) is refused.
    if (streamToken !== null && !usedStreamTokens.firstUse(streamToken, caller.kind === 'token' ? caller.claims.expiresAt : 0, now())) {
      return { status: 403, code: 'TokenUsed', message: 'this stream URL was used already; ask for a new one (GET the conversation)' };
    }
    const admitted = deps.admitConversation?.(conversationId) ?? { ok: true };
    if (!admitted.ok) return tooManyRequests(admitted.retryAfterSeconds);
    const tokenUserId = caller.kind === 'token' ? caller.claims.userId : undefined;
    const conversation = await store.getConversation(conversationId);
    if (conversation === undefined) return { status: 404, code: 'NotFound', message: 'no such conversation' };
    // Refused before the upgrade: a token (or the secret) of one agency never reads another's conversation.
    if (conversation.agency !== agency) return OTHER_AGENCY;
    if (tokenUserId !== undefined && conversation.userId !== tokenUserId)
      return { status: 403, code: 'Forbidden', message: 'the conversation belongs to another user' };
    if ((readers.get(conversationId)?.size ?? 0) >= limits.perConversation) {
      return { status: 429, code: 'TooManyStreams', message: `at most ${limits.perConversation} streams per conversation` };
    }
    if (wss.clients.size >= limits.total) return { status: 503, code: 'TooManyStreams', message: 'too many open streams; poll instead, or try again later' };
    return { userId: conversation.userId, agency };
  };

  const accept = (socket: WebSocket, conversationId: string, agency: string, watermark: number) => {
    const reader = new Reader(socket, conversationId, agency, watermark, store, agencies, log);
    let set = readers.get(conversationId);
    if (set === undefined) readers.set(conversationId, (set = new Set()));
    set.add(reader);
    const alive = () => {
      reader.alive = true;
    };
    socket.on('pong', alive);
    // Client pings are empty messages; nothing else is expected, nothing else is read.
    socket.on('message', alive);
    socket.on('error', () => socket.terminate());
    socket.once('close', () => {
      set.delete(reader);
      if (set.size === 0) readers.delete(conversationId);
    });
    void reader.catchUp();
  };

  return {
    upgrade(req, socket, head) {
      const [path = '', search = ''] = (req.url ?? '').split('?', 2);
      const match = STREAM_PATH.exec(path);
      if (match === null) return false;
      // Not decoded: the ids we issue are base64url, so an id that needs decoding is no id of ours
      // (and decodeURIComponent throws on a malformed escape, outside any request handler).
      const conversationId = match[1] ?? '';
      const query = new URLSearchParams(search);
      const watermark = query.get('watermark') ?? '';
      const refuse = (r: Rejection) => refuseUpgrade(socket, r);
      const admitted = deps.admit?.(req) ?? { ok: true };
      if (!admitted.ok) {
        refuse(tooManyRequests(admitted.retryAfterSeconds));
        return true;
      }
      if (!CONVERSATION_ID_PATTERN.test(conversationId)) {
        refuse({ status: 404, code: 'NotFound', message: 'no such conversation' });
        return true;
      }
      if (watermark !== '' && !/^\d{1,15}$/.test(watermark)) {
        refuse({ status: 400, code: 'BadArgument', message: 'watermark must be a non-negative integer' });
        return true;
      }
      socket.on('error', () => socket.destroy());
      authorize(req, conversationId, query).then(
        (outcome) => {
          if ('status' in outcome) return refuse(outcome);
          if (socket.destroyed) return;
          wss.handleUpgrade(req, socket, head, (ws) => accept(ws, conversationId, outcome.agency, Number(watermark || 0)));
        },
        (err: unknown) => {
          log.warn({ err: errorFields(err), conversationId }, 'could not check the conversation');
          refuse({ status: 503, code: 'Unavailable', message: 'try again later' });
        },
      );
      return true;
    },

    streamUrl(req, subject, watermark) {
      const host = req.headers.host ?? '';
      if (!HOST_PATTERN.test(host)) return undefined;
      const secure = cameOverHttps(req, deps.trustProxyHops);
      const { token } = issueToken(subject, tokenKey, now(), STREAM_TOKEN_TTL_SECONDS, 'stream');
      const query = new URLSearchParams({ ...(watermark === undefined ? {} : { watermark: String(watermark) }), t: token });
      return `${secure ? 'wss' : 'ws'}://${host}/v3/directline/conversations/${subject.conversationId}/stream?${query.toString()}`;
    },

    news,

    get connections() {
      return wss.clients.size;
    },

    async close() {
      closing = true;
      clearInterval(heartbeat);
      await (
        await unsubscribe
      )?.();
      for (const socket of wss.clients) socket.close(1001, 'server shutting down');
      // A client that does not answer the close handshake does not hold the shutdown up.
      const grace = setTimeout(() => {
        for (const socket of wss.clients) socket.terminate();
      }, CLOSE_GRACE_MS);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      clearTimeout(grace);
    },
  };
}

/** Serves streams on the server's upgrade requests; any other upgrade is answered 404. */
export function mountDirectLineStream(server: restify.Server, deps: StreamDeps): DirectLineStream {
  const stream = createDirectLineStream(deps);
  server.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Upgrades run outside restify's handlers: whatever goes wrong here must not reach the process.
    try {
      if (!stream.upgrade(req, socket, head)) refuseUpgrade(socket, { status: 404, code: 'NotFound', message: 'nothing to upgrade here' });
    } catch (err) {
      deps.log.error({ err: errorFields(err) }, 'upgrade failed');
      refuseUpgrade(socket, { status: 400, code: 'BadRequest', message: 'the upgrade request could not be read' });
    }
  });
  return stream;
}

/** An HTTP answer on the raw socket: the upgrade was not accepted. */
function refuseUpgrade(socket: Duplex, rejection: Rejection): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(errorBody(rejection));
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' }[
    rejection.status
  ];
  const retryAfter = rejection.retryAfterSeconds === undefined ? '' : `Retry-After: ${rejection.retryAfterSeconds}\r\n`;
  socket.end(
    `HTTP/1.1 ${rejection.status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\n${retryAfter}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
