// Who on an agency's staff side is here: each member's status for the agency (online, away,
// offline) and when its console was last heard from; the sweep that takes silent consoles offline,
// their conversations back to the queue; whether someone who speaks a language is online for the
// agency to take a conversation; and the languages its staff speak, the foreign languages the bot
// offers for it (R3). Presence is per agency: a member serving two agencies is here for the one
// whose console they have open (or both, in two windows).
import { LANGUAGE_CODES, type LanguageCode } from '../../knowledge/schema.js';
import type { HandoverParts } from './parts.js';
import type { PresenceStatus, StaffMember } from './repository.js';
import type { StaffRoster } from './roster.js';
import type { TicketRecord } from './state-machine.js';
import type { Availability } from './types.js';

/** What presence needs of the queue (queue.ts): a departed member's conversations back in it. */
export interface Requeue {
  requeueOf(staffId: string): Promise<void>;
  requeueTicket(ticket: TicketRecord): Promise<void>;
}

export interface PresenceOptions {
  /** A console not heard from for this long counts as gone: its conversations go back to the queue. */
  timeoutMs: number;
  requeue: Requeue;
  roster: Pick<StaffRoster, 'languagesOf' | 'refresh'>;
}

/** A member whose console is in use is here: online, unless they said away. */
export async function markPresent({ repo, now }: Pick<HandoverParts, 'repo' | 'now'>, staffId: string): Promise<void> {
  const p = (await repo.listPresence()).find((x) => x.staffId === staffId);
  if (!p || p.status === 'offline') await repo.setPresence(staffId, 'online', now());
}

export class StaffPresence {
  constructor(
    private readonly parts: HandoverParts,
    private readonly options: PresenceOptions,
  ) {}

  /** Languages at least one enabled member of the agency speaks (Latvian always first); the profile's until it has members. */
  staffLanguages(): LanguageCode[] {
    return this.options.roster.languagesOf(this.parts.agency) ?? this.parts.profile().staffLanguages;
  }

  async refreshStaffLanguages(): Promise<LanguageCode[]> {
    await this.options.roster.refresh();
    return this.staffLanguages();
  }

  async availability(language: LanguageCode): Promise<Availability> {
    const now = this.parts.now();
    const calendar = this.parts.calendar();
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

  async setStatus(staff: StaffMember, status: PresenceStatus): Promise<void> {
    await this.parts.repo.setPresence(staff.id, status, this.parts.now());
    if (status === 'offline') await this.options.requeue.requeueOf(staff.id);
    await this.parts.notices.signal({ kind: 'staff' });
  }

  async statusOf(staffId: string): Promise<PresenceStatus> {
    const p = (await this.parts.repo.listPresence()).find((x) => x.staffId === staffId);
    if (!p) return 'offline';
    return p.status !== 'offline' && p.lastSeenAt.getTime() >= this.parts.now().getTime() - this.options.timeoutMs ? p.status : 'offline';
  }

  /** The agency's console is open (its event stream connected or beating): the member is here for it. */
  async seen(staff: StaffMember): Promise<void> {
    await markPresent(this.parts, staff.id);
    await this.parts.repo.touchPresence(staff.id, this.parts.now());
  }

  /** Consoles not heard from within the timeout are offline; their conversations go back to the queue. */
  async sweep(): Promise<void> {
    const { repo, log } = this.parts;
    const now = this.parts.now();
    const staleBefore = new Date(now.getTime() - this.options.timeoutMs);
    let changed = false;
    for (const p of await repo.listPresence()) {
      if (p.status !== 'offline' && p.lastSeenAt < staleBefore && (await repo.expirePresence(p.staffId, staleBefore, now))) {
        log.info({ staffId: p.staffId, agency: this.parts.agency }, 'staff console gone, offline');
        changed = true;
      }
    }
    // Also catches conversations left with someone already offline (a crash between two steps).
    const presence = await repo.listPresence();
    const offline = new Set(presence.filter((p) => p.status === 'offline').map((p) => p.staffId));
    const known = new Set(presence.map((p) => p.staffId));
    for (const t of await repo.tickets(['with-staff'])) {
      if (t.staffId !== undefined && (offline.has(t.staffId) || !known.has(t.staffId))) await this.options.requeue.requeueTicket(t);
    }
    if (changed) await this.parts.notices.signal({ kind: 'staff' });
  }

  private async onlineStaff(now: Date): Promise<StaffMember[]> {
    const fresh = new Date(now.getTime() - this.options.timeoutMs);
    const online = new Set((await this.parts.repo.listPresence()).filter((p) => p.status === 'online' && p.lastSeenAt >= fresh).map((p) => p.staffId));
    if (online.size === 0) return [];
    return (await this.parts.repo.listStaff()).filter((s) => online.has(s.id) && !s.disabledAt);
  }
}
