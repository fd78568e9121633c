// One agency's slice of the staff side's repository: what the use cases (queue, presence, relay,
// cases, the console's view) work over. Every read is scoped to the agency and every write stamped
// with it, so a use case cannot reach another agency's tickets, lines, notes or cases by an id,
// nor file a row under the wrong agency: the scope is given once, when the agency's service is made.
import type {
  LineRef,
  CaseRecord,
  HandoverRepository,
  NewLine,
  NewNote,
  NewOutboxMail,
  Presence,
  PresenceStatus,
  StaffMember,
  TicketRecord,
} from './repository.js';
import { serves } from './roles.js';
import type { HandoverState } from './types.js';

/** A line, note, ticket or case as a use case writes it: the slice adds its agency. */
export type Unstamped<T extends { agency: string }> = Omit<T, 'agency'>;

export interface AgencyRepository {
  readonly agency: string;
  /** The accounts that serve the agency (installation administrators included). */
  listStaff(): Promise<StaffMember[]>;

  setPresence(staffId: string, status: PresenceStatus, at: Date): Promise<void>;
  touchPresence(staffId: string, at: Date): Promise<void>;
  listPresence(): Promise<Presence[]>;
  expirePresence(staffId: string, staleBefore: Date, at: Date): Promise<boolean>;

  insertTicket(ticket: Unstamped<TicketRecord>, lines?: Unstamped<NewLine>[]): Promise<void>;
  ticket(id: string): Promise<TicketRecord | undefined>;
  ticketOf(conversationId: string, states: readonly HandoverState[]): Promise<TicketRecord | undefined>;
  tickets(states: readonly HandoverState[]): Promise<TicketRecord[]>;
  updateTicket(ticket: TicketRecord, expectedVersion: number, lines?: Unstamped<NewLine>[]): ReturnType<HandoverRepository['updateTicket']>;
  setLastPosition(ticketId: string, position: number): Promise<void>;

  addLines(lines: Unstamped<NewLine>[]): ReturnType<HandoverRepository['addLines']>;
  lines(ref: LineRef): ReturnType<HandoverRepository['lines']>;
  line(id: number): ReturnType<HandoverRepository['line']>;
  addNote(note: Unstamped<NewNote>): ReturnType<HandoverRepository['addNote']>;
  notes(ref: LineRef): ReturnType<HandoverRepository['notes']>;

  registerCase(c: Unstamped<CaseRecord>, lines: Unstamped<NewLine>[], mail: NewOutboxMail | undefined): Promise<void>;
  caseById(id: string): Promise<CaseRecord | undefined>;
  cases(state?: CaseRecord['state']): Promise<CaseRecord[]>;
  closeCase(id: string, staffId: string, at: Date): Promise<boolean>;
  queueReply(line: Unstamped<NewLine>, mail: NewOutboxMail): Promise<void>;
  cancelMailOf(caseId: string, at: Date): Promise<void>;
  mailOf(caseId: string): ReturnType<HandoverRepository['mailOf']>;
}

export function agencyRepository(repo: HandoverRepository, agency: string): AgencyRepository {
  const stamp = <T extends object>(row: T): T & { agency: string } => ({ ...row, agency });
  return {
    agency,
    listStaff: async () => (await repo.listStaff()).filter((s) => serves(s, agency)),

    setPresence: (staffId, status, at) => repo.setPresence(staffId, agency, status, at),
    touchPresence: (staffId, at) => repo.touchPresence(staffId, agency, at),
    listPresence: () => repo.listPresence(agency),
    expirePresence: (staffId, staleBefore, at) => repo.expirePresence(staffId, agency, staleBefore, at),

    insertTicket: (ticket, lines = []) => repo.insertTicket(stamp(ticket), lines.map(stamp)),
    ticket: (id) => repo.ticket(agency, id),
    ticketOf: (conversationId, states) => repo.ticketOf(agency, conversationId, states),
    tickets: (states) => repo.tickets(agency, states),
    updateTicket: (ticket, expectedVersion, lines = []) => repo.updateTicket(agency, ticket, expectedVersion, lines.map(stamp)),
    setLastPosition: (ticketId, position) => repo.setLastPosition(agency, ticketId, position),

    addLines: (lines) => repo.addLines(lines.map(stamp)),
    lines: (ref) => repo.lines(agency, ref),
    line: (id) => repo.line(agency, id),
    addNote: (note) => repo.addNote(stamp(note)),
    notes: (ref) => repo.notes(agency, ref),

    registerCase: (c, lines, mail) => repo.registerCase(stamp(c), lines.map(stamp), mail),
    caseById: (id) => repo.caseById(agency, id),
    cases: (state) => repo.cases(agency, state ?? 'any'),
    closeCase: (id, staffId, at) => repo.closeCase(agency, id, staffId, at),
    queueReply: (line, mail) => repo.queueReply(stamp(line), mail),
    cancelMailOf: (caseId, at) => repo.cancelMailOf(agency, caseId, at),
    mailOf: (caseId) => repo.mailOf(agency, caseId),
  };
}
