// The Graph API client for the Send API and the Messenger Profile API: JSON over fetch, retried
// with backoff where retrying can help, and every failure normalised into one typed result.
// Logs carry status, codes and a hashed recipient; never the URL (it holds the page token) or the
// message body.
// Error codes: https://developers.facebook.com/docs/messenger-platform/reference/send-api/error-codes
// Rate limits: https://developers.facebook.com/docs/graph-api/overview/rate-limiting
import { z } from 'zod';
import { errorFields, silentLogger, type Logger } from '../log.js';
import type { MessengerMessage } from './format.js';

/** A Send API request body (https://developers.facebook.com/docs/messenger-platform/reference/send-api/). */
export type SendRequest =
  | { recipient: { id: string }; messaging_type: 'RESPONSE'; message: MessengerMessage }
  | { recipient: { id: string }; sender_action: 'typing_on' | 'typing_off' | 'mark_seen' };

export type GraphResult<T> = { ok: true; body: T; attempts: number } | { ok: false; reason: UndeliveredReason; error: GraphErrorSummary; attempts: number };

export interface GraphApiOptions {
  graphApiUrl: string;
  graphApiVersion: string;
  pageAccessToken: string;
  fetch?: typeof fetch;
  /** Waits between attempts; resolves early when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Attempts per request, the first included. */
  maxAttempts?: number;
  /** First backoff delay; doubles per attempt, with jitter. */
  baseDelayMs?: number;
  /** The longest wait we accept (Retry-After, usage headers): longer means give up now. */
  maxDelayMs?: number;
  timeoutMs?: number;
  log?: Logger;
}

export interface PostOptions {
  /** Hashed recipient, for logs. */
  recipient?: string;
  signal?: AbortSignal;
  /** Overrides maxAttempts (typing indicators are worth one try). */
  maxAttempts?: number;
}

/**
 * Rate-limit codes: 4 (application), 17 (user), 32 (page), 613 (calls exceed the rate limit).
 * https://developers.facebook.com/docs/graph-api/overview/rate-limiting
 */
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613]);
/** 1 and 2: "unknown/unexpected error, retry later"; 1200: "temporary send message failure". */
const TRANSIENT_CODES = new Set([1, 2, 1200]);
/** Code 10, subcode 2018278: "This message is sent outside of allowed window." */
const OUTSIDE_WINDOW = { code: 10, subcode: 2018278 } as const;

const graphError = z.object({
  error: z.object({
    code: z.number().optional(),
    error_subcode: z.number().optional(),
    is_transient: z.boolean().optional(),
    fbtrace_id: z.string().optional(),
  }),
});

type Verdict = { retry: false; reason: UndeliveredReason } | { retry: true; reason: UndeliveredReason; waitMs?: number };

export class GraphApiClient {
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly log: Logger;

  constructor(private readonly options: GraphApiOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? abortableSleep;
    this.random = options.random ?? Math.random;
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.log = options.log ?? silentLogger;
  }

  /** POST /{version}/{path}?access_token=… with a JSON body. */
  async post<T = unknown>(path: string, body: unknown, options: PostOptions = {}): Promise<GraphResult<T>> {
    const url = new URL(`${this.options.graphApiUrl}/${this.options.graphApiVersion}/${path}`);
    url.searchParams.set('access_token', this.options.pageAccessToken);
    const payload = JSON.stringify(body);
    const maxAttempts = options.maxAttempts ?? this.maxAttempts;
    let error: GraphErrorSummary = {};
    let reason: UndeliveredReason = 'unavailable';
    for (let attempt = 1; ; attempt++) {
      if (options.signal?.aborted) return { ok: false, reason: 'shutdown', error, attempts: attempt - 1 };
      let verdict: Verdict;
      try {
        const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(this.timeoutMs)]) : AbortSignal.timeout(this.timeoutMs);
        const response = await this.fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: payload, signal });
        const text = await response.text();
        if (response.ok) return { ok: true, body: parseJson(text) as T, attempts: attempt };
        const parsed = graphError.safeParse(parseJson(text));
        const e = parsed.success ? parsed.data.error : undefined;
        error = {
          status: response.status,
          ...(e?.code === undefined ? {} : { code: e.code }),
          ...(e?.error_subcode === undefined ? {} : { subcode: e.error_subcode }),
          ...(e?.fbtrace_id === undefined ? {} : { fbtraceId: e.fbtrace_id }),
        };
        verdict = classify(response.status, e?.code, e?.error_subcode, e?.is_transient === true, response.headers);
      } catch (err) {
        if (options.signal?.aborted) return { ok: false, reason: 'shutdown', error, attempts: attempt };
        // Network failure or our timeout: worth another try.
        error = { status: 0 };
        verdict = { retry: true, reason: 'unavailable' };
        this.log.debug({ path, err: errorFields(err) }, 'request failed');
      }
      reason = verdict.reason;
      if (!verdict.retry || attempt >= maxAttempts) {
        return { ok: false, reason, error, attempts: attempt };
      }
      const backoff = this.baseDelayMs * 2 ** (attempt - 1) * (0.5 + this.random() / 2);
      const waitMs = Math.max(verdict.waitMs ?? 0, backoff);
      if (waitMs > this.maxDelayMs) {
        this.log.warn({ path, ...error, recipient: options.recipient, waitMs }, 'asked to wait longer than we hold a message; giving up');
        return { ok: false, reason, error, attempts: attempt };
      }
      this.log.warn({ path, ...error, recipient: options.recipient, attempt, waitMs: Math.round(waitMs) }, 'retrying');
      await this.sleep(waitMs, options.signal);
    }
  }
}

function classify(status: number, code: number | undefined, subcode: number | undefined, transient: boolean, headers: Headers): Verdict {
  if (code === OUTSIDE_WINDOW.code && subcode === OUTSIDE_WINDOW.subcode) return { retry: false, reason: 'outside-24h-window' };
  if (status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code))) {
    const waitMs = retryAfterMs(headers);
    return { retry: true, reason: 'rate-limited', ...(waitMs === undefined ? {} : { waitMs }) };
  }
  if (status >= 500 || transient || (code !== undefined && TRANSIENT_CODES.has(code))) {
    const waitMs = retryAfterMs(headers);
    return { retry: true, reason: 'unavailable', ...(waitMs === undefined ? {} : { waitMs }) };
  }
  return { retry: false, reason: 'rejected' };
}

/**
 * How long Meta asks us to wait: the standard Retry-After (seconds or an HTTP date), else the
 * largest `estimated_time_to_regain_access` (minutes) in X-Business-Use-Case-Usage, which page
 * tokens get for the Messenger business use case.
 * https://developers.facebook.com/docs/graph-api/overview/rate-limiting
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null && retryAfter.trim() !== '') {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const usage = headers.get('x-business-use-case-usage');
  if (usage !== null) {
    const parsed = z.record(z.string(), z.array(z.object({ estimated_time_to_regain_access: z.number().optional() }).loose())).safeParse(parseJson(usage));
    if (parsed.success) {
      const minutes = Object.values(parsed.data)
        .flat()
        .map((u) => u.estimated_time_to_regain_access ?? 0);
      if (minutes.length > 0) return Math.max(...minutes) * 60_000;
    }
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? {} : (JSON.parse(text) as unknown);
  } catch {
    return {};
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export type UndeliveredReason =
  /** Meta's 24-hour standard messaging window has closed (or our record says so). */
  | 'outside-24h-window'
  /** Still rate-limited after the waits we allow ourselves. */
  | 'rate-limited'
  /** Server errors or network failures through every retry. */
  | 'unavailable'
  /** A 4xx that retrying will not fix (bad request, blocked by the person, token problem). */
  | 'rejected'
  /** The process was stopping. */
  | 'shutdown';

export interface GraphErrorSummary {
  status?: number;
  code?: number;
  subcode?: number;
  fbtraceId?: string;
}
