// The staff side of an installation that serves many agencies: one service per agency
// (service.ts, made when the agency is first asked for, its profile read live so that an agency
// folder added while running is served at once), and what spans agencies: adopting the rows from
// before agencies, listening to other instances, the presence sweep and the offered languages on
// a timer, the mail outbox, signing a member off everywhere, a citizen's deletion, retention, and
// the figures /metrics reads.
import { errorFields, type Logger } from '../log.js';
import type { AgencyProfile, LanguageCode } from '../../knowledge/schema.js';
import type { Unsubscribe } from '../storage/store.js';
import type { Texts } from '../i18n.js';
import type { CaseOutbox } from './mail.js';
import { HandoverNotices, localBus, type HandoverBus } from './notices.js';
import { EVERY_AGENCY, type HandoverRepository, type RetentionCutoffs, type StaffMember } from './repository.js';
import { StaffRoster } from './roster.js';
import { StaffHandoverService } from './service.js';
import { LIVE_STATES } from './state-machine.js';
import type { ConsoleSignal, HandoverEvent, HandoverService } from './types.js';
import type { AgencyDirectory } from '../agencies.js';

/**
 * The agencies the installation serves, read live (a folder may appear or be deleted while running);
 * `defaultId`: where rows from before agencies belong, and whose mailbox AGENCY_MAILBOX overrides.
 */
export type StaffAgencies = Pick<AgencyDirectory, 'ids' | 'profile' | 'defaultId'>;

/** What a turn of one agency uses of the staff side. */
export interface AgencyStaffSide {
  service: HandoverService;
  /** The foreign languages the agency's staff speak (R3), for the dialog side's offered languages. */
  staffLanguages(): LanguageCode[];
}

export interface StaffSideOptions {
  repo: HandoverRepository;
  agencies: StaffAgencies;
  log: Logger;
  now?: () => Date;
  bus?: HandoverBus;
  outbox?: CaseOutbox;
  texts: Texts;
  /** Staff hours are ignored: open at any hour (STAFF_HOURS=always, for trying a handover locally). */
  alwaysOpen?: boolean;
  /** AGENCY_MAILBOX: where the default agency's cases are mailed instead of its profile's mailbox. */
  defaultMailbox?: string;
  /** A console not heard from for this long counts as gone: its conversations go back to the queue. */
  presenceTimeoutMs?: number;
  /** How often presence is checked and the offered languages re-read (accounts change from the CLI). */
  sweepIntervalMs?: number;
}

/** Asked for an agency the installation does not serve and never has in this process. */
export class UnknownAgencyError extends Error {
  constructor(readonly agency: string) {
    super('handover: no such agency');
    this.name = 'UnknownAgencyError';
  }
}

export class StaffSide {
  readonly now: () => Date;
  readonly repo: HandoverRepository;
  readonly agencies: StaffAgencies;
  readonly roster: StaffRoster;
  private readonly notices: HandoverNotices;
  private readonly services = new Map<string, StaffHandoverService>();
  /** An agency's profile as last seen: a conversation under way finishes if its folder goes. */
  private readonly lastProfiles = new Map<string, AgencyProfile>();
  private unsubscribe: Unsubscribe | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: StaffSideOptions) {
    this.now = options.now ?? (() => new Date());
    this.repo = options.repo;
    this.agencies = options.agencies;
    this.roster = new StaffRoster(options.repo);
    this.notices = new HandoverNotices(options.bus ?? localBus(), options.log);
  }

  /** The agency is served now (its folder is there). */
  serves(agency: string): boolean {
    return this.agencies.ids().includes(agency) && this.agencies.profile(agency) !== undefined;
  }

  /** The agency's service. Throws UnknownAgencyError for an agency never served. */
  service(agency: string): StaffHandoverService {
    const known = this.services.get(agency);
    if (known) return known;
    const first = this.profileOf(agency);
    if (first === undefined) throw new UnknownAgencyError(agency);
    const service = new StaffHandoverService({
      agency,
      repo: this.repo,
      profile: () => this.profileOf(agency) ?? first,
      log: this.options.log.child({ agency }),
      now: this.now,
      notices: this.notices,
      roster: this.roster,
      texts: this.options.texts,
      ...(this.options.outbox ? { outbox: this.options.outbox } : {}),
      ...(this.options.alwaysOpen === undefined ? {} : { alwaysOpen: this.options.alwaysOpen }),
      ...(this.options.presenceTimeoutMs === undefined ? {} : { presenceTimeoutMs: this.options.presenceTimeoutMs }),
      ...(agency === this.agencies.defaultId && this.options.defaultMailbox !== undefined ? { mailbox: () => this.options.defaultMailbox } : {}),
    });
    this.services.set(agency, service);
    return service;
  }

  /** What a turn of the agency uses: its HandoverService and its staff's languages. */
  forAgency(agency: string): AgencyStaffSide {
    const service = this.service(agency);
    return { service, staffLanguages: () => service.staffLanguages() };
  }

  // ---- lifecycle ----

  /** Adopts rows from before agencies, listens to other instances, loads the offered languages, starts the sweep and the outbox. */
  async start(): Promise<void> {
    const adopted = await this.repo.adoptAgencyless(this.agencies.defaultId);
    if (adopted > 0) this.options.log.info({ agency: this.agencies.defaultId, rows: adopted }, 'rows from before agencies adopted by the default agency');
    this.unsubscribe = await this.notices.listen(() => void this.refreshStaffLanguages().catch(() => undefined));
    await this.refreshStaffLanguages();
    const interval = this.options.sweepIntervalMs ?? 15_000;
    if (interval > 0) {
      this.sweepTimer = setInterval(() => {
        void this.sweep().catch((err: unknown) => this.options.log.warn({ err: errorFields(err) }, 'sweep failed'));
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

  refreshStaffLanguages(): Promise<void> {
    return this.roster.refresh();
  }

  /**
   * Every agency's silent consoles go offline, their conversations back to the queue: the agencies
   * served, and any a member is still present in or a conversation is still with (a folder removed).
   */
  async sweep(): Promise<void> {
    if (this.closed) return;
    const agencies = new Set(this.agencies.ids());
    for (const p of await this.repo.listPresence(EVERY_AGENCY)) agencies.add(p.agency);
    for (const t of await this.repo.tickets(EVERY_AGENCY, ['with-staff'])) agencies.add(t.agency);
    for (const agency of agencies) {
      if (this.profileOf(agency) === undefined) continue; // never served in this process: nothing to requeue into
      await this.service(agency).sweep();
    }
    await this.repo.deleteExpiredSessions(this.now());
  }

  // ---- what spans agencies ----

  /** Every agency's citizen events (each carries its agency). */
  subscribe(listener: (event: HandoverEvent) => void): () => void {
    return this.notices.subscribe(listener);
  }

  /** Every agency's console signals. */
  onSignal(listener: (signal: ConsoleSignal) => void): () => void {
    return this.notices.onSignal(listener);
  }

  signal(signal: ConsoleSignal): Promise<void> {
    return this.notices.signal(signal);
  }

  /** The member logged out or was disabled: offline in every agency, their conversations back in its queue. */
  async signOff(staff: StaffMember): Promise<void> {
    const present = new Set((await this.repo.listPresence(EVERY_AGENCY)).filter((p) => p.staffId === staff.id).map((p) => p.agency));
    for (const agency of present) {
      if (this.profileOf(agency) !== undefined) await this.service(agency).setStatus(staff, 'offline');
    }
    await this.repo.setPresence(staff.id, EVERY_AGENCY, 'offline', this.now());
  }

  /** A staff message did not reach the citizen (the channel said so), whatever the agency. */
  async undelivered(conversationId: string, reason: string): Promise<void> {
    const ticket = await this.repo.ticketOf(EVERY_AGENCY, conversationId, LIVE_STATES);
    if (ticket && this.profileOf(ticket.agency) !== undefined) await this.service(ticket.agency).undelivered(conversationId, reason);
  }

  /** Removes the conversation's handover records, whatever its agency (the citizen asked; R8). */
  deleteConversation(conversationId: string): Promise<number> {
    return this.repo.deleteConversation(conversationId);
  }

  /** Removes finished handovers older than their agency's retention (open cases are the store's, and kept). */
  purge(cutoffs: RetentionCutoffs): Promise<number> {
    return this.repo.purge(cutoffs);
  }

  /** Conversations waiting and left questions past their date, by agency (for /metrics). */
  async countsByAgency(): Promise<{ queued: Map<string, number>; overdueCases: Map<string, number> }> {
    const now = this.now();
    const count = (agencies: string[]) => agencies.reduce((m, a) => m.set(a, (m.get(a) ?? 0) + 1), new Map<string, number>());
    return {
      queued: count((await this.repo.tickets(EVERY_AGENCY, ['queued'])).map((t) => t.agency)),
      overdueCases: count((await this.repo.cases(EVERY_AGENCY, 'open')).filter((c) => c.dueAt < now).map((c) => c.agency)),
    };
  }

  private profileOf(agency: string): AgencyProfile | undefined {
    const current = this.agencies.ids().includes(agency) ? this.agencies.profile(agency) : undefined;
    if (current !== undefined) this.lastProfiles.set(agency, current);
    return current ?? this.lastProfiles.get(agency);
  }
}
