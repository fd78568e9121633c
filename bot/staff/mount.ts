// The staff side with its console at /staff, as app.ts mounts it: the handover service (which does
// not know its console) and the console's routes over it.
import type restify from 'restify';
import { createHandover, type Handover, type HandoverDeps } from '../handover/index.js';
import { mountStaffConsole, type StaffConsole } from './routes.js';

export interface MountedHandover extends Handover {
  console: StaffConsole;
}

/** The staff side and its console at /staff, for app.ts. */
export function mountHandover(server: restify.Server, deps: HandoverDeps): MountedHandover {
  const handover = createHandover(deps);
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
