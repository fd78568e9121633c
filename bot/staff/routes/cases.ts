// Left questions, under /staff/api/cases/:id: read one (with its lines, notes and the state of its
// mail), mark it answered, answer it (a written reply mailed to the citizen, or the call-back
// recorded), add a note, download its transcript.
import { z } from 'zod';
import type { AgencyProfile } from '../../../knowledge/schema.js';
import type { CaseDesk, CaseReplyResult } from '../../handover/cases.js';
import type { ConsoleView } from '../../handover/console-view.js';
import { LANGUAGE_NAMES_LV, latestMail, mailStatus } from '../../handover/mail.js';
import type { LiveRelay } from '../../handover/relay.js';
import type { HandoverRepository, LineRef, OutboxMail, StaffMember } from '../../handover/repository.js';
import { formatDate, formatDateTime, type TranscriptMeta } from '../../handover/transcript.js';
import type { ErrorCode } from '../../http/errors.js';
import { sendError, withCase, type ConsoleApi, type Handler } from '../api.js';
import { sendTranscript } from '../transcript-download.js';

export interface CaseRoutesDeps {
  cases: Pick<CaseDesk, 'close' | 'reply' | 'recordCallback' | 'mailConfigured'>;
  view: Pick<ConsoleView, 'caseById' | 'lines' | 'notes'>;
  relay: Pick<LiveRelay, 'addNote'>;
  mail: Pick<HandoverRepository, 'mailOf'>;
  profile: () => AgencyProfile;
}

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

export function mountCaseRoutes(api: ConsoleApi, { cases, view, relay, mail, profile }: CaseRoutesDeps): void {
  api.route(
    'get',
    '/staff/api/cases/:id',
    withCase(async (_req, res, _auth, id) => {
      const record = await view.caseById(id);
      if (!record) return sendError(res, 404, 'NotFound', 'lieta nav atrasta');
      const ref: LineRef = { caseId: id };
      const mails = await mail.mailOf(id);
      const canSend = cases.mailConfigured;
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
        lines: await view.lines(ref),
        notes: await view.notes(ref),
        mail: { agency: delivery(latestMail(mails, 'agency')), reply: delivery(latestMail(mails, 'citizen')), configured: canSend },
      });
    }),
  );

  api.route(
    'post',
    '/staff/api/cases/:id/close',
    withCase(async (_req, res, { staff }, id) => {
      const result = await cases.close(staff, id);
      if (result.kind === 'not-found') return sendError(res, 404, 'NotFound', 'lieta nav atrasta');
      if (result.kind === 'invalid') return sendError(res, 409, 'Conflict', 'lieta jau ir slēgta');
      res.send(200, { ok: true });
    }),
  );

  const caseAnswer = (answer: (staff: StaffMember, id: string, text: string) => Promise<CaseReplyResult>): Handler =>
    withCase(async (req, res, { staff }, id) => {
      const body = replyBody.safeParse(req.body);
      if (!body.success) return sendError(res, 400, 'BadRequest', 'atbilde: 1–10 000 rakstzīmes');
      const result = await answer(staff, id, body.data.text);
      if (result.kind !== 'ok') return sendError(res, ...REPLY_REFUSED[result.kind]);
      res.send(202, { ok: true });
    });
  // A written reply, mailed to the citizen; the case is answered once the mail server accepts it.
  api.route(
    'post',
    '/staff/api/cases/:id/reply',
    caseAnswer((staff, id, text) => cases.reply(staff, id, text)),
  );
  // A case left with a phone number: what the call settled.
  api.route(
    'post',
    '/staff/api/cases/:id/callback',
    caseAnswer((staff, id, text) => cases.recordCallback(staff, id, text)),
  );

  api.route(
    'post',
    '/staff/api/cases/:id/notes',
    withCase(async (req, res, { staff }, id) => {
      const body = textBody.safeParse(req.body);
      if (!body.success) return sendError(res, 400, 'BadRequest', 'piezīme: 1–4000 rakstzīmes');
      const note = await relay.addNote(staff, { caseId: id }, body.data.text);
      if ('kind' in note) return sendError(res, note.kind === 'empty' ? 400 : 404, note.kind === 'empty' ? 'BadRequest' : 'NotFound', 'piezīme nav saglabāta');
      res.send(201, { note });
    }),
  );

  api.route(
    'get',
    '/staff/api/cases/:id/transcript',
    withCase(async (req, res, _auth, id) => {
      const record = await view.caseById(id);
      if (!record) return sendError(res, 404, 'NotFound', 'lieta nav atrasta');
      const agency = profile();
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
      sendTranscript(req, res, `lieta-${record.id}`, meta, await view.lines(ref), await view.notes(ref));
    }),
  );
}
