// Conversation lines for staff: made from Bot Framework activities (the transcript the dialog side
// hands over), and written out as plain text or as a standalone HTML page in which every citizen
// word is escaped (a citizen can type `<script>`).
import type { Activity } from 'botbuilder';
import { redact } from '../privacy/redact.js';
import type { LineAuthor, NewLine, Note, TranscriptLine } from './repository.js';

/** Longest line kept: a citizen message is at most 2,000 characters; cards can be longer. */
const MAX_LINE = 4000;

const AUTHOR_LABEL: Record<LineAuthor, string> = {
  citizen: 'Iedzīvotājs',
  bot: 'Padoms',
  staff: 'Darbinieks',
  system: 'Sistēma',
};

/** The message activities as lines, redacted again (cheap and idempotent: the dialog side redacts too). */
export function linesFromActivities(
  activities: readonly Partial<Activity>[],
  base: Pick<NewLine, 'conversationId' | 'ticketId' | 'caseId'>,
  fallbackAt: Date,
): Omit<NewLine, 'agency'>[] {
  // Without their agency: the agency's slice of the repository stamps what it stores (agency-repository.ts).
  const lines: Omit<NewLine, 'agency'>[] = [];
  for (const a of activities) {
    if (a.type !== undefined && a.type !== 'message') continue;
    const text = textOf(a);
    if (text === '') continue;
    lines.push({ ...withoutUndefined(base), at: timeOf(a, fallbackAt), author: authorOf(a), text: redact(text).text });
  }
  return lines;
}

/** Channels do not always set `role`; the recipient tells the direction then. */
function authorOf(a: Partial<Activity>): LineAuthor {
  const from = a.from?.role ?? (a.recipient?.role === 'bot' ? 'user' : a.recipient?.role === 'user' ? 'bot' : undefined);
  if (from === 'user') return 'citizen';
  return 'bot';
}

function textOf(a: Partial<Activity>): string {
  const parts: string[] = [];
  if (typeof a.text === 'string' && a.text.trim() !== '') parts.push(a.text.trim());
  for (const attachment of a.attachments ?? []) {
    const content = attachment.content as { title?: unknown; text?: unknown } | undefined;
    const title = typeof content?.title === 'string' ? content.title : undefined;
    const body = typeof content?.text === 'string' ? content.text : undefined;
    parts.push(`[${[title, body].filter(Boolean).join(': ') || attachment.contentType}]`);
  }
  const actions = a.suggestedActions?.actions ?? [];
  if (actions.length > 0)
    parts.push(
      `[${actions
        .map((x) => x.title)
        .filter(Boolean)
        .join(' | ')}]`,
    );
  return parts.join('\n').slice(0, MAX_LINE);
}

function timeOf(a: Partial<Activity>, fallback: Date): Date {
  const raw = a.timestamp as Date | string | undefined;
  const at = raw === undefined ? fallback : raw instanceof Date ? raw : new Date(raw);
  return Number.isNaN(at.getTime()) ? fallback : at;
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function authorLabel(line: Pick<TranscriptLine, 'author' | 'authorName'>): string {
  return line.author === 'staff' && line.authorName ? `${AUTHOR_LABEL.staff} (${line.authorName})` : AUTHOR_LABEL[line.author];
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** "13.11.2026. 14:05" in the agency's time zone. */
export function formatDateTime(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('lv-LV', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts['day']}.${parts['month']}.${parts['year']}. ${parts['hour']}:${parts['minute']}`;
}

/** "17.11.2026." */
export function formatDate(at: Date, timeZone: string): string {
  return formatDateTime(at, timeZone).slice(0, 11);
}

export interface TranscriptMeta {
  /** "Saruna 5f2c…" or "Lieta P-20261113-ABC123". */
  title: string;
  agencyName: string;
  timeZone: string;
  /** Label → value rows shown above the conversation (language, state, deadline). */
  facts: [string, string][];
}

export function transcriptText(meta: TranscriptMeta, lines: readonly TranscriptLine[], notes: readonly Note[] = []): string {
  const out = [`${meta.agencyName} — ${meta.title}`, ...meta.facts.map(([k, v]) => `${k}: ${v}`), ''];
  for (const l of lines) out.push(`[${formatDateTime(l.at, meta.timeZone)}] ${authorLabel(l)}: ${indent(l.text)}`);
  if (notes.length > 0) {
    out.push('', 'Piezīmes:');
    for (const n of notes) out.push(`[${formatDateTime(n.at, meta.timeZone)}] ${n.staffName}: ${indent(n.text)}`);
  }
  return `${out.join('\n')}\n`;
}

function indent(text: string): string {
  return text.replace(/\r?\n/g, '\n    ');
}

/** A standalone page: no scripts, inline style allowed by its own CSP, every value escaped. */
export function transcriptHtml(meta: TranscriptMeta, lines: readonly TranscriptLine[], notes: readonly Note[] = []): string {
  const e = escapeHtml;
  const facts = meta.facts.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('');
  const rows = lines
    .map(
      (l) =>
        `<li class="${e(l.author)}"><p class="meta"><time datetime="${e(l.at.toISOString())}">${e(formatDateTime(l.at, meta.timeZone))}</time> ${e(authorLabel(l))}</p><p class="text">${e(l.text)}</p></li>`,
    )
    .join('\n');
  const noteRows = notes
    .map(
      (n) =>
        `<li><p class="meta"><time datetime="${e(n.at.toISOString())}">${e(formatDateTime(n.at, meta.timeZone))}</time> ${e(n.staffName)}</p><p class="text">${e(n.text)}</p></li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="lv">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>${e(meta.title)} — ${e(meta.agencyName)}</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; color: #1a1a1a; max-width: 50rem; margin: 2rem auto; padding: 0 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 600; }
ol, ul { list-style: none; padding: 0; }
li { border-left: 4px solid #767676; padding: .25rem .75rem; margin: .75rem 0; }
li.citizen { border-color: #005ea5; }
li.staff { border-color: #2e7d32; }
.meta { margin: 0; font-size: .875rem; color: #4a4a4a; }
.text { margin: .25rem 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
</style>
</head>
<body>
<h1>${e(meta.title)}</h1>
<p>${e(meta.agencyName)}</p>
<dl>${facts}</dl>
<h2>Saruna</h2>
<ol>
${rows}
</ol>
${notes.length > 0 ? `<h2>Piezīmes</h2>\n<ul>\n${noteRows}\n</ul>\n` : ''}</body>
</html>
`;
}

/** Characters of the question a queue row shows. */
const QUESTION_PREVIEW = 120;

/** The first line of the citizen's first message, shortened on a word boundary. */
export function questionOf(lines: readonly Pick<TranscriptLine, 'author' | 'text'>[]): string | undefined {
  const first = lines
    .find((l) => l.author === 'citizen')
    ?.text.split(/\r?\n/)
    .find((l) => l.trim() !== '')
    ?.trim();
  if (first === undefined || first.length <= QUESTION_PREVIEW) return first;
  const cut = first.slice(0, QUESTION_PREVIEW);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), QUESTION_PREVIEW / 2)).trimEnd()}…`;
}
