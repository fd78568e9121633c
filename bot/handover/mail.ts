// Left questions (cases) mailed to the agency: the message in the written-reply structure of R14
// (greeting, body with the question and the conversation, what happens next, signature), an SMTP
// sender (nodemailer), and a persisted outbox that retries with backoff until the mail is accepted.
// The case is stored before any mail is tried, so a mail server that is down never loses it.
import nodemailer from 'nodemailer';
import type { Config } from '../config.js';
import { errorFields, type Logger } from '../log.js';
import type { AgencyProfile, LanguageCode } from '../../knowledge/schema.js';
import type { CaseRecord, HandoverRepository, NewLine, OutboxMail } from './repository.js';
import { formatDayWhen, type Translate } from '../i18n.js';
import { authorLabel, escapeHtml, formatDate, formatDateTime } from './transcript.js';

export const LANGUAGE_NAMES_LV: Record<LanguageCode, string> = {
  lv: 'latviešu',
  en: 'angļu',
  ru: 'krievu',
  uk: 'ukraiņu',
  de: 'vācu',
  lt: 'lietuviešu',
  et: 'igauņu',
  pl: 'poļu',
  fr: 'franču',
};

export interface ComposedMail {
  subject: string;
  text: string;
  html: string;
}

export interface CaseMailInput {
  record: CaseRecord;
  channel: string;
  lines: readonly Pick<NewLine, 'at' | 'author' | 'authorName' | 'text'>[];
  profile: AgencyProfile;
  /** Working days promised to the citizen (profile.answerWithinWorkingDays). */
  workingDays: number;
  /** The end of the first working day: when staff should have picked the case up (R15). */
  pickUpBy: Date;
}

/** The case e-mail to the agency mailbox, in Latvian (the agency's working language). */
export function composeCaseMail(input: CaseMailInput): ComposedMail {
  const { record, profile } = input;
  const tz = profile.timeZone;
  const agency = profile.name.lv;
  const genitive = profile.nameGenitive?.lv ?? agency;
  const due = formatDate(record.dueAt, tz);
  const contact = 'email' in record.contact ? `rakstiska atbilde uz e-pastu ${record.contact.email}` : `atzvanīt uz tālruni ${record.contact.phone}`;
  const days = input.workingDays === 1 ? '1 darba dienas' : `${input.workingDays} darba dienu`;

  const subject = `Iedzīvotāja jautājums ${record.id}: atbildēt līdz ${due}`;
  const signature = signatureOf(profile.contacts, { phone: 'Tālrunis', email: 'E-pasts', website: 'Tīmekļvietne' });
  const facts: [string, string][] = [
    ['Lietas numurs', record.id],
    ['Saņemts', formatDateTime(record.createdAt, tz)],
    ['Kanāls', input.channel],
    ['Sarunas valoda', LANGUAGE_NAMES_LV[record.language]],
    ['Kā atbildēt', contact],
    ['Atbildēt līdz', `${due} (${days} laikā)`],
  ];
  const next = [
    `Iedzīvotājam apsolīts, ka atbilde būs līdz ${due} (${days} laikā).`,
    `Lūdzam lietu uzņemties līdz ${formatDate(input.pickUpBy, tz)}: atbildiet vai sazinieties ar iedzīvotāju un pastāstiet, kas notiks tālāk.`,
    // The console of the case's agency: a member of several agencies lands on the right one.
    `Kad atbilde sniegta, atzīmējiet lietu kā atbildētu darbinieku konsolē (/staff?agency=${record.agency}).`,
    'Vēstulē ir personas dati: neizpaudiet tos trešajām personām un neglabājiet ilgāk, nekā vajag.',
  ];
  const transcript = input.lines.map((l) => ({ when: formatDateTime(l.at, tz), who: authorLabel(l), text: l.text }));

  const text = [
    'Labdien!',
    '',
    `Tērzēšanas palīgs Padoms nodod iedzīvotāja jautājumu, uz kuru pats nevarēja atbildēt, un iedzīvotājs lūdza ${genitive} darbinieka atbildi.`,
    '',
    ...facts.map(([k, v]) => `${k}: ${v}`),
    '',
    'Jautājums:',
    record.question,
    '',
    'Sarunas pieraksts:',
    ...(transcript.length === 0 ? ['(nav)'] : transcript.map((t) => `[${t.when}] ${t.who}: ${t.text.replace(/\r?\n/g, '\n    ')}`)),
    '',
    'Kas notiek tālāk:',
    ...next,
    '',
    'Ar cieņu',
    `Padoms — ${genitive} tērzēšanas palīgs`,
    agency,
    ...signature.map(([k, v]) => `${k}: ${v}`),
    '',
  ].join('\n');

  const e = escapeHtml;
  const html = `<!doctype html>
<html lang="lv"><head><meta charset="utf-8"><title>${e(subject)}</title></head>
<body style="font-family: sans-serif; line-height: 1.5; color: #1a1a1a;">
<p>Labdien!</p>
<p>Tērzēšanas palīgs Padoms nodod iedzīvotāja jautājumu, uz kuru pats nevarēja atbildēt, un iedzīvotājs lūdza ${e(genitive)} darbinieka atbildi.</p>
<table>${facts.map(([k, v]) => `<tr><th scope="row" style="text-align: left; padding-right: 1em;">${e(k)}</th><td>${e(v)}</td></tr>`).join('')}</table>
<h2>Jautājums</h2>
<p style="white-space: pre-wrap;">${e(record.question)}</p>
<h2>Sarunas pieraksts</h2>
<ol style="list-style: none; padding: 0;">${transcript
    .map((t) => `<li><strong>${e(t.who)}</strong> <small>${e(t.when)}</small><br><span style="white-space: pre-wrap;">${e(t.text)}</span></li>`)
    .join('')}</ol>
<h2>Kas notiek tālāk</h2>
${next.map((p) => `<p>${e(p)}</p>`).join('\n')}
<p>Ar cieņu<br>Padoms — ${e(genitive)} tērzēšanas palīgs<br>${e(agency)}<br>${signature.map(([k, v]) => `${e(k)}: ${e(v)}`).join('<br>')}</p>
</body></html>
`;
  return { subject, text, html };
}

type SignatureContact = 'phone' | 'email' | 'website';

/** The agency's contacts a signature lists (R14), labelled, in this order, those the profile has. */
function signatureOf(contacts: AgencyProfile['contacts'], labels: Record<SignatureContact, string>): [string, string][] {
  return (['phone', 'email', 'website'] as const).flatMap((key) => {
    const value = contacts[key];
    return value ? [[labels[key], value] as [string, string]] : [];
  });
}

export interface ReplyMailInput {
  record: Pick<CaseRecord, 'id' | 'question' | 'createdAt' | 'language'>;
  /** What the staff member wrote. */
  body: string;
  staffName: string;
  profile: AgencyProfile;
  /** The citizen-facing texts, fixed to the case's language. */
  t: Translate;
}

/**
 * A staff member's reply to the citizen, in the conversation's language and the structure of R14:
 * greeting, the answer in the staff member's words (links made clickable), what happens next and
 * the right to complain (R7), and a signature with name, institution, phone, e-mail and website.
 */
export function composeReplyMail(input: ReplyMailInput): ComposedMail {
  const { record, profile, t } = input;
  const language = record.language;
  const local = (text: Partial<Record<LanguageCode, string>> & { lv: string }) => text[language] ?? text.lv;
  const agency = local(profile.name);
  const signature = signatureOf(profile.contacts, { phone: t('replyMail.phone'), email: t('replyMail.email'), website: t('replyMail.website') });
  const subject = t('replyMail.subject', { id: record.id });
  const intro = t('replyMail.intro', {
    date: formatDayWhen(record.createdAt, language, profile.timeZone),
    agency: local(profile.nameGenitive ?? profile.name),
  });
  const next = [t('replyMail.next'), t('replyMail.complaint', { complaint: local(profile.complaints.service) })];
  const body = input.body.trim();

  const text = [
    t('replyMail.greeting'),
    '',
    intro,
    ...record.question.split(/\r?\n/).map((l) => `> ${l}`),
    '',
    body,
    '',
    `${t('replyMail.nextTitle')}:`,
    ...next,
    '',
    t('replyMail.regards'),
    input.staffName,
    agency,
    ...signature.map(([k, v]) => `${k}: ${v}`),
    '',
  ].join('\n');

  const e = escapeHtml;
  const paragraphs = (plain: string) =>
    plain
      .split(/\r?\n\s*\r?\n/)
      .map((p) => `<p style="white-space: pre-wrap;">${linkify(e(p.trim()))}</p>`)
      .join('\n');
  const html = `<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><title>${e(subject)}</title></head>
<body style="font-family: sans-serif; line-height: 1.5; color: #1a1a1a;">
<p>${e(t('replyMail.greeting'))}</p>
<p>${e(intro)}</p>
<blockquote style="white-space: pre-wrap; border-left: 3px solid #ccc; margin: 0 0 1em; padding-left: 1em;">${e(record.question)}</blockquote>
${paragraphs(body)}
<h2 style="font-size: 1.1em;">${e(t('replyMail.nextTitle'))}</h2>
${next.map((p) => `<p>${linkify(e(p))}</p>`).join('\n')}
<p>${e(t('replyMail.regards'))}<br>${e(input.staffName)}<br>${e(agency)}<br>${signature.map(([k, v]) => `${e(k)}: ${linkify(e(v))}`).join('<br>')}</p>
</body></html>
`;
  return { subject, text, html };
}

/** Web addresses in already escaped text as links (the text has no markup of its own to break). */
function linkify(escaped: string): string {
  return escaped.replace(/\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)]/g, (url) => `<a href="${url}">${url}</a>`);
}

// ---- delivery, as the console shows it ----

/**
 * What the console says of a mail: accepted by the mail server, on its way, retried after a
 * temporary failure, refused for good, cancelled, or waiting for SMTP to be set up (never
 * "waiting to send" when nothing would send it), or no mail at all.
 */
export type MailStatus = 'sent' | 'sending' | 'failing' | 'rejected' | 'cancelled' | 'not-configured' | 'none';

export function mailStatus(mail: OutboxMail | undefined, canSend: boolean): MailStatus {
  if (mail === undefined) return 'none';
  if (mail.sentAt) return 'sent';
  if (mail.rejectedAt) return 'rejected';
  if (mail.cancelledAt) return 'cancelled';
  if (!canSend) return 'not-configured';
  return mail.attempts > 0 ? 'failing' : 'sending';
}

/** The case's mail of one purpose that counts now: the newest. */
export function latestMail(mails: readonly OutboxMail[], purpose: OutboxMail['purpose']): OutboxMail | undefined {
  return mails.filter((m) => m.purpose === purpose).at(-1);
}

// ---- sending ----

export interface MailSender {
  send(mail: { from: string; to: string; replyTo?: string; subject: string; text: string; html: string; messageId: string }): Promise<void>;
  close(): void;
}

export interface SmtpSettings {
  url?: string | undefined;
  host?: string | undefined;
  port: number;
  user?: string | undefined;
  pass?: string | undefined;
  from: string;
}

export function smtpSettingsFrom(
  config: Pick<Config, 'SMTP_URL' | 'SMTP_HOST' | 'SMTP_PORT' | 'SMTP_USER' | 'SMTP_PASS' | 'SMTP_FROM'>,
): SmtpSettings | undefined {
  if ((config.SMTP_URL === undefined && config.SMTP_HOST === undefined) || config.SMTP_FROM === undefined) return undefined;
  return { url: config.SMTP_URL, host: config.SMTP_HOST, port: config.SMTP_PORT, user: config.SMTP_USER, pass: config.SMTP_PASS, from: config.SMTP_FROM };
}

/** nodemailer over SMTP; TLS on 465, STARTTLS elsewhere when offered (certificates verified). */
export function smtpSender(settings: SmtpSettings): MailSender {
  const timeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };
  const transport =
    settings.url !== undefined
      ? nodemailer.createTransport(settings.url, timeouts)
      : nodemailer.createTransport({
          host: settings.host,
          port: settings.port,
          secure: settings.port === 465,
          ...(settings.user !== undefined ? { auth: { user: settings.user, pass: settings.pass ?? '' } } : {}),
          ...timeouts,
        });
  return {
    async send(mail) {
      await transport.sendMail({ ...mail, messageId: mail.messageId });
    },
    close() {
      transport.close();
    },
  };
}

// ---- the outbox ----

export interface OutboxOptions {
  repo: HandoverRepository;
  /** Without one the mail waits in the outbox (sent once SMTP is configured and the bot restarted). */
  sender: MailSender | undefined;
  from: string;
  now: () => Date;
  log: Logger;
  /** Retry on a timer (production). Tests call deliverDue themselves. */
  schedule?: boolean;
  /** How long a taken mail is held before another instance may try it. */
  leaseMs?: number;
  /** Delay before attempt n + 1 after n failures. */
  backoffMs?: (failures: number) => number;
}

/** 30 s, 1, 2, 4 … minutes, at most an hour: never gives up (a case must reach the agency). */
export const defaultBackoff = (failures: number): number => Math.min(60 * 60_000, 30_000 * 2 ** Math.max(0, failures - 1));

const MAX_TIMER_MS = 5 * 60_000;

export class CaseOutbox {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<{ sent: number; failed: number }> | undefined;
  private closed = false;
  private warnedNoSender = false;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: OutboxOptions) {}

  get canSend(): boolean {
    return this.options.sender !== undefined;
  }

  /** Called after a pass that sent or refused something (the console shows the delivery status). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends what is due now (and on start: what a previous run left behind). */
  start(): void {
    if (this.options.sender === undefined) {
      this.warnNoSender();
      return;
    }
    this.kick();
  }

  /** Tries now (a new case), then keeps the timer going. */
  kick(): void {
    if (this.closed || this.options.sender === undefined || this.options.schedule === false) return;
    void this.deliverDue()
      .catch((err: unknown) => this.options.log.error({ err: errorFields(err) }, 'outbox run failed'))
      .finally(() => void this.reschedule());
  }

  /** One pass over the due mail. Concurrent calls share the pass. */
  deliverDue(): Promise<{ sent: number; failed: number }> {
    this.running ??= this.pass()
      .then((result) => {
        if (result.sent + result.failed > 0) for (const listener of this.listeners) listener();
        return result;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.options.sender?.close();
  }

  private async pass(): Promise<{ sent: number; failed: number }> {
    const { repo, sender, now, log } = this.options;
    let sent = 0;
    let failed = 0;
    if (sender === undefined) return { sent, failed };
    const leaseMs = this.options.leaseMs ?? 5 * 60_000;
    const backoff = this.options.backoffMs ?? defaultBackoff;
    for (const mail of await repo.dueMail(now(), 20)) {
      if (this.closed) break;
      if (!(await repo.leaseMail(mail.id, mail.nextAttemptAt, new Date(now().getTime() + leaseMs)))) continue; // another instance has it
      try {
        await sender.send({
          from: this.options.from,
          to: mail.to,
          ...(mail.replyTo !== undefined ? { replyTo: mail.replyTo } : {}),
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: messageIdOf(mail, this.options.from),
        });
        await repo.mailSent(mail.id, now());
        sent++;
        log.info({ caseId: mail.caseId, purpose: mail.purpose, attempts: mail.attempts + 1 }, 'mail accepted');
      } catch (err) {
        failed++;
        const attempts = mail.attempts + 1;
        const e = err as { name?: string; code?: string; responseCode?: number };
        // Only codes and numbers: a server's message may quote the recipient's address.
        const reason = [e.code, e.responseCode, e.name].filter((x) => x !== undefined).join(' ') || 'error';
        if (mail.purpose === 'citizen' && isPermanent(e.responseCode)) {
          // The citizen's address does not exist or refuses mail: retrying would never reach them.
          // The case stays open so staff answer another way.
          await repo.mailRejected(mail.id, now(), reason);
          log.warn({ caseId: mail.caseId, attempts, responseCode: e.responseCode }, 'reply refused by the mail server, not retried');
          continue;
        }
        const next = new Date(now().getTime() + backoff(attempts));
        await repo.mailFailed(mail.id, attempts, next, reason);
        log[attempts >= 5 ? 'error' : 'warn'](
          { caseId: mail.caseId, purpose: mail.purpose, attempts, code: e.code, responseCode: e.responseCode, retryAt: next.toISOString() },
          'mail not accepted, will retry',
        );
      }
    }
    return { sent, failed };
  }

  private async reschedule(): Promise<void> {
    if (this.closed || this.options.schedule === false) return;
    clearTimeout(this.timer);
    const next = await this.options.repo.nextMailAt().catch(() => undefined);
    const delay = next === undefined ? MAX_TIMER_MS : Math.min(MAX_TIMER_MS, Math.max(1_000, next.getTime() - this.options.now().getTime()));
    this.timer = setTimeout(() => this.kick(), delay);
    this.timer.unref();
  }

  private warnNoSender(): void {
    if (this.warnedNoSender) return;
    this.warnedNoSender = true;
    this.options.log.warn('SMTP is not configured (SMTP_URL or SMTP_HOST with SMTP_FROM): cases are stored and shown in the staff console, not mailed');
  }
}

/** SMTP 5xx: the server will not take this mail however often it is tried (RFC 5321 §4.2.1). */
const isPermanent = (code: number | undefined): boolean => code !== undefined && code >= 500 && code < 600;

/** A stable Message-ID: a retry after a lost reply is recognisable as the same mail. */
function messageIdOf(mail: OutboxMail, from: string): string {
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'padoms.invalid';
  return `<${mail.id}@${domain}>`;
}
