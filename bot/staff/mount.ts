// The staff console at /staff, as app.ts mounts it over the staff side (a service per agency, which
// does not know its console): the console's routes, one module per resource (routes/), an agency's
// under /staff/api/agencies/:agency/ (api.ts says why one console serves every agency). The report
// page (routes/reports.ts) and the knowledge studio (routes/studio.ts) are mounted by app.ts itself:
// they need the records and the knowledge.
import type restify from 'restify';
import type { Logger } from '../log.js';
import type { Handover, StaffSideDeps } from '../handover/index.js';
import type { HandoverRepository, StaffMember } from '../handover/repository.js';
import type { StaffSide } from '../handover/staff-side.js';
import type { StaffDirectory } from '../handover/staff.js';
import { consoleApi, sessionCheck, type ConsoleApi } from './api.js';
import { LoginThrottle, sessionCookieName, type CookieSettings } from './auth.js';
import { mountAccountRoutes } from './routes/accounts.js';
import { mountCaseRoutes } from './routes/cases.js';
import { mountEventRoutes } from './routes/events.js';
import { mountConsolePage } from './routes/page.js';
import { mountPresenceRoutes } from './routes/presence.js';
import { mountSessionRoutes } from './routes/session.js';
import { mountTicketRoutes } from './routes/tickets.js';

export interface StaffConsoleDeps {
  side: StaffSide;
  directory: StaffDirectory;
  repo: HandoverRepository;
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
  /** The console's request checks, for agency routes mounted elsewhere (routes/studio.ts): session, CSRF, the agency. */
  api: ConsoleApi;
  /** Ends the open event streams (server shutdown). */
  close(): void;
}

/**
 * The staff console: the page, a JSON API (log in and out, own status and languages, and per
 * agency: queue, accept, live chat, hand back, close, notes, cases, transcripts, its staff) and a
 * server-sent event stream per agency for live updates. Every API route needs a session; every
 * state-changing one also the CSRF header and a same-origin request; every agency's route an
 * agency the member serves (api.ts).
 */
export function mountStaffConsole(server: restify.Server, deps: StaffConsoleDeps): StaffConsole {
  const { side, directory, repo, log } = deps;
  const throttle = deps.throttle ?? new LoginThrottle({ now: () => side.now().getTime() });
  const authenticate = sessionCheck(repo, sessionCookieName(deps.cookies), side.now);
  const api = consoleApi(server, authenticate, log, { serves: (agency) => side.serves(agency), service: (agency) => side.service(agency) });
  const agencies = () =>
    side.agencies.ids().flatMap((id) => {
      const profile = side.agencies.profile(id);
      return profile ? [{ id, name: profile.name.lv }] : [];
    });

  mountConsolePage(server);
  mountSessionRoutes(api, {
    directory,
    sessions: repo,
    signOff: (staff) => side.signOff(staff),
    agencies,
    now: side.now,
    cookies: deps.cookies,
    trustProxyHops: deps.trustProxyHops,
    throttle,
    log,
  });
  mountPresenceRoutes(api, { directory });
  mountTicketRoutes(api);
  mountCaseRoutes(api);
  mountAccountRoutes(api, { directory });
  const streams = mountEventRoutes(api, { staff: repo, log, heartbeatMs: deps.heartbeatMs });

  return { authenticate, api, close: () => streams.close() };
}

export interface MountedHandover extends Handover {
  console: StaffConsole;
}

/** The console at /staff over a staff side already made (createHandover), for app.ts. */
export function mountHandoverConsole(
  server: restify.Server,
  handover: Handover,
  deps: Pick<StaffSideDeps, 'config' | 'log'> & Pick<StaffConsoleDeps, 'heartbeatMs'>,
): MountedHandover {
  const console = mountStaffConsole(server, {
    ...(deps.heartbeatMs === undefined ? {} : { heartbeatMs: deps.heartbeatMs }),
    side: handover.side,
    directory: handover.directory,
    repo: handover.repo,
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
