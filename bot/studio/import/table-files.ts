// The table formats: CSV and TSV text (csv-parse; the separator told by the header line: a tab, a
// semicolon as Excel writes CSV with a Latvian list separator, or a comma) and Excel workbooks
// (read-excel-file, every sheet whose header row names the question and answer columns).
import { parse, CsvError } from 'csv-parse/sync';
import readXlsxFile from 'read-excel-file/node';
import { pairsOfTable, type TableRow } from './table.js';
import { problem, refused, type FoundPair, type ImportProblem, type ReadResult } from './types.js';

const NO_COLUMNS =
  'kolonnas „Jautājums” un „Atbilde” nav atrastas: pirmajā rindā jābūt virsrakstiem „Jautājums” un „Atbilde” (citām valodām, piemēram, „Question (en)”, „Answer (en)”; pēc izvēles „Avots” un „Saite”).';

/** The separator of a CSV or TSV file: the one of tab, semicolon, comma its first line has most of, outside quotes. */
export function separatorOf(text: string): string {
  const first = (text.split(/\r\n|\n|\r/).find((l) => l.trim() !== '') ?? '').replace(/"[^"]*"/g, '');
  const counts = ['\t', ';', ','].map((s) => [s, first.split(s).length - 1] as const);
  const best = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return best[1] === 0 ? ',' : best[0];
}

const CSV_PROBLEMS: Readonly<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'pēdiņas atvērtas, bet nav aizvērtas līdz faila beigām',
  CSV_INVALID_CLOSING_QUOTE: 'aiz aizverošajām pēdiņām ir vēl teksts tajā pašā laukā',
  INVALID_OPENING_QUOTE: 'pēdiņas lauka vidū (laukam ar pēdiņām tām jābūt gan sākumā, gan beigās)',
};

export function readCsv(text: string): ReadResult {
  let records: string[][];
  try {
    records = parse(text, { delimiter: separatorOf(text), bom: true, relax_column_count: true, skip_empty_lines: false, trim: false }) as string[][];
  } catch (err) {
    if (err instanceof CsvError) {
      const line = typeof (err as CsvError & { lines?: unknown }).lines === 'number' ? (err as CsvError & { lines: number }).lines : undefined;
      const what = CSV_PROBLEMS[err.code] ?? 'teksts neatbilst CSV formātam';
      return {
        ok: false,
        problems: [problem(line === undefined ? null : `line ${line}`, `${line === undefined ? 'Fails' : `${line}. teksta rindiņa`}: ${what}.`)],
      };
    }
    throw err;
  }
  // A record's number is the row a spreadsheet program shows it on (a cell with line breaks is one row).
  const rows: TableRow[] = records.map((cells, i) => ({ number: i + 1, cells }));
  const table = pairsOfTable(rows, { where: (n) => ({ where: `row ${n}`, place: `${n}. rinda` }) });
  if (table.kind === 'no-header') return refused(`Failā ${NO_COLUMNS}`);
  return table.problems.length > 0 ? { ok: false, problems: table.problems } : done(table.pairs, 'Failā');
}

export async function readXlsx(bytes: Buffer): Promise<ReadResult> {
  let sheets: Awaited<ReturnType<typeof readXlsxFile>>;
  try {
    sheets = await readXlsxFile(bytes, { trim: false });
  } catch {
    // The library's message may quote a cell: the staff member gets ours.
    return refused('Excel darbgrāmatu (.xlsx) neizdevās nolasīt: tā var būt bojāta. Atveriet to Excel programmā, saglabājiet vēlreiz un mēģiniet vēlreiz.');
  }
  const pairs: FoundPair[] = [];
  const problems: ImportProblem[] = [];
  let recognised = 0;
  for (const { sheet, data } of sheets) {
    const rows: TableRow[] = data.map((cells, i) => ({ number: i + 1, cells: cells.map(cellText) }));
    const named = sheets.length > 1;
    const table = pairsOfTable(rows, {
      where: (n) => (named ? { where: `sheet "${sheet}" row ${n}`, place: `lapa „${sheet}”, ${n}. rinda` } : { where: `row ${n}`, place: `${n}. rinda` }),
    });
    if (table.kind === 'no-header') continue;
    recognised += 1;
    pairs.push(...table.pairs);
    problems.push(...table.problems);
  }
  if (recognised === 0) return refused(`Nevienā darbgrāmatas lapā ${NO_COLUMNS}`);
  return problems.length > 0 ? { ok: false, problems } : done(pairs, 'Darbgrāmatā');
}

function done(pairs: FoundPair[], where: string): ReadResult {
  return pairs.length === 0 ? refused(`${where} ir virsrakstu rinda, bet nav neviena jautājuma ar atbildi.`) : { ok: true, pairs };
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value);
}
