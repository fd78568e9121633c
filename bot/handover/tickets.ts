// Changes to a ticket, the one record of a handover, its place in the queue included: every change
// is a state-machine transition (state-machine.ts) stored with an optimistic version check, so
// exactly one staff member wins a conversation, on any number of instances.
import type { HandoverParts } from './parts.js';
import { transition, type HandoverMachineEvent, type TicketRecord } from './state-machine.js';
import type { HandoverTicket } from './types.js';

/**
 * Applies a state-machine event to the stored ticket, with the system line that records it for
 * staff (one transaction); retried on a concurrent change. Undefined if not allowed now.
 */
export async function applyTicketEvent(
  { repo, log, notices }: Pick<HandoverParts, 'repo' | 'log' | 'notices'>,
  ticketId: string,
  event: HandoverMachineEvent,
  systemLine?: string,
): Promise<TicketRecord | undefined> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const current = await repo.ticket(ticketId);
    if (!current) return undefined;
    const result = transition(current, event);
    if (!result.ok) {
      log.debug({ ticketId, ...result.error }, 'transition refused');
      return undefined;
    }
    const next = { ...result.ticket, updatedAt: event.at };
    const lines =
      systemLine === undefined ? [] : [{ conversationId: next.conversationId, ticketId, at: event.at, author: 'system' as const, text: systemLine }];
    const stored = await repo.updateTicket(next, current.version, lines);
    if (stored === undefined) continue;
    for (const line of stored) await notices.signal({ kind: 'line', lineId: line.id });
    return { ...next, version: current.version + 1 };
  }
  throw new Error('handover: ticket keeps changing under us');
}

/** The ticket as the contract (types.ts) has it, without what only the staff side keeps. */
export function publicTicket(t: TicketRecord): HandoverTicket {
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
