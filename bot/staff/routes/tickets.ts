// Conversations handed to an agency's staff, under /staff/api/agencies/:agency/tickets/:id: read one
// (with its lines and notes), accept it from the queue, write to the citizen, hand it back to the
// bot, close it, add a note, download its transcript. Only the agency's staff who may see a
// conversation read it (console-view.ts); another agency's ticket is not found.
import type restify from 'restify';
import { z } from 'zod';
import { LANGUAGE_NAMES_LV } from '../../handover/mail.js';
import type { StaffActionResult } from '../../handover/relay.js';
import type { LineRef } from '../../handover/repository.js';
import type { TicketRecord } from '../../handover/state-machine.js';
import { formatDateTime, type TranscriptMeta } from '../../handover/transcript.js';
import { sendError, withTicket, type ConsoleApi } from '../api.js';
import { sendTranscript } from '../transcript-download.js';

const textBody = z.object({ text: z.string().min(1).max(4000) });

/** An agency's tickets, under /staff/api/agencies/:agency/tickets/:id: only that agency's are found. */
export function mountTicketRoutes(api: ConsoleApi): void {
  api.agencyRoute(
    'get',
    '/tickets/:id',
    withTicket(async (_req, res, { staff }, { side }, id) => {
      const ticket = await side.view.ticket(id);
      if (!ticket || !side.view.canSee(staff, ticket)) return sendError(res, 404, 'NotFound', 'saruna nav atrasta');
      const ref: LineRef = { ticketId: id };
      res.send(200, { ticket: ticketView(ticket), lines: await side.view.lines(ref), notes: await side.view.notes(ref) });
    }),
  );

  api.agencyRoute(
    'post',
    '/tickets/:id/accept',
    withTicket(async (_req, res, { staff }, { side }, id) => {
      const result = await side.queue.accept(staff, id);
      switch (result.kind) {
        case 'accepted':
          return void res.send(200, { ticket: ticketView(result.ticket) });
        case 'taken':
          return sendError(res, 409, 'Conflict', 'sarunu jau pieņēma cits darbinieks, vai iedzīvotājs aizgāja');
        case 'language':
          return sendError(res, 403, 'Forbidden', 'jūs nerunājat šīs sarunas valodā');
        case 'not-found':
          return sendError(res, 404, 'NotFound', 'saruna nav atrasta');
      }
    }),
  );

  api.agencyRoute(
    'post',
    '/tickets/:id/messages',
    withTicket(async (req, res, { staff }, { side }, id) => {
      const body = textBody.safeParse(req.body);
      if (!body.success) return sendError(res, 400, 'BadRequest', 'ziņa: 1–2000 rakstzīmes');
      const result = await side.relay.sendStaffMessage(staff, id, body.data.text);
      sendAction(res, result, 201);
    }),
  );

  api.agencyRoute(
    'post',
    '/tickets/:id/hand-back',
    withTicket(async (_req, res, { staff }, { side }, id) => sendAction(res, await side.relay.handBack(staff, id))),
  );

  api.agencyRoute(
    'post',
    '/tickets/:id/close',
    withTicket(async (_req, res, { staff }, { side }, id) => sendAction(res, await side.relay.closeTicket(staff, id))),
  );

  api.agencyRoute(
    'post',
    '/tickets/:id/notes',
    withTicket(async (req, res, { staff }, { side }, id) => {
      const ticket = await side.view.ticket(id);
      if (!ticket || !side.view.canSee(staff, ticket)) return sendError(res, 404, 'NotFound', 'saruna nav atrasta');
      const body = textBody.safeParse(req.body);
      if (!body.success) return sendError(res, 400, 'BadRequest', 'piezīme: 1–4000 rakstzīmes');
      const note = await side.relay.addNote(staff, { ticketId: id }, body.data.text);
      if ('kind' in note) return sendError(res, note.kind === 'empty' ? 400 : 404, note.kind === 'empty' ? 'BadRequest' : 'NotFound', 'piezīme nav saglabāta');
      res.send(201, { note });
    }),
  );

  api.agencyRoute(
    'get',
    '/tickets/:id/transcript',
    withTicket(async (req, res, { staff }, { side }, id) => {
      const ticket = await side.view.ticket(id);
      if (!ticket || !side.view.canSee(staff, ticket)) return sendError(res, 404, 'NotFound', 'saruna nav atrasta');
      const ref: LineRef = { ticketId: id };
      const agency = side.profile();
      const meta: TranscriptMeta = {
        title: `Saruna ${ticket.conversationId.slice(0, 12)}`,
        agencyName: agency.name.lv,
        timeZone: agency.timeZone,
        facts: [
          ['Valoda', LANGUAGE_NAMES_LV[ticket.language]],
          ['Kanāls', ticket.channel],
          ['Sākta', formatDateTime(ticket.createdAt, agency.timeZone)],
          ['Stāvoklis', ticket.state],
          ...(ticket.staffName ? ([['Darbinieks', ticket.staffName]] as [string, string][]) : []),
        ],
      };
      sendTranscript(req, res, `saruna-${ticket.id.slice(0, 8)}`, meta, await side.view.lines(ref), await side.view.notes(ref));
    }),
  );
}

/** A ticket as the console sees it: without where the citizen is, the version, the last announced place. */
function ticketView(t: TicketRecord) {
  const { reference: _private, version: _v, lastPosition: _p, ...rest } = t;
  return rest;
}

function sendAction(res: restify.Response, result: StaffActionResult | { kind: 'empty' }, okStatus = 200): void {
  switch (result.kind) {
    case 'ok':
      return void res.send(okStatus, { ticket: ticketView(result.ticket) });
    case 'empty':
      return sendError(res, 400, 'BadRequest', 'tukša ziņa');
    case 'not-found':
      return sendError(res, 404, 'NotFound', 'saruna nav atrasta');
    case 'forbidden':
      return sendError(res, 403, 'Forbidden', 'šī nav jūsu saruna');
    case 'invalid':
      return sendError(res, 409, 'Conflict', `saruna ir stāvoklī ${result.state}`);
  }
}
