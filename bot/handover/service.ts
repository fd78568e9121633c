// The staff side of handover as one service: the contract with the dialog side (HandoverService,
// types.ts) and what the console and the app call, each use case in a module of its own: the queue
// (queue.ts), presence (presence.ts), the live relay (relay.ts), left questions (cases.ts, mailed by
// mail.ts) and the console's view (console-view.ts). Here only what ties them together: the parts
// they share (parts.ts) and the lifecycle: listening to other instances, the presence sweep and
// the offered languages on a timer, the mail outbox.
import { errorFields, type Logger } from '../log.js';
import type { AgencyProfile, LanguageCode } from '../../knowledge/schema.js';
import type { Unsubscribe } from '../storage/store.js';
import { createCalendar, type WorkingCalendar } from './calendar.js';
import type { Texts } from '../i18n.js';
import type { CaseOutbox } from './mail.js';
import { CaseDesk } from './cases.js';
import { ConsoleView, type ConsoleState } from './console-view.js';
import { HandoverNotices, localBus, type HandoverBus } from './notices.js';
import type { HandoverParts } from './parts.js';
import { StaffPresence } from './presence.js';
import { HandoverQueue, type AcceptResult } from './queue.js';
import { LiveRelay, type StaffActionResult } from './relay.js';
import type { CaseRecord, HandoverRepository, LineRef, Note, PresenceStatus, StaffMember, TranscriptLine } from './repository.js';
import type { TicketRecord } from './state-machine.js';
import type { Availability, CaseRequest, ConsoleSignal, HandoverEvent, HandoverRequest, HandoverService, HandoverTicket, RegisteredCase } from './types.js';

export interface HandoverServiceOptions {
  repo: HandoverRepository;
  profile: () => AgencyProfile;
  log: Logger;
  now?: () => Date;
  bus?: HandoverBus;
  outbox?: CaseOutbox;
  /** Citizen-facing texts: the frame of a staff member's e-mail reply, in the case's language. */
  texts: Texts;
  /** Staff hours are ignored: open at any hour (STAFF_HOURS=always, for trying a handover locally). */
  alwaysOpen?: boolean;
  /** Where cases are mailed: AGENCY_MAILBOX, else the profile's mailbox, else its e-mail. */
  mailbox?: () => string | undefined;
  /** A console not heard from for this long counts as gone: its conversations go back to the queue. */
  presenceTimeoutMs?: number;
  /** How often presence is checked and the offered languages re-read (accounts change from the CLI). */
  sweepIntervalMs?: number;
}

export class StaffHandoverService implements HandoverService {
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
  private readonly repo: HandoverRepository;
  private readonly log: Logger;
  private readonly notices: HandoverNotices;
  private calendarFor: { profile: AgencyProfile; calendar: WorkingCalendar } | undefined;
  private unsubscribe: Unsubscribe | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: HandoverServiceOptions) {
    this.repo = options.repo;
    this.log = options.log;
    this.now = options.now ?? (() => new Date());
    this.notices = new HandoverNotices(options.bus ?? localBus(), options.log);
    const parts: HandoverParts = { repo: options.repo, now: this.now, log: options.log, calendar: () => this.calendar(), notices: this.notices };
    this.queue = new HandoverQueue(parts);
    this.presence = new StaffPresence(parts, { profile: options.profile, timeoutMs: options.presenceTimeoutMs ?? 60_000, requeue: this.queue });
    this.relay = new LiveRelay(parts, this.queue);
    this.cases = new CaseDesk({
      repo: options.repo,
      profile: options.profile,
      calendar: () => this.calendar(),
      log: options.log,
      now: this.now,
      texts: options.texts,
      ...(options.outbox ? { outbox: options.outbox } : {}),
      ...(options.mailbox ? { mailbox: options.mailbox } : {}),
      signal: (signal) => this.signal(signal),
    });
    this.view = new ConsoleView(parts, { cases: this.cases, presence: this.presence });
  }

  // ---- lifecycle ----

  /** Listens to other instances, loads the offered languages, starts the presence sweep and the outbox. */
  async start(): Promise<void> {
    this.unsubscribe = await this.notices.listen(() => void this.refreshStaffLanguages());
    await this.refreshStaffLanguages();
    const interval = this.options.sweepIntervalMs ?? 15_000;
    if (interval > 0) {
      this.sweepTimer = setInterval(() => {
        void this.sweep().catch((err: unknown) => this.log.warn({ err: errorFields(err) }, 'sweep failed'));
        void this.refreshStaffLanguages().catch(() => undefined);
      }, interval);
      this.sweepTimer.unref();
    }
    this.options.outbox?.onChange(() => void this.signal({ kind: 'cases' }).catch(() => undefined));
    this.options.outbox?.start();
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    await this.unsubscribe?.().catch(() => undefined);
    this.options.outbox?.close();
    this.notices.close();
  }

  /** The working calendar of the current profile, rebuilt when the profile is reloaded. */
  calendar(): WorkingCalendar {
    const profile = this.options.profile();
    if (this.calendarFor?.profile !== profile) {
      const calendar = createCalendar({ timeZone: profile.timeZone, hours: profile.chatHours.hours, holidayOverrides: profile.holidayOverrides });
      this.calendarFor = { profile, calendar: this.options.alwaysOpen === true ? { ...calendar, isOpen: () => true } : calendar };
    }
    return this.calendarFor.calendar;
  }

  // ---- the contract with the dialog side ----

  /** Languages at least one enabled staff member speaks (Latvian always first); the profile's until accounts exist. */
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

  subscribe(listener: (event: HandoverEvent) => void): () => void {
    return this.notices.subscribe(listener);
  }

  // ---- the staff side ----

  /** Console updates (this instance's and other instances' changes). */
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

  /** Consoles not heard from within the timeout are offline; their conversations go back to the queue. */
  async sweep(): Promise<void> {
    if (this.closed) return;
    await this.presence.sweep();
  }

  /** Tells the console hub (here and on other instances) that something changed. */
  signal(signal: ConsoleSignal): Promise<void> {
    return this.notices.signal(signal);
  }

  /** Removes the conversation's handover records (the citizen asked; R8). */
  deleteConversation(conversationId: string): Promise<number> {
    return this.repo.deleteConversation(conversationId);
  }

  /** Removes finished handovers older than `before` (retention). */
  purge(before: Date): Promise<number> {
    return this.repo.purge(before);
  }
}
