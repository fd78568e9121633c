// The knowledge studio's import (issue 22, item 8): an agency's existing FAQ file in, draft entries
// for review out, all or none.
//   POST /staff/api/agencies/:agency/studio/import   the file itself as the body
//        (application/octet-stream), its name in X-File-Name (percent-encoded UTF-8); editors only
//   GET  /staff/studio-import.js                     the studio page's import part
// The file is the raw body rather than a multipart form: the server refuses multipart everywhere
// (restify's parser writes it to disk past the limits), one file needs no form around it, a
// browser's fetch sends a File as it is, and the route counts the bytes as they arrive against the
// import's own limit (bot/server.ts UploadRoute, bot/http/upload.ts). What a file holds is the
// agency's text: it is never logged; a problem quoting it goes back to the staff member only.
import type restify from 'restify';
import type { Knowledge } from '../../../knowledge/knowledge.js';
import type { Logger } from '../../log.js';
import { errorBody } from '../../http/errors.js';
import { readUpload } from '../../http/upload.js';
import { editsKnowledge } from '../../handover/roles.js';
import type { UploadRoute } from '../../server.js';
import type { KnowledgeDrafts } from '../../studio/drafts.js';
import { cleanFileName, MAX_IMPORT_BYTES, readFaq, toDrafts, type ImportProblem } from '../../studio/import/index.js';
import { loadPageAssets, sendStaffAsset } from '../assets.js';
import { sendError, type ConsoleApi } from '../api.js';

/** The header that names the file: percent-encoded, since a header is Latin-1 and names are not. */
export const FILE_NAME_HEADER = 'x-file-name';

/** The import's route as the server admits it: a raw file body up to the import's limit. */
export const STUDIO_IMPORT_UPLOAD: UploadRoute = { path: /^\/staff\/api\/agencies\/[^/]+\/studio\/import$/, maxBytes: MAX_IMPORT_BYTES };

export interface StudioImportDeps {
  drafts: KnowledgeDrafts;
  /** The agency's knowledge now (its entry ids are taken); undefined for an agency not served. */
  knowledge: (agency: string) => Knowledge | undefined;
  now: () => Date;
  log: Logger;
}

/** What an import made: one draft per question, in the file's order. */
export interface ImportResponse {
  file: string;
  drafts: { entryId: string; question: string; where: string }[];
}

/** A refused file: the server's error shape, and every problem found, each naming its row or element. */
export interface ImportRefusal {
  error: { code: 'BadRequest'; message: string; field: 'file' };
  problems: ImportProblem[];
}

export function mountStudioImport(api: ConsoleApi, deps: StudioImportDeps): void {
  const { log } = deps;
  const assets = loadPageAssets('studio import', { js: 'studio-import.js' });
  api.server.get('/staff/studio-import.js', async function studioImportScript(_req: restify.Request, res: restify.Response) {
    sendStaffAsset(res, assets.js);
  });

  api.agencyRoute('post', '/studio/import', async (req, res, { staff }, here) => {
    // Refused before a byte of the file is read.
    if (!editsKnowledge(staff, here.agency)) return sendError(res, 403, 'Forbidden', 'zināšanas importēt var iestādes zināšanu redaktors');
    const knowledge = deps.knowledge(here.agency);
    if (knowledge === undefined) return sendError(res, 404, 'NotFound', 'iestāde nav atrasta');
    let name: string;
    try {
      name = decodeURIComponent(req.header(FILE_NAME_HEADER, ''));
    } catch {
      name = '';
    }
    if (name.trim() === '') return sendError(res, 400, 'MissingProperty', 'faila nosaukums (galvene X-File-Name)', 'name');
    const body = await readUpload(req, MAX_IMPORT_BYTES);
    if (!body.ok) {
      res.setHeader('Connection', 'close');
      if (body.reason === 'too-large') return sendError(res, 413, 'PayloadTooLarge', `fails ir lielāks par ${MAX_IMPORT_BYTES / 1024 / 1024} MB`, 'file');
      return sendError(res, 400, 'BadRequest', 'fails nav saņemts līdz galam', 'file');
    }
    const file = cleanFileName(name);
    const read = await readFaq({ name: file, bytes: body.bytes });
    if (!read.ok) return refuse(res, read.problems);
    const drafted = await deps.drafts.list(here.agency);
    const taken = new Set([...knowledge.entries.keys(), ...drafted.map((d) => d.entryId)]);
    const now = deps.now();
    const made = toDrafts(read.pairs, { agency: here.agency, taken, owner: staff.name, today: now.toISOString().slice(0, 10), file });
    if (!made.ok) return refuse(res, made.problems);
    const saved = await deps.drafts.saveAll(here.agency, made.drafts, { id: staff.id, name: staff.name }, now);
    // How many, never what: the file's name and text are the agency's.
    log.info({ staffId: staff.id, agency: here.agency, drafts: saved.length }, 'knowledge imported');
    const questionOf = new Map(made.drafts.map((d) => [d.entryId, d]));
    const response: ImportResponse = {
      file,
      drafts: saved.map((d) => {
        const input = questionOf.get(d.entryId);
        const entry = input?.entry as { questions?: { lv?: string[] } } | undefined;
        return { entryId: d.entryId, question: entry?.questions?.lv?.[0] ?? d.entryId, where: input?.origin.kind === 'import' ? input.origin.where : '' };
      }),
    };
    res.send(200, response);
  });
}

function refuse(res: restify.Response, problems: ImportProblem[]): void {
  const message = problems.length === 1 ? 'failu nevar importēt' : `failu nevar importēt: ${problems.length} problēmas`;
  const body: ImportRefusal = { ...(errorBody({ code: 'BadRequest', message, field: 'file' }) as ImportRefusal), problems };
  res.send(400, body);
}
