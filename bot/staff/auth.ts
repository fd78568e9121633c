// Staff console sessions: a random token in an HttpOnly, SameSite=Strict cookie (Secure and
// __Host- prefixed unless COOKIE_SECURE=false), stored only as its SHA-256; a CSRF token derived
// from the session token (HMAC), sent back in a header on every state-changing request; and a
// login throttle that locks a login or an address out after repeated failures.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_HOURS = 12;
export const CSRF_HEADER = 'x-csrf-token';

export interface CookieSettings {
  secure: boolean;
}

/** `__Host-` needs Secure and Path=/; on plain http the cookie is scoped to /staff instead. */
export function sessionCookieName(settings: CookieSettings): string {
  return settings.secure ? '__Host-padoms-staff' : 'padoms-staff';
}

export function sessionCookie(token: string, settings: CookieSettings, maxAgeSeconds = SESSION_HOURS * 3600): string {
  const attributes = [`${sessionCookieName(settings)}=${token}`, settings.secure ? 'Path=/' : 'Path=/staff', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`];
  if (settings.secure) attributes.push('Secure');
  return attributes.join('; ');
}

export function clearedSessionCookie(settings: CookieSettings): string {
  return sessionCookie('', settings, 0);
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Bound to the session and unguessable without its cookie; needs no server-side storage, so any instance checks it. */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('padoms-staff-csrf').digest('base64url');
}

export function csrfMatches(sessionToken: string, presented: string | undefined): boolean {
  if (presented === undefined || presented === '') return false;
  const expected = Buffer.from(csrfTokenFor(sessionToken));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface ThrottleOptions {
  /** Failures within the window that lock a login. */
  perLogin?: number;
  /** Failures within the window that lock an address (an office behind one NAT shares it: higher). */
  perIp?: number;
  windowMs?: number;
  now?: () => number;
  /** Bound on remembered keys. */
  maxKeys?: number;
}

export type ThrottleCheck = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Failed logins per login and per address in a sliding window, in this process's memory: behind N
 * instances an attacker gets at most N times the attempts, still a handful per quarter-hour.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly perLogin: number;
  private readonly perIp: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(options: ThrottleOptions = {}) {
    this.perLogin = options.perLogin ?? 5;
    this.perIp = options.perIp ?? 20;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 50_000;
  }

  check(login: string, ip: string): ThrottleCheck {
    const waits = [this.lockedFor(`login:${login}`, this.perLogin), this.lockedFor(`ip:${ip}`, this.perIp)].filter((w) => w > 0);
    return waits.length === 0 ? { ok: true } : { ok: false, retryAfterSeconds: Math.ceil(Math.max(...waits) / 1000) };
  }

  fail(login: string, ip: string): void {
    for (const key of [`login:${login}`, `ip:${ip}`]) {
      const list = this.recent(key);
      list.push(this.now());
      this.failures.set(key, list);
    }
    if (this.failures.size > this.maxKeys) this.prune();
  }

  /** A successful login clears the login's failures (not the address's). */
  succeed(login: string): void {
    this.failures.delete(`login:${login}`);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    return (this.failures.get(key) ?? []).filter((t) => t > since);
  }

  /** Milliseconds until the key is free again, 0 if it is. */
  private lockedFor(key: string, limit: number): number {
    const list = this.recent(key);
    if (list.length < limit) return 0;
    // Free once enough of the failures have left the window.
    const freeingFailure = list[list.length - limit]!;
    return Math.max(1, freeingFailure + this.windowMs - this.now());
  }

  private prune(): void {
    for (const key of this.failures.keys()) {
      const list = this.recent(key);
      if (list.length === 0) this.failures.delete(key);
      else this.failures.set(key, list);
    }
  }
}
