// Direct Line tokens: HS256 JWTs scoped to one conversation, one user and one agency, signed with a server key.
// They are JWT-shaped on purpose: Web Chat and botframework-directlinejs read the `user` claim to
// learn the user id (https://github.com/microsoft/BotFramework-WebChat, "user ID is both specified
// in the Direct Line token and passed in"), so the browser never invents its own id.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { agencyFolder } from '../../knowledge/schema.js';

/** Whom a token is for: one conversation, its user, and the agency the conversation belongs to. */
export interface TokenSubject {
  conversationId: string;
  userId: string;
  /** The agency (a folder name under knowledge/agencies/) whose conversation this is. */
  agency: string;
}

/** What a token says: which conversation it opens, for which user of which agency, and until when. */
export interface TokenClaims extends TokenSubject {
  /** Seconds since the epoch. */
  issuedAt: number;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export type TokenCheck = { kind: 'valid'; claims: TokenClaims } | { kind: 'expired'; claims: TokenClaims } | { kind: 'invalid' };

export const DEFAULT_TOKEN_TTL_SECONDS = 1800;
export const MIN_TOKEN_KEY_BYTES = 32;

/** Conversation ids we issue: 22 characters of base64url. Anything else in a URL is refused early. */
export const CONVERSATION_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
/** Direct Line reserves the `dl_` prefix for user ids that come from a token. */
export const USER_ID_PATTERN = /^dl_[A-Za-z0-9_-]{8,64}$/;

// The only header we issue or accept. Comparing it byte for byte rules out `alg: none` and
// algorithm-confusion tricks without parsing it.
const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

/**
 * What a token opens. A conversation token is the client's bearer for the REST API. A stream token
 * travels in the WebSocket URL (browsers cannot set headers on a WebSocket), where proxies may log
 * it: it opens only the stream, and only for a minute. The issuer tells them apart, so neither is
 * accepted where the other is expected.
 */
export type TokenUse = 'conversation' | 'stream';
const ISSUERS: Record<TokenUse, string> = { conversation: 'padoms-directline', stream: 'padoms-directline-stream' };

const payloadSchema = z.object({
  iss: z.string(),
  conv: z.string().regex(CONVERSATION_ID_PATTERN),
  user: z.string().regex(USER_ID_PATTERN),
  // Absent in tokens issued before one installation served several agencies (see verifyToken).
  agency: agencyFolder.optional(),
  iat: z.number().int().nonnegative(),
  exp: z.number().int().positive(),
});

export function newConversationId(random: (bytes: number) => Buffer = randomBytes): string {
  return random(16).toString('base64url');
}

export function newUserId(random: (bytes: number) => Buffer = randomBytes): string {
  return `dl_${random(12).toString('base64url')}`;
}

/**
 * The signing key from configuration: the configured secret's bytes, or 32 random bytes for this
 * process (tokens then end with the process: only for a store that ends with it too; the app keeps
 * a made key with SQLite's data, see keptSecret).
 */
export function tokenKeyFrom(secret: string | undefined): Buffer {
  return secret === undefined ? randomBytes(MIN_TOKEN_KEY_BYTES) : Buffer.from(secret, 'utf8');
}

export function assertTokenKey(key: Buffer): void {
  if (key.length < MIN_TOKEN_KEY_BYTES) {
    throw new Error(`Direct Line token key must be at least ${MIN_TOKEN_KEY_BYTES} bytes (got ${key.length})`);
  }
}

export function signToken(claims: TokenClaims, key: Buffer, use: TokenUse = 'conversation'): string {
  // A stream token opens one socket (stream.ts), so two issued in the same second must differ.
  const nonce = use === 'stream' ? { jti: randomBytes(12).toString('base64url') } : {};
  const payload = base64url(
    JSON.stringify({
      iss: ISSUERS[use],
      conv: claims.conversationId,
      user: claims.userId,
      agency: claims.agency,
      iat: claims.issuedAt,
      exp: claims.expiresAt,
      ...nonce,
    }),
  );
  const signingInput = `${HEADER}.${payload}`;
  return `${signingInput}.${sign(signingInput, key)}`;
}

/** Issues a token valid for `ttlSeconds` from `now`. */
export function issueToken(
  subject: TokenSubject,
  key: Buffer,
  now: Date,
  ttlSeconds: number = DEFAULT_TOKEN_TTL_SECONDS,
  use: TokenUse = 'conversation',
): { token: string; claims: TokenClaims } {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const claims: TokenClaims = {
    conversationId: subject.conversationId,
    userId: subject.userId,
    agency: subject.agency,
    issuedAt,
    expiresAt: issuedAt + ttlSeconds,
  };
  return { token: signToken(claims, key, use), claims };
}

/**
 * Checks signature (in constant time), use, shape and expiry. Never throws on bad input. A token
 * without an agency was issued before the installation served several, when its one agency was the
 * default: it is the `defaultAgency`'s (without one it is not valid). Such tokens live half an
 * hour, so a widget open across the upgrade keeps its conversation.
 */
export function verifyToken(token: string, key: Buffer, now: Date, use: TokenUse = 'conversation', defaultAgency?: string): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { kind: 'invalid' };
  const [header, payload, signature] = parts as [string, string, string];
  if (header !== HEADER) return { kind: 'invalid' };

  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  // Lengths are public (always 32 for a real signature); only the content comparison must be
  // constant-time. Re-encoding also rejects non-canonical base64url spellings of the same bytes.
  if (given.length !== expected.length || given.toString('base64url') !== signature) return { kind: 'invalid' };
  if (!timingSafeEqual(given, expected)) return { kind: 'invalid' };

  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { kind: 'invalid' };
  }
  const parsed = payloadSchema.safeParse(decoded);
  if (!parsed.success || parsed.data.iss !== ISSUERS[use]) return { kind: 'invalid' };
  const agency = parsed.data.agency ?? defaultAgency;
  if (agency === undefined) return { kind: 'invalid' };
  const claims: TokenClaims = {
    conversationId: parsed.data.conv,
    userId: parsed.data.user,
    agency,
    issuedAt: parsed.data.iat,
    expiresAt: parsed.data.exp,
  };
  return claims.expiresAt * 1000 <= now.getTime() ? { kind: 'expired', claims } : { kind: 'valid', claims };
}

/** Who presented a credential: a server holding the Direct Line secret, or a token's holder. */
export type Caller = { kind: 'secret' } | { kind: 'token'; token: string; claims: TokenClaims };
export type CallerCheck = { ok: true; caller: Caller } | { ok: false; code: 'BadToken' | 'TokenExpired'; message: string };

/** The credential of `Authorization: Bearer <credential>`; undefined when the header is absent or malformed. */
export function bearerOf(header: string | undefined): string | undefined {
  return /^Bearer[ \t]+([^\s]+)$/i.exec((header ?? '').trim())?.[1];
}

/**
 * A presented credential checked: the Direct Line secret (where one is configured, and only where a
 * conversation token would do), else a token for `use`. The REST routes and the stream check alike.
 */
export function identifyCaller(
  credential: string,
  options: { key: Buffer; now: Date; use: TokenUse; directLineSecret?: string | undefined; defaultAgency: string },
): CallerCheck {
  const { directLineSecret, use } = options;
  if (use === 'conversation' && directLineSecret !== undefined && secretMatches(credential, directLineSecret)) return { ok: true, caller: { kind: 'secret' } };
  const check = verifyToken(credential, options.key, options.now, use, options.defaultAgency);
  switch (check.kind) {
    case 'valid':
      return { ok: true, caller: { kind: 'token', token: credential, claims: check.claims } };
    case 'expired':
      return { ok: false, code: 'TokenExpired', message: 'the token has expired' };
    case 'invalid':
      return { ok: false, code: 'BadToken', message: 'the token is not valid' };
  }
}

/** Seconds left before the token expires (never negative). */
export function secondsLeft(claims: TokenClaims, now: Date): number {
  return Math.max(0, claims.expiresAt - Math.floor(now.getTime() / 1000));
}

/**
 * Constant-time comparison of a presented secret with the configured one. Both are hashed first so
 * that neither the length nor the content of the configured secret leaks through timing.
 */
export function secretMatches(presented: string, configured: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(configured, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function sign(input: string, key: Buffer): string {
  return createHmac('sha256', key).update(input).digest('base64url');
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
