// The knowledge studio's unanswered inbox and "what a change would move" (issue 22, items 7 and 5),
// under /staff/api/agencies/:agency/studio/…, behind the console's checks (session, CSRF on a POST,
// the agency served by the member):
//   GET  inbox?days=30        the agency's unanswered questions of the last `days` days in groups,
//                             less those handled, with counts, reasons, examples and the closest
//                             entry; and what was handled in the period (per authority too)
//   POST inbox/handle         an action on a group (editors): {key, through, days, action, …}:
//                             `phrasing` (a question of the group added to an entry's draft),
//                             `new-entry` (a draft begun from it), `authority` (another
//                             authority's), `dismiss`. The group's questions up to `through` leave
//                             the inbox; a question that joins the group later brings it back.
//   POST impact {drafts?}     the agency's stored questions decided again with its drafts (and the
//                             editor's unsaved ones in the body): those whose answer would change
// and the script /staff/studio-inbox.js. Questions were redacted when stored; none is logged.
import type restify from 'restify';
import { z } from 'zod';
import type { DecisionContext } from '../../../knowledge/decide.js';
import type { Knowledge } from '../../../knowledge/knowledge.js';
import { entryId as entryIdSchema, type LanguageCode } from '../../../knowledge/schema.js';
import { editsKnowledge } from '../../handover/roles.js';
import type { Logger } from '../../log.js';
import { withoutRedactions } from '../../privacy/redact.js';
import type { TurnRecords } from '../../records.js';
import type { DraftInput, EntryDraft, KnowledgeDrafts } from '../../studio/drafts.js';
import { impact, type Impact, type ImpactQuestion } from '../../studio/impact.js';
import { coveredBy, inboxGroups, newEntryFrom, withPhrasing, type InboxGroup } from '../../studio/inbox.js';
import { INBOX_ACTIONS, type HandledGroup, type InboxHandled } from '../../studio/inbox-handled.js';
import { loadPageAssets, sendStaffAsset } from '../assets.js';
import { sendError, type ConsoleApi } from '../api.js';

export interface StudioInboxDeps {
  knowledge: (agency: string) => Knowledge | undefined;
  records: (agency: string) => Pick<TurnRecords, 'listUnanswered'>;
  handled: InboxHandled;
  /** The agency's drafts, where the two draft actions put what they make. */
  drafts: KnowledgeDrafts;
  /** The entry as published (the store's latest, or the files') with its version, the base of a draft begun from it. */
  published: (agency: string, entryId: string) => Promise<{ entry: unknown; version: number } | undefined>;
  /** What a turn of the agency decides with (as the preview's). */
  decisionContext: (agency: string, conversationLanguage: LanguageCode) => DecisionContext | undefined;
  /** The agency's labelled question sets (bot/studio/labelled.ts). */
  labelledSets: (agency: string) => ImpactQuestion[];
  now: () => Date;
  log: Logger;
}

export const INBOX_DAYS = 30;
const MAX_DAYS = 366;
/** The recent real questions "what would change" decides, newest first. */
export const IMPACT_RECENT = 500;
const DAY_MS = 86_400_000;

export interface InboxResponse {
  agency: { id: string; name: string };
  days: number;
  period: { from: string; to: string };
  /** Unanswered questions in the period, and how many are still open. */
  questions: number;
  open: number;
  groups: InboxGroup[];
  /** What was handled in the period: per action, and the questions per other authority. */
  handled: {
    groups: number;
    byAction: Record<(typeof INBOX_ACTIONS)[number], number>;
    byAuthority: { authorityId: string; name: string; groups: number; questions: number }[];
  };
  /** The referral directory, for "another authority's". */
  authorities: { id: string; name: string }[];
  /** Entries to add a phrasing to: id and first Latvian question. */
  entries: { id: string; title: string }[];
  /** The member may act on groups (an editor of the agency). */
  canAct: boolean;
}

export interface HandleResponse {
  handled: { id: string; key: string; action: HandledGroup['action']; questions: number; entryId?: string; authorityId?: string; at: string };
  /** The draft the action saved (phrasing, new entry). `added`: false when the entry already had the phrasing. */
  draft?: { entryId: string; added: boolean };
}

export interface ImpactResponse extends Impact {
  /** First Latvian questions of the entries named, names of the authorities named. */
  titles: Record<string, string>;
}

const handleBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('phrasing'), entryId: entryIdSchema, example: z.number().int().min(0).max(20).default(0) }),
  z.object({ action: z.literal('new-entry'), entryId: entryIdSchema.max(100).optional(), example: z.number().int().min(0).max(20).default(0) }),
  z.object({ action: z.literal('authority'), authorityId: entryIdSchema }),
  z.object({ action: z.literal('dismiss') }),
]);
const groupRef = z.object({
  key: z.string().regex(/^[0-9a-f]{32}$/),
  through: z.iso.datetime(),
  days: z.number().int().min(1).max(MAX_DAYS).default(INBOX_DAYS),
});
const impactBody = z.object({
  drafts: z
    .array(z.object({ entryId: entryIdSchema, entry: z.unknown().optional(), remove: z.boolean().default(false) }))
    .max(500)
    .default([]),
});

function daysOf(req: restify.Request): number | undefined {
  const raw = (req.query as Record<string, unknown> | undefined)?.['days'];
  if (raw === undefined || raw === '') return INBOX_DAYS;
  const n = typeof raw === 'string' && /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= MAX_DAYS ? n : undefined;
}

export function mountStudioInbox(api: ConsoleApi, deps: StudioInboxDeps): void {
  const { log } = deps;
  const assets = loadPageAssets('staff studio inbox', { js: 'studio-inbox.js' });
  api.server.get('/staff/studio-inbox.js', async function studioInboxScript(_req: restify.Request, res: restify.Response) {
    sendStaffAsset(res, assets.js);
  });

  const knowledgeOf = (res: restify.Response, agency: string): Knowledge | undefined => {
    const knowledge = deps.knowledge(agency);
    if (knowledge === undefined) sendError(res, 404, 'NotFound', 'iestāde nav atrasta');
    return knowledge;
  };

  /**
   * The agency's open groups over the last `days` days; with `upTo`, as they were when the inbox
   * showed the questions up to then (a later question changes neither the group nor its examples).
   */
  const openGroups = async (agency: string, knowledge: Knowledge, days: number, now: Date, upTo?: Date) => {
    const since = new Date(now.getTime() - days * DAY_MS);
    const [all, handled] = await Promise.all([deps.records(agency).listUnanswered(since), deps.handled.handledSince(agency, since)]);
    const questions = upTo === undefined ? all : all.filter((q) => q.at <= upTo);
    return { since, questions, groups: inboxGroups(questions, handled, knowledge) };
  };

  api.agencyRoute('get', '/studio/inbox', async (req, res, { staff }, { agency }) => {
    const knowledge = knowledgeOf(res, agency);
    if (!knowledge) return;
    const days = daysOf(req);
    if (days === undefined) return sendError(res, 400, 'BadRequest', `dienas: vesels skaitlis no 1 līdz ${MAX_DAYS}`, 'days');
    const now = deps.now();
    const { since, questions, groups } = await openGroups(agency, knowledge, days, now);
    const done = await deps.handled.groups(agency, since, new Date(now.getTime() + 1));
    const byAction = { phrasing: 0, 'new-entry': 0, authority: 0, dismiss: 0 };
    const byAuthority = new Map<string, { groups: number; questions: number }>();
    for (const g of done) {
      byAction[g.action] += 1;
      if (g.action === 'authority' && g.authorityId !== undefined) {
        const counts = byAuthority.get(g.authorityId) ?? { groups: 0, questions: 0 };
        counts.groups += 1;
        counts.questions += g.questions;
        byAuthority.set(g.authorityId, counts);
      }
    }
    const body: InboxResponse = {
      agency: { id: agency, name: knowledge.profile.name.lv },
      days,
      period: { from: since.toISOString(), to: now.toISOString() },
      questions: questions.length,
      open: groups.reduce((n, g) => n + g.group.count, 0),
      groups: groups.map((g) => g.group),
      handled: {
        groups: done.length,
        byAction,
        byAuthority: [...byAuthority]
          .map(([authorityId, counts]) => ({ authorityId, name: knowledge.authorities.get(authorityId)?.name.lv ?? authorityId, ...counts }))
          .sort((a, b) => b.questions - a.questions),
      },
      authorities: [...knowledge.authorities.values()].map((a) => ({ id: a.id, name: a.name.lv })).sort((a, b) => a.name.localeCompare(b.name, 'lv')),
      entries: [...knowledge.entries.values()]
        .filter((e) => e.kind === 'topic')
        .map((e) => ({ id: e.id, title: e.questions.lv[0] ?? e.id }))
        .sort((a, b) => a.title.localeCompare(b.title, 'lv')),
      canAct: editsKnowledge(staff, agency),
    };
    res.send(200, body);
  });

  api.agencyRoute('post', '/studio/inbox/handle', async (req, res, { staff }, { agency }) => {
    if (!editsKnowledge(staff, agency)) return sendError(res, 403, 'Forbidden', 'zināšanas var mainīt tikai redaktors');
    const knowledge = knowledgeOf(res, agency);
    if (!knowledge) return;
    const ref = groupRef.safeParse(req.body);
    if (!ref.success) return sendError(res, 400, 'BadRequest', 'grupa: key, through un days, kā tos deva iesūtne', ref.error.issues[0]?.path.join('.'));
    const action = handleBody.safeParse(req.body);
    if (!action.success) {
      return sendError(
        res,
        400,
        'BadRequest',
        'darbība: phrasing (ar entryId), new-entry, authority (ar authorityId) vai dismiss',
        action.error.issues[0]?.path.join('.'),
      );
    }
    const now = deps.now();
    const through = new Date(ref.data.through);
    const { groups } = await openGroups(agency, knowledge, ref.data.days, now, through);
    const open = groups.find((g) => g.group.key === ref.data.key);
    const covered = open && coveredBy(open, through);
    if (!open || !covered || covered.length === 0) return sendError(res, 409, 'Conflict', 'iesūtne ir mainījusies: ielādējiet to vēlreiz');
    const author = { id: staff.id, name: staff.name };
    const a = action.data;
    let draft: HandleResponse['draft'];
    // Saved only once the group is recorded as handled: of two staff handling it at once, the one
    // refused must not have changed a draft.
    let toSave: DraftInput | undefined;
    if (a.action === 'phrasing' || a.action === 'new-entry') {
      const { drafts } = deps;
      const example = open.group.examples[a.example];
      if (example === undefined) return sendError(res, 400, 'BadRequest', 'tāda piemēra grupā nav', 'example');
      // The phrasing as the matcher reads it: a redaction mark is not a topic.
      const text = withoutRedactions(example.text).replace(/\s+/g, ' ').trim();
      const origin = { kind: 'inbox' as const, group: open.group.key };
      let input: DraftInput;
      if (a.action === 'phrasing') {
        const current = await drafts.get(agency, a.entryId);
        if (current?.remove) return sendError(res, 409, 'Conflict', 'ieraksts melnrakstā ir dzēsts', 'entryId');
        // The entry as published in the store (or its files), with its version: what this instance
        // serves may not yet have heard of another instance's publish.
        const published = await deps.published(agency, a.entryId);
        const base = current?.entry ?? published?.entry;
        if (base === undefined) return sendError(res, 404, 'NotFound', 'ieraksts nav atrasts', 'entryId');
        const changed = withPhrasing(base, text, example.language);
        if (changed === undefined) return sendError(res, 409, 'Conflict', 'melnrakstā nav jautājumu saraksta: salabojiet to redaktorā', 'entryId');
        input = {
          entryId: a.entryId,
          entry: changed.entry,
          baseVersion: current ? current.baseVersion : (published?.version ?? null),
          origin,
        };
        draft = { entryId: a.entryId, added: changed.added };
        if (changed.added) toSave = input;
      } else {
        const entryId = a.entryId ?? `${agency}.jauns-${open.group.key.slice(0, 8)}`;
        if (knowledge.entries.has(entryId) || (await deps.published(agency, entryId)) !== undefined || (await drafts.get(agency, entryId)) !== undefined) {
          return sendError(res, 409, 'Conflict', 'ieraksts ar šādu identifikatoru jau ir', 'entryId');
        }
        input = { entryId, entry: newEntryFrom(entryId, text, example.language), baseVersion: null, origin };
        toSave = input;
        draft = { entryId, added: true };
      }
    } else if (a.action === 'authority' && !knowledge.authorities.has(a.authorityId)) {
      return sendError(res, 400, 'BadRequest', 'tādas iestādes uzziņā nav', 'authorityId');
    }
    const recorded = await deps.handled.record(
      agency,
      {
        key: open.group.key,
        action: a.action,
        ...(draft ? { entryId: draft.entryId } : {}),
        ...(a.action === 'authority' ? { authorityId: a.authorityId } : {}),
      },
      covered,
      author,
      now,
    );
    if (!recorded.ok) return sendError(res, 409, 'Conflict', 'šo grupu jau apstrādāja cits darbinieks: ielādējiet iesūtni vēlreiz');
    if (toSave) await deps.drafts.save(agency, toSave, author, now);
    const g = recorded.group;
    // What was done, never to which words.
    log.info({ staffId: staff.id, agency, action: g.action, questions: g.questions }, 'inbox group handled');
    const body: HandleResponse = {
      handled: {
        id: g.id,
        key: g.key,
        action: g.action,
        questions: g.questions,
        ...(g.entryId === undefined ? {} : { entryId: g.entryId }),
        ...(g.authorityId === undefined ? {} : { authorityId: g.authorityId }),
        at: g.at.toISOString(),
      },
      ...(draft ? { draft } : {}),
    };
    res.send(200, body);
  });

  api.agencyRoute('post', '/studio/impact', async (req, res, { staff }, { agency }) => {
    if (!editsKnowledge(staff, agency)) return sendError(res, 403, 'Forbidden', 'zināšanas var mainīt tikai redaktors');
    const ctx = deps.decisionContext(agency, 'lv');
    if (ctx === undefined) return sendError(res, 404, 'NotFound', 'iestāde nav atrasta');
    const body = impactBody.safeParse(req.body ?? {});
    if (!body.success) return sendError(res, 400, 'BadRequest', 'melnraksti: līdz 500 {entryId, entry, remove}', body.error.issues[0]?.path.join('.'));
    const now = deps.now();
    // The stored drafts, with the editor's unsaved ones in their place.
    const stored = await deps.drafts.list(agency);
    const byId = new Map<string, EntryDraft>(stored.map((d) => [d.entryId, d]));
    for (const d of body.data.drafts) {
      byId.set(d.entryId, {
        agency,
        entryId: d.entryId,
        entry: d.entry,
        remove: d.remove,
        baseVersion: byId.get(d.entryId)?.baseVersion ?? null,
        origin: { kind: 'editor' },
        author: { id: staff.id, name: staff.name },
        updatedAt: now.toISOString(),
      });
    }
    const recent = (await deps.records(agency).listUnanswered(new Date(now.getTime() - INBOX_DAYS * DAY_MS)))
      .slice(-IMPACT_RECENT)
      .map((q): ImpactQuestion => ({ text: q.text, language: q.language, source: { kind: 'recent', reason: q.reason } }));
    const started = performance.now();
    const result = await impact(ctx, [...byId.values()], [...deps.labelledSets(agency), ...recent]);
    const titles: Record<string, string> = {};
    const named = new Set(
      result.changes.flatMap((c) => [
        c.before.entryId,
        c.after.entryId,
        c.before.authorityId,
        c.after.authorityId,
        ...c.before.candidates,
        ...c.after.candidates,
      ]),
    );
    for (const d of byId.values()) named.add(d.entryId);
    for (const id of named) {
      if (id === null) continue;
      const drafted = byId.get(id)?.entry as { questions?: { lv?: unknown[] } } | undefined;
      const title = ctx.knowledge.entries.get(id)?.questions.lv[0] ?? ctx.knowledge.authorities.get(id)?.name.lv ?? drafted?.questions?.lv?.[0];
      if (typeof title === 'string') titles[id] = title;
    }
    log.info(
      {
        staffId: staff.id,
        agency,
        questions: result.questions,
        decided: result.decided,
        changes: result.changes.length,
        ms: Math.round(performance.now() - started),
      },
      'impact',
    );
    const response: ImpactResponse = { ...result, titles };
    res.send(200, response);
  });
}
