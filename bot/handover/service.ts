// The staff side of handover: the queue with language routing and positions, presence, the live
// relay between citizen and staff, hand-back and close; left questions through its CaseDesk (cases.ts).
// The dialog side talks to it through HandoverService (types.ts); the staff console through the
// staff-side methods below. The ticket is the one record of a handover, its place in the queue
// included: every change is a state-machine transition stored with an optimistic version check,
// so exactly one staff member wins a conversation, on any number of instances.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { errorFields, type Logger } from '../log.js';
import { LANGUAGE_CODES, type AgencyProfile, type LanguageCode } from '../../knowledge/schema.js';
import type { Notification, Unsubscribe } from '../storage/store.js';
import { redact } from '../privacy/redact.js';
import { redactValue } from '../storage/activity.js';
import { addWorkingDays, createCalendar, type WorkingCalendar } from './calendar.js';
import type { Texts } from '../i18n.js';
import type { CaseOutbox } from './mail.js';
import { CaseDesk, type CaseItem } from './cases.js';
import type { CaseRecord, HandoverRepository, LineRef, Note, PresenceStatus, StaffMember, TranscriptLine } from './repository.js';
import { firstName } from './staff.js';
import { LIVE_STATES, transition, type HandoverMachineEvent, type TicketRecord } from './state-machine.js';
import { linesFromActivities, questionOf } from './transcript.js';
import type {
  Availability,
  CaseRequest,
  ConsoleSignal,
  HandoverEvent,
  HandoverRequest,
  HandoverService,
  HandoverState,
  HandoverTicket,
  RegisteredCase,
} from './types.js';

/** Notifications between instances (and to this instance's consoles). */
export const HANDOVER_CHANNEL = 'padoms_handover';

export interface HandoverBus {
  publish(channel: string, payload: string): Promise<void>;
  subscribe(channel: string, listener: (n: Notification) => void): Promise<Unsubscribe>;
}

/** An in-process bus for a service without a store (tests). */
export function localBus(): HandoverBus {
  const emitter = new EventEmitter().setMaxListeners(0);
  return {
    async publish(channel, payload) {
      setImmediate(() => emitter.emit(channel, payload));
    },
    async subscribe(channel, listener) {
      const handler = (payload: string) => listener({ kind: 'message', payload });
      emitter.on(channel, handler);
      return async () => void emitter.off(channel, handler);
    },
  };
}

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

export type AcceptResult =
  | { kind: 'accepted'; ticket: TicketRecord }
  /** Someone else was first, or the citizen left. */
  | { kind: 'taken' }
  | { kind: 'not-found' }
  /** The member does not speak the conversation's language. */
  | { kind: 'language' };

export type StaffActionResult =
  { kind: 'ok'; ticket: TicketRecord } | { kind: 'not-found' } | { kind: 'forbidden' } | { kind: 'invalid'; state: HandoverState };

export interface QueueItem {
  ticketId: string;
  conversationId: string;
  language: LanguageCode;
  reason: HandoverTicket['reason'];
  channel: string;
  state: HandoverState;
  queuedAt: string;
  position?: number;
  /** R15: picked up within one working day. */
  respondBy: string;
  overdue: boolean;
  /** The first line of what the citizen wrote first: enough to choose whom to take. */
  question?: string;
  staffName?: string;
  acceptedAt?: string;
}

export interface ConsoleState {
  me: { id: string; login: string; name: string; role: StaffMember['role']; languages: LanguageCode[]; status: PresenceStatus };
  queue: QueueItem[];
  mine: QueueItem[];
  cases: CaseItem[];
  hours: { inHours: boolean; nextOpening?: string };
  /** SMTP is set up: cases are mailed and staff can reply by e-mail from the console. */
  mailConfigured: boolean;
  overdue: { queue: number; cases: number };
  now: string;
  /** The agency's time zone, for showing times. */
  timeZone: string;
}

const MAX_STAFF_MESSAGE = 2000;
const MAX_NOTE = 4000;

export class StaffHandoverService implements HandoverService {
  readonly now: () => Date;
  /** Left questions: registration, the console's list, replies, call-backs, answered. */
  readonly cases: CaseDesk;
  private readonly repo: HandoverRepository;
  private readonly log: Logger;
  private readonly bus: HandoverBus;
  private readonly events = new EventEmitter().setMaxListeners(0);
  private readonly signals = new EventEmitter().setMaxListeners(0);
  private calendarFor: { profile: AgencyProfile; calendar: WorkingCalendar } | undefined;
  private languagesCache: LanguageCode[] | undefined;
  private unsubscribe: Unsubscribe | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly presenceTimeoutMs: number;
  private closed = false;

  constructor(private readonly options: HandoverServiceOptions) {
    this.repo = options.repo;
    this.log = options.log;
    this.now = options.now ?? (() => new Date());
    this.bus = options.bus ?? localBus();
    this.presenceTimeoutMs = options.presenceTimeoutMs ?? 60_000;
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
  }

  /** Listens to other instances, loads the offered languages, starts the presence sweep and the outbox. */
  async start(): Promise<void> {
    this.unsubscribe = await this.bus.subscribe(HANDOVER_CHANNEL, (n) => {
      if (n.kind === 'resync') return this.signals.emit('signal', { kind: 'queue' } satisfies ConsoleSignal);
      let signal: ConsoleSignal;
      try {
        signal = JSON.parse(n.payload) as ConsoleSignal;
      } catch {
        return;
      }
      if (signal.kind === 'staff') void this.refreshStaffLanguages();
      this.signals.emit('signal', signal);
    });
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
    this.events.removeAllListeners();
    this.signals.removeAllListeners();
  }

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
    return this.languagesCache ?? this.options.profile().staffLanguages;
  }

  async refreshStaffLanguages(): Promise<LanguageCode[]> {
    const staff = await this.repo.listStaff();
    if (staff.length === 0) {
      this.languagesCache = undefined;
    } else {
      const spoken = new Set(staff.filter((s) => !s.disabledAt).flatMap((s) => s.languages));
      this.languagesCache = LANGUAGE_CODES.filter((l) => l === 'lv' || spoken.has(l));
    }
    return this.staffLanguages();
  }

  async availability(language: LanguageCode): Promise<Availability> {
    const now = this.now();
    const calendar = this.calendar();
    const inHours = calendar.isOpen(now);
    const online = await this.onlineStaff(now);
    const spoken = new Set(online.flatMap((s) => s.languages));
    const nextOpening = inHours ? undefined : calendar.nextOpening(now);
    return {
      at: now,
      inHours,
      staffOnline: spoken.has(language),
      onlineLanguages: LANGUAGE_CODES.filter((l) => spoken.has(l)),
      ...(nextOpening ? { nextOpening } : {}),
    };
  }

  async enqueue(request: HandoverRequest): Promise<{ ticket: HandoverTicket; position: number }> {
    const existing = await this.repo.ticketOf(request.conversationId, LIVE_STATES);
    if (existing) return { ticket: publicTicket(existing), position: (await this.positionOf(existing)) ?? 0 };
    const at = this.now();
    // The citizen's account in it carries the name their client chose.
    const reference = redactValue(request.reference);
    const draft: TicketRecord = {
      id: randomUUID(),
      conversationId: request.conversationId,
      channel: request.channel,
      language: request.language,
      reason: request.reason,
      reference,
      state: 'awaiting-consent',
      createdAt: at,
      updatedAt: at,
      version: 0,
    };
    // The dialog side asked for consent before calling: the ticket enters the machine consented.
    const consented = transition(draft, { type: 'consent', at });
    if (!consented.ok) throw new Error('handover: consent refused by the state machine');
    const ticket = consented.ticket;
    // The ticket is the queue entry: it and what was said so far are stored in one transaction.
    await this.repo.insertTicket(ticket, linesFromActivities(request.transcript, { conversationId: ticket.conversationId, ticketId: ticket.id }, at));
    const position = (await this.positionOf(ticket)) ?? 1;
    await this.repo.setLastPosition(ticket.id, position);
    this.log.info({ conversationId: ticket.conversationId, ticketId: ticket.id, language: ticket.language, position }, 'queued');
    await this.signal({ kind: 'queue' });
    return { ticket: publicTicket(ticket), position };
  }

  async cancel(conversationId: string): Promise<void> {
    const ticket = await this.repo.ticketOf(conversationId, LIVE_STATES);
    if (!ticket) return;
    const result = await this.apply(ticket.id, { type: 'citizen-left', at: this.now() }, 'Iedzīvotājs pārtrauca sarunu.');
    if (!result) return;
    await this.signal({ kind: 'ticket', ticketId: result.id, state: result.state, ...(ticket.staffId ? { staffId: ticket.staffId } : {}) });
    await this.signal({ kind: 'queue' });
    if (ticket.state === 'queued') await this.announcePositions(ticket.language);
  }

  async active(conversationId: string): Promise<HandoverTicket | undefined> {
    const ticket = await this.repo.ticketOf(conversationId, LIVE_STATES);
    return ticket && publicTicket(ticket);
  }

  async position(conversationId: string): Promise<number | undefined> {
    const ticket = await this.repo.ticketOf(conversationId, ['queued']);
    return ticket && this.positionOf(ticket);
  }

  async citizenMessage(conversationId: string, text: string): Promise<void> {
    const ticket = await this.repo.ticketOf(conversationId, LIVE_STATES);
    if (!ticket) return;
    const [line] = await this.repo.addLines([
      { conversationId, ticketId: ticket.id, at: this.now(), author: 'citizen', text: redact(text).text.slice(0, MAX_STAFF_MESSAGE * 2) },
    ]);
    if (line) await this.signal({ kind: 'line', lineId: line.id });
  }

  async registerCase(request: CaseRequest): Promise<RegisteredCase> {
    const record = await this.cases.register(request);
    // A citizen who leaves a question while waiting leaves the queue.
    const queued = await this.repo.ticketOf(request.conversationId, ['queued']);
    if (queued) {
      if (await this.apply(queued.id, { type: 'leave-case', at: record.createdAt })) await this.announcePositions(queued.language);
      await this.signal({ kind: 'queue' });
    }
    return { id: record.id, dueBy: record.dueAt };
  }

  subscribe(listener: (event: HandoverEvent) => void): () => void {
    const safe = (event: HandoverEvent) => {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ err: errorFields(err) }, 'event listener failed');
      }
    };
    this.events.on('event', safe);
    return () => void this.events.off('event', safe);
  }

  // ---- the staff side ----

  /** Console updates (this instance's and other instances' changes). */
  onSignal(listener: (signal: ConsoleSignal) => void): () => void {
    this.signals.on('signal', listener);
    return () => void this.signals.off('signal', listener);
  }

  async accept(staff: StaffMember, ticketId: string): Promise<AcceptResult> {
    const ticket = await this.repo.ticket(ticketId);
    if (!ticket) return { kind: 'not-found' };
    if (!staff.languages.includes(ticket.language)) return { kind: 'language' };
    if (ticket.state !== 'queued') return { kind: 'taken' };
    // The ticket's version decides: of any number of concurrent accepts, on any instance, exactly
    // one moves it out of the queue; the state machine refuses the others (and a departed citizen).
    const staffName = firstName(staff.name);
    const accepted = await this.apply(ticket.id, { type: 'accept', at: this.now(), staffId: staff.id, staffName }, `${staff.name} pieņēma sarunu.`);
    if (!accepted) return { kind: 'taken' };
    await this.setPresenceIfOffline(staff.id);
    this.emit(accepted, { type: 'accepted', staffName });
    this.log.info({ conversationId: accepted.conversationId, ticketId: accepted.id, staffId: staff.id }, 'accepted');
    await this.signal({ kind: 'queue' });
    await this.announcePositions(accepted.language);
    return { kind: 'accepted', ticket: accepted };
  }

  async sendStaffMessage(staff: StaffMember, ticketId: string, text: string): Promise<StaffActionResult | { kind: 'empty' }> {
    const clean = text.trim().slice(0, MAX_STAFF_MESSAGE);
    if (clean === '') return { kind: 'empty' };
    const ticket = await this.repo.ticket(ticketId);
    if (!ticket) return { kind: 'not-found' };
    if (ticket.staffId !== staff.id) return { kind: 'forbidden' };
    if (ticket.state !== 'with-staff') return { kind: 'invalid', state: ticket.state };
    const staffName = ticket.staffName ?? firstName(staff.name);
    const [line] = await this.repo.addLines([
      { conversationId: ticket.conversationId, ticketId, at: this.now(), author: 'staff', authorName: staffName, text: clean },
    ]);
    this.emit(ticket, { type: 'staff-message', text: clean, staffName });
    if (line) await this.signal({ kind: 'line', lineId: line.id });
    return { kind: 'ok', ticket };
  }

  handBack(staff: StaffMember, ticketId: string): Promise<StaffActionResult> {
    return this.finish(staff, ticketId, 'hand-back');
  }

  closeTicket(staff: StaffMember, ticketId: string): Promise<StaffActionResult> {
    return this.finish(staff, ticketId, 'close');
  }

  async addNote(staff: StaffMember, ref: LineRef, text: string): Promise<Note | { kind: 'not-found' } | { kind: 'empty' }> {
    const clean = text.trim().slice(0, MAX_NOTE);
    if (clean === '') return { kind: 'empty' };
    const conversationId = 'ticketId' in ref ? (await this.repo.ticket(ref.ticketId))?.conversationId : (await this.repo.caseById(ref.caseId))?.conversationId;
    if (conversationId === undefined) return { kind: 'not-found' };
    const note = await this.repo.addNote({ ...ref, conversationId, staffId: staff.id, staffName: staff.name, at: this.now(), text: clean });
    await this.signal({ kind: 'notes', ...ref });
    return note;
  }

  ticket(id: string): Promise<TicketRecord | undefined> {
    return this.repo.ticket(id);
  }

  caseById(id: string): Promise<CaseRecord | undefined> {
    return this.repo.caseById(id);
  }

  lines(ref: LineRef): Promise<TranscriptLine[]> {
    return this.repo.lines(ref);
  }

  line(id: number): Promise<TranscriptLine | undefined> {
    return this.repo.line(id);
  }

  notes(ref: LineRef): Promise<Note[]> {
    return this.repo.notes(ref);
  }

  /** Who may read a conversation: whoever has it, staff who speak its language, admins. */
  canSee(staff: StaffMember, ticket: TicketRecord): boolean {
    return staff.role === 'admin' || ticket.staffId === staff.id || (ticket.state === 'queued' && staff.languages.includes(ticket.language));
  }

  async setStatus(staff: StaffMember, status: PresenceStatus): Promise<void> {
    await this.repo.setPresence(staff.id, status, this.now());
    if (status === 'offline') await this.requeueOf(staff.id);
    await this.signal({ kind: 'staff' });
  }

  async statusOf(staffId: string): Promise<PresenceStatus> {
    const p = (await this.repo.listPresence()).find((x) => x.staffId === staffId);
    if (!p) return 'offline';
    return p.status !== 'offline' && p.lastSeenAt.getTime() >= this.now().getTime() - this.presenceTimeoutMs ? p.status : 'offline';
  }

  /** The console is open (its event stream connected or beating): the member is here. */
  async seen(staff: StaffMember): Promise<void> {
    await this.setPresenceIfOffline(staff.id);
    await this.repo.touchPresence(staff.id, this.now());
  }

  /** Consoles not heard from within the timeout are offline; their conversations go back to the queue. */
  async sweep(): Promise<void> {
    if (this.closed) return;
    const now = this.now();
    const staleBefore = new Date(now.getTime() - this.presenceTimeoutMs);
    let changed = false;
    for (const p of await this.repo.listPresence()) {
      if (p.status !== 'offline' && p.lastSeenAt < staleBefore && (await this.repo.expirePresence(p.staffId, staleBefore, now))) {
        this.log.info({ staffId: p.staffId }, 'staff console gone, offline');
        changed = true;
      }
    }
    // Also catches conversations left with someone already offline (a crash between two steps).
    const offline = new Set((await this.repo.listPresence()).filter((p) => p.status === 'offline').map((p) => p.staffId));
    const known = new Set((await this.repo.listPresence()).map((p) => p.staffId));
    for (const t of await this.repo.tickets(['with-staff'])) {
      if (t.staffId !== undefined && (offline.has(t.staffId) || !known.has(t.staffId))) await this.requeueTicket(t);
    }
    if (changed) await this.signal({ kind: 'staff' });
    await this.repo.deleteExpiredSessions(now);
  }

  async consoleState(staff: StaffMember): Promise<ConsoleState> {
    const now = this.now();
    const calendar = this.calendar();
    const live = await this.repo.tickets(['queued', 'with-staff']);
    const positions = positionsByTicket(live);
    const item = (t: TicketRecord, question?: string): QueueItem => {
      const queuedAt = t.queuedAt ?? t.createdAt;
      const respondBy = addWorkingDays(queuedAt, 1, calendar);
      const position = positions.get(t.id);
      return {
        ticketId: t.id,
        conversationId: t.conversationId,
        language: t.language,
        reason: t.reason,
        channel: t.channel,
        state: t.state,
        queuedAt: queuedAt.toISOString(),
        respondBy: respondBy.toISOString(),
        overdue: t.state === 'queued' && now > respondBy,
        ...(position !== undefined ? { position } : {}),
        ...(question !== undefined ? { question } : {}),
        ...(t.staffName ? { staffName: t.staffName } : {}),
        ...(t.acceptedAt ? { acceptedAt: t.acceptedAt.toISOString() } : {}),
      };
    };
    const queue: QueueItem[] = [];
    for (const t of live.filter((x) => x.state === 'queued' && staff.languages.includes(x.language))) {
      queue.push(item(t, questionOf(await this.repo.lines({ ticketId: t.id }))));
    }
    const mine = live.filter((t) => t.state === 'with-staff' && t.staffId === staff.id).map((t) => item(t));
    const cases = await this.cases.openItems(now);
    const inHours = calendar.isOpen(now);
    const nextOpening = inHours ? undefined : calendar.nextOpening(now);
    return {
      me: { id: staff.id, login: staff.login, name: staff.name, role: staff.role, languages: staff.languages, status: await this.statusOf(staff.id) },
      queue,
      mine,
      cases,
      hours: { inHours, ...(nextOpening ? { nextOpening: nextOpening.toISOString() } : {}) },
      mailConfigured: this.cases.mailConfigured,
      overdue: { queue: queue.filter((q) => q.overdue).length, cases: cases.filter((c) => c.overdue).length },
      now: now.toISOString(),
      timeZone: calendar.timeZone,
    };
  }

  /** Tells the console hub (here and on other instances) that something changed. */
  async signal(signal: ConsoleSignal): Promise<void> {
    try {
      await this.bus.publish(HANDOVER_CHANNEL, JSON.stringify(signal));
    } catch (err) {
      // Other instances miss this one; this instance's consoles still hear it.
      this.log.warn({ err: errorFields(err) }, 'notification not published');
      this.signals.emit('signal', signal);
    }
  }

  /** Removes the conversation's handover records (the citizen asked; R8). */
  deleteConversation(conversationId: string): Promise<number> {
    return this.repo.deleteConversation(conversationId);
  }

  /** Removes finished handovers older than `before` (retention). */
  purge(before: Date): Promise<number> {
    return this.repo.purge(before);
  }

  // ---- inside ----

  private emit(ticket: TicketRecord, event: DistributiveOmit<HandoverEvent, 'conversationId' | 'reference'>): void {
    this.events.emit('event', { ...event, conversationId: ticket.conversationId, reference: ticket.reference ?? {} } as HandoverEvent);
  }

  /**
   * Applies a state-machine event to the stored ticket, with the system line that records it for
   * staff (one transaction); retried on a concurrent change. Undefined if not allowed now.
   */
  private async apply(ticketId: string, event: HandoverMachineEvent, systemLine?: string): Promise<TicketRecord | undefined> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await this.repo.ticket(ticketId);
      if (!current) return undefined;
      const result = transition(current, event);
      if (!result.ok) {
        this.log.debug({ ticketId, ...result.error }, 'transition refused');
        return undefined;
      }
      const next = { ...result.ticket, updatedAt: event.at };
      const lines =
        systemLine === undefined ? [] : [{ conversationId: next.conversationId, ticketId, at: event.at, author: 'system' as const, text: systemLine }];
      const stored = await this.repo.updateTicket(next, current.version, lines);
      if (stored === undefined) continue;
      for (const line of stored) await this.signal({ kind: 'line', lineId: line.id });
      return { ...next, version: current.version + 1 };
    }
    throw new Error('handover: ticket keeps changing under us');
  }

  private async finish(staff: StaffMember, ticketId: string, type: 'hand-back' | 'close'): Promise<StaffActionResult> {
    const ticket = await this.repo.ticket(ticketId);
    if (!ticket) return { kind: 'not-found' };
    const mayClose =
      ticket.staffId === staff.id || (type === 'close' && ticket.state === 'queued' && (staff.languages.includes(ticket.language) || staff.role === 'admin'));
    if (!mayClose) return { kind: 'forbidden' };
    const done = await this.apply(ticketId, { type, at: this.now() }, type === 'close' ? `${staff.name} slēdza sarunu.` : `${staff.name} atdeva sarunu botam.`);
    if (!done) return { kind: 'invalid', state: (await this.repo.ticket(ticketId))?.state ?? ticket.state };
    this.emit(done, { type: type === 'close' ? 'closed' : 'handed-back' });
    await this.signal({ kind: 'ticket', ticketId, state: done.state, staffId: staff.id });
    await this.signal({ kind: 'queue' });
    if (ticket.state === 'queued') await this.announcePositions(ticket.language);
    return { kind: 'ok', ticket: done };
  }

  private async requeueOf(staffId: string): Promise<void> {
    for (const t of await this.repo.tickets(['with-staff'])) if (t.staffId === staffId) await this.requeueTicket(t);
  }

  /** The member went offline mid-conversation: the citizen goes back to the queue at the old place. */
  private async requeueTicket(ticket: TicketRecord): Promise<void> {
    const back = await this.apply(ticket.id, { type: 'staff-offline', at: this.now() }, 'Darbinieks atslēdzās; saruna atgriezta rindā.');
    if (!back) return;
    const position = (await this.positionOf(back)) ?? 1;
    await this.repo.setLastPosition(back.id, position);
    this.emit(back, { type: 'requeued', position });
    this.log.info({ conversationId: back.conversationId, ticketId: back.id, staffId: ticket.staffId, position }, 'requeued, staff went offline');
    await this.signal({ kind: 'ticket', ticketId: back.id, state: back.state, ...(ticket.staffId ? { staffId: ticket.staffId } : {}) });
    await this.signal({ kind: 'queue' });
  }

  private async positionOf(ticket: TicketRecord): Promise<number | undefined> {
    if (ticket.state !== 'queued') return undefined;
    return positionsByTicket(await this.repo.tickets(['queued'])).get(ticket.id);
  }

  /** After the queue of a language shrank: tell every citizen who moved up. */
  private async announcePositions(language: LanguageCode): Promise<void> {
    const waiting = (await this.repo.tickets(['queued'])).filter((t) => t.language === language);
    const positions = positionsByTicket(waiting);
    for (const t of waiting) {
      const position = positions.get(t.id);
      if (position === undefined || position === t.lastPosition) continue;
      await this.repo.setLastPosition(t.id, position);
      if (t.lastPosition === undefined || position < t.lastPosition) this.emit(t, { type: 'position', position });
    }
  }

  private async onlineStaff(now: Date): Promise<StaffMember[]> {
    const fresh = new Date(now.getTime() - this.presenceTimeoutMs);
    const online = new Set((await this.repo.listPresence()).filter((p) => p.status === 'online' && p.lastSeenAt >= fresh).map((p) => p.staffId));
    if (online.size === 0) return [];
    return (await this.repo.listStaff()).filter((s) => online.has(s.id) && !s.disabledAt);
  }

  private async setPresenceIfOffline(staffId: string): Promise<void> {
    const p = (await this.repo.listPresence()).find((x) => x.staffId === staffId);
    if (!p || p.status === 'offline') await this.repo.setPresence(staffId, 'online', this.now());
  }

  /**
   * A staff message could not reach the citizen (Messenger's 24-hour window has closed): the
   * console shows it in the conversation, so staff leave the question as a case instead of
   * writing into the void. Message tags are never used for this.
   */
  async undelivered(conversationId: string, reason: string): Promise<void> {
    const ticket = await this.repo.ticketOf(conversationId, LIVE_STATES);
    if (!ticket) return;
    await this.addSystemLine(ticket, UNDELIVERED_TEXT[reason] ?? `${UNDELIVERED_TEXT['default']} (${reason})`);
  }

  private async addSystemLine(ticket: TicketRecord, text: string): Promise<void> {
    const [line] = await this.repo.addLines([{ conversationId: ticket.conversationId, ticketId: ticket.id, at: this.now(), author: 'system', text }]);
    if (line) await this.signal({ kind: 'line', lineId: line.id });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What the console says when a message to the citizen was not delivered (staff read Latvian). */
const UNDELIVERED_TEXT: Record<string, string> = {
  'outside-24h-window':
    'Ziņa netika piegādāta: Messenger atļauj atbildēt tikai 24 stundu laikā pēc iedzīvotāja pēdējās ziņas. Reģistrējiet jautājumu kā lietu un atbildiet pa e-pastu vai tālruni.',
  default: 'Ziņa netika piegādāta iedzīvotājam.',
};

/** 1-based places per language, oldest first (a requeued conversation keeps its first place). */
function positionsByTicket(tickets: readonly TicketRecord[]): Map<string, number> {
  const byLanguage = new Map<LanguageCode, TicketRecord[]>();
  for (const t of tickets) if (t.state === 'queued') byLanguage.set(t.language, [...(byLanguage.get(t.language) ?? []), t]);
  const positions = new Map<string, number>();
  for (const list of byLanguage.values()) {
    list.sort((a, b) => (a.queuedAt ?? a.createdAt).getTime() - (b.queuedAt ?? b.createdAt).getTime() || a.id.localeCompare(b.id));
    list.forEach((t, i) => positions.set(t.id, i + 1));
  }
  return positions;
}

function publicTicket(t: TicketRecord): HandoverTicket {
  return {
    id: t.id,
    conversationId: t.conversationId,
    channel: t.channel,
    language: t.language,
    state: t.state,
    reason: t.reason,
    createdAt: t.createdAt,
    ...(t.acceptedAt ? { acceptedAt: t.acceptedAt } : {}),
    ...(t.staffId ? { staffId: t.staffId } : {}),
    ...(t.staffName ? { staffName: t.staffName } : {}),
  };
}
