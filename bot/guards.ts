// Request guards for the Bot Framework endpoint.
import type { Request, Response, Next } from 'restify';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (LOOPBACK.has(address) || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

/**
 * With an empty MicrosoftAppId botbuilder accepts any request without authentication. Then only
 * local tools (the Bot Framework Emulator, tests) may reach /api/messages.
 */
export function loopbackOnly(req: Request, res: Response, next: Next): void {
  if (isLoopback(req.socket.remoteAddress)) return next();
  res.send(403, { error: { code: 'Forbidden', message: 'Authentication is disabled (no MicrosoftAppId), so only loopback clients may use this endpoint.' } });
  return next(false);
}
