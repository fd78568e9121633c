// The agency's service-quality report (R12; seed 001's annex): what the bot did, what it could not
// answer, whom it referred to, how handovers and cases went, and how satisfied citizens were.
// Pure aggregation over rows for a period; the stores fetch the rows.
import type { Feedback, OutcomeKind, Rating, TurnOutcome, UnansweredQuestion } from './records.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import { groupUnanswered } from '../knowledge/unanswered.js';
import type { AgencyRepository } from './handover/agency-repository.js';
import { addDays, localDay, zonedTime } from './handover/calendar.js';

export interface HandoverRow {
  createdAt: Date;
  acceptedAt?: Date;
  firstStaffReplyAt?: Date;
}

export interface CaseRow {
  createdAt: Date;
  dueBy: Date;
  answeredAt?: Date;
}

export interface ReportRows {
  outcomes: TurnOutcome[];
  feedback: Feedback[];
  ratings: Rating[];
  unanswered: UnansweredQuestion[];
  handovers: HandoverRow[];
  cases: CaseRow[];
}

export interface Report {
  from: string;
  to: string;
  conversations: number;
  turns: number;
  /**
   * Share of message turns (`turns`, the denominator) by what the bot did; they add up to 1.
   * `handover`: the citizen asked for a person (handed over live, left as a case, or declined);
   * `other`: language not offered, protected information, abuse, deletion and errors.
   */
  shares: Record<ShareKind, number>;
  topEntries: { entryId: string; count: number }[];
  topUnanswered: { example: string; count: number; closestEntryId: string | null }[];
  referralsByAuthority: { authorityId: string; count: number }[];
  helpful: { yes: number; no: number };
  handovers: { count: number; accepted: number; medianWaitMinutes: number | null; medianFirstReplyMinutes: number | null };
  cases: { count: number; answered: number; deadlinesMet: number; overdue: number };
  satisfaction: { count: number; average: number | null; distribution: Record<1 | 2 | 3 | 4 | 5, number> };
  complaintsByQuarter: { quarter: string; count: number }[];
  /** Conversations continued with another agency of the installation (out), and come from one (in), by agency. */
  forwards: { out: { agency: string; count: number }[]; in: { agency: string; count: number }[] };
}

export type ShareKind = 'answered' | 'clarified' | 'referred' | 'fallback' | 'handover' | 'other';
const SHARE_OF: Partial<Record<OutcomeKind, ShareKind>> = {
  answer: 'answered',
  smalltalk: 'answered',
  clarify: 'clarified',
  complaint: 'clarified',
  refer: 'referred',
  fallback: 'fallback',
  handover: 'handover',
};

/**
 * Whole days in the agency's time zone: a period from `first` to `last` (both YYYY-MM-DD,
 * included) as instants, `to` exclusive (midnight in Riga is 22:00 or 21:00 UTC).
 */
export function periodOfDays(first: string, last: string, timeZone: string): { from: Date; to: Date } {
  return { from: zonedTime(first, '00:00', timeZone), to: zonedTime(addDays(last, 1), '00:00', timeZone) };
}

export function buildReport(rows: ReportRows, period: { from: Date; to: Date; now: Date }, knowledge: Knowledge): Report {
  const { timeZone } = knowledge.profile;
  // A conversation forwarded here is recorded beside the answer of the same turn: not a turn itself.
  const turns = rows.outcomes.filter((o) => o.kind !== 'silenced' && o.kind !== 'forwarded');
  const forwardsOf = (kind: OutcomeKind) =>
    tally(
      rows.outcomes.filter((o) => o.kind === kind),
      (o) => o.otherAgency,
    ).map(([agency, count]) => ({ agency, count }));
  const byShare = new Map<ShareKind, number>();
  for (const o of turns) {
    const kind = SHARE_OF[o.kind] ?? 'other';
    byShare.set(kind, (byShare.get(kind) ?? 0) + 1);
  }
  const share = (kind: ShareKind) => (turns.length === 0 ? 0 : (byShare.get(kind) ?? 0) / turns.length);
  const tally = <T>(items: T[], key: (t: T) => string | undefined) => {
    const map = new Map<string, number>();
    for (const item of items) {
      const k = key(item);
      if (k !== undefined) map.set(k, (map.get(k) ?? 0) + 1);
    }
    return [...map.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  };
  const minutes = (a: Date, b: Date) => (b.getTime() - a.getTime()) / 60_000;
  const accepted = rows.handovers.filter((h) => h.acceptedAt);
  const distribution = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } as Record<1 | 2 | 3 | 4 | 5, number>;
  for (const r of rows.ratings) distribution[r.score as 1 | 2 | 3 | 4 | 5]++;

  return {
    from: localDay(period.from, timeZone),
    // The period's end is exclusive; the report names its last day.
    to: localDay(new Date(period.to.getTime() - 1), timeZone),
    conversations: new Set(turns.map((o) => o.conversationId)).size,
    turns: turns.length,
    shares: {
      answered: share('answered'),
      clarified: share('clarified'),
      referred: share('referred'),
      fallback: share('fallback'),
      handover: share('handover'),
      other: share('other'),
    },
    topEntries: tally(
      turns.filter((o) => o.kind === 'answer'),
      (o) => o.entryId,
    )
      .slice(0, 10)
      .map(([entryId, n]) => ({ entryId, count: n })),
    topUnanswered: groupUnanswered(rows.unanswered, knowledge)
      .slice(0, 10)
      .map((g) => ({ example: g.example, count: g.count, closestEntryId: g.closestEntryId })),
    referralsByAuthority: tally(
      turns.flatMap((o) => o.authorityIds.map((a) => ({ a }))),
      (x) => x.a,
    ).map(([authorityId, n]) => ({ authorityId, count: n })),
    helpful: { yes: rows.feedback.filter((f) => f.helpful).length, no: rows.feedback.filter((f) => !f.helpful).length },
    handovers: {
      count: rows.handovers.length,
      accepted: accepted.length,
      medianWaitMinutes: median(accepted.map((h) => minutes(h.createdAt, h.acceptedAt!))),
      medianFirstReplyMinutes: median(rows.handovers.filter((h) => h.firstStaffReplyAt).map((h) => minutes(h.createdAt, h.firstStaffReplyAt!))),
    },
    cases: {
      count: rows.cases.length,
      answered: rows.cases.filter((c) => c.answeredAt).length,
      deadlinesMet: rows.cases.filter((c) => c.answeredAt && c.answeredAt <= c.dueBy).length,
      overdue: rows.cases.filter((c) => (c.answeredAt ?? period.now) > c.dueBy).length,
    },
    satisfaction: {
      count: rows.ratings.length,
      average: rows.ratings.length === 0 ? null : rows.ratings.reduce((a, r) => a + r.score, 0) / rows.ratings.length,
      distribution,
    },
    complaintsByQuarter: tally(
      turns.filter((o) => o.kind === 'complaint'),
      (o) => quarter(o.at, timeZone),
    )
      .map(([q, n]) => ({ quarter: q, count: n }))
      .sort((a, b) => a.quarter.localeCompare(b.quarter)),
    forwards: { out: forwardsOf('forward'), in: forwardsOf('forwarded') },
  };
}

/** The calendar quarter of an instant in the agency's time zone ("2026 Q4"). */
export function quarter(date: Date, timeZone: string): string {
  const [year, month] = localDay(date, timeZone).split('-').map(Number) as [number, number];
  return `${year} Q${Math.floor((month - 1) / 3) + 1}`;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const num = (x: number | null, digits = 1) => (x === null ? '–' : x.toFixed(digits));

/** The report as a plain-text table for the terminal. */
export function formatReport(r: Report): string {
  const lines = [
    `Report ${r.from} … ${r.to}`,
    '',
    `Conversations                 ${r.conversations}`,
    `Message turns                 ${r.turns} (the shares below are of these)`,
    `  answered                    ${pct(r.shares.answered)}`,
    `  clarified                   ${pct(r.shares.clarified)}`,
    `  referred                    ${pct(r.shares.referred)}`,
    `  fallback                    ${pct(r.shares.fallback)}`,
    `  asked for a person          ${pct(r.shares.handover)}`,
    `  other                       ${pct(r.shares.other)}`,
    `"Did it help?"                yes ${r.helpful.yes}, no ${r.helpful.no}`,
    `Live handovers                ${r.handovers.count} (accepted ${r.handovers.accepted}; median wait ${num(r.handovers.medianWaitMinutes)} min; first staff reply ${num(r.handovers.medianFirstReplyMinutes)} min)`,
    `Cases                         ${r.cases.count} (answered ${r.cases.answered}; deadlines met ${r.cases.deadlinesMet}; overdue ${r.cases.overdue})`,
    `Satisfaction                  ${r.satisfaction.count} ratings, average ${num(r.satisfaction.average, 2)}; ${[1, 2, 3, 4, 5].map((s) => `${s}: ${r.satisfaction.distribution[s as 1]}`).join(', ')}`,
    '',
    'Top entries',
    ...r.topEntries.map((e) => `  ${String(e.count).padStart(5)}  ${e.entryId}`),
    'Top unanswered',
    ...r.topUnanswered.map((u) => `  ${String(u.count).padStart(5)}  "${u.example}" (closest: ${u.closestEntryId ?? '–'})`),
    'Referrals by authority',
    ...r.referralsByAuthority.map((a) => `  ${String(a.count).padStart(5)}  ${a.authorityId}`),
    'Complaints per quarter',
    ...r.complaintsByQuarter.map((c) => `  ${String(c.count).padStart(5)}  ${c.quarter}`),
    'Forwarded to another agency',
    ...r.forwards.out.map((f) => `  ${String(f.count).padStart(5)}  ${f.agency}`),
    'Forwarded here from another agency',
    ...r.forwards.in.map((f) => `  ${String(f.count).padStart(5)}  ${f.agency}`),
  ];
  return lines.join('\n');
}

/** The report as CSV rows: section, key, value. */
export function reportCsv(r: Report): string {
  const rows: (string | number)[][] = [['section', 'key', 'value']];
  rows.push(['period', 'from', r.from], ['period', 'to', r.to], ['totals', 'conversations', r.conversations], ['totals', 'turns', r.turns]);
  for (const [k, v] of Object.entries(r.shares)) rows.push(['shares', k, v.toFixed(4)]);
  rows.push(['helpful', 'yes', r.helpful.yes], ['helpful', 'no', r.helpful.no]);
  for (const [k, v] of Object.entries(r.handovers)) rows.push(['handovers', k, v ?? '']);
  for (const [k, v] of Object.entries(r.cases)) rows.push(['cases', k, v]);
  rows.push(['satisfaction', 'count', r.satisfaction.count], ['satisfaction', 'average', r.satisfaction.average?.toFixed(3) ?? '']);
  for (const [k, v] of Object.entries(r.satisfaction.distribution)) rows.push(['satisfaction', `score ${k}`, v]);
  for (const e of r.topEntries) rows.push(['top entries', e.entryId, e.count]);
  for (const u of r.topUnanswered) rows.push(['top unanswered', u.example, u.count]);
  for (const a of r.referralsByAuthority) rows.push(['referrals', a.authorityId, a.count]);
  for (const c of r.complaintsByQuarter) rows.push(['complaints', c.quarter, c.count]);
  for (const f of r.forwards.out) rows.push(['forwards out', f.agency, f.count]);
  for (const f of r.forwards.in) rows.push(['forwards in', f.agency, f.count]);
  return rows.map((row) => row.map(csvCell).join(',')).join('\n');
}

function csvCell(v: string | number): string {
  // A citizen's text starting with = + - @ would run as a formula in a spreadsheet: neutralise it.
  const raw = String(v);
  const s = typeof v === 'string' && /^[=+\-@]/.test(raw) ? `'${raw}` : raw;
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Handover and case rows for a period, read from one agency's slice of the staff side's repository. */
export async function handoverRows(
  repo: Pick<AgencyRepository, 'tickets' | 'cases' | 'lines'>,
  from: Date,
  to: Date,
): Promise<{ handovers: HandoverRow[]; cases: CaseRow[] }> {
  const within = (d: Date) => d >= from && d < to;
  const tickets = (await repo.tickets(['queued', 'with-staff', 'back-to-bot', 'closed'])).filter((t) => within(t.createdAt));
  const handovers = await Promise.all(
    tickets.map(async (t) => {
      const firstStaffLine = t.acceptedAt ? (await repo.lines({ ticketId: t.id })).find((l) => l.author === 'staff') : undefined;
      return {
        createdAt: t.queuedAt ?? t.createdAt,
        ...(t.acceptedAt ? { acceptedAt: t.acceptedAt } : {}),
        ...(firstStaffLine ? { firstStaffReplyAt: firstStaffLine.at } : {}),
      };
    }),
  );
  const cases = (await repo.cases())
    .filter((c) => within(c.createdAt))
    .map((c) => ({
      createdAt: c.createdAt,
      dueBy: c.dueAt,
      ...(c.closedAt ? { answeredAt: c.closedAt } : {}),
    }));
  return { handovers, cases };
}
