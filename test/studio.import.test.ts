// The studio's import (bot/studio/import/) on real files: XLSX written by write-excel-file, DOCX by
// the docx package, zips by fflate, CSV/TSV and HTML as people save them. Each good file gives drafts
// that pass knowledgeEntry, with the origin's row or element, readable unique ids, the file as
// source; each bad one (empty, too large, an unknown kind, a zip bomb, a damaged file, no questions,
// a row without its answer) gives its message naming the place, and no drafts at all.
import { Document, ExternalHyperlink, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import writeXlsxFile from 'write-excel-file/node';
import { knowledgeEntry } from '../knowledge/schema.js';
import { MAX_IMPORT_BYTES, MAX_UNPACKED_BYTES, cleanFileName, readFaq, slugOf, toDrafts, type ReadResult } from '../bot/studio/import/index.js';
import type { DraftInput } from '../bot/studio/drafts.js';

const TODAY = '2026-12-02';
const context = (file: string, taken: string[] = []) => ({ agency: 'library', taken: new Set(taken), owner: 'Anna Bērziņa', today: TODAY, file });

async function imported(name: string, bytes: Buffer, taken: string[] = []): Promise<DraftInput[]> {
  const read = await readFaq({ name, bytes });
  if (!read.ok) throw new Error(`not imported: ${JSON.stringify(read.problems)}`);
  const made = toDrafts(read.pairs, context(name, taken));
  if (!made.ok) throw new Error(`no drafts: ${JSON.stringify(made.problems)}`);
  for (const d of made.drafts) expect(knowledgeEntry.safeParse(d.entry).success).toBe(true);
  return made.drafts;
}

async function refusedWith(bytes: Buffer, name = 'faq.bin'): Promise<{ where: string | null; message: string }[]> {
  const read: ReadResult = await readFaq({ name, bytes });
  expect(read.ok).toBe(false);
  return read.ok ? [] : read.problems;
}

type Entry = {
  id: string;
  questions: Record<string, string[]>;
  answer: Record<string, string>;
  links: { url: string; title: { lv: string } }[];
  sources: string[];
  owner: string;
  reviewed: string;
};
const entryOf = (d: DraftInput) => d.entry as Entry;
const whereOf = (d: DraftInput) => (d.origin.kind === 'import' ? d.origin.where : '');

const xlsx = async (data: (string | null)[][], sheet = 'BUJ') => Buffer.from(await writeXlsxFile(data, { sheet }).toBuffer());

describe('XLSX', () => {
  it('makes a draft per row: columns per language, lists kept, the row as its origin, the file and a source column as sources', async () => {
    const file = await xlsx([
      ['Jautājums', 'Atbilde', 'Question (en)', 'Answer (en)', 'Avots'],
      [
        'Kā saņemt lasītāja karti?',
        'Karti izsniedz bez maksas.\n• ar pasi\n• ar ID karti',
        'How do I get a reader card?',
        'The card is free.',
        'https://library.example.lv/karte',
      ],
      [null, null, null, null, null],
      ['Cik ilgi var paturēt grāmatu?\nLīdz kuram datumam jāatdod grāmata?', 'Četras nedēļas; termiņu var pagarināt.', null, null, null],
    ]);
    const drafts = await imported('BUJ.xlsx', file);
    expect(drafts.map(whereOf)).toEqual(['row 2', 'row 4']);
    const [card, loan] = drafts.map(entryOf) as [Entry, Entry];
    expect(card.id).toBe('library.sanemt-lasitaja-karti');
    expect(card.questions).toEqual({ lv: ['Kā saņemt lasītāja karti?'], en: ['How do I get a reader card?'] });
    expect(card.answer).toEqual({ lv: 'Karti izsniedz bez maksas.\n- ar pasi\n- ar ID karti', en: 'The card is free.' });
    expect(card.sources).toEqual(['https://library.example.lv/karte', 'BUJ.xlsx, 2. rinda']);
    expect(card.owner).toBe('Anna Bērziņa');
    expect(card.reviewed).toBe(TODAY);
    // A cell's lines are phrasings of one question.
    expect(loan.questions.lv).toEqual(['Cik ilgi var paturēt grāmatu?', 'Līdz kuram datumam jāatdod grāmata?']);
    expect(drafts.every((d) => d.baseVersion === null && d.origin.kind === 'import' && d.origin.file === 'BUJ.xlsx')).toBe(true);
  });

  it('takes every sheet with the columns, naming the sheet in the origin; a sheet of something else is left alone', async () => {
    const file = Buffer.from(
      await writeXlsxFile([
        {
          sheet: 'Piezīmes',
          data: [
            ['Kas', 'Kad'],
            ['pārskatīt', 'janvārī'],
          ],
        },
        {
          sheet: 'Bibliotēka',
          data: [
            ['Jautājums', 'Atbilde'],
            ['Vai bibliotēka strādā sestdienās?', 'Jā, no 10 līdz 16.'],
          ],
        },
      ]).toBuffer(),
    );
    const drafts = await imported('faq.xlsx', file);
    expect(drafts.map(whereOf)).toEqual(['sheet "Bibliotēka" row 2']);
  });

  it('gives ids unique against the agency and within the file, transliterating Latvian letters', async () => {
    const file = await xlsx([
      ['Jautājums', 'Atbilde'],
      ['Kā pagarināt grāmatas termiņu?', 'Internetā vai pa tālruni.'],
      ['Kā pagarināt grāmatas termiņu?', 'Arī klātienē.'],
      ['Ķēķis, žurnāls, ūdens, ņirgāšanās, ģimene, čaumala', 'Vārdi ar garumzīmēm.'],
    ]);
    const ids = (await imported('faq.xlsx', file, ['library.pagarinat-gramatas-terminu'])).map((d) => entryOf(d).id);
    expect(ids).toEqual([
      'library.pagarinat-gramatas-terminu-2',
      'library.pagarinat-gramatas-terminu-3',
      'library.kekis-zurnals-udens-nirgasanas-gimene-caumala',
    ]);
  });

  it('refuses a row with a question and no answer, and one with an answer and no question, naming the rows; no drafts', async () => {
    const problems = await refusedWith(
      await xlsx([
        ['Jautājums', 'Atbilde'],
        ['Kur atrodas bibliotēka?', 'Brīvības ielā 1.'],
        ['Vai ir Wi-Fi?', null],
        [null, 'Jā, bez maksas.'],
      ]),
    );
    expect(problems.map((p) => p.where)).toEqual(['row 3', 'row 4']);
    expect(problems[0]!.message).toMatch(/^3\. rinda: .*nav atbildes/);
    expect(problems[1]!.message).toMatch(/^4\. rinda: .*nav jautājuma/);
  });

  it('refuses a workbook without the question and answer columns, saying which headers it needs', async () => {
    const [p] = await refusedWith(
      await xlsx([
        ['Vārds', 'Tālrunis'],
        ['Anna', '123'],
      ]),
    );
    expect(p!.message).toMatch(/„Jautājums” un „Atbilde”/);
  });

  it('refuses a damaged workbook with its own message, not the library’s', async () => {
    const broken = Buffer.from(
      zipSync({ '[Content_Types].xml': strToU8('<Types/>'), 'xl/workbook.xml': strToU8('<workbook><sheets><sheet name="a" r:id="x"') }),
    );
    const [p] = await refusedWith(broken, 'faq.xlsx');
    expect(p!.message).toMatch(/Excel darbgrāmatu \(\.xlsx\) neizdevās nolasīt/);
  });
});

const docx = async (children: Paragraph[]) => Buffer.from(await Packer.toBuffer(new Document({ sections: [{ children }] })));

describe('DOCX', () => {
  it('takes headings and bold-only paragraphs as questions, the paragraphs and lists after them as answers, links into the entry’s links', async () => {
    const file = await docx([
      new Paragraph({ text: 'Bibliotēkas BUJ', heading: HeadingLevel.HEADING_1 }),
      new Paragraph({ text: 'Kā pieteikties lasītāja kartei?', heading: HeadingLevel.HEADING_2 }),
      new Paragraph({ children: [new TextRun('Pieteikties var divējādi:')] }),
      new Paragraph({ text: 'klātienē ar personu apliecinošu dokumentu;', bullet: { level: 0 } }),
      new Paragraph({ text: 'tiešsaistē.', bullet: { level: 0 } }),
      new Paragraph({
        children: [
          new TextRun('Sīkāk skatiet '),
          new ExternalHyperlink({ link: 'https://library.example.lv/noteikumi', children: [new TextRun('lietošanas noteikumos')] }),
          new TextRun('.'),
        ],
      }),
      new Paragraph({ children: [new TextRun({ text: 'Vai par karti jāmaksā?', bold: true })] }),
      new Paragraph({ children: [new TextRun('Nē, '), new TextRun({ text: 'karte ir bez maksas', bold: true }), new TextRun('.')] }),
    ]);
    const drafts = await imported('BUJ.docx', file);
    expect(drafts.map(whereOf)).toEqual(['heading "Kā pieteikties lasītāja kartei?"', 'bold paragraph "Vai par karti jāmaksā?"']);
    const [apply, free] = drafts.map(entryOf) as [Entry, Entry];
    expect(apply.answer.lv).toBe(
      'Pieteikties var divējādi:\n- klātienē ar personu apliecinošu dokumentu;\n- tiešsaistē.\nSīkāk skatiet lietošanas noteikumos.',
    );
    expect(apply.links).toEqual([{ url: 'https://library.example.lv/noteikumi', title: { lv: 'lietošanas noteikumos' } }]);
    expect(apply.sources).toEqual(['BUJ.docx, virsraksts „Kā pieteikties lasītāja kartei?”']);
    // A paragraph only partly bold is an answer, not a question.
    expect(free.answer.lv).toBe('Nē, karte ir bez maksas.');
  });

  it('refuses a document with no headings or bold questions, and a question heading with nothing after it', async () => {
    const [none] = await refusedWith(await docx([new Paragraph({ text: 'Tikai teksts bez jautājumiem.' })]), 'a.docx');
    expect(none!.message).toMatch(/Dokumentā nav atrasts neviens jautājums/);
    const problems = await refusedWith(
      await docx([
        new Paragraph({ text: 'Kur nodot grāmatas?', heading: HeadingLevel.HEADING_2 }),
        new Paragraph({ text: 'Vai var pagarināt?', heading: HeadingLevel.HEADING_2 }),
        new Paragraph({ text: 'Jā.' }),
      ]),
      'b.docx',
    );
    expect(problems).toEqual([{ where: 'heading "Kur nodot grāmatas?"', message: 'virsraksts „Kur nodot grāmatas?”: pēc jautājuma nav atbildes.' }]);
  });

  it('refuses a damaged document (a DOCX cut short) with a clear message', async () => {
    const whole = await docx([new Paragraph({ text: 'Q?', heading: HeadingLevel.HEADING_2 }), new Paragraph({ text: 'A.' })]);
    const [p] = await refusedWith(whole.subarray(0, Math.floor(whole.length / 2)), 'cut.docx');
    expect(p!.message).toMatch(/bojāts/);
    const garbage = Buffer.from(zipSync({ 'word/document.xml': strToU8('<w:document><w:body><w:p>') }));
    const [q] = await refusedWith(garbage, 'bad.docx');
    expect(q!.message).toMatch(/Word dokumentu \(\.docx\) neizdevās nolasīt/);
  });
});

describe('CSV and TSV', () => {
  it('reads Excel’s Latvian CSV: a BOM, Windows line ends, semicolons, quoted cells with line breaks and quotes', async () => {
    const text =
      '\uFEFFJautājums;Atbilde;Question (en)\r\n' +
      'Kā atjaunot paroli?;"Atveriet ""Aizmirsu paroli"";\r\n- ievadiet e-pastu\r\n- sekojiet saitei";How do I reset my password?\r\n' +
      '\r\n' +
      'Vai var rezervēt grāmatu?;Jā, katalogā.;\r\n';
    const drafts = await imported('faq.csv', Buffer.from(text, 'utf8'));
    expect(drafts.map(whereOf)).toEqual(['row 2', 'row 4']);
    expect(entryOf(drafts[0]!).answer.lv).toBe('Atveriet "Aizmirsu paroli";\n- ievadiet e-pastu\n- sekojiet saitei');
    expect(entryOf(drafts[0]!).questions.en).toEqual(['How do I reset my password?']);
    expect(entryOf(drafts[1]!).questions).toEqual({ lv: ['Vai var rezervēt grāmatu?'] });
  });

  it('reads TSV, commas in the text staying text', async () => {
    const drafts = await imported('faq.tsv', Buffer.from('Jautājums\tAtbilde\nKad ir atvērts?\tDarba dienās, 9–18, sestdienās 10–16.\n'));
    expect(entryOf(drafts[0]!).answer.lv).toBe('Darba dienās, 9–18, sestdienās 10–16.');
  });

  it('reads a CSV that Excel saved in the Baltic code page (Windows-1257)', async () => {
    // The code page's letters, from the decoder itself: each character's one byte.
    const decoder = new TextDecoder('windows-1257');
    const byteOf = new Map(Array.from({ length: 256 }, (_, b) => [decoder.decode(Uint8Array.of(b)), b] as const));
    const cp1257 = (text: string) => Buffer.from([...text].map((c) => byteOf.get(c)!));
    const drafts = await imported('faq.csv', cp1257('Jautājums;Atbilde\nKā nokļūt līdz bibliotēkai?;Ar autobusu Nr. 3 līdz pieturai „Ūdensrozes”.\n'));
    expect(entryOf(drafts[0]!).questions.lv).toEqual(['Kā nokļūt līdz bibliotēkai?']);
    expect(entryOf(drafts[0]!).answer.lv).toBe('Ar autobusu Nr. 3 līdz pieturai „Ūdensrozes”.');
  });

  it('refuses an unclosed quote, naming the line', async () => {
    const problems = await refusedWith(Buffer.from('Jautājums,Atbilde\nKas?,"Atbilde bez beigām\nvēl\n'), 'faq.csv');
    expect(problems[0]!.message).toMatch(/teksta rindiņa: pēdiņas atvērtas, bet nav aizvērtas/);
  });

  it('refuses a table whose header names no question and answer', async () => {
    const [p] = await refusedWith(Buffer.from('vārds,uzvārds\nAnna,Bērziņa\n'), 'people.csv');
    expect(p!.message).toMatch(/„Jautājums” un „Atbilde”/);
  });
});

describe('a saved HTML page', () => {
  const page = (body: string, head = '') =>
    Buffer.from(
      `<!-- saved from url=(0036)https://library.example.lv/buj/ -->\n<!DOCTYPE html><html lang="lv"><head><title>Biežāk uzdotie jautājumi</title>${head}</head><body>${body}</body></html>`,
    );

  it('reads h2/h3 headings, dt/dd and details/summary; the page’s URL is the source and, with the anchor, the link', async () => {
    const drafts = await imported(
      'buj.html',
      page(`
        <header><nav><h2>Izvēlne</h2><a href="/">Sākums</a></nav></header>
        <main>
          <h1>BUJ</h1>
          <h2>Lasītāja karte</h2>
          <h3 id="karte">Kā saņemt karti?</h3>
          <p>Bibliotēkā, uzrādot <a href="/dokumenti">personu apliecinošu dokumentu</a>.</p>
          <ol><li>aizpildiet veidlapu</li><li>parakstiet noteikumus</li></ol>
          <dl><dt id="sods">Vai par kavējumu ir sods?</dt><dd><p>Nē, bet grāmata jāatdod.</p></dd></dl>
          <details id="wifi"><summary>Vai ir bezvadu internets?</summary><p>Jā, tīkls „Biblioteka”.</p></details>
        </main>
        <footer><h2>Kontakti</h2><p>Tālrunis 67000000</p></footer>`),
    );
    expect(drafts.map(whereOf).sort()).toEqual(['dt 1', 'heading "Kā saņemt karti?"', 'summary 1']);
    const byWhere = new Map(drafts.map((d) => [whereOf(d), entryOf(d)]));
    const card = byWhere.get('heading "Kā saņemt karti?"')!;
    expect(card.answer.lv).toBe('Bibliotēkā, uzrādot personu apliecinošu dokumentu.\n1. aizpildiet veidlapu\n2. parakstiet noteikumus');
    expect(card.links).toEqual([
      { url: 'https://library.example.lv/dokumenti', title: { lv: 'personu apliecinošu dokumentu' } },
      { url: 'https://library.example.lv/buj/#karte', title: { lv: 'Biežāk uzdotie jautājumi' } },
    ]);
    expect(card.sources).toEqual(['https://library.example.lv/buj/', 'buj.html, virsraksts „Kā saņemt karti?”']);
    expect(byWhere.get('dt 1')!.answer.lv).toBe('Nē, bet grāmata jāatdod.');
    expect(byWhere.get('summary 1')!.questions.lv).toEqual(['Vai ir bezvadu internets?']);
    // The navigation's and the footer's headings are the site, not questions.
    expect(drafts.some((d) => /izvelne|kontakti/.test(entryOf(d).id))).toBe(false);
  });

  it('prefers the canonical link to the saved-from note; without any URL the file alone is the source', async () => {
    const withCanonical = await imported(
      'a.html',
      page('<h2>Kas ir abonements?</h2><p>Lasītāja karte uz gadu.</p>', '<link rel="canonical" href="https://library.example.lv/jautajumi">'),
    );
    expect(entryOf(withCanonical[0]!).sources[0]).toBe('https://library.example.lv/jautajumi');
    const bare = await imported('b.html', Buffer.from('<html><body><h2>Kas ir abonements?</h2><p>Karte uz gadu. <a href="/x">Sīkāk</a></p></body></html>'));
    expect(entryOf(bare[0]!).sources).toEqual(['b.html, virsraksts „Kas ir abonements?”']);
    // A relative link without the page's URL cannot be resolved: it is left out, its text kept.
    expect(entryOf(bare[0]!).links).toEqual([]);
  });

  it('refuses a page without any of the three shapes, and a dt without its dd', async () => {
    const [none] = await refusedWith(page('<p>Tikai teksts.</p>'), 'x.html');
    expect(none!.message).toMatch(/virsrakstiem \(h2, h3\).*dt\/dd.*details\/summary/);
    const problems = await refusedWith(page('<dl><dt>Vai var ienākt ar suni?</dt></dl>'), 'y.html');
    expect(problems).toEqual([{ where: 'dt 1', message: '1. jautājums (dt) „Vai var ienākt ar suni?”: pēc jautājuma nav atbildes (dd).' }]);
  });
});

describe('files that are refused whole', () => {
  it('an empty file, and one of only blanks', async () => {
    expect((await refusedWith(Buffer.alloc(0)))[0]!.message).toBe('Fails ir tukšs.');
    expect((await refusedWith(Buffer.from(' \r\n\t ')))[0]!.message).toBe('Fails ir tukšs.');
  });

  it('a file over the size limit', async () => {
    const [p] = await refusedWith(Buffer.alloc(MAX_IMPORT_BYTES + 1, 'a'));
    expect(p!.message).toMatch(/lielāks par 5 MB/);
  });

  it('kinds it does not read, told by content, whatever the name says', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    expect((await refusedWith(png, 'faq.csv'))[0]!.message).toMatch(/Šī faila veidu nevar importēt/);
    expect((await refusedWith(Buffer.from('%PDF-1.7\n...'), 'faq.docx'))[0]!.message).toMatch(/PDF/);
    const ole = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
    expect((await refusedWith(ole, 'faq.doc'))[0]!.message).toMatch(/\.docx vai \.xlsx/);
    const otherZip = Buffer.from(zipSync({ 'readme.txt': strToU8('sveiki') }));
    expect((await refusedWith(otherZip, 'faq.xlsx'))[0]!.message).toMatch(/nav ne Excel darbgrāmata, ne Word dokuments/);
  });

  it('a zip bomb: more unpacked than the limit, however small packed', async () => {
    const bomb = Buffer.from(zipSync({ 'word/document.xml': new Uint8Array(MAX_UNPACKED_BYTES + 1) }, { level: 9 }));
    expect(bomb.length).toBeLessThan(MAX_IMPORT_BYTES);
    expect((await refusedWith(bomb, 'bomb.docx'))[0]!.message).toMatch(/atarhivēts būtu lielāks/);
  });

  it('a zip bomb whose header lies about its size', async () => {
    const zip = Buffer.from(zipSync({ 'word/document.xml': new Uint8Array(MAX_UNPACKED_BYTES + 1) }, { level: 9 }));
    // The entry's uncompressed size, in its local header (offset 22) and in the central directory (entry + 24): 100 bytes.
    zip.writeUInt32LE(100, 22);
    zip.writeUInt32LE(100, zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 24);
    expect((await refusedWith(zip, 'liar.docx'))[0]!.message).toMatch(/bojāts/);
  });

  it('a page nested deeper than any page is', async () => {
    const deep = Buffer.from(`<html><body>${'<div>'.repeat(100_000)}<h2>Kas?</h2><p>Tas.</p></body></html>`);
    expect((await refusedWith(deep, 'deep.html'))[0]!.message).toMatch(/dziļāk par 256/);
  });

  it('a zip that is not whole', async () => {
    const cut = Buffer.from(zipSync({ 'xl/workbook.xml': strToU8('<workbook/>'.repeat(50)) })).subarray(0, 40);
    expect((await refusedWith(cut, 'cut.xlsx'))[0]!.message).toMatch(/bojāts/);
  });
});

describe('names', () => {
  it('slugs from the question’s topic words', () => {
    expect(slugOf('Kā es varu pieteikt bērnu rindā uz bērnudārzu Ādažos?')).toBe('pieteikt-bernu-rinda-bernudarzu-adazos');
    expect(slugOf('Kas?')).toBe('kas');
    expect(slugOf('!!!')).toBe('jautajums');
  });

  it('file names without folders and control characters', () => {
    expect(cleanFileName('C:\\fakepath\\BUJ 2026.xlsx')).toBe('BUJ 2026.xlsx');
    expect(cleanFileName('a\u0000b.csv')).toBe('ab.csv');
    expect(cleanFileName('')).toBe('importētais fails');
  });
});
