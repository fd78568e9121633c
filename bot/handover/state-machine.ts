// The handover states as a typed state machine: which event may move a ticket from which state,
// and what it changes. Pure: `transition` returns the next ticket or an error value; storing the
// result (with an optimistic version check) is the service's job.
import type { ConversationReference } from 'botbuilder';
import type { HandoverState, HandoverTicket } from './types.js';

export type HandoverEventName = HandoverMachineEvent['type'];

export type HandoverMachineEvent =
  /** The citizen agreed to be handed over, in hours with staff online. */
  | { type: 'consent'; at: Date }
  /** The citizen declined, or left before answering. */
  | { type: 'decline'; at: Date }
  /** A staff member took the conversation (after the atomic claim). */
  | { type: 'accept'; at: Date; staffId: string; staffName: string }
  /** The citizen cancelled or left. */
  | { type: 'citizen-left'; at: Date }
  /** The staff member gave the conversation back to the bot. */
  | { type: 'hand-back'; at: Date }
  /** Staff closed the conversation. */
  | { type: 'close'; at: Date }
  /** The staff member went offline mid-conversation: back in the queue. */
  | { type: 'staff-offline'; at: Date }
  /** Out of hours or nobody with the language: the question is left as a case. */
  | { type: 'leave-case'; at: Date }
  /** Staff answered the case. */
  | { type: 'answer'; at: Date };

/** What a live ticket carries besides the contract's fields. */
export interface TicketRecord extends HandoverTicket {
  /** The agency whose staff the citizen is handed to (the dialog side's ticket does not carry it: its service is the agency's). */
  agency: string;
  /** When the ticket first entered the queue: its place in the queue survives a requeue. */
  queuedAt?: Date;
  closedAt?: Date;
  updatedAt: Date;
  /** Bumped on every stored change: concurrent writers detect each other. */
  version: number;
  /** The queue position the citizen was last told (position events go out when it shrinks). */
  lastPosition?: number;
  /** Where the citizen is: every event to the dialog side carries it. */
  reference?: Partial<ConversationReference>;
}

/** From → event → to. Everything not listed is refused. */
export const TRANSITIONS = {
  'awaiting-consent': { consent: 'queued', decline: 'back-to-bot', 'leave-case': 'offline-case', 'citizen-left': 'back-to-bot' },
  queued: { accept: 'with-staff', 'citizen-left': 'back-to-bot', close: 'closed', 'leave-case': 'offline-case' },
  'with-staff': { 'hand-back': 'back-to-bot', close: 'closed', 'citizen-left': 'closed', 'staff-offline': 'queued' },
  'back-to-bot': {},
  closed: {},
  'offline-case': { answer: 'answered', close: 'closed' },
  answered: {},
} as const satisfies Record<HandoverState, Partial<Record<HandoverEventName, HandoverState>>>;

export const FINAL_STATES: readonly HandoverState[] = ['back-to-bot', 'closed', 'answered'];
/** States in which the conversation is with the handover, not the bot. */
export const LIVE_STATES: readonly HandoverState[] = ['queued', 'with-staff'];

export type TransitionResult<T extends HandoverTicket> =
  { ok: true; ticket: T } | { ok: false; error: { code: 'invalid-transition'; from: HandoverState; event: HandoverEventName } };

export function canTransition(from: HandoverState, event: HandoverEventName): boolean {
  return nextState(from, event) !== undefined;
}

export function nextState(from: HandoverState, event: HandoverEventName): HandoverState | undefined {
  const row: Partial<Record<HandoverEventName, HandoverState>> = TRANSITIONS[from];
  return row[event];
}

/** The ticket after the event, or why the event is not allowed now. */
export function transition<T extends HandoverTicket & { queuedAt?: Date; closedAt?: Date }>(ticket: T, event: HandoverMachineEvent): TransitionResult<T> {
  const to = nextState(ticket.state, event.type);
  if (to === undefined) return { ok: false, error: { code: 'invalid-transition', from: ticket.state, event: event.type } };
  const next: T = { ...ticket, state: to };
  switch (event.type) {
    case 'consent':
      next.queuedAt = ticket.queuedAt ?? event.at;
      break;
    case 'accept':
      next.staffId = event.staffId;
      next.staffName = event.staffName;
      next.acceptedAt = event.at;
      break;
    case 'staff-offline':
      // Back in the queue at its old place; nobody has it now.
      delete next.staffId;
      delete next.staffName;
      delete next.acceptedAt;
      break;
    default:
      break;
  }
  if (FINAL_STATES.includes(to)) next.closedAt = event.at;
  return { ok: true, ticket: next };
}
