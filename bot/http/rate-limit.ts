// Rate limits on the public endpoints: token buckets per client IP and per conversation, in this
// process's memory (each instance limits what it sees; behind N instances the effective limit is up
// to N times higher, which is fine for abuse protection). Over the limit: 429 with Retry-After.
import type { IncomingMessage } from 'node:http';
import type restify from 'restify';
import { sendFailure } from './errors.js';

export interface BucketOptions {
  /** Sustained rate. 0 turns the limit off. */
  perMinute: number;
  /** Requests allowed at once before the sustained rate applies. */
  burst: number;
}

export type Take = { ok: true } | { ok: false; retryAfterSeconds: number };

/** A token bucket per key; buckets that have refilled completely are forgotten. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  private readonly ratePerMs: number;

  constructor(
    private readonly options: BucketOptions,
    private readonly now: () => number = Date.now,
    /** Upper bound on remembered keys: a flood of new addresses cannot exhaust memory. */
    private readonly maxKeys = 100_000,
  ) {
    if (!(options.perMinute >= 0 && options.burst >= 1)) throw new Error('TokenBuckets: perMinute must be ≥ 0 and burst ≥ 1');
    this.ratePerMs = options.perMinute / 60_000;
  }

  get size(): number {
    return this.buckets.size;
  }

  take(key: string): Take {
    if (this.options.perMinute === 0) return { ok: true };
    const nowMs = this.now();
    const bucket = this.buckets.get(key);
    const tokens = bucket === undefined ? this.options.burst : Math.min(this.options.burst, bucket.tokens + (nowMs - bucket.atMs) * this.ratePerMs);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, atMs: nowMs });
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.ratePerMs / 1000)) };
    }
    // Re-inserted so the Map stays ordered by last use: eviction takes the front.
    this.buckets.delete(key);
    this.buckets.set(key, { tokens: tokens - 1, atMs: nowMs });
    if (this.buckets.size > this.maxKeys) this.sweep(nowMs);
    return { ok: true };
  }

  /** Forgets full buckets (they behave like new ones), then the least recently used if still too many. */
  private sweep(nowMs: number): void {
    const fullAfterMs = this.options.burst / this.ratePerMs;
    for (const [key, b] of this.buckets) if (nowMs - b.atMs >= fullAfterMs) this.buckets.delete(key);
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys * 0.9) break;
      this.buckets.delete(key);
    }
  }
}

export interface RateLimitOptions {
  /** Direct Line, per client IP (browsers talk to it directly). */
  ipPerMinute: number;
  /** /api/messages and /api/messenger, per IP: their traffic comes from the channel's servers. */
  channelIpPerMinute: number;
  perConversationPerMinute: number;
  /** Proxies in front of the app whose X-Forwarded-For entries are trusted. */
  trustProxyHops: number;
  now?: () => number;
}

/** Ten seconds' worth at once, and never less than 10: page loads and retries come in bursts. */
export function burstFor(perMinute: number): number {
  return Math.max(10, Math.ceil(perMinute / 6));
}

const DIRECTLINE_PREFIX = '/v3/directline';
const STAFF_PREFIX = '/staff';
const CHANNEL_PATHS = new Set(['/api/messages', '/api/messenger']);

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * The client's address: the socket's, or with `hops` trusted proxies the entry that many places
 * from the right of X-Forwarded-For (entries further left can be forged by the client).
 */
export function clientIp(req: IncomingMessage, hops: number): string {
  const socket = req.socket.remoteAddress ?? 'unknown';
  if (hops <= 0) return socket;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return forwarded[forwarded.length - hops] ?? forwarded[0] ?? socket;
}

/** The conversation a channel request belongs to, read from its (already parsed) body. */
export function channelConversationKey(path: string, body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  if (path === '/api/messages') {
    const id = (body as { conversation?: { id?: unknown } }).conversation?.id;
    return typeof id === 'string' ? `bf:${id}` : undefined;
  }
  // Messenger webhooks: entry[].messaging[].sender.id is the person (one conversation per person).
  const entry = (body as { entry?: { messaging?: { sender?: { id?: unknown } }[] }[] }).entry;
  const sender = Array.isArray(entry) ? entry[0]?.messaging?.[0]?.sender?.id : undefined;
  return typeof sender === 'string' ? `fb:${sender}` : undefined;
}

export interface RateLimiters {
  /** Register with server.pre: per IP, for Direct Line, the channel webhooks and the staff console. */
  pre: restify.RequestHandler;
  /** Register with server.use: per conversation for /api/messages (from the parsed body). */
  use: restify.RequestHandler;
  /**
   * For WebSocket upgrades, which never reach restify's handlers: a stream counts as a Direct Line
   * request of its address, so opening sockets in a loop is limited like polling.
   */
  upgrade(req: IncomingMessage): Take;
  /**
   * Charges one request to a conversation. Called only once the caller has shown it may act on the
   * conversation (a verified token or signature): charged before, anyone who knows a conversation's
   * id could spend its budget and mute its citizen.
   */
  conversation(key: string): Take;
}

export function rateLimiters(options: RateLimitOptions): RateLimiters {
  const now = options.now ?? Date.now;
  const bucketsFor = (perMinute: number) => new TokenBuckets({ perMinute, burst: burstFor(perMinute) }, now);
  const directLineIp = bucketsFor(options.ipPerMinute);
  const channelIp = bucketsFor(options.channelIpPerMinute);
  const conversation = bucketsFor(options.perConversationPerMinute);

  // The staff console is a browser's too: it gets the browsers' rate, in buckets of its own, so
  // that a citizen's busy chat on a shared office address does not hold up its staff.
  const staffIp = bucketsFor(options.ipPerMinute);
  const bucketsOf = (path: string): TokenBuckets | undefined => {
    if (under(path, DIRECTLINE_PREFIX)) return directLineIp;
    if (under(path, STAFF_PREFIX)) return staffIp;
    return CHANNEL_PATHS.has(path) ? channelIp : undefined;
  };

  const pre: restify.RequestHandler = (req, res, next) => {
    if (req.method === 'OPTIONS') return next();
    const buckets = bucketsOf(req.getPath());
    if (buckets === undefined) return next();
    const take = buckets.take(clientIp(req, options.trustProxyHops));
    if (!take.ok) {
      refuseTooMany(res, take.retryAfterSeconds, 'from this address');
      return next(false);
    }
    return next();
  };

  // /api/messages without authentication is loopback-only (bot/guards.ts); with it, botbuilder checks
  // the caller inside the handler, so the body's conversation is the best key there is.
  const use: restify.RequestHandler = (req, res, next) => {
    const path = req.getPath();
    if (path !== '/api/messages') return next();
    const key = channelConversationKey(path, req.body);
    if (key === undefined) return next();
    const byConversation = conversation.take(key);
    if (!byConversation.ok) {
      refuseTooMany(res, byConversation.retryAfterSeconds, 'in this conversation');
      return next(false);
    }
    return next();
  };

  const upgrade = (req: IncomingMessage): Take => directLineIp.take(clientIp(req, options.trustProxyHops));

  return { pre, use, upgrade, conversation: (key) => conversation.take(key) };
}

/** 429 with Retry-After, in restify's JSON error shape. */
export function refuseTooMany(res: restify.Response, retryAfterSeconds: number, what: string): void {
  res.setHeader('Retry-After', String(retryAfterSeconds));
  sendFailure(res, { status: 429, code: 'TooManyRequests', message: `too many requests ${what}; retry after ${retryAfterSeconds} s` });
}
