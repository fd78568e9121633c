// The live conversation between a citizen and a staff member: the citizen's messages shown in the
// console, the staff member's relayed to the citizen, handing back to the bot or closing, notes for
// colleagues, and the system lines that tell staff what happened (a message that did not arrive).
import { redact } from '../privacy/redact.js';
import type { HandoverParts } from './parts.js';
import type { HandoverQueue } from './queue.js';
import type { LineRef, Note, StaffMember } from './repository.js';
import { administers, serves } from './roles.js';
import { firstName } from './staff.js';
import { LIVE_STATES, type TicketRecord } from './state-machine.js';
import { applyTicketEvent } from './tickets.js';
import type { HandoverState } from './types.js';

export type StaffActionResult =
  { kind: 'ok'; ticket: TicketRecord } | { kind: 'not-found' } | { kind: 'forbidden' } | { kind: 'invalid'; state: HandoverState };

const MAX_STAFF_MESSAGE = 2000;
const MAX_NOTE = 4000;

export class LiveRelay {
  constructor(
    private readonly parts: HandoverParts,
    /** Closing a queued conversation moves the others up. */
    private readonly queue: Pick<HandoverQueue, 'announcePositions'>,
  ) {}

  /** A citizen's message while queued or with staff: shown in the console (redacted). */
  async citizenMessage(conversationId: string, text: string): Promise<void> {
    const { repo, notices } = this.parts;
    const ticket = await repo.ticketOf(conversationId, LIVE_STATES);
    if (!ticket) return;
    const [line] = await repo.addLines([
      { conversationId, ticketId: ticket.id, at: this.parts.now(), author: 'citizen', text: redact(text).text.slice(0, MAX_STAFF_MESSAGE * 2) },
    ]);
    if (line) await notices.signal({ kind: 'line', lineId: line.id });
  }

  async sendStaffMessage(staff: StaffMember, ticketId: string, text: string): Promise<StaffActionResult | { kind: 'empty' }> {
    const { repo, notices } = this.parts;
    const clean = text.trim().slice(0, MAX_STAFF_MESSAGE);
    if (clean === '') return { kind: 'empty' };
    const ticket = await repo.ticket(ticketId);
    if (!ticket || !serves(staff, this.parts.agency)) return { kind: 'not-found' };
    if (ticket.staffId !== staff.id) return { kind: 'forbidden' };
    if (ticket.state !== 'with-staff') return { kind: 'invalid', state: ticket.state };
    const staffName = ticket.staffName ?? firstName(staff.name);
    const [line] = await repo.addLines([
      { conversationId: ticket.conversationId, ticketId, at: this.parts.now(), author: 'staff', authorName: staffName, text: clean },
    ]);
    notices.tellCitizen(ticket, { type: 'staff-message', text: clean, staffName });
    if (line) await notices.signal({ kind: 'line', lineId: line.id });
    return { kind: 'ok', ticket };
  }

  handBack(staff: StaffMember, ticketId: string): Promise<StaffActionResult> {
    return this.finish(staff, ticketId, 'hand-back');
  }

  closeTicket(staff: StaffMember, ticketId: string): Promise<StaffActionResult> {
    return this.finish(staff, ticketId, 'close');
  }

  async addNote(staff: StaffMember, ref: LineRef, text: string): Promise<Note | { kind: 'not-found' } | { kind: 'empty' }> {
    const { repo, notices } = this.parts;
    const clean = text.trim().slice(0, MAX_NOTE);
    if (clean === '') return { kind: 'empty' };
    if (!serves(staff, this.parts.agency)) return { kind: 'not-found' };
    const conversationId = 'ticketId' in ref ? (await repo.ticket(ref.ticketId))?.conversationId : (await repo.caseById(ref.caseId))?.conversationId;
    if (conversationId === undefined) return { kind: 'not-found' };
    const note = await repo.addNote({ ...ref, conversationId, staffId: staff.id, staffName: staff.name, at: this.parts.now(), text: clean });
    await notices.signal({ kind: 'notes', ...ref });
    return note;
  }

  /**
   * A staff message could not reach the citizen (Messenger's 24-hour window has closed): the
   * console shows it in the conversation, so staff leave the question as a case instead of
   * writing into the void. Message tags are never used for this.
   */
  async undelivered(conversationId: string, reason: string): Promise<void> {
    const ticket = await this.parts.repo.ticketOf(conversationId, LIVE_STATES);
    if (!ticket) return;
    await this.addSystemLine(ticket, UNDELIVERED_TEXT[reason] ?? `${UNDELIVERED_TEXT['default']} (${reason})`);
  }

  private async finish(staff: StaffMember, ticketId: string, type: 'hand-back' | 'close'): Promise<StaffActionResult> {
    const { repo, notices } = this.parts;
    const ticket = await repo.ticket(ticketId);
    if (!ticket || !serves(staff, this.parts.agency)) return { kind: 'not-found' };
    const mayClose =
      ticket.staffId === staff.id ||
      (type === 'close' && ticket.state === 'queued' && (staff.languages.includes(ticket.language) || administers(staff, this.parts.agency)));
    if (!mayClose) return { kind: 'forbidden' };
    const done = await applyTicketEvent(
      this.parts,
      ticketId,
      { type, at: this.parts.now() },
      type === 'close' ? `${staff.name} slēdza sarunu.` : `${staff.name} atdeva sarunu botam.`,
    );
    if (!done) return { kind: 'invalid', state: (await repo.ticket(ticketId))?.state ?? ticket.state };
    notices.tellCitizen(done, { type: type === 'close' ? 'closed' : 'handed-back' });
    await notices.signal({ kind: 'ticket', ticketId, state: done.state, staffId: staff.id });
    await notices.signal({ kind: 'queue' });
    if (ticket.state === 'queued') await this.queue.announcePositions(ticket.language);
    return { kind: 'ok', ticket: done };
  }

  private async addSystemLine(ticket: TicketRecord, text: string): Promise<void> {
    const [line] = await this.parts.repo.addLines([
      { conversationId: ticket.conversationId, ticketId: ticket.id, at: this.parts.now(), author: 'system', text },
    ]);
    if (line) await this.parts.notices.signal({ kind: 'line', lineId: line.id });
  }
}

/** What the console says when a message to the citizen was not delivered (staff read Latvian). */
const UNDELIVERED_TEXT: Record<string, string> = {
  'outside-24h-window':
    'Ziņa netika piegādāta: Messenger atļauj atbildēt tikai 24 stundu laikā pēc iedzīvotāja pēdējās ziņas. Reģistrējiet jautājumu kā lietu un atbildiet pa e-pastu vai tālruni.',
  default: 'Ziņa netika piegādāta iedzīvotājam.',
};
