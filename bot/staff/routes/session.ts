// Signing in and out of the console, one login for every agency the member serves: POST
// /staff/api/login (no session yet: same origin, the login throttle, a fresh session cookie), POST
// /staff/api/logout (offline in every agency), and GET /staff/api/me (who the session is, with its
// CSRF token and the agencies the member serves, to choose among in the console).
import type restify from 'restify';
import { z } from 'zod';
import { errorFields, type Logger } from '../../log.js';
import { clientIp } from '../../http/rate-limit.js';
import { addressesLoopback, cameOverHttps } from '../../http/scheme.js';
import { LANGUAGE_NAMES_LV } from '../../handover/mail.js';
import type { HandoverRepository, StaffMember } from '../../handover/repository.js';
import { agenciesServed, roleIn } from '../../handover/roles.js';
import { viewOf, type StaffDirectory } from '../../handover/staff.js';
import {
  LoginThrottle,
  SESSION_HOURS,
  clearedSessionCookie,
  csrfTokenFor,
  hashToken,
  newSessionToken,
  readCookie,
  sessionCookie,
  sessionCookieName,
  type CookieSettings,
} from '../auth.js';
import { sameOrigin, sendError, type ConsoleApi } from '../api.js';

export interface SessionRoutesDeps {
  directory: Pick<StaffDirectory, 'authenticate'>;
  sessions: Pick<HandoverRepository, 'createSession' | 'deleteSession'>;
  /** Offline in every agency, their conversations back in the queue. */
  signOff: (staff: StaffMember) => Promise<void>;
  /** The agencies the installation serves now, with their names. */
  agencies: () => { id: string; name: string }[];
  now: () => Date;
  cookies: CookieSettings;
  trustProxyHops: number;
  throttle: LoginThrottle;
  log: Logger;
}

const loginBody = z.object({ login: z.string().min(1).max(64), password: z.string().min(1).max(256) });

const INSECURE_LOGIN =
  'Pārlūks nesaglabā pieteikšanās sīkdatni: tā ir Secure, bet konsole atvērta pa http, ne pa https. ' +
  'Atveriet konsoli pa https (caur starpniekserveri ar TLS) vai šajā datorā kā http://localhost; ' +
  'uzticamā iekšējā tīklā var iestatīt COOKIE_SECURE=false.';

export function mountSessionRoutes(api: ConsoleApi, deps: SessionRoutesDeps): void {
  const { directory, sessions, throttle, log } = deps;
  const cookieName = sessionCookieName(deps.cookies);

  api.server.post('/staff/api/login', async function staffLogin(req: restify.Request, res: restify.Response) {
    res.setHeader('Cache-Control', 'no-store');
    try {
      if (!sameOrigin(req)) return sendError(res, 403, 'Forbidden', 'pieprasījums no citas vietnes');
      // A Secure cookie sent over plain http to another host than this machine is dropped by the
      // browser: the login would "succeed" and the form come back. Say so, and what to change.
      if (deps.cookies.secure && !cameOverHttps(req, deps.trustProxyHops) && !addressesLoopback(req)) {
        return sendError(res, 400, 'InsecureConnection', INSECURE_LOGIN);
      }
      const body = loginBody.safeParse(req.body);
      if (!body.success) return sendError(res, 400, 'BadRequest', 'vajag lietotājvārdu un paroli');
      const login = body.data.login.trim().toLowerCase();
      const ip = clientIp(req, deps.trustProxyHops);
      const allowed = throttle.begin(login, ip);
      if (!allowed.ok) {
        res.setHeader('Retry-After', String(allowed.retryAfterSeconds));
        log.warn({ ip }, 'login locked out');
        return sendError(res, 429, 'TooManyRequests', `pārāk daudz neveiksmīgu mēģinājumu; mēģiniet pēc ${Math.ceil(allowed.retryAfterSeconds / 60)} min`);
      }
      const staff = await directory.authenticate(login, body.data.password);
      if (!staff) {
        log.warn({ ip }, 'login failed');
        return sendError(res, 401, 'Unauthorized', 'nepareizs lietotājvārds vai parole');
      }
      allowed.attempt.succeeded();
      // A fresh token at every login (no session fixation); an old session of this browser ends.
      const previous = readCookie(req.headers.cookie, cookieName);
      if (previous) await sessions.deleteSession(hashToken(previous));
      const token = newSessionToken();
      const now = deps.now();
      await sessions.createSession({
        tokenHash: hashToken(token),
        staffId: staff.id,
        createdAt: now,
        expiresAt: new Date(now.getTime() + SESSION_HOURS * 3_600_000),
      });
      // Presence is per agency: the console marks the member here for the agency it opens.
      log.info({ staffId: staff.id }, 'logged in');
      res.setHeader('Set-Cookie', sessionCookie(token, deps.cookies));
      res.send(200, { me: viewOf(staff), csrfToken: csrfTokenFor(token) });
    } catch (err) {
      log.error({ err: errorFields(err) }, 'login failed with an error');
      sendError(res, 500, 'Internal', 'kļūda serverī');
    }
  });

  api.route('post', '/staff/api/logout', async (_req, res, { staff, token }) => {
    await sessions.deleteSession(hashToken(token));
    await deps.signOff(staff);
    log.info({ staffId: staff.id }, 'logged out');
    res.setHeader('Set-Cookie', clearedSessionCookie(deps.cookies));
    res.send(204);
  });

  api.route('get', '/staff/api/me', async (_req, res, { staff, token }) => {
    const known = deps.agencies();
    const served = new Set(
      agenciesServed(
        staff,
        known.map((a) => a.id),
      ),
    );
    const agencies = known.filter((a) => served.has(a.id)).map((a) => ({ ...a, role: roleIn(staff, a.id) }));
    res.send(200, { me: viewOf(staff), agencies, csrfToken: csrfTokenFor(token), languageNames: LANGUAGE_NAMES_LV });
  });
}
