// The staff console at /staff, as app.ts mounts it over the staff side (the handover service, which
// does not know its console): the console's routes, one module per resource (routes/). The report
// page (routes/reports.ts) is mounted by app.ts itself: it needs the records and the knowledge.
import type restify from 'restify';
import type { Logger } from '../log.js';
import type { AgencyProfile } from '../../knowledge/schema.js';
import type { Handover, StaffSideDeps } from '../handover/index.js';
import type { HandoverRepository, StaffMember } from '../handover/repository.js';
import type { StaffHandoverService } from '../handover/service.js';
import type { StaffDirectory } from '../handover/staff.js';
import { consoleApi, sessionCheck } from './api.js';
import { LoginThrottle, sessionCookieName, type CookieSettings } from './auth.js';
import { mountCaseRoutes } from './routes/cases.js';
import { mountEventRoutes } from './routes/events.js';
import { mountConsolePage } from './routes/page.js';
import { mountPresenceRoutes } from './routes/presence.js';
import { mountSessionRoutes } from './routes/session.js';
import { mountTicketRoutes } from './routes/tickets.js';

export interface StaffConsoleDeps {
  service: StaffHandoverService;
  directory: StaffDirectory;
  repo: HandoverRepository;
  profile: () => AgencyProfile;
  cookies: CookieSettings;
  trustProxyHops: number;
  log: Logger;
  throttle?: LoginThrottle;
  /** How often the event stream says it is alive (and the session is re-checked). */
  heartbeatMs?: number;
}

export interface StaffConsole {
  /** The staff member of a request's session, if any: for console pages mounted elsewhere (routes/reports.ts). */
  authenticate(req: restify.Request): Promise<{ staff: StaffMember } | undefined>;
  /** Ends the open event streams (server shutdown). */
  close(): void;
}

/**
 * The staff console: the page, a JSON API (log in and out, own status and languages, queue, accept,
 * live chat, hand back, close, notes, cases, transcripts) and a server-sent event stream for live
 * updates. Every API route needs a session; every state-changing one also the CSRF header and a
 * same-origin request (api.ts).
 */
export function mountStaffConsole(server: restify.Server, deps: StaffConsoleDeps): StaffConsole {
  const { service, directory, repo, log, profile } = deps;
  const { queue, presence, relay, cases, view } = service;
  const throttle = deps.throttle ?? new LoginThrottle({ now: () => service.now().getTime() });
  const authenticate = sessionCheck(repo, sessionCookieName(deps.cookies), service.now);
  const api = consoleApi(server, authenticate, log);

  mountConsolePage(server);
  mountSessionRoutes(api, { directory, sessions: repo, presence, now: service.now, cookies: deps.cookies, trustProxyHops: deps.trustProxyHops, throttle, log });
  mountPresenceRoutes(api, { presence, directory });
  mountTicketRoutes(api, { queue, relay, view, profile });
  mountCaseRoutes(api, { cases, view, relay, mail: repo, profile });
  const streams = mountEventRoutes(api, { view, presence, staff: repo, log, heartbeatMs: deps.heartbeatMs });

  return { authenticate, close: () => streams.close() };
}

export interface MountedHandover extends Handover {
  console: StaffConsole;
}

/** The console at /staff over a staff side already made (createHandover), for app.ts. */
export function mountHandoverConsole(server: restify.Server, handover: Handover, deps: Pick<StaffSideDeps, 'config' | 'profile' | 'log'>): MountedHandover {
  const console = mountStaffConsole(server, {
    service: handover.service,
    directory: handover.directory,
    repo: handover.repo,
    profile: deps.profile,
    cookies: { secure: deps.config.COOKIE_SECURE },
    trustProxyHops: deps.config.TRUST_PROXY_HOPS,
    log: deps.log.child({ component: 'staff-console' }),
  });
  return {
    ...handover,
    console,
    async close() {
      console.close();
      await handover.close();
    },
  };
}
