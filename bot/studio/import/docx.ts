// A FAQ written in Word (.docx): mammoth turns the document into HTML (headings as h1–h6, lists as
// ul/ol), and a question is a heading or a paragraph all in bold; the paragraphs and lists after it,
// up to the next question, are its answer. Pictures are dropped unread, and mammoth is told never
// to open a file the document links to.
import mammoth from 'mammoth';
import { DomUtils, parseHtml } from './dom.js';
import type { Element } from 'domhandler';
import { headingLevel, headingPlace, pairsOfSections, text } from './sections.js';
import { quoted, refused, type ReadResult } from './types.js';

/** A bold paragraph longer than this is a warning in an answer, not a question. */
const MAX_BOLD_QUESTION = 200;

export async function readDocx(bytes: Buffer): Promise<ReadResult> {
  let html: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: bytes },
      { externalFileAccess: false, convertImage: mammoth.images.imgElement(async () => ({ src: '' })) },
    );
    html = result.value;
  } catch {
    // mammoth's message may quote the document: the staff member gets ours.
    return refused('Word dokumentu (.docx) neizdevās nolasīt: tas var būt bojāts. Atveriet to Word programmā, saglabājiet vēlreiz un mēģiniet vēlreiz.');
  }
  const doc = parseHtml(html);
  // Lists within lists within tables: a document nests far less than the limit.
  if (doc === undefined) return refused('Dokumenta saraksti un tabulas ir ielikti cits citā pārāk dziļi: tādu dokumentu neimportē.');
  const { pairs, problems } = pairsOfSections(doc.children, {
    questionOf: (e) => {
      if (headingLevel(e) !== undefined) {
        const question = text(e);
        return question === '' ? undefined : headingPlace(question);
      }
      // A paragraph of the document itself, not one inside a list or a table.
      if (e.name !== 'p' || !(e.parent === null || e.parent.type === 'root')) return undefined;
      const question = text(e);
      if (question === '' || question.length > MAX_BOLD_QUESTION || !boldOnly(e)) return undefined;
      return { where: `bold paragraph "${quoted(question)}"`, place: `treknrakstā rakstīta rindkopa „${quoted(question)}”` };
    },
    boundary: () => false,
  });
  if (pairs.length === 0 && problems.length === 0) {
    return refused(
      'Dokumentā nav atrasts neviens jautājums ar atbildi: jautājumiem jābūt virsrakstiem (stils „Virsraksts 1–3”) vai treknrakstā rakstītām rindkopām, atbildei — rindkopām aiz tiem.',
    );
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, pairs };
}

/** Every letter of the paragraph is inside <strong> (mammoth's bold). */
function boldOnly(p: Element): boolean {
  const bold = DomUtils.findAll((e) => e.name === 'strong', p.children)
    .filter((s) => !DomUtils.findOne((up) => up.name === 'strong', s.children))
    .map((s) => text(s))
    .join('');
  return bold.replace(/\s+/g, '') === text(p).replace(/\s+/g, '');
}
