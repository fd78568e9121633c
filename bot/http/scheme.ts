// What the browser sees of a request's address: whether it came over https (from the socket, or
// from a proxy we trust to tell), and whether the host it addressed is this machine's loopback.
import type { IncomingMessage } from 'node:http';

/** The scheme the client used: behind `trustProxyHops` proxies it is theirs to tell (X-Forwarded-Proto). */
export function cameOverHttps(req: IncomingMessage, trustProxyHops: number): boolean {
  const forwarded = trustProxyHops > 0 ? (String(req.headers['x-forwarded-proto'] ?? '').split(',')[0] ?? '').trim().toLowerCase() : '';
  return forwarded !== '' ? forwarded === 'https' : 'encrypted' in req.socket && req.socket.encrypted === true;
}

/**
 * The Host header names the loopback ("localhost", 127.x.x.x, "[::1]"): browsers treat such pages as
 * secure even over http and keep Secure cookies for them; for any other host over http they drop them.
 */
export function addressesLoopback(req: IncomingMessage): boolean {
  const host = (req.headers.host ?? '').toLowerCase();
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? '');
  return name === 'localhost' || name.endsWith('.localhost') || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) || name === '[::1]';
}
