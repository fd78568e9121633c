// What every use case of the staff side works over (queue.ts, presence.ts, relay.ts, cases.ts,
// console-view.ts): one agency's slice of everything, built once per agency by the staff side
// (staff-side.ts) and passed in. A use case never learns of another agency.
import type { Logger } from '../log.js';
import type { AgencyProfile } from '../../knowledge/schema.js';
import type { AgencyRepository } from './agency-repository.js';
import type { WorkingCalendar } from './calendar.js';
import type { AgencyNotices } from './notices.js';

export interface HandoverParts {
  /** The agency (a folder name under knowledge/agencies/) whose conversations these are. */
  agency: string;
  repo: AgencyRepository;
  now: () => Date;
  log: Logger;
  /** The agency's profile as it is now (a knowledge reload may change it). */
  profile: () => AgencyProfile;
  /** The agency's working calendar, of the profile as it is now. */
  calendar: () => WorkingCalendar;
  /** The citizen's events and the consoles' signals, of this agency. */
  notices: AgencyNotices;
}
