// What the staff side keeps: staff accounts with the agencies they serve, sessions, presence per
// agency, live tickets, the conversation lines staff see, notes, cases and the mail outbox. One
// interface, an in-memory implementation here (tests, `npm run ask`), SQL ones in sql-repository.ts.
// Everything a console reads names the agency it reads for (an AgencyScope): one installation
// serves many agencies, and a query that forgot which one would show one agency's citizens to
// another's staff. The use cases see only an agency's slice (agency-repository.ts).
import type { LanguageCode } from '../../knowledge/schema.js';
import type { HandoverState } from './types.js';
import type { TicketRecord } from './state-machine.js';

export type { TicketRecord };

/** `admin`: an installation administrator (every agency, every account); `staff`: what their agencies make them. */
export type StaffRole = 'staff' | 'admin';

/**
 * A role in one agency, each including the ones before it: `staff` takes its conversations and
 * cases, `editor` also changes the knowledge studio's drafts, `publisher` also publishes them,
 * `admin` also manages the agency's staff.
 */
export const AGENCY_ROLES = ['staff', 'editor', 'publisher', 'admin'] as const;
export type AgencyRole = (typeof AGENCY_ROLES)[number];
export const isAgencyRole = (role: string): role is AgencyRole => (AGENCY_ROLES as readonly string[]).includes(role);

/** An agency a staff member serves (a folder name under knowledge/agencies/), and their role in it. */
export interface AgencyMembership {
  agency: string;
  role: AgencyRole;
}

/** Scope of a read: one agency, or every agency (the installation's own work: sweeps, retention, metrics). */
export const EVERY_AGENCY: unique symbol = Symbol('every agency');
export type AgencyScope = string | typeof EVERY_AGENCY;

export const inScope = (scope: AgencyScope, agency: string | undefined): boolean => scope === EVERY_AGENCY || agency === scope;

export interface StaffMember {
  id: string;
  login: string;
  /** Full name, shown in the console; the citizen sees the first name only. */
  name: string;
  languages: LanguageCode[];
  role: StaffRole;
  /** The agencies the member serves (an installation administrator serves every agency besides). */
  agencies: AgencyMembership[];
  passwordHash: string;
  createdAt: Date;
  disabledAt?: Date;
}

export interface StaffSessionRecord {
  /** SHA-256 of the cookie's token: a database leak does not hand out sessions. */
  tokenHash: string;
  staffId: string;
  createdAt: Date;
  expiresAt: Date;
}

export type PresenceStatus = 'online' | 'away' | 'offline';

export interface Presence {
  staffId: string;
  /** Presence is per agency: the member is here for the agency whose console they have open. */
  agency: string;
  status: PresenceStatus;
  /** Refreshed while the console is open (its event stream); stale means gone. */
  lastSeenAt: Date;
}

export type LineAuthor = 'citizen' | 'bot' | 'staff' | 'system';

/** One line of what was said, as staff see it (citizen text arrives redacted). */
export interface TranscriptLine {
  id: number;
  /** The agency of the ticket or case the line belongs to. */
  agency: string;
  conversationId: string;
  ticketId?: string;
  caseId?: string;
  at: Date;
  author: LineAuthor;
  authorName?: string;
  text: string;
}
export type NewLine = Omit<TranscriptLine, 'id'>;

export interface Note {
  id: number;
  agency: string;
  conversationId: string;
  ticketId?: string;
  caseId?: string;
  staffId: string;
  staffName: string;
  at: Date;
  text: string;
}
export type NewNote = Omit<Note, 'id'>;

export type CaseContact = { email: string } | { phone: string };

export interface CaseRecord {
  id: string;
  /** The agency the question was left with: its staff answer it, its mailbox gets it. */
  agency: string;
  conversationId: string;
  language: LanguageCode;
  state: 'open' | 'closed';
  question: string;
  contact: CaseContact;
  createdAt: Date;
  dueAt: Date;
  closedAt?: Date;
  closedBy?: string;
}

/** `agency`: a left question mailed to the agency; `citizen`: a staff member's written reply to it. */
export type MailPurpose = 'agency' | 'citizen';

export interface OutboxMail {
  id: string;
  caseId: string;
  purpose: MailPurpose;
  to: string;
  /** Where the recipient's answer goes (a citizen replies to the agency, not to the sending robot). */
  replyTo?: string;
  /** A citizen reply: who wrote it; the case is answered in their name once the mail is accepted. */
  staffId?: string;
  subject: string;
  text: string;
  html: string;
  createdAt: Date;
  attempts: number;
  nextAttemptAt: Date;
  sentAt?: Date;
  lastError?: string;
  cancelledAt?: Date;
  /** Refused for good by the mail server (5xx, e.g. no such mailbox): not tried again. */
  rejectedAt?: Date;
}
export type NewOutboxMail = Pick<OutboxMail, 'id' | 'caseId' | 'purpose' | 'to' | 'subject' | 'text' | 'html' | 'createdAt' | 'nextAttemptAt'> &
  Partial<Pick<OutboxMail, 'replyTo' | 'staffId'>>;

export type LineRef = { ticketId: string } | { caseId: string };

/** Which retention cutoff applies to an agency's rows: its own, or the installation's default. */
export interface RetentionCutoffs {
  byAgency: ReadonlyMap<string, Date>;
  otherwise: Date;
}

export const cutoffFor = (cutoffs: RetentionCutoffs, agency: string): Date => cutoffs.byAgency.get(agency) ?? cutoffs.otherwise;

export interface HandoverRepository {
  /**
   * Rows from before agencies (agency unset) become the default agency's: tickets, cases, lines,
   * notes, presence, and the memberships the upgrade gave every account. Idempotent; returns rows changed.
   */
  adoptAgencyless(defaultAgency: string): Promise<number>;

  createStaff(member: StaffMember): Promise<'created' | 'login-taken'>;
  staffById(id: string): Promise<StaffMember | undefined>;
  staffByLogin(login: string): Promise<StaffMember | undefined>;
  listStaff(): Promise<StaffMember[]>;
  /** `agencies` replaces the member's memberships. */
  updateStaff(
    id: string,
    patch: Partial<Pick<StaffMember, 'name' | 'languages' | 'role' | 'passwordHash' | 'agencies'>> & { disabledAt?: Date | null },
  ): Promise<boolean>;
  /** `in-use`: cases name the member as the one who closed them (disable instead). */
  removeStaff(id: string): Promise<'removed' | 'not-found' | 'in-use'>;

  createSession(session: StaffSessionRecord): Promise<void>;
  /** The unexpired session and its enabled account. */
  findSession(tokenHash: string, now: Date): Promise<{ session: StaffSessionRecord; staff: StaffMember } | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteSessionsOf(staffId: string): Promise<void>;
  /** Forgets sessions that have expired. */
  deleteExpiredSessions(now: Date): Promise<number>;

  /** The member's status for one agency; for EVERY_AGENCY, in every agency they have a status in (logging out). */
  setPresence(staffId: string, scope: AgencyScope, status: PresenceStatus, at: Date): Promise<void>;
  /** Marks the member seen at `at` for the agency, keeping the status. */
  touchPresence(staffId: string, agency: string, at: Date): Promise<void>;
  listPresence(scope: AgencyScope): Promise<Presence[]>;
  /** Sets `offline` only if still `online`/`away` and not seen since `staleBefore`: of several instances one wins. */
  expirePresence(staffId: string, agency: string, staleBefore: Date, at: Date): Promise<boolean>;

  /** A new ticket (of its agency) and what was said before it, in one transaction. */
  insertTicket(ticket: TicketRecord, lines?: NewLine[]): Promise<void>;
  ticket(scope: AgencyScope, id: string): Promise<TicketRecord | undefined>;
  /** The conversation's ticket in one of these states (newest first). */
  ticketOf(scope: AgencyScope, conversationId: string, states: readonly HandoverState[]): Promise<TicketRecord | undefined>;
  tickets(scope: AgencyScope, states: readonly HandoverState[]): Promise<TicketRecord[]>;
  /**
   * Stores the ticket if its stored version is still `expectedVersion` (the stored one becomes
   * expected + 1), and the lines that say what happened, in one transaction. Undefined (and
   * nothing written) if another change came first, or the ticket is not in scope; else the lines as stored.
   */
  updateTicket(scope: AgencyScope, ticket: TicketRecord, expectedVersion: number, lines?: NewLine[]): Promise<TranscriptLine[] | undefined>;
  setLastPosition(scope: AgencyScope, ticketId: string, position: number): Promise<void>;

  addLines(lines: NewLine[]): Promise<TranscriptLine[]>;
  lines(scope: AgencyScope, ref: LineRef): Promise<TranscriptLine[]>;
  line(scope: AgencyScope, id: number): Promise<TranscriptLine | undefined>;
  addNote(note: NewNote): Promise<Note>;
  notes(scope: AgencyScope, ref: LineRef): Promise<Note[]>;

  /** The case, its transcript and its mail, in one transaction. */
  registerCase(c: CaseRecord, lines: NewLine[], mail: NewOutboxMail | undefined): Promise<void>;
  caseById(scope: AgencyScope, id: string): Promise<CaseRecord | undefined>;
  /** The state is never left out: `cases('open')` would read as an agency called "open". */
  cases(scope: AgencyScope, state: CaseRecord['state'] | 'any'): Promise<CaseRecord[]>;
  closeCase(scope: AgencyScope, id: string, staffId: string, at: Date): Promise<boolean>;
  /** A staff member's written reply to a case: its line in the case's record and its mail, in one transaction. */
  queueReply(line: NewLine, mail: NewOutboxMail): Promise<void>;

  /** Unsent, uncancelled, unrefused mail due at `now`, oldest first (every agency's: one outbox). */
  dueMail(now: Date, limit: number): Promise<OutboxMail[]>;
  /** Takes the mail for sending until `until` if nobody else has (its next attempt is still `expected`). */
  leaseMail(id: string, expected: Date, until: Date): Promise<boolean>;
  /** Accepted by the mail server; a citizen reply also answers its case (closed in its writer's name). */
  mailSent(id: string, at: Date): Promise<void>;
  mailFailed(id: string, attempts: number, nextAttemptAt: Date, error: string): Promise<void>;
  /** Refused for good: kept with the reason, never tried again. */
  mailRejected(id: string, at: Date, error: string): Promise<void>;
  /** Cancels the case's unsent mail to the agency (a citizen's reply is never cancelled). */
  cancelMailOf(scope: AgencyScope, caseId: string, at: Date): Promise<void>;
  /** The mail of a case in scope (the outbox belongs to its case, and so to the case's agency). */
  mailOf(scope: AgencyScope, caseId: string): Promise<OutboxMail[]>;
  /** The earliest next attempt of unsent mail. */
  nextMailAt(): Promise<Date | undefined>;

  /** Removes the conversation's tickets, lines and notes, whatever the agency (cases go with the store's deletion). */
  deleteConversation(conversationId: string): Promise<number>;
  /** Removes finished tickets, and their lines and notes, older than their agency's cutoff. */
  purge(cutoffs: RetentionCutoffs): Promise<number>;
  close(): Promise<void>;
}

export function contactToText(contact: CaseContact): string {
  return 'email' in contact ? `email:${contact.email}` : `phone:${contact.phone}`;
}

export function contactFromText(text: string | null | undefined): CaseContact {
  if (text?.startsWith('email:')) return { email: text.slice(6) };
  if (text?.startsWith('phone:')) return { phone: text.slice(6) };
  return text?.includes('@') ? { email: text } : { phone: text ?? '' };
}

const copy = <T extends object>(value: T): T => structuredClone(value);
/** Still to be sent: not sent, cancelled or refused. */
const waiting = (m: OutboxMail) => !m.sentAt && !m.cancelledAt && !m.rejectedAt;
const matchesRef = (x: { ticketId?: string; caseId?: string }, ref: LineRef) => ('ticketId' in ref ? x.ticketId === ref.ticketId : x.caseId === ref.caseId);

/** Everything in this process: for tests and the memory store. */
export class MemoryHandoverRepository implements HandoverRepository {
  private readonly staff = new Map<string, StaffMember>();
  private readonly sessions = new Map<string, StaffSessionRecord>();
  /** By `staffId agency`. */
  private readonly presence = new Map<string, Presence>();
  private readonly ticketsById = new Map<string, TicketRecord>();
  private allLines: TranscriptLine[] = [];
  private allNotes: Note[] = [];
  private readonly casesById = new Map<string, CaseRecord>();
  private readonly outbox = new Map<string, OutboxMail>();
  private nextId = 1;

  /** A memory store starts empty every time: nothing was ever agencyless. */
  async adoptAgencyless(_defaultAgency: string) {
    return 0;
  }

  async createStaff(member: StaffMember) {
    if ([...this.staff.values()].some((s) => s.login === member.login)) return 'login-taken' as const;
    this.staff.set(member.id, copy(member));
    return 'created' as const;
  }
  async staffById(id: string) {
    const s = this.staff.get(id);
    return s && copy(s);
  }
  async staffByLogin(login: string) {
    const s = [...this.staff.values()].find((m) => m.login === login);
    return s && copy(s);
  }
  async listStaff() {
    return [...this.staff.values()].sort((a, b) => a.login.localeCompare(b.login)).map(copy);
  }
  async updateStaff(id: string, patch: Parameters<HandoverRepository['updateStaff']>[1]) {
    const s = this.staff.get(id);
    if (!s) return false;
    const { disabledAt, ...rest } = patch;
    Object.assign(s, copy(rest));
    if (disabledAt === null) delete s.disabledAt;
    else if (disabledAt !== undefined) s.disabledAt = disabledAt;
    return true;
  }
  async removeStaff(id: string) {
    if (!this.staff.has(id)) return 'not-found' as const;
    if ([...this.casesById.values()].some((c) => c.closedBy === id)) return 'in-use' as const;
    this.staff.delete(id);
    await this.deleteSessionsOf(id);
    for (const [k, p] of this.presence) if (p.staffId === id) this.presence.delete(k);
    return 'removed' as const;
  }

  async createSession(session: StaffSessionRecord) {
    this.sessions.set(session.tokenHash, copy(session));
  }
  async findSession(tokenHash: string, now: Date) {
    const session = this.sessions.get(tokenHash);
    if (!session || session.expiresAt <= now) return undefined;
    const staff = this.staff.get(session.staffId);
    if (!staff || staff.disabledAt) return undefined;
    return { session: copy(session), staff: copy(staff) };
  }
  async deleteSession(tokenHash: string) {
    this.sessions.delete(tokenHash);
  }
  async deleteSessionsOf(staffId: string) {
    for (const [k, s] of this.sessions) if (s.staffId === staffId) this.sessions.delete(k);
  }
  async deleteExpiredSessions(now: Date) {
    let removed = 0;
    for (const [k, s] of this.sessions) {
      if (s.expiresAt > now) continue;
      this.sessions.delete(k);
      removed++;
    }
    return removed;
  }

  async setPresence(staffId: string, scope: AgencyScope, status: PresenceStatus, at: Date) {
    if (!this.staff.has(staffId)) return;
    if (scope === EVERY_AGENCY) {
      for (const p of this.presence.values()) if (p.staffId === staffId) Object.assign(p, { status, lastSeenAt: at });
      return;
    }
    this.presence.set(`${staffId} ${scope}`, { staffId, agency: scope, status, lastSeenAt: at });
  }
  async touchPresence(staffId: string, agency: string, at: Date) {
    const p = this.presence.get(`${staffId} ${agency}`);
    if (p && p.lastSeenAt < at) p.lastSeenAt = at;
  }
  async listPresence(scope: AgencyScope) {
    return [...this.presence.values()].filter((p) => inScope(scope, p.agency)).map(copy);
  }
  async expirePresence(staffId: string, agency: string, staleBefore: Date, at: Date) {
    const p = this.presence.get(`${staffId} ${agency}`);
    if (!p || p.status === 'offline' || p.lastSeenAt >= staleBefore) return false;
    Object.assign(p, { status: 'offline', lastSeenAt: at });
    return true;
  }

  async insertTicket(ticket: TicketRecord, lines: NewLine[] = []) {
    this.ticketsById.set(ticket.id, copy(ticket));
    await this.addLines(lines);
  }
  async ticket(scope: AgencyScope, id: string) {
    const t = this.ticketsById.get(id);
    return t && inScope(scope, t.agency) ? copy(t) : undefined;
  }
  async ticketOf(scope: AgencyScope, conversationId: string, states: readonly HandoverState[]) {
    const t = [...this.ticketsById.values()]
      .filter((x) => inScope(scope, x.agency) && x.conversationId === conversationId && states.includes(x.state))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
    return t && copy(t);
  }
  async tickets(scope: AgencyScope, states: readonly HandoverState[]) {
    return [...this.ticketsById.values()]
      .filter((t) => inScope(scope, t.agency) && states.includes(t.state))
      .sort((a, b) => (a.queuedAt ?? a.createdAt).getTime() - (b.queuedAt ?? b.createdAt).getTime() || a.id.localeCompare(b.id))
      .map(copy);
  }
  async updateTicket(scope: AgencyScope, ticket: TicketRecord, expectedVersion: number, lines: NewLine[] = []) {
    const current = this.ticketsById.get(ticket.id);
    if (!current || !inScope(scope, current.agency) || current.version !== expectedVersion) return undefined;
    // What a ticket is for never changes: its agency stays the stored one.
    const { lastPosition: _kept, ...rest } = ticket;
    this.ticketsById.set(
      ticket.id,
      copy({
        ...rest,
        agency: current.agency,
        version: expectedVersion + 1,
        ...(current.lastPosition === undefined ? {} : { lastPosition: current.lastPosition }),
      }),
    );
    return this.addLines(lines);
  }
  async setLastPosition(scope: AgencyScope, ticketId: string, position: number) {
    const t = this.ticketsById.get(ticketId);
    if (t && inScope(scope, t.agency)) t.lastPosition = position;
  }

  async addLines(lines: NewLine[]) {
    const added = lines.map((l) => ({ ...copy(l), id: this.nextId++ }));
    this.allLines.push(...added);
    return added.map(copy);
  }
  async lines(scope: AgencyScope, ref: LineRef) {
    return this.allLines.filter((l) => inScope(scope, l.agency) && matchesRef(l, ref)).map(copy);
  }
  async line(scope: AgencyScope, id: number) {
    const l = this.allLines.find((x) => x.id === id);
    return l && inScope(scope, l.agency) ? copy(l) : undefined;
  }
  async addNote(note: NewNote) {
    const n = { ...copy(note), id: this.nextId++ };
    this.allNotes.push(n);
    return copy(n);
  }
  async notes(scope: AgencyScope, ref: LineRef) {
    return this.allNotes.filter((n) => inScope(scope, n.agency) && matchesRef(n, ref)).map(copy);
  }

  async registerCase(c: CaseRecord, lines: NewLine[], mail: NewOutboxMail | undefined) {
    this.casesById.set(c.id, copy(c));
    await this.addLines(lines);
    if (mail) this.outbox.set(mail.id, { ...copy(mail), attempts: 0 });
  }
  async caseById(scope: AgencyScope, id: string) {
    const c = this.casesById.get(id);
    return c && inScope(scope, c.agency) ? copy(c) : undefined;
  }
  async cases(scope: AgencyScope, state: CaseRecord['state'] | 'any') {
    return [...this.casesById.values()]
      .filter((c) => inScope(scope, c.agency) && (state === 'any' || c.state === state))
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.createdAt.getTime() - b.createdAt.getTime())
      .map(copy);
  }
  async closeCase(scope: AgencyScope, id: string, staffId: string, at: Date) {
    const c = this.casesById.get(id);
    if (!c || !inScope(scope, c.agency) || c.state !== 'open') return false;
    Object.assign(c, { state: 'closed', closedAt: at, closedBy: staffId });
    return true;
  }
  async queueReply(line: NewLine, mail: NewOutboxMail) {
    await this.addLines([line]);
    this.outbox.set(mail.id, { ...copy(mail), attempts: 0 });
  }

  async dueMail(now: Date, limit: number) {
    return [...this.outbox.values()]
      .filter((m) => waiting(m) && m.nextAttemptAt <= now)
      .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime())
      .slice(0, limit)
      .map(copy);
  }
  async leaseMail(id: string, expected: Date, until: Date) {
    const m = this.outbox.get(id);
    if (!m || !waiting(m) || m.nextAttemptAt.getTime() !== expected.getTime()) return false;
    m.nextAttemptAt = until;
    return true;
  }
  async mailSent(id: string, at: Date) {
    const m = this.outbox.get(id);
    if (!m) return;
    Object.assign(m, { sentAt: at, attempts: m.attempts + 1 });
    if (m.purpose === 'citizen' && m.staffId !== undefined) await this.closeCase(EVERY_AGENCY, m.caseId, m.staffId, at);
  }
  async mailFailed(id: string, attempts: number, nextAttemptAt: Date, error: string) {
    const m = this.outbox.get(id);
    if (m) Object.assign(m, { attempts, nextAttemptAt, lastError: error });
  }
  async mailRejected(id: string, at: Date, error: string) {
    const m = this.outbox.get(id);
    if (m) Object.assign(m, { attempts: m.attempts + 1, rejectedAt: at, lastError: error });
  }
  async cancelMailOf(scope: AgencyScope, caseId: string, at: Date) {
    if (!(await this.caseById(scope, caseId))) return;
    for (const m of this.outbox.values()) if (m.caseId === caseId && m.purpose === 'agency' && waiting(m)) m.cancelledAt = at;
  }
  async mailOf(scope: AgencyScope, caseId: string) {
    if (!(await this.caseById(scope, caseId))) return [];
    return [...this.outbox.values()].filter((m) => m.caseId === caseId).map(copy);
  }
  async nextMailAt() {
    const pending = [...this.outbox.values()].filter(waiting).map((m) => m.nextAttemptAt.getTime());
    return pending.length === 0 ? undefined : new Date(Math.min(...pending));
  }

  async deleteConversation(conversationId: string) {
    let removed = 0;
    for (const [id, t] of this.ticketsById) {
      if (t.conversationId !== conversationId) continue;
      this.ticketsById.delete(id);
      removed++;
    }
    for (const [id, c] of this.casesById) {
      if (c.conversationId !== conversationId) continue;
      this.casesById.delete(id);
      for (const [mid, m] of this.outbox) if (m.caseId === id) this.outbox.delete(mid);
    }
    const before = this.allLines.length + this.allNotes.length;
    this.allLines = this.allLines.filter((l) => l.conversationId !== conversationId);
    this.allNotes = this.allNotes.filter((n) => n.conversationId !== conversationId);
    return removed + before - this.allLines.length - this.allNotes.length;
  }
  async purge(cutoffs: RetentionCutoffs) {
    const gone = new Set<string>();
    for (const [id, t] of this.ticketsById) {
      if (!t.closedAt || t.closedAt >= cutoffFor(cutoffs, t.agency)) continue;
      this.ticketsById.delete(id);
      gone.add(id);
    }
    const count = this.allLines.length + this.allNotes.length;
    this.allLines = this.allLines.filter((l) => !(l.ticketId && gone.has(l.ticketId)));
    this.allNotes = this.allNotes.filter((n) => !(n.ticketId && gone.has(n.ticketId)));
    return gone.size + count - this.allLines.length - this.allNotes.length;
  }
  async close() {}
}
