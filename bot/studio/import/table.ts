// A FAQ as a table (a CSV or TSV file, an Excel sheet): a header row naming the columns, then a
// question and its answer per row. Columns are told by their header's words, in the languages staff
// write them ("Jautājums", "Atbilde", "Question (en)", "Ответ (ru)"); a header without a language is
// Latvian. The Latvian question and answer columns are required; other languages, a source and a
// link column are taken where the file has them.
import { fold } from '../../../knowledge/normalise.js';
import { LANGUAGE_CODES, type LanguageCode } from '../../../knowledge/schema.js';
import { LANGUAGE_NAMES_LV } from '../../handover/mail.js';
import { answerText } from './answer-text.js';
import { problem, type FoundPair, type ImportProblem } from './types.js';

export interface TableRow {
  /** The row's number as the spreadsheet program shows it (the header is usually 1). */
  number: number;
  cells: string[];
}

type Column = { kind: 'question' | 'answer'; language: LanguageCode } | { kind: 'source' | 'link' };

const KIND_WORDS: Readonly<Record<string, 'question' | 'answer' | 'source' | 'link'>> = Object.fromEntries([
  ...['jautajums', 'jautajumi', 'question', 'questions', 'вопрос', 'питання', 'frage', 'klausimas', 'kusimus', 'pytanie'].map((w) => [w, 'question'] as const),
  ...['atbilde', 'atbildes', 'answer', 'answers', 'ответ', 'відповідь', 'antwort', 'atsakymas', 'vastus', 'odpowiedz', 'reponse'].map(
    (w) => [w, 'answer'] as const,
  ),
  ...['avots', 'avoti', 'source', 'sources'].map((w) => [w, 'source'] as const),
  ...['saite', 'saites', 'link', 'links', 'url'].map((w) => [w, 'link'] as const),
]);

/** Language names as headers say them ("Jautājums angliski", "Answer in English"), folded. */
const LANGUAGE_WORDS: Readonly<Record<string, LanguageCode>> = {
  latviski: 'lv',
  latviesu: 'lv',
  latvian: 'lv',
  angliski: 'en',
  anglu: 'en',
  english: 'en',
  krieviski: 'ru',
  krievu: 'ru',
  russian: 'ru',
  ukrainiski: 'uk',
  ukrainu: 'uk',
  ukrainian: 'uk',
  vaciski: 'de',
  vacu: 'de',
  german: 'de',
  lietuviski: 'lt',
  lietuviesu: 'lt',
  lithuanian: 'lt',
  igauniski: 'et',
  igaunu: 'et',
  estonian: 'et',
  poliski: 'pl',
  polu: 'pl',
  polish: 'pl',
  franciski: 'fr',
  francu: 'fr',
  french: 'fr',
};

/** What a header names, if it is a column the import knows. */
export function columnOf(header: string): Column | undefined {
  const words = fold(header).split(' ');
  const kind = words.map((w) => KIND_WORDS[w]).find((k) => k !== undefined);
  if (kind === undefined) return undefined;
  if (kind === 'source' || kind === 'link') return { kind };
  const named = words.map((w) => ((LANGUAGE_CODES as readonly string[]).includes(w) ? (w as LanguageCode) : LANGUAGE_WORDS[w])).find((l) => l !== undefined);
  return { kind, language: named ?? 'lv' };
}

export interface TableOptions {
  /** The place of a row: `row 7` / `7. rinda`, or with the sheet's name. */
  where(row: number): { where: string; place: string };
}

export type TableResult = { kind: 'pairs'; pairs: FoundPair[]; problems: ImportProblem[] } | { kind: 'no-header' };

/**
 * The pairs of a table whose first non-empty row is its header. `no-header` when that row names
 * no Latvian question and answer columns (a sheet of something else).
 */
export function pairsOfTable(rows: readonly TableRow[], options: TableOptions): TableResult {
  const filled = rows.filter((r) => r.cells.some((c) => c.trim() !== ''));
  const header = filled[0];
  if (header === undefined) return { kind: 'no-header' };
  const columns = new Map<number, Column>();
  const problems: ImportProblem[] = [];
  const seen = new Map<string, number>();
  header.cells.forEach((cell, index) => {
    const column = columnOf(cell);
    if (column === undefined) return;
    const key = 'language' in column ? `${column.kind}:${column.language}` : column.kind;
    const earlier = seen.get(key);
    if (earlier !== undefined && (column.kind === 'question' || column.kind === 'answer')) {
      const at = options.where(header.number);
      problems.push(
        problem(
          at.where,
          `${at.place}: divas kolonnas ar ${LANGUAGE_NAMES_LV[column.language]} valodas ${column.kind === 'question' ? 'jautājumu' : 'atbildi'} (${earlier + 1}. un ${index + 1}.). Atstājiet vienu.`,
        ),
      );
      return;
    }
    seen.set(key, index);
    columns.set(index, column);
  });
  if (!seen.has('question:lv') || !seen.has('answer:lv')) return { kind: 'no-header' };
  if (problems.length > 0) return { kind: 'pairs', pairs: [], problems };

  const pairs: FoundPair[] = [];
  for (const row of filled.slice(1)) {
    const at = options.where(row.number);
    const pair: FoundPair = { ...at, questions: {}, answers: {}, links: [], sources: [] };
    for (const [index, column] of columns) {
      const cell = (row.cells[index] ?? '').trim();
      if (cell === '') continue;
      if (column.kind === 'question') {
        // One phrasing a line: a cell may hold several ways of asking the same thing.
        const phrasings = cell
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter((l) => l !== '');
        pair.questions[column.language] = phrasings;
      } else if (column.kind === 'answer') {
        pair.answers[column.language] = answerText(cell);
      } else if (column.kind === 'source') {
        pair.sources.push(...cell.split(/\s*\n\s*/).filter((s) => s !== ''));
      } else {
        for (const url of cell.split(/\s+/).filter((u) => u !== '')) pair.links.push({ url, title: url.replace(/^https?:\/\//, '').replace(/\/$/, '') });
      }
    }
    const hasQuestion = (pair.questions.lv?.length ?? 0) > 0;
    const hasAnswer = (pair.answers.lv ?? '') !== '';
    if (!hasQuestion && !hasAnswer) {
      problems.push(problem(at.where, `${at.place}: nav ne latviešu jautājuma, ne atbildes (tikai citas kolonnas).`));
    } else if (!hasQuestion) {
      problems.push(problem(at.where, `${at.place}: ir atbilde, bet nav jautājuma latviešu valodā.`));
    } else if (!hasAnswer) {
      problems.push(problem(at.where, `${at.place}: ir jautājums, bet nav atbildes latviešu valodā.`));
    } else {
      pairs.push(pair);
    }
  }
  return { kind: 'pairs', pairs, problems };
}
