// A staff member's own presence: POST /staff/api/agencies/:agency/status (online or away for that
// agency; offline is logging out) and POST /staff/api/languages (the languages they take
// conversations in, whatever the agency: they are the member's).
import { z } from 'zod';
import { viewOf, type StaffDirectory } from '../../handover/staff.js';
import { sendError, type ConsoleApi } from '../api.js';

export interface PresenceRoutesDeps {
  directory: Pick<StaffDirectory, 'setLanguages'>;
}

const statusBody = z.object({ status: z.enum(['online', 'away']) });
const languagesBody = z.object({ languages: z.array(z.string().max(5)).min(1).max(20) });

export function mountPresenceRoutes(api: ConsoleApi, { directory }: PresenceRoutesDeps): void {
  api.agencyRoute('post', '/status', async (req, res, { staff }, { side }) => {
    const body = statusBody.safeParse(req.body);
    if (!body.success) return sendError(res, 400, 'BadRequest', 'statuss: online vai away');
    await side.presence.setStatus(staff, body.data.status);
    res.send(200, { status: body.data.status });
  });

  api.route('post', '/staff/api/languages', async (req, res, { staff }) => {
    const body = languagesBody.safeParse(req.body);
    if (!body.success) return sendError(res, 400, 'BadRequest', 'valodu saraksts');
    const result = await directory.setLanguages(staff.login, body.data.languages, staff);
    if (!result.ok) return sendError(res, 400, 'BadRequest', result.message);
    res.send(200, { me: viewOf(result.value) });
  });
}
