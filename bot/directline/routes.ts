// The Direct Line 3.0 REST surface that Web Chat and botframework-directlinejs talk to (the
// WebSocket stream they read activities from is in stream.ts): https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-direct-line-3-0-api-reference
import type restify from 'restify';
import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { Logger } from '../log.js';
import { clientActivitySchema, type DirectLineAdapter } from './adapter.js';
import type { StoredConversation } from '../storage/directline-store.js';
import { OTHER_AGENCY, UNKNOWN_AGENCY, type ServedAgencies } from './agencies.js';
import type { Take } from '../http/rate-limit.js';
import type { DirectLineStream } from './stream.js';
import { sendFailure, type ErrorCode, type HttpFailure } from '../http/errors.js';
import {
  CONVERSATION_ID_PATTERN,
  DEFAULT_TOKEN_TTL_SECONDS,
  USER_ID_PATTERN,
  assertTokenKey,
  issueToken,
  newConversationId,
  newUserId,
  secondsLeft,
  secretMatches,
  bearerOf,
  identifyCaller,
  type Caller,
  type TokenSubject,
} from './tokens.js';

export const DIRECTLINE_BASE = '/v3/directline';
/** Activities per GET; a client with more to fetch polls again from the returned watermark. */
export const MAX_ACTIVITIES_PER_POLL = 100;

export interface DirectLineDeps {
  adapter: DirectLineAdapter;
  agencies: ServedAgencies;
  logic: (context: TurnContext) => Promise<void>;
  /** HMAC key for tokens, at least 32 bytes (see tokenKeyFrom). */
  tokenKey: Buffer;
  /** If set, server-side clients may use it as a bearer instead of a token. */
  directLineSecret?: string;
  log: Logger;
  now?: () => Date;
  tokenTtlSeconds?: number;
  /** Gives clients a streamUrl; without it they poll. */
  stream?: Pick<DirectLineStream, 'streamUrl'>;
  /** The per-conversation rate limit, charged once the caller has shown a token for the conversation. */
  admitConversation?: (conversationId: string) => Take;
}

type Failure = HttpFailure;
type Outcome<T> = { ok: true; value: T } | { ok: false; failure: Failure };

/** An agency named by the client; whether it is served is asked of `agencies`, so any string may come. */
const agencyField = z.string().max(100).optional();
const startBody = z.object({
  user: z.object({ id: z.string().max(100).optional() }).optional(),
  locale: clientActivitySchema.shape.locale,
  agency: agencyField,
});
/** What a server holding the secret may ask for; a browser (no Authorization) may only name the agency. */
const generateBody = z.object({ user: z.object({ id: z.string().regex(USER_ID_PATTERN).optional() }).optional(), agency: agencyField });
const anonymousGenerateBody = z.object({ agency: agencyField });

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept, x-ms-bot-agent, x-requested-with',
  'Access-Control-Max-Age': '600',
} as const;

export function mountDirectLine(server: restify.Server, deps: DirectLineDeps): void {
  assertTokenKey(deps.tokenKey);
  const { adapter, agencies, logic, tokenKey, directLineSecret, log, stream } = deps;
  const now = deps.now ?? (() => new Date());
  const ttl = deps.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;

  const conversationBody = (conversationId: string, token: string, expiresIn: number) => ({
    conversationId,
    token,
    expires_in: expiresIn,
  });
  /** A started or resumed conversation: the body above, and where to stream it from (after `watermark`). */
  const openedBody = (req: restify.Request, subject: TokenSubject, token: string, expiresIn: number, watermark?: number) => {
    const streamUrl = stream?.streamUrl(req, subject, watermark);
    return { ...conversationBody(subject.conversationId, token, expiresIn), ...(streamUrl === undefined ? {} : { streamUrl }) };
  };

  const authenticate = (req: restify.Request): Outcome<Caller> => {
    const header = req.header('authorization', '');
    if (header === '') return fail(401, 'MissingToken', 'Authorization: Bearer <token> is required');
    const bearer = bearerOf(header);
    if (bearer === undefined) return fail(401, 'MissingToken', 'Authorization must be "Bearer <token>"');
    const check = identifyCaller(bearer, { key: tokenKey, now: now(), use: 'conversation', directLineSecret, defaultAgency: agencies.defaultId });
    return check.ok ? { ok: true, value: check.caller } : fail(403, check.code, check.message);
  };

  /**
   * The agency a request speaks for, which must be served: a token's own (naming another is
   * refused); for the secret or a browser asking for a token, the one named (`?agency=`, the body's
   * `agency`), else the default. The secret serves every agency, but only the one a request names:
   * a server that names none cannot reach another agency's conversations by mistake.
   */
  const agencyOf = (req: restify.Request, caller: Caller | undefined, inBody?: string): Outcome<string> => {
    const named = namedAgency(req, inBody);
    if (!named.ok) return named;
    let agency = named.value ?? agencies.defaultId;
    if (caller?.kind === 'token') {
      if (named.value !== undefined && named.value !== caller.claims.agency) return fail(403, 'Forbidden', 'the token is for another agency');
      agency = caller.claims.agency;
    }
    return agencies.has(agency) ? { ok: true, value: agency } : { ok: false, failure: UNKNOWN_AGENCY };
  };

  /** The caller may act on this conversation: a token only on its own, the secret on any of the agency it names. */
  const authorize = (req: restify.Request): Outcome<{ caller: Caller; conversationId: string; agency: string }> => {
    const auth = authenticate(req);
    if (!auth.ok) return auth;
    const conversationId = String((req.params as Record<string, unknown>)['conversationId'] ?? '');
    if (auth.value.kind === 'token' && auth.value.claims.conversationId !== conversationId) {
      return fail(403, 'Forbidden', 'the token is for another conversation');
    }
    if (!CONVERSATION_ID_PATTERN.test(conversationId)) return fail(404, 'NotFound', 'no such conversation');
    const agency = agencyOf(req, auth.value);
    if (!agency.ok) return agency;
    const admitted = deps.admitConversation?.(conversationId) ?? { ok: true };
    if (!admitted.ok) {
      const { retryAfterSeconds } = admitted;
      return {
        ok: false,
        failure: {
          status: 429,
          code: 'TooManyRequests',
          message: `too many requests in this conversation; retry after ${retryAfterSeconds} s`,
          retryAfterSeconds,
        },
      };
    }
    return { ok: true, value: { caller: auth.value, conversationId, agency: agency.value } };
  };

  /** The conversation, if it is there and the agency's the caller speaks for. */
  const conversationOf = async (conversationId: string, agency: string): Promise<Outcome<StoredConversation>> => {
    const conversation = await adapter.store.getConversation(conversationId);
    if (conversation === undefined) return fail(404, 'NotFound', 'no such conversation');
    if (conversation.agency !== agency) return { ok: false, failure: OTHER_AGENCY };
    return { ok: true, value: conversation };
  };

  // Runs before routing and body parsing: CORS, and refusing bodies we would never read (uploads,
  // multipart) before restify's body parser buffers them or writes them to disk. Compressed requests
  // are refused for every path by the server itself (bot/server.ts).
  server.pre(function directLinePre(req: restify.Request, res: restify.Response, next: restify.Next) {
    const path = req.getPath();
    if (path !== DIRECTLINE_BASE && !path.startsWith(`${DIRECTLINE_BASE}/`)) return next();
    res.setHeader('Access-Control-Allow-Origin', CORS_HEADERS['Access-Control-Allow-Origin']);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    if (req.method === 'OPTIONS') {
      for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value);
      res.send(204);
      return next(false);
    }
    directLineErrorShape(res);
    if (/^\/v3\/directline\/conversations\/[^/]+\/upload\/?$/.test(path)) {
      sendFailure(res, { status: 415, code: 'UploadNotSupported', message: 'uploads not supported' });
      return next(false);
    }
    const hasBody = Number(req.header('content-length', '0')) > 0 || req.header('transfer-encoding', '') !== '';
    if (req.method === 'POST' && hasBody && !isJson(req.header('content-type', ''))) {
      sendFailure(res, { status: 415, code: 'UnsupportedMediaType', message: 'request bodies must be application/json' });
      return next(false);
    }
    return next();
  });

  server.post(`${DIRECTLINE_BASE}/tokens/generate`, async function generateToken(req: restify.Request, res: restify.Response) {
    const header = req.header('authorization', '');
    const withSecret = header !== '';
    if (withSecret) {
      const bearer = bearerOf(header);
      if (directLineSecret === undefined || bearer === undefined || !secretMatches(bearer, directLineSecret)) {
        return sendFailure(res, { status: 403, code: 'Forbidden', message: 'tokens/generate takes the Direct Line secret or no Authorization' });
      }
    }
    // A server holding the secret may name the user (Direct Line requires the dl_ prefix); anyone may
    // name the agency, and a widget that names none (an embed from before agencies) gets the default.
    const body = parseBody<{ user?: { id?: string | undefined } | undefined; agency?: string | undefined }>(
      req,
      withSecret ? generateBody : anonymousGenerateBody,
    );
    if (!body.ok) return sendFailure(res, body.failure);
    const agency = agencyOf(req, undefined, body.value.agency);
    if (!agency.ok) return sendFailure(res, agency.failure);
    const userId = body.value.user?.id ?? newUserId();
    const conversationId = newConversationId();
    const { token } = issueToken({ conversationId, userId, agency: agency.value }, tokenKey, now(), ttl);
    log.debug({ conversationId }, 'token generated');
    res.send(200, conversationBody(conversationId, token, ttl));
  });

  server.post(`${DIRECTLINE_BASE}/tokens/refresh`, async function refreshToken(req: restify.Request, res: restify.Response) {
    const auth = authenticate(req);
    if (!auth.ok) return sendFailure(res, auth.failure);
    if (auth.value.kind !== 'token') return sendFailure(res, { status: 403, code: 'Forbidden', message: 'only a token can be refreshed' });
    // The new token is for the same agency, while it is served.
    const agency = agencyOf(req, auth.value);
    if (!agency.ok) return sendFailure(res, agency.failure);
    const { conversationId, userId } = auth.value.claims;
    const { token } = issueToken({ conversationId, userId, agency: agency.value }, tokenKey, now(), ttl);
    res.send(200, conversationBody(conversationId, token, ttl));
  });

  server.post(`${DIRECTLINE_BASE}/conversations`, async function startConversation(req: restify.Request, res: restify.Response) {
    const auth = authenticate(req);
    if (!auth.ok) return sendFailure(res, auth.failure);
    const body = parseBody(req, startBody);
    if (!body.ok) return sendFailure(res, body.failure);
    const locale = body.value.locale;
    // A token starts its conversation in its own agency; the secret in the one it names.
    const named = agencyOf(req, auth.value, body.value.agency);
    if (!named.ok) return sendFailure(res, named.failure);
    const agency = named.value;

    let conversationId: string;
    let userId: string;
    let token: string;
    let expiresIn: number;
    if (auth.value.kind === 'token') {
      ({ conversationId, userId } = auth.value.claims);
      token = auth.value.token;
      expiresIn = secondsLeft(auth.value.claims, now());
    } else {
      conversationId = newConversationId();
      const requested = body.value.user?.id;
      userId = requested !== undefined && USER_ID_PATTERN.test(requested) ? requested : newUserId();
      token = issueToken({ conversationId, userId, agency }, tokenKey, now(), ttl).token;
      expiresIn = ttl;
    }
    const result = await adapter.startConversation({ conversationId, userId, agency, ...(locale === undefined ? {} : { locale }) }, logic);
    if (result.kind === 'forbidden') return sendFailure(res, { status: 403, code: 'Forbidden', message: 'the conversation belongs to another user' });
    if (result.kind === 'other-agency') return sendFailure(res, OTHER_AGENCY);
    res.send(result.kind === 'started' ? 201 : 200, openedBody(req, { conversationId, userId, agency }, token, expiresIn));
  });

  server.get(`${DIRECTLINE_BASE}/conversations/:conversationId`, async function reconnect(req: restify.Request, res: restify.Response) {
    const auth = authorize(req);
    if (!auth.ok) return sendFailure(res, auth.failure);
    const watermark = parseWatermark(req);
    if (!watermark.ok) return sendFailure(res, watermark.failure);
    const { caller, conversationId, agency } = auth.value;
    const conversation = await conversationOf(conversationId, agency);
    if (!conversation.ok) return sendFailure(res, conversation.failure);
    const subject = { conversationId, userId: conversation.value.userId, agency };
    if (caller.kind === 'token') {
      res.send(200, openedBody(req, subject, caller.token, secondsLeft(caller.claims, now()), watermark.value));
      return;
    }
    const { token } = issueToken(subject, tokenKey, now(), ttl);
    res.send(200, openedBody(req, subject, token, ttl, watermark.value));
  });

  server.get(`${DIRECTLINE_BASE}/conversations/:conversationId/activities`, async function getActivities(req: restify.Request, res: restify.Response) {
    const auth = authorize(req);
    if (!auth.ok) return sendFailure(res, auth.failure);
    const watermark = parseWatermark(req);
    if (!watermark.ok) return sendFailure(res, watermark.failure);
    // Read first, so that nothing of another agency's conversation is read at all (one lookup by key).
    const conversation = await conversationOf(auth.value.conversationId, auth.value.agency);
    if (!conversation.ok) return sendFailure(res, conversation.failure);
    const slice = await adapter.store.listActivities(auth.value.conversationId, watermark.value, MAX_ACTIVITIES_PER_POLL);
    if (slice === undefined) return sendFailure(res, { status: 404, code: 'NotFound', message: 'no such conversation' });
    res.send(200, { activities: slice.activities, watermark: String(slice.watermark) });
  });

  server.post(`${DIRECTLINE_BASE}/conversations/:conversationId/activities`, async function postActivity(req: restify.Request, res: restify.Response) {
    const auth = authorize(req);
    if (!auth.ok) return sendFailure(res, auth.failure);
    const body = parseBody(req, clientActivitySchema, true);
    if (!body.ok) return sendFailure(res, body.failure);
    const { caller, conversationId, agency } = auth.value;
    const userId = caller.kind === 'token' ? caller.claims.userId : undefined;
    const result = await adapter.receiveActivity(conversationId, { userId, agency }, body.value, logic);
    switch (result.kind) {
      case 'accepted':
        res.send(200, { id: result.id });
        return;
      case 'not-found':
        return sendFailure(res, { status: 404, code: 'NotFound', message: 'no such conversation; start it with POST /v3/directline/conversations' });
      case 'forbidden':
        return sendFailure(res, { status: 403, code: 'Forbidden', message: 'the conversation belongs to another user' });
      case 'other-agency':
        return sendFailure(res, OTHER_AGENCY);
      case 'bot-error':
        return sendFailure(res, { status: 502, code: 'BotError', message: 'the bot could not process the activity' });
    }
  });
}

/**
 * Errors restify sends itself (400 malformed JSON and 413 too large from the body parser, 404/405
 * from the router) get the same `{ error: { code, message } }` shape as ours. Done per response
 * rather than with a second 'restifyError' listener: restify hands every listener of that event the
 * same callback, so two listeners crash it (vasync "idx should be equal to ndone").
 */
function directLineErrorShape(res: restify.Response): void {
  const send = res.send as (...args: unknown[]) => unknown;
  res.send = function sendDirectLineError(this: restify.Response, ...args: unknown[]) {
    const [first] = args;
    if (args.length === 1 && first instanceof Error) {
      const status = (first as { statusCode?: unknown }).statusCode;
      const code = (first as { body?: { code?: unknown } }).body?.code;
      const httpStatus = typeof status === 'number' ? status : 500;
      return send.call(this, httpStatus, {
        error: {
          code: typeof code === 'string' ? code : first.name,
          message: httpStatus >= 500 ? 'internal error' : first.message,
        },
      });
    }
    return send.apply(this, args);
  } as typeof res.send;
}

function fail(status: number, code: ErrorCode, message: string): { ok: false; failure: Failure } {
  return { ok: false, failure: { status, code, message } };
}

/** The agency a request names, in `?agency=` and/or the body; undefined when it names none. */
function namedAgency(req: restify.Request, inBody: string | undefined): Outcome<string | undefined> {
  const inQuery = (req.query as Record<string, unknown> | undefined)?.['agency'];
  if (inQuery !== undefined && typeof inQuery !== 'string') return fail(400, 'BadArgument', 'agency must be given once');
  if (inQuery !== undefined && inBody !== undefined && inQuery !== inBody) return fail(400, 'BadArgument', 'the query and the body name different agencies');
  return { ok: true, value: inQuery ?? inBody };
}

function isJson(contentType: string): boolean {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/** The parsed JSON body; an absent body counts as `{}` unless `required`. */
function parseBody<T>(req: restify.Request, schema: z.ZodType<T>, required = false): Outcome<T> {
  const raw: unknown = req.body;
  const empty = raw === undefined || raw === null || raw === '' || (Buffer.isBuffer(raw) && raw.length === 0);
  if (empty && required) return fail(400, 'MissingProperty', 'a JSON body is required');
  const value = empty ? {} : raw;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Buffer.isBuffer(value)) {
    return fail(400, 'BadArgument', 'the body must be a JSON object');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    return fail(400, 'BadArgument', where);
  }
  return { ok: true, value: parsed.data };
}

/** `watermark` as a number: absent or empty means from the start. */
function parseWatermark(req: restify.Request): Outcome<number> {
  const raw = (req.query as Record<string, unknown> | undefined)?.['watermark'];
  if (raw === undefined || raw === '') return { ok: true, value: 0 };
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) return fail(400, 'BadArgument', 'watermark must be a non-negative integer');
  return { ok: true, value: Number(raw) };
}
