// The console API's shared request handling: whose session a request carries, the checks every API
// route makes (a session; on a state-changing request also a same-origin request and the CSRF
// header; on an agency's route, that the installation serves the agency and the session's member
// does), ids in paths, and errors in the server's one shape (bot/http/errors.ts).
//
// One console serves every agency: the page is /staff, and an agency's data is under
// /staff/api/agencies/:agency/…, the agency named in the path of every request and checked on the
// server against the session's member every time. One login (the cookie is the console's, Path
// /staff on plain http) covers every agency the member serves; switching agency is a different
// path, never a different session.
import type restify from 'restify';
import { AGENCY_FOLDER } from '../../knowledge/schema.js';
import { errorFields, type Logger } from '../log.js';
import { sendFailure, type ErrorCode } from '../http/errors.js';
import type { HandoverRepository, StaffMember } from '../handover/repository.js';
import { serves } from '../handover/roles.js';
import type { StaffHandoverService } from '../handover/service.js';
import { CSRF_HEADER, csrfMatches, hashToken, readCookie } from './auth.js';

/** A request's session: its staff member and its token (the CSRF token is derived from it). */
export interface Authed {
  staff: StaffMember;
  token: string;
}

export type Handler = (req: restify.Request, res: restify.Response, auth: Authed) => Promise<void>;

/** The session of a request's cookie, if it is a live one. */
export type SessionCheck = (req: restify.Request) => Promise<Authed | undefined>;

export function sessionCheck(repo: Pick<HandoverRepository, 'findSession'>, cookieName: string, now: () => Date): SessionCheck {
  return async (req) => {
    const token = readCookie(req.headers.cookie, cookieName);
    if (token === undefined || token.length < 20 || token.length > 100) return undefined;
    const found = await repo.findSession(hashToken(token), now());
    return found && { staff: found.staff, token };
  };
}

/** Where an agency's console API lives; `:agency` is a folder name under knowledge/agencies/. */
export const AGENCY_API = '/staff/api/agencies/:agency';

/** The agency a request is for, checked: the installation serves it, the session's member does. */
export interface AgencyHere {
  agency: string;
  /** The agency's staff side: every use case it holds sees this agency only. */
  side: StaffHandoverService;
}

export type AgencyHandler = (req: restify.Request, res: restify.Response, auth: Authed, here: AgencyHere) => Promise<void>;

/** The methods console routes answer; every one but GET changes state (same origin and CSRF checked). */
export type ApiMethod = 'get' | 'post' | 'put' | 'del';

/** What the console asks of the staff side about agencies. */
export interface ConsoleAgencies {
  /** The installation serves the agency now. */
  serves(agency: string): boolean;
  service(agency: string): StaffHandoverService;
}

/** The console's part of the server: what every route module mounts its routes with. */
export interface ConsoleApi {
  server: restify.Server;
  authenticate: SessionCheck;
  /** An API route behind the session check; a POST, PUT or DELETE also behind the same-origin and CSRF checks. */
  route(method: ApiMethod, pathPattern: string, handler: Handler): void;
  /** An agency's route at AGENCY_API + `subPath`: also behind the checks that the agency is served, and by the member. */
  agencyRoute(method: ApiMethod, subPath: string, handler: AgencyHandler): void;
  /** The agency of a request, if it is one the installation and the member serve (else the refusal is sent). */
  agencyOf(req: restify.Request, res: restify.Response, staff: StaffMember): AgencyHere | undefined;
  /** Whether the member may still use the agency of a request: for a stream already open, which can only end. */
  stillServes(req: restify.Request, staff: StaffMember): boolean;
}

export function consoleApi(server: restify.Server, authenticate: SessionCheck, log: Logger, agencies: ConsoleAgencies): ConsoleApi {
  const route = (method: ApiMethod, pathPattern: string, handler: Handler) => {
    server[method](pathPattern, async function staffApi(req: restify.Request, res: restify.Response) {
      res.setHeader('Cache-Control', 'no-store');
      try {
        const auth = await authenticate(req);
        if (!auth) return sendError(res, 401, 'Unauthorized', 'pieslēdzieties');
        if (method !== 'get') {
          if (!sameOrigin(req)) return sendError(res, 403, 'Forbidden', 'pieprasījums no citas vietnes');
          if (!csrfMatches(auth.token, req.header(CSRF_HEADER, ''))) return sendError(res, 403, 'Forbidden', 'trūkst CSRF žetona');
        }
        await handler(req, res, auth);
      } catch (err) {
        // The error's name only: its message may quote what a citizen or staff member wrote.
        log.error({ err: errorFields(err), path: req.getPath() }, 'request failed');
        if (!res.headersSent) sendError(res, 500, 'Internal', 'kļūda serverī');
      }
    });
  };
  const check = (req: restify.Request, staff: StaffMember): { agency: string; refused?: 404 | 403 } => {
    const agency = String(req.params?.['agency'] ?? '');
    if (!AGENCY_FOLDER.test(agency) || !agencies.serves(agency)) return { agency, refused: 404 };
    // Another agency's staff learn nothing of it but that they do not serve it.
    if (!serves(staff, agency)) return { agency, refused: 403 };
    return { agency };
  };
  const agencyOf = (req: restify.Request, res: restify.Response, staff: StaffMember): AgencyHere | undefined => {
    const { agency, refused } = check(req, staff);
    if (refused === 404) return void sendError(res, 404, 'NotFound', 'iestāde nav atrasta');
    if (refused === 403) return void sendError(res, 403, 'Forbidden', 'jūs nestrādājat šajā iestādē');
    return { agency, side: agencies.service(agency) };
  };
  const stillServes = (req: restify.Request, staff: StaffMember): boolean => check(req, staff).refused === undefined;
  const agencyRoute = (method: ApiMethod, subPath: string, handler: AgencyHandler) =>
    route(method, `${AGENCY_API}${subPath}`, async (req, res, auth) => {
      const here = agencyOf(req, res, auth.staff);
      if (here) await handler(req, res, auth, here);
    });
  return { server, authenticate, route, agencyRoute, agencyOf, stillServes };
}

type WithId = (req: restify.Request, res: restify.Response, auth: Authed, here: AgencyHere, id: string) => Promise<void>;

const TICKET_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CASE_ID = /^P-\d{8}-[0-9A-F]{6}$/;

/** A route under /tickets/:id: an id that cannot be a ticket's is not found. */
export const withTicket = (handler: WithId): AgencyHandler => withId(TICKET_ID, 'saruna nav atrasta', handler);

/** A route under /cases/:id: an id that cannot be a case's is not found. */
export const withCase = (handler: WithId): AgencyHandler => withId(CASE_ID, 'lieta nav atrasta', handler);

function withId(pattern: RegExp, notFound: string, handler: WithId): AgencyHandler {
  return async (req, res, auth, here) => {
    const id = String(req.params?.['id'] ?? '');
    if (!pattern.test(id)) return sendError(res, 404, 'NotFound', notFound);
    await handler(req, res, auth, here, id);
  };
}

export function sendError(res: restify.Response, status: number, code: ErrorCode, message: string, field?: string): void {
  sendFailure(res, { status, code, message, ...(field ? { field } : {}) });
}

/**
 * A state-changing request must come from our own page: browsers send Origin on POST and
 * Sec-Fetch-Site everywhere modern; either one from another site is refused. (SameSite=Strict
 * and the CSRF header are the main defence; this is the second.)
 */
export function sameOrigin(req: restify.Request): boolean {
  const site = req.header('sec-fetch-site', '');
  if (site !== '' && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.header('origin', '');
  if (origin === '' || origin === 'null') return origin === '';
  try {
    return new URL(origin).host === req.header('host', '');
  } catch {
    return false;
  }
}
