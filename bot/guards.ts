// Who counts as "this machine" for the endpoints that trust it (/api/messages without
// authentication, /metrics without a token).
import type { IncomingMessage } from 'node:http';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
/** Headers a reverse proxy adds: their presence means the request came from elsewhere. */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip', 'via'] as const;

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (LOOPBACK.has(address) || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

/**
 * A request from this machine's own tools: a loopback socket, and no proxy on the way. A reverse
 * proxy on the same host connects from loopback too, carrying some other client's request; whatever
 * TRUST_PROXY_HOPS says, such a request is never local.
 */
export function isLocalRequest(req: Pick<IncomingMessage, 'socket' | 'headers'>): boolean {
  return isLoopback(req.socket.remoteAddress) && FORWARDING_HEADERS.every((h) => req.headers[h] === undefined);
}
