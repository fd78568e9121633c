// What every use case of the staff side works over (queue.ts, presence.ts, relay.ts,
// console-view.ts), built once by the service (service.ts) and passed in.
import type { Logger } from '../log.js';
import type { WorkingCalendar } from './calendar.js';
import type { HandoverNotices } from './notices.js';
import type { HandoverRepository } from './repository.js';

export interface HandoverParts {
  repo: HandoverRepository;
  now: () => Date;
  log: Logger;
  /** The agency's working calendar, of the profile as it is now. */
  calendar: () => WorkingCalendar;
  /** The citizen's events and the consoles' signals. */
  notices: HandoverNotices;
}
