// What a staff member's console of one agency shows and may read: the agency's queue in the
// languages they speak (with each conversation's place and first question), their own
// conversations, the agency's open cases with their deadlines (R15), its hours; who may read which
// conversation; and the signals that tell the console to read again.
import type { LanguageCode } from '../../knowledge/schema.js';
import { addWorkingDays } from './calendar.js';
import type { CaseDesk, CaseItem } from './cases.js';
import type { HandoverParts } from './parts.js';
import type { StaffPresence } from './presence.js';
import { positionsByTicket } from './queue.js';
import type { CaseRecord, LineRef, Note, PresenceStatus, StaffMember, TranscriptLine } from './repository.js';
import { administers, roleIn, serves } from './roles.js';
import type { TicketRecord } from './state-machine.js';
import { questionOf } from './transcript.js';
import type { ConsoleSignal, HandoverState, HandoverTicket } from './types.js';

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
  /** The agency this console is of. */
  agency: { id: string; name: string };
  me: {
    id: string;
    login: string;
    name: string;
    role: StaffMember['role'];
    /** The member's role here: installation administrator, or their role in this agency. */
    roleHere: ReturnType<typeof roleIn>;
    languages: LanguageCode[];
    status: PresenceStatus;
  };
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

export interface ConsoleViewOptions {
  cases: Pick<CaseDesk, 'openItems' | 'mailConfigured'>;
  presence: Pick<StaffPresence, 'statusOf'>;
}

export class ConsoleView {
  constructor(
    private readonly parts: HandoverParts,
    private readonly options: ConsoleViewOptions,
  ) {}

  async consoleState(staff: StaffMember): Promise<ConsoleState> {
    const { repo, agency } = this.parts;
    const now = this.parts.now();
    const calendar = this.parts.calendar();
    const live = await repo.tickets(['queued', 'with-staff']);
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
      queue.push(item(t, questionOf(await repo.lines({ ticketId: t.id }))));
    }
    const mine = live.filter((t) => t.state === 'with-staff' && t.staffId === staff.id).map((t) => item(t));
    const cases = await this.options.cases.openItems(now);
    const inHours = calendar.isOpen(now);
    const nextOpening = inHours ? undefined : calendar.nextOpening(now);
    return {
      agency: { id: agency, name: this.parts.profile().name.lv },
      me: {
        id: staff.id,
        login: staff.login,
        name: staff.name,
        role: staff.role,
        roleHere: roleIn(staff, agency),
        languages: staff.languages,
        status: await this.options.presence.statusOf(staff.id),
      },
      queue,
      mine,
      cases,
      hours: { inHours, ...(nextOpening ? { nextOpening: nextOpening.toISOString() } : {}) },
      mailConfigured: this.options.cases.mailConfigured,
      overdue: { queue: queue.filter((q) => q.overdue).length, cases: cases.filter((c) => c.overdue).length },
      now: now.toISOString(),
      timeZone: calendar.timeZone,
    };
  }

  /**
   * Who may read a conversation of this agency: whoever has it, its staff who speak its language
   * while it waits, its administrators. Nobody reads another agency's conversation here.
   */
  canSee(staff: StaffMember, ticket: TicketRecord): boolean {
    const { agency } = this.parts;
    if (ticket.agency !== agency || !serves(staff, agency)) return false;
    return administers(staff, agency) || ticket.staffId === staff.id || (ticket.state === 'queued' && staff.languages.includes(ticket.language));
  }

  ticket(id: string): Promise<TicketRecord | undefined> {
    return this.parts.repo.ticket(id);
  }

  caseById(id: string): Promise<CaseRecord | undefined> {
    return this.parts.repo.caseById(id);
  }

  lines(ref: LineRef): Promise<TranscriptLine[]> {
    return this.parts.repo.lines(ref);
  }

  line(id: number): Promise<TranscriptLine | undefined> {
    return this.parts.repo.line(id);
  }

  notes(ref: LineRef): Promise<Note[]> {
    return this.parts.repo.notes(ref);
  }

  /** Console updates (this instance's and other instances' changes). */
  onSignal(listener: (signal: ConsoleSignal) => void): () => void {
    return this.parts.notices.onSignal(listener);
  }
}
