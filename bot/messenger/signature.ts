// Webhook authenticity: Meta signs every POST with X-Hub-Signature-256 = "sha256=" + hex
// HMAC-SHA256 of the raw body, keyed with the app secret.
// https://developers.facebook.com/docs/messenger-platform/webhooks
// https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hub-signature-256';

const SIGNATURE_PATTERN = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * The raw body as restify's body parser kept it (`req.rawBody`): a UTF-8 string for
 * application/json, a Buffer for other types. Meta sends ASCII (non-ASCII characters are
 * \u-escaped), and a UTF-8 string re-encodes to exactly the bytes received for any valid UTF-8, so
 * the HMAC is computed over the bytes Meta signed. Invalid UTF-8 would not survive the round trip
 * and fails the check: a forged body is refused, never accepted.
 */
export function rawBodyBytes(rawBody: unknown): Buffer | undefined {
  if (Buffer.isBuffer(rawBody)) return rawBody;
  if (typeof rawBody === 'string') return Buffer.from(rawBody, 'utf8');
  return undefined;
}

export function signBody(body: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/** Whether the header is the body's signature; constant-time in the digest comparison. */
export function signatureMatches(body: Buffer, header: string | undefined, appSecret: string): boolean {
  const match = SIGNATURE_PATTERN.exec((header ?? '').trim());
  if (match === null) return false;
  const given = Buffer.from(match[1]!, 'hex');
  const expected = createHmac('sha256', appSecret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Constant-time equality of two secrets of any length (hashed first so lengths do not leak). */
export function secretEquals(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
