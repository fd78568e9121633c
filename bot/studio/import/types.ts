// What the import's readers share: a question and answer pair found in a file (before it has an id
// and becomes an entry), a problem named by its row or element, and the limits every file is held to.
import type { LanguageCode } from '../../../knowledge/schema.js';

/** A question and its answer as a file has them, with the place they were found. */
export interface FoundPair {
  /** Where in the file, as the draft's origin records it: `row 7`, `sheet "BUJ" row 7`, `heading "…"`, `dt 3`, `summary 2`. */
  where: string;
  /** The same place in Latvian, for the staff member's messages: `7. rinda`, `virsraksts „…”`. */
  place: string;
  /** Phrasings of the question per language; Latvian is the one every pair must have. */
  questions: Partial<Record<LanguageCode, string[]>>;
  /** The answer per language, as the widget shows it: paragraphs on lines, list items as `- …`. */
  answers: Partial<Record<LanguageCode, string>>;
  /** Links the answer held (absolute http(s) only), titled with their text. */
  links: { url: string; title: string }[];
  /** Sources the file names for this pair beyond the file itself (a page's own URL, a "source" column). */
  sources: string[];
}

/** What is wrong, in Latvian, naming the place; `where` as in FoundPair, or null for the whole file. */
export interface ImportProblem {
  where: string | null;
  message: string;
}

export type ReadResult = { ok: true; pairs: FoundPair[] } | { ok: false; problems: ImportProblem[] };

/** The largest file taken: a 100-question FAQ is 10–70 KB in every format; pictures in a document make it larger. */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
/** A zip (XLSX, DOCX) may unpack to at most this many bytes in all and hold at most this many files: beyond, a zip bomb. */
export const MAX_UNPACKED_BYTES = 50 * 1024 * 1024;
export const MAX_ZIP_ENTRIES = 2000;
/** The most pairs one file may make: a larger FAQ is imported in parts. */
export const MAX_PAIRS = 1000;

export const problem = (where: string | null, message: string): ImportProblem => ({ where, message });
export const refused = (message: string): ReadResult => ({ ok: false, problems: [problem(null, message)] });

/** A quoted piece of a file's text for a place name: at most 60 characters, on one line. */
export function quoted(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}
