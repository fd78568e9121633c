// What kind of file an import is, told by its content, not its name (XLSX and DOCX are both zip
// files; a saved page and a CSV are both text), and the checks made before any reader opens it: a
// zip is walked entry by entry (yauzl) and every entry inflated and counted, so a zip bomb or a
// damaged archive is refused here, before mammoth or read-excel-file would unpack it in memory.
import yauzl from 'yauzl';
import { MAX_UNPACKED_BYTES, MAX_ZIP_ENTRIES } from './types.js';

export type FileKind = { kind: 'xlsx' | 'docx'; bytes: Buffer } | { kind: 'html' | 'table'; text: string };
export type Detected = FileKind | { kind: 'refused'; message: string };

const ACCEPTED = 'Der CSV vai TSV teksts, Excel darbgrāmata (.xlsx), Word dokuments (.docx) vai saglabāta tīmekļa lapa (.html).';

const starts = (bytes: Buffer, ...signature: number[]) => signature.every((b, i) => bytes[i] === b);

export async function detect(bytes: Buffer): Promise<Detected> {
  if (bytes.length === 0 || /^\s*$/.test(bytes.subarray(0, 4096).toString('latin1'))) return refused('Fails ir tukšs.');
  if (starts(bytes, 0x50, 0x4b, 0x03, 0x04) || starts(bytes, 0x50, 0x4b, 0x05, 0x06)) return zipKind(bytes);
  // An OLE2 compound file: an old .doc or .xls, or an Office file protected with a password.
  if (starts(bytes, 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1))
    return refused(
      'Šis ir vecā formāta (.doc, .xls) vai ar paroli aizsargāts Office fails. Saglabājiet to kā .docx vai .xlsx bez paroles un mēģiniet vēlreiz.',
    );
  if (starts(bytes, 0x25, 0x50, 0x44, 0x46)) return refused(`PDF failus nevar importēt. ${ACCEPTED}`);
  const text = decodeText(bytes);
  if (text === undefined) return refused(`Šī faila veidu nevar importēt. ${ACCEPTED}`);
  if (/^\s*(<!--[\s\S]*?-->\s*)*<(!doctype\s+html|html|head|body)\b/i.test(text) || (/^\s*</.test(text) && /<(h[1-6]|dl|details)\b/i.test(text))) {
    return { kind: 'html', text };
  }
  return { kind: 'table', text };
}

function refused(message: string): Detected {
  return { kind: 'refused', message };
}

/**
 * Text as people save it: UTF-8 (a BOM or not), Excel's "Unicode text" (UTF-16 with a BOM), or
 * Excel's CSV on a Latvian Windows (Windows-1257, the Baltic code page). Binary content (NUL bytes
 * without a UTF-16 BOM) is no text.
 */
function decodeText(bytes: Buffer): string | undefined {
  if (starts(bytes, 0xff, 0xfe)) return new TextDecoder('utf-16le').decode(bytes);
  if (starts(bytes, 0xfe, 0xff)) return new TextDecoder('utf-16be').decode(bytes);
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1257').decode(bytes);
  }
}

/** A zip's kind by the parts it holds, once every entry has been inflated within the limits. */
async function zipKind(bytes: Buffer): Promise<Detected> {
  const damaged = refused('Fails ir bojāts: to nevar atvērt kā .xlsx vai .docx (zip) failu.');
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true, validateEntrySizes: true, decodeStrings: true });
  } catch {
    return damaged;
  }
  const tooLarge = refused(`Fails atarhivēts būtu lielāks par ${MAX_UNPACKED_BYTES / 1024 / 1024} MB vai satur pārāk daudz daļu: tādu neimportē.`);
  if (zip.entryCount > MAX_ZIP_ENTRIES) {
    zip.close();
    return tooLarge;
  }
  const names = new Set<string>();
  let unpacked = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.isEncrypted()) {
        zip.close();
        return refused('Fails ir aizsargāts ar paroli. Saglabājiet to bez paroles un mēģiniet vēlreiz.');
      }
      names.add(entry.fileName);
      // The sizes the archive declares first (cheap), then what inflating really gives: a lying
      // header is caught by yauzl (validateEntrySizes) or by the count.
      if (unpacked + entry.uncompressedSize > MAX_UNPACKED_BYTES) {
        zip.close();
        return tooLarge;
      }
      if (entry.fileName.endsWith('/')) continue;
      const stream = await zip.openReadStreamPromise(entry);
      for await (const chunk of stream) {
        unpacked += (chunk as Buffer).length;
        if (unpacked > MAX_UNPACKED_BYTES) {
          stream.destroy();
          zip.close();
          return tooLarge;
        }
      }
    }
  } catch {
    zip.close();
    return damaged;
  }
  if (names.has('word/document.xml')) return { kind: 'docx', bytes };
  if (names.has('xl/workbook.xml')) return { kind: 'xlsx', bytes };
  if (names.has('mimetype') && [...names].some((n) => n === 'content.xml'))
    return refused('Šis ir OpenDocument (.odt, .ods) fails. Saglabājiet to kā .docx vai .xlsx un mēģiniet vēlreiz.');
  return refused(`Šis zip fails nav ne Excel darbgrāmata, ne Word dokuments. ${ACCEPTED}`);
}
