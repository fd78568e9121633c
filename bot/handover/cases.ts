// Left questions (cases) of one agency, from registration to the answer: the case and its mail to
// the agency's mailbox (R4, R14), the deadlines staff see (R15), a staff member's written reply
// mailed to the citizen or the call-back they record, and marking a case answered. Only the
// agency's staff touch its cases. A citizen who leaves a question while queued leaves the queue:
// the queue's business (queue.ts).
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import type { Texts } from '../i18n.js';
import type { AgencyProfile, LanguageCode } from '../../knowledge/schema.js';
import { redact } from '../privacy/redact.js';
import { addWorkingDays, type WorkingCalendar } from './calendar.js';
import { composeCaseMail, composeReplyMail, latestMail, mailStatus, type CaseOutbox, type MailStatus } from './mail.js';
import type { AgencyRepository } from './agency-repository.js';
import type { CaseContact, CaseRecord, OutboxMail, StaffMember } from './repository.js';
import { serves } from './roles.js';
import { newCaseId } from './sql-repository.js';
import { linesFromActivities } from './transcript.js';
import type { CaseRequest } from './types.js';
import type { ConsoleSignal } from './types.js';

export interface CaseItem {
  id: string;
  conversationId: string;
  language: LanguageCode;
  state: CaseRecord['state'];
  question: string;
  contact: CaseContact;
  createdAt: string;
  dueAt: string;
  /** R15: picked up within one working day. */
  pickUpBy: string;
  overdue: boolean;
  needsPickUp: boolean;
  /** The case mailed to the agency. */
  mail: MailStatus;
  /** A staff member's e-mail reply to the citizen, once written. */
  reply?: MailStatus;
}

export type CaseReplyResult =
  | { kind: 'ok' }
  | { kind: 'not-found' }
  | { kind: 'empty' }
  | { kind: 'closed' }
  /** The citizen asked to be called (or wrote) back another way. */
  | { kind: 'wrong-contact' }
  | { kind: 'mail-not-configured' }
  /** A reply is still on its way: one at a time. */
  | { kind: 'pending' };

export interface CaseDeskOptions {
  repo: AgencyRepository;
  profile: () => AgencyProfile;
  calendar: () => WorkingCalendar;
  log: Logger;
  now: () => Date;
  outbox?: CaseOutbox;
  /** Citizen-facing texts: the frame of a staff member's e-mail reply, in the case's language. */
  texts: Texts;
  /** Where cases are mailed before the profile's mailbox or e-mail (AGENCY_MAILBOX, for the default agency only). */
  mailbox?: () => string | undefined;
  /** Tells the consoles something changed. */
  signal: (signal: ConsoleSignal) => Promise<void>;
}

const MAX_REPLY = 10_000;
const MAX_CALL_SUMMARY = 4000;

export class CaseDesk {
  private warnedNoMailbox = false;

  constructor(private readonly options: CaseDeskOptions) {}

  /** SMTP is set up: mail leaves the outbox. */
  get mailConfigured(): boolean {
    return this.options.outbox?.canSend ?? false;
  }

  /** The mail of one of the agency's cases (none for another agency's). */
  mailOf(caseId: string): Promise<OutboxMail[]> {
    return this.options.repo.mailOf(caseId);
  }

  /** Stores a left question with its transcript and its mail to the agency, in one transaction. */
  async register(request: CaseRequest): Promise<CaseRecord> {
    const { repo, log } = this.options;
    const at = this.options.now();
    const profile = this.options.profile();
    const calendar = this.options.calendar();
    const record: CaseRecord = {
      id: newCaseId(at),
      agency: repo.agency,
      conversationId: request.conversationId,
      language: request.language,
      state: 'open',
      question: redact(request.question).text,
      contact: request.contact,
      createdAt: at,
      dueAt: addWorkingDays(at, profile.answerWithinWorkingDays, calendar),
    };
    const lines = linesFromActivities(request.transcript, { conversationId: request.conversationId, caseId: record.id }, at);
    const mailbox = this.mailbox();
    const mail = mailbox
      ? composeCaseMail({
          record,
          channel: request.channel,
          lines,
          profile,
          workingDays: profile.answerWithinWorkingDays,
          pickUpBy: addWorkingDays(at, 1, calendar),
        })
      : undefined;
    await repo.registerCase(
      record,
      lines,
      mail && mailbox ? { id: randomUUID(), caseId: record.id, purpose: 'agency', to: mailbox, ...mail, createdAt: at, nextAttemptAt: at } : undefined,
    );
    log.info({ conversationId: record.conversationId, caseId: record.id, dueBy: record.dueAt.toISOString(), mailed: mail !== undefined }, 'case registered');
    await this.options.signal({ kind: 'cases' });
    this.options.outbox?.kick();
    return record;
  }

  /** Marked answered by hand (answered some other way). */
  async close(staff: StaffMember, caseId: string): Promise<{ kind: 'ok' } | { kind: 'not-found' } | { kind: 'invalid' }> {
    const { repo } = this.options;
    if (!serves(staff, repo.agency) || !(await repo.caseById(caseId))) return { kind: 'not-found' };
    const at = this.options.now();
    if (!(await repo.closeCase(caseId, staff.id, at))) return { kind: 'invalid' };
    // A case answered before its mail went out needs no mail any more.
    await repo.cancelMailOf(caseId, at);
    this.options.log.info({ caseId, staffId: staff.id }, 'case answered');
    await this.options.signal({ kind: 'cases' });
    return { kind: 'ok' };
  }

  /**
   * A staff member's written reply to a case left with an e-mail address: kept in the case's record
   * and mailed to the citizen in the R14 structure. The case counts as answered once the mail server
   * accepts the mail; refused for good, it stays open for another way.
   */
  async reply(staff: StaffMember, caseId: string, text: string): Promise<CaseReplyResult> {
    const { repo, outbox } = this.options;
    const body = text.trim().slice(0, MAX_REPLY);
    if (body === '') return { kind: 'empty' };
    const record = serves(staff, repo.agency) ? await repo.caseById(caseId) : undefined;
    if (!record) return { kind: 'not-found' };
    if (record.state !== 'open') return { kind: 'closed' };
    if (!('email' in record.contact)) return { kind: 'wrong-contact' };
    if (!outbox?.canSend) return { kind: 'mail-not-configured' };
    const status = mailStatus(latestMail(await repo.mailOf(caseId), 'citizen'), true);
    if (status === 'sending' || status === 'failing') return { kind: 'pending' };
    const at = this.options.now();
    const mail = composeReplyMail({ record, body, staffName: staff.name, profile: this.options.profile(), t: this.options.texts.forLanguage(record.language) });
    const replyTo = this.mailbox();
    await repo.queueReply(
      { conversationId: record.conversationId, caseId, at, author: 'staff', authorName: staff.name, text: body },
      {
        id: randomUUID(),
        caseId,
        purpose: 'citizen',
        to: record.contact.email,
        ...(replyTo ? { replyTo } : {}),
        staffId: staff.id,
        ...mail,
        createdAt: at,
        nextAttemptAt: at,
      },
    );
    this.options.log.info({ caseId, staffId: staff.id }, 'reply to a case queued');
    await this.options.signal({ kind: 'cases' });
    outbox.kick();
    return { kind: 'ok' };
  }

  /** A case left with a phone number: the call-back, what was said in a line, and the case answered. */
  async recordCallback(staff: StaffMember, caseId: string, summary: string): Promise<CaseReplyResult> {
    const { repo } = this.options;
    const text = summary.trim().slice(0, MAX_CALL_SUMMARY);
    if (text === '') return { kind: 'empty' };
    const record = serves(staff, repo.agency) ? await repo.caseById(caseId) : undefined;
    if (!record) return { kind: 'not-found' };
    if (!('phone' in record.contact)) return { kind: 'wrong-contact' };
    const at = this.options.now();
    if (!(await repo.closeCase(caseId, staff.id, at))) return { kind: 'closed' };
    await repo.cancelMailOf(caseId, at);
    await repo.addLines([{ conversationId: record.conversationId, caseId, at, author: 'staff', authorName: staff.name, text: `Atzvanīts: ${text}` }]);
    this.options.log.info({ caseId, staffId: staff.id }, 'case answered by phone');
    await this.options.signal({ kind: 'cases' });
    return { kind: 'ok' };
  }

  /** The open cases as the console lists them, with their deadlines and mail. */
  async openItems(now: Date): Promise<CaseItem[]> {
    const { repo } = this.options;
    const calendar = this.options.calendar();
    const canSend = this.mailConfigured;
    const items: CaseItem[] = [];
    for (const c of await repo.cases('open')) {
      const pickUpBy = addWorkingDays(c.createdAt, 1, calendar);
      const mails = await repo.mailOf(c.id);
      const reply = latestMail(mails, 'citizen');
      items.push({
        id: c.id,
        conversationId: c.conversationId,
        language: c.language,
        state: c.state,
        question: c.question,
        contact: c.contact,
        createdAt: c.createdAt.toISOString(),
        dueAt: c.dueAt.toISOString(),
        pickUpBy: pickUpBy.toISOString(),
        overdue: now > c.dueAt,
        needsPickUp: now > pickUpBy,
        mail: mailStatus(latestMail(mails, 'agency'), canSend),
        ...(reply ? { reply: mailStatus(reply, canSend) } : {}),
      });
    }
    return items;
  }

  private mailbox(): string | undefined {
    const profile = this.options.profile();
    const mailbox = this.options.mailbox?.() ?? profile.mailbox ?? profile.contacts.email;
    if (mailbox === undefined && !this.warnedNoMailbox) {
      this.warnedNoMailbox = true;
      this.options.log.warn(
        { agency: this.options.repo.agency },
        'no agency mailbox (profile mailbox or contacts.email): cases are only shown in the staff console',
      );
    }
    return mailbox;
  }
}
