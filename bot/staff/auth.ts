// Staff console sessions: a random token in an HttpOnly, SameSite=Strict cookie (Secure and
// __Host- prefixed unless COOKIE_SECURE=false), stored only as its SHA-256; a CSRF token derived
// from the session token (HMAC), sent back in a header on every state-changing request; and a
// login throttle that stops repeated failures without locking the owner out.
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
  const attributes = [
    `${sessionCookieName(settings)}=${token}`,
    settings.secure ? 'Path=/' : 'Path=/staff',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAgeSeconds}`,
  ];
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
  /** Failed attempts on one login from one address within the window that stop that address trying it. */
  perLoginAndIp?: number;
  /** Failed attempts from one address within the window, whatever the login (an office behind one NAT shares it: higher). */
  perIp?: number;
  /**
   * Failed attempts on one login from every address together: a spread-out guessing attack. It then
   * stops only addresses the login has never signed in from, so it cannot lock the owner out.
   */
  perLogin?: number;
  windowMs?: number;
  /** How long a successful sign-in makes its address known for the login. */
  knownForMs?: number;
  now?: () => number;
  /** Bound on remembered keys. */
  maxKeys?: number;
}

export type ThrottleCheck = { ok: true; attempt: LoginAttempt } | { ok: false; retryAfterSeconds: number };

/** An attempt admitted by the throttle, counted as failed until it is told it succeeded. */
export interface LoginAttempt {
  succeeded(): void;
}

/**
 * Failed staff logins in a sliding window, in this process's memory (behind N instances an attacker
 * gets at most N times the attempts, still a handful per quarter-hour).
 *
 * An attempt is counted when it starts, before the password is checked: counted after, parallel
 * attempts would all pass the check (100 at once were all tried). Failures lock a login only at
 * the address they came from, so nobody can lock its owner out by failing on purpose elsewhere; a
 * spread-out attack on one login stops addresses the login never signed in from. This is the
 * reasoning of OWASP's "device cookies" with the address in place of a cookie:
 * https://owasp.org/www-community/Slow_Down_Online_Guessing_Attacks_with_Device_Cookies
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  /** `login ip` → until when the address is known for the login (ms). */
  private readonly known = new Map<string, number>();
  private readonly perLoginAndIp: number;
  private readonly perIp: number;
  private readonly perLogin: number;
  private readonly windowMs: number;
  private readonly knownForMs: number;
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(options: ThrottleOptions = {}) {
    this.perLoginAndIp = options.perLoginAndIp ?? 5;
    this.perIp = options.perIp ?? 20;
    this.perLogin = options.perLogin ?? 50;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.knownForMs = options.knownForMs ?? 30 * 24 * 3_600_000;
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 50_000;
  }

  /** Admits an attempt (and counts it) or says how long to wait. */
  begin(login: string, ip: string): ThrottleCheck {
    const pair = `${login} ${ip}`;
    const keys = [`pair:${pair}`, `ip:${ip}`, `login:${login}`];
    const knownAddress = (this.known.get(pair) ?? 0) > this.now();
    const waits = [
      this.lockedFor(keys[0]!, this.perLoginAndIp),
      this.lockedFor(keys[1]!, this.perIp),
      knownAddress ? 0 : this.lockedFor(keys[2]!, this.perLogin),
    ].filter((w) => w > 0);
    if (waits.length > 0) return { ok: false, retryAfterSeconds: Math.ceil(Math.max(...waits) / 1000) };

    const at = this.now();
    for (const key of keys) this.failures.set(key, [...this.recent(key), at]);
    if (this.failures.size + this.known.size > this.maxKeys) this.prune();
    return {
      ok: true,
      attempt: {
        succeeded: () => {
          // The owner is in: their address's earlier failures on this login are forgiven, and the
          // address stays known. What the address or the login failed elsewhere still counts.
          this.failures.delete(keys[0]!);
          for (const key of keys.slice(1)) this.forget(key, at);
          this.known.set(pair, this.now() + this.knownForMs);
        },
      },
    };
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    return (this.failures.get(key) ?? []).filter((t) => t > since);
  }

  /** Takes one attempt (the one at `at`) back from a key's failures. */
  private forget(key: string, at: number): void {
    const list = this.failures.get(key);
    const i = list?.indexOf(at) ?? -1;
    if (list !== undefined && i >= 0) list.splice(i, 1);
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
    const nowMs = this.now();
    for (const [pair, until] of this.known) if (until <= nowMs) this.known.delete(pair);
    for (const key of this.failures.keys()) {
      const list = this.recent(key);
      if (list.length === 0) this.failures.delete(key);
      else this.failures.set(key, list);
    }
  }
}
