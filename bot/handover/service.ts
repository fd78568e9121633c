// One agency's staff side as one service: the contract with the dialog side (HandoverService,
// types.ts) for that agency's turns, and what its console calls, each use case in a module of its
// own: the queue (queue.ts), presence (presence.ts), the live relay (relay.ts), left questions
// (cases.ts, mailed by mail.ts) and the console's view (console-view.ts). Every part it holds is
// the agency's slice (parts.ts): the service cannot reach another agency's conversations. What
// spans agencies (listening, the sweep's timer, the outbox, deletion, retention) is the staff
// side's (staff-side.ts), which makes one of these per agency.
import type { Logger } from '../log.js';
import type { AgencyProfile, LanguageCode } from '../../knowledge/schema.js';
import { createCalendar, type WorkingCalendar } from './calendar.js';
import type { Texts } from '../i18n.js';
import type { CaseOutbox } from './mail.js';
import { agencyRepository } from './agency-repository.js';
import { CaseDesk } from './cases.js';
import { ConsoleView, type ConsoleState } from './console-view.js';
import type { HandoverNotices } from './notices.js';
import type { HandoverParts } from './parts.js';
import { StaffPresence } from './presence.js';
import { HandoverQueue, type AcceptResult } from './queue.js';
import { LiveRelay, type StaffActionResult } from './relay.js';
import type { CaseRecord, HandoverRepository, LineRef, Note, PresenceStatus, StaffMember, TranscriptLine } from './repository.js';
import type { StaffRoster } from './roster.js';
import type { TicketRecord } from './state-machine.js';
import type { Availability, CaseRequest, ConsoleSignal, HandoverEvent, HandoverRequest, HandoverService, HandoverTicket, RegisteredCase } from './types.js';

export interface AgencyServiceOptions {
  agency: string;
  /** The installation's repository: the service keeps only the agency's slice of it. */
  repo: HandoverRepository;
  /** The agency's profile as it is now. */
  profile: () => AgencyProfile;
  log: Logger;
  now: () => Date;
  /** The installation's notices: the service keeps only the agency's slice of them. */
  notices: HandoverNotices;
  roster: StaffRoster;
  outbox?: CaseOutbox;
  /** Citizen-facing texts: the frame of a staff member's e-mail reply, in the case's language. */
  texts: Texts;
  /** Staff hours are ignored: open at any hour (STAFF_HOURS=always, for trying a handover locally). */
  alwaysOpen?: boolean;
  /** Where cases are mailed before the profile's mailbox or e-mail (AGENCY_MAILBOX: the default agency only). */
  mailbox?: () => string | undefined;
  /** A console not heard from for this long counts as gone: its conversations go back to the queue. */
  presenceTimeoutMs?: number;
}

export class StaffHandoverService implements HandoverService {
  readonly agency: string;
  readonly now: () => Date;
  /** Waiting, accepted, left and requeued conversations, and the places citizens hear. */
  readonly queue: HandoverQueue;
  /** Staff status, the sweep of silent consoles, who is online, the languages staff speak. */
  readonly presence: StaffPresence;
  /** The live conversation: messages both ways, hand-back, close, notes. */
  readonly relay: LiveRelay;
  /** Left questions: registration, the console's list, replies, call-backs, answered. */
  readonly cases: CaseDesk;
  /** What a console shows and may read, and its signals. */
  readonly view: ConsoleView;
  private readonly parts: HandoverParts;
  private calendarFor: { profile: AgencyProfile; calendar: WorkingCalendar } | undefined;

  constructor(private readonly options: AgencyServiceOptions) {
    this.agency = options.agency;
    this.now = options.now;
    const repo = agencyRepository(options.repo, options.agency);
    this.parts = {
      agency: options.agency,
      repo,
      now: this.now,
      log: options.log,
      profile: options.profile,
      calendar: () => this.calendar(),
      notices: options.notices.forAgency(options.agency),
    };
    this.queue = new HandoverQueue(this.parts);
    this.presence = new StaffPresence(this.parts, { timeoutMs: options.presenceTimeoutMs ?? 60_000, requeue: this.queue, roster: options.roster });
    this.relay = new LiveRelay(this.parts, this.queue);
    this.cases = new CaseDesk({
      repo,
      profile: options.profile,
      calendar: () => this.calendar(),
      log: options.log,
      now: this.now,
      texts: options.texts,
      ...(options.outbox ? { outbox: options.outbox } : {}),
      ...(options.mailbox ? { mailbox: options.mailbox } : {}),
      signal: (signal) => this.parts.notices.signal(signal),
    });
    this.view = new ConsoleView(this.parts, { cases: this.cases, presence: this.presence });
  }

  /** The agency's profile as it is now. */
  profile(): AgencyProfile {
    return this.options.profile();
  }

  /** The working calendar of the agency's current profile, rebuilt when the profile is reloaded. */
  calendar(): WorkingCalendar {
    const profile = this.options.profile();
    if (this.calendarFor?.profile !== profile) {
      const calendar = createCalendar({ timeZone: profile.timeZone, hours: profile.chatHours.hours, holidayOverrides: profile.holidayOverrides });
      this.calendarFor = { profile, calendar: this.options.alwaysOpen === true ? { ...calendar, isOpen: () => true } : calendar };
    }
    return this.calendarFor.calendar;
  }

  // ---- the contract with the dialog side ----

  /** Languages at least one enabled member of the agency speaks (Latvian always first); the profile's until it has members. */
  staffLanguages(): LanguageCode[] {
    return this.presence.staffLanguages();
  }

  refreshStaffLanguages(): Promise<LanguageCode[]> {
    return this.presence.refreshStaffLanguages();
  }

  availability(language: LanguageCode): Promise<Availability> {
    return this.presence.availability(language);
  }

  enqueue(request: HandoverRequest): Promise<{ ticket: HandoverTicket; position: number }> {
    return this.queue.enqueue(request);
  }

  cancel(conversationId: string): Promise<void> {
    return this.queue.cancel(conversationId);
  }

  active(conversationId: string): Promise<HandoverTicket | undefined> {
    return this.queue.active(conversationId);
  }

  position(conversationId: string): Promise<number | undefined> {
    return this.queue.position(conversationId);
  }

  citizenMessage(conversationId: string, text: string): Promise<void> {
    return this.relay.citizenMessage(conversationId, text);
  }

  async registerCase(request: CaseRequest): Promise<RegisteredCase> {
    const record = await this.cases.register(request);
    await this.queue.leaveForCase(request.conversationId, record.createdAt);
    return { id: record.id, dueBy: record.dueAt };
  }

  /** The citizen events of this agency's conversations. */
  subscribe(listener: (event: HandoverEvent) => void): () => void {
    return this.parts.notices.subscribe(listener);
  }

  // ---- the staff side ----

  /** Console updates of this agency (this instance's and other instances' changes). */
  onSignal(listener: (signal: ConsoleSignal) => void): () => void {
    return this.view.onSignal(listener);
  }

  accept(staff: StaffMember, ticketId: string): Promise<AcceptResult> {
    return this.queue.accept(staff, ticketId);
  }

  sendStaffMessage(staff: StaffMember, ticketId: string, text: string): Promise<StaffActionResult | { kind: 'empty' }> {
    return this.relay.sendStaffMessage(staff, ticketId, text);
  }

  handBack(staff: StaffMember, ticketId: string): Promise<StaffActionResult> {
    return this.relay.handBack(staff, ticketId);
  }

  closeTicket(staff: StaffMember, ticketId: string): Promise<StaffActionResult> {
    return this.relay.closeTicket(staff, ticketId);
  }

  addNote(staff: StaffMember, ref: LineRef, text: string): Promise<Note | { kind: 'not-found' } | { kind: 'empty' }> {
    return this.relay.addNote(staff, ref, text);
  }

  /** A staff message did not reach the citizen: staff see it in the conversation (relay.ts). */
  undelivered(conversationId: string, reason: string): Promise<void> {
    return this.relay.undelivered(conversationId, reason);
  }

  ticket(id: string): Promise<TicketRecord | undefined> {
    return this.view.ticket(id);
  }

  caseById(id: string): Promise<CaseRecord | undefined> {
    return this.view.caseById(id);
  }

  lines(ref: LineRef): Promise<TranscriptLine[]> {
    return this.view.lines(ref);
  }

  line(id: number): Promise<TranscriptLine | undefined> {
    return this.view.line(id);
  }

  notes(ref: LineRef): Promise<Note[]> {
    return this.view.notes(ref);
  }

  canSee(staff: StaffMember, ticket: TicketRecord): boolean {
    return this.view.canSee(staff, ticket);
  }

  consoleState(staff: StaffMember): Promise<ConsoleState> {
    return this.view.consoleState(staff);
  }

  setStatus(staff: StaffMember, status: PresenceStatus): Promise<void> {
    return this.presence.setStatus(staff, status);
  }

  statusOf(staffId: string): Promise<PresenceStatus> {
    return this.presence.statusOf(staffId);
  }

  seen(staff: StaffMember): Promise<void> {
    return this.presence.seen(staff);
  }

  /** This agency's consoles not heard from within the timeout are offline; their conversations go back to the queue. */
  sweep(): Promise<void> {
    return this.presence.sweep();
  }

  /** Tells this agency's consoles (here and on other instances) that something changed. */
  signal(signal: Parameters<HandoverParts['notices']['signal']>[0]): Promise<void> {
    return this.parts.notices.signal(signal);
  }
}
