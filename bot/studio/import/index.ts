// The knowledge studio's import (issue 22, item 8): an agency's existing FAQ file to draft entries
// for review. `readFaq` tells the file's kind by its content and reads its question and answer
// pairs (CSV/TSV, XLSX, DOCX, a saved HTML page), or says what is wrong, naming the row or element;
// `toDrafts` makes each pair an entry (a readable id unique in the agency, the file as its source,
// the importing staff member as its owner, reviewed today) that must pass `knowledgeEntry`. Either
// every pair becomes a draft or the file is refused whole: an import is never half done. Nothing
// here logs: a file's text is the agency's, and a problem quoting it goes to the staff member only.
import { fold, isStopword } from '../../../knowledge/normalise.js';
import { knowledgeEntry, type KnowledgeEntry } from '../../../knowledge/schema.js';
import type { DraftInput } from '../drafts.js';
import { MAX_IMPORT_BYTES, MAX_PAIRS, problem, refused, type FoundPair, type ImportProblem, type ReadResult } from './types.js';

export { MAX_IMPORT_BYTES, MAX_PAIRS, MAX_UNPACKED_BYTES, MAX_ZIP_ENTRIES, type FoundPair, type ImportProblem, type ReadResult } from './types.js';

export interface ImportFile {
  /** The file's name as the browser gave it (only shown and kept as the source, never trusted for its kind). */
  name: string;
  bytes: Buffer;
}

/** The pairs of a FAQ file, or why it cannot be imported. Never throws for what a file holds. */
export async function readFaq(file: ImportFile): Promise<ReadResult> {
  if (file.bytes.length > MAX_IMPORT_BYTES) return refused(`Fails ir lielāks par ${MAX_IMPORT_BYTES / 1024 / 1024} MB: sadaliet to vairākos failos.`);
  // The readers and their libraries load on the first file that needs them: loaded with the
  // server, they were 8.5 MB of heap and 24 MB of RSS in every process, whether or not anyone imports.
  const { detect } = await import('./container.js');
  const detected = await detect(file.bytes);
  let result: ReadResult;
  switch (detected.kind) {
    case 'refused':
      return refused(detected.message);
    case 'xlsx':
      result = await (await import('./table-files.js')).readXlsx(detected.bytes);
      break;
    case 'docx':
      result = await (await import('./docx.js')).readDocx(detected.bytes);
      break;
    case 'html':
      result = (await import('./html.js')).readHtml(detected.text);
      break;
    case 'table':
      result = (await import('./table-files.js')).readCsv(detected.text);
      break;
  }
  if (result.ok && result.pairs.length > MAX_PAIRS)
    return refused(`Failā ir ${result.pairs.length} jautājumi; vienā importā var būt līdz ${MAX_PAIRS}. Sadaliet to vairākos failos.`);
  return result;
}

export interface DraftContext {
  agency: string;
  /** Entry ids the agency already has, published or drafted: a new id is none of them. */
  taken: ReadonlySet<string>;
  /** The importing staff member's name: the entries' owner until the agency names another. */
  owner: string;
  /** YYYY-MM-DD: the entries are reviewed as of the import. */
  today: string;
  /** The file's name, cleaned (cleanFileName). */
  file: string;
}

export type DraftsResult = { ok: true; drafts: DraftInput[] } | { ok: false; problems: ImportProblem[] };

/** Every pair as a new entry's draft, each checked by `knowledgeEntry`; any that fails refuses them all. */
export function toDrafts(pairs: readonly FoundPair[], ctx: DraftContext): DraftsResult {
  const used = new Set(ctx.taken);
  const drafts: DraftInput[] = [];
  const problems: ImportProblem[] = [];
  for (const pair of pairs) {
    const id = uniqueId(`${ctx.agency}.${slugOf(pair.questions.lv?.[0] ?? '')}`, used);
    used.add(id);
    const links = new Map<string, string>();
    for (const link of pair.links) if (!links.has(link.url)) links.set(link.url, link.title);
    const entry: KnowledgeEntry = {
      id,
      kind: 'topic',
      questions: pair.questions as KnowledgeEntry['questions'],
      answer: pair.answers as KnowledgeEntry['answer'],
      links: [...links].map(([url, title]) => ({ url, title: { lv: title } })),
      sources: [...new Set([...pair.sources, `${ctx.file}, ${pair.place}`])],
      owner: ctx.owner,
      reviewed: ctx.today,
      followUps: [],
      offerStaff: false,
    };
    const checked = knowledgeEntry.safeParse(entry);
    if (!checked.success) {
      for (const issue of checked.error.issues) problems.push(problem(pair.where, `${pair.place}: ${issueText(issue.path)}`));
      continue;
    }
    drafts.push({ entryId: id, entry: checked.data, baseVersion: null, origin: { kind: 'import', file: ctx.file, where: pair.where } });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, drafts };
}

/** What a failed check means, in the staff member's words. */
function issueText(path: readonly PropertyKey[]): string {
  const [field] = path;
  if (field === 'links') return 'saite nav derīga tīmekļa adrese (jāsākas ar http:// vai https://).';
  if (field === 'sources') return 'avots nav ne tīmekļa adrese, ne dokumenta punkts.';
  if (field === 'questions') return 'jautājums ir tukšs.';
  if (field === 'answer') return 'atbilde ir tukša.';
  if (field === 'owner') return 'nav zināms, kas atbild par ierakstu.';
  return `ieraksts neatbilst zināšanu bāzes formātam (${path.map(String).join('.')}).`;
}

/** The longest slug of an id: the question's first topic words. */
const MAX_SLUG = 48;

/** A readable id part from a question: its topic words, folded (Latvian letters without their marks), joined by "-". */
export function slugOf(question: string): string {
  const all = fold(question)
    .split(' ')
    .map((w) => w.replace(/[^a-z0-9]/g, ''))
    .filter((w) => w !== '');
  const topical = all.filter((w) => (w.length > 1 || /\d/.test(w)) && !isStopword(w));
  const words = topical.length > 0 ? topical : all;
  let slug = '';
  for (const word of words) {
    const next = slug === '' ? word : `${slug}-${word}`;
    if (next.length > MAX_SLUG) break;
    slug = next;
  }
  return slug === '' ? (words[0]?.slice(0, MAX_SLUG) ?? 'jautajums') : slug;
}

function uniqueId(base: string, used: ReadonlySet<string>): string {
  if (!used.has(base)) return base;
  for (let n = 2; ; n += 1) if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** A browser's file name as the source names it: no folders ("C:\fakepath\…"), no control characters, at most 120 characters. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  const short = clean.length > 120 ? `${clean.slice(0, 119)}…` : clean;
  return short.length >= 2 ? short : 'importētais fails';
}
