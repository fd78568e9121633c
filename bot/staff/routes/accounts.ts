// An agency's staff accounts, for its administrators: GET /staff/api/agencies/:agency/accounts (who
// serves the agency, and as what), POST …/accounts (a new member of this agency), POST
// …/accounts/:login/role (their role here, or none; also how a member of another agency comes to
// serve this one), POST …/accounts/:login/disable and …/enable. What an administrator may change
// is the directory's decision (bot/handover/staff.ts), not this page's: an agency administrator
// grants only the agencies they administer and never makes an installation administrator.
import type restify from 'restify';
import { z } from 'zod';
import { administers, grantable, isInstallationAdmin, roleIn } from '../../handover/roles.js';
import { AGENCY_ROLES, type StaffMember } from '../../handover/repository.js';
import { LOGIN_PATTERN, type StaffDirectory, type StaffResult } from '../../handover/staff.js';
import type { ErrorCode } from '../../http/errors.js';
import { sendError, type AgencyHandler, type AgencyHere, type ConsoleApi } from '../api.js';

export interface AccountRoutesDeps {
  directory: Pick<StaffDirectory, 'list' | 'add' | 'setRoleIn' | 'disable' | 'enable'>;
}

const role = z.enum(AGENCY_ROLES);
const newAccount = z.object({
  name: z.string().min(1).max(100),
  login: z.string().min(1).max(64),
  languages: z.array(z.string().max(5)).min(1).max(20),
  role,
  password: z.string().min(1).max(256),
});
const roleBody = z.object({ role: z.union([role, z.literal('none')]) });

const REFUSED: Record<Extract<StaffResult, { ok: false }>['code'], [number, ErrorCode]> = {
  'bad-login': [400, 'BadRequest'],
  'bad-name': [400, 'BadRequest'],
  'bad-password': [400, 'BadRequest'],
  'bad-languages': [400, 'BadRequest'],
  'bad-agencies': [400, 'BadRequest'],
  'login-taken': [409, 'Conflict'],
  'in-use': [409, 'Conflict'],
  'not-found': [404, 'NotFound'],
  forbidden: [403, 'Forbidden'],
};

/**
 * An account as an administrator sees it: the role here, and of its agencies those the viewer
 * administers (an agency's administrator does not learn where else a member works); never the
 * password's hash.
 */
function accountView(member: StaffMember, agency: string, by: StaffMember) {
  const visible = grantable(by);
  return {
    login: member.login,
    name: member.name,
    languages: member.languages,
    installationAdmin: isInstallationAdmin(member),
    roleHere: roleIn(member, agency),
    agencies: member.agencies.filter((m) => visible === undefined || visible(m.agency)),
    disabled: member.disabledAt !== undefined,
  };
}

function sendResult(res: restify.Response, result: StaffResult, agency: string, by: StaffMember, okStatus = 200): void {
  if (!result.ok) return sendError(res, ...REFUSED[result.code], result.message);
  res.send(okStatus, { account: accountView(result.value, agency, by) });
}

/** The agency's administrators only; the login in the path must be one. */
const forAdmins =
  (handler: (req: restify.Request, res: restify.Response, by: StaffMember, here: AgencyHere, login: string) => Promise<void>): AgencyHandler =>
  async (req, res, { staff }, here) => {
    if (!administers(staff, here.agency)) return sendError(res, 403, 'Forbidden', 'darbiniekus pārvalda iestādes administrators');
    const login = String(req.params?.['login'] ?? '');
    if (req.params?.['login'] !== undefined && !LOGIN_PATTERN.test(login)) return sendError(res, 404, 'NotFound', 'darbinieks nav atrasts');
    await handler(req, res, staff, here, login);
  };

export function mountAccountRoutes(api: ConsoleApi, { directory }: AccountRoutesDeps): void {
  api.agencyRoute(
    'get',
    '/accounts',
    forAdmins(async (_req, res, by, { agency }) => {
      // The accounts serving this agency (installation administrators serve every one: listed apart).
      const members = (await directory.list(by)).filter((m) => m.agencies.some((a) => a.agency === agency) || isInstallationAdmin(m));
      res.send(200, { accounts: members.map((m) => accountView(m, agency, by)) });
    }),
  );

  api.agencyRoute(
    'post',
    '/accounts',
    forAdmins(async (req, res, by, { agency }) => {
      const body = newAccount.safeParse(req.body);
      if (!body.success) return sendError(res, 400, 'BadRequest', 'vajag vārdu, lietotājvārdu, valodas, lomu un paroli');
      const { role: here, ...rest } = body.data;
      sendResult(res, await directory.add({ ...rest, role: 'staff', agencies: [{ agency, role: here }] }, by), agency, by, 201);
    }),
  );

  api.agencyRoute(
    'post',
    '/accounts/:login/role',
    forAdmins(async (req, res, by, { agency }, login) => {
      const body = roleBody.safeParse(req.body);
      if (!body.success) return sendError(res, 400, 'BadRequest', `loma: ${AGENCY_ROLES.join(', ')} vai none`);
      sendResult(res, await directory.setRoleIn(login, agency, body.data.role === 'none' ? undefined : body.data.role, by), agency, by);
    }),
  );

  for (const action of ['disable', 'enable'] as const) {
    api.agencyRoute(
      'post',
      `/accounts/:login/${action}`,
      forAdmins(async (_req, res, by, { agency }, login) => sendResult(res, await directory[action](login, by), agency, by)),
    );
  }
}
