// The queue: a conversation enters it with its ticket (consented, with what was said so far),
// waits its turn among those of its agency in its language (each agency has a queue of its own:
// its parts see only its tickets), and leaves it when the citizen cancels or leaves a
// question, or when one staff member accepts it (the atomic claim); it comes back at its old place
// when that member goes offline. Citizens hear their place whenever it moves up.
import { randomUUID } from 'node:crypto';
import type { LanguageCode } from '../../knowledge/schema.js';
import { redactValue } from '../storage/activity.js';
import type { HandoverParts } from './parts.js';
import { markPresent } from './presence.js';
import type { StaffMember } from './repository.js';
import { serves } from './roles.js';
import { firstName } from './staff.js';
import { LIVE_STATES, transition, type TicketRecord } from './state-machine.js';
import { applyTicketEvent, publicTicket } from './tickets.js';
import { linesFromActivities } from './transcript.js';
import type { HandoverRequest, HandoverTicket } from './types.js';

export type AcceptResult =
  | { kind: 'accepted'; ticket: TicketRecord }
  /** Someone else was first, or the citizen left. */
  | { kind: 'taken' }
  | { kind: 'not-found' }
  /** The member does not speak the conversation's language. */
  | { kind: 'language' };

export class HandoverQueue {
  constructor(private readonly parts: HandoverParts) {}

  async enqueue(request: HandoverRequest): Promise<{ ticket: HandoverTicket; position: number }> {
    const { repo, log, notices } = this.parts;
    const existing = await repo.ticketOf(request.conversationId, LIVE_STATES);
    if (existing) return { ticket: publicTicket(existing), position: (await this.positionOf(existing)) ?? 0 };
    const at = this.parts.now();
    // The citizen's account in it carries the name their client chose.
    const reference = redactValue(request.reference);
    const draft: TicketRecord = {
      id: randomUUID(),
      agency: this.parts.agency,
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
    await repo.insertTicket(ticket, linesFromActivities(request.transcript, { conversationId: ticket.conversationId, ticketId: ticket.id }, at));
    const position = (await this.positionOf(ticket)) ?? 1;
    await repo.setLastPosition(ticket.id, position);
    log.info({ conversationId: ticket.conversationId, ticketId: ticket.id, language: ticket.language, position }, 'queued');
    await notices.signal({ kind: 'queue' });
    return { ticket: publicTicket(ticket), position };
  }

  async cancel(conversationId: string): Promise<void> {
    const { repo, notices } = this.parts;
    const ticket = await repo.ticketOf(conversationId, LIVE_STATES);
    if (!ticket) return;
    const result = await applyTicketEvent(this.parts, ticket.id, { type: 'citizen-left', at: this.parts.now() }, 'Iedzīvotājs pārtrauca sarunu.');
    if (!result) return;
    await notices.signal({ kind: 'ticket', ticketId: result.id, state: result.state, ...(ticket.staffId ? { staffId: ticket.staffId } : {}) });
    await notices.signal({ kind: 'queue' });
    if (ticket.state === 'queued') await this.announcePositions(ticket.language);
  }

  async active(conversationId: string): Promise<HandoverTicket | undefined> {
    const ticket = await this.parts.repo.ticketOf(conversationId, LIVE_STATES);
    return ticket && publicTicket(ticket);
  }

  async position(conversationId: string): Promise<number | undefined> {
    const ticket = await this.parts.repo.ticketOf(conversationId, ['queued']);
    return ticket && this.positionOf(ticket);
  }

  async accept(staff: StaffMember, ticketId: string): Promise<AcceptResult> {
    const { repo, log, notices } = this.parts;
    const ticket = await repo.ticket(ticketId);
    if (!ticket || !serves(staff, this.parts.agency)) return { kind: 'not-found' };
    if (!staff.languages.includes(ticket.language)) return { kind: 'language' };
    if (ticket.state !== 'queued') return { kind: 'taken' };
    // The ticket's version decides: of any number of concurrent accepts, on any instance, exactly
    // one moves it out of the queue; the state machine refuses the others (and a departed citizen).
    const staffName = firstName(staff.name);
    const accepted = await applyTicketEvent(
      this.parts,
      ticket.id,
      { type: 'accept', at: this.parts.now(), staffId: staff.id, staffName },
      `${staff.name} pieņēma sarunu.`,
    );
    if (!accepted) return { kind: 'taken' };
    await markPresent(this.parts, staff.id);
    notices.tellCitizen(accepted, { type: 'accepted', staffName });
    log.info({ conversationId: accepted.conversationId, ticketId: accepted.id, staffId: staff.id }, 'accepted');
    await notices.signal({ kind: 'queue' });
    await this.announcePositions(accepted.language);
    return { kind: 'accepted', ticket: accepted };
  }

  /** A citizen who leaves a question while waiting leaves the queue. */
  async leaveForCase(conversationId: string, at: Date): Promise<void> {
    const queued = await this.parts.repo.ticketOf(conversationId, ['queued']);
    if (!queued) return;
    if (await applyTicketEvent(this.parts, queued.id, { type: 'leave-case', at })) await this.announcePositions(queued.language);
    await this.parts.notices.signal({ kind: 'queue' });
  }

  /** Every conversation the member has goes back to the queue (they went offline). */
  async requeueOf(staffId: string): Promise<void> {
    for (const t of await this.parts.repo.tickets(['with-staff'])) if (t.staffId === staffId) await this.requeueTicket(t);
  }

  /** The member went offline mid-conversation: the citizen goes back to the queue at the old place. */
  async requeueTicket(ticket: TicketRecord): Promise<void> {
    const { repo, log, notices } = this.parts;
    const back = await applyTicketEvent(
      this.parts,
      ticket.id,
      { type: 'staff-offline', at: this.parts.now() },
      'Darbinieks atslēdzās; saruna atgriezta rindā.',
    );
    if (!back) return;
    const position = (await this.positionOf(back)) ?? 1;
    await repo.setLastPosition(back.id, position);
    notices.tellCitizen(back, { type: 'requeued', position });
    log.info({ conversationId: back.conversationId, ticketId: back.id, staffId: ticket.staffId, position }, 'requeued, staff went offline');
    await notices.signal({ kind: 'ticket', ticketId: back.id, state: back.state, ...(ticket.staffId ? { staffId: ticket.staffId } : {}) });
    await notices.signal({ kind: 'queue' });
  }

  /** After the queue of a language shrank: tell every citizen who moved up. */
  async announcePositions(language: LanguageCode): Promise<void> {
    const { repo, notices } = this.parts;
    const waiting = (await repo.tickets(['queued'])).filter((t) => t.language === language);
    const positions = positionsByTicket(waiting);
    for (const t of waiting) {
      const position = positions.get(t.id);
      if (position === undefined || position === t.lastPosition) continue;
      await repo.setLastPosition(t.id, position);
      if (t.lastPosition === undefined || position < t.lastPosition) notices.tellCitizen(t, { type: 'position', position });
    }
  }

  private async positionOf(ticket: TicketRecord): Promise<number | undefined> {
    if (ticket.state !== 'queued') return undefined;
    return positionsByTicket(await this.parts.repo.tickets(['queued'])).get(ticket.id);
  }
}

/**
 * 1-based places per agency and language, oldest first (a requeued conversation keeps its first
 * place). An agency's parts only ever pass its own tickets; the agency is in the key all the same,
 * so that places can never count another agency's citizens.
 */
export function positionsByTicket(tickets: readonly TicketRecord[]): Map<string, number> {
  const byLanguage = new Map<string, TicketRecord[]>();
  const key = (t: TicketRecord): string => `${t.agency} ${t.language satisfies LanguageCode}`;
  for (const t of tickets) if (t.state === 'queued') byLanguage.set(key(t), [...(byLanguage.get(key(t)) ?? []), t]);
  const positions = new Map<string, number>();
  for (const list of byLanguage.values()) {
    list.sort((a, b) => (a.queuedAt ?? a.createdAt).getTime() - (b.queuedAt ?? b.createdAt).getTime() || a.id.localeCompare(b.id));
    list.forEach((t, i) => positions.set(t.id, i + 1));
  }
  return positions;
}
