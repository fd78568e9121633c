// The staff console's report page: GET /staff/reports (the page, staff only; its script and styles
// beside it; the agency is chosen on the page, ?agency=…) and
// GET /staff/api/agencies/:agency/report?from=YYYY-MM-DD&to=YYYY-MM-DD[&format=csv], that agency's
// service-quality report (bot/service-report.ts) for a period, as JSON for the page or as a CSV
// download: its records, its handovers and cases, its knowledge, for the agency's staff only.
import type restify from 'restify';
import { z } from 'zod';
import type { Knowledge } from '../../../knowledge/knowledge.js';
import { AGENCY_FOLDER } from '../../../knowledge/schema.js';
import { errorFields, type Logger } from '../../log.js';
import { agencyRepository } from '../../handover/agency-repository.js';
import type { HandoverRepository, StaffMember } from '../../handover/repository.js';
import { serves } from '../../handover/roles.js';
import type { TurnRecords } from '../../records.js';
import { buildReport, handoverRows, periodOfDays, reportCsv, type Report } from '../../service-report.js';
import { addDays, localDay } from '../../handover/calendar.js';
import { mountSignedInPage } from './page.js';
import { sendError } from '../api.js';

export interface StaffReportsDeps {
  /** The console's session check (a staff member logged in at /staff). */
  authenticate: (req: restify.Request) => Promise<{ staff: StaffMember } | undefined>;
  /** What the agency's turns recorded. */
  records: (agency: string) => Pick<TurnRecords, 'period'>;
  /** The installation's staff side repository: the report reads the agency's slice of it. */
  repo: HandoverRepository;
  /** The agency's knowledge; undefined for an agency the installation does not serve. */
  knowledge: (agency: string) => Knowledge | undefined;
  now: () => Date;
  log: Logger;
}

/** The longest period one request may ask for: the report reads every record of the period. */
export const MAX_REPORT_YEARS = 3;

/**
 * A period of whole days, `to` exclusive. Days are the agency's (its profile's time zone), as in
 * `npm run report` and in the report itself (its `from`/`to` and its quarters), so they agree.
 */
export interface ReportPeriod {
  from: Date;
  to: Date;
}

export type PeriodResult = { ok: true; period: ReportPeriod } | { ok: false; field: 'from' | 'to' | 'period'; message: string };

const DAY_MS = 86_400_000;
const isoDay = z.iso.date();

/** The calendar quarter `now` falls in (in the agency's time zone), the page's default period. */
export function currentQuarter(now: Date, timeZone: string): ReportPeriod {
  const [year, month] = localDay(now, timeZone).split('-').map(Number) as [number, number];
  const first = Math.floor((month - 1) / 3) * 3;
  const day = (y: number, m: number) => new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
  return periodOfDays(day(year, first), addDays(day(year, first + 3), -1), timeZone);
}

/**
 * The period a request asks for: both days given (YYYY-MM-DD, `to` included, not before `from`,
 * at most MAX_REPORT_YEARS long), or neither (the current quarter). Pure, so it tests alone.
 */
export function parseReportPeriod(params: { from?: unknown; to?: unknown }, now: Date, timeZone: string): PeriodResult {
  if (params.from === undefined && params.to === undefined) return { ok: true, period: currentQuarter(now, timeZone) };
  const day = (field: 'from' | 'to'): string | PeriodResult => {
    const value = params[field];
    const label = field === 'from' ? 'sākuma' : 'beigu';
    if (value === undefined || value === '') return { ok: false, field, message: `trūkst ${label} datuma (${field}=GGGG-MM-DD)` };
    const parsed = isoDay.safeParse(value);
    // Round-tripped as well: a day that does not exist (2026-02-30) is refused, not rolled over.
    if (!parsed.success || new Date(`${parsed.data}T00:00:00Z`).toISOString().slice(0, 10) !== parsed.data) {
      return { ok: false, field, message: `${label} datums jāraksta kā GGGG-MM-DD (piemēram, 2026-10-01)` };
    }
    return parsed.data;
  };
  const first = day('from');
  if (typeof first !== 'string') return first;
  const last = day('to');
  if (typeof last !== 'string') return last;
  if (last < first) return { ok: false, field: 'to', message: 'beigu datums nedrīkst būt pirms sākuma datuma' };
  // Records began long after 1970; a year past 2999 would overflow the day arithmetic.
  if (first < '1970-01-01' || last > '2999-12-31') return { ok: false, field: 'period', message: 'periodam jābūt starp 1970. un 2999. gadu' };
  const limit = new Date(`${first}T00:00:00Z`);
  limit.setUTCFullYear(limit.getUTCFullYear() + MAX_REPORT_YEARS);
  if (new Date(`${last}T00:00:00Z`).getTime() + DAY_MS > limit.getTime())
    return { ok: false, field: 'period', message: `periods nedrīkst būt garāks par ${MAX_REPORT_YEARS} gadiem` };
  return { ok: true, period: periodOfDays(first, last, timeZone) };
}

/** What the page shows beside the ids: Latvian names of the entries and authorities in the report. */
export interface ReportLabels {
  entries: Record<string, string>;
  authorities: Record<string, string>;
}

/** The API's JSON: the report itself, plus labels for its ids. */
export type ReportResponse = Report & { labels: ReportLabels };

export function reportLabels(report: Report, knowledge: Knowledge): ReportLabels {
  const entries: Record<string, string> = {};
  const ids = [...report.topEntries.map((e) => e.entryId), ...report.topUnanswered.flatMap((u) => (u.closestEntryId ? [u.closestEntryId] : []))];
  for (const id of ids) {
    const question = knowledge.entries.get(id)?.questions.lv[0];
    if (question !== undefined) entries[id] = question;
  }
  const authorities: Record<string, string> = {};
  for (const { authorityId } of report.referralsByAuthority) {
    const name = knowledge.authorities.get(authorityId)?.name.lv;
    if (name !== undefined) authorities[authorityId] = name;
  }
  return { entries, authorities };
}

/**
 * Citizens' words go into the CSV (top unanswered questions); a spreadsheet would run one that
 * starts with = + - @ as a formula (OWASP "CSV injection"), so such a cell is prefixed with '.
 */
export function spreadsheetSafe(report: Report): Report {
  const safe = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
  return { ...report, topUnanswered: report.topUnanswered.map((u) => ({ ...u, example: safe(u.example) })) };
}

/** A downloaded file: nothing in it can run even if a browser renders it. */
const DOWNLOAD_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; sandbox",
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
};

export function mountStaffReports(server: restify.Server, deps: StaffReportsDeps): void {
  const { log } = deps;

  mountSignedInPage(server, 'reports', (req) => deps.authenticate(req), log);

  server.get('/staff/api/agencies/:agency/report', async function staffReport(req: restify.Request, res: restify.Response) {
    res.setHeader('Cache-Control', 'no-store');
    try {
      const auth = await deps.authenticate(req);
      if (!auth) return sendError(res, 401, 'Unauthorized', 'pieslēdzieties');
      const agency = String(req.params?.['agency'] ?? '');
      const knowledge = AGENCY_FOLDER.test(agency) ? deps.knowledge(agency) : undefined;
      if (knowledge === undefined) return sendError(res, 404, 'NotFound', 'iestāde nav atrasta');
      if (!serves(auth.staff, agency)) return sendError(res, 403, 'Forbidden', 'jūs nestrādājat šajā iestādē');
      const params: Record<string, unknown> = typeof req.query === 'object' && req.query !== null ? (req.query as Record<string, unknown>) : {};
      const format = params['format'] ?? 'json';
      if (format !== 'json' && format !== 'csv') return sendError(res, 400, 'BadRequest', 'format: json vai csv', 'format');
      const now = deps.now();
      const parsed = parseReportPeriod({ from: params['from'], to: params['to'] }, now, knowledge.profile.timeZone);
      if (!parsed.ok) return sendError(res, 400, 'BadRequest', parsed.message, parsed.field);
      const { from, to } = parsed.period;
      const [records, staffSide] = await Promise.all([deps.records(agency).period(from, to), handoverRows(agencyRepository(deps.repo, agency), from, to)]);
      const report = buildReport({ ...records, ...staffSide }, { from, to, now }, knowledge);
      log.info({ staffId: auth.staff.id, agency, from: report.from, to: report.to, format }, 'report read');
      if (format === 'json') {
        const body: ReportResponse = { ...report, labels: reportLabels(report, knowledge) };
        return void res.send(200, body);
      }
      // With a byte-order mark: spreadsheet programs then read the UTF-8 (ā, č, ē …) as UTF-8.
      const csv = Buffer.from(`\uFEFF${reportCsv(spreadsheetSafe(report))}\n`, 'utf8');
      res.writeHead(200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Length': String(csv.length),
        'Content-Disposition': `attachment; filename="padoms-parskats-${agency}-${report.from}-${report.to}.csv"`,
        ...DOWNLOAD_HEADERS,
      });
      res.end(csv);
    } catch (err) {
      log.error({ err: errorFields(err) }, 'report failed');
      if (!res.headersSent) sendError(res, 500, 'Internal', 'kļūda serverī');
    }
  });
}
