// The staff console's knowledge studio, its first, read-only part (issue 22: items 2, 4, 10): the
// page GET /staff/studio (staff only; its script and styles beside it, the agency chosen on the page
// as ?agency=…) and, under /staff/api/agencies/:agency/studio/…, for every staff member of the agency:
//   GET  entries?q=…&overdue=1  every entry: title, owner, review date, status, answers and "did it
//                               help" in the last 30 days; searched in ids, questions and answers
//   GET  reminders              how many entries are past their review date (shown on login)
//   POST preview {text, language?}  how the bot would answer the text with the agency's knowledge
//                               now, decided by knowledge/decide.ts as a turn decides it, with the
//                               closest entries, their scores and the words they matched
// The preview's text is what a staff member typed, perhaps a citizen's words: it comes in the body of
// a POST (never a URL, which proxies log), is neither logged nor stored, and goes back only as the
// decision about it.
import type restify from 'restify';
import { editsKnowledge } from '../../handover/roles.js';
import { z } from 'zod';
import { decide, type Decision, type DecisionContext } from '../../../knowledge/decide.js';
import type { Knowledge } from '../../../knowledge/knowledge.js';
import { fold } from '../../../knowledge/normalise.js';
import { reviewDueBy, reviewOverdue } from '../../../knowledge/review.js';
import { languageCode, type KnowledgeEntry, type LanguageCode } from '../../../knowledge/schema.js';
import type { Logger } from '../../log.js';
import { redact, withoutRedactions } from '../../privacy/redact.js';
import type { PeriodRecords, TurnRecords } from '../../records.js';
import { mountSignedInPage } from './page.js';
import { entryStatuses, type EntryStatus, type LastChange } from './studio-editor.js';
import type { Problem } from '../../../knowledge/load.js';
import { errorBody } from '../../http/errors.js';
import { sendError, type AgencyHere, type ConsoleApi } from '../api.js';

export interface StaffStudioDeps {
  /** The agency's knowledge now; undefined for an agency the installation does not serve. */
  knowledge: (agency: string) => Knowledge | undefined;
  /** What the agency's turns recorded. */
  records: (agency: string) => Pick<TurnRecords, 'period'>;
  /**
   * What a turn of the agency decides a message with (dialogs/respond.ts `decisionContext`, wired
   * by app.ts): the preview decides with the very same, so it says what the bot would do.
   */
  decisionContext: (agency: string, conversationLanguage: LanguageCode) => DecisionContext | undefined;
  /**
   * The editor's part (studio-editor.ts): each entry's status and last change, the new entries'
   * drafts, and the knowledge the agency would have with its drafts published (or their problems).
   */
  editorial?: {
    statuses: (agency: string, served: ReadonlySet<string>) => ReturnType<typeof entryStatuses>;
    withDrafts: (agency: string) => Promise<{ ok: true; knowledge: Knowledge } | { ok: false; problems: Problem[] }>;
  };
  now: () => Date;
  log: Logger;
}

/** The entries list counts answers and "did it help" over this many days up to now. */
export const USAGE_DAYS = 30;
/** The preview shows this many of the closest entries and authorities. */
export const PREVIEW_CLOSEST = 6;
/** The longest search and preview texts (a citizen's message is at most 2,000 characters). */
const MAX_QUERY = 200;
const MAX_PREVIEW = 2000;
const DAY_MS = 86_400_000;

/** One entry as the studio's list shows it. */
export interface StudioEntry {
  id: string;
  kind: KnowledgeEntry['kind'];
  /** The first Latvian question. */
  title: string;
  owner: string;
  reviewed: string;
  /** The last day within the review interval (YYYY-MM-DD). */
  reviewDueBy: string;
  /** Served as published, changed by a draft, new (a draft only), or to be removed by one. */
  status: EntryStatus;
  /** The last change in the studio (saved, discarded, published, rolled back); null: none yet. */
  lastChange: LastChange | null;
  /** `reviewed` is older than the profile's reviewIntervalDays (as kb:check warns). */
  overdue: boolean;
  /** Answers with this entry in the period (answers and small talk). */
  answered: number;
  /** "Did it help?" for this entry in the period. */
  helpful: { yes: number; no: number };
  /** yes ÷ (yes + no); null without an answer. */
  helpedRatio: number | null;
}

export interface StudioEntriesResponse {
  agency: { id: string; name: string };
  /** The period the counts are over, [from, to). */
  period: { from: string; to: string };
  reviewIntervalDays: number;
  /** Entries of the agency, and of those past their review date, whatever the search. */
  total: number;
  overdue: number;
  /** The entries found, in id order. */
  entries: StudioEntry[];
}

export interface StudioReminders {
  entries: number;
  overdue: number;
  reviewIntervalDays: number;
  /**
   * The overdue entries the signed-in member owns: an entry's `owner` is free text (often a
   * department), so it is the member's when it names them (their name or login, case and
   * diacritics aside).
   */
  yours: { id: string; title: string }[];
}

export interface PreviewCandidate {
  kind: 'entry' | 'authority' | 'intent';
  id: string;
  /** The first Latvian question of an entry, an authority's name; an intent's id. */
  title: string;
  score: number;
  confidence: number;
  rank: number;
  /** The message's terms (stems) the document matched. */
  matched: string[];
}

export interface PreviewResponse {
  decision: {
    kind: Decision['kind'];
    /** The entry answered (answer, small talk, or after an emergency referral). */
    entryId: string | null;
    /** The authority referred to. */
    authorityId: string | null;
    /** What a clarifying question offers (entry or authority ids), or a complaint's related entries. */
    candidates: string[];
    /** Authorities named beside an answer or a referral. */
    referrals: string[];
  };
  /** The reply's language, and the one the message was detected in. */
  language: LanguageCode;
  detected: string;
  upset: boolean;
  /** The bot masks personal codes, card numbers and IBANs before deciding: so does the preview. */
  redacted: boolean;
  explain: { terms: string[]; unknown: string[]; closest: PreviewCandidate[] };
}

/** What the list's counts are over: the last USAGE_DAYS days up to now. */
export function usagePeriod(now: Date): { from: Date; to: Date } {
  return { from: new Date(now.getTime() - USAGE_DAYS * DAY_MS), to: now };
}

/** Whether an entry holds the search words, folded (case and diacritics): in its id, a question or an answer. */
export function entryMatches(entry: KnowledgeEntry, query: string): boolean {
  const wanted = fold(query);
  if (wanted === '') return true;
  const texts = [entry.id, ...Object.values(entry.questions).flat(), ...Object.values(entry.answer)].filter((t): t is string => typeof t === 'string');
  return texts.some((text) => fold(text).includes(wanted));
}

/** Every entry of the knowledge with its review state and its use in `records`, in id order. Pure. */
export function studioEntries(knowledge: Knowledge, records: Pick<PeriodRecords, 'outcomes' | 'feedback'>, today: Date): StudioEntry[] {
  const interval = knowledge.profile.reviewIntervalDays;
  const answered = new Map<string, number>();
  for (const o of records.outcomes) {
    if ((o.kind === 'answer' || o.kind === 'smalltalk') && o.entryId !== undefined) answered.set(o.entryId, (answered.get(o.entryId) ?? 0) + 1);
  }
  const helpful = new Map<string, { yes: number; no: number }>();
  for (const f of records.feedback) {
    const counts = helpful.get(f.entryId) ?? { yes: 0, no: 0 };
    if (f.helpful) counts.yes += 1;
    else counts.no += 1;
    helpful.set(f.entryId, counts);
  }
  return [...knowledge.entries.values()]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((entry) => {
      const h = helpful.get(entry.id) ?? { yes: 0, no: 0 };
      return {
        id: entry.id,
        kind: entry.kind,
        title: entry.questions.lv[0] ?? entry.id,
        owner: entry.owner,
        reviewed: entry.reviewed,
        reviewDueBy: reviewDueBy(entry.reviewed, interval),
        status: 'published' as EntryStatus,
        lastChange: null,
        overdue: reviewOverdue(entry.reviewed, interval, today),
        answered: answered.get(entry.id) ?? 0,
        helpful: h,
        helpedRatio: h.yes + h.no === 0 ? null : h.yes / (h.yes + h.no),
      };
    });
}

/** The entries list with each entry's studio status, and the new entries' drafts after the served ones. */
async function withStatuses(
  editorial: NonNullable<StaffStudioDeps['editorial']>,
  agency: string,
  served: StudioEntry[],
  knowledge: Knowledge,
  today: Date,
): Promise<StudioEntry[]> {
  const { statusOf, added } = await editorial.statuses(agency, new Set(served.map((e) => e.id)));
  const interval = knowledge.profile.reviewIntervalDays;
  const fresh = added.map((d): StudioEntry => {
    // A new entry's draft may not validate yet: what it has, shown as is.
    const draft = (typeof d.entry === 'object' && d.entry !== null ? d.entry : {}) as Partial<Record<keyof KnowledgeEntry, unknown>>;
    const text = (v: unknown): string => (typeof v === 'string' ? v : '');
    const questions = draft.questions as { lv?: unknown[] } | undefined;
    const reviewed = text(draft.reviewed);
    const validDate = /^\d{4}-\d{2}-\d{2}$/.test(reviewed);
    return {
      id: d.entryId,
      kind: draft.kind === 'smalltalk' ? 'smalltalk' : 'topic',
      title: text(questions?.lv?.[0]) || d.entryId,
      owner: text(draft.owner),
      reviewed,
      reviewDueBy: validDate ? reviewDueBy(reviewed, interval) : '',
      ...statusOf(d.entryId),
      overdue: validDate && reviewOverdue(reviewed, interval, today),
      answered: 0,
      helpful: { yes: 0, no: 0 },
      helpedRatio: null,
    };
  });
  return [...served.map((e) => ({ ...e, ...statusOf(e.id) })), ...fresh];
}

/** How the bot would answer `text` in a conversation in `language`, and why. */
export function preview(text: string, ctx: DecisionContext): PreviewResponse {
  // As a turn does (dialogs/respond.ts): redacted first, then decided without the marks.
  const { text: redactedText, found } = redact(text);
  const clean = withoutRedactions(redactedText);
  const result = decide(clean, ctx);
  const { knowledge } = ctx;
  const { analysis, results } = knowledge.index.search(clean, PREVIEW_CLOSEST);
  const d = result.decision;
  const title = (kind: PreviewCandidate['kind'], id: string): string =>
    kind === 'entry' ? (knowledge.entries.get(id)?.questions.lv[0] ?? id) : kind === 'authority' ? (knowledge.authorities.get(id)?.name.lv ?? id) : id;
  return {
    decision: {
      kind: d.kind,
      entryId: d.kind === 'answer' || d.kind === 'smalltalk' ? d.entry.id : d.kind === 'refer' ? (d.answer?.id ?? null) : null,
      authorityId: d.kind === 'refer' ? d.authority.id : null,
      candidates:
        d.kind === 'clarify'
          ? d.candidates.map((c) => (c.kind === 'entry' ? c.entry.id : c.authority.id))
          : d.kind === 'complaint'
            ? d.related.map((e) => e.id)
            : [],
      referrals: d.kind === 'answer' || d.kind === 'refer' ? d.referrals.map((a) => a.id) : [],
    },
    language: result.language,
    detected: result.detected,
    upset: result.upset,
    redacted: found.length > 0,
    explain: {
      terms: analysis.terms,
      unknown: analysis.unknown,
      closest: results.map((r) => ({
        kind: r.kind,
        id: r.id,
        title: title(r.kind, r.id),
        score: r.score,
        confidence: r.confidence,
        rank: r.rank,
        matched: r.matched,
      })),
    },
  };
}

const previewBody = z.object({
  text: z.string().trim().min(1).max(MAX_PREVIEW),
  language: languageCode.optional(),
  /** Decide with the agency's drafts published, not with what it serves now. */
  drafts: z.boolean().optional(),
});

export function mountStaffStudio(api: ConsoleApi, deps: StaffStudioDeps): void {
  const { log } = deps;
  const { server } = api;

  mountSignedInPage(server, 'studio', (req) => api.authenticate(req), log);

  /** The agency's knowledge, or the refusal sent (the console's check already passed: served, by the member). */
  const knowledgeOf = (res: restify.Response, { agency }: AgencyHere): Knowledge | undefined => {
    const knowledge = deps.knowledge(agency);
    if (knowledge === undefined) sendError(res, 404, 'NotFound', 'iestāde nav atrasta');
    return knowledge;
  };

  api.agencyRoute('get', '/studio/entries', async (req, res, _auth, here) => {
    const knowledge = knowledgeOf(res, here);
    if (!knowledge) return;
    const params: Record<string, unknown> = typeof req.query === 'object' && req.query !== null ? (req.query as Record<string, unknown>) : {};
    const q = params['q'] ?? '';
    if (typeof q !== 'string' || q.length > MAX_QUERY) return sendError(res, 400, 'BadRequest', `meklējamais teksts: līdz ${MAX_QUERY} rakstzīmēm`, 'q');
    const overdueOnly = params['overdue'] === '1' || params['overdue'] === 'true';
    const now = deps.now();
    const { from, to } = usagePeriod(now);
    const records = await deps.records(here.agency).period(from, to);
    const served = studioEntries(knowledge, records, now);
    const all = deps.editorial === undefined ? served : await withStatuses(deps.editorial, here.agency, served, knowledge, now);
    const body: StudioEntriesResponse = {
      agency: { id: here.agency, name: knowledge.profile.name.lv },
      period: { from: from.toISOString(), to: to.toISOString() },
      reviewIntervalDays: knowledge.profile.reviewIntervalDays,
      total: all.length,
      overdue: all.filter((e) => e.overdue).length,
      entries: all.filter(
        (e) => (!overdueOnly || e.overdue) && (knowledge.entries.has(e.id) ? entryMatches(knowledge.entries.get(e.id)!, q) : e.id.includes(q)),
      ),
    };
    res.send(200, body);
  });

  api.agencyRoute('get', '/studio/reminders', async (_req, res, { staff }, here) => {
    const knowledge = knowledgeOf(res, here);
    if (!knowledge) return;
    const interval = knowledge.profile.reviewIntervalDays;
    const now = deps.now();
    const entries = [...knowledge.entries.values()];
    const overdue = entries.filter((e) => reviewOverdue(e.reviewed, interval, now));
    const me = new Set([fold(staff.name), fold(staff.login)]);
    const body: StudioReminders = {
      entries: entries.length,
      overdue: overdue.length,
      reviewIntervalDays: interval,
      yours: overdue.filter((e) => me.has(fold(e.owner))).map((e) => ({ id: e.id, title: e.questions.lv[0] ?? e.id })),
    };
    res.send(200, body);
  });

  api.agencyRoute('post', '/studio/preview', async (req, res, { staff }, here) => {
    const body = previewBody.safeParse(req.body);
    // The message says what is wrong, never what was sent.
    if (!body.success) return sendError(res, 400, 'BadRequest', `teksts: 1–${MAX_PREVIEW} rakstzīmes`, 'text');
    const served = deps.decisionContext(here.agency, body.data.language ?? 'lv');
    if (served === undefined) return sendError(res, 404, 'NotFound', 'iestāde nav atrasta');
    let ctx = served;
    if (body.data.drafts === true && deps.editorial !== undefined) {
      // Building the drafted knowledge costs what an agency's start does: for those who draft only.
      if (!editsKnowledge(staff, here.agency)) return sendError(res, 403, 'Forbidden', 'melnrakstus izmēģina redaktors');
      // The same decision, over the knowledge the drafts would make.
      const drafted = await deps.editorial.withDrafts(here.agency);
      if (!drafted.ok) return void res.send(422, { ...errorBody({ code: 'BadRequest', message: 'melnraksti nav derīgi' }), problems: drafted.problems });
      ctx = { ...served, knowledge: drafted.knowledge };
    }
    const answer = preview(body.data.text, ctx);
    // What was decided, never about what.
    log.info({ staffId: staff.id, agency: here.agency, kind: answer.decision.kind }, 'preview');
    res.send(200, answer);
  });
}
