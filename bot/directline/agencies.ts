// Which agencies Direct Line serves, as the REST routes and the stream both ask it: one installation
// serves several, each conversation is one agency's, and its tokens name that agency.
import type { HttpFailure } from '../http/errors.js';
import type { AgencyDirectory } from '../agencies.js';

/**
 * The agencies this installation serves, read on every request: an agency removed while running
 * stops being served at once, its tokens and conversations included. `defaultId`: the agency of a
 * token request that names none (an embed from before agencies), and of the secret's requests.
 */
export type ServedAgencies = Pick<AgencyDirectory, 'has' | 'defaultId'>;

/** The answer for an agency not served: never another agency's bot instead. */
export const UNKNOWN_AGENCY = {
  status: 404,
  code: 'UnknownAgency',
  message: 'this installation does not serve that agency',
} as const satisfies HttpFailure;

/** Another agency's conversation is refused like another user's: it exists, but not for this caller. */
export const OTHER_AGENCY = { status: 403, code: 'Forbidden', message: 'the conversation belongs to another agency' } as const satisfies HttpFailure;
