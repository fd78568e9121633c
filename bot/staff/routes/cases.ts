// An agency's left questions, under /staff/api/agencies/:agency/cases/:id: read one (with its lines,
// notes and the state of its mail), mark it answered, answer it (a written reply mailed to the
// citizen, or the call-back recorded), add a note, download its transcript. Another agency's case
// is not found.
import { z } from 'zod';
import type { CaseDesk, CaseReplyResult } from '../../handover/cases.js';
import { LANGUAGE_NAMES_LV, latestMail, mailStatus } from '../../handover/mail.js';
import type { LineRef, OutboxMail, StaffMember } from '../../handover/repository.js';
import { formatDate, formatDateTime, type TranscriptMeta } from '../../handover/transcript.js';
import type { ErrorCode } from '../../http/errors.js';
import { sendError, withCase, type AgencyHandler, type ConsoleApi } from '../api.js';
import { sendTranscript } from '../transcript-download.js';

const textBody = z.object({ text: z.string().min(1).max(4000) });
const replyBody = z.object({ text: z.string().min(1).max(10_000) });

/** Why a reply or call-back was not recorded, as the console shows it. */
const REPLY_REFUSED: Record<Exclude<CaseReplyResult['kind'], 'ok'>, [number, ErrorCode, string]> = {
  'not-found': [404, 'NotFound', 'lieta nav atrasta'],
  empty: [400, 'BadRequest', 'atbilde ir tukša'],
  closed: [409, 'Conflict', 'lieta jau ir atbildēta'],
  'wrong-contact': [409, 'Conflict', 'iedzīvotājs lūdza citu saziņas veidu'],
  'mail-not-configured': [
    409,
    'MailNotConfigured',
    'e-pasta sūtīšana nav iestatīta (SMTP_URL vai SMTP_HOST ar SMTP_FROM): atbildiet no sava e-pasta un atzīmējiet lietu kā atbildētu',
  ],
  pending: [409, 'Conflict', 'iepriekšējā atbilde vēl tiek sūtīta'],
};

export function mountCaseRoutes(api: ConsoleApi): void {
  api.agencyRoute(
    'get',
    '/cases/:id',
    withCase(async (_req, res, _auth, { side }, id) => {
      const record = await side.view.caseById(id);
      if (!record) return sendError(res, 404, 'NotFound', 'lieta nav atrasta');
      const ref: LineRef = { caseId: id };
      const mails = await side.cases.mailOf(id);
      const canSend = side.cases.mailConfigured;
      const delivery = (m: OutboxMail | undefined) => {
        if (!m) return undefined;
        const status = mailStatus(m, canSend);
        return {
          status,
          attempts: m.attempts,
          sentAt: m.sentAt,
          rejectedAt: m.rejectedAt,
          cancelledAt: m.cancelledAt,
          nextAttemptAt: status === 'failing' ? m.nextAttemptAt : undefined,
          lastError: m.lastError,
        };
      };
      res.send(200, {
        case: record,
        lines: await side.view.lines(ref),
        notes: await side.view.notes(ref),
        mail: { agency: delivery(latestMail(mails, 'agency')), reply: delivery(latestMail(mails, 'citizen')), configured: canSend },
      });
    }),
  );

  api.agencyRoute(
    'post',
    '/cases/:id/close',
    withCase(async (_req, res, { staff }, { side }, id) => {
      const result = await side.cases.close(staff, id);
      if (result.kind === 'not-found') return sendError(res, 404, 'NotFound', 'lieta nav atrasta');
      if (result.kind === 'invalid') return sendError(res, 409, 'Conflict', 'lieta jau ir slēgta');
      res.send(200, { ok: true });
    }),
  );

  const caseAnswer = (answer: (cases: CaseDesk, staff: StaffMember, id: string, text: string) => Promise<CaseReplyResult>): AgencyHandler =>
    withCase(async (req, res, { staff }, { side }, id) => {
      const body = replyBody.safeParse(req.body);
      if (!body.success) return sendError(res, 400, 'BadRequest', 'atbilde: 1–10 000 rakstzīmes');
      const result = await answer(side.cases, staff, id, body.data.text);
      if (result.kind !== 'ok') return sendError(res, ...REPLY_REFUSED[result.kind]);
      res.send(202, { ok: true });
    });
  // A written reply, mailed to the citizen; the case is answered once the mail server accepts it.
  api.agencyRoute(
    'post',
    '/cases/:id/reply',
    caseAnswer((cases, staff, id, text) => cases.reply(staff, id, text)),
  );
  // A case left with a phone number: what the call settled.
  api.agencyRoute(
    'post',
    '/cases/:id/callback',
    caseAnswer((cases, staff, id, text) => cases.recordCallback(staff, id, text)),
  );

  api.agencyRoute(
    'post',
    '/cases/:id/notes',
    withCase(async (req, res, { staff }, { side }, id) => {
      const body = textBody.safeParse(req.body);
      if (!body.success) return sendError(res, 400, 'BadRequest', 'piezīme: 1–4000 rakstzīmes');
      const note = await side.relay.addNote(staff, { caseId: id }, body.data.text);
      if ('kind' in note) return sendError(res, note.kind === 'empty' ? 400 : 404, note.kind === 'empty' ? 'BadRequest' : 'NotFound', 'piezīme nav saglabāta');
      res.send(201, { note });
    }),
  );

  api.agencyRoute(
    'get',
    '/cases/:id/transcript',
    withCase(async (req, res, _auth, { side }, id) => {
      const record = await side.view.caseById(id);
      if (!record) return sendError(res, 404, 'NotFound', 'lieta nav atrasta');
      const agency = side.profile();
      const ref: LineRef = { caseId: id };
      const contact = 'email' in record.contact ? `e-pasts ${record.contact.email}` : `tālrunis ${record.contact.phone}`;
      const meta: TranscriptMeta = {
        title: `Lieta ${record.id}`,
        agencyName: agency.name.lv,
        timeZone: agency.timeZone,
        facts: [
          ['Jautājums', record.question],
          ['Saziņa', contact],
          ['Valoda', LANGUAGE_NAMES_LV[record.language]],
          ['Saņemta', formatDateTime(record.createdAt, agency.timeZone)],
          ['Atbildēt līdz', formatDate(record.dueAt, agency.timeZone)],
          ['Stāvoklis', record.state === 'open' ? 'atvērta' : 'atbildēta'],
        ],
      };
      sendTranscript(req, res, `lieta-${record.id}`, meta, await side.view.lines(ref), await side.view.notes(ref));
    }),
  );
}
