// The knowledge studio's editor (issue 22): under /staff/api/agencies/:agency/studio/…
//   GET    entries/:id           the entry as published (version), its draft, the draft's problems   (staff)
//   PUT    entries/:id/draft     {entry | remove: true, baseVersion}: saves the entry's draft         (editor)
//   DELETE entries/:id/draft     discards it                                                        (editor)
//   GET    drafts                every draft of the agency with its problems                       (staff)
//   POST   publish {ids?}        publishes the drafts (all, or those named), checked as kb:check    (publisher)
//   GET    entries/:id/versions  every published version, with who and when                        (staff)
//   GET    entries/:id/diff?from=N&to=M|draft   field by field                                       (staff)
//   POST   entries/:id/rollback {version}        a new version equal to that one                    (publisher)
// Who may do what is roles.ts' (editsKnowledge, publishesKnowledge). Problems are kb:check's own
// (knowledge/load.ts), naming the entry and the field; they quote the knowledge, never a citizen.
import type restify from 'restify';
import { z } from 'zod';
import type { Problem } from '../../../knowledge/load.js';
import { entryId as entryIdSchema, type AgencyProfile } from '../../../knowledge/schema.js';
import { loadPageAssets, sendStaffAsset } from '../assets.js';
import { editsKnowledge, publishesKnowledge } from '../../handover/roles.js';
import type { StaffMember } from '../../handover/repository.js';
import { errorBody } from '../../http/errors.js';
import type { Logger } from '../../log.js';
import { diffEntries } from '../../studio/diff.js';
import type { Author, EntryDraft, KnowledgeDrafts } from '../../studio/drafts.js';
import { StudioPublishing, type PublishResult, type PublishedKnowledge } from '../../studio/publishing.js';
import { FILES_AUTHOR, type AuditEvent, type KnowledgeVersions } from '../../studio/store.js';
import { sendError, type AgencyHandler, type AgencyHere, type Authed, type ConsoleApi } from '../api.js';

export interface StudioEditorDeps {
  store: KnowledgeDrafts & KnowledgeVersions;
  publishing: StudioPublishing;
  /** The agency's profile as served (the languages its entries are written in). */
  profile: (agency: string) => AgencyProfile | undefined;
  now: () => Date;
  log: Logger;
}

/** An entry's state in the studio, as the entries list shows it. */
export type EntryStatus = 'published' | 'draft' | 'new' | 'to-be-removed';

/** The last change to an entry: who, when, what. */
export interface LastChange {
  action: AuditEvent['action'];
  by: string;
  at: string;
}

/** A draft with the problems publishing it would meet. */
export interface DraftView extends EntryDraft {
  problems: Problem[];
}

/** The longest entry a draft may hold, as JSON (the largest entry of the knowledge folder is about 6 KB). */
const MAX_ENTRY_CHARS = 100_000;

/** The draft an edit began from, by the time it was saved (null: the entry had none). */
const draftSavedAt = z.iso.datetime().nullable().optional();
const draftBody = z.union([
  z.object({ remove: z.literal(true), baseVersion: z.number().int().min(1).nullable(), draftSavedAt }).strict(),
  z
    .object({ entry: z.record(z.string(), z.unknown()), remove: z.literal(false).optional(), baseVersion: z.number().int().min(1).nullable(), draftSavedAt })
    .strict(),
]);
const publishBody = z.object({ ids: z.array(entryIdSchema).min(1).max(1000).optional() }).strict();
const rollbackBody = z.object({ version: z.number().int().min(1) }).strict();
const versionParam = z.coerce.number().int().min(1);

export const authorOf = (staff: Pick<StaffMember, 'id' | 'name'>): Author => ({ id: staff.id, name: staff.name });

const lastChangeOf = (e: AuditEvent | undefined): LastChange | null => (e === undefined ? null : { action: e.action, by: e.author.name, at: e.at });

/**
 * The status and last change of each entry of the agency, and the drafts of entries not published
 * (new ones): what the entries list adds to what the knowledge serves.
 */
export async function entryStatuses(
  store: KnowledgeDrafts & KnowledgeVersions,
  agency: string,
  served: ReadonlySet<string>,
): Promise<{ statusOf: (id: string) => { status: EntryStatus; lastChange: LastChange | null }; added: EntryDraft[] }> {
  const [drafts, changes] = await Promise.all([store.list(agency), store.lastChanges(agency)]);
  const draftOf = new Map(drafts.map((d) => [d.entryId, d]));
  return {
    statusOf: (id) => {
      const draft = draftOf.get(id);
      const status: EntryStatus = draft === undefined ? 'published' : draft.remove ? 'to-be-removed' : served.has(id) ? 'draft' : 'new';
      return { status, lastChange: lastChangeOf(changes.get(id)) };
    },
    added: drafts.filter((d) => !served.has(d.entryId) && !d.remove),
  };
}

/** The problems of one entry's draft (or of the entry itself) when the agency's drafts are published with it. */
function problemsOf(problems: readonly Problem[], entryId: string): Problem[] {
  return problems.filter((p) => p.entryId === entryId || p.file.endsWith(`/entries/${entryId}.yaml`));
}

export function mountStudioEditor(api: ConsoleApi, deps: StudioEditorDeps): void {
  const { store, publishing, log } = deps;
  // The editor's script, loaded by the studio's page after studio.js.
  const script = loadPageAssets('staff studio editor', { js: 'studio-editor.js' });
  api.server.get('/staff/studio-editor.js', async function studioEditorScript(_req: restify.Request, res: restify.Response) {
    sendStaffAsset(res, script.js);
  });

  /** A route under entries/:id: an id no entry can have is not found. */
  const withEntry =
    (handler: (req: restify.Request, res: restify.Response, auth: Authed, here: AgencyHere, entryId: string) => Promise<void>): AgencyHandler =>
    async (req, res, auth, here) => {
      const id = String(req.params?.['id'] ?? '');
      if (id.length > 200 || !entryIdSchema.safeParse(id).success) return sendError(res, 404, 'NotFound', 'ieraksts nav atrasts');
      await handler(req, res, auth, here, id);
    };
  const editors =
    (handler: AgencyHandler): AgencyHandler =>
    async (req, res, auth, here) => {
      if (!editsKnowledge(auth.staff, here.agency)) return sendError(res, 403, 'Forbidden', 'zināšanas labo iestādes redaktors');
      await handler(req, res, auth, here);
    };
  const publishers =
    (handler: AgencyHandler): AgencyHandler =>
    async (req, res, auth, here) => {
      if (!publishesKnowledge(auth.staff, here.agency)) return sendError(res, 403, 'Forbidden', 'zināšanas publicē iestādes publicētājs');
      await handler(req, res, auth, here);
    };

  /** Every draft of the agency with its problems, against what is published. */
  const draftViews = async (agency: string, published: PublishedKnowledge, drafts: readonly EntryDraft[]): Promise<DraftView[]> => {
    const problems = publishing.check(agency, StudioPublishing.applied(published, drafts));
    return drafts.map((d) => ({ ...d, problems: problemsOf(problems, d.entryId) }));
  };

  const sendPublishResult = (res: restify.Response, result: PublishResult): void => {
    switch (result.kind) {
      case 'published':
        return void res.send(200, { versions: result.versions.map(({ entryId, version, at }) => ({ entryId, version, at })) });
      case 'nothing':
        return sendError(res, 400, 'BadRequest', 'nav melnrakstu, ko publicēt', 'ids');
      case 'not-found':
        return sendError(res, 404, 'NotFound', 'versija nav atrasta', 'version');
      case 'conflict':
        return void res.send(409, {
          ...errorBody({ code: 'Conflict', message: 'kāds cits tikko publicēja šo ierakstu: pārlādējiet un mēģiniet vēlreiz' }),
          entryIds: result.entryIds,
        });
      case 'invalid':
        // kb:check's problems, by entry and field: the editor shows them beside the fields.
        return void res.send(422, {
          ...errorBody({ code: 'BadRequest', message: 'zināšanas nav derīgas: izlabojiet norādītos laukus' }),
          problems: result.problems,
        });
    }
  };

  api.agencyRoute(
    'get',
    '/studio/entries/:id',
    withEntry(async (_req, res, { staff }, { agency }, entryId) => {
      const [published, drafts] = await Promise.all([publishing.published(agency), store.list(agency)]);
      const draft = drafts.find((d) => d.entryId === entryId);
      const current = published.entries.get(entryId);
      if (current === undefined && draft === undefined) return sendError(res, 404, 'NotFound', 'ieraksts nav atrasts');
      const problems = problemsOf(publishing.check(agency, StudioPublishing.applied(published, drafts)), entryId);
      res.send(200, {
        entryId,
        published: current === undefined ? null : { version: current.version, entry: current.entry },
        latestVersion: published.latest.get(entryId) ?? current?.version ?? null,
        fromStore: published.fromStore,
        // Every entry is written in each of these (kb:check: a missing translation is an error).
        languages: deps.profile(agency)?.staffLanguages ?? ['lv'],
        draft: draft ?? null,
        problems,
        may: { edit: editsKnowledge(staff, agency), publish: publishesKnowledge(staff, agency) },
      });
    }),
  );

  api.agencyRoute(
    'put',
    '/studio/entries/:id/draft',
    withEntry(
      editors(async (req, res, { staff }, { agency }) => {
        const entryId = String(req.params?.['id']);
        const body = draftBody.safeParse(req.body);
        if (!body.success) return sendError(res, 400, 'BadRequest', 'vajag ierakstu (entry) vai dzēšanu (remove: true) un bāzes versiju (baseVersion)');
        const entry = 'entry' in body.data ? body.data.entry : null;
        if (entry !== null && !(serialisedLength(entry) <= MAX_ENTRY_CHARS)) return sendError(res, 400, 'BadRequest', 'ieraksts ir pārāk garš', 'entry');
        // The edit began from this draft (its time; null: none): another editor's save since is not overwritten unseen.
        if (body.data.draftSavedAt !== undefined) {
          const current = await store.get(agency, entryId);
          if ((current?.updatedAt ?? null) !== body.data.draftSavedAt)
            return sendError(res, 409, 'Conflict', 'melnrakstu pa to laiku saglabāja cits redaktors: atveriet ierakstu vēlreiz');
        }
        const published = await publishing.published(agency);
        // "New" with an id that exists (or existed) would replace it at publish without a conflict.
        if (body.data.baseVersion === null && (published.entries.has(entryId) || published.latest.has(entryId)))
          return sendError(res, 409, 'Conflict', 'ieraksts ar šo identifikatoru jau ir: atveriet to sarakstā', 'id');
        if (body.data.remove === true && !published.entries.has(entryId)) return sendError(res, 404, 'NotFound', 'ieraksts nav publicēts');
        const saved = await store.save(
          agency,
          { entryId, entry, remove: body.data.remove === true, baseVersion: body.data.baseVersion, origin: { kind: 'editor' } },
          authorOf(staff),
          deps.now(),
        );
        const view = (await draftViews(agency, published, await store.list(agency))).find((v) => v.entryId === entryId) ?? { ...saved, problems: [] };
        log.info({ staffId: staff.id, agency, entryId, remove: saved.remove }, 'draft saved');
        res.send(200, { draft: view });
      }),
    ),
  );

  api.agencyRoute(
    'del',
    '/studio/entries/:id/draft',
    withEntry(
      editors(async (req, res, { staff }, { agency }) => {
        const entryId = String(req.params?.['id']);
        if (!(await store.discard(agency, entryId, authorOf(staff), deps.now()))) return sendError(res, 404, 'NotFound', 'melnraksta nav');
        log.info({ staffId: staff.id, agency, entryId }, 'draft discarded');
        res.send(200, { discarded: entryId });
      }),
    ),
  );

  api.agencyRoute('get', '/studio/drafts', async (_req, res, _auth, { agency }) => {
    const [published, drafts] = await Promise.all([publishing.published(agency), store.list(agency)]);
    res.send(200, { drafts: await draftViews(agency, published, drafts) });
  });

  api.agencyRoute(
    'post',
    '/studio/publish',
    publishers(async (req, res, { staff }, { agency }) => {
      const body = publishBody.safeParse(req.body ?? {});
      if (!body.success) return sendError(res, 400, 'BadRequest', 'ids: ierakstu identifikatoru saraksts', 'ids');
      const result = await publishing.publish(agency, body.data.ids, authorOf(staff));
      log.info({ staffId: staff.id, agency, result: result.kind, versions: result.kind === 'published' ? result.versions.length : 0 }, 'publish');
      sendPublishResult(res, result);
    }),
  );

  api.agencyRoute(
    'get',
    '/studio/entries/:id/versions',
    withEntry(async (_req, res, _auth, { agency }, entryId) => {
      const [versions, audit] = await Promise.all([store.versions(agency, entryId), store.audit(agency, entryId)]);
      // An entry never published from the store: its files' version 1 (not written until the first publish), or none of the agency's.
      const fromFiles = versions.length === 0 && (await publishing.published(agency)).entries.has(entryId);
      if (versions.length === 0 && !fromFiles && audit.length === 0) return sendError(res, 404, 'NotFound', 'ieraksts nav atrasts');
      res.send(200, {
        entryId,
        versions: fromFiles
          ? [{ version: 1, removed: false, by: FILES_AUTHOR.name, at: null }]
          : versions.map((v) => ({ version: v.version, removed: v.entry === null, by: v.author.name, at: v.at })),
        audit: audit.map((e) => ({ action: e.action, version: e.version, by: e.author.name, at: e.at })),
      });
    }),
  );

  api.agencyRoute(
    'get',
    '/studio/entries/:id/diff',
    withEntry(async (req, res, _auth, { agency }, entryId) => {
      const params: Record<string, unknown> = typeof req.query === 'object' && req.query !== null ? (req.query as Record<string, unknown>) : {};
      const from = versionParam.safeParse(params['from']);
      const toDraft = params['to'] === 'draft';
      const to = toDraft ? undefined : versionParam.safeParse(params['to']);
      if (!from.success || (to !== undefined && !to.success)) return sendError(res, 400, 'BadRequest', 'from: versija; to: versija vai "draft"', 'from');
      const versions = await store.versions(agency, entryId);
      const published = versions.length === 0 ? await publishing.published(agency) : undefined;
      // An agency not yet published from the store serves its files: version 1 of each entry.
      const versionEntry = (n: number): { entry: unknown } | undefined =>
        published === undefined
          ? versions.find((v) => v.version === n)
          : n === 1 && published.entries.has(entryId)
            ? { entry: published.entries.get(entryId)!.entry }
            : undefined;
      const before = versionEntry(from.data);
      const after = toDraft ? await store.get(agency, entryId) : versionEntry(to!.data!);
      if (before === undefined || after === undefined) return sendError(res, 404, 'NotFound', 'versija nav atrasta');
      const afterEntry = 'remove' in after && after.remove ? null : after.entry;
      res.send(200, { entryId, from: from.data, to: toDraft ? 'draft' : to!.data, changes: diffEntries(before.entry, afterEntry) });
    }),
  );

  api.agencyRoute(
    'post',
    '/studio/entries/:id/rollback',
    withEntry(
      publishers(async (req, res, { staff }, { agency }) => {
        const entryId = String(req.params?.['id']);
        const body = rollbackBody.safeParse(req.body);
        if (!body.success) return sendError(res, 400, 'BadRequest', 'version: versijas numurs', 'version');
        const result = await publishing.rollback(agency, entryId, body.data.version, authorOf(staff));
        log.info({ staffId: staff.id, agency, entryId, result: result.kind }, 'rollback');
        sendPublishResult(res, result);
      }),
    ),
  );
}

/** The entry's length as JSON; NaN for one JSON cannot write (nested too deep for the stack). */
function serialisedLength(entry: unknown): number {
  try {
    return JSON.stringify(entry).length;
  } catch {
    return Number.NaN;
  }
}
